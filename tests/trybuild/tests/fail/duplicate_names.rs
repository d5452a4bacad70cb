use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("length")]
    fn length(l: List) -> Result<i64, ErrorKind> {
        Ok(l.len() as i64)
    }

    #[builtin("length")]
    fn length_again(l: List) -> Result<i64, ErrorKind> {
        Ok(l.len() as i64)
    }
}

fn main() {}
