//! The PEP 793 module export hook: an extension built for CPython 3.15's abi3t exports
//! `PyModExport_<name>(void)` instead of `PyInit_<name>`, returning a `{0}`-terminated array of
//! [`PySlot`]s (PEP 820's unified slots) that describes the module. The loader here calls the
//! hook, translates its slots into the `PyModuleDef_Slot` array our
//! [`PyModule_FromSlotsAndSpec`] reads (same meaning, the numbering of our `moduleobject.h`),
//! creates the module from them and a spec, and runs its exec slots (`PyModule_Exec`), as
//! CPython's import machinery does for such an extension.
//!
//! Accepted ids: `Py_mod_create`, `exec`, `multiple_interpreters`, `gil` in both numberings (1..=4
//! and 84..=87), `Py_mod_name`, `doc`, `state_size`, `methods`, `state_traverse`, `state_clear`,
//! `state_free`, `abi`, `token` (100..=110), `Py_mod_slots` (a legacy `PyModuleDef_Slot` array
//! whose entries count as if they stood in place) and `Py_slot_subslots`; an unknown id is a
//! SystemError unless flagged `PySlot_OPTIONAL`. The hook's array must stay valid for the life
//! of the module (PEP 793); the translated copy is leaked for the same reason.

use std::ffi::{c_int, c_void};

use pyopaque_runtime::{Handle, PyResult, Raised, Thread};

use crate::boundary::cx::{self, borrowed};
use crate::boundary::ffi::*;
use crate::boundary::pyslot::{self, id, PySlot};
use crate::python::module::{PyModule_Exec, PyModule_FromSlotsAndSpec};

/// The signature of `PyModExport_<name>`.
pub type ExportHook = unsafe extern "C" fn() -> *mut PySlot;

/// The `Py_mod_*` number of our `moduleobject.h` for module slot `id` in either CPython 3.15
/// numbering (the compatible 1..=4 or the unique 84..=87, 100..=110), if it is a module slot.
fn our_module_slot(id: c_int) -> Option<c_int> {
    let ours = match id {
        1..=4 => id,
        x if x == id::MOD_CREATE as c_int => 1,
        x if x == id::MOD_EXEC as c_int => 2,
        x if x == id::MOD_MULTIPLE_INTERPRETERS as c_int => 3,
        x if x == id::MOD_GIL as c_int => 4,
        x if x == id::MOD_ABI as c_int => 5,
        x if x == id::MOD_NAME as c_int => 6,
        x if x == id::MOD_DOC as c_int => 7,
        x if x == id::MOD_STATE_SIZE as c_int => 8,
        x if x == id::MOD_METHODS as c_int => 9,
        x if x == id::MOD_STATE_TRAVERSE as c_int => 10,
        x if x == id::MOD_STATE_CLEAR as c_int => 11,
        x if x == id::MOD_STATE_FREE as c_int => 12,
        x if x == id::MOD_TOKEN as c_int => 13,
        _ => return None,
    };
    Some(ours)
}

/// Translates the module slot array `slots` into a `{0, NULL}`-terminated `PyModuleDef_Slot`
/// array with our numbering (leaked: a module's slots outlive it).
///
/// # Safety
/// `slots` NULL or a `{0}`-terminated `PySlot` array (each `Py_mod_slots` value NULL or a
/// terminated `PyModuleDef_Slot` array) valid for the call.
pub unsafe fn translate(
    cx: &mut Thread,
    slots: *const PySlot,
    name: &str,
) -> PyResult<&'static [PyModuleDef_Slot]> {
    let what = format!("module {name}");
    let mut out: Vec<PyModuleDef_Slot> = Vec::new();
    let mut visit = |cx: &mut Thread, e: &PySlot| -> PyResult<bool> {
        // SAFETY: every module slot value is pointer-sized; `sl_ptr` reads the bits the
        // extension wrote whichever member it used (state size, hooks and data alike).
        let value = unsafe { e.value.ptr };
        if e.sl_id == id::MOD_SLOTS {
            let mut s = value.cast_const().cast::<PyModuleDef_Slot>();
            while !s.is_null() {
                // SAFETY: a `Py_mod_slots` value is a terminated legacy array (caller's
                // contract).
                let l = unsafe { &*s };
                if l.slot == 0 {
                    break;
                }
                let Some(n) = our_module_slot(l.slot) else {
                    return Err(cx::system_error(
                        cx,
                        &format!("{what} uses unknown slot ID {}", l.slot),
                    ));
                };
                out.push(PyModuleDef_Slot {
                    slot: n,
                    value: l.value,
                });
                // SAFETY: not at the terminator.
                s = unsafe { s.add(1) };
            }
            return Ok(true);
        }
        match our_module_slot(e.sl_id as c_int) {
            Some(n) => {
                out.push(PyModuleDef_Slot { slot: n, value });
                Ok(true)
            }
            None => Ok(false),
        }
    };
    // SAFETY: forwarded contract.
    unsafe { pyslot::walk(cx, slots, &what, &mut visit) }?;
    out.push(PyModuleDef_Slot {
        slot: 0,
        value: std::ptr::null_mut::<c_void>(),
    });
    Ok(Box::leak(out.into_boxed_slice()))
}

/// Loads a module through its export hook: calls `export`, translates the slots, creates the
/// module with a spec whose `name` is `name`, and runs its exec slots. The caller has opened a
/// native-call frame (borrowed references are handed to C).
///
/// # Safety
/// `export` is the extension's `PyModExport_<name>`.
pub unsafe fn load(cx: &mut Thread, export: ExportHook, name: &str) -> PyResult<Handle> {
    // SAFETY: calling the extension's export hook (no arguments, PEP 793).
    let slots = cx::publish(cx, || unsafe { export() });
    if slots.is_null() {
        if cx.error().is_some() {
            return Err(Raised);
        }
        return Err(cx::system_error(
            cx,
            &format!("PyModExport_{name} returned NULL without setting an exception"),
        ));
    }
    // SAFETY: the hook returned a terminated slot array (PEP 793).
    let legacy = unsafe { translate(cx, slots, name) }?;
    let spec = crate::python::module::new_module(cx, "spec", std::ptr::null_mut())?;
    let n = cx.str(name);
    crate::r#abstract::object::setattr(cx, spec, "name", Some(n))?;
    let sp = borrowed(cx, cx.get(spec));
    // SAFETY: a terminated slot array with our numbering; the spec is borrowed for the call.
    let p = cx::publish(cx, || unsafe {
        PyModule_FromSlotsAndSpec(legacy.as_ptr(), sp)
    });
    // SAFETY: a new reference or NULL.
    let m = unsafe { cx::take_result(cx, p, "PyModule_FromSlotsAndSpec") }?;
    let mp = borrowed(cx, cx.get(m));
    // SAFETY: a module object, borrowed for the call.
    if cx::publish(cx, || unsafe { PyModule_Exec(mp) }) != 0 {
        return Err(Raised);
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_numberings_of_the_collided_ids_map_to_ours() {
        for (old, new) in [(1, 84), (2, 85), (3, 86), (4, 87)] {
            assert_eq!(our_module_slot(old), Some(old));
            assert_eq!(our_module_slot(new), Some(old));
        }
        assert_eq!(our_module_slot(id::MOD_ABI as c_int), Some(5));
        assert_eq!(our_module_slot(id::MOD_TOKEN as c_int), Some(13));
        assert_eq!(our_module_slot(5), None);
        assert_eq!(our_module_slot(95), None);
    }
}
