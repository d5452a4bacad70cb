//! Copying file system trees into the store: `builtins.path`, `filterSource`, and
//! `storePath` (a path already in the store, taken as it is).

use nixie_eval::builtins;

#[builtins(name = "impure-store")]
pub mod defs {
    use nixie_eval::io::FileKind;
    use nixie_eval::prelude::*;
    use nixie_eval::store::FileIngestion;
    use nixie_eval::value::{ContextElem, NixContext};
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    /// `p` with every symlink in it resolved, through the evaluation's IO (as
    /// current Nix resolves the path `builtins.path` and `filterSource` copy).
    fn resolve_symlinks(cx: &mut Ctx, p: &Path) -> Result<PathBuf, Error> {
        let mut todo = nixie_eval::paths::names_reversed(p);
        let mut at = PathBuf::from("/");
        let mut links = 0;
        while let Some(c) = todo.pop() {
            if c == ".." {
                at.pop();
                continue;
            }
            let next = at.join(&c);
            if !matches!(cx.io().file_kind(&next), Ok(FileKind::Symlink)) {
                at = next;
                continue;
            }
            links += 1;
            if links > 1024 {
                return Err(Error::msg(format!(
                    "infinite symlink recursion in path '{}'",
                    p.display()
                )));
            }
            let target = cx.io().read_link(&next).map_err(|e| {
                Error::msg(nixie_eval::describe_io_error("reading symlink", &next, &e))
            })?;
            if target.is_absolute() {
                at = PathBuf::from("/");
            }
            todo.extend(nixie_eval::paths::names_reversed(&target));
        }
        Ok(at)
    }

    /// The names in `dir` in NAR order, or `None` when it is not a directory.
    fn listing(co: &mut Co, dir: &Path) -> Result<Option<Vec<std::ffi::OsString>>, Error> {
        let listed = co.ctx(|cx| {
            let io = cx.io();
            match io.file_kind(dir) {
                Ok(FileKind::Directory) => io.read_dir_names(dir).map(Some),
                _ => Ok(None),
            }
        });
        let mut names = listed
            .map_err(|e| Error::msg(nixie_eval::describe_io_error("reading directory", dir, &e)))?;
        if let Some(n) = names.as_mut() {
            n.sort();
        }
        Ok(names)
    }

    /// Run the filter over the tree at `root` in the order Nix serialises it (depth
    /// first, names sorted) and return the entries it rejected (their insides are
    /// not visited).
    async fn rejected_by(
        co: &mut Co,
        filter: Value,
        root: &Path,
    ) -> Result<HashSet<PathBuf>, Error> {
        let mut rejected = HashSet::new();
        let Some(names) = listing(co, root)? else {
            return Ok(rejected);
        };
        // Open directories: their path and the names still to visit (reversed).
        let mut stack = vec![(
            root.to_path_buf(),
            names.into_iter().rev().collect::<Vec<_>>(),
        )];
        while let Some((dir, todo)) = stack.last_mut() {
            let Some(name) = todo.pop() else {
                stack.pop();
                continue;
            };
            let p = dir.join(name);
            let kind = co
                .ctx(|cx| cx.io().file_kind(&p))
                .map(FileKind::nix_name)
                .unwrap_or("unknown");
            let args = vec![
                Value::string(p.to_string_lossy().as_ref()),
                Value::string(kind),
            ];
            match co.call(filter.clone(), args).await {
                Value::Bool(true) if kind == "directory" => {
                    let names = listing(co, &p)?.unwrap_or_default();
                    stack.push((p, names.into_iter().rev().collect()));
                }
                Value::Bool(true) => {}
                Value::Bool(false) => {
                    rejected.insert(p);
                }
                other => {
                    return Err(
                        Error::from(nixie_eval::convert::type_error("a Boolean", &other)).context(
                            "while evaluating the return value of the path filter function",
                        ),
                    )
                }
            }
        }
        Ok(rejected)
    }

    /// Ingest `src` with the filter's verdicts and the expected hash checked.
    async fn add(
        co: &mut Co,
        src: PathBuf,
        name: String,
        method: FileIngestion,
        filter: Option<Value>,
        expected: Option<Vec<u8>>,
    ) -> Result<Value, Error> {
        nixie_eval::store::validate_name(&name).map_err(Error::msg)?;
        let src = co.ctx(|cx| resolve_symlinks(cx, &src))?;
        let rejected = match filter {
            Some(f) => {
                let adding = format!("while adding path '{}'", src.display());
                co.set_context(vec![TraceFrame::new(adding.clone(), None)]);
                let r = rejected_by(co, f, &src).await;
                co.clear_context();
                Some(r.map_err(|e| e.context(adding))?)
            }
            None => None,
        };
        let keep = |p: &Path| rejected.as_ref().is_none_or(|r| !r.contains(p));
        let (path, sha256) = co.ctx(|cx| {
            cx.add_path(
                &src,
                &name,
                method,
                rejected.as_ref().map(|_| &keep as &dyn Fn(&Path) -> bool),
            )
        })?;
        if let Some(want) = expected {
            if want != sha256 {
                return Err(Error::msg(format!(
                    "store path mismatch in (possibly filtered) path added from '{}'",
                    src.display()
                )));
            }
        }
        Ok(Value::String(path))
    }

