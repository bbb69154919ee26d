//! Builtin object representations, one module per payload layout.

pub mod dict;
pub mod exc;
pub mod float;
pub mod int;
pub mod text;
pub mod tuple;
