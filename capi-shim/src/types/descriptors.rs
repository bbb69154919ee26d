//! Descriptor constructors (`PyDescr_New*`): method, class-method, member and getset
//! descriptors of the shim's descriptor types, owned by a type. Attribute lookup (`object.rs`)
//! binds them.

use pyopaque_runtime::{Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, new_ref_h};
use crate::boundary::ffi::{PyGetSetDef, PyMemberDef, PyMethodDef, PyObject, PyTypeObject};
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{alloc, DescrPayload, FuncPayload};

fn type_arg(cx: &mut Thread, t: *mut PyTypeObject) -> PyResult<ObjRef> {
    // SAFETY: the C API contract.
    let o = unsafe { arg(cx, t) }?;
    if cx.kind_of(o) != Kind::Type {
        return Err(cx::bad_internal_call(cx));
    }
    Ok(o)
}

fn method_descr(
    cx: &mut Thread,
    t: *mut PyTypeObject,
    def: *mut PyMethodDef,
    class_method: bool,
) -> PyResult<*mut PyObject> {
    let ty = type_arg(cx, t)?;
    if def.is_null() {
        return Err(cx::bad_internal_call(cx));
    }
    let th = cx.root(ty);
    let dty = if class_method {
        shim_types().classmethod_descr
    } else {
        shim_types().method_descr
    };
    let h = alloc(
        cx,
        dty,
        FuncPayload {
            self_: None,
            module: None,
            cls: None,
            def,
        },
    );
    let t = cx.get(th);
    pyopaque_runtime::refcount::incref(cx, t);
    let d = cx.get(h);
    // SAFETY: a fresh function payload.
    unsafe { crate::types::shim_types::payload::<FuncPayload>(d) }.cls = Some(t);
    Ok(new_ref_h(cx, h))
}

/// `PyDescr_NewMethod`: a method descriptor of `type` for `meth` (static).
///
/// # Safety
/// A type; `meth` a static definition.
#[no_mangle]
pub unsafe extern "C" fn PyDescr_NewMethod(
    t: *mut PyTypeObject,
    meth: *mut PyMethodDef,
) -> *mut PyObject {
    capi!("PyDescr_NewMethod", |cx| method_descr(cx, t, meth, false))
}

/// `PyDescr_NewClassMethod`: a `classmethod_descriptor` of `type` for `meth`: calling it takes
/// the class (a subtype of `type`) as the first argument.
///
/// # Safety
/// A type; `meth` a static definition.
#[no_mangle]
pub unsafe extern "C" fn PyDescr_NewClassMethod(
    t: *mut PyTypeObject,
    meth: *mut PyMethodDef,
) -> *mut PyObject {
    capi!("PyDescr_NewClassMethod", |cx| method_descr(
        cx, t, meth, true
    ))
}

fn data_descr(
    cx: &mut Thread,
    t: *mut PyTypeObject,
    def: *mut std::ffi::c_void,
    ty: ObjRef,
) -> PyResult<*mut PyObject> {
    let owner = type_arg(cx, t)?;
    if def.is_null() {
        return Err(cx::bad_internal_call(cx));
    }
    let oh = cx.root(owner);
    let h = alloc(cx, ty, DescrPayload { owner: None, def });
    let o = cx.get(oh);
    pyopaque_runtime::refcount::incref(cx, o);
    let d = cx.get(h);
    // SAFETY: a fresh descriptor payload.
    unsafe { crate::types::shim_types::payload::<DescrPayload>(d) }.owner = Some(o);
    Ok(new_ref_h(cx, h))
}

/// `PyDescr_NewMember`.
///
/// # Safety
/// A type; `m` a static definition.
#[no_mangle]
pub unsafe extern "C" fn PyDescr_NewMember(
    t: *mut PyTypeObject,
    m: *mut PyMemberDef,
) -> *mut PyObject {
    capi!("PyDescr_NewMember", |cx| {
        let ty = shim_types().member_descr;
        data_descr(cx, t, m.cast(), ty)
    })
}

/// `PyDescr_NewGetSet`.
///
/// # Safety
/// A type; `g` a static definition.
#[no_mangle]
pub unsafe extern "C" fn PyDescr_NewGetSet(
    t: *mut PyTypeObject,
    g: *mut PyGetSetDef,
) -> *mut PyObject {
    capi!("PyDescr_NewGetSet", |cx| {
        let ty = shim_types().getset_descr;
        data_descr(cx, t, g.cast(), ty)
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyWrapper_New", Rule::NotImplementable("opaque header: method-wrappers bind a wrapper descriptor of a static PyTypeObject's slot table (struct wrapperbase), and static type structs cannot exist when PyTypeObject is opaque")),
        ("PyWrapperDescr_Type", Rule::NotImplementable("opaque header: slot-wrapper descriptors wrap the slot table (struct wrapperbase) of static PyTypeObject structs, which cannot exist when PyTypeObject is opaque")),
        ("PyDescr_NewMethod", Rule::Works),
        ("PyDescr_NewClassMethod", Rule::Works),
        ("PyDescr_NewMember", Rule::Works),
        ("PyDescr_NewGetSet", Rule::Works),
    ]
};
