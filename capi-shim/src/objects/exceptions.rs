//! Exception objects: `PyException_*`, `PyExceptionClass_Name` and the `PyUnicode*Error_*`
//! accessors.
//!
//! The runtime's exception payload holds only `args`. The Unicode error attributes therefore
//! live in `args`, which for `UnicodeDecodeError`/`UnicodeEncodeError` is CPython's
//! `(encoding, object, start, end, reason)` and for `UnicodeTranslateError`
//! `(object, start, end, reason)`; a setter replaces `args` by a new tuple. `__cause__`,
//! `__context__` and `__suppress_context__` are entries of the exception's own attribute dict
//! (so they live and die with it, and the collector traces them; they also show in
//! `e.__dict__`, which CPython keeps them out of); attribute
//! access (`e.__cause__`, assignment included) reaches it through [`exception_attr`] and
//! [`exception_setattr`], as CPython's BaseException getset descriptors (which come before
//! the instance dict). `PyErr_SetObject` while an exception is handled sets the new one's
//! `__context__` ([`chain_implicit_context`]). `__traceback__` is None (no frames).

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CString};
use std::sync::Mutex;

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::capi_support::exception_args;
use pyopaque_runtime::refcount;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{
    self, arg, bad_internal_call, harg, new_ref, new_ref_h, tname, type_error,
};
use crate::boundary::ffi::*;
use crate::capi;
use crate::types::shim_types::shim_types;
use pyopaque_runtime::capi_support::exception_dict;

/// Like [`capi!`] for a name made by `stringify!` in a macro.
#[macro_export]
macro_rules! capi_s {
    ($name:expr, $body:expr) => {{
        static HIT: ::std::sync::atomic::AtomicBool = ::std::sync::atomic::AtomicBool::new(false);
        if !HIT.load(::std::sync::atomic::Ordering::Relaxed) {
            HIT.store(true, ::std::sync::atomic::Ordering::Relaxed);
            $crate::boundary::cx::record_hit($name);
        }
        $crate::boundary::cx::api($name, $body)
    }};
}

// ----- args helpers -----

/// Replaces the args tuple of exception `exc` by `t` (the runtime's payload is `| args |`).
pub fn write_args(cx: &mut Thread, exc: Handle, t: Handle) {
    let e = cx.get(exc);
    let new = cx.get(t);
    refcount::incref(cx, new);
    let old = exception_args(e);
    // SAFETY: `e` is an exception instance (callers checked its kind); its payload's first word
    // is the args slot, which holds an internal reference (transferred above).
    unsafe { e.as_ptr().cast::<Option<ObjRef>>().write(Some(new)) };
    if let Some(o) = old {
        refcount::decref(cx, o);
    }
}

/// The args of `exc` as handles.
pub fn args_of(cx: &mut Thread, exc: Handle) -> Vec<Option<Handle>> {
    let e = cx.get(exc);
    let Some(a) = exception_args(e) else {
        return Vec::new();
    };
    let n = cx.tuple_len(a).unwrap_or(0);
    let ah = cx.root(a);
    (0..n)
        .map(|i| {
            let a = cx.get(ah);
            cx.tuple_get(a, i).map(|o| cx.root(o))
        })
        .collect()
}

fn is_exception(cx: &Thread, o: ObjRef) -> bool {
    cx.kind_of(o) == Kind::Exception
}

fn exc_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract (an object C holds or NULL).
    let o = unsafe { arg(cx, p) }?;
    if !is_exception(cx, o) {
        let msg = format!("expected an exception instance, not {}", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(cx.root(o))
}

// ----- cause / context / suppress: entries of the exception's own attribute dict -----

/// Dict key of `__cause__` (`which` 0) or `__context__` (1).
fn chain_key(which: u8) -> &'static str {
    if which == 0 {
        "__cause__"
    } else {
        "__context__"
    }
}

/// The entry `key` of exception `exc`'s attribute dict (`None` when absent, or when `exc` is
/// not an exception instance). The result is not rooted: use it before the next allocation.
fn chain_entry(cx: &mut Thread, exc: ObjRef, key: &str) -> Option<ObjRef> {
    if exc.is_tagged() || cx.kind_of(exc) != Kind::Exception {
        return None;
    }
    let d = exception_dict(exc)?;
    let m = cx.mark();
    let dh = cx.root(d);
    let k = cx.str(key);
    let r = cx.dict_get(dh, k).ok().flatten().map(|h| cx.get(h));
    cx.release(m);
    r
}

