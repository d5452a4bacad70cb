//! A third-party pack of Nix builtins written with `#[builtins]`: a pure builtin
//! with typed arguments, one with a lazy argument, an `async` one that calls back
//! into a Nix function, and one that uses the pack's state (a call counter).
//! `evaluation()` builds an evaluation with the standard packs plus this one.

use nixie_eval::builtins;
use nixie_eval::{BuildError, Evaluation};
use std::cell::Cell;

/// The pack's state: how many times `builtins.counter.tick` ran.
#[derive(Default)]
pub struct Calls(pub Cell<i64>);

#[builtins(name = "example", state = Calls)]
pub mod example {
    use nixie_eval::prelude::*;

    /// Clamp an integer into the range `[lo, hi]`.
    #[builtin("clamp")]
    fn clamp(lo: i64, hi: i64, x: i64) -> Result<i64, ErrorKind> {
        if lo > hi {
            return Err(ErrorKind::Throw(format!("clamp: empty range [{lo}, {hi}]")));
        }
        Ok(x.clamp(lo, hi))
    }

    /// Return `fallback` when `cond` is false, without ever forcing `value` then.
    #[builtin("when")]
    fn when(cond: bool, #[lazy] value: Value, #[lazy] fallback: Value) -> Result<Value, ErrorKind> {
        Ok(if cond { value } else { fallback })
    }

    /// Apply `f` to its own result `n` times, starting from `x`: `iterate f n x`.
    #[builtin("iterate")]
    async fn iterate(co: GenCo, f: Callable, n: i64, x: Value) -> Result<Value, ErrorKind> {
        let mut acc = x;
        for _ in 0..n.max(0) {
            let next = co.yield_(Request::Call(f.0.clone(), acc)).await;
            acc = force(&co, next).await;
        }
        Ok(acc)
    }

    /// Count this call; returns how many times it has been called in this evaluation.
    #[builtin("tick")]
    fn tick(#[state] calls: Rc<super::Calls>, _unused: Value) -> Result<i64, ErrorKind> {
        calls.0.set(calls.0.get() + 1);
        Ok(calls.0.get())
    }
}

/// An evaluation with the standard builtins and this example pack.
pub fn evaluation() -> Result<Evaluation, BuildError> {
    nixie_builtins_std::register(Evaluation::builder())
        .pack_with_state(&example::PACK, Calls::default())
        .build()
}

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
