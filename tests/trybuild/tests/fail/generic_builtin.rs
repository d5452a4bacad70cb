use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("id")]
    fn id<T: FromValue>(v: T) -> Result<Value, ErrorKind> {
        let _ = v;
        Ok(Value::Null)
    }
}

fn main() {}
