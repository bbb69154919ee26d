//! The command-line interface: help, config flags, `bench --json` keys (the stable interface
//! reviewers read), `run-ext` (crashes and hangs named per test, the extension's output passed
//! through, load problems listed before running) and an installed copy of the executable.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// A scratch directory private to one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pyopaque-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `<dir>/<module>.c`: a module whose methods are `tests`, (name, C body) in order.
fn write_ext(dir: &Path, module: &str, prelude: &str, tests: &[(&str, &str)]) -> PathBuf {
    let mut c = format!("#include <Python.h>\n#include <stdio.h>\n{prelude}\n");
    for (name, body) in tests {
        c += &format!("static PyObject *{name}(PyObject *m, PyObject *u) {{ {body} }}\n");
    }
    c += "static PyMethodDef methods[] = {\n";
    for (name, _) in tests {
        c += &format!("    {{\"{name}\", {name}, METH_NOARGS, NULL}},\n");
    }
    c += "    {NULL, NULL, 0, NULL}};\n";
    c += &format!(
        "static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, \"{module}\", NULL, -1, methods, NULL, NULL, NULL, NULL}};\n\
         PyMODINIT_FUNC PyInit_{module}(void) {{ return PyModule_Create(&def); }}\n"
    );
    let path = dir.join(format!("{module}.c"));
    std::fs::write(&path, c).unwrap();
    path
}

