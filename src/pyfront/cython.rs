//! Finding Cython [`CYTHON_VERSION`](super::CYTHON_VERSION).
//!
//! Order: `python3 -m cython` when it reports exactly that version; else the project's own
//! virtual environment (`<cache>/cython-<version>/`, see [`cache_root`]), created with
//! `python3 -m venv` and `pip install cython==<version>` on first use. The system Python is
//! never modified. When neither works (no `python3`, offline), the error says what was tried
//! and how to fix it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::CYTHON_VERSION;

/// The Python interpreter that runs Cython (`python3`, or `$PYOPAQUE_PYTHON`).
pub fn python() -> String {
    std::env::var("PYOPAQUE_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The directory pyopaque keeps its Cython environment and build products in:
/// `$PYOPAQUE_CACHE_DIR`, else `$XDG_CACHE_HOME/pyopaque`, else `~/.cache/pyopaque`, else
/// the system temporary directory.
pub fn cache_root() -> PathBuf {
    if let Ok(d) = std::env::var("PYOPAQUE_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Ok(d) = std::env::var("XDG_CACHE_HOME") {
        if !d.is_empty() {
            return Path::new(&d).join("pyopaque");
        }
    }
    match std::env::var("HOME") {
        Ok(h) if !h.is_empty() => Path::new(&h).join(".cache").join("pyopaque"),
        _ => std::env::temp_dir().join("pyopaque-cache"),
    }
}

/// How to run Cython: an interpreter whose `-m cython` is the pinned version.
#[derive(Clone, Debug)]
pub struct Cython {
    /// The Python executable.
    pub python: PathBuf,
}

impl Cython {
    /// A command running `python -m cython`.
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.python);
        c.args(["-m", "cython"]);
        c
    }
}

/// The version `python -m cython --version` reports, if it runs.
fn reported_version(python: &Path) -> Option<String> {
    let out = Command::new(python)
        .args(["-m", "cython", "--version"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // Cython prints "Cython version X.Y.Z" (to stdout or stderr, by version).
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.split_whitespace().last().map(str::to_string)
}

/// The project's virtual environment for the pinned Cython.
pub fn venv_dir() -> PathBuf {
    cache_root().join(format!("cython-{CYTHON_VERSION}"))
}

/// Finds the pinned Cython, installing it into the project's environment on first use.
pub fn resolve(verbose: bool) -> Result<Cython, String> {
    let system = PathBuf::from(python());
    if reported_version(&system).as_deref() == Some(CYTHON_VERSION) {
        return Ok(Cython { python: system });
    }
    let venv = venv_dir();
    let vpy = venv.join("bin").join("python");
    if reported_version(&vpy).as_deref() == Some(CYTHON_VERSION) {
        return Ok(Cython { python: vpy });
    }
    install(&system, &venv, verbose)?;
    // A concurrent first use may have won the rename; either environment is complete.
    match reported_version(&vpy) {
        Some(v) if v == CYTHON_VERSION => Ok(Cython { python: vpy }),
        other => Err(format!(
            "Cython {CYTHON_VERSION} was installed into {} but reports {other:?}",
            venv.display()
        )),
    }
}

/// Creates the environment and pip-installs the pinned Cython into it (never into `python`).
fn install(python: &Path, venv: &Path, verbose: bool) -> Result<(), String> {
    let fail = |what: &str| {
        format!(
            "Cython {CYTHON_VERSION} is needed to compile Python source: `{} -m cython` is not that \
             version, and installing it into {} failed ({what}). Install it with \
             `pip install cython=={CYTHON_VERSION}` (or point PYOPAQUE_PYTHON at a Python that has it)",
            python.display(),
            venv.display()
        )
    };
    eprintln!(
        "pyopaque: installing Cython {CYTHON_VERSION} into {} (once)",
        venv.display()
    );
    if let Some(parent) = venv.parent() {
        std::fs::create_dir_all(parent).map_err(|e| fail(&e.to_string()))?;
    }
    let quiet = |c: &mut Command| {
        if !verbose {
            c.stdout(std::process::Stdio::null());
        }
    };
    // Built under a private name and renamed into place, so a concurrent first use never
    // sees half an environment (the environment is run as `bin/python -m ...`, which does not
    // depend on the directory's name).
    let tmp = venv.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut mk = Command::new(python);
    mk.args(["-m", "venv"]).arg(&tmp);
    quiet(&mut mk);
    let out = mk
        .output()
        .map_err(|e| fail(&format!("cannot run python: {e}")))?;
    if !out.status.success() {
        return Err(fail(&format!(
            "python -m venv: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let mut pip = Command::new(tmp.join("bin").join("python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .arg(format!("cython=={CYTHON_VERSION}"));
    quiet(&mut pip);
    let out = pip.output().map_err(|e| fail(&e.to_string()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(fail(&format!("pip: {}", last.trim())));
    }
    if std::fs::rename(&tmp, venv).is_err() {
        // Another process installed it first.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}
