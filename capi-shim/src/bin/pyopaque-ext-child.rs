//! Child process for the shim's own tests: loads `libpyopaque_capi.so` with `RTLD_GLOBAL` (so
//! extensions resolve their `Py*` symbols against it), starts the runtime with one
//! configuration, and runs the `test_*` functions of each extension given.
//!
//! Usage: `pyopaque-ext-child LIB CONFIG (EXT.so MODULE)...`; exit status 0 when every test
//! passed. It does not link the shim crate: exactly one runtime lives in the process.

use std::ffi::{c_char, c_int, CString};
use std::process::ExitCode;

type InitFn = unsafe extern "C" fn(*const c_char) -> c_int;
type RunFn = unsafe extern "C" fn(*const c_char, *const c_char) -> c_int;
type DumpFn = unsafe extern "C" fn(*const c_char) -> c_int;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 || !(args.len() - 3).is_multiple_of(2) {
        eprintln!("usage: pyopaque-ext-child LIB CONFIG (EXT.so MODULE)...");
        return ExitCode::from(2);
    }
    // SAFETY: loading the shim library (its constructors are Rust statics, no side effects).
    let lib = match unsafe {
        libloading::os::unix::Library::open(Some(&args[1]), libc::RTLD_NOW | libc::RTLD_GLOBAL)
    } {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot load {}: {e}", args[1]);
            return ExitCode::from(2);
        }
    };
    let cfg = CString::new(args[2].clone()).unwrap_or_default();
    let mut failures = 0;
    // SAFETY: the shim's documented entry points with these exact signatures; the CStrings
    // outlive the calls.
    unsafe {
        let init: libloading::os::unix::Symbol<InitFn> =
            lib.get(b"pyopaque_capi_init\0").expect("init entry");
        if init(cfg.as_ptr()) != 0 {
            eprintln!("pyopaque_capi_init({}) failed", args[2]);
            return ExitCode::from(2);
        }
        let run: libloading::os::unix::Symbol<RunFn> =
            lib.get(b"pyopaque_capi_run_tests\0").expect("run entry");
        for pair in args[3..].chunks(2) {
            let so = CString::new(pair[0].clone()).unwrap_or_default();
            let m = CString::new(pair[1].clone()).unwrap_or_default();
            let n = run(so.as_ptr(), m.as_ptr());
            failures += if n < 0 { 1 } else { n };
        }
        if let Ok(path) = std::env::var("PYOPAQUE_CAPI_COVERAGE") {
            let dump: libloading::os::unix::Symbol<DumpFn> = lib
                .get(b"pyopaque_capi_coverage_dump\0")
                .expect("dump entry");
            let p = CString::new(path).unwrap_or_default();
            dump(p.as_ptr());
        }
    }
    std::mem::forget(lib);
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
