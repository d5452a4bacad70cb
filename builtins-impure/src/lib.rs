//! Impure Nix builtins as packs for a Nixie evaluation: the environment and clock
//! (feature `env`), the file system (feature `fs`), copying trees into the
//! store (feature `store`: `path`, `filterSource`, `storePath`) and the fetchers
//! (feature `fetch`: `fetchurl`, `fetchTarball`, `fetchGit`, `fetchTree`). All access goes through
//! the evaluation's `Io`, so an embedder can still sandbox it.

#![deny(missing_docs)]

use nixie_eval::builtins::Pack;
use nixie_eval::EvaluationBuilder;

#[cfg(feature = "env")]
pub mod env;
#[cfg(feature = "fetch")]
pub mod fetch;
#[cfg(feature = "fs")]
pub mod fs;
#[cfg(feature = "store")]
pub mod store;

/// Every pack enabled by this crate's features.
pub static PACKS: &[&Pack] = &[
    #[cfg(feature = "env")]
    &env::PACK,
    #[cfg(feature = "fs")]
    &fs::PACK,
    #[cfg(feature = "store")]
    &store::PACK,
    #[cfg(feature = "fetch")]
    &fetch::PACK,
];

/// Register every enabled impure pack with an evaluation.
pub fn register(mut b: EvaluationBuilder) -> EvaluationBuilder {
    for p in PACKS {
        b = b.pack(p);
    }
    b
}
