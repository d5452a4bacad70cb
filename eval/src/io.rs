//! The IO boundary: every file-system and environment access of the evaluator
//! goes through [`Io`], so an embedder can sandbox or virtualise it.

use std::path::{Path, PathBuf};

/// File-system and environment access used by the evaluator.
pub trait Io {
    /// Read a whole file.
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// Whether a path exists.
    fn path_exists(&self, path: &Path) -> bool;
    /// Whether a path is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// The working directory relative paths on the command line resolve against.
    fn current_dir(&self) -> PathBuf;
    /// An environment variable.
    fn env_var(&self, name: &str) -> Option<String>;
}

/// The real file system and environment.
pub struct StdIo;

impl Io for StdIo {
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn path_exists(&self, path: &Path) -> bool {
        path.exists()
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn current_dir(&self) -> PathBuf {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
    }
    fn env_var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// No file system at all: every read fails (for pure, sandboxed evaluation).
pub struct NoIo;

impl Io for NoIo {
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("access to '{}' is not allowed", path.display()),
        ))
    }
    fn path_exists(&self, _: &Path) -> bool {
        false
    }
    fn is_dir(&self, _: &Path) -> bool {
        false
    }
    fn current_dir(&self) -> PathBuf {
        PathBuf::from("/")
    }
    fn env_var(&self, _: &str) -> Option<String> {
        None
    }
}
