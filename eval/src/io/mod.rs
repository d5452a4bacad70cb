//! The IO boundary: every file-system and environment access of the evaluator
//! goes through [`Io`], so an embedder can sandbox or virtualise it.

mod memory;

pub use memory::MemoryIo;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What a path is, for NAR serialisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    Regular {
        /// Whether any execute bit is set.
        executable: bool,
    },
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// Anything else: a FIFO, a socket, a device.
    Other,
}

impl FileKind {
    /// The name Nix gives the kind (`readDir`, `readFileType`, path filters):
    /// "regular", "directory", "symlink" or "unknown".
    pub fn nix_name(self) -> &'static str {
        match self {
            FileKind::Regular { .. } => "regular",
            FileKind::Directory => "directory",
            FileKind::Symlink => "symlink",
            FileKind::Other => "unknown",
        }
    }
}

/// File-system and environment access used by the evaluator.
pub trait Io {
    /// What the path is (without following a final symlink).
    fn file_kind(&self, path: &Path) -> std::io::Result<FileKind>;
    /// The names in a directory, byte for byte.
    fn read_dir_names(&self, path: &Path) -> std::io::Result<Vec<OsString>>;
    /// The target of a symbolic link.
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf>;
    /// Read a whole file.
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// Whether a path exists (a dangling symbolic link exists).
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
    fn file_kind(&self, path: &Path) -> std::io::Result<FileKind> {
        let m = std::fs::symlink_metadata(path)?;
        let t = m.file_type();
        Ok(if t.is_symlink() {
            FileKind::Symlink
        } else if t.is_dir() {
            FileKind::Directory
        } else if !t.is_file() {
            FileKind::Other
        } else {
            use std::os::unix::fs::PermissionsExt;
            FileKind::Regular {
                executable: m.permissions().mode() & 0o111 != 0,
            }
        })
    }
    fn read_dir_names(&self, path: &Path) -> std::io::Result<Vec<OsString>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.file_name()))
            .collect()
    }
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
        std::fs::read_link(path)
    }
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn path_exists(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok()
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

fn denied(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!("access to '{}' is not allowed", path.display()),
    )
}

impl Io for NoIo {
    fn file_kind(&self, path: &Path) -> std::io::Result<FileKind> {
        Err(denied(path))
    }
    fn read_dir_names(&self, path: &Path) -> std::io::Result<Vec<OsString>> {
        Err(denied(path))
    }
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
        Err(denied(path))
    }
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
