//! Shared by the integration tests: locating the library and the child binary, building the
//! test extensions.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The test extensions: every `tests/ext/ext_*.c`, sorted, except the deliberate-misuse ones
/// (`ext_debug*`), which only the debug-mode test runs.
pub fn exts() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(crate_dir().join("tests/ext"))
        .expect("tests/ext")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with("ext_") && n.ends_with(".c") && !n.starts_with("ext_debug"))
        .map(|n| n.trim_end_matches(".c").to_string())
        .collect();
    v.sort();
    v
}

/// `capi-shim/`.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `libpyopaque_capi.so` next to the child binary (cargo builds the cdylib with the lib);
/// builds it when missing.
pub fn shim_lib() -> PathBuf {
    let child = PathBuf::from(env!("CARGO_BIN_EXE_pyopaque-ext-child"));
    let lib = child
        .parent()
        .expect("target dir")
        .join("libpyopaque_capi.so");
    if !lib.exists() {
        let st = Command::new(env!("CARGO"))
            .args(["build", "-p", "pyopaque-capi"])
            .status()
            .expect("cargo build");
        assert!(st.success(), "building libpyopaque_capi.so failed");
    }
    assert!(lib.exists(), "{} missing", lib.display());
    lib
}

/// A scratch directory under the target dir, private to this process (tests of one binary run
/// in parallel threads, and several `cargo test` runs may share a target dir).
pub fn scratch(name: &str) -> PathBuf {
    let child = PathBuf::from(env!("CARGO_BIN_EXE_pyopaque-ext-child"));
    let d = child
        .parent()
        .expect("target dir")
        .join("capi-test-ext")
        .join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Compiles `tests/ext/<ext>.c` into `out` with extra flags.
pub fn compile(ext: &str, out: &Path, include: &[String]) -> Result<(), String> {
    let src = crate_dir().join("tests/ext").join(format!("{ext}.c"));
    let mut c = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    c.args(["-shared", "-fPIC", "-O1", "-Wall", "-Wno-unused"]);
    for i in include {
        c.arg(i);
    }
    c.arg(format!("-I{}", crate_dir().join("tests/ext").display()));
    c.arg(&src).arg("-o").arg(out);
    let o = c
        .output()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "compiling {ext} failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(())
}

/// What a child process did within its time limit.
pub struct ChildRun {
    /// Its exit status; `None` when it was killed for exceeding the limit.
    pub status: Option<std::process::ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` with its output sent to files under `dir` (named `tag`), killing it after
/// `limit`: a hung child becomes a reported failure instead of a hung suite.
pub fn run_limited(
    mut cmd: Command,
    dir: &Path,
    tag: &str,
    limit: std::time::Duration,
) -> ChildRun {
    let out_path = dir.join(format!("{tag}.stdout"));
    let err_path = dir.join(format!("{tag}.stderr"));
    let out = std::fs::File::create(&out_path).expect("child stdout file");
    let err = std::fs::File::create(&err_path).expect("child stderr file");
    let mut child = cmd.stdout(out).stderr(err).spawn().expect("spawn child");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for child") {
            break Some(st);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    ChildRun {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Runs `job` over `items` on as many threads as the machine has cores, keeping the order of
/// the results.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers.min(items.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                *results[i].lock().unwrap() = Some(job(item));
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().unwrap().expect("every item ran"))
        .collect()
}
