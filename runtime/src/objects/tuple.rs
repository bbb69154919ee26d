//! `tuple`: `| len: usize | items: [ObjRef; len] |` inline. Items hold references (counted under
//! the counting schemes); an item slot is NULL only while C fills a tuple made by `PyTuple_New`.

use pyopaque_gc::Slot;

use crate::objref::ObjRef;
use crate::refcount;
use crate::thread::{Handle, Thread};

impl Thread {
    /// A new tuple of the referents of `items`.
    pub fn tuple(&mut self, items: &[Handle]) -> Handle {
        let t = self.tuple_uninit(items.len());
        for (i, h) in items.iter().enumerate() {
            let obj = self.get(*h);
            refcount::incref(self, obj);
            tuple_slot_write(self.get(t), i, Some(obj));
        }
        t
    }

    /// A new tuple of `len` NULL items (C fills them with `PyTuple_SET_ITEM`).
    pub fn tuple_uninit(&mut self, len: usize) -> Handle {
        let r = self.tuple_raw(len);
        self.root_owned(r)
    }

    /// Like [`Thread::tuple_uninit`] but returns the raw reference (owning one reference; root
    /// it before the next allocation).
    #[inline]
    pub fn tuple_raw(&mut self, len: usize) -> ObjRef {
        let ty = self.rt.types.tuple;
        let finalize = crate::binding::needs_finalizer(crate::types::Kind::Tuple, self.scheme);
        let r = self.alloc_object_with(ty, 8 + 8 * len, finalize);
        // SAFETY: fresh zeroed payload of 8 + 8*len bytes; the first word is the length.
        unsafe { r.as_ptr().cast::<usize>().write(len) };
        r
    }
}

/// Number of items.
pub fn tuple_len(obj: ObjRef) -> usize {
    // SAFETY: callers checked the kind is Tuple; the first payload word is the length.
    unsafe { obj.as_ptr().cast::<usize>().read() }
}

fn slot_ptr(obj: ObjRef, i: usize) -> *mut Option<ObjRef> {
    debug_assert!(i < tuple_len(obj));
    // SAFETY: i < len, so the slot lies inside the payload (8 + 8*len bytes).
    unsafe { obj.as_ptr().add(8 + 8 * i).cast::<Option<ObjRef>>() }
}

/// Item `i` (`None` for a NULL slot). Caller checked `i < len`.
pub fn tuple_item(obj: ObjRef, i: usize) -> Option<ObjRef> {
    // SAFETY: slot inside the payload, initialised (zero = None).
    unsafe { slot_ptr(obj, i).read() }
}

/// Overwrites item `i` without touching counts (the caller transfers ownership).
pub fn tuple_slot_write(obj: ObjRef, i: usize, v: Option<ObjRef>) {
    // SAFETY: slot inside the payload.
    unsafe { slot_ptr(obj, i).write(v) }
}

/// Address of the item array (for C's `PySequence_Fast_ITEMS`).
pub fn tuple_items_ptr(obj: ObjRef) -> *mut Option<ObjRef> {
    // SAFETY: the item array starts 8 bytes into the payload.
    unsafe { obj.as_ptr().add(8).cast::<Option<ObjRef>>() }
}

/// Visits the heap references among the items.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    for i in 0..tuple_len(obj) {
        crate::binding::visit_slot(slot_ptr(obj, i), visit);
    }
}

/// Collects the items (their references are released by the caller).
pub(crate) fn release(obj: ObjRef, children: &mut Vec<ObjRef>) {
    for i in 0..tuple_len(obj) {
        if let Some(c) = tuple_item(obj, i) {
            children.push(c);
        }
        tuple_slot_write(obj, i, None);
    }
}
