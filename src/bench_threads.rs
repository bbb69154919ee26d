//! `pyopaque bench threads`: C workloads (`benches/capi/bench_threads.c`, built against our
//! headers) on 1 and 2 threads created by C, under every scheme that allows threads, each
//! scheme in its own process; then collection pauses with two threads attached (a process per
//! scheme with a 4 MiB collection threshold). Keys: docs/benchmarks.md ("threads").

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Schemes measured (`classic` is single-threaded).
pub const SCHEMES: &[&str] = &["atomic", "biased", "tracing"];

/// Workloads: C function, key stem, what it measures.
pub const WORKLOADS: &[(&str, &str, &str)] = &[
    (
        "threads_unshared",
        "unshared",
        "each thread boxes floats into its own lists (PyFloat_FromDouble + PyList_Append)",
    ),
    (
        "threads_shared_none",
        "shared_none",
        "Py_INCREF/Py_DECREF/PyObject_IsTrue of None",
    ),
    (
        "threads_shared_dict",
        "shared_dict",
        "PyDict_GetItem on one shared dict (16 keys, str values)",
    ),
    (
        "threads_shared_list",
        "shared_list",
        "PyList_GetItem + PyLong_AsLong on one shared list of 1024 ints",
    ),
    (
        "threads_contended",
        "contended",
        "PyDict_SetItem on one dict both threads write",
    ),
];

fn key(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Runs `names` of the built extension `so` in a child process under `init`.
fn run_child(
    init: &str,
    so: &Path,
    names: &[&str],
    scale: f64,
) -> Result<BTreeMap<String, Value>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let lib = crate::capi_lib::library_path()?;
    let out = Command::new(exe)
        .env("PYOPAQUE_BENCH_SCALE", scale.to_string())
        .env("PYOPAQUE_CAPI_LIB", lib)
        .env_remove("CARGO")
        .args(["__call-child", init])
        .arg(so)
        .arg("bench_threads")
        .arg(names.join(","))
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        if let Some(j) = line.strip_prefix("JSON ") {
            return serde_json::from_str(j).map_err(|e| e.to_string());
        }
    }
    Err(format!(
        "bench_threads under {init} produced no result ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn pair(v: &BTreeMap<String, Value>, name: &str) -> Result<Vec<f64>, String> {
    v.get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("{name}: no result"))
}

/// The one-minute load average when the run starts (`/proc/loadavg`; NaN where missing): the
/// wall-clock figures need idle cores to mean what they say.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// The `threads` group.
pub fn run(quick: bool) -> Result<Vec<(&'static str, f64)>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = std::env::temp_dir().join(format!("pyopaque-bench-threads-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let so = crate::ext::compile(&root.join("benches/capi/bench_threads.c"), &work, false)?;
    let scale = if quick { 0.1 } else { 1.0 };
    let mut out: Vec<(&'static str, f64)> = Vec::new();
    out.push(("load_average", load_average()));
    let mut deferred = 0.0;
    for scheme in SCHEMES {
        let mut names: Vec<&str> = WORKLOADS.iter().map(|w| w.0).collect();
        names.push("threads_stats");
        let r = run_child(&format!("scheme={scheme}"), &so, &names, scale)?;
        for (f, stem, _) in WORKLOADS {
            let p = pair(&r, f)?;
            if p.len() < 4 {
                return Err(format!("{f}: expected 4 figures, got {p:?}"));
            }
            let (one, two, cpu_one, cpu_two) = (p[0], p[1], p[2], p[3]);
            out.push((key(format!("{stem}_{scheme}_1t_mops")), one));
            out.push((key(format!("{stem}_{scheme}_2t_mops")), two));
            out.push((key(format!("{stem}_{scheme}_1t_cpu_mops")), cpu_one));
            out.push((key(format!("{stem}_{scheme}_2t_cpu_mops")), cpu_two));
            if *stem == "unshared" {
                out.push((key(format!("unshared_speedup_{scheme}")), two / one));
                out.push((
                    key(format!("unshared_cpu_speedup_{scheme}")),
                    cpu_two / cpu_one,
                ));
            }
        }
        deferred += pair(&r, "threads_stats")?[1];
        let init = format!("scheme={scheme},collect_after=4194304");
        let r = run_child(&init, &so, &["threads_pauses"], scale)?;
        let s = pair(&r, "threads_pauses")?;
        let (collections, stops, sync_ns, pause_ns, max_ns) = (s[0], s[2], s[3], s[4], s[5]);
        deferred += s[1];
        out.push((key(format!("pause_{scheme}_collections")), collections));
        out.push((key(format!("pause_{scheme}_stops")), stops));
        let per = |ns: f64| if stops > 0.0 { ns / stops / 1e3 } else { 0.0 };
        out.push((key(format!("pause_{scheme}_mean_us")), per(pause_ns)));
        out.push((key(format!("pause_{scheme}_sync_mean_us")), per(sync_ns)));
        out.push((key(format!("pause_{scheme}_max_us")), max_ns / 1e3));
    }
    out.push(("collections_deferred", deferred));
    let _ = std::fs::remove_dir_all(&work);
    Ok(out)
}