/// `__cause__` (`which` 0) or `__context__` (1) of `exc`, `None` when unset or set to None.
fn extra_get(cx: &mut Thread, exc: ObjRef, which: u8) -> Option<ObjRef> {
    chain_entry(cx, exc, chain_key(which)).filter(|v| *v != cx.rt.none)
}

/// Stores `v` (a static or C-held, hence unmoving, object) under `key` in the attribute dict of
/// the exception `exc` (rooted), which owns the entry like any attribute: it lives and dies with
/// the exception, and the collector traces it.
fn chain_store(cx: &mut Thread, exc: Handle, key: &str, v: ObjRef) {
    if cx.kind_of(cx.get(exc)) != Kind::Exception {
        return;
    }
    let m = cx.mark();
    let vh = cx.root(v);
    let d = cx.exception_dict(exc);
    let k = cx.str(key);
    if cx.dict_set(d, k, vh).is_err() {
        cx.clear_error();
    }
    cx.release(m);
}

/// Sets `__cause__` (`which` 0, which also sets `__suppress_context__`, as in CPython) or
/// `__context__` (1) of `exc`, stealing `v`'s C-held reference (the dict takes its own).
fn extra_set(cx: &mut Thread, exc: ObjRef, which: u8, v: Option<ObjRef>) {
    let m = cx.mark();
    let eh = cx.root(exc);
    let val = v.unwrap_or(cx.rt.none);
    chain_store(cx, eh, chain_key(which), val);
    if which == 0 {
        let t = cx.rt.true_;
        chain_store(cx, eh, "__suppress_context__", t);
    }
    if let Some(v) = v {
        cx::release_c_ref(cx, v, "PyException_SetCause");
    }
    cx.release(m);
}

/// `PyException_GetCause` (new reference or NULL).
///
/// # Safety
/// An exception instance C holds.
#[no_mangle]
pub unsafe extern "C" fn PyException_GetCause(exc: *mut PyObject) -> *mut PyObject {
    capi!("PyException_GetCause", |cx| {
        let h = exc_arg(cx, exc)?;
        let o = cx.get(h);
        Ok(match extra_get(cx, o, 0) {
            Some(c) => new_ref(cx, c),
            None => std::ptr::null_mut(),
        })
    })
}

/// `PyException_GetContext` (new reference or NULL).
///
/// # Safety
/// An exception instance C holds.
#[no_mangle]
pub unsafe extern "C" fn PyException_GetContext(exc: *mut PyObject) -> *mut PyObject {
    capi!("PyException_GetContext", |cx| {
        let h = exc_arg(cx, exc)?;
        let o = cx.get(h);
        Ok(match extra_get(cx, o, 1) {
            Some(c) => new_ref(cx, c),
            None => std::ptr::null_mut(),
        })
    })
}

/// `PyException_SetCause` (steals `cause`, which may be NULL).
///
/// # Safety
/// An exception instance C holds; `cause` NULL or a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyException_SetCause(exc: *mut PyObject, cause: *mut PyObject) {
    capi!("PyException_SetCause", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { cx::from_c(cause) };
        let h = match exc_arg(cx, exc) {
            Ok(h) => h,
            Err(e) => {
                if let Some(c) = c {
                    cx::release_c_ref(cx, c, "PyException_SetCause");
                }
                return Err(e);
            }
        };
        extra_set(cx, cx.get(h), 0, c);
        Ok(())
    })
}

/// `PyException_SetContext` (steals `ctx`, which may be NULL).
///
/// # Safety
/// An exception instance C holds; `ctx` NULL or a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyException_SetContext(exc: *mut PyObject, ctx: *mut PyObject) {
    capi!("PyException_SetContext", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { cx::from_c(ctx) };
        let h = match exc_arg(cx, exc) {
            Ok(h) => h,
            Err(e) => {
                if let Some(c) = c {
                    cx::release_c_ref(cx, c, "PyException_SetContext");
                }
                return Err(e);
            }
        };
        extra_set(cx, cx.get(h), 1, c);
        Ok(())
    })
}

/// `PyException_SetTraceback`: pyopaque has no frames, hence no traceback objects: only None
/// can be stored (anything else is CPython's TypeError).
///
/// # Safety
/// An exception instance and an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyException_SetTraceback(exc: *mut PyObject, tb: *mut PyObject) -> c_int {
    capi!("PyException_SetTraceback", |cx| {
        exc_arg(cx, exc)?;
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, tb) }?;
        if t != cx.rt.none {
            return Err(type_error(cx, "__traceback__ must be a traceback or None"));
        }
        Ok(0)
    })
}

