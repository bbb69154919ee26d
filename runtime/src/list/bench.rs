//! Measurements of list strategies against object storage of boxed ints (strategies off, tagging
//! off: what CPython does) in the same process, alternating runs and reporting medians.
//! [`run`] returns stable keys for reports; [`table`] a Markdown table over several sizes.

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use crate::{Config, Handle, Runtime, Thread};

/// Which list representation a measurement uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repr {
    /// Strategies on, tagging on, int elements (`int` strategy).
    Int,
    /// Strategies on, float elements (`float` strategy).
    Float,
    /// Strategies off, tagging off, int elements: object storage of boxed ints.
    ObjectBoxed,
}

fn runtime(r: Repr) -> Arc<Runtime> {
    let (strategies, tagging) = match r {
        Repr::Int | Repr::Float => (true, true),
        Repr::ObjectBoxed => (false, false),
    };
    Runtime::new(Config {
        strategies,
        tagging,
        gc_stress: false,
        ..Config::default()
    })
}

/// A deterministic shuffled sequence of distinct values (LCG permutation of `0..n`, scaled).
fn values(n: usize) -> Vec<i64> {
    let mut v: Vec<i64> = (0..n as i64).map(|i| i * 7 + 3).collect();
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        v.swap(i, (s >> 33) as usize % (i + 1));
    }
    v
}

fn elem(cx: &mut Thread, r: Repr, v: i64) -> Handle {
    match r {
        Repr::Float => cx.float(v as f64),
        _ => cx.int(v),
    }
}

fn build(cx: &mut Thread, r: Repr, vals: &[i64]) -> Handle {
    let l = cx.list();
    for &v in vals {
        let m = cx.mark();
        let x = elem(cx, r, v);
        cx.list_append(l, x).unwrap();
        cx.release(m);
    }
    l
}

