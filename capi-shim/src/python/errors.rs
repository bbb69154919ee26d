//! The error indicator: `PyErr_*`, exception objects and warnings.

use std::ffi::{c_char, c_int};
use std::sync::Mutex;

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::types::tpflags;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Raised, Thread, TypeObject};

use crate::boundary::cx::{
    self, arg, bad_internal_call, borrowed, cstr, harg, new_ref, new_ref_h, tname, type_error,
};
use crate::boundary::ffi::*;
use crate::types::shim_types::shim_types;
use crate::{capi, cov};

/// Normalises `(type, value)` into an exception instance and sets it.
pub fn set_object(cx: &mut Thread, ty: ObjRef, value: Option<Handle>) -> Raised {
    if !cx.is_exception_type(ty) {
        let th = cx.root(ty);
        let r = crate::r#abstract::object::repr(cx, th)
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
            if let Err(r) = crate::objects::exceptions::check_constructor_args(cx, ty, args) {
                return r;
            }
            cx.exception_with_args(ty, args)
        }
        None => {
            let args = cx.tuple(&[]);
            if let Err(r) = crate::objects::exceptions::check_constructor_args(cx, ty, args) {
                return r;
            }
            cx.exception_with_args(ty, args)
        }
    };
    if let Some(handled) = HANDLED.with(|h| h.get()) {
        // Implicit chaining, as CPython's _PyErr_SetObject: raised while handling `handled`.
        let io = cx.get(inst);
        crate::objects::exceptions::chain_implicit_context(cx, io, handled);
    }
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
    crate::capi_lean!(
        "PyErr_Occurred",
        // The common answer, no exception set, needs no handle scope.
        |cx| cx.error().is_none().then_some(std::ptr::null_mut()),
        |cx| {
            Ok(match cx.error() {
                Some(e) => {
                    let t = cx.type_of(e);
                    borrowed(cx, t)
                }
                None => std::ptr::null_mut(),
            })
        }
    )
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

/// The OSError subclass CPython's `OSError.__new__` picks for `errno`.
fn errno_subclass(code: i32) -> Option<&'static str> {
    Some(match code {
        libc::EAGAIN | libc::EALREADY | libc::EINPROGRESS => "BlockingIOError",
        libc::ECHILD => "ChildProcessError",
        libc::EPIPE | libc::ESHUTDOWN => "BrokenPipeError",
        libc::ECONNABORTED => "ConnectionAbortedError",
        libc::ECONNREFUSED => "ConnectionRefusedError",
        libc::ECONNRESET => "ConnectionResetError",
        libc::EEXIST => "FileExistsError",
        libc::ENOENT => "FileNotFoundError",
        libc::EISDIR => "IsADirectoryError",
        libc::ENOTDIR => "NotADirectoryError",
        libc::EINTR => "InterruptedError",
        libc::EACCES | libc::EPERM => "PermissionError",
        libc::ESRCH => "ProcessLookupError",
        libc::ETIMEDOUT => "TimeoutError",
        _ => return None,
    })
}

