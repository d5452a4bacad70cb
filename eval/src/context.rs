//! What builtins see of an evaluation: [`Ctx`], the narrow context a plain
//! builtin gets (IO, its pack's state, the store, warnings, settings), and
//! [`Co`], the handle of an `async` builtin, whose typed methods ask the VM to
//! force, call, coerce and compare, and which reaches the same host through
//! [`Co::ctx`]. Neither can re-enter the VM on the Rust stack: a plain builtin
//! cannot run Nix code at all, and an async one only asks the VM's loop to.

use crate::convert::FromValue;
use crate::errors::{Control, Error};
use crate::host::Host;
use crate::io::Io;
use crate::settings::Settings;
use crate::store::{FileIngestion, NarFilter, Store};
use crate::value::{NixString, Thunk, Value};
use crate::vm::{Airlock, Request, Yield};
use std::cell::RefCell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// The context of a plain (`fn`) builtin and of argument conversions: the host's
/// IO, store, warnings and settings, and the state of the builtin's own pack.
pub struct Ctx<'a> {
    host: &'a mut Host,
    pack: u32,
    /// Thunks a conversion needs forced before it can finish (see [`Ctx::forced`]).
    pub(crate) demand: Vec<Thunk>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(host: &'a mut Host, pack: u32) -> Ctx<'a> {
        Ctx {
            host,
            pack,
            demand: Vec::new(),
        }
    }

    /// File-system and environment access.
    pub fn io(&self) -> &dyn Io {
        &*self.host.io
    }

    /// The settings the evaluation runs with.
    pub fn settings(&self) -> &Settings {
        &self.host.settings
    }

    /// The state registered with this builtin's pack (`pack_with_state`).
    pub fn state<T: 'static>(&self) -> Result<Rc<T>, Error> {
        let found = self
            .host
            .states
            .get(self.pack as usize)
            .and_then(|s| s.clone());
        match found {
            Some(s) => s.downcast::<T>().map_err(|_| {
                Error::msg(format!(
                    "the state of this builtin's pack is not of type {}",
                    std::any::type_name::<T>()
                ))
            }),
            None => Err(Error::msg(format!(
                "this builtin's pack was registered without state (expected {})",
                std::any::type_name::<T>()
            ))),
        }
    }

    /// Print a warning or trace line (the text as given; add the final newline).
    pub fn warn(&self, text: &str) {
        (self.host.warning_sink)(text)
    }

    /// The logical store directory (`/nix/store` unless `NIX_STORE_DIR` says otherwise).
    pub fn store_dir(&self) -> String {
        self.host.store_dir()
    }

    /// The store objects are kept in.
    pub fn store(&self) -> Rc<dyn Store> {
        self.host.store.clone()
    }

    /// Ingest a file or tree into the store as `name` (see [`crate::store::add_path`]);
    /// the result's path is returned as a string whose context names it.
    pub fn add_path(
        &mut self,
        src: &Path,
        name: &str,
        method: FileIngestion,
        filter: Option<NarFilter<'_>>,
    ) -> Result<(NixString, [u8; 32]), Error> {
        let write = !self.host.settings.read_only;
        let io = self.host.io.clone();
        self.ingest(&*io, src, name, method, filter, write)
    }

    /// As [`Ctx::add_path`], but written even in read-only mode (what fetchers
    /// fetch always lands in the store, as in C++ Nix) and read past pure and
    /// restricted mode (`src` is the fetcher's own download).
    pub fn fetch_to_store(
        &mut self,
        src: &Path,
        name: &str,
        method: FileIngestion,
    ) -> Result<(NixString, [u8; 32]), Error> {
        let io = self.host.unrestricted_io.clone();
        self.ingest(&*io, src, name, method, None, true)
    }

    fn ingest(
        &mut self,
        io: &dyn Io,
        src: &Path,
        name: &str,
        method: FileIngestion,
        filter: Option<NarFilter<'_>>,
        write: bool,
    ) -> Result<(NixString, [u8; 32]), Error> {
        let store = &*self.host.store;
        let added = crate::store::add_path(io, store, src, name, method, filter, write)?;
        self.host.allow(&added.path);
        Ok((crate::host::store_path_string(added.path), added.sha256))
    }

    /// Add a text file to the store (`toFile`, a `.drv`) with these references; the
    /// result is its store path.
    pub fn add_text(
        &mut self,
        name: &str,
        contents: &[u8],
        references: &std::collections::BTreeSet<String>,
    ) -> Result<String, Error> {
        let write = !self.host.settings.read_only;
        let path = crate::store::add_text(&*self.host.store, name, contents, references, write)?;
        self.host.made_refs.insert(path.clone(), references.clone());
        self.host.allow(&path);
        Ok(path)
    }

    /// The error for failing to `action` (e.g. "opening file") `path`, worded as
    /// Nix words it (a refusal by pure mode, a store path that is not valid, or
    /// the OS's reason).
    pub fn io_error(&self, action: &str, path: &Path, e: &std::io::Error) -> Error {
        Error::from(crate::ErrorKind::Io(
            self.host.io_error_message(action, path, e),
        ))
    }

    /// The references of a store path (`None` if neither this evaluation nor the
    /// store knows it).
    pub fn references(
        &self,
        path: &str,
    ) -> Result<Option<std::collections::BTreeSet<String>>, Error> {
        Ok(self.host.references(path)?)
    }

    /// The closure of a store path under references (itself included).
    pub fn closure(&self, path: &str) -> Result<std::collections::BTreeSet<String>, Error> {
        Ok(self.host.closure(path)?)
    }

    /// Copy a path to the store (as string interpolation does); the result is the
    /// store path as a string whose context names it.
    pub fn copy_to_store(&mut self, path: &Path) -> Result<NixString, Error> {
        self.host.copy_to_store(path).map_err(Error::from)
    }

    /// Resolve `<name>` through the search path (`-I`, `NIX_PATH`).
    pub fn find_search_path(&self, name: &str) -> Result<PathBuf, Error> {
        self.host.find_search_path(name).map_err(Error::from)
    }

    /// The value `v` forced, if it already is; otherwise the thunk is recorded and the
    /// error returned asks the framework to force it and convert again. Conversions
    /// ([`FromValue::from_value`]) use this for the parts of a value they need.
    pub fn forced(&mut self, v: &Value) -> Result<Value, Error> {
        match v {
            Value::Thunk(t) => match t.value() {
                Some(x) => Ok(x),
                None => {
                    self.demand.push(t.clone());
                    Err(Error::control(Control::Blocked))
                }
            },
            other => Ok(other.clone()),
        }
    }

    /// The error a plain builtin (or a conversion) returns to have the call run
    /// again on its suspending path: the builtin's `suspend = …` function, or its
    /// arguments converted with [`FromValue::from_value_async`].
    pub fn suspend(&self) -> Error {
        Error::control(Control::Suspend)
    }
}

