//! `set` and `frozenset` (`PySet_*`, `PyFrozenSet_New`): shim types whose payload is a runtime
//! dict used as a hash set (keys map to None). `len()`, iteration and `in` work through
//! `object.rs`/`sequence.rs`.

use std::ffi::c_int;

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, NativeHooks, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, harg, new_ref_h};
use crate::boundary::ffi::{PyObject, Py_ssize_t};
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{alloc, is_exactly, payload, release_fields, visit_opt};

/// Payload of a set or frozenset.
#[repr(C)]
pub struct SetPayload {
    /// The keys (a runtime dict; values are None).
    pub dict: Option<ObjRef>,
}

fn set_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the set types.
    let p = unsafe { payload::<SetPayload>(obj) };
    visit_opt(&mut p.dict, visit);
}

fn set_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<SetPayload>(obj) };
    release_fields(obj, &[p.dict]);
}

/// Hooks of `set` and `frozenset`.
pub static SET_HOOKS: NativeHooks = NativeHooks {
    trace: set_trace,
    finalize: set_finalize,
    c_layout: false,
};

/// True for a set (not frozenset).
pub fn is_set(o: ObjRef) -> bool {
    is_exactly(o, shim_types().set)
}

/// True for a set or frozenset.
pub fn is_anyset(o: ObjRef) -> bool {
    is_set(o) || is_exactly(o, shim_types().frozenset)
}

/// The key dict of a set (the caller checked `is_anyset`).
pub fn keys(cx: &mut Thread, o: ObjRef) -> Handle {
    // SAFETY: a set payload.
    let d = unsafe { payload::<SetPayload>(o) }.dict.expect("set dict");
    cx.root(d)
}

/// A new set (or frozenset) of `iterable`'s items (empty for None).
pub fn new_set(cx: &mut Thread, frozen: bool, iterable: Option<Handle>) -> PyResult<Handle> {
    let d = cx.dict();
    if let Some(src) = iterable {
        let it = crate::r#abstract::object::iter(cx, src)?;
        let none = cx.root(cx.rt.none);
        while let Some(x) = crate::r#abstract::object::next(cx, it)? {
            cx.dict_set(d, x, none)?;
        }
    }
    let ty = if frozen {
        shim_types().frozenset
    } else {
        shim_types().set
    };
    let h = alloc(cx, ty, SetPayload { dict: None });
    let dv = cx.get(d);
    pyopaque_runtime::refcount::incref(cx, dv);
    let s = cx.get(h);
    // SAFETY: a fresh set payload; `d` rooted.
    unsafe { payload::<SetPayload>(s) }.dict = Some(cx.get(d));
    Ok(h)
}

/// `PySet_New`: a set of `iterable`'s items (empty for NULL).
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_New(iterable: *mut PyObject) -> *mut PyObject {
    capi!("PySet_New", |cx| {
        // SAFETY: caller's contract.
        let src = unsafe { cx::from_c(iterable) }.map(|o| cx.root(o));
        let h = new_set(cx, false, src)?;
        Ok(new_ref_h(cx, h))
    })
}

/// `PyFrozenSet_New`.
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyFrozenSet_New(iterable: *mut PyObject) -> *mut PyObject {
    capi!("PyFrozenSet_New", |cx| {
        // SAFETY: caller's contract.
        let src = unsafe { cx::from_c(iterable) }.map(|o| cx.root(o));
        let h = new_set(cx, true, src)?;
        Ok(new_ref_h(cx, h))
    })
}

fn anyset_arg(cx: &mut Thread, s: *mut PyObject, mutable: bool) -> PyResult<Handle> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, s) }?;
    let o = cx.get(h);
    let ok = if mutable { is_set(o) } else { is_anyset(o) };
    if !ok {
        return Err(cx::bad_internal_call(cx));
    }
    Ok(h)
}

