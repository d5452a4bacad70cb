use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("apply")]
    async fn apply(f: Value, co: &mut Co) -> Result<Value, ErrorKind> {
        let _ = co;
        Ok(f)
    }
}

fn main() {}
