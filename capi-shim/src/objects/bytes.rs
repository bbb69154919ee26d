//! `bytes`: `PyBytes_*`. `PyBytes_AsString` hands out a pointer into the (pinned) payload.

use std::ffi::{c_char, c_int};

use pyopaque_runtime::objects::text::text_data_ptr;
use pyopaque_runtime::{Kind, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::PyObject;
use crate::boundary::ffi::Py_ssize_t;
use crate::capi;

/// `PyBytes_FromStringAndSize` (NULL data: zeroed bytes C fills in).
///
/// # Safety
/// `s` NULL or `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_FromStringAndSize(
    s: *const c_char,
    n: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyBytes_FromStringAndSize", |cx| {
        if n < 0 {
            return Err(cx::system_error(
                cx,
                "Negative size passed to PyBytes_FromStringAndSize",
            ));
        }
        if n as usize > isize::MAX as usize - 64 {
            let t = cx.rt.types.exc.overflow_error;
            return Err(cx.raise(t, "byte string is too large"));
        }
        crate::python::memory::check_object_size(cx, n as usize, 1)?;
        let data = if s.is_null() {
            vec![0u8; n as usize]
        } else {
            // SAFETY: caller's contract.
            unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) }.to_vec()
        };
        let h = cx.bytes(&data);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyBytes_FromString`.
///
/// # Safety
/// `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_FromString(s: *const c_char) -> *mut PyObject {
    capi!("PyBytes_FromString", |cx| {
        if s.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let b = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes().to_vec();
        let h = cx.bytes(&b);
        Ok(new_ref_h(cx, h))
    })
}

fn bytes_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<pyopaque_runtime::ObjRef> {
    // SAFETY: an object C holds.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Bytes {
        let msg = format!("expected bytes, {} found", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(o)
}

/// `PyBytes_AsString`: pointer into the payload (NUL-terminated), valid while C holds the
/// object (pinned).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_AsString(o: *mut PyObject) -> *mut c_char {
    capi!("PyBytes_AsString", |cx| {
        let b = bytes_arg(cx, o)?;
        cx.note_borrowed(b);
        Ok(text_data_ptr(b).cast())
    })
}

/// `PyBytes_AS_STRING` (`PyOpaque_Bytes_AS_STRING`).
///
/// # Safety
/// A bytes object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Bytes_AS_STRING(o: *mut PyObject) -> *mut c_char {
    capi!("PyOpaque_Bytes_AS_STRING", |cx| {
        let b = bytes_arg(cx, o)?;
        cx.note_borrowed(b);
        Ok(text_data_ptr(b).cast())
    })
}

/// `PyBytes_Size`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_Size(o: *mut PyObject) -> Py_ssize_t {
    capi!("PyBytes_Size", |cx| {
        let b = bytes_arg(cx, o)?;
        Ok(cx.bytes_value(b).map_or(0, |x| x.len()) as Py_ssize_t)
    })
}

/// `PyBytes_GET_SIZE` (`PyOpaque_Bytes_GET_SIZE`).
///
/// # Safety
/// A bytes object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Bytes_GET_SIZE(o: *mut PyObject) -> Py_ssize_t {
    capi!("PyOpaque_Bytes_GET_SIZE", |cx| {
        let b = bytes_arg(cx, o)?;
        Ok(cx.bytes_value(b).map_or(0, |x| x.len()) as Py_ssize_t)
    })
}

/// `PyBytes_AsStringAndSize`: with `len` NULL, embedded NULs raise ValueError.
///
/// # Safety
/// An object C holds; `buf` writable; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_AsStringAndSize(
    o: *mut PyObject,
    buf: *mut *mut c_char,
    len: *mut Py_ssize_t,
) -> c_int {
    capi!("PyBytes_AsStringAndSize", |cx| {
        if buf.is_null() {
            return Err(bad_internal_call(cx));
        }
        let b = bytes_arg(cx, o)?;
        let data = cx.bytes_value(b).unwrap_or(&[]);
        let n = data.len();
        if len.is_null() && data.contains(&0) {
            return Err(cx::value_error(cx, "embedded null byte"));
        }
        cx.note_borrowed(b);
        // SAFETY: writable by contract.
        unsafe {
            *buf = text_data_ptr(b).cast();
            if !len.is_null() {
                *len = n as Py_ssize_t;
            }
        }
        Ok(0)
    })
}

