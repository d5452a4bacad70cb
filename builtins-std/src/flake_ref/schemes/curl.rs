//! The `tarball` and `file` input schemes: an archive or a single file at an
//! `http`, `https` or `file` URL.

use super::text;
use crate::flake_ref::error::{FlakeResult, Warnings};
use crate::flake_ref::fetch_attrs::{get_nar_hash, get_str, parse_u64, Attr, FetchAttrs};
use crate::flake_ref::url::{parse_url, parse_url_scheme, ParsedUrl};

/// The attributes a `tarball` or `file` input may have; these are also the
/// query parameters taken out of its URL.
pub const ATTRS: &[&str] = &[
    "url",
    "narHash",
    "name",
    "unpack",
    "rev",
    "revCount",
    "lastModified",
];

/// Whether `url` is for the scheme `name`. Flake references always want a file
/// tree, so a plain `http(s):`/`file:` URL is a tarball, and a single file needs
/// an explicit `file+` prefix.
fn is_for(name: &str, url: &ParsedUrl) -> bool {
    let (app, transport) = parse_url_scheme(&url.scheme);
    ["file", "http", "https"].contains(&transport)
        && match app {
            Some(app) => app == name,
            None => name == "tarball",
        }
}

/// An archive or file URL as an input: Nix's own query parameters become
/// attributes and leave the URL.
pub fn from_url(name: &str, url: &ParsedUrl) -> Option<FetchAttrs> {
    if !is_for(name, url) {
        return None;
    }
    let mut location = url.clone();
    location.scheme = parse_url_scheme(&url.scheme).1.to_string();
    let mut attrs = FetchAttrs::new();
    for key in ["narHash", "rev"] {
        if let Some(v) = url.query.get(key) {
            attrs.insert(key.into(), text(v));
        }
    }
    for key in ["revCount", "lastModified"] {
        if let Some(n) = url.query.get(key).and_then(|v| parse_u64(v)) {
            attrs.insert(key.into(), Attr::Int(n));
        }
    }
    for key in ATTRS {
        location.query.remove(*key);
    }
    attrs.insert("type".into(), text(name));
    attrs.insert("url".into(), text(location.to_string()));
    Some(attrs)
}

/// The URL of an archive or file input: its `url`, with its `narHash`.
pub fn to_url(attrs: &FetchAttrs, w: &mut Warnings) -> FlakeResult<ParsedUrl> {
    let mut url = parse_url(&get_str(attrs, "url")?, false, w)?;
    if let Some(h) = get_nar_hash(attrs)? {
        url.query.insert("narHash".into(), h);
    }
    Ok(url)
}
