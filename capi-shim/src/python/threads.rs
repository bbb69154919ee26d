//! Low-level threads, locks and thread-local storage (`PyThread_*`), thread and interpreter
//! states (`PyThreadState_*`, `PyInterpreterState_*`, `PyGILState_GetThisThreadState`) and the
//! `PyEval_*` thread calls.
//!
//! None of this touches object layout: locks are a mutex and a condition variable, thread-local
//! keys are a per-thread map. A *thread state* is a small per-OS-thread record (its id and a
//! dictionary, pinned by a C-held count); the runtime `Thread` itself is attached on the first
//! API call, so a thread state exists for every thread that has used the API. There is one
//! interpreter. There is no GIL: `PyEval_SaveThread`/`RestoreThread` hand the thread state back
//! and forth without blocking anyone (other threads run anyway, as in free-threaded CPython).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_int, c_long, c_ulong, c_void};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::boundary::cx::{self, new_ref};
use crate::boundary::ffi::PyObject;
use crate::{capi, cov};

// ----- locks -----

/// A binary lock (may be released by another thread, like CPython's).
struct Lock {
    locked: Mutex<bool>,
    cv: Condvar,
}

/// `PyThread_allocate_lock`: a new unlocked lock (NULL if allocation fails).
#[no_mangle]
pub extern "C" fn PyThread_allocate_lock() -> *mut c_void {
    cov!("PyThread_allocate_lock");
    Box::into_raw(Box::new(Lock {
        locked: Mutex::new(false),
        cv: Condvar::new(),
    }))
    .cast()
}

/// `PyThread_free_lock`.
///
/// # Safety
/// `l` NULL or a lock from `PyThread_allocate_lock`, freed once.
#[no_mangle]
pub unsafe extern "C" fn PyThread_free_lock(l: *mut c_void) {
    cov!("PyThread_free_lock");
    if !l.is_null() {
        // SAFETY: caller's contract: made by Box::into_raw above.
        drop(unsafe { Box::from_raw(l.cast::<Lock>()) });
    }
}

