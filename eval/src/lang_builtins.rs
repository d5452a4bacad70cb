//! The builtins the language cannot run without: `import`, `throw`, `abort`,
//! `toString`, `tryEval`, and the constants `true`, `false`, `null`.

use crate::builtins::{BuiltinDef, BuiltinFn, MachineFn, Pack};
use crate::errors::{Error, ErrorKind};
use crate::value::Value;
use crate::vm::Vm;

/// The builtins the language itself relies on.
#[crate::builtins(name = "language")]
pub(crate) mod lang {
    use crate::convert::ToStringRules;
    use crate::prelude::*;

    /// The message of `throw`/`abort`: a string (C++ Nix coerces it).
    fn message(v: &Value) -> Result<String, Error> {
        match v {
            Value::String(s) => Ok(s.to_string()),
            other => Err(crate::coerce::cannot_coerce(other).into()),
        }
    }

    /// Throw an error message; `builtins.tryEval` can catch it.
    #[builtin("throw", global)]
    fn throw(msg: Value) -> Result<Value, Error> {
        Err(Error::throw(message(&msg)?))
    }

    /// Abort evaluation with an error message that `tryEval` cannot catch.
    #[builtin("abort", global)]
    fn abort(msg: Value) -> Result<Value, Error> {
        Err(ErrorKind::Abort(message(&msg)?).into())
    }

    /// Convert a value to a string: numbers, Booleans, null, paths, lists, and sets
    /// with `__toString` or `outPath`.
    #[builtin("toString", global)]
    fn to_string(s: Coerced<ToStringRules>) -> Result<NixString, Error> {
        Ok(s.into_inner())
    }

    /// Evaluate a value; return `{ success = true; value; }`, or
    /// `{ success = false; value = false; }` if it throws or fails an assertion.
    #[builtin("tryEval")]
    async fn try_eval(co: &mut Co, v: Lazy<Value>) -> Result<Value, Error> {
        Ok(match co.try_force(v.into_value()).await {
            Ok(x) => crate::vm::try_result(true, x),
            Err(_) => crate::vm::try_result(false, Value::Bool(false)),
        })
    }

    /// One entry of a search path, as `builtins.nixPath` lists them.
    #[derive(FromAttrs)]
    #[nix(allow_unknown)]
    pub struct SearchPathEntry {
        #[nix(default)]
        prefix: String,
        path: Coerced<crate::convert::KeepPaths>,
    }

    /// `findFile searchPath name`: resolve `name` (as in `<name>`) against a search
    /// path given as a list of `{ prefix; path; }` sets; `<name>` is
    /// `__findFile __nixPath "name"`.
    #[builtin("findFile")]
    fn find_file(
        cx: &mut Ctx,
        entries: Vec<SearchPathEntry>,
        name: String,
    ) -> Result<std::path::PathBuf, Error> {
        let entries: Vec<(String, String)> = entries
            .into_iter()
            .map(|e| (e.prefix, e.path.to_str_lossy().into_owned()))
            .collect();
        let pure = cx.settings().pure_eval;
        crate::host::resolve_search_path(&entries, &name, cx.io(), pure).map_err(Error::from)
    }

