//! The block allocator: fixed-size, block-aligned chunks obtained from `std::alloc`.
//!
//! Invariant: a block is never returned to the OS while its [`BlockPool`] lives. Blocks move
//! between two states: *in use* (holds cells; parseable from offset 0 as a sequence of cells and
//! zeroed gaps) and *free* (in the pool; filled with [`POISON_BYTE`] when poisoning is on, so a
//! stale reference reads poison instead of freed memory).

use crate::address::POISON_BYTE;
use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};
use std::collections::HashMap;
use std::ptr::NonNull;

/// Default block size: 32 KiB.
pub const DEFAULT_BLOCK_BYTES: usize = 32 * 1024;

/// State of a block known to the pool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BlockState {
    /// Holds cells (possibly a mutator's current allocation region).
    InUse,
    /// In the free pool.
    Free,
}

/// Owns every block of one heap.
pub(crate) struct BlockPool {
    block_bytes: usize,
    poison: bool,
    /// State of every block ever allocated, by start address.
    states: HashMap<usize, BlockState>,
    /// Every block ever allocated (for `Drop`).
    all: Vec<NonNull<u8>>,
    /// Free blocks (LIFO so recently used memory is reused first).
    free: Vec<NonNull<u8>>,
    /// Blocks in use, in no particular order.
    pub(crate) in_use: Vec<NonNull<u8>>,
}

impl BlockPool {
    /// An empty pool of `block_bytes` blocks (a power of two, >= 256).
    pub(crate) fn new(block_bytes: usize, poison: bool) -> Self {
        assert!(block_bytes.is_power_of_two() && block_bytes >= 256);
        Self {
            block_bytes,
            poison,
            states: HashMap::new(),
            all: Vec::new(),
            free: Vec::new(),
            in_use: Vec::new(),
        }
    }

    fn layout(&self) -> Layout {
        // Power of two size and alignment: always a valid layout.
        Layout::from_size_align(self.block_bytes, self.block_bytes).expect("block layout")
    }

    /// Block size in bytes.
    pub(crate) fn block_bytes(&self) -> usize {
        self.block_bytes
    }

    /// Mask clearing the offset inside a block.
    pub(crate) fn block_mask(&self) -> usize {
        !(self.block_bytes - 1)
    }

    /// Take a block (from the pool or the OS) and mark it in use. The second value says whether
    /// the block's contents are stale (true) or known to be zero (false, fresh from the OS).
    /// The block is *not* added to `in_use`; the caller does that when appropriate.
    pub(crate) fn acquire(&mut self) -> (NonNull<u8>, bool) {
        let (block, stale) = match self.free.pop() {
            Some(b) => (b, true),
            None => {
                let layout = self.layout();
                // SAFETY: the layout has non-zero size.
                let raw = unsafe { alloc_zeroed(layout) };
                let Some(b) = NonNull::new(raw) else {
                    handle_alloc_error(layout)
                };
                self.all.push(b);
                (b, false)
            }
        };
        self.states.insert(block.addr().get(), BlockState::InUse);
        (block, stale)
    }

    /// Put a block back into the free pool, poisoning it if configured.
    ///
    /// The caller guarantees nothing will allocate into the block any more (it may still be read
    /// through stale references; it then reads poison).
    pub(crate) fn release(&mut self, block: NonNull<u8>) {
        if self.poison {
            // SAFETY: `block` is one of our allocations of `block_bytes` bytes.
            unsafe { block.as_ptr().write_bytes(POISON_BYTE, self.block_bytes) };
        }
        self.states.insert(block.addr().get(), BlockState::Free);
        self.free.push(block);
    }

    /// State of the block starting at `block_addr`, if it is one of ours.
    pub(crate) fn state(&self, block_addr: usize) -> Option<BlockState> {
        self.states.get(&block_addr).copied()
    }

    /// Number of blocks in use.
    pub(crate) fn in_use_count(&self) -> usize {
        self.in_use.len()
    }

    /// Number of blocks in the free pool.
    pub(crate) fn free_count(&self) -> usize {
        self.free.len()
    }
}

impl Drop for BlockPool {
    fn drop(&mut self) {
        let layout = self.layout();
        for &b in &self.all {
            // SAFETY: every pointer in `all` came from `alloc_zeroed(layout)` and is deallocated
            // exactly once, here.
            unsafe { dealloc(b.as_ptr(), layout) };
        }
    }
}

/// Call `f` for every cell of the parseable region `[start, start + len)`: a sequence of cells
/// (non-zero size in the GC word) and zeroed gaps (skipped one word at a time).
///
/// # Safety
/// The region must be one in-use block (or a part of it) satisfying the parseability invariant:
/// every non-zero GC word found by walking starts a cell lying entirely inside the region, and
/// `f` must not break that invariant for cells it has not been given yet.
pub(crate) unsafe fn for_each_cell(
    start: NonNull<u8>,
    len: usize,
    mut f: impl FnMut(crate::address::Cell),
) {
    let mut off = 0;
    while off < len {
        // SAFETY: `off < len` and 8-aligned, so `start + off` is an 8-aligned word of the block.
        let cell = unsafe { crate::address::Cell::from_raw(start.byte_add(off)) };
        let size = cell.size();
        if size == 0 {
            off += 8;
            continue;
        }
        debug_assert!(
            size.is_multiple_of(8) && off + size <= len,
            "corrupt cell at offset {off} size {size:#x}"
        );
        f(cell);
        off += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acquire_release_reuses_and_poisons() {
        let mut pool = BlockPool::new(1024, true);
        let (a, stale) = pool.acquire();
        assert!(!stale);
        assert_eq!(a.addr().get() % 1024, 0);
        assert_eq!(pool.state(a.addr().get()), Some(BlockState::InUse));
        pool.release(a);
        assert_eq!(pool.state(a.addr().get()), Some(BlockState::Free));
        // SAFETY: the block is still allocated (pool never frees while alive).
        assert_eq!(unsafe { a.as_ptr().read() }, POISON_BYTE);
        let (b, stale) = pool.acquire();
        assert!(stale);
        assert_eq!(a, b);
        assert_eq!(pool.free_count(), 0);
    }
}
