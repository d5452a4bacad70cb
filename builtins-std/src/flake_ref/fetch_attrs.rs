//! The attributes of a fetcher input (`type`, `url`, `rev`, …): strings,
//! unsigned integers and Booleans, with the accessors and error messages of
//! current Nix.

use super::error::{FlakeError, FlakeResult};
use super::url::Query;
use nixie_eval::encoding::{base64, base64_decode};
use nixie_eval::hash::Hash;
use std::collections::BTreeMap;

/// One input attribute's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attr {
    /// A string.
    Str(String),
    /// An unsigned integer.
    Int(u64),
    /// A Boolean.
    Bool(bool),
}

/// Input attributes by name, sorted.
pub type FetchAttrs = BTreeMap<String, Attr>;

/// A string as a JSON string literal (the one JSON string writer, `toJSON`'s).
fn json_string(s: &str, out: &mut String) {
    let mut buf = Vec::with_capacity(s.len() + 2);
    // A `&str` is UTF-8, the writer's only failure.
    crate::json::write::string(&mut buf, s.as_bytes()).expect("a &str is valid UTF-8");
    out.push_str(&String::from_utf8_lossy(&buf));
}

/// The attributes as compact JSON (as they appear in Nix's error messages).
pub fn attrs_to_json(attrs: &FetchAttrs) -> String {
    if attrs.is_empty() {
        return "null".into();
    }
    let mut out = String::from("{");
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(k, &mut out);
        out.push(':');
        match v {
            Attr::Str(s) => json_string(s, &mut out),
            Attr::Int(n) => out.push_str(&n.to_string()),
            Attr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        }
    }
    out.push('}');
    out
}

/// The string attribute `name`, if present; an error if it is not a string.
pub fn maybe_str(attrs: &FetchAttrs, name: &str) -> FlakeResult<Option<String>> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Attr::Str(s)) => Ok(Some(s.clone())),
        Some(_) => Err(FlakeError::other(format!(
            "input attribute '{name}' is not a string {}",
            attrs_to_json(attrs)
        ))),
    }
}

/// Nix's error for a required attribute that is missing.
fn missing(name: &str) -> FlakeError {
    FlakeError::other(format!("input attribute '{name}' is missing"))
}

/// The string attribute `name`, which must be present.
pub fn get_str(attrs: &FetchAttrs, name: &str) -> FlakeResult<String> {
    maybe_str(attrs, name)?.ok_or_else(|| missing(name))
}

/// The integer attribute `name`, if present; an error if it is not an integer.
pub fn maybe_int(attrs: &FetchAttrs, name: &str) -> FlakeResult<Option<u64>> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Attr::Int(n)) => Ok(Some(*n)),
        Some(_) => Err(FlakeError::other(format!(
            "input attribute '{name}' is not an integer"
        ))),
    }
}

/// The Boolean attribute `name`, if present; an error if it is not a Boolean.
pub fn maybe_bool(attrs: &FetchAttrs, name: &str) -> FlakeResult<Option<bool>> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Attr::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(FlakeError::other(format!(
            "input attribute '{name}' is not a Boolean"
        ))),
    }
}

/// Whether the Boolean attribute `name` is present and true.
pub fn flag(attrs: &FetchAttrs, name: &str) -> FlakeResult<bool> {
    Ok(maybe_bool(attrs, name)?.unwrap_or(false))
}

