//! `PyObject_InitVar`: `PyObject_Init` plus the size of a variable-size instance.
//!
//! As for `PyObject_Init`, only memory with an object header can become an object (memory
//! from `tp_alloc`/`PyObject_NewVar`); memory from `PyObject_Malloc` has no room for the
//! header, which lies before the pointer, and gets SystemError.

use std::ffi::c_void;

use pyopaque_runtime::header::header_of;

use crate::boundary::cx::{self, arg};
use crate::boundary::ffi::{PyObject, PyTypeObject, Py_ssize_t};
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "PyObject_InitVar",
    Rule::NotImplementable("opaque header: the runtime header lies before the object pointer, so memory from PyObject_Malloc has no room for it; only memory from tp_alloc/PyObject_NewVar can become an object (that works; anything else raises SystemError)"),
)];

/// `PyObject_InitVar`: sets the type and size of `op` and returns it.
///
/// # Safety
/// `op` memory the shim allocated for an object, `ty` a type C holds.
#[no_mangle]
pub unsafe extern "C" fn PyObject_InitVar(
    op: *mut PyObject,
    ty: *mut PyTypeObject,
    size: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyObject_InitVar", |cx| {
        if op.is_null() {
            return Err(cx::bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty.cast()) }?;
        if !crate::python::memory::is_shim_object(op.cast::<c_void>()) {
            return Err(cx::system_error(cx, "pyopaque: PyObject_InitVar needs memory with an object header (allocate with tp_alloc/PyObject_NewVar); malloc'd memory has none"));
        }
        // SAFETY: a shim object.
        let o = unsafe { arg(cx, op) }?;
        header_of(o).set_ty(t);
        if cx.kind_of(o) == pyopaque_runtime::Kind::Native {
            crate::boundary::pinning::set_var_size(o, size.max(0) as usize);
        }
        Ok(op)
    })
}
