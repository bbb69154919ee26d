//! The list payload and its erased storage: one enum holding the representation of the current
//! strategy, plus the optional box cache, plus the off-heap byte accounting.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::objref::ObjRef;

/// A list's storage strategy. Stateless: the data lives in [`Storage`]; the strategy is just
/// which variant is in use. Ordered as a lattice: `Empty` is below everything, `Int` and `Float`
/// are incomparable, `Object` is the top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// No elements and no representation chosen yet.
    Empty,
    /// Contiguous unboxed `i64` (exact `int` objects whose value fits `i64`).
    Int,
    /// Contiguous unboxed `f64` (exact `float` objects, bit-exact).
    Float,
    /// Counted references (`Vec<ObjRef>`), anything.
    Object,
}

impl Strategy {
    /// The name reported by `Thread::list_strategy_name`: "empty", "int", "float", "object".
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Empty => "empty",
            Strategy::Int => "int",
            Strategy::Float => "float",
            Strategy::Object => "object",
        }
    }

    /// The least strategy that can hold the elements of both `self` and `other` (lattice join):
    /// `Empty ⊔ x = x`, `x ⊔ x = x`, `Int ⊔ Float = Object`, `Object ⊔ x = Object`.
    pub fn join(self, other: Strategy) -> Strategy {
        match (self, other) {
            (Strategy::Empty, x) | (x, Strategy::Empty) => x,
            (a, b) if a == b => a,
            _ => Strategy::Object,
        }
    }
}

/// The erased storage of one list. Invariant: the variant is the list's strategy; `Object` items
/// each own one counted reference (under the counting schemes).
pub(crate) enum Storage {
    /// No elements.
    Empty,
    /// Unboxed ints.
    Int(Vec<i64>),
    /// Unboxed floats.
    Float(Vec<f64>),
    /// References.
    Object(Vec<ObjRef>),
}

impl Storage {
    /// An empty storage of strategy `s`.
    pub(crate) fn empty_of(s: Strategy) -> Storage {
        match s {
            Strategy::Empty => Storage::Empty,
            Strategy::Int => Storage::Int(Vec::new()),
            Strategy::Float => Storage::Float(Vec::new()),
            Strategy::Object => Storage::Object(Vec::new()),
        }
    }

    /// The strategy this storage implements.
    pub(crate) fn strategy(&self) -> Strategy {
        match self {
            Storage::Empty => Strategy::Empty,
            Storage::Int(_) => Strategy::Int,
            Storage::Float(_) => Strategy::Float,
            Storage::Object(_) => Strategy::Object,
        }
    }

    /// Number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Storage::Empty => 0,
            Storage::Int(v) => v.len(),
            Storage::Float(v) => v.len(),
            Storage::Object(v) => v.len(),
        }
    }

    /// Bytes of capacity held off the heap.
    #[inline]
    pub(crate) fn capacity_bytes(&self) -> usize {
        match self {
            Storage::Empty => 0,
            Storage::Int(v) => v.capacity() * 8,
            Storage::Float(v) => v.capacity() * 8,
            Storage::Object(v) => v.capacity() * 8,
        }
    }
}

/// Payload of a list object (lives in the gc heap; moves as a whole, its vectors' buffers do not).
///
/// Invariants: `cache` is `None` unless the storage is `Int` or `Float`, and when present it has
/// exactly `storage.len()` entries, entry `i` being `None` or an owned reference to a box whose
/// value equals element `i` (bit-exactly for floats). `accounted` is the number of bytes this
/// list last added to the runtime's `off_heap_bytes` counter (`counter`), which outlives the list
/// (it is a field of the runtime owning the heap the list lives in).
pub struct ListObject {
    pub(crate) storage: Storage,
    pub(crate) cache: Option<Vec<Option<ObjRef>>>,
    accounted: usize,
    counter: NonNull<AtomicUsize>,
}

impl ListObject {
    /// A payload holding `storage`, not yet accounted (call [`ListObject::sync`]).
    pub(crate) fn new(storage: Storage, counter: &AtomicUsize) -> ListObject {
        ListObject {
            storage,
            cache: None,
            accounted: 0,
            counter: NonNull::from(counter),
        }
    }

    /// Bytes of capacity held off the heap now (storage plus box cache).
    #[inline]
    pub(crate) fn bytes(&self) -> usize {
        self.storage.capacity_bytes() + self.cache.as_ref().map_or(0, |c| c.capacity() * 8)
    }

