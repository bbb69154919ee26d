//! Running one configuration of an extension's tests in child processes of this executable and
//! watching them.
//!
//! The child (`pyopaque __ext-child ... --protocol-fd N`) writes its result lines to an
//! inherited pipe of its own (`START m.t`, `PASS m.t`, `FAIL m.t: message`, `ERROR message`,
//! `DONE`), while the extension's stdout and stderr go wherever ours go. From `START` the
//! parent knows which test runs: when the child dies during it, that test is named as crashed;
//! when no line arrives within the per-test timeout, the child is killed and the test named as
//! timed out. Either way a fresh child then runs the tests after it (`--start-after`).

use std::io::{BufRead, BufReader, Read};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::{ConfigOutcome, ExtConfig};

/// Where the extension's own output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// To our stdout and stderr (`run-ext`).
    PassThrough,
    /// Discarded, except the last lines of stderr, which crash messages quote (the report).
    Capture,
}

/// How the children of one configuration are watched.
#[derive(Clone, Copy, Debug)]
pub struct Supervision {
    /// Longest wait for the next result line (one test, or loading the module); `None` waits
    /// forever.
    pub timeout: Option<Duration>,
    /// Where the extension's output goes.
    pub output: Output,
}

/// The outcome of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Returned normally.
    Pass,
    /// Raised or misbehaved: `Type: message`.
    Fail(String),
    /// Ended its process (a signal, or an exit in a test not named `test_exits_*`).
    Crash(String),
    /// Still running after the timeout; its process was killed.
    Timeout(Duration),
}

impl Verdict {
    /// The failure message, `None` for a pass.
    pub fn failure(&self) -> Option<String> {
        match self {
            Verdict::Pass => None,
            Verdict::Fail(m) => Some(m.clone()),
            Verdict::Crash(how) => Some(format!("crashed: {how}")),
            Verdict::Timeout(d) => Some(format!("timed out: {}", timeout_text(*d))),
        }
    }
}

/// `still running after 2 s (--timeout)`.
pub fn timeout_text(d: Duration) -> String {
    format!(
        "still running after {} s; the process was killed (--timeout sets the limit)",
        d.as_secs_f64()
    )
}

/// How a child process ended, in words.
fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (_, Some(sig)) => {
            let name = match sig {
                4 => " (SIGILL)",
                5 => " (SIGTRAP)",
                6 => " (SIGABRT)",
                7 => " (SIGBUS)",
                8 => " (SIGFPE)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                13 => " (SIGPIPE)",
                15 => " (SIGTERM)",
                _ => "",
            };
            format!("killed by signal {sig}{name}")
        }
        (Some(code), None) => format!("the process exited with status {code}"),
        (None, None) => format!("the process ended ({status})"),
    }
}

/// What one child process left to do.
enum Next {
    /// Every test ran.
    Finished,
    /// This test ended the process: run the ones after it in a fresh child.
    RestartAfter(String),
    /// The module could not be loaded or initialised, or the process died outside any test.
    ModuleFailed(String),
}

/// The results of one child process.
struct Segment {
    tests: Vec<(String, Option<String>)>,
    next: Next,
}

