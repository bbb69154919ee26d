//! Argument parsing and value building: `PyArg_ParseTuple`, `PyArg_ParseTupleAndKeywords`,
//! `PyArg_Parse`, `PyArg_UnpackTuple`, `Py_BuildValue`, `PyUnicode_FromFormat`/`PyErr_Format`
//! message formatting, and the format-driven calls (`PyObject_CallFunction`, ...).
//!
//! The variadic entry points are defined in `va.c`; each passes a `va_list *` here, and the
//! arguments are pulled one by one with the `pyopaque_va_arg_*` helpers of that file, in the
//! types C's default argument promotions give them.

use std::ffi::{c_char, c_int, c_void, CStr};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Raised, Thread};

use crate::boundary::cx::{self, bad_internal_call, borrowed, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::boundary::variadic::Va;
use crate::cov;

// ----- message formatting (PyUnicode_FromFormat) -----

/// Formats `fmt` with CPython's `PyUnicode_FromFormat` conversions.
///
/// # Safety
/// `fmt` a C string; `ap` a live `va_list *` whose arguments match the format.
pub unsafe fn format_message(
    cx: &mut Thread,
    fmt: *const c_char,
    ap: *mut c_void,
) -> PyResult<String> {
    let mut out = String::new();
    // SAFETY: forwarded contract.
    unsafe { format_message_into(cx, fmt, ap, &mut out) }?;
    Ok(out)
}

/// Appends `v` in decimal to `out` (what `write!(out, "{v}")` writes, without the formatting
/// machinery).
fn push_decimal(out: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    // SAFETY: `buf[i..]` holds only ASCII digits, which are UTF-8.
    out.push_str(unsafe { std::str::from_utf8_unchecked(&buf[i..]) });
}

/// Appends the C text `b` to `out`: valid UTF-8 as it is, anything else decoded lossily (as
/// `String::from_utf8_lossy`). ASCII, the common case, is recognised by an inlined word-wise
/// test instead of a call to the UTF-8 validator.
#[inline]
fn push_c_text(out: &mut String, b: &[u8]) {
    if b.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        out.push_str(unsafe { std::str::from_utf8_unchecked(b) });
        return;
    }
    match std::str::from_utf8(b) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(b)),
    }
}

/// [`format_message`], appending to `out` (a caller may pass a reused buffer).
///
/// # Safety
/// As [`format_message`].
unsafe fn format_message_into(
    cx: &mut Thread,
    fmt: *const c_char,
    ap: *mut c_void,
    out: &mut String,
) -> PyResult<()> {
    if fmt.is_null() {
        return Err(bad_internal_call(cx));
    }
    let va = Va(ap);
    // SAFETY: caller's contract.
    let f = unsafe { CStr::from_ptr(fmt) }.to_bytes();
    // Room for the literal text and a few short conversions: usually no growth.
    out.reserve(f.len() + 32);
    let mut i = 0;
    while i < f.len() {
        if f[i] != b'%' {
            let start = i;
            while i < f.len() && f[i] != b'%' {
                i += 1;
            }
            push_c_text(out, &f[start..i]);
            continue;
        }
        i += 1;
        if i >= f.len() {
            break;
        }
        if f[i] == b'%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut left = false;
        let mut zero = false;
        while i < f.len() && (f[i] == b'-' || f[i] == b'0') {
            if f[i] == b'-' {
                left = true;
            } else {
                zero = true;
            }
            i += 1;
        }
        let mut width: Option<usize> = None;
        if i < f.len() && f[i] == b'*' {
            // SAFETY: '*' takes an int argument.
            width = Some(unsafe { va.int() }.max(0) as usize);
            i += 1;
        } else {
            let s = i;
            while i < f.len() && f[i].is_ascii_digit() {
                i += 1;
            }
            if i > s {
                width = std::str::from_utf8(&f[s..i])
                    .ok()
                    .and_then(|x| x.parse().ok());
            }
        }
        let mut prec: Option<usize> = None;
        if i < f.len() && f[i] == b'.' {
            i += 1;
            if i < f.len() && f[i] == b'*' {
                // SAFETY: '.*' takes an int argument.
                prec = Some(unsafe { va.int() }.max(0) as usize);
                i += 1;
            } else {
                let s = i;
                while i < f.len() && f[i].is_ascii_digit() {
                    i += 1;
                }
                prec = std::str::from_utf8(&f[s..i])
                    .ok()
                    .and_then(|x| x.parse().ok())
                    .or(Some(0));
            }
        }
        let mut lmod = "";
        if i + 1 < f.len() && f[i] == b'l' && f[i + 1] == b'l' {
            lmod = "ll";
            i += 2;
        } else if i < f.len() && matches!(f[i], b'l' | b'z' | b't' | b'j') {
            lmod = match f[i] {
                b'l' => "l",
                b'z' => "z",
                b't' => "t",
                _ => "j",
            };
            i += 1;
        }
        if i >= f.len() {
            break;
        }
        let conv = f[i];
        i += 1;
        // SAFETY: each conversion pulls the argument type C passes for it.
        let piece: String = unsafe {
            match conv {
                b'd' | b'i' => {
                    let v: i64 = match lmod {
                        "l" => va.long(),
                        "ll" | "j" => va.longlong(),
                        "z" | "t" => va.ssize() as i64,
                        _ => va.int() as i64,
                    };
                    if prec.is_none() && width.is_none() {
                        // The common case, written in place (no temporary string).
                        push_decimal(out, v);
                        continue;
                    }
                    let mut s = v.unsigned_abs().to_string();
                    if let Some(p) = prec {
                        while s.len() < p {
                            s.insert(0, '0');
                        }
                    }
                    if v < 0 {
                        s.insert(0, '-');
                    }
                    s
                }
                b'u' | b'x' | b'X' | b'o' => {
                    let v: u64 = match lmod {
                        "l" => va.ulong(),
                        "ll" | "j" => va.ulonglong(),
                        "z" | "t" => va.size() as u64,
                        _ => va.uint() as u64,
                    };
                    let mut s = match conv {
                        b'u' => v.to_string(),
                        b'x' => format!("{v:x}"),
                        b'X' => format!("{v:X}"),
                        _ => format!("{v:o}"),
                    };
                    if let Some(p) = prec {
                        while s.len() < p {
                            s.insert(0, '0');
                        }
                    }
                    s
                }
                b'c' => {
                    let c = va.int();
                    match char::from_u32(c as u32) {
                        Some(ch) => ch.to_string(),
                        None => {
                            return Err(cx::overflow_error(
                                cx,
                                "character argument not in range(0x110000)",
                            ));
                        }
                    }
                }
                b'p' => format!("{:#x}", va.ptr::<c_void>() as usize),
                b's' => {
                    let p = va.ptr::<c_char>();
                    if p.is_null() {
                        "(null)".to_string()
                    } else if prec.is_none() && width.is_none() {
                        // The common case, copied in place (no temporary string).
                        push_c_text(out, CStr::from_ptr(p).to_bytes());
                        continue;
                    } else {
                        let s = cx::cstr_lossy(p);
                        match prec {
                            Some(n) => s.chars().take(n).collect(),
                            None => s,
                        }
                    }
                }
                b'U' | b'S' | b'R' | b'A' | b'T' | b'N' | b'V' => {
                    let o = va.ptr::<PyObject>();
                    let fallback = if conv == b'V' {
                        va.ptr::<c_char>()
                    } else {
                        std::ptr::null_mut()
                    };
                    let obj = cx::from_c(o);
                    let s = match (conv, obj) {
                        (b'V', None) => cx::cstr_lossy(fallback),
                        (_, None) => return Err(bad_internal_call(cx)),
                        (b'U' | b'V', Some(o)) => match cx.str_value(o) {
                            Some(s) => s.to_string(),
                            None => return Err(bad_internal_call(cx)),
                        },
                        (b'T', Some(o)) => {
                            let t = cx.type_of(o);
                            type_payload(t).name.clone()
                        }
                        // 3.13's `%N`: the fully qualified name of a type object.
                        (b'N', Some(o)) => {
                            if cx.kind_of(o) != Kind::Type {
                                let tn = type_payload(cx.type_of(o)).short_name().to_string();
                                return Err(cx::type_error(
                                    cx,
                                    &format!("%N argument must be a type; got {tn}"),
                                ));
                            }
                            type_payload(o).name.clone()
                        }
                        (_, Some(o)) => {
                            let h = cx.root(o);
                            let r = match conv {
                                b'S' => crate::r#abstract::object::str_(cx, h)?,
                                b'R' => crate::r#abstract::object::repr(cx, h)?,
                                _ => {
                                    let r = crate::r#abstract::object::repr(cx, h)?;
                                    let s = cx.str_value(cx.get(r)).unwrap_or("").to_string();
                                    cx.str(
                                        &s.chars()
                                            .map(|c| {
                                                if c.is_ascii() {
                                                    c.to_string()
                                                } else {
                                                    format!("\\x{:02x}", c as u32)
                                                }
                                            })
                                            .collect::<String>(),
                                    )
                                }
                            };
                            cx.str_value(cx.get(r)).unwrap_or("").to_string()
                        }
                    };
                    match prec {
                        Some(n) => s.chars().take(n).collect(),
                        None => s,
                    }
                }
                _ => {
                    // Unknown conversion: CPython copies the rest of the format verbatim.
                    let rest = String::from_utf8_lossy(&f[i - 1..]).into_owned();
                    out.push('%');
                    out.push_str(&rest);
                    return Ok(());
                }
            }
        };
        let n = if width.is_some() {
            piece.chars().count()
        } else {
            0
        };
        match width {
            Some(w) if w > n => {
                let pad = w - n;
                if left {
                    out.push_str(&piece);
                    out.extend(std::iter::repeat_n(' ', pad));
                } else if zero && matches!(conv, b'd' | b'i' | b'u' | b'x' | b'X' | b'o') {
                    let (sign, digits) = piece
                        .strip_prefix('-')
                        .map_or(("", piece.as_str()), |d| ("-", d));
                    out.push_str(sign);
                    out.extend(std::iter::repeat_n('0', pad));
                    out.push_str(digits);
                } else {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(&piece);
                }
            }
            _ => out.push_str(&piece),
        }
    }
    Ok(())
}

