use nixie_eval::builtins;

#[builtins]
mod pack {
    #[constant("answer")]
    fn answer(x: i64) -> i64 {
        x
    }
}

fn main() {}
