//! Type objects. A type is an object like any other (`[header][TypeObject]`), but types are
//! never allocated in the moving heap: they live in the runtime's external space (like CPython's
//! static types), are immortal, and every instance's header points at one.
//!
//! From C a type is opaque (`PyTypeObject` is an incomplete struct); everything C may ask of it
//! goes through functions (`PyType_GetSlot`, `PyType_GetName`, ...).

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use parking_lot::Mutex;
use pyopaque_gc::Slot;

use crate::objref::ObjRef;

/// What the runtime knows about an instance's payload layout. One per builtin representation;
/// subclasses share their base's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `type`: payload is a [`TypeObject`].
    Type,
    /// `NoneType`, `NotImplementedType`, `ellipsis`: empty payload.
    Singleton,
    /// `bool`: payload is one `u64` (0 or 1).
    Bool,
    /// `int`: payload is an `IntRepr`.
    Int,
    /// `float`: payload is one `f64`.
    Float,
    /// `str`: UTF-8, inline.
    Str,
    /// `bytes`: inline.
    Bytes,
    /// `tuple`: inline array of references.
    Tuple,
    /// `list`: storage behind the `list` module's interface.
    List,
    /// `dict`: insertion-ordered table.
    Dict,
    /// `BaseException` and subclasses: `ExceptionPayload`.
    Exception,
    /// A payload defined outside the runtime (by the C API shim in Rust, or by C code), described
    /// by the type's [`NativeHooks`].
    Native,
}

/// How the collector and the deallocator see a [`Kind::Native`] payload. Installed by whoever
/// defines the type (the C API shim).
pub struct NativeHooks {
    /// Visit every slot that holds a heap reference. For C structs the visited slot may be a
    /// temporary (C's `tp_traverse` reports values, not addresses): such referents are held by C
    /// and therefore pinned, so the collector never needs to rewrite them.
    pub trace: fn(obj: ObjRef, visit: &mut dyn FnMut(Slot)),
    /// Release what the payload owns (C's `tp_dealloc` side effects, Rust fields). Runs once.
    pub finalize: fn(obj: ObjRef),
    /// Instances are dereferenced by C code and must never move.
    pub c_layout: bool,
}

/// Python-visible type flags (the subset the runtime itself interprets). Values match CPython's
/// `Py_TPFLAGS_*` so the C API can hand them out unchanged.
pub mod tpflags {
    /// Instances may be garbage collected (have tp_traverse).
    pub const HAVE_GC: u64 = 1 << 14;
    /// The type may be subclassed.
    pub const BASETYPE: u64 = 1 << 10;
    /// Heap type (created at run time from a spec).
    pub const HEAPTYPE: u64 = 1 << 9;
    /// Instances are immutable types.
    pub const IMMUTABLETYPE: u64 = 1 << 8;
    /// Instances accept weak references (CPython 3.12's flag of the same value; here the weak
    /// references live in the runtime's side table, so instances need no field for them).
    pub const MANAGED_WEAKREF: u64 = 1 << 3;
    /// Subclass of int.
    pub const LONG_SUBCLASS: u64 = 1 << 24;
    /// Subclass of list.
    pub const LIST_SUBCLASS: u64 = 1 << 25;
    /// Subclass of tuple.
    pub const TUPLE_SUBCLASS: u64 = 1 << 26;
    /// Subclass of bytes.
    pub const BYTES_SUBCLASS: u64 = 1 << 27;
    /// Subclass of str.
    pub const UNICODE_SUBCLASS: u64 = 1 << 28;
    /// Subclass of dict.
    pub const DICT_SUBCLASS: u64 = 1 << 29;
    /// Subclass of BaseException.
    pub const BASE_EXC_SUBCLASS: u64 = 1 << 30;
    /// Subclass of type.
    pub const TYPE_SUBCLASS: u64 = 1 << 31;
}

