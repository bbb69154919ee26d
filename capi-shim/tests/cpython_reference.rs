//! Checks the test extensions themselves against the reference implementation: each is built
//! against CPython's headers (`python3-config --includes`) and imported by `python3`, which
//! calls every `test_*` function. Skipped (with a message) when python3 or its headers are
//! missing.

mod common;

use std::process::Command;

#[test]
fn extensions_pass_under_cpython() {
    let Ok(inc) = Command::new("python3-config").arg("--includes").output() else {
        println!("SKIPPED: python3-config not found");
        return;
    };
    let includes: Vec<String> = String::from_utf8_lossy(&inc.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let has_header = includes.iter().any(|i| {
        std::path::Path::new(i.trim_start_matches("-I"))
            .join("Python.h")
            .exists()
    });
    if !inc.status.success() || !has_header {
        println!("SKIPPED: CPython headers (Python.h) not found");
        return;
    }
    let suffix = Command::new("python3-config")
        .arg("--extension-suffix")
        .output()
        .expect("suffix");
    let suffix = String::from_utf8_lossy(&suffix.stdout).trim().to_string();
    let dir = common::scratch("cpython");
    for e in common::exts() {
        common::compile(&e, &dir.join(format!("{e}{suffix}")), &includes)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // SIGINT gets CPython's handler even when this test inherited it ignored (a background
    // job), or PyErr_SetInterrupt would do nothing and test_interrupt fail for that reason.
    // Tests named `test_exits_<N>_*` / `test_exits_abort_*` end the process: each runs in its own
    // interpreter, which must exit with status N or die of SIGABRT (as in pyopaque's runner).
    let script = format!(
        "import sys, importlib, subprocess, signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\nsys.path.insert(0, {dir:?})\nfails = 0\ndef expected(t):\n    w = t[len('test_exits_'):].split('_')[0]\n    return -signal.SIGABRT if w == 'abort' else int(w)\nfor name in {exts:?}:\n    m = importlib.import_module(name)\n    for t in [n for n in m.__dict__ if n.startswith('test_')]:\n        if t.startswith('test_exits_'):\n            code = 'import sys; sys.path.insert(0, %r); import %s; %s.%s()' % ({dir:?}, name, name, t)\n            rc = subprocess.run([sys.executable, '-c', code], capture_output=True).returncode\n            if rc == expected(t):\n                print('PASS', name + '.' + t)\n            else:\n                fails += 1\n                print('FAIL', name + '.' + t + ':', 'exit status', rc, 'expected', expected(t))\n            continue\n        try:\n            getattr(m, t)()\n            print('PASS', name + '.' + t)\n        except Exception as e:\n            fails += 1\n            print('FAIL', name + '.' + t + ':', type(e).__name__ + ':', e)\nsys.exit(1 if fails else 0)\n",
        dir = dir.display().to_string(),
        exts = common::exts(),
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "tests failed under CPython:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
