use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("length")]
    fn length(l: List) -> i64 {
        l.len() as i64
    }
}

fn main() {}
