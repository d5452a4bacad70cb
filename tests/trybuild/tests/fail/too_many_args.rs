use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("five")]
    fn five(a: Value, b: Value, c: Value, d: Value, e: Value) -> Result<Value, ErrorKind> {
        let _ = (b, c, d, e);
        Ok(a)
    }
}

fn main() {}
