//! `pyopaque`: the command-line front end.
//!
//! * `report`: the design-validation report (layouts, measurements, C API matrix).
//! * `bench NAME [--json]`: one benchmark group, variants alternated in one process.
//! * `run-ext FILE.c|FILE.so`: build and load a C extension, run its `test_*` functions under
//!   every requested configuration (each in a child process).
//! * `fuzz [--seeds A..B] [--calls N] [--config ...] [--gc-stress] [--debug] [--json]`: the
//!   differential fuzzer against CPython 3.11.
//! * `run FILE.py [ARGS]`: compile a Python program with Cython and run it as `__main__`.
//! * `config --cflags|--includes|--ldflags|--lib`: what a build system needs to compile against
//!   our headers, and which C API library this executable loads.

mod bench_cmd;
mod bench_threads;
mod capi_lib;
mod corpus;
mod ext;
mod fuzz;
mod pyfront;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "pyopaque",
    version,
    about = "A research runtime: what an opaque PyObject makes possible, what it costs, and which C API functions survive it."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the design-validation report (docs/report/REPORT.md, report.json, SVG charts):
    /// header layouts per scheme, tagging and refcount measurements, list strategies, the
    /// collector, the C API matrix, and C workloads side by side with CPython and PyPy.
    Report(report::ReportArgs),
    /// Run one benchmark group in-process, alternating the variants it compares, and print a
    /// table (or one flat JSON object with --json). Groups: tagging, refcount, lists, gc, threads;
    /// `python` runs Cython's benchmark suite under CPython, PyPy and pyopaque (one JSON object).
    Bench {
        /// Group name: tagging | refcount | lists | gc | threads | python.
        name: String,
        /// Print one flat JSON object of numbers (keys documented in docs/benchmarks.md).
        #[arg(long)]
        json: bool,
        /// Fewer repetitions and smaller sizes.
        #[arg(long)]
        quick: bool,
        /// `python` only: every pyopaque configuration, not only the default one.
        #[arg(long)]
        all: bool,
        /// `python` only: interleaved rounds per runtime (default 3; 1 with --quick).
        #[arg(long)]
        rounds: Option<usize>,
        /// `python` only: run only these benchmarks (e.g. `bm_nbody`); repeat for several.
        #[arg(long = "only", value_name = "BENCHMARK")]
        only: Vec<String>,
        /// `python` only: run every benchmark at this scale (default: calibrated per benchmark
        /// so that CPython's limited build takes at least 20 ms per call).
        #[arg(long)]
        scale: Option<u64>,
    },
    /// Compile (if .c) and load a C extension, run PyInit_<name>, then call every module-level
    /// function named test_* with no arguments, under each requested configuration, each in its
    /// own child process. Prints one line per test and configuration (PASS, FAIL, CRASH or
    /// TIMEOUT, naming the test) while the extension's own output passes through, then
    /// `N passed, N failed`. After a test crashes or times out, the tests after it still run.
    RunExt {
        #[command(flatten)]
        target: ext::RunExtArgs,
        #[command(flatten)]
        options: ext::RunOptions,
    },
    /// Differential fuzzer: random C API call sequences (functions from the reference data) run
    /// under CPython 3.11 and under pyopaque, outcomes compared call by call; exits non-zero on
    /// a crash, hang, leak or unclassified difference, after printing its shortest sequence.
    Fuzz(fuzz::FuzzArgs),
    /// Compile a Python program (.py/.pyx) with Cython against our headers and run its top
    /// level as __main__ with sys.argv set; the exit status is the program's.
    Run(pyfront::run::RunArgs),
    /// Build real PyPI packages with C extensions (pinned in src/corpus/packages.txt) against
    /// CPython and each opacity level, load them, and classify every compile error by cause.
    Corpus(corpus::CorpusArgs),
    /// Print compiler flags for building extensions against pyopaque's headers. With
    /// setuptools, pass the --includes directory as include_dirs (not extra_compile_args, which
    /// come after CPython's own include directory).
    Config {
        /// Flags for the C compiler (include path and -fPIC).
        #[arg(long)]
        cflags: bool,
        /// Only the -I flag.
        #[arg(long)]
        includes: bool,
        /// Linker flags for an extension module (no libpython: Py* symbols stay undefined).
        #[arg(long)]
        ldflags: bool,
        /// The path of libpyopaque_capi.so this pyopaque loads (set PYOPAQUE_CAPI_LIB to
        /// choose another).
        #[arg(long)]
        lib: bool,
    },
    /// Internal: the child process of run-ext (one configuration).
    #[command(name = "__ext-child", hide = true)]
    ExtChild {
        /// Configuration string passed to pyopaque_capi_init.
        config: String,
        /// Path to the built extension.
        so: String,
        /// Module name (PyInit_<name>).
        module: String,
        /// Run only the tests after this one (`module.test_x`).
        #[arg(long)]
        start_after: Option<String>,
        /// Inherited file descriptor for the result lines (default: stdout).
        #[arg(long)]
        protocol_fd: Option<i32>,
    },
    /// Internal: the child process of `run` (the program as __main__).
    #[command(name = "__run-child", hide = true)]
    RunChild {
        /// Configuration string passed to pyopaque_capi_init.
        config: String,
        /// Path to the built module.
        so: String,
        /// Module name (PyInit_<name>).
        module: String,
        /// Modules to initialise first: shared object and module name, pairwise.
        preload: Vec<String>,
        /// sys.argv.
        #[arg(last = true)]
        argv: Vec<String>,
    },
    /// Internal: the child process of the report's C workloads (one configuration).
    #[command(name = "__call-child", hide = true)]
    CallChild {
        /// Configuration string passed to pyopaque_capi_init.
        config: String,
        /// Path to the built extension.
        so: String,
        /// Module name (PyInit_<name>).
        module: String,
        /// Comma-separated module-level functions to call with no arguments.
        names: String,
    },
}