/// `PySet_Size`.
///
/// # Safety
/// A set or frozenset.
#[no_mangle]
pub unsafe extern "C" fn PySet_Size(s: *mut PyObject) -> Py_ssize_t {
    crate::capi_locked!("PySet_Size", s, |cx| {
        let h = anyset_arg(cx, s, false)?;
        let d = keys(cx, cx.get(h));
        Ok(cx.dict_len(cx.get(d)) as Py_ssize_t)
    })
}

/// `PySet_Contains`: 1, 0, or -1 (TypeError for an unhashable key).
///
/// # Safety
/// A set or frozenset and an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_Contains(s: *mut PyObject, key: *mut PyObject) -> c_int {
    crate::capi_locked!("PySet_Contains", s, |cx| {
        let h = anyset_arg(cx, s, false)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        let d = keys(cx, cx.get(h));
        Ok(cx.dict_get(d, k)?.is_some() as c_int)
    })
}

/// `PySet_Add`: also fills a new frozenset (as CPython allows).
///
/// # Safety
/// A set or frozenset and an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_Add(s: *mut PyObject, key: *mut PyObject) -> c_int {
    crate::capi_locked!("PySet_Add", s, |cx| {
        let h = anyset_arg(cx, s, false)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        let d = keys(cx, cx.get(h));
        let none = cx.root(cx.rt.none);
        cx.dict_set(d, k, none)?;
        Ok(0)
    })
}

/// `PySet_Discard`: 1 when found and removed, 0 when absent.
///
/// # Safety
/// A set and an object.
#[no_mangle]
pub unsafe extern "C" fn PySet_Discard(s: *mut PyObject, key: *mut PyObject) -> c_int {
    crate::capi_locked!("PySet_Discard", s, |cx| {
        let h = anyset_arg(cx, s, true)?;
        // SAFETY: caller's contract.
        let k = unsafe { harg(cx, key) }?;
        let d = keys(cx, cx.get(h));
        Ok(cx.dict_del(d, k)? as c_int)
    })
}

/// `PySet_Clear`.
///
/// # Safety
/// A set.
#[no_mangle]
pub unsafe extern "C" fn PySet_Clear(s: *mut PyObject) -> c_int {
    crate::capi_locked!("PySet_Clear", s, |cx| {
        let h = anyset_arg(cx, s, true)?;
        let d = keys(cx, cx.get(h));
        cx.dict_clear(d);
        Ok(0)
    })
}

/// `PySet_Pop`: an arbitrary element (KeyError "pop from an empty set").
///
/// # Safety
/// A set.
#[no_mangle]
pub unsafe extern "C" fn PySet_Pop(s: *mut PyObject) -> *mut PyObject {
    crate::capi_locked!("PySet_Pop", s, |cx| {
        let h = anyset_arg(cx, s, true)?;
        let d = keys(cx, cx.get(h));
        let mut pos = 0;
        let first = cx.dict_next(cx.get(d), &mut pos).map(|e| e.0);
        let Some(k) = first else {
            let t = cx.rt.types.exc.key_error;
            return Err(cx.raise(t, "pop from an empty set"));
        };
        let kh = cx.root(k);
        cx.dict_del(d, kh)?;
        Ok(new_ref_h(cx, kh))
    })
}

// ----- object protocol (from `object.rs` and the runtime's protocol hooks) -----

/// Number of elements of the set or frozenset `s`.
fn set_len(cx: &mut Thread, s: ObjRef) -> usize {
    let d = keys(cx, s);
    cx.dict_len(cx.get(d))
}

/// Whether every element of `a` is in `b` (both sets or frozensets). Iterates by position, so
/// an element's `__eq__` mutating either set cannot make it read out of bounds.
fn is_subset(cx: &mut Thread, a: Handle, b: Handle) -> PyResult<bool> {
    let (da, db) = (keys(cx, cx.get(a)), keys(cx, cx.get(b)));
    let mut pos = 0;
    loop {
        let m = cx.mark();
        let Some((k, _)) = cx.dict_next(cx.get(da), &mut pos) else {
            cx.release(m);
            return Ok(true);
        };
        let kh = cx.root(k);
        let found = cx.dict_get(db, kh).map(|r| r.is_some());
        cx.release(m);
        if !found? {
            return Ok(false);
        }
    }
}

