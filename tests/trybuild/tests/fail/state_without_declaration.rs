use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("count")]
    fn count(#[state] n: Rc<std::cell::Cell<i64>>, v: Value) -> Result<i64, ErrorKind> {
        let _ = v;
        Ok(n.get())
    }
}

fn main() {}
