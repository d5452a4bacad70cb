#[derive(nixie_eval::FromAttrs)]
struct Args(String);

fn main() {}
