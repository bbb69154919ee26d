//! `str`: `PyUnicode_*`. Strings are stored as UTF-8 inline, so `PyUnicode_AsUTF8` is a pointer
//! into the payload (no cache, no copy); the str is pinned while C uses it. Fixed-width access
//! (`PyUnicode_DATA`/`KIND`) is offered for ASCII strings only (UTF-8 equals Latin-1 there).

pub mod convert;
pub mod encoding;
pub mod format;
pub mod legacy;
pub mod methods;
pub mod wide;

use std::ffi::{c_char, c_int};

use pyopaque_runtime::objects::text::text_data_ptr;
use pyopaque_runtime::{Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, cstr, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;

fn str_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<ObjRef> {
    // SAFETY: an object C holds.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        let msg = format!(
            "bad argument type for built-in operation (expected str, got {})",
            tname(cx, o)
        );
        let _ = msg;
        return Err(bad_internal_call(cx));
    }
    Ok(o)
}

/// A str argument with CPython's `ensure_unicode` TypeError.
fn ensure_str(cx: &mut Thread, p: *mut PyObject) -> PyResult<ObjRef> {
    // SAFETY: an object C holds.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        let msg = format!("must be str, not {}", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(o)
}

fn decode<'a>(cx: &mut Thread, b: &'a [u8]) -> PyResult<&'a str> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s),
        Err(e) => {
            let t = cx.rt.types.exc.unicode_decode_error;
            let pos = e.valid_up_to();
            let msg = format!(
                "'utf-8' codec can't decode byte 0x{:02x} in position {pos}: invalid start byte",
                b[pos]
            );
            Err(cx.raise(t, &msg))
        }
    }
}

/// `PyUnicode_FromString`.
///
/// # Safety
/// `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FromString(s: *const c_char) -> *mut PyObject {
    capi!("PyUnicode_FromString", |cx| {
        if s.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let b = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes();
        let v = decode(cx, b)?;
        let h = cx.str(v);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_FromStringAndSize`.
///
/// # Safety
/// `s` NULL (with `n == 0`) or `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FromStringAndSize(
    s: *const c_char,
    n: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_FromStringAndSize", |cx| {
        if n < 0 {
            return Err(cx::system_error(
                cx,
                "Negative size passed to PyUnicode_FromStringAndSize",
            ));
        }
        if s.is_null() && n != 0 {
            return Err(cx::not_implemented(cx, "pyopaque: str objects are immutable; PyUnicode_FromStringAndSize(NULL, n) is not supported"));
        }
        let b = if n == 0 {
            &[][..]
        } else {
            // SAFETY: caller's contract.
            unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) }
        };
        let v = decode(cx, b)?;
        let h = cx.str(v);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_DecodeUTF8` (errors "strict" only, or NULL).
///
/// # Safety
/// `s` `n` readable bytes; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF8(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF8", |cx| {
        if n < 0 {
            return Err(cx::system_error(
                cx,
                "Negative size passed to PyUnicode_DecodeUTF8",
            ));
        }
        // SAFETY: caller's contract.
        let b = if n == 0 {
            &[][..]
        } else {
            // SAFETY: caller's contract: `n` readable bytes.
            unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) }
        };
        // SAFETY: NULL or a C string.
        let err = unsafe { cx::cstr_lossy(errors) };
        let v = match err.as_str() {
            "" | "strict" => std::borrow::Cow::Borrowed(decode(cx, b)?),
            "replace" => String::from_utf8_lossy(b),
            "ignore" => std::borrow::Cow::Owned(String::from_utf8_lossy(b).replace('\u{fffd}', "")),
            other => {
                let t = cx.rt.types.exc.lookup_error;
                return Err(cx.raise(t, &format!("unknown error handler name '{other}'")));
            }
        };
        let h = cx.str(&v);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_AsUTF8AndSize`: pointer into the payload (pinned while C holds the str).
///
/// # Safety
/// An object C holds; `size` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsUTF8AndSize(
    o: *mut PyObject,
    size: *mut Py_ssize_t,
) -> *const c_char {
    // Lean path for a heap str (no handle, no allocation: the pin is a count and a vector
    // push); everything else (NULL, immediates, static symbols, wrong types) takes the general
    // path, which raises as before.
    crate::capi_lean!(
        "PyUnicode_AsUTF8AndSize",
        |cx| {
            let ob = cx::heap_ref(o)?;
            if cx.kind_of(ob) != Kind::Str {
                return None;
            }
            let n = pyopaque_runtime::objects::text::text_bytes(ob).len();
            cx.note_borrowed(ob);
            if !size.is_null() {
                // SAFETY: writable (caller's contract).
                unsafe { *size = n as Py_ssize_t };
            }
            Some(text_data_ptr(ob).cast_const().cast())
        },
        |cx| as_utf8_and_size(cx, o, size)
    )
}