/// `PyException_SetArgs` (does not steal `args`; a non-tuple sequence is converted).
///
/// # Safety
/// An exception instance and an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyException_SetArgs(exc: *mut PyObject, args: *mut PyObject) {
    capi!("PyException_SetArgs", |cx| {
        let h = exc_arg(cx, exc)?;
        // SAFETY: caller's contract.
        let a = unsafe { harg(cx, args) }?;
        let t = if cx.kind_of(cx.get(a)) == Kind::Tuple {
            a
        } else {
            crate::r#abstract::sequence::to_tuple(cx, a)?
        };
        write_args(cx, h, t);
        Ok(())
    })
}

/// Stable C strings for exception type names (types are immortal and never move).
static NAMES: Mutex<Option<HashMap<usize, CString>>> = Mutex::new(None);

/// `PyExceptionClass_Name`: the type's `tp_name` (the spec name for C types, `__name__` for
/// builtin exceptions and types made by `PyErr_NewException`).
///
/// # Safety
/// An exception type C holds.
#[no_mangle]
pub unsafe extern "C" fn PyExceptionClass_Name(ty: *mut PyObject) -> *const c_char {
    capi!("PyExceptionClass_Name", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        if !cx.is_exception_type(t) {
            return Err(bad_internal_call(cx));
        }
        let p = crate::types::typeobject::tp_name_ptr(t);
        if !p.is_null() {
            return Ok(p);
        }
        let name = type_payload(t).short_name().to_string();
        let mut g = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        let m = g.get_or_insert_with(HashMap::new);
        let c = m
            .entry(t.as_ptr().addr())
            .or_insert_with(|| CString::new(name.replace('\0', "")).unwrap_or_default());
        Ok(c.as_ptr())
    })
}

// ----- Unicode errors -----

#[derive(Clone, Copy, PartialEq)]
enum UErr {
    Decode,
    Encode,
    Translate,
}

impl UErr {
    fn name(self) -> &'static str {
        match self {
            UErr::Decode => "UnicodeDecodeError",
            UErr::Encode => "UnicodeEncodeError",
            UErr::Translate => "UnicodeTranslateError",
        }
    }
    /// Index of the `object` field in args (encoding precedes it except for translate).
    fn base(self) -> usize {
        if self == UErr::Translate {
            0
        } else {
            1
        }
    }
}

/// The argument check of `UnicodeDecodeError(encoding, object, start, end, reason)`,
/// `UnicodeEncodeError(encoding, object, start, end, reason)` and
/// `UnicodeTranslateError(object, start, end, reason)` (and their subclasses), as CPython's
/// `__init__` does it (`PyArg_ParseTuple` with `UOnnU`, `UUnnU`, `UnnU`): the count first,
/// then each argument's type. Any other exception type accepts any arguments. The accessors
/// (`PyUnicodeDecodeError_GetStart`, ...) rely on this shape.
pub fn check_constructor_args(cx: &mut Thread, ty: ObjRef, args: Handle) -> PyResult<()> {
    let (dec, enc) = (
        cx.rt.types.exc.unicode_decode_error,
        cx.rt.types.exc.unicode_encode_error,
    );
    let k = if cx.is_subtype(ty, dec) {
        UErr::Decode
    } else if cx.is_subtype(ty, enc) {
        UErr::Encode
    } else if cx.is_subtype(ty, shim_types().exc_named("UnicodeTranslateError")) {
        UErr::Translate
    } else {
        return Ok(());
    };
    let items: Vec<ObjRef> = {
        let a = cx.get(args);
        let n = cx.tuple_len(a).unwrap_or(0);
        (0..n).filter_map(|i| cx.tuple_get(a, i)).collect()
    };
    let want = if k == UErr::Translate { 4 } else { 5 };
    if items.len() != want {
        return Err(type_error(
            cx,
            &format!(
                "function takes exactly {want} arguments ({} given)",
                items.len()
            ),
        ));
    }
    let b = k.base();
    for (i, o) in items.iter().enumerate() {
        let ok = if i == b && k == UErr::Decode {
            cx.kind_of(*o) == Kind::Bytes
                || crate::objects::bytearray::is_bytearray(*o)
                || (!o.is_tagged() && cx.type_of(*o) == shim_types().memoryview)
        } else if i == b + 1 || i == b + 2 {
            cx.kind_of(*o) == Kind::Int
        } else {
            cx.kind_of(*o) == Kind::Str
        };
        if !ok {
            let want = if i == b && k == UErr::Decode {
                "a bytes-like object".to_string()
            } else if i == b + 1 || i == b + 2 {
                "int".to_string()
            } else {
                "str".to_string()
            };
            let msg = if want == "a bytes-like object" {
                format!("a bytes-like object is required, not '{}'", tname(cx, *o))
            } else {
                format!("argument {} must be {want}, not {}", i + 1, tname(cx, *o))
            };
            return Err(type_error(cx, &msg));
        }
    }
    Ok(())
}

