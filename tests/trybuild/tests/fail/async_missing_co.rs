use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("apply")]
    async fn apply(f: Value, x: Value) -> Result<Value, ErrorKind> {
        let _ = x;
        Ok(f)
    }
}

fn main() {}
