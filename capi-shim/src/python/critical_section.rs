//! Critical sections (`Py_BEGIN_CRITICAL_SECTION`, `PyCriticalSection_*`, CPython 3.13+) and
//! `PyMutex`, implemented for real as in the free-threaded build: a critical section holds the
//! object's own lock (two bits of its header, `pyopaque_runtime::object_lock`), and the C API's
//! list, dict and set functions take the same lock while more than one thread is attached
//! ([`locked`], through [`capi_locked!`] and [`capi_lean_locked!`]), so C code that wraps a
//! sequence of calls in a critical section sees them atomically.
//!
//! **Deadlock avoidance** (CPython's rule): each thread keeps a stack of its sections (the C
//! structs, linked through `_cs_prev`; the top in a thread-local). A thread that must wait for a
//! contended lock first *suspends* every section it holds (releases their locks), waits outside
//! the runtime, and takes the suspended top section's locks again when the inner section ends.
//! So no thread ever waits while holding an object lock, and lock-order inversions between two
//! sections cannot deadlock. The price: an outer section's atomicity is broken across an inner
//! section that had to wait (as in CPython). `PyCriticalSection2_Begin` takes its two locks in
//! address order. Nesting a section on the object the top section already holds does nothing.
//!
//! **Deadlock-prone nesting that remains**: a `PyMutex` (or any C lock) held while beginning a
//! critical section, or a critical section held while waiting for a C lock that another thread
//! holds while it waits for that section: the runtime cannot suspend a C lock. Keep C locks
//! innermost.
//!
//! **What is atomic** with more than one thread attached: each call of `PyList_*`, `PyDict_*`,
//! `PySet_*` listed in [`VERDICTS`]-covered files (under the container's lock; `PyList_GetItem`
//! and `PyDict_GetItem` return a borrowed reference that stays valid until the native call
//! returns, whatever other threads do). **Not atomic**: abstract-protocol calls on a shared
//! container (`PyObject_GetItem`, `PySequence_*`, `PyIter_Next`, `PyObject_Repr`), raw item
//! arrays (`PySequence_Fast_ITEMS`, `PyList_GET_ITEM` through the array) and a sequence of
//! calls: wrap those in a critical section. Reads take the lock too (CPython reads lists and
//! dicts without it and delays freeing their arrays); here a strategy switch or a resize happens
//! under the lock, so it never frees storage under a reader.

use std::cell::Cell;
use std::ffi::c_int;
use std::sync::atomic::AtomicU8;

use pyopaque_runtime::object_lock::{self, byte_mutex};
use pyopaque_runtime::{ObjRef, Thread};

use crate::cx;
use crate::ffi::PyObject;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyCriticalSection_Begin", Rule::Cost("a real per-object lock (two header bits; one compare-exchange uncontended); a thread that must wait suspends its other sections first, as in the free-threaded build")),
    ("PyCriticalSection_End", Rule::Works),
    ("PyCriticalSection2_Begin", Rule::Cost("two per-object locks, taken in address order")),
    ("PyCriticalSection2_End", Rule::Works),
    ("PyMutex_Lock", Rule::Cost("one byte, spin then park (waits outside the runtime)")),
    ("PyMutex_Unlock", Rule::Works),
    ("PyMutex_IsLocked", Rule::Works),
];

/// `PyCriticalSection` as our header lays it out.
#[repr(C)]
pub struct PyCriticalSection {
    /// The thread's enclosing section (address) with the state bits below.
    prev: usize,
    /// The locked object.
    obj: *mut PyObject,
}

/// `PyCriticalSection2`.
#[repr(C)]
pub struct PyCriticalSection2 {
    base: PyCriticalSection,
    obj2: *mut PyObject,
}

/// `prev` bit: the section's locks are released until it is the top section again.
const SUSPENDED: usize = 1;
/// `prev` bit: the section is a `PyCriticalSection2` (`obj2` follows).
const TWO: usize = 2;
/// `prev` bit: the section locks nothing (nested on the object the top section holds, or a
/// NULL object).
const NOOP: usize = 4;
const TAGS: usize = 7;

