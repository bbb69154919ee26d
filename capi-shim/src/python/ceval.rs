//! `ceval.h` and `pyframe.h`: the evaluation loop's entry points.
//!
//! pyopaque runs no Python frames. Where the C API documents a result for "no frame is
//! currently executing", that result is returned (`PyEval_GetFrame`, `PyEval_GetGlobals`,
//! `PyEval_GetLocals`, `PyEval_GetFrameGlobals`, `PyEval_GetFrameLocals`: NULL without an
//! exception; `PyEval_GetBuiltins`, `PyEval_GetFrameBuiltins`: the builtins of the
//! interpreter). Evaluating code or a frame needs bytecode: those raise `NotImplementedError`
//! saying so. No frame object can exist, so the `PyFrame_*` accessors raise `SystemError`
//! for whatever pointer they receive.

use std::ffi::c_int;

use pyopaque_runtime::Thread;

use crate::boundary::cx::{self, borrowed, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyEval_GetBuiltins", Rule::Cost("no frames: always the interpreter's builtins (the `builtins` module's dict), which is what CPython returns when no frame is executing")),
    ("PyEval_GetFrameBuiltins", Rule::Cost("no frames: always the interpreter's builtins (the `builtins` module's dict), which is what CPython returns when no frame is executing")),
    ("PyEval_GetFrame", NO_FRAME),
    ("PyEval_GetGlobals", NO_FRAME),
    ("PyEval_GetLocals", NO_FRAME),
    ("PyEval_GetFrameGlobals", NO_FRAME),
    ("PyEval_GetFrameLocals", NO_FRAME),
    ("PyThreadState_GetFrame", NO_FRAME),
    ("PyFrame_GetCode", NO_FRAME_OBJECT),
    ("PyFrame_GetLineNumber", NO_FRAME_OBJECT),
    ("PyEval_EvalCode", NO_BYTECODE),
    ("PyEval_EvalCodeEx", NO_BYTECODE),
    ("PyEval_EvalFrame", NO_BYTECODE),
    ("PyEval_EvalFrameEx", NO_BYTECODE),
];

const NO_FRAME: Rule = Rule::NotApplicable("needs an interpreter loop: the current Python frame; pyopaque runs no Python code, so it always gives the documented no-frame result (NULL without an exception)");
const NO_FRAME_OBJECT: Rule = Rule::NotApplicable("needs an interpreter loop: frame objects exist only while Python code runs; pyopaque has none, so any argument raises SystemError");
const NO_BYTECODE: Rule = Rule::NotApplicable("needs an interpreter loop: bytecode evaluation (raises NotImplementedError: pyopaque runs no bytecode)");

use crate::python::builtins::builtins_dict;

/// `PyEval_GetBuiltins`: the builtins dict (borrowed). With no frame executing, CPython
/// returns the interpreter's builtins; pyopaque never has a frame.
#[no_mangle]
pub extern "C" fn PyEval_GetBuiltins() -> *mut PyObject {
    capi!("PyEval_GetBuiltins", |cx| {
        let d = builtins_dict(cx)?;
        Ok(borrowed(cx, cx.get(d)))
    })
}

/// `PyEval_GetFrameBuiltins` (3.13): as [`PyEval_GetBuiltins`], a new reference.
#[no_mangle]
pub extern "C" fn PyEval_GetFrameBuiltins() -> *mut PyObject {
    capi!("PyEval_GetFrameBuiltins", |cx| {
        let d = builtins_dict(cx)?;
        Ok(new_ref_h(cx, d))
    })
}

