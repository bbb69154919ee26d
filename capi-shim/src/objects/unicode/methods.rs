//! Comparisons, appending and resizing, and the str methods the Limited API exposes
//! (`PyUnicode_Partition`, `PyUnicode_RSplit`, `PyUnicode_Splitlines`, `PyUnicode_Translate`, ...).

use super::convert::{bytes_in, ensure_str, opt_str, ret_str, str_in, text};
use crate::boundary::cx;
use crate::boundary::cx::arg;
use crate::boundary::cx::bad_internal_call;
use crate::boundary::cx::harg;
use crate::boundary::cx::new_ref_h;
use crate::boundary::cx::tname;
use crate::boundary::cx::type_error;
use crate::boundary::ffi::*;
use crate::capi;
use crate::types::shim_types::shim_types;
use pyopaque_runtime::Handle;
use pyopaque_runtime::Kind;
use pyopaque_runtime::PyResult;
use pyopaque_runtime::Raised;
use pyopaque_runtime::Thread;
use std::ffi::c_char;
use std::ffi::c_int;

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
            // CPython's PyErr_BadArgument (for distinct strings CPython's result is undefined).
            _ => return Err(type_error(cx, "bad argument type for built-in operation")),
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
        // SAFETY: an object C holds.
        let ob = unsafe { arg(cx, o) }?;
        if cx.kind_of(ob) != Kind::Str {
            // CPython answers 0 for a non-str, without an exception.
            return Ok(0);
        }
        let h = cx.root(ob);
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
pub(crate) fn map_lookup(cx: &mut Thread, mapping: Handle, key: i64) -> PyResult<Option<Handle>> {
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
                                let ty = shim_types().exc_named("UnicodeTranslateError");
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

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyUnicode_Equal", Rule::Works),
        ("PyUnicode_EqualToUTF8AndSize", Rule::Works),
        ("PyUnicode_RichCompare", Rule::Works),
        ("PyUnicode_Append", Rule::Works),
        ("PyUnicode_AppendAndDel", Rule::Works),
        ("PyUnicode_Resize", Rule::Cost("always a new object: str is immutable inline UTF-8")),
        ("PyUnicode_FindChar", Rule::Works),
        ("PyUnicode_IsIdentifier", Rule::Cost("Unicode Alphabetic/Alphanumeric stand in for XID_Start/XID_Continue (no Unicode database): a few code points differ")),
        ("PyUnicode_Partition", Rule::Works),
        ("PyUnicode_RPartition", Rule::Works),
        ("PyUnicode_RSplit", Rule::Works),
        ("PyUnicode_Splitlines", Rule::Works),
        ("PyUnicode_Translate", Rule::Works),
    ]
};
