//! Debug mode (`PYOPAQUE_CAPI_DEBUG=1` at init): catches what CPython would let crash.
//!
//! * **Use after release**: when `Py_DECREF` drops the last count of an object (counting
//!   schemes), its address enters a quarantine (with its type name); every incoming `PyObject*`
//!   is checked against it (`from_c`). An address leaves quarantine when the shim hands an
//!   object at that address to C again (`to_c`, hence `new_ref` and `borrowed`): the address
//!   was reused by a new (or moved) object. A hit aborts the process (the memory is gone), after
//!   a report naming the API function (`cx::current_api`) and the type.
//! * **Decref below zero**: `Py_DECREF` of a quarantined address (the count would go to -1), or
//!   `refcount::c_decref` finding a zero C-held count (`tracing`).
//! * **A borrowed reference used after its owner died**: borrowed references from containers
//!   (`PyList_GetItem`, `PyList_GET_ITEM`, `PyTuple_GetItem`, `PyDict_GetItem`, ...) are recorded
//!   with their owner. When such a reference comes back while its owner is quarantined and
//!   nothing but the shim's borrow pins holds it any more (so CPython would have freed it with
//!   its owner), the report names the function that received it, the function that lent it, and
//!   both types, and raises SystemError (the object itself is still alive: it is pinned until
//!   the native call returns). Taking a reference (`Py_INCREF`, or any new reference) ends the
//!   record.
//! * **NULL without an exception / a result with one set**: checked by the test runner and by
//!   every call through a C function pointer (`cx::take_result`), in every mode (SystemError, as
//!   CPython); debug mode also prints a report naming the function and the result's type.
//!
//! Each finding is one line on stderr starting with `pyopaque debug:`.

use std::collections::HashMap;
use std::sync::Mutex;

use pyopaque_runtime::binding::{is_external, type_payload};
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::{refcount, ObjRef, Thread};

/// Quarantined addresses and the type name of the object that lived there.
static QUARANTINE: Mutex<Option<HashMap<usize, String>>> = Mutex::new(None);

/// A borrowed reference lent by a container: (owner address, owner type, lending API, pins).
struct Loan {
    owner: usize,
    owner_type: String,
    api: &'static str,
    pins: i64,
}

static LOANS: Mutex<Option<HashMap<usize, Loan>>> = Mutex::new(None);

fn quarantined(a: usize) -> Option<String> {
    QUARANTINE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|q| q.get(&a).cloned())
}

/// Called before `Py_DECREF` in debug mode: quarantines an object about to be freed.
pub fn before_decref(cx: &Thread, obj: ObjRef) {
    if obj.is_tagged() || is_external(obj) || !cx.rt.config.scheme.counts_internal() {
        return;
    }
    if refcount::total_count(cx, obj) == 1 {
        let name = describe_type(obj);
        QUARANTINE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(HashMap::new)
            .insert(obj.as_ptr().addr(), name);
    }
}

/// Checks an incoming pointer against the quarantine and the loans.
pub fn check_incoming(obj: ObjRef) {
    if obj.is_tagged() {
        return;
    }
    let a = obj.as_ptr().addr();
    let api = crate::boundary::cx::current_api();
    if let Some(ty) = quarantined(a) {
        let what = if api == "Py_DecRef" {
            "decref below zero: the object's last reference was already released"
        } else {
            "use of an object after its last reference was released"
        };
        let msg = format!("pyopaque debug: {api}: {what} (object of type '{ty}' at {a:#x})");
        eprintln!("{msg}");
        eprintln!("pyopaque debug: aborting (the object's memory may have been reused)");
        std::process::abort();
    }
    check_loan(obj, api);
}

fn check_loan(obj: ObjRef, api: &'static str) {
    let a = obj.as_ptr().addr();
    let (owner, owner_type, lender, pins) = {
        let g = LOANS.lock().unwrap_or_else(|e| e.into_inner());
        match g.as_ref().and_then(|m| m.get(&a)) {
            Some(l) => (l.owner, l.owner_type.clone(), l.api, l.pins),
            None => return,
        }
    };
    if quarantined(owner).is_none() {
        return;
    }
    let Some(p) = crate::boundary::cx::thread_ptr() else {
        return;
    };
    // SAFETY: this thread's Thread, only read here (the scheme); the caller holds no other
    // reference to it across this check.
    let cx = unsafe { &*p };
    if !cx.rt.config.scheme.counts_internal() || refcount::total_count(cx, obj) > pins {
        // Someone else still holds it: in CPython it would have survived its owner.
        return;
    }
    forget_loan(obj);
    crate::boundary::cx::debug_report(
        api,
        obj,
        &format!(
            "a borrowed reference (from {lender}) used after its owner (a '{owner_type}') died"
        ),
    );
}

/// Records that `item` was lent to C as a borrowed reference by `api`, owned by `owner`.
pub fn note_loan(item: ObjRef, owner: ObjRef, api: &'static str) {
    if item.is_tagged() || is_external(item) || owner.is_tagged() {
        return;
    }
    let mut g = LOANS.lock().unwrap_or_else(|e| e.into_inner());
    let m = g.get_or_insert_with(HashMap::new);
    let owner_a = owner.as_ptr().addr();
    let e = m.entry(item.as_ptr().addr()).or_insert_with(|| Loan {
        owner: owner_a,
        owner_type: describe_type(owner),
        api,
        pins: 0,
    });
    if e.owner != owner_a {
        *e = Loan {
            owner: owner_a,
            owner_type: describe_type(owner),
            api,
            pins: 0,
        };
    }
    e.pins += 1;
}

/// C took a reference of its own to `obj`: it is no longer only borrowed.
pub fn forget_loan(obj: ObjRef) {
    if obj.is_tagged() {
        return;
    }
    if let Some(m) = LOANS.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        m.remove(&obj.as_ptr().addr());
    }
}

/// An address is live again (the shim handed an object at it to C).
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
