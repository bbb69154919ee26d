//! Real threads and a moving collector: N threads allocate, share and drop objects while
//! collections (started on any of them) stop the others at safe points. Run under every scheme
//! that allows threads, with and without GC stress (collect and move at every allocation).
//! Checks: nothing freed early (every value read back), nothing leaked (exact counts under the
//! counting schemes, an empty heap after the last collection under all), the heap bounded, and
//! no collection deferred.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Barrier};

use pyopaque_runtime::objects::text::str_value;
use pyopaque_runtime::{refcount, Config, ObjRef, Runtime, Scheme, Thread};

const SCHEMES: [Scheme; 3] = [Scheme::Atomic, Scheme::Biased, Scheme::Tracing];

fn runtime(scheme: Scheme, stress: bool) -> Arc<Runtime> {
    let rt = Runtime::new(Config {
        scheme,
        gc_stress: stress,
        collect_after_bytes: 256 << 10,
        ..Config::default()
    });
    // The shared objects below are held the way C holds them (a C-held count).
    rt.note_c_api_used();
    rt
}

/// A pointer handed between threads. Valid because the object is pinned by a C-held count.
#[derive(Clone, Copy)]
struct Shared(ObjRef);
// SAFETY: the object behind it is pinned and kept alive by a C-held count for as long as any
// thread uses the pointer (released only after every user joined).
unsafe impl Send for Shared {}
// SAFETY: as above; only the address is shared.
unsafe impl Sync for Shared {}

/// Every worker builds a list of fresh strings per round, drops it, and reads the shared
/// objects; returns the largest heap it saw.
fn worker(
    rt: &Arc<Runtime>,
    t: usize,
    rounds: usize,
    per_round: usize,
    shared: &[Shared],
) -> usize {
    let mut cx = Thread::attach(rt).unwrap();
    let mut max_heap = 0;
    for round in 0..rounds {
        let m = cx.mark();
        let l = cx.list();
        for i in 0..per_round {
            let s = cx.str(&format!("t{t}-r{round}-{i}"));
            cx.list_append(l, s).unwrap();
            cx.release(pyopaque_runtime::HandleMark::from_handle(s));
        }
        for (j, sh) in shared.iter().enumerate() {
            let h = cx.root(sh.0);
            assert_eq!(
                str_value(cx.get(h)),
                format!("shared-{j}"),
                "shared object intact"
            );
        }
        for i in 0..per_round {
            let e = cx.list_get(l, i as isize).unwrap();
            assert_eq!(
                str_value(cx.get(e)),
                format!("t{t}-r{round}-{i}"),
                "element intact across collections"
            );
            cx.release(pyopaque_runtime::HandleMark::from_handle(e));
        }
        cx.release(m);
        max_heap = max_heap.max(rt.heap_stats().heap_bytes);
    }
    max_heap
}

