//! `pyopaque run FILE.py [ARGS]`: compile a program (see [`super::build`]) and run its top
//! level as `__main__` in a child process of this executable, which loads the C API shim,
//! starts the runtime with the requested configuration and calls `pyopaque_capi_run_main`.
//! The child's exit status is the program's (see `capi-shim/src/host/main_runner.rs`); a
//! child killed by a signal is reported and gives 128 + the signal number, as a shell does.

use std::ffi::{c_char, c_int, CString};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::Args;

use super::build::{self, Target};

/// Options of `run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The program (Python source, `.py` or `.pyx`).
    pub file: PathBuf,
    /// Arguments for the program (`sys.argv[1:]`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Runtime configuration, as `pyopaque_capi_init` takes it
    /// (`scheme=classic,immortal=on,tagging=on,strategies=on`); default: the default one.
    #[arg(long, default_value = "")]
    pub config: String,
    /// Collect and move at every allocation.
    #[arg(long)]
    pub gc_stress: bool,
    /// A module the program imports (Python source, compiled like the program), initialised
    /// before the program starts; repeat for several, in dependency order.
    #[arg(long = "module", value_name = "FILE")]
    pub modules: Vec<PathBuf>,
    /// Run the same generated C under CPython instead (the reference): compiled against
    /// `python3`'s headers with its own `Py_LIMITED_API`, loaded by `python3` as `__main__`.
    #[arg(long)]
    pub cpython: bool,
    /// With `--cpython`: Cython's regular build instead (no `Py_LIMITED_API`; it reaches
    /// into CPython's structs, so it runs under CPython only).
    #[arg(long, requires = "cpython")]
    pub regular: bool,
    /// Print the Cython and compiler commands.
    #[arg(short, long)]
    pub verbose: bool,
}

/// The CPython side of `run --cpython`: loads the module with `ctypes` first to set Cython's
/// `__pyx_module_is_main_<name>` flag (Cython then sets `__name__` to `"__main__"` itself, as
/// its `--embed` main does), then imports it from its file with `sys.argv` set.
pub(crate) const CPYTHON_DRIVER: &str = "import ctypes, importlib.util, sys\n\
so, mod = sys.argv[1], sys.argv[2]\n\
sep = sys.argv.index('--')\n\
pre = sys.argv[3:sep]\n\
sys.argv = sys.argv[sep + 1:]\n\
for i in range(0, len(pre), 2): s = importlib.util.spec_from_file_location(pre[i + 1], pre[i]); \
m = importlib.util.module_from_spec(s); sys.modules[pre[i + 1]] = m; s.loader.exec_module(m)\n\
ctypes.c_int.in_dll(ctypes.PyDLL(so), '__pyx_module_is_main_' + mod).value = 1\n\
spec = importlib.util.spec_from_file_location(mod, so)\n\
m = importlib.util.module_from_spec(spec)\n\
sys.modules[mod] = m\n\
spec.loader.exec_module(m)\n";

