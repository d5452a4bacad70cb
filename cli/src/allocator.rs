//! The process's allocator: mimalloc, asked the way that takes its fast path.
//!
//! Evaluation allocates and frees many small objects; mimalloc's thread-local
//! free lists serve them faster than the system allocator. The `mimalloc`
//! crate's own `GlobalAlloc` asks for every block through mimalloc's aligned
//! entry points, which fall to a slow generic path whenever the next free block
//! of a size class is not aligned to the request (a 24-byte block asked with
//! 16-byte alignment, say) or the block is larger than a small one: about a
//! third of all allocations of `nixpkgs-lib-funcs`. Alignments mimalloc always
//! gives (up to 16 bytes, and not above the size) are asked for with plain
//! `mi_malloc` here, as Rust's system allocator does with `malloc`.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every mimalloc block of at least that size has
/// (`MI_MAX_ALIGN_SIZE` on 64-bit targets).
const GUARANTEED_ALIGN: usize = 16;

/// mimalloc, with plain allocation wherever the alignment asked for is one it
/// gives anyway.
pub(crate) struct MiMalloc;

/// Whether a block of `size` bytes from plain `mi_malloc` is aligned to `align`.
fn plain_suffices(size: usize, align: usize) -> bool {
    align <= GUARANTEED_ALIGN && align <= size
}

// SAFETY: every pointer handed out comes from mimalloc and is given back to it;
// a block is asked for with its layout's alignment unless plain allocation
// already guarantees that alignment (`plain_suffices`); mimalloc returns null
// on failure, as `GlobalAlloc` requires.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation functions accept any size and a
        // power-of-two alignment, which `Layout` guarantees.
        unsafe {
            if plain_suffices(layout.size(), layout.align()) {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if plain_suffices(layout.size(), layout.align()) {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the new block keeps the layout's
        // alignment, asked for explicitly unless plain allocation gives it.
        unsafe {
            if plain_suffices(new_size, layout.align()) {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

/// mimalloc's option number for the delay, in milliseconds, before freed memory
/// goes back to the operating system (`mi_option_purge_delay` in `mimalloc.h`).
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

/// Hand freed memory back to the operating system 10 ms after it is freed
/// (mimalloc's own default is a second). An evaluation frees large lists and
/// sets all the time while it keeps allocating, and memory kept free for a
/// second counts towards peak memory: handing it back makes the peak 4–15%
/// lower (json 142 → 127 MiB, deepseq 93 → 79 MiB) for about 1.5% more time.
/// (Keeping freed memory paid only with huge pages, where each refault zeroed
/// 2 MiB.) `MIMALLOC_PURGE_DELAY` in the environment wins.
pub(crate) fn return_freed_memory_soon() {
    // mimalloc reads its environment before `main`: the option is set here
    // only if the environment did not give it.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: called first thing in `main`, before any other thread exists
    // (mimalloc's option setters are not thread safe); the option number is
    // one of mimalloc's and the value a delay in milliseconds.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
}

/// mimalloc's option number for whether it asks for transparent huge pages
/// (`mi_option_allow_thp` in `mimalloc.h`).
const MI_OPTION_ALLOW_THP: mi::mi_option_t = 43;

/// Back the heap with ordinary 4 KiB pages instead of transparent huge pages.
/// mimalloc asks the kernel for huge pages for its arenas; a huge page counts
/// 2 MiB towards peak memory however little of it is used (5–45% more on the
/// benchmark workloads), and faulting one in may stall on the kernel
/// compacting memory to find it (0.1–0.4 s of system time on `json`,
/// depending on the machine's state). Total CPU time is about the same either
/// way. `MIMALLOC_ALLOW_THP` in the environment wins.
pub(crate) fn use_small_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    // SAFETY: called first thing in `main`, before any other thread exists
    // (mimalloc's option setters are not thread safe); the option number is
    // one of mimalloc's and 0 is a documented value for it.
    unsafe { mi::mi_option_set(MI_OPTION_ALLOW_THP, 0) };
    // Regions mimalloc already asked huge pages for (before `main`) get
    // small ones too. A failure leaves huge pages on, which is only slower.
    // SAFETY: `PR_SET_THP_DISABLE` takes one integer argument and touches no
    // memory of this process.
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every block is aligned as its layout asks, on the plain and the aligned
    /// path alike, and keeps its contents and alignment when it grows.
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_contents_on_growth() {
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 7, 8, 15, 16, 24, 40, 100, 1000, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: the layout has a non-zero size; each block is written
                // within its size and freed once, with the allocator it came from.
                unsafe {
                    let p = MiMalloc.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    p.write_bytes(0xab, size);
                    let grown = MiMalloc.realloc(p, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "grown {size} align {align}");
                    assert!((0..size).all(|i| *grown.add(i) == 0xab));
                    MiMalloc.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let z = MiMalloc.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    MiMalloc.dealloc(z, layout);
                }
            }
        }
    }
}
