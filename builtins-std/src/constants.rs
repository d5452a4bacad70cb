//! Constants of the `builtins` set: `nixVersion`, `langVersion`, `storeDir`, ….

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

    /// The system type Nix builds for by default.
    #[constant("currentSystem")]
    fn current_system() -> &'static str {
        "x86_64-linux"
    }

    /// The Nix store directory.
    #[constant("storeDir")]
    fn store_dir() -> String {
        std::env::var("NIX_STORE_DIR")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/nix/store".into())
    }
}

pub use defs::PACK;
