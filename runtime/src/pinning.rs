//! Which objects must not move at a collection.
//!
//! Rule (see docs/design.md, "C-held objects"): an object is pinned while C may hold its address:
//! - under `tracing`, when its C-held count is positive (only C references are counted);
//! - under the counting schemes, when its count exceeds the references the runtime can see
//!   (references from other heap objects, from handles, from the error indicator, from the
//!   queue of weak references whose callbacks are due). This is
//!   CPython's `gc_refs` subtraction: the excess is held from outside, i.e. by C;
//! - in every scheme, while it was handed to C as a borrowed reference during a native call that
//!   has not returned.
//!
//! Pinned objects are roots of the collection and keep their address.

use std::sync::atomic::Ordering::Relaxed;

use crate::binding::{is_external, scan};
use crate::config::Scheme;
use crate::header::header_of;
use crate::objref::ObjRef;
use crate::refcount::total_count_in;
use crate::runtime::Runtime;

/// The pinned set for a collection with every attached thread stopped. `visible` lists every
/// root list whose entries each own one counted reference (all threads' handles and error
/// indicators, the due weak callbacks); `borrowed` every thread's borrowed references (pinned,
/// and each owning one reference as well).
pub(crate) fn pinned_objects(
    rt: &Runtime,
    scheme: Scheme,
    visible: &[&[ObjRef]],
    borrowed: &[&[ObjRef]],
) -> Vec<ObjRef> {
    let mut pinned: Vec<ObjRef> = borrowed
        .iter()
        .flat_map(|b| b.iter())
        .copied()
        .filter(|r| !r.is_tagged() && !is_external(*r))
        .collect();
    if !rt.c_api_used() {
        // No reference was ever handed to C: nothing outside the runtime can hold an address.
        return pinned;
    }
    let heap = &rt.heap;
    let roots = || {
        visible
            .iter()
            .chain(borrowed.iter())
            .flat_map(|l| l.iter())
            .copied()
    };
    if scheme == Scheme::Tracing {
        heap.for_each_object(|o| {
            let r = ObjRef::from_gc(o);
            if header_of(r)
                .rc_a()
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0
            {
                pinned.push(r);
            }
        });
        return pinned;
    }
    if matches!(scheme, Scheme::Classic | Scheme::Atomic) {
        return pinned_by_scratch_count(rt, scheme, roots(), pinned);
    }
    pinned_by_saved_count(rt, scheme, roots(), pinned)
}

/// The same analysis for `biased`, whose two count words are both in use: the first word
/// (`owner << 32 | local`) of every object is saved, in heap order, and zeroed to serve as the
/// scratch counter of visible references; the last pass restores it before reading the total
/// count. Every other thread is stopped and nothing allocates during the three passes, so each
/// pass visits the same objects in the same order and index `i` of the saved words belongs to
/// the `i`-th object of the last pass. (A hash map or a sort of the references cost several
/// times the collection itself in debug builds, where this runs at every allocation under GC
/// stress.)
fn pinned_by_saved_count(
    rt: &Runtime,
    scheme: Scheme,
    roots: impl Iterator<Item = ObjRef>,
    mut pinned: Vec<ObjRef>,
) -> Vec<ObjRef> {
    let heap = &rt.heap;
    let mut saved: Vec<u64> = Vec::new();
    heap.for_each_object(|o| {
        let a = header_of(ObjRef::from_gc(o)).rc_a();
        saved.push(a.load(Relaxed));
        a.store(0, Relaxed);
    });
    let note = |r: ObjRef| {
        if !r.is_tagged() && !is_external(r) {
            let a = header_of(r).rc_a();
            a.store(a.load(Relaxed) + 1, Relaxed);
        }
    };
    heap.for_each_object(|o| {
        scan(ObjRef::from_gc(o), &mut |slot| {
            note(ObjRef::from_gc(slot.load()))
        });
    });
    roots.for_each(note);
    let mut i = 0;
    heap.for_each_object(|o| {
        let r = ObjRef::from_gc(o);
        let a = header_of(r).rc_a();
        let visible = a.load(Relaxed) as i64;
        a.store(saved[i], Relaxed);
        i += 1;
        if total_count_in(scheme, r) > visible {
            pinned.push(r);
        }
    });
    debug_assert_eq!(i, saved.len(), "the heap changed between the passes");
    pinned
}

/// The same analysis for the single-count schemes, without a hash map: their second count word
/// (`rc_b`) is always 0, so it serves as the scratch counter of visible references during the
/// collection (every other thread is stopped) and is reset to 0 in the second pass.
fn pinned_by_scratch_count(
    rt: &Runtime,
    scheme: Scheme,
    roots: impl Iterator<Item = ObjRef>,
    mut pinned: Vec<ObjRef>,
) -> Vec<ObjRef> {
    let note = |r: ObjRef| {
        if !r.is_tagged() && !is_external(r) {
            let b = header_of(r).rc_b();
            b.store(b.load(Relaxed) + 1, Relaxed);
        }
    };
    let heap = &rt.heap;
    heap.for_each_object(|o| {
        scan(ObjRef::from_gc(o), &mut |slot| {
            note(ObjRef::from_gc(slot.load()))
        });
    });
    roots.for_each(note);
    heap.for_each_object(|o| {
        let r = ObjRef::from_gc(o);
        let b = header_of(r).rc_b();
        let visible = b.load(Relaxed);
        b.store(0, Relaxed);
        if total_count_in(scheme, r) > visible {
            pinned.push(r);
        }
    });
    pinned
}