/// `PyBytes_FromObject`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_FromObject(o: *mut PyObject) -> *mut PyObject {
    capi!("PyBytes_FromObject", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let ob = cx.get(h);
        if let Some(b) = crate::objects::bytearray::bytes_of(ob) {
            let r = cx.bytes(&b);
            return Ok(new_ref_h(cx, r));
        }
        match cx.kind_of(ob) {
            Kind::Bytes => Ok(new_ref_h(cx, h)),
            Kind::List | Kind::Tuple => {
                let items = crate::r#abstract::sequence::collect(cx, h)?;
                let mut v = Vec::with_capacity(items.len());
                for it in items {
                    let x = cx.get(it);
                    match cx.int_as_i64(x)? {
                        Some(b) if (0..256).contains(&b) => v.push(b as u8),
                        Some(_) => {
                            return Err(cx::value_error(cx, "bytes must be in range(0, 256)"))
                        }
                        None => {
                            let msg = format!(
                                "'{}' object cannot be interpreted as an integer",
                                tname(cx, x)
                            );
                            return Err(type_error(cx, &msg));
                        }
                    }
                }
                let r = cx.bytes(&v);
                Ok(new_ref_h(cx, r))
            }
            _ => {
                let msg = format!("cannot convert '{}' object to bytes", tname(cx, ob));
                Err(type_error(cx, &msg))
            }
        }
    })
}

/// `PyBytes_Concat`: `*pv = *pv + w`; on error `*pv` becomes NULL. Steals the old `*pv`.
///
/// # Safety
/// `pv` writable, holding NULL or a new reference; `w` an object.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_Concat(pv: *mut *mut PyObject, w: *mut PyObject) {
    capi!("PyBytes_Concat", |cx| {
        if pv.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: writable by contract.
        let old = unsafe { *pv };
        // SAFETY: NULL or a reference.
        let Some(a) = (unsafe { cx::from_c(old) }) else {
            return Ok(());
        };
        let ah = cx.root(a);
        cx::release_c_ref(cx, a, "PyBytes_Concat");
        // SAFETY: writable.
        unsafe { *pv = std::ptr::null_mut() };
        // SAFETY: caller's contract.
        let bh = unsafe { harg(cx, w) }?;
        if cx.kind_of(cx.get(ah)) != Kind::Bytes || cx.kind_of(cx.get(bh)) != Kind::Bytes {
            let msg = format!(
                "can't concat {} to {}",
                tname(cx, cx.get(bh)),
                tname(cx, cx.get(ah))
            );
            return Err(type_error(cx, &msg));
        }
        let r = crate::r#abstract::sequence::concat(cx, ah, bh)?;
        // SAFETY: writable.
        unsafe { *pv = new_ref_h(cx, r) };
        Ok(())
    })
}

/// `PyBytes_ConcatAndDel`: as `PyBytes_Concat`, then releases `w`.
///
/// # Safety
/// As [`PyBytes_Concat`]; `w` a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_ConcatAndDel(pv: *mut *mut PyObject, w: *mut PyObject) {
    crate::cov!("PyBytes_ConcatAndDel");
    // SAFETY: forwarded.
    unsafe {
        PyBytes_Concat(pv, w);
        crate::boundary::refcount::Py_DecRef(w);
    }
}

