//! The [`Heap`]: configuration, block and large-object spaces, hole list, counters, and the
//! queries the runtime makes about objects.
//!
//! Invariant: all mutable space state lives in `Heap::inner` behind one `parking_lot::Mutex`;
//! mutators only take it to get a new allocation region, to allocate or free a large object, and
//! to collect.

use crate::address::{flags, Cell, ObjectReference, POISON_BYTE};
use crate::block::{for_each_cell, BlockPool, BlockState, DEFAULT_BLOCK_BYTES};
use crate::large::LargeSpace;
use crate::mutator::Mutator;
use crate::stats::{CollectStats, HeapStats};
use crate::Binding;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Cells larger than this go to the mutator's overflow region when the current region is too
/// full for them (Immix "medium objects").
pub const MEDIUM_BYTES: usize = 256;

/// Smallest reusable hole: a medium object plus the 8-byte filler word that always follows the
/// allocation cursor.
pub const MIN_REGION_BYTES: usize = MEDIUM_BYTES + 8;

/// Heap parameters.
///
/// Invariant (checked by [`Heap::new`]): `block_bytes` is a power of two >= 1 KiB and
/// `MEDIUM_BYTES < large_object_bytes <= block_bytes`.
#[derive(Clone, Debug)]
pub struct HeapConfig {
    /// Size and alignment of a block (default 32 KiB).
    pub block_bytes: usize,
    /// Cells of at least this many bytes go to the large-object space (default 8 KiB).
    pub large_object_bytes: usize,
    /// [`Heap::wants_collection`] turns true after this many bytes were allocated since the last
    /// collection (default 64 MiB).
    pub collect_after_bytes: usize,
    /// Poison freed / moved-from memory and free blocks and verify the heap after each
    /// collection (default `cfg!(debug_assertions)`).
    pub poison: bool,
}

impl Default for HeapConfig {
    fn default() -> Self {
        Self {
            block_bytes: DEFAULT_BLOCK_BYTES,
            large_object_bytes: 8 * 1024,
            collect_after_bytes: 64 << 20,
            poison: cfg!(debug_assertions),
        }
    }
}

/// A zeroed free range `[start, end)` inside an in-use block, owned by whoever holds it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Region {
    pub(crate) start: NonNull<u8>,
    pub(crate) end: NonNull<u8>,
}

impl Region {
    pub(crate) fn bytes(&self) -> usize {
        self.end.addr().get() - self.start.addr().get()
    }
}

/// Space state guarded by the heap lock.
pub(crate) struct Inner {
    pub(crate) blocks: BlockPool,
    pub(crate) large: LargeSpace,
    /// Reusable zeroed gaps (>= MIN_REGION_BYTES) in blocks kept by the last collection.
    pub(crate) holes: Vec<Region>,
    /// Blocks that may hold objects flagged FINALIZE. A collection walks only these (and the
    /// blocks it keeps) to find dead objects to finalize; every other block is released whole.
    pub(crate) finalizable_blocks: HashSet<usize>,
}

impl Inner {
    /// Blocks in use * block size + large-object bytes.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.blocks.in_use_count() * self.blocks.block_bytes() + self.large.bytes
    }
}

/// A garbage-collected heap for objects described by binding `B`. Shared by `Arc`; each thread
/// allocates through its own [`Mutator`].
pub struct Heap<B: Binding> {
    binding: B,
    config: HeapConfig,
    pub(crate) inner: Mutex<Inner>,
    /// Number of live `Mutator`s.
    pub(crate) mutators: AtomicUsize,
    pub(crate) allocated_since_gc: AtomicUsize,
    pub(crate) freed_since_gc: AtomicUsize,
    /// Small objects (cells in blocks, fillers excluded) allocated and not yet reclaimed by a
    /// collection, whether live, dead or freed by count.
    pub(crate) small_objects: AtomicUsize,
    /// Small objects freed by count (`Mutator::free`) since the last collection.
    pub(crate) small_freed: AtomicUsize,
    pub(crate) live_after_gc: AtomicUsize,
    pub(crate) allocated_bytes_total: AtomicU64,
    pub(crate) allocations_total: AtomicU64,
    pub(crate) collections: AtomicU64,
    pub(crate) last: Mutex<Option<CollectStats>>,
}

// SAFETY: the raw block pointers inside `inner` are only touched under its mutex; the memory they
// point to is owned by the heap (no thread-affine resources). `B: Send + Sync`.
unsafe impl<B: Binding> Send for Heap<B> {}
// SAFETY: as above; shared access goes through the mutex or atomics.
unsafe impl<B: Binding> Sync for Heap<B> {}

