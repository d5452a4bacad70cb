//! The builtins the language cannot run without: `import`, `throw`, `abort`,
//! `toString`, `tryEval`, and the constants `true`, `false`, `null`.

use crate::builtins::{Args, BuiltinDef, BuiltinFn, BuiltinFuture, Pack, PackValue};
use crate::errors::{Error, ErrorKind};
use crate::value::{Thunk, ThunkState, Value};
use crate::vm::{GenCo, Request, Vm};
use std::rc::Rc;

fn expect_string(v: &Value, what: &'static str) -> Result<String, ErrorKind> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        other => {
            let _ = what;
            Err(ErrorKind::Other(format!(
                "cannot coerce {} to a string: {}",
                other.type_description(),
                crate::printer::short(other)
            )))
        }
    }
}

fn throw(_: &mut Vm, [msg, ..]: Args) -> Result<Value, ErrorKind> {
    Err(ErrorKind::Throw(expect_string(&msg, "throw")?))
}

fn abort(_: &mut Vm, [msg, ..]: Args) -> Result<Value, ErrorKind> {
    Err(ErrorKind::Abort(expect_string(&msg, "abort")?))
}

fn to_string(co: GenCo, [v, ..]: Args) -> BuiltinFuture {
    Box::pin(async move {
        Ok(co
            .yield_(Request::CoerceToString {
                value: v,
                more: true,
            })
            .await)
    })
}

fn try_eval(co: GenCo, [v, ..]: Args) -> BuiltinFuture {
    Box::pin(async move { Ok(co.yield_(Request::TryEval(v)).await) })
}

fn import(vm: &mut Vm, [p, ..]: Args) -> Result<Value, ErrorKind> {
    let path = match &p {
        Value::Path(p) => (**p).clone(),
        Value::String(s) if s.as_bytes().starts_with(b"/") => {
            crate::paths::normalise(&s.to_str_lossy()).into()
        }
        Value::Attrs(a) => match a.get(b"outPath").map(|v| v.shallow()) {
            Some(Value::String(s)) => s.to_string().into(),
            Some(Value::Path(p)) => (*p).clone(),
            _ => return Err(crate::vm::type_error("a path", &p)),
        },
        other => return Err(crate::vm::type_error("a path", other)),
    };
    vm.import_file(&path)
        .map_err(|e| ErrorKind::Located(Box::new(e)))
}

static THROW: BuiltinDef = BuiltinDef {
    name: "throw",
    doc: "Throw an error message; `builtins.tryEval` can catch it.",
    arity: 1,
    lazy: 0,
    func: BuiltinFn::Sync(throw),
};
static ABORT: BuiltinDef = BuiltinDef {
    name: "abort",
    doc: "Abort evaluation with an error message that `tryEval` cannot catch.",
    arity: 1,
    lazy: 0,
    func: BuiltinFn::Sync(abort),
};
static TO_STRING: BuiltinDef = BuiltinDef {
    name: "toString",
    doc: "Convert a value to a string: numbers, booleans, null, paths, lists and sets with `__toString` or `outPath`.",
    arity: 1,
    lazy: 0,
    func: BuiltinFn::Async(to_string),
};
static TRY_EVAL: BuiltinDef = BuiltinDef {
    name: "tryEval",
    doc: "Evaluate a value; return `{ success = true; value; }`, or `{ success = false; value = false; }` if it throws.",
    arity: 1,
    lazy: 1,
    func: BuiltinFn::Async(try_eval),
};
static IMPORT: BuiltinDef = BuiltinDef {
    name: "import",
    doc:
        "Load, parse and return the Nix expression in a file (a directory means its `default.nix`).",
    arity: 1,
    lazy: 0,
    func: BuiltinFn::Sync(import),
};

/// The language pack: builtins the evaluator itself relies on.
pub static LANG_PACK: Pack = Pack {
    name: "language",
    builtins: &[
        (&THROW, true),
        (&ABORT, true),
        (&TO_STRING, true),
        (&TRY_EVAL, false),
        (&IMPORT, true),
    ],
    values: &[
        PackValue {
            name: "true",
            global: true,
            make: || Value::Bool(true),
        },
        PackValue {
            name: "false",
            global: true,
            make: || Value::Bool(false),
        },
        PackValue {
            name: "null",
            global: true,
            make: || Value::Null,
        },
    ],
    overrides: false,
};

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
        let bytes = self.io.read_file(&path).map_err(|e| {
            Error::new(
                ErrorKind::Io(format!("opening file '{}': {}", path.display(), io_msg(&e))),
                None,
            )
        })?;
        let text: Rc<str> = match String::from_utf8(bytes) {
            Ok(s) => Rc::from(s),
            Err(e) => Rc::from(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        };
        let dir = path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| "/".into());
        let name = path.to_string_lossy().into_owned();
        let file = self
            .sources
            .add(name.clone(), dir.clone(), Some(path.clone()), text.clone());
        let proto = self.compile(&text, file, &dir, &name)?;
        let v = Value::Thunk(Thunk::new(ThunkState::Suspended(crate::value::Closure {
            proto,
            captures: crate::value::Captures::None,
        })));
        self.import_cache.insert(path, v.clone());
        Ok(v)
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