fn as_utf8_and_size(
    cx: &mut Thread,
    o: *mut PyObject,
    size: *mut Py_ssize_t,
) -> PyResult<*const c_char> {
    {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if cx.kind_of(ob) != Kind::Str {
            if !size.is_null() {
                // SAFETY: writable.
                unsafe { *size = -1 };
            }
            return Err(type_error(cx, "bad argument type for built-in operation"));
        }
        let n = cx.str_value(ob).unwrap_or("").len();
        cx.note_borrowed(ob);
        if !size.is_null() {
            // SAFETY: writable.
            unsafe { *size = n as Py_ssize_t };
        }
        Ok(text_data_ptr(ob).cast_const().cast())
    }
}

/// `PyUnicode_AsUTF8`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsUTF8(o: *mut PyObject) -> *const c_char {
    capi!("PyUnicode_AsUTF8", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if cx.kind_of(ob) != Kind::Str {
            return Err(type_error(cx, "bad argument type for built-in operation"));
        }
        if cx.str_value(ob).unwrap_or("").contains('\0') {
            return Err(cx::value_error(cx, "embedded null character"));
        }
        cx.note_borrowed(ob);
        Ok(text_data_ptr(ob).cast_const().cast())
    })
}

/// `PyUnicode_AsUTF8String` (bytes).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsUTF8String(o: *mut PyObject) -> *mut PyObject {
    capi!("PyUnicode_AsUTF8String", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if cx.kind_of(ob) != Kind::Str {
            return Err(type_error(cx, "bad argument type for built-in operation"));
        }
        let b = cx.str_value(ob).unwrap_or("").as_bytes().to_vec();
        let h = cx.bytes(&b);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_GetLength` (code points).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_GetLength(o: *mut PyObject) -> Py_ssize_t {
    capi!("PyUnicode_GetLength", |cx| {
        let s = str_arg(cx, o)?;
        Ok(cx.str_len(s) as Py_ssize_t)
    })
}

/// `PyUnicode_GET_LENGTH` (`PyOpaque_Unicode_GET_LENGTH`).
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Unicode_GET_LENGTH(o: *mut PyObject) -> Py_ssize_t {
    capi!("PyOpaque_Unicode_GET_LENGTH", |cx| {
        let s = str_arg(cx, o)?;
        Ok(cx.str_len(s) as Py_ssize_t)
    })
}

/// `PyUnicode_Concat`.
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    capi!("PyUnicode_Concat", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (harg(cx, a)?, harg(cx, b)?) };
        let (xo, yo) = (cx.get(x), cx.get(y));
        if cx.kind_of(xo) != Kind::Str || cx.kind_of(yo) != Kind::Str {
            let bad = if cx.kind_of(xo) != Kind::Str { xo } else { yo };
            let msg = format!(
                "can only concatenate str (not \"{}\") to str",
                tname(cx, bad)
            );
            return Err(type_error(cx, &msg));
        }
        let r = crate::r#abstract::sequence::concat(cx, x, y)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyUnicode_Compare`: -1/0/1; TypeError for non-str (returns -1 with the error).
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Compare(a: *mut PyObject, b: *mut PyObject) -> c_int {
    capi!("PyUnicode_Compare", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (arg(cx, a)?, arg(cx, b)?) };
        match (cx.str_value(x), cx.str_value(y)) {
            (Some(p), Some(q)) => Ok(p.cmp(q) as c_int),
            _ => {
                let msg = format!("Can't compare {} and {}", tname(cx, x), tname(cx, y));
                Err(type_error(cx, &msg))
            }
        }
    })
}

