//! What the dict views (`d.keys()`, `d.values()`, `d.items()`, made in `iterators.rs`) do beyond
//! iteration, `len` and `__reversed__`, as Python specifies it:
//!
//! - `x in view`: a key lookup (keys; TypeError for an unhashable key), a key lookup and a value
//!   comparison (items: `(k, v)`, anything but a 2-tuple is simply absent), a scan (values);
//! - keys and items views are *set-like*: they compare with sets, frozensets and other set-like
//!   views (`==`, `!=`, and `<`, `<=`, `>`, `>=` as subset/superset tests), support `&`, `|`,
//!   `-`, `^` with any iterable on either side (the result is a new `set`, `set.rs`), have
//!   `isdisjoint`, and are unhashable;
//! - values views are not set-like: no set operations, comparison and hashing by identity;
//! - every view has `mapping` (a read-only `mappingproxy` of its dict, Python 3.10+) and the repr
//!   `dict_keys([1, 2])`.
//!
//! A view holds its dict, never a copy: every operation reads the dict as it is now (views are
//! live). The algorithms follow CPython's (which side is iterated, which element ends up in a
//! result set), so the same C code sees the same results and the same errors.

use std::cell::RefCell;
use std::ffi::c_int;

use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, harg, tname, type_error};
use crate::boundary::ffi::PyObject;
use crate::objects::iterators::{view_dict, view_kind};

/// Which dict view an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    /// `dict_keys`.
    Keys,
    /// `dict_values`.
    Values,
    /// `dict_items`.
    Items,
}

/// A binary set operation of a set-like view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    /// `&` (intersection).
    And,
    /// `|` (union).
    Or,
    /// `-` (difference).
    Sub,
    /// `^` (symmetric difference).
    Xor,
}

/// True for a keys or items view (CPython's `PyDictViewSet_Check`).
pub fn is_set_like(o: ObjRef) -> bool {
    matches!(view_kind(o), Some(ViewKind::Keys | ViewKind::Items))
}

/// `a == b` as `PyObject_RichCompareBool` computes it: identity first, then the object
/// protocol's comparison (C types' `tp_richcompare`, views, builtin values).
fn eq_bool(cx: &mut Thread, a: Handle, b: Handle) -> PyResult<bool> {
    if cx.get(a) == cx.get(b) {
        return Ok(true);
    }
    let r = crate::r#abstract::object::richcompare(cx, a, b, 2)?;
    crate::r#abstract::object::truth(cx, r)
}

/// `x in view` (the caller checked that `v` is a dict view).
pub fn contains(cx: &mut Thread, v: Handle, x: Handle) -> PyResult<bool> {
    let vo = cx.get(v);
    let kind = view_kind(vo).expect("a dict view");
    let d = view_dict(cx, vo);
    match kind {
        ViewKind::Keys => Ok(cx.dict_get(d, x)?.is_some()),
        ViewKind::Items => {
            let xo = cx.get(x);
            if cx.tuple_len(xo) != Some(2) {
                return Ok(false);
            }
            let (Some(k), Some(val)) = (cx.tuple_get(xo, 0), cx.tuple_get(xo, 1)) else {
                return Ok(false);
            };
            let (kh, vh) = (cx.root(k), cx.root(val));
            match cx.dict_get(d, kh)? {
                Some(found) => eq_bool(cx, found, vh),
                None => Ok(false),
            }
        }
        ViewKind::Values => {
            let it = crate::r#abstract::object::iter(cx, v)?;
            let m = cx.mark();
            while let Some(e) = crate::r#abstract::object::next(cx, it)? {
                if eq_bool(cx, e, x)? {
                    return Ok(true);
                }
                cx.release(m);
            }
            Ok(false)
        }
    }
}

/// True when every item of `a` is in `b` (CPython's `all_contained_in`).
fn all_contained_in(cx: &mut Thread, a: Handle, b: Handle) -> PyResult<bool> {
    let it = crate::r#abstract::object::iter(cx, a)?;
    let m = cx.mark();
    while let Some(x) = crate::r#abstract::object::next(cx, it)? {
        if !crate::r#abstract::sequence::contains(cx, b, x)? {
            return Ok(false);
        }
        cx.release(m);
    }
    Ok(true)
}

