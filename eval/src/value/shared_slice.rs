//! `SharedSlice`: a counted, fixed-length array behind one thin pointer, with a
//! small head of its own in the same allocation.

use super::Value;
use std::alloc::{alloc, dealloc, handle_alloc_error, realloc, Layout};
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A shared, immutable array of `T` (by default values: a closure's captures)
/// after a head `H` (a set keeps its index and positions there). One word where
/// `Rc<[T]>` takes two: its length lives in the allocation, beside a 32-bit
/// count. A count about to pass `u32::MAX` aborts, as [`super::Shared`]'s does.
pub(crate) struct SharedSlice<T = Value, H = ()> {
    ptr: NonNull<Header<H>>,
    /// The pointer owns the head and the items after it (for the drop checker).
    owns: PhantomData<(H, T)>,
}

/// The start of the allocation; the items follow it at [`items_offset`].
struct Header<H> {
    count: Cell<u32>,
    len: u32,
    head: H,
}

/// Where the items start: after the header, at the items' alignment.
const fn items_offset<T, H>() -> usize {
    std::mem::size_of::<Header<H>>().next_multiple_of(std::mem::align_of::<T>())
}

/// The layout of an allocation of `len` items.
fn layout<T, H>(len: usize) -> Layout {
    let items = Layout::array::<T>(len).expect("an array of far fewer items");
    let (layout, offset) = Layout::new::<Header<H>>()
        .extend(items)
        .expect("an array of far fewer items");
    debug_assert_eq!(offset, items_offset::<T, H>());
    layout.pad_to_align()
}

impl<T> SharedSlice<T> {
    /// An array of `len` items, item `i` being `make(i)`, written in place.
    pub(crate) fn from_fn(len: usize, make: impl FnMut(usize) -> T) -> SharedSlice<T> {
        SharedSlice::with_head((), len, make)
    }
}

impl<T, H> SharedSlice<T, H> {
    /// An array of `len` items after `head`, item `i` being `make(i)`, written in
    /// place.
    pub(crate) fn with_head(
        head: H,
        len: usize,
        mut make: impl FnMut(usize) -> T,
    ) -> SharedSlice<T, H> {
        let count = u32::try_from(len).expect("an array of fewer than 2^32 items");
        let (layout, offset) = (layout::<T, H>(len), items_offset::<T, H>());
        // SAFETY: the layout has a non-zero size (it holds the header).
        let block = unsafe { alloc(layout) };
        let Some(header) = NonNull::new(block.cast::<Header<H>>()) else {
            handle_alloc_error(layout)
        };
        // SAFETY: the block is fresh, unaliased and sized by `layout` for the
        // header and `len` items at `offset`; every slot is written (nothing is
        // read) before a `SharedSlice` owns it. If `make` panics, the block leaks.
        unsafe {
            header.as_ptr().write(Header {
                count: Cell::new(1),
                len: count,
                head,
            });
            let items = block.add(offset).cast::<T>();
            for i in 0..len {
                items.add(i).write(make(i));
            }
        }
        SharedSlice {
            ptr: header,
            owns: PhantomData,
        }
    }

    /// An array of the items of `v`, in order, after `head`.
    pub(crate) fn from_vec(head: H, v: Vec<T>) -> SharedSlice<T, H> {
        let len = v.len();
        let mut items = v.into_iter();
        SharedSlice::with_head(head, len, |_| {
            items.next().expect("the vector has `len` items")
        })
    }

    /// An array of at most `max` items, written in place by `fill` (through
    /// [`Writer::push`]), after the head `fill` returns; the block is shrunk to
    /// the items written.
    pub(crate) fn build_at_most(
        max: usize,
        fill: impl FnOnce(&mut Writer<T>) -> H,
    ) -> SharedSlice<T, H> {
        u32::try_from(max).expect("an array of fewer than 2^32 items");
        let full = layout::<T, H>(max);
        // SAFETY: the layout has a non-zero size (it holds the header).
        let block = unsafe { alloc(full) };
        if block.is_null() {
            handle_alloc_error(full)
        }
        // SAFETY: the items of a block of `max` start at `items_offset`.
        let items = unsafe { block.add(items_offset::<T, H>()).cast::<T>() };
        let mut writer = Writer { items, len: 0, max };
        // If `fill` panics, the block and the items written leak.
        let head = fill(&mut writer);
        let len = writer.len;
        let block = if len == max {
            block
        } else {
            // SAFETY: `block` came from `alloc` with `full`; the new size is
            // non-zero and smaller, and keeps the `len` items written.
            let smaller = unsafe { realloc(block, full, layout::<T, H>(len).size()) };
            if smaller.is_null() {
                handle_alloc_error(layout::<T, H>(len))
            }
            smaller
        };
        let header = block.cast::<Header<H>>();
        // SAFETY: the block is ours alone and sized for the header; its first
        // `len` items are initialised.
        unsafe {
            header.write(Header {
                count: Cell::new(1),
                len: len as u32,
                head,
            })
        };
        SharedSlice {
            ptr: NonNull::new(header).expect("checked non-null above"),
            owns: PhantomData,
        }
    }

    #[inline(always)]
    fn header(&self) -> &Header<H> {
        // SAFETY: the allocation lives while any owner does, and `self` is one.
        unsafe { self.ptr.as_ref() }
    }

    /// The head.
    #[inline(always)]
    pub(crate) fn head(&self) -> &H {
        &self.header().head
    }

    #[inline(always)]
    fn items(&self) -> *mut T {
        // SAFETY: the items start `items_offset` bytes into the allocation.
        unsafe {
            self.ptr
                .as_ptr()
                .cast::<u8>()
                .add(items_offset::<T, H>())
                .cast::<T>()
        }
    }

    /// The items, mutably, if this is their only owner.
    pub(crate) fn get_mut(&mut self) -> Option<&mut [T]> {
        let header = self.header();
        if header.count.get() != 1 {
            return None;
        }
        let len = header.len as usize;
        // SAFETY: `self` is the only owner and is borrowed mutably, so no other
        // reference to the items exists for the borrow's lifetime; all `len`
        // items were initialised by `with_head`.
        Some(unsafe { std::slice::from_raw_parts_mut(self.items(), len) })
    }

    /// How many owners share the array.
    #[inline]
    pub(crate) fn ref_count(&self) -> usize {
        self.header().count.get() as usize
    }

    /// The address of the allocation (its identity).
    #[inline]
    pub(crate) fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Bytes of an allocation besides its items.
    pub(crate) const HEADER_BYTES: usize = std::mem::size_of::<Header<H>>();
}

impl<T, H> std::ops::Deref for SharedSlice<T, H> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: all `len` items were initialised by `with_head` and live as long
        // as the allocation, which outlives this borrow of an owner.
        unsafe { std::slice::from_raw_parts(self.items(), self.header().len as usize) }
    }
}

