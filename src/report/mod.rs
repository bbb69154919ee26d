//! `pyopaque report`: the design-validation report. Every figure is measured in this run; the
//! JSON keeps every raw sample under stable keys, the Markdown is readable on its own.

mod capi_peers;
mod charts;
mod layout;
mod machine;
mod matrix;
mod targets;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

/// Options of `report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Fewer repetitions and smaller sizes (finishes in about two minutes); the report says so.
    #[arg(long)]
    pub quick: bool,
    /// Output folder.
    #[arg(long, default_value = "docs/report")]
    pub out: PathBuf,
    /// Compare with an earlier report.json and print what got faster or slower beyond noise.
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Smallest sizes, one repetition, two configurations: for the test that checks the report's
    /// shape (figures meaningless).
    #[arg(long, hide = true)]
    pub tiny: bool,
}

/// One section of the report: its Markdown and its JSON.
pub struct Section {
    /// Stable key in report.json.
    pub key: &'static str,
    /// Markdown (starting with a `##` heading).
    pub markdown: String,
    /// Raw figures.
    pub json: Value,
}

fn bench_section(
    key: &'static str,
    title: &str,
    what: &str,
    figures: &[(&'static str, f64)],
    extra_md: &str,
) -> Section {
    let mut md = format!("## {title}\n\n{what}\n\n| key | value |\n|---|---:|\n");
    for (k, v) in figures {
        md.push_str(&format!("| `{k}` | {} |\n", fmt_num(*v)));
    }
    md.push_str(extra_md);
    let map: serde_json::Map<String, Value> = figures
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    Section {
        key,
        markdown: md,
        json: Value::Object(map),
    }
}

/// Formats a figure with sensible precision.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        "n/a".into()
    } else if v.abs() >= 1e6 {
        format!("{v:.3e}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn get(figs: &[(&'static str, f64)], k: &str) -> f64 {
    figs.iter()
        .find(|(n, _)| *n == k)
        .map(|(_, v)| *v)
        .unwrap_or(f64::NAN)
}

/// Entry of `report`.
pub fn run(args: ReportArgs) -> Result<ExitCode, String> {
    if let Some(old) = &args.compare {
        let new_path = args.out.join("report.json");
        return compare(old, &new_path);
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let started = std::time::Instant::now();
    let steps = [
        "machine",
        "layout",
        "tagging",
        "refcount",
        "lists",
        "gc",
        "C workloads",
        "charts",
    ];
    let pb = ProgressBar::new(steps.len() as u64);
    pb.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut sections: Vec<Section> = Vec::new();
    pb.set_message("machine");
    sections.push(machine::section());
    pb.inc(1);
    pb.set_message("header layouts");
    sections.push(layout::section());
    pb.inc(1);

    pb.set_message("tagging");
    if args.tiny {
        std::env::set_var("PYOPAQUE_BENCH_SCALE", "0.01");
    }
    let quick = args.quick || args.tiny;
    let tag = pyopaque_runtime::bench::run_tagging(quick);
    let ratio =
        get(&tag, "boxed_create_sum_ns_per_int") / get(&tag, "tagged_create_sum_ns_per_int");
    sections.push(bench_section(
        "tagging",
        "Tagged small ints",
        &format!(
            "Create and sum {} ints through the object API (`acc = acc + i`), tagging on vs off, \
             alternated in one process; medians. Boxed ints are heap objects (CPython's model).",
            if args.quick {
                "1,000,000"
            } else {
                "10,000,000"
            }
        ),
        &tag,
        &format!(
            "\nBoxed / tagged time ratio: **{ratio:.1}x**. Heap allocations with tagging on: {}.\n",
            get(&tag, "tagged_heap_allocations")
        ),
    ));
    pb.inc(1);

    pb.set_message("refcount schemes");
    let rc = pyopaque_runtime::bench::run_refcount(quick);
    let biased_ratio = get(&rc, "biased_pair_ns") / get(&rc, "classic_pair_ns");
    let imm_ratio = get(&rc, "contended_atomic_ns") / get(&rc, "contended_immortal_ns");
    sections.push(bench_section(
        "refcount",
        "Reference-counting schemes",
        "One incref+decref pair on the owner thread per scheme (ns), and two threads each doing \
         pairs on one shared object (contended) or each on its own (uncontended), wall-clock ns per \
         pair. `tracing_pair_ns` is a runtime-internal reference (not counted under tracing); \
         `tracing_c_pair_ns` is a reference held by C (counted, atomically).",
        &rc,
        &format!(
            "\nBiased / classic owner-thread pair: **{biased_ratio:.2}x**. Contended atomic / immortal: **{imm_ratio:.1}x**.\n"
        ),
    ));
    pb.inc(1);

    pb.set_message("list strategies");
    let lists = pyopaque_runtime::list::bench::run(quick);
    let table = pyopaque_runtime::list::bench::table(quick);
    sections.push(bench_section(
        "lists",
        "List strategies",
        "Unboxed `int`/`float` storage against object storage holding boxed ints (the CPython-like \
         baseline: strategies off, tagging off), N = 1e6, medians of alternated runs. A raw `&[i64]` \
         sum is the physical limit.",
        &lists,
        &format!("\n{table}\n"),
    ));
    pb.inc(1);

    pb.set_message("collector");
    let gc = pyopaque_gc::bench::run(quick);
    sections.push(bench_section(
        "gc",
        "Moving collector",
        "Allocation throughput against `Box`, full-collection pause by live heap size, compaction \
         throughput next to memcpy bandwidth measured in the same run, and heap size after \
         compacting a heap fragmented to 50% live.",
        &gc,
        "",
    ));
    pb.inc(1);

    pb.set_message("C workloads");
    let progress = |m: &str| pb.set_message(m.to_string());
    match capi_peers::section(args.quick || args.tiny, args.tiny, &progress) {
        Ok(s) => sections.push(s),
        Err(e) => sections.push(Section {
            key: "capi_workloads",
            markdown: format!(
                "## C API workloads

Not measured: {e}
"
            ),
            json: json!({"error": e}),
        }),
    }
    pb.inc(1);

    pb.set_message("C API matrix");
    let docs = args
        .out
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| ".".into());
    let matrix_result = matrix::section(args.quick || args.tiny, args.tiny, &docs, &progress);
    let matrix_error = match matrix_result {
        Ok(s) => {
            sections.push(s);
            None
        }
        Err(e) => {
            sections.push(Section {
                key: "capi_matrix",
                markdown: format!(
                    "## C API implementability matrix

**Failed:** {e}
"
                ),
                json: json!({"error": e}),
            });
            Some(e)
        }
    };
    pb.inc(1);

    pb.set_message("charts");
    let mut charts = charts::write_all(&args.out, &rc, &lists, &gc)?;
    if let Some(capi) = sections.iter().find(|s| s.key == "capi_workloads") {
        charts.extend(charts::write_capi(&args.out, &capi.json)?);
    }
    pb.inc(1);
    pb.finish_with_message("done");
    let mode = if args.tiny {
        "tiny"
    } else if args.quick {
        "quick"
    } else {
        "full"
    };
    let capi_json = sections
        .iter()
        .find(|s| s.key == "capi_workloads" && s.json.get("samples").is_some())
        .map(|s| s.json.clone());
    sections.push(targets::section(
        &gc,
        capi_json.as_ref(),
        started.elapsed().as_secs_f64(),
        mode,
    ));

    let mut md = String::from("# pyopaque design-validation report\n\n");
    md.push_str(&format!(
        "Generated by `pyopaque report{}`. {}Every figure below was measured in this run; ratios \
         compare variants measured side by side in the same process.\n\n",
        if args.quick { " --quick" } else { "" },
        if args.quick {
            "**Quick mode: fewer repetitions and smaller sizes; figures are indicative only.** "
        } else {
            ""
        }
    ));
    for s in &sections {
        md.push_str(&s.markdown);
        md.push('\n');
    }
    md.push_str("## Charts\n\n");
    for c in &charts {
        md.push_str(&format!("![{c}]({c})\n\n"));
    }
    md.push_str(&meaning(&tag, &rc, &lists, &gc, capi_json.as_ref()));
    let mut obj: BTreeMap<String, Value> = BTreeMap::new();
    obj.insert("schema".into(), json!("pyopaque-report/1"));
    obj.insert("quick".into(), json!(quick));
    obj.insert("tiny".into(), json!(args.tiny));
    for s in sections {
        obj.insert(s.key.into(), s.json);
    }
    let json_text = serde_json::to_string_pretty(&obj).map_err(|e| e.to_string())?;
    std::fs::write(args.out.join("REPORT.md"), md).map_err(|e| e.to_string())?;
    std::fs::write(args.out.join("report.json"), json_text).map_err(|e| e.to_string())?;
    println!("wrote {}/REPORT.md and report.json", args.out.display());
    if let Some(e) = matrix_error {
        eprintln!("pyopaque report: {e}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// "What this means": only claims the figures of this run support, each with its figure.
fn meaning(
    tag: &[(&'static str, f64)],
    rc: &[(&'static str, f64)],
    lists: &[(&'static str, f64)],
    gc: &[(&'static str, f64)],
    capi: Option<&Value>,
) -> String {
    let mut out = String::from("## What this means for an opaque PyObject\n\n");
    let t = get(tag, "boxed_create_sum_ns_per_int") / get(tag, "tagged_create_sum_ns_per_int");
    out.push_str(&format!(
        "- Tagged ints (impossible while C may dereference every `PyObject*`) made int-heavy object code {t:.1}x faster here and removed all {} heap allocations.\n",
        if get(tag, "tagged_heap_allocations") == 0.0 { "its" } else { "but a few of its" }
    ));
    let mem = get(lists, "object_boxed_bytes_per_elem") / get(lists, "int_bytes_per_elem");
    let sum = get(lists, "object_sum_ns_per_elem") / get(lists, "int_sum_ns_per_elem");
    out.push_str(&format!(
        "- The int list strategy (impossible while C may take `&ob_item[0]`) used {mem:.1}x less memory per element and summed {sum:.1}x faster than object storage of boxed ints.\n"
    ));
    let b = get(rc, "biased_pair_ns") / get(rc, "classic_pair_ns");
    let i = get(rc, "contended_atomic_ns") / get(rc, "contended_immortal_ns");
    out.push_str(&format!(
        "- Once the count is behind a function call, its representation is free: biased counting cost {b:.2}x classic on the owner thread, and immortal objects were {i:.1}x cheaper than atomic counting under two-thread contention.\n"
    ));
    let c = get(gc, "compaction_gb_per_s") / get(gc, "memcpy_gb_per_s");
    out.push_str(&format!(
        "- A moving collector became possible: compaction ran at {c:.2}x memcpy bandwidth, and a 50%-live heap compacted to {:.2}x its live bytes.\n",
        get(gc, "heap_after_compact_over_live")
    ));
    if let Some(capi) = capi {
        let d = targets::DEFAULT_CONFIG;
        let m = |r: &str, k: &str| targets::sample(capi, r, k);
        let (inc, inc_c) = (
            m(d, "bench_incref_decref"),
            m("CPython", "bench_incref_decref"),
        );
        let (sum, sum_c) = (
            m(d, "bench_list_getitem_sum"),
            m("CPython", "bench_list_getitem_sum"),
        );
        out.push_str(&format!(
            "- Hiding the count behind a call is visible in a bare loop ({} ns per Py_INCREF+Py_DECREF pair against CPython's inline {} ns) and smaller end to end: a PyList_GetItem + PyLong_AsLong sum loop took {} ns/elem against CPython's {}.\n",
            fmt_num(inc), fmt_num(inc_c), fmt_num(sum), fmt_num(sum_c)
        ));
        let app = m("CPython", "bench_list_append") / m(d, "bench_list_append");
        let mem = m("CPython", "mem_int_list.before") / m(d, "mem_int_list.before");
        out.push_str(&format!(
            "- Seen from unchanged C source, tagging and list strategies built the int list {app:.2}x as fast as CPython and stored it in {mem:.1}x less memory per element.\n"
        ));
        if capi.get("samples").and_then(|s| s.get("PyPy")).is_some() {
            let ratios: Vec<f64> = capi["samples"][d]
                .as_object()
                .map(|o| {
                    o.keys()
                        .filter(|k| k.starts_with("bench_"))
                        .map(|k| m("PyPy", k) / m(d, k))
                        .filter(|r| r.is_finite())
                        .collect()
                })
                .unwrap_or_default();
            let lo = ratios.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = ratios.iter().cloned().fold(0.0, f64::max);
            if !ratios.is_empty() {
                out.push_str(&format!(
                    "- PyPy's C API emulation, which must materialize a C-visible object for every PyObject* it hands out, took between {} and {} times pyopaque's time on the same workloads (below 1: PyPy was faster).\n",
                    fmt_num(lo), fmt_num(hi)
                ));
            }
        }
    }
    out
}

/// `report --compare OLD.json`: figures that moved by more than 10% (the noise band of these
/// shared machines for medians).
fn compare(old: &std::path::Path, new: &std::path::Path) -> Result<ExitCode, String> {
    let load = |p: &std::path::Path| -> Result<Value, String> {
        let t = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        serde_json::from_str(&t).map_err(|e| format!("{}: {e}", p.display()))
    };
    let (a, b) = (load(old)?, load(new)?);
    let mut flat_a = BTreeMap::new();
    let mut flat_b = BTreeMap::new();
    flatten("", &a, &mut flat_a);
    flatten("", &b, &mut flat_b);
    let mut changes = 0;
    for (k, va) in &flat_a {
        if let Some(vb) = flat_b.get(k) {
            if *va != 0.0 && ((vb - va) / va).abs() > 0.10 {
                changes += 1;
                println!(
                    "{k}: {} -> {} ({:+.0}%)",
                    fmt_num(*va),
                    fmt_num(*vb),
                    (vb - va) / va * 100.0
                );
            }
        }
    }
    println!(
        "{changes} figures moved by more than 10% ({} compared)",
        flat_a.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, f64>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                out.insert(prefix.to_string(), f);
            }
        }
        _ => {}
    }
}
