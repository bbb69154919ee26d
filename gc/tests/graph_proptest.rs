//! Property test: random object graphs (cycles, shared subgraphs, pinned nodes, large objects)
//! under random mutations and collections stay isomorphic to a shadow model; unreachable objects
//! are finalized exactly once and gone; pinned objects keep their address; heap occupancy stays
//! within live bytes + the documented per-block overhead.

use proptest::prelude::*;
use proptest::test_runner::Config;
use pyopaque_gc::flags;
use pyopaque_gc::mock::{MockBinding, MockRoots};
use pyopaque_gc::{Heap, HeapConfig, Mutator, ObjectReference};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

type M = MockBinding<24>;

const BLOCK: usize = if cfg!(miri) { 4096 } else { 8192 };
const LARGE: usize = if cfg!(miri) { 1024 } else { 2048 };

#[derive(Clone, Debug)]
enum Op {
    Alloc { slots: u8, data: u16, large: bool },
    AllocFree { data: u16 },
    AddEdge { from: u16, slot: u8, to: u16 },
    RemoveEdge { from: u16, slot: u8 },
    DropRoot { idx: u16 },
    PinRoot { obj: u16 },
    UnpinRoot { idx: u16 },
    FlagPin { obj: u16, on: bool },
    Collect,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, 8u16..200, prop::bool::weighted(0.08))
            .prop_map(|(slots, data, large)| Op::Alloc { slots, data, large }),
        1 => (8u16..600).prop_map(|data| Op::AllocFree { data }),
        5 => (any::<u16>(), any::<u8>(), any::<u16>())
            .prop_map(|(from, slot, to)| Op::AddEdge { from, slot, to }),
        2 => (any::<u16>(), any::<u8>()).prop_map(|(from, slot)| Op::RemoveEdge { from, slot }),
        2 => any::<u16>().prop_map(|idx| Op::DropRoot { idx }),
        1 => any::<u16>().prop_map(|obj| Op::PinRoot { obj }),
        1 => any::<u16>().prop_map(|idx| Op::UnpinRoot { idx }),
        1 => (any::<u16>(), any::<bool>()).prop_map(|(obj, on)| Op::FlagPin { obj, on }),
        1 => Just(Op::Collect),
    ]
}

struct Node {
    slots: Vec<Option<u64>>,
    cell_bytes: usize,
    large: bool,
    flag_pinned: bool,
}

struct Model {
    nodes: HashMap<u64, Node>,
    /// id -> current address of every allocated, not yet collected object.
    addr: HashMap<u64, ObjectReference>,
    roots: Vec<u64>,
    pinned: Vec<u64>,
    next_id: u64,
    expected_finalized: HashSet<u64>,
    freed: HashSet<u64>,
}

impl Model {
    fn reachable(&self) -> Vec<u64> {
        let mut seen = HashSet::new();
        let mut stack: Vec<u64> = self.roots.iter().chain(&self.pinned).copied().collect();
        let mut out = Vec::new();
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                out.push(id);
                stack.extend(self.nodes[&id].slots.iter().flatten());
            }
        }
        out.sort_unstable();
        out
    }

    fn pick(&self, i: u16) -> Option<u64> {
        let r = self.reachable();
        (!r.is_empty()).then(|| r[i as usize % r.len()])
    }
}

