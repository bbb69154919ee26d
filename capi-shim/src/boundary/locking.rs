//! Object locks at the API boundary (issue 15): the per-thread stack of critical sections and
//! the lock a list, dict or set function takes on its container while more than one thread is
//! attached ([`locked`], [`capi_locked!`], [`capi_lean_locked!`]). The C functions
//! (`PyCriticalSection_*`, `PyMutex_*`) are in `python/critical_section.rs`; the rules
//! (deadlock avoidance by suspending sections, what is atomic) are documented there and in
//! docs/design.md, "Threads: stop-the-world".

use std::cell::Cell;

use pyopaque_runtime::object_lock;
use pyopaque_runtime::{ObjRef, Thread};

use crate::boundary::cx;
use crate::boundary::ffi::PyObject;

/// `PyCriticalSection` as our header lays it out.
#[repr(C)]
pub struct PyCriticalSection {
    /// The thread's enclosing section (address) with the state bits below.
    prev: usize,
    /// The locked object.
    pub(crate) obj: *mut PyObject,
}

/// `PyCriticalSection2`.
#[repr(C)]
pub struct PyCriticalSection2 {
    pub(crate) base: PyCriticalSection,
    pub(crate) obj2: *mut PyObject,
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
pub(crate) unsafe fn begin(c: *mut PyCriticalSection, two: bool, cx: Option<&mut Thread>) {
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
pub(crate) unsafe fn end(c: *mut PyCriticalSection, cx: Option<&mut Thread>) {
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

/// Runs `f` holding `op`'s lock when more than one thread is attached and `op` is a list, a
/// dict, a set or a frozenset: the abstract protocol's entries (`PyObject_GetItem`,
/// `PySequence_Contains`, ...) reach the runtime's storage of those containers directly, as
/// the concrete `PyList_*`/`PyDict_*` functions do, so they take the same lock (CPython's
/// free-threaded build takes it inside the containers' slots). Any other object runs
/// unlocked: its own slots lock what they need. `op` is C-held (pinned), so its lock bits stay
/// where waiters look for them.
///
/// # Safety
/// `op` is NULL, an immediate, or an object the caller (C) holds.
pub unsafe fn locked_if_container<R>(
    cx: &mut Thread,
    op: *mut PyObject,
    f: impl FnOnce(&mut Thread) -> R,
) -> R {
    if cx.rt.attached_threads() <= 1 || op.is_null() || (op as usize) & 1 == 1 {
        return f(cx);
    }
    // SAFETY: `op` is NULL (excluded above), an immediate (excluded) or an object C holds (the
    // caller's contract; debug mode checks it here as every entry does).
    let Some(o) = (unsafe { cx::from_c(op) }) else {
        return f(cx);
    };
    let container = !o.is_tagged()
        && (matches!(
            cx.kind_of(o),
            pyopaque_runtime::types::Kind::List | pyopaque_runtime::types::Kind::Dict
        ) || crate::objects::set::is_anyset(o));
    if container {
        locked(cx, op, f)
    } else {
        f(cx)
    }
}

/// `capi!` for an abstract-protocol function whose body runs under [`locked_if_container`] on
/// `$obj`.
#[macro_export]
macro_rules! capi_container_locked {
    ($name:literal, $obj:expr, |$cx:ident| $body:expr) => {{
        $crate::cov!($name);
        $crate::boundary::cx::api($name, |cx| {
            let body = |$cx: &mut pyopaque_runtime::Thread| $body;
            let obj: *mut $crate::boundary::ffi::PyObject = $obj;
            // SAFETY: `obj` is the exported function's argument: NULL, an immediate or an
            // object C holds (the C API's contract for every object argument).
            unsafe { $crate::boundary::locking::locked_if_container(cx, obj, body) }
        })
    }};
}

/// `capi!` for a function whose body runs under [`locked`] on `$obj`.
#[macro_export]
macro_rules! capi_locked {
    ($name:literal, $obj:expr, |$cx:ident| $body:expr) => {{
        $crate::cov!($name);
        $crate::boundary::cx::api($name, |cx| {
            $crate::boundary::locking::locked(cx, $obj, |$cx| $body)
        })
    }};
}

/// `capi_lean!` whose general path runs under [`locked`] on `$obj` (the lean path runs only
/// while one thread is attached, so it needs no lock).
#[macro_export]
macro_rules! capi_lean_locked {
    ($obj:expr; $name:literal, |$cx:ident| $fast:expr, $body:expr) => {{
        $crate::capi_lean!($name, |$cx| $fast, |cx| {
            $crate::boundary::locking::locked(cx, $obj, $body)
        })
    }};
}