fn run(scheme: Scheme, stress: bool, threads: usize, rounds: usize, per_round: usize) {
    let rt = runtime(scheme, stress);
    let mut main = Thread::attach(&rt).unwrap();
    let base = main.mark();
    let shared: Vec<Shared> = (0..4)
        .map(|j| {
            let h = main.str(&format!("shared-{j}"));
            let o = main.get(h);
            refcount::c_incref(&main, o);
            Shared(o)
        })
        .collect();
    main.release(base);
    let max_heap = main.allow_threads(|| {
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|t| {
                    let (rt, shared) = (&rt, &shared);
                    s.spawn(move || worker(rt, t, rounds, per_round, shared))
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).max().unwrap()
        })
    });
    for (j, sh) in shared.iter().enumerate() {
        assert_eq!(str_value(sh.0), format!("shared-{j}"));
        refcount::c_decref(&mut main, sh.0).unwrap();
    }
    let last = main.collect().expect("the last collection runs");
    main.flush_stats();
    let what = format!("{scheme} stress={stress}");
    assert_eq!(
        last.moved_objects + last.pinned_objects,
        0,
        "{what}: nothing survives once every reference is gone"
    );
    let s = &rt.stats;
    assert_eq!(s.collections_deferred.load(Ordering::Relaxed), 0, "{what}");
    let (stops, _, _, _) = rt.stop_the_world_stats();
    assert!(stops > 0, "{what}: some collection stopped another thread");
    if scheme.counts_internal() {
        assert_eq!(
            s.allocations.load(Ordering::Relaxed),
            s.deallocs.load(Ordering::Relaxed),
            "{what}: every object freed by its count, exactly once"
        );
    }
    assert!(
        max_heap < 32 << 20,
        "{what}: heap bounded ({max_heap} bytes)"
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn n_threads_allocate_share_and_drop_across_collections() {
    for scheme in SCHEMES {
        run(scheme, false, 3, 40, 400);
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn n_threads_under_gc_stress() {
    for scheme in SCHEMES {
        run(scheme, true, 2, 6, 12);
    }
}

/// A biased merge-queue entry survives a collection that moves its object: the object is queued
/// (a non-owner dropped the owner's C-held reference), no longer pinned, moved while its owner
/// is outside the runtime, then merged and freed exactly once by the owner.
#[test]
#[cfg_attr(miri, ignore)]
fn queued_object_moves_and_merges_exactly() {
    let rt = runtime(Scheme::Biased, false);
    let mut a = Thread::attach(&rt).unwrap();
    let hx = a.str("queued");
    let x = a.get(hx);
    refcount::c_incref(&a, x);
    let before = Shared(x);
    let barrier = Barrier::new(2);
    let deallocs_before = {
        a.flush_stats();
        rt.stats.deallocs.load(Ordering::Relaxed)
    };
    a.allow_threads(|| {
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut b = Thread::attach(&rt).unwrap();
                let x = before;
                refcount::c_decref(&mut b, x.0).unwrap();
                assert!(b.collect().is_some());
                barrier.wait();
            });
            barrier.wait();
        })
    });
    let now = a.get(hx);
    assert_ne!(
        now, before.0,
        "the queued object moved (its queue entry was rewritten)"
    );
    assert_eq!(str_value(now), "queued");
    a.drain_merge_queue();
    assert_eq!(refcount::total_count(&a, now), 1);
    a.release(pyopaque_runtime::HandleMark::from_handle(hx));
    a.flush_stats();
    assert_eq!(
        rt.stats.deallocs.load(Ordering::Relaxed),
        deallocs_before + 1
    );
    assert_eq!(rt.stats.collections_deferred.load(Ordering::Relaxed), 0);
}

/// A thread that stays outside the runtime (blocked) never delays another thread's collections,
/// and a thread that detaches hands its objects over: the last decref, on another thread after
/// a collection, frees them.
#[test]
#[cfg_attr(miri, ignore)]
fn blocked_thread_does_not_stop_collections_and_detached_objects_are_freed() {
    for scheme in SCHEMES {
        let rt = runtime(scheme, false);
        let mut a = Thread::attach(&rt).unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<Shared>();
        let done = Barrier::new(2);
        let handed = a.allow_threads(|| {
            std::thread::scope(|s| {
                s.spawn(|| {
                    let mut b = Thread::attach(&rt).unwrap();
                    for _ in 0..50 {
                        assert!(b.collect().is_some(), "{scheme}: never deferred");
                    }
                    let h = b.str("handed over");
                    let o = b.get(h);
                    refcount::c_incref(&b, o);
                    tx.send(Shared(o)).unwrap();
                    drop(b);
                    done.wait();
                });
                done.wait();
                rx.recv().unwrap()
            })
        });
        assert!(a.collect().is_some());
        assert_eq!(str_value(handed.0), "handed over");
        a.flush_stats();
        let before = rt.stats.deallocs.load(Ordering::Relaxed);
        refcount::c_decref(&mut a, handed.0).unwrap();
        a.drain_merge_queue();
        a.flush_stats();
        if scheme.counts_internal() {
            assert_eq!(
                rt.stats.deallocs.load(Ordering::Relaxed),
                before + 1,
                "{scheme}"
            );
        }
        let (stops, _, _, max_pause) = rt.stop_the_world_stats();
        assert!(stops >= 50, "{scheme}: {stops} stops");
        assert!(max_pause > 0);
        assert_eq!(rt.stats.collections_deferred.load(Ordering::Relaxed), 0);
    }
}

