//! Python-visible methods of the builtin types (`list.append`, `dict.setdefault`, `str.strip`,
//! ...), as CPython 3.11 documents them, with its argument errors. Each is a C-callable
//! definition installed as a real `method_descriptor` in the type's dict ([`ensure_installed`]):
//! unbound on the type (`str.lower("A")`), bound to its object on instance lookup; written in terms of the exported C API, so a method behaves exactly as the C API function it
//! stands on (`list.append` is `PyList_Append`, `dict.setdefault` is `PyDict_SetDefault`, ...).
//!
//! Covered so far: `list` (append extend insert pop remove index count reverse sort copy clear),
//! `dict` (get setdefault pop update copy clear), `str` (strip lstrip rstrip split join
//! startswith endswith upper lower replace find), `set` (add discard remove).

use std::ffi::{c_int, CStr};

use pyopaque_runtime::{Kind, PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h, type_error};
use crate::boundary::ffi::*;
use crate::python::builtins::{arg_at as a, check_nargs, none, raise};

type Fast = unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize) -> *mut PyObject;
type VarKw = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;

fn incref(o: *mut PyObject) -> *mut PyObject {
    if !o.is_null() {
        // SAFETY: a live object.
        unsafe { crate::boundary::refcount::Py_IncRef(o) };
    }
    o
}

fn status(r: c_int) -> *mut PyObject {
    if r < 0 {
        std::ptr::null_mut()
    } else {
        none()
    }
}

// ----- list -----

