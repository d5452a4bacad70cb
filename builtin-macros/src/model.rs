//! Model: check every marked function and turn it into a builtin or constant
//! description, with a spanned error that says how to fix each misuse.

use crate::parse::{Marker, PackOptions, RawFn, RawModule};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, LitStr, Pat, Type};

/// Largest number of Nix arguments (mirrors `nixie_eval::builtins::MAX_ARITY`).
const MAX_ARITY: usize = 4;

/// How one Rust parameter is filled.
pub enum ParamKind {
    /// A Nix argument, converted with `FromValue` (or passed raw if lazy).
    Arg { ty: Box<Type>, lazy: bool },
    /// The pack's state, as `Rc<State>`.
    State,
}

/// A checked builtin.
pub struct Builtin {
    pub nix_name: LitStr,
    pub global: bool,
    pub ident: Ident,
    pub is_async: bool,
    pub takes_vm: bool,
    pub params: Vec<ParamKind>,
    pub doc: String,
    /// `T` of the `Result<T, ErrorKind>` return type.
    pub ok_type: Option<Box<Type>>,
}

/// A checked constant.
pub struct Constant {
    pub nix_name: LitStr,
    pub global: bool,
    pub ident: Ident,
}

/// The checked module.
pub struct Pack {
    pub options: PackOptions,
    pub module: syn::ItemMod,
    pub builtins: Vec<Builtin>,
    pub constants: Vec<Constant>,
}

fn err(span: Span, msg: &str) -> syn::Error {
    syn::Error::new(span, msg)
}

/// Accumulates errors so that one compile reports every misuse.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

pub fn check(raw: RawModule) -> syn::Result<Pack> {
    let RawModule {
        options,
        mut module,
        fns,
    } = raw;
    let mut errors = Errors::default();
    let mut builtins = Vec::new();
    let mut constants = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut checked_fns = Vec::new();
    for RawFn {
        marker,
        attr,
        mut func,
    } in fns
    {
        let (nix_name, global) = match marker_args(&attr) {
            Ok(x) => x,
            Err(e) => {
                errors.push(e);
                checked_fns.push(func);
                continue;
            }
        };
        if names.contains(&nix_name.value()) {
            errors.push(err(
                nix_name.span(),
                &format!(
                    "duplicate builtin name \"{}\" in this pack; each name can be defined once",
                    nix_name.value()
                ),
            ));
        }
        names.push(nix_name.value());
        let r = match marker {
            Marker::Builtin => {
                check_builtin(&options, &mut func, nix_name, global).map(|b| builtins.push(b))
            }
            Marker::Constant => check_constant(&func, nix_name, global).map(|c| constants.push(c)),
        };
        if let Err(e) = r {
            errors.push(e);
        }
        checked_fns.push(func);
    }
    if let Some(e) = errors.0 {
        return Err(e);
    }
    let (_, items) = module
        .content
        .as_mut()
        .expect("parse checked the module is inline");
    items.extend(checked_fns.into_iter().map(syn::Item::Fn));
    Ok(Pack {
        options,
        module,
        builtins,
        constants,
    })
}

/// `("name")` or `("name", global)`.
fn marker_args(attr: &syn::Attribute) -> syn::Result<(LitStr, bool)> {
    let which = if attr.path().is_ident("builtin") {
        "builtin"
    } else {
        "constant"
    };
    let syn::Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(
            attr,
            format!("#[{which}] needs the Nix name: #[{which}(\"name\")]"),
        ));
    };
    let args = list.parse_args_with(
        syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
    )?;
    let mut it = args.iter();
    let name = match it.next() {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) => s.clone(),
        Some(other) => {
            return Err(err(
                other.span(),
                &format!("the Nix name must be a string literal: #[{which}(\"name\")]"),
            ))
        }
        None => {
            return Err(syn::Error::new_spanned(
                attr,
                format!("#[{which}] needs the Nix name: #[{which}(\"name\")]"),
            ))
        }
    };
    if name.value().is_empty() {
        return Err(err(name.span(), "the Nix name cannot be empty"));
    }
    let mut global = false;
    for extra in it {
        match extra {
            syn::Expr::Path(p) if p.path.is_ident("global") => global = true,
            other => {
                return Err(err(
                    other.span(),
                    &format!(
                        "unknown #[{which}] option; the only option after the name is `global`"
                    ),
                ))
            }
        }
    }
    Ok((name, global))
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == name),
        _ => false,
    }
}

fn is_vm_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(r) if r.mutability.is_some() && last_segment_is(&r.elem, "Vm"))
}

fn param_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(i) => Some(i.ident.to_string()),
        _ => None,
    }
}

fn doc_of(func: &ItemFn) -> String {
    let mut lines = Vec::new();
    for a in &func.attrs {
        if let syn::Meta::NameValue(nv) = &a.meta {
            if nv.path.is_ident("doc") {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    let v = s.value();
                    lines.push(v.strip_prefix(' ').unwrap_or(&v).to_string());
                }
            }
        }
    }
    lines.join("\n").trim().to_string()
}