/// Rust side of `PyUnicode_FromFormat(V)` and `PyBytes_FromFormat(V)`.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_from_format(
    api: *const c_char,
    fmt: *const c_char,
    ap: *mut c_void,
    bytes: c_int,
) -> *mut PyObject {
    // SAFETY: a static literal from va.c (compared in place: no allocation per call).
    let which = unsafe { CStr::from_ptr(api) }.to_bytes();
    match which {
        b"PyUnicode_FromFormat" => cov!("PyUnicode_FromFormat"),
        b"PyUnicode_FromFormatV" => cov!("PyUnicode_FromFormatV"),
        b"PyBytes_FromFormat" => cov!("PyBytes_FromFormat"),
        b"PySys_FormatStdout" | b"PySys_FormatStderr" => {}
        _ => cov!("PyBytes_FromFormatV"),
    }
    cx::api("PyUnicode_FromFormat", |cx| {
        if bytes != 0 {
            // Bytes have their own conversions (raw bytes, `%c` as one byte): see bytes.rs.
            // SAFETY: forwarded contract.
            let b = unsafe { crate::objects::bytes::format_bytes(cx, fmt, ap) }?;
            let h = cx.bytes(&b);
            return Ok(new_ref_h(cx, h));
        }
        // The thread's reused buffer: no temporary allocation per call (a nested format run by
        // a `%S` conversion finds it taken and uses a fresh one).
        let mut s = std::mem::take(&mut cx.fmt_scratch);
        s.clear();
        // SAFETY: forwarded contract.
        let r = unsafe { format_message_into(cx, fmt, ap, &mut s) };
        let h = r.map(|()| cx.str(&s));
        if s.capacity() <= 4096 {
            s.clear();
            cx.fmt_scratch = s;
        }
        Ok(new_ref_h(cx, h?))
    })
}

// ----- Py_BuildValue -----

struct Builder<'a> {
    f: &'a [u8],
    i: usize,
    va: Va,
}

