//! `PyDictProxy_New` (a read-only `mappingproxy` shim type), `Py_GenericAlias` (a
//! `types.GenericAlias`-like shim type with `__origin__` and `__args__`), the old buffer API
//! (`PyObject_AsCharBuffer` and friends) and `PyObject_GenericGetDict`/`SetDict`.

use std::ffi::{c_char, c_int, c_void};

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, Kind, NativeHooks, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, harg, new_ref_h};
use crate::boundary::ffi::{PyObject, Py_ssize_t};
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{
    alloc, is_exactly, payload, release_fields, visit_opt, ModulePayload,
};

/// Payload of a mappingproxy or a generic alias: two traced references.
#[repr(C)]
pub struct PairPayload {
    /// The mapping (proxy) or `__origin__` (alias).
    pub a: Option<ObjRef>,
    /// Unused (proxy) or `__args__` (alias, a tuple).
    pub b: Option<ObjRef>,
}

fn pair_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the pair types.
    let p = unsafe { payload::<PairPayload>(obj) };
    visit_opt(&mut p.a, visit);
    visit_opt(&mut p.b, visit);
}

fn pair_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<PairPayload>(obj) };
    release_fields(obj, &[p.a, p.b]);
}

/// Hooks of `mappingproxy` and `types.GenericAlias`.
pub static PAIR_HOOKS: NativeHooks = NativeHooks {
    trace: pair_trace,
    finalize: pair_finalize,
    c_layout: false,
};

fn new_pair(cx: &mut Thread, ty: ObjRef, a: Handle, b: Option<Handle>) -> Handle {
    let h = alloc(cx, ty, PairPayload { a: None, b: None });
    let ao = cx.get(a);
    let bo = b.map(|b| cx.get(b));
    for o in [Some(ao), bo].into_iter().flatten() {
        if !o.is_tagged() {
            pyopaque_runtime::refcount::incref(cx, o);
        }
    }
    let p = cx.get(h);
    // SAFETY: a fresh pair payload.
    let pl = unsafe { payload::<PairPayload>(p) };
    pl.a = Some(ao);
    pl.b = bo;
    h
}

/// A new read-only `mappingproxy` over dict `d`.
pub fn mappingproxy(cx: &mut Thread, d: Handle) -> Handle {
    new_pair(cx, shim_types().mappingproxy, d, None)
}

/// The mapping behind a mappingproxy, if `o` is one.
pub fn proxied(cx: &mut Thread, o: ObjRef) -> Option<Handle> {
    if !is_exactly(o, shim_types().mappingproxy) {
        return None;
    }
    // SAFETY: a pair payload.
    let m = unsafe { payload::<PairPayload>(o) }.a?;
    Some(cx.root(m))
}

/// `__origin__`/`__args__` of a generic alias, if `o` is one.
pub fn alias_attr(cx: &mut Thread, o: ObjRef, name: &str) -> Option<Handle> {
    if !is_exactly(o, shim_types().generic_alias) {
        return None;
    }
    // SAFETY: a pair payload.
    let p = unsafe { payload::<PairPayload>(o) };
    let v = match name {
        "__origin__" => p.a,
        "__args__" => p.b,
        _ => None,
    }?;
    Some(cx.root(v))
}

/// `PyDictProxy_New`: a read-only view of a mapping (TypeError for non-mappings, lists and
/// tuples).
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyDictProxy_New(mapping: *mut PyObject) -> *mut PyObject {
    capi!("PyDictProxy_New", |cx| {
        // SAFETY: caller's contract.
        let m = unsafe { harg(cx, mapping) }?;
        let mo = cx.get(m);
        let is_mapping = match cx.kind_of(mo) {
            Kind::Dict => true,
            Kind::List | Kind::Tuple => false,
            _ => {
                crate::types::typeobject::get_slot(cx.type_of(mo), 5) != 0
                    || proxied(cx, mo).is_some()
            }
        };
        if !is_mapping {
            let tn = cx::tname(cx, mo);
            return Err(cx::type_error(
                cx,
                &format!("mappingproxy() argument must be a mapping, not {tn}"),
            ));
        }
        let ty = shim_types().mappingproxy;
        let h = new_pair(cx, ty, m, None);
        Ok(new_ref_h(cx, h))
    })
}

