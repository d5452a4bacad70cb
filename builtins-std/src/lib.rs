//! The pure standard builtins of Nix (lists, sets, strings, JSON, hashing, …)
//! as a pack for a Nixie evaluation. This crate is filled by the builtin-library
//! work; for now it provides an empty pack so the CLI can register it.

use nixie_eval::builtins::Pack;

/// The standard pack.
pub static STD_PACK: Pack = Pack {
    name: "std",
    builtins: &[],
    values: &[],
    overrides: false,
};
