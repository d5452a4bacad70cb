use nixie_eval::builtins;

pub struct Counter;

#[builtins(state = Counter)]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("count")]
    fn count(#[state] n: &super::Counter, v: Value) -> Result<i64, ErrorKind> {
        let _ = (n, v);
        Ok(0)
    }
}

fn main() {}
