//! Reference counting and the header accessors (`Py_INCREF`, `Py_TYPE`, `Py_REFCNT`, ...).
//!
//! `Py_IncRef`/`Py_DecRef` count *C-held* references (`refcount::c_incref`/`c_decref`), under
//! every scheme including `tracing`, where the C-held count is what pins an object. Inside a
//! finalizer (`tp_dealloc` running while the runtime deallocates), `Py_DecRef` is deferred to the
//! next API entry.

use std::ffi::{c_int, c_uint};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::refcount;
use pyopaque_runtime::{Kind, ObjRef};

use crate::boundary::cx::{self, arg, bad_internal_call, borrowed, from_c, new_ref, to_c};
use crate::boundary::ffi::{PyObject, PyTypeObject, Py_ssize_t};
use crate::{capi, capi_nothread, cov};

/// `Py_IncRef` (and `Py_INCREF`, `Py_XINCREF`): NULL is ignored.
///
/// # Safety
/// `o` must be NULL or an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_IncRef(o: *mut PyObject) {
    cov!("Py_IncRef");
    if o.is_null() || (o as usize) & 1 == 1 {
        return;
    }
    if let Some(p) = cx::lean_thread() {
        // Fast path: the published thread, no finalizer running, debug mode off, and a heap
        // object (not a static type symbol: those are immortal anyway).
        if let Some(obj) = cx::heap_ref(o) {
            // SAFETY: this thread's Thread; no other reference to it is in use (see cx::api).
            refcount::c_incref(unsafe { &*p.ptr() }, obj);
            return;
        }
    }
    // SAFETY: caller's contract.
    unsafe { incref_slow(o) }
}

/// The general `Py_IncRef` (debug mode, finalizers, other threads, static type symbols).
///
/// # Safety
/// As `Py_IncRef`.
#[cold]
#[inline(never)]
unsafe fn incref_slow(o: *mut PyObject) {
    let saved_api = if cx::debug_on() {
        cx::set_current_api("Py_IncRef")
    } else {
        ""
    };
    // SAFETY: caller's contract.
    let obj = unsafe { from_c(o) };
    // Inside tp_dealloc only objects outside the moving heap (types, singletons: immortal, never
    // the dying object) may gain a reference; PyO3's tp_dealloc takes one on the class. Counting
    // it allocates nothing, and the matching decref is deferred like every decref there.
    let external = obj.is_some_and(|x| !x.is_tagged() && pyopaque_runtime::binding::is_external(x));
    if cx::finalizing() && !external {
        cx::fatal(
            "Py_IncRef",
            "an object was resurrected inside tp_dealloc; pyopaque does not support resurrection",
        );
    }
    if cx::debug_on() {
        cx::set_current_api(saved_api);
    }
    let Some(obj) = obj else {
        return;
    };
    let Some(p) = cx::thread_ptr() else { return };
    // SAFETY: this thread's Thread; no other reference to it is in use (see cx::api).
    let t = unsafe { &mut *p };
    if cx::debug_on() {
        crate::boundary::debug::forget_loan(obj);
    }
    t.enter_runtime();
    refcount::c_incref(t, obj);
    t.leave_runtime();
}

/// `Py_DecRef` (and `Py_DECREF`, `Py_XDECREF`): NULL is ignored. Frees the object (running its
/// `tp_dealloc`) when this was the last reference.
///
/// # Safety
/// `o` must be NULL or an object C holds a reference to.
#[no_mangle]
pub unsafe extern "C" fn Py_DecRef(o: *mut PyObject) {
    cov!("Py_DecRef");
    if o.is_null() || (o as usize) & 1 == 1 {
        return;
    }
    if let Some(p) = cx::lean_thread() {
        if let Some(obj) = cx::heap_ref(o) {
            // Fast path (as Py_IncRef's; debug mode is off, so a decref below zero is ignored,
            // as CPython's release build would not notice it either).
            // SAFETY: this thread's Thread; no other reference to it is in use (see cx::api).
            let t = unsafe { &mut *p.ptr() };
            if refcount::c_decref_is_last(t, obj) {
                // The last reference: deallocate here (the pointer is already translated and
                // the thread is the lean one, so `decref_slow` would only redo both checks).
                decref_on_lean_thread(t, obj);
            }
            return;
        }
    }
    // SAFETY: caller's contract.
    unsafe { decref_slow(o) }
}

