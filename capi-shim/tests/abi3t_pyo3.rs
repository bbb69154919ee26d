//! Binary compatibility with CPython 3.15's abi3t: the PyO3 extension in `tests/pyo3_ext/` is
//! built *for CPython* (PyO3's `abi3t-py315` feature and a generated `PYO3_CONFIG_FILE` saying
//! `implementation=CPython`, `version=3.15`, `abi3=true`; no CPython 3.15 and none of our
//! headers involved), then loaded unmodified through its PEP 793 export hook and its `test_*`
//! functions run under all 32 configurations, with and without GC stress.
//!
//! Building needs PyO3 from crates.io: when cargo cannot fetch it (and only then: the error is a
//! network failure), the two extension tests print `SKIPPED` with cargo's message; any other
//! build error fails them.
//!
//! The third test checks the struct layouts the ABI fixes: a C program prints `sizeof` and
//! `offsetof` of each struct and field, compiled against CPython 3.11's headers
//! (`python3-config --includes`) and against ours; both, and the shim's Rust definitions (which
//! read the memory), must agree. The 3.15-only structs (`PySlot`, `PyABIInfo`) are checked
//! against the layout `Include/slots.h` and `Include/modsupport.h` document.

mod common;

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pyopaque_capi::boundary::ffi::{
    PyGetSetDef, PyMemberDef, PyMethodDef, PyModuleDef_Slot, PyType_Slot, PyType_Spec,
};
use pyopaque_capi::boundary::pyslot::PySlot;
use pyopaque_capi::python::module::PyABIInfo;
use pyopaque_capi::r#abstract::buffer::PyBuffer;

/// The extension's `test_*` functions (each must pass in every configuration).
const TESTS: &[&str] = &[
    "test_functions",
    "test_class",
    "test_errors",
    "test_containers",
];

/// What building the extension gave: the `.so`, or why the tests cannot run.
enum Built {
    /// The built extension.
    So(PathBuf),
    /// Cargo could not reach the registry (the message says why).
    Offline(String),
}

/// Substrings of cargo's stderr that mean the registry or a download was unreachable.
const NETWORK_ERRORS: &[&str] = &[
    "failed to download",
    "failed to query replaced source registry",
    "Unable to update registry",
    "failed to fetch",
    "Couldn't resolve host",
    "Could not resolve host",
    "network failure",
    "spurious network error",
    "failed to get `pyo3`",
    "attempting to make an HTTP request, but --offline was specified",
];

/// Builds `tests/pyo3_ext` once per process (release; its own target dir next to ours).
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let manifest = common::crate_dir().join("tests/pyo3_ext/Cargo.toml");
        let child = PathBuf::from(env!("CARGO_BIN_EXE_pyopaque-ext-child"));
        let target = child
            .parent()
            .and_then(Path::parent)
            .expect("target dir")
            .join("pyo3-abi3t");
        std::fs::create_dir_all(&target).expect("target dir");
        // PyO3 reads the interpreter's description from this file instead of running Python.
        let config = target.join("pyo3-config.txt");
        std::fs::write(
            &config,
            "implementation=CPython\nversion=3.15\nabi3=true\nshared=true\nsuppress_build_script_link_lines=true\n",
        )
        .expect("config file");
        let out = Command::new(env!("CARGO"))
            .args(["build", "--release", "--locked", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            .env("PYO3_CONFIG_FILE", &config)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .output()
            .expect("run cargo");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        if !out.status.success() {
            if NETWORK_ERRORS.iter().any(|n| stderr.contains(n)) {
                return Built::Offline(stderr);
            }
            panic!("building the PyO3 extension failed:\n{stderr}");
        }
        Built::So(target.join("release/libpyo3_ext.so"))
    })
}

/// The extension, or `None` after printing why the test is skipped.
fn extension() -> Option<PathBuf> {
    match built() {
        Built::So(p) => Some(p.clone()),
        Built::Offline(why) => {
            println!("SKIPPED: cannot fetch PyO3 from the registry (network failure):\n{why}");
            None
        }
    }
}

