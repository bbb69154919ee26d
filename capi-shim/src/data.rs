//! Exported data: the static type symbols (`PyLong_Type`, ...) and the exception objects
//! (`PyExc_TypeError`, ...).
//!
//! # Static types: a translation table
//! C writes `&PyLong_Type`: the *address of the symbol* is the type. Our types are runtime
//! objects with a header before them, which a symbol cannot be. So each exported type symbol is a
//! 16-byte placeholder, and the pointer conversion translates:
//! * incoming (`from_c`): one range check `[min, max]` over the placeholders' addresses (two
//!   compares for every incoming pointer), then a short search;
//! * outgoing (`to_c`): an object whose type is `type` is looked up in the table, so
//!   `Py_TYPE(o) == &PyLong_Type` holds and `(PyObject *)&PyLong_Type` works as an object.
//!
//! Cost (reported as the verdict of these data items): an extra compare on every incoming
//! pointer and a header read on every outgoing one. The alternative, symbol aliasing (placing
//! the runtime's type object *at* the symbol), needs the header before the symbol and is not
//! expressible for Rust statics without `global_asm!`, whose symbols a cdylib does not export.
//!
//! # Singletons (`_Py_NoneStruct`, ...)
//! C compiled against headers that spell `Py_None` as `&_Py_NoneStruct` (CPython's, before the
//! stable ABI's `Py_GetConstant`) uses the symbol's address as the object. The five singletons
//! go through the same table: incoming, `&_Py_NoneStruct` is the runtime's None; outgoing, the
//! runtime's None leaves as `&_Py_NoneStruct` (so `Py_None == &_Py_NoneStruct` holds whichever
//! header spelled `Py_None`). Outgoing objects are tested with one flag bit of their header
//! ([`STATIC_ALIAS`]), set on every object in the table. The singleton symbols are writable
//! 16-byte cells whose first word (CPython's `ob_refcnt`) starts huge, so an old header's
//! inline `Py_INCREF`/`Py_DECREF` on them writes harmlessly and never reaches zero; its inline
//! `Py_TYPE` (the second word) reads NULL: that does not work and is the verdict's cost.
//!
//! # Exceptions
//! `PyExc_*` are `PyObject *` variables (`AtomicPtr`, same layout), set when the runtime starts.
#![allow(non_upper_case_globals)]

use std::sync::atomic::{AtomicI64, AtomicPtr, Ordering};
use std::sync::Arc;

use pyopaque_runtime::header::{flags::STATIC_ALIAS, header_of};
use pyopaque_runtime::{ObjRef, Runtime};

use crate::ffi::PyObject;
use crate::shimtypes::ShimTypes;

/// The placeholder an exported type symbol points at. Never read by anyone; writable (like
/// the singleton cells) so that every symbol lands in one section, 16 bytes apart, and the
/// direct table below stays small.
#[repr(C, align(16))]
pub struct StaticTypeSymbol([AtomicI64; 2]);

impl StaticTypeSymbol {
    const fn new() -> Self {
        StaticTypeSymbol([AtomicI64::new(0), AtomicI64::new(0)])
    }
}

/// The cell an exported singleton symbol (`_Py_NoneStruct`, ...) points at: CPython's
/// `ob_refcnt` and `ob_type` words, so that C compiled against headers with inline reference
/// counting may write the count (nobody reads it; see the module docs).
#[repr(C, align(16))]
pub struct StaticObjectSymbol([AtomicI64; 2]);

impl StaticObjectSymbol {
    const fn new() -> Self {
        StaticObjectSymbol([AtomicI64::new(1 << 60), AtomicI64::new(0)])
    }
}

/// The translation table between static type symbols and runtime types.
///
/// Both directions are O(1): incoming, the symbols are 16-byte placeholders, so
/// `(addr - min) / 16` indexes a direct table (`by_slot`; a linear search only if the linker
/// scattered them far apart); outgoing, a 64-slot open-addressing table keyed by the type's
/// address (`alias`). Type tests in C (`PyLong_Check(o)` is `PyType_GetFlags(Py_TYPE(o))`) cross
/// the table twice per test.
pub struct StaticTypes {
    entries: Vec<(usize, ObjRef)>,
    min: usize,
    max: usize,
    by_slot: Vec<Option<ObjRef>>,
    alias: [(usize, usize); ALIAS_SLOTS],
}

