//! Generator frames: carrying out the requests of suspended builtins, and the
//! helper generators the machine itself uses (deep forcing, equality, list
//! comparison, coercion). Helpers that walk nested data keep explicit work-lists,
//! so their depth never reaches the Rust stack.

use super::coroutine::{GenFrame, Polled, Slot};
use super::{Frame, Step, Vm};
use crate::builtins::BuiltinFuture;
use crate::context::{CallArgs, Co, Coercion};
use crate::errors::{Error, TraceFrame};
use crate::steps::Steps;
use crate::value::Value;
use std::path::PathBuf;
use std::rc::Rc;

/// What a generator asks the VM to do; each is answered with a value (the `Try*`
/// ones with a value or a catchable error).
pub(crate) enum Request {
    /// Force to weak head normal form.
    Force(Value),
    /// Call a function with arguments; answers the result forced.
    Call(Value, CallArgs),
    /// Force deeply; answers with the value.
    DeepForce(Value),
    /// Force, handing a catchable error back.
    TryForce(Value),
    /// Another request; an error escaping it gets the context's frames on its way out.
    Framed(Box<Request>, super::TraceContext),
    /// Force; an error escaping gets the context's frames on its way out.
    ForceIn(Value, super::TraceContext),
    /// Call and force the result, handing a catchable error back.
    TryCall(Value, CallArgs),
    /// Nix `==`; answers a bool.
    Equal(Value, Value),
    /// Nix `<`; answers a bool.
    Less(Value, Value),
    /// Copy a path to the store; answers its store path as a string with context.
    CopyToStore(PathBuf),
    /// Coerce to a string by the given rules.
    Coerce(Value, Coercion),
}

/// A helper generator (no builtin of its own).
fn helper(fut: BuiltinFuture) -> GenFrame {
    GenFrame { fut, def: None }
}

impl Vm {
    /// Push a generator frame and run it until it needs frames or finishes.
    /// A helper generator runs at the depth it is started from.
    pub(super) fn start_gen(&mut self, g: GenFrame) -> Step {
        let depth = self.inherited_depth();
        self.start_gen_at(g, depth)
    }

    /// Push a generator frame with `depth` calls active in it, and run it.
    pub(super) fn start_gen_at(&mut self, g: GenFrame, depth: u32) -> Step {
        self.check_depth()?;
        self.count_builtin_call()?;
        self.push_frame(|| Frame::Gen(g, depth));
        self.drive_gen(Slot::Empty)
    }

    /// Resume the generator on top with `input` until it needs frames (None) or finishes.
    pub(super) fn drive_gen(&mut self, mut input: Slot) -> Step {
        loop {
            let Some(Frame::Gen(g, _)) = self.frames.last_mut() else {
                unreachable!("drive_gen runs only with a generator frame on top")
            };
            let def = g.def;
            match g.resume(&self.airlock, input) {
                Polled::Request(req) => match self.handle_request(req, None)? {
                    // Generators are always answered with forced values.
                    Some(Value::Thunk(t)) => match t.value() {
                        Some(v) => input = Slot::Answer(v),
                        None => match self.push_force(t, None)? {
                            Some(v) => input = Slot::Answer(v),
                            None => return Ok(None),
                        },
                    },
                    Some(v) => input = Slot::Answer(v),
                    None => return Ok(None),
                },
                Polled::Done(r) => {
                    self.frames.pop();
                    return r.map(Some).map_err(|e| super::builtin_call::traced(def, e));
                }
                Polled::Stray => {
                    self.frames.pop();
                    let name = def.map_or("(helper)", |d| d.name);
                    return Err(Error::msg(format!(
                        "builtin '{name}' awaited something that is not a request of its Co"
                    )));
                }
                Polled::Panicked(msg) => {
                    self.frames.pop();
                    return Err(super::builtin_call::panic_error(def, &msg));
                }
            }
        }
    }

