//! `pyopaque bench python`: Cython's own benchmark suite (`Demos/benchmarks/bm_*` of the
//! pinned Cython's sdist, fetched by pip into the cache, never part of the repository) under
//! CPython (Cython's regular build and its limited build of the same source), PyPy (its
//! interpreter on the plain source, when installed) and pyopaque (the default configuration,
//! or every configuration with `--all`).
//!
//! Method (recorded in docs/benchmarks.md, "python"):
//! * **Scale.** Each benchmark's `run_benchmark(repeat, scale)` is first run at growing
//!   scales under CPython's limited build until the slowest sub-benchmark's fastest run takes
//!   at least [`TARGET_SECONDS`]; every runtime then runs that same scale.
//! * **Runs.** One process runs `run_benchmark(False, scale)` (three timed calls per
//!   sub-benchmark, timed by the benchmark itself with `time.perf_counter`). Rounds go over the
//!   runtimes in turn (interleaved), so drift on a shared machine falls on every runtime alike.
//! * **Figure.** A process's time is the sum over sub-benchmarks of their fastest call; a
//!   runtime's figure is the median over rounds, with the min..max of the rounds as spread.
//! * **Correctness.** A run is correct when it exits 0 and prints the same lines as CPython's
//!   limited build with every number masked (the same sub-benchmarks, the same other output):
//!   the benchmarks print timings and little else, so this is the check their output allows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::build::{self, Built, Target};
use super::cython;
use super::CYTHON_VERSION;

/// The fastest call of the slowest sub-benchmark must take this long under CPython's limited
/// build at the chosen scale (long enough for the timer, short enough for 24 benchmarks x 4
/// runtimes x rounds).
pub const TARGET_SECONDS: f64 = 0.02;

/// A process that runs longer than this is killed and its benchmark counted as failed there.
const PROCESS_LIMIT: Duration = Duration::from_secs(300);

/// The largest scale the calibration tries.
const MAX_SCALE: u64 = 1 << 20;

/// Where one benchmark runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Runtime {
    /// CPython, Cython's regular build.
    CPythonRegular,
    /// CPython, Cython's limited-API build (the same C pyopaque runs, against CPython's headers).
    CPythonLimited,
    /// PyPy's interpreter on the plain source (Cython's pure-Python `cython` module shadows the
    /// compiler's annotations).
    PyPy,
    /// pyopaque in the configuration given (empty: the default).
    Pyopaque(String),
}

impl Runtime {
    /// The JSON key stem (`<stem>_ms`).
    pub fn key(&self) -> String {
        match self {
            Runtime::CPythonRegular => "cpython_regular".into(),
            Runtime::CPythonLimited => "cpython_limited".into(),
            Runtime::PyPy => "pypy".into(),
            Runtime::Pyopaque(c) if c.is_empty() => "pyopaque".into(),
            Runtime::Pyopaque(c) => format!("pyopaque[{c}]"),
        }
    }
}

/// Options of `bench python`.
#[derive(Clone, Debug)]
pub struct Options {
    /// Every pyopaque configuration, not only the default one.
    pub all: bool,
    /// Interleaved rounds per runtime.
    pub rounds: usize,
    /// Only these benchmarks (names without extension); empty: all.
    pub only: Vec<String>,
    /// Run every benchmark at this scale instead of calibrating one per benchmark.
    pub scale: Option<u64>,
}

/// The 32 configurations `--all` runs (the default one is the first).
pub fn all_configs() -> Vec<String> {
    let mut v = vec![String::new()];
    for s in ["classic", "atomic", "biased", "tracing"] {
        for i in ["on", "off"] {
            for t in ["on", "off"] {
                for st in ["on", "off"] {
                    v.push(format!(
                        "scheme={s},immortal={i},tagging={t},strategies={st}"
                    ));
                }
            }
        }
    }
    v
}

