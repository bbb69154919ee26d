//! # abstract: the protocols (CPython's `Objects/abstract.c`, `Objects/call.c`)
//!
//! Operations on any object, dispatching to the runtime's builtin operations or to C slots:
//! [`object`] (repr/str, hash, compare, attributes, items, iteration, `dir`), [`number`],
//! [`sequence`], [`mapping`], [`buffer`] (and `memoryview`), [`call`] (every `METH_*`
//! convention, vectorcall, `PyObject_Call*`), [`format`] (`format(obj, spec)`).
//!
//! **May import:** `boundary/`, `types/`, `objects/`, `python/` (the protocols meet the concrete
//! types in both directions: `PyObject_Hash` knows dicts, `PyDict_SetItem` hashes).

pub mod buffer;
pub mod call;
pub mod format;
pub mod mapping;
pub mod number;
pub mod object;
pub mod sequence;