    /// Call `f` with `args`: the first at once, the rest through `CallArg` frames.
    pub(super) fn call_with(
        &mut self,
        f: Value,
        args: CallArgs,
        span: Option<crate::source::Span>,
    ) -> Step {
        let floor = self.frames.len();
        let first = match args {
            CallArgs::One(a) => return self.enter_call(f, a, span),
            CallArgs::Two(a, b) => {
                // A curried lambda takes both at once, with no frame between.
                if let Value::Closure(c) = &f {
                    if let Some(inner) = c.proto.curried_inner() {
                        let g = self.curried_call(c, inner, a)?;
                        return self.enter_call(g, b, span);
                    }
                }
                self.push_frame(|| Frame::CallArg(b));
                a
            }
            CallArgs::Many(v) => {
                let mut v = v.into_iter();
                let Some(first) = v.next() else {
                    return Ok(Some(f));
                };
                for a in v.rev() {
                    self.push_frame(|| Frame::CallArg(a));
                }
                first
            }
        };
        let mut r = self.enter_call(f, first, span)?;
        // Apply the remaining arguments at once while calls finish without frames.
        while let Some(g) = r {
            if self.frames.len() == floor {
                return Ok(Some(g));
            }
            let Some(Frame::CallArg(a)) = self.frames.pop() else {
                unreachable!("only CallArg frames were pushed above the floor")
            };
            r = self.enter_call(g, a, span)?;
        }
        Ok(None)
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
            Request::Call(f, args) => self.call_with(f, args, span),
            Request::DeepForce(v) => {
                // One context frame under the walk names the way to whatever fails.
                let inside: Rc<Inside> = Rc::default();
                self.push_frame(|| Frame::Context(super::TraceContext::Inside(inside.clone())));
                let max_depth = self.host.borrow().settings.value_depth();
                let (first, walk) = super::deep_force::DeepForce::start(v, inside, max_depth)?;
                let depth = self.inherited_depth();
                let r = self.start_steps(None, Steps::new(first, walk), depth)?;
                if r.is_some() {
                    self.frames.pop();
                }
                Ok(r)
            }
            Request::Framed(inner, ctx) => {
                self.push_frame(|| Frame::Context(ctx));
                let answer = match self.handle_request(*inner, span)? {
                    Some(Value::Thunk(t)) if !t.is_evaluated() => self.push_force(t, span)?,
                    other => other,
                };
                if answer.is_some() {
                    self.frames.pop();
                }
                Ok(answer)
            }
            Request::ForceIn(v, ctx) => match v {
                Value::Thunk(t) if !t.is_evaluated() => {
                    self.push_frame(|| Frame::Context(ctx));
                    let answer = self.push_force(t, span)?;
                    if answer.is_some() {
                        self.frames.pop();
                    }
                    Ok(answer)
                }
                v => Ok(Some(v.shallow())),
            },
            Request::TryForce(v) => match v {
                Value::Thunk(t) if !t.is_evaluated() => {
                    self.push_frame(|| Frame::Catch);
                    self.finish_catch(Ok(Some(Value::Thunk(t))))
                }
                v => Ok(Some(v.shallow())),
            },
            Request::TryCall(f, args) => {
                self.push_frame(|| Frame::Catch);
                let r = self.call_with(f, args, span);
                self.finish_catch(r)
            }
            Request::Equal(a, b) => match super::ops::equal_now(&a, &b) {
                Some(r) => Ok(Some(Value::Bool(r))),
                None => {
                    let co = self.co(u32::MAX);
                    self.start_gen(helper(Box::pin(equal(co, a, b))))
                }
            },
            Request::Less(a, b) => match (&a, &b) {
                (Value::List(_), Value::List(_)) => {
                    let co = self.co(u32::MAX);
                    self.start_gen(helper(Box::pin(less_lists(co, a, b))))
                }
                _ => super::ops::less(&a, &b)
                    .map(|r| Some(Value::Bool(r)))
                    .map_err(|k| Error::new(k, span)),
            },
            Request::CopyToStore(p) => self
                .host
                .borrow_mut()
                .copy_to_store(&p)
                .map(|s| Some(Value::String(s)))
                .map_err(|k| Error::new(k, span)),
            Request::Coerce(value, how) => match &value {
                Value::String(_) => Ok(Some(value)),
                _ => {
                    let co = self.co(u32::MAX);
                    self.start_gen(helper(Box::pin(crate::coerce::coerce(co, value, how))))
                }
            },
        }
    }

    /// After a try request's work started with a `Catch` frame on top: a value that
    /// came back at once is forced, then the frame is popped.
    fn finish_catch(&mut self, r: Step) -> Step {
        let v = match r {
            Ok(None) => return Ok(None),
            Ok(Some(v)) => v,
            Err(e) => {
                // Nothing was pushed above the Catch frame; let the unwinder treat it.
                return Err(e);
            }
        };
        let v = match v {
            Value::Thunk(t) => match t.value() {
                Some(x) => x,
                None => match self.push_force(t, None)? {
                    Some(x) => x,
                    None => return Ok(None),
                },
            },
            v => v,
        };
        self.frames.pop();
        Ok(Some(v))
    }
}

/// The sets and lists `deep_force` is inside, outermost first, each with the
/// index of the element being forced in it. It is read only when forcing fails.
pub(crate) type Inside = std::cell::RefCell<Vec<(Value, u32)>>;

/// The frames C++ Nix's recursive deep force has on its stack, innermost first.
pub(crate) fn path_frames(inside: &Inside, e: &mut Error) {
    for (container, index) in inside.borrow().iter().rev() {
        match container {
            Value::Attrs(a) => {
                let i = *index as usize;
                let name = a.entries()[i].0.to_str_lossy();
                e.push_frame(
                    format!("while evaluating the attribute '{name}'"),
                    a.position(i),
                );
            }
            _ => e.push_frame(
                format!("while evaluating list element at index {index}"),
                None,
            ),
        }
    }
}

