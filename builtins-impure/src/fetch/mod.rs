//! The fetchers: `builtins.fetchurl`, `fetchTarball`, `fetchGit` and `fetchTree`,
//! following current C++ Nix (its `fetchTree.cc` and `libfetchers`) in arguments,
//! results, store paths and error wording.
//!
//! Each fetcher lives in a module of its own ([`url`] downloads and `fetchurl`,
//! [`tarball`] archives, [`git`] repositories, [`tree`] the `fetchTree` dispatch);
//! [`cache`] remembers what was fetched so a URL is not downloaded again within the
//! TTL (the `tarball-ttl` setting, 3600 s by default). Everything
//! is checked before it is ingested, so a failed fetch leaves nothing in the store.

use nixie_eval::builtins;
use nixie_eval::value::{ContextElem, NixContext, NixString};
use nixie_eval::{Ctx, Error};
use std::path::{Path, PathBuf};

pub mod cache;
pub mod git;
pub mod tarball;
pub mod tree;
pub mod url;

/// A store path as a string whose context names it.
pub fn store_path_string(path: &str) -> NixString {
    let mut ctx = NixContext::new();
    ctx.insert(ContextElem::opaque(path));
    NixString::with_context(path.as_bytes().to_vec(), ctx)
}

/// A directory removed (with everything in it) when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory under the system's temporary directory.
    pub fn new(what: &str) -> std::io::Result<TempDir> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = N.fetch_add(1, Ordering::Relaxed);
            let p = base.join(format!("nixie-{what}-{}-{n}", std::process::id()));
            match std::fs::create_dir(&p) {
                Ok(()) => return Ok(TempDir(p)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Where the directory is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `YYYYMMDDHHMMSS` in UTC for a Unix time, as Nix writes `lastModifiedDate`.
pub fn date_string(t: i64) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The SRI form (`sha256-…`) of a SHA-256 digest.
pub fn sri(sha256: &[u8]) -> String {
    nixie_eval::hash::Hash {
        algo: "sha256",
        digest: sha256.to_vec(),
    }
    .to_string(nixie_eval::hash::HashFormat::Sri)
}

/// An error with this message.
pub(crate) fn err(msg: impl Into<String>) -> nixie_eval::Error {
    nixie_eval::Error::msg(msg.into())
}

/// Whether `prefix` is a bare scheme (`https:`).
fn is_scheme_prefix(prefix: &str) -> bool {
    prefix.strip_suffix(':').is_some_and(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Whether `uri` is one of `allowed` or below one of them, as C++ Nix's
/// `allowed-uris` matching (a prefix ending in `/`, followed by `/`, or a scheme).
fn is_allowed_uri(uri: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|prefix| {
        uri == prefix
            || (!prefix.is_empty()
                && uri.len() > prefix.len()
                && uri.starts_with(prefix.as_str())
                && (prefix.ends_with('/')
                    || uri.as_bytes()[prefix.len()] == b'/'
                    || is_scheme_prefix(prefix)))
    })
}

/// In restricted mode, refuse a URI that is not allowed: a local path (or
/// `file://` URL) must be reachable, anything else in `allowed-uris`.
pub fn check_uri(cx: &mut Ctx<'_>, uri: &str) -> Result<(), Error> {
    let settings = cx.settings();
    if !settings.restrict_eval || is_allowed_uri(uri, &settings.allowed_uris) {
        return Ok(());
    }
    let local = if uri.starts_with('/') {
        Some(PathBuf::from(uri))
    } else {
        url::file_url_path(uri).filter(|_| uri.starts_with("file:"))
    };
    match local {
        Some(p) => match cx.io().file_kind(&p) {
            Err(e) if nixie_eval::is_forbidden(&e) => {
                Err(err(nixie_eval::describe_io_error("", &p, &e)))
            }
            _ => Ok(()),
        },
        None => Err(err(format!(
            "access to URI '{uri}' is forbidden in restricted mode"
        ))),
    }
}

#[builtins(name = "impure-fetch")]
pub mod defs {
    use super::tree::{self, Arg};
    use nixie_eval::prelude::*;

    /// `fetchurl url` or `fetchurl { url; sha256 ? ""; name ? <base name>; }`:
    /// download a file into the store (as a flat file); with `sha256` its
    /// contents must have that hash.
    #[builtin("fetchurl")]
    async fn fetchurl(co: &mut Co, arg: Value) -> Result<Value, Error> {
        let a = super::url::fetch_args(co, arg, "fetchurl").await?;
        co.ctx(|cx| {
            super::check_uri(cx, &a.url)?;
            super::url::fetchurl(cx, &a)
        })
        .map(Value::String)
    }

    /// `fetchTarball url` or `fetchTarball { url; sha256 ? ""; name ? "source"; }`:
    /// download an archive and unpack it into the store (a single top-level
    /// directory becomes the root); with `sha256` the tree's NAR must have that hash.
    #[builtin("fetchTarball", global)]
    async fn fetch_tarball(co: &mut Co, arg: Value) -> Result<Value, Error> {
        let a = super::url::fetch_args(co, arg, "fetchTarball").await?;
        co.ctx(|cx| {
            super::check_uri(cx, &a.url)?;
            super::tarball::fetch_tarball(cx, &a)
        })
        .map(Value::String)
    }

    /// `fetchGit url` or `fetchGit { url; ref ?; rev ?; name ? "source";
    /// submodules ? false; shallow ? false; allRefs ? false; … }`: a Git
    /// revision (or a local working tree) copied into the store, with `rev`,
    /// `shortRev`, `revCount`, `lastModified`, `narHash` and more.
    #[builtin("fetchGit", global)]
    async fn fetch_git(co: &mut Co, arg: Value) -> Result<Value, Error> {
        let input = tree::read_input(co, arg, Arg::FetchGit).await?;
        co.ctx(|cx| tree::fetch(cx, input, Arg::FetchGit))
    }

    /// `fetchTree input`: fetch an input given as attributes (`type` = `"path"`,
    /// `"file"`, `"tarball"` or `"git"`) or as a URL, returning its store path and
    /// metadata.
    #[builtin("fetchTree", global)]
    async fn fetch_tree(co: &mut Co, arg: Value) -> Result<Value, Error> {
        let input = tree::read_input(co, arg, Arg::FetchTree).await?;
        co.ctx(|cx| tree::fetch(cx, input, Arg::FetchTree))
    }
}

pub use defs::PACK;