fn uerr(cx: &mut Thread, p: *mut PyObject, k: UErr) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if !is_exception(cx, o) || !cx.is_instance(o, cx.rt.types.exc.unicode_error) {
        let msg = format!("expecting a {} object, got {}", k.name(), tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(cx.root(o))
}

fn field(cx: &mut Thread, h: Handle, i: usize, name: &str) -> PyResult<Handle> {
    match args_of(cx, h).get(i).copied().flatten() {
        Some(v) => Ok(v),
        None => Err(type_error(cx, &format!("{name} attribute not set"))),
    }
}

fn str_field(cx: &mut Thread, h: Handle, i: usize, name: &str) -> PyResult<Handle> {
    let v = field(cx, h, i, name)?;
    if cx.kind_of(cx.get(v)) != Kind::Str {
        return Err(type_error(cx, &format!("{name} attribute must be unicode")));
    }
    Ok(v)
}

fn object_field(cx: &mut Thread, h: Handle, k: UErr) -> PyResult<(Handle, isize)> {
    let v = field(cx, h, k.base(), "object")?;
    let o = cx.get(v);
    let n = if k == UErr::Decode {
        match cx.bytes_value(o) {
            Some(b) if cx.kind_of(o) == Kind::Bytes => b.len(),
            _ => return Err(type_error(cx, "object attribute must be bytes")),
        }
    } else {
        if cx.kind_of(o) != Kind::Str {
            return Err(type_error(cx, "object attribute must be unicode"));
        }
        cx.str_len(o)
    };
    Ok((v, n as isize))
}

fn int_field(cx: &mut Thread, h: Handle, i: usize, name: &str) -> PyResult<isize> {
    let v = field(cx, h, i, name)?;
    match cx.int_as_i64(cx.get(v))? {
        Some(x) => Ok(x as isize),
        None => Err(type_error(cx, &format!("{name} attribute must be int"))),
    }
}

fn set_field(cx: &mut Thread, h: Handle, i: usize, v: Handle) {
    let mut items: Vec<Handle> = args_of(cx, h)
        .into_iter()
        .map(|x| x.unwrap_or_else(|| cx.root(cx.rt.none)))
        .collect();
    while items.len() <= i {
        items.push(cx.root(cx.rt.none));
    }
    items[i] = v;
    let t = cx.tuple(&items);
    write_args(cx, h, t);
}

fn get_encoding(cx: &mut Thread, p: *mut PyObject, k: UErr) -> PyResult<*mut PyObject> {
    let h = uerr(cx, p, k)?;
    let v = str_field(cx, h, 0, "encoding")?;
    Ok(new_ref_h(cx, v))
}

fn get_object(cx: &mut Thread, p: *mut PyObject, k: UErr) -> PyResult<*mut PyObject> {
    let h = uerr(cx, p, k)?;
    let (v, _) = object_field(cx, h, k)?;
    Ok(new_ref_h(cx, v))
}

fn get_reason(cx: &mut Thread, p: *mut PyObject, k: UErr) -> PyResult<*mut PyObject> {
    let h = uerr(cx, p, k)?;
    let v = str_field(cx, h, k.base() + 3, "reason")?;
    Ok(new_ref_h(cx, v))
}

fn get_start(cx: &mut Thread, p: *mut PyObject, k: UErr, out: *mut Py_ssize_t) -> PyResult<c_int> {
    let h = uerr(cx, p, k)?;
    let (_, n) = object_field(cx, h, k)?;
    let mut s = int_field(cx, h, k.base() + 1, "start")?;
    if s < 0 {
        s = 0;
    }
    if s >= n {
        s = if n == 0 { 0 } else { n - 1 };
    }
    if !out.is_null() {
        // SAFETY: caller's contract: writable.
        unsafe { *out = s };
    }
    Ok(0)
}

fn get_end(cx: &mut Thread, p: *mut PyObject, k: UErr, out: *mut Py_ssize_t) -> PyResult<c_int> {
    let h = uerr(cx, p, k)?;
    let (_, n) = object_field(cx, h, k)?;
    let mut e = int_field(cx, h, k.base() + 2, "end")?;
    if e < 1 {
        e = 1;
    }
    if e > n {
        e = n;
    }
    if !out.is_null() {
        // SAFETY: caller's contract: writable.
        unsafe { *out = e };
    }
    Ok(0)
}

fn set_int(cx: &mut Thread, p: *mut PyObject, k: UErr, off: usize, v: isize) -> PyResult<c_int> {
    let h = uerr(cx, p, k)?;
    let iv = cx.int(v as i64);
    set_field(cx, h, k.base() + off, iv);
    Ok(0)
}

fn set_reason(cx: &mut Thread, p: *mut PyObject, k: UErr, r: *const c_char) -> PyResult<c_int> {
    let h = uerr(cx, p, k)?;
    // SAFETY: caller's contract.
    let s = unsafe { cx::cstr(cx, r) }?.to_string();
    let sh = cx.str(&s);
    set_field(cx, h, k.base() + 3, sh);
    Ok(0)
}

macro_rules! uerr_fns {
    ($k:expr, $genc:ident, $gobj:ident, $grea:ident, $gst:ident, $gend:ident, $sst:ident, $send:ident, $srea:ident) => {
        uerr_fns!(@common $k, $gobj, $grea, $gst, $gend, $sst, $send, $srea);
        /// `Py*Error_GetEncoding` (new reference).
        ///
        /// # Safety
        /// A Unicode error C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $genc(exc: *mut PyObject) -> *mut PyObject {
            capi_s!(stringify!($genc), |cx| get_encoding(cx, exc, $k))
        }
    };
    (@common $k:expr, $gobj:ident, $grea:ident, $gst:ident, $gend:ident, $sst:ident, $send:ident, $srea:ident) => {
        /// `Py*Error_GetObject` (new reference).
        ///
        /// # Safety
        /// A Unicode error C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $gobj(exc: *mut PyObject) -> *mut PyObject {
            capi_s!(stringify!($gobj), |cx| get_object(cx, exc, $k))
        }
        /// `Py*Error_GetReason` (new reference).
        ///
        /// # Safety
        /// A Unicode error C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $grea(exc: *mut PyObject) -> *mut PyObject {
            capi_s!(stringify!($grea), |cx| get_reason(cx, exc, $k))
        }
        /// `Py*Error_GetStart` (clipped to the object, as CPython does).
        ///
        /// # Safety
        /// A Unicode error C holds; `out` writable.
        #[no_mangle]
        pub unsafe extern "C" fn $gst(exc: *mut PyObject, out: *mut Py_ssize_t) -> c_int {
            capi_s!(stringify!($gst), |cx| get_start(cx, exc, $k, out))
        }
        /// `Py*Error_GetEnd` (clipped to the object, as CPython does).
        ///
        /// # Safety
        /// A Unicode error C holds; `out` writable.
        #[no_mangle]
        pub unsafe extern "C" fn $gend(exc: *mut PyObject, out: *mut Py_ssize_t) -> c_int {
            capi_s!(stringify!($gend), |cx| get_end(cx, exc, $k, out))
        }
        /// `Py*Error_SetStart`.
        ///
        /// # Safety
        /// A Unicode error C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $sst(exc: *mut PyObject, v: Py_ssize_t) -> c_int {
            capi_s!(stringify!($sst), |cx| set_int(cx, exc, $k, 1, v))
        }
        /// `Py*Error_SetEnd`.
        ///
        /// # Safety
        /// A Unicode error C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $send(exc: *mut PyObject, v: Py_ssize_t) -> c_int {
            capi_s!(stringify!($send), |cx| set_int(cx, exc, $k, 2, v))
        }
        /// `Py*Error_SetReason`.
        ///
        /// # Safety
        /// A Unicode error C holds; `r` a C string.
        #[no_mangle]
        pub unsafe extern "C" fn $srea(exc: *mut PyObject, r: *const c_char) -> c_int {
            capi_s!(stringify!($srea), |cx| set_reason(cx, exc, $k, r))
        }
    };
}

