//! `pyopaque report`: the design-validation report. Every figure is measured in this run and
//! entered once into one table ([`figures::Figures`]); the section tables, the targets, the
//! conclusions, the charts and report.json all read that table by key. The JSON keeps every raw
//! sample under stable keys; its schema is checked by `report --compare` (see `compare`).

mod capi_peers;
mod charts;
mod compare;
mod conclusions;
pub mod corpus;
mod figures;
mod groups;
mod layout;
mod machine;
mod matrix;
mod progress;
mod python_bench;
mod rules;
mod targets;
mod threads;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use figures::{Figures, Kind};

/// Options of `report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Fewer repetitions and smaller sizes (finishes in a few minutes); the report says so.
    #[arg(long)]
    pub quick: bool,
    /// Output folder.
    #[arg(long, default_value = "docs/report")]
    pub out: PathBuf,
    /// Compare two report.json files (OLD NEW), or OLD with a new run written to --out: lists
    /// timings and sizes, each faster / slower / unchanged beyond the two runs' measured spreads.
    /// Both files are validated against the schema first.
    #[arg(long, num_args = 1..=2, value_names = ["OLD", "NEW"])]
    pub compare: Vec<PathBuf>,
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

/// Group runs of the in-process benchmarks (each a median over its own alternated repetitions);
/// their min..max is the figure's spread.
const GROUP_RUNS: usize = 3;

/// The derived figures the targets and conclusions quote (ratios of measured figures).
pub fn add_derived(figs: &mut Figures) {
    for (key, label, num, den) in [
        (
            "derived.tagging_speedup",
            "create and add ints: boxed / tagged time",
            "tagging.boxed_create_sum_ns_per_int",
            "tagging.tagged_create_sum_ns_per_int",
        ),
        (
            "derived.list_int_memory_saving",
            "1e6-int list: object storage / int strategy bytes per element",
            "lists.object_boxed_bytes_per_elem",
            "lists.int_bytes_per_elem",
        ),
        (
            "derived.list_int_sum_speedup",
            "sum of a 1e6-int list: object storage / int strategy time",
            "lists.object_sum_ns_per_elem",
            "lists.int_sum_ns_per_elem",
        ),
        (
            "derived.biased_over_classic",
            "owner-thread incref+decref pair: biased / classic time",
            "refcount.biased_pair_ns",
            "refcount.classic_pair_ns",
        ),
        (
            "derived.contended_biased_over_atomic",
            "two threads sharing one object: biased / atomic time",
            "refcount.contended_biased_ns",
            "refcount.contended_atomic_ns",
        ),
        (
            "derived.contended_atomic_over_immortal",
            "two threads sharing one object: atomic / immortal time",
            "refcount.contended_atomic_ns",
            "refcount.contended_immortal_ns",
        ),
        (
            "derived.compaction_over_memcpy",
            "compaction throughput / memcpy bandwidth",
            "gc.compaction_gb_per_s",
            "gc.memcpy_gb_per_s",
        ),
        (
            "derived.alloc_over_box",
            "collector allocation rate / Box allocation rate",
            "gc.alloc_objects_per_s",
            "gc.box_alloc_objects_per_s",
        ),
    ] {
        figs.add_ratio(key, label, num, den);
    }
}

/// Entry of `report`.
pub fn run(args: ReportArgs) -> Result<ExitCode, String> {
    let old = match args.compare.as_slice() {
        [] => None,
        [old, new] => {
            let (a, b) = (compare::load(old)?, compare::load(new)?);
            print!(
                "{}",
                compare::compare_text(
                    &a,
                    &b,
                    &old.display().to_string(),
                    &new.display().to_string()
                )
            );
            return Ok(ExitCode::SUCCESS);
        }
        [old] => Some((old.clone(), compare::load(old)?)),
        _ => return Err("--compare takes OLD.json and optionally NEW.json".into()),
    };
    let code = generate(&args)?;
    if let Some((path, a)) = old {
        let new_path = args.out.join("report.json");
        let b = compare::load(&new_path)?;
        print!(
            "{}",
            compare::compare_text(
                &a,
                &b,
                &path.display().to_string(),
                &format!("this run ({})", new_path.display())
            )
        );
    }
    Ok(code)
}

