//! Stop-the-world safe points: how a collection started on one attached thread waits for the
//! others (docs/design.md, "Threads: stop-the-world").
//!
//! Every attached thread has a [`ThreadControl`] whose state word says where it is:
//! - [`IN_RUNTIME`]: running Rust code of the runtime (inside a C API call, or Rust code that
//!   holds raw references). Not at a safe point.
//! - [`OUTSIDE`]: running C code of its own, or blocked (`Py_BEGIN_ALLOW_THREADS`, waiting for a
//!   lock, waiting for a collection to end). Every reference its C code holds is pinned (a
//!   C-held count or a borrowed reference still recorded), and its handles are in its `Thread`,
//!   so it is always at a safe point.
//! - [`PARKED`]: stopped at a safe point inside the runtime (an allocation), waiting for the
//!   collection to end.
//!
//! Protocol. The collecting thread takes the world lock, sets `stopping` and the `stop` flag,
//! issues a heavy fence, and waits (condition variable) until every other registered thread is
//! not `IN_RUNTIME`. It then owns every thread's `Thread` (reached through the pointer each
//! thread publishes when it leaves the runtime or parks), collects with all their roots, clears
//! the flag and wakes everyone. A thread entering the runtime stores `IN_RUNTIME`, issues a
//! light fence and reads `stop`; when set, it goes back to `OUTSIDE` and waits for the end of
//! the collection. A thread at an allocation reads `stop` and parks. A thread leaving the
//! runtime stores `OUTSIDE` and, when `stop` is set, wakes the collector.
//!
//! The fences are asymmetric (Dekker's store-then-load on both sides, paid by the rare side):
//! the light fence on the hot entry path is a compiler fence, and the collector's heavy fence is
//! `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, which makes every thread of the process run a
//! full barrier. Where the system call is missing (or under Miri) both sides use a `SeqCst`
//! fence.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::thread::Thread;

/// State: running runtime code (not at a safe point).
pub const IN_RUNTIME: u32 = 0;
/// State: outside the runtime (C code, blocked, or waiting to enter): at a safe point.
pub const OUTSIDE: u32 = 1;
/// State: parked at a safe point inside the runtime, waiting for a collection to end.
pub const PARKED: u32 = 2;

/// One attached thread as the collector sees it. Invariant: `thread` is the address of the
/// thread's `Thread` whenever `state` is not [`IN_RUNTIME`] (published before the state store,
/// with release ordering), and the owner touches its `Thread` only while `IN_RUNTIME`.
#[repr(align(64))]
pub struct ThreadControl {
    pub(crate) state: AtomicU32,
    pub(crate) thread: AtomicPtr<Thread>,
    /// The runtime thread id (for diagnostics).
    pub(crate) tid: u32,
}

impl ThreadControl {
    /// The current state word ([`IN_RUNTIME`], [`OUTSIDE`] or [`PARKED`]).
    pub fn state(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }
}

/// Registry of attached threads and the stop-the-world handshake of one runtime.
pub struct Safepoints {
    /// Set while a collection stops the world (mirrors `World::stopping`; read on hot paths).
    stop: AtomicBool,
    world: Mutex<World>,
    cond: Condvar,
    /// Collections that stopped at least one other thread.
    pub(crate) stops: AtomicU64,
    /// Total nanoseconds from a stop request until every other thread was at a safe point.
    pub(crate) sync_ns_total: AtomicU64,
    /// Total and largest pause (stop request to resume) of collections with other threads.
    pub(crate) pause_ns_total: AtomicU64,
    pub(crate) pause_ns_max: AtomicU64,
}

struct World {
    stopping: bool,
    threads: Vec<Arc<ThreadControl>>,
}

/// What `stop_world` found: the other threads' `Thread`s, and when the stop was requested.
pub(crate) struct Stopped {
    pub(crate) others: Vec<*mut Thread>,
    pub(crate) t0: Instant,
    /// A collection (counted in the statistics), not a handshake.
    collecting: bool,
}

/// True when `membarrier` provides the heavy fence (checked once per process).
static ASYMMETRIC: AtomicBool = AtomicBool::new(false);