/// Acquires with a timeout in microseconds (`< 0`: forever, `0`: try).
fn acquire(l: &Lock, micros: i64) -> bool {
    let mut g = l.locked.lock().unwrap_or_else(|e| e.into_inner());
    if micros < 0 {
        while *g {
            g = l.cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
    } else {
        let deadline = Instant::now() + Duration::from_micros(micros as u64);
        while *g {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            g =
                l.cv.wait_timeout(g, deadline - now)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
        }
    }
    *g = true;
    true
}

/// `PyThread_acquire_lock`: `waitflag` 1 blocks, 0 tries. Returns 1 when acquired.
///
/// # Safety
/// `l` a live lock.
#[no_mangle]
pub unsafe extern "C" fn PyThread_acquire_lock(l: *mut c_void, waitflag: c_int) -> c_int {
    cov!("PyThread_acquire_lock");
    if l.is_null() {
        return 0;
    }
    // SAFETY: caller's contract.
    let l = unsafe { &*l.cast::<Lock>() };
    acquire(l, if waitflag != 0 { -1 } else { 0 }) as c_int
}

/// `PyThread_acquire_lock_timed`: `PY_LOCK_ACQUIRED` (1) or `PY_LOCK_FAILURE` (0).
///
/// # Safety
/// `l` a live lock.
#[no_mangle]
pub unsafe extern "C" fn PyThread_acquire_lock_timed(
    l: *mut c_void,
    microseconds: i64,
    _intr_flag: c_int,
) -> c_int {
    cov!("PyThread_acquire_lock_timed");
    if l.is_null() {
        return 0;
    }
    // SAFETY: caller's contract.
    let l = unsafe { &*l.cast::<Lock>() };
    acquire(l, microseconds) as c_int
}

/// `PyThread_release_lock`.
///
/// # Safety
/// `l` a live lock.
#[no_mangle]
pub unsafe extern "C" fn PyThread_release_lock(l: *mut c_void) {
    cov!("PyThread_release_lock");
    if l.is_null() {
        return;
    }
    // SAFETY: caller's contract.
    let l = unsafe { &*l.cast::<Lock>() };
    let mut g = l.locked.lock().unwrap_or_else(|e| e.into_inner());
    if !*g {
        cx::fatal("PyThread_release_lock", "release of an unlocked lock");
    }
    *g = false;
    l.cv.notify_one();
}

// ----- threads -----

static THREAD_IDS: AtomicU64 = AtomicU64::new(1);
thread_local! {
    static MY_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// This thread's ident (assigned on first use, or by `PyThread_start_new_thread`).
fn my_id() -> u64 {
    MY_ID.with(|c| {
        if c.get() == 0 {
            c.set(THREAD_IDS.fetch_add(1, Ordering::Relaxed));
        }
        c.get()
    })
}

/// `PyThread_get_thread_ident`: a non-zero id unique among live threads.
#[no_mangle]
pub extern "C" fn PyThread_get_thread_ident() -> c_ulong {
    cov!("PyThread_get_thread_ident");
    my_id() as c_ulong
}

/// `PyThread_get_thread_native_id`: the OS thread id.
#[no_mangle]
pub extern "C" fn PyThread_get_thread_native_id() -> c_ulong {
    cov!("PyThread_get_thread_native_id");
    // SAFETY: gettid has no preconditions.
    (unsafe { libc::gettid() }) as c_ulong
}

/// `PyThread_init_thread`: nothing to initialise (threads are always available).
#[no_mangle]
pub extern "C" fn PyThread_init_thread() {
    cov!("PyThread_init_thread");
}

static STACK_SIZE: AtomicUsize = AtomicUsize::new(0);

/// `PyThread_get_stacksize`: 0 means the platform default.
#[no_mangle]
pub extern "C" fn PyThread_get_stacksize() -> usize {
    cov!("PyThread_get_stacksize");
    STACK_SIZE.load(Ordering::Relaxed)
}

/// `PyThread_set_stacksize`: 0 resets to the default; below 32 KiB is invalid (-1).
#[no_mangle]
pub extern "C" fn PyThread_set_stacksize(size: usize) -> c_int {
    cov!("PyThread_set_stacksize");
    if size != 0 && size < 0x8000 {
        return -1;
    }
    STACK_SIZE.store(size, Ordering::Relaxed);
    0
}

struct Start {
    f: unsafe extern "C-unwind" fn(*mut c_void),
    arg: *mut c_void,
    id: u64,
}

extern "C-unwind" fn thread_main(p: *mut c_void) -> *mut c_void {
    // SAFETY: the Box `PyThread_start_new_thread` leaked for this thread.
    let s = unsafe { Box::from_raw(p.cast::<Start>()) };
    MY_ID.with(|c| c.set(s.id));
    let (f, arg) = (s.f, s.arg);
    drop(s);
    // SAFETY: the function and argument C passed.
    unsafe { f(arg) };
    std::ptr::null_mut()
}

/// `PyThread_start_new_thread`: runs `func(arg)` on a new detached OS thread (a plain pthread,
/// so `PyThread_exit_thread` may end it); returns its ident or `(unsigned long)-1`. The thread
/// may call the API when the counting scheme allows more than one thread (`classic` does not).
///
/// # Safety
/// `func` a valid function taking `arg`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_start_new_thread(
    func: Option<unsafe extern "C-unwind" fn(*mut c_void)>,
    arg: *mut c_void,
) -> c_ulong {
    cov!("PyThread_start_new_thread");
    let Some(f) = func else { return c_ulong::MAX };
    let id = THREAD_IDS.fetch_add(1, Ordering::Relaxed);
    let st = Box::into_raw(Box::new(Start { f, arg, id }));
    // SAFETY: plain pthread calls; the attribute object lives for the call; `st` is handed to
    // the thread (or freed here when creation fails).
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        let ss = STACK_SIZE.load(Ordering::Relaxed);
        if ss != 0 {
            libc::pthread_attr_setstacksize(&mut attr, ss);
        }
        libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
        let mut t: libc::pthread_t = 0;
        let entry: extern "C-unwind" fn(*mut c_void) -> *mut c_void = thread_main;
        let r = libc::pthread_create(
            &mut t,
            &attr,
            std::mem::transmute::<
                extern "C-unwind" fn(*mut c_void) -> *mut c_void,
                extern "C" fn(*mut c_void) -> *mut c_void,
            >(entry),
            st.cast(),
        );
        libc::pthread_attr_destroy(&mut attr);
        if r != 0 {
            drop(Box::from_raw(st));
            return c_ulong::MAX;
        }
    }
    id as c_ulong
}