uerr_fns!(
    UErr::Decode,
    PyUnicodeDecodeError_GetEncoding,
    PyUnicodeDecodeError_GetObject,
    PyUnicodeDecodeError_GetReason,
    PyUnicodeDecodeError_GetStart,
    PyUnicodeDecodeError_GetEnd,
    PyUnicodeDecodeError_SetStart,
    PyUnicodeDecodeError_SetEnd,
    PyUnicodeDecodeError_SetReason
);
uerr_fns!(
    UErr::Encode,
    PyUnicodeEncodeError_GetEncoding,
    PyUnicodeEncodeError_GetObject,
    PyUnicodeEncodeError_GetReason,
    PyUnicodeEncodeError_GetStart,
    PyUnicodeEncodeError_GetEnd,
    PyUnicodeEncodeError_SetStart,
    PyUnicodeEncodeError_SetEnd,
    PyUnicodeEncodeError_SetReason
);
uerr_fns!(@common
    UErr::Translate,
    PyUnicodeTranslateError_GetObject,
    PyUnicodeTranslateError_GetReason,
    PyUnicodeTranslateError_GetStart,
    PyUnicodeTranslateError_GetEnd,
    PyUnicodeTranslateError_SetStart,
    PyUnicodeTranslateError_SetEnd,
    PyUnicodeTranslateError_SetReason
);

