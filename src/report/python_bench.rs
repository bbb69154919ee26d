//! The report's "Python programs" section: Cython's benchmark suite, rendered from the object
//! `pyopaque bench python --json` prints (`crate::pyfront::bench::measure`; keys in
//! docs/benchmarks.md, "python"). Every figure of the section is read from that one object, so
//! the table, the ratios and the summary sentence cannot disagree.

use serde_json::Value;

/// Measures (`quick`: one round instead of three) and renders the section.
pub fn section(quick: bool, progress: &mut dyn FnMut(&str)) -> super::Section {
    let opts = crate::pyfront::bench::Options {
        all: false,
        rounds: if quick { 1 } else { 3 },
        only: Vec::new(),
        scale: None,
    };
    match crate::pyfront::bench::measure(&opts, progress) {
        Ok(v) => render(&v),
        Err(e) => super::Section {
            key: "python",
            markdown: format!(
                "## Python programs (Cython's benchmark suite)\n\nNot measured: {e}\n"
            ),
            json: serde_json::json!({ "error": e }),
        },
    }
}

fn ms(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "failed".to_string(), |x| format!("{x:.1}"))
}

/// `a / b` when both are numbers.
fn ratio(a: &Value, b: &Value) -> Option<f64> {
    Some(a.as_f64()? / b.as_f64()?)
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |x| format!("{x:.2}x"))
}

/// Geometric mean of the ratios present.
fn geomean(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    Some((v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp())
}

/// Renders the section from the `bench python` object.
pub fn render(v: &Value) -> super::Section {
    let mut md = String::from(
        "## Python programs (Cython's benchmark suite)\n\nCython's own `Demos/benchmarks/bm_*` \
         (the pinned Cython's sdist), compiled by Cython and run as C API calls: CPython runs \
         Cython's regular build and its limited-API build of the same source, PyPy its \
         interpreter on the plain source, pyopaque the limited-API build in its default \
         configuration. Median ms of one run (interleaved rounds; the method is in \
         docs/benchmarks.md, \"python\"). A ratio above 1 means pyopaque took longer. \
         Command: `pyopaque bench python --json`.\n\n\
         | benchmark | CPython regular | CPython limited | PyPy | pyopaque | pyopaque / CPython \
         limited | pyopaque / CPython regular |\n|---|---|---|---|---|---|---|\n",
    );
    let mut vs_limited = Vec::new();
    let mut vs_regular = Vec::new();
    let mut failures = Vec::new();
    if let Some(map) = v["benchmarks"].as_object() {
        for (name, b) in map {
            let rl = ratio(&b["pyopaque_ms"], &b["cpython_limited_ms"]);
            let rr = ratio(&b["pyopaque_ms"], &b["cpython_regular_ms"]);
            vs_limited.extend(rl);
            vs_regular.extend(rr);
            md.push_str(&format!(
                "| {name} | {} | {} | {} | {} | {} | {} |\n",
                ms(&b["cpython_regular_ms"]),
                ms(&b["cpython_limited_ms"]),
                if b["pypy_ms"].is_null() && !v["pypy"].is_null() {
                    "n/a".to_string()
                } else {
                    ms(&b["pypy_ms"])
                },
                ms(&b["pyopaque_ms"]),
                fmt_ratio(rl),
                fmt_ratio(rr),
            ));
            if let Some(e) = b["error"].as_str() {
                failures.push(format!("- `{name}`: {e}"));
            }
        }
    }
    let completed = v["completed"].as_u64().unwrap_or(0);
    let total = v["total"].as_u64().unwrap_or(0);
    md.push_str(&format!(
        "\n**{completed} of {total}** benchmarks complete under pyopaque with CPython's output."
    ));
    if let (Some(l), Some(r)) = (geomean(&vs_limited), geomean(&vs_regular)) {
        md.push_str(&format!(
            " Over those, pyopaque's time is **{l:.2}x** CPython's limited build and **{r:.2}x** \
             its regular build (geometric means of the ratios above){}.",
            if l > 1.0 {
                ": pyopaque is slower on this suite"
            } else {
                ""
            }
        ));
    }
    md.push('\n');
    if let Some(why) = v["pypy"].as_str() {
        md.push_str(&format!("\nPyPy: {why}.\n"));
    }
    if !failures.is_empty() {
        md.push_str("\nFailures, by runtime, with the exact message:\n\n");
        md.push_str(&failures.join("\n"));
        md.push('\n');
    }
    super::Section {
        key: "python",
        markdown: md,
        json: v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_reads_the_table_figures() {
        let v = serde_json::json!({
            "completed": 1, "total": 2, "pypy": null,
            "benchmarks": {
                "bm_a": {"ok": true, "cpython_regular_ms": 1.0, "cpython_limited_ms": 2.0,
                         "pypy_ms": 0.5, "pyopaque_ms": 4.0},
                "bm_b": {"ok": false, "cpython_regular_ms": 1.0, "cpython_limited_ms": 2.0,
                         "pypy_ms": null, "pyopaque_ms": null, "error": "pyopaque: boom"}
            }
        });
        let s = render(&v);
        assert!(s
            .markdown
            .contains("| bm_a | 1.0 | 2.0 | 0.5 | 4.0 | 2.00x | 4.00x |"));
        assert!(s.markdown.contains("**1 of 2**"));
        assert!(s.markdown.contains("**2.00x** CPython's limited build"));
        assert!(s.markdown.contains("pyopaque is slower"));
        assert!(s.markdown.contains("- `bm_b`: pyopaque: boom"));
    }
}