impl Builder<'_> {
    fn skip_sep(&mut self) {
        while self.i < self.f.len() && matches!(self.f[self.i], b' ' | b'\t' | b',' | b':') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.f.get(self.i).copied()
    }

    /// Builds items until `end` (or the end of the format).
    unsafe fn items(&mut self, cx: &mut Thread, end: Option<u8>) -> PyResult<Vec<Handle>> {
        let mut out = Vec::new();
        loop {
            self.skip_sep();
            match self.peek() {
                None => {
                    if end.is_some() {
                        return Err(cx::system_error(cx, "unmatched paren in format"));
                    }
                    return Ok(out);
                }
                Some(c) if Some(c) == end => {
                    self.i += 1;
                    return Ok(out);
                }
                _ => {
                    // SAFETY: forwarded contract.
                    out.push(unsafe { self.one(cx) }?);
                }
            }
        }
    }

    unsafe fn hash_len(&mut self) -> Option<Py_ssize_t> {
        if self.peek() == Some(b'#') {
            self.i += 1;
            // SAFETY: '#' takes a Py_ssize_t.
            Some(unsafe { self.va.ssize() })
        } else {
            None
        }
    }

    unsafe fn one(&mut self, cx: &mut Thread) -> PyResult<Handle> {
        let c = self.f[self.i];
        self.i += 1;
        let va = self.va;
        // SAFETY: every code pulls the C type Py_BuildValue documents for it.
        unsafe {
            Ok(match c {
                b'(' => {
                    let v = self.items(cx, Some(b')'))?;
                    cx.tuple(&v)
                }
                b'[' => {
                    let v = self.items(cx, Some(b']'))?;
                    let l = cx.list();
                    for h in v {
                        cx.list_append(l, h)?;
                    }
                    l
                }
                b'{' => {
                    let v = self.items(cx, Some(b'}'))?;
                    if v.len() % 2 != 0 {
                        return Err(cx::system_error(cx, "Bad dict format"));
                    }
                    let d = cx.dict();
                    for kv in v.chunks(2) {
                        cx.dict_set(d, kv[0], kv[1])?;
                    }
                    d
                }
                b'b' | b'B' | b'h' | b'i' => cx.int(va.int() as i64),
                b'H' => cx.int(va.int() as u16 as i64),
                b'I' => cx.int(va.uint() as i64),
                b'l' => cx.int(va.long()),
                b'k' => int_u64(cx, va.ulong()),
                b'L' => cx.int(va.longlong()),
                b'K' => int_u64(cx, va.ulonglong()),
                b'n' => cx.int(va.ssize() as i64),
                b'c' => {
                    let v = va.int() as u8;
                    cx.bytes(&[v])
                }
                b'C' => {
                    let v = va.int();
                    match char::from_u32(v as u32) {
                        Some(ch) => cx.str(&ch.to_string()),
                        None => {
                            return Err(cx::value_error(
                                cx,
                                "character argument not in range(0x110000)",
                            ))
                        }
                    }
                }
                b'd' | b'f' => cx.float(va.double()),
                b'p' => {
                    let v = va.int();
                    cx.root(if v != 0 { cx.rt.true_ } else { cx.rt.false_ })
                }
                b's' | b'z' | b'U' | b'y' => {
                    let p = va.ptr::<c_char>();
                    let n = self.hash_len();
                    if p.is_null() {
                        if c == b'y' {
                            return Err(cx::system_error(
                                cx,
                                "NULL string with positive size with NULL passed to Py_BuildValue",
                            ));
                        }
                        cx.root(cx.rt.none)
                    } else {
                        let bytes: &[u8] = match n {
                            Some(n) => {
                                std::slice::from_raw_parts(p.cast::<u8>(), n.max(0) as usize)
                            }
                            None => CStr::from_ptr(p).to_bytes(),
                        };
                        if c == b'y' {
                            cx.bytes(bytes)
                        } else {
                            match std::str::from_utf8(bytes) {
                                Ok(s) => cx.str(s),
                                Err(_) => {
                                    let t = cx.rt.types.exc.unicode_decode_error;
                                    return Err(cx.raise(t, "'utf-8' codec can't decode bytes"));
                                }
                            }
                        }
                    }
                }
                b'O' | b'S' | b'N' => {
                    if self.peek() == Some(b'&') {
                        self.i += 1;
                        let conv: unsafe extern "C" fn(*mut c_void) -> *mut PyObject =
                            std::mem::transmute(va.ptr::<c_void>());
                        let a = va.ptr::<c_void>();
                        let p = cx::publish(cx, || conv(a));
                        return cx::take_result(cx, p, "Py_BuildValue O& converter");
                    }
                    let p = va.ptr::<PyObject>();
                    match cx::from_c(p) {
                        None => {
                            if cx.error().is_none() {
                                return Err(cx::system_error(
                                    cx,
                                    "NULL object passed to Py_BuildValue",
                                ));
                            }
                            return Err(Raised);
                        }
                        Some(o) => {
                            let h = cx.root(o);
                            if c == b'N' {
                                cx::release_c_ref(cx, o, "Py_BuildValue N");
                            }
                            h
                        }
                    }
                }
                other => {
                    return Err(cx::system_error(
                        cx,
                        &format!(
                            "bad format char '{}' passed to Py_BuildValue",
                            other as char
                        ),
                    ));
                }
            })
        }
    }
}

fn int_u64(cx: &mut Thread, v: u64) -> Handle {
    match i64::try_from(v) {
        Ok(v) => cx.int(v),
        Err(_) => cx.int_from_value(pyopaque_runtime::objects::int::IntValue::from_big(v.into())),
    }
}

/// Builds a value from a `Py_BuildValue` format (rooted). An empty format gives None; one item
/// gives the item; several give a tuple.
///
/// # Safety
/// `fmt` NULL or a C string; `ap` a live `va_list *` matching it.
pub unsafe fn build(cx: &mut Thread, fmt: *const c_char, ap: *mut c_void) -> PyResult<Handle> {
    if fmt.is_null() {
        return Ok(cx.root(cx.rt.none));
    }
    // SAFETY: caller's contract.
    let f = unsafe { CStr::from_ptr(fmt) }.to_bytes();
    let mut b = Builder {
        f,
        i: 0,
        va: Va(ap),
    };
    // SAFETY: forwarded contract.
    let items = unsafe { b.items(cx, None) }?;
    Ok(match items.len() {
        0 => cx.root(cx.rt.none),
        1 => items[0],
        _ => cx.tuple(&items),
    })
}

/// Rust side of `Py_BuildValue` / `Py_VaBuildValue`.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_build_value(
    api: *const c_char,
    fmt: *const c_char,
    ap: *mut c_void,
) -> *mut PyObject {
    // SAFETY: a static literal.
    match unsafe { cx::cstr_lossy(api) }.as_str() {
        "Py_BuildValue" => cov!("Py_BuildValue"),
        "_Py_BuildValue_SizeT" => cov!("_Py_BuildValue_SizeT"),
        "_Py_VaBuildValue_SizeT" => cov!("_Py_VaBuildValue_SizeT"),
        _ => cov!("Py_VaBuildValue"),
    }
    cx::api("Py_BuildValue", |cx| {
        // SAFETY: forwarded contract.
        let h = unsafe { build(cx, fmt, ap) }?;
        Ok(new_ref_h(cx, h))
    })
}

// ----- format-driven calls -----