fn check_builtin(
    options: &PackOptions,
    func: &mut ItemFn,
    nix_name: LitStr,
    global: bool,
) -> syn::Result<Builtin> {
    let sig = &func.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(err(
            sig.generics.span(),
            "builtins cannot be generic: use concrete parameter types, or `Value`",
        ));
    }
    let is_async = sig.asyncness.is_some();
    match &sig.output {
        syn::ReturnType::Type(_, ty) if last_segment_is(ty, "Result") => {}
        syn::ReturnType::Type(_, ty) => {
            return Err(err(
                ty.span(),
                "a builtin must return `Result<T, ErrorKind>` where `T: IntoValue`",
            ))
        }
        syn::ReturnType::Default => return Err(err(
            sig.ident.span(),
            "a builtin must return `Result<T, ErrorKind>` where `T: IntoValue`; add a return type",
        )),
    }
    if is_async {
        let co_at = func.sig.inputs.iter().position(|a| match a {
            FnArg::Typed(pt) => {
                param_name(&pt.pat).as_deref() == Some("co") || last_segment_is(&pt.ty, "GenCo")
            }
            FnArg::Receiver(_) => false,
        });
        match co_at {
            None => {
                return Err(syn::Error::new_spanned(
                    &func.sig.inputs,
                    "an async builtin takes `co: GenCo` as its first parameter, before the Nix arguments",
                ))
            }
            Some(i) if i > 0 => {
                return Err(syn::Error::new_spanned(
                    &func.sig.inputs[i],
                    "`co: GenCo` must be the first parameter of an async builtin: move it before the Nix arguments",
                ))
            }
            Some(_) => {}
        }
    }
    let mut params = Vec::new();
    let mut takes_vm = false;
    let mut nix_args = 0usize;
    let inputs: Vec<&mut FnArg> = func.sig.inputs.iter_mut().collect();
    let n_inputs = inputs.len();
    for (i, input) in inputs.into_iter().enumerate() {
        let pt = match input {
            FnArg::Receiver(r) => {
                return Err(err(
                    r.span(),
                    "builtins are free functions: remove the `self` parameter",
                ))
            }
            FnArg::Typed(pt) => pt,
        };
        let name = param_name(&pt.pat);
        let is_co_type = last_segment_is(&pt.ty, "GenCo");
        let lazy = pt.attrs.iter().any(|a| a.path().is_ident("lazy"));
        let state = pt.attrs.iter().any(|a| a.path().is_ident("state"));
        pt.attrs
            .retain(|a| !a.path().is_ident("lazy") && !a.path().is_ident("state"));
        if name.as_deref() == Some("co") || is_co_type {
            if !is_async {
                return Err(err(
                    pt.span(),
                    "only `async fn` builtins take `co: GenCo`: make the function `async`, or remove this parameter",
                ));
            }
            if i != 0 {
                return Err(err(
                    pt.span(),
                    "`co: GenCo` must be the first parameter of an async builtin",
                ));
            }
            if !is_co_type {
                return Err(err(
                    pt.ty.span(),
                    "`co` must have type `GenCo` (nixie_eval::vm::GenCo)",
                ));
            }
            continue;
        }
        if i == 0 && is_async {
            return Err(err(
                pt.span(),
                "an async builtin takes `co: GenCo` as its first parameter, before the Nix arguments",
            ));
        }
        if is_vm_ref(&pt.ty) {
            if is_async {
                return Err(err(
                    pt.ty.span(),
                    "async builtins cannot borrow the VM across suspensions: use `co` requests instead",
                ));
            }
            if i != 0 {
                return Err(err(pt.span(), "`vm: &mut Vm` must be the first parameter"));
            }
            takes_vm = true;
            continue;
        }
        if state {
            if options.state.is_none() {
                return Err(err(
                    pt.span(),
                    "this pack declares no state: add `state = Type` to #[builtins(...)]",
                ));
            }
            if !last_segment_is(&pt.ty, "Rc") {
                return Err(err(
                    pt.ty.span(),
                    "a #[state] parameter must have type `Rc<State>`",
                ));
            }
            params.push(ParamKind::State);
            continue;
        }
        if lazy && !last_segment_is(&pt.ty, "Value") {
            return Err(err(
                pt.ty.span(),
                "#[lazy] arguments are passed unforced, so they must have type `Value`",
            ));
        }
        nix_args += 1;
        params.push(ParamKind::Arg {
            ty: pt.ty.clone(),
            lazy,
        });
    }
    if is_async && n_inputs == 0 {
        return Err(err(
            func.sig.ident.span(),
            "an async builtin takes `co: GenCo` as its first parameter, before the Nix arguments",
        ));
    }
    if nix_args == 0 {
        return Err(err(
            func.sig.ident.span(),
            "a builtin takes at least one Nix argument; for a value use #[constant(\"name\")]",
        ));
    }
    if nix_args > MAX_ARITY {
        return Err(err(
            func.sig.inputs.span(),
            "a builtin takes at most 4 Nix arguments",
        ));
    }
    let ok_type = match &func.sig.output {
        syn::ReturnType::Type(_, ty) => ok_type_of(ty),
        syn::ReturnType::Default => None,
    };
    Ok(Builtin {
        ok_type,
        nix_name,
        global,
        ident: func.sig.ident.clone(),
        is_async,
        takes_vm,
        params,
        doc: doc_of(func),
    })
}

/// `T` in `Result<T, E>`.
fn ok_type_of(ty: &Type) -> Option<Box<Type>> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(Box::new(t.clone())),
        _ => None,
    }
}

fn check_constant(func: &ItemFn, nix_name: LitStr, global: bool) -> syn::Result<Constant> {
    if func.sig.asyncness.is_some() {
        return Err(err(
            func.sig.span(),
            "a #[constant] is a plain `fn() -> T`, not async",
        ));
    }
    if !func.sig.inputs.is_empty() {
        return Err(err(
            func.sig.inputs.span(),
            "a #[constant] takes no parameters",
        ));
    }
    if !func.sig.generics.params.is_empty() {
        return Err(err(
            func.sig.generics.span(),
            "a #[constant] cannot be generic",
        ));
    }
    if matches!(func.sig.output, syn::ReturnType::Default) {
        return Err(err(
            func.sig.ident.span(),
            "a #[constant] returns its value: `fn() -> T` with `T: IntoValue`",
        ));
    }
    Ok(Constant {
        nix_name,
        global,
        ident: func.sig.ident.clone(),
    })
}
