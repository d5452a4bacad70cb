//! Flake references as strings: parsing one (a registry name like
//! `nixpkgs/branch`, then a URL, then an absolute path) and printing one.
//! No base directory is used, as in `builtins.parseFlakeRef`, so the file
//! system is never looked at.

use super::error::{FlakeError, FlakeResult, Warnings};
use super::fetch_attrs::{maybe_str, FetchAttrs};
use super::git_ref::matches_ref_regex;
use super::schemes::{input_from_attrs, input_from_url, is_flake_id, text, Input};
use super::url::{
    decode_query, parse_url, path_to_url_path, percent_decode, valid_pchars, Authority, ParsedUrl,
    Query,
};

/// A flake reference: an input and the flake's directory inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlakeRef {
    /// The input.
    pub input: Input,
    /// The subdirectory (`dir`), empty for the top.
    pub subdir: String,
}

impl FlakeRef {
    /// The reference as attributes: the input's, plus `dir` if it is set.
    pub fn to_attrs(&self) -> FetchAttrs {
        let mut attrs = self.input.attrs.clone();
        if !self.subdir.is_empty() {
            attrs
                .entry("dir".into())
                .or_insert_with(|| text(&self.subdir));
        }
        attrs
    }

    /// The reference with these attributes (`dir` gives the subdirectory).
    pub fn from_attrs(mut attrs: FetchAttrs, w: &mut Warnings) -> FlakeResult<FlakeRef> {
        let subdir = maybe_str(&attrs, "dir")?.unwrap_or_default();
        attrs.remove("dir");
        Ok(FlakeRef {
            input: input_from_attrs(attrs, w)?,
            subdir,
        })
    }

    /// The reference as a URL, `dir` in its query.
    pub fn to_url_string(&self, w: &mut Warnings) -> FlakeResult<String> {
        let mut extra = Query::new();
        if !self.subdir.is_empty() {
            extra.insert("dir".into(), self.subdir.clone());
        }
        self.input.to_url_string(&extra, w)
    }
}

/// The flake reference of a parsed URL (its `dir` parameter is the subdirectory),
/// and the URL's fragment.
fn from_parsed_url(mut url: ParsedUrl, w: &mut Warnings) -> FlakeResult<(FlakeRef, String)> {
    let subdir = url.query.remove("dir").unwrap_or_default();
    let fragment = std::mem::take(&mut url.fragment);
    let input = input_from_url(&url, w)?;
    Ok((FlakeRef { input, subdir }, fragment))
}

/// Whether `s` is `id` or `id/ref-or-rev` in the registry-name shorthand.
fn is_flake_id_ref(s: &str) -> bool {
    match s.split_once('/') {
        None => is_flake_id(s),
        Some((id, rest)) => is_flake_id(id) && matches_ref_regex(rest),
    }
}

/// `nixpkgs`, `nixpkgs/branch`, `nixpkgs/branch/rev` (with a fragment), read as
/// `flake:…`; `None` if `url` is not of that form.
fn parse_flake_id_ref(url: &str, w: &mut Warnings) -> FlakeResult<Option<(FlakeRef, String)>> {
    let (main, fragment) = url.split_once('#').unwrap_or((url, ""));
    let fragment_ok = !url.contains('#') || valid_pchars(fragment, b"/? \"^");
    if !is_flake_id_ref(main) || !fragment_ok {
        return Ok(None);
    }
    let parsed = ParsedUrl {
        scheme: "flake".into(),
        path: main.split('/').map(str::to_string).collect(),
        ..ParsedUrl::default()
    };
    let input = input_from_url(&parsed, w)?;
    let flake_ref = FlakeRef {
        input,
        subdir: String::new(),
    };
    Ok(Some((flake_ref, percent_decode(fragment)?)))
}

/// A URL flake reference; `None` if it is a malformed URL or its input rejects
/// it as one.
fn parse_url_flake_ref(url: &str, w: &mut Warnings) -> FlakeResult<Option<(FlakeRef, String)>> {
    match parse_url(url, true, w).and_then(|p| from_parsed_url(p, w)) {
        Ok(r) => Ok(Some(r)),
        Err(e) if e.is_bad_url() => Ok(None),
        Err(e) => Err(e),
    }
}