/// Raises `ty(errno, strerror[, filename[, 0, filename2]])` for `code` (CPython's
/// `PyErr_SetFromErrnoWithFilenameObjects`): the errno's OSError subclass when `ty` is OSError.
fn set_from_errno(
    cx: &mut Thread,
    ty: ObjRef,
    code: i32,
    f1: Option<Handle>,
    f2: Option<Handle>,
) -> Raised {
    if cx.kind_of(ty) != Kind::Type {
        // CPython calls `ty(errno, strerror, ...)`: an instance is not callable.
        let msg = format!("'{}' object is not callable", tname(cx, ty));
        return type_error(cx, &msg);
    }
    if !cx.is_exception_type(ty) {
        let msg = format!(
            "exceptions must derive from BaseException, not {}",
            type_payload(ty).short_name()
        );
        return type_error(cx, &msg);
    }
    let msg = if code != 0 {
        // SAFETY: strerror returns a static or thread-local C string.
        unsafe { cx::cstr_lossy(libc::strerror(code)) }
    } else {
        "Error".to_string()
    };
    let t = if ty == cx.rt.types.exc.os_error {
        errno_subclass(code).map_or(ty, |n| shim_types().exc_named(n))
    } else {
        ty
    };
    let c = cx.int(code as i64);
    let m = cx.str(&msg);
    let mut items = vec![c, m];
    if let Some(f) = f1 {
        items.push(f);
        if let Some(g) = f2 {
            items.push(cx.int(0));
            items.push(g);
        }
    }
    let args = cx.tuple(&items);
    if let Err(r) = crate::objects::exceptions::check_constructor_args(cx, t, args) {
        return r;
    }
    let inst = cx.exception_with_args(t, args);
    cx.raise_object(inst)
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `PyErr_SetFromErrno`: `OSError(errno, strerror)` (the subclass for the errno where CPython
/// has one), returns NULL.
///
/// # Safety
/// `ty` an exception type.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetFromErrno(ty: *mut PyObject) -> *mut PyObject {
    let code = last_errno();
    capi!("PyErr_SetFromErrno", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        Err(set_from_errno(cx, t, code, None, None))
    })
}

/// `PyErr_SetFromErrnoWithFilename` (filename decoded as UTF-8; NULL: none).
///
/// # Safety
/// `ty` an exception type; `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetFromErrnoWithFilename(
    ty: *mut PyObject,
    filename: *const c_char,
) -> *mut PyObject {
    let code = last_errno();
    capi!("PyErr_SetFromErrnoWithFilename", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        let f = if filename.is_null() {
            None
        } else {
            // SAFETY: a C string.
            let s = unsafe { cstr(cx, filename) }?.to_string();
            Some(cx.str(&s))
        };
        Err(set_from_errno(cx, t, code, f, None))
    })
}

/// `PyErr_SetFromErrnoWithFilenameObject`.
///
/// # Safety
/// `ty` an exception type; `f` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetFromErrnoWithFilenameObject(
    ty: *mut PyObject,
    f: *mut PyObject,
) -> *mut PyObject {
    let code = last_errno();
    capi!("PyErr_SetFromErrnoWithFilenameObject", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        // SAFETY: caller's contract.
        let f = unsafe { cx::from_c(f) }.map(|o| cx.root(o));
        Err(set_from_errno(cx, t, code, f, None))
    })
}

/// `PyErr_SetFromErrnoWithFilenameObjects`.
///
/// # Safety
/// `ty` an exception type; `f`, `g` NULL or objects.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetFromErrnoWithFilenameObjects(
    ty: *mut PyObject,
    f: *mut PyObject,
    g: *mut PyObject,
) -> *mut PyObject {
    let code = last_errno();
    capi!("PyErr_SetFromErrnoWithFilenameObjects", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        // SAFETY: caller's contract.
        let f = unsafe { cx::from_c(f) }.map(|o| cx.root(o));
        // SAFETY: caller's contract.
        let g = unsafe { cx::from_c(g) }.map(|o| cx.root(o));
        Err(set_from_errno(cx, t, code, f, g))
    })
}

/// `PyErr_ProgramText`: line `lineno` (1-based) of the file, or NULL without an exception.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_ProgramText(
    filename: *const c_char,
    lineno: c_int,
) -> *mut PyObject {
    capi!("PyErr_ProgramText", |cx| {
        if filename.is_null() || lineno <= 0 {
            return Ok(std::ptr::null_mut());
        }
        // SAFETY: a C string.
        let f = unsafe { cx::cstr_lossy(filename) };
        let Ok(data) = std::fs::read(&f) else {
            return Ok(std::ptr::null_mut());
        };
        let Some(line) = data
            .split_inclusive(|b| *b == b'\n')
            .nth(lineno as usize - 1)
        else {
            return Ok(std::ptr::null_mut());
        };
        let s = String::from_utf8_lossy(line).into_owned();
        let h = cx.str(&s);
        Ok(new_ref_h(cx, h))
    })
}

// ----- the handled exception (sys.exception()) -----

thread_local! {
    /// The exception being handled (a C-held reference: pinned), set from C.
    static HANDLED: std::cell::Cell<Option<ObjRef>> = const { std::cell::Cell::new(None) };
}

