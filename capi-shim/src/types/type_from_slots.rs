//! `PyType_FromSlots` (CPython 3.15, PEP 820): a heap type from one `{0}`-terminated array of
//! [`PySlot`]s, the way an abi3t extension (PyO3's `abi3t-py315`) makes every class. The slots
//! are translated into a `PyType_Spec` with a legacy `PyType_Slot` table and handed to the spec
//! path ([`from_spec`]), so both ways of making a type share one implementation.
//!
//! Translation: `Py_tp_name`, `Py_tp_basicsize`, `Py_tp_extra_basicsize` (PEP 697: bytes
//! beyond the base's; with an empty `PyObject` the instance size is the base's size plus these),
//! `Py_tp_itemsize`, `Py_tp_flags` fill the spec; `Py_tp_metaclass` must be `type` (as
//! `PyType_FromMetaclass`); `Py_tp_module` is the module; `Py_tp_slots` points at a legacy
//! `PyType_Slot` array whose entries join the table; every other id of `typeslots.h` is a type
//! slot itself. The four renumbered ids (88..=91) become their `typeslots.h` numbers (1..=4)
//! wherever they appear. A repeated slot, or both basicsize slots, is a SystemError (CPython's
//! rule), as is an unknown id without `PySlot_OPTIONAL`.

use std::ffi::{c_char, c_int, c_void};

use pyopaque_runtime::{PyResult, Thread};

use crate::boundary::cx;
use crate::boundary::ffi::*;
use crate::boundary::pyslot::{self, id, PySlot};
use crate::capi;
use crate::types::typeobject::{ctype, from_spec};

/// The largest id of `typeslots.h` (`Py_tp_token`).
const LAST_LEGACY_TYPE_SLOT: c_int = 83;

/// The `typeslots.h` number of type slot `id` as either numbering spells it, if it is one.
fn legacy_type_slot(id: c_int) -> Option<c_int> {
    match id {
        1..=LAST_LEGACY_TYPE_SLOT => Some(id),
        x if x == id::BF_GETBUFFER as c_int => Some(1),
        x if x == id::BF_RELEASEBUFFER as c_int => Some(2),
        x if x == id::MP_ASS_SUBSCRIPT as c_int => Some(3),
        x if x == id::MP_LENGTH as c_int => Some(4),
        _ => None,
    }
}

/// What the slots say about the type besides its slot table.
#[derive(Default)]
struct Layout {
    name: Option<*const c_char>,
    basicsize: Option<isize>,
    extra_basicsize: Option<isize>,
    itemsize: isize,
    flags: u64,
    metaclass: *mut PyObject,
    module: *mut PyObject,
}

/// Adds type slot `id` (a `typeslots.h` number) to `table`, SystemError when it is already there.
fn push_type_slot(
    cx: &mut Thread,
    table: &mut Vec<PyType_Slot>,
    id: c_int,
    value: *mut c_void,
) -> PyResult<()> {
    if table.iter().any(|s| s.slot == id) {
        return Err(cx::system_error(
            cx,
            &format!("PyType_FromSlots: more than one slot with ID {id}"),
        ));
    }
    table.push(PyType_Slot {
        slot: id,
        pfunc: value,
    });
    Ok(())
}

/// Adds the entries of the `{0, NULL}`-terminated legacy array `legacy` to `table`.
///
/// # Safety
/// `legacy` NULL or a terminated `PyType_Slot` array valid for the call.
unsafe fn push_legacy_slots(
    cx: &mut Thread,
    table: &mut Vec<PyType_Slot>,
    legacy: *const PyType_Slot,
) -> PyResult<()> {
    let mut s = legacy;
    while !s.is_null() {
        // SAFETY: caller's contract: `s` stays inside the terminated array.
        let e = unsafe { &*s };
        if e.slot == 0 {
            break;
        }
        let Some(n) = legacy_type_slot(e.slot) else {
            return Err(cx::system_error(
                cx,
                &format!("PyType_FromSlots: invalid slot offset {}", e.slot),
            ));
        };
        push_type_slot(cx, table, n, e.pfunc)?;
        // SAFETY: not at the terminator.
        s = unsafe { s.add(1) };
    }
    Ok(())
}