/// `PyThread_exit_thread`: ends the calling thread (its thread-local state is not unwound:
/// like `pthread_exit`).
#[no_mangle]
pub extern "C-unwind" fn PyThread_exit_thread() -> ! {
    cov!("PyThread_exit_thread");
    // SAFETY: pthread_exit ends only this thread.
    unsafe { libc::pthread_exit(std::ptr::null_mut()) }
}

/// `PyThread_GetInfo`: `(name, lock, version)` like `sys.thread_info`, as a tuple.
#[no_mangle]
pub extern "C" fn PyThread_GetInfo() -> *mut PyObject {
    capi!("PyThread_GetInfo", |cx| {
        let n = cx.str("pthread");
        let l = cx.str("mutex+cond");
        let none = cx.rt.types.none;
        let v = cx.root(none);
        let t = cx.tuple(&[n, l, v]);
        Ok(cx::new_ref_h(cx, t))
    })
}

// ----- thread-local storage -----

static NEXT_KEY: AtomicUsize = AtomicUsize::new(1);
thread_local! {
    static TLS: RefCell<HashMap<usize, usize>> = RefCell::new(HashMap::new());
}

fn tls_get(k: usize) -> *mut c_void {
    TLS.with(|t| t.borrow().get(&k).copied().unwrap_or(0)) as *mut c_void
}

fn tls_set(k: usize, v: *mut c_void) {
    TLS.with(|t| {
        let mut t = t.borrow_mut();
        if v.is_null() {
            t.remove(&k);
        } else {
            t.insert(k, v as usize);
        }
    });
}

/// `Py_tss_t` as pyopaque lays it out (opaque to C: only pointers from `PyThread_tss_alloc`).
#[repr(C)]
pub struct Tss {
    key: usize,
}

/// `PyThread_tss_alloc`: an uninitialised key.
#[no_mangle]
pub extern "C" fn PyThread_tss_alloc() -> *mut Tss {
    cov!("PyThread_tss_alloc");
    Box::into_raw(Box::new(Tss { key: 0 }))
}

/// `PyThread_tss_free`: deletes the key, then frees it.
///
/// # Safety
/// `k` NULL or from `PyThread_tss_alloc`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_tss_free(k: *mut Tss) {
    cov!("PyThread_tss_free");
    if !k.is_null() {
        // SAFETY: caller's contract.
        drop(unsafe { Box::from_raw(k) });
    }
}

/// `PyThread_tss_create`: 0 (creating a created key is a no-op).
///
/// # Safety
/// `k` from `PyThread_tss_alloc`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_tss_create(k: *mut Tss) -> c_int {
    cov!("PyThread_tss_create");
    if k.is_null() {
        return -1;
    }
    // SAFETY: caller's contract.
    let k = unsafe { &mut *k };
    if k.key == 0 {
        k.key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    }
    0
}

/// `PyThread_tss_delete`: the key becomes uninitialised (this thread's value is dropped).
///
/// # Safety
/// `k` from `PyThread_tss_alloc`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_tss_delete(k: *mut Tss) {
    cov!("PyThread_tss_delete");
    if k.is_null() {
        return;
    }
    // SAFETY: caller's contract.
    let k = unsafe { &mut *k };
    if k.key != 0 {
        tls_set(k.key, std::ptr::null_mut());
        k.key = 0;
    }
}