fn set_handled(cx: &mut Thread, v: Option<ObjRef>) {
    let v = v.filter(|o| *o != cx.rt.none);
    let old = HANDLED.with(|h| h.replace(v));
    if let Some(o) = old {
        cx::release_c_ref(cx, o, "PyErr_SetHandledException");
    }
}

/// `PyErr_GetHandledException`: the exception set by `PyErr_SetHandledException`/
/// `PyErr_SetExcInfo` (new reference), or NULL. No interpreter loop handles exceptions, so it
/// is NULL unless C set one.
#[no_mangle]
pub extern "C" fn PyErr_GetHandledException() -> *mut PyObject {
    capi!("PyErr_GetHandledException", |cx| {
        Ok(match HANDLED.with(|h| h.get()) {
            Some(e) => new_ref(cx, e),
            None => std::ptr::null_mut(),
        })
    })
}

/// `PyErr_SetHandledException` (does not steal; NULL or None clears).
///
/// # Safety
/// NULL or an exception instance C holds.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetHandledException(exc: *mut PyObject) {
    capi!("PyErr_SetHandledException", |cx| {
        // SAFETY: caller's contract.
        let e = unsafe { cx::from_c(exc) };
        if let Some(o) = e {
            pyopaque_runtime::refcount::c_incref(cx, o);
        }
        set_handled(cx, e);
        Ok(())
    })
}

/// `PyErr_GetExcInfo`: (type, value, traceback) of the handled exception as new references;
/// type and traceback are None when no exception is handled (no tracebacks: always None).
///
/// # Safety
/// Three writable pointers.
#[no_mangle]
pub unsafe extern "C" fn PyErr_GetExcInfo(
    ptype: *mut *mut PyObject,
    pvalue: *mut *mut PyObject,
    ptb: *mut *mut PyObject,
) {
    capi!("PyErr_GetExcInfo", |cx| {
        if ptype.is_null() || pvalue.is_null() || ptb.is_null() {
            return Err(bad_internal_call(cx));
        }
        let none = cx.rt.none;
        let (t, v) = match HANDLED.with(|h| h.get()) {
            Some(e) => {
                let t = cx.type_of(e);
                (new_ref(cx, t), new_ref(cx, e))
            }
            None => (new_ref(cx, none), new_ref(cx, none)),
        };
        let tb = new_ref(cx, none);
        // SAFETY: writable by contract.
        unsafe {
            *ptype = t;
            *pvalue = v;
            *ptb = tb;
        }
        Ok(())
    })
}

/// `PyErr_SetExcInfo`: steals the three references; the value becomes the handled exception.
///
/// # Safety
/// New references or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetExcInfo(
    ty: *mut PyObject,
    value: *mut PyObject,
    tb: *mut PyObject,
) {
    capi!("PyErr_SetExcInfo", |cx| {
        // SAFETY: caller's contract.
        let (t, v, b) = unsafe { (cx::from_c(ty), cx::from_c(value), cx::from_c(tb)) };
        for o in [t, b].into_iter().flatten() {
            cx::release_c_ref(cx, o, "PyErr_SetExcInfo");
        }
        // The value's reference is kept as the handled exception's pin.
        match v {
            Some(o) if o == cx.rt.none => {
                cx::release_c_ref(cx, o, "PyErr_SetExcInfo");
                set_handled(cx, None);
            }
            other => set_handled(cx, other),
        }
        Ok(())
    })
}

