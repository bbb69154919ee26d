//! `pyopaque report` on the smallest sizes: the JSON has every section with its stable keys and
//! the Markdown every table (the figures themselves are not checked: they are measurements); and
//! `report --compare` on files: schema validation, and what it lists.

use std::path::Path;
use std::process::Command;

fn pyopaque(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pyopaque"))
        .args(args)
        .env_remove("PYOPAQUE_GC_STRESS")
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("pyopaque-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// A minimal valid version 2 file with one timing.
fn v2(median: f64, min: f64, max: f64) -> String {
    serde_json::json!({
        "schema": "pyopaque-report/2", "schema_version": 2, "mode": "quick",
        "quick": true, "tiny": false,
        "tagging": {}, "refcount": {}, "lists": {}, "gc": {}, "targets": {"rows": []},
        "figures": {
            "capi.CPython.bench_tuple2": {"label": "CPython: PyTuple_Pack(2) + DECREF",
                "unit": "ns", "kind": "time", "median": median, "min": min, "max": max, "n": 2},
            "derived.x": {"label": "a ratio", "unit": "x", "kind": "ratio",
                "median": 1.0, "min": 1.0, "max": 1.0, "n": 2}
        }
    })
    .to_string()
}

#[test]
#[cfg_attr(miri, ignore)]
fn compare_rejects_foreign_or_broken_json() {
    let dir = temp_dir("compare-foreign");
    let good = write(&dir, "good.json", &v2(19.0, 18.0, 20.0));
    for (name, text, expect) in [
        (
            "foreign.json",
            r#"{"name": "some-package", "version": "1.0"}"#,
            "no `schema`",
        ),
        ("broken.json", "{not json", "not JSON"),
        (
            "other.json",
            r#"{"schema": "someone-else/3"}"#,
            "unsupported schema",
        ),
        (
            "bad-figure.json",
            r#"{"schema": "pyopaque-report/2", "schema_version": 2, "quick": true, "tiny": false, "figures": {"k": {"label": "x", "unit": "ns", "kind": "time", "median": "fast", "min": 1, "max": 2, "n": 2}}}"#,
            "figure `k`",
        ),
    ] {
        let bad = write(&dir, name, text);
        for args in [
            ["report", "--compare", bad.as_str(), good.as_str()],
            ["report", "--compare", good.as_str(), bad.as_str()],
        ] {
            let out = pyopaque(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{name} accepted: {args:?}");
            assert!(
                stderr.contains(name) && stderr.contains(expect),
                "{name}: error names the file and the problem ({expect}): {stderr}"
            );
        }
    }
    // Comparing OLD alone (with a new run) validates OLD before measuring anything.
    let bad = write(&dir, "foreign2.json", "[1, 2, 3]");
    let out = pyopaque(&[
        "report",
        "--compare",
        &bad,
        "--out",
        dir.join("never").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        !dir.join("never").exists(),
        "no run started for an invalid OLD"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn compare_lists_timings_beyond_noise_only() {
    let dir = temp_dir("compare-ok");
    let old = write(&dir, "old.json", &v2(19.0, 18.0, 20.0));
    let slower = write(&dir, "slower.json", &v2(30.0, 29.0, 31.0));
    let same = write(&dir, "same.json", &v2(19.5, 18.5, 20.5));
    let out = pyopaque(&["report", "--compare", &old, &slower]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("slower") && stdout.contains("PyTuple_Pack"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("a ratio"),
        "only timings and sizes: {stdout}"
    );
    assert!(stdout.contains("1 worse"), "{stdout}");
    let out = pyopaque(&["report", "--compare", &old, &same]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("unchanged") && stdout.contains("0 worse"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(miri, ignore)]
fn tiny_report_has_every_section_and_table() {
    let dir = std::env::temp_dir().join(format!("pyopaque-report-test-{}", std::process::id()));
    let out_dir = dir.join("report");
    // Measurements under GC stress mean nothing; the suite's stress pass covers the code.
    let out = pyopaque(&["report", "--tiny", "--out", out_dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "report failed:\n{stderr}");
    // Not a terminal: one progress line per step with the elapsed time.
    for step in ["] machine", "] C workloads", "] C API matrix", "] done"] {
        assert!(stderr.contains(step), "progress line {step:?} in {stderr}");
    }
    assert!(stderr
        .lines()
        .all(|l| !l.starts_with('[') || l.contains("s] ")));
    // Every file written is listed, the matrix files included.
    for f in [
        "capi-matrix.md",
        "capi-matrix.json",
        "REPORT.md",
        "report.json",
        "capi_ratio.svg",
    ] {
        assert!(stdout.contains(f), "{f} listed in {stdout}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["schema"], "pyopaque-report/2");
    assert_eq!(json["schema_version"], 2);
    // The run's own file passes the schema check (compared with itself: nothing moved).
    let own = out_dir.join("report.json");
    let cmp = pyopaque(&[
        "report",
        "--compare",
        own.to_str().unwrap(),
        own.to_str().unwrap(),
    ]);
    assert!(
        cmp.status.success(),
        "{}",
        String::from_utf8_lossy(&cmp.stderr)
    );
    assert!(String::from_utf8_lossy(&cmp.stdout).contains("\n0 worse"));
    for (section, keys) in [
        (
            "tagging",
            &[
                "tagged_create_sum_ns_per_int",
                "boxed_create_sum_ns_per_int",
                "tagged_heap_allocations",
            ][..],
        ),
        (
            "refcount",
            &[
                "classic_pair_ns",
                "atomic_pair_ns",
                "biased_pair_ns",
                "immortal_pair_ns",
                "tracing_pair_ns",
                "contended_atomic_ns",
                "contended_biased_ns",
                "contended_immortal_ns",
                "uncontended_atomic_ns",
            ][..],
        ),
        (
            "lists",
            &[
                "int_bytes_per_elem",
                "object_boxed_bytes_per_elem",
                "int_sum_ns_per_elem",
                "object_sum_ns_per_elem",
                "raw_sum_ns_per_elem",
                "int_sort_ns_per_elem",
                "object_sort_ns_per_elem",
                "int_append_ns_per_elem",
                "object_append_ns_per_elem",
                "transition_ns",
            ][..],
        ),
        (
            "gc",
            &[
                "alloc_objects_per_s",
                "box_alloc_objects_per_s",
                "pause_ms_1mib",
                "pause_ms_10mib",
                "pause_ms_100mib",
                "compaction_gb_per_s",
                "memcpy_gb_per_s",
                "heap_after_compact_over_live",
            ][..],
        ),
    ] {
        for k in keys {
            assert!(
                json[section][k].is_number(),
                "{section}.{k} missing in report.json"
            );
        }
    }
    assert!(json["machine"]["cpu"].is_string());
    assert!(json["layout"]["bytes_per_object"].is_object());
    let w = &json["capi_workloads"];
    assert!(w.get("error").is_none(), "C workloads ran: {w}");
    let runners = w["runners"].as_array().unwrap();
    assert!(runners
        .iter()
        .any(|r| r.as_str().unwrap().starts_with("pyopaque")));
    let pyopaque_runner = runners
        .iter()
        .find_map(|r| r.as_str().filter(|r| r.starts_with("pyopaque")))
        .unwrap();
    for k in [
        "bench_list_append",
        "bench_list_getitem_sum",
        "mem_int_list.rss_before",
        "mem_int_list.rss_after",
        "mem_int_list.alloc_before",
        "mem_int_list.alloc_after",
    ] {
        assert!(
            w["samples"][pyopaque_runner][k].is_array(),
            "sample {k} for {pyopaque_runner}"
        );
    }
    let m = &json["capi_matrix"];
    assert!(
        m.get("error").is_none(),
        "matrix built and cross-checked: {m}"
    );
    assert!(m["limited_total"].as_u64().unwrap() >= 736);
    let t = &json["targets"];
    assert_eq!(t["mode"], "tiny");
    let ids: Vec<&str> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "gc_compaction_over_memcpy",
        "gc_heap_after_compact_over_live",
        "gc_alloc_over_box",
        "list_append_vs_cpython",
        "list_getitem_sum_vs_cpython",
        "int_list_memory_vs_cpython",
        "incref_call_cost_stated",
    ] {
        assert!(ids.contains(&id), "target {id} in report.json: {ids:?}");
    }
    let figures = json["figures"].as_object().unwrap();
    for r in t["rows"].as_array().unwrap() {
        let v = r["verdict"].as_str().unwrap();
        assert!(
            ["met", "not met", "inconclusive", "not measured", "stated"].contains(&v),
            "{r}"
        );
        assert_eq!(r["met"].is_boolean(), v == "met" || v == "not met", "{r}");
        // A target quotes the table's figure, not a figure of its own.
        let key = r["key"].as_str().unwrap();
        if let Some(f) = figures.get(key) {
            assert_eq!(f["median"], r["figure"], "target {key} reads the table");
        }
    }
    for (k, f) in figures {
        for field in ["label", "unit", "kind"] {
            assert!(f[field].is_string(), "figure {k}: {field}");
        }
        assert!(
            !f["label"].as_str().unwrap().is_empty(),
            "figure {k} has a label"
        );
    }
    assert!(json["conclusions"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    assert!(json["layout"]["cpython_getsizeof"].is_object());
    assert!(m["reconciliation"]["by_verdict"].is_object());
    let md = std::fs::read_to_string(out_dir.join("REPORT.md")).unwrap();
    for heading in [
        "## Machine",
        "## Object layout",
        "## Tagged small ints",
        "## Reference-counting schemes",
        "## List strategies",
        "## Moving collector",
        "## C API workloads",
        "### Memory per list element",
        "### Objects pinned by C",
        "CPython `sys.getsizeof`",
        "\" counts\n",
        "## Files written by this run",
        "C API implementability matrix",
        "## What this means",
        "## Issue targets, checked against this run",
    ] {
        assert!(md.contains(heading), "REPORT.md has {heading}");
    }
    for chart in [
        "refcount.svg",
        "list_memory.svg",
        "gc_pause.svg",
        "capi_ratio.svg",
        "capi_memory.svg",
    ] {
        let svg = std::fs::read_to_string(out_dir.join(chart)).unwrap();
        assert!(svg.starts_with("<svg"), "{chart} is an SVG");
        // Labels are for readers: no JSON key names.
        for raw in ["_ns", "bench_", "_per_elem", "mem_int"] {
            assert!(!svg.contains(raw), "{chart} shows a raw key ({raw})");
        }
    }
    assert!(dir.join("capi-matrix.md").exists() && dir.join("capi-matrix.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
