//! Shared machinery of the string builtins: coercion to a string (at once when no
//! Nix code has to run, else in a generator), and deferring a builtin call to its
//! `async` variant.
//!
//! Most string builtins are plain functions, because their arguments are nearly
//! always strings already. When an argument needs work that can suspend (a set with
//! `__toString`, an unevaluated list element), the plain function returns a pending
//! application of the builtin's `async` variant instead; the caller forces it, as it
//! forces the result of any call.

use nixie_eval::builtins::{BuiltinDef, PartialApp};
use nixie_eval::prelude::*;
use nixie_eval::value::NixContext;
use std::os::unix::ffi::OsStrExt;

/// The error for a value that cannot be coerced to a string.
pub fn cannot_coerce(v: &Value) -> ErrorKind {
    ErrorKind::Other(format!(
        "cannot coerce {} to a string: {}",
        v.type_description(),
        nixie_eval::printer::short(v)
    ))
}

fn path_string(p: &std::path::Path) -> NixString {
    NixString::from(p.as_os_str().as_bytes())
}

/// Coerce without running Nix code: `Ok(None)` when that is not possible (a set
/// with `__toString`, or an `outPath` not evaluated yet). `copy`: a path is copied to
/// the store (interpolation), else it stands for itself.
pub fn coerce_now(vm: &mut Vm, v: &Value, copy: bool) -> Result<Option<NixString>, ErrorKind> {
    if let Value::String(s) = v {
        return Ok(Some(s.clone()));
    }
    let mut cur = v.clone();
    // `outPath` chains are short; bound them so a cyclic one cannot loop forever.
    for _ in 0..64 {
        match &cur {
            Value::String(s) => return Ok(Some(s.clone())),
            Value::Path(p) if copy => return vm.copy_to_store(p).map(Some),
            Value::Path(p) => return Ok(Some(path_string(p))),
            Value::Attrs(a) => {
                if a.contains(b"__toString") {
                    return Ok(None);
                }
                match a.get(b"outPath") {
                    Some(o) if o.is_forced() => cur = o.shallow(),
                    Some(_) => return Ok(None),
                    None => return Err(cannot_coerce(&cur)),
                }
            }
            Value::Thunk(t) => match t.value() {
                Some(x) => cur = x,
                None => return Ok(None),
            },
            other => return Err(cannot_coerce(other)),
        }
    }
    Ok(None)
}

/// Coerce a value to a string with interpolation rules (`copy`: paths are copied to
/// the store).
pub async fn coerce(co: &GenCo, v: Value, copy: bool) -> Result<NixString, ErrorKind> {
    let mut cur = force(co, v).await;
    let mut steps = 0u32;
    loop {
        steps += 1;
        if steps > 100_000 {
            return Err(ErrorKind::StackOverflow);
        }
        match cur {
            Value::String(s) => return Ok(s),
            Value::Path(p) if copy => {
                return match co.yield_(Request::CopyToStore(Value::Path(p))).await {
                    Value::String(s) => Ok(s),
                    other => Err(cannot_coerce(&other)),
                };
            }
            Value::Path(p) => return Ok(path_string(&p)),
            Value::Attrs(a) => {
                if let Some(f) = a.get(b"__toString") {
                    let f = force(co, f.clone()).await;
                    let r = co.yield_(Request::Call(f, Value::Attrs(a.clone()))).await;
                    cur = force(co, r).await;
                } else if let Some(o) = a.get(b"outPath") {
                    cur = force(co, o.clone()).await;
                } else {
                    return Err(cannot_coerce(&Value::Attrs(a)));
                }
            }
            other => return Err(cannot_coerce(&other)),
        }
    }
}

/// A pending call of `def` (an `async` variant) on `args` (all its arguments).
pub fn defer(def: &'static BuiltinDef, mut args: Vec<Value>) -> Value {
    let last = args.pop().unwrap_or(Value::Null);
    Value::Thunk(Thunk::apply(
        Value::Builtin(Rc::new(PartialApp { def, args })),
        last,
    ))
}

/// Define the `async` variant of a builtin: a definition named like the builtin (for
/// traces) whose body is the given async function of the argument array.
macro_rules! slow_variant {
    ($def:ident, $name:literal, $arity:literal, $body:path) => {
        pub static $def: ::nixie_eval::builtins::BuiltinDef = ::nixie_eval::builtins::BuiltinDef {
            name: $name,
            doc: "",
            arity: $arity,
            lazy: 0,
            func: ::nixie_eval::builtins::BuiltinFn::Async({
                fn wrap(
                    _vm: &mut ::nixie_eval::vm::Vm,
                    co: ::nixie_eval::vm::GenCo,
                    args: ::nixie_eval::builtins::Args,
                ) -> ::nixie_eval::builtins::BuiltinFuture {
                    ::std::boxed::Box::pin($body(co, args))
                }
                wrap
            }),
        };
    };
}
pub(crate) use slow_variant;

/// A string with the given bytes and (a copy of) a context.
pub fn with_context(bytes: &[u8], ctx: Option<&NixContext>) -> NixString {
    match ctx {
        Some(c) => NixString::with_context(bytes, c.clone()),
        None => NixString::from(bytes),
    }
}
