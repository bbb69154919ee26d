//! `pyopaque bench NAME`: runs one group and prints a table or one flat JSON object. The keys
//! are a stable interface (docs/benchmarks.md): never rename one.

use std::process::ExitCode;

/// The benchmark groups, by name.
pub const GROUPS: &[&str] = &["tagging", "refcount", "lists", "gc", "threads", "python"];

/// Runs group `name`; `quick` trades precision for time.
pub fn measure(name: &str, quick: bool) -> Result<Vec<(&'static str, f64)>, String> {
    Ok(match name {
        "tagging" => pyopaque_runtime::bench::run_tagging(quick),
        "refcount" => pyopaque_runtime::bench::run_refcount(quick),
        "lists" => pyopaque_runtime::list::bench::run(quick),
        "gc" => pyopaque_gc::bench::run(quick),
        "threads" => crate::bench_threads::run(quick)?,
        "python" => return Err("`python` is not a flat group: run `pyopaque bench python`".into()),
        _ => {
            return Err(format!(
                "unknown benchmark group {name:?}; groups: {}",
                GROUPS.join(", ")
            ))
        }
    })
}

/// Entry of `pyopaque bench python`: one JSON object (`completed`, `benchmarks`, ...; keys in
/// docs/benchmarks.md), or a table with one line per benchmark. Progress goes to stderr.
pub fn run_python(json: bool, opts: crate::pyfront::bench::Options) -> Result<ExitCode, String> {
    let v = crate::pyfront::bench::measure(&opts, &mut |line| eprintln!("bench python: {line}"))?;
    if json {
        println!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    let ms = |b: &serde_json::Value, k: &str| {
        b[k].as_f64()
            .map_or_else(|| "-".to_string(), |x| format!("{x:.2}"))
    };
    println!(
        "{:24} {:>4} {:>12} {:>12} {:>10} {:>12}",
        "benchmark", "ok", "cpy-regular", "cpy-limited", "pypy", "pyopaque"
    );
    if let Some(map) = v["benchmarks"].as_object() {
        for (name, b) in map {
            println!(
                "{name:24} {:>4} {:>12} {:>12} {:>10} {:>12}",
                if b["ok"].as_bool() == Some(true) {
                    "yes"
                } else {
                    "no"
                },
                ms(b, "cpython_regular_ms"),
                ms(b, "cpython_limited_ms"),
                ms(b, "pypy_ms"),
                ms(b, "pyopaque_ms")
            );
            if let Some(e) = b["error"].as_str() {
                println!("    {e}");
            }
        }
    }
    println!(
        "completed under pyopaque: {} of {}",
        v["completed"], v["total"]
    );
    Ok(ExitCode::SUCCESS)
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
