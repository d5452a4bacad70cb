//! Codegen: for each builtin, a fast-path wrapper (plain `fn`s) and a suspending
//! wrapper that convert the arguments and the result, a static definition, and
//! the module's `PACK`.

use crate::model::{Builtin, Pack, ParamKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

pub fn generate(pack: Pack) -> TokenStream {
    let Pack {
        options,
        mut module,
        builtins,
        constants,
    } = pack;
    let krate = match &options.krate {
        Some(p) => quote!(#p),
        None => quote!(::nixie_eval),
    };
    let pack_name = options
        .name
        .as_ref()
        .map(|n| n.value())
        .unwrap_or_else(|| module.ident.unraw().to_string());
    let overrides = options.overrides;
    let impure = options.impure;
    let namespace = match &options.namespace {
        Some(ns) => quote!(::core::option::Option::Some(#ns)),
        None => quote!(::core::option::Option::None),
    };
    // The state type is written outside the module; the generated code lives inside it.
    let state_ty = options.state.clone().map(outer_relative);
    let mut generated = Vec::new();
    let mut entries = Vec::new();
    for b in &builtins {
        generated.push(builtin_items(b, &state_ty, &krate));
        let def_ident = def_ident(b);
        let global = b.global;
        entries.push(quote!((&#def_ident, #global)));
    }
    let mut values = Vec::new();
    for c in &constants {
        let name = &c.nix_name;
        let global = c.global;
        let ident = &c.ident;
        let doc = &c.doc;
        let maker = format_ident!("__nixie_const_{}", ident.unraw());
        generated.push(quote! {
            #[doc(hidden)]
            fn #maker() -> #krate::Value {
                #krate::IntoValue::into_value(#ident())
            }
        });
        values.push(quote!(#krate::builtins::PackValue {
            name: #name, global: #global, make: #maker, doc: #doc,
        }));
    }
    let state = match &state_ty {
        Some(ty) => {
            let shown = quote!(#ty).to_string().replace(' ', "");
            let shown = shown.strip_prefix("super::").unwrap_or(&shown).to_string();
            quote!(::core::option::Option::Some(#krate::builtins::PackState {
                type_id: || ::std::any::TypeId::of::<#ty>(),
                type_name: #shown,
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    let pack_doc = format!("The `{pack_name}` pack: the builtins defined in this module.");
    if !module.attrs.iter().any(|a| a.path().is_ident("doc")) {
        let module_doc = format!("The builtins of the `{pack_name}` pack.");
        module.attrs.push(syn::parse_quote!(#[doc = #module_doc]));
    }
    let (_, items) = module.content.as_mut().expect("the module is inline");
    let extra: syn::File = syn::parse2(quote! {
        #(#generated)*
        #[doc = #pack_doc]
        pub static PACK: #krate::builtins::Pack = #krate::builtins::Pack {
            name: #pack_name,
            namespace: #namespace,
            builtins: &[#(#entries),*],
            values: &[#(#values),*],
            overrides: #overrides,
            impure: #impure,
            state: #state,
        };
    })
    .expect("generated items parse");
    items.extend(extra.items);
    quote!(#module)
}

/// Rewrite a type path written outside the module so that it resolves inside it.
fn outer_relative(ty: syn::Type) -> syn::Type {
    match ty {
        syn::Type::Path(mut p) if p.qself.is_none() && p.path.leading_colon.is_none() => {
            let first = p.path.segments.first().map(|s| s.ident.to_string());
            if first.as_deref() != Some("crate") {
                let sup: syn::PathSegment = syn::parse_quote!(super);
                p.path.segments.insert(0, sup);
            }
            syn::Type::Path(p)
        }
        other => other,
    }
}

fn def_ident(b: &Builtin) -> syn::Ident {
    format_ident!("__NIXIE_DEF_{}", b.ident.unraw().to_string().to_uppercase())
}

/// The wrappers and the static definition of one builtin.
fn builtin_items(b: &Builtin, state_ty: &Option<syn::Type>, krate: &TokenStream) -> TokenStream {
    let base = b.ident.unraw();
    let fast = format_ident!("__nixie_fast_{}", base);
    let slow = format_ident!("__nixie_slow_{}", base);
    let def = def_ident(b);
    let name = &b.nix_name;
    let doc = &b.doc;
    let mut lazy_mask: u8 = 0;
    let mut param_names = Vec::new();
    let mut n = 0usize;
    for p in &b.params {
        if let ParamKind::Arg { lazy, name, .. } = p {
            if *lazy {
                lazy_mask |= 1 << n;
            }
            param_names.push(name.clone());
            n += 1;
        }
    }
    let arity = n as u8;
    let ret = &b.ret;
    // Spanned at the user's return type, so a type that is no builtin result is
    // reported there.
    let into_result =
        quote_spanned!(ret.span()=> <#ret as #krate::convert::BuiltinResult>::into_result);
    let into_returned =
        quote_spanned!(ret.span()=> <#ret as #krate::steps::SyncResult>::into_returned);
    let slow_fn = slow_wrapper(b, &slow, state_ty, krate, &into_result, &into_returned);
    // A plain builtin has a fast path and the generated suspending path; an async
    // one only the latter.
    let (fast_fn, func) = if b.is_async {
        (quote!(), quote!(#krate::builtins::BuiltinFn::Async(#slow)))
    } else {
        (
            fast_wrapper(b, &fast, state_ty, krate, &into_returned),
            quote!(#krate::builtins::BuiltinFn::Sync {
                fast: #fast,
                slow: ::core::option::Option::Some(#slow),
            }),
        )
    };
    quote! {
        #fast_fn
        #slow_fn
        #[doc(hidden)]
        static #def: #krate::builtins::BuiltinDef = #krate::builtins::BuiltinDef {
            name: #name,
            doc: #doc,
            params: &[#(#param_names),*],
            arity: #arity,
            lazy: #lazy_mask,
            func: #func,
        };
    }
}

/// A builtin's parameters lowered for one wrapper: the argument conversions, the
/// locals they bind, the arguments of the call, and the state fetch.
struct Lowered {
    convs: Vec<TokenStream>,
    locals: Vec<syn::Ident>,
    call_args: Vec<TokenStream>,
    state_fetch: TokenStream,
    /// Where the context goes among the call's arguments, if it is taken.
    ctx_at: Option<usize>,
}

/// Lower the parameters: `conv(ty, local, n)` is the statement converting Nix
/// argument `n` into `local`; `owner` (`__cx` or `__co`) fetches the state.
fn lower_params(
    b: &Builtin,
    state_ty: &Option<syn::Type>,
    owner: TokenStream,
    conv: impl Fn(&syn::Type, &syn::Ident, usize, Option<&syn::LitStr>) -> TokenStream,
) -> Lowered {
    let mut l = Lowered {
        convs: Vec::new(),
        locals: Vec::new(),
        call_args: Vec::new(),
        state_fetch: quote!(),
        ctx_at: None,
    };
    for p in &b.params {
        match p {
            ParamKind::Arg { ty, context, .. } => {
                let n = l.locals.len();
                let local = format_ident!("__p{}", n);
                l.convs.push(conv(ty, &local, n, context.as_ref()));
                l.call_args.push(quote!(#local));
                l.locals.push(local);
            }
            ParamKind::State => {
                let ty = state_ty
                    .as_ref()
                    .expect("the model checked the pack declares state");
                l.state_fetch = quote!(let __state = #owner.state::<#ty>()?;);
                l.call_args.push(quote!(__state.clone()));
            }
            ParamKind::Ctx => {
                l.ctx_at = Some(l.call_args.len());
                l.call_args.push(quote!(__cx));
            }
        }
    }
    l
}

/// The fast path of a plain builtin: convert each argument without running Nix
/// code (asking for unforced parts), then call the function.
fn fast_wrapper(
    b: &Builtin,
    fast: &syn::Ident,
    state_ty: &Option<syn::Type>,
    krate: &TokenStream,
    into_returned: &TokenStream,
) -> TokenStream {
    let ident = &b.ident;
    let name = &b.nix_name;
    let Lowered {
        convs,
        locals,
        call_args,
        state_fetch,
        ..
    } = lower_params(b, state_ty, quote!(__cx), |ty, local, n, context| {
        let conv = quote_spanned!(ty.span()=> <#ty as #krate::FromValue>::from_value);
        let converted = quote!(#conv(&__args[#n], __cx));
        let traced = trace_argument(krate, converted, n, name, context);
        quote! {
            let #local = #traced;
        }
    });
    let oks: Vec<_> = locals
        .iter()
        .map(|l| quote!(::core::result::Result::Ok(#l)))
        .collect();
    let errs: Vec<_> = locals.iter().map(|l| quote!(#l.err())).collect();
    quote! {
        #[doc(hidden)]
        fn #fast(
            __cx: &mut #krate::Ctx<'_>,
            __args: &[#krate::Value],
        ) -> ::core::result::Result<#krate::steps::Returned, #krate::Error> {
            #state_fetch
            #(#convs)*
            match (#(#locals,)*) {
                (#(#oks,)*) => #into_returned(#ident(#(#call_args),*)),
                (#(#locals,)*) => ::core::result::Result::Err(#krate::__private::first_failure([#(#errs),*])),
            }
        }
    }
}

/// The suspending path: convert each argument with `from_value_async`, then call
/// the async function (an async builtin, a plain builtin's `suspend = f`), or the
/// plain function itself.
fn slow_wrapper(
    b: &Builtin,
    slow: &syn::Ident,
    state_ty: &Option<syn::Type>,
    krate: &TokenStream,
    into_result: &TokenStream,
    into_returned: &TokenStream,
) -> TokenStream {
    let name = &b.nix_name;
    let Lowered {
        convs,
        locals,
        mut call_args,
        state_fetch,
        ctx_at,
    } = lower_params(b, state_ty, quote!(__co), |ty, local, n, context| {
        let slot = format_ident!("__a{}", n);
        let conv = quote_spanned!(ty.span()=> <#ty as #krate::FromValue>::from_value_async);
        let converted = quote!(#conv(#slot, &mut __co).await);
        let traced = trace_argument(krate, converted, n, name, context);
        quote! {
            let #local = #traced?;
        }
    });
    let slots: Vec<_> = (0..locals.len())
        .map(|n| format_ident!("__a{}", n))
        .collect();
    let ident = &b.ident;
    let call = if b.is_async {
        quote!(#into_result(#ident(&mut __co, #(#call_args),*).await))
    } else if let Some(target) = &b.suspend {
        // The suspending function takes `co` where the plain one takes the context.
        if let Some(i) = ctx_at {
            call_args.remove(i);
        }
        quote!(#krate::__private::async_result(#target(&mut __co, #(#call_args),*).await))
    } else if ctx_at.is_some() {
        quote!({
            let __r = __co.ctx(|__cx| #into_returned(#ident(#(#call_args),*)));
            #krate::__private::finish(&mut __co, __r).await
        })
    } else {
        quote!({
            let __r = #into_returned(#ident(#(#call_args),*));
            #krate::__private::finish(&mut __co, __r).await
        })
    };
    quote! {
        #[doc(hidden)]
        fn #slow(
            mut __co: #krate::Co,
            __args: #krate::builtins::Args,
        ) -> #krate::builtins::BuiltinFuture {
            let [#(#slots,)* ..] = __args;
            ::std::boxed::Box::pin(async move {
                #state_fetch
                #(#convs)*
                #call
            })
        }
    }
}

/// An argument's conversion with its trace line on failure: the `#[context]`
/// given, or "while evaluating the Nth argument passed to builtins.NAME".
fn trace_argument(
    krate: &TokenStream,
    converted: TokenStream,
    n: usize,
    name: &syn::LitStr,
    context: Option<&syn::LitStr>,
) -> TokenStream {
    match context {
        Some(what) => quote!(#krate::__private::argument_in(#converted, #what)),
        None => quote!(#krate::__private::argument(#converted, #n, #name)),
    }
}
