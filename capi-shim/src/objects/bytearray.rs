//! `bytearray`: a shim-defined [`Kind::Native`] type. The payload holds a `malloc`ed buffer, so
//! `PyByteArray_AsString` hands out a pointer that stays valid when the object moves (no
//! pinning); it is invalidated by `PyByteArray_Resize`, as in CPython.

use std::ffi::{c_char, c_int};

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, Kind, NativeHooks, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{is_exactly, payload};

/// Payload: a `malloc`ed, NUL-terminated buffer of `cap >= len + 1` bytes.
#[repr(C)]
pub struct ByteArrayPayload {
    /// The bytes (never NULL).
    pub data: *mut u8,
    /// Length.
    pub len: usize,
    /// Allocated size.
    pub cap: usize,
}

fn trace(_obj: ObjRef, _visit: &mut dyn FnMut(Slot)) {}

fn finalize(obj: ObjRef) {
    // SAFETY: hooks of the bytearray type: the payload is a ByteArrayPayload; runs once.
    let p = unsafe { payload::<ByteArrayPayload>(obj) };
    if !p.data.is_null() {
        // SAFETY: allocated with libc::malloc/realloc below.
        unsafe { libc::free(p.data.cast()) };
        p.data = std::ptr::null_mut();
    }
}

/// Hooks of the `bytearray` type.
pub static HOOKS: NativeHooks = NativeHooks {
    trace,
    finalize,
    c_layout: false,
};

/// The `bytearray` type.
pub fn bytearray_type() -> ObjRef {
    shim_types().bytearray
}

/// True when `o` is a bytearray.
pub fn is_bytearray(o: ObjRef) -> bool {
    is_exactly(o, bytearray_type())
}

/// The bytes of a bytearray (a copy), or None for other objects.
pub fn bytes_of(o: ObjRef) -> Option<Vec<u8>> {
    if !is_bytearray(o) {
        return None;
    }
    // SAFETY: a bytearray's payload.
    let p = unsafe { payload::<ByteArrayPayload>(o) };
    // SAFETY: `len` initialised bytes.
    Some(unsafe { std::slice::from_raw_parts(p.data, p.len) }.to_vec())
}

/// A new bytearray holding `b`.
pub fn new(cx: &mut Thread, b: &[u8]) -> Handle {
    let cap = b.len() + 1;
    // SAFETY: plain allocation, checked below.
    let data = unsafe { libc::malloc(cap) }.cast::<u8>();
    assert!(!data.is_null(), "out of memory");
    // SAFETY: `cap` bytes allocated; copy `len` and terminate.
    unsafe {
        std::ptr::copy_nonoverlapping(b.as_ptr(), data, b.len());
        *data.add(b.len()) = 0;
    }
    crate::types::shim_types::alloc(
        cx,
        bytearray_type(),
        ByteArrayPayload {
            data,
            len: b.len(),
            cap,
        },
    )
}