/// `PyErr_NormalizeException`: turns `(type, value)` into `(type, instance)`.
///
/// # Safety
/// Three read/writable pointers holding new references or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_NormalizeException(
    ptype: *mut *mut PyObject,
    pvalue: *mut *mut PyObject,
    _ptb: *mut *mut PyObject,
) {
    capi!("PyErr_NormalizeException", |cx| {
        if ptype.is_null() || pvalue.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: readable by contract.
        let Some(t) = (unsafe { cx::from_c(*ptype) }) else {
            return Ok(());
        };
        // SAFETY: readable by contract.
        let v = unsafe { cx::from_c(*pvalue) };
        if !cx.is_exception_type(t) {
            return Ok(());
        }
        if let Some(vo) = v {
            if cx.kind_of(vo) == Kind::Exception && cx.is_instance(vo, t) {
                return Ok(());
            }
        }
        let vh = v.map(|o| cx.root(o));
        let th = cx.root(t);
        let saved = cx.take_error();
        set_object(cx, t, vh);
        let inst = cx.take_error().expect("set_object raised");
        if let Some(s) = saved {
            cx.raise_object(s);
        }
        let io = cx.get(inst);
        if cx.type_of(io) != cx.get(th) {
            // A non-exception type was rejected: leave the pair as it was.
            return Ok(());
        }
        if let Some(o) = vh.map(|h| cx.get(h)) {
            cx::release_c_ref(cx, o, "PyErr_NormalizeException");
        }
        let p = new_ref_h(cx, inst);
        // SAFETY: writable by contract.
        unsafe { *pvalue = p };
        Ok(())
    })
}

// ----- interrupts -----

static INTERRUPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `PyErr_SetInterruptEx`: SIGINT is "handled" by raising KeyboardInterrupt at the next
/// `PyErr_CheckSignals` (CPython's default handler); other valid signals have no Python handler
/// (ignored). -1 for an invalid signal number (no exception).
#[no_mangle]
pub extern "C" fn PyErr_SetInterruptEx(signum: c_int) -> c_int {
    cov!("PyErr_SetInterruptEx");
    if !(1..65).contains(&signum) {
        return -1;
    }
    if signum == libc::SIGINT {
        INTERRUPT.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    0
}

/// `PyErr_SetInterrupt`: `PyErr_SetInterruptEx(SIGINT)`.
#[no_mangle]
pub extern "C" fn PyErr_SetInterrupt() {
    cov!("PyErr_SetInterrupt");
    INTERRUPT.store(true, std::sync::atomic::Ordering::SeqCst);
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
    // The docstring is decoded first, as in CPython: invalid UTF-8 there raises
    // UnicodeDecodeError before the name is looked at.
    let d = if doc.is_null() {
        None
    } else {
        // SAFETY: a C string by the caller's contract.
        Some(unsafe { cstr(cx, doc) }?.to_string())
    };
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
    crate::types::type_namespace::on_new_type(cx, t)?;
    let modname = n
        .rsplit_once('.')
        .map(|x| x.0.to_string())
        .unwrap_or_default();
    let mh = cx.str(&modname);
    crate::types::typeobject::set_type_attr(cx, t, "__module__", cx.get(mh));
    if let Some(d) = d {
        let dh = cx.str(&d);
        crate::types::typeobject::set_type_attr(cx, t, "__doc__", cx.get(dh));
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
                crate::types::typeobject::set_type_attr(cx, t, &ks, v);
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
        let a = crate::r#abstract::object::getattr(cx, h, "args")?;
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

/// Records and prints a warning of `category` (default RuntimeWarning): no warning filters.
pub(crate) fn warn(cx: &mut Thread, category: Option<ObjRef>, msg: &str) -> PyResult<c_int> {
    let cat = category.unwrap_or(cx.rt.types.exc.runtime_warning);
    // CPython instantiates any exception class given as the category (non-Warning ones too).
    if !cx.is_exception_type(cat) {
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
        let m = unsafe { crate::python::args::format_message(cx, fmt, ap) }?;
        // SAFETY: caller's contract.
        let c = unsafe { cx::from_c(category) };
        warn(cx, c, &m)
    })
}

/// Rust side of `PyErr_ResourceWarning(source, stacklevel, format, ...)`: a formatted
/// ResourceWarning, recorded and printed like `PyErr_WarnEx` (`source` is not used: no warnings
/// module). Needs a `va.c` trampoline to be exported.
///
/// # Safety
/// Called from va.c with a live `va_list*`.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_resource_warning(
    _source: *mut PyObject,
    _stacklevel: Py_ssize_t,
    fmt: *const c_char,
    ap: *mut std::ffi::c_void,
) -> c_int {
    cov!("PyErr_ResourceWarning");
    cx::api("PyErr_ResourceWarning", |cx| {
        // SAFETY: forwarded contract.
        let m = unsafe { crate::python::args::format_message(cx, fmt, ap) }?;
        let c = shim_types().exc_named("ResourceWarning");
        warn(cx, Some(c), &m)
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
        let eo = cx.get(e);
        if cx.is_instance(eo, cx.rt.types.exc.system_exit) {
            // CPython's handle_system_exit: exit with the code (None: 0; int; else print, 1).
            let code = exception_args_first(cx, eo);
            let status = match code {
                None => 0,
                Some(c) if c == cx.rt.none => 0,
                Some(c) => match cx.int_as_i64(c).ok().flatten() {
                    Some(v) => v as i32,
                    None => {
                        let ch = cx.root(c);
                        let s = cx.str_of(ch).unwrap_or_default();
                        eprintln!("{s}");
                        1
                    }
                },
            };
            std::process::exit(status);
        }
        display(cx, e);
    }
}

fn exception_args_first(cx: &Thread, e: ObjRef) -> Option<ObjRef> {
    let a = pyopaque_runtime::capi_support::exception_args(e)?;
    cx.tuple_get(a, 0)
}

/// Prints `Type: message` for an exception (no traceback: pyopaque has no frames).
fn display(cx: &mut Thread, e: Handle) {
    let d = cx.describe_exception(e);
    eprintln!("{d}");
}

/// `PyErr_Display`: prints `value` (or `type`) as `Type: message` to stderr.
///
/// # Safety
/// Objects or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_Display(
    ty: *mut PyObject,
    value: *mut PyObject,
    _tb: *mut PyObject,
) {
    capi!("PyErr_Display", |cx| {
        // SAFETY: caller's contract.
        let (t, v) = unsafe { (cx::from_c(ty), cx::from_c(value)) };
        match (v, t) {
            (Some(v), _) if cx.kind_of(v) == Kind::Exception => {
                let h = cx.root(v);
                display(cx, h);
            }
            (v, Some(t)) if cx.is_exception_type(t) => {
                let vh = v.map(|o| cx.root(o));
                let saved = cx.take_error();
                set_object(cx, t, vh);
                if let Some(e) = cx.take_error() {
                    display(cx, e);
                }
                if let Some(s) = saved {
                    cx.raise_object(s);
                }
            }
            (Some(v), _) => {
                let h = cx.root(v);
                let s = cx.str_of(h).unwrap_or_default();
                let v = cx.get(h);
                eprintln!(
                    "TypeError: print_exception(): Exception expected for value, {} found ({s})",
                    tname(cx, v)
                );
            }
            _ => {}
        }
        Ok(())
    })
}

/// `PyErr_DisplayException`: prints `exc` as `Type: message` to stderr.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyErr_DisplayException(exc: *mut PyObject) {
    capi!("PyErr_DisplayException", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, exc) }?;
        if cx.kind_of(cx.get(h)) == Kind::Exception {
            display(cx, h);
        } else {
            let o = cx.get(h);
            eprintln!(
                "TypeError: print_exception(): Exception expected for value, {} found",
                tname(cx, o)
            );
        }
        Ok(())
    })
}

/// `PyErr_WarnExplicit`: recorded and printed like `PyErr_WarnEx` (no warning filters, no
/// registry).
///
/// # Safety
/// `category` NULL or a Warning subclass; `msg`, `filename`, `module` C strings (module may be
/// NULL); `registry` NULL or a dict.
#[no_mangle]
pub unsafe extern "C" fn PyErr_WarnExplicit(
    category: *mut PyObject,
    msg: *const c_char,
    filename: *const c_char,
    lineno: c_int,
    _module: *const c_char,
    _registry: *mut PyObject,
) -> c_int {
    capi!("PyErr_WarnExplicit", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { cx::from_c(category) };
        // SAFETY: caller's contract.
        let m = unsafe { cstr(cx, msg) }?.to_string();
        // SAFETY: caller's contract.
        let f = unsafe { cstr(cx, filename) }?.to_string();
        warn(cx, c, &format!("{f}:{lineno}: {m}"))
    })
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

