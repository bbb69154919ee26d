//! Measurements behind `benches/gc.rs` and the targets, using the [`crate::mock`]
//! binding. Run in release mode: `run(false)` takes a few seconds; `run(true)` is a smoke test.
//!
//! Every number is the median of several repetitions; competing variants (GC vs `Box`,
//! evacuation vs `memcpy`) are measured alternately in the same run.

use crate::mock::{MockBinding, MockRoots};
use crate::{Heap, HeapConfig, Mutator, NoRoots, ObjectReference};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

/// The mock binding used by the benchmarks (8-byte VM header).
pub type BenchBinding = MockBinding<8>;
type M = BenchBinding;

/// Cell size of a benchmark list node: GC word + header + 1 slot + 24 data bytes = 48 bytes.
pub const NODE_BYTES: usize = M::cell_bytes(1, 24);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// A heap configured for benchmarks (no poisoning or verification).
pub fn bench_heap() -> Arc<Heap<M>> {
    Heap::new(
        M::default(),
        HeapConfig {
            poison: false,
            collect_after_bytes: usize::MAX,
            ..HeapConfig::default()
        },
    )
}

/// Allocate `n` 32-byte-payload objects, writing 4 words into each (like `Box::new([x; 4])`),
/// then reclaim them all with one collection (they are garbage: nothing roots them). Returns
/// seconds for allocation plus reclamation: the cost of the objects' whole life.
pub fn time_gc_alloc(m: &mut Mutator<M>, n: usize) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        let o = m.alloc(8 + 32);
        let p = o.as_ptr().cast::<[u64; 4]>();
        // SAFETY: a fresh object with 32 payload bytes, 8-aligned.
        unsafe { p.write([i as u64; 4]) };
        black_box(o);
    }
    m.collect(&mut NoRoots).expect("single mutator");
    t.elapsed().as_secs_f64()
}

/// Allocate `n` `Box<[u64; 4]>` (kept alive in a vector, as a program would hold them), then
/// free them all. Returns seconds for allocation plus reclamation.
pub fn time_box_alloc(out: &mut Vec<Box<[u64; 4]>>, n: usize) -> f64 {
    out.clear();
    let t = Instant::now();
    for i in 0..n {
        out.push(Box::new([i as u64; 4]));
    }
    black_box(&out);
    out.clear();
    t.elapsed().as_secs_f64()
}

/// Build a singly linked list of `NODE_BYTES` nodes totalling about `bytes`; returns its head.
pub fn build_list(m: &mut Mutator<M>, bytes: usize) -> ObjectReference {
    let n = (bytes / NODE_BYTES).max(1);
    let mut head: Option<ObjectReference> = None;
    for i in 0..n {
        let o = M::alloc(m, 1, 24);
        M::set_id(o, i as u64);
        M::set(o, 0, head);
        head = Some(o);
    }
    head.unwrap()
}

/// Build a heap of `bytes` of mixed-size objects where every other object is kept alive through
/// a list (about 50% live); returns the roots.
pub fn build_fragmented(m: &mut Mutator<M>, bytes: usize) -> MockRoots {
    let mut head: Option<ObjectReference> = None;
    let mut total = 0;
    let mut i = 0u64;
    while total < bytes {
        let data = 8 + (i.wrapping_mul(2654435761) % 120) as usize;
        let o = M::alloc(m, 1, data);
        total += M::cell_bytes(1, data);
        if i.is_multiple_of(2) {
            M::set(o, 0, head);
            head = Some(o);
        }
        i += 1;
    }
    MockRoots {
        movable: vec![head.unwrap()],
        pinned: vec![],
    }
}

/// Copy `src` into `dst` with `copy_nonoverlapping`; returns seconds.
fn time_memcpy(src: &[u8], dst: &mut [u8]) -> f64 {
    let t = Instant::now();
    // SAFETY: distinct buffers of equal length.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr(), src.len()) };
    black_box(&dst);
    t.elapsed().as_secs_f64()
}

