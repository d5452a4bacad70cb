//! The virtual machine: one loop over a stack of frames.
//!
//! Nothing here recurses on the Rust stack in proportion to the program:
//! forcing a thunk pushes an `Update` frame and the thunk's code frame, calling
//! a closure pushes a code frame, and builtins that need the VM run as
//! generator frames that yield requests and are resumed with the answers.

mod assert_eq;
mod builtin_call;
mod coroutine;
mod deep_force;
mod exec;
mod gen;
mod instr;
pub(crate) mod ops;
mod stepping;

pub(crate) use coroutine::{Airlock, Yield};
pub(crate) use gen::Request;

use crate::builtins::BuiltinDef;
use crate::compiler::{Globals, SourceShape};
use crate::errors::{Error, ErrorKind};
use crate::host::Host;
use crate::opcode::{Capture, Proto};
use crate::source::{SourceMap, Span};
use crate::value::{Attrs, Captures, Closure, NixString, Thunk, Value};
use coroutine::{GenFrame, Slot};
use std::cell::RefCell;
use std::rc::Rc;

/// Frames allowed without an explicit `max-call-depth`: room for a million nested
/// calls, while runaway recursion still stops within a second or two.
const DEFAULT_MAX_FRAMES: usize = 10_000_000;

/// One entry of the frame stack.
enum Frame {
    /// Running bytecode.
    Code {
        owner: CodeOwner,
        ip: u32,
        base: u32,
        /// Calls active here (kept only under an explicit `max-call-depth`).
        depth: u32,
    },
    /// Memoise the value delivered into this thunk. If an error unwinds, the thunk keeps
    /// its code (it stays in the thunk while forcing) and can be forced again.
    Update {
        thunk: Thunk,
        /// For a pending application: the call site it was forced with (or, forced
        /// from nowhere in particular, where its function is written).
        site: Option<Span>,
    },
    /// Call the (function) value delivered here with this argument.
    CallArg(Value),
    /// A saturated builtin call whose arguments (on the stack from `base`) are being forced.
    Builtin {
        def: &'static BuiltinDef,
        pack: u32,
        base: u32,
        next: u8,
        /// Calls active here, this one included (see [`Frame::Code`]).
        depth: u32,
    },
    /// A suspended generator, with the calls active in it (see [`Frame::Code`]).
    Gen(GenFrame, u32),
    /// A builtin's loop waiting for the answer to its last request.
    Steps {
        stepper: Box<dyn crate::steps::Stepper>,
        /// The builtin it runs (the machine's own walks have none), for traces.
        def: Option<&'static BuiltinDef>,
        /// Calls active here (see [`Frame::Code`]).
        depth: u32,
    },
    /// A try request of the generator below: a catchable error unwinds to here and is
    /// handed to that generator; a value is forced, then handed on.
    Catch,
    /// Values a builtin's argument conversion needs forced before it is called again.
    Demand { thunks: Box<[Thunk]>, next: u32 },
    /// A value a generator asked for is being forced on behalf of something it names:
    /// an error escaping gets that context's trace frames; a value passes through.
    Context(TraceContext),
}

/// What a [`Frame::Context`] adds to an error unwinding through it.
pub(crate) enum TraceContext {
    /// These frames, innermost first.
    Frames(Rc<[crate::errors::TraceFrame]>),
    /// The way `deep_force` took to the value it is forcing.
    Inside(Rc<gen::Inside>),
    /// A pack's account of what it was doing, asked for only if an error comes.
    Source(Rc<dyn crate::errors::TraceSource>),
    /// A message value (`addErrorContext`'s), coerced to a string only if an error
    /// comes; its frame shows even in short traces, and the builtin that asked adds
    /// no "while calling" line of its own.
    Message(Value),
}

impl TraceContext {
    fn apply(self, e: &mut Error) {
        match self {
            TraceContext::Frames(f) => e.trace.extend(f.iter().cloned()),
            TraceContext::Inside(inside) => gen::path_frames(&inside, e),
            TraceContext::Message(m) => annotate(e, &m),
            TraceContext::Source(s) => e.trace.extend(s.trace()),
        }
    }
}

/// Add a message frame (see [`TraceContext::Message`]) for an evaluated message.
fn annotate(e: &mut Error, message: &Value) {
    if let Value::String(s) = message.shallow() {
        e.push_always_frame(s.to_string());
    }
    e.annotated = true;
}

