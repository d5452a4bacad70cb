use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("apply")]
    fn apply(co: &mut Co, f: Value) -> Result<Value, ErrorKind> {
        let _ = co;
        Ok(f)
    }
}

fn main() {}
