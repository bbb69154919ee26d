//! Runtime services the C API shim needs that no other runtime module offers (owned by the shim's
//! authors; kept here because they need crate-private access).

use crate::objref::ObjRef;
use crate::runtime::Runtime;

/// The `args` tuple of an exception instance (None when unset).
pub fn exception_args(obj: ObjRef) -> Option<ObjRef> {
    crate::objects::exc::exc_args(obj)
}

/// The attribute dict of an exception instance (None until an attribute was stored; see
/// `Thread::exception_dict`).
pub fn exception_dict(obj: ObjRef) -> Option<ObjRef> {
    crate::objects::exc::exc_dict(obj)
}

/// Whether `obj` is a live object of `rt`'s moving heap (does not read the object). Used by the
/// shim to tell its own objects from `malloc`ed memory (`PyObject_Free`) and by debug mode.
pub fn heap_contains(rt: &Runtime, obj: ObjRef) -> bool {
    !obj.is_tagged() && rt.heap.contains(obj.to_gc())
}

// ----- fast paths for the shim's hot functions (no handle, no allocation) -----

use crate::list::Storage;
use crate::objects::int::{int_repr, IntRepr};
use crate::thread::Thread;

/// What [`list_item_fast`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastItem {
    /// A stored reference (`object` storage) or an immediate (`int` storage with tagging on).
    Item(ObjRef),
    /// The index is outside `0..len`.
    OutOfRange,
    /// Needs the general path (boxing or de-optimizing, which may allocate).
    Slow,
}

/// Element `i` of list `l` for a borrowed access, when that needs no allocation: the stored
/// reference of `object` storage, or the immediate for an `int` element when tagging is on.
/// `l` must be a list (the caller checked its type).
#[inline]
pub fn list_item_fast(cx: &Thread, l: ObjRef, i: isize) -> FastItem {
    let p = crate::list::payload(l);
    if i < 0 || i as usize >= p.len() {
        return FastItem::OutOfRange;
    }
    let i = i as usize;
    match &p.storage {
        Storage::Object(v) => FastItem::Item(v[i]),
        Storage::Int(v) if cx.tagging => match ObjRef::small_int(v[i]) {
            Some(r) => FastItem::Item(r),
            None => FastItem::Slow,
        },
        _ => FastItem::Slow,
    }
}

/// Element `i` of list `l` as an immediate, when the list has `int` storage (no box cache) and
/// the element fits an immediate; `None` otherwise (out of range included). Needs no thread: the
/// caller checked that `l` is a list and that tagging is on.
#[inline(always)]
pub fn list_int_item_immediate(l: ObjRef, i: isize) -> Option<ObjRef> {
    let p = crate::list::payload(l);
    match &p.storage {
        Storage::Int(v) => ObjRef::small_int(*v.get(usize::try_from(i).ok()?)?),
        _ => None,
    }
}

/// Appends the immediate `item` to list `l` when the list has `int` storage without a box
/// cache (no thread needed: no count, no allocation on the gc heap); false, changing nothing,
/// otherwise. The caller checked that `l` is a list and `item` an immediate.
#[inline(always)]
pub fn list_append_immediate(l: ObjRef, item: ObjRef) -> bool {
    let Some(x) = item.as_small_int() else {
        return false;
    };
    let p = crate::list::payload(l);
    match (&mut p.storage, &p.cache) {
        (Storage::Int(v), None) => v.push(x),
        _ => return false,
    }
    p.sync();
    true
}

/// `len(l)` for a list `l` (the caller checked its type).
#[inline]
pub fn list_len_fast(l: ObjRef) -> usize {
    crate::list::payload(l).len()
}

/// Appends `item` to list `l` when it fits the current storage without widening (no allocation
/// on the gc heap, no handle): returns false, changing nothing, otherwise. `l` must be a list.
#[inline]
pub fn list_append_fast(cx: &Thread, l: ObjRef, item: ObjRef) -> bool {
    crate::list::append_fast(cx, l, item)
}

/// The value of an exact `int` (immediate or box) that fits `i64`; `None` for anything else
/// (bools, subclasses, big ints, non-ints).
#[inline]
pub fn exact_int_i64(cx: &Thread, o: ObjRef) -> Option<i64> {
    if let Some(v) = o.as_small_int() {
        return Some(v);
    }
    if crate::header::header_of(o).ty() != cx.rt.types.int {
        return None;
    }
    match int_repr(o) {
        IntRepr::Small(v) => Some(*v),
        IntRepr::Big(_) => None,
    }
}

/// The value of an exact `float` box; `None` for anything else.
#[inline]
pub fn exact_float(cx: &Thread, o: ObjRef) -> Option<f64> {
    if o.is_tagged() || crate::header::header_of(o).ty() != cx.rt.types.float {
        return None;
    }
    Some(crate::objects::float::float_value(o))
}
