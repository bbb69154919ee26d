//! `tuple`: `PyTuple_*` and the `PyTuple_GET_ITEM` family. Tuples hold their items inline in
//! the moving heap; a borrowed item is pinned until the native call returns.

use std::ffi::c_int;

use pyopaque_runtime::binding::kind_of_heap;
use pyopaque_runtime::objects::tuple::{tuple_item, tuple_len, tuple_slot_write};
use pyopaque_runtime::{refcount, Handle, Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, new_ref_h};
use crate::boundary::ffi::*;
use crate::capi;

fn tuple_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: callers pass an object C holds.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::Tuple {
        return Err(bad_internal_call(cx));
    }
    Ok(cx.root(o))
}

/// `PyTuple_New(n)`: NULL items that C fills with `PyTuple_SET_ITEM`/`PyTuple_SetItem`.
#[no_mangle]
pub extern "C" fn PyTuple_New(n: Py_ssize_t) -> *mut PyObject {
    capi!("PyTuple_New", |cx| {
        if n < 0 {
            return Err(bad_internal_call(cx));
        }
        crate::python::memory::check_object_size(cx, n as usize, 8)?;
        let t = cx.tuple_uninit(n as usize);
        Ok(new_ref_h(cx, t))
    })
}

/// `PyTuple_Size`.
///
/// # Safety
/// A tuple C holds.
#[no_mangle]
pub unsafe extern "C" fn PyTuple_Size(t: *mut PyObject) -> Py_ssize_t {
    crate::capi_lean!(
        "PyTuple_Size",
        |_cx| tuple_lean(t).map(|o| tuple_len(o) as Py_ssize_t),
        |cx| {
            let h = tuple_arg(cx, t)?;
            Ok(tuple_len(cx.get(h)) as Py_ssize_t)
        }
    )
}

/// `PyTuple_GET_SIZE` (`PyOpaque_Tuple_GET_SIZE`).
///
/// # Safety
/// A tuple C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Tuple_GET_SIZE(t: *mut PyObject) -> Py_ssize_t {
    crate::capi_lean!(
        "PyOpaque_Tuple_GET_SIZE",
        |_cx| tuple_lean(t).map(|o| tuple_len(o) as Py_ssize_t),
        |cx| {
            let h = tuple_arg(cx, t)?;
            Ok(tuple_len(cx.get(h)) as Py_ssize_t)
        }
    )
}

fn get(cx: &mut Thread, t: *mut PyObject, i: Py_ssize_t) -> PyResult<*mut PyObject> {
    let h = tuple_arg(cx, t)?;
    let o = cx.get(h);
    if i < 0 || i as usize >= tuple_len(o) {
        return Err(cx::index_error(cx, "tuple index out of range"));
    }
    Ok(match tuple_item(o, i as usize) {
        Some(v) => cx::borrowed_from(cx, v, o, "PyTuple_GetItem"),
        None => std::ptr::null_mut(),
    })
}

/// A tuple (or subclass) C passed, for the lean paths.
#[inline(always)]
fn tuple_lean(t: *mut PyObject) -> Option<ObjRef> {
    let o = cx::heap_ref(t)?;
    (kind_of_heap(o) == Kind::Tuple).then_some(o)
}

/// The lean borrowed item: in range and non-NULL (`None`: the general path reports).
#[inline(always)]
fn get_lean(
    cx: &mut Thread,
    t: *mut PyObject,
    i: Py_ssize_t,
    api: &'static str,
) -> Option<*mut PyObject> {
    let o = tuple_lean(t)?;
    if i < 0 || i as usize >= tuple_len(o) {
        return None;
    }
    let v = tuple_item(o, i as usize)?;
    Some(cx::borrowed_from(cx, v, o, api))
}

