//! Fetcher inputs and their schemes: reading an input from a URL or from its
//! attributes, and writing it back as a URL, as Nix's input schemes do.
//! `path` and `indirect` live here; the others have their own modules.

mod archive;
mod curl;
mod vcs;

use super::error::{FlakeError, FlakeResult, Warnings};
use super::fetch_attrs::{
    attrs_to_json, attrs_to_query, check_common, get_rev, get_str, git_rev, maybe_str, parse_sha1,
    parse_u64, Attr, FetchAttrs,
};
use super::git_ref::{is_legal_ref_name, is_rev};
use super::url::{
    nonempty_segments, parse_url_scheme, path_to_url_path, url_path_to_path, ParsedUrl, Query,
};

/// An input scheme of Nix's fetchers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// A single file from a URL (`file+https:…`).
    File,
    /// A Git repository (`git+https:…`, `git:…`).
    Git,
    /// A GitHub repository (`github:owner/repo`).
    GitHub,
    /// A GitLab repository (`gitlab:owner/repo`).
    GitLab,
    /// A Mercurial repository (`hg+https:…`).
    Hg,
    /// A flake registry name (`flake:nixpkgs`).
    Indirect,
    /// A local directory (`path:/dir`).
    Path,
    /// A SourceHut repository (`sourcehut:~owner/repo`).
    SourceHut,
    /// An unpacked archive from a URL (`https:…`, `tarball+https:…`).
    Tarball,
}

/// Every scheme, in the order Nix tries them on a URL (by name).
const ALL: [Scheme; 9] = [
    Scheme::File,
    Scheme::Git,
    Scheme::GitHub,
    Scheme::GitLab,
    Scheme::Hg,
    Scheme::Indirect,
    Scheme::Path,
    Scheme::SourceHut,
    Scheme::Tarball,
];

/// A fetcher input: its attributes, and its scheme if Nix knows the `type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The attributes, `type` included.
    pub attrs: FetchAttrs,
    /// The scheme, or `None` for an unknown type.
    pub scheme: Option<Scheme>,
}

/// Whether `s` is a flake registry name: a letter, then letters, digits, `_`, `-`.
pub fn is_flake_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(|c| c.is_ascii_alphabetic())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
}

/// A string attribute.
pub fn text(s: impl Into<String>) -> Attr {
    Attr::Str(s.into())
}

impl Scheme {
    /// The scheme's name, the value of `type`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::File => "file",
            Scheme::Git => "git",
            Scheme::GitHub => "github",
            Scheme::GitLab => "gitlab",
            Scheme::Hg => "hg",
            Scheme::Indirect => "indirect",
            Scheme::Path => "path",
            Scheme::SourceHut => "sourcehut",
            Scheme::Tarball => "tarball",
        }
    }

    /// The attributes (besides `type`) an input of this scheme may have.
    fn allowed_attrs(self) -> &'static [&'static str] {
        match self {
            Scheme::Path => &["path", "rev", "revCount", "lastModified", "narHash"],
            Scheme::Indirect => &["id", "ref", "rev", "narHash"],
            Scheme::Git => vcs::GIT_ATTRS,
            Scheme::Hg => vcs::HG_ATTRS,
            Scheme::GitHub | Scheme::GitLab | Scheme::SourceHut => archive::ATTRS,
            Scheme::File | Scheme::Tarball => curl::ATTRS,
        }
    }

    /// The input a URL describes, if it is of this scheme.
    fn read_url(self, url: &ParsedUrl, w: &mut Warnings) -> FlakeResult<Option<FetchAttrs>> {
        match self {
            Scheme::Path => path_from_url(url),
            Scheme::Indirect => indirect_from_url(url),
            Scheme::Git => vcs::git_from_url(url, w),
            Scheme::Hg => vcs::hg_from_url(url, w),
            Scheme::GitHub | Scheme::GitLab | Scheme::SourceHut => {
                archive::from_url(self.name(), url)
            }
            Scheme::File | Scheme::Tarball => Ok(curl::from_url(self.name(), url)),
        }
    }

    /// Check the attributes of an input of this scheme, normalising them where
    /// Nix does.
    fn check_attrs(self, attrs: FetchAttrs, w: &mut Warnings) -> FlakeResult<FetchAttrs> {
        match self {
            Scheme::Path => {
                get_str(&attrs, "path")?;
                Ok(attrs)
            }
            Scheme::Indirect => indirect_from_attrs(attrs),
            Scheme::Git => vcs::git_from_attrs(attrs, w),
            Scheme::Hg => vcs::hg_from_attrs(attrs, w),
            Scheme::GitHub | Scheme::GitLab | Scheme::SourceHut => archive::from_attrs(attrs),
            Scheme::File | Scheme::Tarball => Ok(attrs),
        }
    }

    /// The URL of an input of this scheme.
    fn to_url(self, attrs: &FetchAttrs, w: &mut Warnings) -> FlakeResult<ParsedUrl> {
        match self {
            Scheme::Path => path_to_url(attrs),
            Scheme::Indirect => indirect_to_url(attrs),
            Scheme::Git => vcs::git_to_url(attrs, w),
            Scheme::Hg => vcs::hg_to_url(attrs, w),
            Scheme::GitHub | Scheme::GitLab | Scheme::SourceHut => {
                archive::to_url(self.name(), attrs)
            }
            Scheme::File | Scheme::Tarball => curl::to_url(attrs, w),
        }
    }
}

