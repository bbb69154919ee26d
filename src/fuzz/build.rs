//! Locating the inputs (reference data, both header sets) and compiling the harness twice.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::spec::{self, Spec};

/// The C harness template; `fuzz_table.h` is generated beside it.
const HARNESS: &str = include_str!("harness.c");

/// `$PYOPAQUE_REFERENCE`, else `../shared/reference` beside the repository.
pub fn reference_dir() -> Result<PathBuf, String> {
    let p = match std::env::var_os("PYOPAQUE_REFERENCE") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("shared")
            .join("reference"),
    };
    if p.join("stable_abi.toml").exists() && p.join("refcounts.dat").exists() {
        Ok(p)
    } else {
        Err(format!(
            "reference data not found in {} (needs stable_abi.toml and refcounts.dat): set \
             PYOPAQUE_REFERENCE to the shared/reference folder",
            p.display()
        ))
    }
}

/// CPython's include directory (the first `-I` of `python3-config --includes`).
pub fn cpython_include() -> Result<PathBuf, String> {
    let out = Command::new("python3-config")
        .arg("--includes")
        .output()
        .map_err(|e| {
            format!("python3-config not found ({e}): the fuzzer compares against CPython 3.11")
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .filter_map(|t| t.strip_prefix("-I"))
        .map(PathBuf::from)
        .find(|p| p.join("Python.h").exists())
        .ok_or_else(|| "CPython headers (Python.h) not found via python3-config --includes".into())
}

/// The two builds of the harness.
pub struct Built {
    /// The table the harness was generated from.
    pub spec: Spec,
    /// `fuzzmod.so` built against CPython's headers (its directory goes on `sys.path`).
    pub cpython_so: PathBuf,
    /// `fuzzmod.so` built against ours.
    pub ours_so: PathBuf,
}

fn cc(src: &Path, include: &Path, gen: &Path, out: &Path) -> Result<(), String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let res = Command::new(&cc)
        .args(["-shared", "-fPIC", "-O1", "-g", "-w"])
        .arg(format!("-I{}", include.display()))
        .arg(format!("-I{}", gen.display()))
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run {cc}: {e}"))?;
    if res.status.success() {
        Ok(())
    } else {
        Err(format!(
            "compiling the harness against {} failed:\n{}",
            include.display(),
            String::from_utf8_lossy(&res.stderr)
                .lines()
                .take(30)
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

/// Generates the table and compiles the harness against both header sets into `dir`.
pub fn build(dir: &Path) -> Result<Built, String> {
    let reference = reference_dir()?;
    let cpy_inc = cpython_include()?;
    let ours = crate::capi_lib::include_dir()?;
    let lib_path = crate::capi_lib::library_path()?;
    // SAFETY: loading the shim runs no initialiser with preconditions (Rust statics are lazy);
    // it is only asked for symbol addresses, never called, and unloaded at the end of scope.
    let lib = unsafe { libloading::Library::new(&lib_path) }
        .map_err(|e| format!("cannot load {}: {e}", lib_path.display()))?;
    let exported = |name: &str| {
        let sym = format!("{name}\0");
        // SAFETY: the symbol is looked up, not called or dereferenced.
        unsafe { lib.get::<*const u8>(sym.as_bytes()) }.is_ok()
    };
    let spec = spec::build(&reference, &ours, &cpy_inc, &exported)?;
    std::fs::create_dir_all(dir.join("cpython")).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir.join("ours")).map_err(|e| e.to_string())?;
    let write =
        |p: PathBuf, s: &str| std::fs::write(&p, s).map_err(|e| format!("{}: {e}", p.display()));
    write(dir.join("fuzz_table.h"), &spec::generate_c(&spec.entries))?;
    write(dir.join("harness.c"), HARNESS)?;
    let cpython_so = dir.join("cpython").join("fuzzmod.so");
    let ours_so = dir.join("ours").join("fuzzmod.so");
    cc(&dir.join("harness.c"), &cpy_inc, dir, &cpython_so)?;
    cc(&dir.join("harness.c"), &ours, dir, &ours_so)?;
    Ok(Built {
        spec,
        cpython_so,
        ours_so,
    })
}
