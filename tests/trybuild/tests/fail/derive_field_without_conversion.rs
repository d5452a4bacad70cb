#[derive(nixie_eval::FromAttrs)]
struct Args {
    file: std::fs::File,
}

fn main() {}
