//! Flake references: `parseFlakeRef` and `flakeRefToString`, converting
//! between a flake reference's URL form (`github:NixOS/nixpkgs/23.05?dir=lib`)
//! and its attribute-set form, as current Nix's fetchers read and write them.
//! Everything is syntactic: no file system or network access.

use nixie_eval::builtins;

pub mod error;
pub mod fetch_attrs;
pub mod git_ref;
pub mod git_url;
pub mod ip;
pub mod parse;
pub mod schemes;
pub mod url;

use error::{FlakeError, Warnings};
use fetch_attrs::{Attr, FetchAttrs};
use nixie_eval::prelude::*;

/// Print the gathered warnings as Nix does (`warning: …`).
fn emit(cx: &mut Ctx<'_>, warnings: &Warnings) {
    for w in warnings {
        cx.warn(&format!("warning: {w}\n"));
    }
}

/// A flake reference error as an evaluation error.
fn to_error(e: FlakeError) -> Error {
    Error::msg(e.message())
}

/// Input attributes as a Nix attribute set (integers as Nix integers).
fn attrs_to_nix(attrs: FetchAttrs) -> Attrs {
    let out = attrs
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => Value::string(s),
                Attr::Int(n) => Value::Int(n as i64),
                Attr::Bool(b) => Value::Bool(b),
            };
            (NixString::from(k.as_str()), v)
        })
        .collect();
    Attrs::from_sorted(out)
}

/// One forced attribute value of a flake reference set as an input attribute,
/// or Nix's error for a negative integer or another type.
fn nix_to_attr(name: &str, v: &Value) -> Result<Attr, Error> {
    match v {
        Value::Int(n) if *n < 0 => Err(Error::msg(format!(
            "negative value given for flake ref attr {name}: {n}"
        ))),
        Value::Int(n) => Ok(Attr::Int(*n as u64)),
        Value::Bool(b) => Ok(Attr::Bool(*b)),
        Value::String(s) => Ok(Attr::Str(s.to_str_lossy().into_owned())),
        other => Err(Error::msg(format!(
            "flake reference attribute sets may only contain integers, Booleans, and strings, but attribute '{name}' is {}",
            other.type_description()
        ))),
    }
}

#[builtins(name = "flakeRefs")]
pub mod defs {
    use super::parse::{parse_flake_ref, FlakeRef};
    use super::{attrs_to_nix, emit, nix_to_attr, to_error, FetchAttrs};
    use nixie_eval::prelude::*;

    /// `parseFlakeRef ref`: the attribute-set form of a flake reference string,
    /// e.g. `"github:NixOS/nixpkgs/23.05?dir=lib"` gives
    /// `{ dir = "lib"; owner = "NixOS"; ref = "23.05"; repo = "nixpkgs"; type = "github"; }`.
    /// Relative paths are rejected, since no base directory is known.
    #[builtin("parseFlakeRef")]
    fn parse_flake_ref_builtin(cx: &mut Ctx, flake_ref: NixString) -> Result<Attrs, Error> {
        flake_ref.require_no_context()?;
        let mut warnings = Vec::new();
        let parsed = parse_flake_ref(&flake_ref.to_str_lossy(), &mut warnings);
        emit(cx, &warnings);
        Ok(attrs_to_nix(parsed.map_err(to_error)?.to_attrs()))
    }

    /// `flakeRefToString attrs`: the URL form of a flake reference given as an
    /// attribute set of strings, Booleans and non-negative integers, e.g.
    /// `{ type = "github"; owner = "NixOS"; repo = "nixpkgs"; }` gives
    /// `"github:NixOS/nixpkgs"`.
    #[builtin("flakeRefToString")]
    async fn flake_ref_to_string(co: &mut Co, attrs: Attrs) -> Result<String, Error> {
        let mut fetch = FetchAttrs::new();
        for (name, v) in attrs.iter() {
            let v = co.force(v.clone()).await;
            let name = name.to_str_lossy().into_owned();
            let attr = nix_to_attr(&name, &v)?;
            fetch.insert(name, attr);
        }
        let mut warnings = Vec::new();
        let url =
            FlakeRef::from_attrs(fetch, &mut warnings).and_then(|r| r.to_url_string(&mut warnings));
        co.ctx(|cx| emit(cx, &warnings));
        url.map_err(to_error)
    }
}

pub use defs::PACK;