impl<B: Binding> Heap<B> {
    /// Create a heap. Panics if `config` violates the [`HeapConfig`] invariant or
    /// `B::VM_HEADER_BYTES` is not a multiple of 8 that is >= 8.
    pub fn new(binding: B, config: HeapConfig) -> Arc<Self> {
        assert!(
            B::VM_HEADER_BYTES >= 8 && B::VM_HEADER_BYTES.is_multiple_of(8),
            "VM_HEADER_BYTES must be a multiple of 8, >= 8"
        );
        assert!(config.block_bytes.is_power_of_two() && config.block_bytes >= 1024);
        assert!(
            config.large_object_bytes > MEDIUM_BYTES
                && config.large_object_bytes <= config.block_bytes,
            "need MEDIUM_BYTES < large_object_bytes <= block_bytes"
        );
        Arc::new(Self {
            inner: Mutex::new(Inner {
                blocks: BlockPool::new(config.block_bytes, config.poison),
                large: LargeSpace::default(),
                holes: Vec::new(),
                finalizable_blocks: HashSet::new(),
            }),
            binding,
            config,
            mutators: AtomicUsize::new(0),
            allocated_since_gc: AtomicUsize::new(0),
            freed_since_gc: AtomicUsize::new(0),
            small_objects: AtomicUsize::new(0),
            small_freed: AtomicUsize::new(0),
            live_after_gc: AtomicUsize::new(0),
            allocated_bytes_total: AtomicU64::new(0),
            allocations_total: AtomicU64::new(0),
            collections: AtomicU64::new(0),
            last: Mutex::new(None),
        })
    }

    /// The binding this heap was created with.
    pub fn binding(&self) -> &B {
        &self.binding
    }

    /// The configuration this heap was created with.
    pub fn config(&self) -> &HeapConfig {
        &self.config
    }

    /// A new mutator (allocation context) for the calling thread. Collections refuse while more
    /// than one mutator exists.
    pub fn mutator(self: &Arc<Self>) -> Mutator<B> {
        Mutator::new(Arc::clone(self))
    }

    /// Number of live mutators.
    pub fn mutator_count(&self) -> usize {
        self.mutators.load(Ordering::Relaxed)
    }

