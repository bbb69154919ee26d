//! The same C source (`benches/capi/bench_core.c`) measured under CPython, PyPy and every pyopaque
//! configuration. Each runtime runs in its own process; runs are interleaved
//! (CPython, PyPy, config 1, config 2, ... then again) and repeated, and medians with their
//! spread are reported, every pyopaque figure also as a ratio to CPython from the same run.
//!
//! The extension times its own loops inside C (monotonic clock) and returns ns per operation;
//! memory workloads return bytes per element: resident-set deltas for the peers, allocator bytes
//! for pyopaque (its headers define `PYOPAQUE`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

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

/// Memory workloads: each returns (bytes/elem after building, after C read every element).
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
    /// Column name.
    pub fn name(&self) -> String {
        match self {
            Runner::Interpreter { name, .. } => name.clone(),
            Runner::Pyopaque { label, .. } => format!("pyopaque {label}"),
        }
    }
}

const DRIVER: &str = r#"
import sys, json, importlib
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
pub fn run_once(
    runner: &Runner,
    names: &[&str],
    scale: f64,
) -> Result<BTreeMap<String, Value>, String> {
    let csv = names.join(",");
    let out = match runner {
        Runner::Interpreter { exe, dir, .. } => Command::new(exe)
            .env("PYOPAQUE_BENCH_SCALE", scale.to_string())
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

/// All samples: runner name -> workload -> samples (memory workloads: two series, `name.before`
/// and `name.after`).
pub type Samples = BTreeMap<String, BTreeMap<String, Vec<f64>>>;

/// Records one process's results.
pub fn record(samples: &mut Samples, runner: &str, res: &BTreeMap<String, Value>) {
    let e = samples.entry(runner.to_string()).or_default();
    for (k, v) in res {
        match v {
            Value::Number(n) => e
                .entry(k.clone())
                .or_default()
                .push(n.as_f64().unwrap_or(f64::NAN)),
            Value::Array(a) if a.len() == 2 => {
                e.entry(format!("{k}.before"))
                    .or_default()
                    .push(a[0].as_f64().unwrap_or(f64::NAN));
                e.entry(format!("{k}.after"))
                    .or_default()
                    .push(a[1].as_f64().unwrap_or(f64::NAN));
            }
            _ => {}
        }
    }
}

/// Median and spread (min..max) of a sample.
pub fn summary(xs: &[f64]) -> (f64, f64, f64) {
    let med = pyopaque_runtime::bench::median(xs);
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (med, lo, hi)
}

/// JSON of every raw sample.
pub fn samples_json(samples: &Samples) -> Value {
    json!(samples)
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
pub fn section(quick: bool, tiny: bool, progress: &dyn Fn(&str)) -> Result<super::Section, String> {
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
            match run_once(r, &timed, scale) {
                Ok(res) => record(&mut samples, &r.name(), &res),
                Err(e) => failures.push(e),
            }
            for (m, _) in MEMORY {
                match run_once(r, &[m], scale) {
                    Ok(res) => record(&mut samples, &r.name(), &res),
                    Err(e) => failures.push(e),
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
        if let Ok(res) = run_once(&r, &timed, scale) {
            if let Some(p) = res.get("__pinning") {
                for w in &timed {
                    per.insert(w.to_string(), p.get(*w).cloned().unwrap_or(Value::Null));
                }
            }
        }
        pinning.insert(c.label(), json!(per));
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(render(&Measured {
        runners,
        samples,
        missing,
        failures,
        pinning,
        quick,
        reps,
        scale,
    }))
}

/// Everything one run of the C workloads measured.
struct Measured {
    runners: Vec<Runner>,
    samples: Samples,
    missing: Vec<String>,
    failures: Vec<String>,
    pinning: BTreeMap<String, Value>,
    quick: bool,
    reps: usize,
    scale: f64,
}

fn render(m: &Measured) -> super::Section {
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
    let fmt = super::fmt_num;
    let mut md = String::from("## C API workloads: CPython, PyPy and pyopaque, same C source\n\n");
    md.push_str(&format!(
        "`benches/capi/bench_core.c` compiled three ways (our headers, CPython's, PyPy's). Loops are \
         timed inside C; {reps} interleaved repetitions (CPython, PyPy, every pyopaque configuration, \
         then again), medians with [min..max]. Ratios are CPython time / runtime time from the same \
         run (higher is faster than CPython).{}\n\n",
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
    let cp = "CPython";
    let med = |runner: &str, k: &str| -> Option<(f64, f64, f64)> {
        samples
            .get(runner)
            .and_then(|m| m.get(k))
            .filter(|v| !v.is_empty())
            .map(|v| summary(v))
    };
    let default_col = runners
        .iter()
        .map(|r| r.name())
        .find(|n| n.ends_with("classic+imm+tag+strat"))
        .unwrap_or_default();
    md.push_str(&format!("| workload | CPython | PyPy | {default_col} | ratio vs CPython | PyPy / pyopaque |\n|---|---:|---:|---:|---:|---:|\n"));
    for (k, what) in WORKLOADS {
        let c = med(cp, k);
        let p = med("PyPy", k);
        let o = med(&default_col, k);
        let cell = |x: Option<(f64, f64, f64)>| match x {
            Some((m, lo, hi)) => format!("{} [{}..{}]", fmt(m), fmt(lo), fmt(hi)),
            None => "n/a".into(),
        };
        let ratio = match (c, o) {
            (Some(c), Some(o)) => format!("{:.2}x", c.0 / o.0),
            _ => "n/a".into(),
        };
        let vs_pypy = match (p, o) {
            (Some(p), Some(o)) => format!("{:.1}x", p.0 / o.0),
            _ => "n/a".into(),
        };
        md.push_str(&format!(
            "| {what} | {} | {} | {} | {ratio} | {vs_pypy} |\n",
            cell(c),
            cell(p),
            cell(o)
        ));
    }
    // Every configuration as a ratio to CPython.
    let py_cols: Vec<String> = runners
        .iter()
        .filter(|r| matches!(r, Runner::Pyopaque { .. }))
        .map(|r| r.name())
        .collect();
    md.push_str("\nEvery pyopaque configuration, time ratio CPython / pyopaque (higher is faster):\n\n| configuration |");
    for (k, _) in WORKLOADS {
        md.push_str(&format!(" {} |", k.trim_start_matches("bench_")));
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(WORKLOADS.len()));
    md.push('\n');
    for col in &py_cols {
        md.push_str(&format!("| {} |", col.trim_start_matches("pyopaque ")));
        for (k, _) in WORKLOADS {
            match (med(cp, k), med(col, k)) {
                (Some(c), Some(o)) => md.push_str(&format!(" {:.2} |", c.0 / o.0)),
                _ => md.push_str(" n/a |"),
            }
        }
        md.push('\n');
    }
    md.push_str("\n### Memory per list element\n\nBytes per element of a list built by C with `PyList_Append`, then again after C read every element with `PyList_GetItem`. Method: resident-set delta for CPython and PyPy (`/proc/self/statm`), allocator bytes (heap cells + off-heap storage) for pyopaque.\n\n| runtime | method | ints | ints after C read | floats | floats after C read |\n|---|---|---:|---:|---:|---:|\n");
    for r in runners {
        let n = r.name();
        let method = if matches!(r, Runner::Pyopaque { .. }) {
            "allocator"
        } else {
            "RSS"
        };
        let g = |k: &str| {
            med(&n, k)
                .map(|x| format!("{:.1}", x.0))
                .unwrap_or_else(|| "n/a".into())
        };
        md.push_str(&format!(
            "| {n} | {method} | {} | {} | {} | {} |\n",
            g("mem_int_list.before"),
            g("mem_int_list.after"),
            g("mem_float_list.before"),
            g("mem_float_list.after")
        ));
    }
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
        "samples": samples_json(samples),
        "pinning": pinning,
    });
    super::Section {
        key: "capi_workloads",
        markdown: md,
        json,
    }
}
