//! `Shared`: the reference-counted pointer behind thunks, sets and lists.

use std::mem::ManuallyDrop;

/// A single-threaded shared pointer with one 32-bit count and no weak references:
/// eight bytes of header where `Rc` has sixteen, for the values made by the million
/// (thunks, sets, lists). Four billion references to one value would take 64 GB.
///
/// The last owner's drop is kept out of line: inlined, it would make every drop
/// of a [`super::Value`] (an integer's included) pay for the destructor's registers.
pub(crate) struct Shared<T>(ManuallyDrop<rclite::Rc<T>>);

impl<T> Shared<T> {
    /// A new allocation holding `value`.
    #[inline]
    pub(crate) fn new(value: T) -> Shared<T> {
        Shared(ManuallyDrop::new(rclite::Rc::new(value)))
    }

    /// A new allocation holding the value `make` builds once it is made, so that the
    /// value is written in place (see [`super::rc_in_place`]).
    #[inline(always)]
    pub(crate) fn new_with(make: impl FnOnce() -> T) -> Shared<T> {
        let mut rc = rclite::Rc::<T>::new_uninit();
        rclite::Rc::get_mut(&mut rc)
            .expect("a new allocation has no other owner")
            .write(make());
        // SAFETY: the value was written just above.
        Shared(ManuallyDrop::new(unsafe { rc.assume_init() }))
    }

    /// The value, mutably, if this is its only owner.
    #[inline]
    pub(crate) fn get_mut(this: &mut Shared<T>) -> Option<&mut T> {
        rclite::Rc::get_mut(&mut this.0)
    }

    /// How many owners the value has.
    #[inline]
    pub(crate) fn strong_count(this: &Shared<T>) -> usize {
        this.0.strong_count()
    }

    /// The address of the value.
    #[inline]
    pub(crate) fn as_ptr(this: &Shared<T>) -> *const T {
        rclite::Rc::as_ptr(&this.0)
    }

    /// Whether two pointers share one allocation.
    #[inline]
    pub(crate) fn ptr_eq(a: &Shared<T>, b: &Shared<T>) -> bool {
        rclite::Rc::ptr_eq(&a.0, &b.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for Shared<T> {
    #[inline]
    fn clone(&self) -> Shared<T> {
        Shared(ManuallyDrop::new(rclite::Rc::clone(&self.0)))
    }
}

impl<T> Drop for Shared<T> {
    #[inline]
    fn drop(&mut self) {
        if self.0.strong_count() == 1 {
            drop_last(&mut self.0);
        } else {
            // SAFETY: `self.0` is dropped once, here, and not used after.
            unsafe { ManuallyDrop::drop(&mut self.0) }
        }
    }
}

/// Drop the last owner of a value: the value's destructor and the deallocation.
#[inline(never)]
fn drop_last<T>(rc: &mut ManuallyDrop<rclite::Rc<T>>) {
    // SAFETY: called once, from `Shared::drop`, which does not use `rc` after.
    unsafe { ManuallyDrop::drop(rc) }
}

#[cfg(test)]
mod tests {
    use super::Shared;
    use std::cell::Cell;
    use std::rc::Rc;

    /// Counts its drops in a shared cell.
    struct Counted(Rc<Cell<u32>>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn the_value_is_dropped_once_with_its_last_owner() {
        let drops = Rc::new(Cell::new(0));
        let a = Shared::new(Counted(drops.clone()));
        let b = a.clone();
        assert_eq!(Shared::strong_count(&a), 2);
        assert!(Shared::ptr_eq(&a, &b));
        drop(a);
        assert_eq!(drops.get(), 0);
        assert_eq!(Shared::strong_count(&b), 1);
        drop(b);
        assert_eq!(drops.get(), 1);
    }

    #[test]
    fn only_a_sole_owner_gets_the_value_mutably() {
        let mut a = Shared::new_with(|| 41);
        *Shared::get_mut(&mut a).expect("one owner") += 1;
        let b = a.clone();
        assert!(Shared::get_mut(&mut a).is_none());
        assert_eq!((*a, *b), (42, 42));
    }

    #[test]
    fn a_shared_pointer_is_one_word() {
        assert_eq!(std::mem::size_of::<Shared<[u64; 5]>>(), 8);
        assert_eq!(std::mem::size_of::<Option<Shared<u64>>>(), 8);
    }
}
