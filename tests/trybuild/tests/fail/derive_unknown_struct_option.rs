#[derive(nixie_eval::FromAttrs)]
#[nix(strict)]
struct Args {
    url: String,
}

fn main() {}
