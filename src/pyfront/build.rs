//! Cythonize and compile Python source into an extension module, cached by content hash.
//!
//! The cache key is the SHA-256 of everything that decides the product: the source bytes, the
//! module name, the Cython version, the target's headers (every file's name and bytes under our
//! include directory, for the pyopaque target), the C compiler and every flag. A product is
//! built in a private directory and renamed into `<cache>/build/<key>/`, so concurrent builds
//! of the same source never see a half-written file, and a second run finds it and compiles
//! nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::cython::{self, Cython};
use super::{CYTHON_VERSION, LIMITED_API_PYOPAQUE};

/// Which C API the module is compiled against.
#[derive(Clone, Debug)]
pub enum Target {
    /// Our headers (`capi-shim/include`), `Py_LIMITED_API` = [`LIMITED_API_PYOPAQUE`].
    Pyopaque,
    /// CPython's headers from `python3`'s sysconfig, `Py_LIMITED_API` = that CPython's
    /// `major.minor` (the reference build: the same generated C, loaded by `import`).
    CPython {
        /// CPython's include directory.
        include: PathBuf,
        /// Its `Py_LIMITED_API` value, e.g. `0x030B0000`.
        limited: String,
    },
    /// CPython's headers without `Py_LIMITED_API` (Cython's regular build, which reaches into
    /// CPython's structs): the fastest build CPython offers for the same source, the other
    /// reference of `bench python`.
    CPythonRegular {
        /// CPython's include directory.
        include: PathBuf,
    },
}

impl Target {
    /// The CPython reference target of `python3` (or `$PYOPAQUE_PYTHON`).
    pub fn cpython() -> Result<Target, String> {
        let out = Command::new(cython::python())
            .args([
                "-c",
                "import sys, sysconfig; print(sysconfig.get_paths()['include']); \
                 print('0x%02X%02X0000' % sys.version_info[:2])",
            ])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", cython::python()))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        match (lines.next(), lines.next()) {
            (Some(inc), Some(v)) if out.status.success() => Ok(Target::CPython {
                include: PathBuf::from(inc),
                limited: v.to_string(),
            }),
            _ => Err("cannot ask python3 for its include directory".into()),
        }
    }

    /// The regular (not limited) CPython target of `python3`.
    pub fn cpython_regular() -> Result<Target, String> {
        match Target::cpython()? {
            Target::CPython { include, .. } => Ok(Target::CPythonRegular { include }),
            other => Ok(other),
        }
    }

    fn include(&self) -> Result<PathBuf, String> {
        match self {
            Target::Pyopaque => crate::capi_lib::include_dir(),
            Target::CPython { include, .. } | Target::CPythonRegular { include } => {
                Ok(include.clone())
            }
        }
    }

    /// `Py_LIMITED_API` for this target; `None` for the regular build.
    fn limited(&self) -> Option<&str> {
        match self {
            Target::Pyopaque => Some(LIMITED_API_PYOPAQUE),
            Target::CPython { limited, .. } => Some(limited),
            Target::CPythonRegular { .. } => None,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Target::Pyopaque => "pyopaque",
            Target::CPython { .. } => "cpython",
            Target::CPythonRegular { .. } => "cpython-regular",
        }
    }
}

/// A built extension module.
#[derive(Clone, Debug)]
pub struct Built {
    /// The shared object (`<module>.so`).
    pub so: PathBuf,
    /// Its module name (`PyInit_<module>`).
    pub module: String,
    /// Whether this call compiled it (false: found in the cache).
    pub compiled: bool,
}

/// The module name for a source file: its stem, with every character that cannot appear in
/// an identifier replaced by `_` (a leading digit gets a `_` prefix).
pub fn module_name(src: &Path) -> String {
    let stem = src.file_stem().and_then(|s| s.to_str()).unwrap_or("main");
    let mut m: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if m.is_empty() || m.starts_with(|c: char| c.is_ascii_digit()) {
        m.insert(0, '_');
    }
    m
}

/// Compiler and flags (after `-I`) for `target`.
fn c_flags(target: &Target) -> Vec<String> {
    let mut flags: Vec<String> = vec![
        "-shared".into(),
        "-fPIC".into(),
        "-O2".into(),
        // A function our headers do not declare would otherwise become an implicit declaration
        // and fail only at load time.
        "-Werror=implicit-function-declaration".into(),
    ];
    if let Some(limited) = target.limited() {
        flags.push("-DCYTHON_LIMITED_API=1".into());
        flags.push(format!("-DPy_LIMITED_API={limited}"));
    }
    flags
}

fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "gcc".into())
}

