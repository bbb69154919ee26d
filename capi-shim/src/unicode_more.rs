//! More of `PyUnicode_*`: codecs (through [`crate::python::codecs`]), UCS4 and wchar_t views (copies:
//! strings are stored as UTF-8), filesystem and locale conversions (UTF-8; strings cannot hold
//! the lone surrogates `surrogateescape` would make), and the str methods the Limited API
//! exposes (partition, rsplit, splitlines, translate, ...).

use std::ffi::{c_char, c_int, c_void};

use pyopaque_runtime::{Handle, Kind, PyResult, Raised, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::python::codecs;
use crate::{capi, cov};

/// `wchar_t` on the platforms pyopaque supports (Linux: 4 bytes, UCS4).
type WChar = i32;

fn bytes_in<'a>(s: *const c_char, n: Py_ssize_t) -> &'a [u8] {
    if s.is_null() || n <= 0 {
        &[]
    } else {
        // SAFETY: callers' contract: `n` readable bytes at `s`.
        unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) }
    }
}

unsafe fn opt_str(cx: &mut Thread, s: *const c_char) -> PyResult<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: caller's contract.
    Ok(Some(unsafe { cx::cstr(cx, s) }?.to_string()))
}

/// A str argument (non-str: CPython's `PyErr_BadArgument` TypeError; NULL: SystemError).
fn str_in(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        return Err(type_error(cx, "bad argument type for built-in operation"));
    }
    Ok(cx.root(o))
}

/// A str argument with CPython's `ensure_unicode` message.
fn ensure_str(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Str {
        let msg = format!("must be str, not {}", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(cx.root(o))
}

fn text(cx: &Thread, h: Handle) -> String {
    cx.str_value(cx.get(h)).unwrap_or("").to_string()
}

fn ret_str(cx: &mut Thread, s: &str) -> PyResult<*mut PyObject> {
    let h = cx.str(s);
    Ok(new_ref_h(cx, h))
}

fn ret_bytes(cx: &mut Thread, b: &[u8]) -> PyResult<*mut PyObject> {
    let h = cx.bytes(b);
    Ok(new_ref_h(cx, h))
}

fn decode_with(
    cx: &mut Thread,
    canon: &str,
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    consumed: *mut Py_ssize_t,
) -> PyResult<*mut PyObject> {
    // SAFETY: NULL or a C string by contract.
    let e = unsafe { opt_str(cx, errors) }?;
    let b = bytes_in(s, n);
    let (v, used) = codecs::decode(cx, canon, b, e.as_deref(), consumed.is_null())?;
    if !consumed.is_null() {
        // SAFETY: writable by contract.
        unsafe { *consumed = used as Py_ssize_t };
    }
    ret_str(cx, &v)
}

macro_rules! simple_decoders {
    ($($f:ident, $name:literal, $canon:literal;)*) => {$(
        /// Decodes `n` bytes with the codec of the same name.
        ///
        /// # Safety
        /// `s` `n` readable bytes; `errors` NULL or a C string.
        #[no_mangle]
        pub unsafe extern "C" fn $f(s: *const c_char, n: Py_ssize_t, errors: *const c_char) -> *mut PyObject {
            capi!($name, |cx| decode_with(cx, $canon, s, n, errors, std::ptr::null_mut()))
        }
    )*};
}

simple_decoders! {
    PyUnicode_DecodeASCII, "PyUnicode_DecodeASCII", "ascii";
    PyUnicode_DecodeLatin1, "PyUnicode_DecodeLatin1", "latin-1";
    PyUnicode_DecodeUnicodeEscape, "PyUnicode_DecodeUnicodeEscape", "unicode-escape";
    PyUnicode_DecodeRawUnicodeEscape, "PyUnicode_DecodeRawUnicodeEscape", "raw-unicode-escape";
}

/// `PyUnicode_DecodeUTF8Stateful`.
///
/// # Safety
/// `s` `n` readable bytes; `errors` NULL or a C string; `consumed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF8Stateful(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    consumed: *mut Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF8Stateful", |cx| decode_with(
        cx, "utf-8", s, n, errors, consumed
    ))
}

/// UTF-16/32 with CPython's `byteorder` protocol (-1 little, 1 big, 0 or NULL: BOM or native).
fn decode_utf_n(
    cx: &mut Thread,
    width: usize,
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    byteorder: *mut c_int,
    consumed: *mut Py_ssize_t,
) -> PyResult<*mut PyObject> {
    // SAFETY: NULL or a C string by contract.
    let e = unsafe { opt_str(cx, errors) }?;
    let b = bytes_in(s, n);
    let mut bo = if byteorder.is_null() {
        0
    } else {
        // SAFETY: readable by contract.
        unsafe { *byteorder }
    };
    let mut skip = 0;
    if bo == 0 {
        let (le_bom, be_bom): (&[u8], &[u8]) = if width == 2 {
            (&[0xff, 0xfe], &[0xfe, 0xff])
        } else {
            (&[0xff, 0xfe, 0, 0], &[0, 0, 0xfe, 0xff])
        };
        if b.starts_with(le_bom) {
            bo = -1;
            skip = width;
        } else if b.starts_with(be_bom) {
            bo = 1;
            skip = width;
        }
    }
    let canon = match (width, bo > 0) {
        (2, false) => "utf-16-le",
        (2, true) => "utf-16-be",
        (_, false) => "utf-32-le",
        (_, true) => "utf-32-be",
    };
    let (v, used) = codecs::decode(cx, canon, &b[skip..], e.as_deref(), consumed.is_null())?;
    if !consumed.is_null() {
        // SAFETY: writable by contract.
        unsafe { *consumed = (used + skip) as Py_ssize_t };
    }
    if !byteorder.is_null() {
        // SAFETY: writable by contract.
        unsafe { *byteorder = bo };
    }
    ret_str(cx, &v)
}

/// `PyUnicode_DecodeUTF16`.
///
/// # Safety
/// `s` `n` readable bytes; `errors` NULL or a C string; `byteorder` NULL or read/writable.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF16(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    byteorder: *mut c_int,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF16", |cx| decode_utf_n(
        cx,
        2,
        s,
        n,
        errors,
        byteorder,
        std::ptr::null_mut()
    ))
}

