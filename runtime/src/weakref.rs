//! Weak references: a side table, because objects move.
//!
//! A weak reference object (`weakref.ReferenceType`, `weakref.ProxyType`,
//! `weakref.CallableProxyType`) is a [`Kind::Native`] heap object with the payload
//! [`WeakPayload`]: its callback (a strong, traced slot) and its referent (a slot the collector
//! does **not** trace, so it keeps nothing alive). The [`WeakRegistry`] maps each referent's
//! current address to the weak references pointing at it, plus the queue of weak references
//! whose callbacks are due.
//!
//! Three events change the table:
//! * **a collection** ([`WeakRegistry::process`], called through
//!   `pyopaque_gc::Binding::process_weak` once per collection): every referent and every weak
//!   reference is resolved; survivors are re-keyed at their new address and their weak
//!   references' referent slots rewritten; dead referents clear their live weak references and
//!   queue those with a callback. Cost: one pass over the table per collection.
//! * **death by count** (`Thread::dealloc`): objects the table knows carry the header flag
//!   [`crate::header::flags::WEAK`]; the deallocator tests it (one flag test per deallocation,
//!   the only cost for objects without weak references) and calls
//!   [`WeakRegistry::object_died`], which handles both roles (a referent dying, a weak
//!   reference dying).
//! * **`PyObject_ClearWeakRefs`** (C code clearing early): [`WeakRegistry::clear_referent`].
//!
//! Callbacks never run inside the collector or the deallocator: the weak references are queued
//! (holding one internal reference under the counting schemes, and as movable roots of every
//! collection) and the embedder takes them with [`Thread::take_weak_callback`] at a safe point
//! (the C API shim: at the end of an API call).
//!
//! Which objects accept weak references ([`supports_weakrefs`]): type objects, and instances of
//! types flagged [`tpflags::MANAGED_WEAKREF`] (the shim sets it on C-defined types, modules,
//! builtin functions and sets). Builtin values (int, float, str, bytes, tuple, list, dict,
//! exceptions, the singletons) do not, as in CPython.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use parking_lot::Mutex;
use pyopaque_gc::{ObjectReference, Slot};

use crate::binding::{type_payload, visit_slot};
use crate::config::Scheme;
use crate::header::{flags::WEAK, header_of};
use crate::objref::ObjRef;
use crate::thread::{Handle, PyResult, Thread};
use crate::types::{tpflags, Kind, NativeHooks};

/// The payload of a weak reference or proxy.
#[repr(C)]
pub struct WeakPayload {
    /// The callback, or `None`. Traced; holds an internal reference under the counting schemes.
    pub callback: Option<ObjRef>,
    /// The referent while it lives, `None` once it died. Not traced.
    pub referent: Option<ObjRef>,
}

/// Weak references with a callback due, summed over every runtime of the process: the
/// embedder's safe point polls it with one load of a static ([`callbacks_pending_any`]).
static PENDING_ANY: AtomicUsize = AtomicUsize::new(0);

/// True when some runtime of this process has weak reference callbacks due (one relaxed load;
/// then ask the runtime's [`WeakRegistry::callbacks_pending`]).
#[inline(always)]
pub fn callbacks_pending_any() -> bool {
    PENDING_ANY.load(Relaxed) != 0
}

/// Payload bytes of a weak reference object.
pub const WEAK_PAYLOAD_BYTES: usize = std::mem::size_of::<WeakPayload>();

/// Hooks of the three weak reference types. The runtime releases their payloads itself
/// (`binding::release_payload` recognises these hooks), so `finalize` is never called.
pub static WEAKREF_HOOKS: NativeHooks = NativeHooks {
    trace,
    finalize: |_| {},
    c_layout: false,
};

fn payload(w: ObjRef) -> *mut WeakPayload {
    w.as_ptr().cast::<WeakPayload>()
}

fn trace(w: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // Only the callback: the referent slot is weak. `addr_of_mut!` keeps the payload's
    // provenance and creates no reference.
    // SAFETY: `w` is a live weak reference whose payload is a WeakPayload.
    visit_slot(
        unsafe { std::ptr::addr_of_mut!((*payload(w)).callback) },
        visit,
    );
}

fn referent_of(w: ObjRef) -> Option<ObjRef> {
    // SAFETY: `w` is a weak reference (live, or dead but not yet reclaimed during a collection):
    // its payload is an initialised WeakPayload.
    unsafe { (*payload(w)).referent }
}

fn set_referent(w: ObjRef, r: Option<ObjRef>) {
    // SAFETY: as `referent_of`; the payload is written only under the registry lock or by the
    // thread that just created `w`.
    unsafe { (*payload(w)).referent = r }
}

