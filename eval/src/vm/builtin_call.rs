//! Calling builtins: forcing their strict arguments, running a plain builtin's fast
//! path (and forcing what its conversions ask for, then calling it again), and
//! switching to its suspending path or starting an async builtin's generator.

use super::coroutine::{panic_message, GenFrame};
use super::{Frame, Step, Vm};
use crate::builtins::{Args, BuiltinDef, BuiltinFn, MachineFn, SyncFn};
use crate::context::Ctx;
use crate::errors::{Control, Error};
use crate::source::Span;
use crate::steps::Outcome;
use crate::value::{Thunk, Value};

/// How a plain builtin's fast path ended.
pub(super) enum SyncOutcome {
    Done(Value),
    /// A loop for the VM to step.
    Steps(crate::steps::Steps),
    Failed(Error),
    /// Force these, then call again.
    Blocked(Vec<Thunk>),
    /// Run the suspending path.
    Suspend,
}

impl Vm {
    /// Force the next strict argument of the builtin on top, or call it when all are forced.
    pub(super) fn step_builtin(&mut self) -> Step {
        let Some(Frame::Builtin {
            def, base, next, ..
        }) = self.frames.last_mut()
        else {
            unreachable!("step_builtin runs only with a builtin frame on top")
        };
        let (def, base) = (*def, *base as usize);
        while (*next) < def.arity {
            let i = *next as usize;
            if def.lazy & (1 << i) != 0 {
                *next += 1;
                continue;
            }
            match &self.stack[base + i] {
                Value::Thunk(t) => match t.value() {
                    Some(v) => {
                        self.stack[base + i] = v;
                        *next += 1;
                    }
                    None => {
                        let t = t.clone();
                        return match self.push_force(t, None)? {
                            Some(v) => {
                                let Some(Frame::Builtin { next, .. }) = self.frames.last_mut()
                                else {
                                    unreachable!("no frames pushed")
                                };
                                self.stack[base + i] = v;
                                *next += 1;
                                Ok(None)
                            }
                            None => Ok(None),
                        };
                    }
                },
                _ => *next += 1,
            }
        }
        self.call_ready()
    }

    /// Call the builtin on top, whose arguments are ready on the stack.
    fn call_ready(&mut self) -> Step {
        let Some(&Frame::Builtin {
            def,
            pack,
            base,
            depth,
            ..
        }) = self.frames.last()
        else {
            unreachable!("call_ready runs only with a builtin frame on top")
        };
        let base = base as usize;
        match def.func {
            BuiltinFn::Sync { fast, slow } => match self.run_fast(fast, pack, base, def) {
                SyncOutcome::Done(v) => {
                    self.frames.pop();
                    self.stack.truncate(base);
                    Ok(Some(v))
                }
                SyncOutcome::Failed(e) => {
                    self.frames.pop();
                    self.stack.truncate(base);
                    Err(builtin_error(def, e))
                }
                SyncOutcome::Steps(s) => {
                    self.frames.pop();
                    self.stack.truncate(base);
                    self.start_steps(Some(def), s, depth)
                }
                SyncOutcome::Blocked(thunks) => {
                    self.push_frame(|| Frame::Demand {
                        thunks: thunks.into_boxed_slice(),
                        next: 0,
                    });
                    Ok(None)
                }
                SyncOutcome::Suspend => {
                    self.frames.pop();
                    let args = self.take_args(base);
                    match slow {
                        Some(f) => self.start_builtin_gen(def, pack, f, args, depth),
                        None => Err(builtin_error(
                            def,
                            Error::msg("internal error: a builtin without a suspending path asked to suspend"),
                        )),
                    }
                }
            },
            BuiltinFn::Async(f) => {
                self.frames.pop();
                let args = self.take_args(base);
                self.start_builtin_gen(def, pack, f, args, depth)
            }
            BuiltinFn::Machine(MachineFn(f)) => {
                self.frames.pop();
                let args = self.take_args(base);
                self.tally.primop_calls += 1;
                f(self, &args[..def.arity as usize])
                    .map(Some)
                    .map_err(|e| builtin_error(def, e))
            }
        }
    }

