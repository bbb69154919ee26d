//! Verdict table for the functions added in work package "p" (see docs/design.md, C API).
//! Each entry names a function or data item and the rule giving its verdict per configuration.
//!
//! Package "p" made existing entry points faster (lean paths, see `cx`) and finished debug mode;
//! it exported no new function or data item, and no verdict changed: the lean paths keep every
//! cost the general paths state (a borrowed list element is still pinned until the native call
//! returns; immediates need no pin, as before).

use crate::verdict::Rule;

/// Entries of this package.
pub const TABLE: &[(&str, Rule)] = &[];
