//! Thunks: memoised suspended computations, blackholed while being forced.

use super::{drop_queue, Value};
use crate::opcode::Proto;
use std::cell::RefCell;
use std::rc::Rc;

/// A shared, memoised lazy value.
#[derive(Clone)]
pub struct Thunk(Rc<Cell>);

/// The shared cell behind a thunk; dropping it frees nested values iteratively.
struct Cell(RefCell<ThunkState>);

impl Drop for Cell {
    fn drop(&mut self) {
        match std::mem::replace(self.0.get_mut(), ThunkState::Blank) {
            ThunkState::Evaluated(v) => drop_queue::defer_one(v),
            ThunkState::Apply(f, x) => {
                drop_queue::defer_one(f);
                drop_queue::defer_one(x);
            }
            ThunkState::Suspended { mut captures, .. } => {
                if let Some(c) = Rc::get_mut(&mut captures) {
                    drop_queue::defer_slice(c);
                }
            }
            _ => {}
        }
    }
}

/// What a thunk currently holds.
pub enum ThunkState {
    /// Allocated but not yet given its code (only during `let`/`rec` set-up).
    Blank,
    /// Code to run with captured upvalues.
    Suspended {
        /// The thunk body.
        proto: Rc<Proto>,
        /// Captured upvalues.
        captures: Rc<[Value]>,
    },
    /// A pending function application (`f x`), made by builtins such as `map`.
    Apply(Value, Value),
    /// Being forced right now; forcing it again is infinite recursion.
    Blackhole,
    /// The memoised value (never itself a thunk).
    Evaluated(Value),
}

impl Thunk {
    /// A thunk of the given state.
    pub fn new(state: ThunkState) -> Thunk {
        Thunk(Rc::new(Cell(RefCell::new(state))))
    }

    /// A thunk to be given its code later.
    pub fn blank() -> Thunk {
        Thunk::new(ThunkState::Blank)
    }

    /// A thunk that applies `f` to `x` when forced.
    pub fn apply(f: Value, x: Value) -> Thunk {
        Thunk::new(ThunkState::Apply(f, x))
    }

    /// An already evaluated thunk.
    pub fn evaluated(v: Value) -> Thunk {
        Thunk::new(ThunkState::Evaluated(v))
    }

    /// The memoised value, if evaluated.
    #[inline]
    pub fn value(&self) -> Option<Value> {
        match &*self.0 .0.borrow() {
            ThunkState::Evaluated(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the thunk holds its final value.
    #[inline]
    pub fn is_evaluated(&self) -> bool {
        matches!(&*self.0 .0.borrow(), ThunkState::Evaluated(_))
    }

    /// Whether the thunk has not been given its code yet.
    pub fn is_blank(&self) -> bool {
        matches!(&*self.0 .0.borrow(), ThunkState::Blank)
    }

    /// Replace the state, returning the old one.
    pub fn replace(&self, s: ThunkState) -> ThunkState {
        std::mem::replace(&mut *self.0 .0.borrow_mut(), s)
    }

    /// Store the final value.
    pub fn set_value(&self, v: Value) {
        let old = self.replace(ThunkState::Evaluated(v));
        drop(old);
    }

    /// Whether two thunks are the same object.
    pub fn ptr_eq(&self, other: &Thunk) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
