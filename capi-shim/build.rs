//! Compiles `src/boundary/va.c`: the C side of the variadic entry points (`PyArg_ParseTuple`,
//! `Py_BuildValue`, `PyErr_Format`, ...). Rust (stable) cannot define a C-variadic function, so
//! each one is a small C function that starts a `va_list` and hands a pointer to it to Rust;
//! Rust pulls the arguments through the `pyopaque_va_*` helpers of the same file.
fn main() {
    println!("cargo:rerun-if-changed=src/boundary/va.c");
    cc::Build::new()
        .file("src/boundary/va.c")
        .flag_if_supported("-fvisibility=hidden")
        .warnings(true)
        .compile("pyopaque_capi_va");
}
