//! Verdict table for the functions added in work package "f" (see docs/design.md, C API):
//! import and syntax errors with real attributes, the variadic `PyErr_ResourceWarning`,
//! `PyBytes_FromFormatV` (bytes `%c` fixed), `namereplace`, `PyObject_Dir`, type freezing, ABI
//! checks, modules from slots, the functions that end the process, `_PyObject_GC_Resize` and the
//! legacy Unicode functions. Tests: `tests/ext/ext_c_funcs.c` (exit tests run in forked children,
//! see `runner.rs`).

use crate::verdict::Rule;

/// Entries of this package.
pub const TABLE: &[(&str, Rule)] = &[
    ("PyErr_SetImportError", Rule::Works),
    ("PyErr_SetImportErrorSubclass", Rule::Works),
    ("PyErr_SyntaxLocation", Rule::Works),
    ("PyErr_SyntaxLocationEx", Rule::Works),
    ("PyErr_ResourceWarning", Rule::Cost("no warnings module: the warning is recorded and printed, never filtered (CPython's default filters ignore ResourceWarning; `-W error` cannot turn it into an exception)")),
    ("PyBytes_FromFormatV", Rule::Works),
    ("PyCodec_NameReplaceErrors", Rule::Works),
    ("PyObject_Dir", Rule::Cost("no interpreter loop: NULL (dir of the current frame) always takes CPython's no-frame path (NULL, no exception); for objects, builtin types implemented in the runtime expose no method table, so dir() lists only the names the runtime stores (module and instance dicts, attributes of C types and their bases) unless the type defines __dir__")),
    ("PyIndex_Check", Rule::Works),
    ("PyType_Freeze", Rule::Works),
    ("PyABIInfo_Check", Rule::Works),
    ("PyModule_FromSlotsAndSpec", Rule::Cost("pinning: the module is pinned for life (as every module) and the definition synthesized from the slots is kept for the process")),
    ("Py_FatalError", Rule::Works),
    ("Py_Exit", Rule::Cost("no interpreter to finalize: Py_AtExit callbacks run and output is flushed, but objects still alive are not deallocated before exit")),
    ("_PyObject_GC_Resize", Rule::Cost("moving: objects never grow in place; a new pinned instance is allocated and the struct copied, so the address always changes (C must use the returned pointer, as CPython documents)")),
    ("_PyErr_BadInternalCall", Rule::Works),
    ("PyUnicode_AsDecodedObject", Rule::Works),
    ("PyUnicode_AsDecodedUnicode", Rule::Works),
    ("PyUnicode_AsEncodedObject", Rule::Works),
    ("PyUnicode_AsEncodedUnicode", Rule::Works),
    ("PyUnicode_GetSize", Rule::Works),
    ("PyUnicode_InternImmortal", Rule::Cost("pinning: no interning table; the string is kept alive and pinned for the process by one C-held reference that is never released")),
];
