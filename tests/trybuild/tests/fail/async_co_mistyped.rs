use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("apply")]
    async fn apply(co: Value, f: Value) -> Result<Value, ErrorKind> {
        let _ = co;
        Ok(f)
    }
}

fn main() {}
