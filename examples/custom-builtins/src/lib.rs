//! A third-party pack of Nix builtins written with `#[builtins]`: a pure builtin
//! with typed arguments, one with a lazy argument, an `async` one that calls back
//! into a Nix function, two that loop over Nix calls as steps the VM runs
//! directly (no generator), one that uses the pack's state (a call counter), and a
//! namespaced pack (`builtins.net.*`) with an attribute-set argument, host access
//! and a callback whose catchable error the builtin handles itself.
//! `evaluation()` builds an evaluation with the standard packs plus these.

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
    async fn iterate(co: &mut Co, f: Callable, n: i64, x: Value) -> Result<Value, ErrorKind> {
        let mut acc = x;
        for _ in 0..n.max(0) {
            acc = co.call(f.0.clone(), acc).await;
        }
        Ok(acc)
    }

    /// Apply `f` to `x` until `pred` holds of the result: `until pred f x`.
    #[builtin("until")]
    fn until(pred: Callable, f: Callable, x: Value) -> Result<Steps, ErrorKind> {
        let first = Next::Call(pred.0.clone(), CallArgs::One(x.clone()));
        Ok(Steps::new(
            first,
            Until {
                pred: pred.0,
                f: f.0,
                current: x,
                testing: true,
            },
        ))
    }

    /// The loop of `until`: it alternates between testing and applying.
    struct Until {
        pred: Value,
        f: Value,
        current: Value,
        /// Whether the pending call is `pred` (else `f`).
        testing: bool,
    }

    impl Stepper for Until {
        fn resume(&mut self, answer: Value) -> Result<Next, Error> {
            if self.testing {
                let done = match answer {
                    Value::Bool(b) => b,
                    other => {
                        return Err(Error::from(nixie_eval::convert::type_error("a Boolean", &other))
                            .context("while evaluating the return value of the predicate passed to builtins.until"))
                    }
                };
                if done {
                    return Ok(Next::Done(self.current.clone()));
                }
                self.testing = false;
                Ok(Next::Call(
                    self.f.clone(),
                    CallArgs::One(self.current.clone()),
                ))
            } else {
                self.current = answer.clone();
                self.testing = true;
                Ok(Next::Call(self.pred.clone(), CallArgs::One(answer)))
            }
        }
    }

    /// Call `f` with `s` as a string (coercing a set through `__toString`).
    #[builtin("callWithString")]
    fn call_with_string(s: Coerced, f: Callable) -> Result<Steps, ErrorKind> {
        let first = Next::Call(f.0, CallArgs::One(Value::String(s.into_inner())));
        Ok(Steps::answer(first))
    }

    /// Count this call; returns how many times it has been called in this evaluation.
    #[builtin("tick")]
    fn tick(#[state] calls: Rc<super::Calls>, _unused: Value) -> Result<i64, ErrorKind> {
        calls.0.set(calls.0.get() + 1);
        Ok(calls.0.get())
    }
}

/// The attribute set `builtins.net.describe` takes.
#[derive(nixie_eval::FromAttrs)]
#[nix(unknown = "unsupported argument '{name}' to 'describe'")]
pub struct Request {
    /// The URL (required).
    pub url: nixie_eval::NixString,
    /// The expected hash, if any (`null` counts as absent).
    pub sha256: Option<nixie_eval::NixString>,
    /// The name, `"download"` when absent.
    #[nix(default = "\"download\".into()")]
    pub name: String,
    /// How many attempts; `outputHash`-style renaming.
    #[nix(rename = "maxAttempts", default = "3")]
    pub max_attempts: i64,
}

#[builtins(name = "net", namespace = "net")]
pub mod net {
    use nixie_eval::prelude::*;

    /// Describe a download request given as `{ url; sha256 ? null; name ? "download"; maxAttempts ? 3; }`.
    #[builtin("describe")]
    fn describe(cx: &mut Ctx, req: super::Request) -> Result<String, Error> {
        let hash = match &req.sha256 {
            Some(h) => h.to_string(),
            None if cx.settings().pure_eval => {
                return Err(Error::msg(
                    "in pure evaluation mode, 'describe' requires a 'sha256' argument",
                ))
            }
            None => "unchecked".into(),
        };
        Ok(format!(
            "{} <- {} [{hash}] x{}",
            req.name, req.url, req.max_attempts
        ))
    }

    /// `attempt f x`: `f x`, or `fallback` when that throws.
    #[builtin("attempt")]
    async fn attempt(
        co: &mut Co,
        f: Callable,
        x: Value,
        fallback: Lazy<Value>,
    ) -> Result<Value, Error> {
        match co.try_call(f.0, x).await {
            Ok(v) => Ok(v),
            Err(_) => Ok(co.force(fallback.into_value()).await),
        }
    }
}

/// An evaluation with the standard builtins and these example packs.
pub fn evaluation() -> Result<Evaluation, BuildError> {
    nixie_builtins_std::register(Evaluation::builder())
        .pack_with_state(&example::PACK, Calls::default())
        .pack(&net::PACK)
        .build()
}

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