const ALIAS_BITS: u32 = 8;
const ALIAS_SLOTS: usize = 1 << ALIAS_BITS;
/// Largest direct table (entries) before falling back to a linear search.
const MAX_SLOTS: usize = 4096;

#[inline(always)]
fn alias_hash(addr: usize) -> usize {
    (addr >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - ALIAS_BITS)
}

impl StaticTypes {
    fn index(entries: Vec<(usize, ObjRef)>) -> StaticTypes {
        let min = entries.iter().map(|e| e.0).min().unwrap_or(0);
        let max = entries.iter().map(|e| e.0).max().unwrap_or(0);
        let mut by_slot = Vec::new();
        if (max - min) / 16 < MAX_SLOTS && entries.iter().all(|e| (e.0 - min).is_multiple_of(16)) {
            by_slot = vec![None; (max - min) / 16 + 1];
            for e in &entries {
                by_slot[(e.0 - min) / 16] = Some(e.1);
            }
        }
        let mut alias = [(0usize, 0usize); ALIAS_SLOTS];
        assert!(entries.len() < ALIAS_SLOTS / 2, "alias table too small");
        for e in &entries {
            let key = e.1.as_ptr().addr();
            if alias.iter().any(|a| a.0 == key) {
                continue; // the first symbol of a type is its alias (as the linear search did)
            }
            let mut i = alias_hash(key);
            while alias[i].0 != 0 {
                i = (i + 1) % ALIAS_SLOTS;
            }
            alias[i] = (key, e.0);
            // The outgoing test (`cx::to_c`) reads this bit instead of searching the table.
            header_of(e.1)
                .gc_flags()
                .fetch_or(STATIC_ALIAS, Ordering::Relaxed);
        }
        StaticTypes {
            entries,
            min,
            max,
            by_slot,
            alias,
        }
    }

    /// The symbol address for a runtime type, if it has one.
    #[inline]
    pub fn alias_of(&self, ty: ObjRef) -> Option<usize> {
        let key = ty.as_ptr().addr();
        let mut i = alias_hash(key);
        loop {
            let (k, a) = self.alias[i];
            if k == key {
                return Some(a);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) % ALIAS_SLOTS;
        }
    }

    /// The lowest and highest symbol addresses (the range `from_c` checks with one compare).
    pub fn range(&self) -> (usize, usize) {
        (self.min, self.max)
    }

    /// The runtime type for a symbol address.
    #[inline]
    pub fn lookup(&self, addr: usize) -> Option<ObjRef> {
        if addr < self.min || addr > self.max {
            return None;
        }
        if !self.by_slot.is_empty() {
            let d = addr - self.min;
            return if d.is_multiple_of(16) {
                self.by_slot[d / 16]
            } else {
                None
            };
        }
        self.entries.iter().find(|e| e.0 == addr).map(|e| e.1)
    }
}

macro_rules! static_types {
    ($( $sym:ident => |$rt:ident, $st:ident| $get:expr ;)*) => {
        $(
            #[doc = concat!("`", stringify!($sym), "`: exported type symbol (see module docs).")]
            #[no_mangle]
            #[link_section = ".data.pyopaque_static_symbols"]
            pub static $sym: StaticTypeSymbol = StaticTypeSymbol::new();
        )*

        /// Names of every exported static type symbol.
        pub const STATIC_TYPE_NAMES: &[&str] = &[$(stringify!($sym)),*];

        impl StaticTypes {
            /// Builds the table for `rt`.
            pub fn new(rt: &Arc<Runtime>, st: &ShimTypes) -> Self {
                let mut entries = Vec::new();
                $(
                    {
                        let $rt = rt;
                        let $st = st;
                        let _ = $st;
                        let _ = $rt;
                        entries.push((std::ptr::addr_of!($sym) as usize, $get));
                    }
                )*
                push_static_objects(rt, &mut entries);
                StaticTypes::index(entries)
            }
        }
    };
}

