//! # pyopaque-runtime: the object model of an opaque `PyObject`
//!
//! Module map:
//! * [`objref`]: [`ObjRef`], the one-word reference (payload pointer or immediate small int).
//! * [`header`]: the header before the payload; the only place computing header addresses.
//! * [`config`]: [`Config`], [`Scheme`]: the axes chosen when a runtime starts.
//! * [`refcount`]: the counting schemes (classic, atomic, biased, immortal, tracing).
//! * [`runtime`]: [`Runtime`]: builtin types, singletons, heap, thread registry.
//! * [`thread`]: [`Thread`]: allocator, handle stack (roots), error indicator, merge queue.
//! * [`bench`]: measuring code behind `pyopaque bench tagging` / `refcount`.
//! * [`binding`]: the collector binding (where references are, what dead objects release).
//! * [`pinning`]: which objects C may hold, so the collector must not move them.
//! * [`external`]: the never-moving space for types and singletons.
//! * [`types`]: type objects and the exception hierarchy.
//! * [`objects`]: payloads of int, float, str/bytes, tuple, dict, exceptions.
//! * [`list`]: list storage behind one interface.
//! * [`capi_support`]: services only the C API shim uses.
//! * [`weakref`]: weak references (a side table updated by the collector).
//! * [`kept_cells`]: dead objects whose memory C kept (freelists), until `PyObject_Init`.
//! * [`ops`], [`repr`]: the object protocol (hash, compare, truth, arithmetic, repr, str).

pub mod bench;
pub mod binding;
pub mod capi_support;
pub mod config;
pub mod external;
pub mod header;
pub mod kept_cells;
pub mod list;
pub mod object_lock;
pub mod objects;
pub mod objref;
pub mod ops;
pub mod pinning;
pub mod refcount;
pub mod repr;
pub mod runtime;
pub mod safepoint;
pub mod thread;
pub mod types;
pub mod weakref;

pub use config::{BorrowPolicy, Config, Scheme};
pub use objref::ObjRef;
pub use ops::{BinOp, CompareOp, ProtocolHooks};
pub use runtime::Runtime;
pub use thread::{Handle, HandleMark, PyResult, Raised, Thread};
pub use types::{Kind, NativeHooks, TypeObject};