/// `PyUnicode_DecodeUTF16Stateful`.
///
/// # Safety
/// As [`PyUnicode_DecodeUTF16`]; `consumed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF16Stateful(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    byteorder: *mut c_int,
    consumed: *mut Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF16Stateful", |cx| decode_utf_n(
        cx, 2, s, n, errors, byteorder, consumed
    ))
}

/// `PyUnicode_DecodeUTF32`.
///
/// # Safety
/// As [`PyUnicode_DecodeUTF16`].
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF32(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    byteorder: *mut c_int,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF32", |cx| decode_utf_n(
        cx,
        4,
        s,
        n,
        errors,
        byteorder,
        std::ptr::null_mut()
    ))
}

/// `PyUnicode_DecodeUTF32Stateful`.
///
/// # Safety
/// As [`PyUnicode_DecodeUTF16Stateful`].
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF32Stateful(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    byteorder: *mut c_int,
    consumed: *mut Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF32Stateful", |cx| decode_utf_n(
        cx, 4, s, n, errors, byteorder, consumed
    ))
}

fn decode_any(
    cx: &mut Thread,
    b: &[u8],
    encoding: Option<&str>,
    errors: Option<&str>,
) -> PyResult<*mut PyObject> {
    let enc = encoding.unwrap_or("utf-8");
    if let Some(c) = codecs::builtin_name(enc) {
        let (v, _) = codecs::decode(cx, c, b, errors, true)?;
        return ret_str(cx, &v);
    }
    let bh = cx.bytes(b);
    let r = codecs::decode_obj(cx, bh, enc, errors)?;
    if cx.kind_of(cx.get(r)) != Kind::Str {
        let msg = format!(
            "'{enc}' decoder returned '{}' instead of 'str'; use codecs.decode() to decode to arbitrary types",
            tname(cx, cx.get(r))
        );
        return Err(type_error(cx, &msg));
    }
    Ok(new_ref_h(cx, r))
}

/// `PyUnicode_Decode` (NULL encoding: UTF-8).
///
/// # Safety
/// `s` `n` readable bytes; `encoding`, `errors` NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Decode(
    s: *const c_char,
    n: Py_ssize_t,
    encoding: *const c_char,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_Decode", |cx| {
        // SAFETY: caller's contract.
        let (enc, e) = unsafe { (opt_str(cx, encoding)?, opt_str(cx, errors)?) };
        decode_any(cx, bytes_in(s, n), enc.as_deref(), e.as_deref())
    })
}

/// `PyUnicode_FromEncodedObject`: decodes a bytes-like object.
///
/// # Safety
/// An object C holds; `encoding`, `errors` NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FromEncodedObject(
    o: *mut PyObject,
    encoding: *const c_char,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_FromEncodedObject", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        // SAFETY: caller's contract.
        let (enc, e) = unsafe { (opt_str(cx, encoding)?, opt_str(cx, errors)?) };
        if cx.kind_of(ob) == Kind::Str {
            return Err(type_error(cx, "decoding str is not supported"));
        }
        let Some(b) = crate::objects::bytearray::buffer_of(cx, ob) else {
            let msg = format!(
                "decoding to str: need a bytes-like object, {} found",
                tname(cx, ob)
            );
            return Err(type_error(cx, &msg));
        };
        decode_any(cx, &b, enc.as_deref(), e.as_deref())
    })
}

fn encode_str(cx: &mut Thread, p: *mut PyObject, canon: &str) -> PyResult<*mut PyObject> {
    let h = str_in(cx, p)?;
    let b = codecs::encode(cx, canon, h, None)?;
    ret_bytes(cx, &b)
}

macro_rules! simple_encoders {
    ($($f:ident, $name:literal, $canon:literal;)*) => {$(
        /// Encodes a str with the codec of the same name (strict).
        ///
        /// # Safety
        /// A str C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $f(o: *mut PyObject) -> *mut PyObject {
            capi!($name, |cx| encode_str(cx, o, $canon))
        }
    )*};
}

simple_encoders! {
    PyUnicode_AsUTF16String, "PyUnicode_AsUTF16String", "utf-16";
    PyUnicode_AsUTF32String, "PyUnicode_AsUTF32String", "utf-32";
    PyUnicode_AsUnicodeEscapeString, "PyUnicode_AsUnicodeEscapeString", "unicode-escape";
    PyUnicode_AsRawUnicodeEscapeString, "PyUnicode_AsRawUnicodeEscapeString", "raw-unicode-escape";
    PyUnicode_EncodeFSDefault, "PyUnicode_EncodeFSDefault", "utf-8";
}

fn check_locale_errors(cx: &mut Thread, e: &Option<String>) -> PyResult<()> {
    match e.as_deref() {
        None | Some("strict") | Some("surrogateescape") => Ok(()),
        Some(other) => Err(cx::value_error(
            cx,
            &format!("unsupported error handler: {other}"),
        )),
    }
}

/// `PyUnicode_EncodeLocale` (the locale encoding is UTF-8).
///
/// # Safety
/// A str C holds; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_EncodeLocale(
    o: *mut PyObject,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_EncodeLocale", |cx| {
        // SAFETY: caller's contract.
        let e = unsafe { opt_str(cx, errors) }?;
        check_locale_errors(cx, &e)?;
        let h = str_in(cx, o)?;
        let t = text(cx, h);
        if t.contains('\0') {
            return Err(cx::value_error(cx, "embedded null character"));
        }
        ret_bytes(cx, t.as_bytes())
    })
}

fn decode_locale(cx: &mut Thread, b: &[u8], errors: *const c_char) -> PyResult<*mut PyObject> {
    // SAFETY: caller's contract.
    let e = unsafe { opt_str(cx, errors) }?;
    check_locale_errors(cx, &e)?;
    let (v, _) = codecs::decode(cx, "utf-8", b, None, true)?;
    ret_str(cx, &v)
}

/// `PyUnicode_DecodeLocaleAndSize` (the locale encoding is UTF-8).
///
/// # Safety
/// `s` `n` readable bytes; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeLocaleAndSize(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeLocaleAndSize", |cx| {
        let b = bytes_in(s, n);
        // CPython requires `s[n]` to be the terminating NUL (no embedded NUL byte).
        // SAFETY: the caller passes a NUL-terminated string of length `n`.
        if !s.is_null() && n >= 0 && (unsafe { *s.add(n as usize) } != 0 || b.contains(&0)) {
            return Err(cx::value_error(cx, "embedded null byte"));
        }
        decode_locale(cx, b, errors)
    })
}