    /// The arguments from `base` up, as an array.
    fn take_args(&mut self, base: usize) -> Args {
        let mut args: Args = Default::default();
        for (i, v) in self.stack.drain(base..).enumerate() {
            args[i] = v;
        }
        args
    }

    fn start_builtin_gen(
        &mut self,
        def: &'static BuiltinDef,
        pack: u32,
        f: crate::builtins::AsyncFn,
        args: Args,
        depth: u32,
    ) -> Step {
        self.tally.primop_calls += 1;
        let fut = f(self.co(pack), args);
        self.start_gen_at(
            GenFrame {
                fut,
                def: Some(def),
            },
            depth,
        )
    }

    /// Run a fast path on the arguments at `base` (strict ones already forced).
    pub(super) fn run_fast(
        &mut self,
        f: SyncFn,
        pack: u32,
        base: usize,
        def: &'static BuiltinDef,
    ) -> SyncOutcome {
        let mut host = self.host.borrow_mut();
        let mut cx = Ctx::new(&mut host, pack);
        let args = &self.stack[base..base + def.arity as usize];
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut cx, args)));
        match r {
            Ok(Ok(r)) => {
                self.tally.primop_calls += 1;
                match r.0 {
                    Outcome::Value(v) => SyncOutcome::Done(v),
                    Outcome::Steps(s) => SyncOutcome::Steps(s),
                }
            }
            Ok(Err(e)) => match e.control {
                None => {
                    self.tally.primop_calls += 1;
                    SyncOutcome::Failed(e)
                }
                Some(Control::Blocked) if !cx.demand.is_empty() => {
                    SyncOutcome::Blocked(std::mem::take(&mut cx.demand))
                }
                Some(Control::Blocked) => SyncOutcome::Failed(Error::msg(
                    "internal error: a conversion was blocked without naming what to force",
                )),
                Some(Control::Suspend) => SyncOutcome::Suspend,
            },
            Err(payload) => SyncOutcome::Failed(panicked(def, &*payload)),
        }
    }

    /// Force what a blocked conversion asked for; then the builtin below is called again.
    pub(super) fn step_demand(&mut self) -> Step {
        loop {
            let Some(Frame::Demand { thunks, next }) = self.frames.last_mut() else {
                unreachable!("step_demand runs only with a demand frame on top")
            };
            let Some(t) = thunks.get(*next as usize).cloned() else {
                self.frames.pop();
                return Ok(None);
            };
            if t.is_evaluated() {
                *next += 1;
                continue;
            }
            match self.push_force(t, None)? {
                Some(_) => {
                    if let Some(Frame::Demand { next, .. }) = self.frames.last_mut() {
                        *next += 1;
                    }
                }
                None => return Ok(None),
            }
        }
    }

    /// A builtin's error, positioned at the call when it has no position of its own.
    pub(super) fn builtin_error_at(def: &BuiltinDef, e: Error, span: Option<Span>) -> Error {
        let mut e = builtin_error(def, e);
        if let Some(f) = e.trace.last_mut() {
            f.span = f.span.or(span);
        }
        e
    }
}

/// A builtin's error, with the builtin's trace line.
pub(super) fn builtin_error(def: &BuiltinDef, mut e: Error) -> Error {
    e.push_frame(format!("while calling the '{}' builtin", def.name), None);
    e
}

/// The error for a builtin that panicked: uncatchable, naming the builtin.
pub(super) fn panicked(def: &BuiltinDef, payload: &(dyn std::any::Any + Send)) -> Error {
    panic_error(Some(def), &panic_message(payload))
}

/// The error for a builtin (or the machine's own helper, without one) that
/// panicked with `message`.
pub(super) fn panic_error(def: Option<&BuiltinDef>, message: &str) -> Error {
    let name = def.map_or("(helper)", |d| d.name);
    Error::msg(format!("builtin '{name}' panicked: {message}"))
}

/// A builtin's error with its trace line; the machine's own helpers add none.
pub(super) fn traced(def: Option<&BuiltinDef>, e: Error) -> Error {
    match def {
        Some(def) => builtin_error(def, e),
        None => e,
    }
}
