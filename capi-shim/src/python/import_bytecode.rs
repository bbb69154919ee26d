//! Import entries that execute Python bytecode or run the path-based import machinery
//! (importlib is Python source): each call raises NotImplementedError. pyopaque has no frozen
//! modules, so `PyImport_ImportFrozenModule*` give CPython's "not found" answer (0, no
//! exception).

use std::ffi::{c_char, c_int, c_long};

use super::raising::raising_fns;
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::verdict::Rule;

const BYTECODE: Rule = Rule::NotApplicable("needs an interpreter loop: executing (frozen or compiled) Python bytecode and the path-based import machinery (importlib is Python source); exported raising NotImplementedError");

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyImport_ExecCodeModule", BYTECODE),
    ("PyImport_ExecCodeModuleEx", BYTECODE),
    ("PyImport_ExecCodeModuleObject", BYTECODE),
    ("PyImport_ExecCodeModuleWithPathnames", BYTECODE),
    ("PyImport_GetMagicNumber", BYTECODE),
    ("PyImport_GetMagicTag", BYTECODE),
    ("PyImport_GetImporter", BYTECODE),
    ("PyImport_ReloadModule", Rule::NotApplicable("needs an interpreter loop: importlib.reload re-executes a module's Python code; exported raising NotImplementedError")),
    ("PyImport_ImportFrozenModule", Rule::NotApplicable("needs an interpreter loop: frozen modules are Python bytecode; pyopaque has none, so every name gives CPython's not-found result (0, no exception)")),
    ("PyImport_ImportFrozenModuleObject", Rule::NotApplicable("needs an interpreter loop: frozen modules are Python bytecode; pyopaque has none, so every name gives CPython's not-found result (0, no exception)")),
];

const EXEC: &str = "pyopaque runs no bytecode: executing a code object needs an evaluation loop";
const IMPORTLIB: &str =
    "pyopaque runs no bytecode: the path-based import machinery (importlib) is Python source";

raising_fns! {
    /// `PyImport_ExecCodeModule`: raises NotImplementedError.
    "PyImport_ExecCodeModule" PyImport_ExecCodeModule(name: *const c_char, co: *mut PyObject) -> *mut PyObject
        => not_implemented(EXEC);
    /// `PyImport_ExecCodeModuleEx`: raises NotImplementedError.
    "PyImport_ExecCodeModuleEx" PyImport_ExecCodeModuleEx(name: *const c_char, co: *mut PyObject, path: *const c_char) -> *mut PyObject
        => not_implemented(EXEC);
    /// `PyImport_ExecCodeModuleWithPathnames`: raises NotImplementedError.
    "PyImport_ExecCodeModuleWithPathnames" PyImport_ExecCodeModuleWithPathnames(name: *const c_char, co: *mut PyObject, path: *const c_char, cpath: *const c_char) -> *mut PyObject
        => not_implemented(EXEC);
    /// `PyImport_ExecCodeModuleObject`: raises NotImplementedError.
    "PyImport_ExecCodeModuleObject" PyImport_ExecCodeModuleObject(name: *mut PyObject, co: *mut PyObject, path: *mut PyObject, cpath: *mut PyObject) -> *mut PyObject
        => not_implemented(EXEC);
    /// `PyImport_GetImporter`: raises NotImplementedError (path hooks are importlib's).
    "PyImport_GetImporter" PyImport_GetImporter(path: *mut PyObject) -> *mut PyObject
        => not_implemented(IMPORTLIB);
    /// `PyImport_GetMagicNumber`: -1 with NotImplementedError (no bytecode format exists).
    "PyImport_GetMagicNumber" PyImport_GetMagicNumber() -> c_long
        => not_implemented(EXEC);
    /// `PyImport_GetMagicTag`: NULL with NotImplementedError (no bytecode format exists).
    "PyImport_GetMagicTag" PyImport_GetMagicTag() -> *const c_char
        => not_implemented(EXEC);
    /// `PyImport_ReloadModule`: raises NotImplementedError.
    "PyImport_ReloadModule" PyImport_ReloadModule(m: *mut PyObject) -> *mut PyObject
        => not_implemented(IMPORTLIB);
}

/// `PyImport_ImportFrozenModule`: 0 (no frozen module of that name; pyopaque has none).
#[no_mangle]
pub extern "C" fn PyImport_ImportFrozenModule(_name: *const c_char) -> c_int {
    capi!("PyImport_ImportFrozenModule", |_cx| Ok(0))
}

/// `PyImport_ImportFrozenModuleObject`: 0 (no frozen module of that name).
#[no_mangle]
pub extern "C" fn PyImport_ImportFrozenModuleObject(_name: *mut PyObject) -> c_int {
    capi!("PyImport_ImportFrozenModuleObject", |_cx| Ok(0))
}
