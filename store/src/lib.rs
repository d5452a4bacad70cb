//! The local store of Nixie: store objects kept as files under a physical root
//! directory (`ROOT/nix/store/…` for the logical store dir `/nix/store`, as C++ Nix's
//! `local?root=ROOT`), with the valid paths and their references recorded in a
//! SQLite database laid out as C++ Nix's (`ROOT/nix/var/nix/db/db.sqlite`).
//!
//! Objects arrive finished (path and NAR computed by the evaluator). Each is
//! unpacked under a temporary name and renamed into place while holding a lock on
//! the path, then registered; two evaluations adding the same path at once both
//! succeed, and a failure leaves nothing behind. [`StoreIo`] shows the evaluator the
//! store at its logical location.

#![deny(missing_docs)]

mod db;
mod io;
mod restore;

pub use io::StoreIo;
use nixie_eval::store::{Store, StoreError, StoreObject};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// A store on the local file system.
pub struct LocalStore {
    root: PathBuf,
    store_dir: String,
    physical: PathBuf,
    writable: bool,
    db: RefCell<Option<db::Db>>,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError(format!("{what} '{}': {e}", path.display()))
}

impl LocalStore {
    /// A store under the physical `root` for the logical `store_dir`. Nothing on disk
    /// is touched until the first write; a store that is not `writable` computes
    /// paths and keeps nothing (`--readonly-mode`).
    pub fn new(root: impl Into<PathBuf>, store_dir: impl Into<String>, writable: bool) -> Self {
        let root = root.into();
        let store_dir = store_dir.into();
        let physical = root.join(store_dir.trim_start_matches('/'));
        LocalStore {
            root,
            store_dir,
            physical,
            writable,
            db: RefCell::new(None),
        }
    }

    /// The per-user root used when none is given: `$XDG_DATA_HOME/nixie`, or
    /// `~/.local/share/nixie`.
    pub fn default_root() -> PathBuf {
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        data.join("nixie")
    }

    /// The physical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the logical store directory lives on disk.
    pub fn physical_store_dir(&self) -> &Path {
        &self.physical
    }

    fn db_file(&self) -> PathBuf {
        self.root.join("nix/var/nix/db/db.sqlite")
    }

    /// Run `f` on the database, opening it first; `None` when there is none to read.
    fn with_db<T>(
        &self,
        f: impl FnOnce(&mut db::Db) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut slot = self.db.borrow_mut();
        if slot.is_none() {
            let file = self.db_file();
            if self.writable {
                let dir = file.parent().expect("the database file is inside the root");
                std::fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, e))?;
            } else if !file.exists() {
                return Ok(None);
            }
            *slot = Some(db::Db::open(&file, self.writable)?);
        }
        let db = slot.as_mut().expect("the database was opened above");
        f(db).map(Some)
    }

    fn physical_of(&self, path: &str) -> Result<PathBuf, StoreError> {
        let base = path
            .strip_prefix(self.store_dir.as_str())
            .and_then(|b| b.strip_prefix('/'))
            .filter(|b| !b.is_empty() && !b.contains('/'))
            .ok_or_else(|| StoreError(format!("path '{path}' is not in the Nix store")))?;
        Ok(self.physical.join(base))
    }

    /// Unpack and register `obj`, holding the path's lock.
    fn add_locked(&self, obj: &StoreObject<'_>, dest: &Path) -> Result<(), StoreError> {
        if self.is_valid(obj.path)? {
            return Ok(());
        }
        // Left over from an interrupted addition: not registered, so not valid.
        if std::fs::symlink_metadata(dest).is_ok() {
            remove_tree(dest).map_err(|e| io_error("deleting", dest, e))?;
        }
        let tmp = temp_name(&self.physical, dest);
        let unpacked = restore::restore(obj.nar, &tmp)
            .and_then(|()| restore::seal(&tmp))
            .and_then(|()| std::fs::rename(&tmp, dest));
        if let Err(e) = unpacked {
            let _ = remove_tree(&tmp);
            return Err(io_error("adding", dest, e));
        }
        let reg = db::Registration {
            path: obj.path,
            nar_hash: nar_hash(obj.nar),
            nar_size: obj.nar.len() as u64,
            references: obj.references,
            ca: &obj.ca,
        };
        self.with_db(|db| db.register(&reg)).map(|_| ())
    }
}

/// `sha256:<base16>` of a NAR, as the database records it.
fn nar_hash(nar: &[u8]) -> String {
    let d = nixie_eval::hash::digest(b"sha256", nar).expect("sha256 is a known algorithm");
    format!("sha256:{}", nixie_eval::encoding::hex(&d))
}

/// A fresh temporary name next to `dest`, in the same directory (so the final
/// rename is atomic).
fn temp_name(dir: &Path, dest: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let base = dest
        .file_name()
        .map(|b| b.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".tmp-{}-{n}-{base}", std::process::id()))
}

/// Delete a tree, making its read-only directories writable first.
fn remove_tree(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(p)?;
    if !meta.is_dir() {
        return std::fs::remove_file(p);
    }
    let mut todo = vec![p.to_path_buf()];
    while let Some(d) = todo.pop() {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))?;
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                todo.push(e.path());
            }
        }
    }
    std::fs::remove_dir_all(p)
}

impl Store for LocalStore {
    fn store_dir(&self) -> &str {
        &self.store_dir
    }

    fn is_writable(&self) -> bool {
        self.writable
    }

    fn add(&self, obj: &StoreObject<'_>) -> Result<(), StoreError> {
        if !self.writable {
            return Ok(());
        }
        let dest = self.physical_of(obj.path)?;
        std::fs::create_dir_all(&self.physical)
            .map_err(|e| io_error("creating", &self.physical, e))?;
        let mut lock_path = dest.clone().into_os_string();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("opening lock", &lock_path, e))?;
        lock.lock()
            .map_err(|e| io_error("locking", &lock_path, e))?;
        let result = self.add_locked(obj, &dest);
        let _ = std::fs::remove_file(&lock_path);
        drop(lock);
        result
    }

    fn is_valid(&self, path: &str) -> Result<bool, StoreError> {
        Ok(self.with_db(|db| db.is_valid(path))?.unwrap_or(false))
    }

    fn references(
        &self,
        path: &str,
    ) -> Result<Option<std::collections::BTreeSet<String>>, StoreError> {
        Ok(self.with_db(|db| db.references(path))?.flatten())
    }

    fn physical_path(&self, logical: &Path) -> Option<PathBuf> {
        let rest = logical.strip_prefix(&self.store_dir).ok()?;
        Some(self.physical.join(rest))
    }
}

#[cfg(test)]
mod tests;
