//! Critical sections (`PyCriticalSection_Begin`/`End`, `PyCriticalSection2_Begin`/`End`): the
//! free-threaded build's per-object locks, part of the abi3t ABI (PyO3's abi3t build locks a
//! list or dict with them while it iterates).
//!
//! pyopaque has no GIL, so the sections must exclude each other for real. They are answered with
//! one process-wide reentrant lock rather than a lock per object: nested sections on one thread
//! (any objects, any order) re-enter it, so no two sections can deadlock each other, and no lock
//! word is needed in the (opaque) object. The cost: sections on unrelated objects in different
//! threads serialize, and a thread that blocks inside a section (CPython suspends sections
//! when the thread detaches) holds the others off until it ends it.
//!
//! The caller's `PyCriticalSection` (two pointer-sized words in CPython 3.15's layout, three for
//! `PyCriticalSection2`) holds nothing the shim reads back: `End` releases one level of the lock
//! of the calling thread.

use std::ffi::c_void;
use std::sync::{Condvar, Mutex};

use crate::boundary::ffi::PyObject;
use crate::cov;

/// The process-wide reentrant lock: the owning thread's token and the nesting depth.
struct SectionLock {
    state: Mutex<(usize, usize)>,
    released: Condvar,
}

static LOCK: SectionLock = SectionLock {
    state: Mutex::new((0, 0)),
    released: Condvar::new(),
};

thread_local! {
    static TOKEN: u8 = const { 0 };
}

/// A nonzero token unique to the calling thread while it lives (the address of a thread-local).
fn thread_token() -> usize {
    TOKEN.with(|t| t as *const u8 as usize)
}

/// Takes one level of the lock for the calling thread, waiting while another thread holds it.
fn enter() {
    let me = thread_token();
    let mut s = LOCK.state.lock().unwrap_or_else(|e| e.into_inner());
    while s.1 != 0 && s.0 != me {
        s = LOCK.released.wait(s).unwrap_or_else(|e| e.into_inner());
    }
    *s = (me, s.1 + 1);
}

/// Releases one level of the lock if the calling thread holds it (an unmatched `End` is
/// ignored rather than corrupting another thread's section).
fn leave() {
    let me = thread_token();
    let mut s = LOCK.state.lock().unwrap_or_else(|e| e.into_inner());
    if s.1 == 0 || s.0 != me {
        return;
    }
    s.1 -= 1;
    if s.1 == 0 {
        s.0 = 0;
        LOCK.released.notify_one();
    }
}

/// `PyCriticalSection_Begin(c, op)`: enters a critical section on `op` (blocks while another
/// thread is in one). `c` is the caller's record, not read.
///
/// # Safety
/// `c` points to the caller's `PyCriticalSection`; `op` an object C holds. Each Begin is matched
/// by one End on the same thread.
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection_Begin(c: *mut c_void, op: *mut PyObject) {
    cov!("PyCriticalSection_Begin");
    let _ = (c, op);
    enter();
}

/// `PyCriticalSection_End(c)`: leaves the section `c` began.
///
/// # Safety
/// `c` a section this thread began.
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection_End(c: *mut c_void) {
    cov!("PyCriticalSection_End");
    let _ = c;
    leave();
}

/// `PyCriticalSection2_Begin(c, a, b)`: a section on two objects at once (one lock here, so
/// the order of `a` and `b` cannot deadlock).
///
/// # Safety
/// As [`PyCriticalSection_Begin`].
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection2_Begin(
    c: *mut c_void,
    a: *mut PyObject,
    b: *mut PyObject,
) {
    cov!("PyCriticalSection2_Begin");
    let _ = (c, a, b);
    enter();
}

/// `PyCriticalSection2_End(c)`.
///
/// # Safety
/// As [`PyCriticalSection_End`].
#[no_mangle]
pub unsafe extern "C" fn PyCriticalSection2_End(c: *mut c_void) {
    cov!("PyCriticalSection2_End");
    let _ = c;
    leave();
}

/// The verdicts of the C API functions this module answers for (collected by
/// [`crate::verdict`]).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    const ONE_LOCK: Rule = Rule::Cost("one process-wide reentrant lock instead of a lock per object (no lock word in an opaque object): sections in different threads serialize, and are not suspended when the thread detaches");
    &[
        ("PyCriticalSection_Begin", ONE_LOCK),
        ("PyCriticalSection_End", ONE_LOCK),
        ("PyCriticalSection2_Begin", ONE_LOCK),
        ("PyCriticalSection2_End", ONE_LOCK),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn sections_nest_on_one_thread_and_exclude_other_threads() {
        enter();
        enter();
        leave();
        let inside = Arc::new(AtomicUsize::new(0));
        let i2 = inside.clone();
        let t = std::thread::spawn(move || {
            enter();
            i2.store(1, Ordering::SeqCst);
            leave();
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(inside.load(Ordering::SeqCst), 0, "another thread entered");
        leave();
        t.join().unwrap();
        assert_eq!(inside.load(Ordering::SeqCst), 1);
    }
}