/// Creates the type the slot array describes (the body of [`PyType_FromSlots`]).
///
/// # Safety
/// `slots` NULL or a `{0}`-terminated `PySlot` array whose values have the types their ids
/// document, valid for the call (the data it points to, methods and members, for the life of the
/// type, as for `PyType_FromSpec`).
pub unsafe fn from_slots(cx: &mut Thread, slots: *const PySlot) -> PyResult<*mut PyObject> {
    let mut layout = Layout::default();
    let mut table: Vec<PyType_Slot> = Vec::new();
    let mut seen: Vec<u16> = Vec::new();
    let mut visit = |cx: &mut Thread, e: &PySlot| -> PyResult<bool> {
        let is_layout = matches!(
            e.sl_id,
            id::TP_NAME
                | id::TP_BASICSIZE
                | id::TP_EXTRA_BASICSIZE
                | id::TP_ITEMSIZE
                | id::TP_FLAGS
                | id::TP_METACLASS
                | id::TP_MODULE
        );
        if is_layout {
            if seen.contains(&e.sl_id) {
                return Err(cx::system_error(
                    cx,
                    &format!("PyType_FromSlots: more than one slot with ID {}", e.sl_id),
                ));
            }
            seen.push(e.sl_id);
        }
        // SAFETY: every member of the value union is 8 bytes of plain data, so each read
        // reinterprets the bits the extension wrote; the id says which reading it meant
        // (slots_generated.h documents the value type of each id).
        let (ptr, size, uint64) = unsafe { (e.value.ptr, e.value.size, e.value.uint64) };
        match e.sl_id {
            id::TP_NAME => layout.name = Some(ptr.cast()),
            id::TP_BASICSIZE => layout.basicsize = Some(size),
            id::TP_EXTRA_BASICSIZE => layout.extra_basicsize = Some(size),
            id::TP_ITEMSIZE => layout.itemsize = size,
            id::TP_FLAGS => layout.flags = uint64,
            id::TP_METACLASS => layout.metaclass = ptr.cast(),
            id::TP_MODULE => layout.module = ptr.cast(),
            id::TP_SLOTS => {
                // SAFETY: a `Py_tp_slots` value is a terminated legacy array (caller's contract).
                unsafe { push_legacy_slots(cx, &mut table, ptr.cast()) }?;
            }
            other => match legacy_type_slot(other as c_int) {
                Some(n) => push_type_slot(cx, &mut table, n, ptr)?,
                None => return Ok(false),
            },
        }
        Ok(true)
    };
    // SAFETY: forwarded contract.
    unsafe { pyslot::walk(cx, slots, "PyType_FromSlots", &mut visit) }?;
    let Some(name) = layout.name.filter(|n| !n.is_null()) else {
        return Err(cx::system_error(
            cx,
            "PyType_FromSlots: Py_tp_name is required",
        ));
    };
    // SAFETY: the metaclass slot holds NULL or a type.
    if let Some(m) = unsafe { cx::from_c(layout.metaclass) } {
        if m != cx.rt.types.type_ {
            return Err(cx::not_implemented(
                cx,
                "pyopaque: metaclasses other than type are not supported",
            ));
        }
    }
    let basicsize = match (layout.basicsize, layout.extra_basicsize) {
        (Some(_), Some(_)) => {
            return Err(cx::system_error(
                cx,
                "PyType_FromSlots: Py_tp_basicsize and Py_tp_extra_basicsize are exclusive",
            ))
        }
        (Some(b), None) => b,
        (None, extra) => base_basicsize(cx, &table) + extra.unwrap_or(0),
    };
    if basicsize < 0 || layout.itemsize < 0 {
        return Err(cx::system_error(
            cx,
            "PyType_FromSlots: negative basicsize or itemsize",
        ));
    }
    let (Ok(basicsize), Ok(itemsize)) =
        (c_int::try_from(basicsize), c_int::try_from(layout.itemsize))
    else {
        return Err(cx::overflow_error(cx, "PyType_FromSlots: size too large"));
    };
    table.push(PyType_Slot {
        slot: 0,
        pfunc: std::ptr::null_mut(),
    });
    // The spec is leaked: a type made without a `Py_tp_token` uses its spec's address as the
    // token, which must stay unique for the life of the type (types live for the process).
    let spec = Box::into_raw(Box::new(PyType_Spec {
        name,
        basicsize,
        itemsize,
        // `PyType_Spec.flags` is 32 bits wide; no `Py_TPFLAGS_*` bit lies above them.
        flags: layout.flags as std::ffi::c_uint,
        slots: Box::leak(table.into_boxed_slice()).as_mut_ptr(),
    }));
    // SAFETY: a valid spec with a terminated slot table; the module is NULL or a module.
    unsafe { from_spec(cx, layout.module, spec, std::ptr::null_mut()) }
}

/// The basicsize of the base the slot table names (`Py_tp_base`, else the first of
/// `Py_tp_bases`): a spec type's, 0 for any other (`object`'s struct is empty in pyopaque, and
/// [`from_spec`] accepts no other base).
fn base_basicsize(cx: &mut Thread, table: &[PyType_Slot]) -> isize {
    let find = |id: c_int| table.iter().find(|s| s.slot == id).map(|s| s.pfunc);
    // SAFETY: Py_tp_base holds NULL or a type pointer.
    let base = find(slot::TP_BASE).and_then(|p| unsafe { cx::from_c(p.cast()) });
    let base = base.or_else(|| {
        // SAFETY: Py_tp_bases holds NULL or a tuple of types.
        let t = find(slot::TP_BASES).and_then(|p| unsafe { cx::from_c(p.cast()) })?;
        cx.tuple_get(t, 0)
    });
    base.and_then(ctype).map_or(0, |c| c.basicsize as isize)
}

/// `PyType_FromSlots(slots)`: a new heap type from a `{0}`-terminated `PySlot` array (see the
/// module documentation for the translation); NULL with SystemError for NULL slots, a missing
/// name, a repeated or unknown slot.
///
/// # Safety
/// As [`from_slots`].
#[no_mangle]
pub unsafe extern "C" fn PyType_FromSlots(slots: *const PySlot) -> *mut PyObject {
    // SAFETY: forwarded contract.
    capi!("PyType_FromSlots", |cx| unsafe { from_slots(cx, slots) })
}

/// The verdicts of the C API functions this module answers for (collected by
/// [`crate::verdict`]).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[(
        "PyType_FromSlots",
        Rule::Cost(
            "pinning: instances are pinned, as for every spec type (C dereferences their structs)",
        ),
    )]
};