/// Rich comparison of the set-like view `a` with `b` (`op` is C's `Py_LT` ... `Py_GE`):
/// `Ok(None)` (NotImplemented) unless `b` is a set, a frozenset or a set-like view.
pub fn richcompare(cx: &mut Thread, a: Handle, b: Handle, op: c_int) -> PyResult<Option<bool>> {
    let bo = cx.get(b);
    if !(crate::objects::set::is_anyset(bo) || is_set_like(bo)) {
        return Ok(None);
    }
    let la = crate::objects::iterators::view_len(cx, cx.get(a));
    let lb = crate::r#abstract::object::length(cx, b)?;
    let ok = match op {
        0 => la < lb && all_contained_in(cx, a, b)?,
        1 => la <= lb && all_contained_in(cx, a, b)?,
        2 | 3 => la == lb && all_contained_in(cx, a, b)?,
        4 => la > lb && all_contained_in(cx, b, a)?,
        5 => la >= lb && all_contained_in(cx, b, a)?,
        _ => return Err(cx::bad_internal_call(cx)),
    };
    Ok(Some(if op == 3 { !ok } else { ok }))
}

/// A new empty set and its key dict.
fn empty_set(cx: &mut Thread) -> PyResult<(Handle, Handle)> {
    let s = crate::objects::set::new_set(cx, false, None)?;
    let d = crate::objects::set::keys(cx, cx.get(s));
    Ok((s, d))
}

/// A new set of `x`'s items and its key dict (TypeError when `x` is not iterable).
fn set_of(cx: &mut Thread, x: Handle) -> PyResult<(Handle, Handle)> {
    let s = crate::objects::set::new_set(cx, false, Some(x))?;
    let d = crate::objects::set::keys(cx, cx.get(s));
    Ok((s, d))
}

/// Calls `f` on every item of `src` (TypeError when `src` is not iterable).
fn for_each(
    cx: &mut Thread,
    src: Handle,
    mut f: impl FnMut(&mut Thread, Handle) -> PyResult<bool>,
) -> PyResult<()> {
    let it = crate::r#abstract::object::iter(cx, src)?;
    let m = cx.mark();
    while let Some(x) = crate::r#abstract::object::next(cx, it)? {
        if !f(cx, x)? {
            break;
        }
        cx.release(m);
    }
    Ok(())
}

/// `a op b` where at least one operand is a set-like view (the caller checked). As in CPython
/// the view's slot receives both operands in their order: the result starts as a set of the
/// left operand's items (`-`, `|`, `^`), so `[1, 2] - d.keys()` is a set too.
pub fn binop(cx: &mut Thread, a: Handle, b: Handle, op: SetOp) -> PyResult<Handle> {
    match op {
        SetOp::And => intersect(cx, a, b),
        SetOp::Sub => {
            let (r, rd) = set_of(cx, a)?;
            for_each(cx, b, |cx, x| cx.dict_del(rd, x).map(|_| true))?;
            Ok(r)
        }
        SetOp::Or => {
            let (r, rd) = set_of(cx, a)?;
            let none = cx.root(cx.rt.none);
            for_each(cx, b, |cx, x| cx.dict_set(rd, x, none).map(|_| true))?;
            Ok(r)
        }
        SetOp::Xor => {
            let (ao, bo) = (cx.get(a), cx.get(b));
            if view_kind(ao) == Some(ViewKind::Items) && view_kind(bo) == Some(ViewKind::Items) {
                return items_xor(cx, a, b);
            }
            let b_is_set = crate::objects::set::is_anyset(bo);
            let (r, rd) = set_of(cx, a)?;
            // `set.symmetric_difference_update(b)`: `b` made a set first (each item once).
            let other = if b_is_set { b } else { set_of(cx, b)?.0 };
            let none = cx.root(cx.rt.none);
            for_each(cx, other, |cx, x| {
                if !cx.dict_del(rd, x)? {
                    cx.dict_set(rd, x, none)?;
                }
                Ok(true)
            })?;
            Ok(r)
        }
    }
}