unsafe extern "C" fn list_append(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("append", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument; `s` is a list.
    status(unsafe { crate::objects::list::PyList_Append(s, a(args, 0)) })
}

unsafe extern "C" fn list_extend(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("extend", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let it = unsafe { a(args, 0) };
    cx::api("list.extend", |cx| {
        // SAFETY: objects C passed.
        let (l, o) = unsafe { (cx::harg(cx, s)?, cx::harg(cx, it)?) };
        crate::objects::list::extend(cx, l, o)?;
        let nn = cx.rt.none;
        Ok(cx::new_ref(cx, nn))
    })
}

unsafe extern "C" fn list_insert(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("insert", n, 2, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: two arguments.
    let i =
        unsafe { crate::r#abstract::number::PyNumber_AsSsize_t(a(args, 0), std::ptr::null_mut()) };
    if i == -1 && !crate::python::errors::PyErr_Occurred().is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: as above.
    status(unsafe { crate::objects::list::PyList_Insert(s, i, a(args, 1)) })
}

unsafe extern "C" fn list_pop(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("pop", n, 0, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` is a list.
    let len = unsafe { crate::objects::list::PyList_Size(s) };
    let mut i = if n == 1 {
        // SAFETY: one argument.
        let v = unsafe {
            crate::r#abstract::number::PyNumber_AsSsize_t(a(args, 0), std::ptr::null_mut())
        };
        if v == -1 && !crate::python::errors::PyErr_Occurred().is_null() {
            return std::ptr::null_mut();
        }
        v
    } else {
        -1
    };
    if len == 0 {
        return raise("IndexError", "pop from empty list");
    }
    if i < 0 {
        i += len;
    }
    if i < 0 || i >= len {
        return raise("IndexError", "pop index out of range");
    }
    // SAFETY: an index in range of a list.
    let item = incref(unsafe { crate::objects::list::PyList_GetItem(s, i) });
    // SAFETY: as above.
    if unsafe { crate::r#abstract::sequence::PySequence_DelItem(s, i) } < 0 {
        // SAFETY: our reference.
        unsafe { crate::boundary::refcount::Py_DecRef(item) };
        return std::ptr::null_mut();
    }
    item
}

/// The first index of an element equal to `x` (identity or `==`), -1 when none, -2 on error.
///
/// # Safety
/// `s` a list, `x` an object.
unsafe fn list_find(s: *mut PyObject, x: *mut PyObject) -> isize {
    // SAFETY: caller's contract.
    let len = unsafe { crate::objects::list::PyList_Size(s) };
    for i in 0..len {
        // SAFETY: in range.
        let it = unsafe { crate::objects::list::PyList_GetItem(s, i) };
        if it.is_null() {
            return -2;
        }
        // SAFETY: objects C holds.
        match unsafe { crate::r#abstract::object::PyObject_RichCompareBool(it, x, 2) } {
            1 => return i,
            0 => {}
            _ => return -2,
        }
    }
    -1
}

unsafe extern "C" fn list_index(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("index", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    match unsafe { list_find(s, a(args, 0)) } {
        -2 => std::ptr::null_mut(),
        -1 => raise("ValueError", "list.index(x): x not in list"),
        i => crate::objects::long::PyLong_FromSsize_t(i),
    }
}

unsafe extern "C" fn list_remove(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("remove", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    match unsafe { list_find(s, a(args, 0)) } {
        -2 => std::ptr::null_mut(),
        -1 => raise("ValueError", "list.remove(x): x not in list"),
        // SAFETY: an index in range.
        i => status(unsafe { crate::r#abstract::sequence::PySequence_DelItem(s, i) }),
    }
}

unsafe extern "C" fn list_count(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("count", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a list, one argument.
    let (len, x) = unsafe { (crate::objects::list::PyList_Size(s), a(args, 0)) };
    let mut c = 0;
    for i in 0..len {
        // SAFETY: in range.
        let it = unsafe { crate::objects::list::PyList_GetItem(s, i) };
        // SAFETY: objects C holds.
        match unsafe { crate::r#abstract::object::PyObject_RichCompareBool(it, x, 2) } {
            1 => c += 1,
            0 => {}
            _ => return std::ptr::null_mut(),
        }
    }
    crate::objects::long::PyLong_FromSsize_t(c)
}

unsafe extern "C" fn list_reverse(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("reverse", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a list.
    status(unsafe { crate::objects::list::PyList_Reverse(s) })
}

unsafe extern "C" fn list_copy(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("copy", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a list.
    unsafe { crate::r#abstract::sequence::PySequence_List(s) }
}

unsafe extern "C" fn list_clear(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("clear", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a list.
    let len = unsafe { crate::objects::list::PyList_Size(s) };
    // SAFETY: as above; NULL deletes the slice.
    status(unsafe { crate::objects::list::PyList_SetSlice(s, 0, len, std::ptr::null_mut()) })
}

unsafe extern "C" fn list_sort(
    s: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `args` a tuple.
    if unsafe { crate::objects::tuple::PyTuple_Size(args) } != 0 {
        return raise("TypeError", "sort() takes no positional arguments");
    }
    let one = cx::api("list.sort", |cx| -> PyResult<*mut PyObject> {
        // SAFETY: `s` a list.
        let l = unsafe { cx::harg(cx, s) }?;
        let t = cx.tuple(&[l]);
        Ok(new_ref_h(cx, t))
    });
    if one.is_null() {
        return one;
    }
    // SAFETY: forwarding the call to sorted(list, **kw).
    let sorted = unsafe { crate::python::builtins::sorted_impl(std::ptr::null_mut(), one, kw) };
    // SAFETY: our reference.
    unsafe { crate::boundary::refcount::Py_DecRef(one) };
    if sorted.is_null() {
        return sorted;
    }
    // SAFETY: `s` a list, `sorted` a new list.
    let len = unsafe { crate::objects::list::PyList_Size(s) };
    // SAFETY: as above.
    let r = unsafe { crate::objects::list::PyList_SetSlice(s, 0, len, sorted) };
    // SAFETY: our reference.
    unsafe { crate::boundary::refcount::Py_DecRef(sorted) };
    status(r)
}

// ----- dict -----

unsafe extern "C" fn dict_get(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("get", n, 1, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: one or two arguments; `s` a dict.
    let v = unsafe { crate::objects::dict::PyDict_GetItemWithError(s, a(args, 0)) };
    if !v.is_null() {
        return incref(v);
    }
    if !crate::python::errors::PyErr_Occurred().is_null() {
        return std::ptr::null_mut();
    }
    if n == 2 {
        // SAFETY: the default.
        return incref(unsafe { a(args, 1) });
    }
    none()
}

unsafe extern "C" fn dict_setdefault(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("setdefault", n, 1, 2) {
        return std::ptr::null_mut();
    }
    let d = if n == 2 {
        // SAFETY: the default.
        unsafe { a(args, 1) }
    } else {
        cx::to_c(cx::global().rt.none)
    };
    // SAFETY: `s` a dict; the result is borrowed.
    incref(unsafe { crate::objects::dict::PyDict_SetDefault(s, a(args, 0), d) })
}

unsafe extern "C" fn dict_pop(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("pop", n, 1, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: one or two arguments.
    let k = unsafe { a(args, 0) };
    // SAFETY: `s` a dict.
    let v = incref(unsafe { crate::objects::dict::PyDict_GetItemWithError(s, k) });
    if !v.is_null() {
        // SAFETY: the key is present.
        if unsafe { crate::objects::dict::PyDict_DelItem(s, k) } < 0 {
            // SAFETY: our reference.
            unsafe { crate::boundary::refcount::Py_DecRef(v) };
            return std::ptr::null_mut();
        }
        return v;
    }
    if !crate::python::errors::PyErr_Occurred().is_null() {
        return std::ptr::null_mut();
    }
    if n == 2 {
        // SAFETY: the default.
        return incref(unsafe { a(args, 1) });
    }
    cx::api("dict.pop", |cx| -> PyResult<*mut PyObject> {
        // SAFETY: the key C passed.
        let kh = unsafe { cx::harg(cx, k) }?;
        Err(cx::key_error(cx, kh))
    })
}

unsafe extern "C" fn dict_update(
    s: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("dict.update", |cx| {
        // SAFETY: a tuple and NULL or a dict.
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        // SAFETY: `s` a dict.
        let d = unsafe { cx::harg(cx, s) }?;
        if pos.len() > 1 {
            return Err(type_error(
                cx,
                &format!("update expected at most 1 argument, got {}", pos.len()),
            ));
        }
        if let Some(o) = pos.first() {
            if crate::r#abstract::object::getattr_opt(cx, *o, "keys")?.is_some() {
                let keys = crate::r#abstract::call::call_method(cx, *o, "keys", &[])?;
                let it = crate::r#abstract::object::iter(cx, keys)?;
                while let Some(k) = crate::r#abstract::object::next(cx, it)? {
                    let v = crate::r#abstract::object::getitem(cx, *o, k)?;
                    crate::r#abstract::object::setitem(cx, d, k, Some(v))?;
                }
            } else {
                let it = crate::r#abstract::object::iter(cx, *o)?;
                let mut i = 0;
                while let Some(pair) = crate::r#abstract::object::next(cx, it)? {
                    let seq = crate::r#abstract::sequence::to_tuple(cx, pair).map_err(|_| {
                        cx.clear_error();
                        let tn = cx::tname(cx, cx.get(pair));
                        type_error(
                            cx,
                            &format!(
                                "cannot convert dictionary update sequence element #{i} to a \
                                 sequence ({tn} object is not iterable)"
                            ),
                        )
                    })?;
                    let so = cx.get(seq);
                    let len = cx.tuple_len(so).unwrap_or(0);
                    if len != 2 {
                        return Err(cx::value_error(
                            cx,
                            &format!(
                                "dictionary update sequence element #{i} has length {len}; 2 is \
                                 required"
                            ),
                        ));
                    }
                    let k = cx.root(cx.tuple_get(so, 0).expect("two items"));
                    let v = cx.root(cx.tuple_get(cx.get(seq), 1).expect("two items"));
                    crate::r#abstract::object::setitem(cx, d, k, Some(v))?;
                    i += 1;
                }
            }
        }
        for (k, v) in kws {
            crate::r#abstract::object::setitem(cx, d, k, Some(v))?;
        }
        let nn = cx.rt.none;
        Ok(cx::new_ref(cx, nn))
    })
}

unsafe extern "C" fn dict_copy(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("copy", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a dict.
    unsafe { crate::objects::dict::PyDict_Copy(s) }
}

unsafe extern "C" fn dict_clear(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("clear", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a dict.
    unsafe { crate::objects::dict::PyDict_Clear(s) };
    none()
}

// ----- str -----

/// The text of `s` (a str) and of optional argument `o` (None or a str), for the methods
/// written in Rust.
/// # Safety
/// `s` a str, `args` holds `n` objects.
unsafe fn strip_impl(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
    name: &'static str,
    left: bool,
    right: bool,
) -> *mut PyObject {
    if !check_nargs(name, n, 0, 1) {
        return std::ptr::null_mut();
    }
    let chars = if n == 1 {
        // SAFETY: one argument.
        unsafe { a(args, 0) }
    } else {
        std::ptr::null_mut()
    };
    cx::api("str.strip", |cx| {
        // SAFETY: `s` a str.
        let sh = unsafe { cx::harg(cx, s) }?;
        // SAFETY: `chars` NULL or an object C passed.
        let set: Option<Vec<char>> = match unsafe { cx::from_c(chars) } {
            Some(c) if c != cx.rt.none => match cx.str_value(c) {
                Some(t) => Some(t.chars().collect()),
                None => {
                    let tn = cx::tname(cx, c);
                    return Err(type_error(
                        cx,
                        &format!("{name} arg must be None or str, not {tn}"),
                    ));
                }
            },
            _ => None,
        };
        let text = cx.str_value(cx.get(sh)).unwrap_or("").to_string();
        let pred = |c: char| match &set {
            Some(v) => v.contains(&c),
            None => c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c),
        };
        let mut t: &str = &text;
        if left {
            t = t.trim_start_matches(pred);
        }
        if right {
            t = t.trim_end_matches(pred);
        }
        let r = cx.str(t);
        Ok(new_ref_h(cx, r))
    })
}
unsafe extern "C" fn str_strip(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { strip_impl(s, args, n, "strip", true, true) }
}
unsafe extern "C" fn str_lstrip(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { strip_impl(s, args, n, "lstrip", true, false) }
}
unsafe extern "C" fn str_rstrip(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { strip_impl(s, args, n, "rstrip", false, true) }
}

unsafe extern "C" fn str_split(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("split", n, 0, 2) {
        return std::ptr::null_mut();
    }
    let sep = if n >= 1 {
        // SAFETY: at least one argument.
        unsafe { a(args, 0) }
    } else {
        std::ptr::null_mut()
    };
    let sep = if sep == cx::to_c(cx::global().rt.none) {
        std::ptr::null_mut()
    } else {
        sep
    };
    let max = if n == 2 {
        // SAFETY: the second argument.
        let v = unsafe {
            crate::r#abstract::number::PyNumber_AsSsize_t(a(args, 1), std::ptr::null_mut())
        };
        if v == -1 && !crate::python::errors::PyErr_Occurred().is_null() {
            return std::ptr::null_mut();
        }
        v
    } else {
        -1
    };
    // SAFETY: `s` a str; `sep` NULL or a str.
    unsafe { crate::objects::unicode::PyUnicode_Split(s, sep, max) }
}

unsafe extern "C" fn str_join(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("join", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument; `s` a str.
    unsafe { crate::objects::unicode::PyUnicode_Join(s, a(args, 0)) }
}

/// # Safety
/// `s` a str, `args` holds `n` objects.
unsafe fn tailmatch(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
    name: &'static str,
    dir: c_int,
) -> *mut PyObject {
    if !check_nargs(name, n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let sub = unsafe { a(args, 0) };
    let r = cx::api("str.startswith", |cx| -> PyResult<c_int> {
        // SAFETY: objects C passed.
        let (sh, subh) = unsafe { (cx::harg(cx, s)?, cx::harg(cx, sub)?) };
        let text = cx.str_value(cx.get(sh)).unwrap_or("").to_string();
        let so = cx.get(subh);
        let cands: Vec<String> = if cx.kind_of(so) == Kind::Tuple {
            let mut v = Vec::new();
            for i in 0..cx.tuple_len(so).unwrap_or(0) {
                let it = cx.tuple_get(cx.get(subh), i).expect("in range");
                match cx.str_value(it) {
                    Some(t) => v.push(t.to_string()),
                    None => {
                        let tn = cx::tname(cx, it);
                        return Err(type_error(
                            cx,
                            &format!("tuple for {name} must only contain str, not {tn}"),
                        ));
                    }
                }
            }
            v
        } else {
            match cx.str_value(so) {
                Some(t) => vec![t.to_string()],
                None => {
                    let tn = cx::tname(cx, so);
                    return Err(type_error(
                        cx,
                        &format!("{name} first arg must be str or a tuple of str, not {tn}"),
                    ));
                }
            }
        };
        Ok(cands.iter().any(|c| {
            if dir < 0 {
                text.starts_with(c.as_str())
            } else {
                text.ends_with(c.as_str())
            }
        }) as c_int)
    });
    if r < 0 {
        return std::ptr::null_mut();
    }
    crate::objects::bool_::PyBool_FromLong(r as std::ffi::c_long)
}
unsafe extern "C" fn str_startswith(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { tailmatch(s, args, n, "startswith", -1) }
}
unsafe extern "C" fn str_endswith(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { tailmatch(s, args, n, "endswith", 1) }
}

fn case(s: *mut PyObject, n: isize, name: &'static str, upper: bool) -> *mut PyObject {
    if !check_nargs(name, n, 0, 0) {
        return std::ptr::null_mut();
    }
    cx::api("str.upper", |cx| {
        // SAFETY: `s` a str.
        let sh = unsafe { cx::harg(cx, s) }?;
        let t = cx.str_value(cx.get(sh)).unwrap_or("");
        let r = if upper {
            t.to_uppercase()
        } else {
            t.to_lowercase()
        };
        let h = cx.str(&r);
        Ok(new_ref_h(cx, h))
    })
}
unsafe extern "C" fn str_upper(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    case(s, n, "upper", true)
}
unsafe extern "C" fn str_lower(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    case(s, n, "lower", false)
}

unsafe extern "C" fn str_replace(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("replace", n, 2, 3) {
        return std::ptr::null_mut();
    }
    let count = if n == 3 {
        // SAFETY: the third argument.
        let v = unsafe {
            crate::r#abstract::number::PyNumber_AsSsize_t(a(args, 2), std::ptr::null_mut())
        };
        if v == -1 && !crate::python::errors::PyErr_Occurred().is_null() {
            return std::ptr::null_mut();
        }
        v
    } else {
        -1
    };
    // SAFETY: `s` a str, two string arguments.
    unsafe { crate::objects::unicode::PyUnicode_Replace(s, a(args, 0), a(args, 1), count) }
}

unsafe extern "C" fn str_find(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("find", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a str, one argument.
    let r = unsafe { crate::objects::unicode::PyUnicode_Find(s, a(args, 0), 0, isize::MAX, 1) };
    if r == -2 {
        return std::ptr::null_mut();
    }
    crate::objects::long::PyLong_FromSsize_t(r)
}

// ----- set -----

unsafe extern "C" fn set_add(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("add", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a set, one argument.
    status(unsafe { crate::objects::set::PySet_Add(s, a(args, 0)) })
}

unsafe extern "C" fn set_discard(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("discard", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a set, one argument.
    status(unsafe { crate::objects::set::PySet_Discard(s, a(args, 0)) })
}

unsafe extern "C" fn set_remove(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("remove", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a set, one argument.
    let k = unsafe { a(args, 0) };
    // SAFETY: as above.
    match unsafe { crate::objects::set::PySet_Discard(s, k) } {
        1 => none(),
        0 => cx::api("set.remove", |cx| -> PyResult<*mut PyObject> {
            // SAFETY: the key C passed.
            let kh = unsafe { cx::harg(cx, k) }?;
            Err(cx::key_error(cx, kh))
        }),
        _ => std::ptr::null_mut(),
    }
}

// ----- the table -----

/// Which builtin type a method belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    List,
    Dict,
    Str,
    Set,
}

struct Defs([(Owner, PyMethodDef); N_DEFS]);
// SAFETY: immutable static data (C strings and function pointers), never written.
unsafe impl Sync for Defs {}

const fn fast(o: Owner, name: &'static CStr, f: Fast) -> (Owner, PyMethodDef) {
    (
        o,
        PyMethodDef {
            ml_name: name.as_ptr(),
            // SAFETY: stored as the generic pointer; METH_FASTCALL selects the signature.
            ml_meth: Some(unsafe { std::mem::transmute::<Fast, RawFn>(f) }),
            ml_flags: METH_FASTCALL,
            ml_doc: std::ptr::null(),
        },
    )
}

const fn varkw(o: Owner, name: &'static CStr, f: VarKw) -> (Owner, PyMethodDef) {
    (
        o,
        PyMethodDef {
            ml_name: name.as_ptr(),
            // SAFETY: as in `fast`; METH_VARARGS | METH_KEYWORDS selects the signature.
            ml_meth: Some(unsafe { std::mem::transmute::<VarKw, RawFn>(f) }),
            ml_flags: METH_VARARGS | METH_KEYWORDS,
            ml_doc: std::ptr::null(),
        },
    )
}

const N_DEFS: usize = 32;

static DEFS: Defs = Defs([
    fast(Owner::List, c"append", list_append),
    fast(Owner::List, c"extend", list_extend),
    fast(Owner::List, c"insert", list_insert),
    fast(Owner::List, c"pop", list_pop),
    fast(Owner::List, c"remove", list_remove),
    fast(Owner::List, c"index", list_index),
    fast(Owner::List, c"count", list_count),
    fast(Owner::List, c"reverse", list_reverse),
    varkw(Owner::List, c"sort", list_sort),
    fast(Owner::List, c"copy", list_copy),
    fast(Owner::List, c"clear", list_clear),
    fast(Owner::Dict, c"get", dict_get),
    fast(Owner::Dict, c"setdefault", dict_setdefault),
    fast(Owner::Dict, c"pop", dict_pop),
    varkw(Owner::Dict, c"update", dict_update),
    fast(Owner::Dict, c"copy", dict_copy),
    fast(Owner::Dict, c"clear", dict_clear),
    fast(Owner::Str, c"strip", str_strip),
    fast(Owner::Str, c"lstrip", str_lstrip),
    fast(Owner::Str, c"rstrip", str_rstrip),
    fast(Owner::Str, c"split", str_split),
    fast(Owner::Str, c"join", str_join),
    fast(Owner::Str, c"startswith", str_startswith),
    fast(Owner::Str, c"endswith", str_endswith),
    fast(Owner::Str, c"upper", str_upper),
    fast(Owner::Str, c"lower", str_lower),
    fast(Owner::Str, c"replace", str_replace),
    fast(Owner::Str, c"find", str_find),
    fast(Owner::Set, c"add", set_add),
    fast(Owner::Set, c"discard", set_discard),
    fast(Owner::Set, c"remove", set_remove),
    fast(Owner::Set, c"clear", set_clear),
]);

unsafe extern "C" fn set_clear(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("clear", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: `s` a set.
    status(unsafe { crate::objects::set::PySet_Clear(s) })
}

/// Whether [`install`] has run (set once, under [`INSTALL`]).
static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Serialises the one installation.
static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Puts a `method_descriptor` for static definition `def` into the dict of builtin type `ty`
/// (an external immortal type): found on the type unbound (`dict.items(d)` checks that `d` is
/// a dict), bound to the instance by instance attribute lookup (`object.rs`).
pub(crate) fn install_descr(cx: &mut Thread, ty: pyopaque_runtime::ObjRef, def: *mut PyMethodDef) {
    // SAFETY: a static definition with a C string name.
    let name = unsafe { cx::cstr_lossy((*def).ml_name) };
    // An attribute the type already has in its own dict stays.
    if pyopaque_runtime::binding::type_payload(ty)
        .attrs
        .lock()
        .iter()
        .any(|(n, _)| *n == name)
    {
        return;
    }
    let d = crate::types::shim_types::alloc(
        cx,
        crate::types::shim_types::shim_types().method_descr,
        crate::types::shim_types::FuncPayload {
            self_: None,
            module: None,
            cls: None,
            def,
        },
    );
    pyopaque_runtime::refcount::incref(cx, ty);
    let dv = cx.get(d);
    // SAFETY: a fresh function payload; `ty` is immortal (the reference just taken is the
    // descriptor's, as PyDescr_NewMethod's is).
    unsafe { crate::types::shim_types::payload::<crate::types::shim_types::FuncPayload>(dv) }.cls =
        Some(ty);
    crate::types::typeobject::set_type_attr(cx, ty, &name, dv);
}

/// Makes the methods of the table (and the builtin container methods of `iterators.rs`) real
/// method descriptors in the dicts of `list`, `dict`, `str` and `set`, once per process, so
/// that `dict.items`, `str.lower`, ... are found on the type (unbound: Cython's
/// `__Pyx_CallUnboundCMethod` reads them from the type and passes self first) and on instances
/// through the ordinary type lookup (bound). Cheap after the first call (one atomic load).
pub fn ensure_installed(cx: &mut Thread) {
    if INSTALLED.load(std::sync::atomic::Ordering::Acquire) {
        return;
    }
    let _g = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if INSTALLED.load(std::sync::atomic::Ordering::Acquire) {
        return;
    }
    let st = crate::types::shim_types::shim_types();
    let rt = cx.rt.clone();
    for i in 0..N_DEFS {
        let ty = match DEFS.0[i].0 {
            Owner::List => rt.types.list,
            Owner::Dict => rt.types.dict,
            Owner::Str => rt.types.str_,
            Owner::Set => st.set,
        };
        // The definitions are never written: the `*mut` is what the descriptor stores.
        let d = std::ptr::addr_of!(DEFS.0[i].1).cast_mut();
        install_descr(cx, ty, d);
    }
    crate::objects::iterators::install_methods(cx);
    crate::objects::object_methods::install(cx);
    crate::objects::bytearray_items::install(cx);
    INSTALLED.store(true, std::sync::atomic::Ordering::Release);
}

/// Every method name of `kind` in the table.
#[cfg(test)]
fn names_for_kind(kind: Kind) -> Vec<&'static str> {
    let owner = match kind {
        Kind::List => Owner::List,
        Kind::Dict => Owner::Dict,
        Kind::Str => Owner::Str,
        _ => return Vec::new(),
    };
    DEFS.0
        .iter()
        .filter(|(o, _)| *o == owner)
        // SAFETY: static C strings.
        .map(|(_, d)| unsafe { CStr::from_ptr(d.ml_name) }.to_str().unwrap_or(""))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_name_is_unique_per_type() {
        for k in [Kind::List, Kind::Dict, Kind::Str] {
            let mut v = names_for_kind(k);
            let n = v.len();
            v.sort();
            v.dedup();
            assert_eq!(v.len(), n);
        }
    }
}
