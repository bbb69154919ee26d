//! `traceback.h`. A traceback records Python frames; pyopaque runs none, so no traceback
//! object exists (`PyTraceBack_Type` has no instances). An exception raised in compiled code
//! keeps its type, value, cause and context; it only carries no traceback entries.

use std::ffi::c_int;

use crate::boundary::cx::{self, from_c};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyTraceBack_Type", Rule::Cost("translation table (as every static type symbol); the type has no instances, since no frames exist to record, so PyTraceBack_Check is false for every object")),
    ("PyTraceBack_Here", Rule::Cost("no frames: nothing is recorded (the frame argument can only be NULL, as PyEval_GetFrame returns); returns 0 and the current exception propagates unchanged, without a traceback entry")),
    ("PyTraceBack_Print", Rule::NotApplicable("needs an interpreter loop: tracebacks record Python frames; no traceback object exists, so NULL prints nothing (0) and any other object raises SystemError, as CPython does for a non-traceback")),
];

/// `PyTraceBack_Here`: adds nothing (there are no frames) and leaves the current exception
/// as it is; 0. The caller's frame is NULL here (`PyEval_GetFrame`).
#[no_mangle]
pub extern "C" fn PyTraceBack_Here(_frame: *mut std::ffi::c_void) -> c_int {
    capi!("PyTraceBack_Here", |_cx| Ok(0))
}

/// `PyTraceBack_Print`: NULL prints nothing (0); anything else is not a traceback (none
/// exist), which CPython answers with SystemError.
///
/// # Safety
/// `tb` NULL or an object; `f` an object.
#[no_mangle]
pub unsafe extern "C" fn PyTraceBack_Print(tb: *mut PyObject, _f: *mut PyObject) -> c_int {
    capi!("PyTraceBack_Print", |cx| {
        // SAFETY: caller's contract.
        match unsafe { from_c(tb) } {
            None => Ok(0),
            Some(_) => Err(cx::bad_internal_call(cx)),
        }
    })
}
