//! The object header, which lies *before* the public reference. This module is the only place in
//! the runtime that computes a header address; the collector owns the first word (the GC word)
//! and computes it in `pyopaque_gc` alone.
//!
//! ```text
//!  offset  field            owner    classic    atomic      biased                    tracing
//!  -32     GC word          gc       size u32 | flags u32 (mark, pinned, forwarded, large, freed,
//!                                    external; bits 16.. are the runtime's: IMMORTAL, C_TYPE)
//!  -24     type             runtime  ObjRef of the type object (all schemes)
//!  -16     rc_a  (u64)      runtime  count      atomic count owner tid<<32 | local u32  C-held count
//!   -8     rc_b  (i64)      runtime  unused (0) unused (0)  shared<<2 | flags (atomic) unused (0)
//!    0     payload  <-- the public reference (`PyObject*`) points here
//! ```
//! The layout is the same in every scheme (so a reference stays one word and C never needs to know
//! which scheme runs); the meaning of the two count words changes.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, AtomicPtr, AtomicU32, AtomicU64, Ordering};

use crate::objref::ObjRef;

/// Bytes of the whole header (GC word + VM header) before the payload.
pub const HEADER_BYTES: usize = 32;
/// Bytes of the part the runtime owns (type + two count words); the collector's `VM_HEADER_BYTES`.
pub const VM_HEADER_BYTES: usize = 24;
/// Offset of the GC word from the payload.
pub const GC_WORD_OFFSET: isize = -32;
/// Offset of the type word from the payload.
pub const TYPE_OFFSET: isize = -24;
/// Offset of the first count word from the payload.
pub const RC_A_OFFSET: isize = -16;
/// Offset of the second count word from the payload.
pub const RC_B_OFFSET: isize = -8;

/// Runtime-owned flag bits inside the GC word's flags half (bits 16 and up).
pub mod flags {
    use pyopaque_gc::flags::BINDING_SHIFT;
    /// Counting operations skip this object entirely (PEP 683).
    pub const IMMORTAL: u32 = 1 << BINDING_SHIFT;
    /// Instance of a type whose struct C code dereferences: pinned whenever collected.
    pub const C_LAYOUT: u32 = 1 << (BINDING_SHIFT + 1);
    /// Its identity (`id()`, default hash) was observed: it may no longer move.
    pub const ADDRESS_TAKEN: u32 = 1 << (BINDING_SHIFT + 2);
    /// An exported C symbol stands for this (external, immortal) object: the C API shim hands
    /// out the symbol's address instead of the payload's (`&PyLong_Type`, `&_Py_NoneStruct`).
    pub const STATIC_ALIAS: u32 = 1 << (BINDING_SHIFT + 3);
    /// The weak reference registry knows this object: a referent with weak references, or a
    /// registered weak reference. The deallocator tests it (see `weakref.rs`).
    pub const WEAK: u32 = 1 << (BINDING_SHIFT + 4);
    /// The memory of this dead object belongs to C: its deallocator kept it (a freelist) instead
    /// of releasing it. Never freed nor reclaimed until revived (see `kept_cells.rs`).
    pub const KEPT_BY_C: u32 = 1 << (BINDING_SHIFT + 5);
}

const _: () = assert!(HEADER_BYTES == pyopaque_gc::address::GC_WORD_BYTES + VM_HEADER_BYTES);
const _: () = assert!(
    HEADER_BYTES.is_multiple_of(8),
    "payload stays 8-aligned after the header"
);
const _: () = assert!(TYPE_OFFSET == GC_WORD_OFFSET + 8);
const _: () = assert!(
    RC_B_OFFSET == -8,
    "the header ends exactly at the public pointer"
);

/// Typed view of one object's header. Obtained only through [`header_of`].
#[derive(Clone, Copy)]
pub struct Header {
    payload: NonNull<u8>,
}

/// The header of a heap reference. Panics (debug) on an immediate.
#[inline]
pub fn header_of(obj: ObjRef) -> Header {
    let payload = obj.as_payload().expect("immediate ints have no header");
    Header { payload }
}

impl Header {
    #[inline]
    fn word<T>(self, offset: isize) -> NonNull<T> {
        // SAFETY: pointer arithmetic only. Every object was allocated with HEADER_BYTES before
        // its payload, in the same allocation, so `payload + offset` (offset in -32..0) stays in
        // bounds and keeps the allocation's provenance.
        unsafe { self.payload.byte_offset(offset).cast::<T>() }
    }

