//! Runtime values of the Nix language.
//!
//! `Value` is a 16-byte tagged union: scalars inline, everything else behind
//! one reference-counted pointer. Nested data is dropped iteratively (see
//! `drop_queue`) so that freeing a million-deep list cannot overflow the
//! Rust stack.

mod attrs;
mod context;
mod drop_queue;
mod list;
mod shared;
mod shared_slice;
mod string;
mod string_block;
mod thunk;

pub(crate) use shared::Shared;
pub(crate) use shared_slice::SharedSlice;

pub(crate) use attrs::{AttrPos, PositionTable, Positions, SET_HEADER_BYTES};
pub use attrs::{Attrs, AttrsBuilder};
pub use context::{ContextElem, NixContext};
pub use list::List;
pub use string::{merge_context, NixString};
pub use thunk::Thunk;
pub(crate) use thunk::ThunkState;

use crate::builtins::PartialApp;
use crate::opcode::Proto;
use std::path::PathBuf;
use std::rc::Rc;

/// A Nix value, possibly an unevaluated thunk.
#[derive(Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A double-precision float.
    Float(f64),
    /// A byte string with its string context.
    String(NixString),
    /// An absolute, normalised path.
    Path(Rc<PathBuf>),
    /// An attribute set.
    Attrs(Attrs),
    /// A list.
    List(List),
    /// A user-defined function.
    Closure(Rc<Closure>),
    /// A builtin function, possibly partially applied.
    Builtin(Rc<PartialApp>),
    /// A lazily evaluated value.
    Thunk(Thunk),
}

impl Clone for Value {
    /// Raise the reference count of a shared payload, then copy all sixteen bytes
    /// at once: a clone built field by field is stored in pieces and read back
    /// whole when pushed, which stalls the machine on every copy.
    #[inline(always)]
    fn clone(&self) -> Value {
        match self {
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
            Value::String(s) => std::mem::forget(s.clone()),
            Value::Path(p) => std::mem::forget(p.clone()),
            Value::Attrs(a) => std::mem::forget(a.clone()),
            Value::List(l) => std::mem::forget(l.clone()),
            Value::Closure(c) => std::mem::forget(c.clone()),
            Value::Builtin(b) => std::mem::forget(b.clone()),
            Value::Thunk(t) => std::mem::forget(t.clone()),
        }
        // SAFETY: each payload is plain data or a single `Rc` or `Shared` (in a newtype deriving
        // `Clone`), whose clone is a bitwise copy of the pointer; its count was raised
        // just above and the forgotten clone hands that reference to this copy.
        unsafe { std::ptr::read(self) }
    }
}

/// An `Rc` of the value `make` builds after the allocation is made, so that it is
/// written in place: a value built first is stored in pieces and copied in with
/// wider loads, which stalls.
#[inline(always)]
pub(crate) fn rc_in_place<T>(make: impl FnOnce() -> T) -> Rc<T> {
    let mut rc = Rc::<T>::new_uninit();
    Rc::get_mut(&mut rc)
        .expect("a new Rc has no other owner")
        .write(make());
    // SAFETY: the value was written just above.
    unsafe { rc.assume_init() }
}

/// The values a closure or thunk captured; one value is stored inline.
#[derive(Clone)]
pub(crate) enum Captures {
    /// Nothing captured.
    None,
    /// Exactly one value.
    One(Value),
    /// Two or more values.
    Many(SharedSlice),
}

impl Captures {
    /// Captured value `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> &Value {
        match self {
            Captures::One(v) => v,
            Captures::Many(m) => &m[i],
            Captures::None => {
                unreachable!("the compiler only emits upvalue indices that were captured")
            }
        }
    }

    /// Hand the captured values to the iterative drop queue.
    pub(crate) fn defer_drop(self) {
        match self {
            Captures::None => {}
            Captures::One(v) => drop_queue::defer_one(v),
            Captures::Many(mut m) => {
                if let Some(c) = m.get_mut() {
                    drop_queue::defer_slice(c);
                }
            }
        }
    }
}

/// A lambda together with the values it captured (opaque outside the machine).
pub struct Closure {
    /// The compiled lambda.
    pub(crate) proto: Rc<Proto>,
    /// The captured upvalues, indexed by the lambda's upvalue numbers.
    pub(crate) captures: Captures,
}

impl Closure {
    /// The lambda's name as traces show it (`anonymous lambda` when it has none).
    pub fn name(&self) -> String {
        self.proto.display_name()
    }

    /// The formal arguments of a `{ a, b ? 1, ... }:` lambda: each name with whether
    /// it has a default; `None` for a plain `x:` lambda.
    pub fn formals(&self) -> Option<Vec<(NixString, bool)>> {
        self.proto.formals.as_ref().map(|f| f.entries.clone())
    }