/// `PyUnicode_CompareWithASCIIString`.
///
/// # Safety
/// A str C holds; `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_CompareWithASCIIString(
    a: *mut PyObject,
    s: *const c_char,
) -> c_int {
    capi!("PyUnicode_CompareWithASCIIString", |cx| {
        let x = str_arg(cx, a)?;
        // SAFETY: caller's contract.
        let t = unsafe { cstr(cx, s) }?;
        Ok(cx.str_value(x).unwrap_or("").cmp(t) as c_int)
    })
}

/// `PyUnicode_EqualToUTF8` (3.13): never raises.
///
/// # Safety
/// A str C holds; `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_EqualToUTF8(a: *mut PyObject, s: *const c_char) -> c_int {
    capi!("PyUnicode_EqualToUTF8", |cx| {
        // SAFETY: caller's contract.
        let Some(x) = (unsafe { cx::from_c(a) }) else {
            return Ok(0);
        };
        if s.is_null() {
            return Ok(0);
        }
        // SAFETY: caller's contract.
        let t = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes();
        Ok((cx.str_value(x).map(str::as_bytes) == Some(t)) as c_int)
    })
}

/// `PyUnicode_FromOrdinal`.
#[no_mangle]
pub extern "C" fn PyUnicode_FromOrdinal(c: c_int) -> *mut PyObject {
    capi!("PyUnicode_FromOrdinal", |cx| {
        match char::from_u32(c as u32) {
            Some(ch) if c >= 0 => {
                let h = cx.str(&ch.to_string());
                Ok(new_ref_h(cx, h))
            }
            _ => Err(cx::value_error(cx, "chr() arg not in range(0x110000)")),
        }
    })
}

/// `PyUnicode_ReadChar`.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_ReadChar(o: *mut PyObject, i: Py_ssize_t) -> u32 {
    capi!("PyUnicode_ReadChar", |cx| {
        // SAFETY: an object C holds.
        let s = unsafe { arg(cx, o) }?;
        if cx.kind_of(s) != Kind::Str {
            // CPython's PyErr_BadArgument.
            return Err(type_error(cx, "bad argument type for built-in operation"));
        }
        match cx
            .str_value(s)
            .unwrap_or("")
            .chars()
            .nth(i.max(0) as usize)
            .filter(|_| i >= 0)
        {
            Some(c) => Ok(c as u32),
            None => Err(cx::index_error(cx, "string index out of range")),
        }
    })
}

