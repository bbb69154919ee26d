//! The freed-cell cache (`Thread::free_cell`). It is on only where freed memory is not poisoned
//! (release builds), so the debug test suite would never run it; this test turns poisoning off
//! with `PYOPAQUE_POISON=0` (its own process: integration tests are separate binaries) and checks
//! the cache's invariants under every scheme:
//! * a cell freed by count is reused by the next allocation of the same size, and only then;
//! * a reused cell starts zeroed (a recycled tuple has no stale items) and holds the new value;
//! * the tracing scheme, where counting never frees, caches nothing;
//! * a collection with cached cells outstanding frees them and leaves a consistent heap: every
//!   live object keeps its value, and allocation continues normally.

use pyopaque_runtime::objects::tuple::{tuple_item, tuple_len};
use pyopaque_runtime::{refcount, Config, Runtime, Scheme, Thread};

fn float_of(cx: &Thread, o: pyopaque_runtime::ObjRef) -> f64 {
    cx.float_value(o).expect("a float")
}

#[test]
fn freed_cells_are_reused_zeroed_and_flushed_by_collections() {
    // Set before any runtime exists in this process; no other thread reads the
    // environment concurrently (this binary has one test).
    std::env::set_var("PYOPAQUE_POISON", "0");
    for scheme in [
        Scheme::Classic,
        Scheme::Atomic,
        Scheme::Biased,
        Scheme::Tracing,
    ] {
        let rt = Runtime::new(Config {
            scheme,
            gc_stress: false,
            ..Config::default()
        });
        let mut cx = Thread::attach(&rt).unwrap();
        let counted = scheme.counts_internal();

        // A float freed by count: its cell comes back for the next float.
        let f = cx.float_ref(1.5);
        let addr = f.as_ptr().addr();
        if counted {
            refcount::decref(&mut cx, f);
        }
        let g = cx.float_ref(2.5);
        assert_eq!(
            g.as_ptr().addr() == addr,
            counted,
            "{scheme}: reuse exactly when counting frees"
        );
        assert_eq!(float_of(&cx, g), 2.5, "{scheme}");

        // A tuple freed by count releases its items; the recycled cell has no stale items.
        let m = cx.mark();
        let a = cx.float(3.5);
        let b = cx.float(4.5);
        let t = cx.tuple(&[a, b]);
        let t_obj = cx.get(t);
        let t_addr = t_obj.as_ptr().addr();
        if counted {
            // The handle's reference is the only one: drop it by hand, then forget the handles.
            refcount::incref(&cx, t_obj);
            cx.release(m);
            refcount::decref(&mut cx, t_obj);
        } else {
            cx.release(m);
        }
        let u = cx.tuple_raw(2);
        if counted {
            assert_eq!(u.as_ptr().addr(), t_addr, "{scheme}: tuple cell reused");
        }
        assert_eq!(tuple_len(u), 2);
        assert_eq!(tuple_item(u, 0), None, "{scheme}: recycled cell is zeroed");
        assert_eq!(tuple_item(u, 1), None, "{scheme}: recycled cell is zeroed");
        let uh = cx.root_owned(u);

        // Many frees (more than a cache class holds), then a collection with cells cached.
        let keep = cx.float(9.25);
        for i in 0..1000 {
            let x = cx.float_ref(i as f64);
            if counted {
                refcount::decref(&mut cx, x);
            }
        }
        let stats = cx.collect().expect("single thread collects");
        assert!(stats.live_bytes > 0, "{scheme}");
        assert_eq!(
            float_of(&cx, cx.get(keep)),
            9.25,
            "{scheme}: survivor intact"
        );
        assert_eq!(tuple_len(cx.get(uh)), 2, "{scheme}: survivor intact");
        let after: Vec<_> = (0..100).map(|i| cx.float(i as f64 + 0.5)).collect();
        for (i, h) in after.iter().enumerate() {
            assert_eq!(float_of(&cx, cx.get(*h)), i as f64 + 0.5, "{scheme}");
        }
    }
}
