//! Codegen: wrappers that convert arguments and results, a static definition per
//! builtin, and the module's `PACK`.

use crate::model::{Builtin, Pack, ParamKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn generate(pack: Pack) -> TokenStream {
    let Pack {
        options,
        mut module,
        builtins,
        constants,
    } = pack;
    let krate = quote!(::nixie_eval);
    let pack_name = options
        .name
        .as_ref()
        .map(|n| n.value())
        .unwrap_or_else(|| module.ident.to_string());
    let overrides = options.overrides;
    // The state type is written outside the module; the generated code lives inside it.
    let state_ty = options.state.clone().map(outer_relative);
    let mut generated = Vec::new();
    let mut entries = Vec::new();
    for b in &builtins {
        let (wrapper, def) = builtin_items(b, &state_ty);
        generated.push(wrapper);
        generated.push(def);
        let def_ident = def_ident(b);
        let global = b.global;
        entries.push(quote!((&#def_ident, #global)));
    }
    let mut values = Vec::new();
    for c in &constants {
        let name = &c.nix_name;
        let global = c.global;
        let ident = &c.ident;
        let maker = format_ident!("__nixie_const_{}", ident);
        generated.push(quote! {
            #[doc(hidden)]
            fn #maker() -> #krate::value::Value {
                #krate::convert::IntoValue::into_value(#ident())
            }
        });
        values.push(
            quote!(#krate::builtins::PackValue { name: #name, global: #global, make: #maker }),
        );
    }
    let state = match &state_ty {
        Some(ty) => quote!(::core::option::Option::Some(#krate::builtins::PackState {
            type_id: || ::std::any::TypeId::of::<#ty>(),
            type_name: ::core::stringify!(#ty),
        })),
        None => quote!(::core::option::Option::None),
    };
    let pack_doc = format!("The `{pack_name}` pack: the builtins defined in this module.");
    let (_, items) = module.content.as_mut().expect("the module is inline");
    let extra: syn::File = syn::parse2(quote! {
        #(#generated)*
        #[doc = #pack_doc]
        pub static PACK: #krate::builtins::Pack = #krate::builtins::Pack {
            name: #pack_name,
            builtins: &[#(#entries),*],
            values: &[#(#values),*],
            overrides: #overrides,
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
    format_ident!("__NIXIE_DEF_{}", b.ident.to_string().to_uppercase())
}

fn builtin_items(b: &Builtin, state_ty: &Option<syn::Type>) -> (TokenStream, TokenStream) {
    let krate = quote!(::nixie_eval);
    let ident = &b.ident;
    let wrap = format_ident!("__nixie_wrap_{}", ident);
    let def = def_ident(b);
    let name = &b.nix_name;
    let doc = &b.doc;
    let mut lazy_mask: u8 = 0;
    let mut arg_slots = Vec::new();
    let mut conversions = Vec::new();
    let mut call_args = Vec::new();
    let mut needs_state = false;
    let mut n = 0usize;
    for (i, p) in b.params.iter().enumerate() {
        let local = format_ident!("__p{}", i);
        match p {
            ParamKind::Arg { ty, lazy } => {
                let slot = format_ident!("__a{}", n);
                if *lazy {
                    lazy_mask |= 1 << n;
                }
                arg_slots.push(slot.clone());
                conversions.push(quote! {
                    let #local: #ty = <#ty as #krate::convert::FromValue>::from_value(#slot)?;
                });
                n += 1;
            }
            ParamKind::State => {
                needs_state = true;
                conversions.push(quote! { let #local = __state?; });
            }
        }
        call_args.push(local);
    }
    let arity = n as u8;
    let state_fetch = match (needs_state, state_ty) {
        (true, Some(ty)) => quote! { let __state = vm.state::<#ty>(); },
        _ => quote! {},
    };
    let pattern = quote!(let [#(#arg_slots,)* ..] = args;);
    // Spanned at the user's `T`, so a missing `IntoValue` is reported there.
    let into_value = match &b.ok_type {
        Some(t) => {
            quote::quote_spanned!(syn::spanned::Spanned::span(t)=> <#t as #krate::convert::IntoValue>::into_value)
        }
        None => quote!(#krate::convert::IntoValue::into_value),
    };
    let (wrapper, func) = if b.is_async {
        (
            quote! {
                #[doc(hidden)]
                fn #wrap(
                    vm: &mut #krate::vm::Vm,
                    co: #krate::vm::GenCo,
                    args: #krate::builtins::Args,
                ) -> #krate::builtins::BuiltinFuture {
                    let _ = &vm;
                    #state_fetch
                    #pattern
                    ::std::boxed::Box::pin(async move {
                        #(#conversions)*
                        #ident(co, #(#call_args),*).await.map(|__v| #into_value(__v))
                    })
                }
            },
            quote!(#krate::builtins::BuiltinFn::Async(#wrap)),
        )
    } else {
        let vm_arg = if b.takes_vm { quote!(vm,) } else { quote!() };
        (
            quote! {
                #[doc(hidden)]
                fn #wrap(
                    vm: &mut #krate::vm::Vm,
                    args: #krate::builtins::Args,
                ) -> ::core::result::Result<#krate::value::Value, #krate::errors::ErrorKind> {
                    let _ = &vm;
                    #state_fetch
                    #pattern
                    #(#conversions)*
                    #ident(#vm_arg #(#call_args),*).map(|__v| #into_value(__v))
                }
            },
            quote!(#krate::builtins::BuiltinFn::Sync(#wrap)),
        )
    };
    let def_item = quote! {
        #[doc(hidden)]
        static #def: #krate::builtins::BuiltinDef = #krate::builtins::BuiltinDef {
            name: #name,
            doc: #doc,
            arity: #arity,
            lazy: #lazy_mask,
            func: #func,
        };
    };
    (wrapper, def_item)
}
