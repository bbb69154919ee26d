//! Verdict table for the functions added in work package "p" (see docs/design.md, C API).
//! Each entry names a function or data item and the rule giving its verdict per configuration.

use crate::verdict::Rule;

/// Entries of this package.
pub const TABLE: &[(&str, Rule)] = &[];
