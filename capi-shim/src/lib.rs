//! # pyopaque-capi: the C API shim
//!
//! A shared library (`libpyopaque_capi.so`) exporting the `Py*` symbols our headers
//! (`capi-shim/include/`) declare, implemented on the pyopaque runtime, where `PyObject` is
//! opaque: the header lies *before* the pointer C sees, small ints may be immediate words, lists
//! may hold unboxed storage, objects move, and the counting scheme is chosen at start-up.
//!
//! ## Architecture
//! * **Process model** ([`boundary::cx`]): one runtime per process (`OnceLock`), created by
//!   [`pyopaque_capi_init`]; each OS thread attaches a `Thread` on first use.
//! * **Conventions, written once** ([`boundary::cx::api`], [`capi!`]): coverage, panic catching, handle
//!   scopes, NULL/-1 error returns, SystemError for bad internal calls.
//! * **Hot paths** ([`capi_lean!`], see [`boundary::cx`]): no TLS, no handle scope, immediates first.
//! * **Pointer conversion** ([`boundary::cx::from_c`], [`boundary::cx::to_c`]): immediates pass through; static type
//!   symbols (`&PyLong_Type`) are translated through a table ([`boundary::static_symbols`]).
//! * **References**: new references are C-held counts (pin the object under every scheme);
//!   borrowed references are pinned until the native call returns.
//! * **Variadics** ([`boundary::variadic`], `va.c`): C functions forward a `va_list *` to Rust; exported
//!   through naked Rust trampolines.
//! * **C types** ([`types::typeobject`]): instances live in the moving heap, pinned; `tp_traverse` finds
//!   their references; `tp_dealloc` runs in finalizing mode.
//! * **Verdicts** ([`verdict`]): per function, per configuration, declared by each module next to
//!   its code (`VERDICTS`) and collected by [`verdict::REGISTRY`].
//! * **Test runner** ([`host::runner`]): [`pyopaque_capi_run_tests`].
//!
//! ## Layout
//! [`boundary`] (what C sees and the conventions; imports nothing above it), [`objects`]
//! (concrete types), [`r#abstract`] (protocols), [`types`] (type objects), [`python`]
//! (interpreter services), [`host`] (what the host process calls), [`verdict`]. The crate root
//! wires the layers above the boundary into it ([`boundary::cx::Layers`]). See `docs/design.md`,
//! "Shim layout".

pub mod r#abstract;
pub mod boundary;
pub mod host;
pub mod objects;
pub mod python;
pub mod types;

pub mod verdict;

use std::ffi::{c_char, c_int, CStr};

/// The layers above the boundary, as the boundary sees them (it imports nothing above it): the
/// object protocol the runtime calls back into, the start-up of the shim's types, and the
/// safe point that runs weak-reference callbacks.
static LAYERS: boundary::cx::Layers = boundary::cx::Layers {
    protocol_hooks: &r#abstract::object::PROTOCOL_HOOKS,
    start: types::shim_types::start,
    safe_point: objects::weakref::run_pending_callbacks,
};

/// Registers [`LAYERS`] with the boundary when the library is loaded (an ELF constructor), so
/// that every way into the runtime, including C calling `Py_Initialize` or any `Py*` function
/// before `pyopaque_capi_init`, finds them.
#[used]
#[link_section = ".init_array"]
static REGISTER_LAYERS: extern "C" fn() = register_layers;

extern "C" fn register_layers() {
    boundary::cx::register_layers(&LAYERS);
}

/// `int pyopaque_capi_init(const char *config)`: starts the process's runtime with a
/// configuration like `scheme=classic,immortal=on,tagging=on,strategies=on,gc_stress=off,
/// borrow=deopt` (NULL or "" for the default). Returns 0, or -1 (message on stderr) when the
/// string is invalid or a runtime with another configuration exists.
///
/// # Safety
/// `config` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_init(config: *const c_char) -> c_int {
    let s = if config.is_null() {
        String::new()
    } else {
        // SAFETY: caller's contract.
        unsafe { CStr::from_ptr(config) }
            .to_string_lossy()
            .into_owned()
    };
    register_layers();
    let r = std::panic::catch_unwind(|| {
        let c = boundary::cx::parse_config(&s)?;
        boundary::cx::init(c).map(|_| ())
    });
    match r {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("pyopaque_capi_init: {e}");
            -1
        }
        Err(_) => {
            eprintln!("pyopaque_capi_init: internal error");
            -1
        }
    }
}

/// `int pyopaque_capi_run_tests(const char *so_path, const char *module_name)`: loads the
/// extension, initialises the module, calls every `test_*` function and prints one line per
/// test (`PASS m.t` / `FAIL m.t: Type: message`). Returns the number of failures (-1 when the
/// module could not be loaded or initialised).
///
/// # Safety
/// Both arguments C strings.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_run_tests(
    so_path: *const c_char,
    module_name: *const c_char,
) -> c_int {
    if so_path.is_null() || module_name.is_null() {
        return -1;
    }
    // SAFETY: caller's contract.
    let (so, m) = unsafe {
        (
            CStr::from_ptr(so_path).to_string_lossy().into_owned(),
            CStr::from_ptr(module_name).to_string_lossy().into_owned(),
        )
    };
    let r = std::panic::catch_unwind(|| host::runner::run(&so, &m));
    use std::io::Write;
    let n = match r {
        Ok(r) => host::runner::failures(&r),
        Err(_) => {
            println!("FAIL {m}: internal error (panic) in the test runner");
            -1
        }
    };
    let _ = std::io::stdout().flush();
    n
}

/// `int pyopaque_capi_coverage_dump(const char *path)`: writes every exported API function
/// called at least once, one per line, sorted. Returns 0 or -1.
///
/// # Safety
/// `path` a C string.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_coverage_dump(path: *const c_char) -> c_int {
    if path.is_null() {
        return -1;
    }
    // SAFETY: caller's contract.
    let p = unsafe { CStr::from_ptr(path) }
        .to_string_lossy()
        .into_owned();
    let mut s = String::new();
    for n in boundary::cx::coverage() {
        s.push_str(n);
        s.push('\n');
    }
    match std::fs::write(&p, s) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}
