//! The conventions every exported function follows, written once.
//!
//! * **Process model.** One runtime per process ([`global`]), created by `pyopaque_capi_init`
//!   (or with `Config::default()` on first use). Each OS thread attaches a [`Thread`] on its
//!   first C API call; it lives in a thread-local slot until the thread exits.
//! * **Entry.** Every exported function body is `capi!("Name", |cx| ...)` (or [`api`]): it
//!   records coverage, finds the thread, marks the handle stack, runs the body under
//!   `catch_unwind` (a panic becomes `SystemError`, never unwinding into C), releases the handles
//!   the body created and runs decrefs C requested from inside finalizers. The body returns
//!   `PyResult<R>`: `Err(Raised)` means "an exception is set" and becomes `R::ERR` (NULL / -1).
//! * **Pointers.** [`from_c`] turns a `PyObject*` into an [`ObjRef`] (immediates stay immediate;
//!   the addresses of exported static type symbols are translated to runtime types; in debug mode
//!   freed objects are caught). [`to_c`] goes back (builtin types leave as their static symbol).
//!   [`new_ref`] hands out a new reference (C-held count: pins the object under every scheme);
//!   [`borrowed`] hands out a borrowed one (pinned until the native call returns).
//! * **Hot paths.** The thread is found without TLS on the common path (the published thread,
//!   see "The fast path to the thread" below), and the process-wide flags the entry checks
//!   (finalizers running, deferred decrefs, debug mode) are one counter in one cache line
//!   ([`lean_thread`], [`lean_tagged`]). Hot functions use [`capi_lean!`]: a fast path with no
//!   handle scope (it roots nothing and cannot allocate, or hands a fresh object over with
//!   [`hand_over`]), still under `catch_unwind`, falling back to the general `capi!` body out
//!   of line ([`api_cold`]). Immediates are answered before any of that (`PyLong_FromLong`,
//!   `PyLong_AsLong`, `Py_IncRef`/`Py_DecRef`, `PyList_GetItem`/`PyList_Append` on `int`
//!   storage with tagging need no thread at all). Coverage stays: one relaxed load per call.
//! * **Re-entrancy.** C code called from the shim may call the shim again. The thread is reached
//!   through a raw pointer; before calling C the shim publishes the pointer derived from its own
//!   `&mut Thread` ([`call_c`]), so a nested entry borrows from it rather than aliasing it.
//!   While the runtime itself is inside a deallocation or collection (it holds `&mut Thread`),
//!   C finalizers (`tp_dealloc`) run in *finalizing* mode: only thread-free functions work and
//!   `Py_DECREF` is deferred to the next entry ([`defer_decref`]).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::config::{BorrowPolicy, Scheme};
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::refcount;
use pyopaque_runtime::{Config, Handle, ObjRef, PyResult, Raised, Runtime, Thread};

use crate::boundary::ffi::PyObject;

/// The process-wide state of the shim.
pub struct Global {
    /// The runtime.
    pub rt: Arc<Runtime>,
    /// `PYOPAQUE_CAPI_DEBUG=1` at init.
    pub debug: bool,
    /// Exported static type symbols and their runtime types.
    pub statics: crate::boundary::static_symbols::StaticTypes,
    /// `PyModuleDef*` values returned by `PyModuleDef_Init` (multi-phase init).
    pub module_defs: Mutex<BTreeSet<usize>>,
}

static GLOBAL: OnceLock<Global> = OnceLock::new();

/// What the layers above the boundary hand it, so that the boundary imports nothing above it:
/// the crate root registers one `Layers` ([`register_layers`]) before the runtime starts.
pub struct Layers {
    /// The object protocol the runtime calls back into (installed when the runtime starts).
    pub protocol_hooks: &'static pyopaque_runtime::ProtocolHooks,
    /// Builds the upper layers' process state when the runtime starts (the shim's own types,
    /// the `PyExc_*` variables) and returns the static symbols of those types with the runtime
    /// type each stands for (`(symbol address, type)`, added to the translation table).
    pub start: fn(&Arc<Runtime>) -> Vec<(usize, ObjRef)>,
    /// Runs at the safe point at the end of an API call when weak-reference callbacks are
    /// pending (queued by the collector or the deallocator).
    pub safe_point: fn(&mut Thread),
}

static LAYERS: OnceLock<&'static Layers> = OnceLock::new();

/// Registers the layers above the boundary (first registration wins; the crate root makes it
/// when the library is loaded, before any C call can start the runtime).
pub fn register_layers(layers: &'static Layers) {
    let _ = LAYERS.set(layers);
}

fn layers() -> &'static Layers {
    LAYERS
        .get()
        .expect("the crate root registers the layers above the boundary at load time")
}

/// Parses `scheme=classic,immortal=on,tagging=on,strategies=on,gc_stress=off,borrow=deopt`.
/// Missing keys keep `Config::default()`.
pub fn parse_config(s: &str) -> Result<Config, String> {
    let mut c = Config::default();
    let onoff = |k: &str, v: &str| match v {
        "on" | "1" | "true" => Ok(true),
        "off" | "0" | "false" => Ok(false),
        _ => Err(format!("{k} takes on|off, not {v:?}")),
    };
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("expected key=value: {part:?}"))?;
        match k {
            "scheme" => c.scheme = v.parse::<Scheme>()?,
            "immortal" => c.immortal = onoff(k, v)?,
            "tagging" => c.tagging = onoff(k, v)?,
            "strategies" => c.strategies = onoff(k, v)?,
            "gc_stress" => c.gc_stress = onoff(k, v)?,
            "borrow" => {
                c.borrow_policy = match v {
                    "deopt" | "deoptimize" => BorrowPolicy::Deoptimize,
                    "box" | "cache" | "boxcache" | "box_cache" => BorrowPolicy::BoxCache,
                    _ => return Err(format!("borrow takes deopt|box, not {v:?}")),
                }
            }
            "collect_after" => {
                c.collect_after_bytes = v
                    .parse()
                    .map_err(|_| format!("collect_after takes a byte count, not {v:?}"))?
            }
            _ => return Err(format!("unknown configuration key {k:?}")),
        }
    }
    Ok(c)
}

