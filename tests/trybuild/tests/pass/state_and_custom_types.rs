//! Pack state of a real type, and a pack's own argument type.
use nixie_eval::builtins;
use nixie_eval::convert::FromValue;
use nixie_eval::{Ctx, Error, ErrorKind, Evaluation, Value};
use std::cell::Cell;
use std::path::Path;

/// Counts calls.
pub struct Counter(Cell<i64>);

/// An even integer.
pub struct Even(i64);

impl FromValue for Even {
    fn from_value(v: &Value, cx: &mut Ctx<'_>) -> Result<Self, Error> {
        match cx.forced(v)? {
            Value::Int(i) if i % 2 == 0 => Ok(Even(i)),
            other => Err(nixie_eval::convert::type_error("an even integer", &other).into()),
        }
    }
}

#[builtins(name = "counting", state = Counter)]
mod counting {
    use nixie_eval::prelude::*;

    /// Count this call and return the count.
    #[builtin("tick")]
    fn tick(#[state] c: Rc<super::Counter>, _v: Value) -> Result<i64, ErrorKind> {
        c.0.set(c.0.get() + 1);
        Ok(c.0.get())
    }

    /// Half of an even number.
    #[builtin("half")]
    fn half(n: super::Even) -> Result<i64, ErrorKind> {
        Ok(n.0 / 2)
    }

    /// The count, from an async builtin.
    #[builtin("count")]
    async fn count(co: &mut Co, #[state] c: Rc<super::Counter>, v: Value) -> Result<i64, ErrorKind> {
        let _ = co.force(v).await;
        Ok(c.0.get())
    }
}

fn main() {
    let missing = Evaluation::builder().pack(&counting::PACK).build();
    assert!(missing.is_err(), "a pack with state needs pack_with_state");
    let mut e = Evaluation::builder()
        .pack_with_state(&counting::PACK, Counter(Cell::new(0)))
        .build()
        .unwrap();
    let v = e
        .eval_source(
            "t",
            "[ (builtins.tick 0) (builtins.tick 0) (builtins.half 8) ]",
            Path::new("/"),
        )
        .unwrap();
    let v = e.deep_force(v).unwrap();
    let out = String::from_utf8(nixie_eval::printer::print_value(&v, None)).unwrap();
    assert_eq!(out, "[ 1 2 4 ]");
    let v = e
        .eval_source("t", "builtins.count 0", Path::new("/"))
        .unwrap();
    assert_eq!(
        String::from_utf8(nixie_eval::printer::print_value(&v, None)).unwrap(),
        "2"
    );
    let err = e
        .eval_source("t", "builtins.half 3", Path::new("/"))
        .unwrap_err();
    assert!(e
        .render_error(&err, false)
        .contains("expected an even integer but found an integer: 3"));
}
