//! Python test programs (`tests/python/`) through the Cython front end.
//!
//! * Every `tests/python/*.py` module: its `test_*` functions under `pyopaque run-ext` in all 32
//!   configurations (and again under `--gc-stress`); the same file under CPython as the
//!   reference (`python3 FILE.py` runs its tests from the main block and prints `ok`), and the
//!   same Cython build under CPython (`pyopaque run --cpython FILE.py`).
//! * Every `tests/python/programs/*.py` program: `pyopaque run` against `python3` (stdout, exit
//!   status, last line of stderr).
//!
//! A failure is accepted only when `tests/python/expected_failures.txt` lists it with a reason
//! (`FILE | reason` for the whole file, `FILE::test_name | reason` for one test). A listed item
//! that now passes in every configuration fails the test too ("remove it from the list"), so
//! the list only shrinks. CPython must pass everything: the list never applies to it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("python")
}

fn pyopaque() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pyopaque"));
    // Each configuration states its own stress setting (the stress test passes --gc-stress).
    c.env_remove("PYOPAQUE_GC_STRESS");
    c
}

fn python3() -> Command {
    Command::new(std::env::var("PYOPAQUE_PYTHON").unwrap_or_else(|_| "python3".into()))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    v.sort();
    v
}

fn name_of(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// `tests/python/expected_failures.txt`: key (`FILE` or `FILE::test`) to reason.
fn expected_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(python_dir().join("expected_failures.txt"))
        .expect("tests/python/expected_failures.txt");
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, reason) = line
            .split_once('|')
            .unwrap_or_else(|| panic!("expected_failures.txt: `KEY | reason` expected: {line}"));
        let reason = reason.trim();
        assert!(
            !reason.is_empty(),
            "expected_failures.txt: {line}: no reason"
        );
        m.insert(key.trim().to_string(), reason.to_string());
    }
    m
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The report's default configuration, as run-ext flags.
const DEFAULT_CONFIGURATION: [&str; 8] = [
    "--scheme",
    "classic",
    "--immortal",
    "on",
    "--tagging",
    "on",
    "--strategies",
    "on",
];

