//! `#[derive(FromAttrs)]`: a struct that describes an attribute-set argument.
//!
//! Fields are read in declaration order. A field of type `Option<T>` may be
//! absent (or `null`); `#[nix(default)]` / `#[nix(default = "expr")]` give a
//! value when absent; `#[nix(rename = "outputHash")]` reads another name. On the
//! struct: `#[nix(allow_unknown)]`, `#[nix(missing = "…{name}…")]`,
//! `#[nix(unknown = "…{name}…")]` (the error messages), `#[nix(crate = path)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr, Type};

enum Absent {
    Required,
    Optional,
    UseDefault,
    Expr(syn::Expr),
}

struct Field {
    ident: syn::Ident,
    ty: Type,
    name: String,
    default: Absent,
}

struct Options {
    allow_unknown: bool,
    missing: String,
    unknown: String,
    krate: TokenStream,
}

pub fn derive(input: DeriveInput) -> syn::Result<TokenStream> {
    let opts = struct_options(&input)?;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "FromAttrs describes an attribute set: derive it on a struct with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            data.fields.span(),
            "FromAttrs needs named fields: one per attribute",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "FromAttrs cannot be derived for a generic struct",
        ));
    }
    let mut fields = Vec::new();
    for f in &named.named {
        fields.push(field(f)?);
    }
    Ok(generate(&input.ident, &fields, &opts))
}

fn lit_str(e: &syn::Expr, what: &str) -> syn::Result<LitStr> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!("{what} must be a string literal"),
        )),
    }
}

fn struct_options(input: &DeriveInput) -> syn::Result<Options> {
    let mut o = Options {
        allow_unknown: false,
        missing: "attribute '{name}' missing".into(),
        unknown: "unexpected attribute '{name}'".into(),
        krate: quote!(::nixie_eval),
    };
    for a in input.attrs.iter().filter(|a| a.path().is_ident("nix")) {
        a.parse_nested_meta(|m| {
            if m.path.is_ident("allow_unknown") {
                o.allow_unknown = true;
            } else if m.path.is_ident("missing") {
                o.missing = lit_str(&m.value()?.parse()?, "`missing`")?.value();
            } else if m.path.is_ident("unknown") {
                o.unknown = lit_str(&m.value()?.parse()?, "`unknown`")?.value();
            } else if m.path.is_ident("crate") {
                let p: syn::Path = m.value()?.parse()?;
                o.krate = quote!(#p);
            } else {
                return Err(m.error(
                    "unknown #[nix] option on the struct; expected `allow_unknown`, `missing = \"…\"`, `unknown = \"…\"` or `crate = path`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(o)
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn field(f: &syn::Field) -> syn::Result<Field> {
    let ident = f.ident.clone().expect("named fields have names");
    let mut name = syn::ext::IdentExt::unraw(&ident).to_string();
    let mut default = if is_option(&f.ty) {
        Absent::Optional
    } else {
        Absent::Required
    };
    for a in f.attrs.iter().filter(|a| a.path().is_ident("nix")) {
        a.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                name = lit_str(&m.value()?.parse()?, "`rename`")?.value();
            } else if m.path.is_ident("default") {
                if m.input.peek(syn::Token![=]) {
                    let s = lit_str(&m.value()?.parse()?, "`default`")?;
                    default = Absent::Expr(s.parse()?);
                } else {
                    default = Absent::UseDefault;
                }
            } else {
                return Err(m.error(
                    "unknown #[nix] option on a field; expected `rename = \"name\"`, `default` or `default = \"expr\"`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(Field {
        ident,
        ty: f.ty.clone(),
        name,
        default,
    })
}

fn generate(ty: &syn::Ident, fields: &[Field], o: &Options) -> TokenStream {
    let krate = &o.krate;
    let support = quote!(#krate::convert::attrs_support);
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let unknown_msg = &o.unknown;
    let missing_msg = &o.missing;
    let unknown_check = if o.allow_unknown {
        quote!()
    } else {
        quote! {
            if let ::core::option::Option::Some(k) = #support::unknown(&__set, &[#(#names),*]) {
                return ::core::result::Result::Err(#support::message(#unknown_msg, &k.to_str_lossy()));
            }
        }
    };
    let mut reads = Vec::new();
    let mut reads_async = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let (ident, fty, name) = (&f.ident, &f.ty, &f.name);
        let conv = quote_spanned!(fty.span()=> #support::field::<#fty>);
        let conv_async = quote_spanned!(fty.span()=> #support::field_async::<#fty>);
        let missing = quote! {
            return ::core::result::Result::Err(#support::message(#missing_msg, #name))
        };
        let (check, check_async, value) = match &f.default {
            Absent::Required => (
                quote! {
                    if #ident.is_none() && !__blocked && !__set.contains(#name.as_bytes()) { #missing }
                },
                quote! { if #ident.is_none() { #missing } },
                quote!(#ident.expect("a required attribute was checked present")),
            ),
            Absent::Optional => (quote!(), quote!(), quote!(#ident.flatten())),
            Absent::UseDefault => (quote!(), quote!(), quote!(#ident.unwrap_or_default())),
            Absent::Expr(e) => (quote!(), quote!(), quote!(#ident.unwrap_or_else(|| #e))),
        };
        reads.push(quote! {
            let #ident = #conv(&__set, #name, __cx, &mut __blocked)?;
            #check
        });
        reads_async.push(quote! {
            let #ident = #conv_async(&__set, #name, __co).await?;
            #check_async
        });
        inits.push(quote!(#ident: #value));
    }
    quote! {
        impl #krate::FromValue for #ty {
            fn from_value(
                __v: &#krate::Value,
                __cx: &mut #krate::Ctx<'_>,
            ) -> ::core::result::Result<Self, #krate::Error> {
                let __set = #support::set_of(__v, __cx)?;
                #unknown_check
                let mut __blocked = false;
                #(#reads)*
                if __blocked {
                    return ::core::result::Result::Err(#support::blocked());
                }
                ::core::result::Result::Ok(#ty { #(#inits),* })
            }

            async fn from_value_async(
                __v: #krate::Value,
                __co: &mut #krate::Co,
            ) -> ::core::result::Result<Self, #krate::Error> {
                let __set: #krate::value::Attrs = __co.force_to(__v).await?;
                #unknown_check
                #(#reads_async)*
                ::core::result::Result::Ok(#ty { #(#inits),* })
            }
        }
    }
}