/// How unwinding ended.
enum Unwound {
    /// At a `Catch` frame: the error goes to the generator below it.
    Caught(Error),
    /// Code was started to finish describing the error (a message to coerce); it
    /// fails with the error when done.
    Resumed,
}

/// Where the function of a (possibly nested) pending application is written.
#[inline]
fn application_pos(f: &Value) -> Option<Span> {
    match f {
        Value::Closure(c) => Some(c.proto.span),
        Value::Thunk(_) => nested_application_pos(f),
        _ => None,
    }
}

/// [`application_pos`] of a function still in a thunk.
#[cold]
fn nested_application_pos(f: &Value) -> Option<Span> {
    let mut f = f.clone();
    for _ in 0..64 {
        match f {
            // An unevaluated thunk has no position (as in C++ Nix).
            Value::Thunk(t) => match t.applied_function() {
                Some(g) => f = g,
                None => return t.value().and_then(|v| v.defined_at()),
            },
            other => return other.defined_at(),
        }
    }
    None
}

/// Whether the innermost-but-one frame is a "from call site" still waiting for its site.
fn last_is_call_site(e: &Error) -> bool {
    e.trace
        .last()
        .is_some_and(|f| f.span.is_none() && f.what == "from call site")
}

/// A lambda called by a builtin has no call site: C++ Nix prints no "from call site".
fn drop_call_site(e: &mut Error, needs_site: &mut bool) {
    if *needs_site && last_is_call_site(e) {
        e.trace.pop();
        *needs_site = false;
    }
}

/// What keeps a code frame's closure alive: a called closure, or a thunk being forced
/// (whose suspended code stays inside it until its value is stored). Only the machine
/// can change a thunk's state, and it never replaces the code of a thunk that is being
/// forced (its `forcing` flag is set, so forcing it again is infinite recursion).
pub(super) enum CodeOwner {
    Closure(Rc<Closure>),
    Thunk(Thunk),
}

impl CodeOwner {
    /// The closure the frame runs. Valid while the frame is on the frame stack.
    pub(super) fn closure_ptr(&self) -> *const Closure {
        match self {
            CodeOwner::Closure(c) => Rc::as_ptr(c),
            CodeOwner::Thunk(t) => t
                .suspended_code()
                .expect("a thunk keeps its suspended code while its frame runs"),
        }
    }
}

/// The machine: value stack, frame stack, sources, globals, and the host it runs in.
pub(crate) struct Vm {
    stack: Vec<Value>,
    /// What the machine has done, for the statistics.
    pub(crate) tally: crate::stats::Tally,
    /// Whether the interpreter loop counts its work (`Settings::count_statistics`).
    counting: bool,
    frames: Vec<Frame>,
    /// Every source read so far.
    pub(crate) sources: SourceMap,
    /// Names visible everywhere.
    pub(crate) globals: Rc<Globals>,
    /// The one string of each attribute and formal name in the compiled code.
    names: crate::compiler::Names,
    /// IO, store, search path, caches, warnings, pack state and settings.
    pub(crate) host: Rc<RefCell<Host>>,
    /// The mailbox of the running generator.
    airlock: Rc<Airlock>,
    /// Maximum number of frames before "stack overflow".
    pub(crate) max_frames: usize,
    /// An explicit `max-call-depth`: calls may nest this deep, as C++ Nix counts them.
    call_limit: Option<u32>,
    /// Calls and forces left before the limits are checked again.
    ticks: u32,
    /// What the evaluation has used, against its limits.
    pub(crate) meter: crate::limits::Meter,
    /// The allocation of the last lambda whose call returned while nothing else
    /// held it, its captures dropped: the next closure is made in it instead of
    /// a new one (a curried `a: b: …` makes and drops one per call).
    spare_closure: Option<Rc<Closure>>,
}

type Step = Result<Option<Value>, Error>;

