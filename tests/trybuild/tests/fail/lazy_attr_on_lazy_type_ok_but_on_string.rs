use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("peek")]
    fn peek(#[lazy] s: String) -> Result<String, Error> {
        Ok(s)
    }
}

fn main() {}
