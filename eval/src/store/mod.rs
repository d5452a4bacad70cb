//! The store: how Nix names objects (store paths computed from hashes, exactly as
//! C++ Nix computes them), the NAR serialisation they are hashed and kept in, and
//! [`Store`], the interface to a place that keeps them. The evaluator computes every
//! path itself and hands the store finished objects; a store only records them.
//! [`DummyStore`] keeps nothing (paths are still computed), for embedders without
//! a store and for read-only evaluation.

mod ingest;
mod nar;
mod path;

pub use crate::encoding::{base32, hex};
pub use ingest::{add_path, add_text, Ingested};
pub use nar::{dump_path, nar_of_file, nar_sha256, NarFilter};
pub use path::{
    fixed_output_path, is_store_path, make_store_path, source_path, text_path, validate_name,
    FileIngestion,
};
use std::collections::BTreeSet;

/// A failure of the store itself (a disk error, a corrupt database), as a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<StoreError> for crate::ErrorKind {
    fn from(e: StoreError) -> Self {
        crate::ErrorKind::Other(e.0)
    }
}

/// A finished store object for [`Store::add`]: its path (already computed from its
/// contents), its NAR serialisation, what it refers to and how it is addressed.
pub struct StoreObject<'a> {
    /// The store path, e.g. `/nix/store/…-name`.
    pub path: &'a str,
    /// The NAR serialisation of the contents.
    pub nar: &'a [u8],
    /// Store paths the contents refer to.
    pub references: &'a BTreeSet<String>,
    /// The content address as Nix records it (`text:sha256:…`, `fixed:r:sha256:…`).
    pub ca: String,
}

/// A place that keeps store objects.
pub trait Store {
    /// The logical store directory paths are computed in (usually `/nix/store`).
    fn store_dir(&self) -> &str;
    /// Whether [`Store::add`] keeps anything; when false, the evaluator computes paths
    /// without serialising contents.
    fn is_writable(&self) -> bool;
    /// Keep an object (a no-op if its path is already valid). Must be atomic: after
    /// a failure nothing of the object is visible.
    fn add(&self, obj: &StoreObject<'_>) -> Result<(), StoreError>;
    /// Whether a path is valid (present and registered).
    fn is_valid(&self, path: &str) -> Result<bool, StoreError>;
    /// The references of a valid path (`None` if the store does not have it).
    fn references(&self, path: &str) -> Result<Option<BTreeSet<String>>, StoreError>;
    /// Where a file in the store lives on disk, if it lives anywhere: the logical
    /// path with the store's root prefixed.
    fn physical_path(&self, logical: &std::path::Path) -> Option<std::path::PathBuf>;
}

/// A store that keeps nothing: paths are computed, never written, never valid.
pub struct DummyStore {
    store_dir: String,
}

impl DummyStore {
    /// A dummy store with the given logical store directory.
    pub fn new(store_dir: impl Into<String>) -> DummyStore {
        DummyStore {
            store_dir: store_dir.into(),
        }
    }
}

impl Default for DummyStore {
    fn default() -> Self {
        DummyStore::new("/nix/store")
    }
}

impl Store for DummyStore {
    fn store_dir(&self) -> &str {
        &self.store_dir
    }
    fn is_writable(&self) -> bool {
        false
    }
    fn add(&self, _: &StoreObject<'_>) -> Result<(), StoreError> {
        Ok(())
    }
    fn is_valid(&self, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn references(&self, _: &str) -> Result<Option<BTreeSet<String>>, StoreError> {
        Ok(None)
    }
    fn physical_path(&self, _: &std::path::Path) -> Option<std::path::PathBuf> {
        None
    }
}