/// The unpacked `Demos/benchmarks` directory of the pinned Cython's sdist, downloaded with pip
/// into the cache on first use.
pub fn benchmarks_dir() -> Result<PathBuf, String> {
    let sdist = cython::cache_root().join("sdist");
    let dir = sdist
        .join(format!("cython-{CYTHON_VERSION}"))
        .join("Demos")
        .join("benchmarks");
    if dir.join("util.py").exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&sdist).map_err(|e| format!("{}: {e}", sdist.display()))?;
    let tarball = sdist.join(format!("cython-{CYTHON_VERSION}.tar.gz"));
    if !tarball.exists() {
        let py = cython::resolve(false)?.python;
        let out = Command::new(&py)
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
            ])
            .arg(":all:")
            .arg(format!("cython=={CYTHON_VERSION}"))
            .arg("-d")
            .arg(&sdist)
            .output()
            .map_err(|e| format!("cannot run pip: {e}"))?;
        if !out.status.success() || !tarball.exists() {
            return Err(format!(
                "cannot download Cython {CYTHON_VERSION}'s sdist (offline?): {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("pip left no file")
            ));
        }
    }
    let out = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&sdist)
        .arg(format!("cython-{CYTHON_VERSION}/Demos/benchmarks"))
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !out.status.success() || !dir.join("util.py").exists() {
        return Err(format!(
            "cannot unpack {}: {}",
            tarball.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(dir)
}

/// The benchmark sources of `dir` (`bm_*.py`, `bm_*.pyx`), sorted by name.
pub fn benchmark_sources(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("bm_") && (name.ends_with(".py") || name.ends_with(".pyx"))
        })
        .collect();
    v.sort();
    Ok(v)
}

/// One process's output, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// Sub-benchmark name to its timed calls (seconds), from lines `name: [t, t, ...]` (or
    /// `[t, ...]` alone, named after the benchmark), as Cython's own driver reads them.
    pub timings: BTreeMap<String, Vec<f64>>,
    /// Every line with its numbers masked: the run's shape, compared between runtimes.
    pub shape: Vec<String>,
}

impl RunOutput {
    /// Sum over sub-benchmarks of the fastest call, in seconds.
    pub fn seconds(&self) -> f64 {
        self.timings
            .values()
            .map(|t| t.iter().copied().fold(f64::INFINITY, f64::min))
            .sum()
    }

    /// The slowest sub-benchmark's fastest call (the calibration's measure).
    fn slowest_fastest(&self) -> f64 {
        self.timings
            .values()
            .map(|t| t.iter().copied().fold(f64::INFINITY, f64::min))
            .fold(0.0, f64::max)
    }
}

