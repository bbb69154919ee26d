//! Weak references from C: `PyWeakref_NewRef`, `PyWeakref_NewProxy`, `PyWeakref_GetRef`,
//! `PyWeakref_GetObject`, `PyObject_ClearWeakRefs`, and the behaviour of the weak reference
//! objects themselves (calling a reference, forwarding through a proxy).
//!
//! The objects and their side table are the runtime's (`pyopaque_runtime::weakref`): the
//! collector rewrites the referent slot when the referent moves and clears it when it dies;
//! deallocation by count clears it after one header-flag test. The shim adds the safe point:
//! callbacks are queued by the runtime (never run inside the collector or the deallocator) and
//! run here, at the end of an API call ([`run_pending_callbacks`], called by `cx::api`), with the
//! weak reference as argument; an exception a callback raises is reported as unraisable
//! (printed) and never propagated, and the caller's own exception, if any, is kept.
//!
//! Which objects accept weak references: type objects, and instances of types flagged
//! `MANAGED_WEAKREF`: every C-defined type (from a spec or `PyType_Ready`), modules, builtin
//! functions, sets and frozensets. Builtin values (int, str, tuple, list, dict, float, ...) raise
//! `TypeError: cannot create weak reference to 'int' object`, as in CPython.

use std::cell::Cell;
use std::ffi::c_int;

use pyopaque_runtime::weakref::{WeakKind, WeakRegistry};
use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, borrowed, harg, new_ref, tname, type_error};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::types::shim_types::shim_types;

/// The registry of the process's runtime.
fn registry(cx: &Thread) -> &WeakRegistry {
    cx.weak_registry()
}

/// The callback argument: NULL and `None` both mean "no callback".
///
/// # Safety
/// `callback` NULL or an object C holds.
unsafe fn callback_arg(cx: &mut Thread, callback: *mut PyObject) -> Option<Handle> {
    // SAFETY: caller's contract.
    match unsafe { cx::from_c(callback) } {
        Some(c) if c != cx.rt.none => Some(cx.root(c)),
        _ => None,
    }
}

/// `PyWeakref_NewRef(ob, callback)`: a new reference to a weak reference to `ob`. Without a
/// callback an existing callback-less reference may be returned. TypeError when `ob` does not
/// accept weak references.
///
/// # Safety
/// `ob` and `callback` NULL or objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyWeakref_NewRef(
    ob: *mut PyObject,
    callback: *mut PyObject,
) -> *mut PyObject {
    capi!("PyWeakref_NewRef", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { harg(cx, ob) }?;
        // SAFETY: caller's contract.
        let cb = unsafe { callback_arg(cx, callback) };
        let w = cx.weakref_new(WeakKind::Ref, o, cb)?;
        Ok(cx::new_ref_h(cx, w))
    })
}

/// `PyWeakref_NewProxy(ob, callback)`: a new reference to a proxy for `ob` (a callable proxy
/// when `ob` is callable). The proxy forwards attribute access, attribute assignment and calls
/// to the referent, and raises `ReferenceError` once the referent died.
///
/// # Safety
/// `ob` and `callback` NULL or objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyWeakref_NewProxy(
    ob: *mut PyObject,
    callback: *mut PyObject,
) -> *mut PyObject {
    capi!("PyWeakref_NewProxy", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { harg(cx, ob) }?;
        // SAFETY: caller's contract.
        let cb = unsafe { callback_arg(cx, callback) };
        let kind = if crate::r#abstract::call::is_callable(cx, cx.get(o)) {
            WeakKind::CallableProxy
        } else {
            WeakKind::Proxy
        };
        let w = cx.weakref_new(kind, o, cb)?;
        Ok(cx::new_ref_h(cx, w))
    })
}

