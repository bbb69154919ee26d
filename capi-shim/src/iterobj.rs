//! Iterator constructors and helpers: `PySeqIter_New`, `PyCallIter_New` (a shim type calling a
//! callable until it returns a sentinel), `PyAIter_Check`, `PyObject_GetAIter`, `PyIter_Send`.

use std::ffi::c_int;

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, NativeHooks, ObjRef, PyResult, Thread};

use crate::capi;
use crate::cx::{self, harg, new_ref_h};
use crate::ffi::PyObject;
use crate::shimtypes::{alloc, is_exactly, payload, release_fields, visit_opt, IterPayload};

/// Payload of a callable iterator.
#[repr(C)]
pub struct CallIterPayload {
    /// The callable (None once exhausted).
    pub callable: Option<ObjRef>,
    /// The sentinel.
    pub sentinel: Option<ObjRef>,
}

fn ci_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the callable-iterator type.
    let p = unsafe { payload::<CallIterPayload>(obj) };
    visit_opt(&mut p.callable, visit);
    visit_opt(&mut p.sentinel, visit);
}

fn ci_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<CallIterPayload>(obj) };
    release_fields(obj, &[p.callable, p.sentinel]);
}

/// Hooks of the callable-iterator type.
pub static CALL_ITER_HOOKS: NativeHooks = NativeHooks {
    trace: ci_trace,
    finalize: ci_finalize,
    c_layout: false,
};

fn hold(cx: &mut Thread, o: ObjRef) {
    if !o.is_tagged() {
        pyopaque_runtime::refcount::incref(cx, o);
    }
}

/// `PySeqIter_New`: an iterator calling `seq[i]` for i = 0, 1, ... until IndexError.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PySeqIter_New(seq: *mut PyObject) -> *mut PyObject {
    capi!("PySeqIter_New", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, seq) }?;
        if !crate::sequence::is_sequence(cx, cx.get(h)) {
            return Err(cx::bad_internal_call(cx));
        }
        let ty = cx::global().types.seq_iter;
        let it = alloc(
            cx,
            ty,
            IterPayload {
                seq: None,
                index: 0,
            },
        );
        let s = cx.get(h);
        hold(cx, s);
        let i = cx.get(it);
        // SAFETY: a fresh iterator payload.
        unsafe { payload::<IterPayload>(i) }.seq = Some(s);
        Ok(new_ref_h(cx, it))
    })
}

/// `PyCallIter_New`: an iterator calling `callable()` until it returns `sentinel` (==).
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn PyCallIter_New(
    callable: *mut PyObject,
    sentinel: *mut PyObject,
) -> *mut PyObject {
    capi!("PyCallIter_New", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { harg(cx, callable) }?;
        // SAFETY: as above.
        let s = unsafe { harg(cx, sentinel) }?;
        let ty = cx::global().types.call_iter;
        let it = alloc(
            cx,
            ty,
            CallIterPayload {
                callable: None,
                sentinel: None,
            },
        );
        let (co, so) = (cx.get(c), cx.get(s));
        hold(cx, co);
        hold(cx, so);
        let i = cx.get(it);
        // SAFETY: a fresh payload.
        let p = unsafe { payload::<CallIterPayload>(i) };
        p.callable = Some(co);
        p.sentinel = Some(so);
        Ok(new_ref_h(cx, it))
    })
}

/// `next()` of a callable iterator (used by `object.rs`): `None` when exhausted.
pub fn call_iter_next(cx: &mut Thread, it: Handle) -> PyResult<Option<Handle>> {
    let i = cx.get(it);
    // SAFETY: the caller checked the type.
    let p = unsafe { payload::<CallIterPayload>(i) };
    let (Some(c), Some(s)) = (p.callable, p.sentinel) else {
        return Ok(None);
    };
    let (ch, sh) = (cx.root(c), cx.root(s));
    let r = match crate::call::call(cx, ch, &[], &[]) {
        Ok(r) => r,
        Err(e) => {
            if cx.error_matches(cx.rt.types.exc.stop_iteration) {
                cx.clear_error();
                exhaust(cx, it);
                return Ok(None);
            }
            return Err(e);
        }
    };
    if cx.eq(r, sh)? {
        exhaust(cx, it);
        return Ok(None);
    }
    Ok(Some(r))
}

