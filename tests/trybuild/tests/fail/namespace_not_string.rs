use nixie_eval::builtins;

#[builtins(namespace = probe)]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    fn peek(v: Value) -> Result<Value, Error> {
        Ok(v)
    }
}

fn main() {}
