//! Running one batch of the harness in a child process: under CPython (`python3` imports the
//! module built against CPython's headers) or under pyopaque (this executable's `__ext-child`
//! loads the shim and the module built against our headers). Each child has a timeout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one batch runs.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The seed of the random sequence.
    pub seed: u64,
    /// Calls in the sequence.
    pub calls: usize,
    /// Exclusion file (`name mask category` lines), if any.
    pub exclude: Option<PathBuf>,
    /// Only these call indices run (the others are skipped but still drawn), for shrinking.
    pub only: Option<Vec<usize>>,
    /// Call index that receives a released object (debug mode only).
    pub freed_at: Option<usize>,
}

/// The runtime a batch runs on.
#[derive(Clone, Debug)]
pub enum Runtime {
    /// CPython 3.11 with `fuzzmod.so` in this directory.
    CPython(PathBuf),
    /// pyopaque: (init string, `fuzzmod.so`, debug mode).
    Ours(String, PathBuf, bool),
}

/// A finished batch.
pub struct Outcome {
    /// The log, one line per pool object, call and counted object, then `END`.
    pub log: Vec<String>,
    /// The child's standard error (its last 16 KiB).
    pub stderr: String,
    /// Killed by the parent after the timeout.
    pub timed_out: bool,
}

impl Outcome {
    /// The batch ran to its end.
    pub fn complete(&self) -> bool {
        self.log.last().is_some_and(|l| l == "END")
    }
}

/// Runs `batch` on `rt` in a child process, in scratch directory `dir`.
pub fn run(rt: &Runtime, batch: &Batch, dir: &Path, timeout: Duration) -> Result<Outcome, String> {
    let tag = format!(
        "{}-{}-{:?}",
        std::process::id(),
        batch.seed,
        std::thread::current().id()
    )
    .replace(|c: char| !c.is_alphanumeric() && c != '-', "");
    let log = dir.join(format!("log-{tag}.txt"));
    let only = dir.join(format!("only-{tag}.txt"));
    let mut cmd = match rt {
        Runtime::CPython(so_dir) => {
            let mut c = Command::new("python3");
            c.arg("-c").arg(format!(
                "import sys; sys.path.insert(0, {:?}); import fuzzmod; fuzzmod.test_fuzz()",
                so_dir.display().to_string()
            ));
            c.env("PYTHONHASHSEED", "0").env("FUZZ_PROBE", "1");
            c
        }
        Runtime::Ours(init, so, debug) => {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let lib = crate::capi_lib::library_path()?;
            let mut c = Command::new(exe);
            c.env("PYOPAQUE_CAPI_LIB", &lib)
                .env_remove("CARGO")
                .env_remove("PYOPAQUE_CAPI_COVERAGE")
                // heap verification after every collection, in release builds too
                .env("PYOPAQUE_POISON", "1")
                .arg("__ext-child")
                .arg(init)
                .arg(so)
                .arg("fuzzmod");
            if *debug {
                c.env("PYOPAQUE_CAPI_DEBUG", "1");
            } else {
                c.env_remove("PYOPAQUE_CAPI_DEBUG");
            }
            c
        }
    };
    cmd.env("FUZZ_SEED", batch.seed.to_string())
        .env("FUZZ_CALLS", batch.calls.to_string())
        .env("FUZZ_LOG", &log)
        .env("FUZZ_TIMEOUT", timeout.as_secs().max(1).to_string())
        .env_remove("FUZZ_ONLY")
        .env_remove("FUZZ_FREED")
        .env_remove("FUZZ_EXCLUDE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(e) = &batch.exclude {
        cmd.env("FUZZ_EXCLUDE", e);
    }
    if let Some(o) = &batch.only {
        let text: String = o.iter().map(|i| format!("{i}\n")).collect();
        std::fs::write(&only, text).map_err(|e| e.to_string())?;
        cmd.env("FUZZ_ONLY", &only);
    }
    if let Some(f) = batch.freed_at {
        cmd.env("FUZZ_FREED", f.to_string());
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the batch child: {e}"))?;
    let mut stderr_pipe = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = stderr_pipe.as_mut() {
            use std::io::Read;
            let mut buf = Vec::new();
            let _ = p.read_to_end(&mut buf);
            s = String::from_utf8_lossy(&buf).into_owned();
        }
        s
    });
    let start = Instant::now();
    let hard = timeout + Duration::from_secs(10);
    let mut timed_out = false;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(_) => break,
            None if start.elapsed() > hard => {
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    let stderr = reader.join().unwrap_or_default();
    let text = std::fs::read(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&only);
    let log = String::from_utf8_lossy(&text)
        .lines()
        .map(str::to_string)
        .collect();
    let mut cut = stderr.len().saturating_sub(16 * 1024);
    while !stderr.is_char_boundary(cut) {
        cut += 1;
    }
    Ok(Outcome {
        log,
        stderr: stderr[cut..].to_string(),
        timed_out,
    })
}