    /// The set `builtins.functionArgs` gives for a formals lambda: each formal
    /// mapped to whether it has a default, positioned where it was declared.
    pub fn formal_args(&self) -> Option<Attrs> {
        let f = self.proto.formals.as_ref()?;
        let mut entries: Vec<(usize, &(NixString, bool))> = f.entries.iter().enumerate().collect();
        entries.sort_by(|a, b| a.1 .0.cmp(&b.1 .0));
        entries.dedup_by(|later, earlier| later.1 .0 == earlier.1 .0);
        let positions =
            attrs::PositionTable::new(entries.iter().map(|(i, _)| attrs::AttrPos::at(f.spans[*i])));
        let values = entries
            .into_iter()
            .map(|(_, (k, d))| (k.clone(), Value::Bool(*d)))
            .collect();
        Some(Attrs::from_sorted_at(values, positions))
    }

    /// Whether a formals lambda accepts other attributes (`...`).
    pub fn has_ellipsis(&self) -> bool {
        self.proto.formals.as_ref().is_some_and(|f| f.ellipsis)
    }
}

impl Drop for Closure {
    fn drop(&mut self) {
        std::mem::replace(&mut self.captures, Captures::None).defer_drop();
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::printer::short(self))
    }
}

impl Value {
    /// A thunk that runs `proto` (a file's or an expression's code, which
    /// captures nothing) when forced.
    pub(crate) fn suspended(proto: Rc<crate::opcode::Proto>) -> Value {
        Value::Thunk(Thunk::new(ThunkState::Suspended(Closure {
            proto,
            captures: Captures::None,
        })))
    }

    /// The type name as `builtins.typeOf` reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Path(_) => "path",
            Value::Attrs(_) => "set",
            Value::List(_) => "list",
            Value::Closure(_) | Value::Builtin(_) => "lambda",
            Value::Thunk(_) => "thunk",
        }
    }

    /// The type as C++ Nix names it in error messages ("a string", "an integer").
    pub fn type_description(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a Boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::String(_) => "a string",
            Value::Path(_) => "a path",
            Value::Attrs(_) => "a set",
            Value::List(_) => "a list",
            Value::Closure(_) => "a function",
            Value::Builtin(_) => "a built-in function",
            Value::Thunk(_) => "a thunk",
        }
    }

    /// If this is an evaluated thunk, the value inside; otherwise a clone of self.
    #[inline]
    pub fn shallow(&self) -> Value {
        match self {
            Value::Thunk(t) => t.value().unwrap_or_else(|| self.clone()),
            v => v.clone(),
        }
    }

    /// True unless this is a thunk that has not been evaluated yet.
    #[inline]
    pub fn is_forced(&self) -> bool {
        match self {
            Value::Thunk(t) => t.is_evaluated(),
            _ => true,
        }
    }

    /// Whether two values are the very same object (Nix's pointer equality, which makes
    /// list elements and attribute values equal even when they are functions).
    pub fn same_object(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Thunk(x), Value::Thunk(y)) => x.ptr_eq(y),
            (Value::Closure(x), Value::Closure(y)) => Rc::ptr_eq(x, y),
            (Value::Builtin(x), Value::Builtin(y)) => Rc::ptr_eq(x, y),
            (Value::Attrs(x), Value::Attrs(y)) => x.ptr_eq(y),
            (Value::List(x), Value::List(y)) => x.ptr_eq(y),
            _ => false,
        }
    }

    /// Where a function was written (a lambda's position), as C++ Nix places
    /// traces about a function's result; `None` for anything else.
    pub fn defined_at(&self) -> Option<crate::source::Span> {
        match self.shallow() {
            Value::Closure(c) => Some(c.proto.span),
            _ => None,
        }
    }

    /// Whether the value is callable as a function (lambda or builtin).
    pub fn is_function(&self) -> bool {
        matches!(self, Value::Closure(_) | Value::Builtin(_))
    }

    /// Build a string value from a Rust string.
    pub fn string(s: impl Into<NixString>) -> Value {
        Value::String(s.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn clones_share_and_count_their_payload() {
        let l = Value::List(List::from(vec![Value::Int(1)]));
        let c = l.clone();
        let (Value::List(a), Value::List(b)) = (&l, &c) else {
            panic!("a clone keeps the variant")
        };
        assert!(a.ptr_eq(b));
        drop(l);
        assert!(matches!(c, Value::List(x) if x.get(0).is_some()));
        let s = Value::String("abc".into());
        let t = s.clone();
        drop(s);
        assert!(matches!(t, Value::String(x) if x.as_bytes() == b"abc"));
        assert!(matches!(Value::Float(1.5).clone(), Value::Float(f) if f == 1.5));
        assert!(matches!(Value::Bool(true).clone(), Value::Bool(true)));
    }

    #[test]
    fn million_deep_list_drops_without_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut v = Value::List(List::from(vec![]));
                for _ in 0..1_000_000 {
                    v = Value::List(List::from(vec![v]));
                }
                drop(v);
            })
            .unwrap();
        handle.join().unwrap();
    }
}
