//! Builtins that loop over Nix calls without a generator: a [`Stepper`] is a
//! state machine the VM resumes directly with each answer, so a builtin such as
//! `foldl'` or `sort` costs one frame for the whole loop instead of a suspended
//! future polled once per element.
//!
//! A plain (`fn`) builtin returns [`Steps`] to run one. Should that builtin run
//! on its suspending path instead (an argument conversion had to call back into
//! Nix), the same steps are carried out inside the generator, with the same
//! answers, so a stepper never knows which path it runs on.

use crate::context::{CallArgs, Co};
use crate::convert::IntoValue;
use crate::errors::Error;
use crate::value::Value;

/// What a [`Stepper`] asks the VM for next.
pub enum Next {
    /// Call the function with the arguments; the answer is the result in weak
    /// head normal form.
    Call(Value, CallArgs),
    /// Force the value; the answer is it in weak head normal form.
    Force(Value),
    /// Nix `==` of two values; the answer is a Boolean.
    Equal(Value, Value),
    /// Nix `<` of two values already in weak head normal form; the answer is a
    /// Boolean (incomparable values are Nix's comparison error).
    Less(Value, Value),
    /// The builtin's result.
    Done(Value),
}

/// A builtin's loop over Nix calls, resumed by the VM with each answer.
///
/// An error from a request (a `throw` in a called function, say) unwinds past
/// the stepper, which is then dropped; an error the stepper returns is the
/// builtin's error, traced as "while calling the '…' builtin".
pub trait Stepper {
    /// Take the answer to the last request and say what comes next.
    fn resume(&mut self, answer: Value) -> Result<Next, Error>;

    /// Add this loop's trace lines to an error escaping its pending request
    /// (below the builtin's own "while calling" line); none by default.
    fn trace(&self, error: Error) -> Error {
        error
    }
}

/// The result of a plain builtin that loops over Nix calls: its first request
/// and the stepper that carries on from the answer, or a result at once.
pub struct Steps(pub(crate) Start);

/// How a builtin's steps begin.
pub(crate) enum Start {
    /// With no request: the result.
    Done(Value),
    /// With this request, answered to the stepper.
    Ask(Next, Box<dyn Stepper>),
}

/// The stepper of [`Steps::answer`]: the answer is the result.
struct Answer;

impl Stepper for Answer {
    fn resume(&mut self, answer: Value) -> Result<Next, Error> {
        Ok(Next::Done(answer))
    }
}

impl Steps {
    /// Ask for `first`, then let `rest` take each answer.
    pub fn new(first: Next, rest: impl Stepper + 'static) -> Steps {
        Steps(Start::Ask(first, Box::new(rest)))
    }

    /// Finish at once with `v` (an empty list, say), asking for nothing.
    pub fn done(v: impl IntoValue) -> Steps {
        Steps(Start::Done(v.into_value()))
    }

    /// Ask for `request`; its answer is the result (`foldl'` of an empty list
    /// forcing its initial value).
    pub fn answer(request: Next) -> Steps {
        Steps::new(request, Answer)
    }

    /// Carry the steps out inside a generator (the builtin's suspending path).
    pub(crate) async fn run(self, co: &mut Co) -> Result<Value, Error> {
        let (mut next, mut stepper) = match self.0 {
            Start::Done(v) => return Ok(v),
            Start::Ask(first, stepper) => (first, stepper),
        };
        loop {
            let answer = match next {
                Next::Done(v) => return Ok(v),
                Next::Call(f, args) => co.call(f, args).await,
                Next::Force(v) => co.force(v).await,
                Next::Equal(a, b) => Value::Bool(co.equal(a, b).await),
                Next::Less(a, b) => match co.less(a, b).await {
                    Ok(r) => Value::Bool(r),
                    Err(e) => return Err(stepper.trace(e)),
                },
            };
            next = stepper.resume(answer)?;
        }
    }
}

/// What a plain builtin's fast path produced: a value, or steps for the VM.
pub struct Returned(pub(crate) Outcome);

/// The two kinds of [`Returned`].
pub(crate) enum Outcome {
    Value(Value),
    Steps(Steps),
}

impl Returned {
    /// The result on the suspending path: a value as it is, steps carried out.
    pub(crate) async fn finish(self, co: &mut Co) -> Result<Value, Error> {
        match self.0 {
            Outcome::Value(v) => Ok(v),
            Outcome::Steps(s) => s.run(co).await,
        }
    }
}

/// What a plain builtin may return: `Result<T, E>` with `T: IntoValue` or
/// `T = Steps`, and `E: Into<Error>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the return type of a builtin",
    label = "not a `Result<T, E>` with `T: IntoValue` and `E: Into<nixie_eval::Error>`",
    note = "return `Result<T, Error>` (or any `E: Into<Error>`, such as `ErrorKind` or `String`) where `T: IntoValue`, or `Result<Steps, E>` for a loop over Nix calls"
)]
pub trait SyncResult {
    /// The result as a value, steps, or an error.
    fn into_returned(self) -> Result<Returned, Error>;
}

impl<T: IntoValue, E: Into<Error>> SyncResult for Result<T, E> {
    #[inline]
    fn into_returned(self) -> Result<Returned, Error> {
        match self {
            Ok(v) => Ok(Returned(Outcome::Value(v.into_value()))),
            Err(e) => Err(e.into()),
        }
    }
}

impl<E: Into<Error>> SyncResult for Result<Steps, E> {
    fn into_returned(self) -> Result<Returned, Error> {
        match self {
            Ok(s) => Ok(Returned(Outcome::Steps(s))),
            Err(e) => Err(e.into()),
        }
    }
}