/// The payload of a type object.
///
/// `repr(C)` so that [`TypeObject::C_DICT_OFFSET`] is a fixed, small offset: C finds a type's
/// `tp_dict` at the offset `type.__dictoffset__` reports, from the type's pointer (the payload,
/// or the 16-byte static placeholder of a builtin type, whose second word mirrors the field).
#[repr(C)]
pub struct TypeObject {
    /// `Py_TPFLAGS_*` bits. Atomic because a few flags change after creation
    /// (`PyType_Freeze` sets `IMMUTABLETYPE`); read with [`TypeObject::flags`].
    pub flags: AtomicU64,
    /// Address of a dict C may read as the type's `tp_dict` (a mirror of `attrs`, made and kept
    /// in step by the C API shim, which holds a reference to it forever, so it is pinned); 0 while
    /// none was made. The runtime never reads it.
    pub c_dict: std::sync::atomic::AtomicUsize,
    /// `tp_name`: for heap types the dotted name given in the spec (`module.Name`).
    pub name: String,
    /// Single inheritance: the base type (`None` only for `object`).
    pub base: Option<ObjRef>,
    /// Payload representation of instances.
    pub kind: Kind,
    /// Bytes of payload of one instance (C's `tp_basicsize` without any header: `PyObject` is
    /// empty in our C API).
    pub basicsize: usize,
    /// Bytes per item for variable-sized instances (`tp_itemsize`).
    pub itemsize: usize,
    /// Hooks for `Kind::Native` payloads (None for builtin kinds).
    pub hooks: Option<&'static NativeHooks>,
    /// Attributes set on the type (methods, constants), by name. Values are references the type
    /// keeps alive; they are roots of the collector (types are immortal).
    pub attrs: Mutex<Vec<(String, ObjRef)>>,
    /// Data owned by the C API shim (its slot table). The runtime never looks inside.
    pub ext: OnceLock<Box<dyn Any + Send + Sync>>,
    /// The method resolution order (C3, starting with the type itself) of a class with several
    /// bases or made by `type(name, bases, ns)`; unset: the base chain is the MRO. Entries are
    /// types (external, never moving).
    pub mro: OnceLock<Vec<ObjRef>>,
}

impl TypeObject {
    /// Offset of [`TypeObject::c_dict`] from the type's pointer: the second word, so that it
    /// also lies inside a builtin type's 16-byte static placeholder. Asserted by a test.
    pub const C_DICT_OFFSET: usize = std::mem::offset_of!(TypeObject, c_dict);

    /// A new type description with no attributes.
    pub fn new(name: &str, base: Option<ObjRef>, kind: Kind, basicsize: usize, flags: u64) -> Self {
        TypeObject {
            name: name.to_string(),
            base,
            kind,
            basicsize,
            itemsize: 0,
            flags: AtomicU64::new(flags),
            c_dict: std::sync::atomic::AtomicUsize::new(0),
            hooks: None,
            attrs: Mutex::new(Vec::new()),
            ext: OnceLock::new(),
            mro: OnceLock::new(),
        }
    }

    /// The `Py_TPFLAGS_*` bits.
    #[inline]
    pub fn flags(&self) -> u64 {
        self.flags.load(Ordering::Acquire)
    }

    /// Sets `bits` in the flags (for the flags C may set after creation, such as
    /// `IMMUTABLETYPE` by `PyType_Freeze`).
    pub fn add_flags(&self, bits: u64) {
        self.flags.fetch_or(bits, Ordering::AcqRel);
    }

    /// The name after the last dot (`__name__`).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    /// The module part of a dotted name, if any (`__module__`).
    pub fn module_name(&self) -> Option<&str> {
        self.name.rsplit_once('.').map(|(m, _)| m)
    }
}

/// Handles to every builtin type of one runtime. All are external, immortal objects.
#[derive(Clone, Debug)]
pub struct BuiltinTypes {
    pub object: ObjRef,
    pub type_: ObjRef,
    pub none: ObjRef,
    pub not_implemented: ObjRef,
    pub ellipsis: ObjRef,
    pub bool_: ObjRef,
    pub int: ObjRef,
    pub float: ObjRef,
    pub str_: ObjRef,
    pub bytes: ObjRef,
    pub tuple: ObjRef,
    pub list: ObjRef,
    pub dict: ObjRef,
    /// Exception types by name (BaseException, Exception, TypeError, ...).
    pub exc: ExceptionTypes,
}