thread_local! {
    /// The innermost critical section of this thread (0: none).
    static TOP: Cell<usize> = const { Cell::new(0) };
}

/// The objects section `c` locks, lower address first (none for a NOOP section).
///
/// # Safety
/// `c` is a live section of this thread's stack.
unsafe fn objects(c: *mut PyCriticalSection) -> [Option<ObjRef>; 2] {
    // SAFETY: caller's contract.
    let s = unsafe { &*c };
    if s.prev & NOOP != 0 {
        return [None, None];
    }
    // SAFETY: the pointers were live objects when the section began and stay pinned (C holds
    // them for the whole section).
    let a = unsafe { cx::from_c(s.obj) };
    let b = if s.prev & TWO != 0 {
        // SAFETY: a TWO section is the base of a PyCriticalSection2; as above.
        unsafe { cx::from_c((*c.cast::<PyCriticalSection2>()).obj2) }
    } else {
        None
    };
    [a, b]
}

/// Releases the locks of every active section of this thread (they become SUSPENDED).
fn suspend_all() {
    let mut p = TOP.with(|t| t.get());
    while p != 0 {
        let c = p as *mut PyCriticalSection;
        // SAFETY: every entry of the stack is a live section (C ends them in LIFO order).
        let s = unsafe { &mut *c };
        if s.prev & (SUSPENDED | NOOP) == 0 {
            // SAFETY: as above.
            for o in unsafe { objects(c) }.into_iter().flatten() {
                object_lock::unlock(o);
            }
            s.prev |= SUSPENDED;
        }
        p = s.prev & !TAGS;
    }
}

/// Waits for `objs`' locks (in order), outside the runtime: through `cx` when the caller is
/// inside it, directly when the caller is C (which always runs outside the runtime).
fn wait_for(objs: &[Option<ObjRef>; 2], cx: Option<&mut Thread>) {
    let take = |objs: [Option<ObjRef>; 2]| {
        for o in objs.into_iter().flatten() {
            object_lock::lock_blocking(o);
        }
    };
    let objs = SendObjs(*objs);
    match cx {
        Some(cx) => cx.allow_threads(move || take(objs.get())),
        None => take(objs.get()),
    }
}

/// Object references carried across `allow_threads` (pinned: C holds them).
#[derive(Clone, Copy)]
struct SendObjs([Option<ObjRef>; 2]);
// SAFETY: only the addresses cross; the objects are pinned while the section exists.
unsafe impl Send for SendObjs {}

impl SendObjs {
    fn get(self) -> [Option<ObjRef>; 2] {
        self.0
    }
}

/// Begins section `c` (its `obj`, and `obj2` for a TWO section, already set) and pushes it.
///
/// # Safety
/// `c` stays valid (and unmoved) until the matching [`end`].
unsafe fn begin(c: *mut PyCriticalSection, two: bool, cx: Option<&mut Thread>) {
    let top = TOP.with(|t| t.get());
    // SAFETY: caller's contract.
    let s = unsafe { &mut *c };
    s.prev = top | if two { TWO } else { 0 };
    // SAFETY: as above.
    let objs = unsafe { objects(c) };
    let nested_same = top != 0 && {
        let t = top as *mut PyCriticalSection;
        // SAFETY: the top entry is a live section of this thread.
        let held = unsafe { objects(t) };
        // SAFETY: as above.
        let active = unsafe { (*t).prev } & SUSPENDED == 0;
        active && objs.iter().flatten().all(|o| held.contains(&Some(*o)))
    };
    if objs.iter().all(Option::is_none) || nested_same {
        s.prev |= NOOP;
    } else {
        let mut got: Vec<ObjRef> = Vec::with_capacity(2);
        for o in objs.into_iter().flatten() {
            if object_lock::try_lock(o) {
                got.push(o);
            } else {
                break;
            }
        }
        if got.len() != objs.iter().flatten().count() {
            for o in got {
                object_lock::unlock(o);
            }
            suspend_all();
            wait_for(&objs, cx);
        }
    }
    TOP.with(|t| t.set(c as usize));
}

