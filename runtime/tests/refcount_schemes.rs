//! Property test of every counting scheme: random interleavings of new / incref / decref /
//! hand-over-to-the-other-thread, with two thread contexts, never free a live object, free each
//! dead object exactly once, and leak nothing.
//!
//! The two contexts are driven from one OS thread so that an interleaving is reproducible; the
//! biased scheme still sees two owners (its decision is by thread id, not by OS thread). A
//! multi-threaded smoke test at the end runs real threads.
//!
//! Freeing is observed through properties every build profile has, never through debug
//! poisoning (release builds reuse freed cells through the freed-cell cache instead, so a freed
//! object's header says nothing there): the runtime's exact deallocation counter, the exact
//! count of every live object, and distinct addresses for distinct live objects (a live object
//! freed early and its cell reused would alias a newer one).

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use proptest::prelude::*;
use pyopaque_runtime::{refcount, Config, ObjRef, Runtime, Scheme, Thread};

#[derive(Clone, Debug)]
enum Op {
    New { thread: usize },
    Incref { obj: usize, thread: usize },
    Decref { obj: usize, thread: usize },
    HandOver { obj: usize, to: usize },
    DrainQueues,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2usize).prop_map(|thread| Op::New { thread }),
        3 => (0..64usize, 0..2usize).prop_map(|(obj, thread)| Op::Incref { obj, thread }),
        4 => (0..64usize, 0..2usize).prop_map(|(obj, thread)| Op::Decref { obj, thread }),
        2 => (0..64usize, 0..2usize).prop_map(|(obj, to)| Op::HandOver { obj, to }),
        1 => Just(Op::DrainQueues),
    ]
}

/// One object of the model: which thread holds each of its references.
struct ModelObj {
    obj: ObjRef,
    holders: Vec<usize>,
}

/// Objects the runtime has deallocated so far (exact once every thread flushed its counters).
fn deallocs(rt: &Runtime) -> usize {
    rt.stats.deallocs.load(Ordering::Relaxed) as usize
}

/// Checks, in any build profile, that the runtime freed exactly the model's dead objects: each
/// live object has its model count (a freed cell has no count, a reused one another object's)
/// and an address no other live object has, and the deallocation counter grew by exactly the
/// number of dead objects (each freed once, none still pending).
fn check_freed_exactly(scheme: Scheme, rt: &Runtime, cxs: &mut [Thread], model: &[ModelObj]) {
    cxs.iter_mut().for_each(|c| c.flush_stats());
    let mut addresses = HashSet::new();
    for m in model.iter().filter(|m| !m.holders.is_empty()) {
        assert_eq!(
            refcount::total_count(&cxs[0], m.obj),
            m.holders.len() as i64,
            "{scheme}: a live object's count is its number of references"
        );
        assert!(
            addresses.insert(m.obj.as_ptr() as usize),
            "{scheme}: two live objects at one address (one was freed early and reused)"
        );
    }
    let dead = model.iter().filter(|m| m.holders.is_empty()).count();
    assert_eq!(
        deallocs(rt),
        dead,
        "{scheme}: each dead object freed exactly once"
    );
}

