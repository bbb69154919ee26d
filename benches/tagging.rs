//! Criterion: create and sum ints through the object API with tagging on and off. The tagged
//! variant must make zero heap allocations (asserted once before measuring).

use criterion::{criterion_group, criterion_main, Criterion};
use pyopaque_runtime::bench::create_sum;

fn tagging(c: &mut Criterion) {
    let n = 10_000_000;
    let (_, allocs, _) = create_sum(true, 100_000);
    assert_eq!(allocs, 0, "tagged ints must not allocate");
    let mut g = c.benchmark_group("create_sum_10M");
    g.sample_size(10);
    g.bench_function("tagged", |b| b.iter(|| create_sum(true, n)));
    g.bench_function("boxed", |b| b.iter(|| create_sum(false, n)));
    g.finish();
}

criterion_group!(benches, tagging);
criterion_main!(benches);
