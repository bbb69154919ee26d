//! Measuring code behind `pyopaque bench tagging` and `pyopaque bench refcount` (and the report).
//! Variants are alternated within one run (A B A B ...) and medians are reported, because the
//! machines are shared and noisy. Keys are stable: see docs/benchmarks.md.

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use crate::config::{Config, Scheme};
use crate::objref::ObjRef;
use crate::ops::BinOp;
use crate::refcount;
use crate::runtime::Runtime;
use crate::thread::Thread;

/// Median of a sample (sorted copy).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Creates and sums `n` ints (`acc = acc + i` for i in 0..n) through the object API. Returns
/// (ns per int, heap allocations made, the sum as printed).
pub fn create_sum(tagging: bool, n: i64) -> (f64, u64, String) {
    let rt = Runtime::new(Config {
        tagging,
        gc_stress: false,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    let before = rt.stats.allocations.load(Ordering::Relaxed);
    let t0 = Instant::now();
    let m = cx.mark();
    let acc = cx.int(0);
    for i in 0..n {
        let m2 = cx.mark();
        let x = cx.int(black_box(i));
        let s = cx.binop(acc, x, BinOp::Add).expect("int add cannot fail");
        let s = cx.get(s);
        cx.set(acc, s);
        cx.release(m2);
    }
    let elapsed = t0.elapsed().as_nanos() as f64;
    let sum = cx.repr_of(acc).unwrap();
    cx.release(m);
    cx.flush_stats();
    let allocs = rt.stats.allocations.load(Ordering::Relaxed) - before;
    (elapsed / n as f64, allocs, sum)
}

/// The `tagging` group: create+sum `n` ints with tagging on and off, alternating, `reps` times.
pub fn run_tagging(quick: bool) -> Vec<(&'static str, f64)> {
    let (n, reps) = if quick {
        (1_000_000, 3)
    } else {
        (10_000_000, 5)
    };
    let (mut tagged, mut boxed, mut tagged_allocs) = (Vec::new(), Vec::new(), 0);
    for _ in 0..reps {
        let (t, a, s1) = create_sum(true, n);
        let (b, _, s2) = create_sum(false, n);
        assert_eq!(s1, s2, "both variants compute the same sum");
        tagged.push(t);
        boxed.push(b);
        tagged_allocs = a;
    }
    vec![
        ("tagged_create_sum_ns_per_int", median(&tagged)),
        ("boxed_create_sum_ns_per_int", median(&boxed)),
        ("tagged_heap_allocations", tagged_allocs as f64),
    ]
}

/// ns per incref+decref pair on `obj`, `n` times, on the owner thread.
fn pair_loop(cx: &mut Thread, obj: ObjRef, n: u64) -> f64 {
    let t0 = Instant::now();
    for _ in 0..n {
        refcount::incref(cx, black_box(obj));
        refcount::decref(cx, black_box(obj));
    }
    t0.elapsed().as_nanos() as f64 / n as f64
}

/// ns per C-held incref+decref pair (what `Py_INCREF`/`Py_DECREF` do below the C boundary).
fn c_pair_loop(cx: &mut Thread, obj: ObjRef, n: u64) -> f64 {
    let t0 = Instant::now();
    for _ in 0..n {
        refcount::c_incref(cx, black_box(obj));
        let _ = refcount::c_decref(cx, black_box(obj));
    }
    t0.elapsed().as_nanos() as f64 / n as f64
}

fn single_thread_pair(scheme: Scheme, immortal_obj: bool, c_side: bool, n: u64) -> f64 {
    let rt = Runtime::new(Config {
        scheme,
        immortal: true,
        gc_stress: false,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    let obj = if immortal_obj {
        rt.none
    } else {
        cx.float_ref(1.0)
    };
    if c_side {
        refcount::c_incref(&cx, obj);
        c_pair_loop(&mut cx, obj, n)
    } else {
        pair_loop(&mut cx, obj, n)
    }
}

/// Two threads each do `n` pairs; `shared` selects one shared object or one object each.
/// Returns wall-clock ns per pair (per thread).
fn two_threads(scheme: Scheme, immortal_obj: bool, shared: bool, n: u64) -> f64 {
    let rt = Runtime::new(Config {
        scheme,
        immortal: true,
        gc_stress: false,
        ..Config::default()
    });
    let mut owner = Thread::attach(&rt).unwrap();
    let mk = |cx: &mut Thread| {
        if immortal_obj {
            rt.none
        } else {
            cx.float_ref(1.0)
        }
    };
    let a = mk(&mut owner);
    // Keep the second object off the first one's cache line (no false sharing): three more
    // 40-byte objects in between put it at least 128 bytes away.
    let _padding: Vec<ObjRef> = (0..3).map(|_| owner.float_ref(0.0)).collect();
    let b = if shared { a } else { mk(&mut owner) };
    let barrier = Arc::new(Barrier::new(2));
    let t0 = Instant::now();
    let result = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut cx = Thread::attach(&rt).unwrap();
            barrier.wait();
            pair_loop(&mut cx, b, n)
        });
        barrier.wait();
        pair_loop(&mut owner, a, n);
        h.join().unwrap()
    });
    let _ = result;
    t0.elapsed().as_nanos() as f64 / n as f64
}

/// The `refcount` group (keys in docs/benchmarks.md).
pub fn run_refcount(quick: bool) -> Vec<(&'static str, f64)> {
    let (n, n2, reps) = if quick {
        (2_000_000, 1_000_000, 3)
    } else {
        (20_000_000, 5_000_000, 5)
    };
    let mut cols: Vec<(&'static str, Vec<f64>)> = Vec::new();
    let mut push = |k: &'static str, v: f64| match cols.iter_mut().find(|(n, _)| *n == k) {
        Some((_, xs)) => xs.push(v),
        None => cols.push((k, vec![v])),
    };
    for _ in 0..reps {
        push(
            "classic_pair_ns",
            single_thread_pair(Scheme::Classic, false, false, n),
        );
        push(
            "atomic_pair_ns",
            single_thread_pair(Scheme::Atomic, false, false, n),
        );
        push(
            "biased_pair_ns",
            single_thread_pair(Scheme::Biased, false, false, n),
        );
        push(
            "immortal_pair_ns",
            single_thread_pair(Scheme::Classic, true, false, n),
        );
        push(
            "tracing_pair_ns",
            single_thread_pair(Scheme::Tracing, false, false, n),
        );
        push(
            "tracing_c_pair_ns",
            single_thread_pair(Scheme::Tracing, false, true, n),
        );
        push(
            "contended_atomic_ns",
            two_threads(Scheme::Atomic, false, true, n2),
        );
        push(
            "contended_biased_ns",
            two_threads(Scheme::Biased, false, true, n2),
        );
        push(
            "contended_immortal_ns",
            two_threads(Scheme::Atomic, true, true, n2),
        );
        push(
            "uncontended_atomic_ns",
            two_threads(Scheme::Atomic, false, false, n2),
        );
    }
    cols.into_iter().map(|(k, xs)| (k, median(&xs))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn tagged_create_sum_allocates_nothing() {
        let (_, allocs, sum) = create_sum(true, 10_000);
        assert_eq!(allocs, 0);
        assert_eq!(sum, (9_999 * 10_000 / 2).to_string());
        let (_, boxed_allocs, sum2) = create_sum(false, 10_000);
        assert_eq!(sum, sum2);
        assert!(
            boxed_allocs >= 2 * 10_000 - 2 * 257,
            "boxed ints allocate: {boxed_allocs}"
        );
    }
}