/// Runs every measurement and writes the report into `args.out`.
fn generate(args: &ReportArgs) -> Result<ExitCode, String> {
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let p = progress::Progress::new(9);
    let quick = args.quick || args.tiny;
    let mode = if args.tiny {
        "tiny"
    } else if args.quick {
        "quick"
    } else {
        "full"
    };
    if args.tiny {
        std::env::set_var("PYOPAQUE_BENCH_SCALE", "0.01");
    }
    let mut figs = Figures::new();
    let mut sections: Vec<Section> = Vec::new();
    p.step("machine");
    sections.push(machine::section());
    p.step("object layout and sizes (one python3 run for sys.getsizeof)");
    sections.push(layout::section());

    let runs = if args.tiny { 1 } else { GROUP_RUNS };
    let group_runs = |name: &str, f: &dyn Fn() -> Vec<(&'static str, f64)>| {
        // The lists group is the slow one (seconds per run): two runs in quick mode.
        let runs = if name == "lists" && quick {
            runs.min(2)
        } else {
            runs
        };
        let mut v = Vec::new();
        for i in 0..runs {
            p.sub(&format!("{name}: run {}/{runs}", i + 1));
            v.push(f());
        }
        v
    };
    p.step("tagging");
    let tag = group_runs("tagging", &|| pyopaque_runtime::bench::run_tagging(quick));
    groups::record(&mut figs, "tagging", &tag);
    p.step("refcount schemes");
    let rc = group_runs("refcount", &|| pyopaque_runtime::bench::run_refcount(quick));
    groups::record(&mut figs, "refcount", &rc);
    p.step("list strategies");
    let lists = group_runs("lists", &|| pyopaque_runtime::list::bench::run(quick));
    groups::record(&mut figs, "lists", &lists);
    p.sub("lists: table across sizes");
    let table = pyopaque_runtime::list::bench::table(quick);
    p.step("collector");
    let gc = group_runs("gc", &|| pyopaque_gc::bench::run(quick));
    groups::record(&mut figs, "gc", &gc);
    add_derived(&mut figs);

    p.step("C workloads (CPython, PyPy, pyopaque configurations, interleaved)");
    let sub = |m: &str| p.sub(m);
    let capi = match capi_peers::measure(quick, args.tiny, &sub) {
        Ok(m) => {
            capi_peers::add_figures(&m, &mut figs);
            Some(m)
        }
        Err(e) => {
            sections.push(Section {
                key: "capi_workloads",
                markdown: format!("## C API workloads\n\nNot measured: {e}\n"),
                json: json!({"error": e}),
            });
            None
        }
    };

    p.step("threads (C workloads on 1 and 2 pthreads per scheme)");
    sections.push(if args.tiny {
        Section {
            key: "threads",
            markdown: "## Threads\n\nNot measured in a tiny run (`pyopaque bench threads`).\n"
                .into(),
            json: json!({"skipped": "tiny run"}),
        }
    } else {
        threads::section(quick).unwrap_or_else(|e| Section {
            key: "threads",
            markdown: format!("## Threads\n\nNot measured: {e}\n"),
            json: json!({"error": e}),
        })
    });
    if args.tiny {
        sections.push(Section {
            key: "python",
            markdown: "## Python programs (Cython's benchmark suite)\n\nNot measured in a tiny \
                       run (`pyopaque bench python`).\n"
                .into(),
            json: json!({"skipped": "tiny run"}),
        });
    } else {
        p.step("Python programs (Cython's benchmark suite under CPython, PyPy, pyopaque)");
        sections.push(python_bench::section(quick, &mut |m| p.sub(m)));
    }
    if quick || args.tiny {
        sections.push(Section {
            key: "corpus",
            markdown: "## Real C extensions (PyPI corpus)\n\nSkipped in a quick run: it \
                       fetches and builds 17 sdists (about 12 minutes). Run \
                       `pyopaque corpus` or the full report.\n"
                .into(),
            json: json!({"skipped": "quick run"}),
        });
    } else {
        p.step("PyPI corpus (fetch, build against CPython and each opacity level, load)");
        let v = crate::corpus::measure(&[]);
        sections.push(Section {
            key: "corpus",
            markdown: format!(
                "## Real C extensions (PyPI corpus)\n\nWhat breaks under an opaque PyObject, \
                 and what more under an opaque PyTypeObject or the Limited API \
                 (`pyopaque corpus --json`).\n\n{}",
                corpus::table(&v)
            ),
            json: v,
        });
    }

    p.step("C API matrix (every test extension in every configuration)");
    let docs = args
        .out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ".".into());
    let mut files: Vec<PathBuf> = Vec::new();
    let matrix_error = match matrix::section(quick, args.tiny, &docs, &sub) {
        Ok(s) => {
            files.push(docs.join("capi-matrix.md"));
            files.push(docs.join("capi-matrix.json"));
            sections.push(s);
            None
        }
        Err(e) => {
            if docs.join("capi-matrix.md").exists() {
                files.push(docs.join("capi-matrix.md"));
                files.push(docs.join("capi-matrix.json"));
            }
            sections.push(Section {
                key: "capi_matrix",
                markdown: format!("## C API implementability matrix\n\n**Failed:** {e}\n"),
                json: json!({"error": e}),
            });
            Some(e)
        }
    };
    figs.add_samples(
        targets::WALL_CLOCK_KEY,
        &format!("wall-clock seconds of this report run ({mode}), before writing"),
        "s",
        Kind::WallClock,
        &[p.elapsed()],
    );

    // Every figure is in; everything below only reads `figs`.
    p.step("tables, targets, conclusions, charts");
    let closing_tag = format!(
        "\nBoxed / tagged time ratio: **{}**. Heap allocations with tagging on: {}.\n",
        figs.get("derived.tagging_speedup").show(),
        figs.get("tagging.tagged_heap_allocations").show()
    );
    let n_ints = if args.quick || args.tiny {
        "1,000,000"
    } else {
        "10,000,000"
    };
    let mut ordered: Vec<Section> = Vec::new();
    ordered.push(groups::section(
        "tagging",
        "Tagged small ints",
        &format!(
            "Create and sum {n_ints} ints through the object API (`acc = acc + i`), tagging on vs off, \
             alternated in one process. Boxed ints are heap objects (CPython's model)."
        ),
        &figs,
        &groups::keys_of(&tag),
        runs,
        &closing_tag,
    ));
    ordered.push(groups::section(
        "refcount",
        "Reference-counting schemes",
        "One incref+decref pair on the owner thread per scheme (ns), and two threads each doing \
         pairs on one shared object (contended) or each on its own (uncontended), wall-clock ns per \
         pair. `tracing_pair_ns` is a runtime-internal reference (not counted under tracing); \
         `tracing_c_pair_ns` is a reference held by C (counted, atomically).",
        &figs,
        &groups::keys_of(&rc),
        runs,
        &format!(
            "\nBiased / classic owner-thread pair: **{}**. Contended biased / atomic: **{}**. Contended atomic / immortal: **{}**.\n",
            figs.get("derived.biased_over_classic").show(),
            figs.get("derived.contended_biased_over_atomic").show(),
            figs.get("derived.contended_atomic_over_immortal").show(),
        ),
    ));
    ordered.push(groups::section(
        "lists",
        "List strategies",
        "Unboxed `int`/`float` storage against object storage holding boxed ints (the CPython-like \
         baseline: strategies off, tagging off), N = 1e6, medians of alternated runs. A raw `&[i64]` \
         sum is the physical limit.",
        &figs,
        &groups::keys_of(&lists),
        lists.len(),
        &format!(
            "\nAcross sizes (a second, separate pass of its own alternated runs; its N = 1000000 rows \
             measure the figures above again, and their differences show this machine's noise; the \
             conclusions read only the figures above):\n\n{table}\n"
        ),
    ));
    ordered.push(groups::section(
        "gc",
        "Moving collector",
        "Allocation throughput against `Box`, full-collection pause by live heap size, compaction \
         throughput next to memcpy bandwidth measured in the same run, and heap size after \
         compacting a heap fragmented to 50% live.",
        &figs,
        &groups::keys_of(&gc),
        runs,
        &format!(
            "\nCompaction / memcpy: **{}**. Collector / Box allocation rate: **{}**.\n",
            figs.get("derived.compaction_over_memcpy").show(),
            figs.get("derived.alloc_over_box").show()
        ),
    ));
    if let Some(m) = &capi {
        ordered.push(capi_peers::render(m, &figs));
    }
    let mut all: Vec<Section> = Vec::new();
    let mut rest = sections.into_iter();
    // machine, layout first; then the measured groups; then the rest (matrix, errors).
    all.extend(rest.by_ref().take(2));
    all.extend(ordered);
    all.extend(rest);
    all.push(targets::section(&figs, mode));
    let charts = charts::write_all(&args.out, &figs)?;
    for c in &charts {
        files.push(args.out.join(c));
    }
    let (meaning_md, meaning_json) = conclusions::render(&figs);
    files.push(args.out.join("REPORT.md"));
    files.push(args.out.join("report.json"));
    p.finish();

    let mut md = String::from("# pyopaque design-validation report\n\n");
    md.push_str(&format!(
        "Generated by `pyopaque report{}`. {}Every figure below was measured in this run and is \
         quoted as median [min..max] over its samples; ratios compare variants measured side by \
         side in the same run, and every table, target, conclusion and chart reads the same \
         figure (report.json: `figures`).\n\n",
        if args.quick { " --quick" } else { "" },
        if args.quick {
            "**Quick mode: fewer repetitions and smaller sizes; figures are indicative only.** "
        } else {
            ""
        }
    ));
    for s in &all {
        md.push_str(&s.markdown);
        md.push('\n');
    }
    md.push_str("## Charts\n\n");
    for c in &charts {
        md.push_str(&format!("![{c}]({c})\n\n"));
    }
    md.push_str(&meaning_md);
    md.push_str("\n## Files written by this run\n\n");
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    for f in &shown {
        md.push_str(&format!("- `{f}`\n"));
    }
    let mut obj: BTreeMap<String, Value> = BTreeMap::new();
    obj.insert("schema".into(), json!(compare::SCHEMA));
    obj.insert("schema_version".into(), json!(compare::SCHEMA_VERSION));
    obj.insert("mode".into(), json!(mode));
    obj.insert("quick".into(), json!(quick));
    obj.insert("tiny".into(), json!(args.tiny));
    obj.insert(
        "group_runs".into(),
        json!({"tagging": tag.len(), "refcount": rc.len(), "lists": lists.len(), "gc": gc.len()}),
    );
    obj.insert("figures".into(), figs.to_json());
    obj.insert("conclusions".into(), meaning_json);
    obj.insert("files".into(), json!(shown));
    for s in all {
        obj.insert(s.key.into(), s.json);
    }
    let json_text = serde_json::to_string_pretty(&obj).map_err(|e| e.to_string())?;
    std::fs::write(args.out.join("REPORT.md"), md).map_err(|e| e.to_string())?;
    std::fs::write(args.out.join("report.json"), json_text).map_err(|e| e.to_string())?;
    println!("wrote:");
    for f in &shown {
        println!("  {f}");
    }
    if let Some(e) = matrix_error {
        eprintln!("pyopaque report: {e}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    //! The report reads every figure from one table: a constructed table (no measurement, so
    //! nothing here depends on timing) must come out with the same numbers in the workload table,
    //! the targets, the conclusions and the charts, and the wording must follow the figure.

    use super::capi_peers::{self, Measured, Runner, Samples};
    use super::figures::{Figures, Kind};
    use super::*;

    const D: &str = targets::DEFAULT_CONFIG;

    /// C workload samples: CPython and the default configuration, two samples each, with the
    /// list build at CPython [33.44, 41.01] ns and pyopaque [15.0, 21.0] ns.
    fn measured(pyopaque_append: [f64; 2]) -> Measured {
        let mut samples: Samples = BTreeMap::new();
        let cp = samples.entry("CPython".into()).or_default();
        for (w, _) in capi_peers::WORKLOADS {
            cp.insert(w.to_string(), vec![10.0, 10.0]);
        }
        cp.insert("bench_list_append".into(), vec![33.44, 41.01]);
        cp.insert("bench_e2e_histogram".into(), vec![3.2, 3.69]);
        cp.insert("mem_int_list.rss_before".into(), vec![45.5, 45.5]);
        cp.insert("mem_int_list.alloc_before".into(), vec![40.5, 40.5]);
        let po = samples.entry(format!("pyopaque {D}")).or_default();
        for (w, _) in capi_peers::WORKLOADS {
            po.insert(w.to_string(), vec![10.0, 10.0]);
        }
        po.insert("bench_list_append".into(), pyopaque_append.to_vec());
        po.insert("bench_e2e_histogram".into(), vec![22.0, 40.35]);
        po.insert("mem_int_list.rss_before".into(), vec![10.4, 10.6]);
        po.insert("mem_int_list.alloc_before".into(), vec![10.5, 10.5]);
        let interp = |name: &str| Runner::Interpreter {
            name: name.into(),
            exe: "python3".into(),
            dir: PathBuf::new(),
        };
        Measured {
            runners: vec![
                interp("CPython"),
                Runner::Pyopaque {
                    init: String::new(),
                    label: D.into(),
                    so: PathBuf::new(),
                },
            ],
            samples,
            missing: vec![],
            failures: vec![],
            pinning: BTreeMap::new(),
            quick: true,
            reps: 2,
            scale: 0.05,
        }
    }

    fn table(m: &Measured, biased: [f64; 3]) -> Figures {
        let mut figs = Figures::new();
        figs.add_samples(
            "refcount.biased_pair_ns",
            "biased",
            "ns",
            Kind::Time,
            &biased,
        );
        figs.add_samples(
            "refcount.classic_pair_ns",
            "classic",
            "ns",
            Kind::Time,
            &[4.0, 4.0, 4.0],
        );
        add_derived(&mut figs);
        capi_peers::add_figures(m, &mut figs);
        figs
    }

    fn conclusion(figs: &Figures, id: &str) -> String {
        conclusions::rules()
            .iter()
            .filter(|r| r.id == id)
            .map(|r| conclusions::apply(r, figs).text)
            .next()
            .unwrap()
    }

    #[test]
    fn table_targets_conclusions_and_charts_quote_the_same_figure() {
        let m = measured([15.0, 21.0]);
        let figs = table(&m, [4.4, 4.5, 4.6]);
        let f = figs.get(&capi_peers::vs_cpython_key(D, "bench_list_append"));
        // CPython midpoint 37.225 / pyopaque midpoint 18.0; spread 33.44/21 .. 41.01/15.
        let quoted = f.show();
        assert_eq!(quoted, "2.07x [1.59..2.73]");
        let section = capi_peers::render(&m, &figs);
        assert!(section.markdown.contains(&quoted), "{}", section.markdown);
        let t = targets::section(&figs, "quick");
        assert!(t.markdown.contains(&quoted), "{}", t.markdown);
        let row = t.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "list_append_vs_cpython")
            .unwrap();
        assert_eq!(row["figure"].as_f64().unwrap(), f.median);
        // The spread straddles the 2.0x threshold: neither met nor not met.
        assert_eq!(row["verdict"], "inconclusive");
        assert!(row["met"].is_null());
        let (md, _) = conclusions::render(&figs);
        assert!(md.contains(&quoted), "{md}");
        // The unfavourable figure is in the conclusions too.
        let hist = figs
            .get(&capi_peers::vs_cpython_key(D, "bench_e2e_histogram"))
            .show();
        assert!(md.contains(&hist), "{md}");
        assert!(md.contains("slower than CPython"), "{md}");
        let ratio_chart = charts::charts(&figs)
            .into_iter()
            .find(|(n, _)| *n == "capi_ratio.svg")
            .unwrap()
            .1;
        assert!(charts::bar_values(&ratio_chart)
            .iter()
            .any(|(l, v)| l.contains("PyList_Append") && *v == f.median));
    }

    #[test]
    fn target_verdict_follows_the_whole_spread() {
        let figs = table(&measured([10.0, 12.0]), [4.4, 4.5, 4.6]);
        let t = targets::section(&figs, "quick");
        let row = |id: &str| {
            t.json["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .unwrap()
                .clone()
        };
        // 33.44/12 = 2.79 .. 41.01/10: met over the whole spread.
        assert_eq!(row("list_append_vs_cpython")["verdict"], "met");
        let figs = table(&measured([30.0, 35.0]), [4.4, 4.5, 4.6]);
        let t2 = targets::section(&figs, "quick");
        let r2 = t2.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "list_append_vs_cpython")
            .unwrap()
            .clone();
        assert_eq!(r2["verdict"], "not met");
        assert_eq!(r2["met"], false);
        assert!(t2.markdown.contains("**not met**"));
        let _ = row;
    }

    #[test]
    fn conclusion_wording_flips_with_the_figure() {
        let m = measured([15.0, 21.0]);
        let free = conclusion(&table(&m, [4.1, 4.2, 4.3]), "biased_owner_cost");
        assert!(free.contains("close to free"), "{free}");
        assert!(free.contains("1.05x [1.02..1.07]"), "{free}");
        let costly = conclusion(&table(&m, [7.4, 7.48, 7.6]), "biased_owner_cost");
        assert!(!costly.contains("free"), "{costly}");
        assert!(costly.contains("expensive"), "{costly}");
        assert!(costly.contains("1.87x [1.85..1.90]"), "{costly}");
        let mid = conclusion(&table(&m, [4.8, 4.9, 5.0]), "biased_owner_cost");
        assert!(mid.contains("not free"), "{mid}");
        let wide = conclusion(&table(&m, [4.0, 4.6, 7.0]), "biased_owner_cost");
        assert!(wide.contains("too wide to tell"), "{wide}");
        assert!(!wide.contains("close to free") && !wide.contains("expensive"));
    }

    #[test]
    fn memory_conclusion_needs_both_methods_to_agree() {
        let mut m = measured([15.0, 21.0]);
        let agree = conclusion(&table(&m, [4.0; 3]), "c_int_list_memory");
        assert!(agree.contains("less memory per element"), "{agree}");
        // Allocator bytes now say pyopaque uses more: the conclusion must not pick one.
        m.samples
            .get_mut(&format!("pyopaque {D}"))
            .unwrap()
            .insert("mem_int_list.alloc_before".into(), vec![60.0, 61.0]);
        let disagree = conclusion(&table(&m, [4.0; 3]), "c_int_list_memory");
        assert!(disagree.contains("disagree"), "{disagree}");
    }
}
