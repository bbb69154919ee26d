//! Splits the allocation benchmark into its allocation loop and its collection, for profiling.
use pyopaque_gc::{bench::bench_heap, NoRoots};
use std::time::Instant;
fn main() {
    let heap = bench_heap();
    let mut m = heap.mutator();
    let n = 500_000;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            let o = m.alloc(8 + 32);
            // SAFETY: fresh object with a 32-byte payload.
            unsafe { o.as_ptr().cast::<[u64; 4]>().write([i as u64; 4]) };
            std::hint::black_box(o);
        }
        let a = t.elapsed();
        let t = Instant::now();
        let s = m.collect(&mut NoRoots).unwrap();
        let c = t.elapsed();
        println!(
            "alloc {:?} ({:.1} ns/obj), collect {:?} (pause {:?}, freed {})",
            a,
            a.as_nanos() as f64 / n as f64,
            c,
            s.pause,
            s.freed_objects
        );
    }
}
