//! The mapping protocol (`PyMapping_*`), on top of the object protocol (`object.rs`).

use std::ffi::{c_char, c_int};

use pyopaque_runtime::{Handle, Kind, PyResult, Thread};

use crate::boundary::cx::{self, arg, harg, new_ref_h};
use crate::boundary::ffi::{PyObject, Py_ssize_t};
use crate::capi;
use crate::types::typeobject::get_slot;

/// `Py_mp_subscript`.
const MP_SUBSCRIPT: c_int = 5;

/// `PyMapping_Check`: 1 for objects with a subscript (dict, list, tuple, str, bytes, C types
/// with `mp_subscript`).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_Check(o: *mut PyObject) -> c_int {
    capi!("PyMapping_Check", |cx| {
        // SAFETY: caller's contract.
        let Some(ob) = (unsafe { cx::from_c(o) }) else {
            return Ok(0);
        };
        Ok(match cx.kind_of(ob) {
            Kind::Dict | Kind::List | Kind::Tuple | Kind::Str | Kind::Bytes => 1,
            _ => (get_slot(cx.type_of(ob), MP_SUBSCRIPT) != 0) as c_int,
        })
    })
}

fn size(cx: &mut Thread, o: *mut PyObject) -> PyResult<Py_ssize_t> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, o) }?;
    Ok(crate::r#abstract::object::length(cx, h)? as Py_ssize_t)
}

/// `PyMapping_Size`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_Size(o: *mut PyObject) -> Py_ssize_t {
    crate::capi_container_locked!("PyMapping_Size", o, |cx| size(cx, o))
}

/// `PyMapping_Length`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_Length(o: *mut PyObject) -> Py_ssize_t {
    crate::capi_container_locked!("PyMapping_Length", o, |cx| size(cx, o))
}

fn key_str(cx: &mut Thread, key: *const c_char) -> PyResult<Handle> {
    // SAFETY: the C API contract: a C string (NULL: SystemError).
    let k = unsafe { cx::cstr(cx, key) }?.to_string();
    Ok(cx.str(&k))
}

/// `PyMapping_GetItemString`.
///
/// # Safety
/// An object and a C string.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_GetItemString(
    o: *mut PyObject,
    key: *const c_char,
) -> *mut PyObject {
    crate::capi_container_locked!("PyMapping_GetItemString", o, |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let k = key_str(cx, key)?;
        let r = crate::r#abstract::object::getitem(cx, h, k)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyMapping_SetItemString`.
///
/// # Safety
/// Objects and a C string.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_SetItemString(
    o: *mut PyObject,
    key: *const c_char,
    v: *mut PyObject,
) -> c_int {
    crate::capi_container_locked!("PyMapping_SetItemString", o, |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let k = key_str(cx, key)?;
        // SAFETY: as above.
        let vh = unsafe { harg(cx, v) }?;
        crate::r#abstract::object::setitem(cx, h, k, Some(vh))?;
        Ok(0)
    })
}

