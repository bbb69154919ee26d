//! The external space: objects that never live in the moving heap (types, `None`, `True`,
//! `False`, cached small-int boxes). They have the same `[header][payload]` layout, their GC word
//! carries the collector's `EXTERNAL` flag (so it never marks, moves or frees them) and the
//! runtime's `IMMORTAL` flag. They are released when the runtime is dropped.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ptr::NonNull;

use parking_lot::Mutex;

use crate::header::HEADER_BYTES;
use crate::objref::ObjRef;

/// One external allocation: cell start, its layout, and the drop function of its payload.
type ExternalCell = (NonNull<u8>, Layout, unsafe fn(NonNull<u8>));

/// Owner of every external allocation of one runtime.
pub struct ExternalSpace {
    cells: Mutex<Vec<ExternalCell>>,
}

// SAFETY: the cells are owned allocations; the vector is behind a Mutex.
unsafe impl Send for ExternalSpace {}
// SAFETY: as above.
unsafe impl Sync for ExternalSpace {}

unsafe fn drop_payload<T>(payload: NonNull<u8>) {
    // SAFETY: registered only by `alloc::<T>` for a payload that holds an initialised `T`.
    unsafe { std::ptr::drop_in_place(payload.cast::<T>().as_ptr()) }
}

impl ExternalSpace {
    /// An empty space.
    pub fn new() -> Self {
        ExternalSpace {
            cells: Mutex::new(Vec::new()),
        }
    }

    /// Allocates an external object holding `value` as its payload, with `flags` (gc-owned
    /// `EXTERNAL` is always added) in the GC word, and the type word set to `ty` (or to the object
    /// itself when `ty` is `None`: `type` is its own type).
    pub fn alloc<T>(&self, ty: Option<ObjRef>, value: T, flags: u32) -> ObjRef {
        let payload_bytes = std::mem::size_of::<T>().max(8).next_multiple_of(8);
        let size = HEADER_BYTES + payload_bytes;
        let layout = Layout::from_size_align(size, 16.max(std::mem::align_of::<T>())).unwrap();
        // SAFETY: layout has non-zero size.
        let cell = unsafe { alloc_zeroed(layout) };
        let cell = NonNull::new(cell).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        // SAFETY: the allocation is HEADER_BYTES + size_of::<T>() bytes long; the payload starts at
        // HEADER_BYTES (8-aligned, and aligned for T because the cell is aligned to max(16, align)
        // and HEADER_BYTES is 32).
        let payload = unsafe { cell.byte_add(HEADER_BYTES) };
        // SAFETY: the payload region is in bounds, aligned for T and not yet initialised.
        unsafe { payload.cast::<T>().write(value) };
        // SAFETY: payload is the payload address of a cell laid out with a full header.
        let obj = unsafe { ObjRef::from_payload(payload) };
        crate::header::init_external_header(obj, size as u32, flags, ty.unwrap_or(obj));
        self.cells.lock().push((cell, layout, drop_payload::<T>));
        obj
    }
}

impl ExternalSpace {
    /// Calls `f` with every external object (its payload reference).
    pub fn for_each_object(&self, mut f: impl FnMut(ObjRef)) {
        for (cell, _, _) in self.cells.lock().iter() {
            // SAFETY: every cell has a full header and its payload starts HEADER_BYTES in.
            f(unsafe { ObjRef::from_payload(cell.byte_add(HEADER_BYTES)) });
        }
    }
}

impl Default for ExternalSpace {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ExternalSpace {
    fn drop(&mut self) {
        for (cell, layout, drop_fn) in self.cells.get_mut().drain(..) {
            // SAFETY: each cell was allocated by `alloc` with this layout and holds an initialised
            // payload of the type `drop_fn` was instantiated for; nothing uses it after the runtime
            // is dropped (all heap objects referring to it died with the heap first).
            unsafe {
                drop_fn(cell.byte_add(HEADER_BYTES));
                dealloc(cell.as_ptr(), layout);
            }
        }
    }
}
