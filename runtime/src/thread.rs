//! Per-thread state: the allocator (a `gc` mutator), the handle stack (the roots held by Rust
//! code), the error indicator, and the biased-counting merge queue.
//!
//! # Rooting rule
//! A raw [`ObjRef`] is valid until the next allocation, because any allocation may collect and
//! move objects (always, in stress mode). Anything held across an allocation is held through a
//! [`Handle`]: an index into this thread's handle stack, which the collector updates when it
//! moves an object. Under the counting schemes a handle also owns one reference. Debug builds
//! catch a forgotten root: moved-from and freed memory is poisoned and every object access checks
//! the reference (`Thread::check`), panicking at the caller's line.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crossbeam::queue::SegQueue;
use pyopaque_gc::{CollectStats, Mutator, ObjectReference, RootSet, Slot};

use crate::binding::{self, RtBinding};
use crate::config::Scheme;
use crate::header::{header_of, HEADER_BYTES, VM_HEADER_BYTES};

use crate::objref::ObjRef;
use crate::refcount;
use crate::runtime::Runtime;
use crate::safepoint::{light_fence, ThreadControl, IN_RUNTIME, OUTSIDE};

/// A rooted reference: an index into the owning thread's handle stack. Valid until the handle
/// stack is released below it ([`Thread::release`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(u32);

/// A position in the handle stack, to release everything rooted after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleMark(u32);

impl HandleMark {
    /// The mark just below `h`: releasing to it releases `h` and everything after it.
    pub fn from_handle(h: Handle) -> HandleMark {
        HandleMark(h.0)
    }
}

/// Marker: a Python exception is set in this thread's error indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raised;

/// Result of an operation that may raise: the exception itself is in the error indicator.
pub type PyResult<T> = Result<T, Raised>;

/// One thread attached to a runtime.
pub struct Thread {
    /// The runtime this thread is attached to.
    pub rt: Arc<Runtime>,
    pub(crate) scheme: Scheme,
    pub(crate) immortal: bool,
    pub(crate) tagging: bool,
    pub(crate) tid: u32,
    /// `tid << 32`: the owner half of a biased `rc_a` word owned by this thread.
    pub(crate) tid_hi: u64,
    /// The allocator. Dropped by `Drop` while the thread unregisters (under the world lock), so
    /// no collection sees a registered thread without one.
    pub(crate) mutator: std::mem::ManuallyDrop<Mutator<RtBinding>>,
    /// This thread's safe-point state, shared with collectors on other threads.
    control: Arc<ThreadControl>,
    /// Nesting depth of [`Thread::enter_runtime`]: the thread is `IN_RUNTIME` while it is > 0.
    runtime_depth: u32,
    handles: Vec<ObjRef>,
    /// The current exception (owns one reference), or None.
    error: Option<ObjRef>,
    merge_queue: Arc<SegQueue<ObjRef>>,
    /// Objects handed to C as borrowed references during the current native call: pinned roots
    /// until the call returns ([`Thread::end_native_call`]).
    borrowed: Vec<ObjRef>,
    borrowed_marks: Vec<usize>,
    dealloc_stack: Vec<ObjRef>,
    /// Scratch buffer for the references a dying object held (reused, never shrunk).
    dealloc_children: Vec<ObjRef>,
    in_dealloc: bool,
    in_collect: bool,
    /// Allocations and deallocations not yet added to `rt.stats` (kept local so the object
    /// life cycle does no atomic read-modify-write; see [`Thread::flush_stats`]).
    unflushed_allocs: u64,
    unflushed_deallocs: u64,
    /// Recently freed small cells kept for reuse, by (cell size, FINALIZE flag); see
    /// [`Thread::free_cell`]. Empty and unused when `cell_cache_on` is false.
    cell_cache: Vec<Vec<ObjRef>>,
    /// Whether freed cells are cached: counting schemes, heap not poisoning freed cells.
    cell_cache_on: bool,
    /// A reusable text buffer for the C API's message formatting (`PyUnicode_FromFormat`), so
    /// a formatted str costs no `malloc`/`free` of a temporary. Take it with `std::mem::take`
    /// (a nested use then just gets a fresh empty `String`) and give it back cleared.
    pub fmt_scratch: String,
}