fn callback_of(w: ObjRef) -> Option<ObjRef> {
    // SAFETY: as `referent_of`.
    unsafe { (*payload(w)).callback }
}

/// Releases a dying weak reference's payload: its callback is pushed on `children` (the caller
/// uncounts it). Its registration is gone already: `WeakRegistry::object_died` (death by count)
/// or `WeakRegistry::process` (death in a collection) removed it.
pub(crate) fn release(w: ObjRef, children: &mut Vec<ObjRef>) {
    // SAFETY: as `referent_of`; runs once per object.
    let p = unsafe { &mut *payload(w) };
    p.referent = None;
    if let Some(c) = p.callback.take() {
        children.push(c);
    }
}

/// True when `obj` accepts weak references: a type object, or an instance of a type flagged
/// [`tpflags::MANAGED_WEAKREF`].
pub fn supports_weakrefs(obj: ObjRef) -> bool {
    if obj.is_tagged() {
        return false;
    }
    let t = type_payload(header_of(obj).ty());
    t.kind == Kind::Type || t.flags() & tpflags::MANAGED_WEAKREF != 0
}

/// The flavour of a weak reference object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakKind {
    /// `weakref.ReferenceType` (`PyWeakref_NewRef`).
    Ref,
    /// `weakref.ProxyType` (`PyWeakref_NewProxy` to a non-callable referent).
    Proxy,
    /// `weakref.CallableProxyType` (`PyWeakref_NewProxy` to a callable referent).
    CallableProxy,
}

/// One referent and its weak references (oldest first).
struct Entry {
    referent: ObjRef,
    refs: Vec<ObjRef>,
}

#[derive(Default)]
struct Table {
    /// Referent address -> entry. Re-keyed at every collection.
    map: HashMap<usize, Entry>,
    /// Weak references whose referent died and whose callback has not run yet (each holds one
    /// internal reference under the counting schemes).
    pending: Vec<ObjRef>,
}

/// The weak reference side table of one runtime (shared by the runtime and its collector
/// binding).
pub struct WeakRegistry {
    table: Mutex<Table>,
    /// `pending.len()`, readable without the lock (the embedder polls it at every safe point).
    pending_count: AtomicUsize,
    /// `weakref.ReferenceType`.
    pub ref_type: ObjRef,
    /// `weakref.ProxyType`.
    pub proxy_type: ObjRef,
    /// `weakref.CallableProxyType`.
    pub callable_proxy_type: ObjRef,
}

impl WeakRegistry {
    /// An empty registry for weak reference objects of the three given types.
    pub fn new(ref_type: ObjRef, proxy_type: ObjRef, callable_proxy_type: ObjRef) -> Self {
        WeakRegistry {
            table: Mutex::new(Table::default()),
            pending_count: AtomicUsize::new(0),
            ref_type,
            proxy_type,
            callable_proxy_type,
        }
    }

    /// The flavour of `obj` if it is a weak reference object.
    #[inline]
    pub fn kind_of(&self, obj: ObjRef) -> Option<WeakKind> {
        if obj.is_tagged() {
            return None;
        }
        let t = header_of(obj).ty();
        if t == self.ref_type {
            Some(WeakKind::Ref)
        } else if t == self.proxy_type {
            Some(WeakKind::Proxy)
        } else if t == self.callable_proxy_type {
            Some(WeakKind::CallableProxy)
        } else {
            None
        }
    }

    /// True when callbacks wait for [`Thread::take_weak_callback`] (one relaxed load).
    #[inline]
    pub fn callbacks_pending(&self) -> bool {
        self.pending_count.load(Relaxed) != 0
    }

    /// Records the queue length here and in the process-wide sum ([`callbacks_pending_any`]).
    fn set_pending_count(&self, n: usize) {
        let old = self.pending_count.swap(n, Relaxed);
        if n > old {
            PENDING_ANY.fetch_add(n - old, Relaxed);
        } else {
            PENDING_ANY.fetch_sub(old - n, Relaxed);
        }
    }

    /// Number of weak references to `obj` (`weakref.getweakrefcount`).
    pub fn count(&self, obj: ObjRef) -> usize {
        if obj.is_tagged() {
            return 0;
        }
        self.table
            .lock()
            .map
            .get(&obj.as_ptr().addr())
            .map_or(0, |e| e.refs.len())
    }