/// `PyUnicode_DecodeLocale`.
///
/// # Safety
/// `s` a C string; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeLocale(
    s: *const c_char,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeLocale", |cx| {
        if s.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: a C string by contract.
        let b = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes().to_vec();
        decode_locale(cx, &b, errors)
    })
}

/// `PyUnicode_DecodeFSDefaultAndSize` (UTF-8).
///
/// # Safety
/// `s` `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeFSDefaultAndSize(
    s: *const c_char,
    n: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeFSDefaultAndSize", |cx| decode_with(
        cx,
        "utf-8",
        s,
        n,
        std::ptr::null(),
        std::ptr::null_mut()
    ))
}

/// `PyUnicode_DecodeFSDefault` (UTF-8).
///
/// # Safety
/// `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeFSDefault(s: *const c_char) -> *mut PyObject {
    capi!("PyUnicode_DecodeFSDefault", |cx| {
        if s.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: a C string by contract.
        let n = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes().len();
        decode_with(
            cx,
            "utf-8",
            s,
            n as Py_ssize_t,
            std::ptr::null(),
            std::ptr::null_mut(),
        )
    })
}

/// `PyUnicode_GetDefaultEncoding`: "utf-8".
#[no_mangle]
pub extern "C" fn PyUnicode_GetDefaultEncoding() -> *const c_char {
    cov!("PyUnicode_GetDefaultEncoding");
    c"utf-8".as_ptr()
}

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

// ----- comparisons -----

/// `PyUnicode_Equal` (3.14): TypeError for non-str.
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Equal(a: *mut PyObject, b: *mut PyObject) -> c_int {
    capi!("PyUnicode_Equal", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (arg(cx, a)?, arg(cx, b)?) };
        for (o, which) in [(x, "first"), (y, "second")] {
            if cx.kind_of(o) != Kind::Str {
                let msg = format!("{which} argument must be str, not {}", tname(cx, o));
                return Err(type_error(cx, &msg));
            }
        }
        Ok((cx.str_value(x) == cx.str_value(y)) as c_int)
    })
}

/// `PyUnicode_EqualToUTF8AndSize` (3.13): never raises; 0 for non-str.
///
/// # Safety
/// An object C holds; `s` `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_EqualToUTF8AndSize(
    a: *mut PyObject,
    s: *const c_char,
    n: Py_ssize_t,
) -> c_int {
    capi!("PyUnicode_EqualToUTF8AndSize", |cx| {
        // SAFETY: caller's contract.
        let Some(x) = (unsafe { cx::from_c(a) }) else {
            return Ok(0);
        };
        let b = bytes_in(s, n);
        Ok((cx.str_value(x).map(str::as_bytes) == Some(b)) as c_int)
    })
}

/// `PyUnicode_RichCompare`: a bool, or `NotImplemented` when either is not a str.
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_RichCompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    capi!("PyUnicode_RichCompare", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (arg(cx, a)?, arg(cx, b)?) };
        let (Some(p), Some(q)) = (cx.str_value(x), cx.str_value(y)) else {
            let n = cx.root(cx.rt.not_implemented);
            return Ok(new_ref_h(cx, n));
        };
        let o = p.cmp(q);
        use std::cmp::Ordering::*;
        let r = match op {
            0 => o == Less,
            1 => o != Greater,
            2 => o == Equal,
            3 => o != Equal,
            4 => o == Greater,
            5 => o != Less,
            _ => return Err(bad_internal_call(cx)),
        };
        let v = if r { cx.rt.true_ } else { cx.rt.false_ };
        let h = cx.root(v);
        Ok(new_ref_h(cx, h))
    })
}

// ----- appending, resizing -----

/// `PyUnicode_Append`: `*left = *left + right` (on error `*left` becomes NULL).
///
/// # Safety
/// `left` writable, holding NULL or a new reference; `right` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Append(left: *mut *mut PyObject, right: *mut PyObject) {
    capi!("PyUnicode_Append", |cx| {
        // SAFETY: caller's contract.
        unsafe { append(cx, left, right) }
    })
}

/// `PyUnicode_AppendAndDel`: append, then release `right`.
///
/// # Safety
/// As [`PyUnicode_Append`]; `right` a new reference (or NULL).
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AppendAndDel(left: *mut *mut PyObject, right: *mut PyObject) {
    capi!("PyUnicode_AppendAndDel", |cx| {
        // SAFETY: caller's contract.
        let r = unsafe { append(cx, left, right) };
        // SAFETY: caller's contract.
        if let Some(o) = unsafe { cx::from_c(right) } {
            cx::release_c_ref(cx, o, "PyUnicode_AppendAndDel");
        }
        r
    })
}

unsafe fn append(cx: &mut Thread, left: *mut *mut PyObject, right: *mut PyObject) -> PyResult<()> {
    if left.is_null() {
        return Err(bad_internal_call(cx));
    }
    // SAFETY: readable by contract.
    let lp = unsafe { *left };
    // SAFETY: caller's contract.
    let (l, r) = unsafe { (cx::from_c(lp), cx::from_c(right)) };
    let Some(l) = l else {
        return Err(bad_internal_call(cx));
    };
    let lh = cx.root(l);
    let fail = |cx: &mut Thread, raised: Raised| {
        let o = cx.get(lh);
        cx::release_c_ref(cx, o, "PyUnicode_Append");
        // SAFETY: writable by contract.
        unsafe { *left = std::ptr::null_mut() };
        Err(raised)
    };
    let Some(r) = r else {
        let e = bad_internal_call(cx);
        return fail(cx, e);
    };
    if cx.kind_of(l) != Kind::Str || cx.kind_of(r) != Kind::Str {
        let e = bad_internal_call(cx);
        return fail(cx, e);
    }
    let s = format!("{}{}", text(cx, lh), cx.str_value(r).unwrap_or(""));
    let nh = cx.str(&s);
    let o = cx.get(lh);
    cx::release_c_ref(cx, o, "PyUnicode_Append");
    let p = new_ref_h(cx, nh);
    // SAFETY: writable by contract.
    unsafe { *left = p };
    Ok(())
}

