//! `bool`: `PyBool_FromLong` (`Py_True`/`Py_False` are constants, see refcount.rs).

use std::ffi::c_long;

use crate::boundary::cx::new_ref;
use crate::boundary::ffi::PyObject;
use crate::capi;

/// `PyBool_FromLong`.
#[no_mangle]
pub extern "C" fn PyBool_FromLong(v: c_long) -> *mut PyObject {
    capi!("PyBool_FromLong", |cx| {
        let o = if v != 0 { cx.rt.true_ } else { cx.rt.false_ };
        Ok(new_ref(cx, o))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[("PyBool_FromLong", Rule::Works)]
};
