//! `list`: `PyList_*` and the `PyList_GET_ITEM` family.
//!
//! Borrowed references (`PyList_GetItem`, `PyList_GET_ITEM`) go through
//! `Thread::list_borrow_item`: with strategies on, an unboxed element is boxed (box cache) or
//! the list is switched to object storage (deoptimized), per `Config::borrow_policy`, unless
//! tagging makes the element an immediate. The element is then pinned until the native call
//! returns. `PyList_New(n)` fills the `n` slots with None (the runtime's lists hold no NULL).

use std::ffi::c_int;

use pyopaque_runtime::capi_support::{
    list_append_fast, list_append_immediate, list_int_item_immediate, list_item_fast,
    list_len_fast, FastItem,
};
use pyopaque_runtime::list::Slice;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, harg, new_ref_h};
use crate::boundary::ffi::*;
use crate::capi;

/// An exact list C passed (lean paths; `None`: NULL, another type, or a subclass).
#[inline(always)]
fn exact_list(p: *mut PyObject) -> Option<ObjRef> {
    let o = cx::heap_ref(p)?;
    cx::is_exact_list(o).then_some(o)
}

/// The lean borrowed access: `object` storage or an immediate (`None`: general path).
#[inline(always)]
fn borrow_lean(
    cx: &mut Thread,
    l: *mut PyObject,
    i: Py_ssize_t,
    api: &'static str,
) -> Option<*mut PyObject> {
    let lo = exact_list(l)?;
    match list_item_fast(cx, lo, i) {
        FastItem::Item(o) => Some(cx::borrowed_from(cx, o, lo, api)),
        FastItem::OutOfRange | FastItem::Slow => None,
    }
}

fn list_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: callers pass an object C holds.
    let o = unsafe { arg(cx, p) }?;
    if cx.kind_of(o) != Kind::List {
        return Err(bad_internal_call(cx));
    }
    Ok(cx.root(o))
}

/// Takes over a reference C passed to a stealing function.
///
/// # Safety
/// `p` NULL or a new reference.
pub unsafe fn steal(cx: &mut Thread, p: *mut PyObject, api: &str) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    match unsafe { cx::from_c(p) } {
        None => Err(bad_internal_call(cx)),
        Some(o) => {
            let h = cx.root(o);
            cx::release_c_ref(cx, o, api);
            Ok(h)
        }
    }
}

/// `l[i] = v` (negative indices allowed).
pub fn list_setitem(cx: &mut Thread, l: Handle, i: isize, v: Handle) -> PyResult<()> {
    cx.list_set(l, i, v)
}

/// `del l[i]`.
pub fn list_delitem(cx: &mut Thread, l: Handle, i: isize) -> PyResult<()> {
    cx.list_del(l, i)
}

/// `l.extend(iterable)`.
pub fn extend(cx: &mut Thread, l: Handle, src: Handle) -> PyResult<()> {
    let s = cx.get(src);
    if matches!(cx.kind_of(s), Kind::List | Kind::Tuple) {
        return cx.list_extend(l, src);
    }
    let it = crate::r#abstract::object::iter(cx, src)?;
    while let Some(v) = crate::r#abstract::object::next(cx, it)? {
        cx.list_append(l, v)?;
    }
    Ok(())
}

/// `PyList_New(n)`: `n` None items (C overwrites them with `PyList_SET_ITEM`).
#[no_mangle]
pub extern "C" fn PyList_New(n: Py_ssize_t) -> *mut PyObject {
    capi!("PyList_New", |cx| {
        if n < 0 {
            return Err(bad_internal_call(cx));
        }
        crate::python::memory::check_object_size(cx, n as usize, 8)?;
        let l = cx.list();
        let none = cx.root(cx.rt.none);
        for _ in 0..n {
            cx.list_append(l, none)?;
        }
        Ok(new_ref_h(cx, l))
    })
}

/// `PyList_Size`.
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Size(l: *mut PyObject) -> Py_ssize_t {
    crate::capi_lean_locked!(l;
        "PyList_Size",
        |_cx| exact_list(l).map(|o| list_len_fast(o) as Py_ssize_t),
        |cx| {
            let h = list_arg(cx, l)?;
            Ok(cx.list_len(cx.get(h)) as Py_ssize_t)
        }
    )
}

/// `PyList_GET_SIZE` (`PyOpaque_List_GET_SIZE`).
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_List_GET_SIZE(l: *mut PyObject) -> Py_ssize_t {
    crate::capi_lean_locked!(l;
        "PyOpaque_List_GET_SIZE",
        |_cx| exact_list(l).map(|o| list_len_fast(o) as Py_ssize_t),
        |cx| {
            let h = list_arg(cx, l)?;
            Ok(cx.list_len(cx.get(h)) as Py_ssize_t)
        }
    )
}