fn run(scheme: Scheme, immortal: bool, ops: &[Op]) {
    let rt = Runtime::new(Config {
        scheme,
        immortal,
        gc_stress: false,
        ..Config::default()
    });
    let threads = if scheme == Scheme::Classic { 1 } else { 2 };
    let mut cxs: Vec<Thread> = (0..threads).map(|_| Thread::attach(&rt).unwrap()).collect();
    let counted = scheme.counts_internal();
    let mut model: Vec<ModelObj> = Vec::new();
    for op in ops {
        match *op {
            Op::New { thread } => {
                let t = thread % threads;
                let obj = cxs[t].float_ref(model.len() as f64);
                if !counted {
                    refcount::c_incref(&cxs[t], obj);
                }
                model.push(ModelObj {
                    obj,
                    holders: vec![t],
                });
            }
            Op::Incref { obj, thread } => {
                let Some(m) = model.get_mut(obj) else {
                    continue;
                };
                // Only a thread holding a reference may make another one.
                let Some(&t) = m
                    .holders
                    .iter()
                    .find(|&&h| h == thread % threads)
                    .or(m.holders.first())
                else {
                    continue;
                };
                if counted {
                    refcount::incref(&cxs[t], m.obj);
                } else {
                    refcount::c_incref(&cxs[t], m.obj);
                }
                m.holders.push(t);
            }
            Op::Decref { obj, thread } => {
                let Some(m) = model.get_mut(obj) else {
                    continue;
                };
                let Some(pos) = m
                    .holders
                    .iter()
                    .position(|&h| h == thread % threads)
                    .or(if m.holders.is_empty() { None } else { Some(0) })
                else {
                    continue;
                };
                let t = m.holders.remove(pos);
                if counted {
                    refcount::decref(&mut cxs[t], m.obj);
                } else {
                    refcount::c_decref(&mut cxs[t], m.obj).unwrap();
                }
            }
            Op::HandOver { obj, to } => {
                let Some(m) = model.get_mut(obj) else {
                    continue;
                };
                if let Some(h) = m.holders.first_mut() {
                    *h = to % threads;
                }
            }
            Op::DrainQueues => cxs.iter_mut().for_each(|c| c.drain_merge_queue()),
        }
        // Biased: a queued object is freed when its owner drains the queue; drain after every
        // step so the model can say exactly which objects are dead.
        cxs.iter_mut().for_each(|c| c.drain_merge_queue());
        if counted {
            check_freed_exactly(scheme, &rt, &mut cxs, &model);
        } else {
            cxs.iter_mut().for_each(|c| c.flush_stats());
            assert_eq!(deallocs(&rt), 0, "tracing: counting never frees");
        }
    }
    if counted {
        return;
    }
    // Tracing: the collector reclaims every object whose C count fell to zero; the others are
    // pinned roots and keep their address.
    rt.note_c_api_used();
    drop(cxs.split_off(1));
    let stats = cxs[0].collect().expect("single thread can collect");
    let dead = model.iter().filter(|m| m.holders.is_empty()).count();
    let live = model.len() - dead;
    assert_eq!(
        stats.freed_objects, dead,
        "tracing: every dead object reclaimed"
    );
    assert_eq!(
        stats.pinned_objects, live,
        "tracing: every C-held object pinned"
    );
    for m in &model {
        if !m.holders.is_empty() {
            assert_eq!(
                refcount::total_count(&cxs[0], m.obj),
                m.holders.len() as i64
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 128 },
        // Miri's isolation forbids the file system proptest persists failures in.
        failure_persistence: if cfg!(miri) { None } else { ProptestConfig::default().failure_persistence },
        ..ProptestConfig::default()
    })]

    #[test]
    fn classic_counts_exactly(ops in prop::collection::vec(op(), 1..120), immortal: bool) {
        run(Scheme::Classic, immortal, &ops);
    }

    #[test]
    fn atomic_counts_exactly(ops in prop::collection::vec(op(), 1..120), immortal: bool) {
        run(Scheme::Atomic, immortal, &ops);
    }

    #[test]
    fn biased_counts_exactly(ops in prop::collection::vec(op(), 1..120), immortal: bool) {
        run(Scheme::Biased, immortal, &ops);
    }

    #[test]
    fn tracing_counts_only_c_references(ops in prop::collection::vec(op(), 1..120)) {
        run(Scheme::Tracing, false, &ops);
    }
}

/// Real threads: each of two threads increfs and decrefs one shared object many times; the count
/// returns to one and nothing is freed early, then the owner's last decref frees it.
#[test]
#[cfg_attr(miri, ignore)]
fn two_real_threads_share_one_object() {
    for scheme in [Scheme::Atomic, Scheme::Biased] {
        let rt = Runtime::new(Config {
            scheme,
            gc_stress: false,
            ..Config::default()
        });
        let mut owner = Thread::attach(&rt).unwrap();
        let obj = owner.float_ref(1.0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                let rt = rt.clone();
                s.spawn(move || {
                    let cx = Thread::attach(&rt).unwrap();
                    let mut cx = cx;
                    for _ in 0..10_000 {
                        refcount::incref(&cx, obj);
                        refcount::decref(&mut cx, obj);
                    }
                });
            }
        });
        owner.drain_merge_queue();
        owner.flush_stats();
        assert_eq!(refcount::total_count(&owner, obj), 1, "{scheme}");
        assert_eq!(deallocs(&rt), 0, "{scheme}: nothing freed early");
        refcount::decref(&mut owner, obj);
        owner.drain_merge_queue();
        owner.flush_stats();
        assert_eq!(deallocs(&rt), 1, "{scheme}: freed after the last reference");
    }
}
