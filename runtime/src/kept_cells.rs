//! Cells whose memory C kept: an object whose deallocator did not give its memory back.
//!
//! CPython lets a type's `tp_dealloc` keep an instance's memory instead of calling `tp_free`:
//! Cython's `@cython.freelist(N)` classes push dead instances on a static array and their
//! `tp_new` pops one, clears the struct and re-initialises it with `PyObject_Init`. The memory
//! is C's from the end of `tp_dealloc` until that `PyObject_Init`, so the runtime must neither
//! free the cell (count path), nor reclaim it in a collection (the binding's finalizer answers
//! [`pyopaque_gc::Finalized::Kept`]), nor move it, nor scan the stale struct.
//!
//! Rule: a kept cell is flagged [`KEPT_BY_C`], typed as the inert `object` (no hooks: nothing
//! to scan, nothing to release) and holds one count, "the reference of C's freelist". That
//! count makes it a pinned root of every later collection under every scheme (the pinning
//! analysis sees a count no heap reference explains; under `tracing` a positive C count), so
//! the cell stays where it is, alive, until [`revive`] gives it a type and a fresh count again.
//! A kept cell that C never reuses stays allocated for the runtime's life, as CPython's
//! freelists keep their memory.

use std::sync::atomic::Ordering::Relaxed;

use crate::header::{flags::KEPT_BY_C, header_of};
use crate::objref::ObjRef;
use crate::refcount;
use crate::thread::Thread;

/// Marks `obj`, whose deallocator just ran without releasing its memory, as kept by C: retyped
/// to `inert` (the runtime's `object`), one count held by C, flagged [`KEPT_BY_C`]. Thread-free
/// (called from finalizers inside deallocation and collection).
pub fn keep_for_c(obj: ObjRef, inert: ObjRef) {
    let h = header_of(obj);
    h.set_ty(inert);
    // One count in the low half of the first word is "one reference" under every scheme (the
    // biased scheme's local count; the owner half is rewritten by `revive`).
    h.rc_a().store(1, Relaxed);
    h.rc_b().store(0, Relaxed);
    h.gc_flags().fetch_or(KEPT_BY_C, Relaxed);
}

/// True when `obj` is a cell C kept (see the module documentation).
#[inline]
pub fn is_kept(obj: ObjRef) -> bool {
    !obj.is_tagged() && header_of(obj).gc_flags().load(Relaxed) & KEPT_BY_C != 0
}

/// Gives a kept cell back to the object world as a fresh instance of `ty` holding one reference
/// owned by C (what `PyObject_Init` returns from a freelist). Returns false, changing nothing,
/// when `obj` is not a kept cell.
pub fn revive(cx: &Thread, obj: ObjRef, ty: ObjRef) -> bool {
    if !is_kept(obj) {
        return false;
    }
    let h = header_of(obj);
    h.gc_flags().fetch_and(!KEPT_BY_C, Relaxed);
    h.set_ty(ty);
    let (a, b) = refcount::initial_counts(cx.scheme, cx.tid(), 0);
    h.rc_a().store(a, Relaxed);
    h.rc_b().store(b, Relaxed);
    refcount::c_incref(cx, obj);
    true
}
