//! The corpus table (`pyopaque corpus`, and the report's section on it): per package and
//! level, builds / loads / smoke, and the compile errors by cause, summed per level so the
//! report can say what breaks under an opaque `PyObject` and `PyTypeObject` (`opaque-types`)
//! and what more under the Limited API (`limited`). Reads the JSON `corpus::measure` returns.

use serde_json::Value;

/// A cell: `yes`, `no`, or `-` (not tried / not available).
fn cell(v: &Value) -> &'static str {
    match v.as_bool() {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

/// The Markdown table of a corpus run, then the error causes summed per level.
pub fn table(v: &Value) -> String {
    let levels = crate::corpus::LEVELS;
    let mut s = String::from("| package | version |");
    for l in levels {
        s += &format!(" {l}: builds / loads |");
    }
    s += " regular |\n|---|---|";
    for _ in levels {
        s += "---|";
    }
    s += "---|\n";
    let mut totals: std::collections::BTreeMap<(String, String), u64> = Default::default();
    let empty = serde_json::Map::new();
    for (name, p) in v["packages"].as_object().unwrap_or(&empty) {
        s += &format!("| {name} | {} |", p["version"].as_str().unwrap_or(""));
        if let Some(e) = p["fetch_error"].as_str() {
            s += &format!(" not fetched: {e} |\n");
            continue;
        }
        for l in levels {
            let r = &p["levels"][*l];
            s += &format!(" {} / {} |", cell(&r["builds"]), cell(&r["loads"]));
            for (c, n) in r["errors_by_cause"].as_object().unwrap_or(&empty) {
                *totals.entry((l.to_string(), c.clone())).or_default() += n.as_u64().unwrap_or(0);
            }
        }
        s += " not available |\n";
    }
    s += &format!("\nSmoke calls: {}.\n", v["smoke"].as_str().unwrap_or("-"));
    s += "\nCompile errors by cause (summed over packages):\n\n| level | cause | meaning | errors |\n|---|---|---|---|\n";
    for ((l, c), n) in &totals {
        let meaning = crate::corpus::classify::CAUSES
            .iter()
            .find(|(k, _)| k == c)
            .map_or("", |(_, m)| *m);
        s += &format!("| {l} | {c} | {meaning} | {n} |\n");
    }
    s
}
