//! Placeholder: builtins of this group are being written.

use nixie_eval::builtins;

#[builtins(name = "attrs")]
pub mod defs {}

pub use defs::PACK;
