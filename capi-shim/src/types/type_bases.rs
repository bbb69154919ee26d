//! What `PyType_GetSlot(t, Py_tp_base)` and `PyType_GetSlot(t, Py_tp_bases)` answer.
//!
//! CPython returns `tp_base` and `tp_bases`: a type and a tuple the type owns, both borrowed
//! for the type's lifetime. Types here are immortal and external (they never move), so the base
//! is simply the runtime's `TypeObject::base`. The runtime keeps no bases tuple, so the first
//! call for a type makes one (the same entries `__bases__` shows) and keeps a C-held reference
//! to it forever: it is pinned (a C-held count pins) and immortal like its type, so the borrowed
//! pointer C receives stays valid as long as CPython's would. Cost: one tuple per type that C
//! asks, made once; a lookup in a locked table per call.

use std::collections::HashMap;
use std::sync::Mutex;

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::ObjRef;

use crate::boundary::cx;
use crate::boundary::ffi::PyObject;

/// Type address -> address of the bases tuple lent for it. Entries are never removed: both the
/// type and the tuple (held by a leaked C reference) live until the process ends.
static BASES_TUPLES: Mutex<Option<HashMap<usize, usize>>> = Mutex::new(None);

/// `tp_base`: the base type, NULL for `object`.
pub fn tp_base(ty: ObjRef) -> *mut PyObject {
    cx::to_c_opt(type_payload(ty).base)
}

/// `tp_bases`: the borrowed bases tuple of `ty` (made on first use). NULL when it has to be made
/// and the caller is a finalizer (`tp_dealloc` may call `PyType_GetSlot`, but may not allocate).
pub fn tp_bases(ty: ObjRef) -> *mut PyObject {
    let key = ty.as_ptr().addr();
    if let Some(p) = lookup(key) {
        return p as *mut PyObject;
    }
    if cx::finalizing() {
        return std::ptr::null_mut();
    }
    cx::api(
        "PyType_GetSlot",
        |cx| -> pyopaque_runtime::PyResult<*mut PyObject> {
            // Made outside the table's lock: the allocation may collect, and a finalizer it runs may
            // call PyType_GetSlot.
            let items: Vec<_> = type_payload(ty)
                .base
                .into_iter()
                .map(|b| cx.root(b))
                .collect();
            let t = cx.tuple(&items);
            let mut g = BASES_TUPLES.lock().unwrap_or_else(|e| e.into_inner());
            let table = g.get_or_insert_with(HashMap::new);
            if let Some(p) = table.get(&key) {
                // Another thread made one first; this tuple dies with its handle.
                return Ok(*p as *mut PyObject);
            }
            // The new C-held reference is never released: it keeps the tuple alive and pinned.
            let p = cx::new_ref_h(cx, t);
            table.insert(key, p as usize);
            Ok(p)
        },
    )
}

fn lookup(key: usize) -> Option<usize> {
    let g = BASES_TUPLES.lock().unwrap_or_else(|e| e.into_inner());
    g.as_ref().and_then(|m| m.get(&key).copied())
}
