use nixie_eval::builtins;

#[builtins(crate = "nixie_eval")]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    fn peek(v: Value) -> Result<Value, Error> {
        Ok(v)
    }
}

fn main() {}
