//! CPython's fixed-width ("kind") view of `str`: `PyUnicode_KIND`, `PyUnicode_DATA`,
//! `PyUnicode_MAX_CHAR_VALUE` (our headers spell them `PyOpaque_Unicode_*`),
//! `PyUnicode_FromKindAndData`, `PyUnicode_New` and `PyUnicode_WriteChar`.
//!
//! A runtime `str` is immutable inline UTF-8. The kind of a string (the width its widest code
//! point needs) is computed from its text; building a string from a kind buffer decodes it.
//! What cannot exist is a fixed-width buffer *inside* the string: `PyUnicode_DATA` has nothing
//! to point at, and `PyUnicode_New` + `PyUnicode_WriteChar` would fill a string in place.
//! Those raise SystemError saying so.

use std::ffi::{c_int, c_void};

use crate::boundary::cx::{self, arg, new_ref_h, tname};
use crate::boundary::ffi::{PyObject, Py_ssize_t};
use crate::capi;
use crate::verdict::Rule;

const UTF8_STORAGE: &str = "strategies: str is stored as immutable inline UTF-8, so there is no fixed-width (UCS1/UCS2/UCS4) buffer to hand out or to fill in place; raises SystemError";

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyOpaque_Unicode_KIND", Rule::Cost("computed from the UTF-8 text on each call (a scan for the widest code point)")),
    ("PyOpaque_Unicode_MAX_CHAR_VALUE", Rule::Cost("computed from the UTF-8 text on each call (a scan for the widest code point)")),
    ("PyUnicode_FromKindAndData", Rule::Cost("decodes the buffer into UTF-8 (a copy, as in CPython); a lone surrogate cannot be stored in UTF-8 and raises ValueError")),
    ("PyOpaque_Unicode_DATA", Rule::NotImplementable(UTF8_STORAGE)),
    ("PyUnicode_New", Rule::NotImplementable(UTF8_STORAGE)),
    ("PyUnicode_WriteChar", Rule::NotImplementable("strategies: str is stored as immutable inline UTF-8, so a code point of another UTF-8 width cannot be written in place; and with no counting (tracing) the shim cannot prove the string unshared, as CPython's check requires; raises SystemError")),
];

/// `PyUnicode_1BYTE_KIND`, `PyUnicode_2BYTE_KIND`, `PyUnicode_4BYTE_KIND`.
const KINDS: [c_int; 3] = [1, 2, 4];

/// The text of a str argument; SystemError for anything else (CPython's macros assume a str).
fn text_of(
    cx: &mut pyopaque_runtime::Thread,
    o: *mut PyObject,
) -> pyopaque_runtime::PyResult<&'static str> {
    // SAFETY: an object C holds (callers' contract).
    let ob = unsafe { arg(cx, o) }?;
    match cx.str_value(ob) {
        Some(s) => Ok(s),
        None => Err(cx::bad_internal_call(cx)),
    }
}

fn kind_of_text(s: &str) -> c_int {
    let max = s.chars().map(|c| c as u32).max().unwrap_or(0);
    if max <= 0xFF {
        1
    } else if max <= 0xFFFF {
        2
    } else {
        4
    }
}

/// `PyUnicode_KIND`: 1, 2 or 4, the width the widest code point needs.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Unicode_KIND(o: *mut PyObject) -> c_int {
    capi!("PyOpaque_Unicode_KIND", |cx| Ok(kind_of_text(text_of(
        cx, o
    )?)))
}

/// `PyUnicode_MAX_CHAR_VALUE`: 0x7F for ASCII text, else the largest code point of its kind
/// (0xFF, 0xFFFF, 0x10FFFF), as CPython's macro gives.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Unicode_MAX_CHAR_VALUE(o: *mut PyObject) -> u32 {
    capi!("PyOpaque_Unicode_MAX_CHAR_VALUE", |cx| {
        let s = text_of(cx, o)?;
        Ok(if s.is_ascii() {
            0x7F
        } else {
            match kind_of_text(s) {
                1 => 0xFF,
                2 => 0xFFFF,
                _ => 0x10FFFF,
            }
        })
    })
}

/// `PyUnicode_DATA`: raises SystemError (no fixed-width buffer exists), returns NULL.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Unicode_DATA(o: *mut PyObject) -> *mut c_void {
    capi!("PyOpaque_Unicode_DATA", |cx| {
        text_of(cx, o)?;
        Err(cx::system_error(
            cx,
            "PyUnicode_DATA: pyopaque stores str as UTF-8; there is no fixed-width buffer (read characters with PyUnicode_READ_CHAR or PyUnicode_AsUTF8AndSize)",
        ))
    })
}

/// `PyUnicode_FromKindAndData`: a str from `size` code units of width `kind` (1, 2 or 4).
/// ValueError for a negative size or a code point no str can hold (a lone surrogate, or
/// beyond 0x10FFFF); SystemError for another kind.
///
/// # Safety
/// `buffer` holds `size` units of `kind` bytes (may be NULL when `size` is 0).
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FromKindAndData(
    kind: c_int,
    buffer: *const c_void,
    size: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_FromKindAndData", |cx| {
        if size < 0 {
            return Err(cx::value_error(cx, "size must be positive"));
        }
        if !KINDS.contains(&kind) {
            return Err(cx::system_error(cx, "invalid kind"));
        }
        let n = size as usize;
        if n > 0 && buffer.is_null() {
            return Err(cx::bad_internal_call(cx));
        }
        let mut s = String::with_capacity(n);
        for i in 0..n {
            // SAFETY: `buffer` holds `size` units of `kind` bytes (caller's contract); units
            // are read unaligned, C buffers need not be aligned to their width.
            let unit = unsafe {
                match kind {
                    1 => u32::from(*buffer.cast::<u8>().add(i)),
                    2 => u32::from(buffer.cast::<u16>().add(i).read_unaligned()),
                    _ => buffer.cast::<u32>().add(i).read_unaligned(),
                }
            };
            match char::from_u32(unit) {
                Some(c) => s.push(c),
                None => {
                    return Err(cx::value_error(
                        cx,
                        &format!("character U+{unit:x} cannot be stored in a pyopaque str (UTF-8)"),
                    ))
                }
            }
        }
        let h = cx.str(&s);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_New`: raises SystemError (a str cannot be created to be filled in place).
#[no_mangle]
pub extern "C" fn PyUnicode_New(_size: Py_ssize_t, _maxchar: u32) -> *mut PyObject {
    capi!("PyUnicode_New", |cx| {
        Err(cx::system_error(
        cx,
        "PyUnicode_New: pyopaque stores str as immutable UTF-8 and cannot fill one in place; build the text first (PyUnicode_FromStringAndSize, PyUnicode_FromKindAndData)"
    ))
    })
}

/// `PyUnicode_WriteChar`: raises SystemError (str is immutable UTF-8), returns -1.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_WriteChar(
    u: *mut PyObject,
    _index: Py_ssize_t,
    _ch: u32,
) -> c_int {
    capi!("PyUnicode_WriteChar", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, u) }?;
        let msg = format!(
            "PyUnicode_WriteChar: pyopaque stores str as immutable UTF-8 ({} not modified)",
            tname(cx, o)
        );
        Err(cx::system_error(cx, &msg))
    })
}
