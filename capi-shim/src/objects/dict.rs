//! `dict`: `PyDict_*`. Borrowed results (`PyDict_GetItem`, `PyDict_Next`) are pinned until the
//! native call returns.

use std::ffi::{c_char, c_int};

use pyopaque_runtime::{Handle, Kind, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, borrowed, cstr, harg, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::boundary::ffi::*;
use crate::capi;

fn dict_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: callers pass an object C holds.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Dict {
        return Err(bad_internal_call(cx));
    }
    Ok(cx.root(o))
}

/// `PyDict_New`.
#[no_mangle]
pub extern "C" fn PyDict_New() -> *mut PyObject {
    capi!("PyDict_New", |cx| {
        let d = cx.dict();
        Ok(new_ref_h(cx, d))
    })
}

/// `PyDict_GetItem`: borrowed; NULL when absent, errors suppressed (as in CPython).
///
/// # Safety
/// A dict and key C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_GetItem(d: *mut PyObject, k: *mut PyObject) -> *mut PyObject {
    // Lean path: a dict and an immediate int key, decided without Python equality (no handle,
    // no allocation, no code run, no exception to save); anything else runs the general body.
    crate::capi_lean_locked!(d;
        "PyDict_GetItem",
        |cx| {
            let (dob, key) = (cx::heap_ref(d)?, immediate_arg(k)?);
            if cx.kind_of(dob) != Kind::Dict {
                return None;
            }
            Some(match cx.dict_get_immediate(dob, key)? {
                Some(v) => cx::borrowed_from(cx, v, dob, "PyDict_GetItem"),
                None => std::ptr::null_mut(),
            })
        },
        |cx| dict_get_item(cx, d, k)
    )
}

/// `p` as an immediate int (tagging on), else `None`.
#[inline(always)]
fn immediate_arg(p: *mut PyObject) -> Option<pyopaque_runtime::ObjRef> {
    if (p as usize) & 1 == 0 || !cx::tagging_fast() {
        return None;
    }
    // SAFETY: an odd word from C is an immediate int the shim handed out (tagging is on).
    unsafe { pyopaque_runtime::ObjRef::from_raw(p.cast()) }
}

fn dict_get_item(cx: &mut Thread, d: *mut PyObject, k: *mut PyObject) -> PyResult<*mut PyObject> {
    {
        // SAFETY: caller's contract.
        let Some(dob) = (unsafe { cx::from_c(d) }) else {
            return Ok(std::ptr::null_mut());
        };
        if cx.kind_of(dob) != Kind::Dict {
            return Ok(std::ptr::null_mut());
        }
        let dh = cx.root(dob);
        // SAFETY: caller's contract.
        let Some(ko) = (unsafe { cx::from_c(k) }) else {
            return Ok(std::ptr::null_mut());
        };
        let kh = cx.root(ko);
        let saved = cx.take_error();
        let r = cx.dict_get(dh, kh);
        cx.clear_error();
        if let Some(e) = saved {
            cx.raise_object(e);
        }
        Ok(match r {
            Ok(Some(v)) => {
                let (vo, owner) = (cx.get(v), cx.get(dh));
                cx::borrowed_from(cx, vo, owner, "PyDict_GetItem")
            }
            _ => std::ptr::null_mut(),
        })
    }
}

/// `PyDict_GetItemWithError`: borrowed; NULL without exception when absent.
///
/// # Safety
/// A dict and key C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_GetItemWithError(
    d: *mut PyObject,
    k: *mut PyObject,
) -> *mut PyObject {
    crate::capi_locked!("PyDict_GetItemWithError", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let kh = unsafe { harg(cx, k) }?;
        Ok(match cx.dict_get(dh, kh)? {
            Some(v) => {
                let vo = cx.get(v);
                borrowed(cx, vo)
            }
            None => std::ptr::null_mut(),
        })
    })
}

/// `PyDict_GetItemString`: borrowed; errors suppressed.
///
/// # Safety
/// A dict; `k` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyDict_GetItemString(d: *mut PyObject, k: *const c_char) -> *mut PyObject {
    crate::capi_locked!("PyDict_GetItemString", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let ks = unsafe { cstr(cx, k) }?;
        let kh = cx.str(ks);
        Ok(match cx.dict_get(dh, kh) {
            Ok(Some(v)) => {
                let vo = cx.get(v);
                borrowed(cx, vo)
            }
            _ => {
                cx.clear_error();
                std::ptr::null_mut()
            }
        })
    })
}

