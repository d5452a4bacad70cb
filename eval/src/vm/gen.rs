//! Generator frames: suspended builtins and helpers that ask the VM for work
//! (force, call, compare, …) and are resumed with the answer. Helpers that walk
//! nested data (deep forcing, equality, list comparison, string coercion) keep
//! explicit work-lists, so their depth never reaches the Rust stack.

use super::{try_result, Frame, Step, Vm};
use crate::builtins::{BuiltinDef, BuiltinFuture};
use crate::errors::{Error, ErrorKind, TraceFrame};
use crate::value::{NixContext, NixString, Value};
use genawaiter::rc::{Co, Gen};
use genawaiter::GeneratorState;
use rustc_hash::FxHashSet;
use std::rc::Rc;

/// The handle an `async` builtin uses to talk to the VM.
pub type GenCo = Co<Request, Value>;

/// What a generator asks the VM to do; each is answered with a value.
pub enum Request {
    /// Force to weak head normal form.
    Force(Value),
    /// Call a function with one argument (the result may be unforced).
    Call(Value, Value),
    /// Call a function with two arguments, `f a b` (one round trip instead of two).
    Call2(Value, Value, Value),
    /// Force deeply; answers with the value.
    DeepForce(Value),
    /// Force, catching `throw`/`assert` failures; answers `{ success; value; }`.
    TryEval(Value),
    /// Nix `==`; answers a bool.
    Equal(Value, Value),
    /// Nix `<`; answers a bool.
    Less(Value, Value),
    /// Copy a path to the store; answers its store path as a string with context.
    CopyToStore(Value),
    /// Coerce to a string as derivation attributes are: `toString` rules, but paths are
    /// copied to the store.
    CoerceForDerivation(Value),
    /// Coerce to a string (interpolation rules, or `toString` rules when `more`).
    CoerceToString {
        /// The value.
        value: Value,
        /// `toString` rules: also ints, floats, bools, null and lists.
        more: bool,
    },
}

/// A generator frame: the generator and the builtin it runs, if any.
pub(super) struct GenBox {
    gen: Gen<Request, Value, BuiltinFuture>,
    def: Option<&'static BuiltinDef>,
}

/// Make a generator frame for a builtin body.
pub(super) fn new_gen(f: impl FnOnce(GenCo) -> BuiltinFuture, def: &'static BuiltinDef) -> GenBox {
    GenBox {
        gen: Gen::new(f),
        def: Some(def),
    }
}

fn helper(f: impl FnOnce(GenCo) -> BuiltinFuture) -> GenBox {
    GenBox {
        gen: Gen::new(f),
        def: None,
    }
}

/// Force `v` from inside a generator.
pub async fn force(co: &GenCo, v: Value) -> Value {
    match &v {
        Value::Thunk(t) => match t.value() {
            Some(x) => x,
            None => co.yield_(Request::Force(v)).await,
        },
        _ => v,
    }
}

impl Vm {
    /// Push a generator frame and run it until it needs frames or finishes.
    pub(super) fn start_gen(&mut self, g: GenBox) -> Step {
        self.check_depth()?;
        self.frames.push(Frame::Gen(g));
        self.drive_gen(Value::Null)
    }

    /// Resume the generator on top with `input` until it needs frames (None) or finishes.
    pub(super) fn drive_gen(&mut self, mut input: Value) -> Step {
        loop {
            let Some(Frame::Gen(g)) = self.frames.last_mut() else {
                unreachable!("drive_gen runs only with a generator frame on top")
            };
            match g.gen.resume_with(input) {
                GeneratorState::Yielded(req) => match self.handle_request(req, None)? {
                    Some(v) => input = v,
                    None => return Ok(None),
                },
                GeneratorState::Complete(r) => {
                    let Some(Frame::Gen(g)) = self.frames.pop() else {
                        unreachable!("checked above")
                    };
                    return match r {
                        Ok(v) => Ok(Some(v)),
                        Err(k) => {
                            let mut e = Error::new(k, None);
                            if let Some(def) = g.def {
                                e.trace.push(TraceFrame {
                                    what: format!("while calling the '{}' builtin", def.name),
                                    span: None,
                                });
                            }
                            Err(e)
                        }
                    };
                }
            }
        }
    }

