//! One runtime: configuration, the heap, the external space with the builtin types and
//! singletons, and the registry of attached threads (for biased merge queues).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crossbeam::queue::SegQueue;
use parking_lot::Mutex;
use pyopaque_gc::{Heap, HeapConfig};

use crate::binding::RtBinding;
use crate::config::{Config, Scheme};
use crate::external::ExternalSpace;
use crate::objects::int::IntRepr;
use crate::objref::ObjRef;
use crate::ops::ProtocolHooks;
use crate::types::{tpflags, BuiltinTypes, ExceptionTypes, Kind, TypeObject, EXCEPTION_HIERARCHY};
use crate::weakref::WeakRegistry;

/// Smallest cached boxed int (CPython's small-int cache, used when tagging is off).
pub const SMALL_BOX_MIN: i64 = -5;
/// Largest cached boxed int.
pub const SMALL_BOX_MAX: i64 = 256;

/// Counters the benchmarks and reports read. All relaxed: they are statistics.
#[derive(Default)]
pub struct RuntimeStats {
    /// Objects deallocated because their count reached zero.
    pub deallocs: AtomicU64,
    /// Objects finalized by the collector (unreachable).
    pub gc_finalized: AtomicU64,
    /// Heap objects allocated.
    pub allocations: AtomicU64,
    /// Collections run.
    pub collections: AtomicU64,
    /// Collections refused by the collector (a mutator it could not account for). Zero since
    /// collections stop every attached thread at a safe point (`safepoint.rs`).
    pub collections_deferred: AtomicU64,
    /// Objects pinned at the last collection.
    pub last_pinned: AtomicU64,
    /// Sum of pinned objects over all collections.
    pub pinned_total: AtomicU64,
    /// Sum of live objects (moved + pinned) over all collections: pinned_total / live_total is
    /// the share of the live heap that C pinned.
    pub live_total: AtomicU64,
    /// Unboxed lists switched to object storage by a borrowed access.
    pub borrow_deopts: AtomicU64,
    /// Elements boxed into a per-list cache by a borrowed access.
    pub borrow_boxed: AtomicU64,
    /// Bytes currently held outside the heap by list/dict storage.
    pub off_heap_bytes: AtomicUsize,
}

/// A runtime instance. Shared by `Arc` between the threads attached to it.
pub struct Runtime {
    /// The configuration chosen at start-up.
    pub config: Config,
    pub(crate) heap: Arc<Heap<RtBinding>>,
    /// Builtin types.
    pub types: BuiltinTypes,
    /// `None`.
    pub none: ObjRef,
    /// `True`.
    pub true_: ObjRef,
    /// `False`.
    pub false_: ObjRef,
    /// `NotImplemented`.
    pub not_implemented: ObjRef,
    /// `Ellipsis`.
    pub ellipsis: ObjRef,
    /// Boxed ints `SMALL_BOX_MIN..=SMALL_BOX_MAX` (immortal, external).
    small_ints: Vec<ObjRef>,
    /// Weak references: the side table and the three weak reference types (see `weakref.rs`).
    pub weak: Arc<WeakRegistry>,
    pub(crate) external: ExternalSpace,
    pub(crate) merge_queues: Mutex<HashMap<u32, Arc<SegQueue<ObjRef>>>>,
    pub(crate) next_tid: AtomicU32,
    pub(crate) attached: AtomicUsize,
    /// The registry of attached threads and the stop-the-world handshake.
    pub safepoints: crate::safepoint::Safepoints,
    /// Statistics. In their own allocation: list storage keeps a pointer to `off_heap_bytes`
    /// and updates it while the runtime tears its heap down (inside `Drop`, where the
    /// `Runtime` itself is exclusively borrowed).
    pub stats: Arc<RuntimeStats>,
    /// Set once any reference has been handed to C (the shim calls `note_c_api_used`).
    c_api_used: std::sync::atomic::AtomicBool,
    /// The object protocol of native objects (installed by the C API shim; see
    /// [`ProtocolHooks`]).
    protocol: std::sync::OnceLock<&'static ProtocolHooks>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Every thread has detached (each holds an Arc to the runtime), so nothing allocates or
        // collects now: release the off-heap storage of the objects still in the heap.
        self.heap
            .for_each_object(|o| crate::binding::drop_storage_at_teardown(ObjRef::from_gc(o)));
    }
}