/// `Py_GenericAlias(origin, args)`: `origin[args]` (`args` a tuple, or one item).
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn Py_GenericAlias(
    origin: *mut PyObject,
    args: *mut PyObject,
) -> *mut PyObject {
    capi!("Py_GenericAlias", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { harg(cx, origin) }?;
        // SAFETY: as above.
        let a = unsafe { harg(cx, args) }?;
        let t = if cx.kind_of(cx.get(a)) == Kind::Tuple {
            a
        } else {
            cx.tuple(&[a])
        };
        let ty = shim_types().generic_alias;
        let h = new_pair(cx, ty, o, Some(t));
        Ok(new_ref_h(cx, h))
    })
}

// ----- old buffer API -----

/// Gets a buffer, copies out (pointer, length), releases it; a bytes exporter is pinned for the
/// rest of its life since the pointer has no release call.
fn old_buffer(
    cx: &mut Thread,
    o: *mut PyObject,
    writable: bool,
) -> PyResult<(*mut c_void, Py_ssize_t)> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, o) }?;
    let ob = cx.get(h);
    let Some(kind) = crate::r#abstract::buffer::exporter_kind(cx, ob) else {
        let tn = cx::tname(cx, ob);
        return Err(cx::type_error(
            cx,
            &format!(
                "a {}bytes-like object is required, not '{tn}'",
                if writable { "read-write " } else { "" }
            ),
        ));
    };
    if writable && kind == 0 {
        let t = cx.rt.types.exc.buffer_error;
        return Err(cx.raise(t, "Object is not writable."));
    }
    let me = cx::to_c(ob);
    let mut v = std::mem::MaybeUninit::<crate::r#abstract::buffer::PyBuffer>::zeroed();
    let flags = if writable { 1 } else { 0 };
    // SAFETY: nested entries through `publish` (the buffer functions are API entries).
    let r = cx::publish(cx, || unsafe {
        if crate::r#abstract::buffer::PyObject_GetBuffer(me, v.as_mut_ptr(), flags) < 0 {
            return None;
        }
        let vr = v.assume_init_mut();
        let out = (vr.buf, vr.len);
        crate::r#abstract::buffer::PyBuffer_Release(vr);
        Some(out)
    });
    let Some(out) = r else {
        return Err(pyopaque_runtime::Raised);
    };
    crate::boundary::pinning::pin_forever(cx.get(h));
    Ok(out)
}

fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: the C API contract: writable.
        unsafe { *p = v };
    }
}

/// `PyObject_AsCharBuffer`: the read-only buffer of `obj` (bytes are pinned from now on).
///
/// # Safety
/// An object; writable outputs.
#[no_mangle]
pub unsafe extern "C" fn PyObject_AsCharBuffer(
    obj: *mut PyObject,
    buffer: *mut *const c_char,
    len: *mut Py_ssize_t,
) -> c_int {
    capi!("PyObject_AsCharBuffer", |cx| {
        let (b, n) = old_buffer(cx, obj, false)?;
        put(buffer, b as *const c_char);
        put(len, n);
        Ok(0)
    })
}

/// `PyObject_AsReadBuffer`.
///
/// # Safety
/// An object; writable outputs.
#[no_mangle]
pub unsafe extern "C" fn PyObject_AsReadBuffer(
    obj: *mut PyObject,
    buffer: *mut *const c_void,
    len: *mut Py_ssize_t,
) -> c_int {
    capi!("PyObject_AsReadBuffer", |cx| {
        let (b, n) = old_buffer(cx, obj, false)?;
        put(buffer, b as *const c_void);
        put(len, n);
        Ok(0)
    })
}

