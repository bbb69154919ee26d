//! Reference counting, one implementation per [`Scheme`], chosen when the runtime starts.
//!
//! Two kinds of reference are counted differently:
//! - *internal* references (held by runtime code, handles, containers): counted by every scheme
//!   except `tracing`;
//! - *C-held* references (`Py_INCREF` from an extension): counted by every scheme, including
//!   `tracing`, where they are the only counted references and make the object a pinned root.
//!
//! Biased counting (PEP 703, after Choi, Shull and Torrellas, PACT 2018): `rc_a` holds the owner
//! thread id in its high half and the owner's local count in its low half (written only by the
//! owner, with plain load/store); `rc_b` holds `shared << 2 | flags`, updated atomically by other
//! threads. When a non-owner would drive the shared count negative it marks the object `QUEUED`
//! and hands it to the owner's merge queue (crossbeam `SegQueue`); the owner merges local and
//! shared counts the next time it polls its queue. When the owner's local count reaches zero it
//! merges at once: the object becomes unowned (`tid = 0`, `MERGED`) and is freed when the shared
//! count reaches zero.

use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

use crate::config::Scheme;
use crate::header::{flags::IMMORTAL, header_of, Header};
use crate::objref::ObjRef;
use crate::thread::Thread;

/// `rc_b` flag (biased): the object sits in its owner's merge queue.
pub const BIASED_QUEUED: i64 = 1;
/// `rc_b` flag (biased): local and shared counts were merged; only the shared count is used.
pub const BIASED_MERGED: i64 = 2;
/// `rc_b`: the count is stored above the two flag bits.
pub const BIASED_SHARED_ONE: i64 = 4;

/// Initial count words for an object created by thread `tid` with one reference (its handle).
#[inline]
pub fn initial_counts(scheme: Scheme, tid: u32, internal_refs: u64) -> (u64, i64) {
    match scheme {
        Scheme::Classic | Scheme::Atomic => (internal_refs, 0),
        Scheme::Biased => (((tid as u64) << 32) | internal_refs, 0),
        Scheme::Tracing => (0, 0),
    }
}

#[inline]
fn skips_counting(cx: &Thread, h: Header) -> bool {
    cx.immortal && h.gc_flags().load(Relaxed) & IMMORTAL != 0
}

/// Adds one internal reference to `obj` (no-op for immediates, immortal objects, and under
/// `tracing`).
#[inline]
pub fn incref(cx: &Thread, obj: ObjRef) {
    if obj.is_tagged() || cx.scheme == Scheme::Tracing {
        return;
    }
    let h = header_of(obj);
    if skips_counting(cx, h) {
        return;
    }
    counted_incref(cx, h);
}

/// Drops one internal reference; frees the object (and what only it held) when it was the last.
#[inline]
pub fn decref(cx: &mut Thread, obj: ObjRef) {
    if obj.is_tagged() || cx.scheme == Scheme::Tracing {
        return;
    }
    let h = header_of(obj);
    if skips_counting(cx, h) {
        return;
    }
    if counted_decref(cx, h) {
        cx.dealloc(obj);
    }
}

/// Adds one reference held by C (`Py_INCREF`). Counted under every scheme; under `tracing` it
/// is the C-held count that pins the object.
#[inline]
pub fn c_incref(cx: &Thread, obj: ObjRef) {
    if obj.is_tagged() {
        return;
    }
    let h = header_of(obj);
    if skips_counting(cx, h) {
        return;
    }
    if cx.scheme == Scheme::Tracing {
        h.rc_a().fetch_add(1, Relaxed);
    } else {
        counted_incref(cx, h);
    }
}

/// Drops one reference held by C (`Py_DECREF`). Returns `Err(count)` when the count was already
/// zero (a C bug: decref below zero), without touching the object.
#[inline]
pub fn c_decref(cx: &mut Thread, obj: ObjRef) -> Result<(), i64> {
    if obj.is_tagged() {
        return Ok(());
    }
    let h = header_of(obj);
    if skips_counting(cx, h) {
        return Ok(());
    }
    if cx.scheme == Scheme::Classic {
        // The common case, inlined: one plain count.
        let a = h.rc_a();
        let n = a.load(Relaxed) as i64;
        if n <= 0 {
            return Err(n);
        }
        a.store((n - 1) as u64, Relaxed);
        if n == 1 {
            cx.dealloc(obj);
        }
        return Ok(());
    }
    c_decref_other(cx, obj, h)
}