fn run(ops: Vec<Op>) {
    let heap = Heap::new(
        M::recording(),
        HeapConfig {
            block_bytes: BLOCK,
            large_object_bytes: LARGE,
            collect_after_bytes: usize::MAX,
            poison: true,
        },
    );
    let mut m: Mutator<M> = heap.mutator();
    let mut roots = MockRoots::default();
    let mut model = Model {
        nodes: HashMap::new(),
        addr: HashMap::new(),
        roots: Vec::new(),
        pinned: Vec::new(),
        next_id: 1,
        expected_finalized: HashSet::new(),
        freed: HashSet::new(),
    };
    for op in ops.into_iter().chain([Op::Collect]) {
        match op {
            Op::Alloc { slots, data, large } => {
                let data = if large {
                    LARGE + data as usize
                } else {
                    data as usize
                };
                let obj = M::alloc(&mut m, slots as usize, data);
                let id = model.next_id;
                model.next_id += 1;
                M::set_id(obj, id);
                model.nodes.insert(
                    id,
                    Node {
                        slots: vec![None; slots as usize],
                        cell_bytes: M::cell_bytes(slots as usize, data),
                        large,
                        flag_pinned: false,
                    },
                );
                model.addr.insert(id, obj);
                model.roots.push(id);
                roots.movable.push(obj);
            }
            Op::AllocFree { data } => {
                let obj = M::alloc(&mut m, 1, data as usize);
                let id = model.next_id;
                model.next_id += 1;
                M::set_id(obj, id);
                model.freed.insert(id);
                m.free(obj);
            }
            Op::AddEdge { from, slot, to } => {
                let (Some(f), Some(t)) = (model.pick(from), model.pick(to)) else {
                    continue;
                };
                let n = model.nodes.get_mut(&f).unwrap();
                if n.slots.is_empty() {
                    continue;
                }
                let s = slot as usize % n.slots.len();
                n.slots[s] = Some(t);
                M::set(model.addr[&f], s, Some(model.addr[&t]));
            }
            Op::RemoveEdge { from, slot } => {
                let Some(f) = model.pick(from) else { continue };
                let n = model.nodes.get_mut(&f).unwrap();
                if n.slots.is_empty() {
                    continue;
                }
                let s = slot as usize % n.slots.len();
                n.slots[s] = None;
                M::set(model.addr[&f], s, None);
            }
            Op::DropRoot { idx } => {
                if !model.roots.is_empty() {
                    let i = idx as usize % model.roots.len();
                    model.roots.swap_remove(i);
                    roots.movable.swap_remove(i);
                }
            }
            Op::PinRoot { obj } => {
                if let Some(id) = model.pick(obj) {
                    model.pinned.push(id);
                    roots.pinned.push(model.addr[&id]);
                }
            }
            Op::UnpinRoot { idx } => {
                if !model.pinned.is_empty() {
                    let i = idx as usize % model.pinned.len();
                    let id = model.pinned.swap_remove(i);
                    roots.pinned.swap_remove(i);
                    // Keep it alive through a movable root half of the time.
                    if idx % 2 == 0 {
                        model.roots.push(id);
                        roots.movable.push(model.addr[&id]);
                    }
                }
            }
            Op::FlagPin { obj, on } => {
                if let Some(id) = model.pick(obj) {
                    model.nodes.get_mut(&id).unwrap().flag_pinned = on;
                    let f = Heap::<M>::flags(model.addr[&id]);
                    if on {
                        f.fetch_or(flags::PINNED, Ordering::Relaxed);
                    } else {
                        f.fetch_and(!flags::PINNED, Ordering::Relaxed);
                    }
                }
            }
            Op::Collect => collect_and_check(&heap, &mut m, &mut roots, &mut model),
        }
    }
}

