//! # types: type objects (CPython's `Objects/typeobject.c`, `descrobject.c`, `structseq.c`)
//!
//! Types from specs and their instances ([`typeobject`]: `PyType_FromSpec*`, slots, `tp_*`),
//! descriptors ([`descriptors`]), struct sequences ([`structseq`]), the types the shim defines
//! because the runtime has none ([`shim_types`]: module, builtin function, descriptors, ...),
//! their exported static type symbols ([`static_types`]) and calling builtin types as
//! constructors ([`constructors`]).
//!
//! **May import:** `boundary/`, `objects/`, `abstract/`, `python/`.

pub mod builtin_descriptors;
pub mod builtin_slots;
pub mod class;
pub mod constructors;
pub mod descriptors;
pub mod function_attrs;
pub mod shim_types;
pub mod slot_wrappers;
pub mod static_types;
pub mod structseq;
pub mod type_bases;
pub mod type_data;
pub mod type_dict;
pub mod type_from_slots;
pub mod type_namespace;
pub mod typeobject;
pub mod wrapper;
