//! `PyDict_MergeFromSeq2` and `PyDict_SetDefaultRef` (dict.rs holds the rest of the dict API).

use std::ffi::c_int;

use pyopaque_runtime::{Kind, PyResult, Thread};

use crate::boundary::cx::{self, harg, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::capi;

fn dict_arg(cx: &mut Thread, d: *mut PyObject) -> PyResult<pyopaque_runtime::Handle> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, d) }?;
    if cx.kind_of(cx.get(h)) != Kind::Dict {
        return Err(cx::bad_internal_call(cx));
    }
    Ok(h)
}

/// `PyDict_MergeFromSeq2(a, seq2, override)`: `a.update(seq2)` for an iterable of pairs
/// (existing keys kept when `override` is 0).
///
/// # Safety
/// A dict and an object.
#[no_mangle]
pub unsafe extern "C" fn PyDict_MergeFromSeq2(
    a: *mut PyObject,
    seq2: *mut PyObject,
    override_: c_int,
) -> c_int {
    capi!("PyDict_MergeFromSeq2", |cx| {
        let d = dict_arg(cx, a)?;
        // SAFETY: caller's contract.
        let s = unsafe { harg(cx, seq2) }?;
        let it = crate::r#abstract::object::iter(cx, s)?;
        let mut i = 0usize;
        while let Some(item) = crate::r#abstract::object::next(cx, it)? {
            let io = cx.get(item);
            let pair = match cx.kind_of(io) {
                Kind::List | Kind::Tuple => crate::r#abstract::sequence::collect(cx, item)?,
                _ => {
                    let tn = cx::tname(cx, io);
                    let _ = tn;
                    match crate::r#abstract::object::iter(cx, item) {
                        Ok(_) => crate::r#abstract::sequence::collect(cx, item)?,
                        Err(_) => {
                            cx.clear_error();
                            return Err(cx::type_error(
                                cx,
                                &format!("cannot convert dictionary update sequence element #{i} to a sequence"),
                            ));
                        }
                    }
                }
            };
            if pair.len() != 2 {
                return Err(cx::value_error(
                    cx,
                    &format!(
                        "dictionary update sequence element #{i} has length {}; 2 is required",
                        pair.len()
                    ),
                ));
            }
            if override_ != 0 || cx.dict_get(d, pair[0])?.is_none() {
                cx.dict_set(d, pair[0], pair[1])?;
            }
            i += 1;
        }
        Ok(0)
    })
}

/// `PyDict_SetDefaultRef`: 1 and the existing value, or 0 and `default` after inserting it;
/// -1 on error (SystemError for a non-dict).
///
/// # Safety
/// Objects; `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_SetDefaultRef(
    d: *mut PyObject,
    key: *mut PyObject,
    default: *mut PyObject,
    result: *mut *mut PyObject,
) -> c_int {
    capi!("PyDict_SetDefaultRef", |cx| {
        let put = |v: *mut PyObject| {
            if !result.is_null() {
                // SAFETY: writable per contract.
                unsafe { *result = v };
            }
        };
        put(std::ptr::null_mut());
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        // SAFETY: as above.
        let v = unsafe { harg(cx, default) }?;
        match cx.dict_get(dh, k)? {
            Some(old) => {
                if !result.is_null() {
                    put(new_ref_h(cx, old));
                }
                Ok(1)
            }
            None => {
                cx.dict_set(dh, k, v)?;
                if !result.is_null() {
                    put(new_ref_h(cx, v));
                }
                Ok(0)
            }
        }
    })
}