/// Creates the process's runtime with `config`. Fails when a runtime with a different
/// configuration already exists.
pub fn init(config: Config) -> Result<&'static Global, String> {
    let g = GLOBAL.get_or_init(|| build(config.clone()));
    if g.rt.config != config {
        return Err(format!(
            "the C API runtime already runs with {:?}; one runtime per process",
            g.rt.config
        ));
    }
    Ok(g)
}

fn build(config: Config) -> Global {
    let rt = Runtime::new(config);
    rt.note_c_api_used();
    let layers = layers();
    rt.set_protocol_hooks(layers.protocol_hooks);
    let debug = std::env::var("PYOPAQUE_CAPI_DEBUG").is_ok_and(|v| v == "1");
    HOT.debug.store(debug, Ordering::Relaxed);
    if debug {
        HOT.slow.fetch_add(1, Ordering::Relaxed);
    }
    let upper_symbols = (layers.start)(&rt);
    let statics = crate::boundary::static_symbols::StaticTypes::new(&rt, upper_symbols);
    let (lo, hi) = statics.range();
    HOT.static_span.store(hi - lo, Ordering::Relaxed);
    HOT.static_min.store(lo, Ordering::Release);
    HOT.list_type
        .store(rt.types.list.as_ptr(), Ordering::Relaxed);
    HOT.int_type.store(rt.types.int.as_ptr(), Ordering::Relaxed);
    HOT.float_type
        .store(rt.types.float.as_ptr(), Ordering::Relaxed);
    HOT.type_type
        .store(rt.types.type_.as_ptr(), Ordering::Relaxed);
    HOT.tagging.store(rt.config.tagging, Ordering::Relaxed);
    Global {
        rt,
        debug,
        statics,
        module_defs: Mutex::new(BTreeSet::new()),
    }
}

/// The process's shim state (created with the default configuration on first use).
#[inline]
pub fn global() -> &'static Global {
    match GLOBAL.get() {
        Some(g) => g,
        None => {
            let _ = init(Config::default());
            GLOBAL.get().expect("initialised above")
        }
    }
}

// ----- the thread slot -----
//
// # The fast path to the thread
// A `thread_local!` in a cdylib is reached through `__tls_get_addr` (the general-dynamic TLS
// model; stable Rust cannot ask for initial-exec), about 3-5 ns per access, several accesses per
// call. So one thread, the first to attach (in practice the only one: `classic` refuses a
// second), is also published in `HOT` (`fast_tp`, `fast_thread`): its *thread pointer* (the `fs` base on
// x86-64, `tpidr_el0` on aarch64: one instruction, unique among live threads) and its
// `*mut Thread`. An entry compares its own thread pointer with the published one (one load, one
// compare) and takes the `Thread` from the static; every other thread uses the TLS slot. The
// owner withdraws the publication before its `Thread` is freed at thread exit, so a later
// thread that reuses the same thread pointer never sees it. Only the owner writes `fast_thread`
// (and only while it is the owner), and only the owner reads it.

struct ThreadSlot {
    ptr: Cell<*mut Thread>,
    /// This thread added one to `HOT.slow` when it attached (it is not the published thread),
    /// turning every lean path off while it lives (see "Lean paths and other threads").
    slowed: Cell<bool>,
}

impl Drop for ThreadSlot {
    fn drop(&mut self) {
        let tp = thread_word();
        if tp != 0 && HOT.fast_tp.load(Ordering::Acquire) == tp {
            HOT.fast_tp.store(0, Ordering::Release);
        }
        let p = self.ptr.replace(std::ptr::null_mut());
        if !p.is_null() {
            // SAFETY: `p` came from Box::into_raw in `thread_ptr` and is dropped exactly once,
            // when the OS thread exits (no shim code runs on this thread afterwards).
            drop(unsafe { Box::from_raw(p) });
        }
        if self.slowed.replace(false) {
            HOT.slow.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// The hot-path state, in one cache line (one address computation for all of it).
#[repr(C, align(64))]
struct Hot {
    /// The thread pointer of the thread whose `Thread` is published in `fast_thread` (0: none).
    fast_tp: AtomicUsize,
    /// The published thread's `Thread` (see the section comment).
    fast_thread: AtomicPtr<Thread>,
    /// Non-zero when a lean path must not run: finalizers running + deferred decrefs queued (in
    /// any thread) + 1 in debug mode.
    slow: AtomicUsize,
    /// Number of threads currently running a C finalizer (the TLS counter is read only when > 0).
    finalizers: AtomicUsize,
    /// Number of deferred decrefs queued in any thread (the TLS queue is read only when > 0).
    deferred: AtomicUsize,
    /// Debug mode, as a plain flag.
    debug: AtomicBool,
    /// `Config::tagging` of the runtime (false until it exists).
    tagging: AtomicBool,
    /// Lowest exported static type symbol address (0 and a full span until the runtime exists,
    /// so that every pointer takes the slow path that creates it).
    static_min: AtomicUsize,
    /// `max - min` of the static type symbol addresses.
    static_span: AtomicUsize,
    /// The runtime's `list`, `int`, `float` and `type` types (payload addresses), for one-compare
    /// type tests on the hot paths (null until the runtime exists).
    list_type: AtomicPtr<u8>,
    int_type: AtomicPtr<u8>,
    float_type: AtomicPtr<u8>,
    type_type: AtomicPtr<u8>,
}

static HOT: Hot = Hot {
    fast_tp: AtomicUsize::new(0),
    fast_thread: AtomicPtr::new(std::ptr::null_mut()),
    slow: AtomicUsize::new(0),
    finalizers: AtomicUsize::new(0),
    deferred: AtomicUsize::new(0),
    debug: AtomicBool::new(false),
    tagging: AtomicBool::new(false),
    static_min: AtomicUsize::new(0),
    static_span: AtomicUsize::new(usize::MAX),
    list_type: AtomicPtr::new(std::ptr::null_mut()),
    int_type: AtomicPtr::new(std::ptr::null_mut()),
    float_type: AtomicPtr::new(std::ptr::null_mut()),
    type_type: AtomicPtr::new(std::ptr::null_mut()),
};

/// The calling OS thread's thread pointer (0 where the platform offers none: the fast path is
/// then never taken).
#[inline(always)]
fn thread_word() -> usize {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        let v: usize;
        // SAFETY: on x86-64 Linux `fs:0` holds the thread control block's self pointer (the
        // TLS ABI); reading it has no side effects and it is constant for the thread's life.
        unsafe {
            std::arch::asm!("mov {}, qword ptr fs:[0]", out(reg) v, options(nostack, readonly, preserves_flags, pure));
        }
        v
    }
    #[cfg(all(target_arch = "aarch64", target_os = "linux"))]
    {
        let v: usize;
        // SAFETY: reading the EL0 thread pointer register has no side effects.
        unsafe {
            std::arch::asm!("mrs {}, tpidr_el0", out(reg) v, options(nomem, nostack, preserves_flags, pure));
        }
        v
    }
    #[cfg(not(any(
        all(target_arch = "x86_64", target_os = "linux"),
        all(target_arch = "aarch64", target_os = "linux")
    )))]
    {
        0
    }
}

