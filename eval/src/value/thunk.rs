//! Thunks: memoised suspended computations, blackholed while being forced.

use super::{drop_queue, Closure, Shared, Value};
use std::cell::UnsafeCell;
use std::rc::Rc;

/// A shared, memoised lazy value. Outside the machine a thunk can be made (as a
/// pending application or an evaluated value) and queried, never changed.
#[derive(Clone)]
pub struct Thunk(Shared<Cell>);

/// The shared cell behind a thunk; dropping it frees nested values iteratively.
///
/// The state is an `UnsafeCell`: every access below is a short read or a whole-value
/// swap that never calls out while a reference into the state is live, so no two
/// accesses overlap (the VM is single-threaded and the cell is not `Sync`).
struct Cell {
    state: UnsafeCell<ThunkState>,
}

impl Drop for Cell {
    fn drop(&mut self) {
        match std::mem::replace(self.state.get_mut(), ThunkState::Blank) {
            ThunkState::Evaluated(v) => drop_queue::defer_one(v),
            ThunkState::Apply(application) => {
                let (f, x) = *application;
                drop_queue::defer_one(f);
                drop_queue::defer_one(x);
            }
            ThunkState::ApplyToInt(f, _) => drop_queue::defer_one(Value::Closure(f)),
            ThunkState::ApplyToThunk(f, x) => {
                drop_queue::defer_one(Value::Closure(f));
                drop_queue::defer_one(Value::Thunk(x));
            }
            ThunkState::Suspended(mut c) => {
                std::mem::replace(&mut c.captures, super::Captures::None).defer_drop()
            }
            _ => {}
        }
    }
}

/// What a thunk currently holds. While a thunk is being forced its code or
/// application stays in place, marked in the thunk's header (see
/// [`Thunk::is_forcing`]): forcing it again is infinite recursion, and an error
/// leaves it ready to be forced again.
pub(crate) enum ThunkState {
    /// Allocated but not yet given its code (only during `let`/`rec` set-up).
    Blank,
    /// Code to run with captured upvalues (a thunk body and its captures), stored inline.
    Suspended(Closure),
    /// A pending function application (`f x`), made by builtins such as `map`:
    /// boxed, so that the state is three words and a thunk's allocation 32
    /// bytes (mimalloc's next size class is 48); most thunks hold code or a value.
    Apply(Box<(Value, Value)>),
    /// A lambda applied to an integer (`genList`'s usual application), unboxed.
    ApplyToInt(Rc<Closure>, i64),
    /// A lambda applied to a thunk (`map`'s usual application), unboxed.
    ApplyToThunk(Rc<Closure>, Thunk),
    /// Forcing it is infinite recursion (the builtins set while it is being made).
    Blackhole,
    /// The memoised value (never itself a thunk).
    Evaluated(Value),
}

impl Thunk {
    /// A thunk of the given state.
    pub(crate) fn new(state: ThunkState) -> Thunk {
        Thunk(Shared::new(Cell {
            state: UnsafeCell::new(state),
        }))
    }

    /// A thunk of the state `make` builds once the thunk is allocated, so that the
    /// state is written in place (see [`super::rc_in_place`]).
    #[inline(always)]
    pub(crate) fn new_with(make: impl FnOnce() -> ThunkState) -> Thunk {
        Thunk(Shared::new_with(|| Cell {
            state: UnsafeCell::new(make()),
        }))
    }

    /// A thunk to be given its code later.
    pub(crate) fn blank() -> Thunk {
        Thunk::new(ThunkState::Blank)
    }

    /// A thunk that applies `f` to `x` when forced.
    pub fn apply(f: Value, x: Value) -> Thunk {
        crate::stats::count!(thunks);
        Thunk::new(match (f, x) {
            (Value::Closure(f), Value::Int(i)) => ThunkState::ApplyToInt(f, i),
            (Value::Closure(f), Value::Thunk(x)) => ThunkState::ApplyToThunk(f, x),
            (f, x) => ThunkState::Apply(Box::new((f, x))),
        })
    }

    /// An already evaluated thunk.
    pub fn evaluated(v: Value) -> Thunk {
        Thunk::new(ThunkState::Evaluated(v))
    }