static_types! {
    PyBaseObject_Type => |rt, st| rt.types.object;
    PyType_Type => |rt, st| rt.types.type_;
    PyBool_Type => |rt, st| rt.types.bool_;
    PyLong_Type => |rt, st| rt.types.int;
    PyFloat_Type => |rt, st| rt.types.float;
    PyUnicode_Type => |rt, st| rt.types.str_;
    PyBytes_Type => |rt, st| rt.types.bytes;
    PyTuple_Type => |rt, st| rt.types.tuple;
    PyList_Type => |rt, st| rt.types.list;
    PyDict_Type => |rt, st| rt.types.dict;
    PyEllipsis_Type => |rt, st| rt.types.ellipsis;
    PyModule_Type => |rt, st| st.module;
    PyCFunction_Type => |rt, st| st.cfunction;
    PyMethodDescr_Type => |rt, st| st.method_descr;
    PyMemberDescr_Type => |rt, st| st.member_descr;
    PyGetSetDescr_Type => |rt, st| st.getset_descr;
    PySeqIter_Type => |rt, st| st.seq_iter;
    PyCapsule_Type => |rt, st| st.capsule;
    _PyWeakref_RefType => |rt, st| rt.weak.ref_type;
    _PyWeakref_ProxyType => |rt, st| rt.weak.proxy_type;
    _PyWeakref_CallableProxyType => |rt, st| rt.weak.callable_proxy_type;
    PyByteArray_Type => |rt, st| st.bytearray;
    PyComplex_Type => |rt, st| st.complex;
    PySet_Type => |rt, st| st.set;
    PyFrozenSet_Type => |rt, st| st.frozenset;
    PySlice_Type => |rt, st| st.slice;
    PyMemoryView_Type => |rt, st| st.memoryview;
    PyDictProxy_Type => |rt, st| st.mappingproxy;
    Py_GenericAliasType => |rt, st| st.generic_alias;
    PyCallIter_Type => |rt, st| st.call_iter;
    PyClassMethodDescr_Type => |rt, st| st.classmethod_descr;
    PyListIter_Type => |rt, st| st.iters.list;
    PyListRevIter_Type => |rt, st| st.iters.list_rev;
    PyTupleIter_Type => |rt, st| st.iters.tuple;
    PyUnicodeIter_Type => |rt, st| st.iters.str_;
    PyBytesIter_Type => |rt, st| st.iters.bytes;
    PyByteArrayIter_Type => |rt, st| st.iters.bytearray;
    PySetIter_Type => |rt, st| st.iters.set;
    PyDictIterKey_Type => |rt, st| st.iters.dict_keys;
    PyDictIterValue_Type => |rt, st| st.iters.dict_values;
    PyDictIterItem_Type => |rt, st| st.iters.dict_items;
    PyDictRevIterKey_Type => |rt, st| st.iters.dict_rev_keys;
    PyDictRevIterValue_Type => |rt, st| st.iters.dict_rev_values;
    PyDictRevIterItem_Type => |rt, st| st.iters.dict_rev_items;
    PyDictKeys_Type => |rt, st| st.iters.keys_view;
    PyDictValues_Type => |rt, st| st.iters.values_view;
    PyDictItems_Type => |rt, st| st.iters.items_view;
    PyTraceBack_Type => |rt, st| st.instanceless("traceback");
    PyRange_Type => |rt, st| st.instanceless("range");
    PyRangeIter_Type => |rt, st| st.instanceless("range_iterator");
    PyLongRangeIter_Type => |rt, st| st.instanceless("longrange_iterator");
    PyEnum_Type => |rt, st| st.instanceless("enumerate");
    PyReversed_Type => |rt, st| st.instanceless("reversed");
    PyFilter_Type => |rt, st| st.instanceless("filter");
    PyMap_Type => |rt, st| st.instanceless("map");
    PyZip_Type => |rt, st| st.instanceless("zip");
    PySuper_Type => |rt, st| st.instanceless("super");
    PyProperty_Type => |rt, st| st.instanceless("property");
    PyModuleDef_Type => |rt, st| st.instanceless("moduledef");
    PyWrapperDescr_Type => |rt, st| st.instanceless("wrapper_descriptor");
}

