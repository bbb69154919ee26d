//! `pyopaque fuzz`: the table grows from the reference data, a short pass compares calls with
//! CPython and reports its figures, and replayed sequences that once crashed pyopaque stay
//! fixed. Skipped (with a message) when CPython's headers or the reference data are missing.

use std::path::Path;
use std::process::Command;

fn pyopaque() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pyopaque"))
}

/// The prerequisites, or the reason to skip.
fn ready() -> bool {
    let reference = std::env::var_os("PYOPAQUE_REFERENCE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    if !reference.join("refcounts.dat").exists() {
        println!("SKIPPED: reference data not found (set PYOPAQUE_REFERENCE)");
        return false;
    }
    let ok = Command::new("python3-config")
        .arg("--includes")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("SKIPPED: python3-config not found");
    }
    ok
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = pyopaque()
        .arg("fuzz")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "fuzz --json printed no JSON ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn table_covers_at_least_400_functions() {
    if !ready() {
        return;
    }
    let out = pyopaque()
        .args(["fuzz", "--list-excluded"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let n: usize = text
        .lines()
        .find_map(|l| l.strip_suffix(" functions in the table"))
        .and_then(|n| n.trim().parse().ok())
        .expect("the table size");
    assert!(n >= 400, "{n} functions in the table");
    for rule in ["variadic", "private (leading underscore)", "callback"] {
        assert!(text.contains(rule), "the exclusion rule {rule:?} is listed");
    }
}

#[test]
fn short_pass_compares_calls_with_cpython() {
    if !ready() {
        return;
    }
    let v = json(&[
        "--seeds",
        "3",
        "--calls",
        "400",
        "--no-shrink",
        "--jobs",
        "1",
    ]);
    assert!(v["table_functions"].as_u64().unwrap() >= 400);
    let c = &v["configurations"][0];
    assert_eq!(c["label"], "classic+imm+tag+strat");
    let in_contract = c["in_contract"].as_u64().unwrap();
    assert!(in_contract > 50, "{c}");
    assert!(c["agreed"].as_u64().unwrap() <= in_contract);
    assert!(c["distinct_functions"].as_u64().unwrap() > 30, "{c}");
    for d in c["divergences"].as_array().unwrap() {
        let class = d["class"].as_str().unwrap();
        assert!(
            ["bug", "deliberate", "not-implementable", "not-applicable"].contains(&class),
            "{d}"
        );
    }
    assert_eq!(v["ok"].as_bool().unwrap(), {
        let bugs = c["unclassified_calls"].as_u64().unwrap();
        bugs == 0
            && c["crashes_and_hangs"].as_array().unwrap().is_empty()
            && c["leaks"].as_array().unwrap().is_empty()
            && c["pool_differences"].as_u64().unwrap() == 0
    });
}
