//! The C-visible types of our headers (`capi-shim/include/`), as Rust sees them. Layouts must
//! match the headers exactly; each struct notes the header it mirrors.
#![allow(non_camel_case_types, non_snake_case)]

use std::ffi::{c_char, c_int, c_uint, c_void};

/// `PyObject`: empty in our headers; only pointers to it exist. A `*mut PyObject` is either an
/// immediate int word (bit 0 set), the payload address of an object, or the address of an
/// exported static type symbol (`&PyLong_Type`), see `static_symbols.rs`.
#[repr(C)]
pub struct PyObject {
    _private: [u8; 0],
}

/// `PyVarObject`: empty as well.
pub type PyVarObject = PyObject;

/// `PyTypeObject`: incomplete in our headers. Same address space as `PyObject`.
pub type PyTypeObject = PyObject;

/// `Py_ssize_t`.
pub type Py_ssize_t = isize;
/// `Py_hash_t`.
pub type Py_hash_t = isize;

/// `PyCFunction` and every other `ml_meth` shape, stored untyped.
pub type RawFn = unsafe extern "C" fn();

/// `typedef PyObject *(*PyCFunction)(PyObject *, PyObject *)`.
pub type PyCFunction = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
/// `PyCFunctionWithKeywords`.
pub type PyCFunctionWithKeywords =
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
/// `PyCFunctionFast`.
pub type PyCFunctionFast =
    unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, Py_ssize_t) -> *mut PyObject;
/// `PyCFunctionFastWithKeywords`.
pub type PyCFunctionFastWithKeywords = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    Py_ssize_t,
    *mut PyObject,
) -> *mut PyObject;
/// `PyCMethod`.
pub type PyCMethod = unsafe extern "C" fn(
    *mut PyObject,
    *mut PyTypeObject,
    *const *mut PyObject,
    usize,
    *mut PyObject,
) -> *mut PyObject;

/// `destructor`.
pub type destructor = unsafe extern "C" fn(*mut PyObject);
/// `visitproc`.
pub type visitproc = unsafe extern "C" fn(*mut PyObject, *mut c_void) -> c_int;
/// `traverseproc`.
pub type traverseproc = unsafe extern "C" fn(*mut PyObject, visitproc, *mut c_void) -> c_int;
/// `inquiry`.
pub type inquiry = unsafe extern "C" fn(*mut PyObject) -> c_int;
/// `freefunc`.
pub type freefunc = unsafe extern "C" fn(*mut c_void);
/// `newfunc`.
pub type newfunc =
    unsafe extern "C" fn(*mut PyTypeObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
/// `initproc`.
pub type initproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
/// `allocfunc`.
pub type allocfunc = unsafe extern "C" fn(*mut PyTypeObject, Py_ssize_t) -> *mut PyObject;
/// `reprfunc` / `unaryfunc` / `getiterfunc` / `iternextfunc`.
pub type unaryfunc = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;
/// `binaryfunc`.
pub type binaryfunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
/// `ternaryfunc`.
pub type ternaryfunc =
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
/// `hashfunc`.
pub type hashfunc = unsafe extern "C" fn(*mut PyObject) -> Py_hash_t;
/// `richcmpfunc`.
pub type richcmpfunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, c_int) -> *mut PyObject;
/// `lenfunc`.
pub type lenfunc = unsafe extern "C" fn(*mut PyObject) -> Py_ssize_t;
/// `ssizeargfunc`.
pub type ssizeargfunc = unsafe extern "C" fn(*mut PyObject, Py_ssize_t) -> *mut PyObject;
/// `objobjargproc`.
pub type objobjargproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
/// `objobjproc`.
pub type objobjproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> c_int;
/// `getattrofunc`.
pub type getattrofunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
/// `setattrofunc`.
pub type setattrofunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
/// `vectorcallfunc`.
pub type vectorcallfunc = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    usize,
    *mut PyObject,
) -> *mut PyObject;
/// `getter`.
pub type getter = unsafe extern "C" fn(*mut PyObject, *mut c_void) -> *mut PyObject;
/// `setter`.
pub type setter = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void) -> c_int;

/// `struct PyMethodDef` (methodobject.h).
#[repr(C)]
pub struct PyMethodDef {
    /// Attribute name.
    pub ml_name: *const c_char,
    /// Implementation, cast to `PyCFunction`.
    pub ml_meth: Option<RawFn>,
    /// `METH_*` flags.
    pub ml_flags: c_int,
    /// Docstring.
    pub ml_doc: *const c_char,
}

/// `METH_VARARGS`.
pub const METH_VARARGS: c_int = 0x0001;
/// `METH_KEYWORDS`.
pub const METH_KEYWORDS: c_int = 0x0002;
/// `METH_NOARGS`.
pub const METH_NOARGS: c_int = 0x0004;
/// `METH_O`.
pub const METH_O: c_int = 0x0008;
/// `METH_CLASS`.
pub const METH_CLASS: c_int = 0x0010;
/// `METH_STATIC`.
pub const METH_STATIC: c_int = 0x0020;
/// `METH_FASTCALL`.
pub const METH_FASTCALL: c_int = 0x0080;
/// `METH_METHOD`.
pub const METH_METHOD: c_int = 0x0200;