fn borrow_item(cx: &mut Thread, h: Handle, i: isize, api: &'static str) -> PyResult<*mut PyObject> {
    let n = cx.list_len(cx.get(h)) as isize;
    if i < 0 || i >= n {
        return Err(cx::index_error(cx, "list index out of range"));
    }
    let o = cx.list_borrow_item(h, i as usize);
    let lo = cx.get(h);
    Ok(cx::borrowed_from(cx, o, lo, api))
}

/// `PyList_GetItem` (borrowed; IndexError out of range; no negative indices).
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_GetItem(l: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    if cx::lean_tagged() {
        // An `int` list with tagging: the element is an immediate; no thread, no pin.
        if let Some(r) = exact_list(l).and_then(|lo| list_int_item_immediate(lo, i)) {
            crate::cov!("PyList_GetItem");
            return r.as_ptr().cast();
        }
    }
    crate::capi_lean_locked!(l;
        "PyList_GetItem",
        |cx| borrow_lean(cx, l, i, "PyList_GetItem"),
        |cx| {
            let h = list_arg(cx, l)?;
            borrow_item(cx, h, i, "PyList_GetItem")
        }
    )
}

/// `PyList_GET_ITEM` (`PyOpaque_List_GET_ITEM`): borrowed, as `PyList_GetItem`.
///
/// # Safety
/// A list C holds; `i` in range.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_List_GET_ITEM(l: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    if cx::lean_tagged() {
        if let Some(r) = exact_list(l).and_then(|lo| list_int_item_immediate(lo, i)) {
            crate::cov!("PyOpaque_List_GET_ITEM");
            return r.as_ptr().cast();
        }
    }
    crate::capi_lean_locked!(l;
        "PyOpaque_List_GET_ITEM",
        |cx| borrow_lean(cx, l, i, "PyList_GET_ITEM"),
        |cx| {
            let h = list_arg(cx, l)?;
            borrow_item(cx, h, i, "PyList_GET_ITEM")
        }
    )
}

/// `PyList_GetItemRef` (new reference).
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_GetItemRef(l: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    crate::capi_locked!("PyList_GetItemRef", l, |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, l) }?;
        if cx.kind_of(o) != Kind::List {
            return Err(cx::type_error(cx, "expected a list"));
        }
        let h = cx.root(o);
        let n = cx.list_len(o) as isize;
        if i < 0 || i >= n {
            return Err(cx::index_error(cx, "list index out of range"));
        }
        let v = cx.list_get(h, i)?;
        Ok(new_ref_h(cx, v))
    })
}

/// `PyList_SetItem` (steals `v`, also on error).
///
/// # Safety
/// A list C holds; `v` a new reference or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyList_SetItem(
    l: *mut PyObject,
    i: Py_ssize_t,
    v: *mut PyObject,
) -> c_int {
    crate::capi_locked!("PyList_SetItem", l, |cx| {
        // SAFETY: caller's contract.
        let vh = unsafe { cx::from_c(v) }.map(|o| {
            let h = cx.root(o);
            cx::release_c_ref(cx, o, "PyList_SetItem");
            h
        });
        let h = list_arg(cx, l)?;
        let n = cx.list_len(cx.get(h)) as isize;
        if i < 0 || i >= n {
            return Err(cx::index_error(cx, "list assignment index out of range"));
        }
        let vh = match vh {
            Some(v) => v,
            None => cx.root(cx.rt.none),
        };
        cx.list_set(h, i, vh)?;
        Ok(0)
    })
}

/// `PyList_SET_ITEM` (`PyOpaque_List_SET_ITEM`): steals `v`.
///
/// # Safety
/// A list C holds; `i` in range; `v` a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_List_SET_ITEM(l: *mut PyObject, i: Py_ssize_t, v: *mut PyObject) {
    crate::capi_locked!("PyOpaque_List_SET_ITEM", l, |cx| {
        // SAFETY: caller's contract.
        let vh = unsafe { steal(cx, v, "PyList_SET_ITEM") }?;
        let h = list_arg(cx, l)?;
        cx.list_set(h, i, vh)?;
        Ok(())
    })
}

/// `PyList_Insert`.
///
/// # Safety
/// A list and an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Insert(l: *mut PyObject, i: Py_ssize_t, v: *mut PyObject) -> c_int {
    crate::capi_locked!("PyList_Insert", l, |cx| {
        let h = list_arg(cx, l)?;
        // SAFETY: caller's contract.
        let vh = unsafe { harg(cx, v) }?;
        cx.list_insert(h, i, vh)?;
        Ok(0)
    })
}