/// `a & b` (CPython's `_PyDictView_Intersect`): iterate the other operand (or the smaller of
/// two views) and keep what the view contains; against a larger exact set, the set's
/// `intersection` (iterate the view, keep what the set contains).
fn intersect(cx: &mut Thread, a: Handle, b: Handle) -> PyResult<Handle> {
    let (mut s, mut o) = if is_set_like(cx.get(a)) {
        (a, b)
    } else {
        (b, a)
    };
    let ls = crate::objects::iterators::view_len(cx, cx.get(s));
    if crate::objects::set::is_set(cx.get(o)) && ls <= crate::r#abstract::object::length(cx, o)? {
        let od = crate::objects::set::keys(cx, cx.get(o));
        let (r, rd) = empty_set(cx)?;
        let none = cx.root(cx.rt.none);
        for_each(cx, s, |cx, x| {
            if cx.dict_get(od, x)?.is_some() {
                cx.dict_set(rd, x, none)?;
            }
            Ok(true)
        })?;
        return Ok(r);
    }
    let oo = cx.get(o);
    if is_set_like(oo) && crate::objects::iterators::view_len(cx, oo) > ls {
        std::mem::swap(&mut s, &mut o);
    }
    let (r, rd) = empty_set(cx)?;
    let none = cx.root(cx.rt.none);
    for_each(cx, o, |cx, x| {
        if contains(cx, s, x)? {
            cx.dict_set(rd, x, none)?;
        }
        Ok(true)
    })?;
    Ok(r)
}

/// The entries of dict `d` as rooted pairs (a snapshot: comparisons may run C code).
fn entries(cx: &mut Thread, d: Handle) -> Vec<(Handle, Handle)> {
    let mut out = Vec::with_capacity(cx.dict_len(cx.get(d)));
    let mut pos = 0;
    while let Some((k, v)) = cx.dict_next(cx.get(d), &mut pos) {
        // Rooting allocates no object: `k` and `v` stay valid for both calls.
        let (kh, vh) = (cx.root(k), cx.root(v));
        out.push((kh, vh));
    }
    out
}

/// `d1.items() ^ d2.items()` (CPython's `dictitems_xor`): compares values with `==` instead of
/// hashing them, so pairs whose values are equal cancel out even when unhashable.
fn items_xor(cx: &mut Thread, a: Handle, b: Handle) -> PyResult<Handle> {
    let d1 = view_dict(cx, cx.get(a));
    let d2 = view_dict(cx, cx.get(b));
    let temp = cx.dict();
    for (k, v) in entries(cx, d1) {
        cx.dict_set(temp, k, v)?;
    }
    let (r, rd) = empty_set(cx)?;
    let none = cx.root(cx.rt.none);
    for (k, v2) in entries(cx, d2) {
        let cancel = match cx.dict_get(temp, k)? {
            Some(v1) => eq_bool(cx, v1, v2)?,
            None => false,
        };
        if cancel {
            cx.dict_del(temp, k)?;
        } else {
            let pair = cx.tuple(&[k, v2]);
            cx.dict_set(rd, pair, none)?;
        }
    }
    for (k, v1) in entries(cx, temp) {
        let pair = cx.tuple(&[k, v1]);
        cx.dict_set(rd, pair, none)?;
    }
    Ok(r)
}

/// `view.isdisjoint(other)` (keys and items views): iterates the smaller operand when `other`
/// is a set or a set-like view, `other` otherwise.
pub fn isdisjoint(cx: &mut Thread, v: Handle, other: Handle) -> PyResult<bool> {
    let (vo, oo) = (cx.get(v), cx.get(other));
    if vo == oo {
        return Ok(crate::objects::iterators::view_len(cx, vo) == 0);
    }
    let (mut s, mut o) = (v, other);
    if crate::objects::set::is_anyset(oo) || is_set_like(oo) {
        let ls = crate::objects::iterators::view_len(cx, vo);
        if crate::r#abstract::object::length(cx, other)? > ls {
            std::mem::swap(&mut s, &mut o);
        }
    }
    let mut disjoint = true;
    for_each(cx, o, |cx, x| {
        disjoint = !crate::r#abstract::sequence::contains(cx, s, x)?;
        Ok(disjoint)
    })?;
    Ok(disjoint)
}

/// `hash(view)`: TypeError for keys and items views (they define `==`); `Ok(())` for a values
/// view (and any other object), which hashes by identity like any object.
pub fn check_hashable(cx: &mut Thread, o: ObjRef) -> PyResult<()> {
    if is_set_like(o) {
        let msg = format!("unhashable type: '{}'", tname(cx, o));
        return Err(type_error(cx, &msg));
    }
    Ok(())
}

thread_local! {
    /// Views whose repr is in progress on this thread (a view can be a value of its own
    /// dict). Handles, not addresses: a view is not pinned and may move while its items'
    /// reprs allocate; every handle here belongs to a repr still running below on the stack.
    static IN_REPR: RefCell<Vec<Handle>> = const { RefCell::new(Vec::new()) };
}

