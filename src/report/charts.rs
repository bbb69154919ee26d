//! SVG charts (plotters), every value read from the report's [`Figures`] table: refcount scheme
//! costs, list memory per element, collector pauses, the C workloads' time ratio to CPython, and
//! memory per element from C. Each chart is readable without the tables: every bar is labelled
//! with what it measures and the runtime or variant, a legend names the colours, whiskers show
//! min..max, the ratio chart has a reference line at 1.0x (CPython), and an axis whose values
//! span more than a decade and a half is logarithmic.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::capi_peers::{self, WORKLOADS};
use super::figures::{Figure, Figures};
use super::targets::DEFAULT_CONFIG;

/// One bar: the group it belongs to (what is measured), its series (runtime or variant: the
/// colour), and its figure.
pub struct Bar {
    /// What is measured ("PyList_Append build").
    pub group: String,
    /// Index into [`BarChart::series`].
    pub series: usize,
    /// The figure (median, min..max).
    pub fig: Figure,
}

/// A horizontal bar chart.
pub struct BarChart {
    /// Title (says which way is better).
    pub title: String,
    /// Axis description with the unit.
    pub x_desc: String,
    /// Series: (short name on each bar's label, full name in the legend), in legend order.
    pub series: Vec<(String, String)>,
    /// Bars, top to bottom.
    pub bars: Vec<Bar>,
    /// A vertical reference line at this value, with its legend text.
    pub reference: Option<(f64, String)>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
];

const ROW: u32 = 30;
const LABEL_AREA: u32 = 330;

/// Whether the chart's values span enough to need a log axis.
pub fn needs_log(values: &[f64]) -> bool {
    let pos: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let lo = pos.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = pos.iter().copied().fold(0.0, f64::max);
    !pos.is_empty() && hi / lo > 30.0
}

fn e(x: impl std::fmt::Display) -> String {
    x.to_string()
}

