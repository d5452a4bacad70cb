//! Type predicates: `typeOf`, `isInt`, `isString`, ….

use nixie_eval::builtins;

#[builtins(name = "types")]
pub mod defs {
    use nixie_eval::prelude::*;

    /// The type of a value as a string: "int", "float", "bool", "string", "path",
    /// "null", "set", "list" or "lambda".
    #[builtin("typeOf")]
    fn type_of(v: Value) -> Result<&'static str, ErrorKind> {
        Ok(v.type_name())
    }

    /// Whether the value is an integer.
    #[builtin("isInt")]
    fn is_int(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::Int(_)))
    }

    /// Whether the value is a float.
    #[builtin("isFloat")]
    fn is_float(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::Float(_)))
    }

    /// Whether the value is a Boolean.
    #[builtin("isBool")]
    fn is_bool(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::Bool(_)))
    }

    /// Whether the value is a string.
    #[builtin("isString")]
    fn is_string(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::String(_)))
    }

    /// Whether the value is a path.
    #[builtin("isPath")]
    fn is_path(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::Path(_)))
    }

    /// Whether the value is a list.
    #[builtin("isList")]
    fn is_list(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::List(_)))
    }

    /// Whether the value is an attribute set.
    #[builtin("isAttrs")]
    fn is_attrs(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::Attrs(_)))
    }

    /// Whether the value is a function (a lambda or a builtin).
    #[builtin("isFunction")]
    fn is_function(v: Value) -> Result<bool, ErrorKind> {
        Ok(v.is_function())
    }

    /// Whether the value is null (deprecated; use `x == null`).
    #[builtin("isNull", global)]
    fn is_null(v: Value) -> Result<bool, ErrorKind> {
        Ok(matches!(v, Value::Null))
    }
}

pub use defs::PACK;