/// CPython's exception hierarchy, the part pyopaque needs. Each field is a type object.
#[derive(Clone, Debug)]
pub struct ExceptionTypes {
    pub base_exception: ObjRef,
    pub exception: ObjRef,
    pub type_error: ObjRef,
    pub value_error: ObjRef,
    pub lookup_error: ObjRef,
    pub index_error: ObjRef,
    pub key_error: ObjRef,
    pub attribute_error: ObjRef,
    pub arithmetic_error: ObjRef,
    pub overflow_error: ObjRef,
    pub zero_division_error: ObjRef,
    pub memory_error: ObjRef,
    pub system_error: ObjRef,
    pub runtime_error: ObjRef,
    pub not_implemented_error: ObjRef,
    pub unicode_error: ObjRef,
    pub unicode_decode_error: ObjRef,
    pub unicode_encode_error: ObjRef,
    pub assertion_error: ObjRef,
    pub stop_iteration: ObjRef,
    pub buffer_error: ObjRef,
    pub import_error: ObjRef,
    pub os_error: ObjRef,
    pub name_error: ObjRef,
    pub keyboard_interrupt: ObjRef,
    pub system_exit: ObjRef,
    pub warning: ObjRef,
    pub deprecation_warning: ObjRef,
    pub runtime_warning: ObjRef,
    pub user_warning: ObjRef,
}

/// The hierarchy as (name, parent name) in creation order: parents come first.
pub const EXCEPTION_HIERARCHY: &[(&str, Option<&str>)] = &[
    ("BaseException", None),
    ("Exception", Some("BaseException")),
    ("TypeError", Some("Exception")),
    ("ValueError", Some("Exception")),
    ("LookupError", Some("Exception")),
    ("IndexError", Some("LookupError")),
    ("KeyError", Some("LookupError")),
    ("AttributeError", Some("Exception")),
    ("ArithmeticError", Some("Exception")),
    ("OverflowError", Some("ArithmeticError")),
    ("ZeroDivisionError", Some("ArithmeticError")),
    ("MemoryError", Some("Exception")),
    ("SystemError", Some("Exception")),
    ("RuntimeError", Some("Exception")),
    ("NotImplementedError", Some("RuntimeError")),
    ("UnicodeError", Some("ValueError")),
    ("UnicodeDecodeError", Some("UnicodeError")),
    ("UnicodeEncodeError", Some("UnicodeError")),
    ("AssertionError", Some("Exception")),
    ("StopIteration", Some("Exception")),
    ("BufferError", Some("Exception")),
    ("ImportError", Some("Exception")),
    ("OSError", Some("Exception")),
    ("NameError", Some("Exception")),
    ("KeyboardInterrupt", Some("BaseException")),
    ("SystemExit", Some("BaseException")),
    ("Warning", Some("Exception")),
    ("DeprecationWarning", Some("Warning")),
    ("RuntimeWarning", Some("Warning")),
    ("UserWarning", Some("Warning")),
];

impl ExceptionTypes {
    /// Builds the struct from the types created in `EXCEPTION_HIERARCHY` order.
    pub(crate) fn from_ordered(t: &[ObjRef]) -> Self {
        assert_eq!(t.len(), EXCEPTION_HIERARCHY.len());
        ExceptionTypes {
            base_exception: t[0],
            exception: t[1],
            type_error: t[2],
            value_error: t[3],
            lookup_error: t[4],
            index_error: t[5],
            key_error: t[6],
            attribute_error: t[7],
            arithmetic_error: t[8],
            overflow_error: t[9],
            zero_division_error: t[10],
            memory_error: t[11],
            system_error: t[12],
            runtime_error: t[13],
            not_implemented_error: t[14],
            unicode_error: t[15],
            unicode_decode_error: t[16],
            unicode_encode_error: t[17],
            assertion_error: t[18],
            stop_iteration: t[19],
            buffer_error: t[20],
            import_error: t[21],
            os_error: t[22],
            name_error: t[23],
            keyboard_interrupt: t[24],
            system_exit: t[25],
            warning: t[26],
            deprecation_warning: t[27],
            runtime_warning: t[28],
            user_warning: t[29],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_dict_is_the_second_word_of_a_type() {
        // C reads it at this offset from a builtin type's 16-byte static placeholder too.
        assert_eq!(TypeObject::C_DICT_OFFSET, 8);
        assert_eq!(std::mem::offset_of!(TypeObject, flags), 0);
    }
}
