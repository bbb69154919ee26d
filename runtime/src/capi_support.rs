//! Runtime services the C API shim needs that no other runtime module offers (owned by the shim's
//! authors; kept here because they need crate-private access).

use crate::objref::ObjRef;
use crate::runtime::Runtime;

/// The `args` tuple of an exception instance (None when unset).
pub fn exception_args(obj: ObjRef) -> Option<ObjRef> {
    crate::objects::exc::exc_args(obj)
}

/// Whether `obj` is a live object of `rt`'s moving heap (does not read the object). Used by the
/// shim to tell its own objects from `malloc`ed memory (`PyObject_Free`) and by debug mode.
pub fn heap_contains(rt: &Runtime, obj: ObjRef) -> bool {
    !obj.is_tagged() && rt.heap.contains(obj.to_gc())
}
