//! Deep forcing (`--strict`, `deepSeq`) as a stepper the VM runs directly: a
//! work-list walk that asks the VM only for the thunks it meets unevaluated.

use super::gen::Inside;
use crate::errors::Error;
use crate::steps::{Next, Stepper};
use crate::value::Value;
use rustc_hash::FxHashSet;
use std::rc::Rc;

/// One entry of the walk's work-list.
enum Item {
    /// An element, with its index in the innermost container being walked.
    Val(Value, u32),
    /// The innermost container is done.
    Leave,
}

/// Force a value and everything reachable from it, keeping in `inside` the way to
/// the value being forced: the context frame under the walk turns it into C++
/// Nix's "while evaluating the attribute 'x'" lines if forcing fails.
pub(super) struct DeepForce {
    root: Value,
    work: Vec<Item>,
    /// Containers already walked (shared and cyclic data are walked once).
    seen: FxHashSet<usize>,
    inside: Rc<Inside>,
    /// How deeply containers may nest ([`crate::Settings::value_depth`]).
    max_depth: usize,
}

impl DeepForce {
    /// The walk of `v`, and its first request (none when `v` needs no forcing).
    pub(super) fn start(
        v: Value,
        inside: Rc<Inside>,
        max_depth: usize,
    ) -> Result<(Next, DeepForce), Error> {
        let mut walk = DeepForce {
            root: v.clone(),
            work: vec![Item::Val(v, 0)],
            seen: FxHashSet::default(),
            inside,
            max_depth,
        };
        let first = walk.next()?;
        Ok((first, walk))
    }

    /// Walk on until a thunk needs forcing, or the walk is done.
    fn next(&mut self) -> Result<Next, Error> {
        while let Some(item) = self.work.pop() {
            let (x, index) = match item {
                Item::Leave => {
                    self.inside.borrow_mut().pop();
                    continue;
                }
                Item::Val(x, index) => (x, index),
            };
            if let Some(top) = self.inside.borrow_mut().last_mut() {
                top.1 = index;
            }
            match x {
                Value::Thunk(t) => match t.value() {
                    Some(v) => self.enter(v)?,
                    None => return Ok(Next::Force(Value::Thunk(t))),
                },
                v => self.enter(v)?,
            }
        }
        Ok(Next::Done(self.root.clone()))
    }

    /// Queue the elements of a forced container not walked yet.
    fn enter(&mut self, x: Value) -> Result<(), Error> {
        let container = matches!(x, Value::List(_) | Value::Attrs(_));
        if container && self.inside.borrow().len() >= self.max_depth {
            return Err(Error::new(crate::ErrorKind::StackOverflow, None));
        }
        match &x {
            Value::List(l) if self.seen.insert(l.addr()) => {
                self.work.push(Item::Leave);
                for (i, e) in l.iter().enumerate().rev() {
                    if needs_walk(e) {
                        self.work.push(Item::Val(e.clone(), i as u32));
                    }
                }
                self.inside.borrow_mut().push((x, 0));
            }
            Value::Attrs(a) if self.seen.insert(a.addr()) => {
                self.work.push(Item::Leave);
                for (i, (_, e)) in a.iter().enumerate().rev() {
                    if needs_walk(e) {
                        self.work.push(Item::Val(e.clone(), i as u32));
                    }
                }
                self.inside.borrow_mut().push((x, 0));
            }
            _ => {}
        }
        Ok(())
    }
}

impl Stepper for DeepForce {
    fn resume(&mut self, forced: Value) -> Result<Next, Error> {
        self.enter(forced)?;
        self.next()
    }
}

/// Whether a value may hold something still to force.
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