impl Vm {
    /// A VM with the given globals, running in `host`.
    pub(crate) fn new(globals: Rc<Globals>, host: Host) -> Vm {
        let host_limits = host.settings.limits.clone();
        let call_limit = host
            .settings
            .max_call_depth
            .map(|d| u32::try_from(d).unwrap_or(u32::MAX));
        // Frames are bounded too, so that a long chain of thunks cannot exhaust memory.
        let max_frames = host
            .settings
            .max_call_depth
            .map_or(DEFAULT_MAX_FRAMES, |d| {
                d.saturating_mul(4).max(DEFAULT_MAX_FRAMES)
            });
        Vm {
            stack: Vec::with_capacity(1024),
            tally: crate::stats::Tally::default(),
            counting: host.settings.count_statistics,
            frames: Vec::with_capacity(256),
            sources: SourceMap::default(),
            globals,
            names: crate::compiler::Names::default(),
            host: Rc::new(RefCell::new(host)),
            airlock: Rc::new(Airlock::new()),
            max_frames,
            call_limit,
            ticks: crate::limits::CHECK_EVERY,
            meter: crate::limits::Meter::new(host_limits),
            spare_closure: None,
        }
    }

    /// A `Co` for a generator of pack `pack` (helpers use `u32::MAX`).
    fn co(&self, pack: u32) -> crate::context::Co {
        crate::context::Co::new(self.airlock.clone(), self.host.clone(), pack)
    }

    /// Evaluate a file-level proto to weak head normal form.
    pub(crate) fn run_proto(&mut self, proto: Rc<Proto>) -> Result<Value, Error> {
        let floor = self.frames.len();
        let base = self.stack.len() as u32;
        let depth = self.inherited_depth();
        self.push_frame(|| Frame::Code {
            owner: CodeOwner::Closure(Rc::new(Closure {
                proto,
                captures: Captures::None,
            })),
            ip: 0,
            base,
            depth,
        });
        self.run(floor, None)
    }

    /// Force a value to weak head normal form.
    pub(crate) fn force_value(&mut self, v: Value) -> Result<Value, Error> {
        self.run_request(Request::Force(v))
    }

    /// Force a value and everything inside it.
    pub(crate) fn deep_force(&mut self, v: Value) -> Result<Value, Error> {
        self.run_request(Request::DeepForce(v))
    }

    /// Call a function value with one argument and force the result.
    pub(crate) fn call_value(&mut self, f: Value, arg: Value) -> Result<Value, Error> {
        let r = self.run_request(Request::Call(f, crate::context::CallArgs::One(arg)))?;
        self.force_value(r)
    }