/// Replaces every number (digits with an optional sign, fraction and exponent) by `#`.
pub fn mask_numbers(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let starts_number =
            b[i].is_ascii_digit() || (b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit());
        let in_word = i > 0 && (b[i - 1].is_ascii_alphabetic() || b[i - 1] == b'_');
        if starts_number && !in_word {
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || b[i] == b'.'
                    || ((b[i] == b'e' || b[i] == b'E')
                        && i + 1 < b.len()
                        && (b[i + 1].is_ascii_digit() || b[i + 1] == b'-' || b[i + 1] == b'+'))
                    || ((b[i] == b'-' || b[i] == b'+') && matches!(b[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            out.push('#');
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Parses a benchmark process's standard output.
pub fn parse_output(module: &str, stdout: &str) -> RunOutput {
    let mut timings = BTreeMap::new();
    let mut shape = Vec::new();
    for line in stdout.lines() {
        shape.push(mask_numbers(line.trim_end()));
        let line = line.trim();
        if !(line.ends_with(']') && line.contains('[')) {
            continue;
        }
        let (name, list) = match line.split_once(':') {
            Some((n, rest)) => (n.trim().to_string(), rest.trim()),
            None => (module.to_string(), line),
        };
        if let Some(inner) = list.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let values: Result<Vec<f64>, _> =
                inner.split(',').map(|t| t.trim().parse::<f64>()).collect();
            if let Ok(v) = values {
                if !v.is_empty() {
                    timings.insert(name, v);
                }
            }
        }
    }
    RunOutput { timings, shape }
}

/// A benchmark made ready for one runtime.
// A handful exist at a time (one per runtime of the benchmark being run): the size of the
// larger variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum Prepared {
    /// Compiled modules: util, the benchmark, the driver (`sys.argv[1]` is the scale).
    Compiled {
        target: Target,
        /// pyopaque's own stdlib modules ([`super::pylib`]), initialised first (pyopaque only).
        pylib: Vec<Built>,
        util: Built,
        bm: Built,
        drive: Built,
        drive_src: PathBuf,
    },
    /// PyPy runs the source directory.
    Interpreted { dir: PathBuf, module: String },
}

/// Writes the driver of `module` (one per benchmark, so the build cache keys it once).
fn driver_source(work: &Path, module: &str) -> Result<PathBuf, String> {
    let p = work.join(format!("drive_{module}.py"));
    let text = format!(
        "import sys\nimport {module}\nprint({module}.run_benchmark(False, int(sys.argv[1])))\n"
    );
    if std::fs::read_to_string(&p).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(p)
}

fn prepare(rt: &Runtime, dir: &Path, work: &Path, src: &Path) -> Result<Prepared, String> {
    let module = build::module_name(src);
    if *rt == Runtime::PyPy {
        return Ok(Prepared::Interpreted {
            dir: dir.to_path_buf(),
            module,
        });
    }
    let target = match rt {
        Runtime::CPythonRegular => Target::cpython_regular()?,
        Runtime::CPythonLimited => Target::cpython()?,
        _ => Target::Pyopaque,
    };
    let drive_src = driver_source(work, &module)?;
    let pylib = match target {
        Target::Pyopaque => {
            let taken = [module.clone(), "util".to_string()];
            super::pylib::sources(&taken)?
                .iter()
                .map(|p| build::build(p, &target, false))
                .collect::<Result<Vec<_>, _>>()?
        }
        _ => Vec::new(),
    };
    let util = build::build(&dir.join("util.py"), &target, false)?;
    let bm = build::build(src, &target, false)?;
    let drive = build::build(&drive_src, &target, false)?;
    Ok(Prepared::Compiled {
        target,
        pylib,
        util,
        bm,
        drive,
        drive_src,
    })
}

/// The `PYTHONPATH` entry giving PyPy Cython's pure-Python `cython` module.
fn pypy_path() -> Result<PathBuf, String> {
    let py = cython::resolve(false)?.python;
    let out = Command::new(py)
        .args([
            "-c",
            "import cython, os; print(os.path.dirname(cython.__file__))",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || p.is_empty() {
        return Err("cannot locate Cython's pure-Python `cython` module".into());
    }
    Ok(PathBuf::from(p))
}

/// Runs `cmd` with a time limit; stdout, or why the run failed (with the last stderr line).
fn run_limited(mut cmd: Command, work: &Path, tag: &str) -> Result<String, String> {
    let out_path = work.join(format!("{tag}.out"));
    let err_path = work.join(format!("{tag}.err"));
    let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = std::fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(st);
        }
        if start.elapsed() > PROCESS_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    match status {
        None => Err(format!(
            "still running after {} s (killed)",
            PROCESS_LIMIT.as_secs()
        )),
        Some(st) if st.success() => Ok(stdout),
        Some(st) => {
            use std::os::unix::process::ExitStatusExt;
            let how = match st.signal() {
                Some(sig) => format!("killed by signal {sig}"),
                None => format!("exit status {}", st.code().unwrap_or(-1)),
            };
            Err(if last.is_empty() {
                how
            } else {
                format!("{how}: {last}")
            })
        }
    }
}

/// One process of `prepared` under `rt` at `scale`.
fn run_once(
    rt: &Runtime,
    prepared: &Prepared,
    scale: u64,
    work: &Path,
    pypy_path: Option<&Path>,
) -> Result<RunOutput, String> {
    let tag = format!(
        "run-{}",
        rt.key().replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    match prepared {
        Prepared::Interpreted { dir, module } => {
            let code = format!(
                "import sys\nsys.path.insert(0, {dir:?})\nimport {module}\n\
                 print({module}.run_benchmark(False, {scale}))\n",
                dir = dir.display().to_string()
            );
            let mut cmd = Command::new("pypy3");
            cmd.arg("-c").arg(code).current_dir(work);
            if let Some(p) = pypy_path {
                cmd.env("PYTHONPATH", p);
            }
            let out = run_limited(cmd, work, &tag)?;
            Ok(parse_output(module, &out))
        }
        Prepared::Compiled {
            target,
            pylib,
            util,
            bm,
            drive,
            drive_src,
        } => {
            let mut preload: Vec<&std::ffi::OsStr> = Vec::new();
            for m in pylib.iter().chain([util, bm]) {
                preload.push(m.so.as_os_str());
                preload.push(m.module.as_ref());
            }
            let scale_arg = scale.to_string();
            let cmd = match target {
                Target::Pyopaque => {
                    let mut cmd = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
                    let config = match rt {
                        Runtime::Pyopaque(c) => c.clone(),
                        _ => String::new(),
                    };
                    cmd.env("PYOPAQUE_CAPI_LIB", crate::capi_lib::library_path()?)
                        .env_remove("PYOPAQUE_GC_STRESS")
                        .arg("__run-child")
                        .arg(config)
                        .arg(&drive.so)
                        .arg(&drive.module);
                    cmd
                }
                _ => {
                    let mut cmd = Command::new(cython::python());
                    cmd.args(["-c", super::run::CPYTHON_DRIVER])
                        .arg(&drive.so)
                        .arg(&drive.module);
                    cmd
                }
            };
            let mut cmd = cmd;
            cmd.args(preload)
                .arg("--")
                .arg(drive_src)
                .arg(&scale_arg)
                .current_dir(work);
            let out = run_limited(cmd, work, &tag)?;
            Ok(parse_output(&bm.module, &out))
        }
    }
}

/// The scale at which the slowest sub-benchmark's fastest call takes [`TARGET_SECONDS`] under
/// `reference`, found by growing the scale from 1.
fn calibrate(reference: &Prepared, work: &Path) -> Result<(u64, RunOutput), String> {
    let mut scale = 1u64;
    loop {
        let out = run_once(&Runtime::CPythonLimited, reference, scale, work, None)?;
        let t = out.slowest_fastest();
        if out.timings.is_empty() {
            return Err("the benchmark printed no timings under CPython".into());
        }
        if t >= TARGET_SECONDS || scale >= MAX_SCALE {
            return Ok((scale, out));
        }
        let factor = if t > 0.0 {
            (TARGET_SECONDS / t).clamp(2.0, 64.0)
        } else {
            64.0
        };
        scale = ((scale as f64 * factor).ceil() as u64).min(MAX_SCALE);
    }
}

/// Median and min..max of `v` (non-empty).
fn summary(v: &[f64]) -> (f64, f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    (median, s[0], s[n - 1])
}

/// Measures every benchmark; the JSON object documented in docs/benchmarks.md ("python").
/// `progress` receives one line per benchmark.
pub fn measure(opts: &Options, progress: &mut dyn FnMut(&str)) -> Result<Value, String> {
    let dir = benchmarks_dir()?;
    let work = cython::cache_root().join("bench-python");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let pypy = Command::new("pypy3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let pypy_path = if pypy { pypy_path().ok() } else { None };
    let mut runtimes = vec![
        Runtime::CPythonRegular,
        Runtime::CPythonLimited,
        Runtime::Pyopaque(String::new()),
    ];
    if pypy {
        runtimes.insert(2, Runtime::PyPy);
    }
    if opts.all {
        runtimes.extend(all_configs().into_iter().skip(1).map(Runtime::Pyopaque));
    }
    let mut benchmarks = serde_json::Map::new();
    let mut completed = 0;
    let sources = benchmark_sources(&dir)?;
    for src in &sources {
        let module = build::module_name(src);
        if !opts.only.is_empty() && !opts.only.contains(&module) {
            continue;
        }
        let entry = measure_one(opts, &runtimes, &dir, &work, src, pypy_path.as_deref());
        let ok = entry["ok"].as_bool() == Some(true);
        completed += usize::from(ok);
        progress(&format!(
            "{module}: {}",
            if ok {
                format!(
                    "ok, pyopaque {:.2} ms, CPython limited {:.2} ms",
                    entry["pyopaque_ms"].as_f64().unwrap_or(f64::NAN),
                    entry["cpython_limited_ms"].as_f64().unwrap_or(f64::NAN)
                )
            } else {
                entry["error"].as_str().unwrap_or("failed").to_string()
            }
        ));
        benchmarks.insert(module, entry);
    }
    Ok(json!({
        "completed": completed,
        "total": benchmarks.len(),
        "rounds": opts.rounds,
        "target_seconds": TARGET_SECONDS,
        "pypy": if pypy { Value::Null } else { json!("pypy3 not found: PyPy columns are null") },
        "benchmarks": Value::Object(benchmarks),
    }))
}

fn measure_one(
    opts: &Options,
    runtimes: &[Runtime],
    dir: &Path,
    work: &Path,
    src: &Path,
    pypy_path: Option<&Path>,
) -> Value {
    let mut entry = serde_json::Map::new();
    for key in [
        "cpython_regular_ms",
        "cpython_limited_ms",
        "pypy_ms",
        "pyopaque_ms",
    ] {
        entry.insert(key.into(), Value::Null);
    }
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let mut prepared: Vec<Option<Prepared>> = Vec::new();
    let pyx = src.extension().is_some_and(|e| e == "pyx");
    for rt in runtimes {
        if pyx && *rt == Runtime::PyPy {
            errors.insert(
                rt.key(),
                "a .pyx source is Cython syntax; PyPy runs plain Python only".into(),
            );
            prepared.push(None);
            continue;
        }
        match prepare(rt, dir, work, src) {
            Ok(p) => prepared.push(Some(p)),
            Err(e) => {
                errors.insert(rt.key(), first_lines(&e));
                prepared.push(None);
            }
        }
    }
    let limited_idx = runtimes
        .iter()
        .position(|r| *r == Runtime::CPythonLimited)
        .expect("CPython's limited build is always measured");
    let Some(reference) = prepared[limited_idx].as_ref() else {
        entry.insert("ok".into(), json!(false));
        entry.insert(
            "error".into(),
            json!(format!(
                "CPython's limited build failed: {}",
                errors.get("cpython_limited").cloned().unwrap_or_default()
            )),
        );
        return Value::Object(entry);
    };
    let calibrated = match opts.scale {
        Some(s) => run_once(&Runtime::CPythonLimited, reference, s, work, None).map(|o| (s, o)),
        None => calibrate(reference, work),
    };
    let (scale, reference_out) = match calibrated {
        Ok(x) => x,
        Err(e) => {
            entry.insert("ok".into(), json!(false));
            entry.insert(
                "error".into(),
                json!(format!("under CPython's limited build: {e}")),
            );
            return Value::Object(entry);
        }
    };
    entry.insert("scale".into(), json!(scale));
    let mut seconds: Vec<Vec<f64>> = vec![Vec::new(); runtimes.len()];
    for _ in 0..opts.rounds.max(1) {
        for (i, rt) in runtimes.iter().enumerate() {
            if errors.contains_key(&rt.key()) {
                continue;
            }
            let Some(p) = prepared[i].as_ref() else {
                continue;
            };
            match run_once(rt, p, scale, work, pypy_path) {
                Ok(out) if out.timings.is_empty() => {
                    errors.insert(rt.key(), "printed no timings".into());
                }
                Ok(out)
                    if matches!(rt, Runtime::Pyopaque(_)) && out.shape != reference_out.shape =>
                {
                    errors.insert(rt.key(), shape_difference(&reference_out, &out));
                }
                Ok(out) => seconds[i].push(out.seconds()),
                Err(e) => {
                    errors.insert(rt.key(), e);
                }
            }
        }
    }
    let mut spread = serde_json::Map::new();
    let mut configs = serde_json::Map::new();
    for (i, rt) in runtimes.iter().enumerate() {
        let key = rt.key();
        let figure = if errors.contains_key(&key) || seconds[i].is_empty() {
            Value::Null
        } else {
            let (m, lo, hi) = summary(&seconds[i]);
            spread.insert(key.clone(), json!([lo * 1e3, hi * 1e3]));
            json!(m * 1e3)
        };
        match rt {
            Runtime::Pyopaque(c) if !c.is_empty() => {
                configs.insert(c.clone(), figure);
            }
            _ => {
                entry.insert(format!("{key}_ms"), figure);
            }
        }
    }
    let ok = !entry["pyopaque_ms"].is_null();
    entry.insert("ok".into(), json!(ok));
    entry.insert("spread_ms".into(), Value::Object(spread));
    if opts.all {
        entry.insert("configs_ms".into(), Value::Object(configs));
    }
    if !errors.is_empty() {
        entry.insert(
            "error".into(),
            json!(errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; ")),
        );
    }
    Value::Object(entry)
}

/// The first differing line of two runs' shapes, for the error message.
fn shape_difference(reference: &RunOutput, got: &RunOutput) -> String {
    let n = reference.shape.len().max(got.shape.len());
    for i in 0..n {
        let a = reference.shape.get(i).map_or("<end>", |s| s.as_str());
        let b = got.shape.get(i).map_or("<end>", |s| s.as_str());
        if a != b {
            return format!(
                "output differs from CPython's at line {}: expected {a:?}, got {b:?}",
                i + 1
            );
        }
    }
    "output differs from CPython's".into()
}

/// The first three lines of a long message (a compiler's error list).
fn first_lines(e: &str) -> String {
    e.lines().take(3).collect::<Vec<_>>().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_but_names_are_not() {
        assert_eq!(
            mask_numbers("bm_fib2: [0.5, 1e-05, 3]"),
            "bm_fib2: [#, #, #]"
        );
        assert_eq!(mask_numbers("x_1 = -2.5E+3"), "x_1 = -#");
        assert_eq!(mask_numbers("None"), "None");
    }

    #[test]
    fn timings_are_read_as_cythons_driver_reads_them() {
        let out = parse_output(
            "bm_x",
            "bm_a: [0.3, 0.1, 0.2]\nbm_b: [1.0]\nNone\n[2.0, 4.0]\n",
        );
        assert_eq!(out.timings["bm_a"], vec![0.3, 0.1, 0.2]);
        assert_eq!(out.timings["bm_x"], vec![2.0, 4.0]);
        assert_eq!(out.timings.len(), 3);
        assert!((out.seconds() - (0.1 + 1.0 + 2.0)).abs() < 1e-12);
        assert_eq!(out.slowest_fastest(), 2.0);
        assert_eq!(out.shape[2], "None");
    }

    #[test]
    fn a_line_that_is_not_a_list_of_numbers_is_no_timing() {
        let out = parse_output("m", "names: [a, b]\n");
        assert!(out.timings.is_empty());
    }

    #[test]
    fn the_summary_is_the_median_and_the_range() {
        assert_eq!(summary(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(summary(&[4.0, 1.0]), (2.5, 1.0, 4.0));
    }

    #[test]
    fn the_default_configuration_comes_first_of_thirty_three() {
        let c = all_configs();
        assert_eq!(c.len(), 33);
        assert!(c[0].is_empty());
    }
}
