//! Which objects must not move at a collection.
//!
//! Rule (see docs/design.md, "C-held objects"): an object is pinned while C may hold its address:
//! - under `tracing`, when its C-held count is positive (only C references are counted);
//! - under the counting schemes, when its count exceeds the references the runtime can see
//!   (references from other heap objects, from handles, from the error indicator). This is
//!   CPython's `gc_refs` subtraction: the excess is held from outside, i.e. by C;
//! - in every scheme, while it was handed to C as a borrowed reference during a native call that
//!   has not returned.
//!
//! Pinned objects are roots of the collection and keep their address.

use std::collections::HashMap;

use crate::binding::{is_external, scan};
use crate::config::Scheme;
use crate::header::header_of;
use crate::objref::ObjRef;
use crate::refcount::total_count;
use crate::thread::Thread;

/// The pinned set for a collection started by `cx`.
pub(crate) fn pinned_objects(
    cx: &Thread,
    handles: &[ObjRef],
    error: Option<ObjRef>,
    borrowed: &[ObjRef],
) -> Vec<ObjRef> {
    let mut pinned: Vec<ObjRef> = borrowed
        .iter()
        .copied()
        .filter(|r| !r.is_tagged() && !is_external(*r))
        .collect();
    if !cx.rt.c_api_used() {
        // No reference was ever handed to C: nothing outside the runtime can hold an address.
        return pinned;
    }
    let heap = &cx.rt.heap;
    if cx.scheme == Scheme::Tracing {
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
    let mut seen: HashMap<*mut u8, i64> = HashMap::new();
    let mut note = |r: ObjRef| {
        if !r.is_tagged() && !is_external(r) {
            *seen.entry(r.as_ptr()).or_insert(0) += 1;
        }
    };
    heap.for_each_object(|o| {
        scan(ObjRef::from_gc(o), &mut |slot| {
            note(ObjRef::from_gc(slot.load()))
        });
    });
    handles.iter().copied().for_each(&mut note);
    error.into_iter().for_each(&mut note);
    borrowed.iter().copied().for_each(&mut note);
    heap.for_each_object(|o| {
        let r = ObjRef::from_gc(o);
        let visible = seen.get(&r.as_ptr()).copied().unwrap_or(0);
        if total_count(cx, r) > visible {
            pinned.push(r);
        }
    });
    pinned
}
