//! `StringBlock`: a string's bytes and context behind one thin, counted pointer.
//!
//! A string is one allocation: a 16-byte header (a 32-bit count, the length,
//! the context) followed by the bytes. A short name costs 32 bytes, where a
//! separate header and buffer cost two allocations. Only a long string made
//! from a buffer that already exists keeps that buffer, so that it is not
//! copied (its header then holds the buffer instead of the bytes).

use super::context::NixContext;
use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Counted bytes with a context (see the module documentation).
pub(crate) struct StringBlock {
    ptr: NonNull<Header>,
    /// The pointer owns a context and possibly a buffer (for the drop checker).
    owns: PhantomData<(Box<NixContext>, Box<[u8]>)>,
}

/// The start of the allocation; the bytes (or the buffer) follow at [`DATA`].
struct Header {
    count: Cell<u32>,
    /// The number of bytes that follow, or [`OUTSIDE`].
    len: u32,
    context: Option<Box<NixContext>>,
}

/// `len` of a string whose bytes are in a `Box<[u8]>` stored after the header.
const OUTSIDE: u32 = u32::MAX;

/// Strings made from a buffer at least this long keep it rather than copy it.
const KEEP_BUFFER_FROM: usize = 4096;

/// Where the data starts: right after the header, which keeps the buffer's alignment.
const DATA: usize = std::mem::size_of::<Header>();
const _: () = assert!(DATA.is_multiple_of(std::mem::align_of::<Box<[u8]>>()));

/// The layout of a block holding `len` bytes (`OUTSIDE`: a buffer).
fn layout(len: u32) -> Layout {
    let data = match len {
        OUTSIDE => std::mem::size_of::<Box<[u8]>>(),
        n => n as usize,
    };
    Layout::from_size_align(DATA + data, std::mem::align_of::<Header>())
        .expect("a string block's size is far below isize::MAX")
}

/// A fresh block for `len`, its header written; the data is left to the caller.
fn allocate(len: u32, context: Option<Box<NixContext>>) -> NonNull<Header> {
    let layout = layout(len);
    // SAFETY: the layout has a non-zero size (it holds the header).
    let block = unsafe { alloc(layout) };
    let Some(header) = NonNull::new(block.cast::<Header>()) else {
        handle_alloc_error(layout)
    };
    // SAFETY: the block is fresh and large enough for the header.
    unsafe {
        header.as_ptr().write(Header {
            count: Cell::new(1),
            len,
            context,
        })
    };
    header
}

impl StringBlock {
    /// A block of the bytes of `parts`, one after another, with `context`.
    /// Lengths from `u32::MAX` on are kept in a buffer.
    pub(crate) fn from_parts(parts: &[&[u8]], context: Option<Box<NixContext>>) -> StringBlock {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let n = match u32::try_from(len) {
            Ok(n) if n != OUTSIDE => n,
            _ => return StringBlock::outside(parts.concat().into_boxed_slice(), context),
        };
        let ptr = allocate(n, context);
        // SAFETY: the block has room for `len` bytes at `DATA`, and the parts add up
        // to `len`; they are other allocations, so they do not overlap the block.
        unsafe {
            let mut at = ptr.as_ptr().cast::<u8>().add(DATA);
            for part in parts {
                std::ptr::copy_nonoverlapping(part.as_ptr(), at, part.len());
                at = at.add(part.len());
            }
        }
        StringBlock {
            ptr,
            owns: PhantomData,
        }
    }

    /// A block holding a copy of `bytes`.
    pub(crate) fn copy(bytes: &[u8], context: Option<Box<NixContext>>) -> StringBlock {
        StringBlock::from_parts(&[bytes], context)
    }

    /// A block of `buffer`'s bytes: copied if short, kept if long.
    pub(crate) fn take(buffer: Box<[u8]>, context: Option<Box<NixContext>>) -> StringBlock {
        if buffer.len() < KEEP_BUFFER_FROM {
            return StringBlock::copy(&buffer, context);
        }
        StringBlock::outside(buffer, context)
    }