    /// Queues the live weak references of a referent that just died (newest first, the order
    /// CPython calls callbacks in): clears their referent slot and their flag, and queues those
    /// with a callback, each holding one internal reference.
    fn queue_cleared(&self, t: &mut Table, scheme: Scheme, refs: Vec<ObjRef>) {
        for w in refs.into_iter().rev() {
            set_referent(w, None);
            header_of(w).gc_flags().fetch_and(!WEAK, Relaxed);
            if callback_of(w).is_some() {
                crate::refcount::incref_shared(scheme, w);
                t.pending.push(w);
            }
        }
        self.set_pending_count(t.pending.len());
    }

    /// `obj` is being deallocated (its count reached zero) and carries the [`WEAK`] flag: if it
    /// is a weak reference, unregister it; if it is a referent, clear its weak references and
    /// queue their callbacks.
    pub(crate) fn object_died(&self, scheme: Scheme, obj: ObjRef) {
        let mut t = self.table.lock();
        if self.kind_of(obj).is_some() {
            if let Some(r) = referent_of(obj) {
                let key = r.as_ptr().addr();
                if let Some(e) = t.map.get_mut(&key) {
                    e.refs.retain(|&w| w != obj);
                    if e.refs.is_empty() {
                        t.map.remove(&key);
                        header_of(r).gc_flags().fetch_and(!WEAK, Relaxed);
                    }
                }
                set_referent(obj, None);
            }
        }
        if let Some(e) = t.map.remove(&obj.as_ptr().addr()) {
            self.queue_cleared(&mut t, scheme, e.refs);
        }
        header_of(obj).gc_flags().fetch_and(!WEAK, Relaxed);
    }

    /// `PyObject_ClearWeakRefs(obj)`: clears every weak reference to `obj` now and queues their
    /// callbacks. Thread-free (C calls it from `tp_dealloc`, inside the deallocator).
    pub fn clear_referent(&self, scheme: Scheme, obj: ObjRef) {
        if obj.is_tagged() || header_of(obj).gc_flags().load(Relaxed) & WEAK == 0 {
            return;
        }
        let mut t = self.table.lock();
        if let Some(e) = t.map.remove(&obj.as_ptr().addr()) {
            self.queue_cleared(&mut t, scheme, e.refs);
        }
        header_of(obj).gc_flags().fetch_and(!WEAK, Relaxed);
    }

    /// The collector's pass (see the module docs): `resolve` maps an object to its address
    /// after this collection, or `None` when it died.
    pub(crate) fn process(
        &self,
        scheme: Scheme,
        resolve: &mut dyn FnMut(ObjectReference) -> Option<ObjectReference>,
    ) {
        let mut t = self.table.lock();
        if t.map.is_empty() {
            return;
        }
        let old = std::mem::take(&mut t.map);
        let mut map = HashMap::with_capacity(old.len());
        for (_, e) in old {
            let mut live = Vec::with_capacity(e.refs.len());
            for w in e.refs {
                match resolve(w.to_gc()) {
                    Some(nw) => live.push(ObjRef::from_gc(nw)),
                    // A dead weak reference: its old copy is still readable until reclamation;
                    // clear it so its finalizer does not look for a registration.
                    None => set_referent(w, None),
                }
            }
            match resolve(e.referent.to_gc()) {
                Some(nr) => {
                    let nr = ObjRef::from_gc(nr);
                    if live.is_empty() {
                        header_of(nr).gc_flags().fetch_and(!WEAK, Relaxed);
                        continue;
                    }
                    for &w in &live {
                        set_referent(w, Some(nr));
                    }
                    map.insert(
                        nr.as_ptr().addr(),
                        Entry {
                            referent: nr,
                            refs: live,
                        },
                    );
                }
                None => self.queue_cleared(&mut t, scheme, live),
            }
        }
        t.map = map;
    }

    /// Takes the queue of pending callbacks out for a collection (the caller roots it and gives
    /// it back with [`WeakRegistry::restore_pending`]).
    pub(crate) fn take_pending(&self) -> Vec<ObjRef> {
        std::mem::take(&mut self.table.lock().pending)
    }

    /// Puts `older` (updated by the collection) back before what the collection queued.
    pub(crate) fn restore_pending(&self, mut older: Vec<ObjRef>) {
        let mut t = self.table.lock();
        older.append(&mut t.pending);
        t.pending = older;
        self.set_pending_count(t.pending.len());
    }
}

impl Drop for WeakRegistry {
    fn drop(&mut self) {
        // Callbacks that never ran leave the process-wide sum with the runtime.
        self.set_pending_count(0);
    }
}

impl Thread {
    /// The runtime's weak reference registry.
    #[inline]
    pub fn weak_registry(&self) -> &WeakRegistry {
        &self.rt.weak
    }

