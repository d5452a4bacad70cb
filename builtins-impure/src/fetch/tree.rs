//! `builtins.fetchTree` and the argument handling `fetchGit` shares with it:
//! an input is read from an attribute set (or a URL) into typed attributes,
//! checked against its scheme's allowed attributes, fetched by [`super::url`],
//! [`super::tarball`], [`super::git`] or as a local path, and returned as Nix's
//! `emitTreeAttrs` returns it.

use super::{date_string, err, sri, store_path_string};
use nixie_eval::hash::Hash;
use nixie_eval::prelude::*;
use nixie_eval::store::FileIngestion;
use std::collections::BTreeMap;
use std::path::Path;

/// Which builtin reads the input.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arg {
    /// `fetchGit`: the type is `git`, `name` is allowed, a dirty tree gets a zero `rev`.
    FetchGit,
    /// `fetchTree`.
    FetchTree,
}

impl Arg {
    fn name(self) -> &'static str {
        match self {
            Arg::FetchGit => "fetchGit",
            Arg::FetchTree => "fetchTree",
        }
    }
}

/// One input attribute, as libfetchers types them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attr {
    /// A string (or a path, coerced).
    Str(String),
    /// A Boolean.
    Bool(bool),
    /// A non-negative integer.
    Int(u64),
}

/// A fetcher input: its attributes, `type` included.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// The attributes by name.
    pub attrs: BTreeMap<String, Attr>,
}

impl Input {
    /// A string attribute, or Nix's error if it has another type.
    pub fn str(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.attrs.get(name) {
            None => Ok(None),
            Some(Attr::Str(s)) => Ok(Some(s)),
            Some(_) => Err(err(format!("input attribute '{name}' is not a string"))),
        }
    }
    /// A Boolean attribute, or Nix's error if it has another type.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.attrs.get(name) {
            None => Ok(None),
            Some(Attr::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(err(format!("input attribute '{name}' is not a Boolean"))),
        }
    }
    /// An integer attribute, or Nix's error if it has another type.
    pub fn int(&self, name: &str) -> Result<Option<u64>, Error> {
        match self.attrs.get(name) {
            None => Ok(None),
            Some(Attr::Int(n)) => Ok(Some(*n)),
            Some(_) => Err(err(format!("input attribute '{name}' is not an integer"))),
        }
    }
    fn required(&self, name: &str) -> Result<&str, Error> {
        self.str(name)?
            .ok_or_else(|| err(format!("input attribute '{name}' is missing")))
    }
    /// The expected NAR hash (`narHash`), if given.
    pub fn nar_hash(&self) -> Result<Option<Vec<u8>>, Error> {
        match self.str("narHash")? {
            Some(h) => {
                let h = Hash::parse_any(h, None)?;
                if h.algo != "sha256" {
                    return Err(err(format!("narHash must use SHA-256 (got '{}')", h.algo)));
                }
                Ok(Some(h.digest))
            }
            None => Ok(None),
        }
    }
    fn ty(&self) -> &str {
        match self.attrs.get("type") {
            Some(Attr::Str(s)) => s,
            _ => "",
        }
    }
}

/// Nix's `fixGitURL` for the common cases: an absolute path becomes a `file://` URL.
pub fn fix_git_url(url: &str) -> String {
    if url.starts_with('/') {
        format!("file://{url}")
    } else {
        url.to_string()
    }
}

fn has_tarball_ext(path: &str) -> bool {
    [
        ".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst",
    ]
    .iter()
    .any(|e| path.ends_with(e))
}

