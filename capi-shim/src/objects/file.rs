//! `fileobject.h`'s constructor. File objects are made by the `io` module, which is Python
//! source in CPython and absent here: `PyFile_FromFd` raises NotImplementedError. (The
//! `PyFile_WriteString`-style helpers that write to an existing object work elsewhere.)

use std::ffi::{c_char, c_int};

use crate::ffi::PyObject;
use crate::python::raising::raising_fns;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "PyFile_FromFd",
    Rule::NotApplicable("needs an interpreter loop: file objects are created by the io module (Python source); exported raising NotImplementedError"),
)];

raising_fns! {
    /// `PyFile_FromFd`: raises NotImplementedError.
    "PyFile_FromFd" PyFile_FromFd(fd: c_int, name: *const c_char, mode: *const c_char, buffering: c_int, encoding: *const c_char, errors: *const c_char, newline: *const c_char, closefd: c_int) -> *mut PyObject
        => not_implemented("file objects are made by the io module (Python source), which pyopaque does not have");
}