/// `PyUnicode_Substring`.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Substring(
    o: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_Substring", |cx| {
        let s = str_arg(cx, o)?;
        if start < 0 || end < 0 {
            return Err(cx::index_error(cx, "string index out of range"));
        }
        let v: String = cx
            .str_value(s)
            .unwrap_or("")
            .chars()
            .skip(start as usize)
            .take(end.saturating_sub(start).max(0) as usize)
            .collect();
        let h = cx.str(&v);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_Contains`.
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Contains(a: *mut PyObject, b: *mut PyObject) -> c_int {
    capi!("PyUnicode_Contains", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (arg(cx, a)?, arg(cx, b)?) };
        match (cx.str_value(x), cx.str_value(y)) {
            (Some(p), Some(q)) => Ok(p.contains(q) as c_int),
            _ => {
                let msg = format!(
                    "'in <string>' requires string as left operand, not {}",
                    tname(cx, y)
                );
                Err(type_error(cx, &msg))
            }
        }
    })
}

/// `PyUnicode_Join`.
///
/// # Safety
/// A separator str and an iterable C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Join(sep: *mut PyObject, seq: *mut PyObject) -> *mut PyObject {
    capi!("PyUnicode_Join", |cx| {
        // SAFETY: caller's contract: NULL or an object C holds.
        if let Some(o) = unsafe { cx::from_c(sep) } {
            if cx.str_value(o).is_none() {
                let msg = format!("separator: expected str instance, {} found", tname(cx, o));
                return Err(type_error(cx, &msg));
            }
        }
        let s = str_arg(cx, sep)?.to_owned();
        let sep_s = cx.str_value(s).unwrap_or("").to_string();
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, seq) }?;
        let items = crate::r#abstract::sequence::collect(cx, h)?;
        let mut parts = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let o = cx.get(*it);
            match cx.str_value(o) {
                Some(v) => parts.push(v.to_string()),
                None => {
                    let msg = format!(
                        "sequence item {i}: expected str instance, {} found",
                        tname(cx, o)
                    );
                    return Err(type_error(cx, &msg));
                }
            }
        }
        let r = cx.str(&parts.join(&sep_s));
        Ok(new_ref_h(cx, r))
    })
}

/// `PyUnicode_FromObject`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FromObject(o: *mut PyObject) -> *mut PyObject {
    capi!("PyUnicode_FromObject", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        if cx.kind_of(cx.get(h)) != Kind::Str {
            let msg = format!(
                "Can't convert '{}' object to str implicitly",
                tname(cx, cx.get(h))
            );
            return Err(type_error(cx, &msg));
        }
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_InternFromString` (no interning table: equal strings compare equal anyway).
///
/// # Safety
/// `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_InternFromString(s: *const c_char) -> *mut PyObject {
    capi!("PyUnicode_InternFromString", |cx| {
        // SAFETY: caller's contract.
        let v = unsafe { cstr(cx, s) }?;
        let h = cx.str(v);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_InternInPlace`: leaves the string as is.
///
/// # Safety
/// `p` writable, holding a str.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_InternInPlace(_p: *mut *mut PyObject) {
    crate::cov!("PyUnicode_InternInPlace");
}

/// `PyUnicode_IS_ASCII` (`PyOpaque_Unicode_IS_ASCII`).
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Unicode_IS_ASCII(o: *mut PyObject) -> c_int {
    capi!("PyOpaque_Unicode_IS_ASCII", |cx| {
        let s = str_arg(cx, o)?;
        Ok(cx.str_value(s).unwrap_or("").is_ascii() as c_int)
    })
}

/// `PyUnicode_READ_CHAR` (`PyOpaque_Unicode_READ_CHAR`).
///
/// # Safety
/// A str C holds; `i` in range.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Unicode_READ_CHAR(o: *mut PyObject, i: Py_ssize_t) -> u32 {
    capi!("PyOpaque_Unicode_READ_CHAR", |cx| {
        let s = str_arg(cx, o)?;
        Ok(cx
            .str_value(s)
            .unwrap_or("")
            .chars()
            .nth(i.max(0) as usize)
            .map_or(0, |c| c as u32))
    })
}

/// `PyUnicode_Split` (whitespace split for NULL/None `sep`).
///
/// # Safety
/// A str; `sep` NULL or a str.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Split(
    o: *mut PyObject,
    sep: *mut PyObject,
    maxsplit: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_Split", |cx| {
        let s = str_arg(cx, o)?;
        let text = cx.str_value(s).unwrap_or("").to_string();
        // SAFETY: NULL or an object.
        let sp = unsafe { cx::from_c(sep) }.filter(|x| *x != cx.rt.none);
        let parts: Vec<String> = match sp {
            None => {
                if maxsplit < 0 {
                    text.split_whitespace().map(str::to_string).collect()
                } else {
                    text.splitn(maxsplit as usize + 1, char::is_whitespace)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect()
                }
            }
            Some(x) => {
                let Some(d) = cx.str_value(x).map(str::to_string) else {
                    return Err(type_error(cx, "must be str or None"));
                };
                if d.is_empty() {
                    return Err(cx::value_error(cx, "empty separator"));
                }
                if maxsplit < 0 {
                    text.split(d.as_str()).map(str::to_string).collect()
                } else {
                    text.splitn(maxsplit as usize + 1, d.as_str())
                        .map(str::to_string)
                        .collect()
                }
            }
        };
        let l = cx.list();
        for p in parts {
            let ph = cx.str(&p);
            cx.list_append(l, ph)?;
        }
        Ok(new_ref_h(cx, l))
    })
}

/// `PyUnicode_Replace`.
///
/// # Safety
/// Strs C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Replace(
    o: *mut PyObject,
    a: *mut PyObject,
    b: *mut PyObject,
    max: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_Replace", |cx| {
        let (s, x, y) = (ensure_str(cx, o)?, ensure_str(cx, a)?, ensure_str(cx, b)?);
        let (t, p, q) = (
            cx.str_value(s).unwrap_or("").to_string(),
            cx.str_value(x).unwrap_or("").to_string(),
            cx.str_value(y).unwrap_or("").to_string(),
        );
        let r = if max < 0 {
            t.replace(&p, &q)
        } else {
            t.replacen(&p, &q, max as usize)
        };
        let h = cx.str(&r);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyUnicode_Find`: index, -1 when absent, -2 on error.
///
/// # Safety
/// Strs C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Find(
    o: *mut PyObject,
    sub: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
    direction: c_int,
) -> Py_ssize_t {
    let r = capi!("PyUnicode_Find", |cx| {
        let (s, x) = (ensure_str(cx, o)?, ensure_str(cx, sub)?);
        let chars: Vec<char> = cx.str_value(s).unwrap_or("").chars().collect();
        let n = chars.len() as isize;
        let norm = |v: isize| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let (a, b) = (norm(start), norm(end));
        if a > b {
            return Ok(-1);
        }
        let hay: String = chars[a as usize..b as usize].iter().collect();
        let needle = cx.str_value(x).unwrap_or("");
        let pos = if direction > 0 {
            hay.find(needle)
        } else {
            hay.rfind(needle)
        };
        Ok(match pos {
            Some(bytepos) => a + hay[..bytepos].chars().count() as isize,
            None => -1,
        })
    });
    if r == -1 && cx::thread_attached() {
        // Distinguish "not found" from an error: the capi! error value is also -1.
        let p = cx::thread_ptr();
        if let Some(p) = p {
            // SAFETY: this thread's Thread, no other reference in use.
            if unsafe { &*p }.error().is_some() {
                return -2;
            }
        }
    }
    r
}

/// `PyUnicode_Tailmatch`: 1/0, -1 on error.
///
/// # Safety
/// Strs C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Tailmatch(
    o: *mut PyObject,
    sub: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
    direction: c_int,
) -> Py_ssize_t {
    capi!("PyUnicode_Tailmatch", |cx| {
        let (s, x) = (ensure_str(cx, o)?, ensure_str(cx, sub)?);
        let chars: Vec<char> = cx.str_value(s).unwrap_or("").chars().collect();
        let n = chars.len() as isize;
        let norm = |v: isize| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let hay: String = chars[norm(start) as usize..norm(end).max(norm(start)) as usize]
            .iter()
            .collect();
        let needle = cx.str_value(x).unwrap_or("");
        Ok(if direction > 0 {
            hay.ends_with(needle)
        } else {
            hay.starts_with(needle)
        } as Py_ssize_t)
    })
}