/// Bytes of the GC word before the VM header.
const GC_WORD_BYTES: usize = HEADER_BYTES - VM_HEADER_BYTES;
/// Largest cell (header + payload, bytes) the free-cell cache keeps.
const CACHED_CELL_MAX: usize = 256;
/// Cells kept per (size, FINALIZE) class.
const CACHED_PER_CLASS: usize = 64;

/// The cache slot of a cell of `cell_bytes` (a multiple of 8, at most [`CACHED_CELL_MAX`]).
#[inline(always)]
fn cell_class(cell_bytes: usize, finalize: bool) -> usize {
    (cell_bytes / 8) * 2 + finalize as usize
}

impl Thread {
    /// Attaches the calling thread to `rt`. Under `classic` a second attached thread is refused:
    /// that scheme's counts are not atomic.
    pub fn attach(rt: &Arc<Runtime>) -> Result<Thread, String> {
        let prev = rt.attached.fetch_add(1, Ordering::AcqRel);
        if prev > 0 && !rt.is_multithreaded() {
            rt.attached.fetch_sub(1, Ordering::AcqRel);
            return Err(format!(
                "the {} scheme is single-threaded: a second thread may not attach",
                rt.config.scheme
            ));
        }
        let tid = rt.next_tid.fetch_add(1, Ordering::Relaxed);
        let merge_queue = Arc::new(SegQueue::new());
        rt.merge_queues.lock().insert(tid, merge_queue.clone());
        // Registered (waiting out a running collection) before the allocator exists, so that a
        // collection never sees a mutator its registry does not account for.
        let control = rt.safepoints.register(tid);
        Ok(Thread {
            control,
            runtime_depth: 1,
            scheme: rt.config.scheme,
            immortal: rt.config.immortal,
            tagging: rt.config.tagging,
            tid,
            tid_hi: (tid as u64) << 32,
            mutator: std::mem::ManuallyDrop::new(rt.heap.mutator()),
            handles: Vec::with_capacity(256),
            error: None,
            merge_queue,
            borrowed: Vec::new(),
            borrowed_marks: Vec::new(),
            fmt_scratch: String::new(),
            dealloc_stack: Vec::new(),
            dealloc_children: Vec::new(),
            in_dealloc: false,
            in_collect: false,
            unflushed_allocs: 0,
            unflushed_deallocs: 0,
            cell_cache: (0..cell_class(CACHED_CELL_MAX, true) + 1)
                .map(|_| Vec::new())
                .collect(),
            cell_cache_on: rt.config.scheme.counts_internal() && !rt.heap.config().poison,
            rt: rt.clone(),
        })
    }

    /// This thread's id (the owner id of biased counting).
    pub fn tid(&self) -> u32 {
        self.tid
    }

    /// The configured scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// True when small ints are immediates.
    pub fn tagging(&self) -> bool {
        self.tagging
    }

    // ----- safe points (see `safepoint.rs` and docs/design.md, "Threads: stop-the-world") -----

    /// Enters the runtime (a C API call begins): the thread is `IN_RUNTIME` until the matching
    /// [`Thread::leave_runtime`]. Nests. Waits while a collection runs. Cost on the common path:
    /// one store, a compiler fence (with `membarrier`) and one load.
    #[inline(always)]
    pub fn enter_runtime(&mut self) {
        if self.runtime_depth == 0 {
            self.control.state.store(IN_RUNTIME, Ordering::Relaxed);
            light_fence();
            if self.rt.safepoints.stop_requested() {
                let me: *mut Thread = self;
                self.rt.safepoints.enter_slow(&self.control, me);
            }
        }
        self.runtime_depth += 1;
    }

