//! Standard-library modules written in Python for pyopaque (`src/pyfront/pylib/`), for modules
//! whose CPython source needs more of the standard library than pyopaque has (CPython's
//! `optparse.py` imports `os`, `textwrap` and `gettext`). They are compiled by the same Cython
//! pipeline as a program and initialised before it by `run`, unless the program brings a module
//! of the same name (`--module optparse.py` wins). Each documents the subset it covers. The
//! sources are embedded in the binary and written to `<cache>/pylib/` when used, so an installed
//! copy needs no source tree.

use std::path::{Path, PathBuf};

/// The modules: name and source.
const MODULES: &[(&str, &str)] = &[("optparse", include_str!("pylib/optparse.py"))];

/// The source files of the pylib modules whose names `taken` does not hold, written into the
/// cache (rewritten only when the embedded text changed; written under a private name and
/// renamed, so concurrent runs never read a partial file).
pub fn sources(taken: &[String]) -> Result<Vec<PathBuf>, String> {
    sources_in(&super::cython::cache_root().join("pylib"), taken)
}

fn sources_in(dir: &Path, taken: &[String]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for (name, text) in MODULES {
        if taken.iter().any(|t| t == name) {
            continue;
        }
        let path = dir.join(format!("{name}.py"));
        write_if_changed(&path, text)?;
        out.push(path);
    }
    Ok(out)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|b| b == text.as_bytes()) {
        return Ok(());
    }
    let tmp = path.with_extension(format!("py.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_the_program_brings_is_not_replaced() {
        let dir = std::env::temp_dir().join(format!("pyopaque-pylib-{}", std::process::id()));
        let all = sources_in(&dir, &[]).unwrap();
        assert!(all.iter().any(|p| p.ends_with("optparse.py")));
        assert_eq!(std::fs::read_to_string(&all[0]).unwrap(), MODULES[0].1);
        let none = sources_in(&dir, &["optparse".to_string()]).unwrap();
        assert!(none.iter().all(|p| !p.ends_with("optparse.py")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
