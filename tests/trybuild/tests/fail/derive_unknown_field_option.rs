#[derive(nixie_eval::FromAttrs)]
struct Args {
    #[nix(optional)]
    url: String,
}

fn main() {}