/// `pyopaque config`: what a build system needs (no flag: --cflags).
fn config(cflags: bool, includes: bool, ldflags: bool, lib: bool) -> Result<ExitCode, String> {
    if cflags || includes || (!ldflags && !lib) {
        let inc = capi_lib::include_dir()?;
        if cflags || !includes {
            println!("-I{} -fPIC", inc.display());
        } else {
            println!("-I{}", inc.display());
        }
    }
    if ldflags {
        println!("-shared");
    }
    if lib {
        println!("{}", capi_lib::library_path()?.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report::run(args),
        Command::Bench {
            name,
            json,
            quick,
            all,
            rounds,
            only,
            scale,
        } if name == "python" => bench_cmd::run_python(
            json,
            pyfront::bench::Options {
                all,
                rounds: rounds.unwrap_or(if quick { 1 } else { 3 }),
                only,
                scale,
            },
        ),
        Command::Bench {
            name, json, quick, ..
        } => bench_cmd::run(&name, json, quick),
        Command::RunExt { target, options } => ext::run(target, options),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Run(args) => pyfront::run::run(args),
        Command::RunChild {
            config,
            so,
            module,
            preload,
            argv,
        } => pyfront::run::child(&config, &so, &module, &preload, &argv),
        Command::Config {
            cflags,
            includes,
            ldflags,
            lib,
        } => config(cflags, includes, ldflags, lib),
        Command::ExtChild {
            config,
            so,
            module,
            start_after,
            protocol_fd,
        } => ext::child(&config, &so, &module, start_after.as_deref(), protocol_fd),
        Command::Corpus(args) => corpus::run(args),
        Command::CallChild {
            config,
            so,
            module,
            names,
        } => ext::call_child(&config, &so, &module, &names),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pyopaque: {e}");
            ExitCode::from(2)
        }
    }
}
