//! `pythonrun.h`'s compiler entry: `Py_CompileString`. pyopaque has no compiler (Python
//! programs reach it compiled to C API calls by Cython), so it raises NotImplementedError.
//! Cython's limited-API traceback code calls it to make a code object for each frame it adds;
//! that code discards the error and restores the exception it was recording, so the exception
//! propagates unchanged, only without traceback entries.

use std::ffi::{c_char, c_int};

use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "Py_CompileString",
    Rule::NotApplicable("needs an interpreter loop: compiling Python source to bytecode (raises NotImplementedError)"),
)];

/// `Py_CompileString`: raises NotImplementedError (no compiler).
#[no_mangle]
pub extern "C" fn Py_CompileString(
    _str: *const c_char,
    _filename: *const c_char,
    _start: c_int,
) -> *mut PyObject {
    capi!("Py_CompileString", |cx| Err(super::ceval::no_bytecode(
        cx,
        "Py_CompileString",
        "a compiler"
    )))
}