    /// Carry out a request: answer at once (Some) or push the frames that will answer it.
    pub(super) fn handle_request(
        &mut self,
        req: Request,
        span: Option<crate::source::Span>,
    ) -> Step {
        match req {
            Request::Force(v) => match v {
                Value::Thunk(t) => match t.value() {
                    Some(x) => Ok(Some(x)),
                    None => self.push_force(t, span),
                },
                v => Ok(Some(v)),
            },
            Request::Call(f, x) => self.enter_call(f, x, span),
            Request::Call2(f, a, b) => {
                self.frames.push(Frame::CallArg(b));
                match self.enter_call(f, a, span)? {
                    Some(g) => {
                        let Some(Frame::CallArg(b)) = self.frames.pop() else {
                            unreachable!("enter_call answered at once, so CallArg is on top")
                        };
                        self.enter_call(g, b, span)
                    }
                    None => Ok(None),
                }
            }
            Request::DeepForce(v) => self.start_gen(helper(|co| Box::pin(deep_force(co, v)))),
            Request::TryEval(v) => {
                self.frames.push(Frame::TryEval);
                match self.handle_request(Request::Force(v), span)? {
                    Some(x) => {
                        self.frames.pop();
                        Ok(Some(try_result(true, x)))
                    }
                    None => Ok(None),
                }
            }
            Request::Equal(a, b) => match super::ops::equal_shallow(&a, &b) {
                Some(r) => Ok(Some(Value::Bool(r))),
                None => self.start_gen(helper(|co| Box::pin(equal(co, a, b)))),
            },
            Request::Less(a, b) => match (&a, &b) {
                (Value::List(_), Value::List(_)) => {
                    self.start_gen(helper(|co| Box::pin(less_lists(co, a, b))))
                }
                _ => super::ops::less(&a, &b)
                    .map(|r| Some(Value::Bool(r)))
                    .map_err(|k| Error::new(k, span)),
            },
            Request::CopyToStore(p) => match &p {
                Value::Path(path) => self
                    .copy_to_store(path)
                    .map(|s| Some(Value::String(s)))
                    .map_err(|k| Error::new(k, span)),
                _ => unreachable!("CopyToStore is only asked for paths"),
            },
            Request::CoerceForDerivation(value) => match &value {
                Value::String(_) => Ok(Some(value)),
                _ => self.start_gen(helper(move |co| Box::pin(coerce(co, value, true, true)))),
            },
            Request::CoerceToString { value, more } => match &value {
                Value::String(_) => Ok(Some(value)),
                _ => self.start_gen(helper(move |co| {
                    Box::pin(coerce_to_string(co, value, more))
                })),
            },
        }
    }
}

/// Force a value and everything reachable from it.
pub async fn deep_force(co: GenCo, v: Value) -> Result<Value, ErrorKind> {
    let mut seen: FxHashSet<usize> = FxHashSet::default();
    let mut work = vec![v.clone()];
    while let Some(x) = work.pop() {
        let x = force(&co, x).await;
        match &x {
            Value::List(l) if seen.insert(l.addr()) => {
                work.extend(l.iter().rev().filter(|e| needs_walk(e)).cloned());
            }
            Value::Attrs(a) if seen.insert(a.addr()) => {
                work.extend(
                    a.iter()
                        .rev()
                        .map(|(_, e)| e)
                        .filter(|e| needs_walk(e))
                        .cloned(),
                );
            }
            _ => {}
        }
    }
    Ok(v)
}

fn needs_walk(v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Attrs(_) => true,
        Value::Thunk(t) => match t.value() {
            Some(x) => matches!(x, Value::List(_) | Value::Attrs(_)),
            None => true,
        },
        _ => false,
    }
}

