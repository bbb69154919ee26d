//! `PySet_GET_SIZE` (our headers spell it `PyOpaque_Set_GET_SIZE`: the set's layout is opaque).

use crate::boundary::cx::{self, arg};
use crate::boundary::ffi::{PyObject, Py_ssize_t};
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "PyOpaque_Set_GET_SIZE",
    Rule::Cost("a call instead of a field read: the set's layout is opaque"),
)];

/// `PySet_GET_SIZE`: the number of elements of a set or frozenset (SystemError otherwise,
/// where CPython's macro would read garbage).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Set_GET_SIZE(s: *mut PyObject) -> Py_ssize_t {
    capi!("PyOpaque_Set_GET_SIZE", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, s) }?;
        if !crate::objects::set::is_anyset(o) {
            return Err(cx::bad_internal_call(cx));
        }
        let d = crate::objects::set::keys(cx, o);
        Ok(cx.dict_len(cx.get(d)) as Py_ssize_t)
    })
}