/// Entry of `run`.
pub fn run(args: RunArgs) -> Result<ExitCode, String> {
    let target = if args.cpython && args.regular {
        Target::cpython_regular()?
    } else if args.cpython {
        Target::cpython()?
    } else {
        Target::Pyopaque
    };
    // pyopaque's own stdlib modules first (CPython has its own), unless the program brings one.
    let pylib = match target {
        Target::Pyopaque => {
            let taken: Vec<String> = args
                .modules
                .iter()
                .chain(std::iter::once(&args.file))
                .map(|f| build::module_name(f))
                .collect();
            super::pylib::sources(&taken)?
        }
        _ => Vec::new(),
    };
    let mut modules = Vec::new();
    for f in pylib
        .iter()
        .chain(args.modules.iter())
        .chain(std::iter::once(&args.file))
    {
        match build::build(f, &target, args.verbose) {
            Ok(b) => modules.push(b),
            Err(e) => {
                // A Cython error (bad syntax) is the program's failure, not an internal one.
                eprintln!("{e}");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let built = modules.pop().expect("the program itself");
    let preload: Vec<std::ffi::OsString> = modules
        .iter()
        .flat_map(|m| [m.so.clone().into_os_string(), m.module.clone().into()])
        .collect();
    if args.verbose {
        eprintln!(
            "pyopaque: {} {}",
            built.so.display(),
            if built.compiled {
                "built"
            } else {
                "found in the cache"
            }
        );
    }
    if args.cpython {
        let status = Command::new(super::cython::python())
            .args(["-c", CPYTHON_DRIVER])
            .arg(&built.so)
            .arg(&built.module)
            .args(&preload)
            .arg("--")
            .arg(&args.file)
            .args(&args.args)
            .status()
            .map_err(|e| e.to_string())?;
        return Ok(exit_code(&args, status));
    }
    let mut config = args.config.clone();
    if args.gc_stress {
        if !config.is_empty() {
            config.push(',');
        }
        config.push_str("gc_stress=on");
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let lib = crate::capi_lib::library_path()?;
    let status = Command::new(exe)
        .env("PYOPAQUE_CAPI_LIB", &lib)
        .env_remove("CARGO")
        .arg("__run-child")
        .arg(&config)
        .arg(&built.so)
        .arg(&built.module)
        .args(&preload)
        .arg("--")
        .arg(&args.file)
        .args(&args.args)
        .status()
        .map_err(|e| e.to_string())?;
    Ok(exit_code(&args, status))
}

/// The child's exit status as ours; a signal is reported and gives 128 + its number.
fn exit_code(args: &RunArgs, status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        eprintln!(
            "pyopaque: {} crashed with signal {sig}",
            args.file.display()
        );
        return ExitCode::from((128 + sig).clamp(0, 255) as u8);
    }
    ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8)
}

type InitFn = unsafe extern "C" fn(*const c_char) -> c_int;
type PreloadFn = unsafe extern "C" fn(*const c_char, *const c_char) -> c_int;
type RunMainFn =
    unsafe extern "C" fn(*const c_char, *const c_char, c_int, *const *const c_char) -> c_int;

/// The child: load the shim globally, start its runtime, initialise the `preload` modules
/// (pairs of shared object and module name), run the module as `__main__` with `argv` as
/// `sys.argv`; returns the program's exit status.
pub fn child(
    config: &str,
    so: &str,
    module: &str,
    preload: &[String],
    argv: &[String],
) -> Result<ExitCode, String> {
    let lib = crate::capi_lib::load()?;
    let c = |s: &str| CString::new(s).map_err(|e| e.to_string());
    let (cfg, so, module) = (c(config)?, c(so)?, c(module)?);
    let argv: Vec<CString> = argv.iter().map(|a| c(a)).collect::<Result<_, _>>()?;
    let argv_ptrs: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    // SAFETY: documented shim entry points with these signatures; the CStrings and the pointer
    // array outlive the calls.
    let status = unsafe {
        let init: libloading::os::unix::Symbol<InitFn> = lib
            .get(b"pyopaque_capi_init\0")
            .map_err(|e| e.to_string())?;
        if init(cfg.as_ptr()) != 0 {
            return Err(format!("pyopaque_capi_init({config:?}) failed"));
        }
        let pre: libloading::os::unix::Symbol<PreloadFn> = lib
            .get(b"pyopaque_capi_preload_module\0")
            .map_err(|e| e.to_string())?;
        for pair in preload.chunks(2) {
            let (pso, pm) = (c(&pair[0])?, c(pair.get(1).map_or("", |s| s.as_str()))?);
            if pre(pso.as_ptr(), pm.as_ptr()) != 0 {
                return Ok(ExitCode::from(1));
            }
        }
        let run: libloading::os::unix::Symbol<RunMainFn> = lib
            .get(b"pyopaque_capi_run_main\0")
            .map_err(|e| e.to_string())?;
        run(
            so.as_ptr(),
            module.as_ptr(),
            argv_ptrs.len() as c_int,
            argv_ptrs.as_ptr(),
        )
    };
    std::mem::forget(lib);
    // The OS keeps the low byte of the status (exit(-1) is 255), as for `python3 FILE.py`.
    Ok(ExitCode::from((status & 0xff) as u8))
}
