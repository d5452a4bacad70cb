//! The larger instructions, as named functions the interpreter loop dispatches
//! to: those that only transform the value stack (building sets, selecting,
//! checking formals, joining strings and paths). The direct builtin call stays in
//! the loop: moved out, it cost 3.6% more instructions on `fib` (callgrind).
//! Errors come back as an `ErrorKind`; the loop adds the instruction's position.

use super::ops::{self, type_error};
use super::Vm;
use crate::errors::{Error, ErrorKind};
use crate::opcode::{Proto, ProtoKind};
use crate::value::{
    Attrs, AttrsBuilder, Captures, Closure, NixContext, NixString, Thunk, ThunkState, Value,
};
use std::rc::Rc;

/// What `a + b` needs.
pub(super) enum AddResult {
    Done(Value),
    /// The right side (or a set on the left) must be coerced to a string first.
    Coerce,
}

/// `a + b` on evaluated operands, unless coercion must run Nix code.
#[inline(never)]
pub(super) fn add(a: &Value, b: &Value) -> Result<AddResult, ErrorKind> {
    let joined_path = |p: &std::path::Path, s: &str| {
        let joined = format!("{}{}", p.to_string_lossy(), s);
        Value::Path(Rc::new(crate::paths::normalise(&joined).into()))
    };
    Ok(AddResult::Done(match (a, b) {
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            ops::arith(b'+', a, b)?
        }
        (Value::String(x), Value::String(y)) => Value::String(x.concat(y)),
        (Value::Path(p), Value::String(s)) => {
            if s.has_context() {
                return Err(ErrorKind::Other(
                    "a string that refers to a store path cannot be appended to a path".into(),
                ));
            }
            joined_path(p, &s.to_str_lossy())
        }
        (Value::Path(p), Value::Path(q)) => joined_path(p, &q.to_string_lossy()),
        (Value::String(_) | Value::Path(_), _) => return Ok(AddResult::Coerce),
        (Value::Attrs(x), _) if x.contains(b"outPath") || x.contains(b"__toString") => {
            return Ok(AddResult::Coerce)
        }
        (Value::Int(_) | Value::Float(_), _) => {
            return Err(ops::arith(b'+', a, b).expect_err("non-numbers never add"))
        }
        _ => return Err(crate::coerce::cannot_coerce(a)),
    }))
}

/// Whether an error of `add` is a failed coercion (reported "while evaluating a
/// path segment") rather than a type mismatch of numbers.
pub(super) fn is_coercion_error(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::Other(m) if m.starts_with("cannot coerce"))
}

/// `a ++ b`.
#[inline]
pub(super) fn concat(a: &Value, b: &Value) -> Result<Value, ErrorKind> {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            crate::stats::count!(list_concats);
            Ok(Value::List(x.concat(y)))
        }
        (Value::List(_), other) | (other, _) => Err(type_error("a list", other)),
    }
}

/// `a // b`.
#[inline]
pub(super) fn update(a: &Value, b: &Value) -> Result<Value, ErrorKind> {
    match (a, b) {
        (Value::Attrs(x), Value::Attrs(y)) => {
            let r = x.update(y);
            crate::stats::count!(updates);
            crate::stats::count!(update_values_copied, r.len());
            Ok(Value::Attrs(r))
        }
        (Value::Attrs(_), other) | (other, _) => Err(type_error("a set", other)),
    }
}

/// `set.name`.
#[inline]
pub(super) fn select(set: &Value, name: &NixString) -> Result<Value, SelectError> {
    match set {
        Value::Attrs(a) => match a.get_name(name) {
            Some(x) => Ok(x.clone()),
            None => Err(SelectError::Missing(a.clone(), name.clone())),
        },
        other => Err(SelectError::NotASet(type_error("a set", other))),
    }
}

/// The error of a failed `set.name`: a missing attribute has no position of its own
/// and suggests near names; a non-set is reported "while selecting an attribute".
#[cold]
pub(super) fn select_error(e: SelectError, span: Option<crate::source::Span>) -> Error {
    match e {
        SelectError::NotASet(k) => Error::framed(k, "while selecting an attribute", span),
        SelectError::Missing(set, name) => {
            let mut e = Error::unpositioned(ErrorKind::MissingAttribute(name.to_string()));
            let names = set.iter().map(|(k, _)| k.as_bytes());
            if let Some(h) = crate::suggestions::did_you_mean(name.as_bytes(), names) {
                e = e.with_hint(h);
            }
            e
        }
    }
}

/// Why `set.name` failed.
pub(super) enum SelectError {
    /// The value is not a set.
    NotASet(ErrorKind),
    /// The set has no such attribute.
    Missing(crate::value::Attrs, NixString),
}

/// `set.name` for `or` and `?` chains: the attribute, if `set` is a set that has it.
#[inline]
pub(super) fn try_select(set: &Value, name: &Value) -> Option<Value> {
    match (set, name) {
        (Value::Attrs(a), Value::String(n)) => a.get_name(n).cloned(),
        _ => None,
    }
}

/// `set.name` if `set` is a set that has the attribute (`or` and `?` steps).
#[inline]
pub(super) fn select_present(set: &Value, name: &NixString) -> Option<Value> {
    match set {
        Value::Attrs(a) => a.get_name(name).cloned(),
        _ => None,
    }
}