/// Runs every test of `module` in `so` under `cfg`, restarting after a test that crashed or
/// hung; calls `report` with each test's verdict as it arrives. With `coverage`, the API
/// functions called (by every child) are written to that file.
pub fn run_config(
    so: &Path,
    module: &str,
    cfg: &ExtConfig,
    coverage: Option<&Path>,
    sup: &Supervision,
    report: &mut dyn FnMut(&str, &Verdict),
) -> Result<ConfigOutcome, String> {
    let mut outcome = ConfigOutcome {
        tests: Vec::new(),
        crash: None,
    };
    let mut start_after: Option<String> = None;
    let mut covered = String::new();
    let mut any_coverage = false;
    for part in 0.. {
        let part_file = coverage.map(|p| p.with_extension(format!("part{part}")));
        let seg = run_child(
            so,
            module,
            cfg,
            part_file.as_deref(),
            start_after.as_deref(),
            sup,
            report,
        )?;
        if let Some(p) = &part_file {
            if let Ok(text) = std::fs::read_to_string(p) {
                covered.push_str(&text);
                any_coverage = true;
                let _ = std::fs::remove_file(p);
            }
        }
        outcome.tests.extend(seg.tests);
        match seg.next {
            Next::Finished => break,
            Next::ModuleFailed(msg) => {
                outcome.crash = Some(msg);
                break;
            }
            Next::RestartAfter(test) => {
                // Each child starts after a test the previous one announced, so this ends; a
                // child that re-announced an earlier test would be a runner bug.
                if start_after.as_deref() == Some(test.as_str()) {
                    outcome.crash = Some(format!("the runner did not move past {test}"));
                    break;
                }
                start_after = Some(test);
            }
        }
    }
    if let (Some(p), true) = (coverage, any_coverage) {
        std::fs::write(p, covered).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(outcome)
}

/// Spawns one child (the tests after `start_after`, or all) and watches it to its end.
fn run_child(
    so: &Path,
    module: &str,
    cfg: &ExtConfig,
    coverage: Option<&Path>,
    start_after: Option<&str>,
    sup: &Supervision,
    report: &mut dyn FnMut(&str, &Verdict),
) -> Result<Segment, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let lib = crate::capi_lib::library_path()?;
    let (reader, writer) =
        std::io::pipe().map_err(|e| format!("cannot create the protocol pipe: {e}"))?;
    let fd = writer.as_raw_fd();
    let mut cmd = Command::new(exe);
    cmd.env("PYOPAQUE_CAPI_LIB", &lib)
        .env_remove("CARGO")
        .args(["__ext-child", &cfg.init])
        .arg(so)
        .arg(module)
        .args(["--protocol-fd", &fd.to_string()]);
    if let Some(t) = start_after {
        cmd.args(["--start-after", t]);
    }
    match coverage {
        Some(p) => cmd.env("PYOPAQUE_CAPI_COVERAGE", p),
        None => cmd.env_remove("PYOPAQUE_CAPI_COVERAGE"),
    };
    match sup.output {
        Output::PassThrough => cmd.stdin(Stdio::null()),
        Output::Capture => cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    };
    // SAFETY: runs in the forked child before exec and calls only async-signal-safe functions:
    // fcntl clears close-on-exec on the pipe's write end so the child inherits it (the parent's
    // copy keeps the flag, and is closed below), prctl makes the child die with us.
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the test process: {e}"))?;
    drop(writer);
    let stderr_tail = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = e.read_to_end(&mut all);
            let text = String::from_utf8_lossy(&all).into_owned();
            let tail: Vec<&str> = text.lines().rev().take(6).collect();
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        })
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    let mut watch = Watch {
        tests: Vec::new(),
        running: None,
        error: None,
        done: false,
    };
    let ended = watch.follow(&mut child, &rx, sup.timeout, report)?;
    let tail = stderr_tail
        .and_then(|h| h.join().ok())
        .filter(|t| !t.is_empty())
        .map(|t| format!("; last output: {t}"))
        .unwrap_or_default();
    let next = match (ended, watch.running.take()) {
        (Ended::TimedOut(d), Some(test)) => {
            watch.record(&test, Verdict::Timeout(d), report);
            Next::RestartAfter(test)
        }
        (Ended::Exited(st), Some(test)) => {
            watch.record(&test, Verdict::Crash(describe_exit(st) + &tail), report);
            Next::RestartAfter(test)
        }
        (_, None) if watch.error.is_some() => {
            Next::ModuleFailed(watch.error.take().unwrap_or_default())
        }
        (Ended::Exited(st), None) if watch.done && st.signal().is_none() => Next::Finished,
        (ended, None) => {
            let when = if watch.done || !watch.tests.is_empty() {
                "after its last test".to_string()
            } else {
                format!("while loading {module} (PyInit_{module})")
            };
            Next::ModuleFailed(match ended {
                Ended::TimedOut(d) => format!("{when}: {}", timeout_text(d)),
                Ended::Exited(st) => format!("{when}: {}{tail}", describe_exit(st)),
            })
        }
    };
    Ok(Segment {
        tests: watch.tests,
        next,
    })
}

/// How a child ended.
enum Ended {
    Exited(ExitStatus),
    TimedOut(Duration),
}

/// The state of one child as its protocol lines arrive.
struct Watch {
    tests: Vec<(String, Option<String>)>,
    running: Option<String>,
    error: Option<String>,
    done: bool,
}

/// How often a waiting parent checks whether the child has ended.
const POLL: Duration = Duration::from_millis(50);
/// How long lines still in the pipe may take to arrive after the child ended.
const DRAIN: Duration = Duration::from_millis(500);

impl Watch {
    fn record(&mut self, test: &str, v: Verdict, report: &mut dyn FnMut(&str, &Verdict)) {
        report(test, &v);
        self.tests.push((test.to_string(), v.failure()));
    }

    fn handle(&mut self, line: &str, report: &mut dyn FnMut(&str, &Verdict)) {
        if let Some(t) = line.strip_prefix("START ") {
            self.running = Some(t.to_string());
        } else if let Some(t) = line.strip_prefix("PASS ") {
            self.running = None;
            self.record(t.trim(), Verdict::Pass, report);
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            self.running = None;
            let (t, msg) = rest.split_once(": ").unwrap_or((rest, "failed"));
            self.record(t.trim(), Verdict::Fail(msg.to_string()), report);
        } else if let Some(e) = line.strip_prefix("ERROR ") {
            self.error = Some(e.to_string());
        } else if line == "DONE" {
            self.done = true;
        }
    }

    /// Reads lines until the child ends or stays silent longer than `timeout` (then kills it).
    fn follow(
        &mut self,
        child: &mut Child,
        rx: &Receiver<String>,
        timeout: Option<Duration>,
        report: &mut dyn FnMut(&str, &Verdict),
    ) -> Result<Ended, String> {
        let mut last = Instant::now();
        let mut eof = false;
        loop {
            if !eof {
                match rx.recv_timeout(POLL) {
                    Ok(line) => {
                        self.handle(&line, report);
                        last = Instant::now();
                        continue;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => eof = true,
                }
            } else {
                std::thread::sleep(POLL);
            }
            if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
                self.drain(rx, report);
                return Ok(Ended::Exited(st));
            }
            if let Some(t) = timeout {
                if last.elapsed() >= t {
                    let _ = child.kill();
                    let _ = child.wait();
                    self.drain(rx, report);
                    return Ok(Ended::TimedOut(t));
                }
            }
        }
    }

    /// Takes the lines a child wrote before it ended.
    fn drain(&mut self, rx: &Receiver<String>, report: &mut dyn FnMut(&str, &Verdict)) {
        while let Ok(line) = rx.recv_timeout(DRAIN) {
            self.handle(&line, report);
        }
    }
}