/// Turns a built value into call arguments (a tuple spreads, anything else is one argument).
fn spread(cx: &mut Thread, h: Handle, had_format: bool) -> Vec<Handle> {
    if !had_format {
        return Vec::new();
    }
    let o = cx.get(h);
    if cx.kind_of(o) == Kind::Tuple {
        let n = cx.tuple_len(o).unwrap_or(0);
        (0..n)
            .map(|i| {
                let it = cx.tuple_get(cx.get(h), i).expect("in range");
                cx.root(it)
            })
            .collect()
    } else if o == cx.rt.none {
        Vec::new()
    } else {
        vec![h]
    }
}

/// Rust side of `PyObject_CallFunction`.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_call_function(
    api: *const c_char,
    callable: *mut PyObject,
    fmt: *const c_char,
    ap: *mut c_void,
) -> *mut PyObject {
    // SAFETY: a static literal.
    match unsafe { cx::cstr_lossy(api) }.as_str() {
        "_PyObject_CallFunction_SizeT" => cov!("_PyObject_CallFunction_SizeT"),
        "PyEval_CallFunction" => cov!("PyEval_CallFunction"),
        _ => cov!("PyObject_CallFunction"),
    }
    cx::api("PyObject_CallFunction", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { cx::harg(cx, callable) }?;
        // SAFETY: forwarded contract.
        let v = unsafe { build(cx, fmt, ap) }?;
        // SAFETY: fmt NULL or a C string.
        let has = !fmt.is_null() && unsafe { *fmt } != 0;
        let args = spread(cx, v, has);
        let r = crate::r#abstract::call::call(cx, c, &args, &[])?;
        Ok(new_ref_h(cx, r))
    })
}

/// Rust side of `PyObject_CallMethod`.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_call_method(
    api: *const c_char,
    obj: *mut PyObject,
    name: *const c_char,
    fmt: *const c_char,
    ap: *mut c_void,
) -> *mut PyObject {
    // SAFETY: a static literal.
    match unsafe { cx::cstr_lossy(api) }.as_str() {
        "_PyObject_CallMethod_SizeT" => cov!("_PyObject_CallMethod_SizeT"),
        "PyEval_CallMethod" => cov!("PyEval_CallMethod"),
        _ => cov!("PyObject_CallMethod"),
    }
    cx::api("PyObject_CallMethod", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { cx::harg(cx, obj) }?;
        // SAFETY: caller's contract.
        let n = unsafe { cx::cstr(cx, name) }?.to_string();
        let m = crate::r#abstract::object::getattr(cx, o, &n)?;
        // SAFETY: forwarded contract.
        let v = unsafe { build(cx, fmt, ap) }?;
        // SAFETY: fmt NULL or a C string.
        let has = !fmt.is_null() && unsafe { *fmt } != 0;
        let args = spread(cx, v, has);
        let r = crate::r#abstract::call::call(cx, m, &args, &[])?;
        Ok(new_ref_h(cx, r))
    })
}

/// Rust side of `PyObject_CallFunctionObjArgs` / `PyObject_CallMethodObjArgs` (NULL-terminated).
///
/// # Safety
/// Called from va.c with a live `va_list *` of objects ending with NULL.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_call_obj_args(
    _api: *const c_char,
    callable: *mut PyObject,
    name: *mut PyObject,
    ap: *mut c_void,
) -> *mut PyObject {
    if name.is_null() {
        cov!("PyObject_CallFunctionObjArgs");
    } else {
        cov!("PyObject_CallMethodObjArgs");
    }
    cx::api("PyObject_CallFunctionObjArgs", |cx| {
        // SAFETY: caller's contract.
        let mut c = unsafe { cx::harg(cx, callable) }?;
        if !name.is_null() {
            // SAFETY: caller's contract.
            let n = unsafe { cx::arg(cx, name) }?;
            let Some(s) = cx.str_value(n).map(str::to_string) else {
                return Err(type_error(cx, "method name must be a string"));
            };
            c = crate::r#abstract::object::getattr(cx, c, &s)?;
        }
        let va = Va(ap);
        // Up to 8 arguments on the stack (no allocation per call), more in a vector.
        let mut small: Option<[Handle; 8]> = None;
        let mut big: Vec<Handle> = Vec::new();
        let mut n = 0;
        loop {
            // SAFETY: the list is NULL-terminated objects.
            let p = unsafe { va.ptr::<PyObject>() };
            // SAFETY: an object or NULL.
            let Some(o) = (unsafe { cx::from_c(p) }) else {
                break;
            };
            let h = cx.root(o);
            if n < 8 {
                small.get_or_insert([h; 8])[n] = h;
            } else {
                if n == 8 {
                    big.extend_from_slice(small.as_ref().expect("8 arguments stored"));
                }
                big.push(h);
            }
            n += 1;
        }
        let args: &[Handle] = match &small {
            _ if n > 8 => &big,
            Some(s) => &s[..n],
            None => &[],
        };
        let r = crate::r#abstract::call::call(cx, c, args, &[])?;
        Ok(new_ref_h(cx, r))
    })
}

// ----- PyArg_Parse* -----

struct Parser<'a> {
    f: &'a [u8],
    i: usize,
    va: Va,
    fname: String,
    custom_msg: Option<String>,
}

fn arg_desc(fname: &str, n: usize) -> String {
    if fname.is_empty() {
        format!("argument {n}")
    } else {
        format!("{fname}() argument {n}")
    }
}