fn exhaust(cx: &mut Thread, it: Handle) {
    let i = cx.get(it);
    // SAFETY: a callable-iterator payload.
    let p = unsafe { payload::<CallIterPayload>(i) };
    let old = [p.callable.take(), p.sentinel.take()];
    for o in old.into_iter().flatten() {
        if !o.is_tagged() {
            pyopaque_runtime::refcount::decref(cx, o);
        }
    }
}

/// True when `o` is a callable iterator.
pub fn is_call_iter(o: ObjRef) -> bool {
    is_exactly(o, cx::global().types.call_iter)
}

/// `PyAIter_Check`: 1 when the type defines `__anext__`.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyAIter_Check(o: *mut PyObject) -> c_int {
    capi!("PyAIter_Check", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let t = cx.type_of(cx.get(h));
        let th = cx.root(t);
        Ok(crate::object::getattr_opt(cx, th, "__anext__")?.is_some() as c_int)
    })
}

/// `PyObject_GetAIter`: `type(o).__aiter__(o)`, which must return an async iterator.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GetAIter(o: *mut PyObject) -> *mut PyObject {
    capi!("PyObject_GetAIter", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let tn = cx::tname(cx, cx.get(h));
        let m = match crate::object::getattr_opt(cx, h, "__aiter__")? {
            Some(m) => m,
            None => {
                return Err(cx::type_error(
                    cx,
                    &format!("'{tn}' object is not an async iterable"),
                ))
            }
        };
        let r = crate::call::call(cx, m, &[], &[])?;
        let rt = cx.type_of(cx.get(r));
        let rth = cx.root(rt);
        if crate::object::getattr_opt(cx, rth, "__anext__")?.is_none() {
            let rn = cx::tname(cx, cx.get(r));
            return Err(cx::type_error(
                cx,
                &format!("aiter() returned not an async iterator of type '{rn}'"),
            ));
        }
        Ok(new_ref_h(cx, r))
    })
}

/// `PyIter_Send`: `PYGEN_NEXT` (1) with the next value, `PYGEN_RETURN` (0) when the iterator is
/// exhausted (result: the StopIteration value, None here), `PYGEN_ERROR` (-1). With `arg` None
/// an iterator is advanced with `next()`; otherwise `iter.send(arg)` is called.
///
/// # Safety
/// Objects; `presult` writable.
#[no_mangle]
pub unsafe extern "C" fn PyIter_Send(
    iter: *mut PyObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
) -> c_int {
    capi!("PyIter_Send", |cx| {
        // SAFETY: caller's contract.
        let it = unsafe { harg(cx, iter) }?;
        // SAFETY: as above.
        let a = unsafe { harg(cx, arg) }?;
        let set = |v: *mut PyObject| {
            // SAFETY: writable per contract.
            unsafe { *presult = v };
        };
        let is_none = cx.get(a) == cx.rt.none;
        let r = if is_none && crate::object::is_iterator(cx, it) {
            crate::object::next(cx, it)
        } else {
            match crate::call::call_method(cx, it, "send", &[a]) {
                Ok(v) => Ok(Some(v)),
                Err(e) => {
                    if cx.error_matches(cx.rt.types.exc.stop_iteration) {
                        cx.clear_error();
                        Ok(None)
                    } else {
                        Err(e)
                    }
                }
            }
        };
        match r {
            Ok(Some(v)) => {
                set(new_ref_h(cx, v));
                Ok(1)
            }
            Ok(None) => {
                let n = cx.rt.none;
                set(cx::new_ref(cx, n));
                Ok(0)
            }
            Err(e) => {
                set(std::ptr::null_mut());
                Err(e)
            }
        }
    })
}
