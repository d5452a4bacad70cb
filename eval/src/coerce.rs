//! Coercion to a string, the one place for its rules: interpolation, `toString`,
//! derivation attributes, and interpolation that keeps paths as text (see
//! [`Coercion`]). [`coerce_now`] works without running Nix code (the fast path of
//! builtins and of interpolation); [`coerce`] runs as a helper generator and does
//! everything, with an explicit work-list for nested lists.

use crate::context::{Co, Coercion, Ctx};
use crate::errors::{Error, ErrorKind, TraceFrame};
use crate::source::Span;
use crate::value::{merge_context, NixContext, NixString, Value};
use std::os::unix::ffi::OsStrExt;
use std::rc::Rc;

/// The error for a value that cannot be coerced to a string.
pub fn cannot_coerce(v: &Value) -> ErrorKind {
    ErrorKind::Other(format!(
        "cannot coerce {} to a string: {}",
        v.type_description(),
        crate::printer::short(v)
    ))
}

/// A path's text as a string (no context).
pub(crate) fn path_text(p: &std::path::Path) -> NixString {
    NixString::from(p.as_os_str().as_bytes())
}

/// Coerce without running Nix code. Unforced parts are asked for through `cx`
/// (the caller forces them and tries again); a set with `__toString`, and a list
/// under `toString` rules, ask for the suspending path.
pub fn coerce_now(v: &Value, how: Coercion, cx: &mut Ctx<'_>) -> Result<NixString, Error> {
    let mut cur = cx.forced(v)?;
    // `outPath` chains are short; bound them so that a cyclic one cannot loop forever.
    for _ in 0..64 {
        match &cur {
            Value::String(s) => return Ok(s.clone()),
            Value::Path(p) if how.copies() => return cx.copy_to_store(p),
            Value::Path(p) => return Ok(path_text(p)),
            Value::Attrs(a) => {
                if a.contains(b"__toString") {
                    return Err(cx.suspend());
                }
                match a.get(b"outPath") {
                    Some(o) => cur = cx.forced(o)?,
                    None => return Err(cannot_coerce(&cur).into()),
                }
            }
            Value::Int(i) if how.extended() => return Ok(NixString::from(i.to_string())),
            Value::Float(f) if how.extended() => {
                return Ok(NixString::from(crate::printer::float_to_string(*f)))
            }
            Value::Bool(b) if how.extended() => {
                return Ok(NixString::from(if *b { "1" } else { "" }))
            }
            Value::Null if how.extended() => return Ok(NixString::from("")),
            Value::List(_) if how.extended() => return Err(cx.suspend()),
            other => return Err(cannot_coerce(other).into()),
        }
    }
    Err(cx.suspend())
}

/// Coerce any value by the given rules, running `__toString` and forcing as needed.
pub(crate) async fn coerce(mut co: Co, v: Value, how: Coercion) -> Result<Value, Error> {
    coerce_in(&mut co, v, how, None).await
}

/// One step of peeling a set down to what it stands for (`__toString`'s result or
/// `outPath`), with the trace lines C++ Nix gives an error beyond it.
struct Peel {
    /// "the result of the `__toString` attribute" or "the `outPath` attribute".
    what: &'static str,
    /// Where that attribute is defined.
    pos: Option<Span>,
    parent: Option<Rc<Peel>>,
}

/// How many frames of a peel chain an error shows.
const MAX_PEEL_FRAMES: usize = 100;

/// The frames of a peel chain, innermost first; the innermost says "evaluating"
/// when its value is being forced, "using" once it is.
fn peel_frames(chain: &Option<Rc<Peel>>, evaluating: bool) -> Vec<TraceFrame> {
    let mut frames = Vec::new();
    let mut link = chain.as_deref();
    let mut first = true;
    // The chain is walked at every step of peeling: only its innermost frames are
    // kept, so that a chain thousands long stays linear to peel.
    while let Some(p) = link.filter(|_| frames.len() < MAX_PEEL_FRAMES) {
        let verb = if first && evaluating {
            "evaluating"
        } else {
            "using"
        };
        frames.push(TraceFrame::new(format!("while {verb} {}", p.what), p.pos));
        first = false;
        link = p.parent.as_deref();
    }
    frames
}

/// An error with the frames of a peel chain added.
fn in_chain(mut e: Error, chain: &Option<Rc<Peel>>) -> Error {
    for f in peel_frames(chain, false) {
        e = e.with_frame(f);
    }
    e
}