/// True when debug mode is on (one relaxed load; false until the runtime exists).
#[inline(always)]
pub fn debug_fast() -> bool {
    HOT.debug.load(Ordering::Relaxed)
}

/// True when the runtime runs with tagging (immediate small ints).
#[inline(always)]
pub fn tagging_fast() -> bool {
    HOT.tagging.load(Ordering::Relaxed)
}

/// True when thread-free lean paths on immediates may run: tagging on, no finalizer running,
/// no deferred decrefs, debug mode off (one cache line).
#[inline(always)]
pub fn lean_tagged() -> bool {
    HOT.slow.load(Ordering::Relaxed) == 0 && HOT.tagging.load(Ordering::Relaxed)
}

/// True when `o` is a heap object whose type is exactly the runtime's `list`.
#[inline(always)]
pub fn is_exact_list(o: ObjRef) -> bool {
    !o.is_tagged() && header_of(o).ty().as_ptr() == HOT.list_type.load(Ordering::Relaxed)
}

/// True when `o` is a heap object whose type is exactly the runtime's `int`.
#[inline(always)]
pub fn is_exact_int(o: ObjRef) -> bool {
    !o.is_tagged() && header_of(o).ty().as_ptr() == HOT.int_type.load(Ordering::Relaxed)
}

/// True when `t` is the runtime's `type` (one compare against the published address).
#[inline(always)]
pub fn is_type_type(t: ObjRef) -> bool {
    let tt = HOT.type_type.load(Ordering::Relaxed);
    if tt.is_null() {
        return t == global().rt.types.type_;
    }
    t.as_ptr() == tt
}

/// True when `o` is a heap object whose type is exactly the runtime's `float`.
#[inline(always)]
pub fn is_exact_float(o: ObjRef) -> bool {
    !o.is_tagged() && header_of(o).ty().as_ptr() == HOT.float_type.load(Ordering::Relaxed)
}

thread_local! {
    static SLOT: ThreadSlot = const {
        ThreadSlot { ptr: Cell::new(std::ptr::null_mut()), slowed: Cell::new(false) }
    };
    /// > 0 while a C finalizer runs inside the runtime's deallocation or collection.
    static FINALIZING: Cell<u32> = const { Cell::new(0) };
    /// When finalizing inside a collection under a counting scheme, decrefs are dropped (the
    /// referent may be dead in the same collection).
    static DISCARD_DECREFS: Cell<bool> = const { Cell::new(false) };
    /// Objects whose `tp_dealloc` is running, and whether it released the memory yet (the
    /// runtime frees it afterwards, so `PyObject_Free`/`PyObject_GC_Del` on them only record
    /// that C gave the memory back).
    static IN_DEALLOC: RefCell<Vec<(usize, bool)>> = const { RefCell::new(Vec::new()) };
    /// Decrefs requested while finalizing: (object, C-held?).
    static DEFERRED: RefCell<Vec<(ObjRef, bool)>> = const { RefCell::new(Vec::new()) };
    /// Debug mode: the API function running on this thread (for reports).
    static CURRENT_API: Cell<&'static str> = const { Cell::new("C API") };
}

/// The calling thread's [`Thread`], attaching it on first use. `None` (after printing why) when
/// the runtime refuses a second thread (`classic` is single-threaded).
#[inline(always)]
pub fn thread_ptr() -> Option<*mut Thread> {
    let tp = thread_word();
    if tp != 0 && HOT.fast_tp.load(Ordering::Acquire) == tp {
        return Some(HOT.fast_thread.load(Ordering::Relaxed));
    }
    thread_ptr_slow(tp)
}

#[cold]
#[inline(never)]
fn thread_ptr_slow(tp: usize) -> Option<*mut Thread> {
    let p = match SLOT.try_with(|s| s.ptr.get()) {
        Ok(p) => p,
        Err(_) => {
            // The thread is exiting and its runtime thread was already detached (a TLS
            // destructor of C code calling the API after ours ran).
            eprintln!(
                "pyopaque C API: a C API call on a thread whose runtime thread was detached \
                 (the thread is exiting); the call fails"
            );
            return None;
        }
    };
    if !p.is_null() {
        return Some(p);
    }
    let g = global();
    match Thread::attach(&g.rt) {
        Ok(mut t) => {
            if g.rt.attached_threads() > 1 {
                // No operation another thread began before this one attached is still running
                // (they lock shared containers from now on; see `boundary::locking`).
                t.handshake();
            }
            // A base frame: borrowed references handed out outside any native call stay pinned.
            t.begin_native_call();
            let p = Box::into_raw(Box::new(t));
            SLOT.with(|s| s.ptr.set(p));
            // The thread runs C code between API calls: outside the runtime (at a safe point).
            // SAFETY: `p` is the Box just made; nothing else refers to it yet.
            unsafe { (*p).leave_runtime() };
            if tp != 0
                && HOT
                    .fast_tp
                    .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                // This thread owns the publication now (usize::MAX matches no thread pointer).
                HOT.fast_thread.store(p, Ordering::Relaxed);
                HOT.fast_tp.store(tp, Ordering::Release);
            } else {
                slow_lean_paths_for_this_thread();
            }
            Some(p)
        }
        Err(e) => {
            eprintln!("pyopaque C API: cannot attach this thread: {e}");
            None
        }
    }
}

