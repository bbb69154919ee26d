//! Memory: `PyMem_*`, `PyObject_Malloc` family (libc malloc: raw memory never moves), and the
//! object allocation entry points (`PyObject_New`, `PyObject_GC_New`, `PyObject_Init`, ...).
//!
//! Memory from `PyObject_Malloc` has no object header before it, so `PyObject_Init` cannot turn
//! it into an object (opaque header: the header lies before the pointer). `PyObject_Free` and
//! `PyObject_GC_Del` on an object allocated by the shim do nothing: the runtime frees the object
//! after its `tp_dealloc` returns.

use std::ffi::{c_int, c_void};

use pyopaque_runtime::header::header_of;

use crate::boundary::cx::{self, arg, bad_internal_call, new_ref_h};
use crate::boundary::ffi::*;
use crate::{capi, capi_nothread, cov};
use pyopaque_runtime::binding::type_payload;

macro_rules! mallocs {
    ($($m:ident, $c:ident, $r:ident, $f:ident, $lm:literal, $lc:literal, $lr:literal, $lf:literal;)*) => {$(
        #[doc = concat!("`", $lm, "` (malloc; 0 bytes gives a unique pointer).")]
        #[no_mangle]
        pub extern "C" fn $m(n: usize) -> *mut c_void {
            cov!($lm);
            // SAFETY: plain malloc.
            unsafe { libc::malloc(n.max(1)) }
        }
        #[doc = concat!("`", $lc, "`.")]
        #[no_mangle]
        pub extern "C" fn $c(n: usize, size: usize) -> *mut c_void {
            cov!($lc);
            // SAFETY: plain calloc.
            unsafe { libc::calloc(n.max(1), size.max(1)) }
        }
        #[doc = concat!("`", $lr, "`.")]
        ///
        /// # Safety
        /// `p` NULL or from the same family.
        #[no_mangle]
        pub unsafe extern "C" fn $r(p: *mut c_void, n: usize) -> *mut c_void {
            cov!($lr);
            // SAFETY: caller's contract.
            unsafe { libc::realloc(p, n.max(1)) }
        }
        #[doc = concat!("`", $lf, "`.")]
        ///
        /// # Safety
        /// `p` NULL or from the same family.
        #[no_mangle]
        pub unsafe extern "C" fn $f(p: *mut c_void) {
            cov!($lf);
            // SAFETY: caller's contract.
            unsafe { libc::free(p) }
        }
    )*};
}

mallocs! {
    PyMem_Malloc, PyMem_Calloc, PyMem_Realloc, PyMem_Free, "PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Free";
    PyMem_RawMalloc, PyMem_RawCalloc, PyMem_RawRealloc, PyMem_RawFree, "PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc", "PyMem_RawFree";
}

/// `PyObject_Malloc` (malloc).
#[no_mangle]
pub extern "C" fn PyObject_Malloc(n: usize) -> *mut c_void {
    cov!("PyObject_Malloc");
    // SAFETY: plain malloc.
    unsafe { libc::malloc(n.max(1)) }
}

/// `PyObject_Calloc`.
#[no_mangle]
pub extern "C" fn PyObject_Calloc(n: usize, size: usize) -> *mut c_void {
    cov!("PyObject_Calloc");
    // SAFETY: plain calloc.
    unsafe { libc::calloc(n.max(1), size.max(1)) }
}

/// `PyObject_Realloc`.
///
/// # Safety
/// `p` NULL or from `PyObject_Malloc`.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Realloc(p: *mut c_void, n: usize) -> *mut c_void {
    cov!("PyObject_Realloc");
    // SAFETY: caller's contract.
    unsafe { libc::realloc(p, n.max(1)) }
}

pub(crate) fn is_shim_object(p: *mut c_void) -> bool {
    if p.is_null() || (p as usize) & 7 != 0 {
        return false;
    }
    let g = cx::global();
    // SAFETY: non-null, 8-aligned address; `heap_contains` does not read the object.
    let o = unsafe { pyopaque_runtime::ObjRef::from_raw(p.cast()) }.expect("non-null");
    pyopaque_runtime::capi_support::heap_contains(&g.rt, o)
}

/// `PyObject_Free`: frees malloc'd memory; a no-op for objects (the runtime frees them).
///
/// # Safety
/// `p` NULL, from `PyObject_Malloc`, or an object in its `tp_dealloc`.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Free(p: *mut c_void) {
    capi_nothread!("PyObject_Free", (), || {
        if !cx::free_in_dealloc(p as usize) {
            // SAFETY: caller's contract: malloc'd memory.
            unsafe { libc::free(p) }
        }
    })
}

