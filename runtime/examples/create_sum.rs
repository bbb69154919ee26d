//! Runs the boxed (or tagged, with `tagged`) create+sum loop once, for profilers.
fn main() {
    let tagged = std::env::args().any(|a| a == "tagged");
    let n = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let (ns, allocs, sum) = pyopaque_runtime::bench::create_sum(tagged, n);
    println!("{ns:.1} ns/int, {allocs} allocations, sum {sum}");
}
