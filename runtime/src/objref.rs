//! The object reference: one machine word, either a pointer at an object's payload or an
//! immediate small int.
//!
//! Encoding (the only place that knows it):
//! ```text
//!   ...payload address...  0   heap (or external) object; 8-aligned, so bit 0 is free
//!   ...63-bit value......  1   immediate small int: value = (word as i64) >> 1
//! ```
//! Immediates are made with `ptr::without_provenance_mut`, so they carry no provenance and are
//! never dereferenced; heap references keep the provenance of the allocation they come from, which
//! is what Miri's strict-provenance mode checks.

use std::fmt;
use std::ptr::NonNull;

use pyopaque_gc::ObjectReference;

/// Smallest value an immediate int can hold: 63 bits of two's complement payload.
pub const SMALL_INT_MIN: i64 = -(1 << 62);
/// Largest value an immediate int can hold.
pub const SMALL_INT_MAX: i64 = (1 << 62) - 1;

/// A Python object reference: one word. Invariant: either bit 0 is set (an immediate int whose
/// value lies in `SMALL_INT_MIN..=SMALL_INT_MAX`) or it is the 8-aligned payload address of a live
/// object laid out as `[header][payload]` (see `header.rs`).
///
/// An `ObjRef` read out of a root is valid until the next allocation (which may move objects);
/// hold it across an allocation only through a [`crate::Handle`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct ObjRef(NonNull<u8>);

// SAFETY: an ObjRef is an address; which thread may dereference it is governed by the reference
// counting scheme and the collector, not by the word itself (as for `*mut PyObject` in C).
unsafe impl Send for ObjRef {}
// SAFETY: as above; sharing the word itself is harmless.
unsafe impl Sync for ObjRef {}

impl ObjRef {
    /// Makes an immediate int. Returns `None` when `value` does not fit in 63 bits.
    #[inline]
    pub fn small_int(value: i64) -> Option<ObjRef> {
        if (SMALL_INT_MIN..=SMALL_INT_MAX).contains(&value) {
            let word = ((value << 1) | 1) as usize;
            // bit 0 is set, so the word is never zero.
            NonNull::new(std::ptr::without_provenance_mut(word)).map(ObjRef)
        } else {
            None
        }
    }

    /// Wraps the payload address of a heap or external object.
    ///
    /// # Safety
    /// `ptr` must be 8-aligned and point at the payload of an object with a valid header.
    #[inline]
    pub unsafe fn from_payload(ptr: NonNull<u8>) -> ObjRef {
        debug_assert!(ptr.as_ptr().addr() & 7 == 0, "payload must be 8-aligned");
        ObjRef(ptr)
    }

    /// True for an immediate small int.
    #[inline]
    pub fn is_tagged(self) -> bool {
        self.0.as_ptr().addr() & 1 == 1
    }

    /// The value of an immediate int, or `None` for a heap reference.
    #[inline]
    pub fn as_small_int(self) -> Option<i64> {
        if self.is_tagged() {
            Some((self.0.as_ptr().addr() as i64) >> 1)
        } else {
            None
        }
    }

    /// The payload address of a heap reference, or `None` for an immediate.
    #[inline]
    pub fn as_payload(self) -> Option<NonNull<u8>> {
        if self.is_tagged() {
            None
        } else {
            Some(self.0)
        }
    }

    /// The raw word, for C (`PyObject*`) and for slots the collector updates.
    #[inline]
    pub fn as_ptr(self) -> *mut u8 {
        self.0.as_ptr()
    }

    /// Rebuilds a reference from a C pointer. `None` for NULL.
    ///
    /// # Safety
    /// `ptr` must be NULL, an immediate int word, or a payload address of a live object.
    #[inline]
    pub unsafe fn from_raw(ptr: *mut u8) -> Option<ObjRef> {
        NonNull::new(ptr).map(ObjRef)
    }

    /// The collector's view of a heap reference. Panics on an immediate (a bug in the caller).
    #[inline]
    pub fn to_gc(self) -> ObjectReference {
        debug_assert!(!self.is_tagged());
        ObjectReference::from_ptr(self.0)
    }

    /// Wraps a reference coming back from the collector.
    #[inline]
    pub fn from_gc(r: ObjectReference) -> ObjRef {
        ObjRef(r.as_ptr())
    }
}

impl fmt::Debug for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_small_int() {
            Some(v) => write!(f, "ObjRef(int {v})"),
            None => write!(f, "ObjRef({:p})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediate_range_is_63_bits() {
        assert_eq!(
            ObjRef::small_int(SMALL_INT_MAX).unwrap().as_small_int(),
            Some(SMALL_INT_MAX)
        );
        assert_eq!(
            ObjRef::small_int(SMALL_INT_MIN).unwrap().as_small_int(),
            Some(SMALL_INT_MIN)
        );
        assert!(ObjRef::small_int(SMALL_INT_MAX + 1).is_none());
        assert!(ObjRef::small_int(SMALL_INT_MIN - 1).is_none());
        assert_eq!(ObjRef::small_int(-1).unwrap().as_small_int(), Some(-1));
        assert_eq!(ObjRef::small_int(0).unwrap().as_small_int(), Some(0));
    }

    #[test]
    fn one_word() {
        assert_eq!(std::mem::size_of::<ObjRef>(), 8);
        assert_eq!(std::mem::size_of::<Option<ObjRef>>(), 8);
    }
}