/// Drops C's reference to `obj` on the lean thread (deallocating it if that was the last one),
/// then runs the decrefs deferred meanwhile. A panic while releasing is fatal: C cannot be told.
fn decref_on_lean_thread(t: &mut pyopaque_runtime::Thread, obj: pyopaque_runtime::ObjRef) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = refcount::c_decref(t, obj);
    }));
    if r.is_err() {
        cx::fatal(
            "Py_DecRef",
            "internal error (panic) while releasing an object",
        );
    }
    cx::drain_deferred(t);
}

/// The general `Py_DecRef`: the last reference (deallocation), debug mode, finalizers, other
/// threads, static type symbols.
///
/// # Safety
/// As `Py_DecRef`.
#[cold]
#[inline(never)]
unsafe fn decref_slow(o: *mut PyObject) {
    let saved_api = if cx::debug_on() {
        cx::set_current_api("Py_DecRef")
    } else {
        ""
    };
    // SAFETY: caller's contract.
    let obj = unsafe { from_c(o) };
    if cx::debug_on() {
        cx::set_current_api(saved_api);
    }
    let Some(obj) = obj else {
        return;
    };
    if let Some(p) = cx::lean_thread() {
        // Fast path: the published thread, no finalizer running, debug mode off (so a decref
        // below zero is ignored, as CPython's release build would not notice it either).
        // SAFETY: this thread's Thread; no other reference to it is in use (see cx::api).
        let t = unsafe { &mut *p.ptr() };
        decref_on_lean_thread(t, obj);
        return;
    }
    if cx::finalizing() {
        cx::defer_decref(obj, true);
        return;
    }
    let Some(p) = cx::thread_ptr() else { return };
    // SAFETY: this thread's Thread; no other reference to it is in use (see cx::api).
    let t = unsafe { &mut *p };
    t.enter_runtime();
    if cx::debug_on() {
        crate::boundary::debug::before_decref(t, obj);
    }
    if let Err(n) = refcount::c_decref(t, obj) {
        if cx::debug_on() {
            cx::debug_report(
                "Py_DecRef",
                obj,
                &format!("reference count below zero ({n}): decref of an object C does not own"),
            );
            cx::take_debug_pending(t);
        }
    }
    cx::drain_deferred(t);
    t.leave_runtime();
}

/// `Py_NewRef`.
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_NewRef(o: *mut PyObject) -> *mut PyObject {
    capi!("Py_NewRef", |cx| {
        // SAFETY: caller's contract.
        let obj = unsafe { arg(cx, o) }?;
        Ok(new_ref(cx, obj))
    })
}

/// `Py_XNewRef`.
///
/// # Safety
/// `o` must be NULL or an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_XNewRef(o: *mut PyObject) -> *mut PyObject {
    capi!("Py_XNewRef", |cx| {
        // SAFETY: caller's contract.
        Ok(match unsafe { from_c(o) } {
            Some(obj) => new_ref(cx, obj),
            None => std::ptr::null_mut(),
        })
    })
}

/// `Py_REFCNT`: the total count (biased: local + shared; tracing: the C-held count; immediates
/// and immortal objects: a large constant).
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_REFCNT(o: *mut PyObject) -> Py_ssize_t {
    capi!("Py_REFCNT", |cx| {
        // SAFETY: caller's contract.
        let obj = unsafe { arg(cx, o) }?;
        if obj.is_tagged()
            || (cx.rt.config.immortal
                && header_of(obj)
                    .gc_flags()
                    .load(std::sync::atomic::Ordering::Relaxed)
                    & pyopaque_runtime::header::flags::IMMORTAL
                    != 0)
        {
            return Ok(u32::MAX as Py_ssize_t);
        }
        Ok(refcount::total_count(cx, obj) as Py_ssize_t)
    })
}

/// `Py_TYPE`: thread-free (used in `tp_dealloc`). Returns a borrowed type (types are immortal).
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_TYPE(o: *mut PyObject) -> *mut PyTypeObject {
    if !cx::debug_fast() {
        if let Some(obj) = cx::heap_ref(o) {
            // Lean path: a heap object's type word, translated to its static symbol when it is
            // a builtin type (one hash probe). Nothing here can panic.
            cov!("Py_TYPE");
            return to_c(header_of(obj).ty()).cast();
        }
    }
    capi_nothread!("Py_TYPE", std::ptr::null_mut(), || {
        // SAFETY: caller's contract.
        match unsafe { from_c(o) } {
            None => std::ptr::null_mut(),
            Some(obj) => {
                let g = cx::global();
                let t = if obj.is_tagged() {
                    g.rt.types.int
                } else {
                    header_of(obj).ty()
                };
                to_c(t)
            }
        }
    })
}

