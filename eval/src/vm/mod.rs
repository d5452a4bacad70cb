//! The virtual machine: one loop over a stack of frames.
//!
//! Nothing here recurses on the Rust stack in proportion to the program:
//! forcing a thunk pushes an `Update` frame and the thunk's code frame, calling
//! a closure pushes a code frame, and builtins that need the VM run as
//! generator frames that yield requests and are resumed with the answers.

mod exec;
mod gen;
pub mod ops;

pub use gen::{force, GenCo, Request};

use crate::builtins::{Args, BuiltinDef, BuiltinFn, PartialApp, MAX_ARITY};
use crate::compiler::Globals;
use crate::errors::{Error, ErrorKind, TraceFrame};
use crate::io::Io;
use crate::opcode::{Capture, Proto};
use crate::source::{SourceMap, Span};
use crate::value::{Attrs, Captures, Closure, NixString, Thunk, ThunkState, Value};
use gen::GenBox;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::rc::Rc;

/// One entry of the frame stack.
enum Frame {
    /// Running bytecode.
    Code {
        owner: CodeOwner,
        ip: u32,
        base: u32,
    },
    /// Memoise the value delivered into this thunk. If an error unwinds, the thunk keeps
    /// its code (it stays in the thunk while forcing) and can be forced again.
    Update { thunk: Thunk },
    /// Call the (function) value delivered here with this argument.
    CallArg(Value),
    /// A saturated builtin call whose arguments (on the stack from `base`) are being forced.
    Builtin {
        def: &'static BuiltinDef,
        base: u32,
        next: u8,
    },
    /// A suspended generator.
    Gen(GenBox),
    /// `builtins.tryEval`: catchable errors unwind to here.
    TryEval,
}

/// What keeps a code frame's closure alive: a called closure, or a thunk being forced
/// (whose suspended code stays inside it until its value is stored).
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

/// The evaluator state: value stack, frame stack, sources, globals and caches.
pub struct Vm {
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// Every source read so far.
    pub sources: SourceMap,
    /// Names visible everywhere.
    pub globals: Rc<Globals>,
    /// Files already imported, by resolved path.
    pub import_cache: FxHashMap<PathBuf, Value>,
    /// Pack state, by type.
    pub states: FxHashMap<std::any::TypeId, Rc<dyn std::any::Any>>,
    /// Store paths of paths already copied to the store.
    pub store_paths: FxHashMap<PathBuf, NixString>,
    /// `-I` / `NIX_PATH` entries: (prefix, path), searched in order.
    pub search_path: Vec<(String, String)>,
    /// File-system and environment access.
    pub io: Rc<dyn Io>,
    /// Maximum number of frames before "stack overflow".
    pub max_frames: usize,
    /// The `--lint-*` settings applied when compiling.
    pub lints: crate::compiler::Lints,
    /// Where warnings (rendered, with positions) go; standard error by default.
    pub warning_sink: Rc<dyn Fn(&str)>,
}

type Step = Result<Option<Value>, Error>;

impl Vm {
    /// A VM with the given globals and IO.
    pub fn new(globals: Rc<Globals>, io: Rc<dyn Io>) -> Vm {
        Vm {
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(256),
            sources: SourceMap::default(),
            globals,
            import_cache: FxHashMap::default(),
            store_paths: FxHashMap::default(),
            states: FxHashMap::default(),
            search_path: Vec::new(),
            io,
            max_frames: 10_000_000,
            lints: crate::compiler::Lints::default(),
            warning_sink: Rc::new(|w: &str| eprint!("{w}")),
        }
    }

    /// Evaluate a file-level proto to weak head normal form.
    pub fn run_proto(&mut self, proto: Rc<Proto>) -> Result<Value, Error> {
        let floor = self.frames.len();
        let base = self.stack.len() as u32;
        self.frames.push(Frame::Code {
            owner: CodeOwner::Closure(Rc::new(Closure {
                proto,
                captures: Captures::None,
            })),
            ip: 0,
            base,
        });
        self.run(floor, None)
    }

    /// Force a value to weak head normal form.
    pub fn force_value(&mut self, v: Value) -> Result<Value, Error> {
        self.run_request(Request::Force(v))
    }

