//! A tiny binding for tests, benchmarks and docs.
//!
//! A mock object has `n` reference slots and `d` data bytes. Its VM header is `HEADER` bytes
//! (8 or 24 are typical); the first header word holds `n` (low 32 bits) and `d` (high 32 bits).
//!
//! ```text
//! cell | GC word | n: u32, d: u32 | (HEADER - 8 more bytes) | n × Option<ObjectReference> | d bytes |
//! ```
//!
//! Invariant for every function taking an `ObjectReference`: it must be a live (not freed, not
//! forwarded) object allocated with [`MockBinding::alloc`] for the same `HEADER`.

use crate::address::{align8, ObjectReference, Slot};
use crate::{Binding, FinalizeContext, Finalized, Mutator, RootSet};
use parking_lot::Mutex;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Hook called by [`MockBinding::finalize`] (tests use it to probe [`FinalizeContext`]).
pub type FinalizeHook = Box<dyn Fn(ObjectReference, &FinalizeContext<'_>) + Send + Sync>;

/// The mock binding. `HEADER` = `VM_HEADER_BYTES` (multiple of 8, >= 8).
#[derive(Default)]
pub struct MockBinding<const HEADER: usize = 8> {
    /// Number of `finalize` calls so far.
    pub finalized_count: AtomicUsize,
    /// When true, `finalize` appends the object's id (see [`MockBinding::id`]) to `finalized`.
    pub record: bool,
    /// Ids of finalized objects (only when `record`).
    pub finalized: Mutex<Vec<u64>>,
    /// Optional extra finalizer behaviour.
    pub hook: Option<FinalizeHook>,
    /// A weak table: entries the collector updates when their object moves and clears when it
    /// dies ([`Binding::process_weak`]). Tests register entries with [`MockBinding::add_weak`].
    pub weak: Mutex<Vec<WeakEntry>>,
    /// Number of [`Binding::process_weak`] calls so far.
    pub weak_passes: AtomicUsize,
    /// Ids whose finalization keeps the object ([`Finalized::Kept`]: foreign code took its
    /// memory over, as a C freelist does).
    pub keep_ids: Mutex<Vec<u64>>,
}

/// One entry of the mock's weak table: the object's current address, or `None` once it died.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeakEntry(pub Option<ObjectReference>);

// SAFETY: an entry is an address the mock never dereferences itself; the table is only read and
// written under its mutex, and the collector (one thread, holding the heap) is the only code that
// dereferences the objects it names.
unsafe impl Send for WeakEntry {}

/// Mock binding with a 24-byte VM header (the runtime's layout).
pub type MockBinding24 = MockBinding<24>;

impl<const HEADER: usize> MockBinding<HEADER> {
    /// A binding that records finalized ids.
    pub fn recording() -> Self {
        Self {
            record: true,
            ..Self::default()
        }
    }

    /// Adds `obj` to the weak table; returns the entry's index for [`MockBinding::weak_get`].
    pub fn add_weak(&self, obj: ObjectReference) -> usize {
        let mut w = self.weak.lock();
        w.push(WeakEntry(Some(obj)));
        w.len() - 1
    }

    /// Entry `i` of the weak table: the object's current address, or `None` once it died.
    pub fn weak_get(&self, i: usize) -> Option<ObjectReference> {
        self.weak.lock()[i].0
    }

    /// VM header + payload bytes of an object with `nslots` slots and `data_bytes` data bytes
    /// (the argument to [`Mutator::alloc`]).
    pub const fn vm_and_payload_bytes(nslots: usize, data_bytes: usize) -> usize {
        HEADER + nslots * 8 + align8(data_bytes)
    }

    /// Whole cell size of such an object.
    pub const fn cell_bytes(nslots: usize, data_bytes: usize) -> usize {
        8 + Self::vm_and_payload_bytes(nslots, data_bytes)
    }

    /// Allocate an object with `nslots` empty slots and `data_bytes` zero data bytes.
    pub fn alloc(m: &mut Mutator<Self>, nslots: usize, data_bytes: usize) -> ObjectReference {
        // Mock objects count their finalizations (tests check "exactly once").
        let obj = m.alloc_finalizable(Self::vm_and_payload_bytes(nslots, data_bytes));
        let word = nslots as u64 | ((data_bytes as u64) << 32);
        // SAFETY: the first VM-header word of a fresh object, 8-aligned, inside its cell.
        unsafe { obj.as_ptr().byte_sub(HEADER).cast::<u64>().write(word) };
        obj
    }

    fn header_word(obj: ObjectReference) -> u64 {
        // SAFETY: module invariant: a live mock object; its first VM-header word is readable.
        unsafe { obj.as_ptr().byte_sub(HEADER).cast::<u64>().read() }
    }

    /// Number of reference slots.
    pub fn slot_count(obj: ObjectReference) -> usize {
        Self::header_word(obj) as u32 as usize
    }

    /// Number of data bytes.
    pub fn data_bytes(obj: ObjectReference) -> usize {
        (Self::header_word(obj) >> 32) as usize
    }

    fn slot_ptr(obj: ObjectReference, i: usize) -> NonNull<Option<ObjectReference>> {
        assert!(i < Self::slot_count(obj), "slot index out of range");
        // SAFETY: slot `i < n` lies inside the payload.
        unsafe { obj.as_ptr().byte_add(i * 8).cast() }
    }

    /// Read slot `i`.
    pub fn get(obj: ObjectReference, i: usize) -> Option<ObjectReference> {
        // SAFETY: an in-bounds, aligned slot word of a live object; null is `None`.
        unsafe { Self::slot_ptr(obj, i).read() }
    }

    /// Write slot `i`.
    pub fn set(obj: ObjectReference, i: usize, value: Option<ObjectReference>) {
        // SAFETY: an in-bounds, aligned slot word of a live object.
        unsafe { Self::slot_ptr(obj, i).write(value) }
    }

    /// Pointer to the data bytes.
    pub fn data(obj: ObjectReference) -> NonNull<u8> {
        let n = Self::slot_count(obj);
        // SAFETY: the data follow the `n` slots inside the payload.
        unsafe { obj.as_ptr().byte_add(n * 8) }
    }

    /// The id stored in the first 8 data bytes (0 if there are fewer than 8).
    pub fn id(obj: ObjectReference) -> u64 {
        if Self::data_bytes(obj) < 8 {
            return 0;
        }
        // SAFETY: at least 8 data bytes, 8-aligned.
        unsafe { Self::data(obj).cast::<u64>().read() }
    }

    /// Store an id in the first 8 data bytes (panics if there are fewer than 8).
    pub fn set_id(obj: ObjectReference, id: u64) {
        assert!(Self::data_bytes(obj) >= 8);
        // SAFETY: at least 8 data bytes, 8-aligned.
        unsafe { Self::data(obj).cast::<u64>().write(id) }
    }
}

impl<const HEADER: usize> Binding for MockBinding<HEADER> {
    const VM_HEADER_BYTES: usize = HEADER;

    fn scan_object(&self, obj: ObjectReference, visit: &mut dyn FnMut(Slot)) {
        let n = Self::slot_count(obj);
        let base = obj.as_ptr().cast::<Option<ObjectReference>>();
        for i in 0..n {
            // SAFETY: slot `i < n` is inside the payload of the live object `obj`.
            let p = unsafe { base.add(i) };
            // SAFETY: an aligned, readable slot word.
            if unsafe { p.read() }.is_some() {
                // SAFETY: the slot is valid for reads and writes, holds `Some` (same layout as
                // `ObjectReference`), and the object is not freed while the collector uses it.
                visit(unsafe { Slot::new(p.cast()) });
            }
        }
    }

    fn finalize(&self, obj: ObjectReference, cx: &FinalizeContext<'_>) -> Finalized {
        self.finalized_count.fetch_add(1, Ordering::Relaxed);
        if self.record {
            self.finalized.lock().push(Self::id(obj));
        }
        if let Some(hook) = &self.hook {
            hook(obj, cx);
        }
        if self.keep_ids.lock().contains(&Self::id(obj)) {
            Finalized::Kept
        } else {
            Finalized::Reclaimed
        }
    }

    fn process_weak(&self, resolve: &mut dyn FnMut(ObjectReference) -> Option<ObjectReference>) {
        self.weak_passes.fetch_add(1, Ordering::Relaxed);
        for e in self.weak.lock().iter_mut() {
            if let Some(o) = e.0 {
                e.0 = resolve(o);
            }
        }
    }
}

/// A simple root set: a vector of movable root slots and a vector of pinned roots.
#[derive(Default, Debug, Clone)]
pub struct MockRoots {
    /// Movable roots (updated by collections).
    pub movable: Vec<ObjectReference>,
    /// Pinned roots (never move).
    pub pinned: Vec<ObjectReference>,
}

impl RootSet for MockRoots {
    fn movable_roots(&mut self, visit: &mut dyn FnMut(Slot)) {
        let base = self.movable.as_mut_ptr();
        for i in 0..self.movable.len() {
            // SAFETY: `i < len`: an element of the vector, valid for reads and writes, not
            // reallocated while the collector holds `&mut self`.
            visit(unsafe { Slot::new(NonNull::new_unchecked(base.add(i))) });
        }
    }

    fn pinned_roots(&mut self, visit: &mut dyn FnMut(ObjectReference)) {
        for &p in &self.pinned {
            visit(p);
        }
    }
}