/// An absolute path, with an optional query and fragment, as a `path:` reference.
fn parse_path_flake_ref(url: &str, w: &mut Warnings) -> FlakeResult<(FlakeRef, String)> {
    let (main, fragment) = url.split_once('#').unwrap_or((url, ""));
    if fragment.contains(['\n', '\r']) {
        return Err(FlakeError::other(format!("invalid flakeref '{url}'")));
    }
    let (path, query) = main.split_once('?').unwrap_or((main, ""));
    let query = decode_query(query, true, w)?;
    let fragment = percent_decode(fragment)?;
    if !path.starts_with('/') {
        return Err(FlakeError::bad_url(format!(
            "flake reference '{url}' is not an absolute path"
        )));
    }
    let parsed = ParsedUrl {
        scheme: "path".into(),
        authority: Some(Authority::default()),
        path: path_to_url_path(path),
        query,
        fragment,
    };
    from_parsed_url(parsed, w)
}

/// Parse a flake reference as `builtins.parseFlakeRef` does; a fragment
/// (`#attr`) is an error.
pub fn parse_flake_ref(url: &str, w: &mut Warnings) -> FlakeResult<FlakeRef> {
    let (flake_ref, fragment) = match parse_flake_id_ref(url, w)? {
        Some(r) => r,
        None => match parse_url_flake_ref(url, w)? {
            Some(r) => r,
            None => parse_path_flake_ref(url, w)?,
        },
    };
    if !fragment.is_empty() {
        return Err(FlakeError::other(format!(
            "unexpected fragment '{fragment}' in flake reference '{url}'"
        )));
    }
    Ok(flake_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(s: &str) -> Result<String, String> {
        let w = &mut Vec::new();
        parse_flake_ref(s, w)
            .and_then(|r| r.to_url_string(w))
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn nix_unit_test_examples() {
        let cases = [
            ("/foo/bar", "path:/foo/bar"),
            (
                "/foo/bar?revCount=123&rev=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "path:/foo/bar?rev=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&revCount=123",
            ),
            (
                "/foo bar/baz?dir=bla space",
                "path:/foo%20bar/baz?dir=bla%20space",
            ),
            ("github:foo/bar/branch%23", "github:foo/bar/branch%23"),
            ("github:foo/bar?ref=branch%23", "github:foo/bar/branch%23"),
            ("flake:nixpkgs/branch", "flake:nixpkgs/branch"),
            ("nixpkgs/branch////", "flake:nixpkgs/branch"),
            ("flake:/nixpkgs///branch////", "flake:nixpkgs/branch"),
            (
                "git://somewhere/repo?ref=branch",
                "git://somewhere/repo?ref=branch",
            ),
            (
                "git+https://somewhere.aaaaaaa/repo?ref=branch",
                "git+https://somewhere.aaaaaaa/repo?ref=branch",
            ),
            (
                "github://////owner%42/////repo%41///branch%43////",
                "github:ownerB/repoA/branchC",
            ),
            (
                "gitlab:/owner%252Fsubgroup/////repo%41///branch%43////",
                "gitlab:owner%252Fsubgroup/repoA/branchC",
            ),
            (
                "http://localhost:8181/test/+3d.tar.gz",
                "http://localhost:8181/test/%2B3d.tar.gz",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(round(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn failures() {
        assert!(round("/foo/bar?xyzzy=123").is_err());
        assert_eq!(
            round("/foo/bar#bla").unwrap_err(),
            "unexpected fragment 'bla' in flake reference '/foo/bar#bla'"
        );
        assert_eq!(
            round("github:nixos/nixpkgs/nixpkgs.git?ref=aead170c1a49253ebfa5027010dfd89a77b73ca4")
                .unwrap_err(),
            "flake reference 'github:nixos/nixpkgs/nixpkgs.git?ref=aead170c1a49253ebfa5027010dfd89a77b73ca4' is not an absolute path"
        );
        assert_eq!(
            round(".").unwrap_err(),
            "flake reference '.' is not an absolute path"
        );
    }
}
