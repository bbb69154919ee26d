//! The C API implementability matrix: verdicts come from the shim library itself (its tables are
//! compiled with the functions), and are cross-checked here against
//! - the library's dynamic symbol table (`nm -D`): a `works` entry must be an exported symbol;
//! - coverage: it must have been called by a test extension that passed in that configuration
//!   (each run records the entry points it called).
//!
//! A verdict that fails the cross-check fails the report. Writes `docs/capi-matrix.md` and
//! `docs/capi-matrix.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{c_char, CStr};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::Section;
use crate::ext::{self, ExtConfig};

/// The test extensions (`capi-shim/tests/ext/*.c` except the deliberate-misuse `ext_debug*`),
/// compiled against our headers.
pub fn test_extensions() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capi-shim/tests/ext");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "c"))
                // ext_debug* misuse the API on purpose (debug-mode tests): not coverage.
                .filter(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("ext_debug"))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Symbols the library exports (defined, dynamic).
pub fn exported_symbols(lib: &Path) -> Result<BTreeSet<String>, String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib)
        .output()
        .map_err(|e| format!("nm: {e}"))?;
    if !out.status.success() {
        return Err(format!("nm failed on {}", lib.display()));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect())
}

/// Prefix under which coverage sets record referenced (not called) symbols.
const DATA_PREFIX: &str = "data:";

/// Symbols an extension leaves undefined (what it uses from the library: functions it may call
/// and data items it reads).
pub fn undefined_symbols(so: &Path) -> Result<BTreeSet<String>, String> {
    let out = Command::new("nm")
        .arg("-u")
        .arg(so)
        .output()
        .map_err(|e| format!("nm: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .last()
                .map(|s| s.split('@').next().unwrap_or(s).to_string())
        })
        .collect())
}

/// The verdict table from the library (`pyopaque_capi_matrix_json`).
pub fn verdicts_from_library() -> Result<Value, String> {
    let lib = crate::capi_lib::load()?;
    // SAFETY: the shim's documented entry point: returns a NUL-terminated JSON string that lives
    // as long as the library (which is never unloaded: forgotten below).
    let text = unsafe {
        let f: libloading::os::unix::Symbol<unsafe extern "C" fn() -> *const c_char> = lib
            .get(b"pyopaque_capi_matrix_json\0")
            .map_err(|e| e.to_string())?;
        CStr::from_ptr(f()).to_string_lossy().into_owned()
    };
    std::mem::forget(lib);
    serde_json::from_str(&text).map_err(|e| format!("matrix JSON: {e}"))
}

/// What the test extensions exercised.
pub struct Coverage {
    /// Per configuration label: entry points called (and data symbols referenced) by test
    /// extensions whose tests all passed in that configuration.
    pub by_config: BTreeMap<String, BTreeSet<String>>,
    /// Runs that failed (their coverage is not counted).
    pub failures: Vec<String>,
    /// Per entry point: the test extensions that use it.
    pub tests_by_fn: BTreeMap<String, Vec<String>>,
}

