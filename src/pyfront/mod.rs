//! The Python front end: Python source (`.py`, `.pyx`) reaches pyopaque compiled by Cython into
//! C that makes nothing but C API calls, built against our headers in Cython's limited-API mode,
//! then loaded like any other extension.
//!
//! * [`cython`]: finds Cython [`CYTHON_VERSION`] (`python3 -m cython`, else a virtual
//!   environment the project owns, created once by pip).
//! * [`build`]: cythonizes and compiles a source into a shared object, cached by a content
//!   hash, so a second run does not recompile.
//! * [`run`]: `pyopaque run FILE.py [ARGS]`, a program's top level as `__main__`.
//! * [`bench`]: `pyopaque bench python`, Cython's benchmark suite under every runtime.
//! * [`pylib`]: standard-library modules written in Python for pyopaque (`optparse`).
//!
//! The choices (limited-API version, module naming, cache key) are recorded in
//! `docs/design.md`, "Python programs through Cython".

pub mod bench;
pub mod build;
pub mod cython;
pub mod pylib;
pub mod run;

/// The one place naming the Cython version pyopaque builds Python source with.
pub const CYTHON_VERSION: &str = "3.3.1";

/// `Py_LIMITED_API` for builds against our headers: the version `patchlevel.h` claims
/// (3.15), so Cython uses every stable-ABI function our headers declare.
pub const LIMITED_API_PYOPAQUE: &str = "0x030F0000";