impl<T, H> Clone for SharedSlice<T, H> {
    #[inline]
    fn clone(&self) -> SharedSlice<T, H> {
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

impl<T, H> Drop for SharedSlice<T, H> {
    #[inline]
    fn drop(&mut self) {
        let count = &self.header().count;
        match count.get() {
            1 => drop_last(self),
            n => count.set(n - 1),
        }
    }
}

/// Drop the head and items and free the allocation of their last owner.
#[inline(never)]
fn drop_last<T, H>(last: &mut SharedSlice<T, H>) {
    let len = last.header().len as usize;
    // SAFETY: this is the last owner, being dropped: the head and items are
    // dropped once, here, and the block is freed with the layout it was made with.
    unsafe {
        std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(last.items(), len));
        std::ptr::drop_in_place(last.ptr.as_ptr());
        dealloc(last.ptr.as_ptr().cast::<u8>(), layout::<T, H>(len));
    }
}

/// Writes the items of [`SharedSlice::build_at_most`], in order.
pub(crate) struct Writer<T> {
    items: *mut T,
    len: usize,
    max: usize,
}

impl<T> Writer<T> {
    /// Write the next item.
    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        assert!(self.len < self.max, "no more than the promised items");
        // SAFETY: the block has room for `max` items and `len` < `max`.
        unsafe { self.items.add(self.len).write(item) };
        self.len += 1;
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

    #[test]
    fn a_head_and_items_of_another_type_share_the_block() {
        let head = std::rc::Rc::new(5);
        let a = SharedSlice::from_vec(head.clone(), vec![(1u8, "x"), (2, "y")]);
        assert_eq!(**a.head(), 5);
        assert_eq!(&a[..], &[(1, "x"), (2, "y")]);
        let b = a.clone();
        assert_eq!(b.ref_count(), 2);
        drop(a);
        assert_eq!(std::rc::Rc::strong_count(&head), 2);
        drop(b);
        // The head went with the last owner.
        assert_eq!(std::rc::Rc::strong_count(&head), 1);
        let built = SharedSlice::build_at_most(5, |w| (0..3u64).for_each(|i| w.push(i)));
        assert_eq!(&built[..], &[0, 1, 2]);
        let empty = SharedSlice::<u64, u8>::from_vec(7, Vec::new());
        assert!(empty.is_empty());
        assert_eq!(*empty.head(), 7);
    }
}
