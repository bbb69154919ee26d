//! `PyErr_FormatUnraisable` (3.13): `PyErr_WriteUnraisable` with a formatted first line. The
//! symbol is a variadic trampoline (`variadic.rs`, `va.c`); this is its Rust side.

use std::ffi::{c_char, c_void};

use crate::boundary::cx;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "PyErr_FormatUnraisable",
    Rule::Cost("prints the message and `Type: message` without a traceback (no frames) and without sys.unraisablehook"),
)];

/// Rust side of `PyErr_FormatUnraisable(fmt, ...)`: takes the current exception and prints
/// the formatted message (CPython's "Exception ignored in: ..." line when `fmt` is NULL),
/// then the exception as `Type: message`, to stderr.
///
/// # Safety
/// Called from va.c with `fmt` NULL or a format string and a live `va_list*` matching it.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_format_unraisable(fmt: *const c_char, ap: *mut c_void) {
    crate::cov!("PyErr_FormatUnraisable");
    cx::api("PyErr_FormatUnraisable", |cx| {
        let first = if fmt.is_null() {
            "Exception ignored in: None".to_string()
        } else {
            // SAFETY: forwarded contract.
            unsafe { crate::python::args::format_message(cx, fmt, ap) }?
        };
        if let Some(e) = cx.take_error() {
            let d = cx.describe_exception(e);
            eprintln!("{first}\n{d}");
        }
        Ok(())
    })
}
