use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    /// The program from the issue: poison a running thunk.
    #[builtin("poison")]
    fn poison(#[lazy] x: Value, y: Value) -> Result<Value, Error> {
        if let Value::Thunk(t) = &x {
            t.set_value(y.clone());
        }
        Ok(y)
    }
}

fn main() {}
