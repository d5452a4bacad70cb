//! Conversions between Nix values and Rust types, used by `#[builtins]` to type
//! builtin parameters and results. Packs can implement both traits for their own
//! types.

use crate::errors::ErrorKind;
use crate::value::{Attrs, List, NixString, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

/// Converts a (forced) Nix value into a builtin parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a builtin parameter: it does not implement `FromValue`",
    label = "no conversion from a Nix value",
    note = "use `Value`, a Nix type (`NixString`, `List`, `Attrs`, `i64`, `f64`, `bool`, `NixNumber`, `PathBuf`, `Callable`), or implement `nixie_eval::convert::FromValue` for this type"
)]
pub trait FromValue: Sized {
    /// Convert, or fail with Nix's type error.
    fn from_value(v: Value) -> Result<Self, ErrorKind>;
}

/// Converts a builtin's result into a Nix value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a builtin: it does not implement `IntoValue`",
    label = "no conversion into a Nix value",
    note = "return `Value`, a Nix type, a number, a bool, a string, a `Vec` or `BTreeMap` of those, or implement `nixie_eval::convert::IntoValue`"
)]
pub trait IntoValue {
    /// Convert.
    fn into_value(self) -> Value;
}

/// The standard type error for a value of the wrong type.
pub fn type_error(expected: &'static str, v: &Value) -> ErrorKind {
    ErrorKind::TypeError {
        expected,
        found: v.type_description(),
        value: crate::printer::short(v),
    }
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        Ok(v)
    }
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::Int(i) => Ok(i),
            other => Err(type_error("an integer", &other)),
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::Float(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(type_error("a float", &other)),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::Bool(b) => Ok(b),
            other => Err(type_error("a Boolean", &other)),
        }
    }
}

impl FromValue for NixString {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::String(s) => Ok(s),
            other => Err(type_error("a string", &other)),
        }
    }
}

impl FromValue for List {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::List(l) => Ok(l),
            other => Err(type_error("a list", &other)),
        }
    }
}

impl FromValue for Attrs {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::Attrs(a) => Ok(a),
            other => Err(type_error("a set", &other)),
        }
    }
}

impl FromValue for PathBuf {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::Path(p) => Ok((*p).clone()),
            other => Err(type_error("a path", &other)),
        }
    }
}

/// An integer or a float, as arithmetic builtins accept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NixNumber {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

impl NixNumber {
    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            NixNumber::Int(i) => i as f64,
            NixNumber::Float(f) => f,
        }
    }
}

impl FromValue for NixNumber {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            Value::Int(i) => Ok(NixNumber::Int(i)),
            Value::Float(f) => Ok(NixNumber::Float(f)),
            other => Err(type_error("a number", &other)),
        }
    }
}

impl IntoValue for NixNumber {
    fn into_value(self) -> Value {
        match self {
            NixNumber::Int(i) => Value::Int(i),
            NixNumber::Float(f) => Value::Float(f),
        }
    }
}

/// Something callable: a lambda, a builtin, or a set with `__functor`.
#[derive(Clone)]
pub struct Callable(pub Value);

impl FromValue for Callable {
    fn from_value(v: Value) -> Result<Self, ErrorKind> {
        match v.shallow() {
            f @ (Value::Closure(_) | Value::Builtin(_)) => Ok(Callable(f)),
            Value::Attrs(a) if a.contains(b"__functor") => Ok(Callable(Value::Attrs(a))),
            other => Err(type_error("a function", &other)),
        }
    }
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Int(self)
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl IntoValue for NixString {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self.into())
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::String(self.into())
    }
}

impl IntoValue for List {
    fn into_value(self) -> Value {
        Value::List(self)
    }
}

impl IntoValue for Attrs {
    fn into_value(self) -> Value {
        Value::Attrs(self)
    }
}

impl IntoValue for PathBuf {
    fn into_value(self) -> Value {
        Value::Path(Rc::new(self))
    }
}

impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::Null
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => Value::Null,
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<K: Into<NixString>, T: IntoValue> IntoValue for BTreeMap<K, T> {
    fn into_value(self) -> Value {
        Value::Attrs(Attrs::from_unsorted(
            self.into_iter()
                .map(|(k, v)| (k.into(), v.into_value()))
                .collect(),
        ))
    }
}
