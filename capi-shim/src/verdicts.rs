//! The verdict tables, one per area (filled in as areas are implemented and tested).

use crate::verdict::Rule;

/// Every area's table.
pub const AREAS: &[&[(&str, Rule)]] = &[];
