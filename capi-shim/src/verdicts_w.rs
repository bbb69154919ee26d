//! Verdict table for weak references (work package "w"; see docs/design.md, "Weak references",
//! and `weakref.rs`). Each entry names a function or data item and the rule giving its verdict
//! per configuration. Every `works*` function is called by a passing test in
//! `tests/ext/ext_c_weakref.c`; the data items are referenced there.

use crate::verdict::Rule;

/// The cost every weak reference pays under a moving collector.
const WEAK_COST: &str = "side table: one pass over the weak table per collection (entries re-keyed when referents move, cleared when they die) and one header-flag test per deallocation; callbacks run at the end of the API call that found the death";

/// The static type symbols' translation cost (as for the other exported types).
const TYPE_SYMBOL_COST: &str = "translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)";

/// Entries of this package.
pub const TABLE: &[(&str, Rule)] = &[
    ("PyWeakref_NewRef", Rule::Cost(WEAK_COST)),
    (
        "PyWeakref_NewProxy",
        Rule::Cost("as PyWeakref_NewRef (side table: one pass over the weak table per collection, one header-flag test per deallocation); the proxy forwards attribute access, assignment and calls, not the number, sequence and mapping protocols"),
    ),
    ("PyWeakref_GetRef", Rule::Works),
    (
        "PyWeakref_GetObject",
        Rule::Cost("pinning: the borrowed referent is pinned and kept alive until the native call returns"),
    ),
    (
        "PyObject_ClearWeakRefs",
        Rule::Cost("usually a no-op: the runtime already cleared the weak references before tp_dealloc (one header-flag test); callbacks run at the end of the API call that deallocated"),
    ),
    ("_PyWeakref_RefType", Rule::Cost(TYPE_SYMBOL_COST)),
    ("_PyWeakref_ProxyType", Rule::Cost(TYPE_SYMBOL_COST)),
    ("_PyWeakref_CallableProxyType", Rule::Cost(TYPE_SYMBOL_COST)),
];
