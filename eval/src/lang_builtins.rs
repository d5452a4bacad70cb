//! The builtins the language cannot run without: `import`, `throw`, `abort`,
//! `toString`, `tryEval`, and the constants `true`, `false`, `null`.

use crate::errors::{Error, ErrorKind};
use crate::value::{Thunk, ThunkState, Value};
use crate::vm::Vm;
use std::rc::Rc;

/// The builtins the language itself relies on.
#[crate::builtins(name = "language")]
pub(crate) mod lang {
    use crate::prelude::*;

    fn message(v: &Value) -> Result<String, ErrorKind> {
        match v {
            Value::String(s) => Ok(s.to_string()),
            other => Err(ErrorKind::Other(format!(
                "cannot coerce {} to a string: {}",
                other.type_description(),
                crate::printer::short(other)
            ))),
        }
    }

    fn import_path(p: &Value) -> Result<std::path::PathBuf, ErrorKind> {
        Ok(match p {
            Value::Path(p) => (**p).clone(),
            Value::String(s) if s.as_bytes().starts_with(b"/") => {
                crate::paths::normalise(&s.to_str_lossy()).into()
            }
            Value::Attrs(a) => match a.get(b"outPath").map(|v| v.shallow()) {
                Some(Value::String(s)) => s.to_string().into(),
                Some(Value::Path(p)) => (*p).clone(),
                _ => return Err(crate::convert::type_error("a path", p)),
            },
            other => return Err(crate::convert::type_error("a path", other)),
        })
    }

    /// Throw an error message; `builtins.tryEval` can catch it.
    #[builtin("throw", global)]
    fn throw(msg: Value) -> Result<Value, ErrorKind> {
        Err(ErrorKind::Throw(message(&msg)?))
    }

    /// Abort evaluation with an error message that `tryEval` cannot catch.
    #[builtin("abort", global)]
    fn abort(msg: Value) -> Result<Value, ErrorKind> {
        Err(ErrorKind::Abort(message(&msg)?))
    }

    /// Convert a value to a string: numbers, Booleans, null, paths, lists, and sets
    /// with `__toString` or `outPath`.
    #[builtin("toString", global)]
    async fn to_string(co: GenCo, v: Value) -> Result<Value, ErrorKind> {
        Ok(co
            .yield_(Request::CoerceToString {
                value: v,
                more: true,
            })
            .await)
    }

    /// Evaluate a value; return `{ success = true; value; }`, or
    /// `{ success = false; value = false; }` if it throws or fails an assertion.
    #[builtin("tryEval")]
    async fn try_eval(co: GenCo, #[lazy] v: Value) -> Result<Value, ErrorKind> {
        Ok(co.yield_(Request::TryEval(v)).await)
    }

    /// Load, parse and return the Nix expression in a file (a directory means its
    /// `default.nix`).
    #[builtin("import", global)]
    fn import(vm: &mut Vm, p: Value) -> Result<Value, ErrorKind> {
        let path = import_path(&p)?;
        vm.import_file(&path)
            .map_err(|e| ErrorKind::Located(Box::new(e)))
    }

    /// Import a file with the names of `scope` in scope, shadowing the built-in ones.
    #[builtin("scopedImport", global)]
    fn scoped_import(vm: &mut Vm, scope: Attrs, p: Value) -> Result<Value, ErrorKind> {
        let path = import_path(&p)?;
        vm.scoped_import(&scope, &path)
            .map_err(|e| ErrorKind::Located(Box::new(e)))
    }

    /// Convert an absolute path string to a path (deprecated; `/. + s` does the same).
    #[builtin("toPath")]
    fn to_path(s: Value) -> Result<Value, ErrorKind> {
        match &s {
            Value::Path(_) => Ok(s),
            Value::String(t) if t.as_bytes().starts_with(b"/") => Ok(Value::Path(Rc::new(
                crate::paths::normalise(&t.to_str_lossy()).into(),
            ))),
            Value::String(t) => Err(ErrorKind::Other(format!(
                "string '{}' doesn't represent an absolute path",
                t.to_str_lossy()
            ))),
            other => Err(crate::convert::type_error("a string", other)),
        }
    }

    /// The Boolean true.
    #[constant("true", global)]
    fn true_() -> bool {
        true
    }

    /// The Boolean false.
    #[constant("false", global)]
    fn false_() -> bool {
        false
    }

    /// The null value.
    #[constant("null", global)]
    fn null() -> Value {
        Value::Null
    }
}

pub use lang::PACK as LANG_PACK;

impl Vm {
    /// Import a file: parse, compile and return its (cached) value as a thunk.
    pub fn import_file(&mut self, path: &std::path::Path) -> Result<Value, Error> {
        let mut path = path.to_path_buf();
        if self.io.is_dir(&path) {
            path.push("default.nix");
        }
        if let Some(v) = self.import_cache.get(&path) {
            return Ok(v.clone());
        }
        let v = self.load_file(&path, None)?;
        self.import_cache.insert(path, v.clone());
        Ok(v)
    }

    /// Parse and compile a file into a thunk of its value. `scope` adds names that
    /// shadow the globals (for `scopedImport`).
    fn load_file(
        &mut self,
        path: &std::path::Path,
        scope: Option<&crate::value::Attrs>,
    ) -> Result<Value, Error> {
        let path = path.to_path_buf();
        let bytes = self.io.read_file(&path).map_err(|e| {
            Error::new(
                ErrorKind::Io(format!("opening file '{}': {}", path.display(), io_msg(&e))),
                None,
            )
        })?;
        let text: Rc<str> = Rc::from(crate::source::decode_source(&bytes));
        let dir = path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| "/".into());
        let name = path.to_string_lossy().into_owned();
        let file = self
            .sources
            .add(name.clone(), dir.clone(), Some(path.clone()), text.clone());
        let proto = match scope {
            None => self.compile(&text, file, &dir, &name)?,
            Some(extra) => {
                let saved = self.globals.clone();
                let mut g = (*saved).clone();
                for (k, v) in extra.iter() {
                    g.insert(Rc::from(k.to_str_lossy().as_ref()), v.clone());
                }
                self.globals = Rc::new(g);
                let r = self.compile(&text, file, &dir, &name);
                self.globals = saved;
                r?
            }
        };
        Ok(Value::Thunk(Thunk::new(ThunkState::Suspended(
            crate::value::Closure {
                proto,
                captures: crate::value::Captures::None,
            },
        ))))
    }

    /// `scopedImport scope path`: import with `scope`'s names shadowing the globals
    /// (not cached, as each scope gives a different program).
    pub fn scoped_import(
        &mut self,
        scope: &crate::value::Attrs,
        path: &std::path::Path,
    ) -> Result<Value, Error> {
        let mut path = path.to_path_buf();
        if self.io.is_dir(&path) {
            path.push("default.nix");
        }
        self.load_file(&path, Some(scope))
    }
}

/// The C library's wording of an IO error, as Nix prints it.
pub(crate) fn io_msg(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        std::io::ErrorKind::NotADirectory => "Not a directory".into(),
        _ => e.to_string(),
    }
}
