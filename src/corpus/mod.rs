//! `pyopaque corpus`: real PyPI packages with C extensions (the pinned list in
//! `packages.txt`), each built from its own `setup.py build_ext` against CPython and against
//! pyopaque at each opacity level, then loaded through our runner.
//!
//! Recipe: the sdist is fetched with pip into `~/.cache/pyopaque/corpus/sdists` (sha256 checked)
//! and unpacked per level under `target/corpus/<level>/`; `setup.py build_ext` runs with `CC`
//! set to a wrapper script. For the pyopaque levels the wrapper drops CPython's include
//! directories from every compile and puts ours first (`-DPy_LIMITED_API=0x030B0000` added for
//! `limited`); a failing compile has its gcc output logged and leaves an empty object so the
//! build goes on and every source's errors are collected. Linking is the package's own. A level
//! *builds* when no compile failed and `build_ext` succeeded; it *loads* when every extension
//! module initialises in our runner (default configuration). Smoke calls are not run yet (no
//! driver): reported as such, never as passing. The `regular` level (a complete
//! `PyTypeObject`) does not exist: reported as not available.

pub mod classify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::{json, Value};

/// The pinned list (name, version, sdist file, sha256).
const PACKAGES: &str = include_str!("packages.txt");

/// Levels: CPython (the reference), then ours.
pub const LEVELS: &[&str] = &["cpython", "opaque-types", "limited"];

/// `pyopaque corpus` arguments.
#[derive(clap::Args, Debug)]
pub struct CorpusArgs {
    /// Print one JSON object (per package and level: builds, loads, smoke, errors_by_cause).
    #[arg(long)]
    pub json: bool,
    /// Only these packages (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    pub packages: Vec<String>,
}

/// One pinned package.
#[derive(Clone, Debug)]
pub struct Package {
    /// PyPI name.
    pub name: String,
    /// Pinned version.
    pub version: String,
    /// sdist file name.
    pub sdist: String,
    /// sha256 of the sdist.
    pub sha256: String,
}

/// The pinned list.
pub fn packages() -> Vec<Package> {
    PACKAGES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 4).then(|| Package {
                name: f[0].into(),
                version: f[1].into(),
                sdist: f[2].into(),
                sha256: f[3].into(),
            })
        })
        .collect()
}

/// The cache directory of downloaded sdists.
fn cache_dir() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
    PathBuf::from(home).join(".cache/pyopaque/corpus/sdists")
}

