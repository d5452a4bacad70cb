//! The host: everything an evaluation is embedded in, apart from the machine
//! that runs it. IO, the store paths already computed, the search path, the import
//! cache, where warnings go, each pack instance's state and the settings. The VM
//! borrows it briefly; builtins reach it through [`crate::Ctx`] and [`crate::Co`].

use crate::errors::ErrorKind;
use crate::io::Io;
use crate::settings::Settings;
use crate::store::{FileIngestion, Store};
use crate::value::{NixContext, NixString, Value};
use rustc_hash::FxHashMap;
use std::any::Any;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Where warnings and traces go (rendered text, with a final newline).
pub type WarningSink = Rc<dyn Fn(&str)>;

/// The host state of one evaluation.
pub(crate) struct Host {
    pub(crate) io: Rc<dyn Io>,
    /// Where store objects are kept.
    pub(crate) store: Rc<dyn Store>,
    /// References of the text objects this evaluation made (the store may keep
    /// nothing, so they are remembered here for closures).
    pub(crate) made_refs: FxHashMap<String, std::collections::BTreeSet<String>>,
    /// Store paths of paths already copied to the store.
    pub(crate) store_paths: FxHashMap<PathBuf, NixString>,
    /// `-I` / `NIX_PATH` entries: (prefix, path), searched in order.
    pub(crate) search_path: Vec<(String, String)>,
    /// Files already imported, by resolved path.
    pub(crate) import_cache: FxHashMap<PathBuf, Value>,
    pub(crate) warning_sink: WarningSink,
    /// The state of each registered pack instance, by pack id.
    pub(crate) states: Vec<Option<Rc<dyn Any>>>,
    pub(crate) settings: Settings,
    /// The IO without pure or restricted mode's refusals, for ingesting what
    /// fetchers download into their own temporary directories.
    pub(crate) unrestricted_io: Rc<dyn Io>,
    /// In pure or restricted mode, the paths the evaluation may reach.
    pub(crate) allowed: Option<crate::purity::AllowList>,
}

impl Host {
    pub(crate) fn new(io: Rc<dyn Io>, store: Rc<dyn Store>) -> Host {
        Host {
            unrestricted_io: io.clone(),
            io,
            store,
            made_refs: FxHashMap::default(),
            store_paths: FxHashMap::default(),
            search_path: Vec::new(),
            import_cache: FxHashMap::default(),
            warning_sink: Rc::new(|w: &str| eprint!("{w}")),
            states: Vec::new(),
            settings: Settings::default(),
            allowed: None,
        }
    }

    /// The logical store directory.
    pub(crate) fn store_dir(&self) -> String {
        self.store.store_dir().to_string()
    }

    /// Copy a path to the store (as interpolation does), once per path; the result
    /// is the store path as a string whose context is that store path.
    pub(crate) fn copy_to_store(&mut self, path: &Path) -> Result<NixString, ErrorKind> {
        if let Some(s) = self.store_paths.get(path) {
            return Ok(s.clone());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let added = crate::store::add_path(
            &*self.io,
            &*self.store,
            path,
            &name,
            FileIngestion::Recursive,
            None,
            !self.settings.read_only,
        )?;
        self.allow(&added.path);
        let s = store_path_string(added.path);
        self.store_paths.insert(path.to_path_buf(), s.clone());
        Ok(s)
    }

    /// The message for failing to read `path`: Nix's "path '…' is not valid" when
    /// it lies in a store path the store does not have, else the IO error's.
    pub(crate) fn io_error_message(&self, action: &str, path: &Path, e: &std::io::Error) -> String {
        if e.kind() == std::io::ErrorKind::NotFound {
            let dir = self.store.store_dir();
            if let Ok(rest) = path.strip_prefix(dir) {
                if let Some(top) = rest.components().next() {
                    let top = format!("{dir}/{}", top.as_os_str().to_string_lossy());
                    if crate::store::is_store_path(&top, dir)
                        && !self.store.is_valid(&top).unwrap_or(false)
                    {
                        return format!("path '{top}' is not valid");
                    }
                }
            }
        }
        crate::purity::describe_io_error(action, path, e)
    }

    /// Let a store path this evaluation made be read in pure or restricted mode.
    pub(crate) fn allow(&self, path: &str) {
        if let Some(a) = &self.allowed {
            a.allow(Path::new(path));
        }
    }

    /// The references of a store path, as this evaluation or the store knows them.
    pub(crate) fn references(
        &self,
        path: &str,
    ) -> Result<Option<std::collections::BTreeSet<String>>, ErrorKind> {
        match self.made_refs.get(path) {
            Some(r) => Ok(Some(r.clone())),
            None => Ok(self.store.references(path)?),
        }
    }

    /// The closure of `path` under references: itself and everything it refers to,
    /// directly or not, as far as this evaluation or the store knows.
    pub(crate) fn closure(
        &self,
        path: &str,
    ) -> Result<std::collections::BTreeSet<String>, ErrorKind> {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![path.to_string()];
        while let Some(p) = todo.pop() {
            if !seen.insert(p.clone()) {
                continue;
            }
            let refs = self.references(&p)?;
            todo.extend(refs.into_iter().flatten().filter(|r| !seen.contains(r)));
        }
        Ok(seen)
    }

    /// Resolve a `<name/rest>` search path.
    pub(crate) fn find_search_path(&self, name: &str) -> Result<PathBuf, ErrorKind> {
        resolve_search_path(&self.search_path, name, &*self.io, self.settings.pure_eval)
    }
}

/// Resolve `name` (`<name/rest>`) against search path entries (prefix, path), in
/// order: the first that exists wins, as `builtins.findFile` does.
pub(crate) fn resolve_search_path(
    entries: &[(String, String)],
    name: &str,
    io: &dyn Io,
    pure: bool,
) -> Result<PathBuf, ErrorKind> {
    for (prefix, dir) in entries {
        let cand = if prefix.is_empty() {
            format!("{dir}/{name}")
        } else if name == prefix {
            dir.clone()
        } else if let Some(rest) = name
            .strip_prefix(prefix.as_str())
            .and_then(|r| r.strip_prefix('/'))
        {
            format!("{dir}/{rest}")
        } else {
            continue;
        };
        let p = PathBuf::from(crate::paths::normalise(&if cand.starts_with('/') {
            cand
        } else {
            format!("{}/{}", io.current_dir().to_string_lossy(), cand)
        }));
        if io.path_exists(&p) {
            return Ok(p);
        }
    }
    if let Some(p) = crate::corepkgs::lookup(name) {
        return Ok(p);
    }
    // C++ Nix raises this as a catchable error (`tryEval` sees it).
    Err(ErrorKind::Throw(if pure {
        format!("cannot look up '<{name}>' in pure evaluation mode (use '--impure' to override)")
    } else {
        format!("file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)")
    }))
}

/// A store path as a string whose context is that path.
pub(crate) fn store_path_string(path: String) -> NixString {
    let mut ctx = NixContext::new();
    ctx.insert(crate::value::ContextElem::opaque(&path));
    NixString::with_context(path.into_bytes(), ctx)
}
