//! A native `time` module: `time`, `time_ns`, `perf_counter`, `perf_counter_ns`, `monotonic`,
//! `monotonic_ns`, `process_time`, `process_time_ns` (the clocks CPython uses on Linux:
//! `CLOCK_REALTIME`, `CLOCK_MONOTONIC`, `CLOCK_PROCESS_CPUTIME_ID`) and `sleep`.

use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast, fastcall, nargs, Defs, END};

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

/// Nanoseconds of clock `id` (`clock_gettime`); OSError when the clock fails.
fn clock_ns(cx: &mut Thread, id: libc::clockid_t) -> PyResult<i128> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let r = unsafe { libc::clock_gettime(id, &mut ts) };
    if r != 0 {
        return Err(super::raise(cx, "OSError", "clock_gettime failed"));
    }
    Ok(ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128)
}

fn seconds(cx: &mut Thread, name: &str, args: &[Handle], id: libc::clockid_t) -> PyResult<Handle> {
    nargs(cx, name, args, 0, 0)?;
    let ns = clock_ns(cx, id)?;
    Ok(cx.float(ns as f64 * 1e-9))
}

fn nanoseconds(
    cx: &mut Thread,
    name: &str,
    args: &[Handle],
    id: libc::clockid_t,
) -> PyResult<Handle> {
    nargs(cx, name, args, 0, 0)?;
    let ns = clock_ns(cx, id)?;
    Ok(super::big(cx, num_bigint::BigInt::from(ns)))
}

fastcall!(t_time, "time", |cx, _, a| seconds(
    cx,
    "time",
    a,
    libc::CLOCK_REALTIME
));
fastcall!(t_time_ns, "time_ns", |cx, _, a| nanoseconds(
    cx,
    "time_ns",
    a,
    libc::CLOCK_REALTIME
));
fastcall!(t_perf_counter, "perf_counter", |cx, _, a| seconds(
    cx,
    "perf_counter",
    a,
    libc::CLOCK_MONOTONIC
));
fastcall!(
    t_perf_counter_ns,
    "perf_counter_ns",
    |cx, _, a| nanoseconds(cx, "perf_counter_ns", a, libc::CLOCK_MONOTONIC)
);
fastcall!(t_monotonic, "monotonic", |cx, _, a| seconds(
    cx,
    "monotonic",
    a,
    libc::CLOCK_MONOTONIC
));
fastcall!(t_monotonic_ns, "monotonic_ns", |cx, _, a| nanoseconds(
    cx,
    "monotonic_ns",
    a,
    libc::CLOCK_MONOTONIC
));
fastcall!(t_process_time, "process_time", |cx, _, a| seconds(
    cx,
    "process_time",
    a,
    libc::CLOCK_PROCESS_CPUTIME_ID
));
fastcall!(
    t_process_time_ns,
    "process_time_ns",
    |cx, _, a| nanoseconds(cx, "process_time_ns", a, libc::CLOCK_PROCESS_CPUTIME_ID)
);

fn sleep(cx: &mut Thread, _: Option<Handle>, args: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "sleep", args, 1, 1)?;
    let o = cx.get(args[0]);
    if cx.int_value(o).is_none() && !crate::boundary::cx::is_exact_float(o) {
        let tn = crate::boundary::cx::tname(cx, o);
        return Err(crate::boundary::cx::type_error(
            cx,
            &format!("'{tn}' object cannot be interpreted as an integer or float"),
        ));
    }
    let secs = super::as_f64(cx, args[0])?;
    if secs.is_nan() {
        return Err(crate::boundary::cx::value_error(
            cx,
            "Invalid value NaN (not a number)",
        ));
    }
    if secs < 0.0 {
        return Err(crate::boundary::cx::value_error(
            cx,
            "sleep length must be non-negative",
        ));
    }
    if !secs.is_finite() || secs > 9.2e9 {
        return Err(crate::boundary::cx::overflow_error(
            cx,
            "sleep length is too large",
        ));
    }
    cx.allow_threads(|| std::thread::sleep(std::time::Duration::from_secs_f64(secs)));
    Ok(cx.root(cx.rt.none))
}
fastcall!(t_sleep, "sleep", sleep);

static DEFS: Defs<10> = Defs([
    fast(c"time", t_time),
    fast(c"time_ns", t_time_ns),
    fast(c"perf_counter", t_perf_counter),
    fast(c"perf_counter_ns", t_perf_counter_ns),
    fast(c"monotonic", t_monotonic),
    fast(c"monotonic_ns", t_monotonic_ns),
    fast(c"process_time", t_process_time),
    fast(c"process_time_ns", t_process_time_ns),
    fast(c"sleep", t_sleep),
    END,
]);

/// The `time` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "time", &DEFS.0)?;
    super::keep(cx, &MODULE, m);
    Ok(m)
}