/// Nix `==` on arbitrary values.
pub async fn equal(mut co: Co, a: Value, b: Value) -> Result<Value, Error> {
    let max_depth = co.ctx(|cx| cx.settings().value_depth());
    // Each pair with how deeply it is nested (0: the operands themselves).
    let mut work = vec![(a, b, 0usize)];
    while let Some((ox, oy, depth)) = work.pop() {
        let nested = depth > 0;
        if depth > max_depth {
            return Err(Error::new(crate::ErrorKind::StackOverflow, None));
        }
        // Elements are forced first, then compared by identity (as C++ Nix compares the
        // addresses of the two element values), then by contents.
        let x = co.force(ox.clone()).await;
        let y = co.force(oy.clone()).await;
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
                    work.push((p.clone(), q.clone(), depth + 1));
                }
            }
            (Value::Attrs(a1), Value::Attrs(a2)) => {
                if let (Some(t1), Some(t2)) = (a1.get(b"type"), a2.get(b"type")) {
                    let t1 = co.force(t1.clone()).await;
                    let t2 = co.force(t2.clone()).await;
                    let is_drv =
                        |t: &Value| matches!(t, Value::String(s) if s.as_bytes() == b"derivation");
                    if is_drv(&t1) && is_drv(&t2) {
                        if let (Some(o1), Some(o2)) = (a1.get(b"outPath"), a2.get(b"outPath")) {
                            work.push((o1.clone(), o2.clone(), depth + 1));
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
                    work.push((p.clone(), q.clone(), depth + 1));
                }
            }
            _ => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

/// Lexicographic `<` on two lists.
async fn less_lists(mut co: Co, a: Value, b: Value) -> Result<Value, Error> {
    let (Value::List(l1), Value::List(l2)) = (&a, &b) else {
        unreachable!("only called on two lists")
    };
    for (ox, oy) in l1.iter().zip(l2.iter()) {
        let x = co.force(ox.clone()).await;
        let y = co.force(oy.clone()).await;
        if ox.same_object(oy) {
            continue;
        }
        if co.equal(x.clone(), y.clone()).await {
            continue;
        }
        let r = co.less(x, y).await;
        return Ok(Value::Bool(
            r.map_err(|e| e.context("while comparing two list elements"))?,
        ));
    }
    Ok(Value::Bool(l1.len() < l2.len()))
}

/// Constructors of helper generators used by opcodes.
pub(super) struct HelperGen;

impl HelperGen {
    /// `a + b` where `a` is a string or path and `b` must be coerced; `segment` is
    /// the trace line of a part that cannot be.
    pub(super) fn add_coerced(mut co: Co, a: Value, b: Value, segment: TraceFrame) -> GenFrame {
        helper(Box::pin(async move {
            use crate::coerce::coerce_in;
            let how = Coercion::Interpolation;
            // A set on the left (with `outPath` or `__toString`) is coerced too.
            let a = match a {
                Value::Attrs(_) => coerce_in(&mut co, a, how, Some(segment.clone())).await?,
                other => other,
            };
            let Value::String(s) = coerce_in(&mut co, b, how, Some(segment)).await? else {
                unreachable!("coercion makes a string")
            };
            Ok(match a {
                Value::Path(p) => {
                    let joined = format!("{}{}", p.to_string_lossy(), s.to_str_lossy());
                    Value::Path(Rc::new(crate::paths::normalise(&joined).into()))
                }
                Value::String(x) => Value::String(x.concat(&s)),
                _ => unreachable!("add_coerced is used with a string or path on the left"),
            })
        }))
    }

    /// Coerce `message` (an unevaluated `addErrorContext` message) and fail with `e`
    /// annotated by it.
    pub(super) fn annotate(mut co: Co, message: Value, mut e: Error) -> GenFrame {
        helper(Box::pin(async move {
            let what = "while evaluating the error message passed to builtins.addErrorContext";
            co.set_context(vec![TraceFrame::new(what, None)]);
            let m = crate::coerce::coerce_in(&mut co, message, Coercion::KeepPaths, None).await;
            co.clear_context();
            let m = m.map_err(|err| err.context(what))?;
            super::annotate(&mut e, &m);
            Err(e)
        }))
    }

    /// `a == b` (or `!=` with `neg`).
    pub(super) fn equal(co: Co, a: Value, b: Value, neg: bool) -> GenFrame {
        helper(Box::pin(async move {
            let r = equal(co, a, b).await?;
            Ok(Value::Bool(matches!(r, Value::Bool(true)) != neg))
        }))
    }

    /// `a < b` on lists (negated with `neg`).
    pub(super) fn less(co: Co, a: Value, b: Value, neg: bool) -> GenFrame {
        helper(Box::pin(async move {
            let r = less_lists(co, a, b).await?;
            Ok(Value::Bool(matches!(r, Value::Bool(true)) != neg))
        }))
    }

    /// Coerce to a string by interpolation rules; `segment` is the trace line of a
    /// part that cannot be.
    pub(super) fn coerce(mut co: Co, v: Value, segment: TraceFrame) -> GenFrame {
        helper(Box::pin(async move {
            crate::coerce::coerce_in(&mut co, v, Coercion::Interpolation, Some(segment)).await
        }))
    }
}
