use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    async fn peek(co: &mut Co, a: Value, b: Value) -> Result<Value, Error> {
        // One request at a time: a second cannot start while the first is pending.
        let x = co.force(a);
        let y = co.force(b);
        Ok(Value::List(vec![x.await, y.await].into()))
    }
}

fn main() {}
