#[derive(nixie_eval::FromAttrs)]
enum Args {
    A,
}

fn main() {}
