//! `PyTraceBack_Print`: printing a traceback object. pyopaque runs no Python code, so it has no
//! frames and never makes a traceback object (`PyException_GetTraceback` is always NULL,
//! `PyException_SetTraceback` accepts only None). CPython's contract then leaves two cases: NULL
//! prints nothing and succeeds; any object is not a traceback, which CPython reports as a bad
//! internal call (SystemError, -1). Both are answered exactly; PyO3's abi3t build imports the
//! function for formatting a traceback it never receives here.

use std::ffi::c_int;

use crate::boundary::cx::{self, bad_internal_call};
use crate::boundary::ffi::*;
use crate::capi;

/// `PyTraceBack_Print(tb, file)`: 0 for a NULL `tb` (nothing to print); SystemError and -1
/// for any object (none is a traceback, there being no frames).
///
/// # Safety
/// `tb` NULL or an object C holds; `file` is not read.
#[no_mangle]
pub unsafe extern "C" fn PyTraceBack_Print(tb: *mut PyObject, file: *mut PyObject) -> c_int {
    let _ = file;
    capi!("PyTraceBack_Print", |cx| {
        // SAFETY: caller's contract.
        match unsafe { cx::from_c(tb) } {
            None => Ok(0),
            Some(_) => Err(bad_internal_call(cx)),
        }
    })
}

/// The verdicts of the C API functions this module answers for (collected by
/// [`crate::verdict`]).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[(
        "PyTraceBack_Print",
        Rule::Cost("no frames, hence no traceback objects: NULL prints nothing, any object is a bad internal call (SystemError, as CPython for a non-traceback)"),
    )]
};