fn ba_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<ObjRef> {
    // SAFETY: caller's contract.
    let o = unsafe { arg(cx, p) }?;
    if !is_bytearray(o) {
        let msg = format!("expected a bytearray, not {}", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(o)
}

/// The bytes of a bytes-like object (bytes or bytearray).
pub fn buffer_of(cx: &Thread, o: ObjRef) -> Option<Vec<u8>> {
    if cx.kind_of(o) == Kind::Bytes {
        return cx.bytes_value(o).map(<[u8]>::to_vec);
    }
    bytes_of(o)
}

/// `PyByteArray_FromStringAndSize` (NULL `s`: `n` zero bytes).
///
/// # Safety
/// `s` NULL or `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyByteArray_FromStringAndSize(
    s: *const c_char,
    n: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyByteArray_FromStringAndSize", |cx| {
        if n < 0 {
            return Err(cx::system_error(
                cx,
                "Negative size passed to PyByteArray_FromStringAndSize",
            ));
        }
        crate::python::memory::check_object_size(cx, n as usize, 1)?;
        let b = if s.is_null() {
            vec![0u8; n as usize]
        } else {
            // SAFETY: `n` readable bytes by contract.
            unsafe { std::slice::from_raw_parts(s.cast::<u8>(), n as usize) }.to_vec()
        };
        let h = new(cx, &b);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyByteArray_FromObject`: `bytearray(o)` for bytes, bytearray, an int count or an iterable
/// of ints.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyByteArray_FromObject(o: *mut PyObject) -> *mut PyObject {
    capi!("PyByteArray_FromObject", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let ob = cx.get(h);
        if let Some(b) = buffer_of(cx, ob) {
            let r = new(cx, &b);
            return Ok(new_ref_h(cx, r));
        }
        if cx.kind_of(ob) == Kind::Str {
            return Err(type_error(cx, "string argument without an encoding"));
        }
        if cx.kind_of(ob) == Kind::Int {
            let n = cx.int_as_i64(ob)?.unwrap_or(-1);
            if n < 0 {
                return Err(cx::value_error(cx, "negative count"));
            }
            let r = new(cx, &vec![0u8; n as usize]);
            return Ok(new_ref_h(cx, r));
        }
        let items = match crate::r#abstract::sequence::collect(cx, h) {
            Ok(v) => v,
            Err(e) => {
                if cx.error_matches(cx.rt.types.exc.type_error) {
                    cx.clear_error();
                    // Re-read: collecting may have allocated (and moved objects).
                    let ob = cx.get(h);
                    let msg = format!("cannot convert '{}' object to bytearray", tname(cx, ob));
                    return Err(type_error(cx, &msg));
                }
                return Err(e);
            }
        };
        let mut b = Vec::with_capacity(items.len());
        for it in items {
            let io = cx.get(it);
            if cx.kind_of(io) != Kind::Int {
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    tname(cx, io)
                );
                return Err(type_error(cx, &msg));
            }
            match cx.int_as_i64(io)? {
                Some(v) if (0..256).contains(&v) => b.push(v as u8),
                _ => return Err(cx::value_error(cx, "byte must be in range(0, 256)")),
            }
        }
        let r = new(cx, &b);
        Ok(new_ref_h(cx, r))
    })
}

/// `PyByteArray_Size`.
///
/// # Safety
/// A bytearray C holds.
#[no_mangle]
pub unsafe extern "C" fn PyByteArray_Size(o: *mut PyObject) -> Py_ssize_t {
    capi!("PyByteArray_Size", |cx| {
        let b = ba_arg(cx, o)?;
        // SAFETY: a bytearray's payload.
        Ok(unsafe { payload::<ByteArrayPayload>(b) }.len as Py_ssize_t)
    })
}

/// `PyByteArray_GET_SIZE` (`PyOpaque_ByteArray_GET_SIZE`).
///
/// # Safety
/// A bytearray C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_ByteArray_GET_SIZE(o: *mut PyObject) -> Py_ssize_t {
    capi!("PyOpaque_ByteArray_GET_SIZE", |cx| {
        let b = ba_arg(cx, o)?;
        // SAFETY: a bytearray's payload.
        Ok(unsafe { payload::<ByteArrayPayload>(b) }.len as Py_ssize_t)
    })
}

/// `PyByteArray_AsString`: the buffer (malloc'd: stays put when the object moves).
///
/// # Safety
/// A bytearray C holds.
#[no_mangle]
pub unsafe extern "C" fn PyByteArray_AsString(o: *mut PyObject) -> *mut c_char {
    capi!("PyByteArray_AsString", |cx| {
        let b = ba_arg(cx, o)?;
        // SAFETY: a bytearray's payload.
        Ok(unsafe { payload::<ByteArrayPayload>(b) }.data.cast())
    })
}

/// `PyByteArray_AS_STRING` (`PyOpaque_ByteArray_AS_STRING`).
///
/// # Safety
/// A bytearray C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_ByteArray_AS_STRING(o: *mut PyObject) -> *mut c_char {
    capi!("PyOpaque_ByteArray_AS_STRING", |cx| {
        let b = ba_arg(cx, o)?;
        // SAFETY: a bytearray's payload.
        Ok(unsafe { payload::<ByteArrayPayload>(b) }.data.cast())
    })
}

/// `PyByteArray_Concat`: a new bytearray `a + b` (both bytes-like).
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyByteArray_Concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    capi!("PyByteArray_Concat", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (arg(cx, a)?, arg(cx, b)?) };
        match (buffer_of(cx, x), buffer_of(cx, y)) {
            (Some(mut p), Some(q)) => {
                p.extend_from_slice(&q);
                let r = new(cx, &p);
                Ok(new_ref_h(cx, r))
            }
            _ => {
                let msg = format!("can't concat {} to {}", tname(cx, y), tname(cx, x));
                Err(type_error(cx, &msg))
            }
        }
    })
}

/// `PyByteArray_Resize` (new bytes are zero; the buffer may move).
///
/// # Safety
/// A bytearray C holds.
#[no_mangle]
pub unsafe extern "C" fn PyByteArray_Resize(o: *mut PyObject, n: Py_ssize_t) -> c_int {
    capi!("PyByteArray_Resize", |cx| {
        let b = ba_arg(cx, o)?;
        if n < 0 {
            return Err(cx::value_error(
                cx,
                &format!("Can only resize to positive sizes, got {n}"),
            ));
        }
        let n = n as usize;
        // SAFETY: a bytearray's payload.
        let p = unsafe { payload::<ByteArrayPayload>(b) };
        if n + 1 > p.cap {
            // SAFETY: the buffer was malloc'd; realloc keeps its contents.
            let d = unsafe { libc::realloc(p.data.cast(), n + 1) }.cast::<u8>();
            if d.is_null() {
                let t = cx.rt.types.exc.memory_error;
                return Err(cx.raise(t, ""));
            }
            p.data = d;
            p.cap = n + 1;
        }
        if n > p.len {
            // SAFETY: within the `cap` bytes.
            unsafe { std::ptr::write_bytes(p.data.add(p.len), 0, n - p.len) };
        }
        p.len = n;
        // SAFETY: `cap > n`.
        unsafe { *p.data.add(n) = 0 };
        Ok(0)
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rules;
    &[
        ("PyByteArray_FromStringAndSize", rules::BYTEARRAY_SHIM_TYPE),
        ("PyByteArray_FromObject", rules::BYTEARRAY_SHIM_TYPE),
        ("PyByteArray_Size", rules::BYTEARRAY_SHIM_TYPE),
        ("PyByteArray_AsString", rules::BYTEARRAY_SHIM_TYPE),
        ("PyByteArray_Concat", rules::BYTEARRAY_SHIM_TYPE),
        ("PyByteArray_Resize", rules::BYTEARRAY_SHIM_TYPE),
        ("PyOpaque_ByteArray_AS_STRING", rules::BYTEARRAY_SHIM_TYPE),
        ("PyOpaque_ByteArray_GET_SIZE", rules::BYTEARRAY_SHIM_TYPE),
    ]
};