/// The cache key of `source` built as `module` for `target`; `pxd` is the bytes of the
/// augmenting `.pxd` beside the source (Cython reads it, so it is part of the input).
fn cache_key(
    source: &[u8],
    pxd: Option<&[u8]>,
    module: &str,
    target: &Target,
) -> Result<String, String> {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(CYTHON_VERSION.as_bytes());
    field(source);
    if let Some(p) = pxd {
        field(b"pxd");
        field(p);
    }
    field(module.as_bytes());
    field(target.label().as_bytes());
    field(compiler().as_bytes());
    for f in c_flags(target) {
        field(f.as_bytes());
    }
    let inc = target.include()?;
    field(inc.display().to_string().as_bytes());
    if let Target::Pyopaque = target {
        let mut files: Vec<PathBuf> = Vec::new();
        collect_files(&inc, &mut files).map_err(|e| format!("{}: {e}", inc.display()))?;
        files.sort();
        for f in files {
            field(
                f.strip_prefix(&inc)
                    .unwrap_or(&f)
                    .display()
                    .to_string()
                    .as_bytes(),
            );
            field(&std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?);
        }
    }
    let digest = h.finalize();
    Ok(digest.iter().take(16).map(|b| format!("{b:02x}")).collect())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect_files(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Cythonizes and compiles `src` for `target`, or finds the product in the cache. A Cython
/// error (a syntax error in the source, say) is returned with Cython's own message.
pub fn build(src: &Path, target: &Target, verbose: bool) -> Result<Built, String> {
    let source = std::fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let module = module_name(src);
    let pxd = std::fs::read(src.with_extension("pxd")).ok();
    let key = cache_key(&source, pxd.as_deref(), &module, target)?;
    let dir = cython::cache_root().join("build").join(&key);
    let so = dir.join(format!("{module}.so"));
    if so.exists() {
        return Ok(Built {
            so,
            module,
            compiled: false,
        });
    }
    let cy: Cython = cython::resolve(verbose)?;
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let result = compile_into(&cy, src, &module, target, &tmp, verbose);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if std::fs::rename(&tmp, &dir).is_err() {
        // A concurrent build of the same key finished first: use its product.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    if !so.exists() {
        return Err(format!(
            "build of {} left no {}",
            src.display(),
            so.display()
        ));
    }
    Ok(Built {
        so,
        module,
        compiled: true,
    })
}

fn compile_into(
    cy: &Cython,
    src: &Path,
    module: &str,
    target: &Target,
    dir: &Path,
    verbose: bool,
) -> Result<(), String> {
    let c_file = dir.join(format!("{module}.c"));
    let mut cmd = cy.command();
    cmd.args(["-3", "--module-name", module, "-o"])
        .arg(&c_file)
        .arg(src);
    if verbose {
        eprintln!("{cmd:?}");
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run Cython: {e}"))?;
    if !out.status.success() {
        let msg = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return Err(format!(
            "Cython could not compile {}:\n{}",
            src.display(),
            msg.trim_end()
        ));
    }
    let cc = compiler();
    let mut cmd = Command::new(&cc);
    cmd.args(c_flags(target))
        .arg(format!("-I{}", target.include()?.display()))
        .arg(&c_file)
        .arg("-o")
        .arg(dir.join(format!("{module}.so")));
    if verbose {
        eprintln!("{cmd:?}");
    }
    let out = cmd.output().map_err(|e| format!("cannot run {cc}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("error"))
            .take(20)
            .collect();
        return Err(format!(
            "compiling Cython's C for {} against the {} headers failed:\n{}",
            src.display(),
            target.label(),
            errors.join("\n")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_identifiers() {
        assert_eq!(module_name(Path::new("a/bm_nbody.py")), "bm_nbody");
        assert_eq!(module_name(Path::new("my-prog.py")), "my_prog");
        assert_eq!(module_name(Path::new("3d.pyx")), "_3d");
    }

    #[test]
    fn the_key_depends_on_source_and_target() {
        let cpy = Target::CPython {
            include: PathBuf::from("/x"),
            limited: "0x030B0000".into(),
        };
        let a = cache_key(b"x = 1", None, "m", &Target::Pyopaque).unwrap();
        assert_eq!(
            a,
            cache_key(b"x = 1", None, "m", &Target::Pyopaque).unwrap()
        );
        assert_ne!(
            a,
            cache_key(b"x = 2", None, "m", &Target::Pyopaque).unwrap()
        );
        assert_ne!(
            a,
            cache_key(b"x = 1", None, "n", &Target::Pyopaque).unwrap()
        );
        assert_ne!(a, cache_key(b"x = 1", None, "m", &cpy).unwrap());
        let with_pxd = cache_key(
            b"x = 1",
            Some(b"cdef class A: pass"),
            "m",
            &Target::Pyopaque,
        );
        assert_ne!(a, with_pxd.unwrap());
    }
}
