//! Parse: the attribute arguments and the module's items into raw, unchecked data.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, Item, ItemFn, LitStr, Meta};

/// Options given to `#[builtins(...)]`.
pub struct PackOptions {
    pub name: Option<LitStr>,
    pub state: Option<syn::Type>,
    pub overrides: bool,
    pub impure: bool,
    /// `builtins.NS.name` instead of `builtins.name`.
    pub namespace: Option<LitStr>,
    /// The path of `nixie_eval` (for crates that re-export it).
    pub krate: Option<syn::Path>,
}

/// What a function inside the module was marked as.
pub enum Marker {
    Builtin,
    Constant,
}

/// A marked function before checking.
pub struct RawFn {
    pub marker: Marker,
    /// The attribute itself (for spans).
    pub attr: Attribute,
    pub func: ItemFn,
}

/// The parsed module.
pub struct RawModule {
    pub options: PackOptions,
    pub module: syn::ItemMod,
    pub fns: Vec<RawFn>,
}

pub fn parse(attr: TokenStream, item: TokenStream) -> syn::Result<RawModule> {
    let options = parse_options(attr)?;
    let item: Item = syn::parse2(item.clone()).map_err(|_| {
        syn::Error::new(
            Span::call_site(),
            "#[builtins] must be placed on an inline module: `#[builtins] mod name { ... }`",
        )
    })?;
    let Item::Mod(mut module) = item else {
        return Err(syn::Error::new(
            item.span(),
            "#[builtins] must be placed on an inline module: `#[builtins] mod name { ... }`",
        ));
    };
    let Some((_, items)) = module.content.as_mut() else {
        return Err(syn::Error::new(
            module.span(),
            "#[builtins] needs the module's body inline: `mod name { ... }`, not `mod name;`",
        ));
    };
    let mut fns = Vec::new();
    let mut kept = Vec::new();
    for it in std::mem::take(items) {
        match it {
            Item::Fn(f) => {
                let marker = f
                    .attrs
                    .iter()
                    .position(|a| a.path().is_ident("builtin") || a.path().is_ident("constant"));
                match marker {
                    Some(i) => {
                        let mut f = f;
                        let attr = f.attrs.remove(i);
                        let marker = if attr.path().is_ident("builtin") {
                            Marker::Builtin
                        } else {
                            Marker::Constant
                        };
                        fns.push(RawFn {
                            marker,
                            attr,
                            func: f,
                        });
                    }
                    None => kept.push(Item::Fn(f)),
                }
            }
            other => kept.push(other),
        }
    }
    *items = kept;
    Ok(RawModule {
        options,
        module,
        fns,
    })
}

fn parse_options(attr: TokenStream) -> syn::Result<PackOptions> {
    let mut opts = PackOptions {
        name: None,
        state: None,
        overrides: false,
        impure: false,
        namespace: None,
        krate: None,
    };
    let metas =
        syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated.parse2(attr)?;
    for m in metas {
        match &m {
            Meta::NameValue(nv) if nv.path.is_ident("name") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => opts.name = Some(s.clone()),
                other => {
                    return Err(syn::Error::new(
                        other.span(),
                        "the pack name must be a string literal: #[builtins(name = \"my-pack\")]",
                    ))
                }
            },
            Meta::NameValue(nv) if nv.path.is_ident("state") => {
                let ty: syn::Type = match &nv.value {
                    syn::Expr::Path(p) => syn::Type::Path(syn::TypePath { qself: None, path: p.path.clone() }),
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            "the state must be a type: #[builtins(state = MyState)]",
                        ))
                    }
                };
                opts.state = Some(ty);
            }
            Meta::NameValue(nv) if nv.path.is_ident("namespace") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if !s.value().is_empty() => {
                    opts.namespace = Some(s.clone())
                }
                other => {
                    return Err(syn::Error::new(
                        other.span(),
                        "the namespace must be a non-empty string literal: #[builtins(namespace = \"probe\")]",
                    ))
                }
            },
            Meta::NameValue(nv) if nv.path.is_ident("crate") => match &nv.value {
                syn::Expr::Path(p) => opts.krate = Some(p.path.clone()),
                other => {
                    return Err(syn::Error::new(
                        other.span(),
                        "`crate` takes the path nixie_eval is reachable at: #[builtins(crate = my_crate::nixie)]",
                    ))
                }
            },
            Meta::Path(p) if p.is_ident("overrides") => opts.overrides = true,
            Meta::Path(p) if p.is_ident("impure") => opts.impure = true,
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "unknown #[builtins] option; expected `name = \"...\"`, `state = Type`, `namespace = \"...\"`, `crate = path`, `overrides` or `impure`",
                ))
            }
        }
    }
    Ok(opts)
}
