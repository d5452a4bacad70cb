use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek", suspend = slowly)]
    fn peek(v: Value) -> Result<Value, Error> {
        Ok(v)
    }

    fn slowly(v: Value) -> Result<Value, Error> {
        Ok(v)
    }
}

fn main() {}
