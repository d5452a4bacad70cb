//! Suspended builtins: the VM's own small executor for `async` builtin bodies.
//!
//! A builtin's future is polled by the VM with a no-op waker. When it awaits a
//! request of its [`Co`](crate::Co), the request is left in the VM's one
//! [`Airlock`] and the poll returns `Pending`; the VM carries the request out
//! (pushing frames if it needs to) and polls again with the answer in the airlock.
//! One airlock serves every generator frame, since only the top one ever runs;
//! so a call costs one allocation, the boxed future.

use super::Request;
use crate::builtins::{BuiltinDef, BuiltinFuture};
use crate::errors::Error;
use crate::value::Value;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// What passes between the VM and the generator it is running.
pub(crate) enum Slot {
    Empty,
    Request(Request),
    Answer(Value),
    Failed(Error),
}

/// The VM's mailbox for the running generator.
pub(crate) struct Airlock(RefCell<Slot>);

impl Airlock {
    pub(crate) fn new() -> Airlock {
        Airlock(RefCell::new(Slot::Empty))
    }

    #[inline]
    fn put(&self, s: Slot) {
        let old = std::mem::replace(&mut *self.0.borrow_mut(), s);
        // Each side takes what the other put before putting its own: the slot is
        // empty here, and its drop glue stays off this path.
        if !matches!(old, Slot::Empty) {
            drop_stale(old);
        }
    }

    fn take(&self) -> Slot {
        std::mem::replace(&mut *self.0.borrow_mut(), Slot::Empty)
    }
}

/// Drop a slot that was never taken (only when a generator is abandoned mid-request).
#[cold]
#[inline(never)]
fn drop_stale(slot: Slot) {
    drop(slot);
}

/// The future of one request: leaves it in the airlock, then takes the answer.
pub(crate) struct Yield<'a> {
    lock: &'a Airlock,
    req: Option<Request>,
}

impl<'a> Yield<'a> {
    pub(crate) fn new(lock: &'a Airlock, req: Request) -> Yield<'a> {
        Yield {
            lock,
            req: Some(req),
        }
    }
}

impl Future for Yield<'_> {
    type Output = Result<Value, Error>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(r) = this.req.take() {
            this.lock.put(Slot::Request(r));
            return Poll::Pending;
        }
        match this.lock.take() {
            Slot::Answer(v) => Poll::Ready(Ok(v)),
            Slot::Failed(e) => Poll::Ready(Err(e)),
            other => {
                // Polled again before the VM answered (a combinator polling twice):
                // leave the slot as it was and keep waiting.
                this.lock.put(other);
                Poll::Pending
            }
        }
    }
}

/// A generator frame: a suspended builtin (or helper) future.
pub(crate) struct GenFrame {
    pub(crate) fut: BuiltinFuture,
    /// The builtin it runs (helpers have none), for traces.
    pub(crate) def: Option<&'static BuiltinDef>,
}

/// How one poll of a generator ended.
pub(crate) enum Polled {
    /// It asks for this.
    Request(Request),
    /// It finished.
    Done(Result<Value, Error>),
    /// It awaited something that is not a request of its `Co`.
    Stray,
    /// It panicked, with this message.
    Panicked(String),
}

impl GenFrame {
    /// Resume with `input` in the airlock and poll once.
    pub(crate) fn resume(&mut self, lock: &Airlock, input: Slot) -> Polled {
        lock.put(input);
        let mut cx = Context::from_waker(Waker::noop());
        let fut = &mut self.fut;
        let polled =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
        match polled {
            Ok(Poll::Ready(r)) => {
                lock.take();
                Polled::Done(r)
            }
            Ok(Poll::Pending) => match lock.take() {
                Slot::Request(r) => Polled::Request(r),
                _ => Polled::Stray,
            },
            Err(payload) => {
                lock.take();
                Polled::Panicked(panic_message(&*payload))
            }
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".into()
    }
}