/// `Py_IS_TYPE`.
///
/// # Safety
/// `o` must be an object C holds, `ty` a type.
#[no_mangle]
pub unsafe extern "C" fn Py_IS_TYPE(o: *mut PyObject, ty: *mut PyTypeObject) -> c_int {
    cov!("Py_IS_TYPE");
    // SAFETY: caller's contract.
    unsafe { (Py_TYPE(o) == to_c(from_c(ty).unwrap_or(cx::global().rt.types.object))) as c_int }
}

/// `Py_SIZE`: length of tuples, lists, bytes, dicts; recorded `ob_size` of variable-size C
/// instances; 0 otherwise.
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_SIZE(o: *mut PyObject) -> Py_ssize_t {
    capi!("Py_SIZE", |cx| {
        // SAFETY: caller's contract.
        let obj = unsafe { arg(cx, o) }?;
        Ok(match cx.kind_of(obj) {
            Kind::Tuple => cx.tuple_len(obj).unwrap_or(0) as isize,
            Kind::List => cx.list_len(obj) as isize,
            Kind::Bytes => cx.bytes_value(obj).map_or(0, |b| b.len()) as isize,
            Kind::Dict => cx.dict_len(obj) as isize,
            Kind::Native => crate::boundary::pinning::var_size(obj).unwrap_or(0),
            _ => 0,
        })
    })
}

/// `Py_SET_TYPE` (`PyOpaque_SET_TYPE`): allowed between types with the same payload layout
/// (spec types with equal basicsize, or the same builtin kind).
///
/// # Safety
/// `o` must be an object C holds, `ty` a type.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_SET_TYPE(o: *mut PyObject, ty: *mut PyTypeObject) {
    capi!("PyOpaque_SET_TYPE", |cx| {
        // SAFETY: caller's contract.
        let (obj, t) = unsafe { (arg(cx, o)?, arg(cx, ty)?) };
        if obj.is_tagged() {
            cx::fatal("Py_SET_TYPE", "cannot change the type of an immediate int");
        }
        let old = header_of(obj).ty();
        let (po, pn) = (type_payload(old), type_payload(t));
        if po.kind != pn.kind || po.basicsize != pn.basicsize {
            cx::fatal("Py_SET_TYPE", "the new type has a different payload layout");
        }
        header_of(obj).set_ty(t);
        Ok(())
    })
}

/// `Py_SET_REFCNT` (`PyOpaque_SET_REFCNT`): not implementable in general (biased and tracing
/// counts are not a single number); aborts with an explanation.
///
/// # Safety
/// Never returns normally for valid input.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_SET_REFCNT(_o: *mut PyObject, _n: Py_ssize_t) {
    cov!("PyOpaque_SET_REFCNT");
    cx::fatal("Py_SET_REFCNT", "not implementable: the count is scheme-specific (biased: two counts; tracing: C-held only)");
}

/// `Py_Is`.
#[no_mangle]
pub extern "C" fn Py_Is(a: *mut PyObject, b: *mut PyObject) -> c_int {
    cov!("Py_Is");
    (a == b) as c_int
}

/// `Py_IsNone`.
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_IsNone(o: *mut PyObject) -> c_int {
    cov!("Py_IsNone");
    (o == to_c(cx::global().rt.none)) as c_int
}

/// `Py_IsTrue`.
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_IsTrue(o: *mut PyObject) -> c_int {
    cov!("Py_IsTrue");
    (o == to_c(cx::global().rt.true_)) as c_int
}

/// `Py_IsFalse`.
///
/// # Safety
/// `o` must be an object C holds.
#[no_mangle]
pub unsafe extern "C" fn Py_IsFalse(o: *mut PyObject) -> c_int {
    cov!("Py_IsFalse");
    (o == to_c(cx::global().rt.false_)) as c_int
}

