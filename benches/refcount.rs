//! Criterion: one incref+decref pair per scheme on the owner thread, and two threads hammering
//! one shared object versus each its own object. `pyopaque bench refcount` measures the same
//! with alternating variants in one run (the figures quoted in reports).

use std::hint::black_box;
use std::sync::{Arc, Barrier};

use criterion::{criterion_group, criterion_main, Criterion};
use pyopaque_runtime::{refcount, Config, ObjRef, Runtime, Scheme, Thread};

fn runtime(scheme: Scheme) -> Arc<Runtime> {
    Runtime::new(Config {
        scheme,
        immortal: true,
        gc_stress: false,
        ..Config::default()
    })
}

fn single_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("refcount_pair");
    for (name, scheme, immortal_obj) in [
        ("classic", Scheme::Classic, false),
        ("atomic", Scheme::Atomic, false),
        ("biased", Scheme::Biased, false),
        ("immortal", Scheme::Classic, true),
        ("tracing", Scheme::Tracing, false),
    ] {
        let rt = runtime(scheme);
        let mut cx = Thread::attach(&rt).unwrap();
        let obj = if immortal_obj {
            rt.none
        } else {
            cx.float_ref(1.0)
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                refcount::incref(&cx, black_box(obj));
                refcount::decref(&mut cx, black_box(obj));
            })
        });
    }
    g.finish();
}

fn hammer(rt: &Arc<Runtime>, a: ObjRef, b: ObjRef, iters: u64) -> std::time::Duration {
    let barrier = Barrier::new(2);
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for obj in [a, b] {
            let barrier = &barrier;
            s.spawn(move || {
                let mut cx = Thread::attach(rt).unwrap();
                barrier.wait();
                for _ in 0..iters {
                    refcount::incref(&cx, black_box(obj));
                    refcount::decref(&mut cx, black_box(obj));
                }
            });
        }
    });
    start.elapsed()
}

fn two_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("refcount_two_threads");
    for (name, scheme, immortal_obj, shared) in [
        ("contended_atomic", Scheme::Atomic, false, true),
        ("contended_biased", Scheme::Biased, false, true),
        ("contended_immortal", Scheme::Atomic, true, true),
        ("uncontended_atomic", Scheme::Atomic, false, false),
    ] {
        let rt = runtime(scheme);
        let mut owner = Thread::attach(&rt).unwrap();
        let a = if immortal_obj {
            rt.none
        } else {
            owner.float_ref(1.0)
        };
        // Off the first object's cache line (no false sharing in the uncontended case).
        let _padding: Vec<ObjRef> = (0..3).map(|_| owner.float_ref(0.0)).collect();
        let b = if shared { a } else { owner.float_ref(2.0) };
        g.bench_function(name, |bench| {
            bench.iter_custom(|iters| hammer(&rt, a, b, iters))
        });
    }
    g.finish();
}

criterion_group!(benches, single_thread, two_threads);
criterion_main!(benches);
