//! Per-object locks, as the free-threaded CPython build's `ob_mutex`: two bits of the object's
//! GC word flags ([`LOCKED`], [`LOCK_PARKED`]), with waiters parked on the word's address
//! (`parking_lot_core`). Used by the C API shim's critical sections and by its list, dict and
//! set functions while more than one thread is attached.
//!
//! Invariant: only objects that cannot move are locked: objects C holds (pinned by a C-held
//! count or a recorded borrowed reference) and external objects. The lock bits live in the
//! object's own header, so a moving collection would carry them to a new address while waiters
//! park on the old one. Every other flag update on an object that can be locked is an atomic
//! read-modify-write, the collector's included (it marks objects that stay in place with
//! `fetch_or`/`fetch_and`): threads outside the runtime take and release object locks while
//! the world is stopped (C code in a critical section runs outside), so a plain store of the
//! flags word could lose a lock bit.

use std::sync::atomic::{AtomicU32, Ordering};

use pyopaque_gc::flags::BINDING_SHIFT;

use crate::header::header_of;
use crate::objref::ObjRef;

/// Flag: the object's lock is held.
pub const LOCKED: u32 = 1 << (BINDING_SHIFT + 5);
/// Flag: a thread is (or may be) parked waiting for the lock.
pub const LOCK_PARKED: u32 = 1 << (BINDING_SHIFT + 6);

const _: () = assert!(
    LOCKED > crate::header::flags::WEAK && LOCK_PARKED > LOCKED,
    "lock bits follow the runtime's other header flags"
);

/// A parked waiter wakes by itself after this long and looks at the lock again: a safety net
/// against a lost wake-up (one hang of `ext_threads_cs` under GC stress was seen in about fifteen
/// runs before it existed, cause not found), which then costs a delay instead of a hang.
fn recheck_deadline() -> std::time::Instant {
    std::time::Instant::now() + std::time::Duration::from_millis(10)
}

fn word(obj: ObjRef) -> &'static AtomicU32 {
    header_of(obj).gc_flags()
}

/// Tries to take `obj`'s lock without waiting.
#[inline]
pub fn try_lock(obj: ObjRef) -> bool {
    let w = word(obj);
    let mut f = w.load(Ordering::Relaxed);
    while f & LOCKED == 0 {
        match w.compare_exchange_weak(f, f | LOCKED, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(cur) => f = cur,
        }
    }
    false
}

/// True when `obj`'s lock is held (by any thread).
pub fn is_locked(obj: ObjRef) -> bool {
    word(obj).load(Ordering::Relaxed) & LOCKED != 0
}

/// Takes `obj`'s lock, waiting as long as it takes. The caller must be at a safe point (outside
/// the runtime: `Thread::allow_threads`), since the holder may need a collection to finish.
pub fn lock_blocking(obj: ObjRef) {
    let w = word(obj);
    let mut spins = 0u32;
    loop {
        if try_lock(obj) {
            return;
        }
        if spins < 40 {
            spins += 1;
            std::hint::spin_loop();
            continue;
        }
        let f = w.load(Ordering::Relaxed);
        if f & LOCKED == 0 {
            continue;
        }
        if f & LOCK_PARKED == 0
            && w.compare_exchange_weak(f, f | LOCK_PARKED, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            continue;
        }
        let key = std::ptr::from_ref(w).addr();
        // SAFETY: the key is the address of this object's flags word; `validate` and the
        // callbacks only read or update that atomic, and do not panic or park.
        unsafe {
            parking_lot_core::park(
                key,
                || w.load(Ordering::Relaxed) & (LOCKED | LOCK_PARKED) == LOCKED | LOCK_PARKED,
                || {},
                |_, _| {},
                parking_lot_core::DEFAULT_PARK_TOKEN,
                Some(recheck_deadline()),
            );
        }
        spins = 0;
    }
}

/// Releases `obj`'s lock (held by the caller), waking one waiter if any.
#[inline]
pub fn unlock(obj: ObjRef) {
    let w = word(obj);
    let prev = w.fetch_and(!LOCKED, Ordering::Release);
    debug_assert!(prev & LOCKED != 0, "unlock of an object that is not locked");
    if prev & LOCK_PARKED != 0 {
        unpark_one(w);
    }
}

#[cold]
fn unpark_one(w: &'static AtomicU32) {
    let key = std::ptr::from_ref(w).addr();
    // SAFETY: as in `lock_blocking`; the callback clears the waiter flag under the parking
    // lot's bucket lock when nobody else waits.
    unsafe {
        parking_lot_core::unpark_one(key, |r| {
            if !r.have_more_threads {
                w.fetch_and(!LOCK_PARKED, Ordering::Relaxed);
            }
            parking_lot_core::DEFAULT_UNPARK_TOKEN
        });
    }
}

/// A byte-sized mutex (`PyMutex`): bit 0 locked, bit 1 a waiter may be parked. Same algorithm
/// as the object lock, on a caller-provided byte.
pub mod byte_mutex {
    use std::sync::atomic::{AtomicU8, Ordering};