    /// Force a value and everything inside it.
    pub fn deep_force(&mut self, v: Value) -> Result<Value, Error> {
        self.run_request(Request::DeepForce(v))
    }

    /// Call a function value with one argument and force the result.
    pub fn call_value(&mut self, f: Value, arg: Value) -> Result<Value, Error> {
        let r = self.run_request(Request::Call(f, arg))?;
        self.force_value(r)
    }

    /// Run one request to completion from outside the VM.
    fn run_request(&mut self, req: Request) -> Result<Value, Error> {
        let floor = self.frames.len();
        match self.handle_request(req, None) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => self.run(floor, None),
            Err(e) => {
                self.frames.truncate(floor);
                Err(e)
            }
        }
    }

    /// The main loop: run frames above `floor` until a value reaches the floor.
    fn run(&mut self, floor: usize, mut pending: Option<Value>) -> Result<Value, Error> {
        loop {
            let step = match pending.take() {
                Some(v) => self.deliver(v, floor),
                None => match self.frames.last() {
                    Some(Frame::Code { .. }) => self.exec_code(floor),
                    Some(Frame::Builtin { .. }) => self.step_builtin(),
                    _ => unreachable!("only code and builtin frames are ever left runnable on top"),
                },
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
                Err(e) => match self.unwind(e, floor) {
                    Ok(v) => pending = Some(v),
                    Err(e) => return Err(e),
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
                Frame::Update { .. } => {
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
                    let Some(Frame::Update { thunk }) = self.frames.pop() else {
                        unreachable!("the frame on top is this Update frame")
                    };
                    thunk.set_value(v.clone());
                }
                Frame::CallArg(_) => {
                    let Some(Frame::CallArg(arg)) = self.frames.pop() else {
                        unreachable!("matched above")
                    };
                    match self.enter_call(v, arg, None)? {
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
                Frame::Gen(_) => match self.drive_gen(v)? {
                    Some(r) => v = r,
                    None => return Ok(None),
                },
                Frame::TryEval => {
                    self.frames.pop();
                    v = try_result(true, v);
                }
            }
        }
    }

    /// Unwind frames after an error: to a `TryEval` for catchable errors, else to the floor.
    fn unwind(&mut self, mut e: Error, floor: usize) -> Result<Value, Error> {
        while self.frames.len() > floor {
            let fr = self
                .frames
                .pop()
                .expect("length checked in the loop condition");
            match fr {
                Frame::Code { owner, ip, base } => {
                    // SAFETY: the owner is alive (we hold it) and its code was not replaced.
                    let proto = unsafe { &*owner.closure_ptr() }.proto.clone();
                    let span = proto.span_at((ip as usize).saturating_sub(1));
                    if e.span.is_none() {
                        e.span = Some(span);
                    }
                    if proto.kind == crate::opcode::ProtoKind::Lambda {
                        e.trace.push(TraceFrame {
                            what: format!("while calling '{}'", proto.display_name()),
                            span: Some(proto.span),
                        });
                    }
                    self.stack.truncate(base as usize);
                }
                Frame::Update { thunk } => thunk.set_forcing(false),
                Frame::Builtin { def, base, .. } => {
                    e.trace.push(TraceFrame {
                        what: format!("while calling the '{}' builtin", def.name),
                        span: None,
                    });
                    self.stack.truncate(base as usize);
                }
                Frame::TryEval if e.kind.is_catchable() => {
                    return Ok(try_result(false, Value::Bool(false)));
                }
                Frame::TryEval | Frame::CallArg(_) | Frame::Gen(_) => {}
            }
        }
        Err(e)
    }

    fn check_depth(&self) -> Result<(), Error> {
        if self.frames.len() >= self.max_frames {
            return Err(Error::new(ErrorKind::StackOverflow, None));
        }
        Ok(())
    }

    /// Start forcing an unevaluated thunk: pushes frames; the value is delivered later,
    /// or returned at once when the thunk needs no frames.
    fn push_force(&mut self, t: Thunk, span: Option<Span>) -> Result<Option<Value>, Error> {
        self.check_depth()?;
        if t.is_forcing() {
            return Err(Error::new(ErrorKind::InfiniteRecursion, span));
        }
        if t.suspended_code().is_some() {
            t.set_forcing(true);
            let base = self.stack.len() as u32;
            self.frames.push(Frame::Update { thunk: t.clone() });
            self.frames.push(Frame::Code {
                owner: CodeOwner::Thunk(t),
                ip: 0,
                base,
            });
            return Ok(None);
        }
        match t.replace(ThunkState::Blackhole) {
            ThunkState::Suspended(_) => unreachable!("handled above"),
            ThunkState::Apply(f, x) => {
                // The application stays in the thunk while it runs (like suspended code),
                // so an error leaves it ready to be forced again.
                t.replace(ThunkState::Apply(f.clone(), x.clone()));
                t.set_forcing(true);
                self.frames.push(Frame::Update { thunk: t.clone() });
                match self.enter_call(f, x, span)? {
                    Some(v) => {
                        // Finished without frames: deliver through the Update frame ourselves.
                        match &v {
                            Value::Thunk(inner) if !inner.is_evaluated() => {
                                match self.push_force(inner.clone(), span)? {
                                    Some(v) => {
                                        self.frames.pop();
                                        t.set_value(v.clone());
                                        Ok(Some(v))
                                    }
                                    None => Ok(None),
                                }
                            }
                            other => {
                                self.frames.pop();
                                let v = other.shallow();
                                t.set_value(v.clone());
                                Ok(Some(v))
                            }
                        }
                    }
                    None => Ok(None),
                }
            }
            ThunkState::Evaluated(v) => {
                t.replace(ThunkState::Evaluated(v.clone()));
                Ok(Some(v))
            }
            ThunkState::Blackhole => {
                t.replace(ThunkState::Blackhole);
                Err(Error::new(ErrorKind::InfiniteRecursion, span))
            }
            ThunkState::Blank => Err(Error::new(
                ErrorKind::Other("internal error: forcing an uninitialised binding".into()),
                span,
            )),
        }
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
                self.check_depth()?;
                let base = self.stack.len() as u32;
                self.stack.push(arg);
                self.frames.push(Frame::Code {
                    owner: CodeOwner::Closure(c),
                    ip: 0,
                    base,
                });
                Ok(None)
            }
            Value::Builtin(p) => {
                let def = p.def;
                if p.args.len() + 1 < def.arity as usize {
                    let mut args = p.args.clone();
                    args.push(arg);
                    return Ok(Some(Value::Builtin(Rc::new(PartialApp { def, args }))));
                }
                self.check_depth()?;
                let base = self.stack.len() as u32;
                self.stack.extend(p.args.iter().cloned());
                self.stack.push(arg);
                self.frames.push(Frame::Builtin { def, base, next: 0 });
                Ok(None)
            }
            Value::Thunk(t) => {
                match t.value() {
                    Some(v) => self.enter_call(v, arg, span),
                    None => {
                        self.frames.push(Frame::CallArg(arg));
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
                    self.frames.push(Frame::CallArg(arg));
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

    /// Force the next strict argument of the builtin on top, or call it when all are forced.
    fn step_builtin(&mut self) -> Step {
        let Some(Frame::Builtin { def, base, next }) = self.frames.last_mut() else {
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
        self.frames.pop();
        let mut args: Args = Default::default();
        for (i, v) in self.stack.drain(base..).enumerate().take(MAX_ARITY) {
            args[i] = v;
        }
        match def.func {
            BuiltinFn::Sync(f) => match f(self, args) {
                Ok(v) => Ok(Some(v)),
                Err(k) => Err(self.builtin_error(def, k)),
            },
            BuiltinFn::Async(f) => {
                let g = gen::new_gen(|co| f(self, co, args), def);
                self.start_gen(g)
            }
        }
    }

    /// A builtin's error, positioned at the call when it has no position of its own.
    pub(super) fn builtin_error_at(
        &self,
        def: &BuiltinDef,
        kind: ErrorKind,
        span: Option<Span>,
    ) -> Error {
        let mut e = self.builtin_error(def, kind);
        if e.span.is_none() {
            e.span = span;
        }
        e
    }

    fn builtin_error(&self, def: &BuiltinDef, kind: ErrorKind) -> Error {
        let mut e = match kind {
            ErrorKind::Located(e) => *e,
            kind => Error::new(kind, None),
        };
        e.trace.push(TraceFrame {
            what: format!("while calling the '{}' builtin", def.name),
            span: None,
        });
        e
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
            many => Captures::Many(many.iter().map(get).collect()),
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
    fn make_closure(&self, proto: &Rc<Proto>, base: usize, captures: &Captures) -> Value {
        Value::Closure(Rc::new(Closure {
            proto: proto.clone(),
            captures: self.captures_for(proto, base, captures),
        }))
    }

    /// Compile a registered source (see [`SourceMap::add`]), reporting lint warnings.
    pub fn compile(
        &mut self,
        text: &str,
        file: u32,
        dir: &std::path::Path,
        name: &str,
    ) -> Result<Rc<Proto>, Error> {
        let globals = self.globals.clone();
        let (proto, warnings) =
            crate::compiler::compile_source(text, file, dir, name, &globals, self.lints)?;
        for w in warnings {
            let msg = w.render_labelled(&self.sources, false, "warning");
            (self.warning_sink)(&msg);
        }
        Ok(proto)
    }

    /// The state of type `T` registered with the evaluation.
    pub fn state<T: 'static>(&self) -> Result<Rc<T>, ErrorKind> {
        self.states
            .get(&std::any::TypeId::of::<T>())
            .and_then(|s| s.clone().downcast::<T>().ok())
            .ok_or_else(|| {
                ErrorKind::Other(format!(
                    "no pack state of type {} was registered with this evaluation",
                    std::any::type_name::<T>()
                ))
            })
    }

    /// The store directory (`NIX_STORE_DIR`, default `/nix/store`).
    pub fn store_dir(&self) -> String {
        self.io
            .env_var("NIX_STORE_DIR")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/nix/store".into())
    }

    /// The store path a path gets when it is copied to the store (as interpolation
    /// does), as a string whose context is that store path.
    pub fn copy_to_store(&mut self, path: &std::path::Path) -> Result<NixString, ErrorKind> {
        if let Some(s) = self.store_paths.get(path) {
            return Ok(s.clone());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let hash = crate::store::nar_sha256(&*self.io, path).map_err(|e| {
            ErrorKind::Io(format!(
                "getting status of '{}': {}",
                path.display(),
                crate::lang_builtins::io_msg(&e)
            ))
        })?;
        let sp = crate::store::make_store_path("source", &hash, &name, &self.store_dir());
        let mut ctx = crate::value::NixContext::new();
        ctx.insert(Rc::from(sp.as_str()));
        let s = NixString::with_context(sp.into_bytes(), ctx);
        self.store_paths.insert(path.to_path_buf(), s.clone());
        Ok(s)
    }

    /// Resolve a `<name/rest>` search path.
    pub fn find_search_path(&self, name: &str) -> Result<PathBuf, ErrorKind> {
        for (prefix, dir) in &self.search_path {
            let cand = if prefix.is_empty() {
                format!("{dir}/{name}")
            } else if name == prefix {
                dir.clone()
            } else if let Some(rest) = name
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                format!("{dir}/{rest}")
            } else {
                continue;
            };
            let p = PathBuf::from(crate::paths::normalise(&if cand.starts_with('/') {
                cand
            } else {
                format!("{}/{}", self.io.current_dir().to_string_lossy(), cand)
            }));
            if self.io.path_exists(&p) {
                return Ok(p);
            }
        }
        // C++ Nix raises this as a catchable error (`tryEval` sees it).
        Err(ErrorKind::Throw(format!(
            "file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)"
        )))
    }
}

fn not_callable(v: &Value) -> ErrorKind {
    ErrorKind::NotCallable {
        found: v.type_description(),
        value: crate::printer::short(v),
    }
}

/// `{ success = …; value = …; }`
fn try_result(success: bool, value: Value) -> Value {
    Value::Attrs(Attrs::from_sorted(vec![
        (NixString::from("success"), Value::Bool(success)),
        (NixString::from("value"), value),
    ]))
}
