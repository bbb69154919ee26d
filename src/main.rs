//! `pyopaque`: the command-line front end.
//!
//! * `report`: the design-validation report (layouts, measurements, C API matrix).
//! * `bench NAME [--json]`: one benchmark group, variants alternated in one process.
//! * `run-ext FILE.c|FILE.so`: build and load a C extension, run its `test_*` functions under
//!   every requested configuration (each in a child process).
//! * `config --cflags|--includes`: what a build system needs to compile against our headers.

mod bench_cmd;
mod capi_lib;
mod corpus;
mod ext;
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
    /// table (or one flat JSON object with --json). Groups: tagging, refcount, lists, gc.
    Bench {
        /// Group name: tagging | refcount | lists | gc.
        name: String,
        /// Print one flat JSON object of numbers (keys documented in docs/benchmarks.md).
        #[arg(long)]
        json: bool,
        /// Fewer repetitions and smaller sizes.
        #[arg(long)]
        quick: bool,
    },
    /// Compile (if .c) and load a C extension, run PyInit_<name>, then call every module-level
    /// function named test_* with no arguments, under each requested configuration, each in its
    /// own child process. Prints one line per test and configuration, then `N passed, N failed`.
    RunExt(ext::RunExtArgs),
    /// Build real PyPI packages with C extensions (pinned in src/corpus/packages.txt) against
    /// CPython and each opacity level, load them, and classify every compile error by cause.
    Corpus(corpus::CorpusArgs),
    /// Print compiler flags for building extensions against pyopaque's headers.
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report::run(args),
        Command::Bench { name, json, quick } => bench_cmd::run(&name, json, quick),
        Command::RunExt(args) => ext::run(args),
        Command::Config {
            cflags,
            includes,
            ldflags,
        } => {
            let inc = capi_lib::include_dir();
            if cflags || (!includes && !ldflags) {
                println!("-I{} -fPIC", inc.display());
            } else if includes {
                println!("-I{}", inc.display());
            }
            if ldflags {
                println!("-shared");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ExtChild { config, so, module } => ext::child(&config, &so, &module),
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