/// `PyUnicode_Count`.
///
/// # Safety
/// Strs C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Count(
    o: *mut PyObject,
    sub: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
) -> Py_ssize_t {
    capi!("PyUnicode_Count", |cx| {
        let (s, x) = (ensure_str(cx, o)?, ensure_str(cx, sub)?);
        let chars: Vec<char> = cx.str_value(s).unwrap_or("").chars().collect();
        let n = chars.len() as isize;
        let norm = |v: isize| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let hay: String = chars[norm(start) as usize..norm(end).max(norm(start)) as usize]
            .iter()
            .collect();
        let needle = cx.str_value(x).unwrap_or("");
        Ok(if needle.is_empty() {
            hay.chars().count() as isize + 1
        } else {
            hay.matches(needle).count() as isize
        })
    })
}

/// `PyUnicode_AsEncodedString` (built-in codecs and error handlers, then codecs registered
/// from C; NULL encoding: UTF-8).
///
/// # Safety
/// A str; encoding/errors NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsEncodedString(
    o: *mut PyObject,
    encoding: *const c_char,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_AsEncodedString", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if cx.kind_of(ob) != Kind::Str {
            return Err(type_error(cx, "bad argument type for built-in operation"));
        }
        let h = cx.root(ob);
        let enc = if encoding.is_null() {
            "utf-8".to_string()
        } else {
            // SAFETY: a C string.
            unsafe { cstr(cx, encoding) }?.to_string()
        };
        // SAFETY: NULL or a C string.
        let errs = unsafe { crate::python::codecs::errors_arg(cx, errors) }?;
        let r = crate::python::codecs::encode_obj(cx, h, &enc, errs.as_deref())?;
        if cx.kind_of(cx.get(r)) != Kind::Bytes {
            let msg = format!(
                "'{enc}' encoder returned '{}' instead of 'bytes'; use codecs.encode() to encode to arbitrary types",
                tname(cx, cx.get(r))
            );
            return Err(type_error(cx, &msg));
        }
        Ok(new_ref_h(cx, r))
    })
}