impl Runtime {
    /// Starts a runtime with `config`.
    pub fn new(config: Config) -> Arc<Runtime> {
        let external = ExternalSpace::new();
        let type_type = external.alloc(None, TypeObject::new("type", None, Kind::Type, 0, 0), 0);
        let mk = |name: &str, base: Option<ObjRef>, kind: Kind, flags: u64| {
            external.alloc(
                Some(type_type),
                TypeObject::new(name, base, kind, 0, flags | tpflags::IMMUTABLETYPE),
                0,
            )
        };
        let object = mk("object", None, Kind::Native, tpflags::BASETYPE);
        // `type`'s base is `object`; it was created first so it could be its own type.
        // SAFETY: type_type's payload is the TypeObject written just above; no other reference
        // to it exists yet.
        unsafe { (*type_type.as_ptr().cast::<TypeObject>()).base = Some(object) };
        let int = mk(
            "int",
            Some(object),
            Kind::Int,
            tpflags::BASETYPE | tpflags::LONG_SUBCLASS,
        );
        let mut exc_types: Vec<ObjRef> = Vec::new();
        for (name, parent) in EXCEPTION_HIERARCHY {
            let base = match parent {
                None => object,
                Some(p) => {
                    let i = EXCEPTION_HIERARCHY
                        .iter()
                        .position(|(n, _)| n == p)
                        .unwrap();
                    exc_types[i]
                }
            };
            exc_types.push(mk(
                name,
                Some(base),
                Kind::Exception,
                tpflags::BASETYPE | tpflags::BASE_EXC_SUBCLASS | tpflags::HAVE_GC,
            ));
        }
        let types = BuiltinTypes {
            object,
            type_: type_type,
            none: mk("NoneType", Some(object), Kind::Singleton, 0),
            not_implemented: mk("NotImplementedType", Some(object), Kind::Singleton, 0),
            ellipsis: mk("ellipsis", Some(object), Kind::Singleton, 0),
            bool_: mk("bool", Some(int), Kind::Bool, tpflags::LONG_SUBCLASS),
            int,
            float: mk("float", Some(object), Kind::Float, tpflags::BASETYPE),
            str_: mk(
                "str",
                Some(object),
                Kind::Str,
                tpflags::BASETYPE | tpflags::UNICODE_SUBCLASS,
            ),
            bytes: mk(
                "bytes",
                Some(object),
                Kind::Bytes,
                tpflags::BASETYPE | tpflags::BYTES_SUBCLASS,
            ),
            tuple: mk(
                "tuple",
                Some(object),
                Kind::Tuple,
                tpflags::BASETYPE | tpflags::TUPLE_SUBCLASS | tpflags::HAVE_GC,
            ),
            list: mk(
                "list",
                Some(object),
                Kind::List,
                tpflags::BASETYPE | tpflags::LIST_SUBCLASS | tpflags::HAVE_GC,
            ),
            dict: mk(
                "dict",
                Some(object),
                Kind::Dict,
                tpflags::BASETYPE | tpflags::DICT_SUBCLASS | tpflags::HAVE_GC,
            ),
            exc: ExceptionTypes::from_ordered(&exc_types),
        };
        let none = external.alloc(Some(types.none), 0u64, 0);
        let not_implemented = external.alloc(Some(types.not_implemented), 0u64, 0);
        let ellipsis = external.alloc(Some(types.ellipsis), 0u64, 0);
        let false_ = external.alloc(Some(types.bool_), 0u64, 0);
        let true_ = external.alloc(Some(types.bool_), 1u64, 0);
        let small_ints = (SMALL_BOX_MIN..=SMALL_BOX_MAX)
            .map(|v| external.alloc(Some(types.int), IntRepr::Small(v), 0))
            .collect();
        let defaults = HeapConfig::default();
        let heap_config = HeapConfig {
            collect_after_bytes: config.collect_after_bytes,
            // `PYOPAQUE_POISON=0|1` overrides the build's default (on in debug builds), so the
            // paths that only run without poisoning (the freed-cell cache) are testable in a
            // debug build, and a release build can be run with freed-memory checks.
            poison: match std::env::var("PYOPAQUE_POISON").as_deref() {
                Ok("0") => false,
                Ok("1") => true,
                _ => defaults.poison,
            },
            ..defaults
        };
        let weak_type = |name: &str, flags: u64| {
            let mut t = TypeObject::new(name, Some(object), Kind::Native, 0, flags);
            t.hooks = Some(&crate::weakref::WEAKREF_HOOKS);
            t.basicsize = crate::weakref::WEAK_PAYLOAD_BYTES;
            external.alloc(Some(type_type), t, 0)
        };
        let weak = Arc::new(WeakRegistry::new(
            weak_type(
                "weakref.ReferenceType",
                tpflags::BASETYPE | tpflags::HAVE_GC | tpflags::IMMUTABLETYPE,
            ),
            weak_type(
                "weakref.ProxyType",
                tpflags::HAVE_GC | tpflags::IMMUTABLETYPE,
            ),
            weak_type(
                "weakref.CallableProxyType",
                tpflags::HAVE_GC | tpflags::IMMUTABLETYPE,
            ),
        ));
        let heap = Heap::new(
            RtBinding {
                scheme: config.scheme,
                weak: weak.clone(),
            },
            heap_config,
        );
        Arc::new(Runtime {
            config,
            heap,
            types,
            none,
            true_,
            false_,
            not_implemented,
            ellipsis,
            small_ints,
            weak,
            external,
            merge_queues: Mutex::new(HashMap::new()),
            next_tid: AtomicU32::new(1),
            attached: AtomicUsize::new(0),
            safepoints: crate::safepoint::Safepoints::new(),
            stats: Arc::new(RuntimeStats::default()),
            c_api_used: std::sync::atomic::AtomicBool::new(false),
            protocol: std::sync::OnceLock::new(),
        })
    }

