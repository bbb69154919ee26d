//! `report.json`'s schema (validation, and reading version 1 files into figures) and
//! `report --compare OLD.json [NEW.json]`: timings and sizes of two runs side by side, each
//! called faster / slower (larger / smaller) only when the two spreads do not overlap.

use std::path::Path;

use serde_json::Value;

use super::figures::{Figure, Figures, Kind};
use super::groups;

/// The `schema` value of files this version writes.
pub const SCHEMA: &str = "pyopaque-report/2";
/// The `schema_version` of files this version writes.
pub const SCHEMA_VERSION: u64 = 2;
/// Relative band assumed around a figure without a measured spread (one sample, or a version 1
/// file's group medians).
pub const ASSUMED_NOISE: f64 = 0.10;

/// A validated report file: its figures and what run produced it.
pub struct Loaded {
    /// The figures (for a version 1 file: rebuilt from its sections).
    pub figures: Figures,
    /// "quick", "full", "tiny" or "unknown".
    pub mode: String,
    /// Schema version (1 or 2).
    pub version: u64,
}

fn mode_of(v: &Value) -> String {
    if let Some(m) = v.get("mode").and_then(Value::as_str) {
        return m.to_string();
    }
    match (
        v.get("tiny").and_then(Value::as_bool),
        v.get("quick").and_then(Value::as_bool),
    ) {
        (Some(true), _) => "tiny".into(),
        (_, Some(true)) => "quick".into(),
        (_, Some(false)) => "full".into(),
        _ => "unknown".into(),
    }
}

/// Validates a parsed report.json against the schema; `Err` says what is wrong.
pub fn validate(v: &Value) -> Result<Loaded, String> {
    let o = v
        .as_object()
        .ok_or("not a pyopaque report.json: the top level is not an object")?;
    let schema = o.get("schema").and_then(Value::as_str).ok_or(
        "not a pyopaque report.json: no `schema` key (expected \"pyopaque-report/2\" or \"pyopaque-report/1\")",
    )?;
    match schema {
        SCHEMA => {
            let ver = o.get("schema_version").and_then(Value::as_u64);
            if ver != Some(SCHEMA_VERSION) {
                return Err(format!(
                    "schema {SCHEMA} needs `schema_version` {SCHEMA_VERSION}, found {ver:?}"
                ));
            }
            for k in ["quick", "tiny"] {
                if !o.get(k).is_some_and(Value::is_boolean) {
                    return Err(format!("`{k}` missing or not a boolean"));
                }
            }
            let figures = Figures::from_json(o.get("figures").ok_or("`figures` missing")?)?;
            for (k, f) in figures.iter() {
                if f.is_measured() && f.n >= 2 && !(f.min <= f.median && f.median <= f.max) {
                    return Err(format!(
                        "figure `{k}`: median {} outside its spread {}..{}",
                        f.median, f.min, f.max
                    ));
                }
            }
            for s in ["tagging", "refcount", "lists", "gc", "targets"] {
                if !o.get(s).is_some_and(Value::is_object) {
                    return Err(format!("section `{s}` missing or not an object"));
                }
            }
            Ok(Loaded {
                figures,
                mode: mode_of(v),
                version: 2,
            })
        }
        "pyopaque-report/1" => Ok(Loaded {
            figures: from_version_1(v)?,
            mode: mode_of(v),
            version: 1,
        }),
        other => Err(format!(
            "unsupported schema \"{other}\" (this pyopaque reads \"{SCHEMA}\" and \"pyopaque-report/1\")"
        )),
    }
}