/// `PyUnicode_Resize`: replaces `*p` by a str of `length` code points (truncated, or padded
/// with NUL characters; strings are immutable, so this is always a new object).
///
/// # Safety
/// `p` writable, holding a new reference to a str.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Resize(p: *mut *mut PyObject, length: Py_ssize_t) -> c_int {
    capi!("PyUnicode_Resize", |cx| {
        if p.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: readable by contract.
        let Some(o) = (unsafe { cx::from_c(*p) }) else {
            return Err(bad_internal_call(cx));
        };
        if cx.kind_of(o) != Kind::Str || length < 0 {
            return Err(bad_internal_call(cx));
        }
        let oh = cx.root(o);
        let mut cs: Vec<char> = text(cx, oh).chars().collect();
        cs.resize(length as usize, '\0');
        let s: String = cs.into_iter().collect();
        let nh = cx.str(&s);
        cx::release_c_ref(cx, cx.get(oh), "PyUnicode_Resize");
        let np = new_ref_h(cx, nh);
        // SAFETY: writable by contract.
        unsafe { *p = np };
        Ok(0)
    })
}

// ----- str methods -----

fn norm(start: isize, end: isize, n: isize) -> (usize, usize) {
    let f = |v: isize| if v < 0 { (v + n).max(0) } else { v.min(n) };
    let (a, b) = (f(start), f(end));
    (a as usize, b.max(a) as usize)
}

/// `PyUnicode_FindChar`: index, -1 when absent, -2 on error.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FindChar(
    o: *mut PyObject,
    ch: u32,
    start: Py_ssize_t,
    end: Py_ssize_t,
    direction: c_int,
) -> Py_ssize_t {
    let mut failed = false;
    let r = capi!("PyUnicode_FindChar", |cx| {
        let h = match str_in(cx, o) {
            Ok(h) => h,
            Err(e) => {
                failed = true;
                return Err(e);
            }
        };
        let cs: Vec<char> = text(cx, h).chars().collect();
        let (a, b) = norm(start, end, cs.len() as isize);
        let hay = &cs[a..b];
        let pos = if direction > 0 {
            hay.iter().position(|c| *c as u32 == ch)
        } else {
            hay.iter().rposition(|c| *c as u32 == ch)
        };
        Ok(pos.map_or(-1, |p| (a + p) as Py_ssize_t))
    });
    if failed {
        -2
    } else {
        r
    }
}

/// `PyUnicode_IsIdentifier`: 1/0. Uses Unicode `Alphabetic`/`Alphanumeric` (plus `_`) for
/// CPython's `XID_Start`/`XID_Continue`.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_IsIdentifier(o: *mut PyObject) -> c_int {
    capi!("PyUnicode_IsIdentifier", |cx| {
        let h = str_in(cx, o)?;
        let t = text(cx, h);
        let mut it = t.chars();
        let ok = match it.next() {
            None => false,
            Some(c) => {
                (c == '_' || c.is_alphabetic())
                    && it.all(|c| c == '_' || c.is_alphanumeric() || is_combining(c))
            }
        };
        Ok(ok as c_int)
    })
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36f | 0x203f | 0x2040 | 0xb7)
}

fn partition(
    cx: &mut Thread,
    o: *mut PyObject,
    sep: *mut PyObject,
    right: bool,
) -> PyResult<*mut PyObject> {
    let s = ensure_str(cx, o)?;
    let p = ensure_str(cx, sep)?;
    let (t, d) = (text(cx, s), text(cx, p));
    if d.is_empty() {
        return Err(cx::value_error(cx, "empty separator"));
    }
    let found = if right { t.rfind(&d) } else { t.find(&d) };
    let parts: [String; 3] = match found {
        Some(i) => [t[..i].to_string(), d.clone(), t[i + d.len()..].to_string()],
        None if right => [String::new(), String::new(), t.clone()],
        None => [t.clone(), String::new(), String::new()],
    };
    let hs: Vec<Handle> = parts.iter().map(|x| cx.str(x)).collect();
    let r = cx.tuple(&hs);
    Ok(new_ref_h(cx, r))
}

/// `PyUnicode_Partition`.
///
/// # Safety
/// Strs C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Partition(
    o: *mut PyObject,
    sep: *mut PyObject,
) -> *mut PyObject {
    capi!("PyUnicode_Partition", |cx| partition(cx, o, sep, false))
}

/// `PyUnicode_RPartition`.
///
/// # Safety
/// Strs C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_RPartition(
    o: *mut PyObject,
    sep: *mut PyObject,
) -> *mut PyObject {
    capi!("PyUnicode_RPartition", |cx| partition(cx, o, sep, true))
}

fn str_list(cx: &mut Thread, parts: &[String]) -> PyResult<*mut PyObject> {
    let l = cx.list();
    for p in parts {
        let h = cx.str(p);
        cx.list_append(l, h)?;
    }
    Ok(new_ref_h(cx, l))
}

/// `PyUnicode_RSplit` (whitespace split for NULL/None `sep`).
///
/// # Safety
/// A str; `sep` NULL or an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_RSplit(
    o: *mut PyObject,
    sep: *mut PyObject,
    maxsplit: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_RSplit", |cx| {
        let s = ensure_str(cx, o)?;
        let t = text(cx, s);
        // SAFETY: NULL or an object.
        let sp = unsafe { cx::from_c(sep) }.filter(|x| *x != cx.rt.none);
        let mut parts: Vec<String> = match sp {
            None => {
                let mut v: Vec<String> = Vec::new();
                let mut rest = t.trim_end();
                while !rest.is_empty() {
                    if maxsplit >= 0 && v.len() as isize == maxsplit {
                        v.push(rest.to_string());
                        break;
                    }
                    match rest.rfind(char::is_whitespace) {
                        Some(i) => {
                            let w = rest[i..].chars().next().map_or(1, char::len_utf8);
                            v.push(rest[i + w..].to_string());
                            rest = rest[..i].trim_end();
                        }
                        None => {
                            v.push(rest.to_string());
                            break;
                        }
                    }
                }
                v
            }
            Some(x) => {
                if cx.kind_of(x) != Kind::Str {
                    let msg = format!("must be str or None, not {}", tname(cx, x));
                    return Err(type_error(cx, &msg));
                }
                let d = cx.str_value(x).unwrap_or("").to_string();
                if d.is_empty() {
                    return Err(cx::value_error(cx, "empty separator"));
                }
                if maxsplit < 0 {
                    t.rsplit(d.as_str()).map(str::to_string).collect()
                } else {
                    t.rsplitn(maxsplit as usize + 1, d.as_str())
                        .map(str::to_string)
                        .collect()
                }
            }
        };
        parts.reverse();
        str_list(cx, &parts)
    })
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{b}'
            | '\u{c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// `PyUnicode_Splitlines`.
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Splitlines(o: *mut PyObject, keepends: c_int) -> *mut PyObject {
    capi!("PyUnicode_Splitlines", |cx| {
        let s = ensure_str(cx, o)?;
        let cs: Vec<char> = text(cx, s).chars().collect();
        let mut parts = Vec::new();
        let mut i = 0;
        let mut start = 0;
        while i < cs.len() {
            if is_line_break(cs[i]) {
                let mut eol = i + 1;
                if cs[i] == '\r' && eol < cs.len() && cs[eol] == '\n' {
                    eol += 1;
                }
                let end = if keepends != 0 { eol } else { i };
                parts.push(cs[start..end].iter().collect::<String>());
                start = eol;
                i = eol;
            } else {
                i += 1;
            }
        }
        if start < cs.len() {
            parts.push(cs[start..].iter().collect::<String>());
        }
        str_list(cx, &parts)
    })
}