/// The string constant naming an attribute or variable.
#[inline]
pub(super) fn const_name(v: &Value) -> &NixString {
    match v {
        Value::String(s) => s,
        _ => unreachable!("name constants are strings"),
    }
}

/// A dynamic attribute name must be a string without context (or null: skipped).
#[inline]
pub(super) fn check_attr_name(v: &Value) -> Result<(), ErrorKind> {
    match v {
        Value::String(s) => s.require_no_context().map_err(|e| e.kind.clone()),
        Value::Null => Ok(()),
        other => Err(type_error("a string", other)),
    }
}

/// The string of `n` interpolated parts (all strings by now).
#[inline(never)]
pub(super) fn interpolate(parts: impl Iterator<Item = Value>) -> Value {
    let mut out = Vec::new();
    let mut ctx = NixContext::new();
    for v in parts {
        if let Value::String(s) = v {
            out.extend_from_slice(s.as_bytes());
            crate::value::merge_context(&mut ctx, s.context());
        }
    }
    Value::String(NixString::with_context(out, ctx))
}

/// Check a called lambda's set argument against its formals.
#[inline(never)]
/// "Did you mean …?" for an unexpected argument `arg` of a lambda with `proto`'s formals.
pub(super) fn formal_hint(proto: &Proto, arg: &str) -> Option<String> {
    let formals = proto.formals.as_ref()?;
    let names = formals.entries.iter().map(|(n, _)| n.as_bytes());
    crate::suggestions::did_you_mean(arg.as_bytes(), names)
}

pub(super) fn check_formals(proto: &Proto, arg: &Value) -> Result<(), ErrorKind> {
    let Value::Attrs(a) = arg else {
        return Err(type_error("a set", arg));
    };
    let formals = proto
        .formals
        .as_ref()
        .expect("CheckFormals is emitted only for lambdas with formals");
    for (name, has_default) in &formals.entries {
        if !has_default && !a.contains(name.as_bytes()) {
            return Err(ErrorKind::MissingArgument {
                func: proto.display_name(),
                arg: name.to_string(),
            });
        }
    }
    if !formals.ellipsis {
        for (k, _) in a.iter() {
            if !formals.entries.iter().any(|(n, _)| n == k) {
                return Err(ErrorKind::UnexpectedArgument {
                    func: proto.display_name(),
                    arg: k.to_string(),
                });
            }
        }
    }
    Ok(())
}

impl Vm {
    /// Build a set from the `n` name/value pairs on top of the stack.
    #[inline(never)]
    pub(super) fn build_attrs(&mut self, n: u32, dynamic: bool) -> Result<Attrs, ErrorKind> {
        let at = self.stack.len() - 2 * n as usize;
        let mut b = AttrsBuilder::with_capacity(n as usize);
        let mut it = self.stack.drain(at..);
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            match k {
                Value::String(s) => b.push(s, v),
                Value::Null => {}
                _ => unreachable!("attribute names are strings or null"),
            }
        }
        drop(it);
        b.finish().map_err(|dup| {
            if dynamic {
                ErrorKind::Other(format!("dynamic attribute '{dup}' already defined"))
            } else {
                ErrorKind::DuplicateAttribute(dup.to_string())
            }
        })
    }

    /// Like `build_attrs` for a literal whose names are static, sorted and distinct
    /// (or with a duplicate, an error), with where each is defined.
    pub(super) fn build_attrs_at(
        &mut self,
        n: u32,
        positions: &crate::value::Positions,
    ) -> Result<Attrs, ErrorKind> {
        let at = self.stack.len() - 2 * n as usize;
        let mut entries = Vec::with_capacity(n as usize);
        let mut it = self.stack.drain(at..);
        while let (Some(Value::String(k)), Some(v)) = (it.next(), it.next()) {
            entries.push((k, v));
        }
        drop(it);
        if let Some(w) = entries.windows(2).find(|w| w[0].0 >= w[1].0) {
            return Err(ErrorKind::DuplicateAttribute(w[1].0.to_string()));
        }
        Ok(Attrs::from_sorted_at(entries, positions.clone()))
    }

    /// A thunk of child `child` capturing from the current frame.
    #[inline]
    pub(super) fn suspended_thunk(
        &self,
        child: &Rc<Proto>,
        base: usize,
        captures: &Captures,
    ) -> Value {
        Value::Thunk(Thunk::new_with(|| {
            ThunkState::Suspended(Closure {
                proto: child.clone(),
                captures: self.captures_for(child, base, captures),
            })
        }))
    }

    /// Give the blank thunk `t` the code of `child` (a lambda becomes its value).
    #[inline(never)]
    pub(super) fn finalize(
        &mut self,
        t: &Thunk,
        child: &Rc<Proto>,
        base: usize,
        captures: &Captures,
    ) {
        if child.kind == ProtoKind::Lambda {
            t.set_value(self.make_closure(child, base, captures));
        } else {
            let caps = self.captures_for(child, base, captures);
            t.replace(ThunkState::Suspended(Closure {
                proto: child.clone(),
                captures: caps,
            }));
        }
    }
}
