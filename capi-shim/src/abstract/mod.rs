//! Protocols.

pub mod buffer;
pub mod call;
pub mod format;
pub mod mapping;
pub mod number;
pub mod object;
pub mod sequence;
