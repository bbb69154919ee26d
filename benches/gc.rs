//! Criterion benchmarks of the collector using `pyopaque_gc::mock` (the same scenarios as
//! `pyopaque_gc::bench::run`, which produces the report numbers).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pyopaque_gc::bench::{bench_heap, build_fragmented, build_list, time_box_alloc, time_gc_alloc};
use pyopaque_gc::mock::MockRoots;
use std::hint::black_box;
use std::time::Duration;

const N: usize = 100_000;

/// Allocation throughput over an object's whole life: allocate and initialise N objects, then
/// reclaim them (one collection of garbage for the heap; `free` of every box for `Box`).
fn alloc(c: &mut Criterion) {
    let mut g = c.benchmark_group("alloc_and_reclaim");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("gc_bump_32b", |b| {
        let heap = bench_heap();
        let mut m = heap.mutator();
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| Duration::from_secs_f64(time_gc_alloc(&mut m, N)))
                .sum()
        });
    });
    g.bench_function("box_u64x4", |b| {
        let mut out: Vec<Box<[u64; 4]>> = Vec::with_capacity(N);
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| Duration::from_secs_f64(time_box_alloc(&mut out, N)))
                .sum()
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