    /// Run one request to completion from outside the VM.
    fn run_request(&mut self, req: Request) -> Result<Value, Error> {
        let floor = self.frames.len();
        match self.handle_request(req, None) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => self.run(floor, None),
            // Frames pushed before the error still describe it.
            Err(e) => match self.unwind(e, floor) {
                Ok(Unwound::Caught(e)) => self.run_caught(floor, e),
                Ok(Unwound::Resumed) => self.run(floor, None),
                Err(e) => {
                    self.frames.truncate(floor);
                    Err(e)
                }
            },
        }
    }

    /// Go on with the main loop after a catchable error reached a `Catch` frame.
    fn run_caught(&mut self, floor: usize, e: Error) -> Result<Value, Error> {
        match self.drive_gen(Slot::Failed(e)) {
            Ok(Some(v)) if self.frames.len() == floor => Ok(v),
            Ok(Some(v)) => self.run(floor, Some(v)),
            Ok(None) => self.run(floor, None),
            Err(e) => match self.unwind(e, floor)? {
                Unwound::Caught(e) => self.run_caught(floor, e),
                Unwound::Resumed => self.run(floor, None),
            },
        }
    }

    /// The main loop: run frames above `floor` until a value reaches the floor.
    fn run(&mut self, floor: usize, mut pending: Option<Value>) -> Result<Value, Error> {
        let mut caught: Option<Error> = None;
        loop {
            let step = if let Some(e) = caught.take() {
                self.drive_gen(Slot::Failed(e))
            } else {
                match pending.take() {
                    Some(v) => self.deliver(v, floor),
                    None => match self.frames.last() {
                        Some(Frame::Code { .. }) if self.counting => self.exec_code::<true>(floor),
                        Some(Frame::Code { .. }) => self.exec_code::<false>(floor),
                        Some(Frame::Builtin { .. }) => self.step_builtin(),
                        Some(Frame::Demand { .. }) => self.step_demand(),
                        _ => unreachable!(
                            "only code, builtin and demand frames are ever left runnable on top"
                        ),
                    },
                }
            };
            match step {
                Ok(Some(v)) => {
                    if self.frames.len() == floor {
                        return Ok(v);
                    }
                    pending = Some(v);
                }
                Ok(None) => {
                    if self.frames.len() == floor {
                        unreachable!("a frame finished without delivering a value");
                    }
                }
                Err(e) => match self.unwind(e, floor)? {
                    Unwound::Caught(e) => caught = Some(e),
                    Unwound::Resumed => {}
                },
            }
        }
    }

    /// Hand a finished value to the frame on top. Returns a value when it must go further
    /// down but the floor was reached.
    fn deliver(&mut self, mut v: Value, floor: usize) -> Step {
        loop {
            if self.frames.len() == floor {
                return Ok(Some(v));
            }
            let top = self.frames.len() - 1;
            match &mut self.frames[top] {
                Frame::Code { .. } => {
                    self.stack.push(v);
                    return Ok(None);
                }
                // Thunks, catch frames and generators all take forced values.
                Frame::Update { .. }
                | Frame::Catch
                | Frame::Context(_)
                | Frame::Gen(..)
                | Frame::Steps { .. } => {
                    if let Value::Thunk(inner) = &v {
                        match inner.value() {
                            Some(x) => v = x,
                            None => {
                                let inner = inner.clone();
                                match self.push_force(inner, None)? {
                                    Some(x) => v = x,
                                    None => return Ok(None),
                                }
                            }
                        }
                    }
                    if let Frame::Gen(..) = &self.frames[top] {
                        match self.drive_gen(Slot::Answer(v))? {
                            Some(r) => v = r,
                            None => return Ok(None),
                        }
                    } else if let Frame::Steps { .. } = &self.frames[top] {
                        let next = self.resume_steps(v)?;
                        match self.carry_out(next)? {
                            Some(r) => v = r,
                            None => return Ok(None),
                        }
                    } else if let Some(Frame::Update { thunk, .. }) = self.frames.pop() {
                        thunk.set_value(v.clone());
                    }
                }
                Frame::CallArg(_) => {
                    let Some(Frame::CallArg(arg)) = self.frames.pop() else {
                        unreachable!("matched above")
                    };
                    // The rest of a pending application is called from its site.
                    let site = match self.frames.last() {
                        Some(Frame::Update { site, .. }) => *site,
                        _ => None,
                    };
                    match self.enter_call(v, arg, site)? {
                        Some(r) => v = r,
                        None => return Ok(None),
                    }
                }
                Frame::Builtin { base, next, .. } => {
                    let i = *base as usize + *next as usize;
                    *next += 1;
                    self.stack[i] = v;
                    return Ok(None);
                }
                Frame::Demand { next, .. } => {
                    *next += 1;
                    return Ok(None);
                }
            }
        }
    }

    /// Unwind frames after an error: a catchable one stops at a `Catch` frame and is
    /// returned, to be handed to the generator below it; anything else reaches the
    /// floor and is returned as `Err`.
    fn unwind(&mut self, mut e: Error, floor: usize) -> Result<Unwound, Error> {
        if e.is_limit() {
            self.abandon(floor);
            return Err(e);
        }
        // A builtin's frame takes its call site from the code frame below it
        // (whose instruction is the call), as C++ Nix positions the builtin's
        // "while calling" line and not the error itself.
        let mut needs_site = e
            .trace
            .last()
            .is_some_and(|f| f.span.is_none() && f.what.starts_with("while calling the '"));
        // Where the value of the thunk just unwound was defined, for the
        // "from the definition of" line of the selection that forced it.
        let mut defined_at = None;
        while self.frames.len() > floor {
            let fr = self
                .frames
                .pop()
                .expect("length checked in the loop condition");
            match fr {
                Frame::Code {
                    owner, ip, base, ..
                } => {
                    // SAFETY: the owner is alive (we hold it) and its code was not replaced
                    // (see `CodeOwner`).
                    let proto = unsafe { &*owner.closure_ptr() }.proto.clone();
                    let at = (ip as usize).saturating_sub(1);
                    let span = proto.span_at(at);
                    if std::mem::take(&mut needs_site) {
                        if let Some(f) = e.trace.last_mut() {
                            f.span.get_or_insert(span);
                        }
                    } else if e.span.is_none() && e.trace.is_empty() && !e.unpositioned {
                        e.span = Some(span);
                    }
                    for c in proto.contexts_at(at) {
                        if !matches!(c.what, crate::opcode::ContextWhat::Definition(_)) {
                            e.push_frame(c.text(&proto), c.span(&proto));
                        } else if let Some(p) = defined_at {
                            e.push_frame(c.text(&proto), Some(p));
                        }
                    }
                    defined_at = None;
                    let checking_arguments =
                        matches!(proto.code.get(at), Some(crate::opcode::Op::CheckFormals));
                    if checking_arguments {
                        // C++ Nix reports a bad argument "from call site", with or
                        // without --show-trace.
                        e.push_frame("from call site".into(), None);
                        needs_site = true;
                    } else if proto.kind == crate::opcode::ProtoKind::Lambda {
                        let what = match &proto.name {
                            Some(n) => format!("while calling '{n}'"),
                            None => "while calling anonymous lambda".to_string(),
                        };
                        e.push_verbose_frame(what, Some(proto.span));
                        // The caller's code frame, next, gives the call site.
                        e.push_verbose_frame("from call site".into(), None);
                        needs_site = true;
                    }
                    if proto.kind == crate::opcode::ProtoKind::Thunk {
                        defined_at = proto.attr_pos;
                    }
                    self.stack.truncate(base as usize);
                }
                Frame::Update { thunk, site } => {
                    // A pending application (`map`'s, `genList`'s) calls from the site
                    // it was forced with; none known, it has no "from call site".
                    if needs_site && last_is_call_site(&e) && thunk.applied_function().is_some() {
                        match site {
                            Some(s) => {
                                if let Some(last) = e.trace.last_mut() {
                                    last.span = Some(s);
                                }
                                needs_site = false;
                            }
                            None => drop_call_site(&mut e, &mut needs_site),
                        }
                    }
                    if e.recursion_of == thunk.addr() {
                        e.push_always_frame("entering the infinite recursion".into());
                    }
                    thunk.end_forcing()
                }
                Frame::Builtin { def, base, .. } => {
                    drop_call_site(&mut e, &mut needs_site);
                    e.push_frame(format!("while calling the '{}' builtin", def.name), None);
                    needs_site = true;
                    defined_at = None;
                    self.stack.truncate(base as usize);
                }
                Frame::Gen(g, _) => {
                    drop_call_site(&mut e, &mut needs_site);
                    defined_at = None;
                    if std::mem::take(&mut e.annotated) {
                        // `addErrorContext`'s own frame is its message.
                    } else if let Some(def) = g.def {
                        e.push_frame(format!("while calling the '{}' builtin", def.name), None);
                        needs_site = true;
                    }
                }
                Frame::Steps { stepper, def, .. } => {
                    drop_call_site(&mut e, &mut needs_site);
                    defined_at = None;
                    e = stepper.trace(e);
                    if let Some(def) = def {
                        e.push_frame(format!("while calling the '{}' builtin", def.name), None);
                        needs_site = true;
                    }
                }
                Frame::Context(TraceContext::Message(m))
                    if !matches!(m.shallow(), Value::String(_)) =>
                {
                    // Coerce the message first; the helper fails with the error then.
                    let g = gen::HelperGen::annotate(self.co(u32::MAX), m, e);
                    match self.start_gen(g) {
                        Ok(None) => return Ok(Unwound::Resumed),
                        Ok(Some(_)) => unreachable!("the annotating helper always fails"),
                        Err(again) => e = again,
                    }
                }
                Frame::Context(c) => c.apply(&mut e),
                Frame::Catch if e.is_catchable() => return Ok(Unwound::Caught(e)),
                Frame::Catch | Frame::CallArg(_) | Frame::Demand { .. } => {}
            }
        }
        Err(e)
    }

    /// Drop the frames above `floor` after a reached limit: no trace, no code run,
    /// but every thunk being forced is left ready to be forced again.
    fn abandon(&mut self, floor: usize) {
        while self.frames.len() > floor {
            match self
                .frames
                .pop()
                .expect("length checked in the loop condition")
            {
                Frame::Code { base, .. } | Frame::Builtin { base, .. } => {
                    self.stack.truncate(base as usize)
                }
                Frame::Update { thunk, .. } => thunk.end_forcing(),
                _ => {}
            }
        }
    }

    /// Push the frame `make` builds once room is made for it, so that it is written
    /// in place (building it first and copying it in stalls on the copy's loads).
    #[inline(always)]
    fn push_frame(&mut self, make: impl FnOnce() -> Frame) {
        if self.frames.len() == self.frames.capacity() {
            self.frames.reserve(1);
        }
        let len = self.frames.len();
        // SAFETY: the capacity exceeds `len` (reserved just above), and the slot at
        // `len` is initialised before the length grows to cover it.
        unsafe {
            self.frames.as_mut_ptr().add(len).write(make());
            self.frames.set_len(len + 1);
        }
    }

    fn check_depth(&self) -> Result<(), Error> {
        if self.frames.len() >= self.max_frames {
            return Err(Error::new(ErrorKind::StackOverflow, None));
        }
        Ok(())
    }

    /// Count a call of a builtin (or a stepper's or generator's start), checking the
    /// limits every [`crate::limits::CHECK_EVERY`] of them. Lambda calls are counted
    /// by the statistics' own counter instead (see [`Vm::enter_call`]).
    #[inline(always)]
    fn count_builtin_call(&mut self) -> Result<(), Error> {
        self.ticks -= 1;
        if self.ticks == 0 {
            self.ticks = crate::limits::CHECK_EVERY;
            return self.check_limits();
        }
        Ok(())
    }

    /// Check the resource limits and the interrupt flag.
    #[cold]
    #[inline(never)]
    pub(crate) fn check_limits(&mut self) -> Result<(), Error> {
        self.meter.check().map_err(Error::limit)
    }

    /// The calls active at the top of the frame stack (0 without an explicit limit).
    fn inherited_depth(&self) -> u32 {
        if self.call_limit.is_none() {
            return 0;
        }
        self.frames
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Code { depth, .. } | Frame::Builtin { depth, .. } => Some(*depth),
                Frame::Gen(_, depth) | Frame::Steps { depth, .. } => Some(*depth),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The depth of a call made now: one more than the calls active, refused (as C++
    /// Nix refuses it) when those already exceed an explicit `max-call-depth`.
    #[inline(always)]
    pub(super) fn call_depth(&self, span: Option<Span>) -> Result<u32, Error> {
        match self.call_limit {
            None => Ok(0),
            Some(limit) => self.limited_call_depth(limit, span),
        }
    }

    /// [`Vm::call_depth`] under an explicit limit.
    #[cold]
    #[inline(never)]
    fn limited_call_depth(&self, limit: u32, span: Option<Span>) -> Result<u32, Error> {
        let active = self.inherited_depth();
        if active > limit {
            return Err(Error::new(ErrorKind::StackOverflow, span));
        }
        Ok(active + 1)
    }

    /// Start forcing an unevaluated thunk: pushes frames; the value is delivered later,
    /// or returned at once when the thunk needs no frames.
    fn push_force(&mut self, t: Thunk, span: Option<Span>) -> Result<Option<Value>, Error> {
        self.check_depth()?;
        if t.is_forcing() {
            let mut e = Error::new(ErrorKind::InfiniteRecursion, span);
            e.recursion_of = t.addr();
            return Err(e);
        }
        if t.suspended_code().is_some() {
            t.begin_forcing();
            let base = self.stack.len() as u32;
            let depth = self.inherited_depth();
            self.push_frame(|| Frame::Update {
                thunk: t.clone(),
                site: None,
            });
            self.push_frame(|| Frame::Code {
                owner: CodeOwner::Thunk(t),
                ip: 0,
                base,
                depth,
            });
            return Ok(None);
        }
        if let Some((f, x)) = t.application() {
            // The application stays in the thunk while it runs (like suspended code),
            // so an error leaves it ready to be forced again.
            t.begin_forcing();
            // Forced from nowhere in particular, it is placed where its function is
            // written (C++ Nix's `determinePos`).
            let span = span.or_else(|| application_pos(&f));
            self.push_frame(|| Frame::Update {
                thunk: t.clone(),
                site: span,
            });
            return match self.enter_call(f, x, span)? {
                // Finished without frames: deliver through the Update frame just pushed.
                Some(v) => self.deliver(v, self.frames.len() - 1),
                None => Ok(None),
            };
        }
        if let Some(v) = t.value() {
            return Ok(Some(v));
        }
        if t.is_blank() {
            return Err(Error::new(
                ErrorKind::Other("internal error: forcing an uninitialised binding".into()),
                span,
            ));
        }
        // A blackhole.
        Err(Error::new(ErrorKind::InfiniteRecursion, span))
    }

    /// The result of calling `c`, a lambda whose body is only its inner lambda
    /// `inner` (the `a:` of a curried `a: b: …`), with `arg`: that lambda, made
    /// as the body would make it but without a frame (nothing in it can fail or
    /// need one).
    pub(super) fn curried_call(
        &mut self,
        c: &Rc<Closure>,
        inner: u32,
        arg: Value,
    ) -> Result<Value, Error> {
        self.count_lambda_call()?;
        let base = self.stack.len();
        self.stack.push(arg);
        let v = self.make_closure(&c.proto.children[inner as usize], base, &c.captures);
        self.stack.truncate(base);
        Ok(v)
    }

    /// Count a call of a lambda, checking the limits now and then (every
    /// runaway evaluation calls lambdas, or builtins, counted apart).
    fn count_lambda_call(&mut self) -> Result<(), Error> {
        self.tally.function_calls += 1;
        if self.tally.function_calls & u64::from(crate::limits::CHECK_EVERY - 1) == 0 {
            self.check_limits()?;
        }
        Ok(())
    }

    /// Call `f` with `arg`. Returns the result at once if no frames were needed.
    fn enter_call(
        &mut self,
        f: Value,
        arg: Value,
        span: Option<Span>,
    ) -> Result<Option<Value>, Error> {
        match f {
            Value::Closure(c) => {
                if let Some(inner) = c.proto.curried_inner() {
                    return self.curried_call(&c, inner, arg).map(Some);
                }
                self.count_lambda_call()?;
                self.check_depth()?;
                let depth = self.call_depth(span)?;
                let base = self.stack.len() as u32;
                self.stack.push(arg);
                self.push_frame(|| Frame::Code {
                    owner: CodeOwner::Closure(c),
                    ip: 0,
                    base,
                    depth,
                });
                Ok(None)
            }
            Value::Builtin(p) => {
                let def = p.def;
                let depth = self.call_depth(span)?;
                if p.args.len() + 1 < def.arity as usize {
                    let mut args = p.args.clone();
                    args.push(arg);
                    return Ok(Some(Value::Builtin(Rc::new(crate::builtins::PartialApp {
                        def,
                        pack: p.pack,
                        args,
                    }))));
                }
                self.check_depth()?;
                self.count_builtin_call()?;
                let base = self.stack.len() as u32;
                self.stack.extend(p.args.iter().cloned());
                self.stack.push(arg);
                self.push_frame(|| Frame::Builtin {
                    def,
                    pack: p.pack,
                    base,
                    next: 0,
                    depth,
                });
                Ok(None)
            }
            Value::Thunk(t) => {
                match t.value() {
                    Some(v) => self.enter_call(v, arg, span),
                    None => {
                        self.push_frame(|| Frame::CallArg(arg));
                        match self.push_force(t, span)? {
                            Some(v) => {
                                let Some(Frame::CallArg(arg)) = self.frames.pop() else {
                                    unreachable!("push_force returned at once, so the CallArg frame is on top")
                                };
                                self.enter_call(v, arg, span)
                            }
                            None => Ok(None),
                        }
                    }
                }
            }
            Value::Attrs(a) => match a.get(b"__functor") {
                Some(functor) => {
                    let functor = functor.clone();
                    self.push_frame(|| Frame::CallArg(arg));
                    match self.enter_call(functor, Value::Attrs(a), span)? {
                        Some(g) => {
                            let Some(Frame::CallArg(arg)) = self.frames.pop() else {
                                unreachable!("pushed just above")
                            };
                            self.enter_call(g, arg, span)
                        }
                        None => Ok(None),
                    }
                }
                None => Err(Error::new(not_callable(&Value::Attrs(a)), span)),
            },
            other => Err(Error::new(not_callable(&other), span)),
        }
    }

    /// Build the captures of a child proto from the current frame.
    fn captures_for(&self, child: &Proto, base: usize, captures: &Captures) -> Captures {
        let get = |c: &Capture| match c {
            Capture::Local(s) => self.stack[base + *s as usize].clone(),
            Capture::Upvalue(u) => captures.get(*u as usize).clone(),
        };
        match child.captures.as_slice() {
            [] => Captures::None,
            [one] => Captures::One(get(one)),
            // Written in place: a collected clone is copied in with stalling loads.
            many => Captures::Many(crate::value::SharedSlice::from_fn(many.len(), |i| {
                get(&many[i])
            })),
        }
    }

    /// Compute a speculable thunk body now, if its operands are evaluated integers and
    /// the operation cannot fail; otherwise `None` (the thunk is built as usual).
    fn speculate(
        &self,
        spec: &crate::opcode::Spec,
        child: &Proto,
        base: usize,
        captures: &Captures,
    ) -> Option<Value> {
        use crate::opcode::SpecOperand;
        let int = |o: SpecOperand| -> Option<i64> {
            let v = match o {
                SpecOperand::Int(i) => return Some(i),
                SpecOperand::Capture(c) => match child.captures[c as usize] {
                    Capture::Local(s) => &self.stack[base + s as usize],
                    Capture::Upvalue(u) => captures.get(u as usize),
                },
            };
            match v {
                Value::Int(i) => Some(*i),
                Value::Thunk(t) => match t.value()? {
                    Value::Int(i) => Some(i),
                    _ => None,
                },
                _ => None,
            }
        };
        let (a, b) = (int(spec.a)?, int(spec.b)?);
        let r = match spec.op {
            b'+' => a.checked_add(b),
            b'-' => a.checked_sub(b),
            _ => a.checked_mul(b),
        };
        r.map(Value::Int)
    }

    /// A closure of `proto` capturing from the current frame.
    fn make_closure(&mut self, proto: &Rc<Proto>, base: usize, captures: &Captures) -> Value {
        let captures = self.captures_for(proto, base, captures);
        if let Some(mut spare) = self.spare_closure.take() {
            let c = Rc::get_mut(&mut spare).expect("a spare closure has no other owner");
            c.proto = proto.clone();
            c.captures = captures;
            return Value::Closure(spare);
        }
        Value::Closure(crate::value::rc_in_place(|| Closure {
            proto: proto.clone(),
            captures,
        }))
    }

    /// Keep the closure of a finished call for the next closure to be made in,
    /// if nothing else holds it (its captures are dropped now).
    pub(super) fn keep_spare(&mut self, mut closure: Rc<Closure>) {
        if self.spare_closure.is_some() {
            return;
        }
        if let Some(c) = Rc::get_mut(&mut closure) {
            std::mem::replace(&mut c.captures, Captures::None).defer_drop();
            self.spare_closure = Some(closure);
        }
    }

    /// Compile a registered source (see [`SourceMap::add`]), reporting lint warnings.
    pub(crate) fn compile(
        &mut self,
        file: u32,
        dir: &std::path::Path,
        name: &str,
    ) -> Result<Rc<Proto>, Error> {
        self.compile_in(file, dir, name, None, SourceShape::Expression)
            .map(|(proto, _)| proto)
    }

    /// Like `compile`, of a source of the given shape, where the names of
    /// `scope` (when given) are bound to its values, shadowing the globals.
    pub(crate) fn compile_in(
        &mut self,
        file: u32,
        dir: &std::path::Path,
        name: &str,
        scope: Option<&Attrs>,
        shape: SourceShape,
    ) -> Result<(Rc<Proto>, Option<String>), Error> {
        let globals = match scope {
            None => self.globals.clone(),
            Some(scope) => {
                let mut globals = (*self.globals).clone();
                for (k, v) in scope.iter() {
                    globals.insert(Rc::from(k.to_str_lossy().as_ref()), v.clone());
                }
                Rc::new(globals)
            }
        };
        let syntax = {
            let host = self.host.borrow();
            crate::compiler::Syntax {
                lints: host.settings.lints,
                pipe_operators: host.settings.features.iter().any(|f| f == "pipe-operators"),
            }
        };
        // The text as registered, line ends normalised (positions refer to it).
        let registered = self.sources.file(file).text.clone();
        let compiled = crate::compiler::compile_source(
            &registered,
            file,
            dir,
            name,
            &globals,
            &self.names,
            syntax,
            shape,
        )?;
        for w in compiled.warnings {
            let msg = w.render_labelled(&self.sources, false, "warning");
            let sink = self.host.borrow().warning_sink.clone();
            sink(&msg);
        }
        Ok((compiled.proto, compiled.shown))
    }
}

pub(crate) fn not_callable(v: &Value) -> ErrorKind {
    ErrorKind::NotCallable {
        found: v.type_description(),
        value: crate::printer::short(v),
    }
}

/// `{ success = …; value = …; }`
pub(crate) fn try_result(success: bool, value: Value) -> Value {
    Value::Attrs(Attrs::from_sorted(vec![
        (NixString::from("success"), Value::Bool(success)),
        (NixString::from("value"), value),
    ]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn frames_stay_small() {
        // Every call pushes and pops frames: keep them at 32 bytes.
        assert!(std::mem::size_of::<super::Frame>() <= 32);
    }
}
