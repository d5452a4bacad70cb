use nixie_eval::builtins;

#[builtins]
mod pack {
    use nixie_eval::prelude::*;

    #[builtin("open")]
    fn open(p: NixString) -> Result<std::fs::File, ErrorKind> {
        std::fs::File::open(p.to_string()).map_err(|e| ErrorKind::Io(e.to_string()))
    }
}

fn main() {}