    /// The arguments `builtins.path` takes.
    #[derive(FromAttrs)]
    #[nix(unknown = "unsupported argument '{name}' to 'builtins.path'")]
    #[nix(missing = "missing required 'path' attribute in the first argument to 'builtins.path'")]
    pub struct PathArgs {
        path: Lazy<Value>,
        name: Option<NixString>,
        filter: Option<Lazy<Value>>,
        #[nix(default = "true")]
        recursive: bool,
        sha256: Option<NixString>,
    }

    /// `path { path; name ? <base name>; filter ? null; recursive ? true; sha256 ? null; }`:
    /// copy a path to the store, keeping the entries `filter path type` accepts;
    /// with `sha256` the result must have that hash.
    #[builtin("path")]
    async fn path(co: &mut Co, args: Value) -> Result<Value, Error> {
        let args: PathArgs = co.force_to(args).await?;
        let src = co
            .force_to::<AbsolutePath>(args.path.into_value())
            .await?
            .path;
        let name = match args.name {
            Some(n) if !n.as_bytes().is_empty() => {
                n.require_no_context()?;
                n.to_string()
            }
            _ => base_name(&src),
        };
        let method = if args.recursive {
            FileIngestion::Recursive
        } else {
            FileIngestion::Flat
        };
        let expected = match args.sha256 {
            Some(h) if !h.as_bytes().is_empty() => {
                h.require_no_context()?;
                Some(nixie_eval::hash::Hash::parse_any(&h.to_string(), Some("sha256"))?.digest)
            }
            _ => None,
        };
        let filter = match args.filter {
            Some(f) => Some(co.force(f.into_value()).await),
            None => None,
        };
        add(co, src, name, method, filter, expected).await
    }

    fn base_name(p: &Path) -> String {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// `filterSource filter path`: copy `path` to the store, keeping the entries
    /// for which `filter path type` is true.
    #[builtin("filterSource")]
    async fn filter_source(
        co: &mut Co,
        #[lazy] filter: Value,
        #[lazy] path: Value,
    ) -> Result<Value, Error> {
        let what = "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'";
        co.set_context(vec![TraceFrame::new(what, None)]);
        let src = co.force_to::<AbsolutePath>(path).await;
        co.clear_context();
        let src = src.map_err(|e| e.context(what))?;
        let src = src.path;
        let filter = co.force(filter).await;
        if !filter.is_function() {
            return Err(
                Error::from(nixie_eval::convert::type_error("a function", &filter))
                    .context("while evaluating the first argument passed to builtins.filterSource"),
            );
        }
        let name = base_name(&src);
        add(co, src, name, FileIngestion::Recursive, Some(filter), None).await
    }

    /// `storePath path`: a path that is already in the store, as a string whose
    /// context names it (not allowed in pure evaluation mode).
    #[builtin("storePath")]
    async fn store_path(co: &mut Co, path: Value) -> Result<Value, Error> {
        if co.ctx(|cx| cx.settings().pure_eval) {
            return Err(Error::msg(
                "'builtins.storePath' is not allowed in pure evaluation mode".to_string(),
            ));
        }
        let what = "while evaluating the first argument passed to 'builtins.storePath'";
        co.set_context(vec![TraceFrame::new(what, None)]);
        let p = co.force_to::<AbsolutePath>(path).await;
        co.clear_context();
        let p = p.map_err(|e| e.context(what))?.path;
        let text = p.to_string_lossy().into_owned();
        let store_dir = co.ctx(|cx| cx.store_dir());
        let in_store = text
            .strip_prefix(store_dir.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !r.is_empty());
        let Some(rest) = in_store else {
            return Err(Error::msg(format!("path '{text}' is not in the Nix store")));
        };
        let top = format!("{store_dir}/{}", rest.split('/').next().unwrap_or(rest));
        let (store, read_only) = co.ctx(|cx| (cx.store(), cx.settings().read_only));
        if !read_only && !store.is_valid(&top).map_err(ErrorKind::from)? {
            return Err(Error::msg(format!("path '{top}' is not valid")));
        }
        let mut ctx = NixContext::new();
        ctx.insert(ContextElem::opaque(&top));
        Ok(Value::String(NixString::with_context(
            text.into_bytes(),
            ctx,
        )))
    }
}

pub use defs::PACK;
