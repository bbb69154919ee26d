//! Explicit thread states and sub-interpreters. pyopaque attaches a runtime thread to each OS
//! thread on first use (`PyGILState_Ensure`) and runs one runtime per process, so there is no
//! thread state to create, swap or delete, and no second interpreter: each call raises
//! NotImplementedError (the `void` ones set it for a caller that checks `PyErr_Occurred`).

use std::ffi::{c_int, c_ulong, c_void};

use super::raising::raising_fns;
use crate::boundary::ffi::PyObject;
use crate::verdict::Rule;

const THREAD_STATES: Rule = Rule::NotApplicable("needs an interpreter loop: explicit thread states carry the evaluation loop's frame stack and GIL ownership; pyopaque attaches a runtime thread to each OS thread on first use (PyGILState_Ensure); exported raising NotImplementedError");
const SUBINTERPRETERS: Rule = Rule::NotApplicable("needs an interpreter loop: sub-interpreters each own an evaluation loop and module set; pyopaque runs one runtime per process; exported raising NotImplementedError");

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyThreadState_New", THREAD_STATES),
    ("PyThreadState_Clear", THREAD_STATES),
    ("PyThreadState_Delete", THREAD_STATES),
    ("PyThreadState_Swap", THREAD_STATES),
    ("PyThreadState_SetAsyncExc", Rule::NotApplicable("needs an interpreter loop: the exception is raised asynchronously between bytecodes; exported raising NotImplementedError")),
    ("PyInterpreterState_New", SUBINTERPRETERS),
    ("PyInterpreterState_Clear", SUBINTERPRETERS),
    ("PyInterpreterState_Delete", SUBINTERPRETERS),
    ("Py_NewInterpreter", SUBINTERPRETERS),
    ("Py_EndInterpreter", SUBINTERPRETERS),
];

const TSTATE: &str = "pyopaque has no explicit thread states: each OS thread is attached on first use (PyGILState_Ensure)";
const SUBINTERP: &str = "pyopaque runs one runtime per process: there are no sub-interpreters";

raising_fns! {
    /// `PyThreadState_New`: raises NotImplementedError.
    "PyThreadState_New" PyThreadState_New(interp: *mut c_void) -> *mut c_void
        => not_implemented(TSTATE);
    /// `PyThreadState_Clear`: sets NotImplementedError.
    "PyThreadState_Clear" PyThreadState_Clear(tstate: *mut c_void) -> ()
        => not_implemented(TSTATE);
    /// `PyThreadState_Delete`: sets NotImplementedError.
    "PyThreadState_Delete" PyThreadState_Delete(tstate: *mut c_void) -> ()
        => not_implemented(TSTATE);
    /// `PyThreadState_Swap`: raises NotImplementedError, returns NULL.
    "PyThreadState_Swap" PyThreadState_Swap(tstate: *mut c_void) -> *mut c_void
        => not_implemented(TSTATE);
    /// `PyThreadState_SetAsyncExc`: raises NotImplementedError, returns -1.
    "PyThreadState_SetAsyncExc" PyThreadState_SetAsyncExc(id: c_ulong, exc: *mut PyObject) -> c_int
        => not_implemented("pyopaque runs no bytecode: an asynchronous exception is raised between bytecodes");
    /// `PyInterpreterState_New`: raises NotImplementedError.
    "PyInterpreterState_New" PyInterpreterState_New() -> *mut c_void
        => not_implemented(SUBINTERP);
    /// `PyInterpreterState_Clear`: sets NotImplementedError.
    "PyInterpreterState_Clear" PyInterpreterState_Clear(interp: *mut c_void) -> ()
        => not_implemented(SUBINTERP);
    /// `PyInterpreterState_Delete`: sets NotImplementedError.
    "PyInterpreterState_Delete" PyInterpreterState_Delete(interp: *mut c_void) -> ()
        => not_implemented(SUBINTERP);
    /// `Py_NewInterpreter`: raises NotImplementedError, returns NULL.
    "Py_NewInterpreter" Py_NewInterpreter() -> *mut c_void
        => not_implemented(SUBINTERP);
    /// `Py_EndInterpreter`: sets NotImplementedError.
    "Py_EndInterpreter" Py_EndInterpreter(tstate: *mut c_void) -> ()
        => not_implemented(SUBINTERP);
}
