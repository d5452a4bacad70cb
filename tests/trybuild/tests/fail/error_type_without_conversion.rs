use nixie_eval::builtins;

struct Oops;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    fn peek(v: Value) -> Result<Value, super::Oops> {
        Ok(v)
    }
}

fn main() {}
