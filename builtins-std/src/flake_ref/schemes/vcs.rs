//! The `git` and `hg` input schemes: a repository location in `url`, with the
//! revision and fetch options in the query of their flake URLs.

use super::text;
use crate::flake_ref::error::{FlakeError, FlakeResult, Warnings};
use crate::flake_ref::fetch_attrs::{
    flag, get_rev, get_str, git_rev, maybe_bool, maybe_str, Attr, FetchAttrs,
};
use crate::flake_ref::git_ref::{is_legal_ref_name, matches_ref_regex};
use crate::flake_ref::git_url::fix_git_url;
use crate::flake_ref::url::{parse_url, parse_url_scheme, ParsedUrl};

/// The attributes a `git` input may have.
pub const GIT_ATTRS: &[&str] = &[
    "url",
    "ref",
    "rev",
    "shallow",
    "submodules",
    "lfs",
    "exportIgnore",
    "lastModified",
    "revCount",
    "narHash",
    "allRefs",
    "name",
    "dirtyRev",
    "dirtyShortRev",
    "verifyCommit",
    "keytype",
    "publicKey",
    "publicKeys",
];

/// The attributes an `hg` input may have.
pub const HG_ATTRS: &[&str] = &["url", "ref", "rev", "revCount", "narHash", "name"];

/// Query parameters of a Git flake URL kept as strings.
const GIT_STRING_PARAMS: [&str; 5] = ["rev", "ref", "keytype", "publicKey", "publicKeys"];

/// Query parameters of a Git flake URL read as Booleans (`1` is true).
const GIT_BOOL_PARAMS: [&str; 6] = [
    "shallow",
    "submodules",
    "lfs",
    "exportIgnore",
    "allRefs",
    "verifyCommit",
];

/// Attributes that need Nix's `verified-fetches` experimental feature.
const VERIFIED_FETCH_ATTRS: [&str; 4] = ["verifyCommit", "keytype", "publicKey", "publicKeys"];

/// A `git+…:` or `git:` URL as an input: known query parameters become
/// attributes, the rest stay in `url`.
pub fn git_from_url(url: &ParsedUrl, w: &mut Warnings) -> FlakeResult<Option<FetchAttrs>> {
    if url.scheme != "git" && parse_url_scheme(&url.scheme).0 != Some("git") {
        return Ok(None);
    }
    let mut location = url.clone();
    location.query.clear();
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), text("git"));
    for (name, value) in &url.query {
        if GIT_STRING_PARAMS.contains(&name.as_str()) {
            attrs.insert(name.clone(), text(value));
        } else if GIT_BOOL_PARAMS.contains(&name.as_str()) {
            attrs.insert(name.clone(), Attr::Bool(value == "1"));
        } else {
            location.query.insert(name.clone(), value.clone());
        }
    }
    attrs.insert("url".into(), text(location.to_string()));
    git_from_attrs(attrs, w).map(Some)
}

/// Check a Git input's attributes and normalise its `url` (SCP-like locations
/// and absolute paths become URLs, a `git+` prefix is dropped).
pub fn git_from_attrs(mut attrs: FetchAttrs, w: &mut Warnings) -> FlakeResult<FetchAttrs> {
    if attrs
        .keys()
        .any(|k| VERIFIED_FETCH_ATTRS.contains(&k.as_str()))
    {
        return Err(FlakeError::other(
            "experimental Nix feature 'verified-fetches' is disabled; add '--extra-experimental-features verified-fetches' to enable it",
        ));
    }
    maybe_bool(&attrs, "verifyCommit")?;
    if let Some(r) = maybe_str(&attrs, "ref")? {
        if !is_legal_ref_name(&r) {
            return Err(FlakeError::bad_url(format!(
                "invalid Git branch/tag name '{r}'"
            )));
        }
    }
    let location = fix_git_url(&get_str(&attrs, "url")?, w)?;
    attrs.insert("url".into(), text(location.to_string()));
    for name in ["shallow", "submodules", "allRefs"] {
        flag(&attrs, name)?;
    }
    Ok(attrs)
}

/// The `git+…:` URL of a Git input.
pub fn git_to_url(attrs: &FetchAttrs, w: &mut Warnings) -> FlakeResult<ParsedUrl> {
    let mut url = parse_url(&get_str(attrs, "url")?, false, w)?;
    if url.scheme != "git" {
        url.scheme = format!("git+{}", url.scheme);
    }
    if let Some(rev) = get_rev(attrs)? {
        url.query.insert("rev".into(), git_rev(&rev));
    }
    if let Some(r) = maybe_str(attrs, "ref")? {
        url.query.insert("ref".into(), r);
    }
    for name in [
        "shallow",
        "lfs",
        "submodules",
        "exportIgnore",
        "verifyCommit",
    ] {
        if flag(attrs, name)? {
            url.query.insert(name.into(), "1".into());
        }
    }
    Ok(url)
}

/// An `hg+…:` URL as an input: `rev` and `ref` become attributes.
pub fn hg_from_url(url: &ParsedUrl, w: &mut Warnings) -> FlakeResult<Option<FetchAttrs>> {
    let Some(transport) = url.scheme.strip_prefix("hg+") else {
        return Ok(None);
    };
    if !["http", "https", "ssh", "file"].contains(&transport) {
        return Ok(None);
    }
    let mut location = url.clone();
    location.scheme = transport.to_string();
    location.query.clear();
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), text("hg"));
    for (name, value) in &url.query {
        if name == "rev" || name == "ref" {
            attrs.insert(name.clone(), text(value));
        } else {
            location.query.insert(name.clone(), value.clone());
        }
    }
    attrs.insert("url".into(), text(location.to_string()));
    hg_from_attrs(attrs, w).map(Some)
}

/// Check a Mercurial input's `url` and `ref`.
pub fn hg_from_attrs(attrs: FetchAttrs, w: &mut Warnings) -> FlakeResult<FetchAttrs> {
    parse_url(&get_str(&attrs, "url")?, false, w)?;
    if let Some(r) = maybe_str(&attrs, "ref")? {
        if !matches_ref_regex(&r) {
            return Err(FlakeError::bad_url(format!(
                "invalid Mercurial branch/tag name '{r}'"
            )));
        }
    }
    Ok(attrs)
}

/// The `hg+…:` URL of a Mercurial input.
pub fn hg_to_url(attrs: &FetchAttrs, w: &mut Warnings) -> FlakeResult<ParsedUrl> {
    let mut url = parse_url(&get_str(attrs, "url")?, false, w)?;
    url.scheme = format!("hg+{}", url.scheme);
    if let Some(rev) = get_rev(attrs)? {
        url.query.insert("rev".into(), git_rev(&rev));
    }
    if let Some(r) = maybe_str(attrs, "ref")? {
        url.query.insert("ref".into(), r);
    }
    Ok(url)
}