/// A new `UnicodeDecodeError(encoding, object, start, end, reason)` instance (not raised).
pub fn new_decode_error(
    cx: &mut Thread,
    encoding: &str,
    object: &[u8],
    start: usize,
    end: usize,
    reason: &str,
) -> Handle {
    let e = cx.str(encoding);
    let o = cx.bytes(object);
    let s = cx.int(start as i64);
    let n = cx.int(end as i64);
    let r = cx.str(reason);
    let args = cx.tuple(&[e, o, s, n, r]);
    let t = cx.rt.types.exc.unicode_decode_error;
    cx.exception_with_args(t, args)
}

/// A new `UnicodeEncodeError(encoding, object, start, end, reason)` instance (not raised).
pub fn new_encode_error(
    cx: &mut Thread,
    encoding: &str,
    object: Handle,
    start: usize,
    end: usize,
    reason: &str,
) -> Handle {
    let e = cx.str(encoding);
    let s = cx.int(start as i64);
    let n = cx.int(end as i64);
    let r = cx.str(reason);
    let args = cx.tuple(&[e, object, s, n, r]);
    let t = cx.rt.types.exc.unicode_encode_error;
    cx.exception_with_args(t, args)
}

/// `PyUnicodeDecodeError_Create` (new reference, not raised).
///
/// # Safety
/// `encoding`, `reason` C strings (a NULL encoding is CPython's TypeError); `object` `length`
/// readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyUnicodeDecodeError_Create(
    encoding: *const c_char,
    object: *const c_char,
    length: Py_ssize_t,
    start: Py_ssize_t,
    end: Py_ssize_t,
    reason: *const c_char,
) -> *mut PyObject {
    capi!("PyUnicodeDecodeError_Create", |cx| {
        if encoding.is_null() {
            return Err(type_error(cx, "argument 1 must be str, not None"));
        }
        if reason.is_null() {
            return Err(type_error(cx, "argument 5 must be str, not None"));
        }
        // SAFETY: C strings by contract.
        let enc = unsafe { cx::cstr(cx, encoding) }?.to_string();
        // SAFETY: as above.
        let rea = unsafe { cx::cstr(cx, reason) }?.to_string();
        if length < 0 || (object.is_null() && length != 0) {
            return Err(bad_internal_call(cx));
        }
        let b = if length == 0 {
            Vec::new()
        } else {
            // SAFETY: `length` readable bytes by contract.
            unsafe { std::slice::from_raw_parts(object.cast::<u8>(), length as usize) }.to_vec()
        };
        let e = cx.str(&enc);
        let o = cx.bytes(&b);
        let s = cx.int(start as i64);
        let n = cx.int(end as i64);
        let r = cx.str(&rea);
        let args = cx.tuple(&[e, o, s, n, r]);
        let t = cx.rt.types.exc.unicode_decode_error;
        let x = cx.exception_with_args(t, args);
        Ok(new_ref_h(cx, x))
    })
}

/// The chaining attributes of an exception instance (`__cause__`, `__context__`), for attribute
/// lookup: `None` when `name` is not one of them; `Some(None)` when unset (CPython's getter
/// returns None then).
pub fn exception_side_attr(cx: &mut Thread, obj: ObjRef, name: &str) -> Option<Option<ObjRef>> {
    match name {
        "__cause__" => Some(extra_get(cx, obj, 0)),
        "__context__" => Some(extra_get(cx, obj, 1)),
        _ => None,
    }
}

/// `__suppress_context__` of `exc` (false unless a cause was set or it was assigned).
fn suppress_context(cx: &mut Thread, exc: ObjRef) -> bool {
    chain_entry(cx, exc, "__suppress_context__") == Some(cx.rt.true_)
}