/// `PyTuple_GetItem` (borrowed).
///
/// # Safety
/// A tuple C holds.
#[no_mangle]
pub unsafe extern "C" fn PyTuple_GetItem(t: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    crate::capi_lean!(
        "PyTuple_GetItem",
        |cx| get_lean(cx, t, i, "PyTuple_GetItem"),
        |cx| get(cx, t, i)
    )
}

/// `PyTuple_GET_ITEM` (`PyOpaque_Tuple_GET_ITEM`, borrowed).
///
/// # Safety
/// A tuple C holds; `i` in range.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Tuple_GET_ITEM(t: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    crate::capi_lean!(
        "PyOpaque_Tuple_GET_ITEM",
        |cx| get_lean(cx, t, i, "PyTuple_GET_ITEM"),
        |cx| get(cx, t, i)
    )
}

fn set(
    cx: &mut Thread,
    t: *mut PyObject,
    i: Py_ssize_t,
    v: *mut PyObject,
    api: &str,
) -> PyResult<()> {
    // SAFETY: v NULL or a new reference (stolen).
    let vo = unsafe { cx::from_c(v) };
    let vh = vo.map(|o| {
        let h = cx.root(o);
        cx::release_c_ref(cx, o, api);
        h
    });
    let h = tuple_arg(cx, t)?;
    let o = cx.get(h);
    if i < 0 || i as usize >= tuple_len(o) {
        return Err(cx::index_error(cx, "tuple assignment index out of range"));
    }
    let new = vh.map(|h| cx.get(h));
    if let Some(n) = new {
        refcount::incref(cx, n);
    }
    let o = cx.get(h);
    let old = tuple_item(o, i as usize);
    tuple_slot_write(o, i as usize, new);
    if let Some(old) = old {
        refcount::decref(cx, old);
    }
    Ok(())
}

/// `PyTuple_SetItem` (steals `v`, also on error).
///
/// # Safety
/// A tuple C holds; `v` a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyTuple_SetItem(
    t: *mut PyObject,
    i: Py_ssize_t,
    v: *mut PyObject,
) -> c_int {
    capi!("PyTuple_SetItem", |cx| {
        set(cx, t, i, v, "PyTuple_SetItem")?;
        Ok(0)
    })
}

/// `PyTuple_SET_ITEM` (`PyOpaque_Tuple_SET_ITEM`, steals `v`).
///
/// # Safety
/// A tuple C holds; `v` a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Tuple_SET_ITEM(
    t: *mut PyObject,
    i: Py_ssize_t,
    v: *mut PyObject,
) {
    capi!("PyOpaque_Tuple_SET_ITEM", |cx| set(
        cx,
        t,
        i,
        v,
        "PyTuple_SET_ITEM"
    ))
}

/// `PyTuple_GetSlice`.
///
/// # Safety
/// A tuple C holds.
#[no_mangle]
pub unsafe extern "C" fn PyTuple_GetSlice(
    t: *mut PyObject,
    lo: Py_ssize_t,
    hi: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyTuple_GetSlice", |cx| {
        let h = tuple_arg(cx, t)?;
        let n = tuple_len(cx.get(h)) as isize;
        let lo = lo.clamp(0, n);
        let hi = hi.clamp(lo, n);
        let items: Vec<Handle> = (lo..hi)
            .map(|i| {
                let it = tuple_item(cx.get(h), i as usize).unwrap_or(cx.rt.none);
                cx.root(it)
            })
            .collect();
        let r = cx.tuple(&items);
        Ok(new_ref_h(cx, r))
    })
}

