//! The large-object space: one `std::alloc` allocation per object, never moved.
//!
//! Invariant: every live large object has the LARGE flag and is in `objects`; an object freed by
//! the mutator is moved to the `freed` quarantine (poisoned when poisoning is on) and deallocated at
//! the end of the next collection, after verification, so stale references to it can be detected.

use crate::address::{flags, Cell, GC_WORD_BYTES, POISON_BYTE};
use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};
use std::collections::HashMap;
use std::ptr::NonNull;

/// Alignment of large objects.
const LARGE_ALIGN: usize = 16;

/// One large allocation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LargeAlloc {
    pub(crate) cell: NonNull<u8>,
    pub(crate) bytes: usize,
}

/// The large-object space of one heap.
#[derive(Default)]
pub(crate) struct LargeSpace {
    /// Live (not freed) large objects by cell address.
    pub(crate) objects: HashMap<usize, LargeAlloc>,
    /// Freed, not yet deallocated.
    pub(crate) freed: HashMap<usize, LargeAlloc>,
    /// Sum of `bytes` over `objects`.
    pub(crate) bytes: usize,
}

fn layout(bytes: usize) -> Layout {
    Layout::from_size_align(bytes, LARGE_ALIGN).expect("large object layout")
}

impl LargeSpace {
    /// Allocate a zeroed cell of `size` bytes with its GC word written (flags = LARGE).
    pub(crate) fn alloc(&mut self, size: usize) -> Cell {
        let layout = layout(size);
        // SAFETY: size > 0 (a cell is at least 16 bytes).
        let raw = unsafe { alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            handle_alloc_error(layout)
        };
        // SAFETY: fresh 16-aligned allocation of `size` >= 16 bytes, exclusively ours.
        let cell = unsafe { Cell::from_raw(ptr) };
        cell.init(size, flags::LARGE);
        self.objects.insert(
            ptr.addr().get(),
            LargeAlloc {
                cell: ptr,
                bytes: size,
            },
        );
        self.bytes += size;
        cell
    }

    /// Move a freed object to the quarantine (poisoning it if asked). Returns its size.
    pub(crate) fn free(&mut self, cell: Cell, poison: bool) -> usize {
        let a = self
            .objects
            .remove(&cell.ptr().addr().get())
            .expect("Mutator::free: not a live large object of this heap");
        self.bytes -= a.bytes;
        if poison {
            cell.fill_from(GC_WORD_BYTES, a.bytes, POISON_BYTE);
        }
        self.freed.insert(cell.ptr().addr().get(), a);
        a.bytes
    }

    /// Deallocate one object (dead or freed), already removed from the maps.
    pub(crate) fn dealloc(a: LargeAlloc) {
        // SAFETY: `a` came from `alloc_zeroed(layout(a.bytes))` in `alloc` and the caller removed
        // it from every map, so this is the only deallocation.
        unsafe { dealloc(a.cell.as_ptr(), layout(a.bytes)) }
    }

    /// Deallocate the freed quarantine.
    pub(crate) fn release_freed(&mut self) {
        for (_, a) in self.freed.drain() {
            Self::dealloc(a);
        }
    }
}

impl Drop for LargeSpace {
    fn drop(&mut self) {
        self.release_freed();
        for (_, a) in self.objects.drain() {
            Self::dealloc(a);
        }
    }
}
