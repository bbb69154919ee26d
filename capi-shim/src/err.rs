//! The error indicator: `PyErr_*`, exception objects and warnings.

use std::ffi::{c_char, c_int};
use std::sync::Mutex;

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::types::tpflags;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Raised, Thread, TypeObject};

use crate::cx::{
    self, arg, bad_internal_call, borrowed, cstr, harg, new_ref, new_ref_h, tname, type_error,
};
use crate::ffi::*;
use crate::{capi, cov};

/// Normalises `(type, value)` into an exception instance and sets it.
pub fn set_object(cx: &mut Thread, ty: ObjRef, value: Option<Handle>) -> Raised {
    if !cx.is_exception_type(ty) {
        let th = cx.root(ty);
        let r = crate::object::repr(cx, th)
            .ok()
            .and_then(|r| cx.str_value(cx.get(r)).map(str::to_string))
            .unwrap_or_default();
        return cx::system_error(
            cx,
            &format!("_PyErr_SetObject: exception {r} is not a BaseException subclass"),
        );
    }
    let inst = match value {
        Some(v) if cx.is_instance(cx.get(v), ty) => v,
        Some(v) => {
            let vo = cx.get(v);
            let args = if vo == cx.rt.none {
                cx.tuple(&[])
            } else if cx.kind_of(vo) == Kind::Tuple {
                v
            } else {
                cx.tuple(&[v])
            };
            cx.exception_with_args(ty, args)
        }
        None => {
            let args = cx.tuple(&[]);
            cx.exception_with_args(ty, args)
        }
    };
    cx.raise_object(inst)
}

/// `PyErr_SetString`.
///
/// # Safety
/// `ty` an exception type, `msg` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetString(ty: *mut PyObject, msg: *const c_char) {
    capi!("PyErr_SetString", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        // SAFETY: caller's contract.
        let m = unsafe { cstr(cx, msg) }?;
        let mh = cx.str(m);
        set_object(cx, t, Some(mh));
        Ok(())
    })
}

/// `PyErr_SetObject`.
///
/// # Safety
/// `ty` an exception type, `value` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetObject(ty: *mut PyObject, value: *mut PyObject) {
    capi!("PyErr_SetObject", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        // SAFETY: caller's contract.
        let v = unsafe { cx::from_c(value) }.map(|o| cx.root(o));
        set_object(cx, t, v);
        Ok(())
    })
}

/// `PyErr_SetNone`.
///
/// # Safety
/// `ty` an exception type.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetNone(ty: *mut PyObject) {
    capi!("PyErr_SetNone", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        set_object(cx, t, None);
        Ok(())
    })
}

/// `PyErr_Occurred` (borrowed type, or NULL).
#[no_mangle]
pub extern "C" fn PyErr_Occurred() -> *mut PyObject {
    capi!("PyErr_Occurred", |cx| {
        Ok(match cx.error() {
            Some(e) => {
                let t = cx.type_of(e);
                borrowed(cx, t)
            }
            None => std::ptr::null_mut(),
        })
    })
}

/// `PyErr_Clear`.
#[no_mangle]
pub extern "C" fn PyErr_Clear() {
    capi!("PyErr_Clear", |cx| {
        cx.clear_error();
        Ok(())
    })
}

/// `PyErr_Fetch`: moves the exception out (new references; NULL when none).
///
/// # Safety
/// The three pointers must be writable.
#[no_mangle]
pub unsafe extern "C" fn PyErr_Fetch(
    ptype: *mut *mut PyObject,
    pvalue: *mut *mut PyObject,
    ptb: *mut *mut PyObject,
) {
    capi!("PyErr_Fetch", |cx| {
        if ptype.is_null() || pvalue.is_null() || ptb.is_null() {
            return Err(bad_internal_call(cx));
        }
        let (t, v) = match cx.take_error() {
            Some(e) => {
                let eo = cx.get(e);
                let t = cx.type_of(eo);
                (new_ref(cx, t), new_ref(cx, eo))
            }
            None => (std::ptr::null_mut(), std::ptr::null_mut()),
        };
        // SAFETY: writable by contract.
        unsafe {
            *ptype = t;
            *pvalue = v;
            *ptb = std::ptr::null_mut();
        }
        Ok(())
    })
}

