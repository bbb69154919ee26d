//! [`Mutator`]: a thread's allocation context (TLAB = current allocation region).
//!
//! Invariant: `[cursor, end)` and `[ov_cursor, ov_end)` are regions of in-use blocks owned
//! exclusively by this mutator (or empty: both null). The bytes from `cursor` on are stale. A
//! *filler* GC word (size = `end - cursor`, flags = FREED) is written at `cursor` whenever the
//! block may be walked: when the region is retired, before a collection, when the mutator is
//! dropped, and on [`Mutator::make_parseable`] (which a binding calls before
//! `Heap::for_each_object`). The fast path of [`Mutator::alloc`] bumps `cursor` and zeroes the
//! new object, without any lock and without touching the filler.

use crate::address::{align8, flags, Cell, ObjectReference, GC_WORD_BYTES, POISON_BYTE};
use crate::heap::{Heap, MEDIUM_BYTES};
use crate::stats::{CollectError, CollectStats};
use crate::{Binding, RootSet};
use std::ptr::{self, NonNull};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A bump region `[cursor, end)` with its filler word at `cursor`; `start` is where the bytes
/// not yet counted in the heap's statistics begin.
#[derive(Clone, Copy)]
struct Tlab {
    start: *mut u8,
    cursor: *mut u8,
    end: *mut u8,
}

impl Tlab {
    const EMPTY: Tlab = Tlab {
        start: ptr::null_mut(),
        cursor: ptr::null_mut(),
        end: ptr::null_mut(),
    };

    #[inline(always)]
    fn avail(&self) -> usize {
        self.end.addr().wrapping_sub(self.cursor.addr())
    }

    /// Write the filler at `cursor` so the rest of the region parses as one dead cell.
    #[inline]
    fn seal(&mut self) {
        if !self.cursor.is_null() {
            let avail = self.avail();
            // SAFETY: a non-empty region always has at least 8 bytes left (`bump` requires
            // `size < avail`), inside a block this mutator owns.
            unsafe {
                Cell::from_raw(NonNull::new_unchecked(self.cursor)).init(avail, flags::FREED);
            }
        }
    }

    /// Allocate `size` bytes: zero them and write the GC word.
    ///
    /// # Safety
    /// `size < self.avail()` (strictly: the filler needs 8 bytes after the object), `size >= 16`
    /// and a multiple of 8.
    #[inline(always)]
    unsafe fn bump(&mut self, size: usize) -> Cell {
        let c = self.cursor;
        // SAFETY: `c + size < end`, inside the region we own (type invariant + caller).
        unsafe {
            let cell = Cell::from_raw(NonNull::new_unchecked(c));
            if size <= 128 {
                // Small cells: inline word stores; a `memset` call costs more than the stores.
                // Volatile, because LLVM would turn a plain loop back into a `memset` call.
                let words = c.add(GC_WORD_BYTES).cast::<u64>();
                for i in 0..(size - GC_WORD_BYTES) / 8 {
                    words.add(i).write_volatile(0);
                }
            } else {
                c.add(GC_WORD_BYTES).write_bytes(0, size - GC_WORD_BYTES);
            }
            cell.init(size, 0);
            self.cursor = c.add(size);
            cell
        }
    }

    /// Bytes allocated since the last call, for the statistics.
    fn take_counted(&mut self) -> usize {
        let n = self.cursor.addr().wrapping_sub(self.start.addr());
        self.start = self.cursor;
        n
    }
}

/// Allocation context of one thread. Collections refuse while more than one exists.
pub struct Mutator<B: Binding> {
    heap: Arc<Heap<B>>,
    tlab: Tlab,
    overflow: Tlab,
    large_threshold: usize,
    poison: bool,
    /// Objects allocated, large-object bytes and bytes freed since the last flush to the heap
    /// counters (kept local so that the allocation and free paths do no atomic read-modify-write).
    count: usize,
    large_bytes: usize,
    freed_bytes: usize,
    /// Large objects among `count`, and small objects freed by count, since the last flush.
    large_count: usize,
    small_freed: usize,
    /// Blocks that received a FINALIZE-flagged object since the last flush (consecutive
    /// duplicates skipped), and the block mask.
    finalizable_blocks: Vec<usize>,
    block_mask: usize,
}

// SAFETY: the regions a mutator owns are exclusively its own and the heap is `Sync`; moving the
// mutator to another thread moves that ownership with it. It stays `!Sync`.
unsafe impl<B: Binding> Send for Mutator<B> {}