    fn counter(&self) -> &AtomicUsize {
        // SAFETY: the counter is `Runtime::stats.off_heap_bytes` of the runtime whose heap holds
        // this list; lists are only touched (mutated, scanned, released) while that runtime is
        // alive, since every thread and the collector hold it.
        unsafe { self.counter.as_ref() }
    }

    /// Brings the runtime's `off_heap_bytes` up to date with this list's capacity. Called after
    /// every operation that may change a capacity.
    #[inline(always)]
    pub(crate) fn sync(&mut self) {
        let now = self.bytes();
        if now != self.accounted {
            self.sync_to(now);
        }
    }

    /// The accounting half of [`ListObject::sync`] (a capacity changed).
    #[inline(never)]
    fn sync_to(&mut self, now: usize) {
        if now > self.accounted {
            self.counter()
                .fetch_add(now - self.accounted, Ordering::Relaxed);
        } else {
            self.counter()
                .fetch_sub(self.accounted - now, Ordering::Relaxed);
        }
        self.accounted = now;
    }

    /// Un-accounts everything (the list is dying).
    pub(crate) fn unaccount(&mut self) {
        self.counter().fetch_sub(self.accounted, Ordering::Relaxed);
        self.accounted = 0;
    }

    /// Number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.storage.len()
    }

    /// Removes the elements in `range`, pushing the references they (and their cache entries)
    /// owned onto `garbage` (the caller uncounts them once no payload is borrowed).
    pub(crate) fn remove_range(
        &mut self,
        range: std::ops::Range<usize>,
        garbage: &mut Vec<ObjRef>,
    ) {
        match &mut self.storage {
            Storage::Empty => {}
            Storage::Int(v) => drop(v.drain(range.clone())),
            Storage::Float(v) => drop(v.drain(range.clone())),
            Storage::Object(v) => garbage.extend(v.drain(range.clone())),
        }
        if let Some(c) = &mut self.cache {
            garbage.extend(c.drain(range).flatten());
        }
    }

    /// Keeps only the elements whose index satisfies `keep` (order preserved); removed
    /// references go to `garbage`.
    pub(crate) fn retain_indices(
        &mut self,
        keep: impl Fn(usize) -> bool,
        garbage: &mut Vec<ObjRef>,
    ) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &dyn Fn(usize) -> bool, mut gone: impl FnMut(T)) {
            let mut w = 0;
            for r in 0..v.len() {
                let x = v[r];
                if keep(r) {
                    v[w] = x;
                    w += 1;
                } else {
                    gone(x);
                }
            }
            v.truncate(w);
        }
        match &mut self.storage {
            Storage::Empty => {}
            Storage::Int(v) => filter(v, &keep, |_| {}),
            Storage::Float(v) => filter(v, &keep, |_| {}),
            Storage::Object(v) => filter(v, &keep, |x| garbage.push(x)),
        }
        if let Some(c) = &mut self.cache {
            filter(c, &keep, |x| garbage.extend(x));
        }
    }

    /// Reverses the elements (and the cache with them).
    pub(crate) fn reverse(&mut self) {
        match &mut self.storage {
            Storage::Empty => {}
            Storage::Int(v) => v.reverse(),
            Storage::Float(v) => v.reverse(),
            Storage::Object(v) => v.reverse(),
        }
        if let Some(c) = &mut self.cache {
            c.reverse();
        }
    }

    /// Reorders the elements so that new element `k` is old element `perm[k]` (`perm` is a
    /// permutation of `0..len`). Moves references, never counts them.
    pub(crate) fn permute(&mut self, perm: &[usize]) {
        fn apply<T: Copy>(v: &mut [T], perm: &[usize]) {
            let new: Vec<T> = perm.iter().map(|&i| v[i]).collect();
            v.copy_from_slice(&new);
        }
        debug_assert_eq!(perm.len(), self.len());
        match &mut self.storage {
            Storage::Empty => {}
            Storage::Int(v) => apply(v, perm),
            Storage::Float(v) => apply(v, perm),
            Storage::Object(v) => apply(v, perm),
        }
        if let Some(c) = &mut self.cache {
            apply(c, perm);
        }
    }

    /// Records `n` new elements appended at the end (their cache entries start empty).
    #[inline]
    pub(crate) fn cache_grow(&mut self, n: usize) {
        if let Some(c) = &mut self.cache {
            c.resize(c.len() + n, None);
        }
    }

    /// Records element `i` replaced: its cached box (if any) goes to `garbage`.
    #[inline]
    pub(crate) fn cache_invalidate(&mut self, i: usize, garbage: &mut Vec<ObjRef>) {
        if let Some(c) = &mut self.cache {
            garbage.extend(c[i].take());
        }
    }
}