/// `PyObject_AsWriteBuffer`: BufferError/TypeError for read-only exporters.
///
/// # Safety
/// An object; writable outputs.
#[no_mangle]
pub unsafe extern "C" fn PyObject_AsWriteBuffer(
    obj: *mut PyObject,
    buffer: *mut *mut c_void,
    len: *mut Py_ssize_t,
) -> c_int {
    capi!("PyObject_AsWriteBuffer", |cx| {
        let (b, n) = old_buffer(cx, obj, true)?;
        put(buffer, b);
        put(len, n);
        Ok(0)
    })
}

/// `PyObject_CheckReadBuffer`: 1 when a read-only buffer can be obtained (errors cleared).
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_CheckReadBuffer(obj: *mut PyObject) -> c_int {
    capi!("PyObject_CheckReadBuffer", |cx| {
        // SAFETY: caller's contract.
        let Some(o) = (unsafe { cx::from_c(obj) }) else {
            return Ok(0);
        };
        Ok(crate::r#abstract::buffer::exporter_kind(cx, o).is_some() as c_int)
    })
}

// ----- __dict__ -----

/// `PyObject_GenericGetDict`: the instance dict (modules; other objects have none here).
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GenericGetDict(
    obj: *mut PyObject,
    _context: *mut c_void,
) -> *mut PyObject {
    capi!("PyObject_GenericGetDict", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, obj) }?;
        let o = cx.get(h);
        if is_exactly(o, shim_types().module) {
            // SAFETY: a module payload.
            let d = unsafe { payload::<ModulePayload>(o) }
                .dict
                .expect("module dict");
            return Ok(cx::new_ref(cx, d));
        }
        Err(cx::attribute_error(cx, "This object has no __dict__"))
    })
}

/// `PyObject_GenericSetDict`: replaces a module's dict (TypeError for NULL or a non-dict).
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GenericSetDict(
    obj: *mut PyObject,
    value: *mut PyObject,
    _context: *mut c_void,
) -> c_int {
    capi!("PyObject_GenericSetDict", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, obj) }?;
        let o = cx.get(h);
        if !is_exactly(o, shim_types().module) {
            return Err(cx::attribute_error(cx, "This object has no __dict__"));
        }
        // SAFETY: as above.
        let Some(v) = (unsafe { cx::from_c(value) }) else {
            return Err(cx::type_error(cx, "cannot delete __dict__"));
        };
        if cx.kind_of(v) != Kind::Dict {
            let tn = cx::tname(cx, v);
            return Err(cx::type_error(
                cx,
                &format!("__dict__ must be set to a dictionary, not a '{tn}'"),
            ));
        }
        pyopaque_runtime::refcount::incref(cx, v);
        let o = cx.get(h);
        // SAFETY: a module payload.
        let p = unsafe { payload::<ModulePayload>(o) };
        let old = p.dict.replace(v);
        if let Some(old) = old {
            pyopaque_runtime::refcount::decref(cx, old);
        }
        Ok(0)
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyDictProxy_New", Rule::Cost("extra indirection: a mappingproxy is a shim object forwarding len/getitem/iteration/in to the mapping")),
        ("Py_GenericAlias", Rule::Cost("a minimal types.GenericAlias (__origin__, __args__); no subscription or typing behaviour")),
        ("PyObject_AsCharBuffer", Rule::Cost("pinning: the pointer has no release call, so a bytes exporter is pinned for the rest of its life")),
        ("PyObject_AsReadBuffer", Rule::Cost("pinning: the pointer has no release call, so a bytes exporter is pinned for the rest of its life")),
        ("PyObject_AsWriteBuffer", Rule::Cost("pinning: the pointer has no release call, so a bytes exporter is pinned for the rest of its life")),
        ("PyObject_CheckReadBuffer", Rule::Works),
        ("PyObject_GenericGetDict", Rule::Cost("only modules have an instance __dict__ in pyopaque (C types' tp_dictoffset is not supported)")),
        ("PyObject_GenericSetDict", Rule::Cost("only modules have an instance __dict__ in pyopaque (C types' tp_dictoffset is not supported)")),
    ]
};
