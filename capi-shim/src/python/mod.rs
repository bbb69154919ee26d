//! Interpreter services.

pub mod args;
pub mod codecs;
pub mod errors;
pub mod fileutils;
pub mod import;
pub mod interpreter;
pub mod lifecycle;
pub mod memory;
pub mod module;
pub mod sys;
pub mod threads;
