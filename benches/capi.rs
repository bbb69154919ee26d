//! The C-level cost of single C API operations under pyopaque, driven from C, next to CPython
//! 3.11 running the same C loops.
//!
//! `benches/capi/bench_loops.c` is compiled against pyopaque's headers and dlopen'd into this
//! process after `libpyopaque_capi.so` (`RTLD_GLOBAL`, so its `Py*` symbols resolve against the
//! shim) and `pyopaque_capi_init` (classic scheme, immortal, tagging and strategies on). Each
//! `loop_xxx(n)` runs `n` operations and returns the nanoseconds it measured inside C; criterion's
//! `iter_custom` turns that into per-operation figures. Workloads:
//! * `Py_INCREF`+`Py_DECREF` (two shim function calls; CPython inlines both),
//! * `PyLong_FromLong` + `Py_DECREF`,
//! * `PyList_Append`,
//! * the `PyList_GetItem` + `PyLong_AsLong` sum loop.
//!
//! Before the criterion runs, the same file is built against CPython's headers as the extension
//! module `bench_loops` and timed once per workload with `python3` (skipped, with a message, when
//! `python3` or its headers are missing); the figures are printed next to a quick pyopaque run.

use std::ffi::{c_char, c_int, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use libloading::os::unix::{Library, Symbol};

type LoopFn = unsafe extern "C" fn(i64) -> f64;
type InitFn = unsafe extern "C" fn(*const c_char) -> c_int;

const CONFIG: &str = "scheme=classic,immortal=on,tagging=on,strategies=on";

/// (criterion name, C symbol, CPython run() name)
const LOOPS: &[(&str, &str, &str)] = &[
    ("incref_decref", "loop_incref_decref", "incref_decref"),
    ("long_fromlong", "loop_long_fromlong", "long_fromlong"),
    ("list_append", "loop_list_append", "list_append"),
    ("getitem_sum", "loop_getitem_sum", "getitem_sum"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch() -> PathBuf {
    let d = root().join("target").join("bench-capi");
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Builds `libpyopaque_capi.so` (release) and returns its path.
fn shim_lib() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let st = Command::new(cargo)
        .current_dir(root())
        .args(["build", "--release", "-p", "pyopaque-capi"])
        .status()
        .expect("cargo build -p pyopaque-capi");
    assert!(st.success(), "building libpyopaque_capi.so failed");
    let lib = root().join("target/release/libpyopaque_capi.so");
    assert!(lib.exists(), "{} missing", lib.display());
    lib
}

fn cc(out: &Path, flags: &[String]) -> Result<(), String> {
    let src = root().join("benches/capi/bench_loops.c");
    let o = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-O2"])
        .args(flags)
        .arg(&src)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    Ok(())
}

/// CPython 3.11 figures (ns/op) for the same loops, or why they are missing.
fn cpython_figures(n: i64) -> Result<Vec<(String, f64)>, String> {
    let inc = Command::new("python3-config")
        .arg("--includes")
        .output()
        .map_err(|_| "python3-config not found (install python3-dev)".to_string())?;
    let inc = String::from_utf8_lossy(&inc.stdout).trim().to_string();
    if inc.is_empty() {
        return Err("no CPython headers (install python3-dev)".into());
    }
    let dir = scratch().join("cpython");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let flags: Vec<String> = inc.split_whitespace().map(str::to_string).collect();
    cc(&dir.join("bench_loops.so"), &flags)?;
    let names: Vec<&str> = LOOPS.iter().map(|l| l.2).collect();
    let script = format!(
        "import sys, platform; sys.path.insert(0, {d:?}); import bench_loops as b\n\
         print('version', platform.python_version())\n\
         for n in {names:?}:\n\
         \x20   b.run(n, {warm})\n\
         \x20   print(n, min(b.run(n, {n}) for _ in range(3)))\n",
        d = dir.display().to_string(),
        warm = n / 10,
    );
    let o = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .map_err(|_| "python3 not found".to_string())?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            if k == "version" {
                return Some((format!("CPython {v}"), f64::NAN));
            }
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect())
}

struct Shim {
    _lib: Library,
    ext: Library,
}

fn load() -> Shim {
    let lib_path = shim_lib();
    // SAFETY: loading the shim (Rust statics, no constructors with side effects); RTLD_GLOBAL so
    // the extension below resolves its Py* symbols against it.
    let lib = unsafe {
        Library::open(
            Some(&lib_path),
            libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_GLOBAL,
        )
    }
    .expect("load libpyopaque_capi.so");
    let cfg = CString::new(CONFIG).expect("config");
    // SAFETY: the shim's documented entry point with this signature; `cfg` outlives the call.
    let rc = unsafe {
        let init: Symbol<InitFn> = lib.get(b"pyopaque_capi_init\0").expect("init symbol");
        init(cfg.as_ptr())
    };
    assert_eq!(rc, 0, "pyopaque_capi_init failed");
    let so = scratch().join("bench_loops_pyopaque.so");
    let inc = format!("-I{}", root().join("capi-shim/include").display());
    cc(&so, &[inc]).unwrap_or_else(|e| panic!("compiling bench_loops.c: {e}"));
    // SAFETY: our own C file, built just now against the shim's headers.
    let ext = unsafe { Library::open(Some(&so), libloading::os::unix::RTLD_NOW) }
        .expect("load bench_loops");
    Shim { _lib: lib, ext }
}

fn loop_fn(s: &Shim, sym: &str) -> LoopFn {
    let name = format!("{sym}\0");
    // SAFETY: the loop functions of bench_loops.c all have the signature `double f(long)`.
    unsafe { *s.ext.get::<LoopFn>(name.as_bytes()).expect("loop symbol") }
}

fn bench(c: &mut Criterion) {
    let shim = load();
    // The side-by-side table: one quick pyopaque run per loop, then CPython's figures.
    let n = 2_000_000;
    let cpy = cpython_figures(n);
    println!("\nC API loops, ns per operation (pyopaque: {CONFIG})");
    match &cpy {
        Ok(v) => {
            if let Some((ver, _)) = v.iter().find(|(_, x)| x.is_nan()) {
                println!("{:<16} {:>10} {:>14}", "loop", "pyopaque", ver);
            }
        }
        Err(e) => println!("CPython column skipped: {e}"),
    }
    for (name, sym, cname) in LOOPS {
        let f = loop_fn(&shim, sym);
        // SAFETY: a C loop of bench_loops.c; the runtime is initialised.
        unsafe { f(n / 10) };
        // SAFETY: as above.
        let ours = (0..3).map(|_| unsafe { f(n) }).fold(f64::MAX, f64::min) / n as f64;
        let theirs = cpy
            .as_ref()
            .ok()
            .and_then(|v| v.iter().find(|(k, _)| k == cname).map(|(_, x)| *x));
        match theirs {
            Some(t) => println!(
                "{name:<16} {ours:>10.2} {t:>14.2}   (pyopaque/CPython {:.2}x)",
                ours / t
            ),
            None => println!("{name:<16} {ours:>10.2}"),
        }
    }
    println!();

    let mut g = c.benchmark_group("capi");
    for (name, sym, _) in LOOPS {
        let f = loop_fn(&shim, sym);
        g.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                // SAFETY: as above.
                let ns = unsafe { f(iters as i64) };
                assert!(ns >= 0.0, "{name} failed");
                Duration::from_nanos(ns as u64)
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
