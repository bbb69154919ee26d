//! "Issue targets, checked against this run": every quantitative target of the collector and
//! report issues, the figure this run measured for it, and whether it is met. Nothing here is
//! measured or computed again: each target names a key of the report's [`Figures`] table, the
//! same value the tables and conclusions quote. A target is met (or not) only when the figure's
//! whole spread is on one side of the threshold; otherwise the verdict is "inconclusive".

use serde_json::{json, Value};

use super::capi_peers::{self, WORKLOADS};
use super::figures::Figures;
use super::Section;

/// The configuration the C API targets name ("tagging and the int strategy").
pub const DEFAULT_CONFIG: &str = "classic+imm+tag+strat";

/// Key of the report run's wall-clock seconds (measured once, before writing).
pub const WALL_CLOCK_KEY: &str = "report.wall_clock_s";

/// One checked target.
pub struct Target {
    /// Stable id in report.json.
    pub id: &'static str,
    /// What is checked, for a reader.
    pub what: String,
    /// Key of the figure in the table.
    pub key: String,
    /// Threshold (infinite: stated, not checked).
    pub threshold: f64,
    /// `true` when the figure must be at least the threshold, `false` when at most.
    pub at_least: bool,
    /// Extra context.
    pub note: String,
}

/// Verdict of a target on its figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The whole spread meets the threshold.
    Met,
    /// The whole spread misses it.
    NotMet,
    /// The spread contains the threshold.
    Inconclusive,
    /// No figure.
    NotMeasured,
    /// No threshold: the figure is stated.
    Stated,
}

impl Verdict {
    /// Stable name in report.json.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not met",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotMeasured => "not measured",
            Verdict::Stated => "stated",
        }
    }
}

