//! Pinning and side tables for objects C dereferences.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Mutex;

use pyopaque_runtime::binding::is_external;
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::ObjRef;

/// Flags `obj` so the collector never moves it (the collector's `PINNED` bit, which the binding
/// may set). Used for instances of C types and for objects stored in their fields.
pub fn pin_forever(obj: ObjRef) {
    if obj.is_tagged() || is_external(obj) {
        return;
    }
    header_of(obj)
        .gc_flags()
        .fetch_or(pyopaque_gc::flags::PINNED, Ordering::Relaxed);
}

/// `ob_size` of variable-size C instances: `PyObject_VAR_HEAD` adds no bytes, so the size lives
/// in a side table keyed by the (pinned, hence stable) address.
static VAR_SIZES: Mutex<Option<HashMap<usize, isize>>> = Mutex::new(None);

/// Records `ob_size` for a pinned variable-size instance.
pub fn set_var_size(obj: ObjRef, n: usize) {
    let mut g = VAR_SIZES.lock().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(HashMap::new)
        .insert(obj.as_ptr().addr(), n as isize);
}

/// `ob_size` of a variable-size instance, if recorded.
pub fn var_size(obj: ObjRef) -> Option<isize> {
    let g = VAR_SIZES.lock().unwrap_or_else(|e| e.into_inner());
    g.as_ref()
        .and_then(|m| m.get(&obj.as_ptr().addr()).copied())
}

/// Forgets the side-table entry of a dying instance.
pub fn forget(obj: ObjRef) {
    let mut g = VAR_SIZES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = g.as_mut() {
        m.remove(&obj.as_ptr().addr());
    }
}