/// Looks `key` up in `mapping`; `Ok(None)` on LookupError.
fn map_lookup(cx: &mut Thread, mapping: Handle, key: i64) -> PyResult<Option<Handle>> {
    let k = cx.int(key);
    match crate::r#abstract::object::getitem(cx, mapping, k) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            if cx.error_matches(cx.rt.types.exc.lookup_error) {
                cx.clear_error();
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

/// `PyUnicode_Translate`: maps each character through `table` (int or str; missing keys keep
/// the character; None is an undefined mapping handled by `errors`: strict, ignore, replace).
///
/// # Safety
/// A str and a mapping C holds; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Translate(
    o: *mut PyObject,
    table: *mut PyObject,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_Translate", |cx| {
        // SAFETY: caller's contract.
        let errs = unsafe { opt_str(cx, errors) }?;
        let s = ensure_str(cx, o)?;
        // SAFETY: caller's contract.
        let m = unsafe { harg(cx, table) }?;
        let t = text(cx, s);
        let mut out = String::with_capacity(t.len());
        for (i, c) in t.chars().enumerate() {
            match map_lookup(cx, m, c as i64)? {
                None => out.push(c),
                Some(v) => {
                    let vo = cx.get(v);
                    if vo == cx.rt.none {
                        match errs.as_deref() {
                            Some("ignore") => continue,
                            Some("replace") => {
                                out.push('?');
                                continue;
                            }
                            Some("strict") | None => {
                                let r = cx.str("character maps to <undefined>");
                                let st = cx.int(i as i64);
                                let en = cx.int(i as i64 + 1);
                                let args = cx.tuple(&[s, st, en, r]);
                                let ty = cx::global().types.exc_named("UnicodeTranslateError");
                                let e = cx.exception_with_args(ty, args);
                                return Err(cx.raise_object(e));
                            }
                            Some(other) => {
                                let t = cx.rt.types.exc.lookup_error;
                                return Err(
                                    cx.raise(t, &format!("unknown error handler name '{other}'"))
                                );
                            }
                        }
                    }
                    if let Some(x) = cx.str_value(vo) {
                        out.push_str(x);
                    } else if cx.kind_of(vo) == Kind::Int {
                        match cx
                            .int_as_i64(vo)?
                            .and_then(|i| u32::try_from(i).ok())
                            .and_then(char::from_u32)
                        {
                            Some(ch) => out.push(ch),
                            None => {
                                return Err(cx::value_error(
                                    cx,
                                    "character mapping must be in range(0x110000)",
                                ))
                            }
                        }
                    } else {
                        return Err(type_error(
                            cx,
                            "character mapping must return integer, None or str",
                        ));
                    }
                }
            }
        }
        ret_str(cx, &out)
    })
}

/// `PyUnicode_DecodeCharmap` (NULL mapping: Latin-1; a str mapping indexes by byte; any other
/// mapping is looked up by byte value).
///
/// # Safety
/// `s` `n` readable bytes; `mapping` NULL or an object; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeCharmap(
    s: *const c_char,
    n: Py_ssize_t,
    mapping: *mut PyObject,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeCharmap", |cx| {
        let b = bytes_in(s, n).to_vec();
        // SAFETY: caller's contract.
        let e = unsafe { opt_str(cx, errors) }?;
        // SAFETY: caller's contract.
        let Some(m) = (unsafe { cx::from_c(mapping) }) else {
            let (v, _) = codecs::decode(cx, "latin-1", &b, None, true)?;
            return ret_str(cx, &v);
        };
        let mh = cx.root(m);
        let table: Option<Vec<char>> = cx.str_value(m).map(|t| t.chars().collect());
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            let got: Option<String> = match &table {
                Some(t) => t
                    .get(x as usize)
                    .filter(|c| **c != '\u{fffe}')
                    .map(|c| c.to_string()),
                None => match map_lookup(cx, mh, x as i64)? {
                    None => None,
                    Some(v) => {
                        let vo = cx.get(v);
                        if vo == cx.rt.none {
                            None
                        } else if let Some(st) = cx.str_value(vo) {
                            Some(st.to_string())
                        } else if cx.kind_of(vo) == Kind::Int {
                            match cx
                                .int_as_i64(vo)?
                                .and_then(|i| u32::try_from(i).ok())
                                .and_then(char::from_u32)
                            {
                                Some(c) => Some(c.to_string()),
                                None => {
                                    return Err(type_error(
                                        cx,
                                        "character mapping must be in range(0x110000)",
                                    ))
                                }
                            }
                        } else {
                            return Err(type_error(
                                cx,
                                "character mapping must return integer, None or str",
                            ));
                        }
                    }
                },
            };
            match got {
                Some(g) => out.push_str(&g),
                None => match e.as_deref() {
                    Some("ignore") => {}
                    Some("replace") => out.push('\u{fffd}'),
                    _ => {
                        let ex = crate::objects::exceptions::new_decode_error(
                            cx,
                            "charmap",
                            &b,
                            i,
                            i + 1,
                            "character maps to <undefined>",
                        );
                        return Err(cx.raise_object(ex));
                    }
                },
            }
            i += 1;
        }
        ret_str(cx, &out)
    })
}