/// Runs every test extension under every configuration, recording coverage.
pub fn coverage(configs: &[ExtConfig], progress: &dyn Fn(&str)) -> Result<Coverage, String> {
    let work = std::env::temp_dir().join(format!("pyopaque-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut cov: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut tests_by_fn: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for src in test_extensions() {
        let so = ext::compile(&src, &work, false)?;
        let module = ext::module_name(&so);
        // Data items are read, not called: an extension covers the data symbols it references
        // (recorded apart from calls: a function merely linked is not covered).
        let data_refs: Vec<String> = undefined_symbols(&so)?
            .into_iter()
            .map(|s| format!("{DATA_PREFIX}{s}"))
            .collect();
        for cfg in configs {
            progress(&format!("matrix coverage: {module} [{}]", cfg.label));
            let cov_file = work.join(format!("{module}-{}.cov", cfg.label));
            let outcome = ext::run_config(&so, &module, cfg, Some(&cov_file))?;
            let failed: Vec<_> = outcome.tests.iter().filter(|(_, e)| e.is_some()).collect();
            if outcome.crash.is_some() || !failed.is_empty() || outcome.tests.is_empty() {
                failures.push(format!(
                    "{module} [{}]: {}",
                    cfg.label,
                    outcome
                        .crash
                        .clone()
                        .unwrap_or_else(|| format!("{} test(s) failed", failed.len()))
                ));
                continue;
            }
            let called = std::fs::read_to_string(&cov_file).unwrap_or_default();
            let set = cov.entry(cfg.label.clone()).or_default();
            let used = called
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string);
            for f in used.chain(data_refs.iter().cloned()) {
                let f = f.as_str();
                set.insert(f.to_string());
                let t = tests_by_fn.entry(f.to_string()).or_default();
                if !t.contains(&module) {
                    t.push(module.clone());
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(Coverage {
        by_config: cov,
        failures,
        tests_by_fn,
    })
}

/// Builds the matrix, cross-checks it, writes the two files, and returns the report section.
/// `Err` when the cross-check fails (the report then fails).
pub fn section(
    quick: bool,
    tiny: bool,
    docs: &Path,
    progress: &dyn Fn(&str),
) -> Result<Section, String> {
    let mut matrix = verdicts_from_library()?;
    let lib = crate::capi_lib::library_path()?;
    let symbols = exported_symbols(&lib)?;
    let args = ext::RunExtArgs {
        file: PathBuf::new(),
        scheme: tiny.then(|| "classic".into()),
        immortal: if quick { Some("on".into()) } else { None },
        tagging: None,
        strategies: tiny.then(|| "on".into()),
        gc_stress: false,
        borrow: "deopt".into(),
        verbose: false,
    };
    let configs: Vec<ExtConfig> = ext::configs(&args)?;
    let Coverage {
        by_config: cov,
        failures: run_failures,
        tests_by_fn,
    } = coverage(&configs, progress)?;
    let labels: Vec<String> = configs.iter().map(|c| c.label.clone()).collect();
    let mut problems: Vec<String> = run_failures
        .iter()
        .map(|f| format!("test run failed: {f}"))
        .collect();
    let entries = matrix["entries"]
        .as_array_mut()
        .ok_or("matrix has no entries")?;
    // counts[config][verdict]
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut limited_ok_classic = 0usize;
    let mut limited_total = 0usize;
    for e in entries.iter_mut() {
        let name = e["name"].as_str().unwrap_or_default().to_string();
        let is_fn = e["kind"] == "function";
        let limited = e["limited"] == true;
        if is_fn && limited {
            limited_total += 1;
        }
        let cov_key = if is_fn {
            name.clone()
        } else {
            format!("{DATA_PREFIX}{name}")
        };
        if let Some(t) = tests_by_fn.get(&cov_key) {
            e["tests"] = json!(t);
        }
        let verdicts = e["verdicts"]
            .as_object_mut()
            .ok_or("entry without verdicts")?;
        verdicts.retain(|k, _| labels.contains(k));
        for (label, v) in verdicts.iter_mut() {
            let verdict = v["verdict"].as_str().unwrap_or("todo").to_string();
            *counts
                .entry(label.clone())
                .or_default()
                .entry(verdict.clone())
                .or_default() += 1;
            if verdict == "works" || verdict == "works-with-cost" {
                let exported = symbols.contains(&name);
                let covered = cov.get(label).is_some_and(|s| s.contains(&cov_key));
                v["exported"] = json!(exported);
                v["covered"] = json!(covered);
                if !exported {
                    problems.push(format!(
                        "{name} [{label}]: verdict {verdict} but the library does not export it"
                    ));
                }
                if !covered {
                    problems.push(format!(
                        "{name} [{label}]: verdict {verdict} but no passing test extension {} it",
                        if is_fn { "called" } else { "referenced" }
                    ));
                }
                if label == HEADLINE_CONFIG && is_fn && limited && exported && covered {
                    limited_ok_classic += 1;
                }
            }
        }
    }
    matrix["configurations"] = json!(labels);
    matrix["cross_check"] = json!({"ok": problems.is_empty(), "problems": problems});
    let (reconciliation_md, reconciliation) = reconcile(&matrix, &labels, limited_ok_classic);
    let md = render(
        &matrix,
        &labels,
        &counts,
        limited_ok_classic,
        limited_total,
        &problems,
        &reconciliation_md,
    );
    std::fs::write(
        docs.join("capi-matrix.json"),
        serde_json::to_string_pretty(&matrix).unwrap(),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(docs.join("capi-matrix.md"), &md).map_err(|e| e.to_string())?;
    let summary = md
        .split("\n## All entries")
        .next()
        .unwrap_or("")
        .replacen("# ", "## ", 1);
    let section = Section {
        key: "capi_matrix",
        markdown: summary,
        json: json!({"counts": counts, "limited_works_classic": limited_ok_classic,
                     "limited_total": limited_total, "cross_check_problems": problems.len(),
                     "reconciliation": reconciliation}),
    };
    if problems.is_empty() {
        Ok(section)
    } else {
        Err(format!(
            "C API matrix cross-check failed ({} problems; see docs/capi-matrix.md), first: {}",
            problems.len(),
            problems[0]
        ))
    }
}

/// The configuration the headline count is taken in.
const HEADLINE_CONFIG: &str = "classic+imm+tag+strat";

const VERDICTS: [&str; 5] = [
    "works",
    "works-with-cost",
    "not-implementable",
    "not-applicable",
    "todo",
];

/// What the headline "N of M Limited-API functions" counts, and how every other entry divides:
/// entries by kind (function / data) and Limited API or not, per verdict in the headline
/// configuration, and for the Limited-API functions whether their verdict changes across the
/// configurations measured. Returns (Markdown, JSON).
fn reconcile(matrix: &Value, labels: &[String], limited_ok: usize) -> (String, Value) {
    let empty = vec![];
    let entries = matrix["entries"].as_array().unwrap_or(&empty);
    let columns = [
        ("function", true, "Limited-API functions"),
        ("function", false, "other functions"),
        ("data", true, "Limited-API data"),
        ("data", false, "other data"),
    ];
    // table[verdict][column]
    let mut table: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut totals = [0usize; 4];
    let mut same_everywhere = 0usize;
    let mut cost_varies = 0usize;
    let mut other_varies: Vec<String> = Vec::new();
    for e in entries {
        let kind = e["kind"].as_str().unwrap_or("");
        let limited = e["limited"] == true;
        let Some(col) = columns
            .iter()
            .position(|(k, l, _)| *k == kind && *l == limited)
        else {
            continue;
        };
        let v = e["verdicts"][HEADLINE_CONFIG]["verdict"]
            .as_str()
            .unwrap_or("todo");
        let v = VERDICTS
            .iter()
            .find(|x| **x == v)
            .copied()
            .unwrap_or("todo");
        table.entry(v).or_default()[col] += 1;
        totals[col] += 1;
        if col == 0 {
            let set: BTreeSet<&str> = labels
                .iter()
                .filter_map(|l| e["verdicts"][l.as_str()]["verdict"].as_str())
                .collect();
            if set.len() <= 1 {
                same_everywhere += 1;
            } else if set.iter().all(|v| *v == "works" || *v == "works-with-cost") {
                cost_varies += 1;
            } else {
                other_varies.push(e["name"].as_str().unwrap_or("").to_string());
            }
        }
    }
    let all: usize = totals.iter().sum();
    let mut md = format!(
        "### What \"{limited_ok} of {}\" counts\n\nThe headline counts **Limited-API functions** (`kind` function, in the stable ABI list) whose verdict in `{HEADLINE_CONFIG}` is works or works-with-cost, each exported by the library and called by a passing test extension. The matrix holds {all} entries; by verdict in `{HEADLINE_CONFIG}`:\n\n| verdict |",
        totals[0]
    );
    for (_, _, name) in columns {
        md.push_str(&format!(" {name} |"));
    }
    md.push_str(" all |\n|---|---:|---:|---:|---:|---:|\n");
    let mut rows_json = serde_json::Map::new();
    for v in VERDICTS {
        let r = table.get(v).copied().unwrap_or_default();
        md.push_str(&format!("| {v} |"));
        for x in r {
            md.push_str(&format!(" {x} |"));
        }
        md.push_str(&format!(" {} |\n", r.iter().sum::<usize>()));
        rows_json.insert(v.to_string(), json!(r));
    }
    md.push_str("| **total** |");
    for x in totals {
        md.push_str(&format!(" {x} |"));
    }
    md.push_str(&format!(" {all} |\n\n"));
    let lim = table.get("works").map(|r| r[0]).unwrap_or(0)
        + table.get("works-with-cost").map(|r| r[0]).unwrap_or(0);
    md.push_str(&format!(
        "So {lim} Limited-API functions work and the other {} are {} not-applicable (they need an interpreter loop or another platform), {} not-implementable with an opaque object (reasons below) and {} still to do. Across the {} configurations measured here, {same_everywhere} Limited-API functions have the same verdict in all, {cost_varies} change only between works and works-with-cost, and {} change otherwise{}.\n",
        totals[0] - lim,
        table.get("not-applicable").map(|r| r[0]).unwrap_or(0),
        table.get("not-implementable").map(|r| r[0]).unwrap_or(0),
        table.get("todo").map(|r| r[0]).unwrap_or(0),
        labels.len(),
        other_varies.len(),
        if other_varies.is_empty() {
            String::new()
        } else {
            format!(" ({})", other_varies.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
        }
    ));
    let json = json!({
        "config": HEADLINE_CONFIG,
        "columns": columns.iter().map(|(_, _, n)| *n).collect::<Vec<_>>(),
        "by_verdict": rows_json,
        "totals": totals,
        "limited_functions_same_in_every_config": same_everywhere,
        "limited_functions_cost_varies": cost_varies,
        "limited_functions_verdict_varies": other_varies,
    });
    (md, json)
}

fn render(
    matrix: &Value,
    labels: &[String],
    counts: &BTreeMap<String, BTreeMap<String, usize>>,
    limited_ok: usize,
    limited_total: usize,
    problems: &[String],
    reconciliation: &str,
) -> String {
    let verdicts = VERDICTS;
    let mut md = String::from("# C API implementability matrix\n\n");
    md.push_str(&format!(
        "Generated by `pyopaque report` from the verdict tables compiled into `libpyopaque_capi.so`, \
         cross-checked against its exported symbols and against the entry points each test extension \
         called while passing in that configuration. **{limited_ok} of {limited_total} Limited-API \
         functions** work (with or without cost) in `classic+imm+tag+strat`.{}\n\n",
        if problems.is_empty() { " Cross-check: passed." } else { " **Cross-check: FAILED (see the end).**" }
    ));
    md.push_str(reconciliation);
    md.push_str("\n## Counts per verdict and configuration\n\nEvery entry of the matrix (functions and data, Limited API or not), per configuration measured:\n\n| configuration |");
    for v in verdicts {
        md.push_str(&format!(" {v} |"));
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(verdicts.len()));
    md.push('\n');
    for l in labels {
        md.push_str(&format!("| {l} |"));
        for v in verdicts {
            md.push_str(&format!(
                " {} |",
                counts.get(l).and_then(|c| c.get(v)).copied().unwrap_or(0)
            ));
        }
        md.push('\n');
    }
    let empty = vec![];
    let entries = matrix["entries"].as_array().unwrap_or(&empty);
    md.push_str("\n## What cannot survive each design axis\n\nEntries `not-implementable` in at least one configuration, with the reason:\n\n| name | configurations | reason |\n|---|---|---|\n");
    for e in entries {
        let mut cfgs = Vec::new();
        let mut reason = String::new();
        if let Some(vs) = e["verdicts"].as_object() {
            for (l, v) in vs {
                if v["verdict"] == "not-implementable" {
                    cfgs.push(l.clone());
                    reason = v["reason"].as_str().unwrap_or("").to_string();
                }
            }
        }
        if !cfgs.is_empty() {
            let c = if cfgs.len() == labels.len() {
                "all".to_string()
            } else {
                cfgs.join(", ")
            };
            md.push_str(&format!(
                "| `{}` | {c} | {reason} |\n",
                e["name"].as_str().unwrap_or("")
            ));
        }
    }
    md.push_str("\n## Not applicable (needs an interpreter loop)\n\n");
    for e in entries {
        if let Some(v) = e["verdicts"].as_object().and_then(|vs| vs.values().next()) {
            if v["verdict"] == "not-applicable" {
                md.push_str(&format!(
                    "- `{}`: {}\n",
                    e["name"].as_str().unwrap_or(""),
                    v["reason"].as_str().unwrap_or("")
                ));
            }
        }
    }
    let main = HEADLINE_CONFIG;
    md.push_str(&format!("\n## All entries\n\nVerdict in `{main}`; the JSON has every configuration.\n\n| name | kind | limited | verdict | cost / reason | tests |\n|---|---|---|---|---|---|\n"));
    for e in entries {
        let v = &e["verdicts"][main];
        let why = v["cost"].as_str().or(v["reason"].as_str()).unwrap_or("");
        let tests = e["tests"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        md.push_str(&format!(
            "| `{}` | {} | {} | {} | {why} | {tests} |\n",
            e["name"].as_str().unwrap_or(""),
            e["kind"].as_str().unwrap_or(""),
            if e["limited"] == true { "yes" } else { "no" },
            v["verdict"].as_str().unwrap_or("?"),
        ));
    }
    if !problems.is_empty() {
        md.push_str("\n## Cross-check problems\n\n");
        for p in problems {
            md.push_str(&format!("- {p}\n"));
        }
    }
    md
}
