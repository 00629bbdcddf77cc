//! The worker's global allocator: mimalloc, through its C API (the binary installs it; the
//! benchmark example too, so it pays the same allocation costs).

/// mimalloc as Rust's allocator, asked for an alignment only when a type needs more than every
/// block has anyway.
///
/// The `mimalloc` crate passes every allocation to `mi_malloc_aligned`. In mimalloc 3 that call is
/// fast only while the size class's page has a block on its free list; otherwise it falls to a
/// generic aligned path that over-allocates by the alignment, where `mi_malloc` would collect the
/// page's freed blocks and carry on. On the source's record path that cost about 180 instructions
/// for a 128-byte vector against about 40 (`scripts/profile-source.sh`, docs/benchmarks.md).
pub struct MiMalloc;

/// The alignment every mimalloc block has: block sizes are whole words, and pages start aligned.
const WORD_ALIGN: usize = std::mem::size_of::<usize>();

// SAFETY: each method forwards to the mimalloc call with the same contract. A layout with an
// alignment of at most a word is served by the plain calls, whose blocks are always word-aligned;
// larger alignments go to the aligned calls. `dealloc` and `realloc` receive only pointers these
// methods returned, which `mi_free` and `mi_realloc*` accept.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        let p = if layout.align() <= WORD_ALIGN {
            mi_malloc(layout.size())
        } else {
            mi_malloc_aligned(layout.size(), layout.align())
        };
        debug_assert!(p.is_null() || (p as usize).is_multiple_of(layout.align()));
        p.cast()
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        let p = if layout.align() <= WORD_ALIGN {
            mi_zalloc(layout.size())
        } else {
            mi_zalloc_aligned(layout.size(), layout.align())
        };
        p.cast()
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        let p = if layout.align() <= WORD_ALIGN {
            mi_realloc(ptr.cast(), new_size)
        } else {
            mi_realloc_aligned(ptr.cast(), new_size, layout.align())
        };
        p.cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout};

    /// Every size up to a few pages' worth of small classes, at every alignment up to a page:
    /// each block is aligned as asked, holds its bytes, and keeps them through a reallocation.
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes() {
        let allocator = MiMalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=600).chain([4096, 100_000]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: the layout has a non-zero size; the block is written within it, then
                // reallocated and freed with the same layout.
                unsafe {
                    for zeroed in [false, true] {
                        let p = if zeroed {
                            allocator.alloc_zeroed(layout)
                        } else {
                            allocator.alloc(layout)
                        };
                        assert!(!p.is_null());
                        assert!(
                            (p as usize).is_multiple_of(align),
                            "{size} bytes at {align}"
                        );
                        if zeroed {
                            assert!((0..size).all(|i| *p.add(i) == 0));
                        }
                        std::ptr::write_bytes(p, 0xA5, size);
                        let q = allocator.realloc(p, layout, size * 2);
                        assert!(
                            (q as usize).is_multiple_of(align),
                            "realloc of {size} at {align}"
                        );
                        assert!((0..size).all(|i| *q.add(i) == 0xA5));
                        allocator.dealloc(q, Layout::from_size_align(size * 2, align).unwrap());
                    }
                }
            }
        }
    }
}