/// The arguments of a call from a builtin into Nix: one, two, or any number.
pub enum CallArgs {
    /// `f a`.
    One(Value),
    /// `f a b`.
    Two(Value, Value),
    /// `f a b c …` (applied left to right).
    Many(Vec<Value>),
}

impl From<Value> for CallArgs {
    fn from(v: Value) -> CallArgs {
        CallArgs::One(v)
    }
}

impl From<[Value; 1]> for CallArgs {
    fn from([a]: [Value; 1]) -> CallArgs {
        CallArgs::One(a)
    }
}

impl From<[Value; 2]> for CallArgs {
    fn from([a, b]: [Value; 2]) -> CallArgs {
        CallArgs::Two(a, b)
    }
}

impl<const N: usize> From<&[Value; N]> for CallArgs {
    fn from(a: &[Value; N]) -> CallArgs {
        CallArgs::Many(a.to_vec())
    }
}

impl From<Vec<Value>> for CallArgs {
    fn from(v: Vec<Value>) -> CallArgs {
        CallArgs::Many(v)
    }
}

/// How a value becomes a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coercion {
    /// As `"${x}"`: strings, paths (copied to the store), and sets with
    /// `__toString` or `outPath`.
    Interpolation,
    /// As interpolation, but a path stands for itself (its text) and is not copied:
    /// `baseNameOf`, `dirOf`.
    KeepPaths,
    /// As `builtins.toString`: also integers, floats, Booleans, null and lists;
    /// paths stand for themselves.
    ToString,
    /// As derivation attributes: `toString` rules, with paths copied to the store.
    Derivation,
}

