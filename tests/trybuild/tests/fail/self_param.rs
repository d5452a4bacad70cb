use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    struct S;

    impl S {
        #[builtin("method")]
        fn method(&self, v: Value) -> Result<Value, ErrorKind> {
            Ok(v)
        }
    }

    #[builtin("free")]
    fn free(self, v: Value) -> Result<Value, ErrorKind> {
        Ok(v)
    }
}

fn main() {}
