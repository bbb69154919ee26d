//! `PyType_GetDict` (3.12): a type's namespace as a dict; `T.__dict__` is a `mappingproxy` over
//! the same snapshot.
//!
//! A runtime type keeps its attributes in its own list (`TypeObject::attrs`), not in a dict
//! object, so the dict returned is a snapshot: reading it sees every attribute; writing to it
//! does not change the type (CPython documents the dict as read-only for callers anyway:
//! "should not be modified directly").

use crate::boundary::cx::{self, arg, new_ref_h};
use crate::boundary::ffi::{PyObject, PyTypeObject};
use crate::capi;
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[(
    "PyType_GetDict",
    Rule::Cost("a new dict holding a snapshot of the type's attributes (the runtime keeps them in a list): one allocation and a copy per call; writes to it do not reach the type"),
)];

/// `PyType_GetDict`: a new reference to a dict of the type's own attributes (SystemError for
/// a non-type).
///
/// # Safety
/// A type C holds.
#[no_mangle]
pub unsafe extern "C" fn PyType_GetDict(t: *mut PyTypeObject) -> *mut PyObject {
    capi!("PyType_GetDict", |cx| {
        // SAFETY: caller's contract.
        let ty = unsafe { arg(cx, t.cast()) }?;
        if !cx::is_type_type(cx.type_of(ty)) {
            return Err(cx::bad_internal_call(cx));
        }
        let d = snapshot(cx, ty)?;
        Ok(new_ref_h(cx, d))
    })
}

/// A new dict holding the attributes `ty` itself defines (not inherited ones).
pub fn snapshot(
    cx: &mut pyopaque_runtime::Thread,
    ty: pyopaque_runtime::ObjRef,
) -> pyopaque_runtime::PyResult<pyopaque_runtime::Handle> {
    let entries: Vec<(String, pyopaque_runtime::ObjRef)> =
        pyopaque_runtime::binding::type_payload(ty)
            .attrs
            .lock()
            .clone();
    // Root every value before the first allocation (a handle push allocates nothing).
    let rooted: Vec<(String, pyopaque_runtime::Handle)> =
        entries.into_iter().map(|(k, v)| (k, cx.root(v))).collect();
    let d = cx.dict();
    for (k, v) in rooted {
        let kh = cx.str(&k);
        cx.dict_set(d, kh, v)?;
    }
    Ok(d)
}
