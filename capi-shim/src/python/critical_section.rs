//! Critical sections (`Py_BEGIN_CRITICAL_SECTION`, `PyCriticalSection_*`, CPython 3.13+) and
//! `PyMutex`, implemented for real as in the free-threaded build: a critical section holds the
//! object's own lock (two bits of its header, `pyopaque_runtime::object_lock`), and the C API's
//! list, dict and set functions take the same lock while more than one thread is attached
//! (`boundary::locking::locked`, through `capi_locked!` and `capi_lean_locked!`), so C code that wraps a
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

use std::ffi::c_int;
use std::sync::atomic::AtomicU8;

use pyopaque_runtime::object_lock::byte_mutex;

use crate::boundary::cx;
use crate::boundary::ffi::PyObject;
use crate::boundary::locking::{begin, end, PyCriticalSection, PyCriticalSection2};
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