fn ns_per(start: Instant, n: usize) -> f64 {
    start.elapsed().as_nanos() as f64 / n.max(1) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One measurement of every row for one representation and size.
#[derive(Default, Clone, Copy)]
struct Sample {
    append: f64,
    sum: f64,
    index: f64,
    sort: f64,
    contains: f64,
    mixed: f64,
    bytes: f64,
    transition: f64,
}

fn sample(r: Repr, vals: &[i64]) -> Sample {
    let n = vals.len();
    let rt = runtime(r);
    let mut cx = Thread::attach(&rt).unwrap();
    cx.collect();
    let heap0 = rt.heap_stats().heap_bytes;
    let off0 = rt.stats.off_heap_bytes.load(Ordering::Relaxed);
    let mut s = Sample::default();
    let m0 = cx.mark();

    let t = Instant::now();
    let l = build(&mut cx, r, vals);
    s.append = ns_per(t, n);

    cx.collect();
    let heap1 = rt.heap_stats().heap_bytes;
    let off1 = rt.stats.off_heap_bytes.load(Ordering::Relaxed);
    s.bytes = (heap1.saturating_sub(heap0) + off1 - off0) as f64 / n as f64;

    let t = Instant::now();
    let sum = cx.list_sum(l).unwrap();
    black_box(cx.get(sum));
    s.sum = ns_per(t, n);

    let t = Instant::now();
    for i in 0..n {
        let m = cx.mark();
        let e = cx.list_get(l, i as isize).unwrap();
        black_box(cx.get(e));
        cx.release(m);
    }
    s.index = ns_per(t, n);

    let probe = cx.int(-1);
    let t = Instant::now();
    black_box(cx.list_contains(l, probe).unwrap());
    s.contains = ns_per(t, n);

    let c = cx.list_copy(l);
    let t = Instant::now();
    cx.list_sort(c, None, false).unwrap();
    s.sort = ns_per(t, n);

    // Mixed: the second half's first element does not fit (a str), forcing one transition.
    let mixed = cx.list();
    let odd = cx.str("odd");
    let t = Instant::now();
    for (i, &v) in vals.iter().enumerate() {
        let m = cx.mark();
        let x = if i == n / 2 { odd } else { elem(&mut cx, r, v) };
        cx.list_append(mixed, x).unwrap();
        cx.release(m);
    }
    s.mixed = ns_per(t, n);

    // One transition of the whole list (int/float storage to object storage).
    let t = Instant::now();
    cx.list_append(l, odd).unwrap();
    s.transition = t.elapsed().as_nanos() as f64;

    cx.release(m0);
    s
}

/// The same rows on a plain `Vec<i64>` (where they make sense).
fn raw_sample(vals: &[i64]) -> Sample {
    let n = vals.len();
    let mut s = Sample::default();
    let t = Instant::now();
    let mut v: Vec<i64> = Vec::new();
    for &x in vals {
        v.push(black_box(x));
    }
    s.append = ns_per(t, n);
    s.bytes = (v.capacity() * 8) as f64 / n as f64;
    s.sum = raw_sum_ns(&v);
    let t = Instant::now();
    for i in 0..n {
        black_box(black_box(&v)[i]);
    }
    s.index = ns_per(t, n);
    let t = Instant::now();
    black_box(black_box(&v).contains(&-1));
    s.contains = ns_per(t, n);
    let mut c = v.clone();
    let t = Instant::now();
    c.sort_unstable();
    s.sort = ns_per(t, n);
    black_box(&c);
    s.mixed = f64::NAN;
    s.transition = f64::NAN;
    s
}

fn raw_sum_ns(v: &[i64]) -> f64 {
    let t = Instant::now();
    let s: i64 = black_box(v).iter().fold(0i64, |a, &b| a.wrapping_add(b));
    black_box(s);
    ns_per(t, v.len())
}

fn medians(samples: &[Sample]) -> Sample {
    let f = |g: fn(&Sample) -> f64| median(samples.iter().map(g).collect());
    Sample {
        append: f(|s| s.append),
        sum: f(|s| s.sum),
        index: f(|s| s.index),
        sort: f(|s| s.sort),
        contains: f(|s| s.contains),
        mixed: f(|s| s.mixed),
        bytes: f(|s| s.bytes),
        transition: f(|s| s.transition),
    }
}

/// Alternating runs of every representation at size `n`; medians.
fn measure(n: usize, runs: usize) -> [Sample; 4] {
    let vals = values(n);
    let mut acc: [Vec<Sample>; 4] = Default::default();
    for _ in 0..runs {
        acc[0].push(sample(Repr::Int, &vals));
        acc[1].push(sample(Repr::Float, &vals));
        acc[2].push(sample(Repr::ObjectBoxed, &vals));
        acc[3].push(raw_sample(&vals));
    }
    [
        medians(&acc[0]),
        medians(&acc[1]),
        medians(&acc[2]),
        medians(&acc[3]),
    ]
}

/// Stable keys, N = 1e6 (`int_sum_ns_per_elem` and `raw_sum_ns_per_elem` are medians of 5x as
/// many alternating calls on one list, so both run with the same cache state): the `int` strategy against object storage of boxed ints (strategies
/// off, tagging off) and a plain `&[i64]`, medians of alternating runs (3 when `quick`, else 7).
/// Sums on the `int` strategy read the unboxed storage (`list_sum`'s fast path); object storage
/// sums with CPython's exact-int fast path (no allocation, one dereference per element).
pub fn run(quick: bool) -> Vec<(&'static str, f64)> {
    let n = 1_000_000;
    let runs = if quick { 3 } else { 7 };
    let [int, _float, obj, _raw] = measure(n, runs);
    // Sums are short: measure the int-strategy sum and the raw sum many times, alternating, in
    // the same cache conditions, for stable medians.
    let v = values(n);
    let rt = runtime(Repr::Int);
    let mut cx = Thread::attach(&rt).unwrap();
    let l = build(&mut cx, Repr::Int, &v);
    let (mut int_sums, mut raw_sums) = (Vec::new(), Vec::new());
    for _ in 0..runs * 5 {
        let m = cx.mark();
        let t = Instant::now();
        let s = cx.list_sum(l).unwrap();
        black_box(cx.get(s));
        int_sums.push(ns_per(t, n));
        cx.release(m);
        raw_sums.push(raw_sum_ns(&v));
    }
    let (int_sum, raw_sum) = (median(int_sums), median(raw_sums));
    vec![
        ("int_bytes_per_elem", int.bytes),
        ("object_boxed_bytes_per_elem", obj.bytes),
        ("int_sum_ns_per_elem", int_sum),
        ("object_sum_ns_per_elem", obj.sum),
        ("raw_sum_ns_per_elem", raw_sum),
        ("int_sort_ns_per_elem", int.sort),
        ("object_sort_ns_per_elem", obj.sort),
        ("int_append_ns_per_elem", int.append),
        ("object_append_ns_per_elem", obj.append),
        ("transition_ns", int.transition),
    ]
}

/// A Markdown table: rows append, sum, index loop, sort of shuffled ints, `x in list` (absent
/// x: a full scan), mixed append with a transition at the middle, bytes per element; columns
/// `int` strategy, `float` strategy, object storage of boxed ints, plain `Vec<i64>`; for
/// N = 1e3, 1e5, 1e6. Times in ns per element.
pub fn table(quick: bool) -> String {
    let runs = if quick { 3 } else { 5 };
    let mut out = String::from(
        "| operation | N | int strategy | float strategy | object (boxed ints) | raw Vec<i64> |\n|---|---|---|---|---|---|\n",
    );
    let cell = |x: f64| {
        if x.is_nan() {
            "-".to_string()
        } else {
            format!("{x:.2}")
        }
    };
    let mut rows: Vec<(usize, &'static str, [f64; 4])> = Vec::new();
    for n in [1_000usize, 100_000, 1_000_000] {
        let s = measure(n, runs);
        let pick = |g: fn(&Sample) -> f64| [g(&s[0]), g(&s[1]), g(&s[2]), g(&s[3])];
        rows.push((n, "append (ns/elem)", pick(|s| s.append)));
        rows.push((n, "sum (ns/elem)", pick(|s| s.sum)));
        rows.push((n, "index loop (ns/elem)", pick(|s| s.index)));
        rows.push((n, "sort shuffled (ns/elem)", pick(|s| s.sort)));
        rows.push((n, "`x in list` (ns/elem)", pick(|s| s.contains)));
        rows.push((
            n,
            "mixed append, transition at N/2 (ns/elem)",
            pick(|s| s.mixed),
        ));
        rows.push((n, "bytes/elem", pick(|s| s.bytes)));
    }
    rows.sort_by_key(|&(n, name, _)| (name, n));
    for (n, name, v) in rows {
        out.push_str(&format!(
            "| {name} | {n} | {} | {} | {} | {} |\n",
            cell(v[0]),
            cell(v[1]),
            cell(v[2]),
            cell(v[3])
        ));
    }
    out
}
