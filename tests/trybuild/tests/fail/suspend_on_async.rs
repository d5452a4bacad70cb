use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek", suspend = slowly)]
    async fn peek(co: &mut Co, v: Value) -> Result<Value, Error> {
        Ok(co.force(v).await)
    }

    async fn slowly(co: &mut Co, v: Value) -> Result<Value, Error> {
        Ok(co.force(v).await)
    }
}

fn main() {}