/// `PyErr_CheckSignals`: pyopaque installs no signal handlers; an interrupt requested by
/// `PyErr_SetInterrupt(Ex)` raises KeyboardInterrupt here (-1).
#[no_mangle]
pub extern "C" fn PyErr_CheckSignals() -> c_int {
    cov!("PyErr_CheckSignals");
    if !INTERRUPT.swap(false, std::sync::atomic::Ordering::SeqCst) {
        return 0;
    }
    cx::api("PyErr_CheckSignals", |cx| -> PyResult<c_int> {
        let t = cx.rt.types.exc.keyboard_interrupt;
        let args = cx.tuple(&[]);
        let e = cx.exception_with_args(t, args);
        Err(cx.raise_object(e))
    })
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
        let m = unsafe { crate::python::args::format_message(cx, fmt, ap) }?;
        let mh = cx.str(&m);
        Err(set_object(cx, t, Some(mh)))
    })
}

// ----- import errors -----

fn set_import_error(
    cx: &mut Thread,
    exception: *mut PyObject,
    msg: *mut PyObject,
    name: *mut PyObject,
    path: *mut PyObject,
) -> PyResult<*mut PyObject> {
    // SAFETY: caller's contract (objects C holds or NULL).
    let t = unsafe { arg(cx, exception) }?;
    if cx.kind_of(t) != Kind::Type {
        return Err(type_error(cx, "issubclass() arg 1 must be a class"));
    }
    if !cx.is_subtype(t, cx.rt.types.exc.import_error) {
        return Err(type_error(cx, "expected a subclass of ImportError"));
    }
    // SAFETY: as above.
    let Some(m) = (unsafe { cx::from_c(msg) }) else {
        return Err(type_error(cx, "expected a message argument"));
    };
    let mh = cx.root(m);
    // SAFETY: as above.
    let (n, p) = unsafe { (cx::from_c(name), cx::from_c(path)) };
    let none = cx.rt.none;
    let nh = cx.root(n.unwrap_or(none));
    let ph = cx.root(p.unwrap_or(none));
    let inst = if type_payload(t).kind == Kind::Exception {
        let args = cx.tuple(&[mh]);
        cx.exception_with_args(t, args)
    } else {
        // A C-defined subclass: construct it by calling the type.
        let th = cx.root(t);
        crate::r#abstract::call::call(cx, th, &[mh], &[])?
    };
    crate::r#abstract::object::setattr(cx, inst, "name", Some(nh))?;
    crate::r#abstract::object::setattr(cx, inst, "path", Some(ph))?;
    Err(cx.raise_object(inst))
}

/// `PyErr_SetImportError(msg, name, path)`: raises `ImportError(msg)` with attributes `name`
/// and `path` (None for NULL); always returns NULL.
///
/// # Safety
/// Objects C holds, or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetImportError(
    msg: *mut PyObject,
    name: *mut PyObject,
    path: *mut PyObject,
) -> *mut PyObject {
    capi!("PyErr_SetImportError", |cx| {
        let t = cx::to_c(cx.rt.types.exc.import_error);
        set_import_error(cx, t, msg, name, path)
    })
}

/// `PyErr_SetImportErrorSubclass(exception, msg, name, path)`: as `PyErr_SetImportError` with a
/// subclass of ImportError (TypeError for any other class).
///
/// # Safety
/// Objects C holds, or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetImportErrorSubclass(
    exception: *mut PyObject,
    msg: *mut PyObject,
    name: *mut PyObject,
    path: *mut PyObject,
) -> *mut PyObject {
    capi!("PyErr_SetImportErrorSubclass", |cx| {
        set_import_error(cx, exception, msg, name, path)
    })
}

// ----- syntax locations -----

/// Sets `name` on `exc` to `v`, dropping any error (CPython ignores failures here).
fn set_quiet(cx: &mut Thread, exc: Handle, name: &str, v: Handle) {
    if crate::r#abstract::object::setattr(cx, exc, name, Some(v)).is_err() {
        cx.clear_error();
    }
}