/// Like [`coerce`]; a value that cannot be coerced is reported with `segment` as
/// its first frame (interpolation's "while evaluating a path segment").
pub(crate) async fn coerce_in(
    co: &mut Co,
    v: Value,
    how: Coercion,
    segment: Option<TraceFrame>,
) -> Result<Value, Error> {
    enum Item {
        /// A value, how deeply it is nested in lists, and how it was reached.
        Val(Value, usize, Option<Rc<Peel>>),
        /// A separator after a list element, omitted when that element is `[]`.
        Space(Value),
    }
    let mut out: Vec<u8> = Vec::new();
    let mut ctx = NixContext::new();
    let mut work = vec![Item::Val(v, 0, None)];
    let mut steps = 0u64;
    let max_depth = co.ctx(|cx| cx.settings().value_depth());
    let max_peels = co.ctx(|cx| cx.settings().max_call_depth.unwrap_or(10_000)) as u64;
    while let Some(item) = work.pop() {
        let (v, depth, chain) = match item {
            Item::Val(v, depth, chain) => (v, depth, chain),
            Item::Space(prev) => {
                if !matches!(prev.shallow(), Value::List(l) if l.is_empty()) {
                    out.push(b' ');
                }
                continue;
            }
        };
        let v = match (&v, &chain) {
            (Value::Thunk(t), Some(_)) if !t.is_evaluated() => {
                co.set_context(peel_frames(&chain, true));
                let v = co.force(v).await;
                co.clear_context();
                v
            }
            _ => co.force(v).await,
        };
        match &v {
            Value::String(s) => {
                out.extend_from_slice(s.as_bytes());
                merge_context(&mut ctx, s.context());
            }
            Value::Path(p) if !how.copies() => out.extend_from_slice(p.as_os_str().as_bytes()),
            Value::Path(p) => {
                let s = co.copy_to_store((**p).clone()).await;
                out.extend_from_slice(s.as_bytes());
                merge_context(&mut ctx, s.context());
            }
            Value::Attrs(a) => {
                // Each level of peeling is a call to C++ Nix (counted against
                // max-call-depth); peeling also gathers the chain's frames each time.
                steps += 1;
                if steps > max_peels {
                    return Err(ErrorKind::StackOverflow.into());
                }
                if let Some(f) = a.get(b"__toString") {
                    let pos = a.position_of(b"__toString");
                    let mut calling = peel_frames(&chain, false);
                    calling.insert(
                        0,
                        TraceFrame::new("while calling the `__toString` attribute", pos),
                    );
                    co.set_context(calling.clone());
                    let f = co.force(f.clone()).await;
                    if !f.is_function() {
                        co.clear_context();
                        let mut e = Error::new(crate::vm::not_callable(&f), pos);
                        for frame in calling {
                            e = e.with_frame(frame);
                        }
                        return Err(e);
                    }
                    // The result is coerced in turn (a path result is copied: C++'s "peeling").
                    let r = co.call(f, v.clone()).await;
                    co.clear_context();
                    let link = Peel {
                        what: "the result of the `__toString` attribute",
                        pos,
                        parent: chain,
                    };
                    work.push(Item::Val(r, depth, Some(Rc::new(link))));
                } else if let Some(p) = a.get(b"outPath") {
                    let link = Peel {
                        what: "the `outPath` attribute",
                        pos: a.position_of(b"outPath"),
                        parent: chain,
                    };
                    work.push(Item::Val(p.clone(), depth, Some(Rc::new(link))));
                } else {
                    return Err(in_chain(cannot(&v, &segment), &chain));
                }
            }
            Value::Int(i) if how.extended() => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) if how.extended() => {
                out.extend_from_slice(crate::printer::float_to_string(*f).as_bytes())
            }
            Value::Bool(b) if how.extended() => {
                if *b {
                    out.push(b'1')
                }
            }
            Value::Null if how.extended() => {}
            Value::List(l) if how.extended() => {
                if depth >= max_depth {
                    return Err(ErrorKind::StackOverflow.into());
                }
                for (i, e) in l.iter().enumerate().rev() {
                    if i + 1 < l.len() {
                        work.push(Item::Space(e.clone()));
                    }
                    work.push(Item::Val(e.clone(), depth + 1, chain.clone()));
                }
            }
            other => return Err(in_chain(cannot(other, &segment), &chain)),
        }
    }
    Ok(Value::String(NixString::with_context(out, ctx)))
}

/// "cannot coerce …", placed by `segment` when there is one.
fn cannot(v: &Value, segment: &Option<TraceFrame>) -> Error {
    match segment {
        Some(f) => Error::unpositioned(cannot_coerce(v)).with_frame(f.clone()),
        None => cannot_coerce(v).into(),
    }
}