/// `PyBytes_Repr`: `b'...'` (with `smartquotes`, double quotes when the bytes hold `'` and no
/// `"`).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_Repr(o: *mut PyObject, smartquotes: c_int) -> *mut PyObject {
    capi!("PyBytes_Repr", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        let b = match cx.bytes_value(ob) {
            Some(b) if cx.kind_of(ob) == Kind::Bytes => b.to_vec(),
            _ => {
                let msg = format!("expected bytes, {} found", tname(cx, ob));
                return Err(type_error(cx, &msg));
            }
        };
        let r = if smartquotes != 0 {
            pyopaque_runtime::repr::bytes_repr(&b)
        } else {
            let mut s = String::from("b'");
            for x in &b {
                match x {
                    b'\'' => s.push_str("\\'"),
                    b'\\' => s.push_str("\\\\"),
                    b'\t' => s.push_str("\\t"),
                    b'\n' => s.push_str("\\n"),
                    b'\r' => s.push_str("\\r"),
                    0x20..=0x7e => s.push(*x as char),
                    _ => s.push_str(&format!("\\x{x:02x}")),
                }
            }
            s.push('\'');
            s
        };
        let h = cx.str(&r);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyBytes_DecodeEscape`: decodes Python bytes-literal escapes (`errors` NULL/"strict",
/// "ignore" or "replace" for a bad `\x` escape).
///
/// # Safety
/// `s` `len` readable bytes; `errors` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyBytes_DecodeEscape(
    s: *const c_char,
    len: Py_ssize_t,
    errors: *const c_char,
    _unused: Py_ssize_t,
    _unused2: *const c_char,
) -> *mut PyObject {
    capi!("PyBytes_DecodeEscape", |cx| {
        let b: &[u8] = if s.is_null() || len <= 0 {
            &[]
        } else {
            // SAFETY: `len` readable bytes by contract.
            unsafe { std::slice::from_raw_parts(s.cast::<u8>(), len as usize) }
        };
        // SAFETY: NULL or a C string.
        let errs = unsafe { cx::cstr_lossy(errors) };
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'\\' {
                out.push(b[i]);
                i += 1;
                continue;
            }
            i += 1;
            if i >= b.len() {
                return Err(cx::value_error(cx, "Trailing \\ in string"));
            }
            let c = b[i];
            i += 1;
            match c {
                b'\n' => {}
                b'\\' => out.push(b'\\'),
                b'\'' => out.push(b'\''),
                b'"' => out.push(b'"'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b't' => out.push(b'\t'),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b'v' => out.push(11),
                b'a' => out.push(7),
                b'0'..=b'7' => {
                    let mut v = (c - b'0') as u32;
                    let mut k = 0;
                    while k < 2 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                        v = v * 8 + (b[i] - b'0') as u32;
                        i += 1;
                        k += 1;
                    }
                    out.push((v & 0xff) as u8);
                }
                b'x' => {
                    let hex = |x: u8| (x as char).to_digit(16);
                    match (
                        b.get(i).copied().and_then(hex),
                        b.get(i + 1).copied().and_then(hex),
                    ) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 2;
                        }
                        _ => match errs.as_str() {
                            "" | "strict" => {
                                let pos = i - 2;
                                return Err(cx::value_error(
                                    cx,
                                    &format!("invalid \\x escape at position {pos}"),
                                ));
                            }
                            "replace" => out.push(b'?'),
                            "ignore" => {}
                            other => {
                                let msg =
                                    format!("decoding error; unknown error handling code: {other}");
                                return Err(cx::value_error(cx, &msg));
                            }
                        },
                    }
                }
                other => {
                    out.push(b'\\');
                    out.push(other);
                }
            }
        }
        let h = cx.bytes(&out);
        Ok(new_ref_h(cx, h))
    })
}

/// Formats `fmt` with `PyBytes_FromFormat`'s conversions into raw bytes: the format's bytes are
/// copied as they are (no UTF-8 decoding), `%c` writes the one byte given (0..=255, OverflowError
/// otherwise), `%s` copies the argument's bytes as they are (a precision limits their number),
/// `%d %i %u %ld %lu %zd %zu %x %p %%` format integers and pointers (`%p` as `0x...`). A width,
/// flags and a precision on numbers are accepted and ignored, as in CPython 3.11. At an
/// unsupported conversion the rest of the format, from its `%`, is copied verbatim.
///
/// # Safety
/// `fmt` a C string; `ap` a live `va_list *` whose arguments match the format.
pub unsafe fn format_bytes(
    cx: &mut Thread,
    fmt: *const c_char,
    ap: *mut std::ffi::c_void,
) -> PyResult<Vec<u8>> {
    if fmt.is_null() {
        return Err(bad_internal_call(cx));
    }
    let va = crate::boundary::variadic::Va(ap);
    // SAFETY: caller's contract.
    let f = unsafe { std::ffi::CStr::from_ptr(fmt) }.to_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(f.len());
    let mut i = 0;
    while i < f.len() {
        if f[i] != b'%' {
            out.push(f[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        // Width: ignored.
        while i < f.len() && f[i].is_ascii_digit() {
            i += 1;
        }
        // Precision: used by %s only.
        let mut prec = 0usize;
        if i < f.len() && f[i] == b'.' {
            i += 1;
            while i < f.len() && f[i].is_ascii_digit() {
                prec = prec
                    .saturating_mul(10)
                    .saturating_add((f[i] - b'0') as usize);
                i += 1;
            }
        }
        // Flags and anything else before the conversion letter: skipped.
        while i < f.len() && f[i] != b'%' && !f[i].is_ascii_alphabetic() {
            i += 1;
        }
        // `l` and `z` apply to d and u only.
        let mut long = false;
        let mut size_t = false;
        if i + 1 < f.len() && matches!(f[i + 1], b'd' | b'u') {
            match f[i] {
                b'l' => long = true,
                b'z' => size_t = true,
                _ => {}
            }
            if long || size_t {
                i += 1;
            }
        }
        let conv = f.get(i).copied().unwrap_or(0);
        // SAFETY: each conversion pulls the argument type C passes for it.
        unsafe {
            match conv {
                b'c' => {
                    let c = va.int();
                    let Ok(b) = u8::try_from(c) else {
                        return Err(cx::overflow_error(
                            cx,
                            "PyBytes_FromFormatV(): %c format expects an integer in range [0; 255]",
                        ));
                    };
                    out.push(b);
                }
                b'd' => {
                    // `c_long` is 32 bits on some targets, so the cast is not always a no-op.
                    #[allow(clippy::unnecessary_cast)]
                    let v: i64 = if long {
                        va.long() as i64
                    } else if size_t {
                        va.ssize() as i64
                    } else {
                        va.int() as i64
                    };
                    out.extend_from_slice(v.to_string().as_bytes());
                }
                b'u' => {
                    // `c_ulong` is 32 bits on some targets, so the cast is not always a no-op.
                    #[allow(clippy::unnecessary_cast)]
                    let v: u64 = if long {
                        va.ulong() as u64
                    } else if size_t {
                        va.size() as u64
                    } else {
                        va.uint() as u64
                    };
                    out.extend_from_slice(v.to_string().as_bytes());
                }
                b'i' => out.extend_from_slice(va.int().to_string().as_bytes()),
                b'x' => out.extend_from_slice(format!("{:x}", va.uint()).as_bytes()),
                b's' => {
                    let p = va.ptr::<c_char>();
                    if p.is_null() {
                        return Err(bad_internal_call(cx));
                    }
                    let s = std::ffi::CStr::from_ptr(p).to_bytes();
                    let n = if prec > 0 { prec.min(s.len()) } else { s.len() };
                    out.extend_from_slice(&s[..n]);
                }
                b'p' => {
                    let p = va.ptr::<std::ffi::c_void>();
                    // glibc prints a NULL `%p` as "(nil)"; CPython then prefixes "0x".
                    let s = if p.is_null() {
                        "0x(nil)".to_string()
                    } else {
                        format!("{:#x}", p as usize)
                    };
                    out.extend_from_slice(s.as_bytes());
                }
                b'%' => out.push(b'%'),
                _ => {
                    out.extend_from_slice(&f[start..]);
                    return Ok(out);
                }
            }
        }
        i += 1;
    }
    Ok(out)
}

// ----- bytes(o) -----

/// `PyObject_Bytes`: `bytes(o)` for bytes, objects with `__bytes__`, buffer exporters and
/// sequences of ints; `b"<NULL>"` for NULL.
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Bytes(o: *mut PyObject) -> *mut PyObject {
    capi!("PyObject_Bytes", |cx| {
        // SAFETY: caller's contract.
        let Some(ob) = (unsafe { cx::from_c(o) }) else {
            let b = cx.bytes(b"<NULL>");
            return Ok(new_ref_h(cx, b));
        };
        let h = cx.root(ob);
        match cx.kind_of(ob) {
            Kind::Bytes => return Ok(new_ref_h(cx, h)),
            Kind::Str => return Err(cx::type_error(cx, "cannot convert 'str' object to bytes")),
            _ => {}
        }
        if let Some(m) = crate::r#abstract::object::getattr_opt(cx, h, "__bytes__")? {
            let r = crate::r#abstract::call::call(cx, m, &[], &[])?;
            if cx.kind_of(cx.get(r)) != Kind::Bytes {
                let tn = cx::tname(cx, cx.get(r));
                return Err(cx::type_error(
                    cx,
                    &format!("__bytes__ returned non-bytes (type {tn})"),
                ));
            }
            return Ok(new_ref_h(cx, r));
        }
        if crate::r#abstract::buffer::exporter_kind(cx, ob).is_some() {
            let mut v = std::mem::MaybeUninit::<crate::r#abstract::buffer::PyBuffer>::zeroed();
            let me = cx::to_c(cx.get(h));
            let mut data = vec![0u8; 0];
            // SAFETY: nested API calls from an API body are not allowed; copy via the helpers
            // below instead (GetBuffer/ToContiguous/Release run their own entries).
            let ok = cx::publish(cx, || unsafe {
                if crate::r#abstract::buffer::PyObject_GetBuffer(me, v.as_mut_ptr(), 0x011c) < 0 {
                    return false;
                }
                let vr = v.assume_init_mut();
                data.resize(vr.len.max(0) as usize, 0);
                let r = crate::r#abstract::buffer::PyBuffer_ToContiguous(
                    data.as_mut_ptr().cast(),
                    vr,
                    vr.len,
                    b'C' as c_char,
                );
                crate::r#abstract::buffer::PyBuffer_Release(vr);
                r == 0
            });
            if !ok {
                return Err(pyopaque_runtime::Raised);
            }
            let b = cx.bytes(&data);
            return Ok(new_ref_h(cx, b));
        }
        if matches!(cx.kind_of(ob), Kind::List | Kind::Tuple) {
            let items = crate::r#abstract::sequence::collect(cx, h)?;
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                let io = cx.get(it);
                match cx.int_value(io) {
                    Some(pyopaque_runtime::objects::int::IntValue::Small(v))
                        if (0..256).contains(&v) =>
                    {
                        out.push(v as u8)
                    }
                    Some(_) => return Err(cx::value_error(cx, "bytes must be in range(0, 256)")),
                    None => {
                        let tn = cx::tname(cx, io);
                        return Err(cx::type_error(
                            cx,
                            &format!("'{tn}' object cannot be interpreted as an integer"),
                        ));
                    }
                }
            }
            let b = cx.bytes(&out);
            return Ok(new_ref_h(cx, b));
        }
        let tn = cx::tname(cx, ob);
        Err(cx::type_error(
            cx,
            &format!("cannot convert '{tn}' object to bytes"),
        ))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyBytes_AsString", Rule::Cost("pinning: the str/bytes is pinned while C uses its buffer (no copy: stored as UTF-8 inline)")),
        ("PyBytes_AsStringAndSize", Rule::Cost("pinning: the str/bytes is pinned while C uses its buffer (no copy: stored as UTF-8 inline)")),
        ("PyBytes_Concat", Rule::Works),
        ("PyBytes_FromString", Rule::Works),
        ("PyBytes_FromStringAndSize", Rule::Works),
        ("PyBytes_Size", Rule::Works),
        ("PyOpaque_Bytes_AS_STRING", Rule::Cost("pinning: the str/bytes is pinned while C uses its buffer (no copy: stored as UTF-8 inline)")),
        ("PyOpaque_Bytes_GET_SIZE", Rule::Works),
        ("PyBytes_Repr", Rule::Works),
        ("PyBytes_DecodeEscape", Rule::Works),
        ("PyBytes_ConcatAndDel", Rule::Works),
        ("PyBytes_FromObject", Rule::Works),
        ("PyObject_Bytes", Rule::Works),
    ]
};