    /// Leaves the runtime (the C API call returns to C): at depth zero the thread is `OUTSIDE`,
    /// at a safe point, and must not touch its `Thread` or any object until it enters again.
    #[inline(always)]
    pub fn leave_runtime(&mut self) {
        debug_assert!(
            self.runtime_depth > 0,
            "leave_runtime without enter_runtime"
        );
        self.runtime_depth -= 1;
        if self.runtime_depth == 0 {
            let me: *mut Thread = self;
            self.control.thread.store(me, Ordering::Relaxed);
            self.control.state.store(OUTSIDE, Ordering::Release);
            if self.rt.safepoints.stop_requested() {
                self.rt.safepoints.leave_slow();
            }
        }
    }

    /// Leaves the runtime whatever the nesting (before calling C code, or blocking); returns the
    /// depth for [`Thread::resume_runtime`].
    #[inline]
    pub fn suspend_runtime(&mut self) -> u32 {
        let depth = self.runtime_depth;
        if depth > 0 {
            self.runtime_depth = 1;
            self.leave_runtime();
        }
        depth
    }

    /// Enters the runtime again at the depth [`Thread::suspend_runtime`] returned.
    #[inline]
    pub fn resume_runtime(&mut self, depth: u32) {
        if depth > 0 {
            self.enter_runtime();
            self.runtime_depth = depth;
        }
    }

    /// True while the thread is inside the runtime (not at a safe point).
    pub fn in_runtime(&self) -> bool {
        self.runtime_depth > 0
    }