/// Line `lineno` (1-based, with its newline) of file `path`, decoded as UTF-8 with replacement.
fn program_line(path: &str, lineno: c_int) -> Option<String> {
    if lineno <= 0 {
        return None;
    }
    let data = std::fs::read(path).ok()?;
    let line = data
        .split_inclusive(|b| *b == b'\n')
        .nth(lineno as usize - 1)?;
    Some(String::from_utf8_lossy(line).into_owned())
}

/// Annotates the current exception with a source location (CPython's
/// `PyErr_SyntaxLocationObjectEx`, with `end_lineno = lineno` and no end offset).
fn syntax_location(cx: &mut Thread, filename: Option<String>, lineno: c_int, col: c_int) {
    // No exception set: nothing to annotate (CPython dereferences the missing exception).
    let Some(exc) = cx.take_error() else { return };
    let none = cx.root(cx.rt.none);
    let l = cx.int(lineno as i64);
    set_quiet(cx, exc, "lineno", l);
    let off = if col >= 0 { cx.int(col as i64) } else { none };
    set_quiet(cx, exc, "offset", off);
    let el = cx.int(lineno as i64);
    set_quiet(cx, exc, "end_lineno", el);
    set_quiet(cx, exc, "end_offset", none);
    if let Some(f) = filename {
        let fh = cx.str(&f);
        set_quiet(cx, exc, "filename", fh);
        if let Some(text) = program_line(&f, lineno) {
            let th = cx.str(&text);
            set_quiet(cx, exc, "text", th);
        }
    }
    let eo = cx.get(exc);
    if cx.type_of(eo) != shim_types().exc_named("SyntaxError") {
        let has =
            |cx: &mut Thread, n: &str| match crate::r#abstract::object::getattr_opt(cx, exc, n) {
                Ok(v) => v.is_some(),
                Err(_) => {
                    cx.clear_error();
                    true
                }
            };
        if !has(cx, "msg") {
            match cx.str_of(exc) {
                Ok(s) => {
                    let sh = cx.str(&s);
                    set_quiet(cx, exc, "msg", sh);
                }
                Err(_) => cx.clear_error(),
            }
        }
        if !has(cx, "print_file_and_line") {
            set_quiet(cx, exc, "print_file_and_line", none);
        }
    }
    cx.raise_object(exc);
}

/// `PyErr_SyntaxLocationEx(filename, lineno, col_offset)`: sets `filename` (decoded as UTF-8;
/// NULL: left unset), `lineno`, `offset` (None when negative), `end_lineno`, `end_offset` and
/// `text` (the source line, when the file is readable) on the current exception; for an
/// exception other than SyntaxError also `msg` and `print_file_and_line` when missing. Does
/// nothing when no exception is set.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SyntaxLocationEx(
    filename: *const c_char,
    lineno: c_int,
    col_offset: c_int,
) {
    capi!("PyErr_SyntaxLocationEx", |cx| {
        // SAFETY: caller's contract.
        let f = (!filename.is_null()).then(|| unsafe { cx::cstr_lossy(filename) });
        syntax_location(cx, f, lineno, col_offset);
        Ok(())
    })
}

/// `PyErr_SyntaxLocation(filename, lineno)`: `PyErr_SyntaxLocationEx` without a column.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SyntaxLocation(filename: *const c_char, lineno: c_int) {
    capi!("PyErr_SyntaxLocation", |cx| {
        // SAFETY: caller's contract.
        let f = (!filename.is_null()).then(|| unsafe { cx::cstr_lossy(filename) });
        syntax_location(cx, f, lineno, -1);
        Ok(())
    })
}

