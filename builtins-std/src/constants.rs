//! Constants of the `builtins` set: `nixVersion`, `langVersion`. (`storeDir` and
//! `nixPath` come from the evaluation's host; `currentSystem` is impure.)

use nixie_eval::builtins;

#[builtins(name = "constants")]
pub mod defs {

    /// The version of Nix this evaluator follows.
    #[constant("nixVersion")]
    fn nix_version() -> &'static str {
        "2.31.0"
    }

    /// The version of the Nix language.
    #[constant("langVersion")]
    fn lang_version() -> i64 {
        6
    }
}

pub use defs::PACK;