/// `PyErr_Restore`: steals the three references; NULL type clears.
///
/// # Safety
/// New references or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_Restore(ty: *mut PyObject, value: *mut PyObject, tb: *mut PyObject) {
    capi!("PyErr_Restore", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { cx::from_c(ty) };
        // SAFETY: caller's contract.
        let v = unsafe { cx::from_c(value) };
        // SAFETY: caller's contract.
        let tbo = unsafe { cx::from_c(tb) };
        let vh = v.map(|o| cx.root(o));
        let th = t.map(|o| cx.root(o));
        for o in [t, v, tbo].into_iter().flatten() {
            cx::release_c_ref(cx, o, "PyErr_Restore");
        }
        match th {
            None => cx.clear_error(),
            Some(th) => {
                let t = cx.get(th);
                set_object(cx, t, vh);
            }
        }
        Ok(())
    })
}

/// `PyErr_GetRaisedException` (new reference, clears the indicator).
#[no_mangle]
pub extern "C" fn PyErr_GetRaisedException() -> *mut PyObject {
    capi!("PyErr_GetRaisedException", |cx| {
        Ok(match cx.take_error() {
            Some(e) => new_ref_h(cx, e),
            None => std::ptr::null_mut(),
        })
    })
}

/// `PyErr_SetRaisedException` (steals; NULL clears).
///
/// # Safety
/// A new reference to an exception instance, or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetRaisedException(exc: *mut PyObject) {
    capi!("PyErr_SetRaisedException", |cx| {
        // SAFETY: caller's contract.
        match unsafe { cx::from_c(exc) } {
            None => cx.clear_error(),
            Some(o) => {
                let h = cx.root(o);
                cx::release_c_ref(cx, o, "PyErr_SetRaisedException");
                cx.raise_object(h);
            }
        }
        Ok(())
    })
}

/// `PyErr_GetHandledException`: no exception is being handled outside an interpreter loop.
#[no_mangle]
pub extern "C" fn PyErr_GetHandledException() -> *mut PyObject {
    capi!("PyErr_GetHandledException", |_cx| Ok(std::ptr::null_mut()))
}

fn matches(cx: &mut Thread, given: ObjRef, exc: ObjRef) -> bool {
    if cx.kind_of(exc) == Kind::Tuple {
        let n = cx.tuple_len(exc).unwrap_or(0);
        return (0..n).any(|i| {
            let e = cx.tuple_get(exc, i).expect("in range");
            matches(cx, given, e)
        });
    }
    let gt = if cx.kind_of(given) == Kind::Type {
        given
    } else {
        cx.type_of(given)
    };
    cx.kind_of(exc) == Kind::Type && cx.is_subtype(gt, exc)
}

/// `PyErr_GivenExceptionMatches`.
///
/// # Safety
/// Objects or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_GivenExceptionMatches(
    given: *mut PyObject,
    exc: *mut PyObject,
) -> c_int {
    capi!("PyErr_GivenExceptionMatches", |cx| {
        // SAFETY: caller's contract.
        let (Some(g), Some(e)) = (unsafe { cx::from_c(given) }, unsafe { cx::from_c(exc) }) else {
            return Ok(0);
        };
        Ok(matches(cx, g, e) as c_int)
    })
}

/// `PyErr_ExceptionMatches`.
///
/// # Safety
/// An exception type or tuple.
#[no_mangle]
pub unsafe extern "C" fn PyErr_ExceptionMatches(exc: *mut PyObject) -> c_int {
    capi!("PyErr_ExceptionMatches", |cx| {
        let Some(cur) = cx.error() else { return Ok(0) };
        // SAFETY: caller's contract.
        let Some(e) = (unsafe { cx::from_c(exc) }) else {
            return Ok(0);
        };
        Ok(matches(cx, cur, e) as c_int)
    })
}

/// `PyErr_BadArgument`: TypeError, returns 0.
#[no_mangle]
pub extern "C" fn PyErr_BadArgument() -> c_int {
    cov!("PyErr_BadArgument");
    cx::api("PyErr_BadArgument", |cx| -> PyResult<c_int> {
        type_error(cx, "bad argument type for built-in operation");
        Ok(0)
    })
}

/// `PyErr_BadInternalCall`.
#[no_mangle]
pub extern "C" fn PyErr_BadInternalCall() {
    capi!("PyErr_BadInternalCall", |cx| {
        bad_internal_call(cx);
        Ok(())
    })
}

/// `PyErr_NoMemory`: MemoryError, returns NULL.
#[no_mangle]
pub extern "C" fn PyErr_NoMemory() -> *mut PyObject {
    capi!("PyErr_NoMemory", |cx| {
        let t = cx.rt.types.exc.memory_error;
        let args = cx.tuple(&[]);
        let e = cx.exception_with_args(t, args);
        Err(cx.raise_object(e))
    })
}

