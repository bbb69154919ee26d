//! SVG charts (plotters): refcount scheme costs, list memory per element, GC pause by heap size.

use std::path::Path;

use plotters::prelude::*;

fn bars(path: &Path, title: &str, unit: &str, data: &[(String, f64)]) -> Result<(), String> {
    let root = SVGBackend::new(path, (720, 60 + 36 * data.len() as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let max = data
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(200)
        .build_cartesian_2d(0.0..max * 1.15, (0..data.len()).into_segmented())
        .map_err(|e| e.to_string())?;
    let labels: Vec<String> = data.iter().map(|(l, _)| l.clone()).collect();
    chart
        .configure_mesh()
        .x_desc(unit)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(data.iter().enumerate().map(|(i, (_, v))| {
            let v = if v.is_finite() { *v } else { 0.0 };
            Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (v, SegmentValue::Exact(i + 1)),
                ],
                BLUE.mix(0.6).filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

fn pick(figs: &[(&'static str, f64)], keys: &[&str]) -> Vec<(String, f64)> {
    keys.iter()
        .map(|k| {
            (
                k.to_string(),
                figs.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| *v)
                    .unwrap_or(f64::NAN),
            )
        })
        .collect()
}

/// Writes every chart into `out`; returns their file names.
pub fn write_all(
    out: &Path,
    rc: &[(&'static str, f64)],
    lists: &[(&'static str, f64)],
    gc: &[(&'static str, f64)],
) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut emit =
        |name: &str, title: &str, unit: &str, data: Vec<(String, f64)>| -> Result<(), String> {
            bars(&out.join(name), title, unit, &data)?;
            names.push(name.to_string());
            Ok(())
        };
    emit(
        "refcount.svg",
        "Refcount scheme costs",
        "ns per incref+decref pair",
        pick(
            rc,
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
            ],
        ),
    )?;
    emit(
        "list_memory.svg",
        "Memory per list element (1e6 ints)",
        "bytes per element",
        pick(
            lists,
            &["int_bytes_per_elem", "object_boxed_bytes_per_elem"],
        ),
    )?;
    emit(
        "gc_pause.svg",
        "Full-collection pause by live heap",
        "ms",
        pick(gc, &["pause_ms_1mib", "pause_ms_10mib", "pause_ms_100mib"]),
    )?;
    Ok(names)
}

/// Per-workload time ratio CPython / pyopaque (default configuration) and CPython / PyPy, and
/// memory per list element for every runtime, from the C workloads section's JSON. Returns the
/// file names written (none when that section has no samples).
pub fn write_capi(out: &Path, capi: &serde_json::Value) -> Result<Vec<String>, String> {
    let Some(samples) = capi.get("samples").and_then(|s| s.as_object()) else {
        return Ok(Vec::new());
    };
    let med = |runner: &str, key: &str| -> Option<f64> {
        let xs: Vec<f64> = samples
            .get(runner)?
            .get(key)?
            .as_array()?
            .iter()
            .filter_map(|v| v.as_f64())
            .collect();
        (!xs.is_empty()).then(|| pyopaque_runtime::bench::median(&xs))
    };
    let default = samples
        .keys()
        .find(|k| k.ends_with("classic+imm+tag+strat"))
        .cloned()
        .unwrap_or_default();
    let mut ratios = Vec::new();
    for (k, _) in super::capi_peers::WORKLOADS {
        let short = k.trim_start_matches("bench_");
        if let (Some(c), Some(o)) = (med("CPython", k), med(&default, k)) {
            ratios.push((format!("{short}: pyopaque"), c / o));
        }
        if let (Some(c), Some(p)) = (med("CPython", k), med("PyPy", k)) {
            ratios.push((format!("{short}: PyPy"), c / p));
        }
    }
    let mut names = Vec::new();
    if !ratios.is_empty() {
        bars(
            &out.join("capi_ratio.svg"),
            "C workloads: time ratio to CPython (higher is faster)",
            "CPython time / runtime time",
            &ratios,
        )?;
        names.push("capi_ratio.svg".to_string());
    }
    let mut mem = Vec::new();
    for runner in samples.keys() {
        if runner.starts_with("pyopaque") && *runner != default {
            continue;
        }
        for (key, label) in [
            ("mem_int_list.before", "ints"),
            ("mem_int_list.after", "ints, after C read"),
        ] {
            if let Some(v) = med(runner, key) {
                mem.push((format!("{runner}: {label}"), v));
            }
        }
    }
    if !mem.is_empty() {
        bars(
            &out.join("capi_memory.svg"),
            "Memory per element of a 1e6-int list built from C",
            "bytes per element",
            &mem,
        )?;
        names.push("capi_memory.svg".to_string());
    }
    Ok(names)
}
