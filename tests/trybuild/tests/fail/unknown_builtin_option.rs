use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("id", strict)]
    fn id(v: Value) -> Result<Value, ErrorKind> {
        Ok(v)
    }
}

fn main() {}
