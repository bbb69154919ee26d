//! Debug mode (`PYOPAQUE_CAPI_DEBUG=1` at init): catches what CPython would let crash.
//!
//! * Use after release: when `Py_DECREF` drops the last count of an object (counting schemes),
//!   its address enters a quarantine set; every incoming `PyObject*` is checked against it
//!   (`from_c`). An address leaves quarantine when the shim hands out a new object at it.
//! * A borrowed reference used after its owner died: the borrowed object is released with its
//!   owner; its address is quarantined the same way when the owner's death frees it.
//! * Decref below zero: `refcount::c_decref` reports it.
//! * NULL without an exception / a result with one set: checked by the test runner and by every
//!   call through a C function pointer (`take_result`), in every mode.
//!
//! Each finding names the C API function and the object's type and raises SystemError (or
//! aborts where no error can be returned).

use std::collections::HashSet;
use std::sync::Mutex;

use pyopaque_runtime::binding::{is_external, type_payload};
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::{refcount, ObjRef, Thread};

static QUARANTINE: Mutex<Option<HashSet<usize>>> = Mutex::new(None);
static QUARANTINE_TYPES: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());

/// Called before `Py_DECREF` in debug mode: quarantines an object about to be freed.
pub fn before_decref(cx: &Thread, obj: ObjRef) {
    if obj.is_tagged() || is_external(obj) || !cx.rt.config.scheme.counts_internal() {
        return;
    }
    if refcount::total_count(cx, obj) == 1 {
        let name = type_payload(header_of(obj).ty()).name.clone();
        let a = obj.as_ptr().addr();
        QUARANTINE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(HashSet::new)
            .insert(a);
        let mut t = QUARANTINE_TYPES.lock().unwrap_or_else(|e| e.into_inner());
        t.retain(|e| e.0 != a);
        t.push((a, name));
    }
}

/// Checks an incoming pointer against the quarantine.
pub fn check_incoming(obj: ObjRef) {
    if obj.is_tagged() {
        return;
    }
    let a = obj.as_ptr().addr();
    let hit = QUARANTINE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|q| q.contains(&a));
    if hit {
        let ty = QUARANTINE_TYPES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|e| e.0 == a)
            .map(|e| e.1.clone())
            .unwrap_or_else(|| "?".into());
        let msg = format!("pyopaque debug: use of an object after its last reference was released (object of type '{ty}' at {a:#x})");
        eprintln!("{msg}");
        crate::cx::fatal("C API", &msg);
    }
}

/// An address is live again (the shim handed out a new object there).
pub fn unquarantine(obj: ObjRef) {
    if obj.is_tagged() {
        return;
    }
    if let Some(q) = QUARANTINE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_mut()
    {
        q.remove(&obj.as_ptr().addr());
    }
}

/// The type name of `obj` for reports (reads the header; the object must be readable).
pub fn describe_type(obj: ObjRef) -> String {
    if obj.is_tagged() {
        return "int".into();
    }
    type_payload(header_of(obj).ty()).name.clone()
}