/// `PyThread_tss_is_created`.
///
/// # Safety
/// `k` from `PyThread_tss_alloc`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_tss_is_created(k: *mut Tss) -> c_int {
    cov!("PyThread_tss_is_created");
    // SAFETY: caller's contract.
    (!k.is_null() && unsafe { (*k).key } != 0) as c_int
}

/// `PyThread_tss_set`: 0, or -1 for an uncreated key.
///
/// # Safety
/// `k` from `PyThread_tss_alloc`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_tss_set(k: *mut Tss, v: *mut c_void) -> c_int {
    cov!("PyThread_tss_set");
    // SAFETY: caller's contract.
    if k.is_null() || unsafe { (*k).key } == 0 {
        return -1;
    }
    // SAFETY: as above.
    tls_set(unsafe { (*k).key }, v);
    0
}

/// `PyThread_tss_get`: NULL when unset or uncreated.
///
/// # Safety
/// `k` from `PyThread_tss_alloc`.
#[no_mangle]
pub unsafe extern "C" fn PyThread_tss_get(k: *mut Tss) -> *mut c_void {
    cov!("PyThread_tss_get");
    // SAFETY: caller's contract.
    if k.is_null() || unsafe { (*k).key } == 0 {
        return std::ptr::null_mut();
    }
    // SAFETY: as above.
    tls_get(unsafe { (*k).key })
}

// Old integer-key TLS API (same store, key spaces share the counter).

/// `PyThread_create_key`: a new key (> 0).
#[no_mangle]
pub extern "C" fn PyThread_create_key() -> c_int {
    cov!("PyThread_create_key");
    NEXT_KEY.fetch_add(1, Ordering::Relaxed) as c_int
}

/// `PyThread_delete_key`: drops this thread's value.
#[no_mangle]
pub extern "C" fn PyThread_delete_key(key: c_int) {
    cov!("PyThread_delete_key");
    tls_set(key as usize, std::ptr::null_mut());
}

/// `PyThread_delete_key_value`.
#[no_mangle]
pub extern "C" fn PyThread_delete_key_value(key: c_int) {
    cov!("PyThread_delete_key_value");
    tls_set(key as usize, std::ptr::null_mut());
}

/// `PyThread_set_key_value`: 0.
#[no_mangle]
pub extern "C" fn PyThread_set_key_value(key: c_int, v: *mut c_void) -> c_int {
    cov!("PyThread_set_key_value");
    tls_set(key as usize, v);
    0
}

/// `PyThread_get_key_value`.
#[no_mangle]
pub extern "C" fn PyThread_get_key_value(key: c_int) -> *mut c_void {
    cov!("PyThread_get_key_value");
    tls_get(key as usize)
}

/// `PyThread_ReInitTLS`: after fork only the forking thread exists; its values stay.
#[no_mangle]
pub extern "C" fn PyThread_ReInitTLS() {
    cov!("PyThread_ReInitTLS");
}

// ----- thread and interpreter states -----

/// A thread state: the thread's id and its `PyThreadState_GetDict` dictionary.
#[repr(C)]
pub struct TState {
    id: u64,
    /// The dict (a C-held reference: pinned), or NULL until first asked for.
    dict: std::cell::Cell<*mut PyObject>,
}

/// The interpreter state (one per process).
#[repr(C)]
pub struct IState {
    dict: AtomicUsize,
}

static INTERP: IState = IState {
    dict: AtomicUsize::new(0),
};

thread_local! {
    static TSTATE: TState = TState { id: my_id(), dict: std::cell::Cell::new(std::ptr::null_mut()) };
}

fn my_tstate() -> *mut TState {
    TSTATE.with(|t| t as *const TState as *mut TState)
}

/// `PyThreadState_Get`: the calling thread's state (attaching the thread; fatal when the
/// scheme refuses another thread, as CPython is fatal without a thread state).
#[no_mangle]
pub extern "C" fn PyThreadState_Get() -> *mut TState {
    cov!("PyThreadState_Get");
    if cx::thread_ptr().is_none() {
        cx::fatal("PyThreadState_Get", "this thread cannot be attached");
    }
    my_tstate()
}