/// `PyObject_GC_Del`: a no-op for objects (the runtime frees them after `tp_dealloc`).
///
/// # Safety
/// `p` an object in its `tp_dealloc`.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GC_Del(p: *mut c_void) {
    capi_nothread!("PyObject_GC_Del", (), || {
        if !p.is_null() && !cx::free_in_dealloc(p as usize) {
            // SAFETY: not a shim object: memory from malloc.
            unsafe { libc::free(p) }
        }
    })
}

/// `PyObject_GC_Track`: every object is visible to the collector from allocation.
///
/// # Safety
/// Any pointer.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GC_Track(_p: *mut c_void) {
    cov!("PyObject_GC_Track");
}

/// `PyObject_GC_UnTrack`: nothing to do (see `PyObject_GC_Track`).
///
/// # Safety
/// Any pointer.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GC_UnTrack(_p: *mut c_void) {
    cov!("PyObject_GC_UnTrack");
}

/// `PyObject_GC_IsTracked`: 1 for objects of GC types.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GC_IsTracked(o: *mut PyObject) -> c_int {
    capi!("PyObject_GC_IsTracked", |cx| {
        // SAFETY: caller's contract.
        let obj = unsafe { arg(cx, o) }?;
        if obj.is_tagged() {
            return Ok(0);
        }
        let t = cx.type_of(obj);
        Ok((pyopaque_runtime::binding::type_payload(t).flags()
            & pyopaque_runtime::types::tpflags::HAVE_GC
            != 0) as c_int)
    })
}

/// `PyObject_GC_IsFinalized`: pyopaque has no separate finalization step; 0.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GC_IsFinalized(o: *mut PyObject) -> c_int {
    capi!("PyObject_GC_IsFinalized", |cx| {
        // SAFETY: caller's contract.
        unsafe { arg(cx, o) }?;
        Ok(0)
    })
}

/// `PyObject_IS_GC`.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_IS_GC(o: *mut PyObject) -> c_int {
    // SAFETY: forwarded.
    unsafe { PyObject_GC_IsTracked(o) }
}

fn new_instance(
    cx: &mut pyopaque_runtime::Thread,
    ty: *mut PyTypeObject,
    n: isize,
) -> pyopaque_runtime::PyResult<*mut PyObject> {
    // SAFETY: a type by the callers' contract.
    let t = unsafe { arg(cx, ty) }?;
    let h = crate::types::typeobject::alloc_instance(cx, t, n.max(0) as usize)?;
    Ok(new_ref_h(cx, h))
}

/// `_PyObject_New` (`PyObject_New`).
///
/// # Safety
/// A type.
#[no_mangle]
pub unsafe extern "C" fn _PyObject_New(ty: *mut PyTypeObject) -> *mut PyObject {
    capi!("_PyObject_New", |cx| new_instance(cx, ty, 0))
}

/// `_PyObject_NewVar` (`PyObject_NewVar`).
///
/// # Safety
/// A type.
#[no_mangle]
pub unsafe extern "C" fn _PyObject_NewVar(ty: *mut PyTypeObject, n: Py_ssize_t) -> *mut PyObject {
    capi!("_PyObject_NewVar", |cx| new_instance(cx, ty, n))
}

/// `_PyObject_GC_New` (`PyObject_GC_New`).
///
/// # Safety
/// A type.
#[no_mangle]
pub unsafe extern "C" fn _PyObject_GC_New(ty: *mut PyTypeObject) -> *mut PyObject {
    capi!("_PyObject_GC_New", |cx| new_instance(cx, ty, 0))
}

/// `_PyObject_GC_NewVar` (`PyObject_GC_NewVar`).
///
/// # Safety
/// A type.
#[no_mangle]
pub unsafe extern "C" fn _PyObject_GC_NewVar(
    ty: *mut PyTypeObject,
    n: Py_ssize_t,
) -> *mut PyObject {
    capi!("_PyObject_GC_NewVar", |cx| new_instance(cx, ty, n))
}

/// `PyObject_Init`: only for objects the shim allocated (their header exists); memory from
/// `PyObject_Malloc` has no header (SystemError).
///
/// # Safety
/// `op` an object or malloc'd memory, `ty` a type.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Init(op: *mut PyObject, ty: *mut PyTypeObject) -> *mut PyObject {
    capi!("PyObject_Init", |cx| {
        if op.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        if !is_shim_object(op.cast()) {
            return Err(cx::system_error(cx, "pyopaque: PyObject_Init needs memory with an object header (allocate with tp_alloc/PyObject_New); malloc'd memory has none"));
        }
        // SAFETY: a shim object.
        let o = unsafe { arg(cx, op) }?;
        // A cell C kept from a freelist becomes a live object with one reference again;
        // otherwise (memory from tp_alloc) only the type is set.
        if !pyopaque_runtime::kept_cells::revive(cx, o, t) {
            header_of(o).set_ty(t);
        }
        Ok(op)
    })
}

