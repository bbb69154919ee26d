//! The `builtins` module: the builtin functions of CPython 3.11 that need no compiler, the
//! builtin types this runtime has, the exception classes and the constants. It is what
//! `PyImport_ImportModule("builtins")`, `PyEval_GetBuiltins()` and Cython's `__Pyx_GetBuiltinName`
//! see.
//!
//! The functions are C-callable (`METH_FASTCALL` / `METH_VARARGS | METH_KEYWORDS` definitions
//! in a static table) written in terms of the exported C API, so each behaves exactly as the
//! C API function it stands on (`len` is `PyObject_Size`, `repr` is `PyObject_Repr`, ...), with
//! CPython's argument errors. `eval`, `exec` and `compile` exist and raise NotImplementedError:
//! they need a compiler and an evaluation loop; so does `open` (no `io` module).

use std::ffi::{c_int, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};

use pyopaque_runtime::{Handle, Kind, PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h, type_error};
use crate::boundary::ffi::*;

use self::arg_at as a;

/// The builtins module, kept for the process (a C-held reference: pinned).
static MODULE: AtomicUsize = AtomicUsize::new(0);

/// Raises `exc_name(msg)` and returns NULL (for the C-style function bodies below).
/// Raises builtin exception `exc_name(msg)`; returns NULL.
pub(crate) fn raise(exc_name: &'static str, msg: &str) -> *mut PyObject {
    cx::api("builtins", |cx| -> PyResult<*mut PyObject> {
        let t = crate::types::shim_types::shim_types().exc_named(exc_name);
        Err(cx.raise(t, msg))
    })
}

/// CPython's TypeError message for a builtin `name` called with `n` positional arguments when
/// it takes `min..=max` (the caller has checked that `n` is outside that range).
pub(crate) fn arity_message(name: &str, n: usize, min: usize, max: usize) -> String {
    if min == max {
        if min == 0 {
            format!("{name}() takes no arguments ({n} given)")
        } else if min == 1 {
            format!("{name}() takes exactly one argument ({n} given)")
        } else {
            format!("{name} expected {min} arguments, got {n}")
        }
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        )
    }
}

/// TypeError unless `min <= n <= max` (CPython's wording for builtins).
pub(crate) fn check_nargs(name: &str, n: isize, min: isize, max: isize) -> bool {
    if n >= min && n <= max {
        return true;
    }
    let msg = arity_message(
        name,
        n.max(0) as usize,
        min.max(0) as usize,
        max.max(0) as usize,
    );
    raise("TypeError", &msg);
    false
}

/// Argument `i` of a fastcall vector.
///
/// # Safety
/// `args` holds more than `i` objects.
pub(crate) unsafe fn arg_at(args: *const *mut PyObject, i: usize) -> *mut PyObject {
    // SAFETY: caller's contract.
    unsafe { *args.add(i) }
}

/// True (and cleared) when the pending exception is an instance of builtin exception `name`.
fn take_error_if(name: &'static str) -> bool {
    cx::api("builtins", |cx| -> PyResult<c_int> {
        let t = crate::types::shim_types::shim_types().exc_named(name);
        if cx.error().is_some() && cx.error_matches(t) {
            cx.clear_error();
            Ok(1)
        } else {
            Ok(0)
        }
    }) == 1
}

/// Sets `StopIteration()` (no arguments).
fn stop_iteration() {
    let t = crate::types::shim_types::shim_types().exc_named("StopIteration");
    // SAFETY: a type symbol.
    unsafe { crate::python::errors::PyErr_SetNone(cx::to_c(t)) };
}

/// A new reference to None.
pub(crate) fn none() -> *mut PyObject {
    cx::api("builtins", |cx| -> PyResult<*mut PyObject> {
        let n = cx.rt.none;
        Ok(cx::new_ref(cx, n))
    })
}

fn pybool(v: c_int) -> *mut PyObject {
    if v < 0 {
        return std::ptr::null_mut();
    }
    crate::objects::bool_::PyBool_FromLong(v as std::ffi::c_long)
}

type Fast = unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize) -> *mut PyObject;

// ----- the functions -----