fn constant(cx: &mut pyopaque_runtime::Thread, id: c_uint) -> pyopaque_runtime::PyResult<ObjRef> {
    let rt = cx.rt.clone();
    Ok(match id {
        0 => rt.none,
        1 => rt.false_,
        2 => rt.true_,
        3 => rt.ellipsis,
        4 => rt.not_implemented,
        5 | 6 => {
            let h = cx.int(id as i64 - 5);
            cx.get(h)
        }
        7 => {
            let h = cx.str("");
            cx.get(h)
        }
        8 => {
            let h = cx.bytes(b"");
            cx.get(h)
        }
        9 => {
            let h = cx.tuple(&[]);
            cx.get(h)
        }
        _ => return Err(bad_internal_call(cx)),
    })
}

/// `Py_GetConstant` (new reference). `Py_None`, `Py_RETURN_NONE`, ... use it.
#[no_mangle]
pub extern "C" fn Py_GetConstant(id: c_uint) -> *mut PyObject {
    capi!("Py_GetConstant", |cx| {
        let o = constant(cx, id)?;
        Ok(new_ref(cx, o))
    })
}

/// `Py_GetConstantBorrowed` (borrowed reference, pinned until the native call returns).
#[no_mangle]
pub extern "C" fn Py_GetConstantBorrowed(id: c_uint) -> *mut PyObject {
    capi!("Py_GetConstantBorrowed", |cx| {
        let o = constant(cx, id)?;
        Ok(borrowed(cx, o))
    })
}

// ----- underscore aliases of the stable ABI -----

/// `_Py_IncRef`: `Py_IncRef`.
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn _Py_IncRef(o: *mut PyObject) {
    cov!("_Py_IncRef");
    // SAFETY: forwarded contract.
    unsafe { crate::boundary::refcount::Py_IncRef(o) }
}

/// `_Py_DecRef`: `Py_DecRef`.
///
/// # Safety
/// NULL or an object C holds a reference to.
#[no_mangle]
pub unsafe extern "C" fn _Py_DecRef(o: *mut PyObject) {
    cov!("_Py_DecRef");
    // SAFETY: forwarded contract.
    unsafe { crate::boundary::refcount::Py_DecRef(o) }
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("Py_DecRef", Rule::Counting("C-held count: under tracing only C references are counted and a positive count pins the object")),
        ("Py_GetConstant", Rule::Works),
        ("Py_GetConstantBorrowed", Rule::Cost("pinning: the borrowed result is pinned until the native call returns")),
        ("Py_IS_TYPE", Rule::Cost("extra indirection: builtin types are translated to their exported static symbol")),
        ("Py_IncRef", Rule::Counting("C-held count: under tracing only C references are counted and a positive count pins the object")),
        ("Py_Is", Rule::Works),
        ("Py_IsNone", Rule::Works),
        ("Py_NewRef", Rule::Counting("C-held count: under tracing only C references are counted and a positive count pins the object")),
        ("Py_REFCNT", Rule::Counting("C-held count: under tracing only C references are counted and a positive count pins the object")),
        ("Py_TYPE", Rule::Cost("extra indirection: builtin types are translated to their exported static symbol")),
        ("Py_XNewRef", Rule::Counting("C-held count: under tracing only C references are counted and a positive count pins the object")),
        ("PyOpaque_SET_REFCNT", Rule::NotImplementable("no counting: biased keeps two counts and tracing counts only C references, so no single count can be set")),
        ("Py_IsFalse", Rule::Works),
        ("Py_IsTrue", Rule::Works),
        ("_Py_RefTotal", Rule::NotImplementable("no counting: a process-wide reference total does not exist when tracing counts only C references and biased keeps two counts per object")),
        ("_Py_IncRef", Rule::Works),
        ("_Py_DecRef", Rule::Works),
        ("Py_SIZE", Rule::Cost("extra indirection: the opaque header has no ob_size; the size of a var-sized C instance lives in a side table (Py_SET_SIZE works only on instances of var-sized C types)")),
        ("_Py_Dealloc", Rule::NotImplementable("no counting: deallocating when the count reaches zero is the runtime's decision, and under tracing only C references are counted, so C cannot tell that an object is dead")),
        ("_Py_NegativeRefcount", Rule::NotImplementable("no counting: a debug-build report of a negative total count, which tracing (C references only) and biased (two counts) cannot produce")),
        ("_Py_SetRefcnt", Rule::NotImplementable("no counting: biased keeps two counts and tracing counts only C references, so no single count can be set")),
    ]
};
