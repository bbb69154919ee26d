//! Debug mode (`PYOPAQUE_CAPI_DEBUG=1`): the deliberate-misuse extensions
//! (`tests/ext/ext_debug_*.c`) run in a child process each, and the report must name the C API
//! function and the object's type. Without debug mode, the misuses that do not crash behave as
//! CPython would (SystemError for the result-protocol violations).

mod common;

use std::process::{Command, Output};

const CLASSIC: &str = "scheme=classic,immortal=on,tagging=on,strategies=on,gc_stress=off";

fn build(ext: &str) -> String {
    // Tests run in parallel threads and several build the same extension: each build gets its
    // own directory so no test loads a file another one is still writing.
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = common::scratch(&format!("debug-{n}"));
    let include = vec![format!(
        "-I{}",
        common::crate_dir().join("include").display()
    )];
    let so = dir.join(format!("{ext}.so"));
    common::compile(ext, &so, &include).unwrap_or_else(|e| panic!("{e}"));
    so.display().to_string()
}

fn run(ext: &str, config: &str, debug: bool) -> (Output, String, String) {
    let lib = common::shim_lib();
    let so = build(ext);
    let mut c = Command::new(env!("CARGO_BIN_EXE_pyopaque-ext-child"));
    c.arg(&lib).arg(config).arg(&so).arg(ext);
    if debug {
        c.env("PYOPAQUE_CAPI_DEBUG", "1");
    } else {
        c.env_remove("PYOPAQUE_CAPI_DEBUG");
    }
    let out = c.output().expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

fn report_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("pyopaque debug:"))
        .unwrap_or_else(|| panic!("no debug report on stderr:\n{stderr}"))
}

#[test]
fn use_after_last_decref_is_reported() {
    let (out, stdout, stderr) = run("ext_debug_use_after_free", CLASSIC, true);
    let line = report_line(&stderr);
    assert!(line.contains("PyFloat_AsDouble"), "{line}");
    assert!(line.contains("'float'"), "{line}");
    assert!(
        line.contains("after its last reference was released"),
        "{line}"
    );
    assert!(!out.status.success(), "the misuse must not pass:\n{stdout}");
}

#[test]
fn decref_below_zero_is_reported() {
    let (out, _stdout, stderr) = run("ext_debug_decref", CLASSIC, true);
    let line = report_line(&stderr);
    assert!(line.contains("Py_DecRef"), "{line}");
    assert!(line.contains("below zero"), "{line}");
    assert!(line.contains("'float'"), "{line}");
    assert!(!out.status.success());
}

#[test]
fn decref_below_zero_is_reported_under_tracing() {
    let cfg = "scheme=tracing,immortal=on,tagging=on,strategies=on,gc_stress=off";
    let (out, stdout, stderr) = run("ext_debug_decref", cfg, true);
    let line = report_line(&stderr);
    assert!(line.contains("Py_DecRef"), "{line}");
    assert!(line.contains("below zero"), "{line}");
    assert!(line.contains("'float'"), "{line}");
    assert!(!out.status.success(), "the misuse must not pass:\n{stdout}");
}

#[test]
fn borrowed_reference_after_owner_died_is_reported() {
    for cfg in [
        CLASSIC,
        "scheme=classic,immortal=on,tagging=off,strategies=off,gc_stress=off",
        "scheme=biased,immortal=off,tagging=on,strategies=on,gc_stress=off",
    ] {
        let (out, stdout, stderr) = run("ext_debug_borrowed", cfg, true);
        let line = report_line(&stderr);
        assert!(line.contains("PyFloat_AsDouble"), "[{cfg}] {line}");
        assert!(line.contains("PyList_GetItem"), "[{cfg}] {line}");
        assert!(line.contains("'list'"), "[{cfg}] {line}");
        assert!(line.contains("'float'"), "[{cfg}] {line}");
        assert!(
            stdout.contains("FAIL ext_debug_borrowed.test_borrowed_after_owner_died")
                && stdout.contains("SystemError"),
            "[{cfg}] {stdout}"
        );
        assert!(
            stdout.contains("PASS ext_debug_borrowed.test_borrowed_then_increfed_is_fine"),
            "[{cfg}] a legitimate borrow must pass:\n{stdout}\n{stderr}"
        );
        assert!(!out.status.success());
    }
}