unsafe extern "C" fn b_len(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("len", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let r = unsafe { crate::r#abstract::object::PyObject_Size(a(args, 0)) };
    if r < 0 {
        return std::ptr::null_mut();
    }
    crate::objects::long::PyLong_FromSsize_t(r)
}

unsafe extern "C" fn b_repr(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("repr", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    unsafe { crate::r#abstract::object::PyObject_Repr(a(args, 0)) }
}

unsafe extern "C" fn b_ascii(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("ascii", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    unsafe { crate::r#abstract::object::PyObject_ASCII(a(args, 0)) }
}

unsafe extern "C" fn b_hash(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("hash", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let h = unsafe { crate::r#abstract::object::PyObject_Hash(a(args, 0)) };
    if h == -1 {
        return std::ptr::null_mut();
    }
    crate::objects::long::PyLong_FromSsize_t(h as isize)
}

unsafe extern "C" fn b_id(_: *mut PyObject, args: *const *mut PyObject, n: isize) -> *mut PyObject {
    if !check_nargs("id", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let o = unsafe { a(args, 0) };
    cx::api("id", |cx| {
        // SAFETY: an argument C passed.
        let obj = unsafe { cx::arg(cx, o) }?;
        // Taking the identity pins the object (its address is its id from now on).
        if !obj.is_tagged() && !pyopaque_runtime::binding::is_external(obj) {
            let _ = cx.identity_hash(obj);
        }
        let addr = cx::to_c(obj) as usize;
        let h = crate::objects::long::from_big(cx, num_bigint::BigInt::from(addr));
        Ok(new_ref_h(cx, h))
    })
}

unsafe extern "C" fn b_abs(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("abs", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    unsafe { crate::r#abstract::number::PyNumber_Absolute(a(args, 0)) }
}

unsafe extern "C" fn b_callable(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("callable", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    pybool(unsafe { crate::r#abstract::object::PyCallable_Check(a(args, 0)) })
}

unsafe extern "C" fn b_isinstance(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("isinstance", n, 2, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: two arguments.
    pybool(unsafe { crate::r#abstract::object::PyObject_IsInstance(a(args, 0), a(args, 1)) })
}

unsafe extern "C" fn b_issubclass(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("issubclass", n, 2, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: two arguments.
    pybool(unsafe { crate::r#abstract::object::PyObject_IsSubclass(a(args, 0), a(args, 1)) })
}

unsafe extern "C" fn b_getattr(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("getattr", n, 2, 3) {
        return std::ptr::null_mut();
    }
    // SAFETY: two or three arguments.
    let r = unsafe { crate::r#abstract::object::PyObject_GetAttr(a(args, 0), a(args, 1)) };
    if r.is_null() && n == 3 && take_error_if("AttributeError") {
        // SAFETY: the default argument.
        let d = unsafe { a(args, 2) };
        // SAFETY: a live argument.
        unsafe { crate::boundary::refcount::Py_IncRef(d) };
        return d;
    }
    r
}

unsafe extern "C" fn b_hasattr(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("hasattr", n, 2, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: two arguments.
    let r = unsafe { crate::r#abstract::object::PyObject_GetAttr(a(args, 0), a(args, 1)) };
    if r.is_null() {
        if take_error_if("AttributeError") {
            return pybool(0);
        }
        return std::ptr::null_mut();
    }
    // SAFETY: the reference just returned.
    unsafe { crate::boundary::refcount::Py_DecRef(r) };
    pybool(1)
}

unsafe extern "C" fn b_setattr(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("setattr", n, 3, 3) {
        return std::ptr::null_mut();
    }
    // SAFETY: three arguments.
    if unsafe { crate::r#abstract::object::PyObject_SetAttr(a(args, 0), a(args, 1), a(args, 2)) }
        < 0
    {
        return std::ptr::null_mut();
    }
    none()
}

unsafe extern "C" fn b_delattr(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("delattr", n, 2, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: two arguments.
    if unsafe { crate::r#abstract::object::PyObject_DelAttr(a(args, 0), a(args, 1)) } < 0 {
        return std::ptr::null_mut();
    }
    none()
}

unsafe extern "C" fn b_iter(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("iter", n, 1, 2) {
        return std::ptr::null_mut();
    }
    if n == 2 {
        // SAFETY: two arguments.
        return unsafe { crate::objects::iterators::PyCallIter_New(a(args, 0), a(args, 1)) };
    }
    // SAFETY: one argument.
    unsafe { crate::r#abstract::object::PyObject_GetIter(a(args, 0)) }
}

unsafe extern "C" fn b_next(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("next", n, 1, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: one or two arguments.
    let it = unsafe { a(args, 0) };
    let is_iter = cx::api("next", |cx| -> PyResult<c_int> {
        // SAFETY: an argument C passed.
        let h = unsafe { cx::harg(cx, it) }?;
        if crate::r#abstract::object::is_iterator(cx, h) {
            Ok(1)
        } else {
            let tn = cx::tname(cx, cx.get(h));
            Err(type_error(cx, &format!("'{tn}' object is not an iterator")))
        }
    });
    if is_iter != 1 {
        return std::ptr::null_mut();
    }
    // SAFETY: an iterator.
    let r = unsafe { crate::r#abstract::object::PyIter_Next(it) };
    if r.is_null() && crate::python::errors::PyErr_Occurred().is_null() {
        if n == 2 {
            // SAFETY: the default argument.
            let d = unsafe { a(args, 1) };
            // SAFETY: a live argument.
            unsafe { crate::boundary::refcount::Py_IncRef(d) };
            return d;
        }
        stop_iteration();
    }
    r
}

unsafe extern "C" fn b_divmod(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("divmod", n, 2, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: two arguments.
    unsafe { crate::r#abstract::number::PyNumber_Divmod(a(args, 0), a(args, 1)) }
}

unsafe extern "C" fn b_pow(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("pow", n, 2, 3) {
        return std::ptr::null_mut();
    }
    // SAFETY: two or three arguments; the third defaults to None.
    unsafe {
        let m = if n == 3 {
            a(args, 2)
        } else {
            cx::to_c(cx::global().rt.none)
        };
        crate::r#abstract::number::PyNumber_Power(a(args, 0), a(args, 1), m)
    }
}

unsafe fn b_base(args: *const *mut PyObject, n: isize, name: &str, base: c_int) -> *mut PyObject {
    if !check_nargs(name, n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    unsafe { crate::r#abstract::number::PyNumber_ToBase(a(args, 0), base) }
}
unsafe extern "C" fn b_bin(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { b_base(args, n, "bin", 2) }
}
unsafe extern "C" fn b_oct(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { b_base(args, n, "oct", 8) }
}
unsafe extern "C" fn b_hex(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { b_base(args, n, "hex", 16) }
}

unsafe extern "C" fn b_chr(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("chr", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let o = unsafe { a(args, 0) };
    cx::api("chr", |cx| {
        // SAFETY: an argument C passed.
        let h = unsafe { cx::harg(cx, o) }?;
        let ob = cx.get(h);
        if !matches!(cx.kind_of(ob), Kind::Int | Kind::Bool) {
            let tn = cx::tname(cx, ob);
            return Err(type_error(
                cx,
                &format!("'{tn}' object cannot be interpreted as an integer"),
            ));
        }
        let v = match crate::objects::long::int_of(cx, ob)? {
            pyopaque_runtime::objects::int::IntValue::Small(v) => v,
            _ => {
                return Err(cx::overflow_error(
                    cx,
                    "Python int too large to convert to C int",
                ))
            }
        };
        match u32::try_from(v).ok().and_then(char::from_u32) {
            Some(c) => {
                let s = cx.str(c.encode_utf8(&mut [0; 4]));
                Ok(new_ref_h(cx, s))
            }
            None if (0..=0x10ffff).contains(&v) => Err(cx::value_error(
                cx,
                "pyopaque: lone surrogates cannot be represented (strings are UTF-8)",
            )),
            None => Err(cx::value_error(cx, "chr() arg not in range(0x110000)")),
        }
    })
}

unsafe extern "C" fn b_ord(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("ord", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let o = unsafe { a(args, 0) };
    cx::api("ord", |cx| {
        // SAFETY: an argument C passed.
        let h = unsafe { cx::harg(cx, o) }?;
        let ob = cx.get(h);
        let (v, len) = if let Some(s) = cx.str_value(ob) {
            let mut it = s.chars();
            (it.next().map(|c| c as i64), s.chars().count())
        } else if cx.kind_of(ob) == Kind::Bytes {
            let b = pyopaque_runtime::objects::text::text_bytes(ob);
            (b.first().map(|x| *x as i64), b.len())
        } else {
            let tn = cx::tname(cx, ob);
            return Err(type_error(
                cx,
                &format!("ord() expected string of length 1, but {tn} found"),
            ));
        };
        if len != 1 {
            let kind = if cx.kind_of(ob) == Kind::Bytes {
                "bytes"
            } else {
                "string"
            };
            return Err(type_error(
                cx,
                &format!("ord() expected a character, but {kind} of length {len} found"),
            ));
        }
        let r = cx.int(v.expect("one character"));
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn b_format(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("format", n, 1, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: one or two arguments.
    unsafe {
        let spec = if n == 2 {
            a(args, 1)
        } else {
            std::ptr::null_mut()
        };
        crate::r#abstract::format::PyObject_Format(a(args, 0), spec)
    }
}

unsafe extern "C" fn b_dir(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("dir", n, 0, 1) {
        return std::ptr::null_mut();
    }
    if n == 0 {
        return raise(
            "RuntimeError",
            "pyopaque: dir() without an argument lists the locals of the running Python frame, \
             and this runtime runs no Python frames",
        );
    }
    // SAFETY: one argument.
    unsafe { crate::r#abstract::object::PyObject_Dir(a(args, 0)) }
}

unsafe extern "C" fn b_vars(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("vars", n, 0, 1) {
        return std::ptr::null_mut();
    }
    if n == 0 {
        return raise(
            "RuntimeError",
            "pyopaque: vars() without an argument needs the running Python frame",
        );
    }
    // SAFETY: one argument.
    let r = unsafe {
        crate::r#abstract::object::PyObject_GetAttrString(a(args, 0), c"__dict__".as_ptr())
    };
    if r.is_null() {
        crate::python::errors::PyErr_Clear();
        return raise("TypeError", "vars() argument must have __dict__ attribute");
    }
    r
}

/// Iterates `iterable`, calling `f` on each item (a new reference the callback owns); stops at
/// the first error.
///
/// # Safety
/// `iterable` an object C holds.
unsafe fn for_each(iterable: *mut PyObject, mut f: impl FnMut(*mut PyObject) -> bool) -> bool {
    // SAFETY: caller's contract.
    let it = unsafe { crate::r#abstract::object::PyObject_GetIter(iterable) };
    if it.is_null() {
        return false;
    }
    loop {
        // SAFETY: an iterator.
        let x = unsafe { crate::r#abstract::object::PyIter_Next(it) };
        if x.is_null() {
            break;
        }
        if !f(x) {
            // SAFETY: our reference to the iterator.
            unsafe { crate::boundary::refcount::Py_DecRef(it) };
            return false;
        }
    }
    // SAFETY: our reference to the iterator.
    unsafe { crate::boundary::refcount::Py_DecRef(it) };
    crate::python::errors::PyErr_Occurred().is_null()
}

unsafe fn any_all(args: *const *mut PyObject, n: isize, name: &str, want: c_int) -> *mut PyObject {
    if !check_nargs(name, n, 1, 1) {
        return std::ptr::null_mut();
    }
    let mut found = false;
    // SAFETY: one argument.
    let ok = unsafe {
        for_each(a(args, 0), |x| {
            let t = crate::r#abstract::object::PyObject_IsTrue(x);
            crate::boundary::refcount::Py_DecRef(x);
            if t < 0 {
                return false;
            }
            if t == want {
                found = true;
                return false;
            }
            true
        })
    };
    if found {
        return pybool(want);
    }
    if !ok {
        return std::ptr::null_mut();
    }
    pybool(1 - want)
}
unsafe extern "C" fn b_any(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { any_all(args, n, "any", 1) }
}
unsafe extern "C" fn b_all(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { any_all(args, n, "all", 0) }
}

unsafe extern "C" fn b_sum(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("sum", n, 1, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: one or two arguments.
    let mut acc = if n == 2 {
        // SAFETY: the start argument.
        let s = unsafe { a(args, 1) };
        let is_text = cx::api("sum", |cx| -> PyResult<c_int> {
            // SAFETY: an argument C passed.
            let o = unsafe { cx::arg(cx, s) }?;
            Ok(matches!(cx.kind_of(o), Kind::Str | Kind::Bytes) as c_int)
        });
        if is_text == 1 {
            return raise(
                "TypeError",
                "sum() can't sum strings [use ''.join(seq) instead]",
            );
        }
        // SAFETY: a live argument.
        unsafe { crate::boundary::refcount::Py_IncRef(s) };
        s
    } else {
        crate::objects::long::PyLong_FromLong(0)
    };
    // SAFETY: one argument.
    let ok = unsafe {
        for_each(a(args, 0), |x| {
            let r = crate::r#abstract::number::PyNumber_Add(acc, x);
            crate::boundary::refcount::Py_DecRef(x);
            crate::boundary::refcount::Py_DecRef(acc);
            acc = r;
            !r.is_null()
        })
    };
    if !ok {
        if !acc.is_null() {
            // SAFETY: our accumulator.
            unsafe { crate::boundary::refcount::Py_DecRef(acc) };
        }
        return std::ptr::null_mut();
    }
    acc
}

/// `min`/`max`: `op` is `Py_LT` (min) or `Py_GT` (max); `key=` and `default=` keywords.
unsafe fn min_max(
    args: *mut PyObject,
    kw: *mut PyObject,
    name: &'static str,
    op: c_int,
) -> *mut PyObject {
    cx::api(name, |cx| {
        // SAFETY: a tuple and NULL or a dict (METH_VARARGS | METH_KEYWORDS).
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        let mut key = None;
        let mut default = None;
        for (k, v) in &kws {
            match cx.str_value(cx.get(*k)) {
                Some("key") => {
                    if cx.get(*v) != cx.rt.none {
                        key = Some(*v)
                    }
                }
                Some("default") => default = Some(*v),
                Some(other) => {
                    let other = other.to_string();
                    return Err(type_error(
                        cx,
                        &format!("'{other}' is an invalid keyword argument for {name}()"),
                    ));
                }
                None => return Err(type_error(cx, "keywords must be strings")),
            }
        }
        let items: Vec<Handle> = match pos.len() {
            0 => {
                return Err(type_error(
                    cx,
                    &format!("{name} expected at least 1 argument, got 0"),
                ))
            }
            1 => {
                let it = crate::r#abstract::object::iter(cx, pos[0])?;
                let mut v = Vec::new();
                while let Some(x) = crate::r#abstract::object::next(cx, it)? {
                    v.push(x);
                }
                v
            }
            _ => {
                if default.is_some() {
                    return Err(type_error(
                        cx,
                        &format!(
                            "Cannot specify a default for {name}() with multiple positional arguments"
                        ),
                    ));
                }
                pos.clone()
            }
        };
        let mut best: Option<(Handle, Handle)> = None;
        for x in items {
            let k = match key {
                Some(f) => crate::r#abstract::call::call(cx, f, &[x], &[])?,
                None => x,
            };
            best = match best {
                None => Some((x, k)),
                Some((bx, bk)) => {
                    let r = crate::r#abstract::object::richcompare(cx, k, bk, op)?;
                    if crate::r#abstract::object::truth(cx, r)? {
                        Some((x, k))
                    } else {
                        Some((bx, bk))
                    }
                }
            };
        }
        match (best, default) {
            (Some((x, _)), _) => Ok(new_ref_h(cx, x)),
            (None, Some(d)) => Ok(new_ref_h(cx, d)),
            (None, None) => Err(cx::value_error(
                cx,
                &format!("{name}() arg is an empty sequence"),
            )),
        }
    })
}
unsafe extern "C" fn b_min(
    _: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { min_max(args, kw, "min", 0) }
}
unsafe extern "C" fn b_max(
    _: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { min_max(args, kw, "max", 4) }
}

/// `sorted(iterable, *, key=None, reverse=False)` (also behind `list.sort`).
///
/// # Safety
/// `args` a tuple, `kw` NULL or a dict.
pub(crate) unsafe extern "C" fn sorted_impl(
    _: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("sorted", |cx| {
        // SAFETY: a tuple and NULL or a dict.
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        if pos.len() != 1 {
            return Err(type_error(
                cx,
                &format!("sorted expected 1 argument, got {}", pos.len()),
            ));
        }
        let mut key = None;
        let mut reverse = false;
        for (k, v) in &kws {
            match cx.str_value(cx.get(*k)) {
                Some("key") => {
                    if cx.get(*v) != cx.rt.none {
                        key = Some(*v)
                    }
                }
                Some("reverse") => reverse = crate::r#abstract::object::truth(cx, *v)?,
                Some(other) => {
                    let other = other.to_string();
                    return Err(type_error(
                        cx,
                        &format!("'{other}' is an invalid keyword argument for sort()"),
                    ));
                }
                None => return Err(type_error(cx, "keywords must be strings")),
            }
        }
        let it = crate::r#abstract::object::iter(cx, pos[0])?;
        let mut items = Vec::new();
        while let Some(x) = crate::r#abstract::object::next(cx, it)? {
            let k = match key {
                Some(f) => crate::r#abstract::call::call(cx, f, &[x], &[])?,
                None => x,
            };
            items.push((k, x));
        }
        // A stable merge sort on Python's `<` (errors stop it and propagate).
        let mut err = None;
        let mut idx: Vec<usize> = (0..items.len()).collect();
        let mut less = |i: usize, j: usize, cx: &mut Thread| -> bool {
            if err.is_some() {
                return false;
            }
            match crate::r#abstract::object::richcompare(cx, items[i].0, items[j].0, 0)
                .and_then(|r| crate::r#abstract::object::truth(cx, r))
            {
                Ok(b) => b,
                Err(e) => {
                    err = Some(e);
                    false
                }
            }
        };
        merge_sort(&mut idx, &mut |i, j| less(i, j, cx), reverse);
        if let Some(e) = err {
            return Err(e);
        }
        let l = cx.list();
        for i in idx {
            cx.list_append(l, items[i].1)?;
        }
        Ok(new_ref_h(cx, l))
    })
}

/// Stable merge sort of `v` by `less`; `reverse` keeps stability as Python's does (equal
/// elements stay in their original order).
fn merge_sort(v: &mut Vec<usize>, less: &mut dyn FnMut(usize, usize) -> bool, reverse: bool) {
    if v.len() <= 1 {
        return;
    }
    let mid = v.len() / 2;
    let mut right = v.split_off(mid);
    merge_sort(v, less, reverse);
    merge_sort(&mut right, less, reverse);
    let left = std::mem::take(v);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let take_right = if reverse {
            less(left[i], right[j])
        } else {
            less(right[j], left[i])
        };
        if take_right {
            v.push(right[j]);
            j += 1;
        } else {
            v.push(left[i]);
            i += 1;
        }
    }
    v.extend_from_slice(&left[i..]);
    v.extend_from_slice(&right[j..]);
}

unsafe extern "C" fn b_print(
    _: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("print", |cx| {
        // SAFETY: a tuple and NULL or a dict.
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        let mut sep = " ".to_string();
        let mut end = "\n".to_string();
        let mut file = None;
        let mut flush = false;
        for (k, v) in &kws {
            let ks = cx.str_value(cx.get(*k)).map(str::to_string);
            let vo = cx.get(*v);
            let text = |cx: &mut Thread, what: &str| -> PyResult<Option<String>> {
                if vo == cx.rt.none {
                    return Ok(None);
                }
                match cx.str_value(vo) {
                    Some(s) => Ok(Some(s.to_string())),
                    None => {
                        let tn = cx::tname(cx, vo);
                        Err(type_error(
                            cx,
                            &format!("{what} must be None or a string, not {tn}"),
                        ))
                    }
                }
            };
            match ks.as_deref() {
                Some("sep") => {
                    if let Some(s) = text(cx, "sep")? {
                        sep = s
                    }
                }
                Some("end") => {
                    if let Some(s) = text(cx, "end")? {
                        end = s
                    }
                }
                Some("file") => {
                    if vo != cx.rt.none {
                        file = Some(*v)
                    }
                }
                Some("flush") => flush = crate::r#abstract::object::truth(cx, *v)?,
                Some(other) => {
                    let other = other.to_string();
                    return Err(type_error(
                        cx,
                        &format!("'{other}' is an invalid keyword argument for print()"),
                    ));
                }
                None => return Err(type_error(cx, "keywords must be strings")),
            }
        }
        let mut out = String::new();
        for (i, p) in pos.iter().enumerate() {
            if i > 0 {
                out.push_str(&sep);
            }
            let s = crate::r#abstract::object::str_(cx, *p)?;
            out.push_str(cx.str_value(cx.get(s)).unwrap_or(""));
        }
        out.push_str(&end);
        match file {
            Some(f) => {
                let s = cx.str(&out);
                crate::r#abstract::call::call_method(cx, f, "write", &[s])?;
                if flush {
                    crate::r#abstract::call::call_method(cx, f, "flush", &[])?;
                }
            }
            None => {
                use std::io::Write;
                let mut so = std::io::stdout().lock();
                let _ = so.write_all(out.as_bytes());
                if flush {
                    let _ = so.flush();
                }
            }
        }
        let n = cx.rt.none;
        Ok(cx::new_ref(cx, n))
    })
}

unsafe extern "C" fn b_round(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("round", n, 1, 2) {
        return std::ptr::null_mut();
    }
    // SAFETY: one or two arguments.
    let (x, nd) = unsafe {
        (
            a(args, 0),
            if n == 2 {
                a(args, 1)
            } else {
                std::ptr::null_mut()
            },
        )
    };
    cx::api("round", |cx| {
        // SAFETY: arguments C passed.
        let xh = unsafe { cx::harg(cx, x) }?;
        // SAFETY: as above.
        let ndigits = match unsafe { cx::from_c(nd) } {
            Some(o) if o != cx.rt.none => {
                if !matches!(cx.kind_of(o), Kind::Int | Kind::Bool) {
                    let tn = cx::tname(cx, o);
                    return Err(type_error(
                        cx,
                        &format!("'{tn}' object cannot be interpreted as an integer"),
                    ));
                }
                match crate::objects::long::int_of(cx, o)? {
                    pyopaque_runtime::objects::int::IntValue::Small(v) => Some(v),
                    _ => {
                        return Err(cx::overflow_error(
                            cx,
                            "Python int too large to convert to C ssize_t",
                        ))
                    }
                }
            }
            _ => None,
        };
        let xo = cx.get(xh);
        match cx.kind_of(xo) {
            Kind::Float => {
                let f = cx.float_value_of(xo)?.expect("a float");
                match ndigits {
                    None => {
                        if f.is_nan() {
                            return Err(cx::value_error(cx, "cannot convert float NaN to integer"));
                        }
                        if f.is_infinite() {
                            return Err(cx::overflow_error(
                                cx,
                                "cannot convert float infinity to integer",
                            ));
                        }
                        let r = cx.float(round_half_even(f));
                        let h = crate::r#abstract::number::to_int(cx, r)?;
                        Ok(new_ref_h(cx, h))
                    }
                    Some(d) => {
                        let r = round_to_digits(f, d);
                        let h = cx.float(r);
                        Ok(new_ref_h(cx, h))
                    }
                }
            }
            Kind::Int | Kind::Bool => match ndigits {
                None | Some(0..) => {
                    let h = crate::r#abstract::number::to_int(cx, xh)?;
                    Ok(new_ref_h(cx, h))
                }
                Some(d) => {
                    use num_integer::Integer;
                    let v = crate::objects::long::int_of(cx, xo)?.to_big();
                    let p = num_bigint::BigInt::from(10u32).pow((-d).min(4000) as u32);
                    let (q, r) = v.div_mod_floor(&p);
                    let twice = &r * 2;
                    let q = if twice > p || (twice == p && q.is_odd()) {
                        q + 1
                    } else {
                        q
                    };
                    let h = crate::objects::long::from_big(cx, q * p);
                    Ok(new_ref_h(cx, h))
                }
            },
            _ => {
                let tn = cx::tname(cx, xo);
                match crate::r#abstract::object::getattr_opt(cx, xh, "__round__")? {
                    Some(m) => {
                        let r = match ndigits {
                            Some(d) => {
                                let dh = cx.int(d);
                                crate::r#abstract::call::call(cx, m, &[dh], &[])?
                            }
                            None => crate::r#abstract::call::call(cx, m, &[], &[])?,
                        };
                        Ok(new_ref_h(cx, r))
                    }
                    None => Err(type_error(
                        cx,
                        &format!("type {tn} doesn't define __round__ method"),
                    )),
                }
            }
        }
    })
}

/// Round half to even (Python 3's `round(x)`).
fn round_half_even(f: f64) -> f64 {
    let r = f.round();
    if (f - f.trunc()).abs() == 0.5 {
        2.0 * (f / 2.0).round()
    } else {
        r
    }
}

/// `round(f, d)`: the float nearest to the decimal rounding of `f` at `d` digits, half to even
/// on the exact binary value (what CPython's correctly rounded `round` gives).
fn round_to_digits(f: f64, d: i64) -> f64 {
    if !f.is_finite() || d > 340 {
        return f;
    }
    if d >= 0 {
        // Rust's formatting rounds the exact binary value correctly (ties to even).
        return format!("{f:.*}", d as usize).parse().unwrap_or(f);
    }
    let p = 10f64.powi((-d).min(308) as i32);
    round_half_even(f / p) * p
}

unsafe extern "C" fn b_import(
    _: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("__import__", |cx| {
        // SAFETY: a tuple and NULL or a dict.
        let (pos, _kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        let Some(n) = pos.first() else {
            return Err(type_error(
                cx,
                "__import__() missing required argument 'name' (pos 1)",
            ));
        };
        let Some(name) = cx.str_value(cx.get(*n)).map(str::to_string) else {
            let tn = cx::tname(cx, cx.get(*n));
            return Err(type_error(
                cx,
                &format!("__import__() argument 1 must be str, not {tn}"),
            ));
        };
        let m = crate::python::import::import(cx, &name)?;
        // Without a fromlist, `__import__('a.b')` returns the top-level package.
        let top = name.split('.').next().unwrap_or(&name).to_string();
        let has_fromlist = match pos.get(3) {
            Some(f) => cx.get(*f) != cx.rt.none && crate::r#abstract::object::truth(cx, *f)?,
            None => false,
        };
        if !has_fromlist && top != name {
            let t = crate::python::import::import(cx, &top)?;
            return Ok(new_ref_h(cx, t));
        }
        Ok(new_ref_h(cx, m))
    })
}

fn no_compiler(name: &str) -> *mut PyObject {
    raise(
        "NotImplementedError",
        &format!(
            "pyopaque: {name}() needs a Python compiler and an evaluation loop, which this \
             runtime does not have"
        ),
    )
}
unsafe extern "C" fn b_eval(_: *mut PyObject, _: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    no_compiler("eval")
}
unsafe extern "C" fn b_exec(_: *mut PyObject, _: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    no_compiler("exec")
}
unsafe extern "C" fn b_compile(
    _: *mut PyObject,
    _: *mut PyObject,
    _: *mut PyObject,
) -> *mut PyObject {
    no_compiler("compile")
}

/// `open()`: file objects are made by the `io` module, which is Python source in CPython and
/// absent here (as for `PyFile_FromFd`), so the builtin exists (a module that only mentions it
/// loads) and a call raises NotImplementedError saying why.
unsafe extern "C" fn b_open(_: *mut PyObject, _: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    raise(
        "NotImplementedError",
        "pyopaque: open() makes io file objects, and the io module (Python source in CPython) \
         is not available in this runtime",
    )
}

// ----- the table -----

struct Defs([PyMethodDef; N_DEFS]);
// SAFETY: immutable static data (C strings and function pointers), never written.
unsafe impl Sync for Defs {}

const fn fast(name: &'static CStr, f: Fast) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: a fastcall function stored as the generic pointer, as C does; METH_FASTCALL
        // tells the caller how to call it back.
        ml_meth: Some(unsafe { std::mem::transmute::<Fast, RawFn>(f) }),
        ml_flags: METH_FASTCALL,
        ml_doc: std::ptr::null(),
    }
}

type VarKw = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
const fn varkw(name: &'static CStr, f: VarKw) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: as in `fast`; METH_VARARGS | METH_KEYWORDS selects this signature.
        ml_meth: Some(unsafe { std::mem::transmute::<VarKw, RawFn>(f) }),
        ml_flags: METH_VARARGS | METH_KEYWORDS,
        ml_doc: std::ptr::null(),
    }
}

static DEFS: Defs = Defs([
    fast(c"abs", b_abs),
    fast(c"all", b_all),
    fast(c"any", b_any),
    fast(c"ascii", b_ascii),
    fast(c"bin", b_bin),
    fast(c"callable", b_callable),
    fast(c"chr", b_chr),
    varkw(c"compile", b_compile),
    fast(c"delattr", b_delattr),
    fast(c"dir", b_dir),
    fast(c"divmod", b_divmod),
    varkw(c"eval", b_eval),
    varkw(c"exec", b_exec),
    varkw(c"open", b_open),
    fast(c"format", b_format),
    fast(c"getattr", b_getattr),
    fast(c"hasattr", b_hasattr),
    fast(c"hash", b_hash),
    fast(c"hex", b_hex),
    fast(c"id", b_id),
    fast(c"isinstance", b_isinstance),
    fast(c"issubclass", b_issubclass),
    fast(c"iter", b_iter),
    fast(c"len", b_len),
    varkw(c"max", b_max),
    varkw(c"min", b_min),
    fast(c"next", b_next),
    fast(c"oct", b_oct),
    fast(c"ord", b_ord),
    fast(c"pow", b_pow),
    varkw(c"print", b_print),
    fast(c"repr", b_repr),
    fast(c"round", b_round),
    fast(c"setattr", b_setattr),
    varkw(c"sorted", sorted_impl),
    fast(c"sum", b_sum),
    fast(c"vars", b_vars),
    varkw(c"__import__", b_import),
]);

/// Number of real entries in [`DEFS`].
const N_DEFS: usize = 38;

/// The `builtins` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    let cur = MODULE.load(Ordering::Acquire);
    if cur != 0 {
        // SAFETY: the address of the pinned module this function stored.
        let o = unsafe { cx::from_c(cur as *mut PyObject) }.expect("non-null");
        return Ok(cx.root(o));
    }
    let m = crate::python::module::new_module(cx, "builtins", std::ptr::null_mut())?;
    let g = crate::types::shim_types::shim_types();
    let rt = cx.rt.clone();
    let put = |cx: &mut Thread, name: &str, v: Handle| -> PyResult<()> {
        crate::r#abstract::object::setattr(cx, m, name, Some(v))
    };
    for i in 0..N_DEFS {
        // The definitions are never written: the `*mut` is what the function type stores.
        let d = std::ptr::addr_of!(DEFS.0[i]).cast_mut();
        // SAFETY: a static definition with a C string name.
        let name = unsafe { cx::cstr_lossy((*d).ml_name) };
        let f = crate::r#abstract::call::new_cfunction(cx, d, None, Some(m), None);
        put(cx, &name, f)?;
    }
    let types = [
        ("object", rt.types.object),
        ("type", rt.types.type_),
        ("int", rt.types.int),
        ("bool", rt.types.bool_),
        ("float", rt.types.float),
        ("str", rt.types.str_),
        ("bytes", rt.types.bytes),
        ("tuple", rt.types.tuple),
        ("list", rt.types.list),
        ("dict", rt.types.dict),
        ("set", g.set),
        ("frozenset", g.frozenset),
        ("bytearray", g.bytearray),
        ("complex", g.complex),
        ("slice", g.slice),
        ("memoryview", g.memoryview),
        ("range", g.lazy.range),
        ("enumerate", g.lazy.enumerate),
        ("zip", g.lazy.zip),
        ("map", g.lazy.map),
        ("filter", g.lazy.filter),
        ("reversed", g.lazy.reversed),
    ];
    for (n, t) in types {
        let h = cx.root(t);
        put(cx, n, h)?;
    }
    let dt = crate::types::builtin_descriptors::types(cx)?;
    for (n, t) in [
        ("property", dt.property),
        ("classmethod", dt.classmethod),
        ("staticmethod", dt.staticmethod),
        ("super", dt.super_),
    ] {
        // SAFETY: the address of a type object made by `builtin_descriptors`.
        let o = unsafe { cx::from_c(t as *mut PyObject) }.expect("a type");
        let h = cx.root(o);
        put(cx, n, h)?;
    }
    for (n, t) in g.exc.iter() {
        let h = cx.root(*t);
        put(cx, n, h)?;
    }
    let consts = [
        ("None", rt.none),
        ("True", rt.true_),
        ("False", rt.false_),
        ("NotImplemented", rt.not_implemented),
        ("Ellipsis", rt.ellipsis),
        ("__debug__", rt.true_),
    ];
    for (n, v) in consts {
        let h = cx.root(v);
        put(cx, n, h)?;
    }
    let p = new_ref_h(cx, m);
    MODULE.store(p as usize, Ordering::Release);
    Ok(m)
}

/// The `types` module, restricted to the types this runtime has (created on first use, then
/// kept for the process): `MethodType` (the bound method of `builtin_descriptors`, which
/// Cython's limited-API function binding calls), `BuiltinFunctionType`/`BuiltinMethodType`,
/// `ModuleType`, `MappingProxyType`, `GenericAlias`, `MethodDescriptorType`,
/// `ClassMethodDescriptorType`, `MemberDescriptorType`, `GetSetDescriptorType`, `NoneType`,
/// `NotImplementedType`, `EllipsisType`, `CodeType` (`code_objects.rs`). Missing (AttributeError):
/// `FunctionType`,
/// `FrameType`, `TracebackType`, `GeneratorType`, `SimpleNamespace`, `new_class`, ... (they
/// need the interpreter's function, code and frame objects, or are not written yet).
pub fn types_module(cx: &mut Thread) -> PyResult<Handle> {
    let cur = TYPES_MODULE.load(Ordering::Acquire);
    if cur != 0 {
        // SAFETY: the address of the pinned module this function stored.
        let o = unsafe { cx::from_c(cur as *mut PyObject) }.expect("non-null");
        return Ok(cx.root(o));
    }
    let m = crate::python::module::new_module(cx, "types", std::ptr::null_mut())?;
    let g = crate::types::shim_types::shim_types();
    let rt = cx.rt.clone();
    let dt = crate::types::builtin_descriptors::types(cx)?;
    // SAFETY: the address of a type object made by `builtin_descriptors`.
    let method = unsafe { cx::from_c(dt.method as *mut PyObject) }.expect("a type");
    let entries = [
        ("MethodType", method),
        ("BuiltinFunctionType", g.cfunction),
        ("BuiltinMethodType", g.cfunction),
        ("ModuleType", g.module),
        ("MappingProxyType", g.mappingproxy),
        ("GenericAlias", g.generic_alias),
        ("MethodDescriptorType", g.method_descr),
        ("ClassMethodDescriptorType", g.classmethod_descr),
        ("MemberDescriptorType", g.member_descr),
        ("GetSetDescriptorType", g.getset_descr),
        ("NoneType", cx.type_of(rt.none)),
        ("NotImplementedType", cx.type_of(rt.not_implemented)),
        ("EllipsisType", cx.type_of(rt.ellipsis)),
    ];
    for (n, t) in entries {
        let h = cx.root(t);
        crate::r#abstract::object::setattr(cx, m, n, Some(h))?;
    }
    let code = crate::python::code_objects::code_type(cx)?;
    crate::r#abstract::object::setattr(cx, m, "CodeType", Some(code))?;
    let p = new_ref_h(cx, m);
    TYPES_MODULE.store(p as usize, Ordering::Release);
    Ok(m)
}

/// The `types` module, kept for the process.
static TYPES_MODULE: AtomicUsize = AtomicUsize::new(0);

/// The `builtins` module's dict (what `PyEval_GetBuiltins` returns, borrowed).
pub fn builtins_dict(cx: &mut Thread) -> PyResult<Handle> {
    let m = module(cx)?;
    // SAFETY: a module object.
    let d = unsafe {
        crate::types::shim_types::payload::<crate::types::shim_types::ModulePayload>(cx.get(m))
    }
    .dict
    .expect("module dict");
    Ok(cx.root(d))
}
