use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    async fn peek(co: Co, v: Value) -> Result<Value, Error> {
        let _ = co;
        Ok(v)
    }
}

fn main() {}
