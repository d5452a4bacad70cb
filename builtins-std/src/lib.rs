//! The pure standard builtins of Nix (types, arithmetic, lists, sets, strings,
//! JSON, hashing, …) as packs for a Nixie evaluation, written with `#[builtins]`.
//! Nothing here touches the operating system; impure builtins live in
//! `nixie-builtins-impure`.

#![deny(missing_docs)]

use nixie_eval::builtins::Pack;
use nixie_eval::EvaluationBuilder;

pub mod arith;
pub mod attrs;
mod attrs_steps;
pub mod constants;
pub mod control;
pub mod derivation;
pub mod flake_ref;
pub mod json;
mod list_steps;
pub mod lists;
mod sort_steps;
pub mod store;
pub mod strings;
pub mod types;

/// Every pack of this crate.
pub static PACKS: &[&Pack] = &[
    &types::PACK,
    &arith::PACK,
    &constants::PACK,
    &lists::PACK,
    &attrs::PACK,
    &control::PACK,
    &strings::PACK,
    &json::PACK,
    &store::PACK,
    &flake_ref::PACK,
];

/// Register every standard pack with an evaluation (and `derivation`, which is
/// written in Nix on top of them).
pub fn register(mut b: EvaluationBuilder) -> EvaluationBuilder {
    for p in PACKS {
        b = b.pack(p);
    }
    b.pack_with_state(&derivation::PACK, derivation::DrvHashes::default())
        .nix_global("derivation", true, derivation::DERIVATION_NIX)
}
