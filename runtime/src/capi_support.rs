//! Runtime services the C API shim needs that no other runtime module offers (owned by the shim's
//! authors; kept here because they need crate-private access).
