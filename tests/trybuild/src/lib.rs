//! Compile-fail and compile-pass tests of the `#[builtins]` macro live here
//! (filled by the builtin-framework work).
