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

use crate::boundary::ffi::PyObject;

/// The placeholder an exported type symbol points at. Never read by anyone; writable (like
/// the singleton cells) so that every symbol lands in one section, 16 bytes apart, and the
/// direct table below stays small.
#[repr(C, align(16))]
pub struct StaticTypeSymbol([AtomicI64; 2]);

impl StaticTypeSymbol {
    /// A zeroed placeholder (for `#[no_mangle]` statics in the `.data.pyopaque_static_symbols`
    /// section, see the module docs).
    pub const fn new() -> Self {
        StaticTypeSymbol([AtomicI64::new(0), AtomicI64::new(0)])
    }
}

impl Default for StaticTypeSymbol {
    fn default() -> Self {
        Self::new()
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

    /// Writes `dict` (a C pointer) into the second word of every placeholder of type `ty`: the
    /// word C reads as the type's `tp_dict` at `type.__dictoffset__`
    /// (`types/type_namespace.rs`). Singleton cells are not types and are never written here.
    pub fn set_dict_word(&self, ty: ObjRef, dict: usize) {
        for (addr, t) in &self.entries {
            if *t == ty {
                // SAFETY: every entry's address is an exported type placeholder (a static
                // `StaticTypeSymbol`, two atomic words, alive for the process).
                let sym = unsafe { &*(*addr as *const StaticTypeSymbol) };
                sym.0[1].store(dict as i64, Ordering::Release);
            }
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

/// Defines exported static type symbols: for each `SYMBOL => type expression`, a 16-byte
/// placeholder `#[no_mangle] static` in the `.data.pyopaque_static_symbols` section (see the
/// module docs), a `NAMES` constant listing them, and `fn push(ctx, entries)` that pushes each
/// symbol's address with the runtime type it stands for (evaluated with `ctx` in scope).
macro_rules! type_symbols {
    ($names:ident, $push:ident($ctx:ident: $ctxty:ty); $( $sym:ident => $get:expr ;)*) => {
        $(
            #[doc = concat!("`", stringify!($sym), "`: exported type symbol (see `boundary::static_symbols`).")]
            #[no_mangle]
            #[link_section = ".data.pyopaque_static_symbols"]
            pub static $sym: $crate::boundary::static_symbols::StaticTypeSymbol =
                $crate::boundary::static_symbols::StaticTypeSymbol::new();
        )*

        /// Names of these exported static type symbols.
        pub const $names: &[&str] = &[$(stringify!($sym)),*];

        /// Pushes each symbol's address with the type it stands for (for the translation table).
        pub fn $push($ctx: $ctxty, entries: &mut Vec<(usize, pyopaque_runtime::ObjRef)>) {
            $(entries.push((std::ptr::addr_of!($sym) as usize, $get));)*
        }
    };
}
pub(crate) use type_symbols;

impl StaticTypes {
    /// Builds the table for `rt`: the runtime's types, then `upper` (the symbols of the types
    /// the layers above define, see [`crate::boundary::cx::Layers`]), then the singletons.
    pub fn new(rt: &Arc<Runtime>, upper: Vec<(usize, ObjRef)>) -> Self {
        let mut entries = Vec::new();
        push_runtime_types(rt, &mut entries);
        entries.extend(upper);
        push_static_objects(rt, &mut entries);
        StaticTypes::index(entries)
    }
}

type_symbols! {
    STATIC_TYPE_NAMES, push_runtime_types(rt: &Arc<Runtime>);
    PyBaseObject_Type => rt.types.object;
    PyType_Type => rt.types.type_;
    PyBool_Type => rt.types.bool_;
    PyLong_Type => rt.types.int;
    PyFloat_Type => rt.types.float;
    PyUnicode_Type => rt.types.str_;
    PyBytes_Type => rt.types.bytes;
    PyTuple_Type => rt.types.tuple;
    PyList_Type => rt.types.list;
    PyDict_Type => rt.types.dict;
    PyEllipsis_Type => rt.types.ellipsis;
    _PyWeakref_RefType => rt.weak.ref_type;
    _PyWeakref_ProxyType => rt.weak.proxy_type;
    _PyWeakref_CallableProxyType => rt.weak.callable_proxy_type;
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
        pub fn set_exceptions(exc_named: &dyn Fn(&str) -> ObjRef) {
            $(
                $sym.store(exc_named($name).as_ptr().cast(), Ordering::Release);
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

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyBaseObject_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyType_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyBool_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyLong_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyFloat_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyUnicode_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyBytes_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyTuple_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyList_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyDict_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyEllipsis_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyExc_BaseException", Rule::Works),
        ("PyExc_BaseExceptionGroup", Rule::Works),
        ("PyExc_Exception", Rule::Works),
        ("PyExc_ArithmeticError", Rule::Works),
        ("PyExc_AssertionError", Rule::Works),
        ("PyExc_AttributeError", Rule::Works),
        ("PyExc_BlockingIOError", Rule::Works),
        ("PyExc_BrokenPipeError", Rule::Works),
        ("PyExc_BufferError", Rule::Works),
        ("PyExc_BytesWarning", Rule::Works),
        ("PyExc_ChildProcessError", Rule::Works),
        ("PyExc_ConnectionAbortedError", Rule::Works),
        ("PyExc_ConnectionError", Rule::Works),
        ("PyExc_ConnectionRefusedError", Rule::Works),
        ("PyExc_ConnectionResetError", Rule::Works),
        ("PyExc_DeprecationWarning", Rule::Works),
        ("PyExc_EOFError", Rule::Works),
        ("PyExc_EncodingWarning", Rule::Works),
        ("PyExc_EnvironmentError", Rule::Works),
        ("PyExc_FileExistsError", Rule::Works),
        ("PyExc_FileNotFoundError", Rule::Works),
        ("PyExc_FloatingPointError", Rule::Works),
        ("PyExc_FutureWarning", Rule::Works),
        ("PyExc_GeneratorExit", Rule::Works),
        ("PyExc_IOError", Rule::Works),
        ("PyExc_ImportError", Rule::Works),
        ("PyExc_ImportWarning", Rule::Works),
        ("PyExc_IndentationError", Rule::Works),
        ("PyExc_IndexError", Rule::Works),
        ("PyExc_InterruptedError", Rule::Works),
        ("PyExc_IsADirectoryError", Rule::Works),
        ("PyExc_KeyError", Rule::Works),
        ("PyExc_KeyboardInterrupt", Rule::Works),
        ("PyExc_LookupError", Rule::Works),
        ("PyExc_MemoryError", Rule::Works),
        ("PyExc_ModuleNotFoundError", Rule::Works),
        ("PyExc_NameError", Rule::Works),
        ("PyExc_NotADirectoryError", Rule::Works),
        ("PyExc_NotImplementedError", Rule::Works),
        ("PyExc_OSError", Rule::Works),
        ("PyExc_OverflowError", Rule::Works),
        ("PyExc_PendingDeprecationWarning", Rule::Works),
        ("PyExc_PermissionError", Rule::Works),
        ("PyExc_ProcessLookupError", Rule::Works),
        ("PyExc_RecursionError", Rule::Works),
        ("PyExc_ReferenceError", Rule::Works),
        ("PyExc_ResourceWarning", Rule::Works),
        ("PyExc_RuntimeError", Rule::Works),
        ("PyExc_RuntimeWarning", Rule::Works),
        ("PyExc_StopAsyncIteration", Rule::Works),
        ("PyExc_StopIteration", Rule::Works),
        ("PyExc_SyntaxError", Rule::Works),
        ("PyExc_SyntaxWarning", Rule::Works),
        ("PyExc_SystemError", Rule::Works),
        ("PyExc_SystemExit", Rule::Works),
        ("PyExc_TabError", Rule::Works),
        ("PyExc_TimeoutError", Rule::Works),
        ("PyExc_TypeError", Rule::Works),
        ("PyExc_UnboundLocalError", Rule::Works),
        ("PyExc_UnicodeDecodeError", Rule::Works),
        ("PyExc_UnicodeEncodeError", Rule::Works),
        ("PyExc_UnicodeError", Rule::Works),
        ("PyExc_UnicodeTranslateError", Rule::Works),
        ("PyExc_UnicodeWarning", Rule::Works),
        ("PyExc_UserWarning", Rule::Works),
        ("PyExc_ValueError", Rule::Works),
        ("PyExc_Warning", Rule::Works),
        ("PyExc_ZeroDivisionError", Rule::Works),
        ("PyExc_WindowsError", Rule::NotApplicable("Windows-only: CPython defines it only on Windows builds (as an alias of OSError); our headers declare it only with MS_WINDOWS, and the library exports it as OSError so that no declared symbol is missing")),
        // Builtin types a `builtins` module holds (python/builtins.rs): no longer "needs an
        // interpreter loop". super and property exist as heap types (types/builtin_descriptors.rs)
        // but have no static symbol yet. range, zip, map, filter, enumerate, reversed and the
        // range iterator are shim types (objects/lazy_iters.rs); ranges are 64-bit, so there
        // are no longrange_iterator objects.
        ("PyRange_Type", rules::TYPE_SYMBOL),
        ("PyRangeIter_Type", rules::TYPE_SYMBOL),
        ("PyLongRangeIter_Type", Rule::Todo),
        ("PyZip_Type", rules::TYPE_SYMBOL),
        ("PyMap_Type", rules::TYPE_SYMBOL),
        ("PyFilter_Type", rules::TYPE_SYMBOL),
        ("PyEnum_Type", rules::TYPE_SYMBOL),
        ("PyReversed_Type", rules::TYPE_SYMBOL),
        ("PySuper_Type", Rule::Todo),
        ("PyProperty_Type", Rule::Todo),
        ("PyOS_InputHook", Rule::NotApplicable("needs an interpreter loop: the interactive prompt's readline calls the hook")),
        ("_Py_NoneStruct", rules::SINGLETON_SYMBOL),
        ("_Py_TrueStruct", rules::SINGLETON_SYMBOL),
        ("_Py_FalseStruct", rules::SINGLETON_SYMBOL),
        ("_Py_EllipsisObject", rules::SINGLETON_SYMBOL),
        ("_Py_NotImplementedStruct", rules::SINGLETON_SYMBOL),
        ("Py_UTF8Mode", Rule::Works),
        ("Py_HasFileSystemDefaultEncoding", Rule::Works),
        ("Py_FileSystemDefaultEncoding", Rule::Works),
        ("Py_FileSystemDefaultEncodeErrors", Rule::Cost("strings are UTF-8 and hold no lone surrogates: the handler named here cannot map undecodable bytes of a file name, which raise UnicodeDecodeError instead")),
        ("_PyWeakref_RefType", rules::TYPE_SYMBOL),
        ("_PyWeakref_ProxyType", rules::TYPE_SYMBOL),
        ("_PyWeakref_CallableProxyType", rules::TYPE_SYMBOL),
    ]
};