/// `PyGILState_GetThisThreadState`: the state of this thread, NULL if it never used the API.
#[no_mangle]
pub extern "C" fn PyGILState_GetThisThreadState() -> *mut TState {
    cov!("PyGILState_GetThisThreadState");
    if cx::thread_attached() {
        my_tstate()
    } else {
        std::ptr::null_mut()
    }
}

/// `PyThreadState_GetID`.
///
/// # Safety
/// `t` a thread state from this module.
#[no_mangle]
pub unsafe extern "C" fn PyThreadState_GetID(t: *mut TState) -> u64 {
    cov!("PyThreadState_GetID");
    if t.is_null() {
        cx::fatal("PyThreadState_GetID", "NULL thread state");
    }
    // SAFETY: caller's contract (thread states live as long as their thread).
    unsafe { (*t).id }
}

/// `PyThreadState_GetInterpreter`.
#[no_mangle]
pub extern "C" fn PyThreadState_GetInterpreter(t: *mut TState) -> *mut IState {
    cov!("PyThreadState_GetInterpreter");
    if t.is_null() {
        cx::fatal("PyThreadState_GetInterpreter", "NULL thread state");
    }
    &INTERP as *const IState as *mut IState
}

/// `PyInterpreterState_Get`.
#[no_mangle]
pub extern "C" fn PyInterpreterState_Get() -> *mut IState {
    cov!("PyInterpreterState_Get");
    &INTERP as *const IState as *mut IState
}

/// `PyInterpreterState_GetID`: 0 (the main interpreter); -1 and SystemError for NULL.
#[no_mangle]
pub extern "C" fn PyInterpreterState_GetID(i: *mut IState) -> i64 {
    capi!("PyInterpreterState_GetID", |cx| {
        if i.is_null() {
            return Err(cx::runtime_error(cx, "no interpreter provided"));
        }
        Ok(0isize)
    }) as i64
}

/// `PyInterpreterState_GetDict`: a dict for extensions (borrowed; pinned for the process).
#[no_mangle]
pub extern "C" fn PyInterpreterState_GetDict(i: *mut IState) -> *mut PyObject {
    capi!("PyInterpreterState_GetDict", |cx| {
        if i.is_null() {
            return Err(cx::bad_internal_call(cx));
        }
        let cur = INTERP.dict.load(Ordering::Acquire);
        if cur != 0 {
            return Ok(cur as *mut PyObject);
        }
        let d = cx.dict();
        let p = cx::new_ref_h(cx, d);
        Ok(
            match INTERP
                .dict
                .compare_exchange(0, p as usize, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => p,
                Err(other) => {
                    let o = cx.get(d);
                    cx::release_c_ref(cx, o, "PyInterpreterState_GetDict");
                    other as *mut PyObject
                }
            },
        )
    })
}

/// `PyThreadState_GetDict`: this thread's dict (borrowed; pinned while the thread lives).
/// NULL without an exception when there is no thread state.
#[no_mangle]
pub extern "C" fn PyThreadState_GetDict() -> *mut PyObject {
    if !cx::thread_attached() {
        cov!("PyThreadState_GetDict");
        return std::ptr::null_mut();
    }
    capi!("PyThreadState_GetDict", |cx| {
        let t = my_tstate();
        // SAFETY: this thread's state.
        let t = unsafe { &*t };
        if t.dict.get().is_null() {
            let d = cx.dict();
            t.dict.set(new_ref(cx, cx.get(d)));
        }
        Ok(t.dict.get())
    })
}