impl<B: Binding> Mutator<B> {
    pub(crate) fn new(heap: Arc<Heap<B>>) -> Self {
        heap.mutators.fetch_add(1, Ordering::Relaxed);
        Self {
            large_threshold: heap.config().large_object_bytes,
            poison: heap.config().poison,
            block_mask: !(heap.config().block_bytes - 1),
            heap,
            tlab: Tlab::EMPTY,
            overflow: Tlab::EMPTY,
            count: 0,
            large_bytes: 0,
            freed_bytes: 0,
            large_count: 0,
            small_freed: 0,
            finalizable_blocks: Vec::new(),
        }
    }

    /// The heap this mutator allocates in.
    pub fn heap(&self) -> &Arc<Heap<B>> {
        &self.heap
    }

    /// Allocate `vm_and_payload_bytes` (VM header + payload, >= `B::VM_HEADER_BYTES`). The GC
    /// word is written (size, flags 0 — or LARGE for large objects), the rest is zeroed. Fast
    /// path: bump inside the thread's current region, no lock.
    #[inline(always)]
    pub fn alloc(&mut self, vm_and_payload_bytes: usize) -> ObjectReference {
        debug_assert!(vm_and_payload_bytes >= B::VM_HEADER_BYTES);
        let size = align8(GC_WORD_BYTES + vm_and_payload_bytes);
        if size < self.tlab.avail() && size < self.large_threshold {
            self.count += 1;
            // SAFETY: `size < avail` checked above; `size >= 16` and 8-aligned.
            return unsafe { self.tlab.bump(size) }.object(B::VM_HEADER_BYTES);
        }
        self.alloc_slow(size)
    }

    #[cold]
    #[inline(never)]
    fn alloc_slow(&mut self, size: usize) -> ObjectReference {
        assert!(size <= u32::MAX as usize, "object too large");
        self.flush();
        self.count += 1;
        if size >= self.large_threshold {
            self.large_bytes += size;
            self.large_count += 1;
            let cell = self.heap.inner.lock().large.alloc(size);
            return cell.object(B::VM_HEADER_BYTES);
        }
        let cell = if size > MEDIUM_BYTES {
            if size >= self.overflow.avail() {
                self.overflow.seal();
                let r = self.heap.new_region(false);
                self.overflow = Tlab {
                    start: r.start.as_ptr(),
                    cursor: r.start.as_ptr(),
                    end: r.end.as_ptr(),
                };
            }
            // SAFETY: a fresh block has room for any small object plus its filler.
            unsafe { self.overflow.bump(size) }
        } else {
            self.tlab.seal();
            let r = self.heap.new_region(true);
            self.tlab = Tlab {
                start: r.start.as_ptr(),
                cursor: r.start.as_ptr(),
                end: r.end.as_ptr(),
            };
            // SAFETY: every region is >= MIN_REGION_BYTES = MEDIUM_BYTES + 8 > size.
            unsafe { self.tlab.bump(size) }
        };
        cell.object(B::VM_HEADER_BYTES)
    }

    /// Publish the local allocation counters to the heap.
    fn flush(&mut self) {
        let bytes = self.tlab.take_counted() + self.overflow.take_counted() + self.large_bytes;
        let h = &self.heap;
        h.allocated_since_gc.fetch_add(bytes, Ordering::Relaxed);
        h.allocated_bytes_total
            .fetch_add(bytes as u64, Ordering::Relaxed);
        h.allocations_total
            .fetch_add(self.count as u64, Ordering::Relaxed);
        h.freed_since_gc
            .fetch_add(self.freed_bytes, Ordering::Relaxed);
        h.small_objects
            .fetch_add(self.count - self.large_count, Ordering::Relaxed);
        h.small_freed.fetch_add(self.small_freed, Ordering::Relaxed);
        if !self.finalizable_blocks.is_empty() {
            h.inner
                .lock()
                .finalizable_blocks
                .extend(self.finalizable_blocks.drain(..));
        }
        self.large_bytes = 0;
        self.count = 0;
        self.freed_bytes = 0;
        self.large_count = 0;
        self.small_freed = 0;
    }

    /// Like [`Mutator::alloc`], for an object that needs [`Binding::finalize`] when it dies: it
    /// is flagged FINALIZE and its block is recorded, so collections walk only blocks that can
    /// hold such objects.
    #[inline]
    pub fn alloc_finalizable(&mut self, vm_and_payload_bytes: usize) -> ObjectReference {
        let obj = self.alloc(vm_and_payload_bytes);
        let fl = Heap::<B>::flags(obj);
        let f = fl.load(Ordering::Relaxed);
        fl.store(f | flags::FINALIZE, Ordering::Relaxed);
        if f & flags::LARGE == 0 {
            // The payload lies inside its cell, so it is in the cell's block.
            let block = obj.as_ptr().addr().get() & self.block_mask;
            if self.finalizable_blocks.last() != Some(&block) {
                self.finalizable_blocks.push(block);
            }
        }
        obj
    }

