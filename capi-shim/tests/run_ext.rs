//! Builds every test extension against our headers (no libpython) and runs its `test_*`
//! functions under all 32 configurations, each in a child process, with and without
//! `gc_stress` (collect and move at every allocation).

mod common;

use std::process::Command;

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
    let lib = common::shim_lib();
    let dir = common::scratch(if stress {
        "pyopaque-stress"
    } else {
        "pyopaque"
    });
    let include = vec![format!(
        "-I{}",
        common::crate_dir().join("include").display()
    )];
    let mut args = Vec::new();
    for e in common::exts() {
        let so = dir.join(format!("{e}.so"));
        common::compile(&e, &so, &include).unwrap_or_else(|e| panic!("{e}"));
        args.push(so.display().to_string());
        args.push(e.clone());
    }
    let child = env!("CARGO_BIN_EXE_pyopaque-ext-child");
    let mut failures = Vec::new();
    let mut passed = 0;
    for c in configs() {
        let cfg = format!("{c},gc_stress={}", if stress { "on" } else { "off" });
        let out = Command::new(child)
            .arg(&lib)
            .arg(&cfg)
            .args(&args)
            .output()
            .expect("run child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        passed += stdout.lines().filter(|l| l.starts_with("PASS ")).count();
        for l in stdout.lines().filter(|l| l.starts_with("FAIL")) {
            failures.push(format!("[{cfg}] {l}"));
        }
        if !out.status.success() && !stdout.contains("FAIL") {
            failures.push(format!(
                "[{cfg}] child exited with {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    println!("{passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    assert!(passed > 0, "no test ran");
}

#[test]
fn every_extension_passes_in_every_configuration() {
    run_all(false);
}

#[test]
fn every_extension_passes_under_gc_stress() {
    run_all(true);
}
