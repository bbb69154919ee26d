//! Criterion benchmarks of the collector using `pyopaque_gc::mock` (the same scenarios as
//! `pyopaque_gc::bench::run`, which produces the report numbers).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pyopaque_gc::bench::{bench_heap, build_fragmented, build_list};
use pyopaque_gc::mock::MockRoots;
use pyopaque_gc::NoRoots;
use std::hint::black_box;
use std::time::{Duration, Instant};

const N: usize = 100_000;

fn alloc(c: &mut Criterion) {
    let mut g = c.benchmark_group("alloc");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("gc_bump_32b", |b| {
        let heap = bench_heap();
        let mut m = heap.mutator();
        let mut out = Vec::with_capacity(N);
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Untimed: the previous round's objects die, their blocks return to the pool.
                out.clear();
                m.collect(&mut NoRoots).unwrap();
                let t = Instant::now();
                for i in 0..N {
                    let o = m.alloc(8 + 32);
                    // SAFETY: a fresh object with a 32-byte payload.
                    unsafe { o.as_ptr().cast::<[u64; 4]>().write([i as u64; 4]) };
                    out.push(o);
                }
                black_box(&out);
                total += t.elapsed();
            }
            total
        });
    });
    g.bench_function("box_u64x4", |b| {
        let mut out: Vec<Box<[u64; 4]>> = Vec::with_capacity(N);
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                out.clear(); // untimed, like the collection above
                let t = Instant::now();
                for i in 0..N {
                    out.push(Box::new([i as u64; 4]));
                }
                black_box(&out);
                total += t.elapsed();
            }
            total
        });
    });
    g.finish();
}

fn pause(c: &mut Criterion) {
    let mut g = c.benchmark_group("collect_linked_list");
    g.sample_size(10);
    for mib in [1usize, 10] {
        let heap = bench_heap();
        let mut m = heap.mutator();
        let mut roots = MockRoots {
            movable: vec![build_list(&mut m, mib << 20)],
            pinned: vec![],
        };
        g.throughput(Throughput::Bytes((mib << 20) as u64));
        g.bench_function(format!("{mib}mib"), |b| {
            b.iter(|| black_box(m.collect(&mut roots).unwrap()))
        });
    }
    g.finish();
}

fn compaction(c: &mut Criterion) {
    let mut g = c.benchmark_group("compaction");
    g.sample_size(10);
    const BYTES: usize = 16 << 20;
    g.throughput(Throughput::Bytes(BYTES as u64 / 2));
    g.bench_function("fragmented_50pct_16mib", |b| {
        b.iter_batched(
            || {
                let heap = bench_heap();
                let mut m = heap.mutator();
                let roots = build_fragmented(&mut m, BYTES);
                (heap, m, roots)
            },
            |(heap, mut m, mut roots)| {
                let s = black_box(m.collect(&mut roots).unwrap());
                (s, roots, m, heap) // dropped outside the measurement
            },
            BatchSize::PerIteration,
        );
    });
    let src = vec![1u8; BYTES / 2];
    let mut dst = vec![0u8; BYTES / 2];
    g.bench_function("memcpy_8mib", |b| {
        b.iter(|| {
            // SAFETY: distinct buffers of equal length.
            unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr(), src.len()) };
            black_box(&dst);
        })
    });
    g.finish();
}

criterion_group!(benches, alloc, pause, compaction);
criterion_main!(benches);