/// Compiles `src` into `so` against our headers, as a user would (`pyopaque config --cflags`).
fn build_so(src: &Path, so: &Path) {
    let flags = pyopaque().args(["config", "--cflags"]).output().unwrap();
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    let out = Command::new("gcc")
        .arg("-shared")
        .args(flags.split_whitespace())
        .arg(src)
        .arg("-o")
        .arg(so)
        .output()
        .expect("gcc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One configuration, so each run is quick.
const ONE_CONFIG: [&str; 8] = [
    "--scheme",
    "classic",
    "--immortal",
    "on",
    "--tagging",
    "on",
    "--strategies",
    "on",
];

/// `pyopaque run-ext ARGS... <one configuration>` in `dir`.
fn run_ext(dir: &Path, args: &[&str]) -> (Output, String, String) {
    let out = pyopaque()
        .current_dir(dir)
        .arg("run-ext")
        .args(args)
        .args(ONE_CONFIG)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

const PASS: &str = "Py_RETURN_NONE;";
const SEGFAULT: &str = "volatile int *p = 0; *p = 1; Py_RETURN_NONE;";

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_names_the_test_that_crashed_and_runs_the_rest() {
    let dir = scratch("crash");
    let src = write_ext(
        &dir,
        "crashy",
        "",
        &[
            ("test_ok", PASS),
            ("test_segfault", SEGFAULT),
            ("test_exits_3_by_py_exit", "Py_Exit(3); Py_RETURN_NONE;"),
            ("test_after", PASS),
        ],
    );
    let (out, text, stderr) = run_ext(&dir, &[src.to_str().unwrap()]);
    assert!(!out.status.success(), "a crash fails the run:\n{text}");
    assert!(
        text.contains("] CRASH crashy.test_segfault: killed by signal 11 (SIGSEGV)"),
        "the crashed test is named:\n{text}\n{stderr}"
    );
    assert!(
        text.contains("] PASS crashy.test_exits_3_by_py_exit"),
        "exit tests still run in a forked child:\n{text}"
    );
    assert!(
        text.contains("] PASS crashy.test_after"),
        "tests after the crash run:\n{text}"
    );
    assert_eq!(
        text.lines().last(),
        Some("3 passed, 1 failed"),
        "summary line last:\n{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_times_out_a_test_that_never_returns() {
    let dir = scratch("timeout");
    let src = write_ext(
        &dir,
        "loopy",
        "",
        &[
            ("test_forever", "for (;;) {} Py_RETURN_NONE;"),
            ("test_after", PASS),
        ],
    );
    let start = std::time::Instant::now();
    let (out, text, stderr) = run_ext(&dir, &[src.to_str().unwrap(), "--timeout", "1"]);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("] TIMEOUT loopy.test_forever: still running after 1 s"),
        "the hung test is named:\n{text}\n{stderr}"
    );
    assert!(text.contains("] PASS loopy.test_after"), "{text}");
    assert_eq!(text.lines().last(), Some("1 passed, 1 failed"), "{text}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "the timeout ends the test"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_passes_the_extension_output_through() {
    let dir = scratch("output");
    let src = write_ext(
        &dir,
        "chatty",
        "",
        &[(
            "test_prints",
            "printf(\"printed by printf\\n\"); \
             printf(\"PASS chatty.test_not_a_test\\n\"); \
             PySys_WriteStdout(\"printed by PySys_WriteStdout\\n\"); \
             fprintf(stderr, \"printed to stderr\\n\"); \
             Py_RETURN_NONE;",
        )],
    );
    let (out, text, stderr) = run_ext(&dir, &[src.to_str().unwrap()]);
    assert!(out.status.success(), "{text}\n{stderr}");
    let printed = text.find("printed by printf").expect("printf output shown");
    let result = text.find("] PASS chatty.test_prints").expect("result line");
    assert!(
        printed < result,
        "output precedes its test's result:\n{text}"
    );
    assert!(text.contains("printed by PySys_WriteStdout\n"), "{text}");
    assert!(stderr.contains("printed to stderr"), "{stderr}");
    assert_eq!(
        text.lines().last(),
        Some("1 passed, 0 failed"),
        "a PASS line the extension prints is not a result:\n{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_loads_a_shared_object_named_without_a_directory() {
    let dir = scratch("cwd");
    let src = write_ext(&dir, "here", "", &[("test_ok", PASS)]);
    build_so(&src, &dir.join("here.so"));
    let (out, text, stderr) = run_ext(&dir, &["here.so"]);
    assert!(out.status.success(), "{text}\n{stderr}");
    assert!(text.contains("] PASS here.test_ok"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_module_option_names_the_init_function() {
    let dir = scratch("module");
    let src = write_ext(&dir, "realname", "", &[("test_ok", PASS)]);
    build_so(&src, &dir.join("othername.so"));
    let (out, _, stderr) = run_ext(&dir, &["othername.so"]);
    assert!(!out.status.success());
    assert!(
        stderr.contains("defines no PyInit_othername")
            && stderr.contains("run with --module realname"),
        "{stderr}"
    );
    let (out, text, stderr) = run_ext(&dir, &["othername.so", "--module", "realname"]);
    assert!(out.status.success(), "{text}\n{stderr}");
    assert!(text.contains("] PASS realname.test_ok"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_lists_every_missing_symbol() {
    let dir = scratch("missing");
    let src = write_ext(
        &dir,
        "needy",
        "PyAPI_FUNC(PyObject *) PyNeedy_First(void);\nPyAPI_FUNC(PyObject *) PyNeedy_Second(void);",
        &[("test_calls", "PyNeedy_First(); return PyNeedy_Second();")],
    );
    let (out, text, stderr) = run_ext(&dir, &[src.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{text}\n{stderr}");
    assert!(
        stderr.contains("needs 2 symbols that libpyopaque_capi.so does not export: PyNeedy_First, PyNeedy_Second"),
        "{stderr}"
    );
    assert!(!stderr.contains("another Python"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn run_ext_recognises_another_pythons_headers() {
    // What CPython's inline Py_DECREF leaves in an extension: a call to _Py_Dealloc.
    let dir = scratch("foreign");
    let src = write_ext(
        &dir,
        "foreign",
        "void _Py_Dealloc(PyObject *);",
        &[(
            "test_decref",
            "PyObject *l = PyList_New(0); _Py_Dealloc(l); Py_RETURN_NONE;",
        )],
    );
    let (out, _, stderr) = run_ext(&dir, &[src.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("compiled against another Python's headers")
            && stderr.contains("_Py_Dealloc")
            && stderr.contains("include_dirs"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_ext_rejects_an_unsupported_file_kind() {
    let dir = scratch("kind");
    std::fs::write(dir.join("notes.txt"), "").unwrap();
    let (out, _, stderr) = run_ext(&dir, &["notes.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("unsupported file kind '.txt'"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A copy of the executable far from the source tree, as `cargo install` leaves it: run
/// without cargo's environment.
fn installed(bin: &Path, cache: &Path) -> Command {
    let mut c = Command::new(bin);
    c.env_remove("CARGO")
        .env_remove("PYOPAQUE_CAPI_LIB")
        .env_remove("PYOPAQUE_INCLUDE")
        .env("XDG_CACHE_HOME", cache);
    c
}

#[test]
#[cfg_attr(miri, ignore)]
fn an_installed_copy_has_headers_and_finds_its_library() {
    let dir = scratch("installed");
    let (bin_dir, cache) = (dir.join("bin"), dir.join("cache"));
    std::fs::create_dir_all(&bin_dir).unwrap();
    let bin = bin_dir.join("pyopaque");
    std::fs::copy(env!("CARGO_BIN_EXE_pyopaque"), &bin).unwrap();
    // Headers: embedded in the executable, extracted to the cache, not the source tree.
    let out = installed(&bin, &cache)
        .args(["config", "--includes"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let inc = PathBuf::from(text.trim().strip_prefix("-I").expect("an -I flag"));
    assert!(inc.starts_with(&cache), "{inc:?} under {cache:?}");
    assert!(inc.join("Python.h").exists(), "{inc:?}/Python.h");
    // Library: beside the executable.
    let lib = pyopaque().args(["config", "--lib"]).output().unwrap();
    let lib = PathBuf::from(String::from_utf8_lossy(&lib.stdout).trim());
    std::fs::copy(&lib, bin_dir.join("libpyopaque_capi.so")).unwrap();
    let out = installed(&bin, &cache)
        .args(["config", "--lib"])
        .output()
        .unwrap();
    assert_eq!(
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        bin_dir.join("libpyopaque_capi.so").canonicalize().unwrap()
    );
    let src = write_ext(&dir, "inst", "", &[("test_ok", PASS)]);
    let out = installed(&bin, &cache)
        .arg("run-ext")
        .arg(&src)
        .args(ONE_CONFIG)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("] PASS inst.test_ok"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A library that is not there: a message naming the variable.
    let out = installed(&bin, &cache)
        .env("PYOPAQUE_CAPI_LIB", dir.join("nowhere.so"))
        .arg("run-ext")
        .arg(&src)
        .args(ONE_CONFIG)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("PYOPAQUE_CAPI_LIB=") && stderr.contains("nowhere.so does not exist"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
