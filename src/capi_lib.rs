//! Finding (and, under cargo, building) the C API shared library `libpyopaque_capi.so`, and
//! loading it with `RTLD_GLOBAL` so that extensions' undefined `Py*` symbols resolve to it.
//!
//! The host binary does not link the shim: exactly one copy of the C API (and of the runtime
//! instance it owns) lives in a process that runs C code, the one in the shared library.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Our `Python.h` and friends.
pub fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("capi-shim")
        .join("include")
}

/// Path of `libpyopaque_capi.so`: `$PYOPAQUE_CAPI_LIB`, else beside this executable. When run
/// under cargo (`$CARGO` set) the library is (re)built first with the same profile, so it is
/// never stale.
pub fn library_path() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("PYOPAQUE_CAPI_LIB") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut dir = exe
        .parent()
        .ok_or("executable has no directory")?
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let lib = dir.join("libpyopaque_capi.so");
    let release = dir.ends_with("release");
    if let Ok(cargo) = std::env::var("CARGO") {
        let mut cmd = Command::new(cargo);
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--quiet",
            "-p",
            "pyopaque-capi",
            "--lib",
        ]);
        if release {
            cmd.arg("--release");
        }
        let st = cmd
            .status()
            .map_err(|e| format!("cannot run cargo to build the C API library: {e}"))?;
        if !st.success() {
            return Err("building libpyopaque_capi.so failed".into());
        }
    }
    if lib.exists() {
        Ok(lib)
    } else {
        Err(format!(
            "{} not found: build it with `cargo build{} -p pyopaque-capi`, or set PYOPAQUE_CAPI_LIB",
            lib.display(),
            if release { " --release" } else { "" }
        ))
    }
}

/// Loads the shim with `RTLD_NOW | RTLD_GLOBAL`.
pub fn load() -> Result<libloading::os::unix::Library, String> {
    let path = library_path()?;
    // SAFETY: loading our own shim runs no initialisers with preconditions (Rust statics are
    // lazily initialised); the library stays loaded for the life of the process.
    unsafe {
        libloading::os::unix::Library::open(
            Some(&path),
            libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_GLOBAL,
        )
    }
    .map_err(|e| format!("cannot load {}: {e}", path.display()))
}