/// `PyList_Append`.
///
/// # Safety
/// A list and an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Append(l: *mut PyObject, v: *mut PyObject) -> c_int {
    if cx::lean_tagged() && (v as usize) & 1 == 1 {
        // An immediate onto an `int` list: no thread, no count.
        if let Some(lo) = exact_list(l) {
            // SAFETY: an immediate word (bit 0 set, so not NULL).
            let vo = unsafe { pyopaque_runtime::ObjRef::from_raw(v.cast()) };
            if vo.is_some_and(|vo| list_append_immediate(lo, vo)) {
                crate::cov!("PyList_Append");
                return 0;
            }
        }
    }
    crate::capi_lean_locked!(l;
        "PyList_Append",
        |cx| {
            let lo = exact_list(l)?;
            // An immediate, or a heap object (static type symbols take the general path).
            let vo = if (v as usize) & 1 == 1 {
                // SAFETY: an immediate word (bit 0 set, so not NULL).
                unsafe { pyopaque_runtime::ObjRef::from_raw(v.cast()) }?
            } else {
                cx::heap_ref(v)?
            };
            list_append_fast(cx, lo, vo).then_some(0)
        },
        |cx| {
            let h = list_arg(cx, l)?;
            // SAFETY: caller's contract.
            let vh = unsafe { harg(cx, v) }?;
            cx.list_append(h, vh)?;
            Ok(0)
        }
    )
}

fn slice(lo: Py_ssize_t, hi: Py_ssize_t) -> Slice {
    Slice {
        start: Some(lo.max(0)),
        stop: Some(hi.max(0)),
        step: None,
    }
}

/// `PyList_GetSlice`.
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_GetSlice(
    l: *mut PyObject,
    lo: Py_ssize_t,
    hi: Py_ssize_t,
) -> *mut PyObject {
    crate::capi_locked!("PyList_GetSlice", l, |cx| {
        let h = list_arg(cx, l)?;
        let r = cx.list_get_slice(h, slice(lo, hi))?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyList_SetSlice` (NULL deletes).
///
/// # Safety
/// A list C holds; `v` NULL or a list/tuple.
#[no_mangle]
pub unsafe extern "C" fn PyList_SetSlice(
    l: *mut PyObject,
    lo: Py_ssize_t,
    hi: Py_ssize_t,
    v: *mut PyObject,
) -> c_int {
    crate::capi_locked!("PyList_SetSlice", l, |cx| {
        let h = list_arg(cx, l)?;
        // SAFETY: caller's contract.
        match unsafe { cx::from_c(v) } {
            None => cx.list_del_slice(h, slice(lo, hi))?,
            Some(src) => {
                let s = cx.root(src);
                cx.list_set_slice(h, slice(lo, hi), s)?
            }
        }
        Ok(0)
    })
}

/// `PyList_Sort`.
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Sort(l: *mut PyObject) -> c_int {
    crate::capi_locked!("PyList_Sort", l, |cx| {
        let h = list_arg(cx, l)?;
        cx.list_sort(h, None, false)?;
        Ok(0)
    })
}

/// `PyList_Reverse`.
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Reverse(l: *mut PyObject) -> c_int {
    crate::capi_locked!("PyList_Reverse", l, |cx| {
        let h = list_arg(cx, l)?;
        cx.list_reverse(h);
        Ok(0)
    })
}

/// `PyList_AsTuple`.
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_AsTuple(l: *mut PyObject) -> *mut PyObject {
    crate::capi_locked!("PyList_AsTuple", l, |cx| {
        let h = list_arg(cx, l)?;
        let t = crate::r#abstract::sequence::to_tuple(cx, h)?;
        Ok(new_ref_h(cx, t))
    })
}

/// `PyList_Extend` (3.13).
///
/// # Safety
/// A list and an iterable C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Extend(l: *mut PyObject, it: *mut PyObject) -> c_int {
    crate::capi_locked!("PyList_Extend", l, |cx| {
        let h = list_arg(cx, l)?;
        // SAFETY: caller's contract.
        let s = unsafe { harg(cx, it) }?;
        extend(cx, h, s)?;
        Ok(0)
    })
}

/// `PyList_Clear` (3.13).
///
/// # Safety
/// A list C holds.
#[no_mangle]
pub unsafe extern "C" fn PyList_Clear(l: *mut PyObject) -> c_int {
    crate::capi_locked!("PyList_Clear", l, |cx| {
        let h = list_arg(cx, l)?;
        cx.list_clear(h);
        Ok(0)
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyList_Append", Rule::Works),
        ("PyList_AsTuple", Rule::Works),
        ("PyList_GetItem", Rule::ListBorrow),
        ("PyList_GetSlice", Rule::Works),
        ("PyList_Insert", Rule::Works),
        (
            "PyList_New",
            Rule::Cost("the n slots start as None, not NULL (runtime lists hold no NULL)"),
        ),
        ("PyList_Reverse", Rule::Works),
        ("PyList_SetItem", Rule::Works),
        ("PyList_SetSlice", Rule::Works),
        ("PyList_Size", Rule::Works),
        ("PyList_Sort", Rule::Works),
        ("PyOpaque_List_GET_ITEM", Rule::ListBorrow),
        ("PyOpaque_List_GET_SIZE", Rule::Works),
        ("PyOpaque_List_SET_ITEM", Rule::Works),
        ("PyList_GetItemRef", Rule::Works),
    ]
};