impl Coercion {
    /// Whether `toString`'s extra rules (numbers, Booleans, null, lists) apply.
    pub(crate) fn extended(self) -> bool {
        matches!(self, Coercion::ToString | Coercion::Derivation)
    }

    /// Whether paths are copied to the store.
    pub(crate) fn copies(self) -> bool {
        matches!(self, Coercion::Interpolation | Coercion::Derivation)
    }
}

/// The answer to a request that always succeeds (errors in the Nix code it runs
/// unwind past the builtin): a value in weak head normal form.
pub struct ValueFuture<'a>(Option<Result<Value, Yield<'a>>>);

impl Future for ValueFuture<'_> {
    type Output = Value;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Value> {
        let this = self.get_mut();
        match &mut this.0 {
            Some(Err(y)) => match Pin::new(y).poll(cx) {
                Poll::Ready(Ok(v)) => Poll::Ready(v),
                Poll::Ready(Err(_)) => unreachable!("only try requests are answered with an error"),
                Poll::Pending => Poll::Pending,
            },
            ready => match ready.take() {
                Some(Ok(v)) => Poll::Ready(v),
                _ => panic!("a ValueFuture was polled after it finished"),
            },
        }
    }
}

/// The answer to a try request: the value, or the catchable error it raised.
pub struct TryFuture<'a>(Yield<'a>);

impl Future for TryFuture<'_> {
    type Output = Result<Value, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().0).poll(cx)
    }
}

/// `r` wrapped so that an error escaping it gets `frames` (a builtin's context).
#[cold]
#[inline(never)]
fn framed(r: Request, frames: &Rc<[crate::errors::TraceFrame]>) -> Request {
    Request::Framed(Box::new(r), crate::vm::TraceContext::Frames(frames.clone()))
}

/// The handle of an `async` builtin: each method asks the VM for one piece of
/// work and resumes the builtin with the answer.
///
/// An error raised by Nix code while the VM does that work unwinds past the
/// builtin (adding its trace line), as in C++ Nix; [`Co::try_call`] and
/// [`Co::try_force`] instead hand a catchable error back as `Err`.
pub struct Co {
    lock: Rc<Airlock>,
    host: Rc<RefCell<Host>>,
    pack: u32,
    /// Frames an error escaping any request gets, innermost first (see [`Co::set_context`]).
    context: Option<Rc<[crate::errors::TraceFrame]>>,
}

impl Co {
    pub(crate) fn new(lock: Rc<Airlock>, host: Rc<RefCell<Host>>, pack: u32) -> Co {
        Co {
            lock,
            host,
            pack,
            context: None,
        }
    }

    /// Until [`Co::clear_context`], an error escaping what this builtin asks the
    /// machine to do (forcing, calling, coercing) gets these `… while …` frames,
    /// innermost first, as C++ Nix's "while evaluating attribute 'x' of derivation".
    /// Errors the builtin returns itself are its own to describe.
    pub fn set_context(&mut self, frames: Vec<crate::errors::TraceFrame>) {
        self.context = (!frames.is_empty()).then(|| frames.into());
    }

    /// End what [`Co::set_context`] began.
    pub fn clear_context(&mut self) {
        self.context = None;
    }