unsafe fn get_ref(
    cx: &mut Thread,
    dh: Handle,
    kh: Handle,
    result: *mut *mut PyObject,
) -> PyResult<c_int> {
    if result.is_null() {
        return Err(bad_internal_call(cx));
    }
    // SAFETY: writable.
    unsafe { *result = std::ptr::null_mut() };
    match cx.dict_get(dh, kh)? {
        Some(v) => {
            // SAFETY: writable.
            unsafe { *result = new_ref_h(cx, v) };
            Ok(1)
        }
        None => Ok(0),
    }
}

/// `PyDict_GetItemRef` (3.13): 1 found (new reference), 0 absent, -1 error.
///
/// # Safety
/// A dict and key C holds; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_GetItemRef(
    d: *mut PyObject,
    k: *mut PyObject,
    result: *mut *mut PyObject,
) -> c_int {
    crate::capi_locked!("PyDict_GetItemRef", d, |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, d) }?;
        if cx.kind_of(o) != Kind::Dict {
            if !result.is_null() {
                // SAFETY: writable.
                unsafe { *result = std::ptr::null_mut() };
            }
            return Err(cx::system_error(cx, "bad argument to internal function"));
        }
        let dh = cx.root(o);
        // SAFETY: caller's contract.
        let kh = unsafe { harg(cx, k) }?;
        // SAFETY: forwarded.
        unsafe { get_ref(cx, dh, kh, result) }
    })
}

/// `PyDict_GetItemStringRef` (3.13).
///
/// # Safety
/// A dict; `k` a C string; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_GetItemStringRef(
    d: *mut PyObject,
    k: *const c_char,
    result: *mut *mut PyObject,
) -> c_int {
    crate::capi_locked!("PyDict_GetItemStringRef", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let ks = unsafe { cstr(cx, k) }?;
        let kh = cx.str(ks);
        // SAFETY: forwarded.
        unsafe { get_ref(cx, dh, kh, result) }
    })
}

/// `PyDict_SetItem`.
///
/// # Safety
/// A dict, key and value C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_SetItem(
    d: *mut PyObject,
    k: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    // Lean path: a dict, an immediate int key and a value C holds, when the store needs no
    // Python equality and frees nothing (`Thread::dict_set_immediate` declines otherwise).
    crate::capi_lean_locked!(d;
        "PyDict_SetItem",
        |cx| {
            let (dob, key) = (cx::heap_ref(d)?, immediate_arg(k)?);
            // SAFETY: caller's contract (NULL gives None: the general path raises).
            let val = unsafe { cx::from_c(v) }?;
            if cx.kind_of(dob) != Kind::Dict || !cx.dict_set_immediate(dob, key, val) {
                return None;
            }
            Some(0)
        },
        |cx| dict_set_item(cx, d, k, v)
    )
}

fn dict_set_item(
    cx: &mut Thread,
    d: *mut PyObject,
    k: *mut PyObject,
    v: *mut PyObject,
) -> PyResult<c_int> {
    {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let (kh, vh) = unsafe { (harg(cx, k)?, harg(cx, v)?) };
        cx.dict_set(dh, kh, vh)?;
        Ok(0)
    }
}

/// `PyDict_SetItemString`.
///
/// # Safety
/// A dict; `k` a C string; `v` an object.
#[no_mangle]
pub unsafe extern "C" fn PyDict_SetItemString(
    d: *mut PyObject,
    k: *const c_char,
    v: *mut PyObject,
) -> c_int {
    crate::capi_locked!("PyDict_SetItemString", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let ks = unsafe { cstr(cx, k) }?;
        let kh = cx.str(ks);
        // SAFETY: caller's contract.
        let vh = unsafe { harg(cx, v) }?;
        cx.dict_set(dh, kh, vh)?;
        Ok(0)
    })
}

/// `PyDict_DelItem`: KeyError when absent.
///
/// # Safety
/// A dict and key C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_DelItem(d: *mut PyObject, k: *mut PyObject) -> c_int {
    crate::capi_locked!("PyDict_DelItem", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let kh = unsafe { harg(cx, k) }?;
        if !cx.dict_del(dh, kh)? {
            return Err(cx::key_error(cx, kh));
        }
        Ok(0)
    })
}

