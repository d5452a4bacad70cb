//! `#[builtins]`: turns a module of plain Rust functions into a pack of Nix
//! builtins for a Nixie evaluation.
//!
//! ```ignore
//! use nixie_eval::builtins;
//!
//! #[builtins(name = "strings")]
//! pub mod strings {
//!     use nixie_eval::prelude::*;
//!
//!     /// Return the length of the string `s` in bytes.
//!     #[builtin("stringLength")]
//!     fn string_length(s: NixString) -> Result<i64, ErrorKind> {
//!         Ok(s.len() as i64)
//!     }
//!
//!     /// Apply `f` to `x`, forcing the result.
//!     #[builtin("applyTo")]
//!     async fn apply_to(co: GenCo, f: Value, #[lazy] x: Value) -> Result<Value, ErrorKind> {
//!         let r = co.yield_(Request::Call(f, x)).await;
//!         Ok(nixie_eval::vm::force(&co, r).await)
//!     }
//! }
//! // `strings::PACK` is a `nixie_eval::builtins::Pack`:
//! // Evaluation::builder().pack(&strings::PACK).build()
//! ```
//!
//! # Options of `#[builtins(...)]`
//! - `name = "…"`: the pack's name in collision messages (default: the module's name).
//! - `state = Type`: the pack carries state of this type; register the pack with
//!   `EvaluationBuilder::pack_with_state(&PACK, value)`, and builtins receive it through
//!   a parameter `#[state] s: Rc<Type>`.
//! - `overrides`: this pack's names replace those of packs registered before it instead
//!   of being a collision error.
//!
//! # Functions
//! - `#[builtin("name")]` or `#[builtin("name", global)]` (also visible without
//!   `builtins.`): a builtin. Its doc comment is its documentation.
//! - A plain `fn` runs synchronously on forced arguments and never suspends. It may take
//!   `vm: &mut Vm` as its first parameter.
//! - An `async fn` takes `co: GenCo` first and may `co.yield_(Request::…)` to ask the VM
//!   to force, call, compare or coerce; it runs as one generator per call.
//! - Parameters are forced before the call, first to last, and converted with
//!   `FromValue` (`i64`, `f64`, `bool`, `NixString`, `List`, `Attrs`, `PathBuf`,
//!   `NixNumber`, `Callable`, `Value`, or a pack's own type). A wrong type is Nix's
//!   error ("expected an integer but found a string").
//! - `#[lazy]` on a parameter of type `Value` passes it unforced.
//! - The return type is `Result<T, ErrorKind>` with `T: IntoValue`.
//! - `#[constant("name")]` (or `#[constant("name", global)]`) on a `fn() -> T` adds a
//!   constant.
//!
//! The macro is structured as parse (syntax → raw items) → model (checked builtins,
//! with a spanned error for each misuse) → codegen.

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
