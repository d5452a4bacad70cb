//! Stepper frames: a builtin's loop (see [`crate::steps`]) run by the VM itself.
//! Each request is carried out as a generator's would be; answers that come at
//! once resume the stepper in a loop here, others arrive through `deliver`.

use super::builtin_call::{panic_error, traced};
use super::coroutine::panic_message;
use super::{Frame, Request, Step, Vm};
use crate::builtins::BuiltinDef;
use crate::context::CallArgs;
use crate::errors::Error;
use crate::steps::{Next, Start, Steps};
use crate::value::Value;

impl Vm {
    /// Start a builtin's steps (or the machine's own, without a builtin) with
    /// `depth` calls active in them.
    pub(super) fn start_steps(
        &mut self,
        def: Option<&'static BuiltinDef>,
        steps: Steps,
        depth: u32,
    ) -> Step {
        let (first, stepper) = match steps.0 {
            Start::Done(v) => return Ok(Some(v)),
            Start::Ask(first, stepper) => (first, stepper),
        };
        self.check_depth()?;
        self.count_builtin_call()?;
        self.push_frame(|| Frame::Steps {
            stepper,
            def,
            depth,
        });
        self.carry_out(first)
    }

    /// Carry out `next` for the steps frame on top, resuming it with every answer
    /// that comes at once; None when frames were pushed to compute one.
    pub(super) fn carry_out(&mut self, mut next: Next) -> Step {
        loop {
            // Calls, the loops' usual request, go straight to the machine.
            let answered = match next {
                Next::Done(v) => {
                    self.frames.pop();
                    return Ok(Some(v));
                }
                Next::Call(f, CallArgs::One(a)) => self.enter_call(f, a, None)?,
                Next::Call(f, args) => self.call_with(f, args, None)?,
                Next::Force(v) => self.handle_request(Request::Force(v), None)?,
                Next::Equal(a, b) => self.handle_request(Request::Equal(a, b), None)?,
                Next::Less(a, b) => self.handle_request(Request::Less(a, b), None)?,
            };
            let answer = match answered {
                Some(Value::Thunk(t)) => match t.value() {
                    Some(v) => v,
                    None => match self.push_force(t, None)? {
                        Some(v) => v,
                        None => return Ok(None),
                    },
                },
                Some(v) => v,
                None => return Ok(None),
            };
            next = self.resume_steps(answer)?;
        }
    }

    /// Hand `answer` to the stepper on top; its error (or panic) ends the frame.
    pub(super) fn resume_steps(&mut self, answer: Value) -> Result<Next, Error> {
        let Some(Frame::Steps { stepper, def, .. }) = self.frames.last_mut() else {
            unreachable!("resume_steps runs only with a steps frame on top")
        };
        let def = *def;
        let resumed =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stepper.resume(answer)));
        match resumed {
            Ok(Ok(next)) => Ok(next),
            Ok(Err(e)) => {
                self.frames.pop();
                Err(traced(def, e))
            }
            Err(payload) => {
                self.frames.pop();
                Err(panic_error(def, &panic_message(&*payload)))
            }
        }
    }
}
