use nixie_eval::builtins;

#[builtins(name = "p", pure)]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("id")]
    fn id(v: Value) -> Result<Value, ErrorKind> {
        Ok(v)
    }
}

fn main() {}