/// `PyUnicode_AsCharmapString`: encodes through `mapping` (int, bytes or None per code point).
///
/// # Safety
/// A str and a mapping C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_AsCharmapString(
    o: *mut PyObject,
    mapping: *mut PyObject,
) -> *mut PyObject {
    capi!("PyUnicode_AsCharmapString", |cx| {
        if mapping.is_null() {
            return Err(type_error(cx, "bad argument type for built-in operation"));
        }
        let s = str_in(cx, o)?;
        // SAFETY: caller's contract.
        let m = unsafe { harg(cx, mapping) }?;
        let cs: Vec<char> = text(cx, s).chars().collect();
        let mut out = Vec::new();
        for (i, c) in cs.iter().enumerate() {
            let undefined = |cx: &mut Thread| {
                let ex = crate::objects::exceptions::new_encode_error(
                    cx,
                    "charmap",
                    s,
                    i,
                    i + 1,
                    "character maps to <undefined>",
                );
                cx.raise_object(ex)
            };
            match map_lookup(cx, m, *c as i64)? {
                None => return Err(undefined(cx)),
                Some(v) => {
                    let vo = cx.get(v);
                    if vo == cx.rt.none {
                        return Err(undefined(cx));
                    } else if cx.kind_of(vo) == Kind::Int {
                        match cx.int_as_i64(vo)? {
                            Some(x) if (0..256).contains(&x) => out.push(x as u8),
                            _ => {
                                return Err(type_error(
                                    cx,
                                    "character mapping must be in range(256)",
                                ))
                            }
                        }
                    } else if let Some(bv) =
                        cx.bytes_value(vo).filter(|_| cx.kind_of(vo) == Kind::Bytes)
                    {
                        out.extend_from_slice(bv);
                    } else {
                        let msg = format!(
                            "character mapping must return integer, bytes or None, not {}",
                            tname(cx, vo)
                        );
                        return Err(type_error(cx, &msg));
                    }
                }
            }
        }
        ret_bytes(cx, &out)
    })
}

// ----- PyArg converters -----

/// `Py_CLEANUP_SUPPORTED`.
const CLEANUP_SUPPORTED: c_int = 0x20000;

fn fspath(cx: &mut Thread, h: Handle) -> PyResult<Handle> {
    let o = cx.get(h);
    if matches!(cx.kind_of(o), Kind::Str | Kind::Bytes) {
        return Ok(h);
    }
    let ty = cx.type_of(o);
    if crate::types::typeobject::lookup_type_attr(ty, "__fspath__").is_some() {
        let r = crate::r#abstract::call::call_method(cx, h, "__fspath__", &[])?;
        let ro = cx.get(r);
        if matches!(cx.kind_of(ro), Kind::Str | Kind::Bytes) {
            return Ok(r);
        }
        let msg = format!(
            "expected {}.__fspath__() to return str or bytes, not {}",
            tname(cx, o),
            tname(cx, ro)
        );
        return Err(type_error(cx, &msg));
    }
    let msg = format!(
        "expected str, bytes or os.PathLike object, not {}",
        tname(cx, o)
    );
    Err(type_error(cx, &msg))
}

unsafe fn converter_cleanup(cx: &mut Thread, result: *mut c_void) -> c_int {
    let slot = result.cast::<*mut PyObject>();
    // SAFETY: `result` is the PyObject** the converter filled before.
    if let Some(o) = unsafe { cx::from_c(*slot) } {
        cx::release_c_ref(cx, o, "PyUnicode_FSConverter");
    }
    // SAFETY: as above.
    unsafe { *slot = std::ptr::null_mut() };
    1
}

/// `PyUnicode_FSConverter` (`O&`): str/bytes/os.PathLike to bytes in `*(PyObject **)result`.
///
/// # Safety
/// `obj` NULL (cleanup) or an object C holds; `result` a writable `PyObject **`.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FSConverter(obj: *mut PyObject, result: *mut c_void) -> c_int {
    // Converters return 0 (not -1) on failure.
    let r: c_int = capi!("PyUnicode_FSConverter", |cx| {
        if result.is_null() {
            return Err(bad_internal_call(cx));
        }
        if obj.is_null() {
            // SAFETY: caller's contract.
            return Ok(unsafe { converter_cleanup(cx, result) });
        }
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, obj) }?;
        let p = fspath(cx, h)?;
        let po = cx.get(p);
        let b: Vec<u8> = match cx.str_value(po) {
            Some(s) => s.as_bytes().to_vec(),
            None => cx.bytes_value(po).unwrap_or(&[]).to_vec(),
        };
        if b.contains(&0) {
            return Err(cx::value_error(cx, "embedded null byte"));
        }
        let r = cx.bytes(&b);
        let rp = new_ref_h(cx, r);
        // SAFETY: a writable PyObject** by contract.
        unsafe { *result.cast::<*mut PyObject>() = rp };
        Ok(CLEANUP_SUPPORTED)
    });
    r.max(0)
}

/// `PyUnicode_FSDecoder` (`O&`): str/bytes/os.PathLike to str in `*(PyObject **)result`.
///
/// # Safety
/// As [`PyUnicode_FSConverter`].
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_FSDecoder(obj: *mut PyObject, result: *mut c_void) -> c_int {
    // Converters return 0 (not -1) on failure.
    let r: c_int = capi!("PyUnicode_FSDecoder", |cx| {
        if result.is_null() {
            return Err(bad_internal_call(cx));
        }
        if obj.is_null() {
            // SAFETY: caller's contract.
            return Ok(unsafe { converter_cleanup(cx, result) });
        }
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, obj) }?;
        let p = fspath(cx, h)?;
        let po = cx.get(p);
        let s: String = match cx.str_value(po) {
            Some(s) => s.to_string(),
            None => {
                let b = cx.bytes_value(po).unwrap_or(&[]).to_vec();
                codecs::decode(cx, "utf-8", &b, None, true)?.0
            }
        };
        if s.contains('\0') {
            return Err(cx::value_error(cx, "embedded null character"));
        }
        let r = cx.str(&s);
        let rp = new_ref_h(cx, r);
        // SAFETY: a writable PyObject** by contract.
        unsafe { *result.cast::<*mut PyObject>() = rp };
        Ok(CLEANUP_SUPPORTED)
    });
    r.max(0)
}

fn decode_utf7_with(
    cx: &mut Thread,
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    consumed: *mut Py_ssize_t,
) -> PyResult<*mut PyObject> {
    // SAFETY: NULL or a C string by contract.
    let e = unsafe { opt_str(cx, errors) }?;
    let b = bytes_in(s, n);
    let (v, used) = codecs::decode_utf7(cx, b, e.as_deref(), consumed.is_null())?;
    if !consumed.is_null() {
        // SAFETY: writable by contract.
        unsafe { *consumed = used as Py_ssize_t };
    }
    ret_str(cx, &v)
}

