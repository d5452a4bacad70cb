//! Resource limits for running code nobody vetted: a memory budget, a time limit, a
//! step (fuel) limit and an output limit, plus an interrupt an embedder can fire
//! from any thread. The machine checks them every [`CHECK_EVERY`] calls;
//! an exceeded limit ends the evaluation with an error `tryEval` cannot catch and no
//! trace, and the process and the [`crate::Evaluation`] both survive it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The resource limits of an evaluation ([`crate::Settings::limits`]). Each is
/// counted from when the evaluation is built, or last reset with
/// [`crate::Evaluation::reset_limits`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Bytes the evaluating thread may hold beyond what it held when counting began.
    /// Needs [`crate::memory::CountingAlloc`] as the global allocator (building the
    /// evaluation fails without it).
    pub memory: Option<usize>,
    /// Wall-clock time the evaluation may run.
    pub time: Option<Duration>,
    /// Calls of lambdas and builtins the evaluation may make (a deterministic time
    /// limit, counted in blocks of [`CHECK_EVERY`]).
    pub steps: Option<u64>,
    /// Bytes of printed or serialised output (`--eval` printing, `toJSON`, `toXML`)
    /// a single result may have.
    pub output: Option<usize>,
}

impl Limits {
    /// Whether no limit is set.
    pub fn is_empty(&self) -> bool {
        *self == Limits::default()
    }
}

/// Which limit an evaluation exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exceeded {
    /// The [`InterruptHandle`] was fired (the CLI fires it on SIGINT).
    Interrupted,
    /// [`Limits::memory`] bytes.
    Memory(usize),
    /// [`Limits::time`].
    Time(Duration),
    /// [`Limits::steps`] steps.
    Steps(u64),
    /// [`Limits::output`] bytes.
    Output(usize),
}

impl Exceeded {
    /// The error message, as after `error: `.
    pub fn message(&self) -> String {
        match self {
            Exceeded::Interrupted => "interrupted by the user".into(),
            Exceeded::Memory(n) => format!("memory limit exceeded (more than {n} bytes)"),
            Exceeded::Time(t) => format!("time limit exceeded ({} s)", t.as_secs_f64()),
            Exceeded::Steps(n) => format!("step limit exceeded ({n} calls)"),
            Exceeded::Output(n) => format!("output limit exceeded (more than {n} bytes)"),
        }
    }
}

impl From<Exceeded> for crate::ErrorKind {
    fn from(x: Exceeded) -> crate::ErrorKind {
        crate::ErrorKind::LimitExceeded(x)
    }
}

/// Stops a running evaluation from another thread: the evaluation ends with
/// "interrupted by the user" at its next check, and every later run of it too until
/// [`crate::Evaluation::reset_limits`].
#[derive(Clone, Debug, Default)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    /// Ask the evaluation to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether an interrupt is pending.
    pub fn is_interrupted(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// The flag itself, for signal handlers that set a flag (`signal_hook::flag`).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }

    fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// The memory budget (the allocation count it ends at, and its size) and the
/// interrupt of an evaluation.
type Bulk = (Option<(isize, usize)>, Option<InterruptHandle>);

thread_local! {
    /// The [`Bulk`] limits of the evaluation last built or reset on this thread.
    static BULK: std::cell::RefCell<Bulk> = const { std::cell::RefCell::new((None, None)) };
}

/// For a builtin that does much work in one call (building a long list, say),
/// every so often: an error when the memory budget of the evaluation running
/// on this thread is spent or its interrupt has been fired. The machine checks
/// the limits between calls; this covers the work inside one.
pub fn check_bulk() -> Result<(), crate::ErrorKind> {
    BULK.with(|b| {
        let (budget, interrupt) = &*b.borrow();
        if interrupt
            .as_ref()
            .is_some_and(InterruptHandle::is_interrupted)
        {
            return Err(Exceeded::Interrupted.into());
        }
        match budget {
            Some((end, n)) if crate::memory::allocated_here() > *end => {
                Err(Exceeded::Memory(*n).into())
            }
            _ => Ok(()),
        }
    })
}

/// How deeply values may nest inside each other for the walks over a whole value
/// (`deepSeq`, `==`, string coercion) without an explicit `max-call-depth`:
/// far beyond real data, and low enough that walking an infinite value ends in a
/// clean error within a few hundred megabytes. C++ Nix counts these walks against
/// `max-call-depth` (10,000 by default); with one set, nixie does too.
pub const MAX_VALUE_DEPTH: usize = 2_000_000;

/// Calls between two checks of the limits (a power of two).
pub const CHECK_EVERY: u32 = 1024;

/// The machine's account of what it has used, against its limits.
#[derive(Debug)]
pub(crate) struct Meter {
    limits: Limits,
    interrupt: InterruptHandle,
    started: Instant,
    /// Steps taken in completed intervals of [`CHECK_EVERY`].
    steps: u64,
    /// This thread's allocated bytes when counting began.
    memory_from: isize,
}

impl Meter {
    pub(crate) fn new(limits: Limits) -> Meter {
        Meter {
            limits,
            interrupt: InterruptHandle::default(),
            started: Instant::now(),
            steps: 0,
            memory_from: crate::memory::allocated_here(),
        }
        .published()
    }

    /// Make this meter's memory budget and interrupt the ones [`check_bulk`]
    /// checks on this thread.
    fn published(self) -> Meter {
        let budget = self
            .limits
            .memory
            .map(|n| (self.memory_from.saturating_add(n as isize), n));
        BULK.with(|b| *b.borrow_mut() = (budget, Some(self.interrupt.clone())));
        self
    }

    pub(crate) fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Count again from now, and drop a pending interrupt.
    pub(crate) fn reset(&mut self) {
        self.started = Instant::now();
        self.steps = 0;
        self.memory_from = crate::memory::allocated_here();
        self.interrupt.clear();
        let meter = std::mem::replace(self, Meter::new(Limits::default()));
        *self = meter.published();
    }

    /// Another [`CHECK_EVERY`] steps were taken: is every limit still kept?
    pub(crate) fn check(&mut self) -> Result<(), Exceeded> {
        self.steps += u64::from(CHECK_EVERY);
        if self.interrupt.is_interrupted() {
            return Err(Exceeded::Interrupted);
        }
        if let Some(n) = self.limits.steps {
            if self.steps > n {
                return Err(Exceeded::Steps(n));
            }
        }
        if let Some(t) = self.limits.time {
            if self.started.elapsed() > t {
                return Err(Exceeded::Time(t));
            }
        }
        if let Some(n) = self.limits.memory {
            let used = crate::memory::allocated_here() - self.memory_from;
            if used > n as isize {
                return Err(Exceeded::Memory(n));
            }
        }
        Ok(())
    }
}
