//! Criterion: list strategies (`int`, `float`) against object storage of boxed ints (strategies
//! off, tagging off), through the public list API. `pyopaque_runtime::list::bench::run` measures
//! the same with alternating runs in one process (the figures quoted in reports).
//!
//! Needs in the root Cargo.toml: `[[bench]] name = "list_strategies" harness = false`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pyopaque_runtime::{Config, Handle, Runtime, Thread};

const N: usize = 100_000;

#[derive(Clone, Copy)]
enum Repr {
    Int,
    Float,
    ObjectBoxed,
}

impl Repr {
    const ALL: [(Repr, &'static str); 3] = [
        (Repr::Int, "int"),
        (Repr::Float, "float"),
        (Repr::ObjectBoxed, "object_boxed"),
    ];

    fn runtime(self) -> Arc<Runtime> {
        let (strategies, tagging) = match self {
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

    fn elem(self, cx: &mut Thread, v: i64) -> Handle {
        match self {
            Repr::Float => cx.float(v as f64),
            _ => cx.int(v),
        }
    }
}

fn shuffled(n: usize) -> Vec<i64> {
    let mut v: Vec<i64> = (0..n as i64).collect();
    let mut s: u64 = 12345;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        v.swap(i, (s >> 33) as usize % (i + 1));
    }
    v
}

fn build(cx: &mut Thread, r: Repr, vals: &[i64]) -> Handle {
    let l = cx.list();
    for &v in vals {
        let m = cx.mark();
        let x = r.elem(cx, v);
        cx.list_append(l, x).unwrap();
        cx.release(m);
    }
    l
}

fn lists(c: &mut Criterion) {
    let vals = shuffled(N);
    let mut g = c.benchmark_group("list");
    g.throughput(Throughput::Elements(N as u64));
    for (r, name) in Repr::ALL {
        let rt = r.runtime();
        let mut cx = Thread::attach(&rt).unwrap();
        g.bench_function(format!("append/{name}"), |b| {
            b.iter(|| {
                let m = cx.mark();
                let l = build(&mut cx, r, &vals);
                black_box(cx.list_len(cx.get(l)));
                cx.release(m);
            })
        });
        let l = build(&mut cx, r, &vals);
        g.bench_function(format!("sum/{name}"), |b| {
            b.iter(|| {
                let m = cx.mark();
                let s = cx.list_sum(l).unwrap();
                black_box(cx.get(s));
                cx.release(m);
            })
        });
        g.bench_function(format!("index_loop/{name}"), |b| {
            b.iter(|| {
                for i in 0..N {
                    let m = cx.mark();
                    let e = cx.list_get(l, i as isize).unwrap();
                    black_box(cx.get(e));
                    cx.release(m);
                }
            })
        });
        g.bench_function(format!("contains_absent/{name}"), |b| {
            let m = cx.mark();
            let x = cx.int(-1);
            b.iter(|| black_box(cx.list_contains(l, x).unwrap()));
            cx.release(m);
        });
        g.bench_function(format!("sort_shuffled/{name}"), |b| {
            b.iter_batched(
                || (),
                |()| {
                    let m = cx.mark();
                    let c = cx.list_copy(l);
                    cx.list_sort(c, None, false).unwrap();
                    cx.release(m);
                },
                BatchSize::PerIteration,
            )
        });
    }
    let raw = vals.clone();
    g.bench_function("sum/raw_vec", |b| {
        b.iter(|| black_box(black_box(&raw).iter().sum::<i64>()))
    });
    g.finish();
}

fn transition(c: &mut Criterion) {
    let mut g = c.benchmark_group("list_transition");
    let rt = Repr::Int.runtime();
    let mut cx = Thread::attach(&rt).unwrap();
    let vals = shuffled(N);
    g.bench_function("int_to_object", |b| {
        b.iter_batched(
            || (),
            |()| {
                let m = cx.mark();
                let l = build(&mut cx, Repr::Int, &vals);
                let s = cx.str("x");
                cx.list_append(l, s).unwrap();
                black_box(cx.list_strategy_name(cx.get(l)));
                cx.release(m);
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, lists, transition);
criterion_main!(benches);
