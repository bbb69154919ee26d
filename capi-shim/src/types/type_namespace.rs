//! `tp_dict` for C that reads it at `type.__dictoffset__` (Cython's limited-API modules do, to
//! install `__reduce__`/`__setstate__` on their classes).
//!
//! A runtime type keeps its attributes in a list (`TypeObject::attrs`), not in a dict, and C
//! under the limited API has no `tp_dict` field. Yet CPython answers `type.__dictoffset__` (the
//! offset of `tp_dict` in a type object), and C code reads `*(PyObject **)((char *)tp + off)`
//! and then writes to that dict with `PyDict_SetItem`, calling `PyType_Modified(tp)` afterwards
//! as CPython's documentation requires after any change to a type's dict.
//!
//! pyopaque answers the same way, with a *mirror*: a real dict per type whose address sits in
//! `TypeObject::c_dict`, at offset [`TypeObject::C_DICT_OFFSET`] of the type's pointer (for a
//! builtin type, whose C pointer is its 16-byte static placeholder, the placeholder's second
//! word holds the same address). The mirrors are made the first time anyone reads
//! `__dictoffset__` of a metatype, for every type that exists then and for every type made
//! afterwards, so a program that never asks pays nothing. The shim keeps a reference to each
//! mirror forever (types are immortal), so it is pinned and its address stays valid.
//!
//! Consistency: every attribute change the runtime makes is written to the mirror at once;
//! a change C makes to the mirror reaches the type at the next `PyType_Modified(tp)`, which
//! makes the type's attributes equal to the mirror's `str`-keyed entries. The difference from
//! CPython, written down in `docs/design.md`: CPython's lookups see a direct write to
//! `tp_dict` even before `PyType_Modified` (with a stale method cache), pyopaque's only after.

use std::sync::atomic::{AtomicBool, Ordering};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread, TypeObject};

use crate::boundary::cx;

/// Set once the first `__dictoffset__` of a metatype was read: from then on every type has a
/// mirror.
static ENABLED: AtomicBool = AtomicBool::new(false);

/// What `type.__dictoffset__` answers: makes the mirrors (once) and returns the offset.
pub fn dict_offset_of_types(cx: &mut Thread) -> PyResult<usize> {
    if !ENABLED.swap(true, Ordering::AcqRel) {
        for t in cx.rt.all_types() {
            make_mirror(cx, t)?;
        }
    }
    Ok(TypeObject::C_DICT_OFFSET)
}

/// Gives a type made after the mirrors were enabled its own mirror (a no-op before).
pub fn on_new_type(cx: &mut Thread, ty: ObjRef) -> PyResult<()> {
    if ENABLED.load(Ordering::Acquire) {
        make_mirror(cx, ty)?;
    }
    Ok(())
}

/// The mirror of `ty`, if it has one.
fn mirror(ty: ObjRef) -> Option<ObjRef> {
    let p = type_payload(ty).c_dict.load(Ordering::Acquire);
    // SAFETY: a non-zero `c_dict` is the C pointer of a live dict the shim holds forever.
    (p != 0).then(|| unsafe { cx::from_c(p as *mut crate::boundary::ffi::PyObject) })?
}

fn make_mirror(cx: &mut Thread, ty: ObjRef) -> PyResult<()> {
    if mirror(ty).is_some() {
        return Ok(());
    }
    let entries: Vec<(String, ObjRef)> = type_payload(ty).attrs.lock().clone();
    // Root every value before the first allocation.
    let rooted: Vec<(String, Handle)> = entries.into_iter().map(|(k, v)| (k, cx.root(v))).collect();
    let d = cx.dict();
    for (k, v) in rooted {
        let kh = cx.str(&k);
        cx.dict_set(d, kh, v)?;
    }
    // The reference is never released: the mirror lives (pinned) as long as its immortal type.
    let p = cx::new_ref_h(cx, d) as usize;
    type_payload(ty).c_dict.store(p, Ordering::Release);
    // A builtin type leaves as its static placeholder: its second word is the field C reads.
    cx::global().statics.set_dict_word(ty, p);
    Ok(())
}

/// Writes attribute `name` of `ty` (just set to `value` by the runtime) to its mirror.
pub fn after_set(cx: &mut Thread, ty: ObjRef, name: &str, value: ObjRef) -> PyResult<()> {
    let Some(m) = mirror(ty) else { return Ok(()) };
    let (mh, vh) = (cx.root(m), cx.root(value));
    let kh = cx.str(name);
    cx.dict_set(mh, kh, vh)
}

/// Removes attribute `name` of `ty` (just deleted by the runtime) from its mirror.
pub fn after_delete(cx: &mut Thread, ty: ObjRef, name: &str) -> PyResult<()> {
    let Some(m) = mirror(ty) else { return Ok(()) };
    let mh = cx.root(m);
    let kh = cx.str(name);
    cx.dict_del(mh, kh).map(|_| ())
}

/// `PyType_Modified(ty)`: makes the attributes of `ty` equal to its mirror's `str`-keyed
/// entries (entries with other keys have no attribute to become, as in CPython's lookups).
pub fn reconcile(cx: &mut Thread, ty: ObjRef) {
    let Some(m) = mirror(ty) else { return };
    let mut wanted: Vec<(String, ObjRef)> = Vec::new();
    let mut pos = 0;
    while let Some((k, v)) = cx.dict_next(m, &mut pos) {
        if let Some(s) = cx.str_value(k) {
            wanted.push((s.to_string(), v));
        }
    }
    // No allocation happened since the dict was read, so the values are still where they were.
    let removed: Vec<ObjRef> = {
        let mut attrs = type_payload(ty).attrs.lock();
        let mut removed = Vec::new();
        attrs.retain(|(n, v)| {
            let keep = wanted.iter().any(|(w, _)| w == n);
            if !keep {
                removed.push(*v);
            }
            keep
        });
        removed
    };
    for (n, v) in wanted {
        let same = type_payload(ty)
            .attrs
            .lock()
            .iter()
            .any(|(a, b)| *a == n && *b == v);
        if !same {
            crate::types::typeobject::store_type_attr(cx, ty, &n, v);
        }
    }
    for v in removed {
        cx::release_c_ref(cx, v, "type attribute");
    }
}
