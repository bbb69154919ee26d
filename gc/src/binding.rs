//! How a VM plugs into the collector: the [`Binding`] trait (object layout knowledge), the
//! [`RootSet`] trait (where the roots are) and the [`FinalizeContext`] handed to finalizers.

use crate::address::{flags, Cell, ObjectReference, Slot};
use std::collections::HashSet;
use std::sync::atomic::Ordering;

/// Everything the collector needs to know about the VM's objects.
///
/// Invariant: `scan_object` reports every slot of a live object that holds a heap reference, and
/// only such slots; `finalize` does not allocate on or collect the heap.
pub trait Binding: Send + Sync + 'static {
    /// Bytes of VM header between the GC word and the payload (multiple of 8, >= 8). The first
    /// VM-header word of a moved-from copy is overwritten with the forwarding address.
    const VM_HEADER_BYTES: usize;

    /// Call `visit` for every slot of `obj` that currently holds a reference to another object.
    /// The collector may rewrite the slot.
    fn scan_object(&self, obj: ObjectReference, visit: &mut dyn FnMut(Slot));

    /// `obj` is dead and about to be reclaimed: release what it owns outside the heap.
    /// `cx.is_live(other)` answers for any object during this call. Called at most once per
    /// object, never for objects freed with [`crate::Mutator::free`].
    /// Called only for objects flagged [`crate::flags::FINALIZE`] (the binding sets the flag
    /// when it allocates an object that owns memory outside the heap or counted references).
    ///
    /// Returns [`Finalized::Kept`] when foreign code took the object's memory over during
    /// finalization (a C type's deallocator that keeps its instances on a freelist instead of
    /// freeing them): the cell then stays in place as a live object, exactly as if it had been
    /// pinned, and the binding must keep it alive from now on (as a root) until it frees it.
    fn finalize(&self, obj: ObjectReference, cx: &FinalizeContext<'_>) -> Finalized;

    /// Weak references: called once per collection, after tracing and evacuation and before any
    /// finalizer runs, so the fate of every object is known and all memory is still readable.
    /// `resolve(obj)` answers for any object the binding remembers outside the heap's slots (a
    /// weak table): `Some(current address)` when it survives (the new copy if it moved, `obj`
    /// itself if it stayed in place), `None` when it dies in this collection or was freed. The
    /// binding updates or clears its weak entries here; like `finalize`, it must not allocate on
    /// or collect the heap. Default: no weak references, nothing to do.
    fn process_weak(&self, resolve: &mut dyn FnMut(ObjectReference) -> Option<ObjectReference>) {
        let _ = resolve;
    }
}

/// What became of an object [`Binding::finalize`] was called for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finalized {
    /// Dead: the collector reclaims its cell.
    Reclaimed,
    /// Its memory was taken over by foreign code: the cell stays where it is, intact.
    Kept,
}

/// The roots of a collection.
pub trait RootSet {
    /// Root slots the collector may update (handles on the shadow stack).
    fn movable_roots(&mut self, visit: &mut dyn FnMut(Slot));
    /// Objects that are live and must not move (held by C, borrowed by C, pinned).
    fn pinned_roots(&mut self, visit: &mut dyn FnMut(ObjectReference));
}

/// An empty root set (everything not EXTERNAL is garbage).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRoots;

impl RootSet for NoRoots {
    fn movable_roots(&mut self, _visit: &mut dyn FnMut(Slot)) {}
    fn pinned_roots(&mut self, _visit: &mut dyn FnMut(ObjectReference)) {}
}

/// What a finalizer may ask the collector while dead objects are being finalized.
///
/// Invariant: exists only between the end of tracing and the start of reclamation, so every
/// from-space object is still readable (its GC word, and its forwarding word if moved).
pub struct FinalizeContext<'a> {
    pub(crate) header: usize,
    pub(crate) block_mask: usize,
    pub(crate) to_space: &'a HashSet<usize>,
}

impl FinalizeContext<'_> {
    /// Whether `obj` (any heap or EXTERNAL object, possibly a stale pre-move address) survives
    /// this collection.
    pub fn is_live(&self, obj: ObjectReference) -> bool {
        let cell = Cell::of_object(obj, self.header);
        let f = cell.flags().load(Ordering::Relaxed);
        if f & flags::FREED != 0 {
            return false;
        }
        if f & (flags::EXTERNAL | flags::MARK | flags::FORWARDED) != 0 {
            return true;
        }
        f & flags::LARGE == 0
            && self
                .to_space
                .contains(&(cell.ptr().addr().get() & self.block_mask))
    }

    /// The current address of a live object: follows the forwarding word of a moved-from copy,
    /// returns `obj` unchanged otherwise.
    pub fn forwarded(&self, obj: ObjectReference) -> ObjectReference {
        let cell = Cell::of_object(obj, self.header);
        if cell.flags().load(Ordering::Relaxed) & flags::FORWARDED != 0 {
            cell.forwarding()
        } else {
            obj
        }
    }
}
