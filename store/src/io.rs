//! [`StoreIo`]: the evaluator's view of the file system with the store at its
//! logical location, so that `/nix/store/…-x/file` reads `ROOT/nix/store/…-x/file`.

use nixie_eval::io::{FileKind, Io};
use nixie_eval::store::Store;
use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// An [`Io`] that maps logical store paths to where a store keeps them, and passes
/// everything else (and store paths the store does not have) through.
pub struct StoreIo {
    inner: Rc<dyn Io>,
    store: Rc<dyn Store>,
}

impl StoreIo {
    /// Show `store` at its logical location on top of `inner`.
    pub fn new(inner: Rc<dyn Io>, store: Rc<dyn Store>) -> StoreIo {
        StoreIo { inner, store }
    }

    fn map<'a>(&self, p: &'a Path) -> Cow<'a, Path> {
        match self.store.physical_path(p) {
            Some(phys) if phys != p && self.inner.path_exists(&phys) => Cow::Owned(phys),
            _ => Cow::Borrowed(p),
        }
    }
}

impl Io for StoreIo {
    fn file_kind(&self, path: &Path) -> std::io::Result<FileKind> {
        self.inner.file_kind(&self.map(path))
    }
    fn read_dir_names(&self, path: &Path) -> std::io::Result<Vec<OsString>> {
        self.inner.read_dir_names(&self.map(path))
    }
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
        self.inner.read_link(&self.map(path))
    }
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.inner.read_file(&self.map(path))
    }
    fn path_exists(&self, path: &Path) -> bool {
        self.inner.path_exists(&self.map(path))
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(&self.map(path))
    }
    fn current_dir(&self) -> PathBuf {
        self.inner.current_dir()
    }
    fn env_var(&self, name: &str) -> Option<String> {
        self.inner.env_var(name)
    }
}
