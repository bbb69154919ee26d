//! `PyObject_GetTypeData_DuringGC` (CPython 3.15): the PEP 697 type-data pointer, callable
//! from `tp_traverse` while the collector runs. PyO3's abi3t build reaches its Rust struct this
//! way in every `tp_traverse`.
//!
//! In pyopaque the answer needs nothing the collector changes: the object pointer C was given
//! plus the base type's basicsize (types are immortal and never move), so the same thread-free
//! computation as `PyObject_GetTypeData` serves both.

use std::ffi::c_void;

use crate::boundary::ffi::*;
use crate::capi_nothread;

/// `PyObject_GetTypeData_DuringGC(o, cls)`: the start of `cls`'s part of `o` (as
/// `PyObject_GetTypeData`); needs no thread and allocates nothing, so it is safe inside
/// `tp_traverse`. NULL for a NULL argument.
///
/// # Safety
/// `o` must be an instance of `cls` (or of a subtype) and `cls` a type, as in CPython.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GetTypeData_DuringGC(
    o: *mut PyObject,
    cls: *mut PyTypeObject,
) -> *mut c_void {
    capi_nothread!(
        "PyObject_GetTypeData_DuringGC",
        std::ptr::null_mut(),
        || {
            // SAFETY: forwarded contract; the computation reads only the (immortal) type.
            unsafe { crate::types::typeobject::PyObject_GetTypeData(o, cls) }
        }
    )
}

/// The verdicts of the C API functions this module answers for (collected by
/// [`crate::verdict`]).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[("PyObject_GetTypeData_DuringGC", Rule::Works)]
};
