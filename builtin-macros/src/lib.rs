//! The `#[builtins]` attribute macro that turns a module of plain Rust functions
//! into a Nixie builtin pack. This first version passes its input through
//! unchanged; the macro proper is built by the builtin-framework work.

use proc_macro::TokenStream;

/// Mark a module as a pack of builtins (pass-through for now).
#[proc_macro_attribute]
pub fn builtins(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