/// Nix `==` on arbitrary values.
pub async fn equal(co: GenCo, a: Value, b: Value) -> Result<Value, ErrorKind> {
    let mut work = vec![(a, b, false)];
    while let Some((ox, oy, nested)) = work.pop() {
        // Elements are forced first, then compared by identity (as C++ Nix compares the
        // addresses of the two element values), then by contents.
        let x = force(&co, ox.clone()).await;
        let y = force(&co, oy.clone()).await;
        if nested && ox.same_object(&oy) {
            continue;
        }
        if let Some(r) = super::ops::equal_shallow(&x, &y) {
            if !r {
                return Ok(Value::Bool(false));
            }
            continue;
        }
        match (&x, &y) {
            (Value::List(l1), Value::List(l2)) => {
                if l1.len() != l2.len() {
                    return Ok(Value::Bool(false));
                }
                for (p, q) in l1.iter().zip(l2.iter()).rev() {
                    work.push((p.clone(), q.clone(), true));
                }
            }
            (Value::Attrs(a1), Value::Attrs(a2)) => {
                if let (Some(t1), Some(t2)) = (a1.get(b"type"), a2.get(b"type")) {
                    let t1 = force(&co, t1.clone()).await;
                    let t2 = force(&co, t2.clone()).await;
                    let is_drv =
                        |t: &Value| matches!(t, Value::String(s) if s.as_bytes() == b"derivation");
                    if is_drv(&t1) && is_drv(&t2) {
                        if let (Some(o1), Some(o2)) = (a1.get(b"outPath"), a2.get(b"outPath")) {
                            work.push((o1.clone(), o2.clone(), true));
                            continue;
                        }
                    }
                }
                if a1.len() != a2.len() {
                    return Ok(Value::Bool(false));
                }
                if a1.iter().zip(a2.iter()).any(|((k1, _), (k2, _))| k1 != k2) {
                    return Ok(Value::Bool(false));
                }
                for ((_, p), (_, q)) in a1.iter().zip(a2.iter()).rev() {
                    work.push((p.clone(), q.clone(), true));
                }
            }
            _ => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

/// Lexicographic `<` on two lists.
async fn less_lists(co: GenCo, a: Value, b: Value) -> Result<Value, ErrorKind> {
    let (Value::List(l1), Value::List(l2)) = (&a, &b) else {
        unreachable!("only called on two lists")
    };
    for (ox, oy) in l1.iter().zip(l2.iter()) {
        let x = force(&co, ox.clone()).await;
        let y = force(&co, oy.clone()).await;
        if ox.same_object(oy) {
            continue;
        }
        let eq = co.yield_(Request::Equal(x.clone(), y.clone())).await;
        if matches!(eq, Value::Bool(true)) {
            continue;
        }
        return Ok(co.yield_(Request::Less(x, y)).await);
    }
    Ok(Value::Bool(l1.len() < l2.len()))
}

/// Coerce to a string: interpolation rules, or `toString` rules with `more`.
pub async fn coerce_to_string(co: GenCo, v: Value, more: bool) -> Result<Value, ErrorKind> {
    coerce(co, v, more, !more).await
}

/// Coerce to a string; `more` adds `toString`'s rules, `copy` copies paths to the store.
async fn coerce(co: GenCo, v: Value, more: bool, copy: bool) -> Result<Value, ErrorKind> {
    enum Item {
        Val(Value, bool),
        /// A separator after a list element, omitted when that element is `[]`.
        Space(Value),
    }
    let mut out: Vec<u8> = Vec::new();
    let mut ctx = NixContext::new();
    let mut work = vec![Item::Val(v, true)];
    while let Some(item) = work.pop() {
        let (v, top) = match item {
            Item::Val(v, top) => (v, top),
            Item::Space(prev) => {
                if !matches!(prev.shallow(), Value::List(l) if l.is_empty()) {
                    out.push(b' ');
                }
                continue;
            }
        };
        let v = force(&co, v).await;
        match &v {
            Value::String(s) => {
                out.extend_from_slice(s.as_bytes());
                crate::value::merge_context(&mut ctx, s.context());
            }
            // `toString` keeps a path as it is; other coercions copy it to the store.
            Value::Path(p) if !copy => out.extend_from_slice(p.to_string_lossy().as_bytes()),
            Value::Path(_) => {
                let Value::String(s) = co.yield_(Request::CopyToStore(v.clone())).await else {
                    unreachable!("CopyToStore answers a string")
                };
                out.extend_from_slice(s.as_bytes());
                crate::value::merge_context(&mut ctx, s.context());
            }
            Value::Attrs(a) => {
                if let Some(f) = a.get(b"__toString") {
                    let f = force(&co, f.clone()).await;
                    let r = co.yield_(Request::Call(f, v.clone())).await;
                    let r = force(&co, r).await;
                    // The result is coerced in turn (a path result is copied, C++'s "peeling").
                    work.push(Item::Val(r, top));
                } else if let Some(p) = a.get(b"outPath") {
                    work.push(Item::Val(p.clone(), top));
                } else {
                    return Err(cannot_coerce(&v));
                }
            }
            Value::Int(i) if more => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) if more => {
                out.extend_from_slice(crate::printer::float_to_string(*f).as_bytes())
            }
            Value::Bool(b) if more => {
                if *b {
                    out.push(b'1')
                }
            }
            Value::Null if more => {}
            Value::List(l) if more => {
                for (i, e) in l.iter().enumerate().rev() {
                    if i + 1 < l.len() {
                        work.push(Item::Space(e.clone()));
                    }
                    work.push(Item::Val(e.clone(), false));
                }
            }
            other => return Err(cannot_coerce(other)),
        }
    }
    Ok(Value::String(NixString::with_context(out, ctx)))
}

fn cannot_coerce(v: &Value) -> ErrorKind {
    ErrorKind::Other(format!(
        "cannot coerce {} to a string: {}",
        v.type_description(),
        crate::printer::short(v)
    ))
}

/// Constructors of helper generators used by opcodes.
pub(super) struct HelperGen;

impl HelperGen {
    /// `a + b` where `a` is a string or path and `b` must be coerced.
    pub(super) fn add_coerced(a: Value, b: Value) -> GenBox {
        helper(move |co| {
            Box::pin(async move {
                // A set on the left (with `outPath` or `__toString`) is coerced too.
                let a = match a {
                    Value::Attrs(_) => {
                        co.yield_(Request::CoerceToString {
                            value: a,
                            more: false,
                        })
                        .await
                    }
                    other => other,
                };
                let s = coerce_to_string(co, b, false).await?;
                let Value::String(s) = s else {
                    unreachable!("coercion yields strings")
                };
                Ok(match a {
                    Value::Path(p) => {
                        let joined = format!("{}{}", p.to_string_lossy(), s.to_str_lossy());
                        Value::Path(Rc::new(crate::paths::normalise(&joined).into()))
                    }
                    Value::String(x) => Value::String(x.concat(&s)),
                    _ => unreachable!("add_coerced is used with a string or path on the left"),
                })
            })
        })
    }

    /// `a == b` (or `!=` with `neg`).
    pub(super) fn equal(a: Value, b: Value, neg: bool) -> GenBox {
        helper(move |co| {
            Box::pin(async move {
                let r = equal(co, a, b).await?;
                Ok(Value::Bool(matches!(r, Value::Bool(true)) != neg))
            })
        })
    }

    /// `a < b` on lists (negated with `neg`).
    pub(super) fn less(a: Value, b: Value, neg: bool) -> GenBox {
        helper(move |co| {
            Box::pin(async move {
                let r = less_lists(co, a, b).await?;
                Ok(Value::Bool(matches!(r, Value::Bool(true)) != neg))
            })
        })
    }

    /// Coerce to a string.
    pub(super) fn coerce(v: Value, more: bool) -> GenBox {
        helper(move |co| Box::pin(coerce_to_string(co, v, more)))
    }
}