/// Sets `__suppress_context__` of `exc`.
fn set_suppress_context(cx: &mut Thread, exc: ObjRef, v: bool) {
    let m = cx.mark();
    let eh = cx.root(exc);
    let b = if v { cx.rt.true_ } else { cx.rt.false_ };
    chain_store(cx, eh, "__suppress_context__", b);
    cx.release(m);
}

/// Implicit chaining, as CPython's `_PyErr_SetObject` does it: `exc` is being raised while
/// `handled` is handled, so `exc.__context__` becomes `handled`, after cutting the context chain
/// of `handled` where it reaches `exc` (no cycles). `handled` is pinned (the handled-exception
/// slot holds it from C's side); `exc` is re-read from a handle across allocations.
pub fn chain_implicit_context(cx: &mut Thread, exc: ObjRef, handled: ObjRef) {
    if exc == handled {
        return;
    }
    let m = cx.mark();
    let eh = cx.root(exc);
    let hh = cx.root(handled);
    // Cut a cycle: a context chain from `handled` leading back to `exc`.
    let mut o = cx.root(handled);
    for _ in 0..10_000 {
        let cur = cx.get(o);
        match extra_get(cx, cur, 1) {
            Some(c) if c == cx.get(eh) => {
                let none = cx.rt.none;
                chain_store(cx, o, "__context__", none);
                break;
            }
            Some(c) => o = cx.root(c),
            None => break,
        }
    }
    let hv = cx.get(hh);
    chain_store(cx, eh, "__context__", hv);
    cx.release(m);
}

// ----- exception attributes -----

/// The `i`-th element of `exc.args`, if any.
fn arg_at(cx: &mut Thread, exc: ObjRef, i: usize) -> Option<Handle> {
    let a = exception_args(exc)?;
    cx.tuple_get(a, i).map(|o| cx.root(o))
}

fn args_len(cx: &Thread, exc: ObjRef) -> usize {
    exception_args(exc)
        .and_then(|a| cx.tuple_len(a))
        .unwrap_or(0)
}

fn is_a(cx: &Thread, exc: ObjRef, name: &str) -> bool {
    let t = shim_types().exc_named(name);
    cx.is_instance(exc, t)
}

/// The value an unset `ImportError`/`SyntaxError` member reads as (derived from `args` the way
/// CPython's `__init__` fills it), or `None` when `name` is no such member.
fn member_default(cx: &mut Thread, exc: ObjRef, name: &str) -> Option<Handle> {
    let none = cx.rt.none;
    // StopIteration.value / StopAsyncIteration has none: args[0] or None, as its __init__ sets.
    if name == "value" && cx.is_instance(exc, cx.rt.types.exc.stop_iteration) {
        return Some(arg_at(cx, exc, 0).unwrap_or_else(|| cx.root(none)));
    }
    // SystemExit.code: None without arguments, the argument for one, else the args tuple.
    if name == "code" && cx.is_instance(exc, cx.rt.types.exc.system_exit) {
        return Some(match args_len(cx, exc) {
            0 => cx.root(none),
            1 => arg_at(cx, exc, 0).expect("one argument"),
            _ => {
                let a = exception_args(exc).expect("args");
                cx.root(a)
            }
        });
    }
    if is_a(cx, exc, "ImportError") {
        return match name {
            "msg" if args_len(cx, exc) == 1 => arg_at(cx, exc, 0),
            "msg" | "name" | "path" | "name_from" => Some(cx.root(none)),
            _ => None,
        };
    }
    if is_a(cx, exc, "SyntaxError") {
        const DETAILS: [&str; 6] = [
            "filename",
            "lineno",
            "offset",
            "text",
            "end_lineno",
            "end_offset",
        ];
        if name == "msg" {
            return Some(arg_at(cx, exc, 0).unwrap_or_else(|| cx.root(none)));
        }
        if name == "print_file_and_line" {
            return Some(cx.root(none));
        }
        let i = DETAILS.iter().position(|d| *d == name)?;
        if args_len(cx, exc) == 2 {
            if let Some(info) = arg_at(cx, exc, 1) {
                let io = cx.get(info);
                if cx.kind_of(io) == Kind::Tuple {
                    if let Some(v) = cx.tuple_get(io, i) {
                        return Some(cx.root(v));
                    }
                }
            }
        }
        return Some(cx.root(none));
    }
    None
}

