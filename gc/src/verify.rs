//! Heap verification after a collection (run when poisoning is configured, i.e. debug builds by
//! default).
//!
//! Invariant checked: every cell in a block in use and every large object is live (not FREED, not
//! FORWARDED, not MARKed), and every slot of it and every root points at a live, non-poisoned,
//! non-forwarded heap object or at an EXTERNAL object. Violations panic naming the slot.

use crate::address::{flags, Cell, ObjectReference};
use crate::block::for_each_cell;
use crate::heap::{Heap, Inner};
use crate::{Binding, RootSet};
use std::sync::atomic::Ordering;

fn check_object<B: Binding>(heap: &Heap<B>, inner: &Inner, obj: ObjectReference) {
    let f = Heap::<B>::flags(obj).load(Ordering::Relaxed);
    assert!(
        f & (flags::FREED | flags::FORWARDED | flags::MARK) == 0,
        "verify: object {:p} in use after collection has bad flags {f:#x}",
        obj.as_ptr()
    );
    let mut i = 0usize;
    heap.binding().scan_object(obj, &mut |slot| {
        let target = slot.load();
        if let Some(why) = heap.diagnose(inner, target) {
            panic!(
                "verify: slot #{i} at {:p} of object {:p} points at {:p}: {why}",
                slot.as_ptr(),
                obj.as_ptr(),
                target.as_ptr()
            );
        }
        i += 1;
    });
}

/// Check the whole heap and the roots. Panics on the first violation.
pub(crate) fn verify<B: Binding>(heap: &Heap<B>, inner: &Inner, roots: &mut dyn RootSet) {
    let header = B::VM_HEADER_BYTES;
    let block_bytes = inner.blocks.block_bytes();
    for &b in &inner.blocks.in_use {
        // SAFETY: blocks in use right after a collection are parseable and nothing mutates them
        // while we hold the heap lock.
        unsafe {
            for_each_cell(b, block_bytes, |cell| {
                check_object(heap, inner, cell.object(header))
            })
        };
    }
    for a in inner.large.objects.values() {
        // SAFETY: a live large object.
        let cell = unsafe { Cell::from_raw(a.cell) };
        check_object(heap, inner, cell.object(header));
    }
    roots.movable_roots(&mut |slot| {
        let target = slot.load();
        if let Some(why) = heap.diagnose(inner, target) {
            panic!(
                "verify: movable root slot at {:p} points at {:p}: {why}",
                slot.as_ptr(),
                target.as_ptr()
            );
        }
    });
    roots.pinned_roots(&mut |obj| {
        if let Some(why) = heap.diagnose(inner, obj) {
            panic!("verify: pinned root {:p}: {why}", obj.as_ptr());
        }
    });
}