/// Draws `c` to `path`.
pub fn draw(path: &Path, c: &BarChart) -> Result<(), String> {
    let bars: Vec<&Bar> = c.bars.iter().filter(|b| b.fig.is_measured()).collect();
    let mut values: Vec<f64> = Vec::new();
    for b in &bars {
        values.extend([b.fig.median, b.fig.min, b.fig.max]);
    }
    if let Some((r, _)) = c.reference {
        values.push(r);
    }
    let log = needs_log(&values);
    let finite: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .collect();
    let vmax = finite.iter().copied().fold(0.0f64, f64::max).max(1e-9);
    let vmin = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let tx = |v: f64| if log { v.max(1e-300).log10() } else { v };
    let (x0, x1) = if log {
        (vmin.log10().floor(), (vmax.log10() + 0.15).ceil())
    } else {
        (0.0, vmax * 1.18)
    };
    // Rows top to bottom, with a half-row gap between groups.
    let mut ys = Vec::new();
    let mut y = 0.0f64;
    let mut prev: Option<&str> = None;
    for b in &bars {
        if prev.is_some_and(|p| p != b.group) {
            y += 0.5;
        }
        ys.push(y);
        y += 1.0;
        prev = Some(&b.group);
    }
    let total = y.max(1.0);
    let shown_series: Vec<usize> = (0..c.series.len())
        .filter(|i| bars.iter().any(|b| b.series == *i))
        .collect();
    let unmeasured: Vec<&str> = (0..c.series.len())
        .filter(|i| !shown_series.contains(i))
        .map(|i| c.series[i].1.as_str())
        .collect();
    let legend_rows = shown_series.len()
        + 1
        + usize::from(c.reference.is_some())
        + usize::from(!unmeasured.is_empty());
    let height = 70 + (total * ROW as f64) as u32 + 70 + 24 * legend_rows as u32 + 20;
    let width = 1000;
    let root = SVGBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let (plot_area, legend_area) = root.split_vertically(height - (24 * legend_rows as u32 + 20));
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(&c.title, ("sans-serif", 22))
        .margin(12)
        .margin_right(40)
        .x_label_area_size(56)
        .y_label_area_size(LABEL_AREA)
        .build_cartesian_2d(x0..x1, 0.0..total)
        .map_err(e)?;
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .y_labels(0)
        .x_desc(c.x_desc.as_str())
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 15));
    if log {
        mesh.x_labels(0).disable_x_mesh();
    }
    mesh.draw().map_err(e)?;
    let flip = |y: f64| total - y;
    if log {
        // Decade grid with 1-2-5 ticks.
        let mut k = x0 as i32;
        while (k as f64) <= x1 {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(k);
                let lv = v.log10();
                if lv < x0 - 1e-9 || lv > x1 + 1e-9 {
                    continue;
                }
                let color = if m == 1.0 {
                    RGBColor(170, 170, 170)
                } else {
                    RGBColor(225, 225, 225)
                };
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(lv, 0.0), (lv, total)],
                        color.stroke_width(1),
                    )))
                    .map_err(e)?;
                let (px, py) = chart.backend_coord(&(lv, 0.0));
                if (x1 - x0) > 3.5 && m != 1.0 {
                    continue;
                }
                root.draw(&Text::new(
                    tick(v),
                    (px, py + 8),
                    ("sans-serif", 15)
                        .into_font()
                        .into_text_style(&root)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(e)?;
            }
            k += 1;
        }
    }
    let base = x0;
    for (b, y) in bars.iter().zip(&ys) {
        let color = COLORS[b.series % COLORS.len()];
        let top = flip(*y + 0.12);
        let bottom = flip(*y + 0.88);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(base, bottom), (tx(b.fig.median), top)],
                color.mix(0.85).filled(),
            )))
            .map_err(e)?;
        let mid = flip(*y + 0.5);
        let mut end = tx(b.fig.median);
        if b.fig.n >= 2 && b.fig.min.is_finite() && b.fig.max.is_finite() {
            let (lo, hi) = (tx(b.fig.min), tx(b.fig.max));
            end = end.max(hi);
            let cap = 0.22;
            for seg in [
                vec![(lo, mid), (hi, mid)],
                vec![(lo, mid - cap), (lo, mid + cap)],
                vec![(hi, mid - cap), (hi, mid + cap)],
            ] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        seg,
                        BLACK.stroke_width(2),
                    )))
                    .map_err(e)?;
            }
        }
        let (px, py) = chart.backend_coord(&(end, mid));
        let value = if b.fig.unit == "x" {
            b.fig.value()
        } else {
            super::fmt_num(b.fig.median)
        };
        root.draw(&Text::new(
            value,
            (px + 6, py),
            ("sans-serif", 14)
                .into_font()
                .into_text_style(&root)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(e)?;
        let (lx, ly) = chart.backend_coord(&(x0, mid));
        let series = c.series.get(b.series).map(|s| s.0.as_str()).unwrap_or("");
        root.draw(&Text::new(
            format!("{} · {series}", b.group),
            (lx - 8, ly),
            ("sans-serif", 15)
                .into_font()
                .into_text_style(&root)
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(e)?;
    }
    if let Some((r, _)) = &c.reference {
        let rx = tx(*r);
        if rx >= x0 && rx <= x1 {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(rx, 0.0), (rx, total)],
                    8,
                    5,
                    RED.stroke_width(2),
                ))
                .map_err(e)?;
        }
    }
    // Legend, drawn below the plot: one swatch per series, the whisker, the reference line.
    let text = |s: &str, x: i32, y: i32| -> Result<(), String> {
        legend_area
            .draw(&Text::new(
                s.to_string(),
                (x, y),
                ("sans-serif", 15)
                    .into_font()
                    .into_text_style(&legend_area)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(e)
    };
    let lx = LABEL_AREA as i32 + 12;
    let mut ly = 14;
    for &i in &shown_series {
        let s = &c.series[i].1;
        let color = COLORS[i % COLORS.len()];
        legend_area
            .draw(&Rectangle::new(
                [(lx, ly - 7), (lx + 28, ly + 7)],
                color.mix(0.85).filled(),
            ))
            .map_err(e)?;
        text(s, lx + 38, ly)?;
        ly += 24;
    }
    legend_area
        .draw(&PathElement::new(
            vec![(lx, ly), (lx + 28, ly)],
            BLACK.stroke_width(2),
        ))
        .map_err(e)?;
    text("min..max over the samples (bar: median)", lx + 38, ly)?;
    ly += 24;
    if let Some((_, label)) = &c.reference {
        legend_area
            .draw(&PathElement::new(
                vec![(lx, ly), (lx + 28, ly)],
                RED.stroke_width(2),
            ))
            .map_err(e)?;
        text(label, lx + 38, ly)?;
        ly += 24;
    }
    if !unmeasured.is_empty() {
        text(
            &format!("not measured in this run: {}", unmeasured.join("; ")),
            lx,
            ly,
        )?;
    }
    if log {
        text("logarithmic axis", width as i32 - 200, 14)?;
    }
    root.present().map_err(e)
}

/// A tick label of a log axis: 0.001, 0.02, 1, 50, 2000.
fn tick(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').to_string()
    }
}