    /// The object this header belongs to.
    #[inline]
    pub fn object(self) -> ObjRef {
        // SAFETY: a Header is only made from a heap reference's payload address.
        unsafe { ObjRef::from_payload(self.payload) }
    }

    /// The GC word's flags half, shared with the collector.
    #[inline]
    pub fn gc_flags(self) -> &'static AtomicU32 {
        // SAFETY: the GC word is `size: u32, flags: u32` (little-endian layout fixed by gc); the
        // flags half is at +4 from the GC word and is only ever accessed atomically. The object
        // outlives every use of a reference to it (caller holds a live reference).
        unsafe { self.word::<AtomicU32>(GC_WORD_OFFSET + 4).as_ref() }
    }

    /// Size of the whole cell in bytes (header + payload), from the GC word.
    #[inline]
    pub fn cell_bytes(self) -> usize {
        // SAFETY: the size half of the GC word is written once by the allocator before the
        // object is published and read-only afterwards.
        unsafe { self.word::<u32>(GC_WORD_OFFSET).read() as usize }
    }

    /// The type word: a pointer (with provenance) at the type object's payload.
    #[inline]
    pub fn type_word(self) -> &'static AtomicPtr<u8> {
        // SAFETY: the type word lies inside the header (see layout) and is accessed as an atomic
        // word everywhere (Py_SET_TYPE may run on another thread under free-threaded schemes).
        unsafe { self.word::<AtomicPtr<u8>>(TYPE_OFFSET).as_ref() }
    }

    /// The object's type.
    #[inline]
    pub fn ty(self) -> ObjRef {
        let p = self.type_word().load(Ordering::Relaxed);
        // SAFETY: the type word always holds the payload address of a live (immortal, external)
        // type object once the header is initialised.
        unsafe { ObjRef::from_payload(NonNull::new_unchecked(p)) }
    }

    /// Sets the type word (object initialisation and `Py_SET_TYPE`).
    #[inline]
    pub fn set_ty(self, ty: ObjRef) {
        self.type_word().store(ty.as_ptr(), Ordering::Relaxed);
    }

    /// Writes the size half of the GC word (external objects only; the collector writes it for
    /// heap objects).
    #[inline]
    fn set_cell_bytes(self, size: u32) {
        // SAFETY: the GC word's size half lies at payload-32; only called on a cell nobody else
        // sees yet.
        unsafe { self.word::<u32>(GC_WORD_OFFSET).write(size) }
    }

    /// First count word (meaning depends on the scheme, see the module table).
    #[inline]
    pub fn rc_a(self) -> &'static AtomicU64 {
        // SAFETY: inside the header, 8-aligned, only accessed atomically.
        unsafe { self.word::<AtomicU64>(RC_A_OFFSET).as_ref() }
    }

    /// Second count word (biased: shared count).
    #[inline]
    pub fn rc_b(self) -> &'static AtomicI64 {
        // SAFETY: inside the header, 8-aligned, only accessed atomically.
        unsafe { self.word::<AtomicI64>(RC_B_OFFSET).as_ref() }
    }
}

/// Writes the header of an external object (see `external.rs`): GC word (size, `EXTERNAL` plus
/// `flags`), type word, and counts that can never reach zero.
pub(crate) fn init_external_header(obj: ObjRef, size: u32, flags: u32, ty: ObjRef) {
    let h = header_of(obj);
    h.set_cell_bytes(size);
    h.gc_flags().store(
        flags | pyopaque_gc::flags::EXTERNAL | self::flags::IMMORTAL,
        Ordering::Relaxed,
    );
    h.set_ty(ty);
    // Counts that never reach zero in any scheme: for `biased` the owner id (high half) is 0, so
    // every thread takes the shared path, and the shared count is already merged.
    h.rc_a().store(1 << 30, Ordering::Relaxed);
    h.rc_b().store(
        ((1i64 << 30) << 2) | crate::refcount::BIASED_MERGED,
        Ordering::Relaxed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size and offset stated in `docs/design.md` (section "Header layout").
    #[test]
    fn header_layout_matches_design_doc() {
        assert_eq!(HEADER_BYTES, 32);
        assert_eq!(VM_HEADER_BYTES, 24);
        assert_eq!(GC_WORD_OFFSET, -32);
        assert_eq!(TYPE_OFFSET, -24);
        assert_eq!(RC_A_OFFSET, -16);
        assert_eq!(RC_B_OFFSET, -8);
        assert_eq!(pyopaque_gc::address::GC_WORD_BYTES, 8);
        assert_eq!(flags::IMMORTAL, 1 << 16);
    }
}
