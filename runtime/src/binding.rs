//! The runtime's side of the collector interface (`pyopaque_gc::Binding`): where an object's
//! references are, and what a dead object releases. Dispatches on the type's [`Kind`].

use std::sync::atomic::Ordering;
use std::sync::Arc;

use pyopaque_gc::{Binding, FinalizeContext, Finalized, ObjectReference, Slot};

use crate::config::Scheme;
use crate::header::{header_of, VM_HEADER_BYTES};
use crate::objects::{dict, exc, int, tuple};
use crate::objref::ObjRef;
use crate::types::{Kind, TypeObject};
use crate::weakref::{self, WeakRegistry};

/// The binding: the scheme (which decides whether a dead object's references to live objects
/// must be uncounted) and the weak reference registry the collector keeps up to date.
pub struct RtBinding {
    /// The runtime's counting scheme.
    pub scheme: Scheme,
    /// The weak reference side table (shared with the [`crate::Runtime`]).
    pub weak: Arc<WeakRegistry>,
}

/// True for objects outside the moving heap (types, singletons, cached small ints).
#[inline]
pub fn is_external(obj: ObjRef) -> bool {
    header_of(obj).gc_flags().load(Ordering::Relaxed) & pyopaque_gc::flags::EXTERNAL != 0
}

/// The payload of the type object `ty`.
#[inline]
pub fn type_payload(ty: ObjRef) -> &'static TypeObject {
    // SAFETY: `ty` is a type object (external, immortal), whose payload is a TypeObject that
    // lives as long as the runtime.
    unsafe { &*ty.as_ptr().cast::<TypeObject>() }
}

/// The representation kind of a heap reference's payload.
#[inline]
pub fn kind_of_heap(obj: ObjRef) -> Kind {
    type_payload(header_of(obj).ty()).kind
}

/// True when dead instances of `kind` need [`Binding::finalize`]: they own memory outside the
/// heap (list and dict storage, big ints, native payloads), or, under the counting schemes,
/// hold counted references that must be given back to live objects (tuples, exceptions).
/// Everything else (small ints, floats, str, bytes) is reclaimed without a call.
#[inline]
pub fn needs_finalizer(kind: Kind, scheme: Scheme) -> bool {
    match kind {
        Kind::List | Kind::Dict | Kind::Native => true,
        Kind::Tuple | Kind::Exception => scheme.counts_internal(),
        Kind::Int
        | Kind::Float
        | Kind::Str
        | Kind::Bytes
        | Kind::Bool
        | Kind::Singleton
        | Kind::Type => false,
    }
}

/// Reports `slot` to `visit` if it holds a reference into the moving heap.
#[inline]
pub(crate) fn visit_slot(slot: *mut Option<ObjRef>, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: callers pass the address of an initialised slot inside a live payload.
    let v = unsafe { slot.read() };
    if let Some(r) = v {
        if !r.is_tagged() && !is_external(r) {
            // SAFETY: the slot holds a heap reference and stays at this address for the whole
            // collection (payloads only move as a whole, and the collector rewrites slots of the
            // copy it scans).
            visit(unsafe {
                Slot::new(std::ptr::NonNull::new_unchecked(slot).cast::<ObjectReference>())
            });
        }
    }
}

/// Visits every heap reference held by `obj`'s payload.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    let ty = type_payload(header_of(obj).ty());
    match ty.kind {
        Kind::Tuple => tuple::scan(obj, visit),
        Kind::List => crate::list::scan(obj, visit),
        Kind::Dict => dict::scan(obj, visit),
        Kind::Exception => exc::scan(obj, visit),
        Kind::Native => {
            if let Some(h) = ty.hooks {
                (h.trace)(obj, visit)
            }
        }
        Kind::Type
        | Kind::Singleton
        | Kind::Bool
        | Kind::Int
        | Kind::Float
        | Kind::Str
        | Kind::Bytes => {}
    }
}

/// Releases what a dying object owns: pushes the references it held onto `children` (the caller
/// uncounts them) and drops off-heap storage. Runs exactly once per object.
pub(crate) fn release_payload(obj: ObjRef, children: &mut Vec<ObjRef>) {
    let ty = type_payload(header_of(obj).ty());
    match ty.kind {
        Kind::Int => int::release(obj),
        Kind::Tuple => tuple::release(obj, children),
        Kind::List => crate::list::release(obj, children),
        Kind::Dict => dict::release(obj, children),
        Kind::Exception => exc::release(obj, children),
        Kind::Native => {
            if let Some(h) = ty.hooks {
                if std::ptr::eq(h, &weakref::WEAKREF_HOOKS) {
                    weakref::release(obj, children)
                } else {
                    (h.finalize)(obj)
                }
            }
        }
        Kind::Type | Kind::Singleton | Kind::Bool | Kind::Float | Kind::Str | Kind::Bytes => {}
    }
}

/// Drops the off-heap storage of a builtin object without touching any count (the whole heap is
/// going away with its runtime). Native payloads are left alone: their hooks may call into C,
/// which must not run while a runtime is being torn down.
pub(crate) fn drop_storage_at_teardown(obj: ObjRef) {
    if type_payload(header_of(obj).ty()).kind != Kind::Native {
        let mut children = Vec::new();
        release_payload(obj, &mut children);
    }
}

impl Binding for RtBinding {
    const VM_HEADER_BYTES: usize = VM_HEADER_BYTES;

    fn scan_object(&self, obj: ObjectReference, visit: &mut dyn FnMut(Slot)) {
        scan(ObjRef::from_gc(obj), visit)
    }

    fn finalize(&self, obj: ObjectReference, cx: &FinalizeContext<'_>) -> Finalized {
        let mut children = Vec::new();
        release_payload(ObjRef::from_gc(obj), &mut children);
        if self.scheme.counts_internal() {
            // A dead object (garbage cycle) still holds counted references to live objects:
            // give them back, or those objects would leak.
            // Live children may already have been evacuated: their old copy holds only the
            // forwarding address, so the count is updated on the new copy.
            for c in children {
                if !c.is_tagged() && !is_external(c) && cx.is_live(c.to_gc()) {
                    let now = ObjRef::from_gc(cx.forwarded(c.to_gc()));
                    crate::refcount::uncount_from_collector(self.scheme, now);
                }
            }
        }
        if crate::kept_cells::is_kept(ObjRef::from_gc(obj)) {
            Finalized::Kept
        } else {
            Finalized::Reclaimed
        }
    }

    fn process_weak(&self, resolve: &mut dyn FnMut(ObjectReference) -> Option<ObjectReference>) {
        self.weak.process(self.scheme, resolve)
    }
}
