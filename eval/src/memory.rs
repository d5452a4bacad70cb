//! Counting the bytes each thread allocates, for [`crate::limits::Limits::memory`]:
//! a wrapper around any global allocator. An evaluation runs on one thread, so the
//! bytes its thread holds are the bytes it holds.
//!
//! ```
//! use nixie_eval::memory::CountingAlloc;
//! #[global_allocator]
//! static ALLOC: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);
//! # fn main() {}
//! ```

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

/// A global allocator that passes every request on to `A` and counts the bytes
/// allocated minus those freed on the calling thread.
pub struct CountingAlloc<A>(pub A);

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // No destructor, so this cannot fail; during thread teardown it is skipped.
    let _ = HELD.try_with(|h| h.set(h.get().wrapping_add(delta)));
}

// SAFETY: every request is passed to `A` unchanged; counting has no effect on memory.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// Bytes allocated minus bytes freed on this thread (0 without [`CountingAlloc`]).
pub fn allocated_here() -> isize {
    HELD.try_with(Cell::get).unwrap_or(0)
}

/// Whether [`CountingAlloc`] is the global allocator.
pub fn is_counting() -> bool {
    let before = allocated_here();
    let probe = std::hint::black_box(Box::new([0u8; 64]));
    let counted = allocated_here() != before;
    drop(probe);
    counted
}