/// `PyModuleDef_Base` (moduleobject.h): no `ob_base` in pyopaque.
#[repr(C)]
pub struct PyModuleDef_Base {
    /// `m_init`.
    pub m_init: Option<unsafe extern "C" fn() -> *mut PyObject>,
    /// `m_index`.
    pub m_index: Py_ssize_t,
    /// `m_copy`.
    pub m_copy: *mut PyObject,
}

/// `struct PyModuleDef_Slot`.
#[repr(C)]
pub struct PyModuleDef_Slot {
    /// `Py_mod_*` id.
    pub slot: c_int,
    /// Slot value.
    pub value: *mut c_void,
}

/// `Py_mod_create`.
pub const PY_MOD_CREATE: c_int = 1;
/// `Py_mod_exec`.
pub const PY_MOD_EXEC: c_int = 2;

/// `struct PyModuleDef`.
#[repr(C)]
pub struct PyModuleDef {
    /// `m_base`.
    pub m_base: PyModuleDef_Base,
    /// Module name.
    pub m_name: *const c_char,
    /// Docstring.
    pub m_doc: *const c_char,
    /// Size of the per-module state, or -1.
    pub m_size: Py_ssize_t,
    /// Module-level functions.
    pub m_methods: *mut PyMethodDef,
    /// Multi-phase slots.
    pub m_slots: *mut PyModuleDef_Slot,
    /// State traversal.
    pub m_traverse: Option<traverseproc>,
    /// State clear.
    pub m_clear: Option<inquiry>,
    /// State free.
    pub m_free: Option<freefunc>,
}

/// `PyType_Slot` (object.h).
#[repr(C)]
pub struct PyType_Slot {
    /// `Py_tp_*` / `Py_nb_*` ... id.
    pub slot: c_int,
    /// The function or value.
    pub pfunc: *mut c_void,
}

/// `PyType_Spec` (object.h).
#[repr(C)]
pub struct PyType_Spec {
    /// Dotted name.
    pub name: *const c_char,
    /// Instance size (no header bytes in pyopaque).
    pub basicsize: c_int,
    /// Item size.
    pub itemsize: c_int,
    /// `Py_TPFLAGS_*`.
    pub flags: c_uint,
    /// `{0, NULL}`-terminated slots.
    pub slots: *mut PyType_Slot,
}

/// `struct PyMemberDef` (descrobject.h).
#[repr(C)]
pub struct PyMemberDef {
    /// Attribute name.
    pub name: *const c_char,
    /// `Py_T_*`.
    pub type_: c_int,
    /// Byte offset from the object pointer.
    pub offset: Py_ssize_t,
    /// `Py_READONLY`, ...
    pub flags: c_int,
    /// Docstring.
    pub doc: *const c_char,
}

/// `struct PyGetSetDef` (descrobject.h).
#[repr(C)]
pub struct PyGetSetDef {
    /// Attribute name.
    pub name: *const c_char,
    /// Getter.
    pub get: Option<getter>,
    /// Setter (NULL: read-only).
    pub set: Option<setter>,
    /// Docstring.
    pub doc: *const c_char,
    /// Closure passed to get/set.
    pub closure: *mut c_void,
}

/// Type slot ids (typeslots.h) the shim interprets.
pub mod slot {
    #![allow(missing_docs)]
    use std::ffi::c_int;
    pub const MP_ASS_SUBSCRIPT: c_int = 3;
    pub const MP_LENGTH: c_int = 4;
    pub const MP_SUBSCRIPT: c_int = 5;
    pub const NB_ADD: c_int = 7;
    pub const NB_BOOL: c_int = 9;
    pub const NB_MULTIPLY: c_int = 29;
    pub const NB_NEGATIVE: c_int = 30;
    pub const NB_SUBTRACT: c_int = 36;
    pub const SQ_ITEM: c_int = 44;
    pub const SQ_LENGTH: c_int = 45;
    pub const TP_ALLOC: c_int = 47;
    pub const TP_BASE: c_int = 48;
    pub const TP_BASES: c_int = 49;
    pub const TP_CALL: c_int = 50;
    pub const TP_CLEAR: c_int = 51;
    pub const TP_DEALLOC: c_int = 52;
    pub const TP_DESCR_GET: c_int = 54;
    pub const TP_DESCR_SET: c_int = 55;
    pub const TP_DOC: c_int = 56;
    pub const TP_GETATTRO: c_int = 58;
    pub const TP_HASH: c_int = 59;
    pub const TP_INIT: c_int = 60;
    pub const TP_ITER: c_int = 62;
    pub const TP_ITERNEXT: c_int = 63;
    pub const TP_METHODS: c_int = 64;
    pub const TP_NEW: c_int = 65;
    pub const TP_REPR: c_int = 66;
    pub const TP_RICHCOMPARE: c_int = 67;
    pub const TP_SETATTRO: c_int = 69;
    pub const TP_STR: c_int = 70;
    pub const TP_TRAVERSE: c_int = 71;
    pub const TP_MEMBERS: c_int = 72;
    pub const TP_GETSET: c_int = 73;
    pub const TP_FREE: c_int = 74;
    pub const TP_FINALIZE: c_int = 80;
    pub const TP_VECTORCALL: c_int = 82;
    pub const TP_TOKEN: c_int = 83;
    /// One past the largest id.
    pub const MAX: usize = 90;
}

/// Opaque `void*` helper.
pub type VoidPtr = *mut c_void;
