//! The same C source (`benches/capi/bench_core.c`) measured under CPython, PyPy and every pyopaque
//! configuration. Each runtime runs in its own process; runs are interleaved
//! (CPython, PyPy, config 1, config 2, ... then again) and repeated, and medians with their
//! spread are reported, every pyopaque figure also as a ratio to CPython from the same run.
//!
//! The extension times its own loops inside C (monotonic clock) and returns ns per operation;
//! memory workloads return bytes per element measured two ways in every runtime: the resident-set
//! delta (the same method everywhere) and the allocator's bytes (pyopaque's own count, CPython's
//! tracemalloc in a second process, since tracing inflates the resident set).
//!
//! Every figure goes into the report's one [`Figures`] table (keys `capi.RUNNER.WORKLOAD`,
//! ratios `capi_vs_cpython.RUNNER.WORKLOAD`, ...); the tables here, the targets, the conclusions
//! and the charts all read it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::figures::{fmt_ratio, Figures, Kind};

/// Timed workloads, in report order, with what they measure.
pub const WORKLOADS: &[(&str, &str)] = &[
    ("bench_incref_decref", "Py_INCREF + Py_DECREF pair (ns)"),
    (
        "bench_long_small",
        "PyLong_FromLong, small values, + DECREF (ns)",
    ),
    (
        "bench_long_large",
        "PyLong_FromLong, values near 2**40, + DECREF (ns)",
    ),
    (
        "bench_list_append",
        "build a 1e6-int list with PyList_Append (ns/elem)",
    ),
    (
        "bench_list_getitem_sum",
        "sum it with PyList_GetItem + PyLong_AsLong (ns/elem)",
    ),
    (
        "bench_fast_items_sum",
        "sum it through PySequence_Fast_ITEMS (ns/elem)",
    ),
    ("bench_tuple2", "PyTuple_Pack(2) + DECREF (ns)"),
    ("bench_dict_setget", "dict set/get, 1e5 int keys (ns/op)"),
    (
        "bench_unicode_format",
        "PyUnicode_FromFormat(\"item-%d-%s\") (ns)",
    ),
    (
        "bench_call_fastcall",
        "call a METH_FASTCALL function from C (ns)",
    ),
    (
        "bench_e2e_json",
        "end to end: 1e5 small dicts to a JSON string (ns/dict)",
    ),
    (
        "bench_e2e_histogram",
        "end to end: histogram of 1e6 floats (ns/elem)",
    ),
];

/// Memory workloads: each returns bytes/elem (RSS after building, RSS after C read every element,
/// allocator bytes after building, allocator bytes after C read).
pub const MEMORY: &[(&str, &str)] = &[
    ("mem_int_list", "list of 1e6 distinct ints"),
    ("mem_float_list", "list of 1e6 floats"),
];

/// A runtime that can load the extension.
#[derive(Clone, Debug)]
pub enum Runner {
    /// An interpreter (`python3`, `pypy3`) importing a build against its own headers.
    Interpreter {
        name: String,
        exe: String,
        dir: PathBuf,
    },
    /// pyopaque under one configuration (init string for the shim, label).
    Pyopaque {
        init: String,
        label: String,
        so: PathBuf,
    },
}

impl Runner {
    /// Id in figure keys: `CPython`, `PyPy`, or the configuration label.
    pub fn id(&self) -> String {
        match self {
            Runner::Interpreter { name, .. } => name.clone(),
            Runner::Pyopaque { label, .. } => label.clone(),
        }
    }

    /// Column name (and key of `capi_workloads.samples`).
    pub fn name(&self) -> String {
        match self {
            Runner::Interpreter { name, .. } => name.clone(),
            Runner::Pyopaque { label, .. } => format!("pyopaque {label}"),
        }
    }
}

const DRIVER: &str = r#"
import sys, json, importlib, os
if os.environ.get("PYOPAQUE_TRACEMALLOC"):
    import tracemalloc
    tracemalloc.start()
sys.path.insert(0, sys.argv[1])
m = importlib.import_module("bench_core")
out = {}
for n in sys.argv[2].split(","):
    r = getattr(m, n)()
    out[n] = list(r) if isinstance(r, tuple) else r
print("JSON " + json.dumps(out))
"#;