/// An input from a URL-like reference (`git+file:///x?ref=main`, `https://…/x.tar.gz`,
/// `path:/x`, `file+https://…`, `tarball+https://…`).
pub fn input_from_url(url: &str) -> Result<Input, Error> {
    let (scheme, rest) = url
        .split_once(':')
        .ok_or_else(|| err(format!("'{url}' is not a valid URL")))?;
    let (before_q, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (app, transport) = match scheme.split_once('+') {
        Some((a, t)) => (Some(a), t),
        None => (None, scheme),
    };
    let mut input = Input::default();
    let mut put = |k: &str, v: Attr| {
        input.attrs.insert(k.to_string(), v);
    };
    let mut extra = Vec::new();
    let params: Vec<(String, String)> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect();
    let is_git = scheme == "git" || app == Some("git");
    if is_git {
        put("type", Attr::Str("git".into()));
        for (k, v) in params {
            match k.as_str() {
                "rev" | "ref" => put(&k, Attr::Str(v)),
                "shallow" | "submodules" | "lfs" | "exportIgnore" | "allRefs" | "verifyCommit" => {
                    put(&k, Attr::Bool(v == "1"))
                }
                _ => extra.push(format!("{k}={v}")),
            }
        }
        let base = if scheme == "git" {
            format!("git:{before_q}")
        } else {
            format!("{transport}:{before_q}")
        };
        put("url", Attr::Str(with_query(base, &extra)));
        return Ok(input);
    }
    if scheme == "path" {
        put("type", Attr::Str("path".into()));
        put(
            "path",
            Attr::Str(before_q.trim_start_matches("//").to_string()),
        );
        for (k, v) in params {
            match k.as_str() {
                "rev" | "narHash" => put(&k, Attr::Str(v)),
                "revCount" | "lastModified" => match v.parse() {
                    Ok(n) => put(&k, Attr::Int(n)),
                    Err(_) => {
                        return Err(err(format!("path URL '{url}' has invalid parameter '{k}'")))
                    }
                },
                _ => {
                    return Err(err(format!(
                        "path URL '{url}' has unsupported parameter '{k}'"
                    )))
                }
            }
        }
        return Ok(input);
    }
    if ["file", "http", "https"].contains(&transport) {
        let path_part = before_q.split('#').next().unwrap_or(before_q);
        let ty = match app {
            Some("file") => "file",
            Some("tarball") => "tarball",
            None if has_tarball_ext(path_part) => "tarball",
            None => "file",
            Some(other) => return Err(err(format!("input '{url}' is unsupported ({other})"))),
        };
        put("type", Attr::Str(ty.into()));
        for (k, v) in params {
            match k.as_str() {
                "narHash" | "rev" => put(&k, Attr::Str(v)),
                "revCount" | "lastModified" => {
                    if let Ok(n) = v.parse() {
                        put(&k, Attr::Int(n))
                    }
                }
                _ => extra.push(format!("{k}={v}")),
            }
        }
        let base = format!("{transport}:{before_q}");
        put("url", Attr::Str(with_query(base, &extra)));
        return Ok(input);
    }
    Err(err(format!("input '{url}' is unsupported")))
}

/// Read the argument of `fetchTree` or `fetchGit` as Nix's `fetchTree` does.
pub async fn read_input(co: &mut Co, arg: Value, which: Arg) -> Result<Input, Error> {
    let fetcher = which.name();
    let arg = co.force(arg).await;
    let mut input = Input::default();
    match &arg {
        Value::Attrs(attrs) => {
            let mut ty = (which == Arg::FetchGit).then(|| "git".to_string());
            if let Some(t) = attrs.get(b"type") {
                if ty.is_some() {
                    return Err(err("unexpected argument 'type'"));
                }
                let s: NixString = co.force_to(t.clone()).await.map_err(|e| {
                    e.with_hint(format!(
                        "while evaluating the `type` argument passed to '{fetcher}'"
                    ))
                })?;
                s.require_no_context()?;
                ty = Some(s.to_string());
            }
            let Some(ty) = ty else {
                return Err(err(format!(
                    "argument 'type' is missing in call to '{fetcher}'"
                )));
            };
            input.attrs.insert("type".into(), Attr::Str(ty.clone()));
            for (n, v) in attrs.iter() {
                let name = n.to_string();
                if name == "type" {
                    continue;
                }
                let v = co.force(v.clone()).await;
                let a = match &v {
                    Value::String(_) | Value::Path(_) => {
                        let s = co
                            .coerce_to_string(v.clone(), Coercion::KeepPaths)
                            .await
                            .to_string();
                        Attr::Str(if which == Arg::FetchGit && name == "url" {
                            fix_git_url(&s)
                        } else {
                            s
                        })
                    }
                    Value::Bool(b) => Attr::Bool(*b),
                    Value::Int(i) if *i < 0 => {
                        return Err(err(format!(
                            "negative value given for '{fetcher}' argument '{name}': {i}"
                        )))
                    }
                    Value::Int(i) => Attr::Int(*i as u64),
                    other => {
                        return Err(err(format!(
                            "argument '{name}' to '{fetcher}' is {} while a string, Boolean or integer is expected",
                            other.type_description()
                        )))
                    }
                };
                input.attrs.insert(name, a);
            }
            if which == Arg::FetchGit
                && !input.attrs.contains_key("exportIgnore")
                && input.bool("submodules")? != Some(true)
            {
                input.attrs.insert("exportIgnore".into(), Attr::Bool(true));
            }
            if ty == "git" && which == Arg::FetchTree && !input.attrs.contains_key("shallow") {
                input.attrs.insert("shallow".into(), Attr::Bool(true));
            }
            if which == Arg::FetchTree && input.attrs.contains_key("name") {
                return Err(err(format!(
                    "argument 'name' isn\u{2019}t supported in call to '{fetcher}'"
                )));
            }
        }
        _ => {
            let url = co
                .coerce_to_string(arg.clone(), Coercion::KeepPaths)
                .await
                .to_string();
            if which == Arg::FetchGit {
                input.attrs.insert("type".into(), Attr::Str("git".into()));
                input
                    .attrs
                    .insert("url".into(), Attr::Str(fix_git_url(&url)));
                input.attrs.insert("exportIgnore".into(), Attr::Bool(true));
            } else {
                if !co.ctx(|cx| cx.settings().has_feature("flakes")) {
                    return Err(err(format!(
                        "passing a string argument to '{fetcher}' requires the 'flakes' experimental feature"
                    )));
                }
                input = input_from_url(&url)?;
            }
        }
    }
    check_allowed(&input)?;
    Ok(input)
}

fn check_allowed(input: &Input) -> Result<(), Error> {
    let ty = input.ty();
    let allowed: &[&str] = match ty {
        "git" => &[
            "url", "ref", "rev", "shallow", "submodules", "lfs", "exportIgnore", "lastModified",
            "revCount", "narHash", "allRefs", "name", "dirtyRev", "dirtyShortRev",
            "verifyCommit", "keytype", "publicKey", "publicKeys",
        ],
        "file" | "tarball" => &["url", "narHash", "name", "unpack", "rev", "revCount", "lastModified"],
        "path" => &["path", "rev", "revCount", "lastModified", "narHash"],
        other => return Err(err(format!("input type '{other}' is not supported by nixie's fetchTree (supported: path, file, tarball, git)"))),
    };
    for name in input.attrs.keys() {
        if name != "type" && name != "__final" && !allowed.contains(&name.as_str()) {
            return Err(err(format!(
                "input attribute '{name}' not supported by scheme '{ty}'"
            )));
        }
    }
    Ok(())
}

/// What a fetch produced, as `emitTreeAttrs` shows it.
#[derive(Default)]
pub struct Fetched {
    /// The store path.
    pub path: String,
    /// The NAR SHA-256 of the store object.
    pub nar_sha256: Option<[u8; 32]>,
    /// The Git revision.
    pub rev: Option<String>,
    /// The number of commits up to `rev`.
    pub rev_count: Option<u64>,
    /// The commit (or modification) time.
    pub last_modified: Option<u64>,
    /// `rev-dirty` for a dirty working tree.
    pub dirty_rev: Option<String>,
    /// Whether submodules were fetched (Git only).
    pub submodules: Option<bool>,
}

fn emit(f: Fetched, empty_rev_fallback: bool) -> Value {
    let mut out: Vec<(NixString, Value)> = Vec::new();
    let mut put = |k: &str, v: Value| out.push((NixString::from(k), v));
    put("outPath", Value::String(store_path_string(&f.path)));
    if let Some(h) = f.nar_sha256 {
        put("narHash", Value::string(sri(&h).as_str()));
    }
    if let Some(s) = f.submodules {
        put("submodules", Value::Bool(s));
    }
    match (&f.rev, empty_rev_fallback) {
        (Some(r), _) => {
            put("rev", Value::string(r.as_str()));
            put("shortRev", Value::string(&r[..7.min(r.len())]));
        }
        (None, true) => {
            put("rev", Value::string("0".repeat(40).as_str()));
            put("shortRev", Value::string("0000000"));
        }
        _ => {}
    }
    match (f.rev_count, empty_rev_fallback) {
        (Some(n), _) => put("revCount", Value::Int(n as i64)),
        (None, true) => put("revCount", Value::Int(0)),
        _ => {}
    }
    if let Some(d) = &f.dirty_rev {
        put("dirtyRev", Value::string(d.as_str()));
        let short = format!("{}-dirty", &d[..7.min(d.len())]);
        put("dirtyShortRev", Value::string(short.as_str()));
    }
    if let Some(lm) = f.last_modified {
        put("lastModified", Value::Int(lm as i64));
        put(
            "lastModifiedDate",
            Value::string(date_string(lm as i64).as_str()),
        );
    }
    Value::Attrs(Attrs::from_unsorted(out))
}

fn newest_mtime(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::symlink_metadata(p) else {
        return 0;
    };
    let mut t = m.mtime().max(0) as u64;
    if m.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                t = t.max(newest_mtime(&e.path()));
            }
        }
    }
    t
}