/// Ends section `c` (the top one), then takes the locks of the enclosing section again if it
/// was suspended.
///
/// # Safety
/// `c` is this thread's top section.
unsafe fn end(c: *mut PyCriticalSection, cx: Option<&mut Thread>) {
    let top = TOP.with(|t| t.get());
    if top != c as usize {
        cx::fatal(
            "PyCriticalSection_End",
            "critical sections must end in the reverse order they began (this one is not the \
             innermost section of the calling thread)",
        );
    }
    // SAFETY: caller's contract.
    let s = unsafe { &mut *c };
    if s.prev & (NOOP | SUSPENDED) == 0 {
        // SAFETY: as above.
        for o in unsafe { objects(c) }.into_iter().flatten() {
            object_lock::unlock(o);
        }
    }
    let outer = s.prev & !TAGS;
    TOP.with(|t| t.set(outer));
    if outer != 0 {
        let o = outer as *mut PyCriticalSection;
        // SAFETY: the enclosing entry is a live section of this thread.
        if unsafe { (*o).prev } & SUSPENDED != 0 {
            // SAFETY: as above.
            let objs = unsafe { objects(o) };
            wait_for(&objs, cx);
            // SAFETY: as above.
            unsafe { (*o).prev &= !SUSPENDED };
        }
    }
}

/// `PyCriticalSection_Begin`: locks `op` until `PyCriticalSection_End(c)`. A NULL `op` locks
/// nothing (CPython would crash).
///
/// # Safety
/// `c` points to writable memory that stays in place until the matching end.
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection_Begin(c: *mut PyCriticalSection, op: *mut PyObject) {
    crate::cov!("PyCriticalSection_Begin");
    if c.is_null() {
        cx::fatal("PyCriticalSection_Begin", "NULL critical section");
    }
    // SAFETY: caller's contract.
    unsafe {
        (*c).obj = op;
        begin(c, false, None);
    }
}

/// `PyCriticalSection_End`.
///
/// # Safety
/// `c` began with `PyCriticalSection_Begin` on this thread and is its innermost section.
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection_End(c: *mut PyCriticalSection) {
    crate::cov!("PyCriticalSection_End");
    // SAFETY: caller's contract.
    unsafe { end(c, None) }
}

/// `PyCriticalSection2_Begin`: locks `a` and `b` (one lock when they are the same object).
///
/// # Safety
/// As `PyCriticalSection_Begin`.
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection2_Begin(
    c: *mut PyCriticalSection2,
    a: *mut PyObject,
    b: *mut PyObject,
) {
    crate::cov!("PyCriticalSection2_Begin");
    if c.is_null() {
        cx::fatal("PyCriticalSection2_Begin", "NULL critical section");
    }
    let (lo, hi) = if (a as usize) <= (b as usize) {
        (a, b)
    } else {
        (b, a)
    };
    let hi = if hi == lo { std::ptr::null_mut() } else { hi };
    // SAFETY: caller's contract.
    unsafe {
        (*c).base.obj = lo;
        (*c).obj2 = hi;
        begin(c.cast(), true, None);
    }
}

/// `PyCriticalSection2_End`.
///
/// # Safety
/// As `PyCriticalSection_End`.
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection2_End(c: *mut PyCriticalSection2) {
    crate::cov!("PyCriticalSection2_End");
    // SAFETY: caller's contract.
    unsafe { end(c.cast(), None) }
}

