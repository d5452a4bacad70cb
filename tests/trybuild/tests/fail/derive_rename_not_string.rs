#[derive(nixie_eval::FromAttrs)]
struct Args {
    #[nix(rename = outputHash)]
    hash: String,
}

fn main() {}
