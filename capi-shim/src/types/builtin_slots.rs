//! `PyType_GetSlot` on the builtin types: what CPython answers. The builtin types are runtime
//! (or shim) types without a C slot table, so their slots are the exported functions of the
//! abstract protocol, whose signatures are exactly the slot types (`PyObject_Repr` is a
//! `reprfunc`, `PyIter_Next` an `iternextfunc` that may return NULL without an exception at the
//! end, as `tp_iternext` may, `PyObject_Size` a `lenfunc`, ...). Calling such a slot on an
//! instance runs the type's own behaviour, as CPython's slot function does.
//!
//! Answered: `tp_repr`, `tp_str`, `tp_richcompare`, `tp_hash` (CPython's
//! `PyObject_HashNotImplemented` for the unhashable `list`, `dict`, `set`, `bytearray`) for every
//! builtin type; `tp_iter` for iterables and iterators; `tp_iternext` for iterators;
//! `sq_length`/`mp_length` for sized containers; `mp_subscript` for subscriptable ones;
//! `tp_call` for `type` and builtin functions. Other slots of builtin types answer NULL.

use std::ffi::{c_int, c_void};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::{Kind, ObjRef};

use crate::boundary::cx;
use crate::boundary::ffi::slot;
use crate::types::shim_types::shim_types;

/// Slot ids this module answers that `ffi::slot` does not name.
const SQ_LENGTH: c_int = slot::SQ_LENGTH;

/// True for the builtin iterator types (their instances have `__next__`).
fn is_iterator_type(t: ObjRef) -> bool {
    let st = shim_types();
    if t == st.seq_iter || t == st.call_iter {
        return true;
    }
    let lazy = &st.lazy;
    if [
        lazy.range_iter,
        lazy.enumerate,
        lazy.zip,
        lazy.map,
        lazy.filter,
        lazy.reversed,
    ]
    .contains(&t)
    {
        return true;
    }
    let it = &st.iters;
    let views = [it.keys_view, it.values_view, it.items_view];
    type_payload(t)
        .hooks
        .is_some_and(|h| std::ptr::eq(h, &crate::objects::iterators::BUILTIN_ITER_HOOKS))
        && !views.contains(&t)
}

/// The slot `id` of builtin type `t` (no C slot table in its chain), or NULL.
pub fn slot(t: ObjRef, id: c_int) -> *mut c_void {
    let rt = &cx::global().rt;
    let st = shim_types();
    let kind = type_payload(t).kind;
    let views = [
        st.iters.keys_view,
        st.iters.values_view,
        st.iters.items_view,
    ];
    let is_set = t == st.set || t == st.frozenset;
    let is_view = views.contains(&t);
    let sized = matches!(
        kind,
        Kind::Str | Kind::Bytes | Kind::Tuple | Kind::List | Kind::Dict
    ) || is_set
        || is_view
        || t == st.bytearray
        || t == st.lazy.range;
    let subscriptable = matches!(
        kind,
        Kind::Str | Kind::Bytes | Kind::Tuple | Kind::List | Kind::Dict
    ) || t == st.bytearray
        || t == st.lazy.range;
    let iterator = is_iterator_type(t);
    let unhashable = matches!(kind, Kind::List | Kind::Dict) || t == st.set || t == st.bytearray;
    let f: usize = match id {
        slot::TP_REPR => crate::r#abstract::object::PyObject_Repr as *const () as usize,
        slot::TP_STR => crate::r#abstract::object::PyObject_Str as *const () as usize,
        slot::TP_RICHCOMPARE => {
            crate::r#abstract::object::PyObject_RichCompare as *const () as usize
        }
        slot::TP_HASH if unhashable => {
            crate::r#abstract::object::PyObject_HashNotImplemented as *const () as usize
        }
        slot::TP_HASH => crate::r#abstract::object::PyObject_Hash as *const () as usize,
        slot::TP_ITER if sized || iterator => {
            crate::r#abstract::object::PyObject_GetIter as *const () as usize
        }
        slot::TP_ITERNEXT if iterator => {
            crate::r#abstract::object::PyIter_Next as *const () as usize
        }
        SQ_LENGTH | slot::MP_LENGTH if sized => {
            crate::r#abstract::object::PyObject_Size as *const () as usize
        }
        slot::MP_SUBSCRIPT if subscriptable => {
            crate::r#abstract::object::PyObject_GetItem as *const () as usize
        }
        slot::TP_CALL if t == rt.types.type_ || t == st.cfunction => {
            crate::r#abstract::call::PyObject_Call as *const () as usize
        }
        _ => 0,
    };
    f as *mut c_void
}
