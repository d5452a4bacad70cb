//! Collisions between packs are errors unless a pack overrides.
use nixie_eval::builtins;
use nixie_eval::Evaluation;
use std::path::Path;

#[builtins(name = "one")]
mod one {
    use nixie_eval::prelude::*;

    /// One.
    #[builtin("pick")]
    fn pick(_v: Value) -> Result<i64, ErrorKind> {
        Ok(1)
    }
}

#[builtins(name = "two")]
mod two {
    use nixie_eval::prelude::*;

    /// Two.
    #[builtin("pick")]
    fn pick(_v: Value) -> Result<i64, ErrorKind> {
        Ok(2)
    }
}

#[builtins(name = "three", overrides)]
mod three {
    use nixie_eval::prelude::*;

    /// Three.
    #[builtin("pick")]
    fn pick(_v: Value) -> Result<i64, ErrorKind> {
        Ok(3)
    }
}

fn main() {
    let err = Evaluation::builder()
        .pack(&one::PACK)
        .pack(&two::PACK)
        .build()
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "builtin 'pick' is defined by both pack 'one' and pack 'two' (mark one pack as overriding)"
    );
    let mut e = Evaluation::builder()
        .pack(&one::PACK)
        .pack(&three::PACK)
        .build()
        .unwrap();
    let v = e
        .eval_source("t", "builtins.pick null", Path::new("/"))
        .unwrap();
    assert_eq!(
        String::from_utf8(nixie_eval::printer::print_value(&v, None)).unwrap(),
        "3"
    );
}