/// Rust side of `PyTuple_Pack(n, ...)`.
///
/// # Safety
/// Called from va.c with a live `va_list *` holding `n` objects.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_tuple_pack(
    n: Py_ssize_t,
    ap: *mut std::ffi::c_void,
) -> *mut PyObject {
    crate::cov!("PyTuple_Pack");
    if n < 0 {
        return cx::api("PyTuple_Pack", |cx| Err(bad_internal_call(cx)));
    }
    let n = n as usize;
    let va = crate::boundary::variadic::Va(ap);
    // The pointers are read once (a va_list cannot be rewound): up to 8 on the stack.
    let mut small = [std::ptr::null_mut::<PyObject>(); 8];
    let mut big: Vec<*mut PyObject> = Vec::new();
    for i in 0..n {
        // SAFETY: the caller passes `n` object pointers.
        let p = unsafe { va.ptr::<PyObject>() };
        if n <= small.len() {
            small[i] = p;
        } else {
            big.push(p);
        }
    }
    let ptrs: &[*mut PyObject] = if n <= small.len() {
        &small[..n]
    } else {
        &big[..]
    };
    if n <= small.len() {
        if let Some(lean) = cx::lean_thread() {
            // SAFETY: `lean` holds this thread's Thread (see cx::api); the fast path calls no C.
            if let Some(r) = pack_lean(unsafe { &mut *lean.ptr() }, ptrs) {
                return r;
            }
        }
    }
    pack_general(ptrs)
}

/// `PyTuple_Pack`'s lean path: every item a heap object (not a static type symbol) or an
/// immediate, so no pointer needs translating; `None` declines (NULL items, type symbols).
/// No handle scope: the items are held by C, hence pinned (they neither move nor die during
/// the tuple's allocation), and the new tuple is handed over without a handle.
#[inline(always)]
fn pack_lean(cx: &mut Thread, ptrs: &[*mut PyObject]) -> Option<*mut PyObject> {
    let mut items = [None::<ObjRef>; 8];
    for (slot, &p) in items.iter_mut().zip(ptrs) {
        *slot = if (p as usize) & 1 == 1 {
            // SAFETY: an immediate int word is a valid reference as it is.
            unsafe { ObjRef::from_raw(p.cast()) }
        } else {
            cx::heap_ref(p)
        };
        slot.as_ref()?;
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let t = cx.tuple_raw(ptrs.len());
        for (i, o) in items[..ptrs.len()].iter().enumerate() {
            let o = o.expect("checked above");
            refcount::incref(cx, o);
            tuple_slot_write(t, i, Some(o));
        }
        cx::hand_over(cx, t)
    }));
    Some(match r {
        Ok(p) => p,
        Err(e) => cx::panicked(cx, "PyTuple_Pack", e),
    })
}

/// `PyTuple_Pack`'s general path (any pointer C may pass, under the full `capi!` entry).
fn pack_general(ptrs: &[*mut PyObject]) -> *mut PyObject {
    cx::api_cold("PyTuple_Pack", |cx| {
        // No handles: every object C passes is held by C, hence pinned (it neither moves nor
        // dies during the tuple's allocation).
        let mut items: Vec<ObjRef> = Vec::with_capacity(ptrs.len());
        for &p in ptrs {
            // SAFETY: an object C holds (or NULL).
            match unsafe { cx::from_c(p) } {
                Some(o) => items.push(o),
                None => return Err(bad_internal_call(cx)),
            }
        }
        let t = cx.tuple_uninit(items.len());
        let to = cx.get(t);
        for (i, o) in items.iter().enumerate() {
            refcount::incref(cx, *o);
            tuple_slot_write(to, i, Some(*o));
        }
        Ok(new_ref_h(cx, t))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        (
            "PyOpaque_Tuple_GET_ITEM",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        ("PyOpaque_Tuple_GET_SIZE", Rule::Works),
        ("PyOpaque_Tuple_SET_ITEM", Rule::Works),
        (
            "PyTuple_GetItem",
            Rule::Cost("pinning: the borrowed result is pinned until the native call returns"),
        ),
        ("PyTuple_GetSlice", Rule::Works),
        ("PyTuple_New", Rule::Works),
        ("PyTuple_Pack", Rule::Works),
        ("PyTuple_SetItem", Rule::Works),
        ("PyTuple_Size", Rule::Works),
    ]
};