/// Pops the view pushed on `IN_REPR` (also when the repr fails or panics).
struct ReprGuard;

impl Drop for ReprGuard {
    fn drop(&mut self) {
        IN_REPR.with(|s| s.borrow_mut().pop());
    }
}

fn repr_text(cx: &mut Thread, h: Handle) -> PyResult<String> {
    let r = crate::r#abstract::object::repr(cx, h)?;
    Ok(cx.str_value(cx.get(r)).unwrap_or("").to_string())
}

/// `repr(view)`: `dict_keys([1, 2])`, `dict_items([('a', 1)])`; `...` for a view met again
/// inside its own repr, as CPython's `Py_ReprEnter` gives.
pub fn repr(cx: &mut Thread, v: Handle) -> PyResult<Handle> {
    let vo = cx.get(v);
    let again = IN_REPR.with(|s| s.borrow().iter().any(|h| cx.get(*h) == vo));
    if again {
        return Ok(cx.str("..."));
    }
    IN_REPR.with(|s| s.borrow_mut().push(v));
    let _guard = ReprGuard;
    let items = view_kind(vo) == Some(ViewKind::Items);
    let mut parts = Vec::new();
    for_each(cx, v, |cx, x| {
        let xo = cx.get(x);
        let pair = (cx.tuple_get(xo, 0), cx.tuple_get(xo, 1));
        parts.push(match pair {
            (Some(k), Some(val)) if items => {
                let (kh, vh) = (cx.root(k), cx.root(val));
                format!("({}, {})", repr_text(cx, kh)?, repr_text(cx, vh)?)
            }
            _ => repr_text(cx, x)?,
        });
        Ok(true)
    })?;
    let s = format!("{}([{}])", tname(cx, cx.get(v)), parts.join(", "));
    Ok(cx.str(&s))
}

unsafe extern "C" fn m_isdisjoint(s: *mut PyObject, other: *mut PyObject) -> *mut PyObject {
    cx::api("isdisjoint", |cx| {
        // SAFETY: `self` of a bound builtin method: an object the call keeps alive.
        let h = unsafe { harg(cx, s) }?;
        // SAFETY: the METH_O argument: an object the caller holds.
        let o = unsafe { harg(cx, other) }?;
        let r = isdisjoint(cx, h, o)?;
        let b = if r { cx.rt.true_ } else { cx.rt.false_ };
        Ok(cx::new_ref(cx, b))
    })
}

/// The static definition of `isdisjoint` (C strings and a function pointer, never written).
struct ViewDefs([crate::boundary::ffi::PyMethodDef; 1]);
// SAFETY: immutable static data (C strings and function pointers), never written.
unsafe impl Sync for ViewDefs {}

static VIEW_DEFS: ViewDefs = ViewDefs([crate::boundary::ffi::PyMethodDef {
    ml_name: c"isdisjoint".as_ptr(),
    // SAFETY: a PyCFunction stored as the generic function pointer, as C does; METH_O tells
    // the caller to call it back as a PyCFunction with one argument.
    ml_meth: Some(unsafe {
        std::mem::transmute::<crate::boundary::ffi::PyCFunction, crate::boundary::ffi::RawFn>(
            m_isdisjoint,
        )
    }),
    ml_flags: crate::boundary::ffi::METH_O,
    ml_doc: std::ptr::null(),
}]);

/// The attributes this module gives dict views: `mapping` (all views) and `isdisjoint` (keys
/// and items views), bound to `h`; `Ok(None)` for any other object or name.
pub fn attr(cx: &mut Thread, h: Handle, name: &str) -> PyResult<Option<Handle>> {
    let o = cx.get(h);
    let Some(kind) = view_kind(o) else {
        return Ok(None);
    };
    match name {
        "mapping" => {
            let d = view_dict(cx, o);
            // SAFETY: calling the C API function with a borrowed argument (a dict).
            let p = crate::r#abstract::object::c_call(cx, "mappingproxy", &[d], |p| unsafe {
                crate::objects::proxy::PyDictProxy_New(p[0])
            })?;
            Ok(Some(p))
        }
        "isdisjoint" if kind != ViewKind::Values => {
            // The definition is never written: the `*mut` is what the function type stores.
            let def = std::ptr::addr_of!(VIEW_DEFS.0[0]).cast_mut();
            Ok(Some(crate::r#abstract::call::new_cfunction(
                cx,
                def,
                Some(h),
                None,
                None,
            )))
        }
        _ => Ok(None),
    }
}
