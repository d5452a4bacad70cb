//! Arithmetic, comparison and bit operations: `add`, `lessThan`, `bitAnd`, `floor`, ….

use nixie_eval::builtins;

#[builtins(name = "arith")]
pub mod defs {
    use nixie_eval::ops;
    use nixie_eval::prelude::*;

    /// An integer or a float, as Nix's `forceFloat` takes it ("expected a float").
    fn float_operand(v: &Value, what: &str) -> Result<NixNumber, Error> {
        match v {
            Value::Int(i) => Ok(NixNumber::Int(*i)),
            Value::Float(f) => Ok(NixNumber::Float(*f)),
            other => {
                Err(Error::from(nixie_eval::convert::type_error("a float", other)).context(what))
            }
        }
    }

    /// Check the operands of `op` as C++ Nix does: floats if either is a float,
    /// else integers; `what` words the trace ("argument of the addition").
    fn operands(a: &Value, b: &Value, what: &str, second_first: bool) -> Result<(), Error> {
        let float = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
        let check = |v: &Value, nth: &str| -> Result<(), Error> {
            let ok = matches!(v, Value::Int(_)) || (float && matches!(v, Value::Float(_)));
            if ok {
                return Ok(());
            }
            let want = if float { "a float" } else { "an integer" };
            Err(Error::from(nixie_eval::convert::type_error(want, v))
                .context(format!("while evaluating the {nth} {what}")))
        };
        if second_first {
            check(b, "second")?;
            check(a, "first")
        } else {
            check(a, "first")?;
            check(b, "second")
        }
    }

    /// The sum of two numbers.
    #[builtin("add")]
    fn add(a: Value, b: Value) -> Result<Value, Error> {
        operands(&a, &b, "argument of the addition", false)?;
        Ok(ops::arith(b'+', &a, &b)?)
    }

    /// The difference of two numbers.
    #[builtin("sub")]
    fn sub(a: Value, b: Value) -> Result<Value, Error> {
        operands(&a, &b, "argument of the subtraction", false)?;
        Ok(ops::arith(b'-', &a, &b)?)
    }

    /// The product of two numbers.
    #[builtin("mul")]
    fn mul(a: Value, b: Value) -> Result<Value, Error> {
        operands(&a, &b, "argument of the multiplication", false)?;
        Ok(ops::arith(b'*', &a, &b)?)
    }

    /// The quotient of two numbers (integer division truncates).
    #[builtin("div")]
    fn div(a: Value, b: Value) -> Result<Value, Error> {
        // Nix takes the divisor as a float first, whatever the dividend.
        float_operand(&b, "while evaluating the second operand of the division")?;
        if matches!(b, Value::Int(0)) || matches!(b, Value::Float(f) if f == 0.0) {
            return Err(ErrorKind::DivisionByZero.into());
        }
        operands(&a, &b, "operand of the division", true)?;
        Ok(ops::arith(b'/', &a, &b)?)
    }

    /// Whether `a < b` (numbers, strings, paths, or lists compared element-wise).
    #[builtin("lessThan")]
    async fn less_than(co: &mut Co, a: Value, b: Value) -> Result<bool, Error> {
        co.less(a, b).await
    }

    /// Bitwise and of two integers.
    #[builtin("bitAnd")]
    fn bit_and(a: i64, b: i64) -> Result<i64, ErrorKind> {
        Ok(a & b)
    }

    /// Bitwise or of two integers.
    #[builtin("bitOr")]
    fn bit_or(a: i64, b: i64) -> Result<i64, ErrorKind> {
        Ok(a | b)
    }

    /// Bitwise exclusive or of two integers.
    #[builtin("bitXor")]
    fn bit_xor(a: i64, b: i64) -> Result<i64, ErrorKind> {
        Ok(a ^ b)
    }

    /// `floor` or `ceil` (`round`) of a number, as current C++ Nix computes it: in
    /// floating point, refusing results outside the integers and integers that a
    /// float cannot hold exactly.
    fn rounded(x: Value, name: &str, round: fn(f64) -> f64) -> Result<i64, Error> {
        let what = format!("while evaluating the first argument passed to builtins.{name}");
        let n = float_operand(&x, &what)?;
        let value = match n {
            NixNumber::Int(i) => i as f64,
            NixNumber::Float(f) => f,
        };
        let r = round(value);
        // -2^63 is exact as a float, so the range test rounds nothing.
        const INT_MIN: f64 = i64::MIN as f64;
        if !(INT_MIN..-INT_MIN).contains(&r) {
            return Err(Error::msg(match n {
                NixNumber::Int(i) => format!(
                    "Due to a bug (see https://github.com/NixOS/nix/issues/12899) the NixInt argument {i} caused undefined behavior in previous Nix versions.\n\tFuture Nix versions might implement the correct behavior."
                ),
                NixNumber::Float(f) => format!(
                    "NixFloat argument {} is not in the range of NixInt",
                    nixie_eval::printer::float_to_nix(f)
                ),
            }));
        }
        let res = r as i64;
        match n {
            NixNumber::Int(i) if i != res => Err(Error::msg(format!(
                "Due to a bug (see https://github.com/NixOS/nix/issues/12899) a loss of precision occurred in previous Nix versions because the NixInt argument {i} was rounded to {res}.\n\tFuture Nix versions might implement the correct behavior."
            ))),
            _ => Ok(res),
        }
    }

    /// The smallest integer not less than a number.
    #[builtin("ceil")]
    fn ceil(x: Value) -> Result<i64, Error> {
        rounded(x, "ceil", f64::ceil)
    }

    /// The largest integer not greater than a number.
    #[builtin("floor")]
    fn floor(x: Value) -> Result<i64, Error> {
        rounded(x, "floor", f64::floor)
    }
}

pub use defs::PACK;
