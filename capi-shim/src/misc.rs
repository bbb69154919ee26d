//! Thread state and interpreter-level functions that make sense without an interpreter loop.

use std::ffi::c_int;

use crate::boundary::cx;
use crate::cov;

/// `PyGILState_STATE`.
pub type PyGILStateState = c_int;

/// `PyGILState_Ensure`: attaches the calling thread (a `classic` runtime refuses a second
/// thread: fatal, as a deadlock would be in CPython).
#[no_mangle]
pub extern "C" fn PyGILState_Ensure() -> PyGILStateState {
    cov!("PyGILState_Ensure");
    let was = cx::thread_attached();
    if cx::thread_ptr().is_none() {
        cx::fatal(
            "PyGILState_Ensure",
            "this runtime's scheme does not allow another thread",
        );
    }
    if was {
        0
    } else {
        1
    }
}

/// `PyGILState_Release`: the thread stays attached until it exits.
#[no_mangle]
pub extern "C" fn PyGILState_Release(_s: PyGILStateState) {
    cov!("PyGILState_Release");
}

/// `PyGILState_Check`.
#[no_mangle]
pub extern "C" fn PyGILState_Check() -> c_int {
    cov!("PyGILState_Check");
    cx::thread_attached() as c_int
}

/// `Py_IsInitialized`.
#[no_mangle]
pub extern "C" fn Py_IsInitialized() -> c_int {
    cov!("Py_IsInitialized");
    cx::initialised() as c_int
}

/// `Py_Version` data: the hex version our headers claim (`PY_VERSION_HEX` of `patchlevel.h`,
/// 3.15.0a0). An `unsigned long`, as the headers declare it.
#[no_mangle]
pub static Py_Version: std::ffi::c_ulong = 0x030F00A0;
