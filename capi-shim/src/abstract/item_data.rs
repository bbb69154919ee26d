//! `PyObject_GetItemData` (3.12): the per-item storage of an instance of a C type declared
//! with `Py_TPFLAGS_ITEMS_AT_END`, which begins right after the type's `tp_basicsize` bytes
//! (a C instance's struct starts at the pointer C holds, the header lying before it).

use std::ffi::c_void;

use crate::boundary::cx::{self, arg, tname};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[("PyObject_GetItemData", Rule::Works)];

/// `Py_TPFLAGS_ITEMS_AT_END` (object.h).
const ITEMS_AT_END: u64 = 1 << 23;

/// `PyObject_GetItemData`: `(char *)obj + tp_basicsize` for an instance of a type with
/// `Py_TPFLAGS_ITEMS_AT_END`; TypeError (CPython's message) for any other object.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GetItemData(o: *mut PyObject) -> *mut c_void {
    capi!("PyObject_GetItemData", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        let t = cx.type_of(ob);
        let tp = pyopaque_runtime::binding::type_payload(t);
        if tp.flags() & ITEMS_AT_END == 0 || ob.is_tagged() {
            let msg = format!(
                "type '{}' does not have Py_TPFLAGS_ITEMS_AT_END",
                tname(cx, ob)
            );
            return Err(cx::type_error(cx, &msg));
        }
        // SAFETY: a heap instance of a C type; its struct spans at least tp_basicsize bytes
        // from the public pointer, and the items follow (the type's contract).
        Ok(unsafe { o.cast::<u8>().add(tp.basicsize) }.cast::<c_void>())
    })
}