    /// The memoised value, if evaluated.
    #[inline(always)]
    pub fn value(&self) -> Option<Value> {
        match self.state() {
            ThunkState::Evaluated(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the thunk holds its final value.
    #[inline(always)]
    pub fn is_evaluated(&self) -> bool {
        matches!(self.state(), ThunkState::Evaluated(_))
    }

    /// The function of a pending application (made by a builtin), if this is one.
    pub(crate) fn applied_function(&self) -> Option<Value> {
        match self.state() {
            ThunkState::Apply(application) => Some(application.0.clone()),
            ThunkState::ApplyToInt(f, _) | ThunkState::ApplyToThunk(f, _) => {
                Some(Value::Closure(f.clone()))
            }
            _ => None,
        }
    }

    /// The function and argument of a pending application, if this is one.
    pub(crate) fn application(&self) -> Option<(Value, Value)> {
        match self.state() {
            ThunkState::Apply(application) => Some((**application).clone()),
            ThunkState::ApplyToInt(f, i) => Some((Value::Closure(f.clone()), Value::Int(*i))),
            ThunkState::ApplyToThunk(f, x) => {
                Some((Value::Closure(f.clone()), Value::Thunk(x.clone())))
            }
            _ => None,
        }
    }

    /// Whether the thunk has not been given its code yet.
    pub(crate) fn is_blank(&self) -> bool {
        matches!(self.state(), ThunkState::Blank)
    }

    /// Replace the state, returning the old one.
    pub(crate) fn replace(&self, s: ThunkState) -> ThunkState {
        // SAFETY: see `Cell`: no reference into the state is live during the swap, and
        // the old state is returned (and dropped by the caller) after it.
        unsafe { std::mem::replace(&mut *self.0.state.get(), s) }
    }

    #[inline(always)]
    fn state(&self) -> &ThunkState {
        // SAFETY: see `Cell`: callers only read through this reference briefly, without
        // calling anything that could replace the state.
        unsafe { &*self.0.state.get() }
    }

    /// Store the final value (ending any forcing in progress).
    pub(crate) fn set_value(&self, v: Value) {
        let old = self.replace(ThunkState::Evaluated(v));
        self.end_forcing();
        drop(old);
    }

    /// Whether the thunk's code (or application) is running right now.
    #[inline]
    pub(crate) fn is_forcing(&self) -> bool {
        Shared::mark(&self.0).get()
    }

    /// Mark the start of running the suspended code or the pending application.
    #[inline]
    pub(crate) fn begin_forcing(&self) {
        Shared::mark(&self.0).set(true);
    }

    /// Mark the end of forcing: after a failure, the code or application is
    /// ready to run again.
    #[inline]
    pub(crate) fn end_forcing(&self) {
        Shared::mark(&self.0).set(false);
    }

    /// The thunk's code, if it holds some (suspended or running): the pointer stays
    /// valid until the state is next replaced (which only `set_value`, `replace`
    /// and dropping the last reference do; the forcing marks leave it in place).
    pub(crate) fn suspended_code(&self) -> Option<*const Closure> {
        match self.state() {
            ThunkState::Suspended(c) => Some(c as *const Closure),
            _ => None,
        }
    }

    /// How many values share this thunk.
    pub(crate) fn ref_count(&self) -> usize {
        Shared::strong_count(&self.0)
    }

    /// An address identifying this thunk while it lives.
    pub(crate) fn addr(&self) -> usize {
        Shared::as_ptr(&self.0) as *const u8 as usize
    }

    /// Whether two thunks are the same object.
    pub fn ptr_eq(&self, other: &Thunk) -> bool {
        Shared::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thunk_cell_is_twenty_four_bytes() {
        // With the reference count and the forcing mark, 32 bytes: mimalloc's
        // size classes below 64 bytes are multiples of 16. A closure is three
        // words, and the state's tag fits in its captures' spare tag values.
        const {
            assert!(std::mem::size_of::<crate::value::Closure>() == 24);
            assert!(std::mem::size_of::<super::Cell>() <= 24);
            assert!(crate::value::Shared::<super::Cell>::BLOCK_BYTES <= 32);
        }
    }
}