/// Whether an input is locked (pinned to content), as its scheme decides.
fn is_locked(input: &Input) -> Result<bool, Error> {
    Ok(match input.ty() {
        "git" => input
            .str("rev")?
            .is_some_and(|r| r.bytes().any(|b| b != b'0')),
        _ => input.nar_hash()?.is_some(),
    })
}

/// How Nix shows an input in messages (its URL form).
pub fn input_string(input: &Input) -> Result<String, Error> {
    Ok(match input.ty() {
        "git" => super::git::GitArgs::from_input(input)?.input_string(),
        "path" => {
            let p = input.required("path")?;
            match input.nar_hash()? {
                Some(h) => super::tarball::input_string(&format!("path:{p}"), Some(&h)),
                None => format!("path:{p}"),
            }
        }
        _ => super::tarball::input_string(input.required("url")?, input.nar_hash()?.as_deref()),
    })
}

/// Fetch an input read by [`read_input`] and return the result set.
pub fn fetch(cx: &mut Ctx<'_>, input: Input, which: Arg) -> Result<Value, Error> {
    let fetcher = which.name();
    if let Some(u) = input.str("url")?.or(input.str("path")?) {
        let u = u.to_string();
        super::check_uri(cx, &u)?;
    }
    if cx.settings().pure_eval && !is_locked(&input)? {
        return Err(err(format!(
            "in pure evaluation mode, '{fetcher}' doesn't fetch unlocked input '{}'",
            input_string(&input)?
        )));
    }
    let want = input.nar_hash()?;
    let shown = input_string(&input)?;
    let check = |got: &[u8; 32]| match &want {
        Some(w) if w[..] != got[..] => Err(super::tarball::nar_mismatch(&shown, w, got)
            .with_hint(format!("while fetching the input '{shown}'"))),
        _ => Ok(()),
    };
    let given_lm = input.int("lastModified")?;
    let fetched = match input.ty() {
        "git" => {
            let args = super::git::GitArgs::from_input(&input)?;
            super::git::fetch(cx, &args, &check)?
        }
        "tarball" => {
            let name = input.str("name")?.unwrap_or("source").to_string();
            let t = super::tarball::download_tarball(cx, input.required("url")?, &name, &check)?;
            let lm = given_lm.or((t.last_modified != 0).then_some(t.last_modified));
            Fetched {
                path: t.path,
                nar_sha256: Some(t.nar_sha256),
                last_modified: lm,
                rev: input.str("rev")?.map(str::to_string),
                rev_count: input.int("revCount")?,
                ..Fetched::default()
            }
        }
        "file" => {
            let name = input.str("name")?.unwrap_or("source").to_string();
            let url = input.required("url")?.to_string();
            let (path, _, nar) = super::url::download_file(cx, &url, &name, &|_| Ok(()))?;
            check(&nar)?;
            Fetched {
                path,
                nar_sha256: Some(nar),
                last_modified: given_lm,
                rev: input.str("rev")?.map(str::to_string),
                rev_count: input.int("revCount")?,
                ..Fetched::default()
            }
        }
        "path" => {
            let p = input.required("path")?;
            if !p.starts_with('/') {
                return Err(err(format!(
                    "cannot fetch input '{shown}' because it uses a relative path"
                )));
            }
            let p = nixie_eval::paths::normalise(p);
            let src = Path::new(&p);
            let nar = nixie_eval::store::nar_sha256(cx.io(), src)
                .map_err(|e| err(format!("getting status of '{}': {e}", src.display())))?;
            check(&nar)?;
            let (path, sha) = cx.fetch_to_store(src, "source", FileIngestion::Recursive)?;
            Fetched {
                path: path.to_string(),
                nar_sha256: Some(sha),
                last_modified: Some(given_lm.unwrap_or_else(|| newest_mtime(src))),
                rev: input.str("rev")?.map(str::to_string),
                rev_count: input.int("revCount")?,
                ..Fetched::default()
            }
        }
        _ => unreachable!("checked by check_allowed"),
    };
    Ok(emit(fetched, which == Arg::FetchGit))
}

/// `base`, with `?a=1&b=2` when there are query parameters left.
fn with_query(base: String, extra: &[String]) -> String {
    if extra.is_empty() {
        base
    } else {
        format!("{base}?{}", extra.join("&"))
    }
}