/// Defines entry points that give the documented "no frame is executing" result: NULL
/// without an exception.
macro_rules! no_frame_fns {
    ($($(#[$doc:meta])* $lit:literal $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        $(#[$doc])*
        #[no_mangle]
        pub extern "C" fn $name($($arg: $ty),*) -> $ret {
            $(let _ = $arg;)*
            capi!($lit, |_cx| Ok(std::ptr::null_mut()))
        }
    )*};
}

no_frame_fns! {
    /// `PyEval_GetFrame`: the executing frame; NULL (no exception) when none executes, which is
    /// always the case here.
    "PyEval_GetFrame" PyEval_GetFrame() -> *mut std::ffi::c_void;
    /// `PyEval_GetGlobals`: NULL (no exception) when no frame executes: always here.
    "PyEval_GetGlobals" PyEval_GetGlobals() -> *mut PyObject;
    /// `PyEval_GetLocals`: NULL (no exception) when no frame executes: always here.
    "PyEval_GetLocals" PyEval_GetLocals() -> *mut PyObject;
    /// `PyEval_GetFrameGlobals` (3.13): NULL (no exception) when no frame executes.
    "PyEval_GetFrameGlobals" PyEval_GetFrameGlobals() -> *mut PyObject;
    /// `PyEval_GetFrameLocals` (3.13): NULL (no exception) when no frame executes.
    "PyEval_GetFrameLocals" PyEval_GetFrameLocals() -> *mut PyObject;
    /// `PyThreadState_GetFrame`: the thread's executing frame, NULL (no exception) when none
    /// executes: always here, whatever the thread state.
    "PyThreadState_GetFrame" PyThreadState_GetFrame(tstate: *mut std::ffi::c_void) -> *mut std::ffi::c_void;
}

fn no_frame_object(cx: &mut Thread, api: &str) -> pyopaque_runtime::Raised {
    cx::system_error(
        cx,
        &format!("{api}: pyopaque runs no Python frames, so no frame object exists"),
    )
}

/// `PyFrame_GetCode`: no frame object can exist here; raises SystemError.
#[no_mangle]
pub extern "C" fn PyFrame_GetCode(_frame: *mut std::ffi::c_void) -> *mut PyObject {
    capi!("PyFrame_GetCode", |cx| Err(no_frame_object(
        cx,
        "PyFrame_GetCode"
    )))
}

/// `PyFrame_GetLineNumber`: no frame object can exist here; raises SystemError, returns -1.
#[no_mangle]
pub extern "C" fn PyFrame_GetLineNumber(_frame: *mut std::ffi::c_void) -> c_int {
    capi!("PyFrame_GetLineNumber", |cx| Err(no_frame_object(
        cx,
        "PyFrame_GetLineNumber"
    )))
}

/// Raises `NotImplementedError` for an entry point that evaluates bytecode.
pub fn no_bytecode(cx: &mut Thread, api: &str, needs: &str) -> pyopaque_runtime::Raised {
    cx::not_implemented(
        cx,
        &format!("pyopaque runs no bytecode: {api} needs {needs}"),
    )
}

/// `PyEval_EvalCode`: raises NotImplementedError (no code object can be evaluated).
#[no_mangle]
pub extern "C" fn PyEval_EvalCode(
    _co: *mut PyObject,
    _globals: *mut PyObject,
    _locals: *mut PyObject,
) -> *mut PyObject {
    capi!("PyEval_EvalCode", |cx| Err(no_bytecode(
        cx,
        "PyEval_EvalCode",
        "an evaluation loop"
    )))
}

/// `PyEval_EvalCodeEx`: raises NotImplementedError.
#[allow(clippy::too_many_arguments)]
#[no_mangle]
pub extern "C" fn PyEval_EvalCodeEx(
    _co: *mut PyObject,
    _globals: *mut PyObject,
    _locals: *mut PyObject,
    _args: *const *mut PyObject,
    _argc: c_int,
    _kws: *const *mut PyObject,
    _kwc: c_int,
    _defs: *const *mut PyObject,
    _defc: c_int,
    _kwdefs: *mut PyObject,
    _closure: *mut PyObject,
) -> *mut PyObject {
    capi!("PyEval_EvalCodeEx", |cx| Err(no_bytecode(
        cx,
        "PyEval_EvalCodeEx",
        "an evaluation loop"
    )))
}

/// `PyEval_EvalFrame`: raises NotImplementedError.
#[no_mangle]
pub extern "C" fn PyEval_EvalFrame(_f: *mut std::ffi::c_void) -> *mut PyObject {
    capi!("PyEval_EvalFrame", |cx| Err(no_bytecode(
        cx,
        "PyEval_EvalFrame",
        "an evaluation loop"
    )))
}

/// `PyEval_EvalFrameEx`: raises NotImplementedError.
#[no_mangle]
pub extern "C" fn PyEval_EvalFrameEx(
    _f: *mut std::ffi::c_void,
    _throwflag: c_int,
) -> *mut PyObject {
    capi!("PyEval_EvalFrameEx", |cx| Err(no_bytecode(
        cx,
        "PyEval_EvalFrameEx",
        "an evaluation loop"
    )))
}