/// Attribute `name` of exception instance `h` (other than `args`): its dict entry, `__dict__`,
/// or a member default. `Ok(None)` when absent.
pub fn exception_attr(cx: &mut Thread, h: Handle, name: &str) -> PyResult<Option<Handle>> {
    // BaseException's data descriptors come before the instance dict, as in CPython.
    let o = cx.get(h);
    if let Some(v) = exception_side_attr(cx, o, name) {
        let v = v.unwrap_or(cx.rt.none);
        return Ok(Some(cx.root(v)));
    }
    match name {
        "__suppress_context__" => {
            let v = if suppress_context(cx, o) {
                cx.rt.true_
            } else {
                cx.rt.false_
            };
            return Ok(Some(cx.root(v)));
        }
        // No frames, hence no traceback objects (see PyException_SetTraceback).
        "__traceback__" => return Ok(Some(cx.root(cx.rt.none))),
        _ => {}
    }
    if name == "__dict__" {
        return Ok(Some(cx.exception_dict(h)));
    }
    if let Some(d) = exception_dict(cx.get(h)) {
        let dh = cx.root(d);
        let k = cx.str(name);
        if let Some(v) = cx.dict_get(dh, k)? {
            return Ok(Some(v));
        }
    }
    let o = cx.get(h);
    Ok(member_default(cx, o, name))
}

/// Stores (or deletes, with `None`) attribute `name` of exception instance `h` in its dict.
pub fn exception_setattr(
    cx: &mut Thread,
    h: Handle,
    name: &str,
    v: Option<Handle>,
) -> PyResult<()> {
    if name == "args" {
        let Some(v) = v else {
            return Err(type_error(cx, "args may not be deleted"));
        };
        if cx.kind_of(cx.get(v)) != Kind::Tuple {
            return Err(type_error(cx, "args must be a tuple"));
        }
        crate::objects::exceptions::write_args(cx, h, v);
        return Ok(());
    }
    if matches!(name, "__cause__" | "__context__") {
        let which = u8::from(name == "__context__");
        let Some(v) = v else {
            return Err(type_error(cx, &format!("{name} may not be deleted")));
        };
        let vo = cx.get(v);
        let stored = if vo == cx.rt.none {
            None
        } else if cx.kind_of(vo) == Kind::Exception {
            refcount::c_incref(cx, vo);
            Some(vo)
        } else {
            let what = if which == 0 { "cause" } else { "context" };
            return Err(type_error(
                cx,
                &format!("exception {what} must be None or derive from BaseException"),
            ));
        };
        let o = cx.get(h);
        extra_set(cx, o, which, stored);
        return Ok(());
    }
    if name == "__suppress_context__" {
        let Some(v) = v else {
            return Err(type_error(cx, "__suppress_context__ may not be deleted"));
        };
        let b = crate::r#abstract::object::truth(cx, v)?;
        let o = cx.get(h);
        set_suppress_context(cx, o, b);
        return Ok(());
    }
    if name == "__traceback__" {
        let ok = v.is_some_and(|v| cx.get(v) == cx.rt.none);
        if !ok {
            return Err(type_error(cx, "__traceback__ must be a traceback or None"));
        }
        return Ok(());
    }
    let d = cx.exception_dict(h);
    let k = cx.str(name);
    match v {
        Some(v) => cx.dict_set(d, k, v),
        None => {
            if cx.dict_del(d, k)? {
                Ok(())
            } else {
                let o = cx.get(h);
                let msg = format!("'{}' object has no attribute '{name}'", tname(cx, o));
                Err(cx::attribute_error(cx, &msg))
            }
        }
    }
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyException_GetCause", rules::EXCEPTION_CHAIN_IN_DICT),
        ("PyException_GetContext", rules::EXCEPTION_CHAIN_IN_DICT),
        ("PyException_SetCause", rules::EXCEPTION_CHAIN_IN_DICT),
        ("PyException_SetContext", rules::EXCEPTION_CHAIN_IN_DICT),
        ("PyException_SetArgs", Rule::Works),
        ("PyException_SetTraceback", Rule::Cost("no frames, hence no traceback objects: only None is accepted (anything else is CPython's TypeError)")),
        ("PyExceptionClass_Name", Rule::Works),
        ("PyUnicodeDecodeError_Create", Rule::Works),
        ("PyUnicodeDecodeError_GetEncoding", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_GetObject", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_GetReason", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_GetStart", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_GetEnd", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_SetStart", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_SetEnd", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeDecodeError_SetReason", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_GetEncoding", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_GetObject", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_GetReason", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_GetStart", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_GetEnd", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_SetStart", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_SetEnd", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeEncodeError_SetReason", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_GetObject", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_GetReason", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_GetStart", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_GetEnd", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_SetStart", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_SetEnd", rules::UNICODE_ERROR_ARGS),
        ("PyUnicodeTranslateError_SetReason", rules::UNICODE_ERROR_ARGS),
    ]
};