/// Builds the extension for an interpreter; `None` (with the reason) when it is missing.
pub fn build_for_interpreter(exe: &str, src: &Path, work: &Path) -> Result<PathBuf, String> {
    let q = |code: &str| -> Result<String, String> {
        let out = Command::new(exe)
            .args(["-c", code])
            .output()
            .map_err(|e| format!("{exe} not found ({e})"))?;
        if !out.status.success() {
            return Err(format!(
                "{exe} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let inc = q("import sysconfig; print(sysconfig.get_paths()['include'])")?;
    if !Path::new(&inc).join("Python.h").exists() {
        return Err(format!(
            "{exe} has no development headers ({inc}/Python.h missing)"
        ));
    }
    let suffix = q("import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])")?;
    let dir = work.join(exe);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let so = dir.join(format!("bench_core{suffix}"));
    let out = Command::new("gcc")
        .args(["-shared", "-fPIC", "-O2"])
        .arg(format!("-I{inc}"))
        .arg(src)
        .arg("-o")
        .arg(&so)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "building against {exe}'s headers failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir)
}

/// Runs `names` in one fresh process of `runner`; returns name -> value (float, or [before, after]).
/// `traced`: an interpreter runs with tracemalloc on (its allocator figures; its resident set is
/// then not recorded). No effect on pyopaque, whose allocator counts its bytes anyway.
pub fn run_once(
    runner: &Runner,
    names: &[&str],
    scale: f64,
    traced: bool,
) -> Result<BTreeMap<String, Value>, String> {
    let csv = names.join(",");
    let out = match runner {
        Runner::Interpreter { exe, dir, .. } => Command::new(exe)
            .env("PYOPAQUE_BENCH_SCALE", scale.to_string())
            .env("PYOPAQUE_TRACEMALLOC", if traced { "1" } else { "" })
            .args(["-c", DRIVER])
            .arg(dir)
            .arg(&csv)
            .output(),
        Runner::Pyopaque { init, so, .. } => {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let lib = crate::capi_lib::library_path()?;
            Command::new(exe)
                .env("PYOPAQUE_BENCH_SCALE", scale.to_string())
                .env("PYOPAQUE_CAPI_LIB", lib)
                .env_remove("CARGO")
                .args(["__call-child", init])
                .arg(so)
                .arg("bench_core")
                .arg(&csv)
                .output()
        }
    }
    .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        if let Some(j) = line.strip_prefix("JSON ") {
            let v: BTreeMap<String, Value> = serde_json::from_str(j).map_err(|e| e.to_string())?;
            return Ok(v);
        }
    }
    Err(format!(
        "{} produced no result ({}): {}",
        runner.name(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ")
    ))
}

/// All samples: runner name -> workload -> samples (memory workloads: four series,
/// `name.rss_before`, `name.rss_after`, `name.alloc_before`, `name.alloc_after`).
pub type Samples = BTreeMap<String, BTreeMap<String, Vec<f64>>>;

/// Names of the four values a memory workload returns, in order.
pub const MEMORY_SERIES: [&str; 4] = ["rss_before", "rss_after", "alloc_before", "alloc_after"];

/// Records one process's results. `keep` selects which memory series this process measured
/// validly (a traced interpreter's resident set is inflated by tracing: not kept); negative
/// memory values (not available) are not recorded.
pub fn record(
    samples: &mut Samples,
    runner: &str,
    res: &BTreeMap<String, Value>,
    keep: &dyn Fn(&str) -> bool,
) {
    let e = samples.entry(runner.to_string()).or_default();
    for (k, v) in res {
        match v {
            Value::Number(n) => e
                .entry(k.clone())
                .or_default()
                .push(n.as_f64().unwrap_or(f64::NAN)),
            Value::Array(a) if a.len() == MEMORY_SERIES.len() => {
                for (series, x) in MEMORY_SERIES.iter().zip(a) {
                    match x.as_f64() {
                        Some(x) if x >= 0.0 && keep(series) => {
                            e.entry(format!("{k}.{series}")).or_default().push(x)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// The pyopaque configurations the report measures: all 32 (scheme x immortal x tagging x
/// strategies), or 8 in quick mode (each scheme with everything on, and with tagging and
/// strategies off).
pub fn pyopaque_configs(quick: bool, tiny: bool) -> Vec<pyopaque_runtime::Config> {
    pyopaque_runtime::Config::all()
        .into_iter()
        .filter(|c| !quick || (c.immortal && c.tagging == c.strategies))
        .filter(|c| {
            !tiny
                || (c.scheme == pyopaque_runtime::Scheme::Classic
                    || c.scheme == pyopaque_runtime::Scheme::Tracing)
                    && c.tagging
        })
        .collect()
}

/// Init string for the shim (same format as `run-ext`).
pub fn init_string(c: &pyopaque_runtime::Config, extra: &str) -> String {
    let onoff = |b: bool| if b { "on" } else { "off" };
    format!(
        "scheme={},immortal={},tagging={},strategies={},gc_stress=off,borrow=deopt{extra}",
        c.scheme,
        onoff(c.immortal),
        onoff(c.tagging),
        onoff(c.strategies)
    )
}

/// Runs everything and renders the section.
pub fn measure(quick: bool, tiny: bool, progress: &dyn Fn(&str)) -> Result<Measured, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("benches/capi/bench_core.c");
    let work = std::env::temp_dir().join(format!("pyopaque-report-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let (reps, scale) = if tiny {
        (1, 0.01)
    } else if quick {
        (2, 0.05)
    } else {
        (5, 1.0)
    };
    let mut runners = Vec::new();
    let mut missing = Vec::new();
    for (name, exe) in [("CPython", "python3"), ("PyPy", "pypy3")] {
        match build_for_interpreter(exe, &src, &work) {
            Ok(dir) => runners.push(Runner::Interpreter {
                name: name.into(),
                exe: exe.into(),
                dir,
            }),
            Err(e) => missing.push(format!(
                "{name}: {e}. Install with `apt-get install {}`.",
                if exe == "pypy3" {
                    "pypy3 pypy3-dev"
                } else {
                    "python3 python3-dev"
                }
            )),
        }
    }
    let so = crate::ext::compile(&src, &work, false)?;
    let configs = pyopaque_configs(quick, tiny);
    for c in &configs {
        runners.push(Runner::Pyopaque {
            init: init_string(c, ""),
            label: c.label(),
            so: so.clone(),
        });
    }
    let timed: Vec<&str> = WORKLOADS.iter().map(|(n, _)| *n).collect();
    let mut samples: Samples = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    for rep in 0..reps {
        for r in &runners {
            progress(&format!(
                "C workloads: rep {}/{reps}, {}",
                rep + 1,
                r.name()
            ));
            match run_once(r, &timed, scale, false) {
                Ok(res) => record(&mut samples, &r.name(), &res, &|_| true),
                Err(e) => failures.push(e),
            }
            let interpreter = matches!(r, Runner::Interpreter { .. });
            for (m, _) in MEMORY {
                // Interpreters: the resident set untraced, then the allocator's bytes traced.
                match run_once(r, &[m], scale, false) {
                    Ok(res) => record(&mut samples, &r.name(), &res, &|s| {
                        !interpreter || s.starts_with("rss")
                    }),
                    Err(e) => failures.push(e),
                }
                if interpreter {
                    match run_once(r, &[m], scale, true) {
                        Ok(res) => {
                            record(&mut samples, &r.name(), &res, &|s| s.starts_with("alloc"))
                        }
                        Err(e) => failures.push(e),
                    }
                }
            }
        }
    }
    // Pinning: every configuration once more, collecting every 4 MiB of allocation, so the
    // collector sees what C holds in the middle of each workload.
    let mut pinning: BTreeMap<String, Value> = BTreeMap::new();
    for c in &configs {
        progress(&format!("pinning: {}", c.label()));
        let r = Runner::Pyopaque {
            init: init_string(c, ",collect_after=4194304"),
            label: c.label(),
            so: so.clone(),
        };
        // One process runs every workload; the child reports pinning per workload (counter
        // deltas around each call), so one launch per configuration is enough.
        let mut per = BTreeMap::new();
        if let Ok(res) = run_once(&r, &timed, scale, false) {
            if let Some(p) = res.get("__pinning") {
                for w in &timed {
                    per.insert(w.to_string(), p.get(*w).cloned().unwrap_or(Value::Null));
                }
            }
        }
        pinning.insert(c.label(), json!(per));
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(Measured {
        runners,
        samples,
        missing,
        failures,
        pinning,
        quick,
        reps,
        scale,
    })
}

/// Everything one run of the C workloads measured.
pub struct Measured {
    /// Every runtime, in run order.
    pub runners: Vec<Runner>,
    /// Raw samples.
    pub samples: Samples,
    /// Peers that could not run, with the reason.
    pub missing: Vec<String>,
    /// Runs that failed.
    pub failures: Vec<String>,
    /// Pinning per configuration and workload.
    pub pinning: BTreeMap<String, Value>,
    /// Quick mode.
    pub quick: bool,
    /// Interleaved repetitions.
    pub reps: usize,
    /// Size scale.
    pub scale: f64,
}

/// Key of a runtime's figure for `workload`.
pub fn key(runner: &str, workload: &str) -> String {
    format!("capi.{runner}.{workload}")
}

/// Key of CPython's time over `runner`'s for `workload` (higher: `runner` is faster).
pub fn vs_cpython_key(runner: &str, workload: &str) -> String {
    format!("capi_vs_cpython.{runner}.{workload}")
}

/// Key of PyPy's time over the default configuration's for `workload`.
pub fn pypy_over_default_key(workload: &str) -> String {
    format!("capi_pypy_over_pyopaque.{workload}")
}

/// Key of CPython's bytes per element over `runner`'s for memory series `mem.series`.
pub fn mem_vs_cpython_key(runner: &str, mem_series: &str) -> String {
    format!("capi_mem_vs_cpython.{runner}.{mem_series}")
}

/// What a workload measures, for labels.
pub fn workload_label(workload: &str) -> &'static str {
    WORKLOADS
        .iter()
        .chain(MEMORY)
        .find(|(k, _)| *k == workload)
        .map(|(_, w)| *w)
        .unwrap_or("")
}

/// What a memory series measures, for labels.
pub fn memory_series_label(series: &str) -> &'static str {
    match series {
        "rss_before" => "resident-set bytes per element",
        "rss_after" => "resident-set bytes per element after C read every element",
        "alloc_before" => "allocator bytes per element",
        "alloc_after" => "allocator bytes per element after C read every element",
        _ => "bytes per element",
    }
}

fn runner_label(id: &str) -> String {
    if id == "CPython" || id == "PyPy" {
        id.to_string()
    } else {
        format!("pyopaque {id}")
    }
}

/// Adds every C workload figure (and the ratios the report quotes) to `figs`.
pub fn add_figures(m: &Measured, figs: &mut Figures) {
    let ids: Vec<(String, String)> = m.runners.iter().map(|r| (r.id(), r.name())).collect();
    for (id, name) in &ids {
        let Some(per) = m.samples.get(name) else {
            continue;
        };
        for (w, what) in WORKLOADS {
            if let Some(xs) = per.get(*w) {
                let unit = if what.contains("ns/elem") {
                    "ns/elem"
                } else if what.contains("ns/dict") {
                    "ns/dict"
                } else if what.contains("ns/op") {
                    "ns/op"
                } else {
                    "ns"
                };
                let label = format!("{}: {}", runner_label(id), strip_unit(what));
                figs.add_samples(&key(id, w), &label, unit, Kind::Time, xs);
            }
        }
        for (mem, what) in MEMORY {
            for series in MEMORY_SERIES {
                let k = format!("{mem}.{series}");
                if let Some(xs) = per.get(&k) {
                    let label = format!(
                        "{}: {what}, {}",
                        runner_label(id),
                        memory_series_label(series)
                    );
                    figs.add_samples(&key(id, &k), &label, "bytes/elem", Kind::Size, xs);
                }
            }
        }
    }
    for (id, _) in &ids {
        if id == "CPython" {
            continue;
        }
        for (w, what) in WORKLOADS {
            if figs.has(&key("CPython", w)) && figs.has(&key(id, w)) {
                figs.add_ratio(
                    &vs_cpython_key(id, w),
                    &format!(
                        "{}: CPython time / {} time",
                        strip_unit(what),
                        runner_label(id)
                    ),
                    &key("CPython", w),
                    &key(id, w),
                );
            }
        }
        for (mem, what) in MEMORY {
            for series in MEMORY_SERIES {
                let k = format!("{mem}.{series}");
                if figs.has(&key("CPython", &k)) && figs.has(&key(id, &k)) {
                    figs.add_ratio(
                        &mem_vs_cpython_key(id, &k),
                        &format!(
                            "{what}, {}: CPython / {}",
                            memory_series_label(series),
                            runner_label(id)
                        ),
                        &key("CPython", &k),
                        &key(id, &k),
                    );
                }
            }
        }
    }
    let d = super::targets::DEFAULT_CONFIG;
    for (w, what) in WORKLOADS {
        if figs.has(&key("PyPy", w)) && figs.has(&key(d, w)) {
            figs.add_ratio(
                &pypy_over_default_key(w),
                &format!("{}: PyPy time / pyopaque {d} time", strip_unit(what)),
                &key("PyPy", w),
                &key(d, w),
            );
        }
    }
    if figs.has(&key("CPython", "bench_incref_decref")) && figs.has(&key(d, "bench_incref_decref"))
    {
        figs.add_ratio(
            "capi_incref_pyopaque_over_cpython",
            &format!("Py_INCREF+Py_DECREF pair: pyopaque {d} (two calls) / CPython (inline)"),
            &key(d, "bench_incref_decref"),
            &key("CPython", "bench_incref_decref"),
        );
    }
}

/// A workload description without its trailing "(unit)".
pub fn strip_unit(what: &str) -> &str {
    what.rsplit_once(" (").map(|(a, _)| a).unwrap_or(what)
}

/// The section, every figure read from `figs` (filled by [`add_figures`] from `m`).
pub fn render(m: &Measured, figs: &Figures) -> super::Section {
    let Measured {
        runners,
        samples,
        missing,
        failures,
        pinning,
        quick,
        reps,
        scale,
    } = m;
    let (quick, reps, scale) = (*quick, *reps, *scale);
    let d = super::targets::DEFAULT_CONFIG;
    let mut md = String::from("## C API workloads: CPython, PyPy and pyopaque, same C source\n\n");
    md.push_str(&format!(
        "`benches/capi/bench_core.c` compiled three ways (our headers, CPython's, PyPy's). Loops are \
         timed inside C; {reps} interleaved repetitions (CPython, PyPy, every pyopaque configuration, \
         then again), medians with [min..max] over the repetitions. Ratios are CPython time / runtime \
         time (higher is faster than CPython): the ratio of the medians, with the widest spread the \
         two sides' spreads allow.{}\n\n",
        if quick {
            format!(
                " **Quick mode: sizes scaled to {}%, {reps} repetition(s), {} configuration(s): indicative only.**",
                scale * 100.0,
                runners.iter().filter(|r| matches!(r, Runner::Pyopaque { .. })).count()
            )
        } else {
            String::new()
        }
    ));
    for m in missing {
        md.push_str(&format!("- Peer missing: {m}\n"));
    }
    if !missing.is_empty() {
        md.push('\n');
    }
    let show = |k: &str| {
        let f = figs.get(k);
        if f.is_measured() {
            f.show()
        } else {
            "n/a".into()
        }
    };
    md.push_str(&format!(
        "| workload | CPython | PyPy | pyopaque {d} | CPython / pyopaque | PyPy / pyopaque |\n|---|---:|---:|---:|---:|---:|\n"
    ));
    for (w, what) in WORKLOADS {
        md.push_str(&format!(
            "| {what} | {} | {} | {} | {} | {} |\n",
            show(&key("CPython", w)),
            show(&key("PyPy", w)),
            show(&key(d, w)),
            show(&vs_cpython_key(d, w)),
            show(&pypy_over_default_key(w)),
        ));
    }
    let py_ids: Vec<String> = runners
        .iter()
        .filter(|r| matches!(r, Runner::Pyopaque { .. }))
        .map(|r| r.id())
        .collect();
    md.push_str("\nEvery pyopaque configuration, time ratio CPython / pyopaque (higher is faster; medians, the same figures as above, spreads in `report.json` under `figures`):\n\n| configuration |");
    for (k, _) in WORKLOADS {
        md.push_str(&format!(" {} |", k.trim_start_matches("bench_")));
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(WORKLOADS.len()));
    md.push('\n');
    for id in &py_ids {
        md.push_str(&format!("| {id} |"));
        for (w, _) in WORKLOADS {
            let f = figs.get(&vs_cpython_key(id, w));
            if f.is_measured() {
                md.push_str(&format!(" {} |", fmt_ratio(f.median)));
            } else {
                md.push_str(" n/a |");
            }
        }
        md.push('\n');
    }
    md.push_str("\n### Memory per list element\n\nBytes per element of a list of N ints or floats built by C with `PyList_Append`, then again after C read every element with `PyList_GetItem`, measured two ways in every runtime. **Resident set** (`/proc/self/statm` delta, page-granular: the same method for every runtime; pyopaque's collector maps 2 MiB chunks, so at quick-mode sizes its figure moves in steps of 2 MiB / N). **Allocator bytes**: what the runtime's allocator handed out, pyopaque's own count (heap cells with their 32-byte headers, and off-heap storage) and CPython's `tracemalloc` traced bytes (requested sizes, without pymalloc's rounding; measured in a second process, since tracing inflates the resident set); PyPy has no equivalent. Medians [min..max].\n\n| runtime | ints, RSS | ints after C read, RSS | floats, RSS | floats after C read, RSS | ints, allocator | ints after C read, allocator | floats, allocator | floats after C read, allocator |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let plain = |k: &str| {
        let f = figs.get(k);
        if f.is_measured() {
            f.show_plain()
        } else {
            "n/a".into()
        }
    };
    for r in runners {
        let id = r.id();
        md.push_str(&format!("| {} |", runner_label(&id)));
        for series in memory_columns() {
            md.push_str(&format!(" {} |", plain(&key(&id, &series))));
        }
        md.push('\n');
    }
    md.push_str(&format!(
        "\nCPython / pyopaque {d} bytes per element, same method on both sides: ints {} (RSS), {} (allocator bytes); floats after C read {} (RSS), {} (allocator bytes).\n",
        show(&mem_vs_cpython_key(d, "mem_int_list.rss_before")),
        show(&mem_vs_cpython_key(d, "mem_int_list.alloc_before")),
        show(&mem_vs_cpython_key(d, "mem_float_list.rss_after")),
        show(&mem_vs_cpython_key(d, "mem_float_list.alloc_after")),
    ));
    md.push_str("\n### Objects pinned by C\n\nEach workload once more per configuration with a collection every 4 MiB of allocation; `pinned / live` is the share of live objects the collections found pinned (held or borrowed by C).\n\n| configuration | workload | collections | pinned | live | pinned share |\n|---|---|---:|---:|---:|---:|\n");
    for (cfg, per) in pinning {
        if let Value::Object(m) = per {
            for (w, v) in m {
                let g = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
                let (c, p, l) = (g("collections"), g("pinned"), g("live"));
                if c > 0.0 {
                    md.push_str(&format!(
                        "| {cfg} | {} | {c} | {p} | {l} | {:.1}% |\n",
                        w.trim_start_matches("bench_"),
                        if l > 0.0 { p / l * 100.0 } else { 0.0 }
                    ));
                }
            }
        }
    }
    if !failures.is_empty() {
        md.push_str("\n### Runs that failed\n\n");
        for f in failures.iter().take(20) {
            md.push_str(&format!("- {f}\n"));
        }
    }
    let json = json!({
        "reps": reps,
        "quick": quick,
        "runners": runners.iter().map(|r| r.name()).collect::<Vec<_>>(),
        "missing_peers": missing,
        "failures": failures,
        "samples": json!(samples),
        "pinning": pinning,
    });
    super::Section {
        key: "capi_workloads",
        markdown: md,
        json,
    }
}

/// Memory columns of the table, in order: RSS (ints, ints after read, floats, floats after read),
/// then allocator bytes in the same order.
fn memory_columns() -> Vec<String> {
    let mut v = Vec::new();
    for method in ["rss", "alloc"] {
        for (m, _) in MEMORY {
            for phase in ["before", "after"] {
                v.push(format!("{m}.{method}_{phase}"));
            }
        }
    }
    v
}