/// `PyWeakref_GetObject(ref)`: the referent as a borrowed reference (pinned and kept alive
/// until the native call returns), or borrowed `None` once it died. NULL or a non-weakref is
/// CPython's `PyErr_BadInternalCall` (SystemError).
///
/// # Safety
/// `r` NULL or an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyWeakref_GetObject(r: *mut PyObject) -> *mut PyObject {
    capi!("PyWeakref_GetObject", |cx| {
        // SAFETY: caller's contract.
        let w = unsafe { arg(cx, r) }?;
        if registry(cx).kind_of(w).is_none() {
            return Err(cx::bad_internal_call(cx));
        }
        let target = cx.weakref_referent(w).unwrap_or(cx.rt.none);
        Ok(borrowed(cx, target))
    })
}

/// `PyWeakref_GetRef(ref, pobj)` (3.13): `*pobj` = a new reference to the referent and 1, or
/// NULL and 0 once it died. NULL `ref` is SystemError, a non-weakref TypeError ("expected a
/// weakref"), both with `*pobj` = NULL and -1.
///
/// # Safety
/// `r` NULL or an object C holds; `pobj` a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn PyWeakref_GetRef(r: *mut PyObject, pobj: *mut *mut PyObject) -> c_int {
    capi!("PyWeakref_GetRef", |cx| {
        if pobj.is_null() {
            return Err(cx::bad_internal_call(cx));
        }
        // SAFETY: `pobj` is writable (caller's contract); cleared first so every error path
        // leaves NULL there, as CPython does.
        unsafe { pobj.write(std::ptr::null_mut()) };
        // SAFETY: caller's contract.
        let w = unsafe { arg(cx, r) }?;
        if registry(cx).kind_of(w).is_none() {
            return Err(type_error(cx, "expected a weakref"));
        }
        match cx.weakref_referent(w) {
            Some(o) => {
                let p = new_ref(cx, o);
                // SAFETY: as above.
                unsafe { pobj.write(p) };
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

/// `PyObject_ClearWeakRefs(o)`: clears every weak reference to `o` and queues their callbacks
/// (they run at the end of the next API call). Meant for `tp_dealloc`, where it runs in
/// finalizing mode (thread-free; the runtime has usually cleared them already, after one flag
/// test). Outside a deallocation of `o`, or with NULL, it is CPython's `PyErr_BadInternalCall`.
///
/// # Safety
/// `o` NULL or an object C holds (or is deallocating).
#[no_mangle]
pub unsafe extern "C" fn PyObject_ClearWeakRefs(o: *mut PyObject) {
    crate::cov!("PyObject_ClearWeakRefs");
    if cx::finalizing() {
        // SAFETY: `o` is the object whose tp_dealloc runs (caller's contract).
        if let Some(obj) = unsafe { cx::from_c(o) } {
            if cx::in_dealloc(obj.as_ptr().addr()) {
                let rt = &cx::global().rt;
                rt.weak.clear_referent(rt.config.scheme, obj);
            }
        }
        return;
    }
    cx::api("PyObject_ClearWeakRefs", |cx| -> PyResult<()> {
        // SAFETY: caller's contract.
        let obj = unsafe { arg(cx, o) }?;
        if !pyopaque_runtime::weakref::supports_weakrefs(obj)
            || !cx::in_dealloc(obj.as_ptr().addr())
        {
            return Err(cx::bad_internal_call(cx));
        }
        let rt = cx.rt.clone();
        rt.weak.clear_referent(rt.config.scheme, obj);
        Ok(())
    })
}

thread_local! {
    /// True while [`run_pending_callbacks`] runs on this thread (a callback's own API calls
    /// leave the rest of the queue to the outer loop).
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// Runs every weak reference callback that is due: the safe point, called by `cx::api` at the
/// end of an API call when [`pyopaque_runtime::weakref::callbacks_pending_any`] says so. Each
/// callback is called with its weak reference; an exception it raises is printed as unraisable
/// and cleared; an exception already set by the API call is kept.
#[cold]
#[inline(never)]
pub fn run_pending_callbacks(cx: &mut Thread) {
    if !registry(cx).callbacks_pending() || RUNNING.with(|r| r.replace(true)) {
        return;
    }
    let m = cx.mark();
    let saved = cx.take_error();
    while let Some(w) = cx.take_weak_callback() {
        let inner = cx.mark();
        if let Some(cb) = cx.weakref_callback(cx.get(w)) {
            let cbh = cx.root(cb);
            if crate::r#abstract::call::call(cx, cbh, &[w], &[]).is_err() {
                if let Some(e) = cx.take_error() {
                    let d = cx.describe_exception(e);
                    let what = tname(cx, cb);
                    eprintln!("Exception ignored in weakref callback ({what} object): {d}");
                }
            }
        }
        cx.release(inner);
        cx.release(pyopaque_runtime::HandleMark::from_handle(w));
    }
    if let Some(e) = saved {
        let e = cx.get(e);
        cx.set_error(e);
    }
    cx.release(m);
    RUNNING.with(|r| r.set(false));
}

/// The referent of a proxy, or `ReferenceError` once it died.
fn proxy_referent(cx: &mut Thread, p: ObjRef) -> PyResult<Handle> {
    match cx.weakref_referent(p) {
        Some(o) => Ok(cx.root(o)),
        None => {
            let t = shim_types().exc_named("ReferenceError");
            Err(cx.raise(t, "weakly-referenced object no longer exists"))
        }
    }
}

/// The flavour of `obj` if it is a weak reference object.
pub fn weak_kind(cx: &Thread, obj: ObjRef) -> Option<WeakKind> {
    registry(cx).kind_of(obj)
}

/// The referent a proxy forwards an operation to: `Ok(None)` when `obj` is not a proxy,
/// `ReferenceError` when its referent died.
pub fn proxy_target(cx: &mut Thread, obj: ObjRef) -> PyResult<Option<Handle>> {
    match weak_kind(cx, obj) {
        Some(WeakKind::Proxy | WeakKind::CallableProxy) => proxy_referent(cx, obj).map(Some),
        _ => Ok(None),
    }
}

/// Calling a weak reference object: a reference returns its referent (or `None` once it died)
/// and takes no arguments; a callable proxy calls its referent. `Ok(None)` when `callable` is
/// not a weak reference object.
pub fn call_weak(
    cx: &mut Thread,
    callable: Handle,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
) -> PyResult<Option<Handle>> {
    let c = cx.get(callable);
    match weak_kind(cx, c) {
        None => Ok(None),
        Some(WeakKind::Ref) => {
            if !pos.is_empty() || !kw.is_empty() {
                return Err(type_error(
                    cx,
                    &format!(
                        "weakref() takes no arguments ({} given)",
                        pos.len() + kw.len()
                    ),
                ));
            }
            let r = cx.weakref_referent(c).unwrap_or(cx.rt.none);
            Ok(Some(cx.root(r)))
        }
        Some(WeakKind::CallableProxy) => {
            let target = proxy_referent(cx, c)?;
            crate::r#abstract::call::call(cx, target, pos, kw).map(Some)
        }
        Some(WeakKind::Proxy) => Err(type_error(cx, "'weakref.ProxyType' object is not callable")),
    }
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyWeakref_NewRef", rules::WEAK_REFERENCE),
        ("PyWeakref_NewProxy", Rule::Cost("as PyWeakref_NewRef (side table: one pass over the weak table per collection, one header-flag test per deallocation); the proxy forwards attribute access, assignment and calls, not the number, sequence and mapping protocols")),
        ("PyWeakref_GetRef", Rule::Works),
        ("PyWeakref_GetObject", Rule::Cost("pinning: the borrowed referent is pinned and kept alive until the native call returns")),
        ("PyObject_ClearWeakRefs", Rule::Cost("usually a no-op: the runtime already cleared the weak references before tp_dealloc (one header-flag test); callbacks run at the end of the API call that deallocated")),
    ]
};