/// `o[key]` with KeyError (and IndexError? no: KeyError only, as CPython) mapped to `None`.
fn get_optional(cx: &mut Thread, h: Handle, k: Handle) -> PyResult<Option<Handle>> {
    match crate::r#abstract::object::getitem(cx, h, k) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            if cx.error_matches(cx.rt.types.exc.key_error) {
                cx.clear_error();
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

fn write_result(result: *mut *mut PyObject, v: *mut PyObject) {
    if !result.is_null() {
        // SAFETY: the C API contract: `result` writable.
        unsafe { *result = v };
    }
}

/// `PyMapping_GetOptionalItem`: 1 (found, new reference), 0 (KeyError: NULL, no exception),
/// -1 (error).
///
/// # Safety
/// Objects; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_GetOptionalItem(
    o: *mut PyObject,
    key: *mut PyObject,
    result: *mut *mut PyObject,
) -> c_int {
    write_result(result, std::ptr::null_mut());
    capi!("PyMapping_GetOptionalItem", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        // SAFETY: as above.
        let k = unsafe { harg(cx, key) }?;
        match get_optional(cx, h, k)? {
            Some(r) => {
                write_result(result, new_ref_h(cx, r));
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

/// `PyMapping_GetOptionalItemString`.
///
/// # Safety
/// An object, a C string; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_GetOptionalItemString(
    o: *mut PyObject,
    key: *const c_char,
    result: *mut *mut PyObject,
) -> c_int {
    write_result(result, std::ptr::null_mut());
    capi!("PyMapping_GetOptionalItemString", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let k = key_str(cx, key)?;
        match get_optional(cx, h, k)? {
            Some(r) => {
                write_result(result, new_ref_h(cx, r));
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

fn has_key(
    cx: &mut Thread,
    o: *mut PyObject,
    k: impl FnOnce(&mut Thread) -> PyResult<Handle>,
) -> PyResult<c_int> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, o) }?;
    let k = k(cx)?;
    Ok(get_optional(cx, h, k)?.is_some() as c_int)
}

/// `PyMapping_HasKeyWithError`: 1, 0, or -1 with an exception.
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_HasKeyWithError(o: *mut PyObject, key: *mut PyObject) -> c_int {
    capi!("PyMapping_HasKeyWithError", |cx| has_key(cx, o, |cx| {
        // SAFETY: caller's contract.
        unsafe { harg(cx, key) }
    }))
}

/// `PyMapping_HasKeyStringWithError`.
///
/// # Safety
/// An object and a C string.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_HasKeyStringWithError(
    o: *mut PyObject,
    key: *const c_char,
) -> c_int {
    capi!("PyMapping_HasKeyStringWithError", |cx| has_key(
        cx,
        o,
        |cx| key_str(cx, key)
    ))
}

/// `PyMapping_HasKey`: 1 or 0; any error is cleared (CPython reports it as unraisable).
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_HasKey(o: *mut PyObject, key: *mut PyObject) -> c_int {
    capi!("PyMapping_HasKey", |cx| {
        let r = has_key(cx, o, |cx| {
            // SAFETY: caller's contract.
            unsafe { harg(cx, key) }
        });
        Ok(r.unwrap_or_else(|_| {
            cx.clear_error();
            0
        }))
    })
}

/// `PyMapping_HasKeyString`: 1 or 0; errors are cleared.
///
/// # Safety
/// An object and a C string.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_HasKeyString(o: *mut PyObject, key: *const c_char) -> c_int {
    capi!("PyMapping_HasKeyString", |cx| {
        let r = has_key(cx, o, |cx| key_str(cx, key));
        Ok(r.unwrap_or_else(|_| {
            cx.clear_error();
            0
        }))
    })
}

/// `o.keys()` / `values()` / `items()` as a list (a dict's directly).
fn as_list(cx: &mut Thread, o: *mut PyObject, meth: &str) -> PyResult<*mut PyObject> {
    // SAFETY: the C API contract (NULL: SystemError).
    let ob = unsafe { arg(cx, o) }?;
    let h = cx.root(ob);
    if cx.kind_of(ob) == Kind::Dict {
        let mut pos = 0;
        let mut items = Vec::new();
        loop {
            let d = cx.get(h);
            let Some((k, v)) = cx.dict_next(d, &mut pos) else {
                break;
            };
            let kh = cx.root(k);
            let vh = cx.root(v);
            items.push(match meth {
                "keys" => kh,
                "values" => vh,
                _ => cx.tuple(&[kh, vh]),
            });
        }
        let l = cx.list_from(&items);
        return Ok(new_ref_h(cx, l));
    }
    let r = crate::r#abstract::call::call_method(cx, h, meth, &[])?;
    let ro = cx.get(r);
    if cx.kind_of(ro) == Kind::List {
        return Ok(new_ref_h(cx, r));
    }
    let items = match crate::r#abstract::sequence::collect(cx, r) {
        Ok(v) => v,
        Err(e) => {
            if cx.error_matches(cx.rt.types.exc.type_error) {
                cx.clear_error();
                let tn = cx::tname(cx, ob);
                let rn = cx::tname(cx, ro);
                return Err(cx::type_error(
                    cx,
                    &format!("{tn}.{meth}() returned a non-iterable (type {rn})"),
                ));
            }
            return Err(e);
        }
    };
    let l = cx.list_from(&items);
    Ok(new_ref_h(cx, l))
}

/// `PyMapping_Keys`: a list.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_Keys(o: *mut PyObject) -> *mut PyObject {
    capi!("PyMapping_Keys", |cx| as_list(cx, o, "keys"))
}

/// `PyMapping_Values`: a list.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_Values(o: *mut PyObject) -> *mut PyObject {
    capi!("PyMapping_Values", |cx| as_list(cx, o, "values"))
}

/// `PyMapping_Items`: a list of pairs.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyMapping_Items(o: *mut PyObject) -> *mut PyObject {
    capi!("PyMapping_Items", |cx| as_list(cx, o, "items"))
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyMapping_Check", Rule::Works),
        ("PyMapping_GetItemString", Rule::Works),
        ("PyMapping_GetOptionalItem", Rule::Works),
        ("PyMapping_GetOptionalItemString", Rule::Works),
        ("PyMapping_HasKey", Rule::Works),
        ("PyMapping_HasKeyString", Rule::Works),
        ("PyMapping_HasKeyStringWithError", Rule::Works),
        ("PyMapping_HasKeyWithError", Rule::Works),
        ("PyMapping_Items", Rule::Works),
        ("PyMapping_Keys", Rule::Works),
        ("PyMapping_SetItemString", Rule::Works),
        ("PyMapping_Size", Rule::Works),
        ("PyMapping_Values", Rule::Works),
        ("PyMapping_Length", Rule::Works),
    ]
};
