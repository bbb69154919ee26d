//! `PySlot` (CPython 3.15, `Include/slots.h`): the one slot record of `PyType_FromSlots` and of
//! the `PyModExport_<name>` export hook (PEP 793 with the unified slots of PEP 820), as the ABI
//! fixes it, and the walk over a `{0}`-terminated slot array with its nested sub-arrays.
//!
//! Layout (16 bytes on LP64): `uint16_t sl_id` at 0, `uint16_t sl_flags` at 2, a 32-bit reserved
//! union at 4, an 8-byte value union (`void*`, function pointer, `Py_ssize_t`, `int64_t`,
//! `uint64_t`) at 8. The ids are those of `Include/slots_generated.h`: the type slots of
//! `typeslots.h` (1..=83) keep their numbers; the four ids that collided with module slots get new
//! unique numbers (88..=91 for `bf_getbuffer`, `bf_releasebuffer`, `mp_ass_subscript`,
//! `mp_length`; 84..=87 for `Py_mod_create`, `exec`, `multiple_interpreters`, `gil`); 92..=110 are
//! new. A consumer accepts both spellings of the four collided ids, as CPython 3.15 does.

use std::ffi::c_void;

use pyopaque_runtime::{PyResult, Thread};

use crate::boundary::cx;

/// The value union of a [`PySlot`] (`sl_ptr`, `sl_func`, `sl_size`, `sl_int64`, `sl_uint64`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union PySlotValue {
    /// `sl_ptr` (also read for `sl_func`: a function pointer has the size of a data pointer
    /// on every platform the shim builds for).
    pub ptr: *mut c_void,
    /// `sl_size`.
    pub size: isize,
    /// `sl_int64`.
    pub int64: i64,
    /// `sl_uint64`.
    pub uint64: u64,
}

/// `struct PySlot`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PySlot {
    /// Slot id (`Py_tp_*`, `Py_mod_*`, ...; 0 ends the array).
    pub sl_id: u16,
    /// `PySlot_OPTIONAL` and hints (static data, pointer-sized integer) the shim does not need.
    pub sl_flags: u16,
    /// `sl_reserved` (0).
    pub sl_reserved: u32,
    /// The value.
    pub value: PySlotValue,
}

/// `PySlot_OPTIONAL`: an unknown id with this flag is skipped instead of being an error.
pub const PYSLOT_OPTIONAL: u16 = 0x01;

/// Slot ids of `slots_generated.h` that are not type slots of `typeslots.h`.
pub mod id {
    #![allow(missing_docs)]
    pub const END: u16 = 0;
    pub const MOD_CREATE: u16 = 84;
    pub const MOD_EXEC: u16 = 85;
    pub const MOD_MULTIPLE_INTERPRETERS: u16 = 86;
    pub const MOD_GIL: u16 = 87;
    pub const BF_GETBUFFER: u16 = 88;
    pub const BF_RELEASEBUFFER: u16 = 89;
    pub const MP_ASS_SUBSCRIPT: u16 = 90;
    pub const MP_LENGTH: u16 = 91;
    pub const SLOT_SUBSLOTS: u16 = 92;
    pub const TP_SLOTS: u16 = 93;
    pub const MOD_SLOTS: u16 = 94;
    pub const TP_NAME: u16 = 95;
    pub const TP_BASICSIZE: u16 = 96;
    pub const TP_EXTRA_BASICSIZE: u16 = 97;
    pub const TP_ITEMSIZE: u16 = 98;
    pub const TP_FLAGS: u16 = 99;
    pub const MOD_NAME: u16 = 100;
    pub const MOD_DOC: u16 = 101;
    pub const MOD_STATE_SIZE: u16 = 102;
    pub const MOD_METHODS: u16 = 103;
    pub const MOD_STATE_TRAVERSE: u16 = 104;
    pub const MOD_STATE_CLEAR: u16 = 105;
    pub const MOD_STATE_FREE: u16 = 106;
    pub const TP_METACLASS: u16 = 107;
    pub const TP_MODULE: u16 = 108;
    pub const MOD_ABI: u16 = 109;
    pub const MOD_TOKEN: u16 = 110;
}

/// How deep `Py_slot_subslots` may nest (a cycle of sub-arrays is a SystemError, not a hang).
const MAX_NESTING: usize = 16;

/// Calls `visit` on every slot of the `{0}`-terminated array `slots`, descending into
/// `Py_slot_subslots` arrays in place (their entries are visited where the sub-array slot
/// stands). `visit` returns `false` for an id it does not know: an error (SystemError naming
/// `what` and the id) unless the slot has `PySlot_OPTIONAL`. NULL `slots` is a SystemError.
///
/// # Safety
/// `slots` NULL or a `{0}`-terminated array of `PySlot`, each `Py_slot_subslots` value NULL or
/// such an array, all valid for the call.
pub unsafe fn walk(
    cx: &mut Thread,
    slots: *const PySlot,
    what: &str,
    visit: &mut dyn FnMut(&mut Thread, &PySlot) -> PyResult<bool>,
) -> PyResult<()> {
    // SAFETY: forwarded contract.
    unsafe { walk_at(cx, slots, what, visit, 0) }
}

/// [`walk`] at nesting depth `depth`.
///
/// # Safety
/// As [`walk`].
unsafe fn walk_at(
    cx: &mut Thread,
    slots: *const PySlot,
    what: &str,
    visit: &mut dyn FnMut(&mut Thread, &PySlot) -> PyResult<bool>,
    depth: usize,
) -> PyResult<()> {
    if slots.is_null() {
        return Err(cx::system_error(cx, &format!("{what}: NULL slot array")));
    }
    if depth > MAX_NESTING {
        return Err(cx::system_error(
            cx,
            &format!("{what}: Py_slot_subslots nested more than {MAX_NESTING} deep"),
        ));
    }
    let mut s = slots;
    loop {
        // SAFETY: caller's contract: `s` stays inside the terminated array.
        let e = unsafe { *s };
        if e.sl_id == id::END {
            return Ok(());
        }
        if e.sl_id == id::SLOT_SUBSLOTS {
            // SAFETY: a sub-slot value is a slot array (caller's contract).
            let sub = unsafe { e.value.ptr }.cast::<PySlot>();
            // SAFETY: as above.
            unsafe { walk_at(cx, sub, what, visit, depth + 1) }?;
        } else if !visit(cx, &e)? && e.sl_flags & PYSLOT_OPTIONAL == 0 {
            return Err(cx::system_error(
                cx,
                &format!("{what}: unknown slot ID {}", e.sl_id),
            ));
        }
        // SAFETY: not at the terminator, so the next entry exists.
        s = unsafe { s.add(1) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    /// The layout `Include/slots.h` documents for LP64 (PEP 820): 16 bytes, the value at 8.
    #[test]
    fn pyslot_has_the_documented_layout() {
        assert_eq!(size_of::<PySlot>(), 16);
        assert_eq!(align_of::<PySlot>(), 8);
        assert_eq!(offset_of!(PySlot, sl_id), 0);
        assert_eq!(offset_of!(PySlot, sl_flags), 2);
        assert_eq!(offset_of!(PySlot, sl_reserved), 4);
        assert_eq!(offset_of!(PySlot, value), 8);
        assert_eq!(size_of::<PySlotValue>(), 8);
    }
}
