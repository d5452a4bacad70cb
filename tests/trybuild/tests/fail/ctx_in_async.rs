use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    async fn peek(co: &mut Co, cx: &mut Ctx, v: Value) -> Result<Value, Error> {
        let _ = (co, cx);
        Ok(v)
    }
}

fn main() {}