/// The input a URL describes (Nix's `Input::fromURL`), trying each scheme.
pub fn input_from_url(url: &ParsedUrl, w: &mut Warnings) -> FlakeResult<Input> {
    for scheme in ALL {
        if let Some(attrs) = scheme.read_url(url, w)? {
            check_common(&attrs)?;
            return Ok(Input {
                attrs,
                scheme: Some(scheme),
            });
        }
    }
    if parse_url_scheme(&url.scheme) == (Some("file"), "git") {
        return Err(FlakeError::other(format!(
            "input '{url}' is unsupported; did you mean 'git+file' instead of 'file+git'?"
        )));
    }
    Err(FlakeError::other(format!("input '{url}' is unsupported")))
}

/// The input with these attributes (Nix's `Input::fromAttrs`); an unknown
/// `type` gives an input without a scheme.
pub fn input_from_attrs(attrs: FetchAttrs, w: &mut Warnings) -> FlakeResult<Input> {
    let Some(type_name) = maybe_str(&attrs, "type")? else {
        return Err(FlakeError::other(
            "'type' attribute to specify input scheme is required but not provided",
        ));
    };
    let Some(scheme) = ALL.into_iter().find(|s| s.name() == type_name) else {
        check_common(&attrs)?;
        return Ok(Input {
            attrs,
            scheme: None,
        });
    };
    let allowed = scheme.allowed_attrs();
    if let Some(name) = attrs
        .keys()
        .find(|n| *n != "type" && *n != "__final" && !allowed.contains(&n.as_str()))
    {
        return Err(FlakeError::other(format!(
            "input attribute '{name}' not supported by scheme '{type_name}'"
        )));
    }
    let attrs = scheme.check_attrs(attrs, w)?;
    check_common(&attrs)?;
    Ok(Input {
        attrs,
        scheme: Some(scheme),
    })
}

impl Input {
    /// The input as a URL, with `extra` query parameters added where the URL does
    /// not have them already.
    pub fn to_url_string(&self, extra: &Query, w: &mut Warnings) -> FlakeResult<String> {
        let Some(scheme) = self.scheme else {
            return Err(FlakeError::other(format!(
                "cannot show unsupported input '{}'",
                attrs_to_json(&self.attrs)
            )));
        };
        let mut url = scheme.to_url(&self.attrs, w)?;
        for (k, v) in extra {
            url.query.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Ok(url.to_string())
    }
}

/// A `path:` URL as an input.
fn path_from_url(url: &ParsedUrl) -> FlakeResult<Option<FetchAttrs>> {
    if url.scheme != "path" {
        return Ok(None);
    }
    if let Some(a) = url.authority.as_ref().filter(|a| !a.host.is_empty()) {
        return Err(FlakeError::other(format!(
            "path URL '{url}' should not have an authority ('{a}')"
        )));
    }
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), text("path"));
    attrs.insert("path".into(), text(url_path_to_path(&url.path)?));
    for (name, value) in &url.query {
        let attr = match name.as_str() {
            "rev" | "narHash" => text(value),
            "revCount" | "lastModified" => match parse_u64(value) {
                Some(n) => Attr::Int(n),
                None => {
                    return Err(FlakeError::other(format!(
                        "path URL '{url}' has invalid parameter '{name}'"
                    )))
                }
            },
            _ => {
                return Err(FlakeError::other(format!(
                    "path URL '{url}' has unsupported parameter '{name}'"
                )))
            }
        };
        attrs.insert(name.clone(), attr);
    }
    Ok(Some(attrs))
}

