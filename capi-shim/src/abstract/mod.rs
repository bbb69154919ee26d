//! Protocols.

pub mod buffer;
pub mod call;
pub mod mapping;
pub mod number;
pub mod object;
pub mod sequence;
