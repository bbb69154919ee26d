//! Capsules (`PyCapsule_*`): a shim type whose payload holds a C pointer, a name, a context and
//! a destructor (run by the finalizer). The capsule object itself is pinned while C holds it,
//! like every object C references; the payload never leaves the heap object.

use std::ffi::{c_char, c_int, c_void, CStr};

use pyopaque_runtime::{ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, from_c, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{alloc, is_exactly, payload, CapsulePayload};

type Destructor = Option<unsafe extern "C" fn(*mut PyObject)>;

/// The payload of a capsule, or `ValueError("<api> called with invalid PyCapsule object")`.
fn capsule<'a>(cx: &mut Thread, o: *mut PyObject, api: &str) -> PyResult<&'a mut CapsulePayload> {
    // SAFETY: the C API contract: NULL or a live object.
    let r: Option<ObjRef> = unsafe { from_c(o) };
    match r {
        Some(r) if is_exactly(r, shim_types().capsule) => {
            // SAFETY: a capsule's payload is a CapsulePayload.
            let p = unsafe { payload::<CapsulePayload>(r) };
            if p.pointer.is_null() {
                return Err(cx::value_error(
                    cx,
                    &format!("{api} called with invalid PyCapsule object"),
                ));
            }
            Ok(p)
        }
        _ => Err(cx::value_error(
            cx,
            &format!("{api} called with invalid PyCapsule object"),
        )),
    }
}

/// Names equal (both NULL counts as equal).
///
/// # Safety
/// Both NULL or C strings.
unsafe fn name_matches(a: *const c_char, b: *const c_char) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (false, false) => {
            // SAFETY: caller's contract.
            unsafe { CStr::from_ptr(a) == CStr::from_ptr(b) }
        }
        _ => false,
    }
}

/// `PyCapsule_New`: ValueError for a NULL pointer.
///
/// # Safety
/// `name` NULL or a C string outliving the capsule.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_New(
    pointer: *mut c_void,
    name: *const c_char,
    destructor: Destructor,
) -> *mut PyObject {
    capi!("PyCapsule_New", |cx| {
        if pointer.is_null() {
            return Err(cx::value_error(
                cx,
                "PyCapsule_New called with null pointer",
            ));
        }
        let ty = shim_types().capsule;
        let h = alloc(
            cx,
            ty,
            CapsulePayload {
                pointer,
                name,
                context: std::ptr::null_mut(),
                destructor,
            },
        );
        Ok(new_ref_h(cx, h))
    })
}

/// `PyCapsule_IsValid`: 1 when `o` is a capsule with a pointer and this name.
///
/// # Safety
/// `o` NULL or an object; `name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_IsValid(o: *mut PyObject, name: *const c_char) -> c_int {
    capi!("PyCapsule_IsValid", |cx| {
        let ok = match capsule(cx, o, "PyCapsule_IsValid") {
            // SAFETY: C strings per contract.
            Ok(p) => unsafe { name_matches(p.name, name) },
            Err(_) => {
                cx.clear_error();
                false
            }
        };
        Ok(ok as c_int)
    })
}

/// `PyCapsule_GetPointer`: ValueError for an invalid capsule or another name.
///
/// # Safety
/// `name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_GetPointer(
    o: *mut PyObject,
    name: *const c_char,
) -> *mut c_void {
    capi!("PyCapsule_GetPointer", |cx| {
        let p = capsule(cx, o, "PyCapsule_GetPointer")?;
        // SAFETY: C strings.
        if !unsafe { name_matches(p.name, name) } {
            return Err(cx::value_error(
                cx,
                "PyCapsule_GetPointer called with incorrect name",
            ));
        }
        Ok(p.pointer)
    })
}

/// `PyCapsule_GetName`: may be NULL without an error.
///
/// # Safety
/// `o` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_GetName(o: *mut PyObject) -> *const c_char {
    capi!("PyCapsule_GetName", |cx| Ok(capsule(
        cx,
        o,
        "PyCapsule_GetName"
    )?
    .name))
}

/// `PyCapsule_GetContext`: may be NULL without an error.
///
/// # Safety
/// `o` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_GetContext(o: *mut PyObject) -> *mut c_void {
    capi!("PyCapsule_GetContext", |cx| Ok(capsule(
        cx,
        o,
        "PyCapsule_GetContext"
    )?
    .context))
}

