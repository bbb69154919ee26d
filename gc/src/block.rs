//! The block allocator: fixed-size, block-aligned blocks carved out of larger chunks obtained from
//! the OS.
//!
//! # Chunks
//! Blocks are not requested one by one: the pool maps a [`CHUNK_BYTES`] chunk (2 MiB, aligned to
//! 2 MiB) and hands its blocks out in address order. On Linux the chunk comes straight from
//! `mmap` (zero-filled by the kernel, so a fresh block needs no `memset`) and is advised
//! `MADV_HUGEPAGE`, so first touching it costs one huge-page fault instead of 512 small ones.
//! Measured with `cargo run --release -p pyopaque-gc --example allocprof` and the C workloads:
//! per-block `alloc_zeroed` spent most of a cold allocation burst in page faults and in
//! zeroing memory the kernel had just zeroed (see docs/design.md, "The collector"). Elsewhere, and
//! under Miri, chunks come from `std::alloc::alloc_zeroed`.
//!
//! Invariant: a block is never returned to the OS while its [`BlockPool`] lives. Blocks move
//! between two states: *in use* (holds cells; parseable from offset 0 as a sequence of cells and
//! zeroed gaps) and *free* (in the pool; filled with [`POISON_BYTE`] when poisoning is on, so a
//! stale reference reads poison instead of freed memory).

use crate::address::POISON_BYTE;
use std::alloc::{handle_alloc_error, Layout};
use std::collections::HashMap;
use std::ptr::NonNull;

/// Default block size: 32 KiB.
pub const DEFAULT_BLOCK_BYTES: usize = 32 * 1024;

/// Bytes the pool takes from the OS at a time (or one block, if blocks are larger): the size of
/// a transparent huge page on x86-64 and aarch64.
pub const CHUNK_BYTES: usize = 2 << 20;

/// Memory obtained from the OS for blocks: `bytes` zeroed bytes at `base`, aligned to `bytes`.
struct Chunk {
    base: NonNull<u8>,
    bytes: usize,
}

impl Chunk {
    /// Maps a zero-filled chunk of `bytes` (a power of two), aligned to `bytes`.
    #[cfg(all(target_os = "linux", not(miri)))]
    fn map(bytes: usize) -> Chunk {
        // Over-map by `bytes` so an aligned run of `bytes` lies inside, then unmap the rest.
        let span = 2 * bytes;
        // SAFETY: an anonymous private mapping at an address of the kernel's choice; no existing
        // memory is affected.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                span,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            handle_alloc_error(Layout::from_size_align(bytes, bytes).expect("chunk layout"));
        }
        let raw = raw.cast::<u8>();
        let head = raw.addr().next_multiple_of(bytes) - raw.addr();
        let tail = span - head - bytes;
        // SAFETY: `head + bytes <= span`, so the aligned start lies inside the mapping.
        let base = unsafe { raw.add(head) };
        // SAFETY: `[raw, raw + head)` and `[base + bytes, raw + span)` are parts of the mapping
        // just made, outside the aligned run we keep, and nothing points into them.
        unsafe {
            if head > 0 {
                libc::munmap(raw.cast(), head);
            }
            if tail > 0 {
                libc::munmap(base.add(bytes).cast(), tail);
            }
            // A hint: failure (no THP support) leaves ordinary pages, which is still correct.
            libc::madvise(base.cast(), bytes, libc::MADV_HUGEPAGE);
        }
        Chunk {
            // SAFETY: inside a successful mapping, so not null.
            base: unsafe { NonNull::new_unchecked(base) },
            bytes,
        }
    }

    /// Allocates a zero-filled chunk of `bytes` (a power of two), aligned to `bytes`.
    #[cfg(not(all(target_os = "linux", not(miri))))]
    fn map(bytes: usize) -> Chunk {
        let layout = Layout::from_size_align(bytes, bytes).expect("chunk layout");
        // SAFETY: the layout has non-zero size.
        let raw = unsafe { std::alloc::alloc_zeroed(layout) };
        let Some(base) = NonNull::new(raw) else {
            handle_alloc_error(layout)
        };
        Chunk { base, bytes }
    }
}

impl Drop for Chunk {
    #[cfg(all(target_os = "linux", not(miri)))]
    fn drop(&mut self) {
        // SAFETY: `[base, base + bytes)` is exactly the run `map` kept; the pool that owned the
        // chunk is being dropped, so no block in it is used any more.
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.bytes) };
    }

    #[cfg(not(all(target_os = "linux", not(miri))))]
    fn drop(&mut self) {
        let layout = Layout::from_size_align(self.bytes, self.bytes).expect("chunk layout");
        // SAFETY: `base` came from `alloc_zeroed(layout)` in `map` and is freed once, here.
        unsafe { std::alloc::dealloc(self.base.as_ptr(), layout) };
    }
}

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
    /// Every chunk mapped (unmapped when the pool is dropped).
    chunks: Vec<Chunk>,
    /// Blocks of the newest chunk never handed out yet (zero-filled), highest address first.
    fresh: Vec<NonNull<u8>>,
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
            chunks: Vec::new(),
            fresh: Vec::new(),
            free: Vec::new(),
            in_use: Vec::new(),
        }
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
            None => (self.fresh_block(), false),
        };
        self.states.insert(block.addr().get(), BlockState::InUse);
        (block, stale)
    }

    /// A never-used, zero-filled block, mapping a new chunk when the current one is used up.
    fn fresh_block(&mut self) -> NonNull<u8> {
        if let Some(b) = self.fresh.pop() {
            return b;
        }
        let chunk = Chunk::map(CHUNK_BYTES.max(self.block_bytes));
        let n = chunk.bytes / self.block_bytes;
        // Highest address first, so `pop` hands blocks out in address order.
        self.fresh.extend((1..n).rev().map(|i| {
            // SAFETY: `i * block_bytes < chunk.bytes`: inside the chunk, hence not null.
            unsafe { chunk.base.add(i * self.block_bytes) }
        }));
        let first = chunk.base;
        self.chunks.push(chunk);
        first
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
