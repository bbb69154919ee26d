//! The three kinds of addresses and the only place that converts between them.
//!
//! * [`ObjectReference`]: the public reference, the payload address (what C sees as `PyObject*`).
//! * [`Cell`] (crate-private): the first byte of an allocation, the *GC word*.
//! * the VM header: `B::VM_HEADER_BYTES` bytes between the GC word and the payload.
//!
//! ```text
//! cell                      cell+8                       obj (payload)
//! | GC word: size u32 | flags u32 | VM header (VM_HEADER_BYTES) | payload ... |
//! ```
//!
//! All conversions keep pointer provenance: they use `byte_add`/`byte_sub` on pointers derived
//! from the allocation, never integer round trips.

use core::ptr::NonNull;
use core::sync::atomic::AtomicU32;

/// Bytes of the GC word at the start of every cell (`size: u32`, `flags: AtomicU32`).
pub const GC_WORD_BYTES: usize = 8;

/// Byte written over freed and moved-from memory and over free blocks when poisoning is on.
pub const POISON_BYTE: u8 = 0xDB;

/// The GC-owned flag bits of the GC word (low 16 bits) and where the binding's bits start.
pub mod flags {
    /// Marked live in place during a collection (pinned and large objects). Clear between
    /// collections.
    pub const MARK: u32 = 1 << 0;
    /// The object must never move (set by the binding; pinned roots are treated the same way for
    /// one collection).
    pub const PINNED: u32 = 1 << 1;
    /// This is a moved-from old copy; the word at cell + 8 holds the new payload address.
    pub const FORWARDED: u32 = 1 << 2;
    /// The object lives in the large-object space and never moves.
    pub const LARGE: u32 = 1 << 3;
    /// Freed by [`crate::Mutator::free`]; its bytes are reclaimed by the next collection.
    pub const FREED: u32 = 1 << 4;
    /// Not allocated by the heap (static singletons): never marked, moved or freed.
    pub const EXTERNAL: u32 = 1 << 5;
    /// Set by the binding on objects that need [`crate::Binding::finalize`] when they die (they
    /// own memory outside the heap, or hold counted references). Dead objects without it are
    /// reclaimed without a call, so a collection's cost stays proportional to live data plus
    /// finalizable garbage.
    pub const FINALIZE: u32 = 1 << 6;
    /// Mask of the bits owned by the collector.
    pub const GC_MASK: u32 = 0xFFFF;
    /// The binding owns the bits `1 << BINDING_SHIFT ..= 1 << 31`.
    pub const BINDING_SHIFT: u32 = 16;
}

/// Round `bytes` up to a multiple of 8.
#[inline(always)]
pub const fn align8(bytes: usize) -> usize {
    (bytes + 7) & !7
}

/// A reference to an object: the address of its payload.
///
/// Invariant (the caller's promise when constructing one with [`ObjectReference::from_ptr`] and
/// passing it to the heap): the pointer is 8-aligned and points at the payload of a cell laid out
/// as in the module docs, either allocated by a [`crate::Heap`] or flagged
/// [`flags::EXTERNAL`], and the pointer carries the provenance of that whole cell.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct ObjectReference(NonNull<u8>);

impl ObjectReference {
    /// Wrap a payload pointer. See the type's invariant; debug builds check alignment.
    #[inline(always)]
    pub fn from_ptr(ptr: NonNull<u8>) -> Self {
        debug_assert!(
            ptr.addr().get().is_multiple_of(8),
            "ObjectReference must be 8-aligned"
        );
        Self(ptr)
    }

    /// The payload pointer (with the provenance it was created with).
    #[inline(always)]
    pub fn as_ptr(self) -> NonNull<u8> {
        self.0
    }
}

/// The address of a word holding an [`ObjectReference`] (a reference slot in an object or a root).
///
/// Invariant: the word is valid for aligned reads and writes of an `ObjectReference` and holds a
/// valid (non-null) reference for as long as the `Slot` is used; this is promised by whoever calls
/// [`Slot::new`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct Slot(NonNull<ObjectReference>);

impl Slot {
    /// Make a slot from the address of a reference word.
    ///
    /// # Safety
    /// `ptr` must be aligned, valid for reads and writes of an `ObjectReference`, hold a non-null
    /// reference, and stay so for every use of the returned `Slot` (loads and stores through it).
    #[inline(always)]
    pub unsafe fn new(ptr: NonNull<ObjectReference>) -> Self {
        Self(ptr)
    }

    /// Read the reference held in the slot.
    #[inline(always)]
    pub fn load(self) -> ObjectReference {
        // SAFETY: `Slot::new`'s contract: aligned, readable, holds a valid reference.
        unsafe { self.0.as_ptr().read() }
    }

    /// Overwrite the reference held in the slot.
    #[inline(always)]
    pub fn store(self, new: ObjectReference) {
        // SAFETY: `Slot::new`'s contract: aligned and writable.
        unsafe { self.0.as_ptr().write(new) }
    }

    /// The address of the slot.
    #[inline(always)]
    pub fn as_ptr(self) -> NonNull<ObjectReference> {
        self.0
    }
}

/// The start of a cell: its GC word. Private to the crate.
///
/// Invariant: 8-aligned, points at a readable and writable GC word followed by `size - 8` bytes of
/// the same allocation, with the provenance of that allocation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Cell(NonNull<u8>);