    /// Publishes this mutator's local counters (allocations, freed bytes) to the heap, so that
    /// [`Heap::stats`] is exact. Collections, region changes and `Drop` do it too.
    pub fn publish_stats(&mut self) {
        self.flush();
    }

    /// Writes the fillers of the current regions so that every block this mutator allocates in
    /// can be walked (`Heap::for_each_object`). Allocation continues in the same regions.
    pub fn make_parseable(&mut self) {
        self.tlab.seal();
        self.overflow.seal();
    }

    /// Forget the current regions (sealed first, so their blocks stay parseable).
    pub(crate) fn reset_tlabs(&mut self) {
        self.make_parseable();
        self.tlab = Tlab::EMPTY;
        self.overflow = Tlab::EMPTY;
    }

    /// Free one object now (its reference count reached zero). Calls no finalizer. Large objects
    /// leave the heap at once (quarantined until the next collection); small ones are marked
    /// FREED, poisoned if configured, and their bytes are reclaimed by the next collection.
    ///
    /// Panics if `obj` is EXTERNAL, already freed or forwarded.
    pub fn free(&mut self, obj: ObjectReference) {
        let cell = Cell::of_object(obj, B::VM_HEADER_BYTES);
        let f = cell.flags().load(Ordering::Relaxed);
        assert!(
            f & (flags::FREED | flags::FORWARDED | flags::EXTERNAL) == 0,
            "Mutator::free of a freed, forwarded or EXTERNAL object {:p}",
            obj.as_ptr()
        );
        cell.flags().fetch_or(flags::FREED, Ordering::Relaxed);
        let size = if f & flags::LARGE != 0 {
            self.heap.inner.lock().large.free(cell, self.poison)
        } else {
            self.small_freed += 1;
            let size = cell.size();
            if self.poison {
                cell.fill_from(GC_WORD_BYTES, size, POISON_BYTE);
            }
            size
        };
        self.freed_bytes += size;
    }

    /// Full collection: trace from `roots`, evacuate every live unpinned small object, finalize
    /// and reclaim the dead. Refuses while another `Mutator` exists. Resets this mutator's
    /// allocation regions.
    pub fn collect(&mut self, roots: &mut dyn RootSet) -> Result<CollectStats, CollectError> {
        if self.heap.mutators.load(Ordering::Acquire) > 1 {
            return Err(CollectError::OtherMutatorsActive);
        }
        self.flush();
        self.reset_tlabs();
        Ok(crate::collect::collect(&self.heap, roots))
    }
}

impl<B: Binding> Mutator<B> {
    /// Full collection while other mutators exist, their threads stopped by the caller's
    /// handshake (the collector itself knows nothing of threads: a binding's runtime stops its
    /// mutators at safe points and hands them over here). Every other live mutator of this heap
    /// must be in `others`; their counters are flushed and their allocation regions retired
    /// exactly as this mutator's are, so after the call every mutator allocates in fresh regions.
    /// Refuses (`OtherMutatorsActive`) when `others` does not account for every live mutator.
    ///
    /// # Safety
    /// For the whole call, no thread other than the caller's uses any mutator of this heap or
    /// reads or writes any object of it (the threads owning `others` are stopped), and the
    /// caller's `roots` include the roots of every stopped thread.
    pub unsafe fn collect_stopped(
        &mut self,
        others: &mut [&mut Mutator<B>],
        roots: &mut dyn RootSet,
    ) -> Result<CollectStats, CollectError> {
        if self.heap.mutators.load(Ordering::Acquire) != others.len() + 1 {
            return Err(CollectError::OtherMutatorsActive);
        }
        for m in others.iter_mut() {
            debug_assert!(
                Arc::ptr_eq(&m.heap, &self.heap),
                "a mutator of another heap"
            );
            m.flush();
            m.reset_tlabs();
        }
        self.flush();
        self.reset_tlabs();
        Ok(crate::collect::collect(&self.heap, roots))
    }
}

impl<B: Binding> Drop for Mutator<B> {
    fn drop(&mut self) {
        self.make_parseable();
        self.flush();
        self.heap.mutators.fetch_sub(1, Ordering::Release);
    }
}