/// The sdist of `p` in the cache, fetched with pip when missing; its sha256 must match.
pub fn fetch(p: &Package) -> Result<PathBuf, String> {
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join(&p.sdist);
    if !file.exists() {
        let out = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "-q",
                "-d",
            ])
            .arg(&dir)
            .arg(format!("{}=={}", p.name, p.version))
            .output()
            .map_err(|e| format!("pip: {e}"))?;
        if !out.status.success() || !file.exists() {
            return Err(format!(
                "offline or download failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
    }
    let out = Command::new("sha256sum")
        .arg(&file)
        .output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    let got = String::from_utf8_lossy(&out.stdout);
    let got = got.split_whitespace().next().unwrap_or("");
    if got != p.sha256 {
        return Err(format!("sha256 mismatch for {}: {got}", p.sdist));
    }
    Ok(file)
}

/// The build tool the recipes need, pinned: CPython 3.11's bundled setuptools is too old for
/// current `pyproject.toml` metadata.
const SETUPTOOLS: &str = "setuptools==80.9.0";

/// The Python that runs `setup.py`: a venv in the cache with [`SETUPTOOLS`], made once.
fn build_python() -> Result<PathBuf, String> {
    let venv = cache_dir().with_file_name("venv");
    let py = venv.join("bin/python");
    let marker = venv.join(SETUPTOOLS);
    if marker.exists() {
        return Ok(py);
    }
    let ok = |c: &mut Command| c.status().is_ok_and(|s| s.success());
    if !py.exists() && !ok(Command::new("python3").arg("-m").arg("venv").arg(&venv)) {
        return Err("cannot create the build venv".into());
    }
    if !ok(Command::new(&py).args(["-m", "pip", "install", "-q", SETUPTOOLS])) {
        return Err(format!(
            "offline or pip failed: cannot install {SETUPTOOLS}"
        ));
    }
    std::fs::write(&marker, "").map_err(|e| e.to_string())?;
    Ok(py)
}

/// CPython's include directories (`python3-config --includes`).
fn cpython_includes() -> Vec<String> {
    Command::new("python3-config")
        .arg("--includes")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(|s| s.trim_start_matches("-I").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The compiler wrapper for `level` (see the module documentation), written into `dir`.
fn write_wrapper(dir: &Path, level: &str, log: &Path) -> Result<PathBuf, String> {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("capi-shim/include");
    let drop: Vec<String> = if level == "cpython" {
        Vec::new()
    } else {
        cpython_includes()
    };
    let mut cases = String::new();
    for d in &drop {
        cases += &format!("    \"-I{d}\"|\"-I{d}/\") continue ;;\n");
    }
    let prefix = match level {
        "cpython" => String::new(),
        "limited" => format!("-I{} -DPy_LIMITED_API=0x030B0000", ours.display()),
        _ => format!("-I{}", ours.display()),
    };
    let script = format!(
        "#!/bin/sh\n# pyopaque corpus compiler wrapper, level {level}\nfor a do\n  shift\n  case \"$a\" in\n{cases}  esac\n  set -- \"$@\" \"$a\"\ndone\ncase \" $* \" in *\" -c \"*) ;; *) exec gcc {prefix} \"$@\" ;; esac\nerr=$(gcc {prefix} -fdiagnostics-color=never \"$@\" 2>&1)\nrc=$?\nprintf '%s\\n' \"$err\" >> '{log}'\nif [ $rc -ne 0 ]; then\n  printf 'PYOPAQUE-COMPILE-FAILED\\n' >> '{log}'\n  out=''; prev=''\n  for a do [ \"$prev\" = -o ] && out=\"$a\"; prev=\"$a\"; done\n  [ -n \"$out\" ] && gcc -c -x c /dev/null -o \"$out\"\nfi\nexit 0\n",
        log = log.display()
    );
    let path = dir.join(format!("cc-{level}.sh"));
    std::fs::write(&path, script).map_err(|e| e.to_string())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    Ok(path)
}

/// What one package gave at one level.
#[derive(Clone, Debug)]
pub struct LevelOutcome {
    /// Every compile succeeded and `build_ext` finished.
    pub builds: bool,
    /// Every built module initialised in our runner (None: not tried, e.g. nothing built).
    pub loads: Option<bool>,
    /// Why it did not build or load (first line), if it did not.
    pub why: Option<String>,
    /// Compile errors by cause.
    pub errors_by_cause: BTreeMap<&'static str, usize>,
    /// Unclassified error messages (for new rules).
    pub other_errors: Vec<String>,
}

/// Builds `p` at `level` from `sdist` under `root`.
fn build(p: &Package, sdist: &Path, level: &str, root: &Path) -> LevelOutcome {
    let fail = |why: String| LevelOutcome {
        builds: false,
        loads: None,
        why: Some(why),
        errors_by_cause: BTreeMap::new(),
        other_errors: Vec::new(),
    };
    let dir = root.join(level).join(&p.name);
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return fail(e.to_string());
    }
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(sdist)
        .arg("-C")
        .arg(&dir)
        .status();
    if !untar.is_ok_and(|s| s.success()) {
        return fail("cannot unpack the sdist".into());
    }
    let Some(src) = std::fs::read_dir(&dir).ok().and_then(|rd| {
        rd.filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.is_dir())
    }) else {
        return fail("empty sdist".into());
    };
    // A pyproject-only sdist declares its extensions in `[tool.setuptools] ext-modules`: the
    // standard one-line `setup.py` lets `build_ext` read them.
    if !src.join("setup.py").exists()
        && std::fs::write(
            src.join("setup.py"),
            "from setuptools import setup\nsetup()\n",
        )
        .is_err()
    {
        return fail("cannot write setup.py".into());
    }
    let log = dir.join("compile.log");
    let cc = match write_wrapper(&dir, level, &log) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let lib = dir.join("lib");
    let python = match build_python() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let out = Command::new(python)
        .current_dir(&src)
        .args(["setup.py", "build_ext", "--build-lib"])
        .arg(&lib)
        .arg("--build-temp")
        .arg(dir.join("tmp"))
        .env("CC", &cc)
        .env("LDSHARED", "gcc -shared")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return fail(format!("python3: {e}")),
    };
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let compile_failed = log_text.contains("PYOPAQUE-COMPILE-FAILED");
    let diags = classify::diagnostics(&log_text);
    let limited = level == "limited";
    let errors_by_cause = classify::by_cause(&diags, limited);
    let other_errors: Vec<String> = diags
        .iter()
        .zip(classify::causes(&diags, limited))
        .filter(|(_, c)| *c == "other")
        .map(|(d, _)| d.message.clone())
        .take(20)
        .collect();
    let builds = out.status.success() && !compile_failed;
    let why = (!builds).then(|| {
        if compile_failed {
            format!("{} compile errors", diags.len())
        } else {
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("build_ext failed")
                .to_string()
        }
    });
    let loads = (builds && level != "cpython").then(|| load_all(&lib));
    LevelOutcome {
        builds,
        loads: loads.as_ref().map(|r| r.is_ok()),
        why: why.or_else(|| loads.and_then(|r| r.err())),
        errors_by_cause,
        other_errors,
    }
}

