//! # python: the interpreter services (CPython's `Python/`)
//!
//! The error indicator and warnings ([`errors`]), importing and module state ([`import`]),
//! argument parsing and value building ([`args`]), module definitions ([`module`]), the `sys`
//! module ([`sys`]), threads and thread states ([`threads`]), codecs ([`codecs`]), process
//! lifecycle, versions and the recursion guard ([`lifecycle`]), memory and object allocation
//! ([`memory`]), locale conversions of C strings ([`fileutils`]), and the verdicts of what needs
//! an interpreter loop ([`interpreter`]).
//!
//! **May import:** `boundary/`, `types/`, `objects/`, `abstract/`.

pub mod args;
pub mod codecs;
pub mod critical_section;
pub mod errors;
pub mod fileutils;
pub mod import;
pub mod interpreter;
pub mod lifecycle;
pub mod memory;
pub mod module;
pub mod module_export;
pub mod sys;
pub mod threads;
pub mod traceback;