/// `PyErr_SetFromErrno`: `OSError(errno, strerror)` (the subclass for the errno where CPython
/// has one), returns NULL.
///
/// # Safety
/// `ty` an exception type.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetFromErrno(ty: *mut PyObject) -> *mut PyObject {
    let e = std::io::Error::last_os_error();
    capi!("PyErr_SetFromErrno", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        let code = e.raw_os_error().unwrap_or(0);
        let msg = e.to_string();
        let msg = msg.split(" (os error").next().unwrap_or("").to_string();
        let c = cx.int(code as i64);
        let m = cx.str(&msg);
        let args = cx.tuple(&[c, m]);
        let inst = cx.exception_with_args(t, args);
        Err(cx.raise_object(inst))
    })
}

/// `PyErr_NewException`: a new exception type `module.Name` deriving from `base` (default
/// `Exception`).
///
/// # Safety
/// `name` a C string; `base` NULL, a type or tuple; `dict` NULL or a dict.
#[no_mangle]
pub unsafe extern "C" fn PyErr_NewException(
    name: *const c_char,
    base: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: forwarded contract.
    capi!("PyErr_NewException", |cx| unsafe {
        new_exception(cx, name, std::ptr::null(), base, dict)
    })
}

/// `PyErr_NewExceptionWithDoc`.
///
/// # Safety
/// As [`PyErr_NewException`]; `doc` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_NewExceptionWithDoc(
    name: *const c_char,
    doc: *const c_char,
    base: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: forwarded contract.
    capi!("PyErr_NewExceptionWithDoc", |cx| unsafe {
        new_exception(cx, name, doc, base, dict)
    })
}

unsafe fn new_exception(
    cx: &mut Thread,
    name: *const c_char,
    doc: *const c_char,
    base: *mut PyObject,
    dict: *mut PyObject,
) -> PyResult<*mut PyObject> {
    // SAFETY: caller's contract.
    let n = unsafe { cstr(cx, name) }?.to_string();
    if !n.contains('.') {
        return Err(cx::system_error(
            cx,
            "PyErr_NewException: name must be module.class",
        ));
    }
    // SAFETY: caller's contract.
    let b = match unsafe { cx::from_c(base) } {
        None => cx.rt.types.exc.exception,
        Some(b) if cx.kind_of(b) == Kind::Tuple => {
            cx.tuple_get(b, 0).unwrap_or(cx.rt.types.exc.exception)
        }
        Some(b) => b,
    };
    if !cx.is_exception_type(b) {
        return Err(type_error(cx, "base must be an exception type"));
    }
    let t = cx.rt.new_type(TypeObject::new(
        &n,
        Some(b),
        Kind::Exception,
        0,
        tpflags::BASETYPE | tpflags::BASE_EXC_SUBCLASS | tpflags::HAVE_GC | tpflags::HEAPTYPE,
    ));
    let modname = n
        .rsplit_once('.')
        .map(|x| x.0.to_string())
        .unwrap_or_default();
    let mh = cx.str(&modname);
    crate::typeobj::set_type_attr(cx, t, "__module__", cx.get(mh));
    if !doc.is_null() {
        // SAFETY: a C string.
        let d = unsafe { cx::cstr_lossy(doc) };
        let dh = cx.str(&d);
        crate::typeobj::set_type_attr(cx, t, "__doc__", cx.get(dh));
    }
    // SAFETY: caller's contract.
    if let Some(d) = unsafe { cx::from_c(dict) } {
        if cx.kind_of(d) != Kind::Dict {
            return Err(bad_internal_call(cx));
        }
        let dh = cx.root(d);
        let mut pos = 0;
        while let Some((k, v)) = cx.dict_next(cx.get(dh), &mut pos) {
            if let Some(ks) = cx.str_value(k).map(str::to_string) {
                crate::typeobj::set_type_attr(cx, t, &ks, v);
            }
        }
    }
    Ok(new_ref(cx, t))
}

/// `PyException_GetArgs`.
///
/// # Safety
/// An exception instance.
#[no_mangle]
pub unsafe extern "C" fn PyException_GetArgs(exc: *mut PyObject) -> *mut PyObject {
    capi!("PyException_GetArgs", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, exc) }?;
        let a = crate::object::getattr(cx, h, "args")?;
        Ok(new_ref_h(cx, a))
    })
}