/// `PyUnicode_AsASCIIString`.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsASCIIString(o: *mut PyObject) -> *mut PyObject {
    crate::cov!("PyUnicode_AsASCIIString");
    // SAFETY: forwarded.
    unsafe { PyUnicode_AsEncodedString(o, c"ascii".as_ptr(), std::ptr::null()) }
}

/// `PyUnicode_AsLatin1String`.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsLatin1String(o: *mut PyObject) -> *mut PyObject {
    crate::cov!("PyUnicode_AsLatin1String");
    // SAFETY: forwarded.
    unsafe { PyUnicode_AsEncodedString(o, c"latin-1".as_ptr(), std::ptr::null()) }
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyUnicode_AsUTF8", Rule::Cost("pinning: the str/bytes is pinned while C uses its buffer (no copy: stored as UTF-8 inline)")),
        ("PyUnicode_AsUTF8AndSize", Rule::Cost("pinning: the str/bytes is pinned while C uses its buffer (no copy: stored as UTF-8 inline)")),
        ("PyUnicode_AsUTF8String", Rule::Works),
        ("PyUnicode_Compare", Rule::Works),
        ("PyUnicode_CompareWithASCIIString", Rule::Works),
        ("PyUnicode_Concat", Rule::Works),
        ("PyUnicode_Contains", Rule::Works),
        ("PyUnicode_DecodeUTF8", Rule::Works),
        ("PyUnicode_FromOrdinal", Rule::Works),
        ("PyUnicode_FromString", Rule::Works),
        ("PyUnicode_FromStringAndSize", Rule::Works),
        ("PyUnicode_GetLength", Rule::Works),
        ("PyUnicode_Join", Rule::Works),
        ("PyUnicode_ReadChar", Rule::Works),
        ("PyUnicode_Split", Rule::Works),
        ("PyUnicode_Substring", Rule::Works),
        ("PyUnicode_AsEncodedString", rules::RUST_CODECS),
        ("PyUnicode_AsASCIIString", Rule::Works),
        ("PyUnicode_AsLatin1String", Rule::Works),
        ("PyUnicode_EqualToUTF8", Rule::Works),
        ("PyUnicode_Find", Rule::Works),
        ("PyUnicode_Count", Rule::Works),
        ("PyUnicode_Tailmatch", Rule::Works),
        ("PyUnicode_Replace", Rule::Works),
        ("PyUnicode_FromObject", Rule::Works),
        ("PyUnicode_InternFromString", Rule::Cost("no interning table: equal strings are not made identical")),
        ("PyUnicode_InternInPlace", Rule::Cost("no interning table: the string is left as is")),
        ("PyOpaque_Unicode_GET_LENGTH", Rule::Works),
        ("PyOpaque_Unicode_READ_CHAR", Rule::Works),
        ("PyOpaque_Unicode_IS_ASCII", Rule::Works),
    ]
};