fn named(short: &str, long: &str) -> (String, String) {
    (short.to_string(), long.to_string())
}

/// A short readable name of a C workload for chart labels.
pub fn workload_short(w: &str) -> &'static str {
    match w {
        "bench_incref_decref" => "Py_INCREF+Py_DECREF",
        "bench_long_small" => "PyLong_FromLong, small",
        "bench_long_large" => "PyLong_FromLong, ~2**40",
        "bench_list_append" => "build int list (PyList_Append)",
        "bench_list_getitem_sum" => "sum (PyList_GetItem)",
        "bench_fast_items_sum" => "sum (PySequence_Fast_ITEMS)",
        "bench_tuple2" => "PyTuple_Pack(2)",
        "bench_dict_setget" => "dict set/get",
        "bench_unicode_format" => "PyUnicode_FromFormat",
        "bench_call_fastcall" => "METH_FASTCALL call",
        "bench_e2e_json" => "end to end: dicts to JSON",
        "bench_e2e_histogram" => "end to end: float histogram",
        _ => "workload",
    }
}

/// Every chart, read from `figs`; writes them into `out` and returns their file names.
pub fn write_all(out: &Path, figs: &Figures) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for (name, chart) in charts(figs) {
        if chart.bars.iter().any(|b| b.fig.is_measured()) {
            draw(&out.join(name), &chart)?;
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// The charts and their file names (built from `figs` only; drawing is separate so tests can
/// check what a chart shows).
pub fn charts(figs: &Figures) -> Vec<(&'static str, BarChart)> {
    let mut v = Vec::new();
    let rc = |k: &str| figs.get(&format!("refcount.{k}"));
    let schemes = vec![
        named("classic", "classic count"),
        named("atomic", "atomic count"),
        named("biased", "biased count (owner local, others shared)"),
        named("immortal", "immortal object (no count writes)"),
        named(
            "tracing",
            "tracing, runtime-internal reference (not counted)",
        ),
        named("tracing, C ref", "tracing, reference held by C (counted)"),
    ];
    let bar = |group: &str, series: usize, fig: Figure| Bar {
        group: group.to_string(),
        series,
        fig,
    };
    v.push((
        "refcount.svg",
        BarChart {
            title: "Reference counting: one incref+decref pair (lower is better)".into(),
            x_desc: "ns per pair (two threads: wall-clock ns per pair per thread)".into(),
            series: schemes,
            bars: vec![
                bar("owner thread", 0, rc("classic_pair_ns")),
                bar("owner thread", 1, rc("atomic_pair_ns")),
                bar("owner thread", 2, rc("biased_pair_ns")),
                bar("owner thread", 3, rc("immortal_pair_ns")),
                bar("owner thread", 4, rc("tracing_pair_ns")),
                bar("owner thread", 5, rc("tracing_c_pair_ns")),
                bar("2 threads, shared object", 1, rc("contended_atomic_ns")),
                bar("2 threads, shared object", 2, rc("contended_biased_ns")),
                bar("2 threads, shared object", 3, rc("contended_immortal_ns")),
                bar("2 threads, own objects", 1, rc("uncontended_atomic_ns")),
            ],
            reference: None,
        },
    ));
    v.push((
        "list_memory.svg",
        BarChart {
            title: "Memory per element of a 1e6-int list, in-process (lower is better)".into(),
            x_desc: "allocator bytes per element (list included)".into(),
            series: vec![
                named("int strategy", "int strategy (unboxed i64 storage)"),
                named("boxed", "object storage of boxed ints (CPython's model)"),
            ],
            bars: vec![
                bar("1e6 ints", 0, figs.get("lists.int_bytes_per_elem")),
                bar("1e6 ints", 1, figs.get("lists.object_boxed_bytes_per_elem")),
            ],
            reference: None,
        },
    ));
    v.push((
        "gc_pause.svg",
        BarChart {
            title: "Moving collector: full-collection pause by live heap (lower is better)".into(),
            x_desc: "pause, ms".into(),
            series: vec![named("pyopaque", "pyopaque moving collector")],
            bars: vec![
                bar("1 MiB live", 0, figs.get("gc.pause_ms_1mib")),
                bar("10 MiB live", 0, figs.get("gc.pause_ms_10mib")),
                bar("100 MiB live", 0, figs.get("gc.pause_ms_100mib")),
            ],
            reference: None,
        },
    ));
    let d = DEFAULT_CONFIG;
    let mut ratio_bars = Vec::new();
    for (w, _) in WORKLOADS {
        ratio_bars.push(bar(
            workload_short(w),
            0,
            figs.get(&capi_peers::vs_cpython_key(d, w)),
        ));
        ratio_bars.push(bar(
            workload_short(w),
            1,
            figs.get(&capi_peers::vs_cpython_key("PyPy", w)),
        ));
    }
    v.push((
        "capi_ratio.svg",
        BarChart {
            title: "C workloads, same C source: CPython time / runtime time (higher is faster)"
                .into(),
            x_desc: "CPython time / runtime time (1.0 = as fast as CPython)".into(),
            series: vec![
                named("pyopaque", &format!("pyopaque {d}")),
                named("PyPy", "PyPy"),
            ],
            bars: ratio_bars,
            reference: Some((1.0, "1.0x: as fast as CPython".into())),
        },
    ));
    let mut mem_bars = Vec::new();
    let runtimes = [("CPython", 0usize, 1usize), (d, 2, 3), ("PyPy", 4, 5)];
    for (mem, phase, group) in [
        ("mem_int_list", "before", "ints"),
        ("mem_int_list", "after", "ints, after C read"),
        ("mem_float_list", "before", "floats"),
        ("mem_float_list", "after", "floats, after C read"),
    ] {
        for (r, rss_series, alloc_series) in runtimes {
            mem_bars.push(bar(
                group,
                rss_series,
                figs.get(&capi_peers::key(r, &format!("{mem}.rss_{phase}"))),
            ));
            mem_bars.push(bar(
                group,
                alloc_series,
                figs.get(&capi_peers::key(r, &format!("{mem}.alloc_{phase}"))),
            ));
        }
    }
    v.push((
        "capi_memory.svg",
        BarChart {
            title: "Memory per element of a list built from C (lower is better)".into(),
            x_desc: "bytes per element".into(),
            series: vec![
                named("CPython RSS", "CPython, resident-set delta"),
                named("CPython alloc", "CPython, allocator bytes (tracemalloc)"),
                named("pyopaque RSS", &format!("pyopaque {d}, resident-set delta")),
                named("pyopaque alloc", &format!("pyopaque {d}, allocator bytes")),
                named("PyPy RSS", "PyPy, resident-set delta"),
                named("PyPy alloc", "PyPy, allocator bytes"),
            ],
            bars: mem_bars,
            reference: None,
        },
    ));
    v
}

/// (bar label, median) of every measured bar of `c`, for tests.
#[cfg(test)]
pub fn bar_values(c: &BarChart) -> Vec<(String, f64)> {
    c.bars
        .iter()
        .filter(|b| b.fig.is_measured())
        .map(|b| {
            (
                format!("{} · {}", b.group, c.series[b.series].0),
                b.fig.median,
            )
        })
        .collect()
}
