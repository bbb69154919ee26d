//! Borrowed access for the C API (`PyList_GetItem`, `PyList_GET_ITEM`,
//! `PySequence_Fast_ITEMS`): a `PyObject*` that must stay valid as long as the list holds the
//! element unchanged, without the caller owning a reference.
//!
//! * `object` storage: the stored reference.
//! * `int` storage with tagging on and a value fitting 63 bits: the immediate (no storage change).
//! * otherwise (`float` storage, tagging off, or an `i64` beyond the immediate range), per
//!   `Config::borrow_policy`:
//!   - `Deoptimize`: the list switches to `object` storage (PyPy's choice), counted in
//!     `RuntimeStats::borrow_deopts`;
//!   - `BoxCache`: a per-list cache of boxes beside the unboxed storage (one optional owned
//!     reference per element, moved along by every reordering, dropped when its element is
//!     replaced or removed, reused as the element's box when the list widens to `object`),
//!     each box created counted in `RuntimeStats::borrow_boxed`.
//!
//! [`Thread::list_items_ptr`] hands out the raw element array, which must be an array of
//! `ObjRef`: it always switches unboxed storage to `object` (even `int` storage with tagging on,
//! whose elements could be immediates: the unboxed array holds raw `i64`, not tagged words, and
//! C may write through the pointer). The pointer is valid until the list is next resized.

use std::sync::atomic::Ordering;

use super::strategy::{strategy_of, switch_to, Unboxed};
use super::{payload, Storage, Strategy};
use crate::config::BorrowPolicy;
use crate::objref::ObjRef;
use crate::thread::{Handle, Thread};

impl Thread {
    /// Element `i` as a borrowed reference (see the module documentation for how long it stays
    /// valid and what it may do to the storage). Panics when `i >= len` (the C API checks).
    pub fn list_borrow_item(&mut self, l: Handle, i: usize) -> ObjRef {
        self.list_check(l);
        let p = payload(self.get(l));
        assert!(i < p.len(), "list_borrow_item: index {i} out of range");
        match &p.storage {
            Storage::Object(v) => return v[i],
            Storage::Int(v) if self.tagging => {
                if let Some(r) = ObjRef::small_int(v[i]) {
                    return r;
                }
            }
            _ => {}
        }
        if let Some(Some(r)) = p.cache.as_ref().map(|c| c[i]) {
            return r;
        }
        match self.rt.config.borrow_policy {
            BorrowPolicy::Deoptimize => {
                switch_to(self, l, Strategy::Object);
                self.rt.stats.borrow_deopts.fetch_add(1, Ordering::Relaxed);
                match &payload(self.get(l)).storage {
                    Storage::Object(v) => v[i],
                    _ => unreachable!(),
                }
            }
            BorrowPolicy::BoxCache => {
                let p = payload(self.get(l));
                if p.cache.is_none() {
                    p.cache = Some(vec![None; p.len()]);
                    p.sync();
                }
                // The value is read before the allocation; the new box is stored before any
                // other allocation.
                let r = match &p.storage {
                    Storage::Int(v) => {
                        let x = v[i];
                        i64::wrap(self, x)
                    }
                    Storage::Float(v) => {
                        let x = v[i];
                        f64::wrap(self, x)
                    }
                    _ => unreachable!("unboxed storage"),
                };
                let p = payload(self.get(l));
                p.cache.as_mut().expect("cache")[i] = Some(r);
                self.rt.stats.borrow_boxed.fetch_add(1, Ordering::Relaxed);
                r
            }
        }
    }

    /// The element array as `ObjRef`s (for `PySequence_Fast_ITEMS` / `PyList_GET_ITEM`): switches
    /// unboxed storage to `object` (counted in `borrow_deopts`; `empty` switches silently).
    /// Valid for `list_len` elements until the list is next resized or widened.
    pub fn list_items_ptr(&mut self, l: Handle) -> *mut ObjRef {
        self.list_check(l);
        match strategy_of(self.get(l)) {
            Strategy::Object => {}
            Strategy::Empty => switch_to(self, l, Strategy::Object),
            Strategy::Int | Strategy::Float => {
                switch_to(self, l, Strategy::Object);
                self.rt.stats.borrow_deopts.fetch_add(1, Ordering::Relaxed);
            }
        }
        match &mut payload(self.get(l)).storage {
            Storage::Object(v) => v.as_mut_ptr(),
            _ => unreachable!(),
        }
    }
}