/// `PyGC_Collect`: runs a collection now; returns 0 (unreachable objects are not counted).
#[no_mangle]
pub extern "C" fn PyGC_Collect() -> Py_ssize_t {
    capi!("PyGC_Collect", |cx| {
        cx.collect();
        Ok(0)
    })
}

static GC_ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// `PyGC_Enable`: returns the previous state (the flag is recorded; the collector still runs
/// when the heap needs it: a moving collector cannot be switched off under allocation pressure).
#[no_mangle]
pub extern "C" fn PyGC_Enable() -> c_int {
    cov!("PyGC_Enable");
    GC_ENABLED.swap(true, std::sync::atomic::Ordering::Relaxed) as c_int
}

/// `PyGC_Disable`.
#[no_mangle]
pub extern "C" fn PyGC_Disable() -> c_int {
    cov!("PyGC_Disable");
    GC_ENABLED.swap(false, std::sync::atomic::Ordering::Relaxed) as c_int
}

/// `PyGC_IsEnabled`.
#[no_mangle]
pub extern "C" fn PyGC_IsEnabled() -> c_int {
    cov!("PyGC_IsEnabled");
    GC_ENABLED.load(std::sync::atomic::Ordering::Relaxed) as c_int
}

// ----- _PyObject_GC_Resize -----

/// `_PyObject_GC_Resize(op, nitems)` (`PyObject_GC_Resize`): resizes a variable-size instance
/// of a C type to `nitems` items and returns the object's (new) address, which C must use from
/// then on, as CPython documents (its `realloc` may move the object too). Instances never grow
/// in place here: a new pinned instance of the same type is allocated, the struct and the items
/// that fit are copied, C's reference moves to the new object, and the old cell is retyped as a
/// plain `object` (its `tp_dealloc` must not run on fields that now belong to the new object)
/// and left to the collector. MemoryError for a negative or overflowing size.
///
/// # Safety
/// `op` a variable-size instance of a C type that C holds (and no other reference uses, as in
/// CPython).
#[no_mangle]
pub unsafe extern "C" fn _PyObject_GC_Resize(
    op: *mut PyVarObject,
    nitems: Py_ssize_t,
) -> *mut PyVarObject {
    capi!("_PyObject_GC_Resize", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, op.cast()) }?;
        let ty = cx.type_of(o);
        let Some((_, c)) = crate::types::typeobject::c_base(ty).filter(|(_, c)| c.itemsize > 0)
        else {
            return Err(bad_internal_call(cx));
        };
        let base = type_payload(ty).basicsize.max(c.basicsize);
        let new_size = usize::try_from(nitems)
            .ok()
            .and_then(|n| n.checked_mul(c.itemsize))
            .and_then(|n| n.checked_add(base))
            .filter(|n| *n <= isize::MAX as usize / 2);
        let Some(new_size) = new_size else {
            let t = cx.rt.types.exc.memory_error;
            return Err(cx.raise(t, ""));
        };
        let old_n = crate::boundary::pinning::var_size(o).unwrap_or(0).max(0) as usize;
        let old_size = base + old_n * c.itemsize;
        let oh = cx.root(o);
        let nh = crate::types::typeobject::alloc_instance(cx, ty, nitems as usize)?;
        let (o, n) = (cx.get(oh), cx.get(nh));
        // SAFETY: both payloads are live C-layout instances of at least the copied size (the old
        // one `old_size` bytes, the new one `new_size`); distinct allocations.
        unsafe {
            std::ptr::copy_nonoverlapping(o.as_ptr(), n.as_ptr(), old_size.min(new_size));
        }
        crate::boundary::pinning::forget(o);
        header_of(o).set_ty(cx.rt.types.object);
        let p = cx::new_ref(cx, n);
        cx::release_c_ref(cx, cx.get(oh), "_PyObject_GC_Resize");
        Ok(p.cast())
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyGC_Collect", Rule::Works),
        ("PyObject_GC_Del", Rule::Works),
        ("PyObject_GC_UnTrack", Rule::Works),
        ("PyMem_Calloc", Rule::Works),
        ("PyMem_Free", Rule::Works),
        ("PyMem_Malloc", Rule::Works),
        ("PyMem_RawCalloc", Rule::Works),
        ("PyMem_RawFree", Rule::Works),
        ("PyMem_RawMalloc", Rule::Works),
        ("PyMem_RawRealloc", Rule::Works),
        ("PyMem_Realloc", Rule::Works),
        ("PyObject_Calloc", Rule::Works),
        ("PyObject_Free", Rule::Works),
        ("PyObject_Malloc", Rule::Works),
        ("PyObject_Realloc", Rule::Works),
        ("PyObject_GC_IsTracked", Rule::Works),
        ("PyObject_GC_IsFinalized", Rule::Cost("no separate finalization step: always 0 (objects are finalized when freed)")),
        ("PyGC_Disable", Rule::Cost("moving: the flag is recorded, but the collector still runs when the heap needs space (it reclaims memory, not only cycles)")),
        ("PyGC_Enable", Rule::Cost("moving: the flag is recorded, but the collector still runs when the heap needs space (it reclaims memory, not only cycles)")),
        ("PyGC_IsEnabled", Rule::Cost("moving: the flag is recorded, but the collector still runs when the heap needs space (it reclaims memory, not only cycles)")),
        ("PyObject_Init", Rule::NotImplementable("opaque header: the runtime header lies before the object pointer, so memory from PyObject_Malloc has no room for it; only memory from tp_alloc/PyObject_New can become an object")),
        ("_PyObject_New", Rule::Cost("pinning: instances of C types never move (C dereferences the struct); PyObject* fields found by tp_traverse are pinned too")),
        ("_PyObject_NewVar", Rule::Cost("pinning: instances of C types never move (C dereferences the struct); PyObject* fields found by tp_traverse are pinned too")),
        ("_PyObject_GC_New", Rule::Cost("pinning: instances of C types never move (C dereferences the struct); PyObject* fields found by tp_traverse are pinned too")),
        ("_PyObject_GC_NewVar", Rule::Cost("pinning: instances of C types never move (C dereferences the struct); PyObject* fields found by tp_traverse are pinned too")),
        ("PyObject_GC_Track", Rule::Cost("no tracking list: the collector traces every heap object, so tracking only keeps CPython's calling discipline")),
        ("_PyObject_GC_Resize", Rule::Cost("moving: objects never grow in place; a new pinned instance is allocated and the struct copied, so the address always changes (C must use the returned pointer, as CPython documents)")),
    ]
};

