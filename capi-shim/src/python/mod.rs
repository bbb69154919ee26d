//! # python: the interpreter services (CPython's `Python/`)
//!
//! The error indicator and warnings ([`errors`]), importing and module state ([`import`]),
//! argument parsing and value building ([`args`]), module definitions ([`module`]), the `sys`
//! module ([`sys`]), threads and thread states ([`threads`]), critical sections and `PyMutex`
//! ([`critical_section`]), pyopaque's thread statistics ([`thread_stats`]), codecs ([`codecs`]), process
//! lifecycle, versions and the recursion guard ([`lifecycle`]), memory and object allocation
//! ([`memory`]), locale conversions of C strings ([`fileutils`]), and the verdicts of what needs
//! an interpreter loop ([`interpreter`]).
//!
//! **May import:** `boundary/`, `types/`, `objects/`, `abstract/`.

pub mod args;
pub mod builtins;
pub mod ceval;
pub mod code_objects;
pub mod codec_classes;
pub mod codecs;
pub mod collections_abc;
pub mod compile;
pub mod critical_section;
pub mod embedding;
pub mod errors;
pub mod fileutils;
pub mod import;
pub mod import_bytecode;
pub mod inspect_module;
pub mod interpreter;
pub mod interpreters;
pub mod lifecycle;
pub mod memory;
pub mod module;
pub mod module_export;
pub mod object_init_var;
pub mod raising;
pub mod std_streams;
pub mod stdlib;
pub mod sys;
pub mod thread_stats;
pub mod threads;
pub mod traceback;
pub mod unraisable;
pub mod windows_only;