/// Runs `f` holding `op`'s lock when more than one thread is attached (the runtime's list, dict
/// and set operations called from C: see the module documentation). `op` NULL or not an object
/// of the heap: `f` runs unlocked and reports the error itself.
pub fn locked<R>(cx: &mut Thread, op: *mut PyObject, f: impl FnOnce(&mut Thread) -> R) -> R {
    if cx.rt.attached_threads() <= 1 || op.is_null() || (op as usize) & 1 == 1 {
        return f(cx);
    }
    let mut cs = PyCriticalSection { prev: 0, obj: op };
    let c: *mut PyCriticalSection = &mut cs;
    // SAFETY: `cs` lives on this frame until `Ending` (below) ends it.
    unsafe { begin(c, false, Some(cx)) };
    /// Ends the section on every exit, a panic included (a lock left held would hang others).
    struct Ending(*mut PyCriticalSection, *mut Thread);
    impl Drop for Ending {
        fn drop(&mut self) {
            // SAFETY: the section began above and is the innermost one again: every section
            // `f` began has ended (LIFO), or `f` unwound through their own guards. `f`'s
            // borrow of the thread has ended, so this is the only reference in use.
            unsafe { end(self.0, Some(&mut *self.1)) }
        }
    }
    let cxp: *mut Thread = cx;
    let guard = Ending(c, cxp);
    // SAFETY: `cxp` is the caller's `&mut Thread`, reborrowed for `f` alone (the guard uses it
    // only after `f` returned or unwound).
    let r = f(unsafe { &mut *cxp });
    drop(guard);
    r
}

/// `capi!` for a function whose body runs under [`locked`] on `$obj`.
#[macro_export]
macro_rules! capi_locked {
    ($name:literal, $obj:expr, |$cx:ident| $body:expr) => {{
        $crate::cov!($name);
        $crate::cx::api($name, |cx| {
            $crate::python_critical_section::locked(cx, $obj, |$cx| $body)
        })
    }};
}

/// `capi_lean!` whose general path runs under [`locked`] on `$obj` (the lean path runs only
/// while one thread is attached, so it needs no lock).
#[macro_export]
macro_rules! capi_lean_locked {
    ($obj:expr; $name:literal, |$cx:ident| $fast:expr, $body:expr) => {{
        $crate::capi_lean!($name, |$cx| $fast, |cx| {
            $crate::python_critical_section::locked(cx, $obj, $body)
        })
    }};
}

/// `PyMutex_Lock`: waits (outside the runtime) until the mutex is free, then takes it.
///
/// # Safety
/// `m` points to a `PyMutex` (one byte) that outlives the call.
#[no_mangle]
pub unsafe extern "C" fn PyMutex_Lock(m: *mut u8) {
    crate::cov!("PyMutex_Lock");
    if m.is_null() {
        cx::fatal("PyMutex_Lock", "NULL mutex");
    }
    // SAFETY: caller's contract; AtomicU8 has the layout of u8.
    let m = unsafe { AtomicU8::from_ptr(m) };
    if !byte_mutex::try_lock(m) {
        byte_mutex::lock(m);
    }
}

/// `PyMutex_Unlock`: releases the mutex; unlocking a mutex that is not locked is fatal, as in
/// CPython ("unlocking mutex that is not locked").
///
/// # Safety
/// As `PyMutex_Lock`.
#[no_mangle]
pub unsafe extern "C" fn PyMutex_Unlock(m: *mut u8) {
    crate::cov!("PyMutex_Unlock");
    if m.is_null() {
        cx::fatal("PyMutex_Unlock", "NULL mutex");
    }
    // SAFETY: as above.
    if !byte_mutex::unlock(unsafe { AtomicU8::from_ptr(m) }) {
        cx::fatal("PyMutex_Unlock", "unlocking mutex that is not locked");
    }
}

/// `PyMutex_IsLocked` (3.14): 1 when locked.
///
/// # Safety
/// As `PyMutex_Lock`.
#[no_mangle]
pub unsafe extern "C" fn PyMutex_IsLocked(m: *mut u8) -> c_int {
    crate::cov!("PyMutex_IsLocked");
    if m.is_null() {
        return 0;
    }
    // SAFETY: as above.
    byte_mutex::is_locked(unsafe { AtomicU8::from_ptr(m) }) as c_int
}