    /// Convert an absolute path string to a path (deprecated; `/. + s` does the same).
    #[builtin("toPath")]
    fn to_path(
        #[context = "while evaluating the first argument passed to builtins.toPath"]
        p: AbsolutePath,
    ) -> Result<Value, Error> {
        Ok(Value::Path(Rc::new(p.path)))
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

/// The path `import` reads: a path, an absolute path string, or a set's `outPath`.
fn import_path(p: &Value) -> Result<std::path::PathBuf, Error> {
    Ok(match p {
        Value::Path(p) => (**p).clone(),
        Value::String(s) if s.as_bytes().starts_with(b"/") => {
            crate::paths::normalise(&s.to_str_lossy()).into()
        }
        Value::Attrs(a) => match a.get(b"outPath").map(|v| v.shallow()) {
            Some(Value::String(s)) => s.to_string().into(),
            Some(Value::Path(p)) => (*p).clone(),
            _ => return Err(crate::convert::type_error("a path", p).into()),
        },
        other => return Err(crate::convert::type_error("a path", other).into()),
    })
}

fn import(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    vm.import_file(&import_path(&args[0])?)
}

fn scoped_import(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let Value::Attrs(scope) = &args[0] else {
        return Err(crate::convert::type_error("a set", &args[0]).into());
    };
    vm.scoped_import(scope, &import_path(&args[1])?)
}

static IMPORT: BuiltinDef = BuiltinDef {
    name: "import",
    doc: "Load, parse and return the Nix expression in a file (a directory means its\n`default.nix`).",
    params: &["path"],
    arity: 1,
    lazy: 0,
    func: BuiltinFn::Machine(MachineFn(import)),
};

static SCOPED_IMPORT: BuiltinDef = BuiltinDef {
    name: "scopedImport",
    doc: "Import a file with the names of `scope` in scope, shadowing the built-in ones.",
    params: &["scope", "path"],
    arity: 2,
    lazy: 0,
    func: BuiltinFn::Machine(MachineFn(scoped_import)),
};

/// `unsafeGetAttrPos name set`: `{ file; line; column; }` where the attribute was
/// defined, or null when that is unknown (the set was built by a builtin).
fn unsafe_get_attr_pos(vm: &mut Vm, args: &[Value]) -> Result<Value, Error> {
    let Value::String(name) = &args[0] else {
        return Err(
            Error::from(crate::convert::type_error("a string", &args[0]))
                .context("while evaluating the first argument passed to builtins.unsafeGetAttrPos"),
        );
    };
    let Value::Attrs(set) = &args[1] else {
        return Err(Error::from(crate::convert::type_error("a set", &args[1]))
            .context("while evaluating the second argument passed to builtins.unsafeGetAttrPos"));
    };
    Ok(match set.position_of(name.as_bytes()) {
        Some(span) => vm.position_value(span),
        None => Value::Null,
    })
}

static UNSAFE_GET_ATTR_POS: BuiltinDef = BuiltinDef {
    name: "unsafeGetAttrPos",
    doc: "The position `{ file; line; column; }` where attribute `name` of `set` was\ndefined, or null if that is not known.",
    params: &["name", "set"],
    arity: 2,
    lazy: 0,
    func: BuiltinFn::Machine(MachineFn(unsafe_get_attr_pos)),
};

/// The builtins that need the machine itself (they compile code or read sources).
pub(crate) static MACHINE_PACK: Pack = Pack {
    name: "language",
    namespace: None,
    builtins: &[
        (&IMPORT, true),
        (&SCOPED_IMPORT, true),
        (&UNSAFE_GET_ATTR_POS, false),
    ],
    values: &[],
    overrides: false,
    impure: false,
    state: None,
};

impl Vm {
    /// A position as the set `{ column; file; line; }` (`__curPos`, `unsafeGetAttrPos`).
    pub(crate) fn position_value(&self, span: crate::source::Span) -> Value {
        use crate::value::{Attrs, NixString};
        let (line, col) = self.sources.line_col(span);
        let file = self.sources.file(span.file).name.clone();
        Value::Attrs(Attrs::from_sorted(vec![
            (NixString::from("column"), Value::Int(col as i64)),
            (NixString::from("file"), Value::string(file)),
            (NixString::from("line"), Value::Int(line as i64)),
        ]))
    }

    /// Import a file: parse, compile and return its (cached) value as a thunk.
    pub(crate) fn import_file(&mut self, path: &std::path::Path) -> Result<Value, Error> {
        let path = self.resolve_expr_path(path)?;
        if let Some(v) = self.host.borrow().import_cache.get(&path) {
            return Ok(v.clone());
        }
        let v = self.load_file(&path, None)?;
        self.host.borrow_mut().import_cache.insert(path, v.clone());
        Ok(v)
    }

    /// The file an imported path means, as C++ Nix finds it: symbolic links
    /// followed (so a link and its target share one cached value), then a
    /// directory means its `default.nix`.
    pub(crate) fn resolve_expr_path(
        &self,
        path: &std::path::Path,
    ) -> Result<std::path::PathBuf, Error> {
        let io = self.host.borrow().io.clone();
        let mut path = path.to_path_buf();
        let mut follows = 0;
        while let Ok(target) = io.read_link(&path) {
            follows += 1;
            if follows >= 1024 {
                return Err(Error::msg(format!(
                    "too many symbolic links encountered while traversing the path '{}'",
                    path.display()
                )));
            }
            let dir = path.parent().unwrap_or(std::path::Path::new("/"));
            path = crate::paths::resolve(dir, &target.to_string_lossy());
        }
        if io.is_dir(&path) {
            path.push("default.nix");
        }
        Ok(path)
    }

    /// Parse and compile a file into a thunk of its value. `scope` adds names that
    /// shadow the globals (for `scopedImport`).
    fn load_file(
        &mut self,
        path: &std::path::Path,
        scope: Option<&crate::value::Attrs>,
    ) -> Result<Value, Error> {
        let path = path.to_path_buf();
        let io = self.host.borrow().io.clone();
        let bytes = match crate::corepkgs::source(&path) {
            Some(text) => text.as_bytes().to_vec(),
            None => io.read_file(&path).map_err(|e| {
                let msg = self
                    .host
                    .borrow()
                    .io_error_message("opening file", &path, &e);
                Error::new(ErrorKind::Io(msg), None)
            })?,
        };
        let text = crate::source::decode_source_shared(bytes);
        let dir = path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| "/".into());
        let name = path.to_string_lossy().into_owned();
        let file = self
            .sources
            .add(name.clone(), dir.clone(), Some(path.clone()), text.clone());
        let (proto, _) = self.compile_in(
            file,
            &dir,
            &name,
            scope,
            crate::compiler::SourceShape::Expression,
        )?;
        Ok(Value::suspended(proto))
    }

    /// `scopedImport scope path`: import with `scope`'s names shadowing the globals
    /// (not cached, as each scope gives a different program).
    pub(crate) fn scoped_import(
        &mut self,
        scope: &crate::value::Attrs,
        path: &std::path::Path,
    ) -> Result<Value, Error> {
        let mut path = path.to_path_buf();
        if self.host.borrow().io.is_dir(&path) {
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
