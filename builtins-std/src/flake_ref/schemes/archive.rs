//! The `github`, `gitlab` and `sourcehut` input schemes: `scheme:owner/repo`
//! with an optional branch, tag or commit, fetched as an archive.

use super::text;
use crate::flake_ref::error::{FlakeError, FlakeResult};
use crate::flake_ref::fetch_attrs::{
    attrs_to_json, get_nar_hash, get_rev, get_str, maybe_str, parse_sha1, FetchAttrs,
};
use crate::flake_ref::git_ref::{is_legal_ref_name, is_rev};
use crate::flake_ref::url::{nonempty_segments, ParsedUrl};
use nixie_eval::encoding::hex;

/// The attributes a repository-archive input may have.
pub const ATTRS: &[&str] = &[
    "owner",
    "repo",
    "ref",
    "rev",
    "narHash",
    "lastModified",
    "host",
    "treeHash",
];

/// Whether `s` is a host name as these schemes accept one (letters, digits, `.`, `-`).
fn is_host(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
}

/// The attributes of `scheme:owner/repo[/ref-or-rev]`, path part only.
fn path_attrs(url: &ParsedUrl) -> FlakeResult<FetchAttrs> {
    let path = nonempty_segments(&url.path);
    let mut attrs = FetchAttrs::new();
    match path.len() {
        0 | 1 => return Err(FlakeError::bad_url(format!("URL '{url}' is invalid"))),
        2 => {}
        3 if is_rev(&path[2]) => {
            attrs.insert("rev".into(), text(&path[2]));
        }
        _ => {
            attrs.insert("ref".into(), text(path[2..].join("/")));
        }
    }
    attrs.insert("owner".into(), text(&path[0]));
    attrs.insert("repo".into(), text(&path[1]));
    Ok(attrs)
}

/// A `github:`, `gitlab:` or `sourcehut:` URL as an input.
pub fn from_url(scheme: &str, url: &ParsedUrl) -> FlakeResult<Option<FetchAttrs>> {
    if url.scheme != scheme {
        return Ok(None);
    }
    let mut attrs = path_attrs(url)?;
    for (name, value) in &url.query {
        let dup = match name.as_str() {
            "rev" => "commit hashes",
            "ref" => "branch/tag names",
            "host" | "narHash" => "",
            _ => {
                return Err(FlakeError::bad_url(format!(
                    "URL '{url}' contains unknown parameter '{name}'"
                )))
            }
        };
        if !dup.is_empty() && attrs.contains_key(name) {
            return Err(FlakeError::bad_url(format!(
                "URL '{url}' contains multiple {dup}"
            )));
        }
        attrs.insert(name.clone(), text(value));
    }
    attrs.insert("type".into(), text(scheme));
    from_attrs(attrs).map(Some)
}

/// Check the attributes of a repository-archive input.
pub fn from_attrs(attrs: FetchAttrs) -> FlakeResult<FetchAttrs> {
    get_str(&attrs, "owner")?;
    get_str(&attrs, "repo")?;
    let r = maybe_str(&attrs, "ref")?;
    let rev = maybe_str(&attrs, "rev")?;
    let json = || attrs_to_json(&attrs);
    if let (Some(r), Some(rev)) = (&r, &rev) {
        return Err(FlakeError::bad_url(format!(
            "input {} contains both a commit hash ('{rev}') and a branch/tag name ('{r}')",
            json()
        )));
    }
    if let Some(rev) = &rev {
        parse_sha1(rev)?;
    }
    if r.is_some_and(|r| !is_legal_ref_name(&r)) {
        return Err(FlakeError::bad_url(format!(
            "input {} contains an invalid branch/tag name",
            json()
        )));
    }
    if maybe_str(&attrs, "host")?.is_some_and(|h| !is_host(&h)) {
        return Err(FlakeError::bad_url(format!(
            "input {} contains an invalid instance host",
            json()
        )));
    }
    Ok(attrs)
}

/// The `scheme:owner/repo[/ref-or-rev]` URL of a repository-archive input.
pub fn to_url(scheme: &str, attrs: &FetchAttrs) -> FlakeResult<ParsedUrl> {
    let mut path = vec![get_str(attrs, "owner")?, get_str(attrs, "repo")?];
    if let Some(r) = maybe_str(attrs, "ref")? {
        path.push(r);
    }
    if let Some(rev) = get_rev(attrs)? {
        path.push(hex(&rev.digest));
    }
    let mut url = ParsedUrl {
        scheme: scheme.into(),
        path,
        ..ParsedUrl::default()
    };
    if let Some(h) = get_nar_hash(attrs)? {
        url.query.insert("narHash".into(), h);
    }
    if let Some(host) = maybe_str(attrs, "host")? {
        url.query.insert("host".into(), host);
    }
    Ok(url)
}