impl Cell {
    /// Wrap the start of a cell.
    ///
    /// # Safety
    /// `ptr` must satisfy the type invariant for as long as the `Cell` is used (the GC word may
    /// still be uninitialised if the next call is [`Cell::init`]).
    #[inline(always)]
    pub(crate) unsafe fn from_raw(ptr: NonNull<u8>) -> Self {
        Self(ptr)
    }

    /// The cell of `obj`, whose VM header has `header` bytes.
    #[inline(always)]
    pub(crate) fn of_object(obj: ObjectReference, header: usize) -> Self {
        // SAFETY: by the `ObjectReference` invariant the GC word and VM header precede the payload
        // inside the same allocation, so the subtraction stays in bounds.
        Self(unsafe { obj.0.byte_sub(GC_WORD_BYTES + header) })
    }

    /// The payload address of this cell.
    #[inline(always)]
    pub(crate) fn object(self, header: usize) -> ObjectReference {
        // SAFETY: a cell is at least `GC_WORD_BYTES + header` bytes long (the payload may be
        // empty, one-past-the-header is still in bounds or one past the end).
        ObjectReference(unsafe { self.0.byte_add(GC_WORD_BYTES + header) })
    }

    /// The raw cell pointer.
    #[inline(always)]
    pub(crate) fn ptr(self) -> NonNull<u8> {
        self.0
    }

    /// Write a fresh GC word.
    #[inline(always)]
    pub(crate) fn init(self, size: usize, flags: u32) {
        debug_assert!(size <= u32::MAX as usize);
        // SAFETY: type invariant: the GC word is writable and 8-aligned; nothing else accesses
        // it concurrently while it is being initialised.
        unsafe {
            self.0.cast::<u32>().as_ptr().write(size as u32);
            self.0.byte_add(4).cast::<u32>().as_ptr().write(flags);
        }
    }

    /// The cell size in bytes (GC word + VM header + payload, rounded to 8); 0 in a zeroed gap.
    #[inline(always)]
    pub(crate) fn size(self) -> usize {
        // SAFETY: type invariant: the GC word is readable; the size half is only written by
        // `init` and by copies made while the collector owns the heap.
        unsafe { self.0.cast::<u32>().as_ptr().read() as usize }
    }

    /// The flags half of the GC word.
    #[inline(always)]
    pub(crate) fn flags<'a>(self) -> &'a AtomicU32 {
        // SAFETY: type invariant: the GC word is 8-aligned so cell + 4 is 4-aligned, readable and
        // writable, and the flags are only ever accessed atomically (or while the collector has
        // exclusive access). The memory outlives every use of the reference because heap blocks
        // are never given back to the OS while the heap lives.
        unsafe { self.0.byte_add(4).cast::<AtomicU32>().as_ref() }
    }

    /// Read the forwarding address stored at cell + 8 (only meaningful when FORWARDED is set).
    #[inline(always)]
    pub(crate) fn forwarding(self) -> ObjectReference {
        // SAFETY: every cell has at least 8 bytes of VM header after the GC word, 8-aligned; the
        // word was written by `set_forwarding` with a valid non-null pointer.
        unsafe {
            self.0
                .byte_add(GC_WORD_BYTES)
                .cast::<ObjectReference>()
                .read()
        }
    }

    /// Store the forwarding address in the first VM-header word.
    #[inline(always)]
    pub(crate) fn set_forwarding(self, to: ObjectReference) {
        // SAFETY: as in `forwarding`; the old copy is dead so overwriting its VM header is allowed
        // by the contract.
        unsafe {
            self.0
                .byte_add(GC_WORD_BYTES)
                .cast::<ObjectReference>()
                .write(to)
        }
    }

    /// The cell right after this one (`self + size`).
    ///
    /// # Safety
    /// `bytes` must not step past the end of the allocation (one-past-the-end is fine).
    #[inline(always)]
    pub(crate) unsafe fn add(self, bytes: usize) -> NonNull<u8> {
        // SAFETY: the caller keeps the result in bounds.
        unsafe { self.0.byte_add(bytes) }
    }

    /// Fill `[cell + from, cell + size)` with `byte`.
    #[inline]
    pub(crate) fn fill_from(self, from: usize, size: usize, byte: u8) {
        if size > from {
            // SAFETY: type invariant: the cell spans `size` bytes of one allocation.
            unsafe {
                self.0
                    .byte_add(from)
                    .as_ptr()
                    .write_bytes(byte, size - from)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_cell_object() {
        let mut buf = [0u64; 8];
        let p = NonNull::new(buf.as_mut_ptr().cast::<u8>()).unwrap();
        // SAFETY: `buf` is 64 bytes, 8-aligned, outlives `cell`.
        let cell = unsafe { Cell::from_raw(p) };
        cell.init(40, flags::LARGE);
        assert_eq!(cell.size(), 40);
        assert_eq!(
            cell.flags().load(core::sync::atomic::Ordering::Relaxed),
            flags::LARGE
        );
        let obj = cell.object(8);
        assert_eq!(obj.as_ptr().addr().get() - p.addr().get(), 16);
        assert_eq!(Cell::of_object(obj, 8), cell);
        cell.set_forwarding(obj);
        assert_eq!(cell.forwarding(), obj);
    }
}
