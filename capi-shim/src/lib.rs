//! C API shim (in progress).
