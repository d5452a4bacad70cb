//! What an argument names, found as `nix-instantiate` finds it: an expression
//! (`-E`), standard input (`-`), a file in the search path (`<name>`), a tarball
//! URL (`https://…`, `channel:…`), or a file (a directory meaning its
//! `default.nix`).

use nixie_eval::value::Value;
use nixie_eval::{Error, Evaluation};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A source to evaluate.
pub struct Source {
    /// The name messages give it (a file's path, `«string»`, `«stdin»`).
    pub name: String,
    /// The directory relative paths in it are resolved against.
    pub dir: PathBuf,
    pub text: String,
    /// The file it was read from, if any (evaluated as an import, so that
    /// importing it again shares the value).
    pub path: Option<PathBuf>,
}

/// An expression given on the command line (`-E`).
pub fn expression(text: &str, cwd: &Path) -> Source {
    Source {
        name: "«string»".into(),
        dir: cwd.to_path_buf(),
        text: nixie_eval::source::decode_source(text.as_bytes()),
        path: None,
    }
}

/// All of standard input.
pub fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("reading standard input: {e}"))?;
    Ok(bytes)
}

/// The expression on standard input (`-`), any bytes (as a file's).
pub fn stdin(cwd: &Path) -> Result<Source, String> {
    let bytes = read_stdin()?;
    Ok(Source {
        name: "«stdin»".into(),
        dir: cwd.to_path_buf(),
        text: nixie_eval::source::decode_source(&bytes),
        path: None,
    })
}

/// The file an argument names (C++ Nix's `lookupFileArg`, then
/// `resolveExprPath`), read.
pub fn file(eval: &mut Evaluation, arg: &str, cwd: &Path) -> Result<Source, Error> {
    let located = locate(eval, arg, cwd)?;
    let path = eval.resolve_expr_path(&located)?;
    let bytes = std::fs::read(&path).map_err(|e| {
        Error::msg(nixie_eval::describe_io_error(
            "getting status of",
            &path,
            &e,
        ))
    })?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| "/".into());
    Ok(Source {
        name: path.to_string_lossy().into_owned(),
        dir,
        text: nixie_eval::source::decode_source(&bytes),
        path: Some(path),
    })
}

/// Where an argument points: a URL's unpacked tarball, a search-path entry's
/// file, or a path relative to `cwd`.
pub fn locate(eval: &mut Evaluation, arg: &str, cwd: &Path) -> Result<PathBuf, Error> {
    if let Some(url) = pseudo_url(arg) {
        return call_builtin(eval, "builtins.fetchTarball", &url);
    }
    if arg.len() > 2 && arg.starts_with('<') && arg.ends_with('>') {
        return find_file(eval, &arg[1..arg.len() - 1]);
    }
    Ok(nixie_eval::paths::resolve(cwd, arg))
}

/// `name` looked up in the search path, as `<name>` is.
pub fn find_file(eval: &mut Evaluation, name: &str) -> Result<PathBuf, Error> {
    call_builtin(eval, "builtins.findFile builtins.nixPath", name)
}

/// `channel:NAME` as its tarball's URL; other URLs as they are; `None` for
/// anything that is not a URL C++ Nix downloads.
fn pseudo_url(arg: &str) -> Option<String> {
    if let Some(name) = arg.strip_prefix("channel:") {
        return Some(format!("https://nixos.org/channels/{name}/nixexprs.tar.xz"));
    }
    let (scheme, _) = arg.split_once("://")?;
    matches!(
        scheme,
        "http" | "https" | "file" | "channel" | "git" | "s3" | "ssh"
    )
    .then(|| arg.to_string())
}

/// The path `function arg` evaluates to (a path, or a string naming one).
fn call_builtin(eval: &mut Evaluation, function: &str, arg: &str) -> Result<PathBuf, Error> {
    let f = eval.eval_source("«command line»", function, Path::new("/"))?;
    // The error as C++ Nix gives it here: the message, without a builtin's frame.
    let r = eval
        .call(f, Value::string(arg))
        .and_then(|r| eval.force(r))
        .map_err(|e| Error::msg(e.message()))?;
    match r {
        Value::Path(p) => Ok(p.as_ref().clone()),
        Value::String(s) => Ok(PathBuf::from(s.to_string())),
        other => Err(Error::msg(format!(
            "{function} returned {} instead of a path",
            other.type_description()
        ))),
    }
}