    /// The flags half of `obj`'s GC word (heap or EXTERNAL object). The binding owns bits
    /// `>= 1 << flags::BINDING_SHIFT`; use relaxed atomic ops. Valid while the object's memory
    /// exists (heap blocks live as long as the heap).
    pub fn flags(obj: ObjectReference) -> &'static AtomicU32 {
        Cell::of_object(obj, B::VM_HEADER_BYTES).flags()
    }

    /// Size of `obj`'s whole cell (GC word + VM header + payload, rounded up to 8).
    pub fn cell_bytes(obj: ObjectReference) -> usize {
        Cell::of_object(obj, B::VM_HEADER_BYTES).size()
    }

    /// True once more than `collect_after_bytes` were allocated since the last collection
    /// (counted per allocation region, so it may lag by up to one block per mutator).
    pub fn wants_collection(&self) -> bool {
        self.allocated_since_gc.load(Ordering::Relaxed) > self.config.collect_after_bytes
    }

    /// Current statistics. Allocation counters of live mutators are flushed when they refill, so
    /// they may lag by up to one allocation region.
    pub fn stats(&self) -> HeapStats {
        let heap_bytes = self.inner.lock().heap_bytes();
        let live = self.live_after_gc.load(Ordering::Relaxed)
            + self.allocated_since_gc.load(Ordering::Relaxed);
        HeapStats {
            allocated_bytes_total: self.allocated_bytes_total.load(Ordering::Relaxed),
            allocations_total: self.allocations_total.load(Ordering::Relaxed),
            heap_bytes,
            live_bytes_estimate: live.saturating_sub(self.freed_since_gc.load(Ordering::Relaxed)),
            collections: self.collections.load(Ordering::Relaxed),
            last: self.last.lock().clone(),
        }
    }

    /// Number of blocks in use and in the free pool.
    pub fn block_counts(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        (inner.blocks.in_use_count(), inner.blocks.free_count())
    }

    /// Call `f` for every allocated object that is not freed (and not a moved-from copy).
    ///
    /// Must not run concurrently with allocation by *other* threads, and `f` must not collect.
    /// Every live mutator must have sealed its regions with `Mutator::make_parseable` since its
    /// last allocation (collections and dropped mutators seal theirs).
    pub fn for_each_object(&self, mut f: impl FnMut(ObjectReference)) {
        let (blocks, large, block_bytes) = {
            let inner = self.inner.lock();
            let large: Vec<_> = inner.large.objects.values().map(|a| a.cell).collect();
            (
                inner.blocks.in_use.clone(),
                large,
                inner.blocks.block_bytes(),
            )
        };
        let h = B::VM_HEADER_BYTES;
        let mut visit = |cell: Cell| {
            if cell.flags().load(Ordering::Relaxed) & (flags::FREED | flags::FORWARDED) == 0 {
                f(cell.object(h));
            }
        };
        for b in blocks {
            // SAFETY: `b` was in use when listed; blocks stay parseable while no collection runs
            // (documented precondition) and other threads do not allocate.
            unsafe { for_each_cell(b, block_bytes, &mut visit) };
        }
        for c in large {
            // SAFETY: a live large object's cell; not deallocated without a collection or a
            // free, which the precondition excludes... except a free by `f` itself, which only
            // quarantines the memory.
            visit(unsafe { Cell::from_raw(c) });
        }
    }

    /// Why `obj` is not a valid reference to a live object, or `None` if it is.
    pub(crate) fn diagnose(&self, inner: &Inner, obj: ObjectReference) -> Option<&'static str> {
        let h = B::VM_HEADER_BYTES;
        let cell_addr = obj.as_ptr().addr().get().wrapping_sub(8 + h);
        if !obj.as_ptr().addr().get().is_multiple_of(8) {
            return Some("misaligned reference");
        }
        if inner.large.freed.contains_key(&cell_addr) {
            return Some("freed large object");
        }
        let in_large = inner.large.objects.contains_key(&cell_addr);
        match inner.blocks.state(cell_addr & inner.blocks.block_mask()) {
            Some(BlockState::Free) if !in_large => return Some("reference into a free block"),
            None if !in_large => {
                let f = Self::flags(obj).load(Ordering::Relaxed);
                return (f & flags::EXTERNAL == 0)
                    .then_some("not a heap object and not flagged EXTERNAL");
            }
            _ => {}
        }
        let cell = Cell::of_object(obj, h);
        let size = cell.size();
        let f = cell.flags().load(Ordering::Relaxed);
        let poison_word = u32::from_ne_bytes([POISON_BYTE; 4]);
        if size == poison_word as usize || f == poison_word {
            Some("poisoned memory")
        } else if size == 0 {
            Some("not an object (zeroed gap)")
        } else if f & flags::FREED != 0 {
            Some("freed object")
        } else if f & flags::FORWARDED != 0 {
            Some("forwarded (moved-from) object")
        } else if size < 8 + h
            || !size.is_multiple_of(8)
            || (!in_large && size > inner.blocks.block_bytes())
        {
            Some("corrupt GC word")
        } else {
            None
        }
    }

    /// Panic (at the caller's location) if `obj` is freed, forwarded, poisoned, in a free block
    /// or otherwise not a live object of this heap or an EXTERNAL object.
    #[track_caller]
    pub fn check_reference(&self, obj: ObjectReference) {
        let inner = self.inner.lock();
        if let Some(why) = self.diagnose(&inner, obj) {
            drop(inner);
            panic!("invalid object reference {:p}: {why}", obj.as_ptr());
        }
    }

    /// Whether `obj` lies in a block in use or is a live large object of this heap. Does not read
    /// the object.
    pub fn contains(&self, obj: ObjectReference) -> bool {
        let inner = self.inner.lock();
        let cell_addr = obj
            .as_ptr()
            .addr()
            .get()
            .wrapping_sub(8 + B::VM_HEADER_BYTES);
        inner.large.objects.contains_key(&cell_addr)
            || inner.blocks.state(cell_addr & inner.blocks.block_mask()) == Some(BlockState::InUse)
    }

    /// A fresh allocation region: a hole left by the last collection if `allow_hole`, else (or
    /// if there is none) a whole block. Its contents are stale except for a *filler* GC word at
    /// the start (size = region bytes, flags = FREED) that keeps the block parseable; the mutator
    /// moves the filler forward as it allocates.
    pub(crate) fn new_region(&self, allow_hole: bool) -> Region {
        let block_bytes = self.config.block_bytes;
        let mut inner = self.inner.lock();
        let r = match allow_hole.then(|| inner.holes.pop()).flatten() {
            Some(r) => r,
            None => {
                let (block, _) = inner.blocks.acquire();
                inner.blocks.in_use.push(block);
                Region {
                    start: block,
                    // SAFETY: one past the end of the block allocation.
                    end: unsafe { block.byte_add(block_bytes) },
                }
            }
        };
        // SAFETY: the region is ours alone, 8-aligned and at least MIN_REGION_BYTES long; we
        // write its filler GC word while holding the lock, so walkers never see stale bytes.
        unsafe { Cell::from_raw(r.start) }.init(r.bytes(), flags::FREED);
        r
    }
}