// # Lean paths and other threads
// Lean paths (`capi_lean!`, the fast `Py_IncRef`/`Py_DecRef`, `PyTuple_Pack`) run only on the
// published thread and only while no other thread is attached; they skip the safe-point state
// flip of `api` (`Thread::enter_runtime`/`leave_runtime`), so a lone thread pays nothing for
// threads. Each runs with `LEAN_ACTIVE` set, stored *before* it reads `HOT.slow`. A thread
// attaching besides the published one adds one to `HOT.slow` (every later lean path declines
// and takes the general path, which flips the state), issues the runtime's heavy fence and
// waits, outside the runtime, until `LEAN_ACTIVE` is clear: a lean path that had already
// started has ended, so no collection the new thread starts can overlap one.

/// Set by the published thread while it runs a lean path (its own cache line: nobody else
/// writes it, and the attaching thread reads it once).
#[repr(align(64))]
struct LeanActive(AtomicBool);
static LEAN_ACTIVE: LeanActive = LeanActive(AtomicBool::new(false));

/// Turns lean paths off while the calling (newly attached, non-published) thread lives, and
/// waits for a lean path in flight on the published thread to end.
#[cold]
fn slow_lean_paths_for_this_thread() {
    SLOT.with(|s| s.slowed.set(true));
    HOT.slow.fetch_add(1, Ordering::SeqCst);
    pyopaque_runtime::safepoint::heavy_fence();
    while LEAN_ACTIVE.0.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
}

/// A lean path in progress on the published thread (see "Lean paths and other threads");
/// dropping it ends the lean path.
pub struct Lean(*mut Thread);

impl Lean {
    /// The published thread's `Thread`.
    #[inline(always)]
    pub fn ptr(&self) -> *mut Thread {
        self.0
    }
}

impl Drop for Lean {
    #[inline(always)]
    fn drop(&mut self) {
        LEAN_ACTIVE.0.store(false, Ordering::Release);
    }
}

thread_local! {
    /// Set by `PyEval_SaveThread`, cleared by `PyEval_RestoreThread` (checked in debug mode).
    static THREAD_STATE_RELEASED: Cell<bool> = const { Cell::new(false) };
}

/// Records that this thread released (`true`, `PyEval_SaveThread`) or took back (`false`) its
/// thread state. Nothing depends on it for safety (a thread is outside the runtime between API
/// calls anyway); debug mode reports an API call made while the state is released.
pub fn set_thread_state_released(released: bool) {
    let _ = THREAD_STATE_RELEASED.try_with(|r| r.set(released));
}

/// True when a thread is attached.
pub fn thread_attached() -> bool {
    SLOT.with(|s| !s.ptr.get().is_null())
}

/// True while a C finalizer runs inside the runtime (thread-free functions only).
#[inline(always)]
pub fn finalizing() -> bool {
    HOT.finalizers.load(Ordering::Relaxed) != 0 && FINALIZING.with(|f| f.get() > 0)
}

/// Runs `f` (which calls a C finalizer: `tp_dealloc`, ...) in finalizing mode. `discard` drops
/// the decrefs C requests instead of deferring them.
pub fn run_finalizer(discard: bool, f: impl FnOnce()) {
    HOT.finalizers.fetch_add(1, Ordering::Relaxed);
    HOT.slow.fetch_add(1, Ordering::Relaxed);
    FINALIZING.with(|c| c.set(c.get() + 1));
    let old = DISCARD_DECREFS.with(|d| d.replace(discard));
    f();
    DISCARD_DECREFS.with(|d| d.set(old));
    FINALIZING.with(|c| c.set(c.get() - 1));
    HOT.finalizers.fetch_sub(1, Ordering::Relaxed);
    HOT.slow.fetch_sub(1, Ordering::Relaxed);
}

/// Runs `tp_dealloc`-like `f` for `obj` in finalizing mode, remembering that `obj` is being
/// deallocated. Returns true when `f` released the memory (`tp_free`: `PyObject_GC_Del`,
/// `PyObject_Free`), false when C kept it (a freelist).
pub fn run_dealloc(obj: ObjRef, discard: bool, f: impl FnOnce()) -> bool {
    IN_DEALLOC.with(|d| d.borrow_mut().push((obj.as_ptr().addr(), false)));
    run_finalizer(discard, f);
    IN_DEALLOC
        .with(|d| d.borrow_mut().pop())
        .is_some_and(|(_, freed)| freed)
}

/// True when `p` is an object whose `tp_dealloc` is running.
pub fn in_dealloc(p: usize) -> bool {
    IN_DEALLOC.with(|d| d.borrow().iter().any(|e| e.0 == p))
}

/// `tp_free` on `p`: true (and recorded) when `p` is an object whose `tp_dealloc` is running,
/// whose memory the runtime then frees; false for other memory (the caller frees it).
pub fn free_in_dealloc(p: usize) -> bool {
    IN_DEALLOC.with(|d| {
        let mut d = d.borrow_mut();
        match d.iter_mut().rev().find(|e| e.0 == p) {
            Some(e) => {
                e.1 = true;
                true
            }
            None => false,
        }
    })
}