/// The `path:` URL of a path input: its other attributes become the query.
fn path_to_url(attrs: &FetchAttrs) -> FlakeResult<ParsedUrl> {
    let mut query = attrs_to_query(attrs);
    for k in ["path", "type", "__final"] {
        query.remove(k);
    }
    Ok(ParsedUrl {
        scheme: "path".into(),
        path: path_to_url_path(&get_str(attrs, "path")?),
        query,
        ..ParsedUrl::default()
    })
}

/// The branch or tag and the commit of `flake:id/ref/rev`.
fn indirect_ref_rev(
    url: &ParsedUrl,
    path: &[String],
) -> FlakeResult<(Option<String>, Option<String>)> {
    let bad = |m: String| Err(FlakeError::bad_url(format!("in flake URL '{url}', {m}")));
    match path {
        [_] => Ok((None, None)),
        [_, r] if is_rev(r) => Ok((None, Some(git_rev(&parse_sha1(r)?)))),
        [_, r] if is_legal_ref_name(r) => Ok((Some(r.clone()), None)),
        [_, r] => bad(format!("'{r}' is not a commit hash or branch/tag name")),
        [_, r, _] if !is_legal_ref_name(r) => bad(format!("'{r}' is not a branch/tag name")),
        [_, _, c] if !is_rev(c) => bad(format!("'{c}' is not a commit hash")),
        [_, r, c] => Ok((Some(r.clone()), Some(git_rev(&parse_sha1(c)?)))),
        _ => Err(FlakeError::bad_url(format!(
            "GitHub URL '{url}' is invalid"
        ))),
    }
}

/// Nix's error for a malformed flake registry name.
fn bad_flake_id(id: &str) -> FlakeError {
    FlakeError::bad_url(format!("'{id}' is not a valid flake ID"))
}

/// A `flake:` URL as an indirect input (empty path segments are skipped).
fn indirect_from_url(url: &ParsedUrl) -> FlakeResult<Option<FetchAttrs>> {
    if url.scheme != "flake" {
        return Ok(None);
    }
    let path = nonempty_segments(&url.path);
    let (r, rev) = indirect_ref_rev(url, &path)?;
    if !is_flake_id(&path[0]) {
        return Err(bad_flake_id(&path[0]));
    }
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), text("indirect"));
    attrs.insert("id".into(), text(&path[0]));
    if let Some(rev) = rev {
        attrs.insert("rev".into(), text(rev));
    }
    if let Some(r) = r {
        attrs.insert("ref".into(), text(r));
    }
    Ok(Some(attrs))
}

/// Check an indirect input's `id`.
fn indirect_from_attrs(attrs: FetchAttrs) -> FlakeResult<FetchAttrs> {
    let id = get_str(&attrs, "id")?;
    if !is_flake_id(&id) {
        return Err(bad_flake_id(&id));
    }
    Ok(attrs)
}

/// The `flake:id/ref/rev` URL of an indirect input.
fn indirect_to_url(attrs: &FetchAttrs) -> FlakeResult<ParsedUrl> {
    let mut path = vec![get_str(attrs, "id")?];
    if let Some(r) = maybe_str(attrs, "ref")? {
        path.push(r);
    }
    if let Some(rev) = get_rev(attrs)? {
        path.push(git_rev(&rev));
    }
    Ok(ParsedUrl {
        scheme: "flake".into(),
        path,
        ..ParsedUrl::default()
    })
}