impl Target {
    /// The verdict on `figs`.
    pub fn verdict(&self, figs: &Figures) -> Verdict {
        if self.threshold.is_infinite() {
            return Verdict::Stated;
        }
        let f = figs.get(&self.key);
        if !f.is_measured() {
            return Verdict::NotMeasured;
        }
        let (lo, hi) = f.interval();
        let t = self.threshold;
        let (met, missed) = if self.at_least {
            (lo >= t, hi < t)
        } else {
            (hi <= t, lo > t)
        };
        if met {
            Verdict::Met
        } else if missed {
            Verdict::NotMet
        } else {
            Verdict::Inconclusive
        }
    }
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

/// Every target, reading `figs`. `mode` is "quick", "full" or "tiny" (no wall-clock budget).
pub fn targets(figs: &Figures, mode: &str) -> Vec<Target> {
    let d = DEFAULT_CONFIG;
    let mut t = vec![
        Target {
            id: "gc_compaction_over_memcpy",
            what: "collector: compaction throughput / memcpy bandwidth (same run)".into(),
            key: "derived.compaction_over_memcpy".into(),
            threshold: 0.5,
            at_least: true,
            note: String::new(),
        },
        Target {
            id: "gc_heap_after_compact_over_live",
            what: "collector: heap after compacting a 50%-live heap / live bytes".into(),
            key: "gc.heap_after_compact_over_live".into(),
            threshold: 1.05,
            at_least: false,
            note: String::new(),
        },
        Target {
            id: "gc_alloc_over_box",
            what: "collector: allocation throughput / Box allocation".into(),
            key: "derived.alloc_over_box".into(),
            threshold: 3.0,
            at_least: true,
            note: String::new(),
        },
        Target {
            id: "list_append_vs_cpython",
            what: format!("build the int list with PyList_Append: CPython time / pyopaque {d}"),
            key: capi_peers::vs_cpython_key(d, "bench_list_append"),
            threshold: 2.0,
            at_least: true,
            note: String::new(),
        },
        Target {
            id: "list_getitem_sum_vs_cpython",
            what: format!("PyList_GetItem sum loop: CPython time / pyopaque {d}"),
            key: capi_peers::vs_cpython_key(d, "bench_list_getitem_sum"),
            threshold: 1.0,
            at_least: true,
            note: String::new(),
        },
        Target {
            id: "int_list_memory_vs_cpython",
            what: format!(
                "bytes per element of the int list: CPython / pyopaque {d} (resident set on both sides)"
            ),
            key: capi_peers::mem_vs_cpython_key(d, "mem_int_list.rss_before"),
            threshold: 4.0,
            at_least: true,
            note: String::new(),
        },
        Target {
            id: "int_list_alloc_memory_vs_cpython",
            what: format!(
                "bytes per element of the int list: CPython / pyopaque {d} (allocator bytes on both sides: tracemalloc / pyopaque's count)"
            ),
            key: capi_peers::mem_vs_cpython_key(d, "mem_int_list.alloc_before"),
            threshold: 4.0,
            at_least: true,
            note: String::new(),
        },
    ];
    for (w, _) in WORKLOADS {
        let key = capi_peers::pypy_over_default_key(w);
        if !figs.has(&key) {
            continue;
        }
        let pypy = figs.median(&capi_peers::key("PyPy", w));
        let cp = figs.median(&capi_peers::key("CPython", w));
        let needed = pypy / 10.0;
        let note = if figs.get(&key).interval().0 >= 10.0 {
            String::new()
        } else if let Some(r) = structural_reason(w) {
            r.to_string()
        } else if cp > needed {
            format!(
                "10x PyPy means {} ns per operation, less than CPython's own {} ns in this run",
                super::fmt_num(needed),
                super::fmt_num(cp)
            )
        } else {
            format!("10x PyPy means {} ns per operation", super::fmt_num(needed))
        };
        t.push(Target {
            id: "pypy_over_pyopaque",
            what: format!(
                "{}: PyPy time / pyopaque {d}",
                w.trim_start_matches("bench_")
            ),
            key,
            threshold: 10.0,
            at_least: true,
            note,
        });
    }
    t.push(Target {
        id: "incref_call_cost_stated",
        what: format!("Py_INCREF+Py_DECREF pair: pyopaque {d} (two calls) / CPython (inline)"),
        key: "capi_incref_pyopaque_over_cpython".into(),
        threshold: f64::INFINITY,
        at_least: false,
        note: format!(
            "stated, not a threshold: {} per pair against CPython's {}; in the sum loop {} against CPython's {}",
            figs.get(&capi_peers::key(d, "bench_incref_decref")).show(),
            figs.get(&capi_peers::key("CPython", "bench_incref_decref")).show(),
            figs.get(&capi_peers::key(d, "bench_list_getitem_sum")).show(),
            figs.get(&capi_peers::key("CPython", "bench_list_getitem_sum")).show(),
        ),
    });
    let limit = match mode {
        "quick" => Some(120.0),
        "full" => Some(900.0),
        _ => None,
    };
    if let Some(limit) = limit {
        t.push(Target {
            id: "report_wall_clock_s",
            what: format!("wall-clock seconds of this `report` run ({mode} mode), before writing"),
            key: WALL_CLOCK_KEY.into(),
            threshold: limit,
            at_least: false,
            note: String::new(),
        });
    }
    t
}

/// Builds the section from `figs`.
pub fn section(figs: &Figures, mode: &str) -> Section {
    let mut md = String::from(
        "## Issue targets, checked against this run\n\nEach quantitative target of the collector and report issues, with the figure measured above in this run (the same value the tables quote: median [min..max]). A target is met, or not, only when the whole spread is on one side of the threshold; a spread containing the threshold is **inconclusive**: this run cannot tell.\n\n| target | figure | threshold | verdict | note |\n|---|---:|---:|---|---|\n",
    );
    let mut rows = Vec::new();
    for x in targets(figs, mode) {
        let f = figs.get(&x.key);
        let v = x.verdict(figs);
        let shown = match v {
            Verdict::Met => "met",
            Verdict::NotMet => "**not met**",
            Verdict::Inconclusive => "*inconclusive*",
            Verdict::NotMeasured => "not measured",
            Verdict::Stated => "-",
        };
        let thr = if x.threshold.is_infinite() {
            "-".to_string()
        } else {
            format!(
                "{} {}",
                if x.at_least { ">=" } else { "<=" },
                super::fmt_num(x.threshold)
            )
        };
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            x.what,
            f.show(),
            thr,
            shown,
            x.note
        ));
        let num = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
        rows.push(json!({
            "id": x.id,
            "what": x.what,
            "key": x.key,
            "figure": num(f.median),
            "min": num(f.min),
            "max": num(f.max),
            "threshold": num(x.threshold),
            "at_least": x.at_least,
            "verdict": v.name(),
            "met": match v {
                Verdict::Met => json!(true),
                Verdict::NotMet => json!(false),
                _ => Value::Null,
            },
            "note": x.note,
        }));
    }
    Section {
        key: "targets",
        markdown: md,
        json: json!({
            "elapsed_s": figs.median(WALL_CLOCK_KEY),
            "mode": mode,
            "rows": rows,
        }),
    }
}