/// Records a decref requested while finalizing; runs at the end of the next API entry.
pub fn defer_decref(obj: ObjRef, c_held: bool) {
    if DISCARD_DECREFS.with(|d| d.get()) {
        return;
    }
    DEFERRED.with(|d| d.borrow_mut().push((obj, c_held)));
    HOT.deferred.fetch_add(1, Ordering::Relaxed);
    HOT.slow.fetch_add(1, Ordering::Relaxed);
}

/// Runs deferred decrefs (which may free more objects and defer more decrefs).
#[inline(always)]
pub fn drain_deferred(cx: &mut Thread) {
    if HOT.deferred.load(Ordering::Relaxed) != 0 {
        drain_deferred_slow(cx);
    }
}

#[cold]
#[inline(never)]
fn drain_deferred_slow(cx: &mut Thread) {
    loop {
        let batch = DEFERRED.with(|d| std::mem::take(&mut *d.borrow_mut()));
        if batch.is_empty() {
            return;
        }
        HOT.deferred.fetch_sub(batch.len(), Ordering::Relaxed);
        HOT.slow.fetch_sub(batch.len(), Ordering::Relaxed);
        for (o, c_held) in batch {
            if c_held {
                if let Err(n) = refcount::c_decref(cx, o) {
                    debug_report(
                        "Py_DecRef (deferred)",
                        o,
                        &format!("decref below zero ({n})"),
                    );
                }
            } else {
                refcount::decref(cx, o);
            }
        }
    }
}

// ----- coverage -----

static COVERAGE: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// Records that entry point `name` ran (first call only; see [`capi!`]).
#[cold]
pub fn record_hit(name: &'static str) {
    COVERAGE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name);
}

/// Every entry point called at least once, sorted.
pub fn coverage() -> Vec<&'static str> {
    COVERAGE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .copied()
        .collect()
}

/// Records coverage of `name` once, cheaply (one relaxed load on later calls).
#[macro_export]
macro_rules! cov {
    ($name:literal) => {{
        static HIT: ::std::sync::atomic::AtomicBool = ::std::sync::atomic::AtomicBool::new(false);
        if !HIT.load(::std::sync::atomic::Ordering::Relaxed) {
            HIT.store(true, ::std::sync::atomic::Ordering::Relaxed);
            $crate::boundary::cx::record_hit($name);
        }
    }};
}

/// The body of an exported function: coverage, then [`api`].
#[macro_export]
macro_rules! capi {
    ($name:literal, $body:expr) => {{
        $crate::cov!($name);
        $crate::boundary::cx::api($name, $body)
    }};
}

/// The body of an exported function that needs no thread (may run inside finalizers):
/// coverage and panic catching only.
#[macro_export]
macro_rules! capi_nothread {
    ($name:literal, $err:expr, $body:expr) => {{
        $crate::cov!($name);
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe($body)) {
            Ok(v) => v,
            Err(_) => {
                eprintln!("pyopaque C API: panic in {}", $name);
                $err
            }
        }
    }};
}

// ----- return conventions -----

/// A C return type and its error value.
pub trait CRet: Copy {
    /// What C sees when an exception is set.
    const ERR: Self;
}

impl CRet for *mut PyObject {
    const ERR: Self = std::ptr::null_mut();
}
impl CRet for *const c_char {
    const ERR: Self = std::ptr::null();
}
impl CRet for *mut c_char {
    const ERR: Self = std::ptr::null_mut();
}
impl CRet for *mut std::ffi::c_void {
    const ERR: Self = std::ptr::null_mut();
}
impl CRet for *mut *mut PyObject {
    const ERR: Self = std::ptr::null_mut();
}
impl CRet for *mut crate::boundary::ffi::PyModuleDef {
    const ERR: Self = std::ptr::null_mut();
}
impl CRet for c_int {
    const ERR: Self = -1;
}
impl CRet for c_uint {
    const ERR: Self = c_uint::MAX;
}
impl CRet for c_long {
    const ERR: Self = -1;
}
impl CRet for c_ulong {
    const ERR: Self = c_ulong::MAX;
}
impl CRet for isize {
    const ERR: Self = -1;
}
impl CRet for usize {
    const ERR: Self = usize::MAX;
}
impl CRet for f64 {
    const ERR: Self = -1.0;
}
impl CRet for () {
    const ERR: Self = ();
}
impl CRet for Option<crate::boundary::ffi::RawFn> {
    const ERR: Self = None;
}

/// Runs an API body with this thread's runtime state. See the module documentation.
#[inline]
pub fn api<R: CRet>(name: &'static str, f: impl FnOnce(&mut Thread) -> PyResult<R>) -> R {
    if finalizing() {
        fatal(name, "called from a finalizer (tp_dealloc/tp_traverse) while the runtime is deallocating or collecting; only Py_DECREF, Py_TYPE, PyObject_GC_UnTrack, PyObject_GC_Del, PyObject_Free, PyType_GetSlot and the PyMem functions may be used there");
    }
    let Some(p) = thread_ptr() else { return R::ERR };
    // SAFETY: `p` is this thread's Thread (a leaked Box, only freed at thread exit). The
    // reference is the only one in use: an outer entry that called into C published its own
    // reborrow (call_c) and does not use it until C returns.
    let cx = unsafe { &mut *p };
    cx.enter_runtime();
    let saved_api = if debug_fast() {
        if THREAD_STATE_RELEASED.with(|r| r.get()) {
            fatal(
                name,
                "called between PyEval_SaveThread (Py_BEGIN_ALLOW_THREADS) and \
                 PyEval_RestoreThread: this thread released its thread state (CPython's debug \
                 build aborts too)",
            );
        }
        CURRENT_API.with(|c| c.replace(name))
    } else {
        ""
    };
    let m = cx.mark();
    let r = catch_unwind(AssertUnwindSafe(|| f(cx)));
    cx.release(m);
    drain_deferred(cx);
    // The safe point for weak reference callbacks (queued by the collector or the deallocator).
    if pyopaque_runtime::weakref::callbacks_pending_any() {
        (layers().safe_point)(cx);
    }
    let r = match r {
        Ok(Ok(v)) => v,
        Ok(Err(Raised)) => R::ERR,
        Err(e) => panicked(cx, name, e),
    };
    if debug_fast() {
        CURRENT_API.with(|c| c.set(saved_api));
        if take_debug_pending(cx) {
            cx.leave_runtime();
            return R::ERR;
        }
    }
    cx.leave_runtime();
    r
}

