//! `#[builtins]`: turns a module of plain Rust functions into a pack of Nix
//! builtins for a Nixie evaluation, and `#[derive(FromAttrs)]`: a struct that
//! describes an attribute-set argument.
//!
//! The full guide, with a doctest of every form, is the crate documentation of
//! `nixie_eval`. In short:
//!
//! # Options of `#[builtins(...)]`
//! - `name = "…"`: the pack's name in collision messages (default: the module's name).
//! - `namespace = "ns"`: the builtins appear as `builtins.ns.name`.
//! - `state = Type`: the pack carries state of this type; register the pack with
//!   `EvaluationBuilder::pack_with_state(&PACK, value)`, and builtins receive it through
//!   a parameter `#[state] s: Rc<Type>` (each registration has its own state).
//! - `impure`: the pack's constants are absent in pure evaluation mode (as C++ Nix's
//!   `currentTime` and `currentSystem`).
//! - `overrides`: this pack's names replace those of packs registered before it instead
//!   of being a collision error.
//! - `crate = path`: where `nixie_eval` is, for crates that re-export it.
//!
//! # Functions
//! - `#[builtin("name")]`, `#[builtin("name", global)]` (also visible without
//!   `builtins.`), `#[builtin("name", suspend = async_fn)]` (a plain builtin whose
//!   body may return `cx.suspend()` to continue in `async_fn`). Its doc comment is its
//!   documentation.
//! - A plain `fn` runs on forced, converted arguments and never suspends; it may take
//!   `cx: &mut Ctx` first for host access. When an argument's conversion needs Nix
//!   code run (a set's `__toString`), the call runs again on a generated suspending
//!   path with the same function.
//! - An `async fn` takes `co: &mut Co` first; its typed methods force, call, coerce
//!   and compare.
//! - `#[context = "while evaluating …"]` on a parameter replaces the trace line a
//!   failed conversion gets (by default "while evaluating the Nth argument passed to
//!   builtins.NAME").
//! - Parameters convert with `FromValue`; `#[lazy] x: Value` or `x: Lazy<T>` arrive
//!   unforced. The return type is any `Result<T, E>` with `T: IntoValue` and
//!   `E: Into<Error>`.
//! - A plain `fn` that loops over Nix calls (a fold, a sort) returns
//!   `Result<Steps, E>`: its first request and a `Stepper` that the VM resumes
//!   with each answer, one frame for the whole loop and no generator. On the
//!   suspending path the same steps run inside the generator.
//! - `#[constant("name")]` (or `#[constant("name", global)]`) on a `fn() -> T` adds a
//!   constant.
//!
//! The macro is structured as parse (syntax → raw items) → model (checked builtins,
//! with a spanned error for each misuse) → codegen.

#![deny(missing_docs)]

mod attrs_derive;
mod codegen;
mod model;
mod parse;

use proc_macro::TokenStream;

/// Turn a module of `#[builtin]` functions into a pack (`PACK`) of Nix builtins.
#[proc_macro_attribute]
pub fn builtins(attr: TokenStream, item: TokenStream) -> TokenStream {
    let result = parse::parse(attr.into(), item.into())
        .and_then(model::check)
        .map(codegen::generate);
    match result {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Implement `FromValue` for a struct describing an attribute-set argument: one
/// field per attribute, `Option<T>` fields optional, `#[nix(default)]`,
/// `#[nix(default = "expr")]` and `#[nix(rename = "name")]` on fields, and
/// `#[nix(allow_unknown)]`, `#[nix(missing = "…{name}…")]`,
/// `#[nix(unknown = "…{name}…")]` and `#[nix(crate = path)]` on the struct.
#[proc_macro_derive(FromAttrs, attributes(nix))]
pub fn derive_from_attrs(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match attrs_derive::derive(input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Marks a builtin inside a `#[builtins]` module; used anywhere else it is an error.
#[proc_macro_attribute]
pub fn builtin(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: proc_macro2::TokenStream = item.into();
    let err = syn::Error::new(
        proc_macro2::Span::call_site(),
        "#[builtin] can only be used on a function inside a `#[builtins]` module; put the function in a module marked `#[builtins]`",
    )
    .to_compile_error();
    quote::quote!(#err #item).into()
}