    /// A weak reference (or proxy) of flavour `kind` to `referent`, with an optional callback
    /// (`None` for no callback). A callback-less `Ref` or `Proxy` is shared: an existing one is
    /// returned when there is one, as CPython does. TypeError when the referent does not accept
    /// weak references ([`supports_weakrefs`]).
    pub fn weakref_new(
        &mut self,
        kind: WeakKind,
        referent: Handle,
        callback: Option<Handle>,
    ) -> PyResult<Handle> {
        let o = self.get(referent);
        if !supports_weakrefs(o) {
            let name = type_payload(self.type_of(o)).short_name().to_string();
            let te = self.rt.types.exc.type_error;
            return Err(self.raise(
                te,
                &format!("cannot create weak reference to '{name}' object"),
            ));
        }
        let rt = self.rt.clone();
        let reg = &rt.weak;
        let ty = match kind {
            WeakKind::Ref => reg.ref_type,
            WeakKind::Proxy => reg.proxy_type,
            WeakKind::CallableProxy => reg.callable_proxy_type,
        };
        if callback.is_none() {
            let t = reg.table.lock();
            let shared = t.map.get(&o.as_ptr().addr()).and_then(|e| {
                e.refs
                    .iter()
                    .copied()
                    .find(|&w| header_of(w).ty() == ty && callback_of(w).is_none())
            });
            drop(t);
            if let Some(w) = shared {
                return Ok(self.root(w));
            }
        }
        // May collect and move the referent: re-read it from its handle afterwards.
        let w = self.alloc_object(ty, WEAK_PAYLOAD_BYTES);
        let wh = self.root_owned(w);
        let o = self.get(referent);
        let cb = callback.map(|c| self.get(c));
        if let Some(c) = cb {
            crate::refcount::incref(self, c);
        }
        // SAFETY: fresh, exclusively owned payload of WEAK_PAYLOAD_BYTES bytes.
        unsafe {
            payload(w).write(WeakPayload {
                callback: cb,
                referent: Some(o),
            })
        };
        let mut t = reg.table.lock();
        t.map
            .entry(o.as_ptr().addr())
            .or_insert_with(|| Entry {
                referent: o,
                refs: Vec::new(),
            })
            .refs
            .push(w);
        header_of(o).gc_flags().fetch_or(WEAK, Relaxed);
        header_of(w).gc_flags().fetch_or(WEAK, Relaxed);
        Ok(wh)
    }

    /// The referent of the weak reference `w` while it lives (`None` once it died). `w` must be
    /// a weak reference object ([`WeakRegistry::kind_of`]).
    pub fn weakref_referent(&self, w: ObjRef) -> Option<ObjRef> {
        debug_assert!(self.rt.weak.kind_of(w).is_some(), "not a weak reference");
        referent_of(w)
    }

    /// The callback of the weak reference `w`, if any.
    pub fn weakref_callback(&self, w: ObjRef) -> Option<ObjRef> {
        debug_assert!(self.rt.weak.kind_of(w).is_some(), "not a weak reference");
        callback_of(w)
    }