macro_rules! static_objects {
    ($( $sym:ident => |$rt:ident| $get:expr ;)*) => {
        $(
            #[doc = concat!("`", stringify!($sym), "`: exported singleton symbol (see module docs).")]
            #[no_mangle]
            #[link_section = ".data.pyopaque_static_symbols"]
            pub static $sym: StaticObjectSymbol = StaticObjectSymbol::new();
        )*

        /// Names of every exported singleton symbol.
        pub const STATIC_OBJECT_NAMES: &[&str] = &[$(stringify!($sym)),*];

        fn push_static_objects(rt: &Arc<Runtime>, entries: &mut Vec<(usize, ObjRef)>) {
            $(
                {
                    let $rt = rt;
                    entries.push((std::ptr::addr_of!($sym) as usize, $get));
                }
            )*
        }
    };
}

static_objects! {
    _Py_NoneStruct => |rt| rt.none;
    _Py_TrueStruct => |rt| rt.true_;
    _Py_FalseStruct => |rt| rt.false_;
    _Py_EllipsisObject => |rt| rt.ellipsis;
    _Py_NotImplementedStruct => |rt| rt.not_implemented;
}

macro_rules! exceptions {
    ($( $sym:ident = $name:literal ;)*) => {
        $(
            #[doc = concat!("`", stringify!($sym), "`: the exception type `", $name, "`.")]
            #[no_mangle]
            pub static $sym: AtomicPtr<PyObject> = AtomicPtr::new(std::ptr::null_mut());
        )*

        /// Names of every exported exception variable.
        pub const EXCEPTION_NAMES: &[&str] = &[$(stringify!($sym)),*];

        /// Points every `PyExc_*` variable at its type (called once at start-up).
        pub fn set_exceptions(st: &ShimTypes) {
            $(
                $sym.store(st.exc_named($name).as_ptr().cast(), Ordering::Release);
            )*
        }
    };
}