/// `PyEval_SaveThread`: returns this thread's state. There is no GIL to release: other threads
/// already run in parallel (or, under `classic`, do not exist), and between API calls a thread
/// is outside the runtime, at a safe point for collections (docs/design.md, "Threads:
/// stop-the-world"). Debug mode reports an API call made before `PyEval_RestoreThread`.
#[no_mangle]
pub extern "C" fn PyEval_SaveThread() -> *mut TState {
    cov!("PyEval_SaveThread");
    let t = PyThreadState_Get();
    cx::set_thread_state_released(true);
    t
}

/// `PyEval_RestoreThread`: takes back the state `PyEval_SaveThread` returned (fatal for NULL).
#[no_mangle]
pub extern "C" fn PyEval_RestoreThread(t: *mut TState) {
    cov!("PyEval_RestoreThread");
    if t.is_null() || t != my_tstate() {
        cx::fatal(
            "PyEval_RestoreThread",
            "NULL or another thread's thread state",
        );
    }
    cx::set_thread_state_released(false);
}

/// `PyEval_AcquireThread`: as `PyEval_RestoreThread`.
#[no_mangle]
pub extern "C" fn PyEval_AcquireThread(t: *mut TState) {
    cov!("PyEval_AcquireThread");
    if t.is_null() || t != my_tstate() {
        cx::fatal(
            "PyEval_AcquireThread",
            "NULL or another thread's thread state",
        );
    }
}

/// `PyEval_ReleaseThread`: as `PyEval_SaveThread` for a given state.
#[no_mangle]
pub extern "C" fn PyEval_ReleaseThread(t: *mut TState) {
    cov!("PyEval_ReleaseThread");
    if t.is_null() || t != my_tstate() {
        cx::fatal(
            "PyEval_ReleaseThread",
            "NULL or another thread's thread state",
        );
    }
}

/// `PyEval_InitThreads`: threads are always initialised.
#[no_mangle]
pub extern "C" fn PyEval_InitThreads() {
    cov!("PyEval_InitThreads");
}

/// `PyEval_ThreadsInitialized`: 1.
#[no_mangle]
pub extern "C" fn PyEval_ThreadsInitialized() -> c_int {
    cov!("PyEval_ThreadsInitialized");
    1
}

/// Keeps `c_long` in use for the lock timeout type on 32-bit targets.
pub type TimeoutT = c_long;

/// `PyGILState_STATE`.
pub type PyGILStateState = c_int;

/// `PyGILState_Ensure`: attaches the calling thread (a `classic` runtime refuses a second
/// thread: fatal, as a deadlock would be in CPython).
#[no_mangle]
pub extern "C" fn PyGILState_Ensure() -> PyGILStateState {
    cov!("PyGILState_Ensure");
    let was = cx::thread_attached();
    if cx::thread_ptr().is_none() {
        cx::fatal(
            "PyGILState_Ensure",
            "this runtime's scheme does not allow another thread",
        );
    }
    if was {
        0
    } else {
        1
    }
}

/// `PyGILState_Release`: the thread stays attached until it exits.
#[no_mangle]
pub extern "C" fn PyGILState_Release(_s: PyGILStateState) {
    cov!("PyGILState_Release");
}

