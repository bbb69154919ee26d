//! `PyDict_PopString` (3.13): `PyDict_Pop` with a key given as a C string.

use std::ffi::{c_char, c_int};

use crate::boundary::cx::{self, harg, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[("PyDict_PopString", Rule::Works)];

/// `PyDict_PopString`: 1 removed (`*result` a new reference), 0 absent, -1 error
/// (SystemError for a non-dict, as `PyDict_Pop`).
///
/// # Safety
/// A dict C holds, a C string key, `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_PopString(
    d: *mut PyObject,
    key: *const c_char,
    result: *mut *mut PyObject,
) -> c_int {
    capi!("PyDict_PopString", |cx| {
        if !result.is_null() {
            // SAFETY: writable (caller's contract).
            unsafe { *result = std::ptr::null_mut() };
        }
        // SAFETY: caller's contract.
        let dh = unsafe { harg(cx, d) }?;
        if cx.kind_of(cx.get(dh)) != pyopaque_runtime::Kind::Dict {
            return Err(cx::bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let k = unsafe { cx::cstr(cx, key) }?;
        let kh = cx.str(k);
        match cx.dict_get(dh, kh)? {
            None => Ok(0),
            Some(v) => {
                cx.dict_del(dh, kh)?;
                if !result.is_null() {
                    // SAFETY: writable.
                    unsafe { *result = new_ref_h(cx, v) };
                }
                Ok(1)
            }
        }
    })
}