/// `_PyErr_BadInternalCall(filename, lineno)`: `SystemError("<file>:<line>: bad argument to
/// internal function")`, the function behind CPython's `PyErr_BadInternalCall` macro.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn _PyErr_BadInternalCall(filename: *const c_char, lineno: c_int) {
    capi!("_PyErr_BadInternalCall", |cx| -> PyResult<()> {
        if filename.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: a C string.
        let f = unsafe { cx::cstr_lossy(filename) };
        Err(cx::system_error(
            cx,
            &format!("{f}:{lineno}: bad argument to internal function"),
        ))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyErr_BadArgument", Rule::Works),
        ("PyErr_BadInternalCall", Rule::Works),
        ("PyErr_CheckSignals", Rule::Works),
        ("PyErr_Clear", Rule::Works),
        ("PyErr_ExceptionMatches", Rule::Works),
        ("PyErr_Fetch", Rule::Works),
        ("PyErr_Format", Rule::Works),
        ("PyErr_GetRaisedException", Rule::Works),
        ("PyErr_GivenExceptionMatches", Rule::Works),
        ("PyErr_NewException", Rule::Works),
        ("PyErr_NewExceptionWithDoc", Rule::Works),
        ("PyErr_NoMemory", Rule::Works),
        ("PyErr_Occurred", Rule::Cost("pinning: the borrowed result is pinned until the native call returns")),
        ("PyErr_Restore", Rule::Works),
        ("PyErr_SetNone", Rule::Works),
        ("PyErr_SetObject", Rule::Works),
        ("PyErr_SetRaisedException", Rule::Works),
        ("PyErr_SetString", Rule::Works),
        ("PyErr_WarnEx", Rule::Cost("warnings are recorded and printed; no warning filters (no warnings module)")),
        ("PyException_GetArgs", Rule::Works),
        ("PyException_GetTraceback", Rule::Cost("always NULL: no frames, hence no traceback objects")),
        ("PyErr_SetFromErrno", rules::ERRNO_IN_ARGS),
        ("PyErr_SetFromErrnoWithFilename", rules::ERRNO_IN_ARGS),
        ("PyErr_SetFromErrnoWithFilenameObject", rules::ERRNO_IN_ARGS),
        ("PyErr_SetFromErrnoWithFilenameObjects", rules::ERRNO_IN_ARGS),
        ("PyErr_GetHandledException", rules::HANDLED_EXCEPTION_SLOT),
        ("PyErr_SetHandledException", rules::HANDLED_EXCEPTION_SLOT),
        ("PyErr_GetExcInfo", rules::HANDLED_EXCEPTION_SLOT),
        ("PyErr_SetExcInfo", rules::HANDLED_EXCEPTION_SLOT),
        ("PyErr_SetInterrupt", Rule::Cost("no signal handlers: the interrupt is recorded and PyErr_CheckSignals raises KeyboardInterrupt")),
        ("PyErr_SetInterruptEx", Rule::Cost("no signal handlers: SIGINT is recorded and PyErr_CheckSignals raises KeyboardInterrupt; other signals have no Python handler and are ignored")),
        ("PyErr_NormalizeException", Rule::Works),
        ("PyErr_Print", rules::PRINT_WITHOUT_TRACEBACK),
        ("PyErr_PrintEx", rules::PRINT_WITHOUT_TRACEBACK),
        ("PyErr_Display", rules::PRINT_WITHOUT_TRACEBACK),
        ("PyErr_DisplayException", rules::PRINT_WITHOUT_TRACEBACK),
        ("PyErr_WriteUnraisable", rules::PRINT_WITHOUT_TRACEBACK),
        ("PyErr_WarnExplicit", rules::WARNINGS_WITHOUT_FILTERS),
        ("PyErr_WarnFormat", rules::WARNINGS_WITHOUT_FILTERS),
        ("PyErr_ProgramText", Rule::Works),
        ("PyErr_FormatV", Rule::Works),
        ("PyErr_SetImportError", Rule::Works),
        ("PyErr_SetImportErrorSubclass", Rule::Works),
        ("PyErr_SyntaxLocation", Rule::Works),
        ("PyErr_SyntaxLocationEx", Rule::Works),
        ("PyErr_ResourceWarning", Rule::Cost("no warnings module: the warning is recorded and printed, never filtered (CPython's default filters ignore ResourceWarning; `-W error` cannot turn it into an exception)")),
        ("_PyErr_BadInternalCall", Rule::Works),
    ]
};