/// Rebuilds the figures of a version 1 file: group medians (one sample each: no spread) and the
/// C workloads' raw samples. Its memory pair `.before`/`.after` was allocator bytes for pyopaque
/// and resident-set bytes for the interpreters.
fn from_version_1(v: &Value) -> Result<Figures, String> {
    let mut figs = Figures::new();
    for g in ["tagging", "refcount", "lists", "gc"] {
        let sec = v
            .get(g)
            .and_then(Value::as_object)
            .ok_or_else(|| format!("version 1 file without section `{g}`"))?;
        for (k, x) in sec {
            if let Some(x) = x.as_f64() {
                let (label, unit, kind) = groups::meta(g, k);
                figs.add_samples(&format!("{g}.{k}"), &label, &unit, kind, &[x]);
            }
        }
    }
    if let Some(samples) = v
        .get("capi_workloads")
        .and_then(|c| c.get("samples"))
        .and_then(Value::as_object)
    {
        for (runner, per) in samples {
            let interpreter = !runner.starts_with("pyopaque ");
            let id = runner.trim_start_matches("pyopaque ");
            let Some(per) = per.as_object() else {
                return Err(format!("capi_workloads.samples.{runner} is not an object"));
            };
            for (w, xs) in per {
                let xs: Vec<f64> = xs
                    .as_array()
                    .ok_or_else(|| format!("capi_workloads.samples.{runner}.{w} is not a list"))?
                    .iter()
                    .filter_map(Value::as_f64)
                    .collect();
                let (name, kind, unit) = if let Some(m) = w.strip_suffix(".before") {
                    let s = if interpreter {
                        "rss_before"
                    } else {
                        "alloc_before"
                    };
                    (format!("{m}.{s}"), Kind::Size, "bytes/elem")
                } else if let Some(m) = w.strip_suffix(".after") {
                    let s = if interpreter {
                        "rss_after"
                    } else {
                        "alloc_after"
                    };
                    (format!("{m}.{s}"), Kind::Size, "bytes/elem")
                } else {
                    (w.clone(), Kind::Time, "ns")
                };
                let (base, series) = name.split_once('.').unwrap_or((name.as_str(), ""));
                let mut label = format!(
                    "{runner}: {}",
                    super::capi_peers::strip_unit(super::capi_peers::workload_label(base))
                );
                if !series.is_empty() {
                    label.push_str(", ");
                    label.push_str(super::capi_peers::memory_series_label(series));
                }
                figs.add_samples(&super::capi_peers::key(id, &name), &label, unit, kind, &xs);
            }
        }
    }
    Ok(figs)
}

/// Reads and validates a report file.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON ({e})", path.display()))?;
    validate(&v).map_err(|e| format!("{}: {e}", path.display()))
}

/// How a figure moved between two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Better beyond both spreads (faster, or smaller).
    Better,
    /// Worse beyond both spreads.
    Worse,
    /// The spreads overlap.
    Unchanged,
}

/// The interval compared: the spread, or the assumed band for a single sample.
fn noise_interval(f: &Figure) -> (f64, f64) {
    if f.n >= 2 && f.min.is_finite() && f.max.is_finite() {
        (f.min, f.max)
    } else {
        (
            f.median * (1.0 - ASSUMED_NOISE),
            f.median * (1.0 + ASSUMED_NOISE),
        )
    }
}

/// How `new` moved from `old` (`kind` decides which direction is better).
pub fn change(old: &Figure, new: &Figure) -> Change {
    let (ol, oh) = noise_interval(old);
    let (nl, nh) = noise_interval(new);
    let higher_is_better = old.kind == Kind::Rate;
    if nl > oh {
        if higher_is_better {
            Change::Better
        } else {
            Change::Worse
        }
    } else if nh < ol {
        if higher_is_better {
            Change::Worse
        } else {
            Change::Better
        }
    } else {
        Change::Unchanged
    }
}

fn word(kind: Kind, c: Change) -> &'static str {
    match (kind, c) {
        (_, Change::Unchanged) => "unchanged",
        (Kind::Size, Change::Better) => "smaller",
        (Kind::Size, Change::Worse) => "larger",
        (_, Change::Better) => "faster",
        (_, Change::Worse) => "slower",
    }
}

