//! # pyopaque-gc: a moving, compacting collector that knows nothing of Python
//!
//! Module map (one job each):
//! * [`address`]: `ObjectReference`, `Slot`, the private cell address and the GC word layout;
//!   the only place converting between them. Flag bits in [`flags`].
//! * [`binding`]: the [`Binding`] trait a VM implements, [`RootSet`], [`FinalizeContext`].
//! * `block`: block allocator (block-aligned chunks, free pool, never returned to the OS while the
//!   heap lives, poisoned when free) and the cell walker.
//! * `large`: the non-moving large-object space.
//! * [`heap`]: [`Heap`], [`HeapConfig`], object queries, allocation regions and holes.
//! * [`mutator`]: [`Mutator`], the per-thread bump allocator (TLAB), `free`, `collect`.
//! * [`collect`]: tracing + Immix-style evacuation, finalization, reclamation (design notes).
//! * `verify`: post-collection heap verification (debug / poison mode).
//! * [`stats`]: [`CollectStats`], [`HeapStats`], [`CollectError`].
//! * [`mock`]: a tiny binding for tests, benchmarks and docs.
//! * [`bench`]: measuring code behind `benches/gc.rs` and the report numbers.
//!
//! ```
//! use pyopaque_gc::{mock::{MockBinding, MockRoots}, Heap, HeapConfig};
//! type M = MockBinding<8>;
//! let heap = Heap::new(M::default(), HeapConfig::default());
//! let mut m = heap.mutator();
//! let a = M::alloc(&mut m, 1, 16);
//! let b = M::alloc(&mut m, 0, 16);
//! M::set(a, 0, Some(b));
//! let mut roots = MockRoots { movable: vec![a], pinned: vec![] };
//! let stats = m.collect(&mut roots).unwrap();
//! assert_eq!(stats.moved_objects, 2);
//! let a2 = roots.movable[0];
//! assert_ne!(a, a2);
//! assert!(M::get(a2, 0).is_some());
//! ```

pub mod address;
pub mod bench;
pub mod binding;
mod block;
pub mod collect;
pub mod heap;
mod large;
pub mod mock;
pub mod mutator;
pub mod stats;
mod verify;

pub use address::{flags, ObjectReference, Slot};
pub use binding::{Binding, FinalizeContext, Finalized, NoRoots, RootSet};
pub use block::DEFAULT_BLOCK_BYTES;
pub use heap::{Heap, HeapConfig, MEDIUM_BYTES};
pub use mutator::Mutator;
pub use stats::{CollectError, CollectStats, HeapStats};