#[test]
fn borrowed_reference_after_owner_died_without_debug_mode_stays_valid() {
    // Without debug mode pyopaque keeps the borrowed element pinned (alive) until the native call
    // returns, so the misuse reads the right value instead of freed memory.
    let (_out, stdout, stderr) = run("ext_debug_borrowed", CLASSIC, false);
    assert!(
        stdout.contains("PASS ext_debug_borrowed.test_borrowed_after_owner_died"),
        "{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("pyopaque debug:"), "{stderr}");
}

#[test]
fn result_protocol_violations_are_system_errors_as_in_cpython() {
    for debug in [false, true] {
        let (out, stdout, stderr) = run("ext_debug_results", CLASSIC, debug);
        let null = stdout
            .lines()
            .find(|l| l.contains("test_null_without_exception"))
            .unwrap_or_else(|| panic!("{stdout}\n{stderr}"));
        assert!(null.starts_with("FAIL"), "{null}");
        assert!(null.contains("SystemError"), "{null}");
        assert!(
            null.contains("returned NULL without setting an exception"),
            "{null}"
        );
        let res = stdout
            .lines()
            .find(|l| l.contains("test_result_with_exception"))
            .unwrap_or_else(|| panic!("{stdout}\n{stderr}"));
        assert!(res.starts_with("FAIL"), "{res}");
        assert!(res.contains("SystemError"), "{res}");
        assert!(
            res.contains("returned a result with an exception set"),
            "{res}"
        );
        assert!(!out.status.success());
        if debug {
            let n = stderr
                .lines()
                .find(|l| l.contains("returned NULL without setting an exception"))
                .unwrap_or_else(|| panic!("no debug report:\n{stderr}"));
            assert!(
                n.starts_with("pyopaque debug: test_null_without_exception"),
                "{n}"
            );
            let r = stderr
                .lines()
                .find(|l| l.contains("with an exception set"))
                .unwrap_or_else(|| panic!("no debug report:\n{stderr}"));
            assert!(
                r.starts_with("pyopaque debug: test_result_with_exception"),
                "{r}"
            );
            assert!(r.contains("'str'"), "{r}");
        } else {
            assert!(!stderr.contains("pyopaque debug:"), "{stderr}");
        }
    }
}

/// The CPython reference for the non-crashing misuses: both are SystemErrors there too.
#[test]
fn result_protocol_violations_match_cpython() {
    let Ok(inc) = Command::new("python3-config").arg("--includes").output() else {
        println!("skipped: python3-config not found");
        return;
    };
    let inc = String::from_utf8_lossy(&inc.stdout).trim().to_string();
    if inc.is_empty() {
        println!("skipped: no CPython headers");
        return;
    }
    let dir = common::scratch("debug-cpython");
    let so = dir.join("ext_debug_results.so");
    let flags: Vec<String> = inc.split_whitespace().map(str::to_string).collect();
    if let Err(e) = common::compile("ext_debug_results", &so, &flags) {
        println!("skipped: {e}");
        return;
    }
    let script = format!(
        "import sys; sys.path.insert(0, {d:?}); import ext_debug_results as m\n\
         for n in ('test_null_without_exception', 'test_result_with_exception'):\n\
         \x20   try:\n\
         \x20       getattr(m, n)()\n\
         \x20       print(n, 'no error')\n\
         \x20   except SystemError as e:\n\
         \x20       print(n, 'SystemError', e)\n",
        d = dir.display().to_string()
    );
    let out = match Command::new("python3").arg("-c").arg(&script).output() {
        Ok(o) => o,
        Err(_) => {
            println!("skipped: python3 not found");
            return;
        }
    };
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("test_null_without_exception SystemError")
            && s.contains("returned NULL without setting an exception"),
        "{s}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        s.contains("test_result_with_exception SystemError")
            && s.contains("returned a result with an exception set"),
        "{s}"
    );
}
