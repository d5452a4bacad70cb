//! The host: everything an evaluation is embedded in, apart from the machine
//! that runs it. IO, the store paths already computed, the search path, the import
//! cache, where warnings go, each pack instance's state and the settings. The VM
//! borrows it briefly; builtins reach it through [`crate::Ctx`] and [`crate::Co`].

use crate::errors::ErrorKind;
use crate::io::Io;
use crate::settings::Settings;
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
}

impl Host {
    pub(crate) fn new(io: Rc<dyn Io>) -> Host {
        Host {
            io,
            store_paths: FxHashMap::default(),
            search_path: Vec::new(),
            import_cache: FxHashMap::default(),
            warning_sink: Rc::new(|w: &str| eprint!("{w}")),
            states: Vec::new(),
            settings: Settings::default(),
        }
    }

    /// The store directory (`NIX_STORE_DIR`, default `/nix/store`).
    pub(crate) fn store_dir(&self) -> String {
        self.io
            .env_var("NIX_STORE_DIR")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/nix/store".into())
    }

    /// The store path a path gets when it is copied to the store (as interpolation
    /// does), as a string whose context is that store path.
    pub(crate) fn copy_to_store(&mut self, path: &Path) -> Result<NixString, ErrorKind> {
        if let Some(s) = self.store_paths.get(path) {
            return Ok(s.clone());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let hash = crate::store::nar_sha256(&*self.io, path).map_err(|e| match e.kind() {
            // The serialiser's own message (an unsupported file type).
            std::io::ErrorKind::Other => ErrorKind::Io(e.to_string()),
            _ => ErrorKind::Io(format!(
                "getting status of '{}': {}",
                path.display(),
                crate::lang_builtins::io_msg(&e)
            )),
        })?;
        let sp = crate::store::make_store_path("source", &hash, &name, &self.store_dir());
        let mut ctx = NixContext::new();
        ctx.insert(crate::value::ContextElem::opaque(&sp));
        let s = NixString::with_context(sp.into_bytes(), ctx);
        self.store_paths.insert(path.to_path_buf(), s.clone());
        Ok(s)
    }

    /// Resolve a `<name/rest>` search path.
    pub(crate) fn find_search_path(&self, name: &str) -> Result<PathBuf, ErrorKind> {
        resolve_search_path(&self.search_path, name, &*self.io)
    }
}

/// Resolve `name` (`<name/rest>`) against search path entries (prefix, path), in
/// order: the first that exists wins, as `builtins.findFile` does.
pub(crate) fn resolve_search_path(
    entries: &[(String, String)],
    name: &str,
    io: &dyn Io,
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
    // C++ Nix raises this as a catchable error (`tryEval` sees it).
    Err(ErrorKind::Throw(format!(
        "file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)"
    )))
}
