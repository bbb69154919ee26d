//! Argument and result conversions shared by the `str` modules: C pointers to `str`/`bytes`
//! handles and Rust strings back to new references.

use crate::boundary::cx;
use crate::boundary::cx::arg;
use crate::boundary::cx::new_ref_h;
use crate::boundary::cx::tname;
use crate::boundary::cx::type_error;
use crate::boundary::ffi::*;
use pyopaque_runtime::Handle;
use pyopaque_runtime::Kind;
use pyopaque_runtime::PyResult;
use pyopaque_runtime::Thread;
use std::ffi::c_char;

pub(crate) fn bytes_in<'a>(s: *const c_char, n: Py_ssize_t) -> &'a [u8] {
    if s.is_null() || n <= 0 {
        &[]
    } else {
        // SAFETY: callers' contract: `n` readable bytes at `s`.
        unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) }
    }
}

pub(crate) unsafe fn opt_str(cx: &mut Thread, s: *const c_char) -> PyResult<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: caller's contract.
    Ok(Some(unsafe { cx::cstr(cx, s) }?.to_string()))
}

/// A str argument (non-str: CPython's `PyErr_BadArgument` TypeError; NULL: SystemError).
pub(crate) fn str_in(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        return Err(type_error(cx, "bad argument type for built-in operation"));
    }
    Ok(cx.root(o))
}

/// A str argument with CPython's `ensure_unicode` message.
pub(crate) fn ensure_str(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        let msg = format!("must be str, not {}", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(cx.root(o))
}

pub(crate) fn text(cx: &Thread, h: Handle) -> String {
    cx.str_value(cx.get(h)).unwrap_or("").to_string()
}

pub(crate) fn ret_str(cx: &mut Thread, s: &str) -> PyResult<*mut PyObject> {
    let h = cx.str(s);
    Ok(new_ref_h(cx, h))
}

pub(crate) fn ret_bytes(cx: &mut Thread, b: &[u8]) -> PyResult<*mut PyObject> {
    let h = cx.bytes(b);
    Ok(new_ref_h(cx, h))
}