    /// Ask the VM; the answer is an error only for the `Try*` requests.
    pub(crate) fn ask(&mut self, r: Request) -> TryFuture<'_> {
        TryFuture(Yield::new(&self.lock, r))
    }

    /// Ask the VM something that is always answered with a value.
    #[inline]
    pub(crate) fn value_of(&mut self, r: Request) -> ValueFuture<'_> {
        let r = match &self.context {
            Some(frames) => framed(r, frames),
            None => r,
        };
        ValueFuture(Some(Err(Yield::new(&self.lock, r))))
    }

    /// `v` in weak head normal form (at once when it already is).
    pub fn force(&mut self, v: Value) -> ValueFuture<'_> {
        match &v {
            Value::Thunk(t) => match t.value() {
                Some(x) => ValueFuture(Some(Ok(x))),
                None => self.value_of(Request::Force(v)),
            },
            _ => ValueFuture(Some(Ok(v))),
        }
    }

    /// `v` forced (as deeply as `T` needs) and converted to `T`; a mismatch is
    /// Nix's type error.
    pub async fn force_to<T: FromValue>(&mut self, v: Value) -> Result<T, Error> {
        T::from_value_async(v, self).await
    }

    /// `v` with everything inside it forced, as `--strict` and `deepSeq` do.
    pub fn deep_force(&mut self, v: Value) -> ValueFuture<'_> {
        self.value_of(Request::DeepForce(v))
    }

    /// `f` applied to `args`, in weak head normal form.
    pub fn call(&mut self, f: Value, args: impl Into<CallArgs>) -> ValueFuture<'_> {
        self.value_of(Request::Call(f, args.into()))
    }

    /// As [`Co::call`], but a catchable error (`throw`, a failed `assert`) raised
    /// by the call or while forcing its result comes back as `Err`.
    pub fn try_call(&mut self, f: Value, args: impl Into<CallArgs>) -> TryFuture<'_> {
        self.ask(Request::TryCall(f, args.into()))
    }

    /// `v` in weak head normal form; an error escaping gets the frames `source`
    /// gives at that moment (nothing is built unless an error comes).
    pub fn force_traced(
        &mut self,
        v: Value,
        source: Rc<dyn crate::errors::TraceSource>,
    ) -> ValueFuture<'_> {
        match &v {
            Value::Thunk(t) if !t.is_evaluated() => {
                self.value_of(Request::ForceIn(v, crate::vm::TraceContext::Source(source)))
            }
            _ => ValueFuture(Some(Ok(v.shallow()))),
        }
    }

    /// `v` in weak head normal form; an error escaping gets `message` (coerced to a
    /// string only then) as a trace line shown even in short traces, in place of
    /// this builtin's own "while calling" line — `builtins.addErrorContext`.
    pub fn force_annotated(&mut self, v: Value, message: Value) -> ValueFuture<'_> {
        match &v {
            Value::Thunk(t) if !t.is_evaluated() => self.value_of(Request::ForceIn(
                v,
                crate::vm::TraceContext::Message(message),
            )),
            _ => ValueFuture(Some(Ok(v.shallow()))),
        }
    }

    /// As [`Co::force`], but a catchable error comes back as `Err`.
    pub fn try_force(&mut self, v: Value) -> TryFuture<'_> {
        self.ask(Request::TryForce(v))
    }

    /// `v` as a string, by the given coercion rules.
    pub async fn coerce_to_string(&mut self, v: Value, how: Coercion) -> NixString {
        let v = self.force(v).await;
        if let Value::String(s) = &v {
            return s.clone();
        }
        match self.value_of(Request::Coerce(v, how)).await {
            Value::String(s) => s,
            _ => unreachable!("coercion answers a string"),
        }
    }

    /// Nix's `a == b`.
    pub async fn equal(&mut self, a: Value, b: Value) -> bool {
        if let Some(r) = crate::vm::ops::equal_now(&a, &b) {
            return r;
        }
        matches!(self.value_of(Request::Equal(a, b)).await, Value::Bool(true))
    }

    /// Nix's `a < b` (numbers, strings, paths, and lists of those); anything else
    /// is Nix's comparison error.
    pub async fn less(&mut self, a: Value, b: Value) -> Result<bool, Error> {
        let a = self.force(a).await;
        let b = self.force(b).await;
        match (&a, &b) {
            (Value::List(_), Value::List(_)) => Ok(matches!(
                self.value_of(Request::Less(a, b)).await,
                Value::Bool(true)
            )),
            _ => crate::vm::ops::less(&a, &b).map_err(Error::from),
        }
    }

    /// Copy a path to the store; the store path as a string with its context.
    pub async fn copy_to_store(&mut self, path: PathBuf) -> NixString {
        match self.value_of(Request::CopyToStore(path)).await {
            Value::String(s) => s,
            _ => unreachable!("copying to the store answers a string"),
        }
    }

    /// Run `f` with the host context (IO, pack state, store, warnings, settings).
    /// The context cannot be kept across a suspension.
    pub fn ctx<R>(&mut self, f: impl FnOnce(&mut Ctx<'_>) -> R) -> R {
        let mut host = self.host.borrow_mut();
        let mut cx = Ctx::new(&mut host, self.pack);
        f(&mut cx)
    }

    /// The state registered with this builtin's pack.
    pub fn state<T: 'static>(&mut self) -> Result<Rc<T>, Error> {
        self.ctx(|cx| cx.state::<T>())
    }
}
