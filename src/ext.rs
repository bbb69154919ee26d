//! `pyopaque run-ext`: build a C extension against our headers, then run its `test_*` functions
//! under each requested configuration, each configuration in child processes of its own so that
//! a crash or a hang is a reported failure of the test that caused it rather than a lost run
//! ([`supervisor`]).
//!
//! What the command takes is decided in one place, [`InputKind::of`]: a C source is compiled,
//! a shared object is loaded as it is, anything else is an "unsupported file kind" error.

pub mod supervisor;
pub mod symbols;

use std::ffi::{c_char, c_int, CString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::Args;
use pyopaque_runtime::Scheme;

pub use supervisor::{Output, Supervision, Verdict};

/// Options of `run-ext`. An axis left out runs every value of that axis.
#[derive(Args, Debug)]
pub struct RunExtArgs {
    /// A C source (compiled against our headers), Python source (.py/.pyx, compiled by
    /// Cython) or an already built shared object.
    pub file: PathBuf,
    /// classic | atomic | biased | tracing | all (default: all).
    #[arg(long)]
    pub scheme: Option<String>,
    /// Immortal objects on|off (default: both).
    #[arg(long)]
    pub immortal: Option<String>,
    /// Tagged small ints on|off (default: both).
    #[arg(long)]
    pub tagging: Option<String>,
    /// List strategies on|off (default: both).
    #[arg(long)]
    pub strategies: Option<String>,
    /// Collect and move at every allocation.
    #[arg(long)]
    pub gc_stress: bool,
    /// Borrowed access to unboxed lists with tagging off: deopt | cache (default: deopt).
    #[arg(long, default_value = "deopt")]
    pub borrow: String,
    /// Print compiler commands.
    #[arg(short, long)]
    pub verbose: bool,
}

/// How `run-ext` runs what it built: the module name and the per-test time limit.
#[derive(Args, Debug, Clone)]
pub struct RunOptions {
    /// Module name, for a file not named after its module: runs PyInit_NAME (default: the
    /// file name up to its first dot).
    #[arg(long, value_name = "NAME")]
    pub module: Option<String>,
    /// Seconds one test (or loading the module) may run before it is killed and reported as
    /// timed out; 0 waits forever.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: f64,
}

/// Default of `--timeout`: generous for the slowest test extension under GC stress in a debug
/// build, short enough that a hung test does not look like a hung tool.
pub const DEFAULT_TIMEOUT_SECS: f64 = 60.0;

impl RunOptions {
    /// The time limit, `None` for none; an error for a negative or non-finite value.
    pub fn timeout(&self) -> Result<Option<Duration>, String> {
        let t = self.timeout;
        if t == 0.0 {
            Ok(None)
        } else if t.is_finite() && t > 0.0 {
            Ok(Some(Duration::from_secs_f64(t)))
        } else {
            Err(format!("--timeout takes seconds >= 0, not {t}"))
        }
    }
}

fn axis(v: &Option<String>, what: &str) -> Result<Vec<bool>, String> {
    match v.as_deref() {
        None | Some("all") => Ok(vec![true, false]),
        Some("on") => Ok(vec![true]),
        Some("off") => Ok(vec![false]),
        Some(x) => Err(format!("--{what} takes on|off|all, not {x:?}")),
    }
}

/// One configuration as the shim's init string and a short label.
pub struct ExtConfig {
    /// `scheme=..,immortal=..,...` for `pyopaque_capi_init`.
    pub init: String,
    /// Column label, e.g. `classic+imm+tag+strat`.
    pub label: String,
}

/// Expands the command-line axes into configurations.
pub fn configs(args: &RunExtArgs) -> Result<Vec<ExtConfig>, String> {
    let schemes: Vec<Scheme> = match args.scheme.as_deref() {
        None | Some("all") => Scheme::ALL.to_vec(),
        Some(s) => vec![s.parse()?],
    };
    let onoff = |b: bool| if b { "on" } else { "off" };
    let mut out = Vec::new();
    for scheme in schemes {
        for immortal in axis(&args.immortal, "immortal")? {
            for tagging in axis(&args.tagging, "tagging")? {
                for strategies in axis(&args.strategies, "strategies")? {
                    let cfg = pyopaque_runtime::Config {
                        scheme,
                        immortal,
                        tagging,
                        strategies,
                        ..Default::default()
                    };
                    out.push(ExtConfig {
                        init: format!(
                            "scheme={scheme},immortal={},tagging={},strategies={},gc_stress={},borrow={}",
                            onoff(immortal),
                            onoff(tagging),
                            onoff(strategies),
                            onoff(args.gc_stress),
                            args.borrow
                        ),
                        label: cfg.label() + if args.gc_stress { "+stress" } else { "" },
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Compiles `src` into a shared object in `out_dir` against our headers; returns its path.
pub fn compile(src: &Path, out_dir: &Path, verbose: bool) -> Result<PathBuf, String> {
    let stem = src
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("bad file name")?;
    let so = out_dir.join(format!("{stem}.so"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let inc = crate::capi_lib::include_dir()?;
    let mut cmd = Command::new(&cc);
    cmd.args([
        "-shared",
        "-fPIC",
        "-O2",
        "-g",
        "-Wall",
        "-Werror=implicit-function-declaration",
    ])
    .arg(format!("-I{}", inc.display()))
    .arg(src)
    .arg("-o")
    .arg(&so);
    if verbose {
        eprintln!("{cmd:?}");
    }
    let out = cmd.output().map_err(|e| format!("cannot run {cc}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "compiling {} failed:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(so)
}

/// The module name of an extension file (`PyInit_<name>`): the file stem up to the first dot.
pub fn module_name(path: &Path) -> String {
    let stem = path.file_name().and_then(|s| s.to_str()).unwrap_or("ext");
    stem.split('.').next().unwrap_or(stem).to_string()
}

/// What `run-ext` was given, by file name: the one place that decides how an input becomes a
/// loadable extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// `.c`: compiled against our headers.
    CSource,
    /// `.so`: an extension built elsewhere, loaded as it is.
    SharedObject,
    /// `.py`/`.pyx`: compiled by Cython (limited API) and then against our headers
    /// (`crate::pyfront`), cached by content hash.
    PythonSource,
}

impl InputKind {
    /// The kind of `path`, or an error naming what is supported.
    pub fn of(path: &Path) -> Result<InputKind, String> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("c") => Ok(InputKind::CSource),
            Some("so") => Ok(InputKind::SharedObject),
            Some("py" | "pyx") => Ok(InputKind::PythonSource),
            other => Err(format!(
                "unsupported file kind {}: run-ext takes a C source (.c), a built extension \
                 (.so) or a Python source (.py, .pyx)",
                match other {
                    Some(e) => format!("'.{e}' ({})", path.display()),
                    None => format!("(no extension: {})", path.display()),
                }
            )),
        }
    }
}

/// Turns the input file into a shared object to load, building it in `work` if needed. The
/// path is made absolute first, so that `run-ext m.so` loads the file here rather than
/// searching the library path.
/// Returns the shared object and its module name (the file's stem, or the module Cython built).
pub fn prepare(file: &Path, work: &Path, verbose: bool) -> Result<(PathBuf, String), String> {
    let kind = InputKind::of(file)?;
    let file = file
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    match kind {
        InputKind::CSource => {
            let so = compile(&file, work, verbose)?;
            let m = module_name(&so);
            Ok((so, m))
        }
        InputKind::SharedObject => {
            let m = module_name(&file);
            Ok((file, m))
        }
        InputKind::PythonSource => {
            let b = crate::pyfront::build::build(
                &file,
                &crate::pyfront::build::Target::Pyopaque,
                verbose,
            )?;
            Ok((b.so, b.module))
        }
    }
}

/// Checks before any child runs that `so` can be loaded against the C API library and defines
/// `PyInit_<module>`: lists every missing `Py*` symbol at once (and names another Python's
/// headers when its imports show them), and points at `--module` when the init function has
/// another name. A file whose symbols cannot be read is left to the loader to judge. Messages
/// name `input`, the file the user gave.
pub fn check_extension(so: &Path, input: &Path, module: &str) -> Result<(), String> {
    let Ok(ext) = symbols::read(so) else {
        return Ok(());
    };
    let lib_path = crate::capi_lib::library_path()?;
    let lib = symbols::read(&lib_path)?;
    symbols::check_loadable(input, &ext, &lib)?;
    let init = format!("PyInit_{module}");
    if !ext.defined.contains(&init) {
        let inits: Vec<&str> = ext
            .defined
            .iter()
            .filter_map(|s| s.strip_prefix("PyInit_"))
            .collect();
        return Err(match inits.as_slice() {
            [] => format!(
                "{} defines no {init} (and no other PyInit_ function)",
                input.display()
            ),
            names => format!(
                "{} defines no {init}; it defines {}: run with --module {}",
                input.display(),
                names
                    .iter()
                    .map(|n| format!("PyInit_{n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                names[0]
            ),
        });
    }
    Ok(())
}

/// Outcome of one configuration.
pub struct ConfigOutcome {
    /// (test name, None for pass / Some(message) for failure), in run order; a test that
    /// crashed or timed out is a failure saying so.
    pub tests: Vec<(String, Option<String>)>,
    /// Set when the module could not be loaded or initialised, or its process died outside
    /// any test.
    pub crash: Option<String>,
}

/// Runs one configuration with the default time limit, the extension's output discarded (the
/// report's use); with `coverage`, the children write the names of the API functions they
/// called to that file.
pub fn run_config(
    so: &Path,
    module: &str,
    cfg: &ExtConfig,
    coverage: Option<&Path>,
) -> Result<ConfigOutcome, String> {
    let sup = Supervision {
        timeout: Some(Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS)),
        output: Output::Capture,
    };
    supervisor::run_config(so, module, cfg, coverage, &sup, &mut |_, _| {})
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Entry of `run-ext`: prints one line per test and configuration as results arrive (the
/// extension's own output passes through around them), then `N passed, N failed`.
pub fn run(args: RunExtArgs, opts: RunOptions) -> Result<ExitCode, String> {
    let cfgs = configs(&args)?;
    let timeout = opts.timeout()?;
    let tmp = Scratch(std::env::temp_dir().join(format!("pyopaque-ext-{}", std::process::id())));
    std::fs::create_dir_all(&tmp.0).map_err(|e| e.to_string())?;
    let (so, built_module) = prepare(&args.file, &tmp.0, args.verbose)?;
    let module = opts.module.clone().unwrap_or(built_module);
    check_extension(&so, &args.file, &module)?;
    let sup = Supervision {
        timeout,
        output: Output::PassThrough,
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for cfg in &cfgs {
        let label = &cfg.label;
        let outcome =
            supervisor::run_config(&so, &module, cfg, None, &sup, &mut |name, v| match v {
                Verdict::Pass => {
                    passed += 1;
                    println!("[{label}] PASS {name}");
                }
                Verdict::Fail(msg) => {
                    failed += 1;
                    println!("[{label}] FAIL {name}: {msg}");
                }
                Verdict::Crash(how) => {
                    failed += 1;
                    println!("[{label}] CRASH {name}: {how}");
                }
                Verdict::Timeout(d) => {
                    failed += 1;
                    println!("[{label}] TIMEOUT {name}: {}", supervisor::timeout_text(*d));
                }
            })?;
        if let Some(c) = outcome.crash {
            failed += 1;
            println!("[{label}] FAIL {module}: {c}");
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

type InitFn = unsafe extern "C" fn(*const c_char) -> c_int;
type CallFn = unsafe extern "C" fn(*const c_char, *const c_char, *const c_char) -> c_int;

/// The report's child: start the shim's runtime with `config`, call `names` (no arguments) in
/// the module; the shim prints one `JSON {...}` line with the results.
pub fn call_child(config: &str, so: &str, module: &str, names: &str) -> Result<ExitCode, String> {
    let lib = crate::capi_lib::load()?;
    let c = |s: &str| CString::new(s).map_err(|e| e.to_string());
    let (cfg, so, module, names) = (c(config)?, c(so)?, c(module)?, c(names)?);
    // SAFETY: documented shim entry points with these signatures; the CStrings outlive the calls.
    let rc = unsafe {
        let init: libloading::os::unix::Symbol<InitFn> = lib
            .get(b"pyopaque_capi_init\0")
            .map_err(|e| e.to_string())?;
        if init(cfg.as_ptr()) != 0 {
            return Err(format!("pyopaque_capi_init({config:?}) failed"));
        }
        let call: libloading::os::unix::Symbol<CallFn> = lib
            .get(b"pyopaque_capi_call_functions\0")
            .map_err(|e| e.to_string())?;
        call(so.as_ptr(), module.as_ptr(), names.as_ptr())
    };
    std::mem::forget(lib);
    Ok(if rc == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
type RunWithFn = unsafe extern "C" fn(*const c_char, *const c_char, *const c_char, c_int) -> c_int;

/// The child: load the shim globally, start its runtime with `config`, run the module's tests
/// (those after `start_after`, when given), writing the result lines to `protocol_fd` (stdout
/// when `None`).
pub fn child(
    config: &str,
    so: &str,
    module: &str,
    start_after: Option<&str>,
    protocol_fd: Option<i32>,
) -> Result<ExitCode, String> {
    let lib = crate::capi_lib::load()?;
    let c = |s: &str| CString::new(s).map_err(|e| e.to_string());
    let (cfg, so, module) = (c(config)?, c(so)?, c(module)?);
    let after = start_after.map(c).transpose()?;
    // SAFETY: the symbols are the shim's documented entry points with these exact signatures;
    // the CStrings outlive the calls (a NULL start_after means "from the first test").
    let failures = unsafe {
        let init: libloading::os::unix::Symbol<InitFn> = lib
            .get(b"pyopaque_capi_init\0")
            .map_err(|e| e.to_string())?;
        if init(cfg.as_ptr()) != 0 {
            return Err(format!("pyopaque_capi_init({config:?}) failed"));
        }
        let run: libloading::os::unix::Symbol<RunWithFn> = lib
            .get(b"pyopaque_capi_run_tests_with\0")
            .map_err(|e| format!("the C API library is older than this pyopaque: {e}"))?;
        run(
            so.as_ptr(),
            module.as_ptr(),
            after.as_ref().map_or(std::ptr::null(), |a| a.as_ptr()),
            protocol_fd.unwrap_or(-1),
        )
    };
    if let Ok(path) = std::env::var("PYOPAQUE_CAPI_COVERAGE") {
        // SAFETY: documented entry point taking a NUL-terminated path.
        unsafe {
            if let Ok(dump) = lib.get::<unsafe extern "C" fn(*const c_char) -> c_int>(
                b"pyopaque_capi_coverage_dump\0",
            ) {
                let p = CString::new(path).unwrap_or_default();
                dump(p.as_ptr());
            }
        }
    }
    std::mem::forget(lib);
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