/// `PyException_GetTraceback`: pyopaque records no tracebacks (no frames): returns NULL.
///
/// # Safety
/// An exception instance.
#[no_mangle]
pub unsafe extern "C" fn PyException_GetTraceback(exc: *mut PyObject) -> *mut PyObject {
    capi!("PyException_GetTraceback", |cx| {
        // SAFETY: caller's contract.
        unsafe { arg(cx, exc) }?;
        Ok(std::ptr::null_mut())
    })
}

/// Warnings recorded by `PyErr_WarnEx` and friends (category name, message).
pub static WARNINGS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn warn(cx: &mut Thread, category: Option<ObjRef>, msg: &str) -> PyResult<c_int> {
    let cat = category.unwrap_or(cx.rt.types.exc.runtime_warning);
    if !cx.is_exception_type(cat) || !cx.is_subtype(cat, cx.rt.types.exc.warning) {
        return Err(type_error(
            cx,
            &format!(
                "category must be a Warning subclass, not '{}'",
                tname(cx, cat)
            ),
        ));
    }
    let name = type_payload(cat).short_name().to_string();
    eprintln!("pyopaque: {name}: {msg}");
    WARNINGS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((name, msg.to_string()));
    Ok(0)
}

/// `PyErr_WarnEx`: the warning is recorded and printed to stderr (no warning filters).
///
/// # Safety
/// `category` NULL or a Warning subclass; `msg` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_WarnEx(
    category: *mut PyObject,
    msg: *const c_char,
    _stacklevel: Py_ssize_t,
) -> c_int {
    capi!("PyErr_WarnEx", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { cx::from_c(category) };
        // SAFETY: caller's contract.
        let m = unsafe { cstr(cx, msg) }?.to_string();
        warn(cx, c, &m)
    })
}

/// Rust side of `PyErr_WarnFormat`.
///
/// # Safety
/// Called from va.c with a live `va_list*`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_warn_format(
    category: *mut PyObject,
    _stacklevel: Py_ssize_t,
    fmt: *const c_char,
    ap: *mut std::ffi::c_void,
) -> c_int {
    cov!("PyErr_WarnFormat");
    cx::api("PyErr_WarnFormat", |cx| {
        // SAFETY: forwarded contract.
        let m = unsafe { crate::args::format_message(cx, fmt, ap) }?;
        // SAFETY: caller's contract.
        let c = unsafe { cx::from_c(category) };
        warn(cx, c, &m)
    })
}

/// `PyErr_Print` / `PyErr_PrintEx`: prints `Type: message` to stderr and clears.
#[no_mangle]
pub extern "C" fn PyErr_Print() {
    capi!("PyErr_Print", |cx| {
        print_error(cx);
        Ok(())
    })
}

/// `PyErr_PrintEx`.
#[no_mangle]
pub extern "C" fn PyErr_PrintEx(_set_sys_last_vars: c_int) {
    capi!("PyErr_PrintEx", |cx| {
        print_error(cx);
        Ok(())
    })
}

fn print_error(cx: &mut Thread) {
    if let Some(e) = cx.take_error() {
        let d = cx.describe_exception(e);
        eprintln!("{d}");
    }
}

/// `PyErr_WriteUnraisable`: prints and clears.
///
/// # Safety
/// `obj` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyErr_WriteUnraisable(_obj: *mut PyObject) {
    capi!("PyErr_WriteUnraisable", |cx| {
        if let Some(e) = cx.take_error() {
            let d = cx.describe_exception(e);
            eprintln!("Exception ignored: {d}");
        }
        Ok(())
    })
}

/// `PyErr_CheckSignals`: signals are not handled by pyopaque; nothing pending.
#[no_mangle]
pub extern "C" fn PyErr_CheckSignals() -> c_int {
    cov!("PyErr_CheckSignals");
    0
}

/// Rust side of `PyErr_Format`/`PyErr_FormatV`: sets `exc(message)`, returns NULL.
///
/// # Safety
/// Called from va.c with a live `va_list*`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_err_format(
    api: *const c_char,
    exc: *mut PyObject,
    fmt: *const c_char,
    ap: *mut std::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: api is a static literal in va.c.
    let which = unsafe { cx::cstr_lossy(api) };
    if which == "PyErr_Format" {
        cov!("PyErr_Format");
    } else {
        cov!("PyErr_FormatV");
    }
    cx::api("PyErr_Format", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, exc) }?;
        // SAFETY: forwarded contract.
        let m = unsafe { crate::args::format_message(cx, fmt, ap) }?;
        let mh = cx.str(&m);
        Err(set_object(cx, t, Some(mh)))
    })
}
