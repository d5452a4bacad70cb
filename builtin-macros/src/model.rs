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
    /// A Nix argument, converted with `FromValue` (passed unforced if lazy).
    Arg {
        ty: Box<Type>,
        lazy: bool,
        name: String,
        /// `#[context = "…"]`: the trace line when converting it fails, instead of
        /// "while evaluating the Nth argument passed to builtins.NAME".
        context: Option<syn::LitStr>,
    },
    /// The pack's state, as `Rc<State>`.
    State,
    /// The plain builtin's context, `&mut Ctx`.
    Ctx,
}

/// A checked builtin.
pub struct Builtin {
    pub nix_name: LitStr,
    pub global: bool,
    pub ident: Ident,
    pub is_async: bool,
    pub params: Vec<ParamKind>,
    pub doc: String,
    /// The declared return type (any `Result<T, E>` or alias of one).
    pub ret: Box<Type>,
    /// `suspend = f`: the async function that is the suspending path.
    pub suspend: Option<Ident>,
}

/// A checked constant.
pub struct Constant {
    pub nix_name: LitStr,
    pub global: bool,
    pub ident: Ident,
    pub doc: String,
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
        let MarkerArgs {
            name: nix_name,
            global,
            suspend,
        } = match marker_args(&attr) {
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
            Marker::Builtin => check_builtin(&options, &mut func, nix_name, global, suspend)
                .map(|b| builtins.push(b)),
            Marker::Constant => check_constant(&func, nix_name, global).map(|c| constants.push(c)),
        };
        if let Err(e) = r {
            errors.push(e);
        }
        checked_fns.push(func);
    }
    let (_, module_items) = module
        .content
        .as_ref()
        .expect("parse checked the module is inline");
    for b in &builtins {
        let Some(target) = &b.suspend else { continue };
        if b.is_async {
            errors.push(err(
                target.span(),
                "only a plain `fn` builtin has a separate suspending path; an `async fn` builtin already suspends",
            ));
            continue;
        }
        let found = module_items.iter().any(|it| {
            matches!(it, syn::Item::Fn(f) if f.sig.ident == *target && f.sig.asyncness.is_some())
        });
        if !found {
            errors.push(err(
                target.span(),
                &format!(
                    "no `async fn {target}` in this module: the suspending path is an async fn taking `co: &mut Co` and the same Nix arguments"
                ),
            ));
        }
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

/// The options of a `#[builtin(...)]` or `#[constant(...)]` marker.
pub struct MarkerArgs {
    pub name: LitStr,
    pub global: bool,
    pub suspend: Option<Ident>,
}

/// `("name")`, `("name", global)`, `("name", suspend = f)`.
fn marker_args(attr: &syn::Attribute) -> syn::Result<MarkerArgs> {
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
    let mut suspend = None;
    for extra in it {
        match extra {
            syn::Expr::Path(p) if p.path.is_ident("global") => global = true,
            syn::Expr::Assign(a) if which == "builtin" && matches!(&*a.left, syn::Expr::Path(p) if p.path.is_ident("suspend")) => {
                match &*a.right {
                    syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                        suspend = p.path.get_ident().cloned()
                    }
                    other => {
                        return Err(err(
                            other.span(),
                            "`suspend` names an `async fn` of this module: #[builtin(\"name\", suspend = my_async_fn)]",
                        ))
                    }
                }
            }
            other => {
                let options = if which == "builtin" {
                    "`global` and `suspend = async_fn`"
                } else {
                    "`global`"
                };
                return Err(err(
                    other.span(),
                    &format!("unknown #[{which}] option; the options after the name are {options}"),
                ));
            }
        }
    }
    Ok(MarkerArgs {
        name,
        global,
        suspend,
    })
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == name),
        _ => false,
    }
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
    suspend: Option<Ident>,
) -> syn::Result<Builtin> {
    let sig = &func.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(err(
            sig.generics.span(),
            "builtins cannot be generic: use concrete parameter types, or `Value`",
        ));
    }
    let is_async = sig.asyncness.is_some();
    let ret = match &sig.output {
        syn::ReturnType::Type(_, ty) => ty.clone(),
        syn::ReturnType::Default => return Err(err(
            sig.ident.span(),
            "a builtin must return `Result<T, E>` where `T: IntoValue` and `E: Into<Error>`; add a return type",
        )),
    };
    if is_async {
        let first_is_co =
            matches!(func.sig.inputs.first(), Some(FnArg::Typed(pt)) if is_co_ref(&pt.ty));
        if !first_is_co {
            if let Some(i) = func.sig.inputs.iter().position(|a| matches!(a, FnArg::Typed(pt) if is_co_ref(&pt.ty) || param_name(&pt.pat).as_deref() == Some("co"))) {
                if i > 0 {
                    return Err(syn::Error::new_spanned(
                        &func.sig.inputs[i],
                        "`co: &mut Co` must be the first parameter of an async builtin: move it before the Nix arguments",
                    ));
                }
            } else {
                let span = match func.sig.inputs.first() {
                    Some(first) => first.span(),
                    None => func.sig.ident.span(),
                };
                return Err(err(
                    span,
                    "an async builtin takes `co: &mut Co` as its first parameter, before the Nix arguments",
                ));
            }
        }
    }
    let mut params = Vec::new();
    let mut nix_args = 0usize;
    for (i, input) in func.sig.inputs.iter_mut().enumerate() {
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
        let lazy_attr = pt.attrs.iter().any(|a| a.path().is_ident("lazy"));
        let state = pt.attrs.iter().any(|a| a.path().is_ident("state"));
        let mut context = None;
        for a in pt.attrs.iter().filter(|a| a.path().is_ident("context")) {
            match &a.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => context = Some(s.clone()),
                    other => {
                        return Err(err(
                            other.span(),
                            "#[context = \"…\"] takes the trace line as a string",
                        ))
                    }
                },
                other => {
                    return Err(err(
                        other.span(),
                        "#[context = \"…\"] takes the trace line as a string",
                    ))
                }
            }
        }
        pt.attrs.retain(|a| {
            !a.path().is_ident("lazy")
                && !a.path().is_ident("state")
                && !a.path().is_ident("context")
        });
        if is_co_ref(&pt.ty) || name.as_deref() == Some("co") {
            if !is_async {
                return Err(err(
                    pt.span(),
                    "only `async fn` builtins take `co: &mut Co`: make the function `async`, or take `cx: &mut Ctx` for host access",
                ));
            }
            if i != 0 {
                return Err(err(
                    pt.span(),
                    "`co: &mut Co` must be the first parameter of an async builtin",
                ));
            }
            if !is_co_ref(&pt.ty) {
                return Err(err(
                    pt.ty.span(),
                    "`co` must have type `&mut Co` (nixie_eval::Co)",
                ));
            }
            continue;
        }
        if last_segment_is(&pt.ty, "Vm") || is_ref_to(&pt.ty, "Vm") {
            return Err(err(
                pt.ty.span(),
                "builtins cannot reach the VM: take `cx: &mut Ctx` for host access in a plain `fn`, or `co: &mut Co` in an `async fn`",
            ));
        }
        if last_segment_is(&pt.ty, "GenCo") {
            return Err(err(
                pt.ty.span(),
                "`GenCo` is gone: an async builtin takes `co: &mut Co` as its first parameter",
            ));
        }
        if is_ref_to(&pt.ty, "Ctx") {
            if is_async {
                return Err(err(
                    pt.ty.span(),
                    "an async builtin cannot hold the context across suspensions: use `co.ctx(|cx| ...)`",
                ));
            }
            if !matches!(&*pt.ty, Type::Reference(r) if r.mutability.is_some()) {
                return Err(err(pt.ty.span(), "the context is taken as `cx: &mut Ctx`"));
            }
            if i != 0 {
                return Err(err(
                    pt.span(),
                    "`cx: &mut Ctx` must be the first parameter of a plain builtin",
                ));
            }
            params.push(ParamKind::Ctx);
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
        let typed_lazy = last_segment_is(&pt.ty, "Lazy");
        if lazy_attr && !typed_lazy && !last_segment_is(&pt.ty, "Value") {
            return Err(err(
                pt.ty.span(),
                "#[lazy] arguments are passed unforced, so they must have type `Value`; for a typed lazy argument use `Lazy<T>`",
            ));
        }
        nix_args += 1;
        params.push(ParamKind::Arg {
            ty: pt.ty.clone(),
            lazy: lazy_attr || typed_lazy,
            name: name.unwrap_or_else(|| format!("arg{nix_args}")),
            context,
        });
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
            "a builtin takes at most 4 Nix arguments; take an attribute set (`#[derive(FromAttrs)]`) for more",
        ));
    }
    Ok(Builtin {
        ret,
        nix_name,
        global,
        ident: func.sig.ident.clone(),
        is_async,
        params,
        doc: doc_of(func),
        suspend,
    })
}

/// `&mut Co` (any path ending in `Co`).
fn is_co_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(r) if r.mutability.is_some() && last_segment_is(&r.elem, "Co"))
}

/// `&T` or `&mut T` where the path ends in `name`.
fn is_ref_to(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Reference(r) if last_segment_is(&r.elem, name))
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
        doc: doc_of(func),
    })
}