/// Every attribute as a query parameter (integers in decimal, Booleans as
/// `1`/`0`).
pub fn attrs_to_query(attrs: &FetchAttrs) -> Query {
    attrs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => s.clone(),
                Attr::Int(n) => n.to_string(),
                Attr::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// A decimal unsigned integer as Nix reads query parameters: an optional `+`
/// then digits, without overflow.
pub fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A hash in any form, read as a SHA-1 commit hash unless it names its algorithm.
pub fn parse_sha1(s: &str) -> FlakeResult<Hash> {
    Ok(Hash::parse_any(s, Some("sha1"))?)
}

/// The `rev` attribute as a hash: a prefixed hash (`sha256:…`, `sha1-…`) if it
/// has a known algorithm prefix, otherwise SHA-1 in any encoding.
pub fn get_rev(attrs: &FetchAttrs) -> FlakeResult<Option<Hash>> {
    let Some(s) = maybe_str(attrs, "rev")? else {
        return Ok(None);
    };
    let prefix = s.split_once(':').or_else(|| s.split_once('-'));
    if let Some((algo, _)) = prefix {
        nixie_eval::hash::parse_algo(algo)?;
        if let Ok(h) = Hash::parse_any(&s, None) {
            return Ok(Some(h));
        }
    }
    parse_sha1(&s).map(Some)
}

/// The hash in lower-case hexadecimal, as Git writes commit hashes.
pub fn git_rev(h: &Hash) -> String {
    nixie_eval::encoding::hex(&h.digest)
}

/// The digest sizes of the algorithms Nix knows.
fn digest_size(algo: &str) -> usize {
    match algo {
        "md5" => 16,
        "sha1" => 20,
        "sha512" => 64,
        _ => 32,
    }
}

/// The `narHash` attribute, which must be an SHA-256 SRI hash (empty means the
/// all-zero hash), written back in SRI form.
pub fn get_nar_hash(attrs: &FetchAttrs) -> FlakeResult<Option<String>> {
    let Some(s) = maybe_str(attrs, "narHash")? else {
        return Ok(None);
    };
    let (algo, digest) = if s.is_empty() {
        ("sha256", vec![0; 32])
    } else {
        let Some((algo, rest)) = s.split_once('-') else {
            return Err(FlakeError::other(format!("hash '{s}' is not SRI")));
        };
        let algo = nixie_eval::hash::parse_algo(algo)?;
        let digest = base64_decode(rest).unwrap_or_default();
        if digest.len() != digest_size(algo) {
            return Err(FlakeError::other(format!(
                "invalid SRI hash '{rest}', length {} != expected length {}",
                digest.len(),
                digest_size(algo)
            )));
        }
        (algo, digest)
    };
    if algo != "sha256" {
        return Err(FlakeError::other("narHash must use SHA-256"));
    }
    Ok(Some(format!("sha256-{}", base64(&digest))))
}

/// Check the attributes every input must have well-typed: `type`, `ref`,
/// `revCount` and `lastModified`.
pub fn check_common(attrs: &FetchAttrs) -> FlakeResult<()> {
    get_str(attrs, "type")?;
    maybe_str(attrs, "ref")?;
    maybe_int(attrs, "revCount")?;
    maybe_int(attrs, "lastModified")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_accessors() {
        let mut a = FetchAttrs::new();
        a.insert("type".into(), Attr::Str("git\n\"x\"".into()));
        a.insert("n".into(), Attr::Int(3));
        a.insert("b".into(), Attr::Bool(true));
        assert_eq!(attrs_to_json(&a), r#"{"b":true,"n":3,"type":"git\n\"x\""}"#);
        assert_eq!(
            maybe_str(&a, "n").unwrap_err().message(),
            r#"input attribute 'n' is not a string {"b":true,"n":3,"type":"git\n\"x\""}"#
        );
        assert_eq!(
            maybe_int(&a, "b").unwrap_err().message(),
            "input attribute 'b' is not an integer"
        );
        assert_eq!(
            get_str(&a, "url").unwrap_err().message(),
            "input attribute 'url' is missing"
        );
        assert_eq!(attrs_to_query(&a).get("b").map(String::as_str), Some("1"));
    }

    #[test]
    fn numbers_and_hashes() {
        assert_eq!(parse_u64("+12"), Some(12));
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("18446744073709551616"), None);
        let mut a = FetchAttrs::new();
        a.insert("rev".into(), Attr::Str("A".repeat(40)));
        assert_eq!(git_rev(&get_rev(&a).unwrap().unwrap()), "a".repeat(40));
        a.insert("narHash".into(), Attr::Str(String::new()));
        assert_eq!(
            get_nar_hash(&a).unwrap().unwrap(),
            "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        );
    }
}
