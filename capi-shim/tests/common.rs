//! Shared by the integration tests: locating the library and the child binary, building the
//! test extensions.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The test extensions: every `tests/ext/ext_*.c`, sorted, except the deliberate-misuse ones
/// (`ext_debug*`), which only the debug-mode test runs.
pub fn exts() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(crate_dir().join("tests/ext"))
        .expect("tests/ext")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with("ext_") && n.ends_with(".c") && !n.starts_with("ext_debug"))
        .map(|n| n.trim_end_matches(".c").to_string())
        .collect();
    v.sort();
    v
}

/// `capi-shim/`.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `libpyopaque_capi.so` next to the child binary (cargo builds the cdylib with the lib);
/// builds it when missing.
pub fn shim_lib() -> PathBuf {
    let child = PathBuf::from(env!("CARGO_BIN_EXE_pyopaque-ext-child"));
    let lib = child
        .parent()
        .expect("target dir")
        .join("libpyopaque_capi.so");
    if !lib.exists() {
        let st = Command::new(env!("CARGO"))
            .args(["build", "-p", "pyopaque-capi"])
            .status()
            .expect("cargo build");
        assert!(st.success(), "building libpyopaque_capi.so failed");
    }
    assert!(lib.exists(), "{} missing", lib.display());
    lib
}

/// A scratch directory under the target dir, private to this process (tests of one binary run
/// in parallel threads, and several `cargo test` runs may share a target dir).
pub fn scratch(name: &str) -> PathBuf {
    let child = PathBuf::from(env!("CARGO_BIN_EXE_pyopaque-ext-child"));
    let d = child
        .parent()
        .expect("target dir")
        .join("capi-test-ext")
        .join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Compiles `tests/ext/<ext>.c` into `out` with extra flags.
pub fn compile(ext: &str, out: &Path, include: &[String]) -> Result<(), String> {
    let src = crate_dir().join("tests/ext").join(format!("{ext}.c"));
    let mut c = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    c.args(["-shared", "-fPIC", "-O1", "-Wall", "-Wno-unused"]);
    for i in include {
        c.arg(i);
    }
    c.arg(format!("-I{}", crate_dir().join("tests/ext").display()));
    c.arg(&src).arg("-o").arg(out);
    let o = c
        .output()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "compiling {ext} failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(())
}
