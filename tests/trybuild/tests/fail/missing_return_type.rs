use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("ignore")]
    fn ignore(v: Value) {
        let _ = v;
    }
}

fn main() {}