/// `PyUnicode_DecodeUTF7`.
///
/// # Safety
/// `s` `n` readable bytes; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF7(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF7", |cx| decode_utf7_with(
        cx,
        s,
        n,
        errors,
        std::ptr::null_mut()
    ))
}

/// `PyUnicode_DecodeUTF7Stateful`.
///
/// # Safety
/// As [`PyUnicode_DecodeUTF7`]; `consumed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_DecodeUTF7Stateful(
    s: *const c_char,
    n: Py_ssize_t,
    errors: *const c_char,
    consumed: *mut Py_ssize_t,
) -> *mut PyObject {
    capi!("PyUnicode_DecodeUTF7Stateful", |cx| decode_utf7_with(
        cx, s, n, errors, consumed
    ))
}

/// `PyUnicode_BuildEncodingMap`: `{ord(c): index}` for the characters of a decoding table
/// (always a dict; CPython may return its internal EncodingMap type, which C can only pass back
/// to the charmap codec, as it can this dict).
///
/// # Safety
/// A str C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_BuildEncodingMap(o: *mut PyObject) -> *mut PyObject {
    capi!("PyUnicode_BuildEncodingMap", |cx| {
        let s = str_in(cx, o)?;
        let cs: Vec<char> = text(cx, s).chars().collect();
        let d = cx.dict();
        for (i, c) in cs.iter().enumerate() {
            if *c == '\u{fffe}' {
                continue;
            }
            let k = cx.int(*c as i64);
            let v = cx.int(i as i64);
            cx.dict_set(d, k, v)?;
        }
        Ok(new_ref_h(cx, d))
    })
}

// ----- printf-style formatting (str % args) -----

struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

fn pad(spec: &Spec, body: String, numeric: bool) -> String {
    let n = body.chars().count();
    if n >= spec.width {
        return body;
    }
    let fill = spec.width - n;
    if spec.left {
        return format!("{body}{}", " ".repeat(fill));
    }
    if spec.zero && numeric {
        // Zeros go after the sign and the 0x/0o/0b prefix.
        let mut split = 0;
        let bs = body.as_bytes();
        if matches!(bs.first(), Some(b'-' | b'+' | b' ')) {
            split = 1;
        }
        if bs.len() > split + 1
            && bs[split] == b'0'
            && matches!(bs[split + 1], b'x' | b'X' | b'o' | b'b')
        {
            split += 2;
        }
        return format!("{}{}{}", &body[..split], "0".repeat(fill), &body[split..]);
    }
    format!("{}{body}", " ".repeat(fill))
}

fn sign_of(spec: &Spec, neg: bool) -> &'static str {
    if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

/// `%e`-style with Python's two-digit exponent.
fn exp_fmt(v: f64, prec: usize, upper: bool) -> String {
    let s = format!("{:.*e}", prec, v);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let ev: i32 = e.parse().unwrap_or(0);
    let r = format!("{m}e{}{:02}", if ev < 0 { '-' } else { '+' }, ev.abs());
    if upper {
        r.to_uppercase()
    } else {
        r
    }
}

fn float_fmt(v: f64, conv: char, spec: &Spec) -> String {
    if !v.is_finite() {
        let s = if v.is_nan() { "nan" } else { "inf" };
        let s = if conv.is_ascii_uppercase() {
            s.to_uppercase()
        } else {
            s.to_string()
        };
        return format!("{}{s}", sign_of(spec, v.is_sign_negative() && !v.is_nan()));
    }
    let a = v.abs();
    let p = spec.prec.unwrap_or(6);
    let body = match conv {
        'f' | 'F' => format!("{:.*}", p, a),
        'e' | 'E' => exp_fmt(a, p, conv == 'E'),
        _ => {
            let p = p.max(1);
            let e = if a == 0.0 {
                0
            } else {
                let s = exp_fmt(a, p - 1, false);
                s.rsplit_once('e')
                    .and_then(|x| x.1.parse::<i32>().ok())
                    .unwrap_or(0)
            };
            let mut s = if -4 <= e && e < p as i32 {
                format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, a)
            } else {
                exp_fmt(a, p - 1, conv == 'G')
            };
            if !spec.alt {
                let (m, x) = match s.find(['e', 'E']) {
                    Some(i) => (s[..i].to_string(), s[i..].to_string()),
                    None => (s.clone(), String::new()),
                };
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    m
                };
                s = format!("{m}{x}");
            }
            s
        }
    };
    format!("{}{body}", sign_of(spec, v.is_sign_negative()))
}

