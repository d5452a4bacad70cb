//! Compile-fail and compile-pass tests of the `#[builtins]` macro: every misuse has
//! a case under `tests/fail` whose exact compiler message is pinned in a `.stderr`
//! file, and every supported signature shape compiles under `tests/pass`.
