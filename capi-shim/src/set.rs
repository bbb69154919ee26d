//! `set` and `frozenset` (`PySet_*`, `PyFrozenSet_New`): shim types whose payload is a runtime
//! dict used as a hash set (keys map to None). `len()`, iteration and `in` work through
//! `object.rs`/`sequence.rs`.

use std::ffi::c_int;

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, NativeHooks, ObjRef, PyResult, Thread};

use crate::capi;
use crate::cx::{self, harg, new_ref_h};
use crate::ffi::{PyObject, Py_ssize_t};
use crate::shimtypes::{alloc, is_exactly, payload, release_fields, visit_opt};

/// Payload of a set or frozenset.
#[repr(C)]
pub struct SetPayload {
    /// The keys (a runtime dict; values are None).
    pub dict: Option<ObjRef>,
}

fn set_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the set types.
    let p = unsafe { payload::<SetPayload>(obj) };
    visit_opt(&mut p.dict, visit);
}

fn set_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<SetPayload>(obj) };
    release_fields(obj, &[p.dict]);
}

/// Hooks of `set` and `frozenset`.
pub static SET_HOOKS: NativeHooks = NativeHooks {
    trace: set_trace,
    finalize: set_finalize,
    c_layout: false,
};

/// True for a set (not frozenset).
pub fn is_set(o: ObjRef) -> bool {
    is_exactly(o, cx::global().types.set)
}

/// True for a set or frozenset.
pub fn is_anyset(o: ObjRef) -> bool {
    is_set(o) || is_exactly(o, cx::global().types.frozenset)
}

/// The key dict of a set (the caller checked `is_anyset`).
pub fn keys(cx: &mut Thread, o: ObjRef) -> Handle {
    // SAFETY: a set payload.
    let d = unsafe { payload::<SetPayload>(o) }.dict.expect("set dict");
    cx.root(d)
}

/// A new set (or frozenset) of `iterable`'s items (empty for None).
pub fn new_set(cx: &mut Thread, frozen: bool, iterable: Option<Handle>) -> PyResult<Handle> {
    let d = cx.dict();
    if let Some(src) = iterable {
        let it = crate::object::iter(cx, src)?;
        let none = cx.root(cx.rt.none);
        while let Some(x) = crate::object::next(cx, it)? {
            cx.dict_set(d, x, none)?;
        }
    }
    let g = cx::global();
    let ty = if frozen {
        g.types.frozenset
    } else {
        g.types.set
    };
    let h = alloc(cx, ty, SetPayload { dict: None });
    let dv = cx.get(d);
    pyopaque_runtime::refcount::incref(cx, dv);
    let s = cx.get(h);
    // SAFETY: a fresh set payload; `d` rooted.
    unsafe { payload::<SetPayload>(s) }.dict = Some(cx.get(d));
    Ok(h)
}

/// `PySet_New`: a set of `iterable`'s items (empty for NULL).
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_New(iterable: *mut PyObject) -> *mut PyObject {
    capi!("PySet_New", |cx| {
        // SAFETY: caller's contract.
        let src = unsafe { cx::from_c(iterable) }.map(|o| cx.root(o));
        let h = new_set(cx, false, src)?;
        Ok(new_ref_h(cx, h))
    })
}

/// `PyFrozenSet_New`.
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyFrozenSet_New(iterable: *mut PyObject) -> *mut PyObject {
    capi!("PyFrozenSet_New", |cx| {
        // SAFETY: caller's contract.
        let src = unsafe { cx::from_c(iterable) }.map(|o| cx.root(o));
        let h = new_set(cx, true, src)?;
        Ok(new_ref_h(cx, h))
    })
}

fn anyset_arg(cx: &mut Thread, s: *mut PyObject, mutable: bool) -> PyResult<Handle> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, s) }?;
    let o = cx.get(h);
    let ok = if mutable { is_set(o) } else { is_anyset(o) };
    if !ok {
        return Err(cx::bad_internal_call(cx));
    }
    Ok(h)
}

/// `PySet_Size`.
///
/// # Safety
/// A set or frozenset.
#[no_mangle]
pub unsafe extern "C" fn PySet_Size(s: *mut PyObject) -> Py_ssize_t {
    capi!("PySet_Size", |cx| {
        let h = anyset_arg(cx, s, false)?;
        let d = keys(cx, cx.get(h));
        Ok(cx.dict_len(cx.get(d)) as Py_ssize_t)
    })
}

/// `PySet_Contains`: 1, 0, or -1 (TypeError for an unhashable key).
///
/// # Safety
/// A set or frozenset and an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_Contains(s: *mut PyObject, key: *mut PyObject) -> c_int {
    capi!("PySet_Contains", |cx| {
        let h = anyset_arg(cx, s, false)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        let d = keys(cx, cx.get(h));
        Ok(cx.dict_get(d, k)?.is_some() as c_int)
    })
}

/// `PySet_Add`: also fills a new frozenset (as CPython allows).
///
/// # Safety
/// A set or frozenset and an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_Add(s: *mut PyObject, key: *mut PyObject) -> c_int {
    capi!("PySet_Add", |cx| {
        let h = anyset_arg(cx, s, false)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        let d = keys(cx, cx.get(h));
        let none = cx.root(cx.rt.none);
        cx.dict_set(d, k, none)?;
        Ok(0)
    })
}

/// `PySet_Discard`: 1 when found and removed, 0 when absent.
///
/// # Safety
/// A set and an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_Discard(s: *mut PyObject, key: *mut PyObject) -> c_int {
    capi!("PySet_Discard", |cx| {
        let h = anyset_arg(cx, s, true)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        let d = keys(cx, cx.get(h));
        Ok(cx.dict_del(d, k)? as c_int)
    })
}

/// `PySet_Clear`.
///
/// # Safety
/// A set.
#[no_mangle]
pub unsafe extern "C" fn PySet_Clear(s: *mut PyObject) -> c_int {
    capi!("PySet_Clear", |cx| {
        let h = anyset_arg(cx, s, true)?;
        let d = keys(cx, cx.get(h));
        cx.dict_clear(d);
        Ok(0)
    })
}

/// `PySet_Pop`: an arbitrary element (KeyError "pop from an empty set").
///
/// # Safety
/// A set.
#[no_mangle]
pub unsafe extern "C" fn PySet_Pop(s: *mut PyObject) -> *mut PyObject {
    capi!("PySet_Pop", |cx| {
        let h = anyset_arg(cx, s, true)?;
        let d = keys(cx, cx.get(h));
        let mut pos = 0;
        let first = cx.dict_next(cx.get(d), &mut pos).map(|e| e.0);
        let Some(k) = first else {
            let t = cx.rt.types.exc.key_error;
            return Err(cx.raise(t, "pop from an empty set"));
        };
        let kh = cx.root(k);
        cx.dict_del(d, kh)?;
        Ok(new_ref_h(cx, kh))
    })
}