    const LOCKED: u8 = 1;
    const PARKED: u8 = 2;

    /// Takes the lock at `m`, waiting as long as it takes (the caller is at a safe point).
    pub fn lock(m: &AtomicU8) {
        let mut spins = 0u32;
        loop {
            let f = m.load(Ordering::Relaxed);
            if f & LOCKED == 0 {
                if m.compare_exchange_weak(f, f | LOCKED, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            if spins < 40 {
                spins += 1;
                std::hint::spin_loop();
                continue;
            }
            if f & PARKED == 0
                && m.compare_exchange_weak(f, f | PARKED, Ordering::Relaxed, Ordering::Relaxed)
                    .is_err()
            {
                continue;
            }
            let key = std::ptr::from_ref(m).addr();
            // SAFETY: the key is the mutex's address; the closures only read it.
            unsafe {
                parking_lot_core::park(
                    key,
                    || m.load(Ordering::Relaxed) == LOCKED | PARKED,
                    || {},
                    |_, _| {},
                    parking_lot_core::DEFAULT_PARK_TOKEN,
                    Some(super::recheck_deadline()),
                );
            }
            spins = 0;
        }
    }

    /// Takes the lock at `m` if it is free.
    pub fn try_lock(m: &AtomicU8) -> bool {
        let f = m.load(Ordering::Relaxed);
        f & LOCKED == 0
            && m.compare_exchange(f, f | LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }

    /// Releases the lock at `m`; returns false (changing nothing) when it was not locked.
    pub fn unlock(m: &AtomicU8) -> bool {
        let mut f = m.load(Ordering::Relaxed);
        loop {
            if f & LOCKED == 0 {
                return false;
            }
            match m.compare_exchange_weak(f, f & !LOCKED, Ordering::Release, Ordering::Relaxed) {
                Ok(_) => break,
                Err(cur) => f = cur,
            }
        }
        if f & PARKED != 0 {
            let key = std::ptr::from_ref(m).addr();
            // SAFETY: as in `lock`; the callback clears the waiter bit when nobody else waits.
            unsafe {
                parking_lot_core::unpark_one(key, |r| {
                    if !r.have_more_threads {
                        m.fetch_and(!PARKED, Ordering::Relaxed);
                    }
                    parking_lot_core::DEFAULT_UNPARK_TOKEN
                });
            }
        }
        true
    }

    /// True when the lock at `m` is held.
    pub fn is_locked(m: &AtomicU8) -> bool {
        m.load(Ordering::Relaxed) & LOCKED != 0
    }
}

impl crate::thread::Thread {
    /// Takes `obj`'s lock (see the module invariant: `obj` must not be movable), waiting outside
    /// the runtime when it is contended, so that a collection another thread starts meanwhile
    /// does not wait for this one.
    pub fn lock_object(&mut self, obj: ObjRef) {
        if try_lock(obj) {
            return;
        }
        let raw = SendRef(obj);
        self.allow_threads(move || lock_blocking(raw.get()));
    }
}

/// An object reference carried into `allow_threads` (the object is pinned: see the module
/// invariant).
struct SendRef(ObjRef);

impl SendRef {
    fn get(&self) -> ObjRef {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Runtime, Scheme, Thread};

    #[test]
    fn object_lock_excludes_and_keeps_other_flags() {
        let rt = Runtime::new(Config::with_scheme(Scheme::Atomic));
        let mut cx = Thread::attach(&rt).unwrap();
        let o = rt.none;
        let before = header_of(o).gc_flags().load(Ordering::Relaxed);
        cx.lock_object(o);
        assert!(is_locked(o) && !try_lock(o));
        unlock(o);
        assert!(!is_locked(o));
        assert_eq!(header_of(o).gc_flags().load(Ordering::Relaxed), before);
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn contended_object_lock_counts_exactly() {
        let rt = Runtime::new(Config::with_scheme(Scheme::Biased));
        let o = rt.none;
        let counter = std::sync::atomic::AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let mut cx = Thread::attach(&rt).unwrap();
                    for _ in 0..2000 {
                        cx.lock_object(o);
                        // A non-atomic increment, made exact by the lock.
                        let v = counter.load(Ordering::Relaxed);
                        std::hint::spin_loop();
                        counter.store(v + 1, Ordering::Relaxed);
                        unlock(o);
                    }
                });
            }
        });
        assert_eq!(counter.load(Ordering::Relaxed), 8000);
        assert!(!is_locked(o));
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn byte_mutex_counts_exactly() {
        let m = std::sync::atomic::AtomicU8::new(0);
        let counter = std::sync::atomic::AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..5000 {
                        byte_mutex::lock(&m);
                        let v = counter.load(Ordering::Relaxed);
                        counter.store(v + 1, Ordering::Relaxed);
                        assert!(byte_mutex::unlock(&m));
                    }
                });
            }
        });
        assert_eq!(counter.load(Ordering::Relaxed), 20000);
        assert!(!byte_mutex::unlock(&m), "unlocking a free mutex is refused");
    }
}
