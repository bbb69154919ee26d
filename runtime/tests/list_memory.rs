//! Memory accounting: a list of 1,000,000 distinct ints on the `int` strategy costs at most 8.5
//! bytes per element, list object included, measured from the allocator's own numbers: the
//! collector heap's bytes in use (after a collection, so dead temporaries are gone) plus the
//! off-heap bytes the lists account in `RuntimeStats::off_heap_bytes`.

use std::sync::atomic::Ordering;

use pyopaque_runtime::{Config, Runtime, Thread};

const N: i64 = 1_000_000;

fn bytes_per_element(tagging: bool, strategies: bool) -> f64 {
    let rt = Runtime::new(Config {
        tagging,
        strategies,
        gc_stress: false,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    cx.collect();
    let heap0 = rt.heap_stats().heap_bytes;
    let off0 = rt.stats.off_heap_bytes.load(Ordering::Relaxed);
    let l = cx.list();
    for i in 0..N {
        let m = cx.mark();
        let x = cx.int(i * 3 + (1 << 40));
        cx.list_append(l, x).unwrap();
        cx.release(m);
    }
    cx.collect();
    let heap1 = rt.heap_stats().heap_bytes;
    let off1 = rt.stats.off_heap_bytes.load(Ordering::Relaxed);
    assert_eq!(cx.list_len(cx.get(l)), N as usize);
    assert_eq!(off1 - off0, cx.list_storage_bytes(cx.get(l)));
    let total = heap1.saturating_sub(heap0) + (off1 - off0);
    total as f64 / N as f64
}

#[test]
#[cfg_attr(miri, ignore)]
fn int_strategy_costs_at_most_8_5_bytes_per_element() {
    for tagging in [true, false] {
        let b = bytes_per_element(tagging, true);
        eprintln!("int strategy, tagging={tagging}: {b:.3} bytes/element");
        assert!(b <= 8.5, "{b} bytes per element (tagging={tagging})");
    }
    // For comparison: object storage of boxed ints.
    let boxed = bytes_per_element(false, false);
    eprintln!("object storage, boxed ints: {boxed:.3} bytes/element");
    assert!(boxed >= 4.0 * 8.5, "boxed ints cost far more ({boxed})");
}
