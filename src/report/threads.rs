//! The report's "threads" section, rendered from the figures of `pyopaque bench threads`
//! (`crate::bench_threads::run`; keys in docs/benchmarks.md). The lead wires it into the report
//! (`mod threads;` and a call to [`section`] or [`render`]).

use serde_json::{json, Map, Value};

use crate::bench_threads::{SCHEMES, WORKLOADS};

/// Measures (`quick`: a tenth of the operations) and renders the section.
pub fn section(quick: bool) -> Result<super::Section, String> {
    let figures = crate::bench_threads::run(quick)?;
    Ok(render(&figures))
}

/// Renders the section from the group's figures.
pub fn render(figures: &[(&'static str, f64)]) -> super::Section {
    let get = |k: String| {
        figures
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| *v)
            .unwrap_or(f64::NAN)
    };
    let mut md = String::from(
        "## Threads\n\nC workloads on threads created with `pthread_create` (attached with \
         `PyGILState_Ensure`), 1 thread against 2, millions of operations per second (total \
         over both threads; median of 5 alternating runs). Collections stop every attached \
         thread at a safe point (docs/design.md, \"Threads: stop-the-world\"). Command: \
         `pyopaque bench threads --json`. The CPU columns are the throughput with a core per \
         thread (operations / thread CPU time), which stays meaningful on a loaded machine.\n\n\
         | workload | scheme | 1 thread | 2 threads | 2 / 1 | CPU: 1 thread | CPU: 2 threads | \
         CPU 2 / 1 |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (_, stem, what) in WORKLOADS {
        for scheme in SCHEMES {
            let one = get(format!("{stem}_{scheme}_1t_mops"));
            let two = get(format!("{stem}_{scheme}_2t_mops"));
            let c1 = get(format!("{stem}_{scheme}_1t_cpu_mops"));
            let c2 = get(format!("{stem}_{scheme}_2t_cpu_mops"));
            md.push_str(&format!(
                "| {what} | {scheme} | {one:.2} | {two:.2} | {:.2}x | {c1:.2} | {c2:.2} | {:.2}x |\n",
                two / one,
                c2 / c1
            ));
        }
    }
    let speedup = get("unshared_speedup_biased".into());
    md.push_str(&format!(
        "\nUnshared work under `biased`: two threads reach **{speedup:.2}x** one thread's \
         throughput (target >= 1.7x on this 2-core machine: {}; {:.2}x by CPU time; load \
         average {:.1} when the run started).\n\n",
        if speedup >= 1.7 { "met" } else { "not met" },
        get("unshared_cpu_speedup_biased".into()),
        get("load_average".into())
    ));
    md.push_str(
        "Collection pauses with 2 threads attached (list churn, 4 MiB collection \
         threshold):\n\n| scheme | collections | stopped another thread | mean pause (us) | \
         mean time to safe point (us) | max pause (us) |\n|---|---|---|---|---|---|\n",
    );
    for scheme in SCHEMES {
        md.push_str(&format!(
            "| {scheme} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} |\n",
            get(format!("pause_{scheme}_collections")),
            get(format!("pause_{scheme}_stops")),
            get(format!("pause_{scheme}_mean_us")),
            get(format!("pause_{scheme}_sync_mean_us")),
            get(format!("pause_{scheme}_max_us")),
        ));
    }
    md.push_str(&format!(
        "\nDeferred collections over every run: {:.0}.\n",
        get("collections_deferred".into())
    ));
    let map: Map<String, Value> = figures
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    super::Section {
        key: "threads",
        markdown: md,
        json: Value::Object(map),
    }
}