/// The comparison as text lines (worse first, then better, then unchanged, then a summary).
pub fn compare_text(old: &Loaded, new: &Loaded, old_name: &str, new_name: &str) -> String {
    let mut out = format!(
        "comparing {old_name} ({} run, schema {}) with {new_name} ({} run, schema {})\n",
        old.mode, old.version, new.mode, new.version
    );
    if old.mode != new.mode {
        out.push_str(&format!(
            "warning: a {} run against a {} run: sizes and repetitions differ, so differences are not only changes of the code\n",
            old.mode, new.mode
        ));
    }
    out.push_str(&format!(
        "timings and sizes only; a change counts only when the two min..max spreads do not overlap (a figure without a spread gets +-{:.0}%)\n\n",
        ASSUMED_NOISE * 100.0
    ));
    let mut rows: Vec<(Change, f64, String)> = Vec::new();
    let mut only_one = 0usize;
    for (k, o) in old.figures.iter() {
        if !matches!(o.kind, Kind::Time | Kind::Rate | Kind::Size) || !o.is_measured() {
            continue;
        }
        let n = new.figures.get(k);
        if !n.is_measured() {
            only_one += 1;
            continue;
        }
        let c = change(o, &n);
        let pct = (n.median / o.median - 1.0) * 100.0;
        rows.push((
            c,
            pct,
            format!(
                "{:<9} {:>+7.1}%  {}: {} -> {}  [{k}]",
                word(o.kind, c),
                pct,
                o.label,
                o.show(),
                n.show()
            ),
        ));
    }
    only_one += new
        .figures
        .iter()
        .filter(|(k, f)| {
            matches!(f.kind, Kind::Time | Kind::Rate | Kind::Size)
                && f.is_measured()
                && !old.figures.has(k)
        })
        .count();
    // Largest moves first within each group.
    rows.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let count = |c: Change| rows.iter().filter(|(x, ..)| *x == c).count();
    for c in [Change::Worse, Change::Better, Change::Unchanged] {
        for (x, _, line) in &rows {
            if *x == c {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.push_str(&format!(
        "\n{} worse (slower or larger), {} better (faster or smaller), {} unchanged within noise, of {} timings and sizes in both files; {} in only one of them\n",
        count(Change::Worse),
        count(Change::Better),
        count(Change::Unchanged),
        rows.len(),
        only_one
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fig(kind: Kind, xs: &[f64]) -> Figure {
        Figure::from_samples("f", "ns", kind, xs)
    }

    #[test]
    fn change_needs_disjoint_spreads() {
        let old = fig(Kind::Time, &[10.0, 12.0]);
        assert_eq!(change(&old, &fig(Kind::Time, &[7.0, 9.0])), Change::Better);
        assert_eq!(change(&old, &fig(Kind::Time, &[13.0, 14.0])), Change::Worse);
        assert_eq!(
            change(&old, &fig(Kind::Time, &[11.0, 13.0])),
            Change::Unchanged
        );
        // Throughput: higher is better.
        let old = fig(Kind::Rate, &[10.0, 12.0]);
        assert_eq!(
            change(&old, &fig(Kind::Rate, &[13.0, 14.0])),
            Change::Better
        );
        // One sample each: +-10%.
        let old = fig(Kind::Time, &[10.0]);
        assert_eq!(change(&old, &fig(Kind::Time, &[10.5])), Change::Unchanged);
        assert_eq!(change(&old, &fig(Kind::Time, &[13.0])), Change::Worse);
    }

    #[test]
    fn foreign_json_is_rejected() {
        for v in [
            json!([1, 2]),
            json!({"hello": 1}),
            json!({"schema": "something-else/1"}),
            json!({"schema": SCHEMA, "schema_version": 1}),
            json!({"schema": SCHEMA, "schema_version": 2, "quick": true, "tiny": false, "figures": {"a": {"label": 1}}}),
            json!({"schema": "pyopaque-report/1"}),
        ] {
            assert!(validate(&v).is_err(), "{v} rejected");
        }
    }

    #[test]
    fn version_1_files_are_read_into_figures() {
        let v = json!({
            "schema": "pyopaque-report/1", "quick": true, "tiny": false,
            "tagging": {"tagged_create_sum_ns_per_int": 14.0},
            "refcount": {}, "lists": {}, "gc": {"alloc_objects_per_s": 1e8},
            "capi_workloads": {"samples": {
                "CPython": {"bench_tuple2": [19.0, 19.4], "mem_int_list.before": [45.5, 45.5]},
                "pyopaque classic+imm+tag+strat": {"mem_int_list.before": [10.5, 10.5]}
            }}
        });
        let l = validate(&v).unwrap();
        assert_eq!(l.mode, "quick");
        assert_eq!(l.figures.get("tagging.tagged_create_sum_ns_per_int").n, 1);
        assert_eq!(l.figures.get("gc.alloc_objects_per_s").kind, Kind::Rate);
        assert_eq!(l.figures.get("capi.CPython.bench_tuple2").median, 19.2);
        assert!(l.figures.has("capi.CPython.mem_int_list.rss_before"));
        assert!(l
            .figures
            .has("capi.classic+imm+tag+strat.mem_int_list.alloc_before"));
    }

    #[test]
    fn compare_lists_worse_before_better() {
        let mut a = Figures::new();
        let mut b = Figures::new();
        a.add_samples("t.slow", "slow one", "ns", Kind::Time, &[10.0, 11.0]);
        b.add_samples("t.slow", "slow one", "ns", Kind::Time, &[20.0, 21.0]);
        a.add_samples("t.fast", "fast one", "ns", Kind::Time, &[10.0, 11.0]);
        b.add_samples("t.fast", "fast one", "ns", Kind::Time, &[5.0, 6.0]);
        a.add_samples("r.ratio", "a ratio", "x", Kind::Ratio, &[1.0, 2.0]);
        b.add_samples("r.ratio", "a ratio", "x", Kind::Ratio, &[5.0, 6.0]);
        let l = |figures| Loaded {
            figures,
            mode: "quick".into(),
            version: 2,
        };
        let text = compare_text(&l(a), &l(b), "old", "new");
        let slow = text.find("slower").unwrap();
        let fast = text.find("faster").unwrap();
        assert!(slow < fast, "{text}");
        assert!(!text.contains("a ratio"), "ratios are not listed: {text}");
        assert!(text.contains("1 worse"), "{text}");
    }
}
