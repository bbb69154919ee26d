//! The command-line interface: help, config flags, `bench --json` keys (the stable interface
//! reviewers read), and `run-ext` reporting crashes as failures.

use std::process::Command;

fn pyopaque() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pyopaque"))
}

#[test]
fn help_explains_every_subcommand() {
    let out = pyopaque().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["report", "bench", "run-ext", "config"] {
        assert!(text.contains(cmd), "--help mentions {cmd}:\n{text}");
    }
    assert!(
        !text.contains("__ext-child"),
        "internal subcommands stay hidden"
    );
}

#[test]
fn config_points_at_our_headers() {
    let out = pyopaque().args(["config", "--cflags"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let inc = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("-I"))
        .expect("an -I flag");
    assert!(
        std::path::Path::new(inc).join("Python.h").exists(),
        "{inc}/Python.h"
    );
}

#[test]
fn bench_json_has_the_documented_keys() {
    let out = pyopaque()
        .args(["bench", "tagging", "--json", "--quick"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/benchmarks.md"))
        .unwrap();
    for key in [
        "tagged_create_sum_ns_per_int",
        "boxed_create_sum_ns_per_int",
        "tagged_heap_allocations",
    ] {
        assert!(v[key].is_number(), "key {key} in {v}");
        assert!(
            docs.contains(&format!("`{key}`")),
            "{key} documented in docs/benchmarks.md"
        );
    }
    assert_eq!(
        v["tagged_heap_allocations"], 0.0,
        "tagged ints never allocate"
    );
}

#[test]
fn unknown_bench_group_is_a_clear_error() {
    let out = pyopaque().args(["bench", "nope"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown benchmark group"));
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_reports_a_crash_as_a_failure() {
    let dir = std::env::temp_dir().join(format!("pyopaque-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("crashy.c");
    std::fs::write(
        &src,
        r#"#include <Python.h>
static PyObject *test_ok(PyObject *m, PyObject *u) { Py_RETURN_NONE; }
static PyObject *test_segfault(PyObject *m, PyObject *u) { volatile int *p = 0; *p = 1; Py_RETURN_NONE; }
static PyMethodDef methods[] = {
    {"test_ok", test_ok, METH_NOARGS, NULL},
    {"test_segfault", test_segfault, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "crashy", NULL, -1, methods, NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit_crashy(void) { return PyModule_Create(&def); }
"#,
    )
    .unwrap();
    let out = pyopaque()
        .args([
            "run-ext",
            src.to_str().unwrap(),
            "--scheme",
            "classic",
            "--immortal",
            "on",
            "--tagging",
            "on",
            "--strategies",
            "on",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a crash fails the run:\n{text}");
    assert!(text.contains("CRASH"), "the crash is reported:\n{text}");
    assert!(
        text.lines().last().unwrap().ends_with("failed"),
        "summary line last:\n{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
