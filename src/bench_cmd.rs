//! `pyopaque bench NAME`: runs one group and prints a table or one flat JSON object. The keys
//! are a stable interface (docs/benchmarks.md): never rename one.

use std::process::ExitCode;

/// The benchmark groups, by name.
pub const GROUPS: &[&str] = &["tagging", "refcount", "lists", "gc", "threads"];

/// Runs group `name`; `quick` trades precision for time.
pub fn measure(name: &str, quick: bool) -> Result<Vec<(&'static str, f64)>, String> {
    Ok(match name {
        "tagging" => pyopaque_runtime::bench::run_tagging(quick),
        "refcount" => pyopaque_runtime::bench::run_refcount(quick),
        "lists" => pyopaque_runtime::list::bench::run(quick),
        "gc" => pyopaque_gc::bench::run(quick),
        "threads" => crate::bench_threads::run(quick)?,
        _ => {
            return Err(format!(
                "unknown benchmark group {name:?}; groups: {}",
                GROUPS.join(", ")
            ))
        }
    })
}

/// Entry of `pyopaque bench`.
pub fn run(name: &str, json: bool, quick: bool) -> Result<ExitCode, String> {
    let figures = measure(name, quick)?;
    if json {
        let map: serde_json::Map<String, serde_json::Value> = figures
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect();
        println!("{}", serde_json::Value::Object(map));
    } else {
        let width = figures.iter().map(|(k, _)| k.len()).max().unwrap_or(10);
        println!("{:width$}  value", "key");
        for (k, v) in &figures {
            println!("{k:width$}  {v:.3}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
