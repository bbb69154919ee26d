//! "Issue targets, checked against this run": every quantitative target of the collector and
//! report issues, the figure this run measured for it, and whether it is met. Nothing here is
//! measured again: the figures come from the other sections' JSON, so the verdicts cannot drift
//! from the tables above them.

use serde_json::{json, Value};

use super::{fmt_num, Section};

/// The configuration the C API targets name ("tagging and the int strategy").
pub const DEFAULT_CONFIG: &str = "pyopaque classic+imm+tag+strat";

/// One checked target.
struct Target {
    id: &'static str,
    what: String,
    figure: f64,
    threshold: f64,
    /// `true` when the figure must be at least the threshold, `false` when at most.
    at_least: bool,
    note: String,
}

impl Target {
    fn met(&self) -> Option<bool> {
        if self.figure.is_nan() {
            None
        } else if self.at_least {
            Some(self.figure >= self.threshold)
        } else {
            Some(self.figure <= self.threshold)
        }
    }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median of `runner`'s samples of `key` in the C workloads section.
pub fn sample(capi: &Value, runner: &str, key: &str) -> f64 {
    capi.get("samples")
        .and_then(|s| s.get(runner))
        .and_then(|r| r.get(key))
        .and_then(Value::as_array)
        .map(|a| median(&a.iter().filter_map(Value::as_f64).collect::<Vec<_>>()))
        .unwrap_or(f64::NAN)
}

/// Why a workload cannot reach 10x PyPy, when the reason is structural rather than unfinished
/// work. Shown only when the target is missed.
fn structural_reason(workload: &str) -> Option<&'static str> {
    match workload {
        "bench_incref_decref" => Some(
            "structural: with an opaque object Py_INCREF/Py_DECREF are two exported function \
             calls; PyPy's C API emulation and CPython both inline them as an add on a field \
             (about 0.26 ns), which no call can beat by 10x",
        ),
        _ => None,
    }
}