/// A type whose instances accept weak references (a native payload with no references).
fn weakrefable_type(rt: &Arc<Runtime>) -> ObjRef {
    use pyopaque_runtime::types::{tpflags, Kind, NativeHooks, TypeObject};
    static HOOKS: NativeHooks = NativeHooks {
        trace: |_, _| {},
        finalize: |_| {},
        c_layout: false,
    };
    let mut t = TypeObject::new(
        "W",
        Some(rt.types.object),
        Kind::Native,
        8,
        tpflags::MANAGED_WEAKREF,
    );
    t.hooks = Some(&HOOKS);
    rt.new_type(t)
}

/// Weak references stay exact across collections started by another thread: thread B holds a
/// weak reference to an object only thread A holds; A's collection (B outside the runtime)
/// moves it and B's weak reference follows; after A drops it, B's collection clears it.
#[test]
#[cfg_attr(miri, ignore)]
fn weak_references_follow_moves_made_by_other_threads() {
    use pyopaque_runtime::weakref::WeakKind;
    for (scheme, stress) in SCHEMES.iter().flat_map(|&s| [(s, false), (s, true)]) {
        let rt = runtime(scheme, stress);
        let ty = weakrefable_type(&rt);
        let mut a = Thread::attach(&rt).unwrap();
        let o = a.alloc_object(ty, 8);
        let oh = a.root_owned(o);
        let (to_a, from_b) = std::sync::mpsc::channel::<&'static str>();
        let (to_b, from_a) = std::sync::mpsc::channel::<Shared>();
        std::thread::scope(|s| {
            let rt = &rt;
            s.spawn(move || {
                let mut b = Thread::attach(rt).unwrap();
                // The referent's address, taken while A waits outside (it cannot move now).
                let target = from_a.recv().unwrap();
                let m = b.mark();
                let th = b.root(target.0);
                let w = b.weakref_new(WeakKind::Ref, th, None).unwrap();
                // Keep only the weak reference (B holds no strong reference).
                let w = b.escape(m, w);
                to_a.send("made").unwrap();
                // A collects and moves the referent while B waits outside.
                let moved = b.allow_threads(|| from_a.recv().unwrap());
                assert_eq!(
                    b.weakref_referent(b.get(w)),
                    Some(moved.0),
                    "{scheme}: followed"
                );
                to_a.send("checked").unwrap();
                b.allow_threads(|| from_a.recv().unwrap());
                b.collect().unwrap();
                assert_eq!(b.weakref_referent(b.get(w)), None, "{scheme}: cleared");
                to_a.send("cleared").unwrap();
            });
            let before = a.get(oh);
            to_b.send(Shared(before)).unwrap();
            assert_eq!(a.allow_threads(|| from_b.recv().unwrap()), "made");
            a.collect().unwrap();
            let now = a.get(oh);
            assert_ne!(now, before, "{scheme}: the referent moved");
            to_b.send(Shared(now)).unwrap();
            assert_eq!(a.allow_threads(|| from_b.recv().unwrap()), "checked");
            a.set(oh, rt.none);
            to_b.send(Shared(rt.none)).unwrap();
            assert_eq!(a.allow_threads(|| from_b.recv().unwrap()), "cleared");
        });
        assert_eq!(rt.stats.collections_deferred.load(Ordering::Relaxed), 0);
    }
}
