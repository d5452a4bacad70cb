//! Impure Nix builtins (environment, files, time) as a pack for a Nixie
//! evaluation, each group behind a cargo feature. For now an empty pack.

use nixie_eval::builtins::Pack;

/// The impure pack.
pub static IMPURE_PACK: Pack = Pack {
    name: "impure",
    builtins: &[],
    values: &[],
    overrides: false,
};
