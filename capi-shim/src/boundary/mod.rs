//! # boundary: the C boundary every other area stands on
//!
//! What C sees of the shim and the conventions every exported function follows: the C-visible
//! types of our headers ([`ffi`]), the process and thread model and the calling conventions
//! written once ([`cx`]: `capi!`, pointer conversion `from_c`/`to_c`, handle scopes, NULL/-1
//! error returns, coverage), reference counting as C sees it and the header accessors
//! ([`refcount`]), debug mode ([`debug`]), pinning and side tables for objects C dereferences
//! ([`pinning`]), the static symbols C takes the address of (`&PyLong_Type`, `_Py_NoneStruct`,
//! `PyExc_*`: [`static_symbols`]) and the variadic entry points (`va.c` + [`variadic`]).
//!
//! **May import:** the runtime and GC crates, and within the shim only `boundary/` itself and
//! the verdict vocabulary (`crate::verdict::rule`, `crate::verdict::rules`). It imports nothing
//! above it: what it needs from above (the object protocol hooks, the start-up of the shim's
//! types, the weak-reference safe point) the crate root hands it as [`cx::Layers`].

pub mod cx;
pub mod debug;
pub mod ffi;
pub mod locking;
pub mod pinning;
pub mod pyslot;
pub mod refcount;
pub mod static_symbols;
pub mod variadic;