// ----- the size limit of one object -----

/// Bytes of physical memory plus swap (`/proc/meminfo`'s `MemTotal` + `SwapTotal`; physical
/// pages from `sysconf` when that file is unreadable), read once.
fn machine_memory_bytes() -> usize {
    static BYTES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *BYTES.get_or_init(|| {
        let kib = |text: &str, key: &str| -> Option<usize> {
            text.lines()
                .find(|l| l.starts_with(key))?
                .split_whitespace()
                .nth(1)?
                .parse::<usize>()
                .ok()
        };
        if let Ok(t) = std::fs::read_to_string("/proc/meminfo") {
            if let Some(total) = kib(&t, "MemTotal:") {
                let swap = kib(&t, "SwapTotal:").unwrap_or(0);
                return total.saturating_add(swap).saturating_mul(1024);
            }
        }
        // SAFETY: sysconf has no preconditions.
        let (pages, size) = unsafe {
            (
                libc::sysconf(libc::_SC_PHYS_PAGES),
                libc::sysconf(libc::_SC_PAGESIZE),
            )
        };
        (pages.max(0) as usize).saturating_mul(size.max(0) as usize)
    })
}

/// MemoryError (the exception CPython's allocator failure gives) unless an object of `count`
/// items of `item_bytes` each can exist: the product must not overflow and must fit in the
/// machine's memory and swap. CPython asks `malloc`, which Linux's default overcommit heuristic
/// refuses for such a size; the runtime would instead abort on a failed allocation, or (for a
/// list built item by item) run for ever, so every C entry point that takes a size from C
/// checks it here first.
pub fn check_object_size(
    cx: &mut pyopaque_runtime::Thread,
    count: usize,
    item_bytes: usize,
) -> pyopaque_runtime::PyResult<()> {
    match count.checked_mul(item_bytes) {
        Some(b) if b <= machine_memory_bytes() && b <= isize::MAX as usize => Ok(()),
        _ => {
            let t = cx.rt.types.exc.memory_error;
            Err(cx.raise(t, ""))
        }
    }
}
