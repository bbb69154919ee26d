//! The in-process benchmark groups (`tagging`, `refcount`, `lists`, `gc`: the same code as
//! `pyopaque bench NAME`), run several times so each figure has a spread: a figure is the median
//! of the group runs' medians, with min..max over them. Their keys are the stable
//! `pyopaque bench NAME --json` keys (docs/benchmarks.md); figures are stored as `GROUP.KEY`.

use serde_json::{json, Value};

use super::figures::{Figures, Kind};
use super::Section;

/// Label, unit and kind of every stable key of the four groups.
pub const KEYS: &[(&str, &str, &str, &str, Kind)] = &[
    (
        "tagging",
        "tagged_create_sum_ns_per_int",
        "create and add ints through the object API, tagging on",
        "ns/int",
        Kind::Time,
    ),
    (
        "tagging",
        "boxed_create_sum_ns_per_int",
        "create and add ints through the object API, tagging off (boxed)",
        "ns/int",
        Kind::Time,
    ),
    (
        "tagging",
        "tagged_heap_allocations",
        "heap allocations during the tagged run",
        "",
        Kind::Count,
    ),
    (
        "refcount",
        "classic_pair_ns",
        "incref+decref pair, owner thread, classic",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "atomic_pair_ns",
        "incref+decref pair, owner thread, atomic",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "biased_pair_ns",
        "incref+decref pair, owner thread, biased",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "immortal_pair_ns",
        "incref+decref pair on an immortal object",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "tracing_pair_ns",
        "incref+decref pair, tracing, runtime-internal reference",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "tracing_c_pair_ns",
        "incref+decref pair, tracing, reference held by C",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "contended_atomic_ns",
        "two threads, one shared object, atomic",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "contended_biased_ns",
        "two threads, one shared object, biased",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "contended_immortal_ns",
        "two threads, one shared immortal object",
        "ns",
        Kind::Time,
    ),
    (
        "refcount",
        "uncontended_atomic_ns",
        "two threads, one object each, atomic",
        "ns",
        Kind::Time,
    ),
    (
        "lists",
        "int_bytes_per_elem",
        "memory per element, int strategy",
        "bytes/elem",
        Kind::Size,
    ),
    (
        "lists",
        "object_boxed_bytes_per_elem",
        "memory per element, object storage of boxed ints",
        "bytes/elem",
        Kind::Size,
    ),
    (
        "lists",
        "int_sum_ns_per_elem",
        "sum, int strategy",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "object_sum_ns_per_elem",
        "sum, object storage of boxed ints",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "raw_sum_ns_per_elem",
        "sum of a plain &[i64] (physical limit)",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "int_sort_ns_per_elem",
        "sort shuffled ints, int strategy",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "object_sort_ns_per_elem",
        "sort shuffled ints, object storage",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "int_append_ns_per_elem",
        "append, int strategy",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "object_append_ns_per_elem",
        "append, object storage of boxed ints",
        "ns/elem",
        Kind::Time,
    ),
    (
        "lists",
        "transition_ns",
        "one int-to-object strategy switch of a 1e6 list",
        "ns",
        Kind::Time,
    ),
    (
        "gc",
        "alloc_objects_per_s",
        "collector: objects allocated and reclaimed per second",
        "objects/s",
        Kind::Rate,
    ),
    (
        "gc",
        "box_alloc_objects_per_s",
        "Box: objects allocated and freed per second",
        "objects/s",
        Kind::Rate,
    ),
    (
        "gc",
        "pause_ms_1mib",
        "full-collection pause, 1 MiB live",
        "ms",
        Kind::Time,
    ),
    (
        "gc",
        "pause_ms_10mib",
        "full-collection pause, 10 MiB live",
        "ms",
        Kind::Time,
    ),
    (
        "gc",
        "pause_ms_100mib",
        "full-collection pause, 100 MiB live",
        "ms",
        Kind::Time,
    ),
    (
        "gc",
        "compaction_gb_per_s",
        "compaction throughput",
        "GB/s",
        Kind::Rate,
    ),
    (
        "gc",
        "memcpy_gb_per_s",
        "memcpy bandwidth, same run",
        "GB/s",
        Kind::Rate,
    ),
    (
        "gc",
        "heap_after_compact_over_live",
        "heap after compacting a 50%-live heap / live bytes",
        "x",
        Kind::Ratio,
    ),
];

/// Label, unit and kind of `group.key` (a generic entry for a key not in [`KEYS`]).
pub fn meta(group: &str, key: &str) -> (String, String, Kind) {
    KEYS.iter()
        .find(|(g, k, ..)| *g == group && *k == key)
        .map(|(_, _, l, u, kind)| (l.to_string(), u.to_string(), *kind))
        .unwrap_or_else(|| {
            let kind = if key.ends_with("_per_s") {
                Kind::Rate
            } else if key.contains("bytes") {
                Kind::Size
            } else if key.ends_with("_ns") || key.contains("_ns_") || key.starts_with("pause") {
                Kind::Time
            } else {
                Kind::Count
            };
            (key.replace('_', " "), String::new(), kind)
        })
}

/// Records the group runs of `group` (each a list of `(key, median)`) as figures.
pub fn record(figs: &mut Figures, group: &str, runs: &[Vec<(&'static str, f64)>]) {
    let Some(first) = runs.first() else { return };
    for (key, _) in first {
        let xs: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.iter().find(|(k, _)| k == key).map(|(_, v)| *v))
            .collect();
        let (label, unit, kind) = meta(group, key);
        figs.add_samples(&format!("{group}.{key}"), &label, &unit, kind, &xs);
    }
}

/// The group's stable keys in run order (from its first run).
pub fn keys_of(runs: &[Vec<(&'static str, f64)>]) -> Vec<&'static str> {
    runs.first()
        .map(|r| r.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default()
}

/// A group's section: its figures as a table (median [min..max] over the group runs), then
/// `closing` (Markdown read from the same figures). The JSON keeps the stable keys with their
/// medians (the values `pyopaque bench NAME --json` prints).
pub fn section(
    key: &'static str,
    title: &str,
    what: &str,
    figs: &Figures,
    keys: &[&'static str],
    group_runs: usize,
    closing: &str,
) -> Section {
    let mut md = format!(
        "## {title}\n\n{what} Median [min..max] over {group_runs} runs of the whole group.\n\n| figure | key | value |\n|---|---|---:|\n"
    );
    let mut json = serde_json::Map::new();
    for k in keys {
        let f = figs.get(&format!("{key}.{k}"));
        md.push_str(&format!("| {} | `{k}` | {} |\n", f.label, f.show()));
        json.insert(k.to_string(), json!(f.median));
    }
    md.push_str(closing);
    Section {
        key,
        markdown: md,
        json: Value::Object(json),
    }
}