exceptions! {
    PyExc_BaseException = "BaseException";
    PyExc_BaseExceptionGroup = "BaseExceptionGroup";
    PyExc_Exception = "Exception";
    PyExc_ArithmeticError = "ArithmeticError";
    PyExc_AssertionError = "AssertionError";
    PyExc_AttributeError = "AttributeError";
    PyExc_BlockingIOError = "BlockingIOError";
    PyExc_BrokenPipeError = "BrokenPipeError";
    PyExc_BufferError = "BufferError";
    PyExc_BytesWarning = "BytesWarning";
    PyExc_ChildProcessError = "ChildProcessError";
    PyExc_ConnectionAbortedError = "ConnectionAbortedError";
    PyExc_ConnectionError = "ConnectionError";
    PyExc_ConnectionRefusedError = "ConnectionRefusedError";
    PyExc_ConnectionResetError = "ConnectionResetError";
    PyExc_DeprecationWarning = "DeprecationWarning";
    PyExc_EOFError = "EOFError";
    PyExc_EncodingWarning = "EncodingWarning";
    PyExc_EnvironmentError = "OSError";
    PyExc_FileExistsError = "FileExistsError";
    PyExc_FileNotFoundError = "FileNotFoundError";
    PyExc_FloatingPointError = "FloatingPointError";
    PyExc_FutureWarning = "FutureWarning";
    PyExc_GeneratorExit = "GeneratorExit";
    PyExc_IOError = "OSError";
    PyExc_WindowsError = "OSError";
    PyExc_ImportError = "ImportError";
    PyExc_ImportWarning = "ImportWarning";
    PyExc_IndentationError = "IndentationError";
    PyExc_IndexError = "IndexError";
    PyExc_InterruptedError = "InterruptedError";
    PyExc_IsADirectoryError = "IsADirectoryError";
    PyExc_KeyError = "KeyError";
    PyExc_KeyboardInterrupt = "KeyboardInterrupt";
    PyExc_LookupError = "LookupError";
    PyExc_MemoryError = "MemoryError";
    PyExc_ModuleNotFoundError = "ModuleNotFoundError";
    PyExc_NameError = "NameError";
    PyExc_NotADirectoryError = "NotADirectoryError";
    PyExc_NotImplementedError = "NotImplementedError";
    PyExc_OSError = "OSError";
    PyExc_OverflowError = "OverflowError";
    PyExc_PendingDeprecationWarning = "PendingDeprecationWarning";
    PyExc_PermissionError = "PermissionError";
    PyExc_ProcessLookupError = "ProcessLookupError";
    PyExc_RecursionError = "RecursionError";
    PyExc_ReferenceError = "ReferenceError";
    PyExc_ResourceWarning = "ResourceWarning";
    PyExc_RuntimeError = "RuntimeError";
    PyExc_RuntimeWarning = "RuntimeWarning";
    PyExc_StopAsyncIteration = "StopAsyncIteration";
    PyExc_StopIteration = "StopIteration";
    PyExc_SyntaxError = "SyntaxError";
    PyExc_SyntaxWarning = "SyntaxWarning";
    PyExc_SystemError = "SystemError";
    PyExc_SystemExit = "SystemExit";
    PyExc_TabError = "TabError";
    PyExc_TimeoutError = "TimeoutError";
    PyExc_TypeError = "TypeError";
    PyExc_UnboundLocalError = "UnboundLocalError";
    PyExc_UnicodeDecodeError = "UnicodeDecodeError";
    PyExc_UnicodeEncodeError = "UnicodeEncodeError";
    PyExc_UnicodeError = "UnicodeError";
    PyExc_UnicodeTranslateError = "UnicodeTranslateError";
    PyExc_UnicodeWarning = "UnicodeWarning";
    PyExc_UserWarning = "UserWarning";
    PyExc_ValueError = "ValueError";
    PyExc_Warning = "Warning";
    PyExc_ZeroDivisionError = "ZeroDivisionError";
}

// ----- interpreter settings exported as data -----
//
// The runtime decodes and encodes file names, command-line arguments and the locale as UTF-8
// whatever the locale says (`PyUnicode_DecodeFSDefault`, `Py_DecodeLocale`): that is CPython's
// UTF-8 mode, fixed rather than chosen at start-up. The variables are writable, as in CPython
// (an embedder may set them before initialisation); the runtime never reads them back.

/// `Py_UTF8Mode`: 1, the runtime always runs in UTF-8 mode.
#[no_mangle]
pub static Py_UTF8Mode: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(1);

/// `Py_HasFileSystemDefaultEncoding`: 1, the file-system encoding is fixed (UTF-8), not
/// taken from the locale at start-up.
#[no_mangle]
pub static Py_HasFileSystemDefaultEncoding: std::sync::atomic::AtomicI32 =
    std::sync::atomic::AtomicI32::new(1);

/// `Py_FileSystemDefaultEncoding`: `"utf-8"`.
#[no_mangle]
pub static Py_FileSystemDefaultEncoding: AtomicPtr<std::ffi::c_char> =
    AtomicPtr::new(c"utf-8".as_ptr().cast_mut());

/// `Py_FileSystemDefaultEncodeErrors`: `"surrogateescape"`, the handler CPython's UTF-8 mode
/// uses for file names (strings hold no lone surrogates, so it cannot map undecodable bytes:
/// see the verdict).
#[no_mangle]
pub static Py_FileSystemDefaultEncodeErrors: AtomicPtr<std::ffi::c_char> =
    AtomicPtr::new(c"surrogateescape".as_ptr().cast_mut());
