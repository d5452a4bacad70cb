use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("inc")]
    fn inc(#[lazy] n: i64) -> Result<i64, ErrorKind> {
        Ok(n + 1)
    }
}

fn main() {}