fn format_impl(cx: &mut Thread, fmt: Handle, args: Handle) -> PyResult<String> {
    let f: Vec<char> = text(cx, fmt).chars().collect();
    let ao = cx.get(args);
    let is_tuple = cx.kind_of(ao) == Kind::Tuple;
    let mapping = !is_tuple && cx.kind_of(ao) == Kind::Dict;
    let items: Vec<Handle> = if is_tuple {
        let n = cx.tuple_len(ao).unwrap_or(0);
        (0..n)
            .map(|i| {
                let o = cx.tuple_get(cx.get(args), i).expect("in range");
                cx.root(o)
            })
            .collect()
    } else {
        vec![args]
    };
    let mut next = 0usize;
    let mut used_mapping = false;
    let mut out = String::new();
    let mut i = 0;
    let need = |cx: &mut Thread, next: &mut usize, items: &Vec<Handle>| -> PyResult<Handle> {
        match items.get(*next) {
            Some(h) => {
                *next += 1;
                Ok(*h)
            }
            None => Err(type_error(cx, "not enough arguments for format string")),
        }
    };
    while i < f.len() {
        let c = f[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut key: Option<String> = None;
        if i < f.len() && f[i] == '(' {
            let mut depth = 1;
            let start = i + 1;
            i += 1;
            while i < f.len() && depth > 0 {
                match f[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(cx::value_error(cx, "incomplete format key"));
            }
            key = Some(f[start..i - 1].iter().collect());
        }
        let mut spec = Spec {
            left: false,
            plus: false,
            space: false,
            alt: false,
            zero: false,
            width: 0,
            prec: None,
        };
        while i < f.len() {
            match f[i] {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let read_num =
            |cx: &mut Thread, i: &mut usize, next: &mut usize| -> PyResult<Option<isize>> {
                if *i < f.len() && f[*i] == '*' {
                    *i += 1;
                    let h = need(cx, next, &items)?;
                    return match cx.int_as_i64(cx.get(h))? {
                        Some(v) => Ok(Some(v as isize)),
                        None => Err(type_error(cx, "* wants int")),
                    };
                }
                let st = *i;
                while *i < f.len() && f[*i].is_ascii_digit() {
                    *i += 1;
                }
                if st == *i {
                    return Ok(None);
                }
                Ok(f[st..*i].iter().collect::<String>().parse().ok())
            };
        if let Some(w) = read_num(cx, &mut i, &mut next)? {
            if w < 0 {
                spec.left = true;
            }
            spec.width = w.unsigned_abs();
        }
        if i < f.len() && f[i] == '.' {
            i += 1;
            spec.prec = Some(read_num(cx, &mut i, &mut next)?.unwrap_or(0).max(0) as usize);
        }
        while i < f.len() && matches!(f[i], 'h' | 'l' | 'L') {
            i += 1;
        }
        let Some(&conv) = f.get(i) else {
            return Err(cx::value_error(cx, "incomplete format"));
        };
        let conv_index = i;
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = match &key {
            Some(k) => {
                if !mapping {
                    return Err(type_error(cx, "format requires a mapping"));
                }
                used_mapping = true;
                let kh = cx.str(k);
                crate::r#abstract::object::getitem(cx, args, kh)?
            }
            None => need(cx, &mut next, &items)?,
        };
        let vo = cx.get(v);
        let piece = match conv {
            's' | 'r' | 'a' => {
                let r = if conv == 's' {
                    crate::r#abstract::object::str_(cx, v)?
                } else {
                    crate::r#abstract::object::repr(cx, v)?
                };
                let mut s = text(cx, r);
                if conv == 'a' {
                    s = s
                        .chars()
                        .map(|c| {
                            let u = c as u32;
                            if u < 0x80 {
                                c.to_string()
                            } else if u < 0x100 {
                                format!("\\x{u:02x}")
                            } else if u < 0x10000 {
                                format!("\\u{u:04x}")
                            } else {
                                format!("\\U{u:08x}")
                            }
                        })
                        .collect();
                }
                if let Some(p) = spec.prec {
                    s = s.chars().take(p).collect();
                }
                pad(&spec, s, false)
            }
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let n = if let Some(fv) =
                    cx.float_value(vo).filter(|_| cx.kind_of(vo) == Kind::Float)
                {
                    if matches!(conv, 'x' | 'X' | 'o') {
                        let msg = format!("%{conv} format: an integer is required, not float");
                        return Err(type_error(cx, &msg));
                    }
                    if !fv.is_finite() {
                        return Err(cx::overflow_error(
                            cx,
                            "cannot convert float infinity to integer",
                        ));
                    }
                    num_bigint::BigInt::from(fv.trunc() as i128)
                } else if let Some(iv) = cx.int_value(vo) {
                    iv.to_big()
                } else {
                    let what = if matches!(conv, 'x' | 'X' | 'o') {
                        "an integer is required"
                    } else {
                        "a real number is required"
                    };
                    let msg = format!("%{conv} format: {what}, not {}", tname(cx, vo));
                    return Err(type_error(cx, &msg));
                };
                let neg = n.sign() == num_bigint::Sign::Minus;
                let mag = if neg { -n } else { n };
                let (digits, prefix) = match conv {
                    'x' => (mag.to_str_radix(16), "0x"),
                    'X' => (mag.to_str_radix(16).to_uppercase(), "0X"),
                    'o' => (mag.to_str_radix(8), "0o"),
                    _ => (mag.to_str_radix(10), ""),
                };
                let digits = match spec.prec {
                    Some(p) if digits.len() < p => {
                        format!("{}{digits}", "0".repeat(p - digits.len()))
                    }
                    _ => digits,
                };
                let prefix = if spec.alt { prefix } else { "" };
                pad(
                    &spec,
                    format!("{}{prefix}{digits}", sign_of(&spec, neg)),
                    true,
                )
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let Some(fv) = cx.float_value_of(vo)? else {
                    let vo = cx.get(v);
                    let msg = format!("must be real number, not {}", tname(cx, vo));
                    return Err(type_error(cx, &msg));
                };
                pad(&spec, float_fmt(fv, conv, &spec), true)
            }
            'c' => {
                let ch = if let Some(s) = cx.str_value(vo) {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => c,
                        _ => return Err(type_error(
                            cx,
                            "%c requires an int or a unicode character, not a string of length 2",
                        )),
                    }
                } else {
                    match cx.int_as_i64(vo)? {
                        Some(x) => match u32::try_from(x).ok().and_then(char::from_u32) {
                            Some(c) => c,
                            None => {
                                return Err(cx::overflow_error(cx, "%c arg not in range(0x110000)"))
                            }
                        },
                        None => {
                            let msg = format!(
                                "%c requires an int or a unicode character, not {}",
                                tname(cx, vo)
                            );
                            return Err(type_error(cx, &msg));
                        }
                    }
                };
                pad(&spec, ch.to_string(), false)
            }
            other => {
                let msg = format!(
                    "unsupported format character '{other}' (0x{:x}) at index {conv_index}",
                    other as u32
                );
                return Err(cx::value_error(cx, &msg));
            }
        };
        out.push_str(&piece);
    }
    if next < items.len() && !(mapping || used_mapping) {
        return Err(type_error(
            cx,
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

/// `PyUnicode_Format`: `format % args` (printf-style: `%s %r %a %d %i %u %x %X %o %e %E %f %F
/// %g %G %c %%`, flags, width, precision, `*`, and `%(key)s` with a dict).
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_Format(
    format: *mut PyObject,
    args: *mut PyObject,
) -> *mut PyObject {
    capi!("PyUnicode_Format", |cx| {
        // SAFETY: caller's contract.
        let f = unsafe { arg(cx, format) }?;
        if cx.kind_of(f) != Kind::Str {
            return Err(bad_internal_call(cx));
        }
        let fh = cx.root(f);
        // SAFETY: caller's contract.
        let a = unsafe { harg(cx, args) }?;
        let s = format_impl(cx, fh, a)?;
        ret_str(cx, &s)
    })
}