/// Dynamic symbols of `so`: (defined, undefined) names, from `nm -D`.
fn symbols(so: &Path) -> (Vec<String>, Vec<String>) {
    let out = Command::new("nm")
        .arg("-D")
        .arg(so)
        .output()
        .expect("nm (binutils) is needed to read the extension's symbols");
    assert!(out.status.success(), "nm -D {} failed", so.display());
    let (mut def, mut undef) = (Vec::new(), Vec::new());
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        match f.as_slice() {
            ["U", n] | ["w", n] => undef.push(n.to_string()),
            [_, _, n] => def.push(n.to_string()),
            _ => {}
        }
    }
    (def, undef)
}

fn configs() -> Vec<String> {
    let mut v = Vec::new();
    for s in ["classic", "atomic", "biased", "tracing"] {
        for i in ["on", "off"] {
            for t in ["on", "off"] {
                for st in ["on", "off"] {
                    v.push(format!(
                        "scheme={s},immortal={i},tagging={t},strategies={st}"
                    ));
                }
            }
        }
    }
    v
}

fn run_all(stress: bool) {
    let Some(so) = extension() else { return };
    // An abi3t build: the export hook only, and every Py* name it imports is one we export.
    let (ext_def, ext_undef) = symbols(&so);
    assert!(ext_def.iter().any(|n| n == "PyModExport_pyo3_ext"));
    assert!(!ext_def.iter().any(|n| n.starts_with("PyInit_")));
    let lib = common::shim_lib();
    let (ours, _) = symbols(&lib);
    let missing: Vec<&String> = ext_undef
        .iter()
        .filter(|n| n.starts_with("Py") || n.starts_with("_Py"))
        .filter(|n| !ours.contains(n))
        .collect();
    assert!(missing.is_empty(), "not exported by the shim: {missing:?}");
    let child = env!("CARGO_BIN_EXE_pyopaque-ext-child");
    let mut failures = Vec::new();
    let mut passed = 0;
    for c in configs() {
        let cfg = format!("{c},gc_stress={}", if stress { "on" } else { "off" });
        let out = Command::new(child)
            .arg(&lib)
            .arg(&cfg)
            .arg(&so)
            .arg("pyo3_ext")
            .output()
            .expect("run child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        for t in TESTS {
            if stdout.contains(&format!("PASS pyo3_ext.{t}\n")) {
                passed += 1;
            } else {
                failures.push(format!("[{cfg}] {t} did not pass"));
            }
        }
        for l in stdout.lines().filter(|l| l.starts_with("FAIL")) {
            failures.push(format!("[{cfg}] {l}"));
        }
        if !out.status.success() {
            failures.push(format!(
                "[{cfg}] child exited with {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    println!("{passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    assert_eq!(passed, TESTS.len() * 32);
}

#[test]
fn pyo3_abi3t_extension_passes_in_every_configuration() {
    run_all(false);
}

#[test]
fn pyo3_abi3t_extension_passes_under_gc_stress() {
    run_all(true);
}

// ----- struct layouts -----

/// The structs the ABI fixes that CPython 3.11 has, with their fields.
const STRUCTS: &[(&str, &[&str])] = &[
    (
        "PyType_Spec",
        &["name", "basicsize", "itemsize", "flags", "slots"],
    ),
    ("PyType_Slot", &["slot", "pfunc"]),
    ("PyMethodDef", &["ml_name", "ml_meth", "ml_flags", "ml_doc"]),
    ("PyMemberDef", &["name", "type", "offset", "flags", "doc"]),
    ("PyGetSetDef", &["name", "get", "set", "doc", "closure"]),
    ("PyModuleDef_Slot", &["slot", "value"]),
    (
        "Py_buffer",
        &[
            "buf",
            "obj",
            "len",
            "itemsize",
            "readonly",
            "ndim",
            "format",
            "shape",
            "strides",
            "suboffsets",
            "internal",
        ],
    ),
];

/// A C program printing `S.<size> N` and `S.f N` (offset) for every struct and field given.
fn layout_program(structs: &[(&str, &[&str])]) -> String {
    let mut s = String::from(
        "#include <Python.h>\n#include <structmember.h>\n#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n",
    );
    for (name, fields) in structs {
        s += &format!("    printf(\"{name}.<size> %zu\\n\", sizeof({name}));\n");
        for f in *fields {
            s += &format!("    printf(\"{name}.{f} %zu\\n\", offsetof({name}, {f}));\n");
        }
    }
    s + "    return 0;\n}\n"
}

/// Compiles and runs `program` with `includes`; its output as a map.
fn measure(program: &str, includes: &[String], tag: &str) -> BTreeMap<String, usize> {
    let dir = common::scratch(&format!("layout-{tag}"));
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, program).expect("write");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let o = Command::new(cc)
        .args(includes)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("C compiler");
    assert!(
        o.status.success(),
        "compiling the layout program against {tag} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = Command::new(&exe).output().expect("run");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect()
}

/// The shim's Rust definitions of the same structs (what actually reads the memory).
fn rust_layout() -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    macro_rules! rec {
        ($c:literal, $t:ty, [$($cf:literal => $f:ident),*]) => {
            m.insert(concat!($c, ".<size>").to_string(), size_of::<$t>());
            $(m.insert(concat!($c, ".", $cf).to_string(), offset_of!($t, $f));)*
        };
    }
    rec!("PyType_Spec", PyType_Spec, ["name" => name, "basicsize" => basicsize, "itemsize" => itemsize, "flags" => flags, "slots" => slots]);
    rec!("PyType_Slot", PyType_Slot, ["slot" => slot, "pfunc" => pfunc]);
    rec!("PyMethodDef", PyMethodDef, ["ml_name" => ml_name, "ml_meth" => ml_meth, "ml_flags" => ml_flags, "ml_doc" => ml_doc]);
    rec!("PyMemberDef", PyMemberDef, ["name" => name, "type" => type_, "offset" => offset, "flags" => flags, "doc" => doc]);
    rec!("PyGetSetDef", PyGetSetDef, ["name" => name, "get" => get, "set" => set, "doc" => doc, "closure" => closure]);
    rec!("PyModuleDef_Slot", PyModuleDef_Slot, ["slot" => slot, "value" => value]);
    rec!("Py_buffer", PyBuffer, ["buf" => buf, "obj" => obj, "len" => len, "itemsize" => itemsize, "readonly" => readonly, "ndim" => ndim, "format" => format, "shape" => shape, "strides" => strides, "suboffsets" => suboffsets, "internal" => internal]);
    m
}

#[test]
fn abi_struct_layouts_match_cpython() {
    let ours = measure(
        &layout_program(STRUCTS),
        &[format!(
            "-I{}",
            common::crate_dir().join("include").display()
        )],
        "pyopaque",
    );
    assert_eq!(
        ours,
        rust_layout(),
        "our headers and the shim's Rust structs disagree"
    );
    match Command::new("python3-config").arg("--includes").output() {
        Ok(inc) if inc.status.success() => {
            let includes: Vec<String> = String::from_utf8_lossy(&inc.stdout)
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let cpython = measure(&layout_program(STRUCTS), &includes, "cpython");
            assert_eq!(ours, cpython, "our layouts differ from CPython's");
        }
        _ => println!("SKIPPED (CPython part): python3-config not found"),
    }
    // 3.15-only structs: the documented layouts (LP64).
    let abi = measure(
        &layout_program(&[(
            "PyABIInfo",
            &[
                "abiinfo_major_version",
                "abiinfo_minor_version",
                "flags",
                "build_version",
                "abi_version",
            ],
        )]),
        &[format!(
            "-I{}",
            common::crate_dir().join("include").display()
        )],
        "pyopaque-abiinfo",
    );
    let documented: BTreeMap<String, usize> = [
        ("PyABIInfo.<size>", 12),
        ("PyABIInfo.abiinfo_major_version", 0),
        ("PyABIInfo.abiinfo_minor_version", 1),
        ("PyABIInfo.flags", 2),
        ("PyABIInfo.build_version", 4),
        ("PyABIInfo.abi_version", 8),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(abi, documented, "PyABIInfo in our header");
    assert_eq!(size_of::<PyABIInfo>(), 12);
    assert_eq!(offset_of!(PyABIInfo, flags), 2);
    assert_eq!(offset_of!(PyABIInfo, build_version), 4);
    assert_eq!(offset_of!(PyABIInfo, abi_version), 8);
    assert_eq!(size_of::<PySlot>(), 16);
    assert_eq!(offset_of!(PySlot, sl_id), 0);
    assert_eq!(offset_of!(PySlot, sl_flags), 2);
    assert_eq!(offset_of!(PySlot, sl_reserved), 4);
    assert_eq!(offset_of!(PySlot, value), 8);
}