/// Builds the section. `gc` are the collector figures, `capi` the C workloads JSON, `elapsed_s`
/// the wall-clock time of this report run so far, `mode` "quick", "full" or "tiny".
pub fn section(
    gc: &[(&'static str, f64)],
    capi: Option<&Value>,
    elapsed_s: f64,
    mode: &str,
) -> Section {
    let g = |k: &str| super::get(gc, k);
    let mut t: Vec<Target> = vec![
        Target {
            id: "gc_compaction_over_memcpy",
            what: "collector: compaction throughput / memcpy bandwidth (same run)".into(),
            figure: g("compaction_gb_per_s") / g("memcpy_gb_per_s"),
            threshold: 0.5,
            at_least: true,
            note: String::new(),
        },
        Target {
            id: "gc_heap_after_compact_over_live",
            what: "collector: heap after compacting a 50%-live heap / live bytes".into(),
            figure: g("heap_after_compact_over_live"),
            threshold: 1.05,
            at_least: false,
            note: String::new(),
        },
        Target {
            id: "gc_alloc_over_box",
            what: "collector: allocation throughput / Box allocation".into(),
            figure: g("alloc_objects_per_s") / g("box_alloc_objects_per_s"),
            threshold: 3.0,
            at_least: true,
            note: String::new(),
        },
    ];
    if let Some(capi) = capi {
        let cp = |k: &str| sample(capi, "CPython", k);
        let po = |k: &str| sample(capi, DEFAULT_CONFIG, k);
        t.push(Target {
            id: "list_append_vs_cpython",
            what: format!("build the int list with PyList_Append: CPython time / {DEFAULT_CONFIG}"),
            figure: cp("bench_list_append") / po("bench_list_append"),
            threshold: 2.0,
            at_least: true,
            note: String::new(),
        });
        t.push(Target {
            id: "list_getitem_sum_vs_cpython",
            what: format!("PyList_GetItem sum loop: CPython time / {DEFAULT_CONFIG}"),
            figure: cp("bench_list_getitem_sum") / po("bench_list_getitem_sum"),
            threshold: 1.0,
            at_least: true,
            note: String::new(),
        });
        t.push(Target {
            id: "int_list_memory_vs_cpython",
            what: format!(
                "bytes per element of the 1e6-int list: CPython / {DEFAULT_CONFIG} (RSS vs allocator bytes)"
            ),
            figure: cp("mem_int_list.before") / po("mem_int_list.before"),
            threshold: 4.0,
            at_least: true,
            note: String::new(),
        });
        let has_pypy = capi.get("samples").and_then(|s| s.get("PyPy")).is_some();
        if has_pypy {
            let mut workloads: Vec<String> = capi
                .get("samples")
                .and_then(|s| s.get(DEFAULT_CONFIG))
                .and_then(Value::as_object)
                .map(|m| {
                    m.keys()
                        .filter(|k| k.starts_with("bench_"))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            workloads.sort();
            for w in workloads {
                let pypy = sample(capi, "PyPy", &w);
                let f = pypy / po(&w);
                let needed = pypy / 10.0;
                let note = if f >= 10.0 {
                    String::new()
                } else if let Some(r) = structural_reason(&w) {
                    r.to_string()
                } else if cp(&w) > needed {
                    format!(
                        "10x PyPy means {} per operation, less than CPython's own {} in this run",
                        fmt_num(needed),
                        fmt_num(cp(&w))
                    )
                } else {
                    format!("10x PyPy means {} per operation", fmt_num(needed))
                };
                t.push(Target {
                    id: "pypy_over_pyopaque",
                    what: format!(
                        "{}: PyPy time / {DEFAULT_CONFIG}",
                        w.trim_start_matches("bench_")
                    ),
                    figure: f,
                    threshold: 10.0,
                    at_least: true,
                    note,
                });
            }
        }
        let inc = po("bench_incref_decref");
        let inc_c = cp("bench_incref_decref");
        let sum = po("bench_list_getitem_sum");
        let sum_c = cp("bench_list_getitem_sum");
        t.push(Target {
            id: "incref_call_cost_stated",
            what: "Py_INCREF+Py_DECREF pair: pyopaque (two calls) / CPython (inline)".into(),
            figure: inc / inc_c,
            threshold: f64::INFINITY,
            at_least: false,
            note: format!(
                "stated, not a threshold: {} ns per pair against CPython's {} ns; in the sum loop the calls cost {} ns/elem against CPython's {} ns/elem",
                fmt_num(inc),
                fmt_num(inc_c),
                fmt_num(sum),
                fmt_num(sum_c)
            ),
        });
    }
    let limit = match mode {
        "quick" => Some(120.0),
        "full" => Some(900.0),
        _ => None,
    };
    if let Some(limit) = limit {
        t.push(Target {
            id: "report_wall_clock_s",
            what: format!("wall-clock seconds of this `report` run ({mode} mode), before writing"),
            figure: elapsed_s,
            threshold: limit,
            at_least: false,
            note: String::new(),
        });
    }

    let mut md = String::from(
        "## Issue targets, checked against this run\n\nEach quantitative target of the collector and report issues, with the figure measured above in this run (medians; ratios from runs side by side). A target is met or not by this run's figures only.\n\n| target | figure | threshold | met | note |\n|---|---:|---:|---|---|\n",
    );
    let mut rows = Vec::new();
    for x in &t {
        let met = match x.met() {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        let thr = if x.threshold.is_infinite() {
            "-".to_string()
        } else {
            format!(
                "{} {}",
                if x.at_least { ">=" } else { "<=" },
                fmt_num(x.threshold)
            )
        };
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            x.what,
            fmt_num(x.figure),
            thr,
            if x.threshold.is_infinite() { "-" } else { met },
            x.note
        ));
        rows.push(json!({
            "id": x.id,
            "what": x.what,
            "figure": if x.figure.is_finite() { json!(x.figure) } else { Value::Null },
            "threshold": if x.threshold.is_finite() { json!(x.threshold) } else { Value::Null },
            "at_least": x.at_least,
            "met": if x.threshold.is_finite() { json!(x.met()) } else { Value::Null },
            "note": x.note,
        }));
    }
    Section {
        key: "targets",
        markdown: md,
        json: json!({ "elapsed_s": elapsed_s, "mode": mode, "rows": rows }),
    }
}
