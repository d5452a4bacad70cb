//! The file system: `readFile`, `pathExists`, `readDir`, `readFileType`.

use nixie_eval::builtins;

#[builtins(name = "impure-fs")]
pub mod defs {
    use super::{does_not_exist, resolve_links};
    use nixie_eval::io::FileKind;
    use nixie_eval::prelude::*;
    use nixie_eval::value::{ContextElem, NixContext};

    /// The contents of a file as a string. A file in the store carries, as its
    /// context, those references of its store path that occur in it.
    #[builtin("readFile")]
    fn read_file(cx: &mut Ctx, p: AbsolutePath) -> Result<NixString, Error> {
        let p = p.path;
        let bytes = cx
            .io()
            .read_file(&p)
            .map_err(|e| cx.io_error("opening file", &p, &e))?;
        if bytes.contains(&0) {
            return Err(Error::msg(format!(
                "the contents of the file '{}' cannot be represented as a Nix string",
                p.display()
            )));
        }
        let context = store_references_in(cx, &p, &bytes)?;
        Ok(NixString::with_context(bytes, context))
    }

    /// The references of the store path `p` lies in that occur (by hash) in `text`.
    fn store_references_in(
        cx: &mut Ctx,
        p: &std::path::Path,
        text: &[u8],
    ) -> Result<NixContext, Error> {
        let mut context = NixContext::new();
        let store_dir = cx.store_dir();
        let Ok(rest) = p.strip_prefix(&store_dir) else {
            return Ok(context);
        };
        let Some(top) = rest.components().next() else {
            return Ok(context);
        };
        let top = format!("{store_dir}/{}", top.as_os_str().to_string_lossy());
        for r in cx.references(&top)?.into_iter().flatten() {
            let hash = r
                .strip_prefix(&store_dir)
                .map(|b| b.trim_start_matches('/'))
                .unwrap_or("");
            let hash = hash.get(..32).unwrap_or(hash).as_bytes();
            if !hash.is_empty() && text.windows(hash.len()).any(|w| w == hash) {
                context.insert(ContextElem::opaque(&r));
            }
        }
        Ok(context)
    }

    /// Whether a path exists.
    #[builtin("pathExists")]
    fn path_exists(
        cx: &mut Ctx,
        #[context = "while realising the context of a path"] p: AbsolutePath,
    ) -> Result<bool, ErrorKind> {
        if p.names_dir {
            return Ok(cx.io().is_dir(&p.path));
        }
        Ok(cx.io().path_exists(&p.path))
    }

    /// The entries of a directory: a set from names to "regular", "directory",
    /// "symlink" or "unknown".
    #[builtin("readDir")]
    fn read_dir(cx: &mut Ctx, p: AbsolutePath) -> Result<Value, Error> {
        let p = p.path;
        let names = match cx.io().read_dir_names(&p) {
            Ok(names) => names,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(does_not_exist(&p));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                let target = resolve_links(cx, &p);
                return Err(Error::msg(format!(
                    "'{}' is not a directory",
                    target.display()
                )));
            }
            Err(e) => return Err(cx.io_error("opening file", &p, &e)),
        };
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            let kind = cx
                .io()
                .file_kind(&p.join(&n))
                .map(FileKind::nix_name)
                .unwrap_or("unknown");
            out.push((
                NixString::from(std::os::unix::ffi::OsStrExt::as_bytes(n.as_os_str())),
                Value::string(kind),
            ));
        }
        Ok(Value::Attrs(Attrs::from_unsorted(out)))
    }

    /// `hashFile type path`: the hash of the file's contents in lower-case
    /// hexadecimal; `type` is "md5", "sha1", "sha256" or "sha512".
    #[builtin("hashFile")]
    fn hash_file(cx: &mut Ctx, algo: NixString, p: AbsolutePath) -> Result<String, Error> {
        algo.require_no_context()?;
        let p = p.path;
        let data = match cx.io().read_file(&p) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(does_not_exist(&p)),
            Err(e) => return Err(cx.io_error("opening file", &p, &e)),
        };
        Ok(nixie_eval::encoding::hex(&nixie_eval::hash::digest(
            algo.as_bytes(),
            &data,
        )?))
    }

    /// The type of a file: "regular", "directory", "symlink" or "unknown".
    #[builtin("readFileType")]
    fn read_file_type(cx: &mut Ctx, p: AbsolutePath) -> Result<&'static str, Error> {
        let p = p.path;
        cx.io()
            .file_kind(&p)
            .map(FileKind::nix_name)
            .map_err(|e| cx.io_error("opening file", &p, &e))
    }
}

/// C++ Nix's error for a path that is not there.
fn does_not_exist(p: &std::path::Path) -> nixie_eval::Error {
    nixie_eval::Error::msg(format!("path '{}' does not exist", p.display()))
}

/// `p` with symbolic links at its end followed (at most 40 of them).
fn resolve_links(cx: &mut nixie_eval::prelude::Ctx, p: &std::path::Path) -> std::path::PathBuf {
    let mut p = p.to_path_buf();
    for _ in 0..40 {
        if !matches!(cx.io().file_kind(&p), Ok(nixie_eval::io::FileKind::Symlink)) {
            break;
        }
        let Ok(target) = cx.io().read_link(&p) else {
            break;
        };
        let base = p.parent().map(|d| d.to_path_buf()).unwrap_or_default();
        p = nixie_eval::paths::normalise(&base.join(target).to_string_lossy()).into();
    }
    p
}

pub use defs::PACK;
