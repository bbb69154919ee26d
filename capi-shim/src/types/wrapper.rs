//! `PyWrapper_New`: a method-wrapper binds a slot-wrapper descriptor (`struct wrapperbase` of a
//! static `PyTypeObject`'s slot table) to an object. Static type structs cannot exist when
//! `PyTypeObject` is opaque, so no such descriptor exists: each call raises SystemError.

use crate::boundary::cx;
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "PyWrapper_New",
    Rule::NotImplementable("opaque header: method-wrappers bind a wrapper descriptor of a static PyTypeObject's slot table (struct wrapperbase), and static type structs cannot exist when PyTypeObject is opaque; raises SystemError"),
)];

/// `PyWrapper_New`: raises SystemError (no slot-wrapper descriptor can exist), returns NULL.
#[no_mangle]
pub extern "C" fn PyWrapper_New(_d: *mut PyObject, _self: *mut PyObject) -> *mut PyObject {
    capi!("PyWrapper_New", |cx| {
        Err(cx::system_error(
        cx,
        "PyWrapper_New: pyopaque has no slot-wrapper descriptors (PyTypeObject is opaque, so no static slot table exists)"
    ))
    })
}
