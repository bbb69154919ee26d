//! `list`: a payload holding its storage behind one interface, so that storage strategies can
//! change the representation without the rest of the runtime noticing. This version has one
//! strategy, object storage (`Vec<ObjRef>`, counted references).

use pyopaque_gc::Slot;

use crate::objref::ObjRef;
use crate::refcount;
use crate::thread::{Handle, PyResult, Thread};

/// Payload of a list object.
pub struct ListObject {
    items: Vec<ObjRef>,
}

fn payload(obj: ObjRef) -> &'static mut ListObject {
    // SAFETY: callers checked the kind is List; the payload holds an initialised ListObject. A
    // list is mutated by one thread at a time (containers are not internally synchronised).
    unsafe { &mut *obj.as_ptr().cast::<ListObject>() }
}

impl Thread {
    /// A new empty list.
    pub fn list(&mut self) -> Handle {
        let ty = self.rt.types.list;
        let r = self.alloc_object(ty, std::mem::size_of::<ListObject>());
        // SAFETY: fresh payload sized and aligned for a ListObject.
        unsafe { r.as_ptr().cast::<ListObject>().write(ListObject { items: Vec::new() }) };
        self.root_owned(r)
    }

    /// `len(list)`.
    pub fn list_len(&self, l: ObjRef) -> usize {
        payload(l).items.len()
    }

    /// `list.append(item)`.
    pub fn list_append(&mut self, l: Handle, item: Handle) -> PyResult<()> {
        let obj = self.get(item);
        refcount::incref(self, obj);
        payload(self.get(l)).items.push(obj);
        Ok(())
    }

    /// `list[i]` (negative indices count from the end); IndexError when out of range.
    pub fn list_get(&mut self, l: Handle, i: isize) -> PyResult<Handle> {
        let items = &payload(self.get(l)).items;
        let n = items.len() as isize;
        let j = if i < 0 { i + n } else { i };
        if !(0..n).contains(&j) {
            let t = self.rt.types.exc.index_error;
            return Err(self.raise(t, "list index out of range"));
        }
        let obj = items[j as usize];
        Ok(self.root(obj))
    }
}

impl Thread {
    /// Lexicographic comparison of two lists.
    pub fn list_compare(&mut self, a: Handle, b: Handle, op: crate::CompareOp) -> PyResult<bool> {
        let (la, lb) = (self.list_len(self.get(a)), self.list_len(self.get(b)));
        let item = |cx: &Thread, h: Handle, i: usize| payload(cx.get(h)).items[i];
        self.lexicographic(a, b, la, lb, op, &item)
    }
}

/// Visits the items.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    for r in payload(obj).items.iter_mut() {
        crate::binding::visit_slot((r as *mut ObjRef).cast(), visit);
    }
}

/// Collects the items and drops the storage.
pub(crate) fn release(obj: ObjRef, children: &mut Vec<ObjRef>) {
    children.extend(payload(obj).items.drain(..));
    // SAFETY: called once when the object dies; the payload is initialised and not used again.
    unsafe { std::ptr::drop_in_place(obj.as_ptr().cast::<ListObject>()) }
}