/// `PyDict_DelItemString`.
///
/// # Safety
/// A dict; `k` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyDict_DelItemString(d: *mut PyObject, k: *const c_char) -> c_int {
    crate::capi_locked!("PyDict_DelItemString", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let ks = unsafe { cstr(cx, k) }?;
        let kh = cx.str(ks);
        if !cx.dict_del(dh, kh)? {
            return Err(cx::key_error(cx, kh));
        }
        Ok(0)
    })
}

/// `PyDict_Contains`.
///
/// # Safety
/// A dict and key C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Contains(d: *mut PyObject, k: *mut PyObject) -> c_int {
    crate::capi_locked!("PyDict_Contains", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let kh = unsafe { harg(cx, k) }?;
        Ok(cx.dict_get(dh, kh)?.is_some() as c_int)
    })
}

/// `PyDict_ContainsString` (3.13).
///
/// # Safety
/// A dict; `k` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyDict_ContainsString(d: *mut PyObject, k: *const c_char) -> c_int {
    crate::capi_locked!("PyDict_ContainsString", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let ks = unsafe { cstr(cx, k) }?;
        let kh = cx.str(ks);
        Ok(cx.dict_get(dh, kh)?.is_some() as c_int)
    })
}

/// `PyDict_Size`.
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Size(d: *mut PyObject) -> Py_ssize_t {
    crate::capi_locked!("PyDict_Size", d, |cx| {
        let dh = dict_arg(cx, d)?;
        Ok(cx.dict_len(cx.get(dh)) as Py_ssize_t)
    })
}

/// `PyDict_GET_SIZE` (`PyOpaque_Dict_GET_SIZE`).
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Dict_GET_SIZE(d: *mut PyObject) -> Py_ssize_t {
    crate::capi_locked!("PyOpaque_Dict_GET_SIZE", d, |cx| {
        let dh = dict_arg(cx, d)?;
        Ok(cx.dict_len(cx.get(dh)) as Py_ssize_t)
    })
}

/// `PyDict_Next`: borrowed key and value (pinned until the native call returns).
///
/// # Safety
/// A dict C holds; `pos` writable; `k`/`v` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Next(
    d: *mut PyObject,
    pos: *mut Py_ssize_t,
    k: *mut *mut PyObject,
    v: *mut *mut PyObject,
) -> c_int {
    // No handle and no allocation on the gc heap: the whole body is a lean path (the general
    // path, for debug mode, finalizers and other threads, runs the same code under `api`).
    crate::capi_lean_locked!(d;
        "PyDict_Next",
        |cx| Some(dict_next(cx, d, pos, k, v)),
        |cx| Ok(dict_next(cx, d, pos, k, v))
    )
}

fn dict_next(
    cx: &mut Thread,
    d: *mut PyObject,
    pos: *mut Py_ssize_t,
    k: *mut *mut PyObject,
    v: *mut *mut PyObject,
) -> c_int {
    if pos.is_null() {
        return 0;
    }
    // SAFETY: caller's contract.
    let Some(o) = (unsafe { cx::from_c(d) }) else {
        return 0;
    };
    if cx.kind_of(o) != Kind::Dict {
        return 0;
    }
    // SAFETY: writable.
    let mut p = unsafe { *pos }.max(0) as usize;
    match cx.dict_next(o, &mut p) {
        None => 0,
        Some((key, val)) => {
            // SAFETY: writable pointers by contract.
            unsafe {
                *pos = p as Py_ssize_t;
                if !k.is_null() {
                    *k = cx::borrowed_from(cx, key, o, "PyDict_Next");
                }
                if !v.is_null() {
                    *v = cx::borrowed_from(cx, val, o, "PyDict_Next");
                }
            }
            1
        }
    }
}

fn view(cx: &mut Thread, d: *mut PyObject, which: u8) -> PyResult<*mut PyObject> {
    let dh = dict_arg(cx, d)?;
    let l = cx.list();
    let mut p = 0;
    while let Some((k, v)) = cx.dict_next(cx.get(dh), &mut p) {
        let (kh, vh) = (cx.root(k), cx.root(v));
        let item = match which {
            0 => kh,
            1 => vh,
            _ => cx.tuple(&[kh, vh]),
        };
        cx.list_append(l, item)?;
    }
    Ok(new_ref_h(cx, l))
}

/// `PyDict_Keys` (a list).
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Keys(d: *mut PyObject) -> *mut PyObject {
    capi!("PyDict_Keys", |cx| view(cx, d, 0))
}

