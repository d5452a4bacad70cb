//! `Shared`: the reference-counted pointer behind thunks, sets and lists.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A single-threaded shared pointer with one 32-bit count and no weak references:
/// eight bytes of header where `Rc` has sixteen, for the values made by the million
/// (thunks, sets, lists). A count about to pass `u32::MAX` (four billion
/// references to one value, 64 GB of them) aborts, as `Rc`'s does past `usize::MAX`.
///
/// The last owner's drop is kept out of line: inlined, it would make every drop
/// of a [`super::Value`] (an integer's included) pay for the destructor's registers.
pub(crate) struct Shared<T> {
    ptr: NonNull<Inner<T>>,
    /// The pointer owns an `Inner<T>` (for the drop checker).
    owns: PhantomData<Inner<T>>,
}

/// The allocation: the count and a mark (in the header's spare bytes), then the value.
struct Inner<T> {
    count: Cell<u32>,
    mark: Cell<bool>,
    value: T,
}

impl<T> Shared<T> {
    /// Bytes of the allocation behind a `Shared<T>`: the count and the value.
    #[cfg(test)]
    pub(crate) const BLOCK_BYTES: usize = std::mem::size_of::<Inner<T>>();

    /// A new allocation holding `value`.
    #[inline]
    pub(crate) fn new(value: T) -> Shared<T> {
        Shared::new_with(|| value)
    }

    /// A new allocation holding the value `make` builds once it is made, so that the
    /// value is written in place (see [`super::rc_in_place`]).
    #[inline(always)]
    pub(crate) fn new_with(make: impl FnOnce() -> T) -> Shared<T> {
        let mut block = Box::<Inner<T>>::new_uninit();
        let inner: *mut Inner<T> = block.as_mut_ptr();
        // SAFETY: `inner` points to the new, unaliased allocation; both fields are
        // written (through raw pointers, nothing is read) before it is assumed
        // initialised. If `make` panics, the box is freed without dropping either.
        let block = unsafe {
            std::ptr::addr_of_mut!((*inner).value).write(make());
            std::ptr::addr_of_mut!((*inner).count).write(Cell::new(1));
            std::ptr::addr_of_mut!((*inner).mark).write(Cell::new(false));
            block.assume_init()
        };
        Shared {
            ptr: NonNull::from(Box::leak(block)),
            owns: PhantomData,
        }
    }

    #[inline(always)]
    fn inner(&self) -> &Inner<T> {
        // SAFETY: the allocation lives while any owner does, and `self` is one.
        unsafe { self.ptr.as_ref() }
    }

    /// The value, mutably, if this is its only owner.
    #[inline]
    pub(crate) fn get_mut(this: &mut Shared<T>) -> Option<&mut T> {
        if this.inner().count.get() != 1 {
            return None;
        }
        // SAFETY: `this` is the only owner and is borrowed mutably, so no other
        // reference to the value exists for the borrow's lifetime.
        Some(unsafe { &mut (*this.ptr.as_ptr()).value })
    }

    /// How many owners the value has.
    #[inline]
    pub(crate) fn strong_count(this: &Shared<T>) -> usize {
        this.inner().count.get() as usize
    }

    /// A flag beside the count, for the value's own use (a thunk marks itself
    /// while it is being forced); false when made. It costs no space: the
    /// header is padded to the value's alignment anyway.
    #[inline]
    pub(crate) fn mark(this: &Shared<T>) -> &Cell<bool> {
        &this.inner().mark
    }

    /// The address of the value.
    #[inline]
    pub(crate) fn as_ptr(this: &Shared<T>) -> *const T {
        &this.inner().value
    }

    /// Whether two pointers share one allocation.
    #[inline]
    pub(crate) fn ptr_eq(a: &Shared<T>, b: &Shared<T>) -> bool {
        a.ptr == b.ptr
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner().value
    }
}

impl<T> Clone for Shared<T> {
    #[inline]
    fn clone(&self) -> Shared<T> {
        let count = &self.inner().count;
        match count.get().checked_add(1) {
            Some(n) => count.set(n),
            None => std::process::abort(),
        }
        Shared {
            ptr: self.ptr,
            owns: PhantomData,
        }
    }
}

impl<T> Drop for Shared<T> {
    #[inline]
    fn drop(&mut self) {
        let count = &self.inner().count;
        match count.get() {
            1 => drop_last(self.ptr),
            n => count.set(n - 1),
        }
    }
}

/// Drop the last owner of a value: the value's destructor and the deallocation.
#[inline(never)]
fn drop_last<T>(ptr: NonNull<Inner<T>>) {
    // SAFETY: the allocation came from `Box::leak` in `new_with`, and its last owner
    // is being dropped, so nothing else refers to it.
    drop(unsafe { Box::from_raw(ptr.as_ptr()) });
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
    fn a_shared_pointer_is_one_word_and_its_header_another() {
        assert_eq!(std::mem::size_of::<Shared<[u64; 5]>>(), 8);
        assert_eq!(std::mem::size_of::<Option<Shared<u64>>>(), 8);
        // A 40-byte value takes a 48-byte block (std's Rc: 56).
        assert_eq!(std::mem::size_of::<super::Inner<[u64; 5]>>(), 48);
    }
}
