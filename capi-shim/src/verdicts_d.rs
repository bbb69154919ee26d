//! Verdict table for the data items added in work package "d" (see docs/design.md, C API):
//! the remaining static type symbols, the ABI-only singletons and the interpreter settings.
//! Each entry names a data item and the rule giving its verdict per configuration; every one
//! is referenced by `tests/ext/ext_c_data.c`.

use crate::verdict::Rule;

/// A static type symbol: the same translation table as `PyLong_Type` (`data.rs`).
const TYPE: Rule = Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)");

/// The ABI-only singleton symbols (`_Py_NoneStruct`, ...).
const SINGLETON: Rule = Rule::Cost("translation table: the symbol's address is translated to the runtime's singleton (and back, so Py_None == &_Py_NoneStruct); it is a 16-byte cell whose count word old headers' inline Py_INCREF/Py_DECREF may write, but its ob_type word is NULL: an inline Py_TYPE from old headers does not work");

/// Entries of this package.
pub const TABLE: &[(&str, Rule)] = &[
    ("PyByteArray_Type", TYPE),
    ("PyComplex_Type", TYPE),
    ("PySet_Type", TYPE),
    ("PyFrozenSet_Type", TYPE),
    ("PySlice_Type", TYPE),
    ("PyMemoryView_Type", TYPE),
    ("PyDictProxy_Type", TYPE),
    ("Py_GenericAliasType", TYPE),
    ("PyCallIter_Type", TYPE),
    ("PyClassMethodDescr_Type", TYPE),
    ("PyListIter_Type", TYPE),
    ("PyListRevIter_Type", TYPE),
    ("PyTupleIter_Type", TYPE),
    ("PyUnicodeIter_Type", TYPE),
    ("PyBytesIter_Type", TYPE),
    ("PyByteArrayIter_Type", TYPE),
    ("PySetIter_Type", TYPE),
    ("PyDictIterKey_Type", TYPE),
    ("PyDictIterValue_Type", TYPE),
    ("PyDictIterItem_Type", TYPE),
    ("PyDictRevIterKey_Type", TYPE),
    ("PyDictRevIterValue_Type", TYPE),
    ("PyDictRevIterItem_Type", TYPE),
    ("_Py_NoneStruct", SINGLETON),
    ("_Py_TrueStruct", SINGLETON),
    ("_Py_FalseStruct", SINGLETON),
    ("_Py_EllipsisObject", SINGLETON),
    ("_Py_NotImplementedStruct", SINGLETON),
    ("PyStructSequence_UnnamedField", Rule::Works),
    ("Py_Version", Rule::Works),
    ("Py_UTF8Mode", Rule::Works),
    ("Py_HasFileSystemDefaultEncoding", Rule::Works),
    ("Py_FileSystemDefaultEncoding", Rule::Works),
    ("Py_FileSystemDefaultEncodeErrors", Rule::Cost("strings are UTF-8 and hold no lone surrogates: the handler named here cannot map undecodable bytes of a file name, which raise UnicodeDecodeError instead")),
];
