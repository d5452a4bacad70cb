//! Ingestion: turning a file or tree on disk (or text in memory) into a store
//! object, computing its path as Nix does and handing it to the [`Store`] when the
//! store keeps anything.

use super::nar::{dump_path, nar_of_file, HashingSink, NarFilter};
use super::path::{fixed_output_path, source_path, text_path, FileIngestion};
use super::{Store, StoreObject};
use crate::encoding::base32;
use crate::errors::ErrorKind;
use crate::io::{FileKind, Io};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;

/// What ingesting a path produced: the store path and the SHA-256 Nix checks an
/// expected hash against (of the file for `Flat`, of the NAR for `Recursive`).
pub struct Ingested {
    /// The store path.
    pub path: String,
    /// The SHA-256 under the ingestion method.
    pub sha256: [u8; 32],
}

fn io_error(src: &Path, e: std::io::Error) -> ErrorKind {
    match e.kind() {
        // The serialiser's own message (an unsupported file type).
        std::io::ErrorKind::Other => ErrorKind::Io(e.to_string()),
        _ => ErrorKind::Io(crate::purity::describe_io_error(
            "getting status of",
            src,
            &e,
        )),
    }
}

/// Ingest `src` as `name` by `method`, leaving out entries `filter` rejects; the
/// object is handed to the store only when `write` (else only its path is computed).
pub fn add_path(
    io: &dyn Io,
    store: &dyn Store,
    src: &Path,
    name: &str,
    method: FileIngestion,
    filter: Option<NarFilter<'_>>,
    write: bool,
) -> Result<Ingested, ErrorKind> {
    let dir = store.store_dir();
    let write = write && store.is_writable();
    match method {
        FileIngestion::Flat => {
            match io.file_kind(src).map_err(|e| io_error(src, e))? {
                FileKind::Regular { .. } => {}
                _ => {
                    return Err(ErrorKind::Other(format!(
                        "file '{}' is not a regular file; cannot be ingested as a flat file",
                        src.display()
                    )))
                }
            }
            let contents = io.read_file(src).map_err(|e| io_error(src, e))?;
            let sha256: [u8; 32] = Sha256::digest(&contents).into();
            let path = fixed_output_path(name, method, "sha256", &sha256, dir);
            if write {
                // A flat object is its bytes: the execute bit is not kept.
                let nar = nar_of_file(&contents, false);
                let ca = format!("fixed:sha256:{}", base32(&sha256));
                keep(store, &path, &nar, &BTreeSet::new(), ca)?;
            }
            Ok(Ingested { path, sha256 })
        }
        FileIngestion::Recursive if write => {
            let mut nar = Vec::new();
            dump_path(io, src, filter, &mut nar).map_err(|e| io_error(src, e))?;
            let sha256: [u8; 32] = Sha256::digest(&nar).into();
            let path = source_path(name, &sha256, &BTreeSet::new(), dir);
            let ca = format!("fixed:r:sha256:{}", base32(&sha256));
            keep(store, &path, &nar, &BTreeSet::new(), ca)?;
            Ok(Ingested { path, sha256 })
        }
        FileIngestion::Recursive => {
            let mut sink = HashingSink {
                hasher: Sha256::new(),
                len: 0,
            };
            dump_path(io, src, filter, &mut sink).map_err(|e| io_error(src, e))?;
            let sha256: [u8; 32] = sink.hasher.finalize().into();
            let path = source_path(name, &sha256, &BTreeSet::new(), dir);
            Ok(Ingested { path, sha256 })
        }
    }
}

/// Ingest a text file (`builtins.toFile`, a `.drv`) with the given references
/// (handed to the store only when `write`).
pub fn add_text(
    store: &dyn Store,
    name: &str,
    contents: &[u8],
    references: &BTreeSet<String>,
    write: bool,
) -> Result<String, ErrorKind> {
    let path = text_path(name, contents, references, store.store_dir());
    if write && store.is_writable() {
        let nar = nar_of_file(contents, false);
        let ca = format!("text:sha256:{}", base32(&Sha256::digest(contents)));
        keep(store, &path, &nar, references, ca)?;
    }
    Ok(path)
}

fn keep(
    store: &dyn Store,
    path: &str,
    nar: &[u8],
    references: &BTreeSet<String>,
    ca: String,
) -> Result<(), ErrorKind> {
    store
        .add(&StoreObject {
            path,
            nar,
            references,
            ca,
        })
        .map_err(ErrorKind::from)
}