#[cfg(all(target_os = "linux", not(miri)))]
fn register_membarrier() -> bool {
    const QUERY: libc::c_long = 0;
    const PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;
    // SAFETY: membarrier takes two integers and touches no memory of ours.
    let supported = unsafe { libc::syscall(libc::SYS_membarrier, QUERY, 0) };
    if supported < 0 || supported & PRIVATE_EXPEDITED == 0 {
        return false;
    }
    // SAFETY: as above.
    unsafe { libc::syscall(libc::SYS_membarrier, REGISTER_PRIVATE_EXPEDITED, 0) == 0 }
}

#[cfg(not(all(target_os = "linux", not(miri))))]
fn register_membarrier() -> bool {
    false
}

/// The fence of the frequent side (entering the runtime): a compiler fence when the collector
/// uses `membarrier`, else a full fence.
#[inline(always)]
pub fn light_fence() {
    if ASYMMETRIC.load(Ordering::Relaxed) {
        std::sync::atomic::compiler_fence(Ordering::SeqCst);
    } else {
        std::sync::atomic::fence(Ordering::SeqCst);
    }
}

/// The fence of the rare side (the collector after setting `stop`; the C API shim when a second
/// thread attaches): every thread of the process has run a full barrier when it returns.
pub fn heavy_fence() {
    #[cfg(all(target_os = "linux", not(miri)))]
    if ASYMMETRIC.load(Ordering::Relaxed) {
        const PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
        // SAFETY: as in `register_membarrier`.
        if unsafe { libc::syscall(libc::SYS_membarrier, PRIVATE_EXPEDITED, 0) } == 0 {
            return;
        }
    }
    std::sync::atomic::fence(Ordering::SeqCst);
}

impl Default for Safepoints {
    fn default() -> Self {
        Self::new()
    }
}

impl Safepoints {
    /// A registry with no thread.
    pub fn new() -> Safepoints {
        static INIT: std::sync::Once = std::sync::Once::new();
        INIT.call_once(|| ASYMMETRIC.store(register_membarrier(), Ordering::Relaxed));
        Safepoints {
            stop: AtomicBool::new(false),
            world: Mutex::new(World {
                stopping: false,
                threads: Vec::new(),
            }),
            cond: Condvar::new(),
            stops: AtomicU64::new(0),
            sync_ns_total: AtomicU64::new(0),
            pause_ns_total: AtomicU64::new(0),
            pause_ns_max: AtomicU64::new(0),
        }
    }

    /// True while a collection asks every thread to stop (acquire: a thread that sees it clear
    /// after a collection sees what the collector wrote).
    #[inline(always)]
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// True when the collector's heavy fence is `membarrier` (the entry path pays a compiler
    /// fence only).
    pub fn asymmetric_fences() -> bool {
        ASYMMETRIC.load(Ordering::Relaxed)
    }

    /// Registers a new thread, `IN_RUNTIME`. Waits while a collection runs (the new thread owns
    /// nothing yet, so it may block).
    pub(crate) fn register(&self, tid: u32) -> Arc<ThreadControl> {
        let c = Arc::new(ThreadControl {
            state: AtomicU32::new(IN_RUNTIME),
            thread: AtomicPtr::new(std::ptr::null_mut()),
            tid,
        });
        let mut w = self.world.lock();
        while w.stopping {
            self.cond.wait(&mut w);
        }
        w.threads.push(c.clone());
        c
    }

    /// Removes `me` (the calling thread, `IN_RUNTIME`) from the registry, first waiting out a
    /// running collection as a parked thread; `last_words` runs under the world lock after the
    /// removal (the thread drops its allocator there, so no collection sees it half gone).
    pub(crate) fn unregister(
        &self,
        me: &ThreadControl,
        thread: *mut Thread,
        last_words: impl FnOnce(),
    ) {
        let mut w = self.world.lock();
        self.park_locked(&mut w, me, thread, PARKED);
        w.threads.retain(|c| !std::ptr::eq(&**c, me));
        last_words();
    }

    /// Number of registered threads.
    pub fn registered(&self) -> usize {
        self.world.lock().threads.len()
    }