/// Whether the suite runs in GC stress mode (`PYOPAQUE_GC_STRESS` set, as in CI's stress step).
fn stress_from_env() -> bool {
    std::env::var("PYOPAQUE_GC_STRESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// One outcome line of `run-ext`: (configuration, key, failure message or None).
fn run_ext(file: &Path, stress: bool) -> Vec<(String, String, Option<String>)> {
    let mut cmd = pyopaque();
    cmd.arg("run-ext").arg(file);
    if stress {
        cmd.arg("--gc-stress");
    }
    if stress || stress_from_env() {
        // Under stress every allocation collects and verifies the heap: a compiled module's
        // init (builtins, collections.abc, its own types) costs seconds per configuration, so
        // stress runs the default configuration; the other 31 run without stress.
        cmd.args(DEFAULT_CONFIGURATION);
    }
    let out = cmd.output().expect("run pyopaque run-ext");
    let (stdout, stderr) = text(&out);
    let fname = name_of(file);
    let module = fname.trim_end_matches(".py").to_string();
    let mut v = Vec::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix('[') else {
            continue;
        };
        let Some((label, rest)) = rest.split_once("] ") else {
            continue;
        };
        let key_of = |name: &str| match name.strip_prefix(&format!("{module}.")) {
            Some(t) => format!("{fname}::{t}"),
            None => fname.clone(),
        };
        if let Some(name) = rest.strip_prefix("PASS ") {
            v.push((label.to_string(), key_of(name.trim()), None));
        } else if let Some(r) = rest.strip_prefix("FAIL ") {
            let (name, msg) = r.split_once(": ").unwrap_or((r, "failed"));
            let (key, msg) = if name.starts_with(&format!("{module}.")) {
                (key_of(name), msg.to_string())
            } else {
                (fname.clone(), r.to_string())
            };
            v.push((label.to_string(), key, Some(msg)));
        } else if let Some(r) = rest.strip_prefix("CRASH ") {
            v.push((
                label.to_string(),
                fname.clone(),
                Some(format!("crash: {r}")),
            ));
        }
    }
    if v.is_empty() {
        v.push((
            "build".into(),
            fname.clone(),
            Some(format!(
                "run-ext printed no outcome ({}): {}",
                out.status,
                stderr.lines().last().unwrap_or("")
            )),
        ));
    }
    v
}

/// Checks outcomes against the list; returns the problems.
fn judge(
    outcomes: &[(String, String, Option<String>)],
    expected: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut failed_keys: BTreeSet<&str> = BTreeSet::new();
    let mut seen_keys: BTreeSet<&str> = BTreeSet::new();
    for (label, key, failure) in outcomes {
        seen_keys.insert(key);
        let Some(msg) = failure else { continue };
        failed_keys.insert(key);
        let file = key.split("::").next().unwrap_or(key);
        if !expected.contains_key(key) && !expected.contains_key(file) {
            problems.push(format!("[{label}] {key}: {msg}"));
        }
    }
    // A listed item that passed everywhere it ran: the list must shrink.
    for key in expected.keys() {
        let file = key.split("::").next().unwrap_or(key);
        let ran = outcomes
            .iter()
            .any(|(_, k, _)| k.split("::").next() == Some(file));
        if !ran {
            continue;
        }
        let any_failure = failed_keys
            .iter()
            .any(|k| *k == key || (!key.contains("::") && k.split("::").next() == Some(file)));
        if !any_failure {
            problems.push(format!(
                "{key} is listed in tests/python/expected_failures.txt but now passes in every \
                 configuration: remove it from the list"
            ));
        }
    }
    problems
}

fn check_modules(stress: bool) {
    let expected = expected_failures();
    let files = files_in(&python_dir());
    assert!(files.len() >= 8, "too few test programs");
    for key in expected.keys() {
        let file = key.split("::").next().unwrap();
        assert!(
            python_dir().join(file).exists() || python_dir().join("programs").join(file).exists(),
            "expected_failures.txt names {key}, but there is no such file"
        );
    }
    let mut problems = Vec::new();
    let mut passed = 0usize;
    for f in &files {
        let outcomes = run_ext(f, stress);
        passed += outcomes.iter().filter(|o| o.2.is_none()).count();
        problems.extend(judge(&outcomes, &expected));
    }
    println!("{passed} test runs passed");
    assert!(
        problems.is_empty(),
        "unexpected outcomes:\n{}",
        problems.join("\n")
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn test_modules_run_in_every_configuration() {
    check_modules(false);
}

#[test]
#[cfg_attr(miri, ignore)]
fn test_modules_run_under_gc_stress() {
    check_modules(true);
}

#[test]
#[cfg_attr(miri, ignore)]
fn test_modules_pass_under_cpython_from_source_and_from_the_same_build() {
    let mut problems = Vec::new();
    for f in files_in(&python_dir()) {
        let out = python3().arg(&f).output().expect("python3");
        let (stdout, stderr) = text(&out);
        if !out.status.success() || stdout.trim() != "ok" {
            problems.push(format!("python3 {}: {stdout}{stderr}", name_of(&f)));
        }
        let out = pyopaque()
            .args(["run", "--cpython"])
            .arg(&f)
            .output()
            .expect("pyopaque run --cpython");
        let (stdout, stderr) = text(&out);
        if !out.status.success() || stdout.trim() != "ok" {
            problems.push(format!(
                "pyopaque run --cpython {}: {stdout}{stderr}",
                name_of(&f)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// (program, arguments) pairs run under both.
const PROGRAM_RUNS: &[(&str, &[&str])] = &[
    ("main_name.py", &["a", "-b"]),
    ("exit_status.py", &["none"]),
    ("exit_status.py", &["4"]),
    ("exit_status.py", &["message"]),
    ("uncaught.py", &[]),
    ("chained.py", &[]),
    (
        "options.py",
        &[
            "-n",
            "5",
            "--scale=0.5",
            "-qvv",
            "-Ia",
            "-I",
            "b",
            "x",
            "--",
            "-y",
        ],
    ),
    ("options.py", &[]),
    ("options.py", &["--count", "many"]),
    ("options.py", &["--mode", "medium"]),
    ("options.py", &["--bogus"]),
];

/// What both runs must agree on: stdout, exit status, and stderr's last line.
fn observe(o: &Output) -> (String, Option<i32>, String) {
    let (stdout, stderr) = text(o);
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string();
    (stdout, o.status.code(), last)
}

#[test]
#[cfg_attr(miri, ignore)]
fn programs_behave_as_under_cpython() {
    let expected = expected_failures();
    let dir = python_dir().join("programs");
    let mut problems = Vec::new();
    let mut failed: BTreeSet<&str> = BTreeSet::new();
    for (prog, args) in PROGRAM_RUNS {
        let f = dir.join(prog);
        let reference = observe(&python3().arg(&f).args(*args).output().expect("python3"));
        let ours = pyopaque()
            .arg("run")
            .arg(&f)
            .args(*args)
            .output()
            .expect("pyopaque run");
        let got = observe(&ours);
        if got != reference {
            failed.insert(prog);
            if !expected.contains_key(*prog) {
                problems.push(format!(
                    "{prog} {args:?}: pyopaque run gave {got:?}, python3 gave {reference:?}"
                ));
            }
        }
    }
    for (prog, _) in PROGRAM_RUNS {
        if expected.contains_key(*prog) && !failed.contains(prog) {
            problems.push(format!(
                "{prog} is listed in tests/python/expected_failures.txt but now behaves as \
                 under CPython: remove it from the list"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_syntax_error_gets_cythons_message_and_a_non_zero_exit() {
    let f = python_dir().join("programs").join("bad_syntax.py");
    let out = pyopaque()
        .arg("run")
        .arg(&f)
        .output()
        .expect("pyopaque run");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Error compiling Cython file") && stderr.contains("bad_syntax.py:2:"),
        "Cython's message (with the position) expected, got:\n{stderr}"
    );
    let out = pyopaque().arg("run-ext").arg(&f).output().expect("run-ext");
    assert!(!out.status.success());
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_second_build_comes_from_the_cache() {
    let f = python_dir().join("arith.py");
    let run = || {
        let out = pyopaque()
            .args(["run", "--cpython", "-v"])
            .arg(&f)
            .output()
            .expect("pyopaque run");
        text(&out).1
    };
    let _ = run();
    let second = run();
    assert!(
        second.contains("found in the cache") && !second.contains("-m\" \"cython\""),
        "the second run recompiled:\n{second}"
    );
}

/// `bench python` on one of Cython's benchmarks (`bm_generators`, one of the quickest): the
/// JSON object has the documented keys, the benchmark completes under pyopaque with CPython's
/// output, and both CPython builds give a time (the figures themselves are measurements, not
/// checked).
#[test]
#[cfg_attr(miri, ignore)]
fn bench_python_reports_the_documented_keys() {
    let out = pyopaque()
        .args([
            "bench",
            "python",
            "--json",
            "--rounds",
            "1",
            "--scale",
            "1",
            "--only",
            "bm_generators",
        ])
        .output()
        .expect("pyopaque bench python");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/benchmarks.md"))
        .unwrap();
    for key in ["completed", "total", "rounds", "benchmarks"] {
        assert!(!v[key].is_null(), "key {key} in {v}");
        assert!(docs.contains(&format!("`{key}`")), "{key} documented");
    }
    let b = &v["benchmarks"]["bm_generators"];
    for key in [
        "ok",
        "cpython_regular_ms",
        "cpython_limited_ms",
        "pypy_ms",
        "pyopaque_ms",
    ] {
        assert!(b.get(key).is_some(), "key {key} in {b}");
        assert!(docs.contains(key), "{key} documented");
    }
    assert_eq!(b["ok"], serde_json::json!(true), "{b}\n{stderr}");
    assert_eq!(v["completed"], serde_json::json!(1));
    assert!(b["cpython_limited_ms"].as_f64().is_some_and(|x| x > 0.0));
    assert!(b["cpython_regular_ms"].as_f64().is_some_and(|x| x > 0.0));
    assert!(b["pyopaque_ms"].as_f64().is_some_and(|x| x > 0.0));
}
