//! The embedding API around an interpreter's life: `Py_Main`, finalization, path settings and
//! the stack check. pyopaque has no interpreter to run a script with, configure or tear down.

use std::ffi::{c_char, c_int};

use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("Py_Main", Rule::NotApplicable("needs an interpreter loop: the command-line interpreter (REPL, scripts); prints why and returns 1 (pyopaque runs Python programs compiled by Cython: `pyopaque run FILE.py`)")),
    ("Py_BytesMain", Rule::NotApplicable("needs an interpreter loop: the command-line interpreter (REPL, scripts); prints why and returns 1 (pyopaque runs Python programs compiled by Cython: `pyopaque run FILE.py`)")),
    ("Py_Finalize", Rule::NotApplicable("needs an interpreter loop: finalization tears down the interpreter's modules and frames; the pyopaque runtime lives until the process exits, so this only flushes output")),
    ("Py_FinalizeEx", Rule::NotApplicable("needs an interpreter loop: finalization tears down the interpreter's modules and frames; the pyopaque runtime lives until the process exits, so this only flushes output and returns 0")),
    ("Py_SetProgramName", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source; the value is accepted and unused")),
    ("Py_SetPythonHome", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source; the value is accepted and unused")),
    ("PyOS_CheckStack", Rule::NotApplicable("Windows-only: CPython defines it only with USE_STACKCHECK (Windows builds); on Linux the OS guards the stack, so it always answers 0 (enough stack)")),
];

const NO_MAIN: &str = "pyopaque: Py_Main runs Python source with an interpreter loop, which pyopaque does not have; compile the program with Cython instead (`pyopaque run FILE.py`)";

/// `Py_Main`: prints why it cannot run and returns 1 (a command-line failure status).
#[no_mangle]
pub extern "C" fn Py_Main(_argc: c_int, _argv: *mut *mut libc::wchar_t) -> c_int {
    crate::cov!("Py_Main");
    eprintln!("{NO_MAIN}");
    1
}

/// `Py_BytesMain`: as [`Py_Main`].
#[no_mangle]
pub extern "C" fn Py_BytesMain(_argc: c_int, _argv: *mut *mut c_char) -> c_int {
    crate::cov!("Py_BytesMain");
    eprintln!("{NO_MAIN}");
    1
}

fn flush_output() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: flushing every C stdio stream (NULL) has no precondition.
    unsafe { libc::fflush(std::ptr::null_mut()) };
}

/// `Py_FinalizeEx`: flushes output and returns 0; the runtime lives until the process exits.
#[no_mangle]
pub extern "C" fn Py_FinalizeEx() -> c_int {
    capi!("Py_FinalizeEx", |_cx| {
        flush_output();
        Ok(0)
    })
}

/// `Py_Finalize`: as [`Py_FinalizeEx`], without a status.
#[no_mangle]
pub extern "C" fn Py_Finalize() {
    capi!("Py_Finalize", |_cx| {
        flush_output();
        Ok(())
    })
}

/// `Py_SetProgramName` (deprecated): accepted and unused (no path configuration).
#[no_mangle]
pub extern "C" fn Py_SetProgramName(_name: *const libc::wchar_t) {
    crate::cov!("Py_SetProgramName");
}

/// `Py_SetPythonHome` (deprecated): accepted and unused (no standard library to locate).
#[no_mangle]
pub extern "C" fn Py_SetPythonHome(_home: *const libc::wchar_t) {
    crate::cov!("Py_SetPythonHome");
}

/// `PyOS_CheckStack`: 0; the OS guards the stack on the platforms pyopaque runs on.
#[no_mangle]
pub extern "C" fn PyOS_CheckStack() -> c_int {
    crate::cov!("PyOS_CheckStack");
    0
}