/// " (called through X)" when a C API function `X` made the call (debug reports).
fn caller_note() -> String {
    match current_api() {
        "C API" | "" => String::new(),
        a => format!(" (called through {a})"),
    }
}

/// The API function running on this thread (debug mode only; "C API" otherwise).
pub fn current_api() -> &'static str {
    CURRENT_API.with(|c| c.get())
}

/// Sets the API function named in debug reports (for entry points that do not use [`api`]);
/// returns the previous one.
pub fn set_current_api(name: &'static str) -> &'static str {
    CURRENT_API.with(|c| c.replace(name))
}

#[cold]
#[inline(never)]
pub fn panicked<R: CRet>(cx: &mut Thread, name: &str, e: Box<dyn std::any::Any + Send>) -> R {
    let msg = e
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| e.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    let t = cx.rt.types.exc.system_error;
    cx.raise(t, &format!("pyopaque: internal error in {name}: {msg}"));
    R::ERR
}

/// The lean entry for hot functions whose fast path needs no handle (no allocation, so no
/// collection) and never calls C: `$fast` runs first with the thread (`-> Option<R>`; `None`
/// declines and the general `capi!` body runs). It skips the handle-scope mark/release (it roots
/// nothing) but keeps coverage and panic catching: a panic still becomes SystemError.
#[macro_export]
macro_rules! capi_lean {
    ($name:literal, |$cx:ident| $fast:expr, $body:expr) => {{
        $crate::cov!($name);
        match $crate::boundary::cx::lean_thread() {
            Some(lean) => {
                // SAFETY: `lean` holds this thread's Thread (see cx::api); the fast path does
                // not call back into C, so no other reference to it is in use.
                let cxr = unsafe { &mut *lean.ptr() };
                let r = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
                    let $cx: &mut ::pyopaque_runtime::Thread = &mut *cxr;
                    $fast
                }));
                match r {
                    Ok(Some(v)) => v,
                    Ok(None) => {
                        // The general path may call C (and block): end the lean path first.
                        drop(lean);
                        $crate::boundary::cx::api_cold($name, $body)
                    }
                    Err(e) => $crate::boundary::cx::panicked(cxr, $name, e),
                }
            }
            None => $crate::boundary::cx::api_cold($name, $body),
        }
    }};
}

/// [`api`], kept out of line: the general path of a [`capi_lean!`] function, so that the fast
/// path's function stays small (no register saves for the general path's needs).
#[cold]
#[inline(never)]
pub fn api_cold<R: CRet>(name: &'static str, f: impl FnOnce(&mut Thread) -> PyResult<R>) -> R {
    api(name, f)
}

/// The thread for a lean fast path: `None` when the general path must run (finalizing, debug
/// mode, deferred decrefs pending, or the thread is not the published one).
#[inline(always)]
pub fn lean_thread() -> Option<Lean> {
    let tp = thread_word();
    if tp == 0 || HOT.fast_tp.load(Ordering::Acquire) != tp {
        return None;
    }
    // Set before reading `HOT.slow` (see "Lean paths and other threads").
    LEAN_ACTIVE.0.store(true, Ordering::Relaxed);
    pyopaque_runtime::safepoint::light_fence();
    if HOT.slow.load(Ordering::Relaxed) != 0 {
        LEAN_ACTIVE.0.store(false, Ordering::Release);
        return None;
    }
    Some(Lean(HOT.fast_thread.load(Ordering::Relaxed)))
}

/// Calls C code `f` with `cx` published as the thread pointer: a nested entry reborrows from
/// this borrow instead of aliasing it. The caller opens a native-call frame around it when it
/// hands borrowed references to `f`.
pub fn publish<T>(cx: &mut Thread, f: impl FnOnce() -> T) -> T {
    // C code runs outside the runtime (at a safe point) until it calls back or returns.
    let depth = cx.suspend_runtime();
    let r = publish_inner(cx, f);
    cx.resume_runtime(depth);
    r
}

fn publish_inner<T>(cx: &mut Thread, f: impl FnOnce() -> T) -> T {
    let me: *mut Thread = cx;
    let tp = thread_word();
    if tp != 0 && HOT.fast_tp.load(Ordering::Acquire) == tp {
        // The published thread: its entries read `HOT.fast_thread`, not the TLS slot. Only this
        // thread writes it, so a plain load and store (no locked swap) suffice.
        let saved = HOT.fast_thread.load(Ordering::Relaxed);
        HOT.fast_thread.store(me, Ordering::Relaxed);
        let r = f();
        HOT.fast_thread.store(saved, Ordering::Relaxed);
        return r;
    }
    let saved = SLOT.with(|s| s.ptr.replace(me));
    let r = f();
    SLOT.with(|s| s.ptr.set(saved));
    r
}

/// Aborts the process with a clear message (used where no error can be returned).
pub fn fatal(api: &str, msg: &str) -> ! {
    eprintln!("pyopaque C API fatal error in {api}: {msg}");
    std::process::abort()
}

// ----- pointer conversion -----

/// The object a C pointer designates (`None` for NULL). Translates exported static type symbols
/// (`&PyLong_Type`) to runtime types. In debug mode checks the pointer against freed objects.
///
/// # Safety
/// `p` must be NULL, an immediate int word, a static type symbol, or a pointer the shim handed
/// out that C still holds (debug mode catches a violation of the last condition).
#[inline(always)]
pub unsafe fn from_c(p: *mut PyObject) -> Option<ObjRef> {
    let a = p as usize;
    // One subtract and one compare: is it (possibly) a static type symbol?
    if a.wrapping_sub(HOT.static_min.load(Ordering::Acquire))
        <= HOT.static_span.load(Ordering::Relaxed)
    {
        if let Some(t) = static_type(a) {
            return Some(t);
        }
    }
    // SAFETY: caller's contract: NULL, an immediate word, or a live object's payload address.
    let r = unsafe { ObjRef::from_raw(p.cast()) };
    if debug_fast() {
        debug_incoming(r);
    }
    r
}

