//! `SharedSlice`: a counted, fixed-length array of values behind one thin pointer.

use super::Value;
use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A shared, immutable array of values: a closure's captures. One word where
/// `Rc<[Value]>` takes two (its length lives in the allocation, beside a 32-bit
/// count), so that a closure is three words and a thunk's state four. A count
/// about to pass `u32::MAX` aborts, as [`super::Shared`]'s does.
pub(crate) struct SharedSlice {
    ptr: NonNull<Header>,
    /// The pointer owns the values after the header (for the drop checker).
    owns: PhantomData<Value>,
}

/// The start of the allocation; the values follow at [`VALUES_OFFSET`].
struct Header {
    count: Cell<u32>,
    len: u32,
}

/// Where the values start: after the header, at the values' alignment.
const VALUES_OFFSET: usize =
    std::mem::size_of::<Header>().next_multiple_of(std::mem::align_of::<Value>());

/// The layout of an allocation of `len` values.
fn layout(len: usize) -> Layout {
    let values = Layout::array::<Value>(len).expect("a closure captures far fewer values");
    let (layout, offset) = Layout::new::<Header>()
        .extend(values)
        .expect("a closure captures far fewer values");
    debug_assert_eq!(offset, VALUES_OFFSET);
    layout.pad_to_align()
}

impl SharedSlice {
    /// An array of `len` values, value `i` being `make(i)`, written in place.
    pub(crate) fn from_fn(len: usize, mut make: impl FnMut(usize) -> Value) -> SharedSlice {
        let count = u32::try_from(len).expect("a closure captures far fewer values");
        let layout = layout(len);
        // SAFETY: the layout has a non-zero size (it holds the header).
        let block = unsafe { alloc(layout) };
        let Some(header) = NonNull::new(block.cast::<Header>()) else {
            handle_alloc_error(layout)
        };
        // SAFETY: the block is fresh, unaliased and sized by `layout` for the
        // header and `len` values at `VALUES_OFFSET`; every slot is written (nothing is
        // read) before a `SharedSlice` owns it. If `make` panics, the block leaks.
        unsafe {
            header.as_ptr().write(Header {
                count: Cell::new(1),
                len: count,
            });
            let values = block.add(VALUES_OFFSET).cast::<Value>();
            for i in 0..len {
                values.add(i).write(make(i));
            }
        }
        SharedSlice {
            ptr: header,
            owns: PhantomData,
        }
    }

    #[inline(always)]
    fn header(&self) -> &Header {
        // SAFETY: the allocation lives while any owner does, and `self` is one.
        unsafe { self.ptr.as_ref() }
    }

    #[inline(always)]
    fn values(&self) -> *mut Value {
        // SAFETY: the values start `VALUES_OFFSET` bytes into the allocation.
        unsafe {
            self.ptr
                .as_ptr()
                .cast::<u8>()
                .add(VALUES_OFFSET)
                .cast::<Value>()
        }
    }

    /// The values, mutably, if this is their only owner.
    pub(crate) fn get_mut(&mut self) -> Option<&mut [Value]> {
        let header = self.header();
        if header.count.get() != 1 {
            return None;
        }
        let len = header.len as usize;
        // SAFETY: `self` is the only owner and is borrowed mutably, so no other
        // reference to the values exists for the borrow's lifetime; all `len`
        // values were initialised by `from_fn`.
        Some(unsafe { std::slice::from_raw_parts_mut(self.values(), len) })
    }
}

impl std::ops::Deref for SharedSlice {
    type Target = [Value];
    #[inline]
    fn deref(&self) -> &[Value] {
        // SAFETY: all `len` values were initialised by `from_fn` and live as long
        // as the allocation, which outlives this borrow of an owner.
        unsafe { std::slice::from_raw_parts(self.values(), self.header().len as usize) }
    }
}

impl Clone for SharedSlice {
    #[inline]
    fn clone(&self) -> SharedSlice {
        let count = &self.header().count;
        match count.get().checked_add(1) {
            Some(n) => count.set(n),
            None => std::process::abort(),
        }
        SharedSlice {
            ptr: self.ptr,
            owns: PhantomData,
        }
    }
}

impl Drop for SharedSlice {
    #[inline]
    fn drop(&mut self) {
        let count = &self.header().count;
        match count.get() {
            1 => drop_last(self),
            n => count.set(n - 1),
        }
    }
}

/// Drop the values and free the allocation of their last owner.
#[inline(never)]
fn drop_last(last: &mut SharedSlice) {
    let len = last.header().len as usize;
    // SAFETY: this is the last owner, being dropped: the values are dropped once,
    // here, and the block is freed with the layout it was allocated with.
    unsafe {
        std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(last.values(), len));
        dealloc(last.ptr.as_ptr().cast::<u8>(), layout(len));
    }
}

#[cfg(test)]
mod tests {
    use super::SharedSlice;
    use crate::value::Value;

    #[test]
    fn values_are_kept_shared_and_mutable_only_alone() {
        let mut a = SharedSlice::from_fn(3, |i| Value::Int(i as i64));
        assert!(matches!(
            a[..],
            [Value::Int(0), Value::Int(1), Value::Int(2)]
        ));
        a.get_mut().expect("one owner")[1] = Value::Int(7);
        let b = a.clone();
        assert!(a.get_mut().is_none());
        assert!(matches!(b[1], Value::Int(7)));
        drop(a);
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn shared_values_are_dropped_with_the_last_owner() {
        let list = crate::value::List::from(vec![Value::Null]);
        let a = SharedSlice::from_fn(2, |_| Value::List(list.clone()));
        let b = a.clone();
        assert_eq!(list.ref_count(), 3);
        drop(a);
        assert_eq!(list.ref_count(), 3);
        drop(b);
        // Both clones of the list went with the array: it is alone again.
        assert_eq!(list.ref_count(), 1);
    }

    #[test]
    fn a_shared_slice_is_one_word() {
        assert_eq!(std::mem::size_of::<SharedSlice>(), 8);
        assert_eq!(std::mem::size_of::<Option<SharedSlice>>(), 8);
    }
}