    /// A block that keeps `buffer` after its header.
    fn outside(buffer: Box<[u8]>, context: Option<Box<NixContext>>) -> StringBlock {
        let ptr = allocate(OUTSIDE, context);
        // SAFETY: a block of length `OUTSIDE` has room for a buffer at `DATA`,
        // which is aligned for it.
        unsafe {
            ptr.as_ptr()
                .cast::<u8>()
                .add(DATA)
                .cast::<Box<[u8]>>()
                .write(buffer)
        };
        StringBlock {
            ptr,
            owns: PhantomData,
        }
    }

    #[inline(always)]
    fn header(&self) -> &Header {
        // SAFETY: the allocation lives while any owner does, and `self` is one.
        unsafe { self.ptr.as_ref() }
    }

    #[inline(always)]
    fn data(&self) -> *mut u8 {
        // SAFETY: the data starts `DATA` bytes into the allocation.
        unsafe { self.ptr.as_ptr().cast::<u8>().add(DATA) }
    }

    /// The bytes.
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        match self.header().len {
            // SAFETY: a block of length `OUTSIDE` holds an initialised buffer at `DATA`.
            OUTSIDE => unsafe { &*self.data().cast::<Box<[u8]>>() },
            // SAFETY: the block holds `n` initialised bytes at `DATA`, alive as long
            // as the allocation, which outlives this borrow of an owner.
            n => unsafe { std::slice::from_raw_parts(self.data(), n as usize) },
        }
    }

    /// The context, if not empty.
    #[inline]
    pub(crate) fn context(&self) -> Option<&NixContext> {
        self.header().context.as_deref()
    }

    /// Whether two blocks are the same allocation.
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &StringBlock) -> bool {
        self.ptr == other.ptr
    }
}

impl Clone for StringBlock {
    #[inline]
    fn clone(&self) -> StringBlock {
        let count = &self.header().count;
        match count.get().checked_add(1) {
            Some(n) => count.set(n),
            None => std::process::abort(),
        }
        StringBlock {
            ptr: self.ptr,
            owns: PhantomData,
        }
    }
}

impl Drop for StringBlock {
    #[inline]
    fn drop(&mut self) {
        let count = &self.header().count;
        match count.get() {
            1 => drop_last(self),
            n => count.set(n - 1),
        }
    }
}

/// Drop the context (and buffer) and free the allocation of the last owner.
#[inline(never)]
fn drop_last(last: &mut StringBlock) {
    let len = last.header().len;
    // SAFETY: this is the last owner, being dropped: the header and any buffer are
    // dropped once, here, and the block is freed with the layout it was made with.
    unsafe {
        if len == OUTSIDE {
            std::ptr::drop_in_place(last.data().cast::<Box<[u8]>>());
        }
        std::ptr::drop_in_place(last.ptr.as_ptr());
        dealloc(last.ptr.as_ptr().cast::<u8>(), layout(len));
    }
}

#[cfg(test)]
mod tests {
    use super::{StringBlock, KEEP_BUFFER_FROM};

    #[test]
    fn short_strings_take_one_small_block() {
        assert_eq!(std::mem::size_of::<StringBlock>(), 8);
        let b = StringBlock::copy(b"name", None);
        assert_eq!(b.bytes(), b"name");
        assert!(b.context().is_none());
    }

    #[test]
    fn long_buffers_are_kept_and_short_ones_copied() {
        for len in [
            0,
            1,
            KEEP_BUFFER_FROM - 1,
            KEEP_BUFFER_FROM,
            3 * KEEP_BUFFER_FROM,
        ] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let b = StringBlock::take(text.clone().into_boxed_slice(), None);
            assert_eq!(b.bytes(), &text[..], "length {len}");
            let shared = b.clone();
            drop(b);
            assert_eq!(shared.bytes(), &text[..], "length {len}");
        }
    }

    #[test]
    fn parts_are_joined_in_order() {
        let b = StringBlock::from_parts(&[b"x", b"", b"yz"], None);
        assert_eq!(b.bytes(), b"xyz");
        assert!(b.ptr_eq(&b.clone()));
        assert!(!b.ptr_eq(&StringBlock::copy(b"xyz", None)));
    }
}