    /// While a collection runs: publish `thread`, take state `as_state` (safe), wake the
    /// collector and wait for the end; then `IN_RUNTIME` again (under the lock, so no new
    /// collection can have read the state in between).
    fn park_locked(
        &self,
        w: &mut parking_lot::MutexGuard<'_, World>,
        me: &ThreadControl,
        thread: *mut Thread,
        as_state: u32,
    ) {
        if !w.stopping {
            me.state.store(IN_RUNTIME, Ordering::Relaxed);
            return;
        }
        me.thread.store(thread, Ordering::Relaxed);
        me.state.store(as_state, Ordering::Release);
        self.cond.notify_all();
        while w.stopping {
            self.cond.wait(w);
        }
        me.state.store(IN_RUNTIME, Ordering::Relaxed);
    }

    /// Slow path of entering the runtime (the fast path saw `stop`): back to `OUTSIDE` until the
    /// collection ends, then `IN_RUNTIME`.
    #[cold]
    #[inline(never)]
    pub(crate) fn enter_slow(&self, me: &ThreadControl, thread: *mut Thread) {
        let mut w = self.world.lock();
        self.park_locked(&mut w, me, thread, OUTSIDE);
    }

    /// Slow path of leaving the runtime (the fast path saw `stop` after storing `OUTSIDE`):
    /// wake the collector.
    #[cold]
    #[inline(never)]
    pub(crate) fn leave_slow(&self) {
        let _w = self.world.lock();
        self.cond.notify_all();
    }

    /// A safe point inside the runtime (an allocation): parks while a collection runs.
    #[cold]
    #[inline(never)]
    pub(crate) fn park(&self, me: &ThreadControl, thread: *mut Thread) {
        let mut w = self.world.lock();
        self.park_locked(&mut w, me, thread, PARKED);
    }

    /// Stops every other registered thread at a safe point. Returns `None` when another thread
    /// was already collecting: the caller (at an allocation, so at a safe point) parked until
    /// that collection ended and should not collect now. Every returned `Thread` belongs to the
    /// caller until [`Safepoints::resume_world`].
    pub(crate) fn stop_world(
        &self,
        me: &ThreadControl,
        thread: *mut Thread,
        collecting: bool,
    ) -> Option<Stopped> {
        let mut w = self.world.lock();
        if w.stopping {
            self.park_locked(&mut w, me, thread, PARKED);
            return None;
        }
        let t0 = Instant::now();
        w.stopping = true;
        self.stop.store(true, Ordering::SeqCst);
        let alone = w.threads.len() <= 1;
        if !alone {
            heavy_fence();
        }
        let mut warned = false;
        loop {
            let waiting = w
                .threads
                .iter()
                .find(|c| !std::ptr::eq(&***c, me) && c.state.load(Ordering::Acquire) == IN_RUNTIME)
                .map(|c| c.tid);
            let Some(tid) = waiting else { break };
            if self
                .cond
                .wait_for(&mut w, Duration::from_secs(10))
                .timed_out()
                && !warned
            {
                warned = true;
                eprintln!(
                    "pyopaque: a collection has waited 10 s for thread {tid} to reach a safe \
                     point (a thread blocked inside the runtime: wrap blocking calls in \
                     Py_BEGIN_ALLOW_THREADS / Thread::allow_threads)"
                );
            }
        }
        let others: Vec<*mut Thread> = w
            .threads
            .iter()
            .filter(|c| !std::ptr::eq(&***c, me))
            .map(|c| c.thread.load(Ordering::Relaxed))
            .collect();
        if collecting && !others.is_empty() {
            self.stops.fetch_add(1, Ordering::Relaxed);
            self.sync_ns_total
                .fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
        Some(Stopped {
            others,
            t0,
            collecting,
        })
    }

    /// Ends the stop started by [`Safepoints::stop_world`] and wakes every waiting thread.
    pub(crate) fn resume_world(&self, stopped: &Stopped) {
        let mut w = self.world.lock();
        if stopped.collecting && !stopped.others.is_empty() {
            let ns = stopped.t0.elapsed().as_nanos() as u64;
            self.pause_ns_total.fetch_add(ns, Ordering::Relaxed);
            self.pause_ns_max.fetch_max(ns, Ordering::Relaxed);
        }
        w.stopping = false;
        self.stop.store(false, Ordering::Release);
        drop(w);
        self.cond.notify_all();
    }
}