/// `PyDict_Values` (a list).
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Values(d: *mut PyObject) -> *mut PyObject {
    capi!("PyDict_Values", |cx| view(cx, d, 1))
}

/// `PyDict_Items` (a list of pairs).
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Items(d: *mut PyObject) -> *mut PyObject {
    capi!("PyDict_Items", |cx| view(cx, d, 2))
}

fn merge(cx: &mut Thread, dh: Handle, src: Handle, override_: bool) -> PyResult<()> {
    let s = cx.get(src);
    if cx.kind_of(s) != Kind::Dict {
        // CPython falls back to the mapping protocol and looks up `keys`.
        let msg = format!("'{}' object has no attribute 'keys'", cx::tname(cx, s));
        return Err(cx::attribute_error(cx, &msg));
    }
    let mut p = 0;
    while let Some((k, v)) = cx.dict_next(cx.get(src), &mut p) {
        let (kh, vh) = (cx.root(k), cx.root(v));
        if override_ || cx.dict_get(dh, kh)?.is_none() {
            cx.dict_set(dh, kh, vh)?;
        }
    }
    Ok(())
}

/// `PyDict_Copy`.
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Copy(d: *mut PyObject) -> *mut PyObject {
    crate::capi_locked!("PyDict_Copy", d, |cx| {
        let dh = dict_arg(cx, d)?;
        let n = cx.dict();
        merge(cx, n, dh, true)?;
        Ok(new_ref_h(cx, n))
    })
}

/// `PyDict_Clear`.
///
/// # Safety
/// A dict C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Clear(d: *mut PyObject) {
    crate::capi_locked!("PyDict_Clear", d, |cx| {
        // SAFETY: caller's contract.
        let Some(o) = (unsafe { cx::from_c(d) }) else {
            return Ok(());
        };
        if cx.kind_of(o) == Kind::Dict {
            let h = cx.root(o);
            cx.dict_clear(h);
        }
        Ok(())
    })
}

/// `PyDict_Update`.
///
/// # Safety
/// Dicts C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Update(a: *mut PyObject, b: *mut PyObject) -> c_int {
    crate::capi_locked!("PyDict_Update", a, |cx| {
        let dh = dict_arg(cx, a)?;
        // SAFETY: caller's contract.
        let s = unsafe { harg(cx, b) }?;
        merge(cx, dh, s, true)?;
        Ok(0)
    })
}

/// `PyDict_Merge`.
///
/// # Safety
/// Dicts C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Merge(
    a: *mut PyObject,
    b: *mut PyObject,
    override_: c_int,
) -> c_int {
    crate::capi_locked!("PyDict_Merge", a, |cx| {
        let dh = dict_arg(cx, a)?;
        // SAFETY: caller's contract.
        let s = unsafe { harg(cx, b) }?;
        merge(cx, dh, s, override_ != 0)?;
        Ok(0)
    })
}

/// `PyDict_SetDefault` (borrowed result).
///
/// # Safety
/// A dict, key and default C holds.
#[no_mangle]
pub unsafe extern "C" fn PyDict_SetDefault(
    d: *mut PyObject,
    k: *mut PyObject,
    dflt: *mut PyObject,
) -> *mut PyObject {
    crate::capi_locked!("PyDict_SetDefault", d, |cx| {
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let (kh, vh) = unsafe { (harg(cx, k)?, harg(cx, dflt)?) };
        let r = match cx.dict_get(dh, kh)? {
            Some(v) => v,
            None => {
                cx.dict_set(dh, kh, vh)?;
                vh
            }
        };
        let o = cx.get(r);
        Ok(borrowed(cx, o))
    })
}

/// `PyDict_Pop` (3.13): 1 removed (`*result` new reference), 0 absent, -1 error.
///
/// # Safety
/// A dict and key C holds; `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_Pop(
    d: *mut PyObject,
    k: *mut PyObject,
    result: *mut *mut PyObject,
) -> c_int {
    crate::capi_locked!("PyDict_Pop", d, |cx| {
        if !result.is_null() {
            // SAFETY: writable.
            unsafe { *result = std::ptr::null_mut() };
        }
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let kh = unsafe { harg(cx, k) }?;
        match cx.dict_get(dh, kh)? {
            None => Ok(0),
            Some(v) => {
                cx.dict_del(dh, kh)?;
                if !result.is_null() {
                    // SAFETY: writable.
                    unsafe { *result = new_ref_h(cx, v) };
                }
                Ok(1)
            }
        }
    })
}