    /// The cached immortal box for `v`, if `v` is in CPython's small-int range.
    #[inline]
    pub fn small_int_box(&self, v: i64) -> Option<ObjRef> {
        if (SMALL_BOX_MIN..=SMALL_BOX_MAX).contains(&v) {
            Some(self.small_ints[(v - SMALL_BOX_MIN) as usize])
        } else {
            None
        }
    }

    /// True when the runtime may be used by several threads at once.
    pub fn is_multithreaded(&self) -> bool {
        self.config.scheme != Scheme::Classic
    }

    /// Records that C code may now hold references (pinning analysis becomes necessary).
    pub fn note_c_api_used(&self) {
        self.c_api_used.store(true, Ordering::Relaxed);
    }

    /// Installs the object protocol for [`Kind::Native`] objects (hash, comparison, truth,
    /// repr). Set once: a later call is ignored.
    pub fn set_protocol_hooks(&self, hooks: &'static ProtocolHooks) {
        let _ = self.protocol.set(hooks);
    }

    /// The installed protocol hooks for native objects, if any.
    #[inline]
    pub fn protocol_hooks(&self) -> Option<&'static ProtocolHooks> {
        self.protocol.get().copied()
    }

    /// True once C code may hold references.
    pub fn c_api_used(&self) -> bool {
        self.c_api_used.load(Ordering::Relaxed)
    }

    /// Number of threads attached now.
    pub fn attached_threads(&self) -> usize {
        self.attached.load(Ordering::Acquire)
    }

    /// Empties every biased merge queue for a collection (every thread is stopped): the queued
    /// objects, per owner, to be rooted and put back by [`Runtime::restore_merge_queues`].
    pub(crate) fn take_merge_queues(&self) -> Vec<(u32, Vec<ObjRef>)> {
        if self.config.scheme != Scheme::Biased {
            return Vec::new();
        }
        let queues = self.merge_queues.lock();
        queues
            .iter()
            .map(|(&tid, q)| (tid, std::iter::from_fn(|| q.pop()).collect::<Vec<_>>()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// Puts queued objects back (at their new addresses) after a collection. An owner that
    /// detached meanwhile cannot have (its thread was stopped), so every queue still exists.
    pub(crate) fn restore_merge_queues(&self, queued: Vec<(u32, Vec<ObjRef>)>) {
        if queued.is_empty() {
            return;
        }
        let queues = self.merge_queues.lock();
        for (tid, objs) in queued {
            let q = queues
                .get(&tid)
                .expect("the owner of a merge queue detached during a collection");
            for o in objs {
                q.push(o);
            }
        }
    }

    /// Stop-the-world figures: (collections that stopped other threads, total ns until every
    /// other thread was at a safe point, total pause ns, largest pause ns).
    pub fn stop_the_world_stats(&self) -> (u64, u64, u64, u64) {
        let sp = &self.safepoints;
        (
            sp.stops.load(Ordering::Relaxed),
            sp.sync_ns_total.load(Ordering::Relaxed),
            sp.pause_ns_total.load(Ordering::Relaxed),
            sp.pause_ns_max.load(Ordering::Relaxed),
        )
    }

    /// Heap statistics from the collector.
    pub fn heap_stats(&self) -> pyopaque_gc::HeapStats {
        self.heap.stats()
    }

    /// Creates an external (immortal, never moving) type object. Used for heap types made from a
    /// spec: instances point at their type from every header, so types do not move.
    pub fn new_type(&self, t: TypeObject) -> ObjRef {
        self.external.alloc(Some(self.types.type_), t, 0)
    }

    /// Every type object that exists now (builtin, spec and Python-level types, metatype
    /// instances too). Types are external and never move, so the list stays valid.
    pub fn all_types(&self) -> Vec<ObjRef> {
        let mut v = Vec::new();
        self.external.for_each_object(|o| {
            let h = crate::header::header_of(o);
            // A header whose type word is not yet set (the `type` type during start-up) is
            // skipped rather than read.
            if h.type_word().load(Ordering::Relaxed).is_null() {
                return;
            }
            if crate::binding::type_payload(h.ty()).kind == Kind::Type {
                v.push(o);
            }
        });
        v
    }
}