/// Wrapper making the destructor a `CRet`.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct DtorRet(Destructor);
impl cx::CRet for DtorRet {
    const ERR: Self = DtorRet(None);
}

/// `PyCapsule_GetDestructor`: may be NULL without an error.
///
/// # Safety
/// `o` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_GetDestructor(o: *mut PyObject) -> Destructor {
    capi!("PyCapsule_GetDestructor", |cx| Ok(DtorRet(
        capsule(cx, o, "PyCapsule_GetDestructor")?.destructor
    )))
    .0
}

/// `PyCapsule_SetPointer`: ValueError for NULL.
///
/// # Safety
/// `o` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_SetPointer(o: *mut PyObject, pointer: *mut c_void) -> c_int {
    capi!("PyCapsule_SetPointer", |cx| {
        if pointer.is_null() {
            return Err(cx::value_error(
                cx,
                "PyCapsule_SetPointer called with null pointer",
            ));
        }
        capsule(cx, o, "PyCapsule_SetPointer")?.pointer = pointer;
        Ok(0)
    })
}

/// `PyCapsule_SetName`.
///
/// # Safety
/// `name` NULL or a C string outliving the capsule.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_SetName(o: *mut PyObject, name: *const c_char) -> c_int {
    capi!("PyCapsule_SetName", |cx| {
        capsule(cx, o, "PyCapsule_SetName")?.name = name;
        Ok(0)
    })
}

/// `PyCapsule_SetContext`.
///
/// # Safety
/// `o` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_SetContext(o: *mut PyObject, context: *mut c_void) -> c_int {
    capi!("PyCapsule_SetContext", |cx| {
        capsule(cx, o, "PyCapsule_SetContext")?.context = context;
        Ok(0)
    })
}

/// `PyCapsule_SetDestructor`.
///
/// # Safety
/// `o` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_SetDestructor(o: *mut PyObject, d: Destructor) -> c_int {
    capi!("PyCapsule_SetDestructor", |cx| {
        capsule(cx, o, "PyCapsule_SetDestructor")?.destructor = d;
        Ok(0)
    })
}

/// `PyCapsule_Import("pkg.mod.attr", no_block)`: imports `pkg.mod` from the modules the runtime
/// knows (see [`crate::python::import`]), follows the attributes and returns the pointer of the capsule
/// found, which must be named exactly `name` (AttributeError otherwise).
///
/// # Safety
/// `name` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCapsule_Import(name: *const c_char, _no_block: c_int) -> *mut c_void {
    capi!("PyCapsule_Import", |cx| {
        // SAFETY: caller's contract.
        let full = unsafe { cx::cstr(cx, name) }?.to_string();
        let mut parts = full.split('.');
        let first = parts.next().unwrap_or_default();
        let mut obj = crate::python::import::import(cx, first)?;
        let mut path = first.to_string();
        for p in parts {
            path.push('.');
            path.push_str(p);
            obj = match crate::python::import::get_module(cx, &path)? {
                Some(m) => m,
                None => crate::r#abstract::object::getattr(cx, obj, p)?,
            };
        }
        let o = cx.get(obj);
        if is_exactly(o, shim_types().capsule) {
            // SAFETY: a capsule payload.
            let p = unsafe { payload::<CapsulePayload>(o) };
            // SAFETY: C strings.
            if !p.pointer.is_null() && unsafe { name_matches(p.name, name) } {
                return Ok(p.pointer);
            }
        }
        Err(cx::attribute_error(
            cx,
            &format!("PyCapsule_Import \"{full}\" is not valid"),
        ))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyCapsule_GetContext", Rule::Works),
        ("PyCapsule_GetDestructor", Rule::Works),
        ("PyCapsule_GetName", Rule::Works),
        ("PyCapsule_GetPointer", Rule::Works),
        ("PyCapsule_IsValid", Rule::Works),
        ("PyCapsule_New", Rule::Works),
        ("PyCapsule_SetContext", Rule::Works),
        ("PyCapsule_SetDestructor", Rule::Works),
        ("PyCapsule_SetName", Rule::Works),
        ("PyCapsule_SetPointer", Rule::Works),
        ("PyCapsule_Import", Rule::Cost("imports only modules registered with the runtime (PyImport_AddModule*, PyImport_AppendInittab, sys); importing Python source needs a compiler and an evaluation loop")),
    ]
};