fn collect_and_check(heap: &Heap<M>, m: &mut Mutator<M>, roots: &mut MockRoots, model: &mut Model) {
    let reachable = model.reachable();
    let reach_set: HashSet<u64> = reachable.iter().copied().collect();
    // Objects that must not move: pinned roots and PINNED-flagged reachable objects.
    let fixed: Vec<(u64, ObjectReference)> = reachable
        .iter()
        .filter(|id| model.pinned.contains(id) || model.nodes[id].flag_pinned)
        .map(|&id| (id, model.addr[&id]))
        .collect();
    let stats = m.collect(roots).expect("sole mutator");

    // Unreachable objects are finalized exactly once; freed ones never.
    for id in model.addr.keys() {
        if !reach_set.contains(id) {
            model.expected_finalized.insert(*id);
        }
    }
    let finalized = heap.binding().finalized.lock().clone();
    let as_set: HashSet<u64> = finalized.iter().copied().collect();
    assert_eq!(
        as_set.len(),
        finalized.len(),
        "an object was finalized twice"
    );
    assert_eq!(as_set, model.expected_finalized);
    assert!(as_set.is_disjoint(&model.freed));
    model.nodes.retain(|id, _| reach_set.contains(id));

    // Isomorphism: walk the real graph from the real roots alongside the model.
    let mut real: HashMap<u64, ObjectReference> = HashMap::new();
    let mut by_addr: HashMap<ObjectReference, u64> = HashMap::new();
    let mut stack = Vec::new();
    let mut bind = |id: u64, obj: ObjectReference, stack: &mut Vec<(u64, ObjectReference)>| {
        assert_eq!(M::id(obj), id, "object identity");
        match real.get(&id) {
            Some(&o) => assert_eq!(o, obj, "shared object {id} has two copies"),
            None => {
                heap.check_reference(obj);
                assert!(heap.contains(obj));
                assert_eq!(by_addr.insert(obj, id), None);
                real.insert(id, obj);
                stack.push((id, obj));
            }
        }
    };
    for (i, &id) in model.roots.iter().enumerate() {
        bind(id, roots.movable[i], &mut stack);
    }
    for (i, &id) in model.pinned.iter().enumerate() {
        bind(id, roots.pinned[i], &mut stack);
    }
    while let Some((id, obj)) = stack.pop() {
        let node = &model.nodes[&id];
        assert_eq!(M::slot_count(obj), node.slots.len());
        for (j, s) in node.slots.iter().enumerate() {
            match (s, M::get(obj, j)) {
                (None, None) => {}
                (Some(t), Some(o)) => bind(*t, o, &mut stack),
                (s, o) => panic!("slot {j} of {id}: model {s:?}, heap {o:?}"),
            }
        }
    }
    assert_eq!(real.len(), reachable.len());
    let mut count = 0;
    heap.for_each_object(|_| count += 1);
    assert_eq!(count, reachable.len(), "unreachable objects are gone");
    for (id, addr) in fixed {
        assert_eq!(real[&id], addr, "pinned object {id} moved");
    }
    model.addr = real;

    // Occupancy: live bytes + per retired block less than one max small cell + pinned blocks +
    // the two partially filled to-space blocks.
    let live: usize = reachable.iter().map(|id| model.nodes[id].cell_bytes).sum();
    assert_eq!(stats.live_bytes, live);
    let large: usize = reachable
        .iter()
        .filter(|id| model.nodes[*id].large)
        .map(|id| model.nodes[id].cell_bytes)
        .sum();
    let max_small = reachable
        .iter()
        .filter(|id| !model.nodes[*id].large)
        .map(|id| model.nodes[id].cell_bytes)
        .max()
        .unwrap_or(0);
    let blocks = (stats.heap_bytes_after - large) / BLOCK;
    let bound = live + (stats.pinned_objects + 2) * BLOCK + blocks * max_small;
    assert!(
        stats.heap_bytes_after <= bound,
        "occupancy {} > bound {bound}: {stats:?}",
        stats.heap_bytes_after
    );
}

proptest! {
    #![proptest_config(Config {
        cases: if cfg!(miri) { 3 } else { 256 },
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn random_graphs_survive_collections(ops in prop::collection::vec(op(), 1..if cfg!(miri) { 40 } else { 300 })) {
        run(ops);
    }
}

/// Regression: a root slot reported twice must not copy its object twice.
#[test]
fn duplicate_root_slot() {
    run(vec![
        Op::Alloc {
            slots: 1,
            data: 8,
            large: false,
        },
        Op::PinRoot { obj: 0 },
        Op::UnpinRoot { idx: 0 },
        Op::Collect,
    ]);
}
