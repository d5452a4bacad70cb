use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("answer")]
    fn answer() -> Result<i64, ErrorKind> {
        Ok(42)
    }
}

fn main() {}