    /// Runs `f` outside the runtime (`Py_BEGIN_ALLOW_THREADS`): collections on other threads
    /// proceed while it runs. `f` must not use this thread's objects or raw references (it
    /// cannot reach the `Thread`: the borrow is held here).
    pub fn allow_threads<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let depth = self.suspend_runtime();
        let r = f();
        self.resume_runtime(depth);
        r
    }

    /// Waits until every other attached thread is at a safe point once (a stop-the-world
    /// handshake that collects nothing), so that no operation another thread began before this
    /// call is still running after it. The C API shim calls it when a second thread attaches:
    /// from then on every thread sees more than one thread attached and locks shared
    /// containers (a Rust thread that is blocked inside the runtime would hold this up; C
    /// threads are outside between API calls).
    pub fn handshake(&mut self) {
        let rt = self.rt.clone();
        let me: *mut Thread = self;
        if let Some(stopped) = rt.safepoints.stop_world(&self.control, me, false) {
            rt.safepoints.resume_world(&stopped);
        }
    }

    /// A safe point: parks while another thread's collection runs. Called at every allocation;
    /// Rust code holding no raw reference may call it in long loops that do not allocate.
    #[inline]
    pub fn safepoint(&mut self) {
        if self.rt.safepoints.stop_requested() && !self.in_collect && !self.in_dealloc {
            let me: *mut Thread = self;
            self.rt.safepoints.park(&self.control, me);
        }
    }

    // ----- handles -----

    /// Roots `obj`, adding a reference under the counting schemes.
    #[inline]
    pub fn root(&mut self, obj: ObjRef) -> Handle {
        refcount::incref(self, obj);
        self.root_owned(obj)
    }

    /// Roots `obj`, taking over a reference the caller owns (a new object).
    #[inline]
    pub fn root_owned(&mut self, obj: ObjRef) -> Handle {
        let i = self.handles.len() as u32;
        self.handles.push(obj);
        Handle(i)
    }

    /// The current referent of `h`. Valid until the next allocation.
    #[inline]
    #[track_caller]
    pub fn get(&self, h: Handle) -> ObjRef {
        self.handles[h.0 as usize]
    }

    /// Points `h` at `obj` (which gains a reference; the old referent loses one).
    pub fn set(&mut self, h: Handle, obj: ObjRef) {
        refcount::incref(self, obj);
        let old = std::mem::replace(&mut self.handles[h.0 as usize], obj);
        refcount::decref(self, old);
    }

    /// The current top of the handle stack.
    #[inline]
    pub fn mark(&self) -> HandleMark {
        HandleMark(self.handles.len() as u32)
    }

    /// Releases every handle created after `m`.
    #[inline]
    pub fn release(&mut self, m: HandleMark) {
        while self.handles.len() > m.0 as usize {
            let obj = self.handles.pop().unwrap();
            refcount::decref(self, obj);
        }
    }

    /// Releases every handle created after `m` except `keep`, which is re-rooted at `m`.
    pub fn escape(&mut self, m: HandleMark, keep: Handle) -> Handle {
        let obj = self.get(keep);
        refcount::incref(self, obj);
        self.release(m);
        self.root_owned(obj)
    }

    /// Runs `f` and releases the handles it created. `f` must not return a handle.
    pub fn scope<R>(&mut self, f: impl FnOnce(&mut Thread) -> R) -> R {
        let m = self.mark();
        let r = f(self);
        self.release(m);
        r
    }

    /// Number of live handles (tests check scopes do not leak).
    pub fn handle_count(&self) -> usize {
        self.handles.len()
    }

    // ----- allocation -----

    /// Allocates an object of type `ty` with `payload_bytes` of zeroed payload. The header is
    /// initialised with one reference owned by the caller (root it with [`Thread::root_owned`]
    /// before the next allocation). May collect first.
    #[inline]
    pub fn alloc_object(&mut self, ty: ObjRef, payload_bytes: usize) -> ObjRef {
        let finalize = binding::needs_finalizer(binding::type_payload(ty).kind, self.scheme);
        self.alloc_object_with(ty, payload_bytes, finalize)
    }

    /// [`Thread::alloc_object`] with an explicit choice: `finalize` makes the collector call the
    /// binding's finalizer when the object dies unreachable (it owns memory outside the heap or
    /// counted references); objects without it are reclaimed without a call.
    pub fn alloc_object_with(
        &mut self,
        ty: ObjRef,
        payload_bytes: usize,
        finalize: bool,
    ) -> ObjRef {
        self.safepoint();
        if !self.in_collect
            && !self.in_dealloc
            && (self.rt.config.gc_stress || self.rt.heap.wants_collection())
        {
            self.collect();
        }
        self.drain_merge_queue();
        let payload_bytes = payload_bytes.max(8).next_multiple_of(8);
        let bytes = VM_HEADER_BYTES + payload_bytes;
        let r = match self.cached_cell(GC_WORD_BYTES + bytes, finalize) {
            Some(r) => {
                // SAFETY: a cached cell is an unreachable, not freed cell of exactly this size
                // (see `free_cell`): its payload is `payload_bytes` long, 8-aligned, and nobody
                // else refers to it.
                unsafe {
                    let w = r.as_ptr().cast::<u64>();
                    if payload_bytes <= 64 {
                        // A few inline stores cost less than a `memset` call (volatile: LLVM
                        // would turn the loop back into one).
                        for i in 0..payload_bytes / 8 {
                            w.add(i).write_volatile(0);
                        }
                    } else {
                        w.cast::<u8>().write_bytes(0, payload_bytes);
                    }
                }
                r
            }
            None => ObjRef::from_gc(if finalize {
                self.mutator.alloc_finalizable(bytes)
            } else {
                self.mutator.alloc(bytes)
            }),
        };
        let h = header_of(r);
        h.set_ty(ty);
        let (a, b) = refcount::initial_counts(self.scheme, self.tid, 1);
        h.rc_a().store(a, Ordering::Relaxed);
        h.rc_b().store(b, Ordering::Relaxed);
        self.unflushed_allocs += 1;
        r
    }

    /// Adds this thread's local counters to `rt.stats` (allocations, deallocations) and the
    /// heap's (freed bytes), so that both are exact. Collections and detaching do it too.
    pub fn flush_stats(&mut self) {
        let s = &self.rt.stats;
        s.allocations.fetch_add(
            std::mem::take(&mut self.unflushed_allocs),
            Ordering::Relaxed,
        );
        s.deallocs.fetch_add(
            std::mem::take(&mut self.unflushed_deallocs),
            Ordering::Relaxed,
        );
        self.mutator.publish_stats();
    }

    /// Debug check that `obj` is not a stale reference: one that was held across an allocation
    /// without a [`Handle`] and whose object has since moved (its old copy is FORWARDED), or was
    /// freed (FREED; free blocks are poisoned with a pattern that has the FREED bit set). Panics
    /// naming the caller's line. Lock-free, so it can sit on every object access in debug builds.
    #[inline]
    #[track_caller]
    pub fn check(&self, obj: ObjRef) {
        if cfg!(debug_assertions) && !obj.is_tagged() {
            use pyopaque_gc::flags::{FORWARDED, FREED};
            let f = header_of(obj).gc_flags().load(Ordering::Relaxed);
            if f & (FREED | FORWARDED) != 0 {
                panic!(
                    "stale object reference {:p}: the object was {} (a reference held across an \
                     allocation without a Handle?)",
                    obj.as_ptr(),
                    if f & FORWARDED != 0 { "moved" } else { "freed" }
                );
            }
        }
    }

    /// A cached free cell of `cell_bytes` whose FINALIZE flag is `finalize`, if any.
    #[inline(always)]
    fn cached_cell(&mut self, cell_bytes: usize, finalize: bool) -> Option<ObjRef> {
        if !self.cell_cache_on || cell_bytes > CACHED_CELL_MAX || self.in_collect {
            return None;
        }
        self.cell_cache[cell_class(cell_bytes, finalize)].pop()
    }

    /// Gives back the cell of `obj`, a dead heap object whose payload was released
    /// (`binding::release_payload`). Small cells of kinds whose released payload is inert (no
    /// references: int boxes without off-heap digits, float, str, bytes, and tuples, whose
    /// release clears the items) and that carry no flag besides FINALIZE are kept in a bounded
    /// per-thread cache and reused by the next allocation of the same size and FINALIZE flag
    /// (CPython's free lists, by size). Until then the cell is unreachable garbage that scans as
    /// an object with no references and a zero count, so the heap walks of a collection ignore
    /// it; every collection first frees the cached cells (see [`Thread::flush_cell_cache`]), so
    /// no cell stays cached across a collection and the collector's accounting is unchanged.
    /// The cache is off where freed cells are poisoned (debug builds), so stale references to
    /// freed objects are still caught there.
    #[inline]
    fn free_cell(&mut self, obj: ObjRef) {
        if self.cell_cache_on && !self.in_collect {
            let h = header_of(obj);
            let cell = h.cell_bytes();
            let f = h.gc_flags().load(Ordering::Relaxed);
            if cell <= CACHED_CELL_MAX && f & !pyopaque_gc::flags::FINALIZE == 0 {
                let finalize = f != 0;
                let inert = match binding::type_payload(h.ty()).kind {
                    crate::types::Kind::Float
                    | crate::types::Kind::Str
                    | crate::types::Kind::Bytes
                    | crate::types::Kind::Tuple => true,
                    crate::types::Kind::Int => !finalize,
                    _ => false,
                };
                let slot = &mut self.cell_cache[cell_class(cell, finalize)];
                if inert && slot.len() < CACHED_PER_CLASS {
                    slot.push(obj);
                    return;
                }
            }
        }
        self.mutator.free(obj.to_gc());
    }

    /// Frees every cached cell for real (before a collection and when the thread detaches).
    fn flush_cell_cache(&mut self) {
        for i in 0..self.cell_cache.len() {
            while let Some(o) = self.cell_cache[i].pop() {
                self.mutator.free(o.to_gc());
            }
        }
    }

    /// Frees `obj` (its count reached zero) and, iteratively, everything only it held.
    pub(crate) fn dealloc(&mut self, obj: ObjRef) {
        if self.in_dealloc {
            self.dealloc_stack.push(obj);
            return;
        }
        self.in_dealloc = true;
        // One buffer for the whole cascade, kept on the thread between deallocations. The first
        // object is taken directly, the ones its release frees from the stack.
        let mut children = std::mem::take(&mut self.dealloc_children);
        let mut first = Some(obj);
        while let Some(o) = first.take().or_else(|| self.dealloc_stack.pop()) {
            children.clear();
            // The only cost of weak references for objects without any: one flag test.
            if header_of(o).gc_flags().load(Ordering::Relaxed) & crate::header::flags::WEAK != 0 {
                self.rt.weak.object_died(self.scheme, o);
            }
            binding::release_payload(o, &mut children);
            for c in children.drain(..) {
                refcount::decref(self, c);
            }
            if !binding::is_external(o) && !crate::kept_cells::is_kept(o) {
                self.free_cell(o);
            }
            self.unflushed_deallocs += 1;
        }
        self.dealloc_children = children;
        self.in_dealloc = false;
    }

    // ----- biased merging -----

    /// Hands `h`'s object to its owner's merge queue (biased). Returns true when the caller must
    /// deallocate it itself (the owner has detached, so the caller merged it).
    pub(crate) fn queue_for_merge(&mut self, owner: u32, h: crate::header::Header) -> bool {
        let queues = self.rt.merge_queues.lock();
        match queues.get(&owner) {
            Some(q) => {
                q.push(h.object());
                false
            }
            None => {
                drop(queues);
                refcount::merge_queued(h)
            }
        }
    }

    /// Merges every object other threads queued for this owner; frees those whose total is zero.
    pub fn drain_merge_queue(&mut self) {
        if self.scheme != Scheme::Biased {
            return;
        }
        while let Some(obj) = self.merge_queue.pop() {
            if refcount::merge_queued(header_of(obj)) {
                self.dealloc(obj);
            }
        }
    }

    // ----- errors -----

    /// Sets the error indicator to the exception instance `exc` (takes a new reference).
    pub fn set_error(&mut self, exc: ObjRef) {
        refcount::incref(self, exc);
        if let Some(old) = self.error.replace(exc) {
            refcount::decref(self, old);
        }
    }

    /// The current exception, if any (borrowed).
    pub fn error(&self) -> Option<ObjRef> {
        self.error
    }

    /// Clears the error indicator and returns the exception, rooted.
    pub fn take_error(&mut self) -> Option<Handle> {
        self.error.take().map(|e| self.root_owned(e))
    }

    /// Clears the error indicator.
    pub fn clear_error(&mut self) {
        if let Some(old) = self.error.take() {
            refcount::decref(self, old);
        }
    }

    // ----- native calls (borrowed references handed to C) -----

    /// Starts a native call: borrowed references handed out until the matching
    /// [`Thread::end_native_call`] stay pinned and alive.
    pub fn begin_native_call(&mut self) {
        self.borrowed_marks.push(self.borrowed.len());
    }

    /// Records that `obj` was handed to C as a borrowed reference.
    ///
    /// An object among the last two entries of the borrowed list is already pinned and kept
    /// alive until at least the end of the innermost native call (every entry is released no
    /// earlier than that call's end), so it is not recorded twice: the common "borrow an item,
    /// then ask for its data" sequence (`PyDict_Next` then `PyUnicode_AsUTF8AndSize` on the key
    /// or value) costs one entry, not two.
    #[inline]
    pub fn note_borrowed(&mut self, obj: ObjRef) {
        if !obj.is_tagged() && !self.borrowed_marks.is_empty() {
            if self.borrowed.iter().rev().take(2).any(|&x| x == obj) {
                return;
            }
            refcount::incref(self, obj);
            self.borrowed.push(obj);
        }
    }

    /// Ends the innermost native call, unpinning what it borrowed.
    pub fn end_native_call(&mut self) {
        let m = self.borrowed_marks.pop().unwrap_or(0);
        while self.borrowed.len() > m {
            let o = self.borrowed.pop().unwrap();
            refcount::decref(self, o);
        }
    }

    // ----- collection -----

    /// Runs a full collection now (compacting), stopping every other attached thread at a safe
    /// point first (`safepoint.rs`). Returns `None` when it did not run: inside a deallocation or
    /// a collection, or because another thread was already collecting (this thread parked until
    /// that collection ended), or, counted in `stats.collections_deferred`, when the collector
    /// refused because a mutator was unaccounted for (which the registry makes impossible).
    pub fn collect(&mut self) -> Option<CollectStats> {
        if self.in_collect || self.in_dealloc {
            return None;
        }
        let rt = self.rt.clone();
        let me: *mut Thread = self;
        let stopped = rt.safepoints.stop_world(&self.control, me, true)?;
        // SAFETY: every pointer is the `Thread` of another registered thread, published before it
        // took a safe state; until `resume_world` those threads do not touch their `Thread` (they
        // are outside the runtime or parked), so these are the only references to them. None is
        // this thread (`stop_world` leaves the caller out).
        let mut others: Vec<&mut Thread> =
            stopped.others.iter().map(|&p| unsafe { &mut *p }).collect();
        for t in others
            .iter_mut()
            .map(|t| &mut **t)
            .chain(std::iter::once(&mut *self))
        {
            t.flush_cell_cache();
            t.flush_stats();
            t.mutator.make_parseable();
            t.in_collect = true;
        }
        // Weak references whose callbacks are due are roots (and, under the counting schemes,
        // references the pinning analysis sees); so are the objects waiting in biased merge
        // queues (they may have no other reference, and must survive until their owner merges
        // them). Both are taken out for the collection and put back with their new addresses.
        let mut weak_pending = rt.weak.take_pending();
        let mut queued = rt.take_merge_queues();
        // Types are external and never move, but their attribute values (methods, constants)
        // live in the heap: the attribute tables are roots. Collect the slots first: the
        // collector rewrites them in place (no other thread runs during a collection).
        let type_type = rt.types.type_;
        let mut attr_slots: Vec<std::ptr::NonNull<ObjRef>> = Vec::new();
        rt.external.for_each_object(|o| {
            if crate::header::header_of(o).ty() == type_type {
                let mut attrs = binding::type_payload(o).attrs.lock();
                for (_, v) in attrs.iter_mut() {
                    attr_slots.push(std::ptr::NonNull::from(v));
                }
            }
        });
        let result = {
            let mut movable: Vec<&mut [ObjRef]> = Vec::new();
            let mut errors: Vec<&mut Option<ObjRef>> = Vec::new();
            let mut borrowed: Vec<&[ObjRef]> = Vec::new();
            let mut mutators: Vec<&mut Mutator<RtBinding>> = Vec::new();
            for t in others.iter_mut() {
                let Thread {
                    handles,
                    error,
                    borrowed: b,
                    mutator,
                    ..
                } = &mut **t;
                movable.push(handles.as_mut_slice());
                errors.push(error);
                borrowed.push(b.as_slice());
                mutators.push(&mut **mutator);
            }
            let Thread {
                handles,
                error,
                borrowed: b,
                mutator,
                ..
            } = self;
            movable.push(handles.as_mut_slice());
            errors.push(error);
            borrowed.push(b.as_slice());
            movable.push(weak_pending.as_mut_slice());
            // Every list so far owns one counted reference per entry (handles, the error
            // indicator, borrowed references, due weak callbacks): what the pinning analysis
            // subtracts. Merge-queue entries own none, so they are roots but not "visible".
            let pinned = {
                let visible: Vec<&[ObjRef]> = movable
                    .iter()
                    .map(|m| &**m)
                    .chain(errors.iter().map(|e| e.as_slice()))
                    .collect();
                crate::pinning::pinned_objects(&rt, rt.config.scheme, &visible, &borrowed)
            };
            for (_, q) in queued.iter_mut() {
                movable.push(q.as_mut_slice());
            }
            let mut roots = WorldRoots {
                movable,
                errors,
                pinned: &pinned,
                attr_slots: &attr_slots,
            };
            // SAFETY: every other thread is stopped until `resume_world` below (see above), and
            // `roots` holds every thread's handles, error indicator and (as pinned roots)
            // borrowed references.
            unsafe { mutator.collect_stopped(&mut mutators, &mut roots) }
        };
        rt.weak.restore_pending(weak_pending);
        rt.restore_merge_queues(queued);
        for t in others
            .iter_mut()
            .map(|t| &mut **t)
            .chain(std::iter::once(&mut *self))
        {
            t.in_collect = false;
        }
        drop(others);
        rt.safepoints.resume_world(&stopped);
        match result {
            Ok(stats) => {
                let s = &self.rt.stats;
                s.collections.fetch_add(1, Ordering::Relaxed);
                s.last_pinned
                    .store(stats.pinned_objects as u64, Ordering::Relaxed);
                s.pinned_total
                    .fetch_add(stats.pinned_objects as u64, Ordering::Relaxed);
                s.live_total.fetch_add(
                    (stats.pinned_objects + stats.moved_objects) as u64,
                    Ordering::Relaxed,
                );
                Some(stats)
            }
            Err(_) => {
                self.rt
                    .stats
                    .collections_deferred
                    .fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        // A thread detaching from outside the runtime (a C thread exiting) enters it first.
        if self.runtime_depth == 0 {
            self.enter_runtime();
        }
        self.clear_error();
        self.end_all_native_calls();
        let m = HandleMark(0);
        self.release(m);
        self.rt.merge_queues.lock().remove(&self.tid);
        self.drain_merge_queue();
        self.flush_cell_cache();
        self.flush_stats();
        let rt = self.rt.clone();
        let me: *mut Thread = self;
        let mutator: *mut std::mem::ManuallyDrop<Mutator<RtBinding>> = &mut self.mutator;
        rt.safepoints.unregister(&self.control, me, || {
            // SAFETY: dropped exactly once, here; the thread is unregistered (under the world
            // lock), so no collection reaches this mutator any more.
            unsafe { std::mem::ManuallyDrop::drop(&mut *mutator) }
        });
        rt.attached.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Thread {
    fn end_all_native_calls(&mut self) {
        while !self.borrowed_marks.is_empty() {
            self.end_native_call();
        }
    }
}

/// The roots of one collection: every thread's handle stack, the weak callback queue and the
/// biased merge queues (movable), every thread's error indicator (movable), the attribute
/// tables of types, plus the pinned set computed by `pinning.rs`.
struct WorldRoots<'a> {
    movable: Vec<&'a mut [ObjRef]>,
    errors: Vec<&'a mut Option<ObjRef>>,
    pinned: &'a [ObjRef],
    /// Attribute values of type objects (see `Thread::collect`).
    attr_slots: &'a [std::ptr::NonNull<ObjRef>],
}

impl RootSet for WorldRoots<'_> {
    fn movable_roots(&mut self, visit: &mut dyn FnMut(Slot)) {
        let lists = self.movable.iter_mut().map(|m| &mut **m);
        let errors = self.errors.iter_mut().map(|e| e.as_mut_slice());
        for r in lists.chain(errors).flat_map(|l| l.iter_mut()) {
            if !r.is_tagged() && !binding::is_external(*r) {
                // SAFETY: `r` is a live element of a handle stack, an error slot, the weak
                // callback queue or a merge queue, holding a heap reference; it stays in place
                // for the whole collection (borrowed mutably by this RootSet), and ObjRef is a
                // transparent wrapper of the same pointer ObjectReference wraps.
                visit(unsafe { Slot::new(std::ptr::NonNull::from(r).cast::<ObjectReference>()) });
            }
        }
        for slot in self.attr_slots {
            // SAFETY: the slot is an element of a type's attribute vector, which nothing
            // resizes during the collection (every other thread is stopped, and the collector
            // runs no Rust code that sets attributes).
            let r = unsafe { slot.read() };
            if !r.is_tagged() && !binding::is_external(r) {
                // SAFETY: as above; ObjRef and ObjectReference wrap the same pointer.
                visit(unsafe { Slot::new(slot.cast::<ObjectReference>()) });
            }
        }
    }

    fn pinned_roots(&mut self, visit: &mut dyn FnMut(ObjectReference)) {
        for r in self.pinned {
            visit(r.to_gc());
        }
    }
}