/// `p` as a heap reference when it is neither NULL, an immediate, nor (possibly) a static type
/// symbol: the lean paths' one-compare conversion (no debug check: lean paths run only with
/// debug mode off).
#[inline(always)]
pub fn heap_ref(p: *mut PyObject) -> Option<ObjRef> {
    let a = p as usize;
    if a & 1 == 1
        || a.wrapping_sub(HOT.static_min.load(Ordering::Acquire))
            <= HOT.static_span.load(Ordering::Relaxed)
    {
        return None;
    }
    // SAFETY: not NULL (NULL is below every symbol when the range is set, and inside the
    // initial full range), not an immediate: by the callers' contract a live object's payload.
    unsafe { ObjRef::from_raw(p.cast()) }
}

#[inline(never)]
fn static_type(a: usize) -> Option<ObjRef> {
    global().statics.lookup(a)
}

#[cold]
#[inline(never)]
fn debug_incoming(r: Option<ObjRef>) {
    if let Some(o) = r {
        crate::boundary::debug::check_incoming(o);
    }
}

/// The C pointer for `obj` (builtin types and the singletons leave as their exported static
/// symbol: objects flagged `STATIC_ALIAS` by the translation table).
#[inline]
pub fn to_c(obj: ObjRef) -> *mut PyObject {
    if !obj.is_tagged() {
        if header_of(obj).gc_flags().load(Ordering::Relaxed)
            & pyopaque_runtime::header::flags::STATIC_ALIAS
            != 0
        {
            if let Some(a) = global().statics.alias_of(obj) {
                return a as *mut PyObject;
            }
        }
        if debug_fast() {
            crate::boundary::debug::unquarantine(obj);
        }
    }
    obj.as_ptr().cast()
}

/// Like [`to_c`] for an optional object (NULL for None).
pub fn to_c_opt(obj: Option<ObjRef>) -> *mut PyObject {
    obj.map_or(std::ptr::null_mut(), to_c)
}

/// A non-NULL argument; NULL raises `SystemError` (CPython's `PyErr_BadInternalCall`).
///
/// # Safety
/// As [`from_c`].
#[inline]
pub unsafe fn arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<ObjRef> {
    // SAFETY: forwarded contract.
    match unsafe { from_c(p) } {
        Some(o) => Ok(o),
        None => Err(bad_internal_call(cx)),
    }
}

/// Roots a non-NULL argument.
///
/// # Safety
/// As [`from_c`].
#[inline]
pub unsafe fn harg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: forwarded contract.
    let o = unsafe { arg(cx, p) }?;
    Ok(cx.root(o))
}

/// Hands `obj` to C as a new reference (a C-held count: the object is pinned while C holds it).
#[inline]
pub fn new_ref(cx: &mut Thread, obj: ObjRef) -> *mut PyObject {
    refcount::c_incref(cx, obj);
    if debug_fast() {
        crate::boundary::debug::forget_loan(obj);
    }
    to_c(obj)
}

/// Hands `obj`, a new object owning one reference that no handle holds (`Thread::int_ref`,
/// `float_ref`), to C as a new reference, without a handle scope: the owned reference becomes
/// the C-held one under every scheme. Runs decrefs deferred by finalizers the allocation ran.
#[inline]
pub fn hand_over(cx: &mut Thread, obj: ObjRef) -> *mut PyObject {
    refcount::c_incref(cx, obj);
    refcount::decref(cx, obj);
    drain_deferred(cx);
    to_c(obj)
}

/// Hands `obj`, an element of container `owner`, to C as a borrowed reference (as
/// [`borrowed`]; debug mode records the loan, to catch a use after `owner` died).
#[inline(always)]
pub fn borrowed_from(
    cx: &mut Thread,
    obj: ObjRef,
    owner: ObjRef,
    api: &'static str,
) -> *mut PyObject {
    if debug_fast() {
        crate::boundary::debug::note_loan(obj, owner, api);
    }
    borrowed(cx, obj)
}

/// Hands the referent of `h` to C as a new reference.
#[inline]
pub fn new_ref_h(cx: &mut Thread, h: Handle) -> *mut PyObject {
    let o = cx.get(h);
    new_ref(cx, o)
}

/// Hands `obj` to C as a borrowed reference: pinned and alive until the native call returns.
#[inline(always)]
pub fn borrowed(cx: &mut Thread, obj: ObjRef) -> *mut PyObject {
    if obj.is_tagged() {
        // An immediate needs no pin (and the runtime's note_borrowed is an out-of-line call).
        return obj.as_ptr().cast();
    }
    cx.note_borrowed(obj);
    to_c(obj)
}

/// Takes over a new reference C returned (from a slot or method) into a handle, or reports the
/// error. NULL without an exception, and non-NULL with one, are `SystemError`s (as in CPython).
///
/// # Safety
/// `p` must be NULL or a new reference owned by the caller.
pub unsafe fn take_result(cx: &mut Thread, p: *mut PyObject, what: &str) -> PyResult<Handle> {
    // SAFETY: forwarded contract.
    let o = unsafe { from_c(p) };
    match o {
        None => {
            if cx.error().is_none() {
                if debug_fast() {
                    eprintln!(
                        "pyopaque debug: {what}: returned NULL without setting an exception{}",
                        caller_note()
                    );
                }
                let t = cx.rt.types.exc.system_error;
                return Err(cx.raise(
                    t,
                    &format!("{what} returned NULL without setting an exception"),
                ));
            }
            Err(Raised)
        }
        Some(o) => {
            if debug_fast() && cx.error().is_some() {
                let ty = crate::boundary::debug::describe_type(o);
                eprintln!(
                    "pyopaque debug: {what}: returned a result (object of type '{ty}') with an exception set{}",
                    caller_note()
                );
            }
            let h = cx.root(o);
            release_c_ref(cx, o, what);
            if cx.error().is_some() {
                let t = cx.rt.types.exc.system_error;
                return Err(cx.raise(
                    t,
                    &format!("{what} returned a result with an exception set"),
                ));
            }
            Ok(h)
        }
    }
}

