//! UCS4 and `wchar_t` views of `str` (`PyUnicode_AsUCS4`, `PyUnicode_AsWideChar`, ...): copies,
//! since strings are stored as UTF-8.

use super::convert::{ret_str, str_in, text};
use crate::boundary::cx;
use crate::boundary::cx::arg;
use crate::boundary::cx::bad_internal_call;
use crate::boundary::ffi::*;
use crate::capi;
use pyopaque_runtime::Handle;
use pyopaque_runtime::Kind;
use pyopaque_runtime::PyResult;
use pyopaque_runtime::Thread;
use std::ffi::c_int;
use std::ffi::c_void;

/// `wchar_t` on the platforms pyopaque supports (Linux: 4 bytes, UCS4).
type WChar = i32;

// ----- UCS4 / wchar_t -----

/// `PyUnicode_AsUCS4`: copies the code points into `buf` (SystemError when too small).
///
/// # Safety
/// A str C holds; `buf` `buflen` writable UCS4 units.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsUCS4(
    o: *mut PyObject,
    buf: *mut u32,
    buflen: Py_ssize_t,
    copy_null: c_int,
) -> *mut u32 {
    let r: *mut c_void = capi!("PyUnicode_AsUCS4", |cx| {
        if buf.is_null() || buflen < 0 {
            return Err(bad_internal_call(cx));
        }
        let h = ucs4_in(cx, o)?;
        let cs: Vec<u32> = text(cx, h).chars().map(|c| c as u32).collect();
        let need = cs.len() + (copy_null != 0) as usize;
        if (buflen as usize) < need {
            if copy_null != 0 && buflen > 0 {
                // SAFETY: at least one writable unit.
                unsafe { *buf = 0 };
            }
            return Err(cx::system_error(cx, "string is longer than the buffer"));
        }
        // SAFETY: `need <= buflen` writable units.
        unsafe {
            std::ptr::copy_nonoverlapping(cs.as_ptr(), buf, cs.len());
            if copy_null != 0 {
                *buf.add(cs.len()) = 0;
            }
        }
        Ok(buf.cast())
    });
    r.cast()
}

/// A str argument of the UCS4 functions (anything else: CPython's bad internal call).
fn ucs4_in(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        return Err(bad_internal_call(cx));
    }
    Ok(cx.root(o))
}

fn pymem_copy<T: Copy>(cx: &mut Thread, v: &[T]) -> PyResult<*mut T> {
    let bytes = std::mem::size_of_val(v);
    // The shim's own PyMem_Malloc (C frees with PyMem_Free).
    let p = crate::python::memory::PyMem_Malloc(bytes.max(1)).cast::<T>();
    if p.is_null() {
        let t = cx.rt.types.exc.memory_error;
        return Err(cx.raise(t, ""));
    }
    // SAFETY: `p` holds `v.len()` elements.
    unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), p, v.len()) };
    Ok(p)
}

/// `PyUnicode_AsUCS4Copy`: a `PyMem_Malloc`ed, NUL-terminated copy.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsUCS4Copy(o: *mut PyObject) -> *mut u32 {
    let r: *mut c_void = capi!("PyUnicode_AsUCS4Copy", |cx| {
        let h = ucs4_in(cx, o)?;
        let mut cs: Vec<u32> = text(cx, h).chars().map(|c| c as u32).collect();
        cs.push(0);
        pymem_copy(cx, &cs).map(|p| p.cast())
    });
    r.cast()
}

/// `PyUnicode_AsWideChar`: copies up to `size` wchar_t (NULL `w`: the size needed, NUL
/// included).
///
/// # Safety
/// A str C holds; `w` NULL or `size` writable wchar_t.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsWideChar(
    o: *mut PyObject,
    w: *mut WChar,
    size: Py_ssize_t,
) -> Py_ssize_t {
    capi!("PyUnicode_AsWideChar", |cx| {
        let h = str_in(cx, o)?;
        let cs: Vec<WChar> = text(cx, h).chars().map(|c| c as WChar).collect();
        if w.is_null() {
            return Ok(cs.len() as Py_ssize_t + 1);
        }
        let size = size.max(0) as usize;
        let n = cs.len().min(size);
        // SAFETY: `size` writable units by contract.
        unsafe {
            std::ptr::copy_nonoverlapping(cs.as_ptr(), w, n);
            if size > cs.len() {
                *w.add(cs.len()) = 0;
            }
        }
        Ok(n as Py_ssize_t)
    })
}

/// `PyUnicode_AsWideCharString`: a `PyMem_Malloc`ed, NUL-terminated copy.
///
/// # Safety
/// A str C holds; `size` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsWideCharString(
    o: *mut PyObject,
    size: *mut Py_ssize_t,
) -> *mut WChar {
    let r: *mut c_void = capi!("PyUnicode_AsWideCharString", |cx| {
        let h = str_in(cx, o)?;
        let mut cs: Vec<WChar> = text(cx, h).chars().map(|c| c as WChar).collect();
        if size.is_null() && cs.contains(&0) {
            return Err(cx::value_error(cx, "embedded null character"));
        }
        if !size.is_null() {
            // SAFETY: writable by contract.
            unsafe { *size = cs.len() as Py_ssize_t };
        }
        cs.push(0);
        pymem_copy(cx, &cs).map(|p| p.cast())
    });
    r.cast()
}

/// `PyUnicode_FromWideChar` (`size` -1: NUL-terminated). Lone surrogates cannot be stored
/// (UTF-8 strings): ValueError.
///
/// # Safety
/// `w` `size` readable wchar_t (or NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FromWideChar(
    w: *const WChar,
    size: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_FromWideChar", |cx| {
        if w.is_null() && size != 0 {
            return Err(bad_internal_call(cx));
        }
        let n = if size == -1 {
            let mut k = 0;
            // SAFETY: NUL-terminated by contract.
            while unsafe { *w.add(k) } != 0 {
                k += 1;
            }
            k
        } else if size < 0 {
            return Err(bad_internal_call(cx));
        } else {
            size as usize
        };
        let mut s = String::with_capacity(n);
        for i in 0..n {
            // SAFETY: `n` readable units.
            let u = unsafe { *w.add(i) } as u32;
            match char::from_u32(u) {
                Some(c) => s.push(c),
                None if u > 0x10ffff => {
                    return Err(cx::value_error(
                        cx,
                        &format!("character U+{u:x} is not in range [U+0000; U+10ffff]"),
                    ))
                }
                None => {
                    return Err(cx::value_error(
                        cx,
                        &format!(
                            "pyopaque: lone surrogate U+{u:x} cannot be stored in a UTF-8 str"
                        ),
                    ))
                }
            }
        }
        ret_str(cx, &s)
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyUnicode_AsUCS4", rules::WIDE_COPY),
        ("PyUnicode_AsUCS4Copy", rules::WIDE_COPY),
        ("PyUnicode_AsWideChar", rules::WIDE_COPY),
        ("PyUnicode_AsWideCharString", rules::WIDE_COPY),
        (
            "PyUnicode_FromWideChar",
            Rule::Cost(
                "strings are UTF-8: a lone surrogate cannot be stored and raises ValueError",
            ),
        ),
    ]
};
