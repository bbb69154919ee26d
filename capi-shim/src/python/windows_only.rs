//! Windows-only entry points (GetLastError, MBCS and code pages). Our headers declare them
//! only with `MS_WINDOWS`; the library exports them anyway (so no declared symbol is missing)
//! and each call raises NotImplementedError: the facility does not exist on the POSIX
//! platforms pyopaque runs on, as in CPython builds for them.

use std::ffi::{c_char, c_int};

use super::raising::raising_fns;
use crate::boundary::ffi::PyObject;
use crate::verdict::Rule;

const WINDOWS: Rule = Rule::NotApplicable("Windows only (MBCS, code pages, GetLastError): the facility does not exist on the POSIX platforms pyopaque runs on, as in CPython builds for them; exported raising NotImplementedError");

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyErr_SetExcFromWindowsErr", WINDOWS),
    ("PyErr_SetExcFromWindowsErrWithFilename", WINDOWS),
    ("PyErr_SetExcFromWindowsErrWithFilenameObject", WINDOWS),
    ("PyErr_SetExcFromWindowsErrWithFilenameObjects", WINDOWS),
    ("PyErr_SetFromWindowsErr", WINDOWS),
    ("PyErr_SetFromWindowsErrWithFilename", WINDOWS),
    ("PyUnicode_AsMBCSString", WINDOWS),
    ("PyUnicode_DecodeCodePageStateful", WINDOWS),
    ("PyUnicode_DecodeMBCS", WINDOWS),
    ("PyUnicode_DecodeMBCSStateful", WINDOWS),
    ("PyUnicode_EncodeCodePage", WINDOWS),
];

const MSG: &str = "Windows only: this platform has no Windows error codes, MBCS or code pages";

raising_fns! {
    /// `PyErr_SetExcFromWindowsErr`: Windows only; raises NotImplementedError.
    "PyErr_SetExcFromWindowsErr" PyErr_SetExcFromWindowsErr(t: *mut PyObject, ierr: c_int) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyErr_SetExcFromWindowsErrWithFilename`: Windows only; raises NotImplementedError.
    "PyErr_SetExcFromWindowsErrWithFilename" PyErr_SetExcFromWindowsErrWithFilename(t: *mut PyObject, ierr: c_int, f: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyErr_SetExcFromWindowsErrWithFilenameObject`: Windows only; raises NotImplementedError.
    "PyErr_SetExcFromWindowsErrWithFilenameObject" PyErr_SetExcFromWindowsErrWithFilenameObject(t: *mut PyObject, ierr: c_int, f: *mut PyObject) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyErr_SetExcFromWindowsErrWithFilenameObjects`: Windows only; raises NotImplementedError.
    "PyErr_SetExcFromWindowsErrWithFilenameObjects" PyErr_SetExcFromWindowsErrWithFilenameObjects(t: *mut PyObject, ierr: c_int, f: *mut PyObject, f2: *mut PyObject) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyErr_SetFromWindowsErr`: Windows only; raises NotImplementedError.
    "PyErr_SetFromWindowsErr" PyErr_SetFromWindowsErr(ierr: c_int) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyErr_SetFromWindowsErrWithFilename`: Windows only; raises NotImplementedError.
    "PyErr_SetFromWindowsErrWithFilename" PyErr_SetFromWindowsErrWithFilename(ierr: c_int, f: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyUnicode_AsMBCSString`: Windows only; raises NotImplementedError.
    "PyUnicode_AsMBCSString" PyUnicode_AsMBCSString(u: *mut PyObject) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyUnicode_DecodeCodePageStateful`: Windows only; raises NotImplementedError.
    "PyUnicode_DecodeCodePageStateful" PyUnicode_DecodeCodePageStateful(cp: c_int, s: *const c_char, n: isize, e: *const c_char, consumed: *mut isize) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyUnicode_DecodeMBCS`: Windows only; raises NotImplementedError.
    "PyUnicode_DecodeMBCS" PyUnicode_DecodeMBCS(s: *const c_char, n: isize, e: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyUnicode_DecodeMBCSStateful`: Windows only; raises NotImplementedError.
    "PyUnicode_DecodeMBCSStateful" PyUnicode_DecodeMBCSStateful(s: *const c_char, n: isize, e: *const c_char, consumed: *mut isize) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyUnicode_EncodeCodePage`: Windows only; raises NotImplementedError.
    "PyUnicode_EncodeCodePage" PyUnicode_EncodeCodePage(cp: c_int, u: *mut PyObject, e: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
}