/// `PyGILState_Check`.
#[no_mangle]
pub extern "C" fn PyGILState_Check() -> c_int {
    cov!("PyGILState_Check");
    cx::thread_attached() as c_int
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyInterpreterState_Get", Rule::Works),
        ("PyInterpreterState_GetID", Rule::Works),
        ("PyThreadState_Get", Rule::Works),
        ("PyThreadState_GetID", Rule::Works),
        ("PyThreadState_GetInterpreter", Rule::Works),
        ("PyGILState_GetThisThreadState", Rule::Works),
        ("PyGILState_Release", Rule::Works),
        ("PyEval_InitThreads", Rule::Works),
        ("PyThread_GetInfo", Rule::Works),
        ("PyThread_ReInitTLS", Rule::Works),
        ("PyThread_acquire_lock", Rule::Works),
        ("PyThread_acquire_lock_timed", Rule::Works),
        ("PyThread_allocate_lock", Rule::Works),
        ("PyThread_create_key", Rule::Works),
        ("PyThread_delete_key", Rule::Works),
        ("PyThread_delete_key_value", Rule::Works),
        ("PyThread_exit_thread", Rule::Works),
        ("PyThread_free_lock", Rule::Works),
        ("PyThread_get_key_value", Rule::Works),
        ("PyThread_get_stacksize", Rule::Works),
        ("PyThread_get_thread_ident", Rule::Works),
        ("PyThread_get_thread_native_id", Rule::Works),
        ("PyThread_init_thread", Rule::Works),
        ("PyThread_release_lock", Rule::Works),
        ("PyThread_set_key_value", Rule::Works),
        ("PyThread_set_stacksize", Rule::Works),
        ("PyThread_tss_alloc", Rule::Works),
        ("PyThread_tss_create", Rule::Works),
        ("PyThread_tss_delete", Rule::Works),
        ("PyThread_tss_free", Rule::Works),
        ("PyThread_tss_get", Rule::Works),
        ("PyThread_tss_is_created", Rule::Works),
        ("PyThread_tss_set", Rule::Works),
        ("PyThreadState_GetDict", Rule::Cost("pinning: the dict is held by a C reference for the life of the thread (interpreter)")),
        ("PyInterpreterState_GetDict", Rule::Cost("pinning: the dict is held by a C reference for the life of the thread (interpreter)")),
        ("PyGILState_Ensure", Rule::Cost("no GIL: attaches the calling thread to the runtime on first use; under classic (single-threaded counting) a second thread cannot attach (fatal, as a deadlock would be)")),
        ("PyEval_SaveThread", Rule::Cost("no GIL: hands back this thread's state without blocking; other threads are never excluded (free-threaded semantics)")),
        ("PyEval_RestoreThread", Rule::Cost("no GIL: hands back this thread's state without blocking; other threads are never excluded (free-threaded semantics)")),
        ("PyEval_AcquireThread", Rule::Cost("no GIL: hands back this thread's state without blocking; other threads are never excluded (free-threaded semantics)")),
        ("PyEval_ReleaseThread", Rule::Cost("no GIL: hands back this thread's state without blocking; other threads are never excluded (free-threaded semantics)")),
        ("PyThread_start_new_thread", Rule::Cost("under classic (single-threaded counting) the new thread cannot attach to the runtime: it may run C code only")),
        ("Py_NewInterpreter", Rule::NotApplicable("needs an interpreter loop: sub-interpreters each own an evaluation loop and module set; pyopaque runs one runtime per process")),
        ("Py_EndInterpreter", Rule::NotApplicable("needs an interpreter loop: sub-interpreters each own an evaluation loop and module set; pyopaque runs one runtime per process")),
        ("PyInterpreterState_New", Rule::NotApplicable("needs an interpreter loop: sub-interpreters each own an evaluation loop and module set; pyopaque runs one runtime per process")),
        ("PyInterpreterState_Clear", Rule::NotApplicable("needs an interpreter loop: sub-interpreters each own an evaluation loop and module set; pyopaque runs one runtime per process")),
        ("PyInterpreterState_Delete", Rule::NotApplicable("needs an interpreter loop: sub-interpreters each own an evaluation loop and module set; pyopaque runs one runtime per process")),
        ("PyThreadState_New", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("PyThreadState_Clear", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("PyThreadState_Delete", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("PyThreadState_Swap", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("PyThreadState_DeleteCurrent", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("_PyThreadState_Init", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("_PyThreadState_Prealloc", Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure)")),
        ("PyThreadState_SetAsyncExc", Rule::NotApplicable("needs an interpreter loop: the exception is raised asynchronously between bytecodes")),
        ("PyEval_AcquireLock", Rule::NotApplicable("needs an interpreter loop: the GIL that serializes the evaluation loop; pyopaque has no GIL to take")),
        ("PyEval_ReleaseLock", Rule::NotApplicable("needs an interpreter loop: the GIL that serializes the evaluation loop; pyopaque has no GIL to take")),
        ("PyEval_ThreadsInitialized", Rule::Works),
    ]
};
