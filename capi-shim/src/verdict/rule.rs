//! The vocabulary of verdicts: a [`Rule`] says how an entry's verdict depends on the
//! configuration. Modules at every level name their rules with it, so it imports nothing of the
//! shim (the registry in [`crate::verdict`] imports every module's `VERDICTS`).

/// How an entry's verdict depends on the configuration.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Works in every configuration.
    Works,
    /// Works with this cost in every configuration.
    Cost(&'static str),
    /// Borrowed list element: boxing or de-optimizing when strategies are on and the element is
    /// not an immediate (tagging off, or floats).
    ListBorrow,
    /// Returns an int: a boxing allocation when tagging is off (immediate otherwise) beyond the
    /// small-int cache.
    IntBox,
    /// Depends on the counting scheme: the string is the cost under `tracing` (C-held counts).
    Counting(&'static str),
    /// Whole item array: de-optimizes unboxed lists (strategies on) and pins every element.
    FastItems,
    /// Not implementable: reason.
    NotImplementable(&'static str),
    /// Not applicable: reason.
    NotApplicable(&'static str),
    /// Not done.
    Todo,
}