impl Parser<'_> {
    /// Consumes the output pointers of one code without converting (an optional argument that
    /// was not given).
    unsafe fn skip_code(&mut self) {
        let c = self.f[self.i];
        self.i += 1;
        // SAFETY: every code consumes the pointers it documents.
        unsafe {
            if c == b'(' {
                let mut depth = 1;
                while self.i < self.f.len() && depth > 0 {
                    match self.f[self.i] {
                        b'(' => {
                            depth += 1;
                            self.i += 1;
                        }
                        b')' => {
                            depth -= 1;
                            self.i += 1;
                        }
                        _ => self.skip_code(),
                    }
                }
                return;
            }
            let _ = self.va.ptr::<c_void>();
            match self.peek() {
                Some(b'!') | Some(b'&') => {
                    self.i += 1;
                    let _ = self.va.ptr::<c_void>();
                }
                Some(b'#') => {
                    self.i += 1;
                    let _ = self.va.ptr::<c_void>();
                }
                Some(b'*') => self.i += 1,
                _ => {}
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.f.get(self.i).copied()
    }

    /// Converts `h` by the next code and stores it through the next output pointer(s).
    unsafe fn convert(&mut self, cx: &mut Thread, h: Handle, argn: usize) -> PyResult<()> {
        let c = self.f[self.i];
        self.i += 1;
        let va = self.va;
        let o = cx.get(h);
        let fname = self.fname.clone();
        let bad = |cx: &mut Thread, expected: &str, o: ObjRef| -> Raised {
            let msg = format!(
                "{} must be {expected}, not {}",
                arg_desc(&fname, argn),
                tname(cx, o)
            );
            type_error(cx, &msg)
        };
        // SAFETY: every code writes through the pointer type PyArg_ParseTuple documents for it.
        unsafe {
            match c {
                b'(' => {
                    if cx.kind_of(o) != Kind::Tuple {
                        let msg = format!(
                            "{} must be tuple, not {}",
                            arg_desc(&fname, argn),
                            tname(cx, o)
                        );
                        return Err(type_error(cx, &msg));
                    }
                    let n = cx.tuple_len(o).unwrap_or(0);
                    let mut k = 0;
                    while self.peek() != Some(b')') {
                        if self.peek().is_none() {
                            return Err(cx::system_error(cx, "missing ')' in getargs format"));
                        }
                        if k >= n {
                            let msg = format!(
                                "{} must be sequence of length {k}, not {n}",
                                arg_desc(&fname, argn)
                            );
                            return Err(type_error(cx, &msg));
                        }
                        let it = cx.tuple_get(cx.get(h), k).expect("in range");
                        let ih = cx.root(it);
                        self.convert(cx, ih, argn)?;
                        k += 1;
                    }
                    self.i += 1;
                    if k != n {
                        let msg = format!(
                            "{} must be sequence of length {k}, not {n}",
                            arg_desc(&fname, argn)
                        );
                        return Err(type_error(cx, &msg));
                    }
                }
                b'O' => match self.peek() {
                    Some(b'!') => {
                        self.i += 1;
                        let tp = va.ptr::<PyObject>();
                        let dst = va.ptr::<*mut PyObject>();
                        let t = cx::from_c(tp).ok_or_else(|| bad_internal_call(cx))?;
                        if !cx.is_instance(o, t) {
                            let tn = type_payload(t).short_name().to_string();
                            return Err(bad(cx, &tn, o));
                        }
                        *dst = borrowed(cx, o);
                    }
                    Some(b'&') => {
                        self.i += 1;
                        let conv: unsafe extern "C" fn(*mut PyObject, *mut c_void) -> c_int =
                            std::mem::transmute(va.ptr::<c_void>());
                        let a = va.ptr::<c_void>();
                        let op = borrowed(cx, o);
                        let r = cx::publish(cx, || conv(op, a));
                        if r == 0 {
                            if cx.error().is_none() {
                                return Err(cx::system_error(
                                    cx,
                                    "converter failed without setting an exception",
                                ));
                            }
                            return Err(Raised);
                        }
                    }
                    _ => {
                        let dst = va.ptr::<*mut PyObject>();
                        *dst = borrowed(cx, o);
                    }
                },
                b'S' | b'U' | b'Y' => {
                    let ok = match c {
                        b'S' => cx.kind_of(o) == Kind::Bytes,
                        b'U' => cx.kind_of(o) == Kind::Str,
                        _ => false,
                    };
                    if !ok {
                        let e = match c {
                            b'S' => "bytes",
                            b'U' => "str",
                            _ => "bytearray",
                        };
                        return Err(bad(cx, e, o));
                    }
                    let dst = va.ptr::<*mut PyObject>();
                    *dst = borrowed(cx, o);
                }
                b's' | b'z' | b'y' => {
                    let hash = self.peek() == Some(b'#');
                    let star = self.peek() == Some(b'*');
                    if hash || star {
                        self.i += 1;
                    }
                    if star {
                        return Err(cx::not_implemented(
                            cx,
                            "pyopaque: Py_buffer formats (s*, y*, w*) are not supported",
                        ));
                    }
                    let dst = va.ptr::<*const c_char>();
                    let lenp = if hash {
                        va.ptr::<Py_ssize_t>()
                    } else {
                        std::ptr::null_mut()
                    };
                    if c == b'z' && o == cx.rt.none {
                        *dst = std::ptr::null();
                        if hash {
                            *lenp = 0;
                        }
                        return Ok(());
                    }
                    let want_bytes = c == b'y';
                    let (okk, what) = if want_bytes {
                        (cx.kind_of(o) == Kind::Bytes, "bytes")
                    } else if c == b'z' {
                        (
                            cx.kind_of(o) == Kind::Str,
                            if hash {
                                "str, bytes-like object or None"
                            } else {
                                "str or None"
                            },
                        )
                    } else {
                        (
                            cx.kind_of(o) == Kind::Str || (hash && cx.kind_of(o) == Kind::Bytes),
                            if hash {
                                "str or bytes-like object"
                            } else {
                                "str"
                            },
                        )
                    };
                    if !okk {
                        let what = if want_bytes {
                            "bytes-like object"
                        } else {
                            what
                        };
                        return Err(bad(cx, what, o));
                    }
                    let bytes = if cx.kind_of(o) == Kind::Str {
                        cx.str_value(o).unwrap_or("").as_bytes()
                    } else {
                        cx.bytes_value(o).unwrap_or(&[])
                    };
                    if !hash && bytes.contains(&0) {
                        let t = cx.rt.types.exc.value_error;
                        let m = if want_bytes {
                            "embedded null byte"
                        } else {
                            "embedded null character"
                        };
                        return Err(cx.raise(t, m));
                    }
                    let ptr = pyopaque_runtime::objects::text::text_data_ptr(o);
                    let len = bytes.len();
                    cx.note_borrowed(o);
                    *dst = ptr.cast_const().cast();
                    if hash {
                        *lenp = len as Py_ssize_t;
                    }
                }
                b'c' => {
                    let dst = va.ptr::<c_char>();
                    match cx.bytes_value(o) {
                        Some(b) if b.len() == 1 => *dst = b[0] as c_char,
                        _ => {
                            let msg = format!(
                                "{} must be a byte string of length 1, not {}",
                                arg_desc(&fname, argn),
                                tname(cx, o)
                            );
                            return Err(type_error(cx, &msg));
                        }
                    }
                }
                b'C' => {
                    let dst = va.ptr::<c_int>();
                    match cx.str_value(o) {
                        Some(s) if s.chars().count() == 1 => {
                            *dst = s.chars().next().expect("one") as c_int
                        }
                        _ => {
                            let msg = format!(
                                "{} must be a unicode character, not {}",
                                arg_desc(&fname, argn),
                                tname(cx, o)
                            );
                            return Err(type_error(cx, &msg));
                        }
                    }
                }
                b'f' | b'd' => {
                    let Some(v) = cx.float_value_of(o)? else {
                        let msg = format!("must be real number, not {}", tname(cx, o));
                        return Err(type_error(cx, &msg));
                    };
                    if c == b'f' {
                        *va.ptr::<f32>() = v as f32;
                    } else {
                        *va.ptr::<f64>() = v;
                    }
                }
                b'p' => {
                    let v = crate::r#abstract::object::truth(cx, h)?;
                    *va.ptr::<c_int>() = v as c_int;
                }
                b'b' | b'B' | b'h' | b'H' | b'i' | b'I' | b'l' | b'k' | b'L' | b'K' | b'n' => {
                    if cx.kind_of(o) == Kind::Float {
                        return Err(type_error(
                            cx,
                            "'float' object cannot be interpreted as an integer",
                        ));
                    }
                    let iv = match cx.int_value(o) {
                        Some(v) => v,
                        None => {
                            let msg = format!(
                                "'{}' object cannot be interpreted as an integer",
                                tname(cx, o)
                            );
                            return Err(type_error(cx, &msg));
                        }
                    };
                    let big = iv.to_big();
                    use num_traits::ToPrimitive;
                    let as_i64 = big.to_i64();
                    match c {
                        b'b' => {
                            let v = as_i64.ok_or_else(|| {
                                cx::overflow_error(
                                    cx,
                                    "unsigned byte integer is greater than maximum",
                                )
                            })?;
                            if v < 0 {
                                return Err(cx::overflow_error(
                                    cx,
                                    "unsigned byte integer is less than minimum",
                                ));
                            }
                            if v > 255 {
                                return Err(cx::overflow_error(
                                    cx,
                                    "unsigned byte integer is greater than maximum",
                                ));
                            }
                            *va.ptr::<u8>() = v as u8;
                        }
                        b'B' => {
                            *va.ptr::<u8>() = big.to_u64().unwrap_or_else(|| {
                                (&big & num_bigint::BigInt::from(u64::MAX))
                                    .to_u64()
                                    .unwrap_or(0)
                            }) as u8
                        }
                        b'h' => {
                            let v = as_i64.ok_or_else(|| {
                                cx::overflow_error(
                                    cx,
                                    "signed short integer is greater than maximum",
                                )
                            })?;
                            if v < i16::MIN as i64 {
                                return Err(cx::overflow_error(
                                    cx,
                                    "signed short integer is less than minimum",
                                ));
                            }
                            if v > i16::MAX as i64 {
                                return Err(cx::overflow_error(
                                    cx,
                                    "signed short integer is greater than maximum",
                                ));
                            }
                            *va.ptr::<i16>() = v as i16;
                        }
                        b'H' => *va.ptr::<u16>() = as_i64.unwrap_or(0) as u16,
                        b'i' => {
                            let v = as_i64.ok_or_else(|| {
                                cx::overflow_error(cx, "signed integer is greater than maximum")
                            })?;
                            if v < i32::MIN as i64 {
                                return Err(cx::overflow_error(
                                    cx,
                                    "signed integer is less than minimum",
                                ));
                            }
                            if v > i32::MAX as i64 {
                                return Err(cx::overflow_error(
                                    cx,
                                    "signed integer is greater than maximum",
                                ));
                            }
                            *va.ptr::<i32>() = v as i32;
                        }
                        b'I' => *va.ptr::<u32>() = as_i64.unwrap_or(0) as u32,
                        b'l' | b'L' | b'n' => {
                            let what = if c == b'n' { "C ssize_t" } else { "C long" };
                            let v = as_i64.ok_or_else(|| {
                                cx::overflow_error(
                                    cx,
                                    &format!("Python int too large to convert to {what}"),
                                )
                            })?;
                            *va.ptr::<i64>() = v;
                        }
                        _ => {
                            *va.ptr::<u64>() = big
                                .to_u64()
                                .or_else(|| as_i64.map(|v| v as u64))
                                .unwrap_or(0)
                        }
                    }
                }
                other => {
                    return Err(cx::system_error(
                        cx,
                        &format!("impossible<bad format char '{}'>", other as char),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Splits a getargs format into (codes, function name, custom message) and counts the
/// top-level units before and after `|` and `$`.
fn analyse(fmt: &[u8]) -> (Vec<u8>, String, Option<String>, usize, usize, Option<usize>) {
    let mut codes = Vec::new();
    let mut name = String::new();
    let mut msg = None;
    let mut i = 0;
    while i < fmt.len() {
        match fmt[i] {
            b':' => {
                name = String::from_utf8_lossy(&fmt[i + 1..]).into_owned();
                break;
            }
            b';' => {
                msg = Some(String::from_utf8_lossy(&fmt[i + 1..]).into_owned());
                break;
            }
            c => codes.push(c),
        }
        i += 1;
    }
    let (mut total, mut required, mut kwonly) = (0usize, None, None);
    let mut depth = 0;
    for &c in &codes {
        match c {
            b'(' => {
                if depth == 0 {
                    total += 1;
                }
                depth += 1;
            }
            b')' => depth -= 1,
            b'|' => required = Some(total),
            b'$' => kwonly = Some(total),
            b'!' | b'&' | b'#' | b'*' => {}
            _ if depth == 0 => total += 1,
            _ => {}
        }
    }
    (
        codes.clone(),
        name,
        msg,
        total,
        required.unwrap_or(total),
        kwonly,
    )
}

fn count_msg(fname: &str, how: &str, n: usize, given: usize) -> String {
    let who = if fname.is_empty() {
        "function".to_string()
    } else {
        format!("{fname}()")
    };
    let s = if n == 1 { "" } else { "s" };
    format!("{who} takes {how} {n} argument{s} ({given} given)")
}

/// Parses positional and keyword arguments into C outputs.
unsafe fn parse_impl(
    cx: &mut Thread,
    pos: &[Handle],
    kw: Option<Handle>,
    fmt: *const c_char,
    kwlist: *const *const c_char,
    ap: *mut c_void,
) -> PyResult<()> {
    if fmt.is_null() {
        return Err(bad_internal_call(cx));
    }
    // SAFETY: caller's contract.
    let (codes, fname, msg, total, required, kwonly) =
        analyse(unsafe { CStr::from_ptr(fmt) }.to_bytes());
    let mut names: Vec<String> = Vec::new();
    if !kwlist.is_null() {
        let mut k = kwlist;
        // SAFETY: kwlist is NULL-terminated.
        while !unsafe { *k }.is_null() {
            // SAFETY: C strings.
            names.push(unsafe { cx::cstr_lossy(*k) });
            // SAFETY: not at the terminator.
            k = unsafe { k.add(1) };
        }
        if names.len() != total {
            return Err(cx::system_error(
                cx,
                &format!(
                    "more argument specifiers than keyword list entries (remaining format:'{}')",
                    String::from_utf8_lossy(&codes)
                ),
            ));
        }
    }
    let npos_max = kwonly.unwrap_or(total);
    let n = pos.len();
    let nkw = match kw {
        Some(k) => cx.dict_len(cx.get(k)),
        None => 0,
    };
    if kwlist.is_null() {
        if n < required || n > total {
            let m = match &msg {
                Some(m) => m.clone(),
                None if required == total => count_msg(&fname, "exactly", total, n),
                None if n < required => count_msg(&fname, "at least", required, n),
                None => count_msg(&fname, "at most", total, n),
            };
            return Err(type_error(cx, &m));
        }
    } else if n > npos_max {
        let who = if fname.is_empty() {
            "function".to_string()
        } else {
            format!("{fname}()")
        };
        let m = if kwonly.is_some() {
            format!(
                "{who} takes at most {npos_max} positional argument{} ({n} given)",
                if npos_max == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{who} takes at most {total} argument{} ({} given)",
                if total == 1 { "" } else { "s" },
                n + nkw
            )
        };
        return Err(type_error(cx, &m));
    }
    // Keyword names must all be known.
    if let Some(k) = kw {
        let mut p = 0;
        while let Some((key, _)) = cx.dict_next(cx.get(k), &mut p) {
            let ks = match cx.str_value(key) {
                Some(s) => s.to_string(),
                None => return Err(type_error(cx, "keywords must be strings")),
            };
            match names.iter().position(|x| *x == ks) {
                None => {
                    let who = if fname.is_empty() {
                        "this function".to_string()
                    } else {
                        format!("{fname}()")
                    };
                    return Err(type_error(
                        cx,
                        &format!("'{ks}' is an invalid keyword argument for {who}"),
                    ));
                }
                Some(i) if i < n => {
                    let who = if fname.is_empty() {
                        "function".to_string()
                    } else {
                        format!("{fname}()")
                    };
                    return Err(type_error(
                        cx,
                        &format!(
                            "argument for {who} given by name ('{ks}') and position ({})",
                            i + 1
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    let mut parser = Parser {
        f: &codes,
        i: 0,
        va: Va(ap),
        fname: fname.clone(),
        custom_msg: msg,
    };
    let _ = &parser.custom_msg;
    let mut unit = 0;
    while parser.i < codes.len() {
        match codes[parser.i] {
            b'|' | b'$' => {
                parser.i += 1;
                continue;
            }
            _ => {}
        }
        let value: Option<Handle> = if unit < n {
            Some(pos[unit])
        } else if let (Some(k), Some(name)) = (kw, names.get(unit)) {
            if name.is_empty() {
                None
            } else {
                let key = cx.str(name);
                cx.dict_get(k, key)?
            }
        } else {
            None
        };
        match value {
            Some(v) => {
                // SAFETY: forwarded contract.
                unsafe { parser.convert(cx, v, unit + 1) }?;
            }
            None => {
                if unit < required {
                    let who = if fname.is_empty() {
                        "function".to_string()
                    } else {
                        format!("{fname}()")
                    };
                    let m = match names.get(unit) {
                        Some(nm) if !nm.is_empty() => {
                            format!("{who} missing required argument '{nm}' (pos {})", unit + 1)
                        }
                        _ => count_msg(
                            &fname,
                            if required == total {
                                "exactly"
                            } else {
                                "at least"
                            },
                            required,
                            n,
                        ),
                    };
                    return Err(type_error(cx, &m));
                }
                // SAFETY: forwarded contract.
                unsafe { parser.skip_code() };
            }
        }
        unit += 1;
    }
    Ok(())
}

/// The items of an argument tuple as handles; SystemError when `args` is not a tuple.
///
/// # Safety
/// `args` NULL or an object.
unsafe fn tuple_items(cx: &mut Thread, args: *mut PyObject, api: &str) -> PyResult<Vec<Handle>> {
    // SAFETY: caller's contract.
    let a = unsafe { cx::arg(cx, args) }?;
    if cx.kind_of(a) != Kind::Tuple {
        return Err(cx::system_error(
            cx,
            &format!("new style getargs format but argument is not a tuple ({api})"),
        ));
    }
    let ah = cx.root(a);
    let n = cx.tuple_len(a).unwrap_or(0);
    Ok((0..n)
        .map(|i| {
            let it = cx.tuple_get(cx.get(ah), i).expect("in range");
            cx.root(it)
        })
        .collect())
}

/// Rust side of `PyArg_ParseTuple` / `PyArg_VaParse`: 1 on success, 0 with an exception.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_parse_tuple(
    api: *const c_char,
    args: *mut PyObject,
    fmt: *const c_char,
    ap: *mut c_void,
) -> c_int {
    // SAFETY: a static literal.
    match unsafe { cx::cstr_lossy(api) }.as_str() {
        "PyArg_ParseTuple" => cov!("PyArg_ParseTuple"),
        "_PyArg_ParseTuple_SizeT" => cov!("_PyArg_ParseTuple_SizeT"),
        "_PyArg_VaParse_SizeT" => cov!("_PyArg_VaParse_SizeT"),
        _ => cov!("PyArg_VaParse"),
    }
    let r = cx::api("PyArg_ParseTuple", |cx| {
        // SAFETY: caller's contract.
        let items = unsafe { tuple_items(cx, args, "PyArg_ParseTuple") }?;
        // SAFETY: forwarded contract.
        unsafe { parse_impl(cx, &items, None, fmt, std::ptr::null(), ap) }?;
        Ok(1 as c_int)
    });
    r.max(0)
}

/// Rust side of `PyArg_ParseTupleAndKeywords` / `PyArg_VaParseTupleAndKeywords`.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_parse_tuple_kw(
    api: *const c_char,
    args: *mut PyObject,
    kw: *mut PyObject,
    fmt: *const c_char,
    kwlist: *const *const c_char,
    ap: *mut c_void,
) -> c_int {
    // SAFETY: a static literal.
    match unsafe { cx::cstr_lossy(api) }.as_str() {
        "PyArg_ParseTupleAndKeywords" => cov!("PyArg_ParseTupleAndKeywords"),
        "_PyArg_ParseTupleAndKeywords_SizeT" => cov!("_PyArg_ParseTupleAndKeywords_SizeT"),
        "_PyArg_VaParseTupleAndKeywords_SizeT" => cov!("_PyArg_VaParseTupleAndKeywords_SizeT"),
        _ => cov!("PyArg_VaParseTupleAndKeywords"),
    }
    let r = cx::api("PyArg_ParseTupleAndKeywords", |cx| {
        if kwlist.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let items = unsafe { tuple_items(cx, args, "PyArg_ParseTupleAndKeywords") }?;
        // SAFETY: kw NULL or a dict.
        let k = match unsafe { cx::from_c(kw) } {
            Some(k) if cx.kind_of(k) == Kind::Dict => Some(cx.root(k)),
            Some(_) => return Err(bad_internal_call(cx)),
            None => None,
        };
        // SAFETY: forwarded contract.
        unsafe { parse_impl(cx, &items, k, fmt, kwlist, ap) }?;
        Ok(1 as c_int)
    });
    r.max(0)
}

/// Rust side of `PyArg_Parse`: converts one object with a one-unit format.
///
/// # Safety
/// Called from va.c with a live `va_list *`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_parse(
    api: *const c_char,
    arg: *mut PyObject,
    fmt: *const c_char,
    ap: *mut c_void,
) -> c_int {
    // SAFETY: a static literal.
    if unsafe { cx::cstr_lossy(api) } == "_PyArg_Parse_SizeT" {
        cov!("_PyArg_Parse_SizeT");
    } else {
        cov!("PyArg_Parse");
    }
    let r = cx::api("PyArg_Parse", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { cx::harg(cx, arg) }?;
        // SAFETY: forwarded contract.
        unsafe { parse_impl(cx, &[h], None, fmt, std::ptr::null(), ap) }?;
        Ok(1 as c_int)
    });
    r.max(0)
}

/// Rust side of `PyArg_UnpackTuple`.
///
/// # Safety
/// Called from va.c with a live `va_list *` of `max` `PyObject **` outputs.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_unpack_tuple(
    args: *mut PyObject,
    name: *const c_char,
    min: Py_ssize_t,
    max: Py_ssize_t,
    ap: *mut c_void,
) -> c_int {
    cov!("PyArg_UnpackTuple");
    let r = cx::api("PyArg_UnpackTuple", |cx| {
        // SAFETY: caller's contract.
        let a = unsafe { cx::arg(cx, args) }?;
        if cx.kind_of(a) != Kind::Tuple {
            return Err(cx::system_error(
                cx,
                "PyArg_UnpackTuple() argument list is not a tuple",
            ));
        }
        let n = cx.tuple_len(a).unwrap_or(0) as isize;
        // SAFETY: NULL or a C string.
        let nm = unsafe { cx::cstr_lossy(name) };
        if n < min {
            let m = if min == max { "exactly" } else { "at least" };
            let s = if min == 1 { "" } else { "s" };
            let msg = if nm.is_empty() {
                format!("unpacked tuple should have {m} {min} element{s}, but has {n}")
            } else {
                format!("{nm} expected {m} {min} argument{s}, got {n}")
            };
            return Err(type_error(cx, &msg));
        }
        if n > max {
            let m = if min == max { "exactly" } else { "at most" };
            let s = if max == 1 { "" } else { "s" };
            let msg = if nm.is_empty() {
                format!("unpacked tuple should have {m} {max} element{s}, but has {n}")
            } else {
                format!("{nm} expected {m} {max} argument{s}, got {n}")
            };
            return Err(type_error(cx, &msg));
        }
        let va = Va(ap);
        for i in 0..n as usize {
            // SAFETY: one PyObject** per possible argument.
            let dst = unsafe { va.ptr::<*mut PyObject>() };
            let it = cx.tuple_get(a, i).expect("in range");
            // SAFETY: a writable output pointer.
            unsafe { *dst = borrowed(cx, it) };
        }
        Ok(1 as c_int)
    });
    r.max(0)
}

/// `PyArg_ValidateKeywordArguments`.
///
/// # Safety
/// A dict.
#[no_mangle]
pub unsafe extern "C" fn PyArg_ValidateKeywordArguments(kw: *mut PyObject) -> c_int {
    // CPython returns 0 (not -1) with the exception set.
    let r = crate::capi!("PyArg_ValidateKeywordArguments", |cx| {
        // SAFETY: caller's contract.
        let d = unsafe { cx::arg(cx, kw) }?;
        if cx.kind_of(d) != Kind::Dict {
            return Err(bad_internal_call(cx));
        }
        let dh = cx.root(d);
        let mut p = 0;
        while let Some((k, _)) = cx.dict_next(cx.get(dh), &mut p) {
            if cx.kind_of(k) != Kind::Str {
                return Err(type_error(cx, "keywords must be strings"));
            }
        }
        Ok(1)
    });
    r.max(0)
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyArg_ParseTuple", Rule::Cost("pinning: every object (and string buffer) handed out is pinned until the native call returns")),
        ("PyArg_ParseTupleAndKeywords", Rule::Cost("pinning: every object (and string buffer) handed out is pinned until the native call returns")),
        ("PyArg_UnpackTuple", Rule::Cost("pinning: every object (and string buffer) handed out is pinned until the native call returns")),
        ("PyBytes_FromFormat", Rule::Works),
        ("PyObject_CallFunction", Rule::Works),
        ("PyObject_CallFunctionObjArgs", Rule::Works),
        ("PyObject_CallMethod", Rule::Works),
        ("PyObject_CallMethodObjArgs", Rule::Works),
        ("PyUnicode_FromFormat", Rule::Works),
        ("Py_BuildValue", Rule::Works),
        ("PyUnicode_FromFormatV", Rule::Works),
        ("PyArg_VaParse", Rule::Works),
        ("PyArg_VaParseTupleAndKeywords", Rule::Works),
        ("PyArg_Parse", Rule::Works),
        ("PyArg_ValidateKeywordArguments", Rule::Works),
        ("Py_VaBuildValue", Rule::Works),
        ("_PyArg_ParseTuple_SizeT", Rule::Works),
        ("_PyArg_VaParse_SizeT", Rule::Works),
        ("_PyArg_Parse_SizeT", Rule::Works),
        ("_PyArg_ParseTupleAndKeywords_SizeT", Rule::Works),
        ("_PyArg_VaParseTupleAndKeywords_SizeT", Rule::Works),
        ("_Py_BuildValue_SizeT", Rule::Works),
        ("_Py_VaBuildValue_SizeT", Rule::Works),
        ("_PyObject_CallFunction_SizeT", Rule::Works),
        ("_PyObject_CallMethod_SizeT", Rule::Works),
        ("PyEval_CallFunction", Rule::Works),
        ("PyEval_CallMethod", Rule::Works),
        ("PyBytes_FromFormatV", Rule::Works),
    ]
};
