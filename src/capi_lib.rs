//! Finding (and, under cargo, building) the C API shared library `libpyopaque_capi.so` and our
//! C headers, and loading the library with `RTLD_GLOBAL` so that extensions' undefined `Py*`
//! symbols resolve to it.
//!
//! The host binary does not link the shim: exactly one copy of the C API (and of the runtime
//! instance it owns) lives in a process that runs C code, the one in the shared library.
//!
//! Where things are looked for, first match wins:
//! * headers: `$PYOPAQUE_INCLUDE`; `<exe>/../include/pyopaque/`; the source tree's
//!   `capi-shim/include/` when this executable was built there (run under cargo or from the
//!   tree's `target/`), so header edits apply at once; else the headers embedded in this
//!   executable at build time, extracted once to `~/.cache/pyopaque/include-<hash>/` (or
//!   `$XDG_CACHE_HOME/pyopaque/...`). An installed `pyopaque` therefore always has headers.
//! * library: `$PYOPAQUE_CAPI_LIB`; under cargo, the one cargo (re)builds beside the
//!   executable; beside the executable; `<exe>/../lib/pyopaque/`; the source tree's
//!   `target/release/` and `target/debug/` (this build's profile first).

use std::path::{Path, PathBuf};
use std::process::Command;

include!(concat!(env!("OUT_DIR"), "/embedded_headers.rs"));

/// File name of the C API library.
pub const LIB_NAME: &str = "libpyopaque_capi.so";

/// The source tree this executable was built from, if it is still there.
fn source_tree() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.join("capi-shim")
        .join("include")
        .join("Python.h")
        .exists()
        .then(|| root.to_path_buf())
}

/// The directory of this executable (symbolic links resolved), without a trailing `deps`
/// (cargo's test binaries live there).
fn exe_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let mut dir = exe
        .parent()
        .ok_or("executable has no directory")?
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    Ok(dir)
}

/// Whether this executable is a development build of the source tree: run by cargo, or lying
/// inside the tree (its `target/`).
fn is_source_build() -> bool {
    if std::env::var_os("CARGO").is_some() {
        return true;
    }
    match (source_tree(), exe_dir()) {
        (Some(src), Ok(dir)) => dir.starts_with(src.canonicalize().unwrap_or(src)),
        _ => false,
    }
}

/// Our `Python.h` and friends (see the module documentation for the search order).
pub fn include_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("PYOPAQUE_INCLUDE") {
        let dir = PathBuf::from(dir);
        if dir.join("Python.h").exists() {
            return Ok(dir);
        }
        return Err(format!(
            "PYOPAQUE_INCLUDE={} has no Python.h (unset it to use the headers built into pyopaque)",
            dir.display()
        ));
    }
    if let Ok(dir) = exe_dir() {
        let installed = dir.join("..").join("include").join("pyopaque");
        if installed.join("Python.h").exists() {
            return Ok(installed.canonicalize().unwrap_or(installed));
        }
    }
    if is_source_build() {
        if let Some(src) = source_tree() {
            return Ok(src.join("capi-shim").join("include"));
        }
    }
    extract_embedded_headers()
}

/// The cache directory for extracted headers: `$XDG_CACHE_HOME/pyopaque`, else
/// `$HOME/.cache/pyopaque`, else the temporary directory.
fn cache_dir() -> PathBuf {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"));
    xdg.or(home)
        .unwrap_or_else(std::env::temp_dir)
        .join("pyopaque")
}

/// Writes the embedded headers to `include-<hash>` under the cache directory (once: a complete
/// directory is reused) and returns it. Written to a private directory first and renamed into
/// place, so concurrent runs never see half a set.
fn extract_embedded_headers() -> Result<PathBuf, String> {
    let base = cache_dir();
    let dir = base.join(format!("include-{EMBEDDED_HEADERS_HASH}"));
    let stamp = ".complete";
    if dir.join(stamp).exists() {
        return Ok(dir);
    }
    let tmp = base.join(format!(
        "include-{EMBEDDED_HEADERS_HASH}.tmp-{}",
        std::process::id()
    ));
    let fail = |e: std::io::Error| {
        format!(
            "cannot write pyopaque's headers to {}: {e} (set XDG_CACHE_HOME, or PYOPAQUE_INCLUDE \
             to a directory holding them)",
            tmp.display()
        )
    };
    std::fs::create_dir_all(&tmp).map_err(fail)?;
    for (name, bytes) in EMBEDDED_HEADERS {
        std::fs::write(tmp.join(name), bytes).map_err(fail)?;
    }
    std::fs::write(tmp.join(stamp), EMBEDDED_HEADERS_HASH).map_err(fail)?;
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another run renamed its copy first: use that one.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    if dir.join(stamp).exists() {
        Ok(dir)
    } else {
        Err(format!("cannot create {}", dir.display()))
    }
}

/// Path of `libpyopaque_capi.so` (see the module documentation for the search order). When run
/// under cargo (`$CARGO` set) the library is (re)built first with the same profile, so it is
/// never stale.
pub fn library_path() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("PYOPAQUE_CAPI_LIB") {
        let p = PathBuf::from(p);
        if p.exists() {
            return Ok(p);
        }
        return Err(format!(
            "PYOPAQUE_CAPI_LIB={} does not exist: point it at {LIB_NAME}, or unset it to use \
             the library beside pyopaque",
            p.display()
        ));
    }
    let dir = exe_dir()?;
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
            return Err(format!("building {LIB_NAME} failed"));
        }
    }
    let mut candidates = vec![
        dir.join(LIB_NAME),
        dir.join("..").join("lib").join("pyopaque").join(LIB_NAME),
    ];
    let profiles = if cfg!(debug_assertions) {
        ["debug", "release"]
    } else {
        ["release", "debug"]
    };
    if let Some(src) = source_tree() {
        for p in profiles {
            candidates.push(src.join("target").join(p).join(LIB_NAME));
        }
    }
    if let Some(found) = candidates.iter().find(|p| p.exists()) {
        return Ok(found.canonicalize().unwrap_or_else(|_| found.clone()));
    }
    let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    let build = match source_tree() {
        Some(src) => format!(
            "build it with `cargo build --release -p pyopaque-capi` in {} and copy \
             target/release/{LIB_NAME} beside pyopaque, ",
            src.display()
        ),
        None => String::new(),
    };
    Err(format!(
        "{LIB_NAME} not found (looked in {}): {build}or set PYOPAQUE_CAPI_LIB to its path",
        looked.join(", ")
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capi-shim/include");
        for e in std::fs::read_dir(&dir).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".h") {
                let embedded = EMBEDDED_HEADERS.iter().find(|(n, _)| *n == name);
                let bytes = std::fs::read(dir.join(&name)).unwrap();
                assert_eq!(embedded.map(|(_, b)| *b), Some(&bytes[..]), "{name}");
            }
        }
        assert!(EMBEDDED_HEADERS.iter().any(|(n, _)| *n == "Python.h"));
    }
}