/// Rich comparison of the set or frozenset `a` with `b` (`op` is C's `Py_LT` ... `Py_GE`), as
/// CPython's `set_richcompare`: `==` compares contents (a set equals a frozenset with the same
/// elements), `<=`/`<` are subset tests, `>=`/`>` superset tests. `Ok(None)` (NotImplemented)
/// unless `b` is a set or frozenset.
pub fn richcompare(cx: &mut Thread, a: Handle, b: Handle, op: c_int) -> PyResult<Option<bool>> {
    if !is_anyset(cx.get(b)) {
        return Ok(None);
    }
    let (la, lb) = (set_len(cx, cx.get(a)), set_len(cx, cx.get(b)));
    let r = match op {
        0 => la < lb && is_subset(cx, a, b)?,
        1 => la <= lb && is_subset(cx, a, b)?,
        2 => la == lb && is_subset(cx, a, b)?,
        3 => !(la == lb && is_subset(cx, a, b)?),
        4 => la > lb && is_subset(cx, b, a)?,
        5 => la >= lb && is_subset(cx, b, a)?,
        _ => return Err(cx::bad_internal_call(cx)),
    };
    Ok(Some(r))
}

/// `hash(frozenset)`: CPython's `frozenset_hash` (order-independent: the xor of each element's
/// shuffled hash, then the size and a final dispersion), so equal frozensets hash equal.
pub fn frozenset_hash(cx: &mut Thread, s: Handle) -> PyResult<i64> {
    fn shuffle(h: u64) -> u64 {
        ((h ^ 89869747) ^ (h << 16)).wrapping_mul(3644798167)
    }
    let d = keys(cx, cx.get(s));
    let (mut acc, mut n, mut pos) = (0u64, 0u64, 0usize);
    loop {
        let m = cx.mark();
        let Some((k, _)) = cx.dict_next(cx.get(d), &mut pos) else {
            cx.release(m);
            break;
        };
        let kh = cx.root(k);
        let hk = cx.hash(kh);
        cx.release(m);
        acc ^= shuffle(hk? as u64);
        n += 1;
    }
    acc ^= (n + 1).wrapping_mul(1927868237);
    acc ^= (acc >> 11) ^ (acc >> 25);
    acc = acc.wrapping_mul(69069).wrapping_add(907133923);
    if acc == u64::MAX {
        acc = 590923713;
    }
    Ok(acc as i64)
}

/// `repr(s)` as CPython prints it: `set()`, `{1, 2}`, `frozenset()`, `frozenset({1, 2})`.
/// (A set cannot contain itself: sets are unhashable and frozensets immutable.)
pub fn repr(cx: &mut Thread, s: Handle) -> PyResult<String> {
    let frozen = !is_set(cx.get(s));
    let d = keys(cx, cx.get(s));
    let mut parts = Vec::new();
    let mut pos = 0;
    loop {
        let m = cx.mark();
        let Some((k, _)) = cx.dict_next(cx.get(d), &mut pos) else {
            cx.release(m);
            break;
        };
        let kh = cx.root(k);
        let r = crate::r#abstract::object::repr(cx, kh)
            .map(|r| cx.str_value(cx.get(r)).unwrap_or("").to_string());
        cx.release(m);
        parts.push(r?);
    }
    Ok(match (frozen, parts.is_empty()) {
        (false, true) => "set()".to_string(),
        (true, true) => "frozenset()".to_string(),
        (false, false) => format!("{{{}}}", parts.join(", ")),
        (true, false) => format!("frozenset({{{}}})", parts.join(", ")),
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PySet_New", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PyFrozenSet_New", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PySet_Size", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PySet_Contains", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PySet_Add", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PySet_Discard", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PySet_Clear", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
        ("PySet_Pop", Rule::Cost("extra indirection: a set is a shim object wrapping a runtime dict used as a hash set")),
    ]
};
