//! Arithmetic, comparison and shallow equality on forced values.

use crate::errors::ErrorKind;
use crate::value::Value;

/// `a == b` when both are evaluated (thunks included) and [`equal_shallow`]
/// decides it; `None` otherwise.
pub fn equal_now(a: &Value, b: &Value) -> Option<bool> {
    if a.is_forced() && b.is_forced() {
        equal_shallow(&a.shallow(), &b.shallow())
    } else {
        None
    }
}

/// `==` when it can be decided without looking inside lists or sets; `None` otherwise.
pub fn equal_shallow(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::String(x), Value::String(y)) => x.as_bytes() == y.as_bytes(),
        (Value::Path(x), Value::Path(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        // No identity shortcut here: C++ Nix compares the contents of two operands even
        // when they are the same set or list (only *elements* are compared by identity).
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                false
            } else if x.is_empty() {
                true
            } else {
                return None;
            }
        }
        (Value::Attrs(_), Value::Attrs(_)) => return None,
        _ => false,
    })
}

/// `<` on numbers, strings and paths (lists are handled by a generator).
pub fn less(a: &Value, b: &Value) -> Result<bool, ErrorKind> {
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Int(x), Value::Float(y)) => (*x as f64) < *y,
        (Value::Float(x), Value::Int(y)) => *x < (*y as f64),
        (Value::String(x), Value::String(y)) => x.as_bytes() < y.as_bytes(),
        (Value::Path(x), Value::Path(y)) => x.as_os_str() < y.as_os_str(),
        _ => {
            let (ta, tb) = (a.type_description(), b.type_description());
            let (va, vb) = (crate::printer::short(a), crate::printer::short(b));
            return Err(ErrorKind::Other(
                if std::mem::discriminant(a) == std::mem::discriminant(b) {
                    format!("cannot compare {ta} with {tb}; values of that type are incomparable (values are {va} and {vb})")
                } else {
                    format!("cannot compare {ta} with {tb}; values are {va} and {vb}")
                },
            ));
        }
    })
}

/// Integer or float arithmetic: `+` (numbers only), `-`, `*`, `/`.
pub fn arith(op: u8, a: &Value, b: &Value) -> Result<Value, ErrorKind> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            let (x, y) = (*x, *y);
            let r = match op {
                b'+' => match x.checked_add(y) {
                    Some(r) => r,
                    None => return Err(ErrorKind::Overflow("adding", x, y)),
                },
                b'-' => match x.checked_sub(y) {
                    Some(r) => r,
                    None => return Err(ErrorKind::Overflow("subtracting", x, y)),
                },
                b'*' => match x.checked_mul(y) {
                    Some(r) => r,
                    None => return Err(ErrorKind::Overflow("multiplying", x, y)),
                },
                _ => {
                    if y == 0 {
                        return Err(ErrorKind::DivisionByZero);
                    }
                    match x.checked_div(y) {
                        Some(r) => r,
                        None => return Err(ErrorKind::Overflow("dividing", x, y)),
                    }
                }
            };
            Ok(Value::Int(r))
        }
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let x = as_f64(a);
            let y = as_f64(b);
            Ok(Value::Float(match op {
                b'+' => x + y,
                b'-' => x - y,
                b'*' => x * y,
                _ => {
                    if y == 0.0 {
                        return Err(ErrorKind::DivisionByZero);
                    }
                    x / y
                }
            }))
        }
        _ => {
            let verb = match op {
                b'+' => "add",
                b'-' => "subtract",
                b'*' => "multiply",
                _ => "divide",
            };
            let (x, y) = (b, a);
            Err(ErrorKind::Other(format!(
                "cannot {verb} {} {} {}",
                x.type_description(),
                if op == b'+' || op == b'-' {
                    if op == b'+' {
                        "to"
                    } else {
                        "from"
                    }
                } else if op == b'*' {
                    "with"
                } else {
                    "by"
                },
                y.type_description()
            )))
        }
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => unreachable!("only called on numbers"),
    }
}

pub use crate::convert::type_error;
