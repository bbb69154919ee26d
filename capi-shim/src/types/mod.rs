//! Type objects.

pub mod constructors;
pub mod descriptors;
pub mod shim_types;
pub mod structseq;
pub mod typeobject;