/// Like [`take_result`], with the function's name computed only when a report needs it (the
/// hot call paths avoid formatting a name per call).
///
/// # Safety
/// As [`take_result`].
#[inline]
pub unsafe fn take_result_lazy(
    cx: &mut Thread,
    p: *mut PyObject,
    what: impl FnOnce() -> String,
) -> PyResult<Handle> {
    if !p.is_null() && cx.error().is_none() && !debug_fast() {
        // SAFETY: forwarded contract: a new reference owned by the caller.
        if let Some(o) = unsafe { from_c(p) } {
            let h = cx.root(o);
            // Debug mode is off: a count below zero goes unreported, as in take_result.
            let _ = refcount::c_decref(cx, o);
            return Ok(h);
        }
    }
    let w = what();
    // SAFETY: forwarded contract.
    unsafe { take_result(cx, p, &w) }
}

/// Drops a reference C held (after the caller rooted the object if it still needs it).
pub fn release_c_ref(cx: &mut Thread, o: ObjRef, api: &str) {
    if let Err(n) = refcount::c_decref(cx, o) {
        if debug_fast() {
            debug_report(api, o, &format!("reference count below zero ({n})"));
        }
    }
}

// ----- errors -----

/// `SystemError: bad argument to internal function` (CPython's `PyErr_BadInternalCall`).
pub fn bad_internal_call(cx: &mut Thread) -> Raised {
    let t = cx.rt.types.exc.system_error;
    cx.raise(t, "bad argument to internal function")
}

/// Raises `TypeError(msg)`.
pub fn type_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.type_error;
    cx.raise(t, msg)
}

/// Raises `ValueError(msg)`.
pub fn value_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.value_error;
    cx.raise(t, msg)
}

/// Raises `IndexError(msg)`.
pub fn index_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.index_error;
    cx.raise(t, msg)
}

/// Raises `OverflowError(msg)`.
pub fn overflow_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.overflow_error;
    cx.raise(t, msg)
}

/// Raises `SystemError(msg)`.
pub fn system_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.system_error;
    cx.raise(t, msg)
}

/// Raises `RuntimeError(msg)`.
pub fn runtime_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.runtime_error;
    cx.raise(t, msg)
}

/// Raises `NotImplementedError(msg)` (a feature pyopaque does not offer).
pub fn not_implemented(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.not_implemented_error;
    cx.raise(t, msg)
}

/// Raises `KeyError(key)`.
pub fn key_error(cx: &mut Thread, key: Handle) -> Raised {
    let t = cx.rt.types.exc.key_error;
    let args = cx.tuple(&[key]);
    let e = cx.exception_with_args(t, args);
    cx.raise_object(e)
}

/// Raises `AttributeError(msg)`.
pub fn attribute_error(cx: &mut Thread, msg: &str) -> Raised {
    let t = cx.rt.types.exc.attribute_error;
    cx.raise(t, msg)
}

/// The `__name__` of `obj`'s type (CPython's `Py_TYPE(o)->tp_name` in messages, which for heap
/// types is the short name).
pub fn tname(cx: &Thread, obj: ObjRef) -> &'static str {
    let t = cx.type_of(obj);
    type_payload(t).short_name()
}

/// A C string argument; NULL raises SystemError.
///
/// # Safety
/// `s` must be NULL or a NUL-terminated string valid for the call.
pub unsafe fn cstr<'a>(cx: &mut Thread, s: *const c_char) -> PyResult<&'a str> {
    if s.is_null() {
        return Err(bad_internal_call(cx));
    }
    // SAFETY: caller's contract.
    let c = unsafe { CStr::from_ptr(s) };
    match c.to_str() {
        Ok(v) => Ok(v),
        Err(_) => {
            let t = cx.rt.types.exc.unicode_decode_error;
            Err(cx.raise(t, "'utf-8' codec can't decode bytes: invalid utf-8"))
        }
    }
}

/// A C string that the shim itself owns or that C promises is static (names in definitions).
///
/// # Safety
/// `s` must be NULL or NUL-terminated and outlive every use of the result.
pub unsafe fn cstr_lossy(s: *const c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: caller's contract.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

/// Reports a debug-mode finding: names the API function and the object's type, then raises
/// SystemError if a thread is usable, else aborts.
pub fn debug_report(api: &str, obj: ObjRef, what: &str) {
    let ty = crate::boundary::debug::describe_type(obj);
    let msg = format!("pyopaque debug: {api}: {what} (object of type '{ty}')");
    eprintln!("{msg}");
    if finalizing() || !thread_attached() {
        fatal(api, &msg);
    }
    DEBUG_PENDING.with(|d| *d.borrow_mut() = Some(msg));
}

thread_local! {
    /// A debug finding raised as SystemError at the next safe point (see [`take_debug_pending`]).
    static DEBUG_PENDING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Raises a pending debug finding as SystemError (returns true when it did).
pub fn take_debug_pending(cx: &mut Thread) -> bool {
    if let Some(msg) = DEBUG_PENDING.with(|d| d.borrow_mut().take()) {
        system_error(cx, &msg);
        true
    } else {
        false
    }
}

/// Whether debug mode is on.
#[inline(always)]
pub fn debug_on() -> bool {
    debug_fast()
}

/// Used by tests: whether a runtime exists already.
pub fn initialised() -> bool {
    GLOBAL.get().is_some()
}

/// A flag the runner sets while it owns the thread (diagnostics).
pub static RUNNER_ACTIVE: AtomicBool = AtomicBool::new(false);

/// Relaxed load helper for statics.
pub fn flag(b: &AtomicBool) -> bool {
    b.load(Ordering::Relaxed)
}
