//! Iterative destruction of nested values.
//!
//! Dropping a `Value` that owns the last reference to a list, set, thunk or
//! closure would recurse into its children. The outermost such drop marks the
//! thread as draining and drops its own values in a loop; any container freed
//! meanwhile hands its children to a thread-local queue instead of recursing,
//! and the outermost drop empties that queue before it returns. Recursion is
//! therefore at most one container deep.

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
    if draining() {
        queue(|q| q.extend(items));
    } else {
        outermost(|| items.into_iter().for_each(drop_then_drain));
    }
}

/// Move the values out of `items` (leaving nulls) and drop them without recursion.
pub(crate) fn defer_slice(items: &mut [Value]) {
    defer_in(items, |v| v);
}

/// Move the values out of a set's entries (leaving nulls) and drop them without
/// recursion.
pub(crate) fn defer_entries(entries: &mut [(super::NixString, Value)]) {
    defer_in(entries, |(_, v)| v);
}

/// Move the value `value_of` each item out (leaving nulls) and drop them without
/// recursion.
fn defer_in<T>(items: &mut [T], value_of: impl Fn(&mut T) -> &mut Value) {
    if items.iter_mut().all(|it| is_leaf(value_of(it))) {
        return;
    }
    let taken = items
        .iter_mut()
        .map(value_of)
        .filter(|v| !is_leaf(v))
        .map(|v| std::mem::replace(v, Value::Null));
    if draining() {
        queue(|q| q.extend(taken));
    } else {
        outermost(|| taken.for_each(drop_then_drain));
    }
}

/// Drop one value without recursion.
#[inline]
pub(crate) fn defer_one(v: Value) {
    if !is_leaf(&v) {
        defer_container(v);
    }
}

/// `defer_one` of a value whose drop may recurse.
#[inline(never)]
fn defer_container(v: Value) {
    if draining() {
        queue(|q| q.push(v));
    } else {
        outermost(|| drop_then_drain(v));
    }
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

/// Whether an outer drop is already under way on this thread (also when the
/// thread is exiting and its flag is gone: values are then queued or leaked,
/// never recursed into).
fn draining() -> bool {
    DRAINING.try_with(Cell::get).unwrap_or(true)
}

/// Run `f` as the outermost drop: nested containers freed by it are queued.
fn outermost(f: impl FnOnce()) {
    let _ = DRAINING.try_with(|d| d.set(true));
    f();
    let _ = DRAINING.try_with(|d| d.set(false));
}

/// Drop `v`, then everything its drop queued (and so on, in a loop).
fn drop_then_drain(v: Value) {
    drop(v);
    while let Some(next) = QUEUE.try_with(|q| q.borrow_mut().pop()).ok().flatten() {
        drop(next);
    }
}

/// Run `f` on the queue, if the thread still has one.
fn queue(f: impl FnOnce(&mut Vec<Value>)) {
    let _ = QUEUE.try_with(|q| f(&mut q.borrow_mut()));
}
