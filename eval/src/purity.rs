//! Pure and restricted evaluation: an [`Io`] that lets through only the allowed
//! paths (the search path in restricted mode, and the store paths the evaluation
//! makes), refusing everything else with C++ Nix's "access to absolute path '…' is
//! forbidden …" message. Ancestors of allowed paths can be looked at, and a
//! directory listing shows only allowed entries and ancestors of allowed ones.

use crate::io::{FileKind, Io};
use std::cell::RefCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The refusal carried inside an `std::io::Error`.
#[derive(Debug)]
struct Forbidden(String);

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Forbidden {}

/// The message of an IO error as Nix words it: a refusal by pure or restricted
/// mode as it is, anything else as `<action> '<path>': <reason>`.
pub fn describe_io_error(action: &str, path: &Path, e: &std::io::Error) -> String {
    match e.get_ref().and_then(|i| i.downcast_ref::<Forbidden>()) {
        Some(f) => f.0.clone(),
        None => format!(
            "{action} '{}': {}",
            path.display(),
            crate::lang_builtins::io_msg(e)
        ),
    }
}

/// Whether an IO error is a refusal by pure or restricted mode.
pub fn is_forbidden(e: &std::io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<Forbidden>())
}

/// The paths an evaluation may reach, shared between its IO and its host.
#[derive(Clone, Default)]
pub(crate) struct AllowList(Rc<RefCell<Vec<PathBuf>>>);

impl AllowList {
    /// Allow `p` and everything below it.
    pub(crate) fn allow(&self, p: &Path) {
        let mut list = self.0.borrow_mut();
        list.push(p.to_path_buf());
        if let Ok(real) = std::fs::canonicalize(p) {
            if real != p {
                list.push(real);
            }
        }
    }

    fn covers(&self, p: &Path) -> bool {
        self.0.borrow().iter().any(|a| p.starts_with(a))
    }

    fn is_ancestor(&self, p: &Path) -> bool {
        self.0.borrow().iter().any(|a| a.starts_with(p))
    }
}

/// An [`Io`] that refuses paths outside its [`AllowList`].
pub(crate) struct RestrictedIo {
    inner: Rc<dyn Io>,
    allowed: AllowList,
    pure: bool,
}

impl RestrictedIo {
    pub(crate) fn new(inner: Rc<dyn Io>, allowed: AllowList, pure: bool) -> RestrictedIo {
        RestrictedIo {
            inner,
            allowed,
            pure,
        }
    }

    fn refusal(&self, p: &Path) -> std::io::Error {
        let mode = if self.pure {
            "in pure evaluation mode (use '--impure' to override)"
        } else {
            "in restricted mode"
        };
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            Forbidden(format!(
                "access to absolute path '{}' is forbidden {mode}",
                p.display()
            )),
        )
    }

    /// Whether `p` (and, following symlinks, where it really is) is allowed.
    fn check(&self, p: &Path) -> std::io::Result<()> {
        let real = std::fs::canonicalize(p).ok();
        let ok = self.allowed.covers(p) && real.as_ref().is_none_or(|r| self.allowed.covers(r));
        if ok {
            Ok(())
        } else {
            Err(self.refusal(p))
        }
    }

    /// As [`RestrictedIo::check`], but ancestors of allowed paths pass too.
    fn check_visible(&self, p: &Path) -> std::io::Result<()> {
        if self.allowed.is_ancestor(p) {
            return Ok(());
        }
        self.check(p)
    }
}

impl Io for RestrictedIo {
    fn file_kind(&self, path: &Path) -> std::io::Result<FileKind> {
        self.check_visible(path)?;
        self.inner.file_kind(path)
    }
    fn read_dir_names(&self, path: &Path) -> std::io::Result<Vec<OsString>> {
        self.check_visible(path)?;
        let names = self.inner.read_dir_names(path)?;
        if self.allowed.covers(path) {
            return Ok(names);
        }
        Ok(names
            .into_iter()
            .filter(|n| self.check_visible(&path.join(n)).is_ok())
            .collect())
    }
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
        self.check(path)?;
        self.inner.read_link(path)
    }
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.check(path)?;
        self.inner.read_file(path)
    }
    fn path_exists(&self, path: &Path) -> bool {
        self.check_visible(path).is_ok() && self.inner.path_exists(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.check_visible(path).is_ok() && self.inner.is_dir(path)
    }
    fn current_dir(&self) -> PathBuf {
        self.inner.current_dir()
    }
    fn env_var(&self, _: &str) -> Option<String> {
        None
    }
}