/// Run all measurements. Keys (stable): `alloc_objects_per_s`, `box_alloc_objects_per_s`,
/// `pause_ms_1mib`, `pause_ms_10mib`, `pause_ms_100mib`, `compaction_gb_per_s`,
/// `memcpy_gb_per_s`, `heap_after_compact_over_live`.
pub fn run(quick: bool) -> Vec<(&'static str, f64)> {
    let reps = if quick { 3 } else { 7 };
    let mut out = Vec::new();

    // Allocation vs Box, alternating: each side allocates and initialises `n` objects and then
    // reclaims them (a collection of garbage; `free` of every box), so both figures are the
    // cost of an object's whole life. Blocks and malloc's arenas are warm after the first round.
    let n = if quick { 100_000 } else { 500_000 };
    let heap = bench_heap();
    let mut m = heap.mutator();
    let mut boxes = Vec::with_capacity(n);
    let (mut gc, mut bx) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        gc.push(n as f64 / time_gc_alloc(&mut m, n));
        bx.push(n as f64 / time_box_alloc(&mut boxes, n));
    }
    drop((m, heap, boxes));
    out.push(("alloc_objects_per_s", median(gc)));
    out.push(("box_alloc_objects_per_s", median(bx)));

    // Pauses for linked lists of small objects; the largest one also measures compaction
    // throughput, alternating with memcpy.
    let sizes: [(&'static str, usize); 3] = [
        ("pause_ms_1mib", 1 << 20),
        ("pause_ms_10mib", 10 << 20),
        ("pause_ms_100mib", 100 << 20),
    ];
    let buf = 64 << 20;
    let src = vec![1u8; buf];
    let mut dst = vec![0u8; buf];
    let (mut comp, mut mem) = (Vec::new(), Vec::new());
    for (key, bytes) in sizes {
        let heap = bench_heap();
        let mut m = heap.mutator();
        let mut roots = MockRoots {
            movable: vec![build_list(&mut m, bytes)],
            pinned: vec![],
        };
        m.collect(&mut roots).unwrap(); // warm up: to-space blocks now come from the pool
        let mut pauses = Vec::new();
        for _ in 0..reps {
            let s = m.collect(&mut roots).unwrap();
            pauses.push(s.pause.as_secs_f64() * 1e3);
            if bytes >= 100 << 20 {
                comp.push(s.moved_bytes as f64 / s.evacuation_time.as_secs_f64() / 1e9);
                mem.push(buf as f64 / time_memcpy(&src, &mut dst) / 1e9);
            }
        }
        out.push((key, median(pauses)));
    }
    drop((src, dst));
    out.push(("compaction_gb_per_s", median(comp)));
    out.push(("memcpy_gb_per_s", median(mem)));

    // Heap after compacting a 50%-live fragmented heap.
    let mut ratios = Vec::new();
    for _ in 0..reps.min(3) {
        let heap = bench_heap();
        let mut m = heap.mutator();
        let mut roots = build_fragmented(&mut m, if quick { 8 << 20 } else { 64 << 20 });
        let s = m.collect(&mut roots).unwrap();
        ratios.push(s.heap_bytes_after as f64 / s.live_bytes as f64);
    }
    out.push(("heap_after_compact_over_live", median(ratios)));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg_attr(any(miri, debug_assertions), ignore = "release-only measurement")]
    fn bench_report() {
        for (k, v) in super::run(false) {
            println!("{k} = {v:.3}");
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn bench_keys_are_stable() {
        let keys: Vec<_> = super::run(true).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "alloc_objects_per_s",
                "box_alloc_objects_per_s",
                "pause_ms_1mib",
                "pause_ms_10mib",
                "pause_ms_100mib",
                "compaction_gb_per_s",
                "memcpy_gb_per_s",
                "heap_after_compact_over_live"
            ]
        );
    }
}
