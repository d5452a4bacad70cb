use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    async fn peek(co: &mut Co, v: Value) -> Result<Value, Error> {
        // The context cannot be held while the builtin suspends.
        let io = co.ctx(|cx| cx.io());
        let _ = io;
        Ok(co.force(v).await)
    }
}

fn main() {}