/// The lean half of [`c_decref`]: drops one C-held count when that cannot free the object and
/// the count is positive (returns false, done); returns true, changing nothing, when the caller
/// must run [`c_decref`] itself (the last reference, a count at or below zero, a lost race under
/// `tracing`, or the `atomic` and `biased` schemes, whose decrement stays in `c_decref`).
#[inline]
pub fn c_decref_is_last(cx: &Thread, obj: ObjRef) -> bool {
    if obj.is_tagged() {
        return false;
    }
    let h = header_of(obj);
    if skips_counting(cx, h) {
        return false;
    }
    match cx.scheme {
        Scheme::Classic => {
            let a = h.rc_a();
            let n = a.load(Relaxed) as i64;
            if n <= 1 {
                return true;
            }
            a.store((n - 1) as u64, Relaxed);
            false
        }
        Scheme::Tracing => {
            // Other threads may count concurrently: one compare-exchange, else the full path.
            let a = h.rc_a();
            let n = a.load(Relaxed);
            n == 0 || a.compare_exchange(n, n - 1, Relaxed, Relaxed).is_err()
        }
        Scheme::Atomic | Scheme::Biased => true,
    }
}

/// [`c_decref`] under the schemes other than `classic`.
#[inline(never)]
fn c_decref_other(cx: &mut Thread, obj: ObjRef, h: Header) -> Result<(), i64> {
    if cx.scheme == Scheme::Tracing {
        let old = h.rc_a().fetch_sub(1, Relaxed);
        if old == 0 {
            h.rc_a().store(0, Relaxed);
            return Err(0);
        }
        return Ok(());
    }
    let total = total_count(cx, obj);
    if total <= 0 {
        return Err(total);
    }
    if counted_decref(cx, h) {
        cx.dealloc(obj);
    }
    Ok(())
}

/// The reference count as `Py_REFCNT` reports it: the sum of local and shared counts (biased),
/// the C-held count (tracing), or the single count.
#[inline]
pub fn total_count(cx: &Thread, obj: ObjRef) -> i64 {
    total_count_in(cx.scheme, obj)
}

/// [`total_count`] under `scheme`, without a thread (the collector's pinning analysis).
#[inline]
pub(crate) fn total_count_in(scheme: Scheme, obj: ObjRef) -> i64 {
    if obj.is_tagged() {
        return 1 << 30;
    }
    let h = header_of(obj);
    match scheme {
        Scheme::Classic | Scheme::Atomic | Scheme::Tracing => h.rc_a().load(Acquire) as i64,
        Scheme::Biased => {
            let a = h.rc_a().load(Acquire);
            (a & 0xffff_ffff) as i64 + (h.rc_b().load(Acquire) >> 2)
        }
    }
}

#[inline]
fn counted_incref(cx: &Thread, h: Header) {
    match cx.scheme {
        Scheme::Classic => {
            let a = h.rc_a();
            a.store(a.load(Relaxed) + 1, Relaxed);
        }
        Scheme::Atomic => {
            h.rc_a().fetch_add(1, Relaxed);
        }
        Scheme::Biased => {
            let a = h.rc_a().load(Relaxed);
            // One subtract and compare: the high half is this thread's id and the local count
            // is not at its maximum.
            if a.wrapping_sub(cx.tid_hi) < 0xffff_ffff {
                h.rc_a().store(a + 1, Relaxed);
            } else {
                biased_shared_incref(h);
            }
        }
        Scheme::Tracing => {}
    }
}

/// A non-owner's incref: the shared count, atomically.
#[cold]
#[inline(never)]
fn biased_shared_incref(h: Header) {
    h.rc_b().fetch_add(BIASED_SHARED_ONE, Relaxed);
}

/// Returns true when the object must be deallocated now.
#[inline]
fn counted_decref(cx: &mut Thread, h: Header) -> bool {
    match cx.scheme {
        Scheme::Classic => {
            let a = h.rc_a();
            let n = a.load(Relaxed);
            debug_assert!(n > 0, "decref below zero");
            a.store(n - 1, Relaxed);
            n == 1
        }
        Scheme::Atomic => {
            h.rc_a().fetch_sub(1, Release) == 1 && {
                std::sync::atomic::fence(Acquire);
                true
            }
        }
        Scheme::Biased => {
            let a = h.rc_a().load(Relaxed);
            // Owner with a local count of 2 or more (the common case): one subtract and compare.
            if a.wrapping_sub(cx.tid_hi).wrapping_sub(2) < 0xffff_fffe {
                h.rc_a().store(a - 1, Relaxed);
                false
            } else if (a >> 32) as u32 == cx.tid {
                let local = a & 0xffff_ffff;
                debug_assert!(local > 0, "biased local decref below zero");
                if local > 1 {
                    h.rc_a().store(a - 1, Relaxed);
                    false
                } else {
                    merge_zero_local(h)
                }
            } else {
                biased_shared_decref(cx, h)
            }
        }
        Scheme::Tracing => false,
    }
}

