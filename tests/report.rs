//! `pyopaque report` on the smallest sizes: the JSON has every section with its stable keys and
//! the Markdown every table (the figures themselves are not checked: they are measurements).

use std::process::Command;

#[test]
#[cfg_attr(miri, ignore)]
fn tiny_report_has_every_section_and_table() {
    let dir = std::env::temp_dir().join(format!("pyopaque-report-test-{}", std::process::id()));
    let out_dir = dir.join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_pyopaque"))
        .args(["report", "--tiny", "--out", out_dir.to_str().unwrap()])
        // Measurements under GC stress mean nothing; the suite's stress pass covers the code.
        .env_remove("PYOPAQUE_GC_STRESS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "report failed:\n{stderr}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["schema"], "pyopaque-report/1");
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
        "mem_int_list.before",
        "mem_int_list.after",
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
    for r in t["rows"].as_array().unwrap() {
        assert!(
            r["met"].is_boolean() || r["threshold"].is_null() || r["figure"].is_null(),
            "a target with a threshold and a figure has a verdict: {r}"
        );
    }
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
    }
    assert!(dir.join("capi-matrix.md").exists() && dir.join("capi-matrix.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
