//! Iterative destruction of nested values.
//!
//! Dropping a `Value` that owns the last reference to a list, set, thunk or
//! closure would recurse into its children. Instead, containers hand their
//! children to a thread-local queue that the outermost drop drains in a loop.

use super::Value;
use std::cell::{Cell, RefCell};

thread_local! {
    static QUEUE: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
}

/// Take ownership of `items` and drop them without recursion.
pub(crate) fn defer_vec(items: Vec<Value>) {
    if items.iter().all(is_leaf) {
        return;
    }
    let _ = QUEUE.try_with(|q| q.borrow_mut().extend(items));
    drain();
}

/// Move the values out of `items` (leaving nulls) and drop them without recursion.
pub(crate) fn defer_slice(items: &mut [Value]) {
    if items.iter().all(is_leaf) {
        return;
    }
    let _ = QUEUE.try_with(|q| {
        let mut q = q.borrow_mut();
        for it in items.iter_mut() {
            if !is_leaf(it) {
                q.push(std::mem::replace(it, Value::Null));
            }
        }
    });
    drain();
}

/// Drop one value without recursion.
pub(crate) fn defer_one(v: Value) {
    if is_leaf(&v) {
        return;
    }
    let _ = QUEUE.try_with(|q| q.borrow_mut().push(v));
    drain();
}

/// Whether dropping `v` cannot recurse: a scalar, or a container someone else still holds.
#[inline]
fn is_leaf(v: &Value) -> bool {
    match v {
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::String(_)
        | Value::Path(_) => true,
        Value::List(l) => l.ref_count() > 1,
        Value::Attrs(a) => a.ref_count() > 1,
        Value::Thunk(t) => t.ref_count() > 1,
        Value::Closure(c) => std::rc::Rc::strong_count(c) > 1,
        Value::Builtin(b) => std::rc::Rc::strong_count(b) > 1,
    }
}

fn drain() {
    let Ok(already) = DRAINING.try_with(|d| d.replace(true)) else {
        return;
    };
    if already {
        return;
    }
    loop {
        let next = QUEUE.try_with(|q| q.borrow_mut().pop()).ok().flatten();
        match next {
            Some(v) => drop(v),
            None => break,
        }
    }
    let _ = DRAINING.try_with(|d| d.set(false));
}
