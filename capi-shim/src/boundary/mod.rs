//! The boundary (placeholder doc, rewritten below).

pub mod cx;
pub mod debug;
pub mod ffi;
pub mod host;
pub mod pinning;
pub mod refcount;
pub mod runner;
pub mod static_symbols;
pub mod variadic;
