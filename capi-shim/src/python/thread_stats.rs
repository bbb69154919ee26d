//! pyopaque-specific thread queries for C tests and benchmarks (`pyopaque_threads.h`):
//! whether threads may attach, and the stop-the-world statistics.

use std::sync::atomic::Ordering;

use crate::boundary::cx;
use crate::boundary::ffi::PyObject;

/// `int PyOpaque_ThreadsAllowed(void)`: 1 when more than one thread may use the API at once
/// (every scheme but `classic`).
#[no_mangle]
pub extern "C" fn PyOpaque_ThreadsAllowed() -> std::ffi::c_int {
    crate::cov!("PyOpaque_ThreadsAllowed");
    cx::global().rt.is_multithreaded() as std::ffi::c_int
}

/// `PyObject *PyOpaque_ThreadStats(void)`: a new tuple `(collections, collections_deferred,
/// stops, sync_ns_total, pause_ns_total, pause_ns_max)`; see `Runtime::stop_the_world_stats`.
#[no_mangle]
pub extern "C" fn PyOpaque_ThreadStats() -> *mut PyObject {
    crate::capi!("PyOpaque_ThreadStats", |cx| {
        let rt = cx.rt.clone();
        let (stops, sync, pause, pause_max) = rt.stop_the_world_stats();
        let figures = [
            rt.stats.collections.load(Ordering::Relaxed),
            rt.stats.collections_deferred.load(Ordering::Relaxed),
            stops,
            sync,
            pause,
            pause_max,
        ];
        let items: Vec<_> = figures.iter().map(|&v| cx.int(v as i64)).collect();
        let t = cx.tuple(&items);
        Ok(cx::new_ref_h(cx, t))
    })
}