/// Owner's local count reached zero: give up ownership and merge into the shared count.
#[cold]
#[inline(never)]
fn merge_zero_local(h: Header) -> bool {
    h.rc_a().store(0, Release);
    let mut old = h.rc_b().load(Acquire);
    loop {
        // A queued object stays QUEUED: whoever drains the queue frees it if the total is zero,
        // so it must not be freed here while it may still be read from the queue.
        let new = old | BIASED_MERGED;
        match h.rc_b().compare_exchange_weak(old, new, AcqRel, Acquire) {
            Ok(_) => return new >> 2 == 0 && new & BIASED_QUEUED == 0,
            Err(cur) => old = cur,
        }
    }
}

#[cold]
#[inline(never)]
fn biased_shared_decref(cx: &mut Thread, h: Header) -> bool {
    let mut old = h.rc_b().load(Acquire);
    loop {
        let mut new = old - BIASED_SHARED_ONE;
        let queue_it = old & BIASED_MERGED == 0 && new >> 2 < 0 && old & BIASED_QUEUED == 0;
        if queue_it {
            new |= BIASED_QUEUED;
        }
        match h.rc_b().compare_exchange_weak(old, new, AcqRel, Acquire) {
            Ok(_) => {
                if queue_it {
                    let owner = (h.rc_a().load(Acquire) >> 32) as u32;
                    return cx.queue_for_merge(owner, h);
                }
                return old & BIASED_MERGED != 0 && new >> 2 == 0 && new & BIASED_QUEUED == 0;
            }
            Err(cur) => old = cur,
        }
    }
}

/// Merges an object taken from a merge queue (by its owner, or by anyone once the owner thread
/// has detached): ownership is dropped and the local count moves into the shared count. Returns
/// true when the merged total is zero.
pub(crate) fn merge_queued(h: Header) -> bool {
    let a = h.rc_a().swap(0, AcqRel);
    let local = (a & 0xffff_ffff) as i64;
    let mut old = h.rc_b().load(Acquire);
    loop {
        let total = (old >> 2) + local;
        let new = (total << 2) | BIASED_MERGED;
        match h.rc_b().compare_exchange_weak(old, new, AcqRel, Acquire) {
            Ok(_) => {
                debug_assert!(total >= 0, "biased merge found a negative total");
                return total == 0;
            }
            Err(cur) => old = cur,
        }
    }
}

/// Adds one internal reference without a `Thread` (the weak reference registry, from the
/// collector or the deallocator): under `biased` it goes to the shared count, which any thread
/// may update.
pub(crate) fn incref_shared(scheme: Scheme, obj: ObjRef) {
    let h = header_of(obj);
    if h.gc_flags().load(Relaxed) & IMMORTAL != 0 {
        return;
    }
    match scheme {
        Scheme::Classic | Scheme::Atomic => {
            h.rc_a().fetch_add(1, Relaxed);
        }
        Scheme::Biased => {
            h.rc_b().fetch_add(BIASED_SHARED_ONE, Relaxed);
        }
        Scheme::Tracing => {}
    }
}

/// Removes one internal reference on behalf of the collector (a dead object held it). The
/// object is live (reachable), so the count cannot reach zero here.
pub(crate) fn uncount_from_collector(scheme: Scheme, obj: ObjRef) {
    let h = header_of(obj);
    if h.gc_flags().load(Relaxed) & IMMORTAL != 0 {
        return;
    }
    match scheme {
        Scheme::Classic | Scheme::Atomic => {
            h.rc_a().fetch_sub(1, Relaxed);
        }
        Scheme::Biased => {
            let a = h.rc_a().load(Relaxed);
            if a & 0xffff_ffff > 1 {
                h.rc_a().store(a - 1, Relaxed);
            } else {
                h.rc_b().fetch_sub(BIASED_SHARED_ONE, Relaxed);
            }
        }
        Scheme::Tracing => {}
    }
}
