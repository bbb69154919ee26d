//! `pyopaque run-ext`: build a C extension against our headers, then run its `test_*` functions
//! under each requested configuration, each configuration in its own child process so that a
//! crash is a reported failure rather than a lost run.

use std::ffi::{c_char, c_int, CString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::Args;
use pyopaque_runtime::Scheme;

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
    let inc = crate::capi_lib::include_dir();
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

/// Outcome of one configuration.
pub struct ConfigOutcome {
    /// (test name, None for pass / Some(message) for failure).
    pub tests: Vec<(String, Option<String>)>,
    /// Set when the child crashed or printed nothing usable.
    pub crash: Option<String>,
}

/// Runs one configuration in a child process of this executable; with `coverage`, the child
/// writes the names of the API functions it called to that file.
pub fn run_config(
    so: &Path,
    module: &str,
    cfg: &ExtConfig,
    coverage: Option<&Path>,
) -> Result<ConfigOutcome, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let lib = crate::capi_lib::library_path()?;
    let mut cmd = Command::new(exe);
    cmd.env("PYOPAQUE_CAPI_LIB", &lib)
        .env_remove("CARGO")
        .args(["__ext-child", &cfg.init])
        .arg(so)
        .arg(module);
    match coverage {
        Some(p) => cmd.env("PYOPAQUE_CAPI_COVERAGE", p),
        None => cmd.env_remove("PYOPAQUE_CAPI_COVERAGE"),
    };
    let out = cmd.output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut tests = Vec::new();
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("PASS ") {
            tests.push((name.trim().to_string(), None));
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            let (name, msg) = rest.split_once(": ").unwrap_or((rest, "failed"));
            tests.push((name.trim().to_string(), Some(msg.to_string())));
        }
    }
    let crash = if out.status.code().is_none() || (tests.is_empty() && !out.status.success()) {
        use std::os::unix::process::ExitStatusExt;
        let how = match out.status.signal() {
            Some(sig) => format!("crashed with signal {sig}"),
            None => format!("exited with {}", out.status),
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Some(format!("{how}; last output: {}", tail.join(" | ")))
    } else {
        None
    };
    Ok(ConfigOutcome { tests, crash })
}

/// Entry of `run-ext`.
pub fn run(args: RunExtArgs) -> Result<ExitCode, String> {
    let cfgs = configs(&args)?;
    let tmp = std::env::temp_dir().join(format!("pyopaque-ext-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let (so, module) = if crate::pyfront::is_python_source(&args.file) {
        let b = crate::pyfront::build::build(
            &args.file,
            &crate::pyfront::build::Target::Pyopaque,
            args.verbose,
        )?;
        (b.so, b.module)
    } else if args.file.extension().is_some_and(|e| e == "c") {
        let so = compile(&args.file, &tmp, args.verbose)?;
        let m = module_name(&so);
        (so, m)
    } else {
        (args.file.clone(), module_name(&args.file))
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for cfg in &cfgs {
        let outcome = run_config(&so, &module, cfg, None)?;
        for (name, err) in &outcome.tests {
            match err {
                None => {
                    passed += 1;
                    println!("[{}] PASS {name}", cfg.label);
                }
                Some(msg) => {
                    failed += 1;
                    println!("[{}] FAIL {name}: {msg}", cfg.label);
                }
            }
        }
        if let Some(c) = outcome.crash {
            failed += 1;
            println!("[{}] CRASH {module}: {c}", cfg.label);
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
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
type RunFn = unsafe extern "C" fn(*const c_char, *const c_char) -> c_int;

/// The child: load the shim globally, start its runtime with `config`, run the module's tests.
pub fn child(config: &str, so: &str, module: &str) -> Result<ExitCode, String> {
    let lib = crate::capi_lib::load()?;
    let cfg = CString::new(config).map_err(|e| e.to_string())?;
    let so = CString::new(so).map_err(|e| e.to_string())?;
    let module = CString::new(module).map_err(|e| e.to_string())?;
    // SAFETY: the symbols are the shim's documented entry points with these exact signatures;
    // the CStrings outlive the calls.
    let failures = unsafe {
        let init: libloading::os::unix::Symbol<InitFn> = lib
            .get(b"pyopaque_capi_init\0")
            .map_err(|e| e.to_string())?;
        if init(cfg.as_ptr()) != 0 {
            return Err(format!("pyopaque_capi_init({config:?}) failed"));
        }
        let run: libloading::os::unix::Symbol<RunFn> = lib
            .get(b"pyopaque_capi_run_tests\0")
            .map_err(|e| e.to_string())?;
        run(so.as_ptr(), module.as_ptr())
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
