//! [`Mutator`]: a thread's allocation context (TLAB = current allocation region).
//!
//! Invariant: `[cursor, limit)` and `[ov_cursor, ov_limit)` are zeroed regions of in-use blocks
//! owned exclusively by this mutator (or empty: both null). The fast path of [`Mutator::alloc`]
//! bumps `cursor` without any lock.

use crate::address::{align8, flags, Cell, ObjectReference, GC_WORD_BYTES, POISON_BYTE};
use crate::heap::{Heap, Region, MEDIUM_BYTES};
use crate::stats::{CollectError, CollectStats};
use crate::{Binding, RootSet};
use std::ptr::{self, NonNull};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Allocation context of one thread. Collections refuse while more than one exists.
pub struct Mutator<B: Binding> {
    heap: Arc<Heap<B>>,
    cursor: *mut u8,
    limit: *mut u8,
    ov_cursor: *mut u8,
    ov_limit: *mut u8,
    large_threshold: usize,
    poison: bool,
    /// Bytes and objects allocated since the last flush to the heap counters.
    bytes: usize,
    count: usize,
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
            heap,
            cursor: ptr::null_mut(),
            limit: ptr::null_mut(),
            ov_cursor: ptr::null_mut(),
            ov_limit: ptr::null_mut(),
            bytes: 0,
            count: 0,
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
        let avail = self.limit.addr().wrapping_sub(self.cursor.addr());
        if size <= avail && size < self.large_threshold {
            // SAFETY: `[cursor, cursor + size)` lies inside our zeroed region (type invariant),
            // so the cell is 8-aligned, writable and ours; `cursor + size <= limit`.
            unsafe {
                let cell = Cell::from_raw(NonNull::new_unchecked(self.cursor));
                self.cursor = self.cursor.add(size);
                cell.init(size, 0);
                self.bytes += size;
                self.count += 1;
                return cell.object(B::VM_HEADER_BYTES);
            }
        }
        self.alloc_slow(size)
    }

    #[cold]
    #[inline(never)]
    fn alloc_slow(&mut self, size: usize) -> ObjectReference {
        assert!(size <= u32::MAX as usize, "object too large");
        self.flush();
        self.bytes += size;
        self.count += 1;
        if size >= self.large_threshold {
            let cell = self.heap.inner.lock().large.alloc(size);
            return cell.object(B::VM_HEADER_BYTES);
        }
        let cell = if size > MEDIUM_BYTES {
            if size > self.ov_limit.addr().wrapping_sub(self.ov_cursor.addr()) {
                let r = self.heap.new_region(false);
                (self.ov_cursor, self.ov_limit) = (r.start.as_ptr(), r.end.as_ptr());
            }
            let c = self.ov_cursor;
            // SAFETY: the overflow region now has room for `size` bytes (a fresh block is
            // larger than any small object).
            self.ov_cursor = unsafe { c.add(size) };
            c
        } else {
            let r: Region = self.heap.new_region(true);
            debug_assert!(r.bytes() >= MEDIUM_BYTES);
            (self.cursor, self.limit) = (r.start.as_ptr(), r.end.as_ptr());
            let c = self.cursor;
            // SAFETY: every region is >= MEDIUM_BYTES >= size bytes.
            self.cursor = unsafe { c.add(size) };
            c
        };
        // SAFETY: `cell` is the start of `size` zeroed bytes of a region we own.
        let cell = unsafe { Cell::from_raw(NonNull::new_unchecked(cell)) };
        cell.init(size, 0);
        cell.object(B::VM_HEADER_BYTES)
    }

    /// Publish the local allocation counters to the heap.
    fn flush(&mut self) {
        if self.count != 0 {
            let h = &self.heap;
            h.allocated_since_gc
                .fetch_add(self.bytes, Ordering::Relaxed);
            h.allocated_bytes_total
                .fetch_add(self.bytes as u64, Ordering::Relaxed);
            h.allocations_total
                .fetch_add(self.count as u64, Ordering::Relaxed);
            self.bytes = 0;
            self.count = 0;
        }
    }

    /// Forget the current regions (their rest stays zeroed, so the blocks stay parseable).
    pub(crate) fn reset_tlabs(&mut self) {
        self.cursor = ptr::null_mut();
        self.limit = ptr::null_mut();
        self.ov_cursor = ptr::null_mut();
        self.ov_limit = ptr::null_mut();
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
            let size = cell.size();
            if self.poison {
                cell.fill_from(GC_WORD_BYTES, size, POISON_BYTE);
            }
            size
        };
        self.heap.freed_since_gc.fetch_add(size, Ordering::Relaxed);
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

impl<B: Binding> Drop for Mutator<B> {
    fn drop(&mut self) {
        self.flush();
        self.heap.mutators.fetch_sub(1, Ordering::Release);
    }
}