/// `PyDict_MergeFromSeq2(a, seq2, override)`: `a.update(seq2)` for an iterable of pairs
/// (existing keys kept when `override` is 0).
///
/// # Safety
/// A dict and an object.
#[no_mangle]
pub unsafe extern "C" fn PyDict_MergeFromSeq2(
    a: *mut PyObject,
    seq2: *mut PyObject,
    override_: c_int,
) -> c_int {
    capi!("PyDict_MergeFromSeq2", |cx| {
        let d = dict_arg(cx, a)?;
        // SAFETY: caller's contract.
        let s = unsafe { harg(cx, seq2) }?;
        let it = crate::r#abstract::object::iter(cx, s)?;
        let mut i = 0usize;
        while let Some(item) = crate::r#abstract::object::next(cx, it)? {
            let io = cx.get(item);
            let pair = match cx.kind_of(io) {
                Kind::List | Kind::Tuple => crate::r#abstract::sequence::collect(cx, item)?,
                _ => {
                    let tn = cx::tname(cx, io);
                    let _ = tn;
                    match crate::r#abstract::object::iter(cx, item) {
                        Ok(_) => crate::r#abstract::sequence::collect(cx, item)?,
                        Err(_) => {
                            cx.clear_error();
                            return Err(cx::type_error(
                                cx,
                                &format!("cannot convert dictionary update sequence element #{i} to a sequence"),
                            ));
                        }
                    }
                }
            };
            if pair.len() != 2 {
                return Err(cx::value_error(
                    cx,
                    &format!(
                        "dictionary update sequence element #{i} has length {}; 2 is required",
                        pair.len()
                    ),
                ));
            }
            if override_ != 0 || cx.dict_get(d, pair[0])?.is_none() {
                cx.dict_set(d, pair[0], pair[1])?;
            }
            i += 1;
        }
        Ok(0)
    })
}

/// `PyDict_SetDefaultRef`: 1 and the existing value, or 0 and `default` after inserting it;
/// -1 on error (SystemError for a non-dict).
///
/// # Safety
/// Objects; `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyDict_SetDefaultRef(
    d: *mut PyObject,
    key: *mut PyObject,
    default: *mut PyObject,
    result: *mut *mut PyObject,
) -> c_int {
    capi!("PyDict_SetDefaultRef", |cx| {
        let put = |v: *mut PyObject| {
            if !result.is_null() {
                // SAFETY: writable per contract.
                unsafe { *result = v };
            }
        };
        put(std::ptr::null_mut());
        let dh = dict_arg(cx, d)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        // SAFETY: as above.
        let v = unsafe { harg(cx, default) }?;
        match cx.dict_get(dh, k)? {
            Some(old) => {
                if !result.is_null() {
                    put(new_ref_h(cx, old));
                }
                Ok(1)
            }
            None => {
                cx.dict_set(dh, k, v)?;
                if !result.is_null() {
                    put(new_ref_h(cx, v));
                }
                Ok(0)
            }
        }
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyDict_Clear", Rule::Works),
        ("PyDict_Contains", Rule::Works),
        ("PyDict_Copy", Rule::Works),
        ("PyDict_DelItem", Rule::Works),
        ("PyDict_DelItemString", Rule::Works),
        (
            "PyDict_GetItem",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        (
            "PyDict_GetItemString",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        (
            "PyDict_GetItemWithError",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        ("PyDict_Items", Rule::Works),
        ("PyDict_Keys", Rule::Works),
        ("PyDict_Merge", Rule::Works),
        ("PyDict_New", Rule::Works),
        (
            "PyDict_Next",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        (
            "PyDict_SetDefault",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        ("PyDict_SetItem", Rule::Works),
        ("PyDict_SetItemString", Rule::Works),
        ("PyDict_Size", Rule::Works),
        ("PyDict_Update", Rule::Works),
        ("PyDict_Values", Rule::Works),
        ("PyOpaque_Dict_GET_SIZE", Rule::Works),
        ("PyDict_GetItemStringRef", Rule::Works),
        ("PyDict_GetItemRef", Rule::Works),
        ("PyDict_MergeFromSeq2", Rule::Works),
        ("PyDict_SetDefaultRef", Rule::Works),
    ]
};