    /// Takes the next weak reference whose referent died and whose callback is due, rooted (the
    /// handle owns the queue's reference). The caller calls its callback with it. `None` when
    /// the queue is empty.
    pub fn take_weak_callback(&mut self) -> Option<Handle> {
        let rt = self.rt.clone();
        let reg = &rt.weak;
        if !reg.callbacks_pending() {
            return None;
        }
        let w = {
            let mut t = reg.table.lock();
            let w = if t.pending.is_empty() {
                None
            } else {
                Some(t.pending.remove(0))
            };
            reg.set_pending_count(t.pending.len());
            w
        }?;
        Some(self.root_owned(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::TypeObject;
    use crate::{Config, Runtime};
    use std::sync::Arc;

    fn weakrefable_type(rt: &Arc<Runtime>) -> ObjRef {
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

    fn schemes() -> Vec<Config> {
        [
            Scheme::Classic,
            Scheme::Atomic,
            Scheme::Biased,
            Scheme::Tracing,
        ]
        .into_iter()
        .flat_map(|s| {
            [false, true].map(|stress| Config {
                scheme: s,
                gc_stress: stress,
                ..Config::default()
            })
        })
        .collect()
    }

    #[test]
    fn ints_and_lists_refuse_weak_references() {
        let rt = Runtime::new(Config::default());
        let mut cx = Thread::attach(&rt).unwrap();
        let i = cx.int(5);
        assert!(cx.weakref_new(WeakKind::Ref, i, None).is_err());
        assert!(cx.error_matches(rt.types.exc.type_error));
        cx.clear_error();
        let l = cx.list();
        assert!(cx.weakref_new(WeakKind::Ref, l, None).is_err());
        cx.clear_error();
        let t = cx.root(rt.types.int);
        assert!(
            cx.weakref_new(WeakKind::Ref, t, None).is_ok(),
            "types accept"
        );
    }

    #[test]
    fn referent_moves_dies_and_callbacks_are_queued_in_every_scheme() {
        for c in schemes() {
            let rt = Runtime::new(c.clone());
            let ty = weakrefable_type(&rt);
            let mut cx = Thread::attach(&rt).unwrap();
            let o = cx.alloc_object(ty, 8);
            let oh = cx.root_owned(o);
            let cb = cx.int(1);
            let w1 = cx.weakref_new(WeakKind::Ref, oh, None).unwrap();
            let w2 = cx.weakref_new(WeakKind::Ref, oh, Some(cb)).unwrap();
            let again = cx.weakref_new(WeakKind::Ref, oh, None).unwrap();
            assert_eq!(
                cx.get(again),
                cx.get(w1),
                "{c:?}: callback-less ref is shared"
            );
            assert_ne!(cx.get(w2), cx.get(w1));
            let proxy = cx.weakref_new(WeakKind::Proxy, oh, None).unwrap();
            assert_eq!(rt.weak.count(cx.get(oh)), 3);
            let before = cx.get(oh);
            cx.collect().unwrap();
            let now = cx.get(oh);
            assert_ne!(now, before, "{c:?}: the referent moved");
            for w in [w1, w2, proxy] {
                assert_eq!(cx.weakref_referent(cx.get(w)), Some(now), "{c:?}");
            }
            assert!(!rt.weak.callbacks_pending());
            // Drop the only strong reference; under tracing only the collector sees the death.
            cx.set(oh, rt.none);
            cx.collect().unwrap();
            for w in [w1, w2, proxy] {
                assert_eq!(cx.weakref_referent(cx.get(w)), None, "{c:?}: dead referent");
            }
            assert!(rt.weak.callbacks_pending(), "{c:?}");
            let due = cx.take_weak_callback().unwrap();
            assert_eq!(cx.get(due), cx.get(w2), "{c:?}: the weakref is handed over");
            assert!(cx.weakref_callback(cx.get(due)).is_some());
            assert!(cx.take_weak_callback().is_none(), "only w2 has a callback");
            assert!(!rt.weak.callbacks_pending());
        }
    }

    #[test]
    fn death_by_count_clears_at_once() {
        for c in schemes().into_iter().filter(|c| c.scheme.counts_internal()) {
            let rt = Runtime::new(c.clone());
            let ty = weakrefable_type(&rt);
            let mut cx = Thread::attach(&rt).unwrap();
            let cb = cx.int(1);
            let o = cx.alloc_object(ty, 8);
            let oh = cx.root_owned(o);
            let w = cx.weakref_new(WeakKind::Ref, oh, Some(cb)).unwrap();
            let none = rt.none;
            cx.set(oh, none);
            assert_eq!(cx.weakref_referent(cx.get(w)), None, "{c:?}");
            let due = cx.take_weak_callback().unwrap();
            assert_eq!(cx.get(due), cx.get(w));
            // A weak reference dying by count unregisters itself.
            let o = cx.alloc_object(ty, 8);
            let oh2 = cx.root_owned(o);
            let m = cx.mark();
            let w2 = cx.weakref_new(WeakKind::Ref, oh2, None).unwrap();
            assert_eq!(rt.weak.count(cx.get(oh2)), 1);
            let _ = w2;
            cx.release(m);
            assert_eq!(rt.weak.count(cx.get(oh2)), 0, "{c:?}");
            assert_eq!(
                header_of(cx.get(oh2)).gc_flags().load(Relaxed) & WEAK,
                0,
                "flag cleared with the last weak reference"
            );
        }
    }

    #[test]
    fn a_dead_weakref_is_dropped_by_the_collector() {
        for c in schemes() {
            let rt = Runtime::new(c.clone());
            let ty = weakrefable_type(&rt);
            let mut cx = Thread::attach(&rt).unwrap();
            let o = cx.alloc_object(ty, 8);
            let oh = cx.root_owned(o);
            let cb = cx.int(3);
            let m = cx.mark();
            let _w = cx.weakref_new(WeakKind::Ref, oh, Some(cb)).unwrap();
            cx.release(m);
            cx.collect().unwrap();
            assert_eq!(rt.weak.count(cx.get(oh)), 0, "{c:?}");
            cx.set(oh, rt.none);
            cx.collect().unwrap();
            assert!(
                !rt.weak.callbacks_pending(),
                "{c:?}: a dead weakref has no callback"
            );
        }
    }
}