/// The built extension modules under `lib` (`.so` files), with their module names.
fn modules(lib: &Path) -> Vec<(PathBuf, String)> {
    let mut v = Vec::new();
    let mut stack = vec![lib.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "so") {
                let name = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.split('.').next())
                    .unwrap_or("")
                    .to_string();
                v.push((p, name));
            }
        }
    }
    v.sort();
    v
}

/// Loads every module under `lib` in our runner (default configuration, one child each).
fn load_all(lib: &Path) -> Result<(), String> {
    let mods = modules(lib);
    if mods.is_empty() {
        return Err("no extension module was built".into());
    }
    let cfg = crate::ext::ExtConfig {
        init: "scheme=classic,immortal=on,tagging=on,strategies=on,gc_stress=off".into(),
        label: "classic+imm+tag+strat".into(),
    };
    for (so, name) in mods {
        let o = crate::ext::run_config(&so, &name, &cfg, None)?;
        if let Some(c) = o.crash {
            return Err(format!("{name}: {c}"));
        }
        if let Some((_, Some(m))) = o.tests.iter().find(|(_, f)| f.is_some()) {
            return Err(format!("{name}: {m}"));
        }
    }
    Ok(())
}

/// Runs the corpus (two packages at a time) and returns JSON.
pub fn measure(filter: &[String]) -> Value {
    let pkgs: Vec<Package> = packages()
        .into_iter()
        .filter(|p| filter.is_empty() || filter.iter().any(|f| f == &p.name))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/corpus");
    let results = std::sync::Mutex::new(BTreeMap::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(p) = pkgs.get(i) else { break };
                let entry = match fetch(p) {
                    Err(e) => json!({ "version": p.version, "fetch_error": e }),
                    Ok(sdist) => {
                        let mut levels = serde_json::Map::new();
                        for l in LEVELS {
                            let o = build(p, &sdist, l, &root);
                            levels.insert(
                                l.to_string(),
                                json!({
                                    "builds": o.builds,
                                    "loads": o.loads,
                                    "smoke": Value::Null,
                                    "why": o.why,
                                    "errors_by_cause": o.errors_by_cause,
                                    "other_errors": o.other_errors,
                                }),
                            );
                        }
                        levels.insert(
                            "regular".into(),
                            json!({ "available": false, "why": "no complete-PyTypeObject header level exists yet" }),
                        );
                        json!({ "version": p.version, "levels": levels })
                    }
                };
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(p.name.clone(), entry);
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    json!({
        "recipe": "setup.py build_ext with CC = a wrapper that drops CPython's include dirs and puts ours first; failing compiles are logged and replaced by empty objects so every error is collected",
        "smoke": "not run: no per-package driver yet",
        "packages": results,
    })
}

/// Entry of `pyopaque corpus`.
pub fn run(args: CorpusArgs) -> Result<ExitCode, String> {
    let v = measure(&args.packages);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", crate::report::corpus::table(&v));
    }
    Ok(ExitCode::SUCCESS)
}
