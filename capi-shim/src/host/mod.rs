//! # host: what the host process calls (not part of CPython's API)
//!
//! The entry points the `pyopaque` CLI and the test child (`src/bin/pyopaque-ext-child.rs`) call:
//! the test runner ([`runner`], behind `pyopaque_capi_run_tests`), calling benchmark functions of
//! an extension for `pyopaque report`, the implementability matrix as JSON, and the allocator
//! statistics the benchmark extension reads under `#ifdef PYOPAQUE` (this file).
//!
//! **May import:** everything (it sits on top: it loads extensions, initialises their modules
//! and calls their functions through the layers below). Nothing but the crate root imports it.

pub mod runner;

use std::ffi::{c_char, c_int, CStr, CString};
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use pyopaque_runtime::{Config, Thread};
use serde_json::{json, Map, Value};

use crate::boundary::cx;
use crate::verdict::{all_entries, verdict_for, EntryKind, Verdict};

/// Pinning statistics of the process's runtime: (collections, pinned objects, live objects),
/// each summed over all collections so far.
fn pin_counters(cx: &Thread) -> (u64, u64, u64) {
    let s = &cx.rt.stats;
    (
        s.collections.load(Ordering::Relaxed),
        s.pinned_total.load(Ordering::Relaxed),
        s.live_total.load(Ordering::Relaxed),
    )
}

/// Converts a benchmark function's result: a float, an int, or a tuple of numbers.
fn result_json(cx: &mut Thread, h: pyopaque_runtime::Handle) -> Value {
    let o = cx.get(h);
    if let Some(f) = cx.float_value(o) {
        return json!(f);
    }
    if let Some(n) = cx.tuple_len(o) {
        let items: Vec<Value> = (0..n)
            .map(|i| {
                let x = cx.tuple_get(cx.get(h), i);
                match x {
                    Some(x) => match cx.float_value(x) {
                        Some(f) => json!(f),
                        None => cx
                            .int_value(x)
                            .map(|v| {
                                json!(v.to_big().to_string().parse::<f64>().unwrap_or(f64::NAN))
                            })
                            .unwrap_or(Value::Null),
                    },
                    None => Value::Null,
                }
            })
            .collect();
        return json!(items);
    }
    match cx.int_value(o) {
        Some(v) => json!(v.to_big().to_string().parse::<f64>().unwrap_or(f64::NAN)),
        None => Value::Null,
    }
}

/// `int pyopaque_capi_call_functions(const char *so, const char *module, const char *names)`:
/// loads the extension, then calls each comma-separated module-level function with no
/// arguments and prints one line `JSON {"name": result, ..., "__pinning": {...}}` (results:
/// float, or list of floats for tuples). Returns 0, or 1 when a call failed (the error is
/// printed to stderr and that name is omitted).
///
/// # Safety
/// All three arguments are C strings.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_call_functions(
    so: *const c_char,
    module: *const c_char,
    names: *const c_char,
) -> c_int {
    // SAFETY: caller's contract: C strings.
    let (so, module, names) = unsafe {
        (
            CStr::from_ptr(so).to_string_lossy().into_owned(),
            CStr::from_ptr(module).to_string_lossy().into_owned(),
            CStr::from_ptr(names).to_string_lossy().into_owned(),
        )
    };
    let r = std::panic::catch_unwind(|| {
        crate::host::runner::with_module(&so, &module, |cx, m| {
            let mut out = Map::new();
            let mut pinning = Map::new();
            let mut failed = false;
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let mark = cx.mark();
                let before = pin_counters(cx);
                let r = crate::r#abstract::object::getattr(cx, m, name).and_then(|f| {
                    cx.begin_native_call();
                    let r = crate::r#abstract::call::call(cx, f, &[], &[]);
                    cx.end_native_call();
                    r
                });
                cx::drain_deferred(cx);
                match r {
                    Ok(v) if cx.error().is_none() => {
                        out.insert(name.to_string(), result_json(cx, v));
                    }
                    _ => {
                        failed = true;
                        let msg = match cx.take_error() {
                            Some(e) => cx.describe_exception(e),
                            None => "returned a result with an exception set".into(),
                        };
                        eprintln!("{module}.{name}: {msg}");
                    }
                }
                let after = pin_counters(cx);
                pinning.insert(
                    name.to_string(),
                    json!({"collections": after.0 - before.0, "pinned": after.1 - before.1,
                           "live": after.2 - before.2}),
                );
                cx.release(mark);
            }
            out.insert("__pinning".into(), Value::Object(pinning));
            println!("JSON {}", Value::Object(out));
            failed
        })
    });
    match r {
        Ok(Ok(false)) => 0,
        Ok(Ok(true)) => 1,
        Ok(Err(e)) => {
            eprintln!("{e}");
            1
        }
        Err(_) => {
            eprintln!("pyopaque_capi_call_functions: panic");
            1
        }
    }
}

/// The matrix as JSON, in the shape of `docs/capi-matrix.json`:
/// `{"configurations": [...], "entries": [{"name", "kind", "limited", "verdicts": {config:
/// {"verdict", "cost", "reason"}}, "tests": []}]}` for every configuration of `Config::all()`.
pub fn matrix_json() -> Value {
    let configs = Config::all();
    let labels: Vec<String> = configs.iter().map(Config::label).collect();
    let entries: Vec<Value> = all_entries()
        .iter()
        .map(|e| {
            let mut verdicts = Map::new();
            for (c, label) in configs.iter().zip(&labels) {
                let v = verdict_for(e, c);
                let (cost, reason) = match &v {
                    Verdict::WorksWithCost(s) => (Some(s.clone()), None),
                    Verdict::NotImplementable(s) | Verdict::NotApplicable(s) => (None, Some(s.clone())),
                    _ => (None, None),
                };
                verdicts.insert(
                    label.clone(),
                    json!({"verdict": v.label(), "cost": cost, "reason": reason}),
                );
            }
            json!({
                "name": e.name,
                "kind": match e.kind { EntryKind::Function => "function", EntryKind::Data => "data" },
                "limited": e.limited,
                "verdicts": verdicts,
                "tests": e.tests,
            })
        })
        .collect();
    json!({"configurations": labels, "entries": entries})
}

/// `const char *pyopaque_capi_matrix_json(void)`: [`matrix_json`] as a NUL-terminated string
/// owned by the library (computed once).
#[no_mangle]
pub extern "C" fn pyopaque_capi_matrix_json() -> *const c_char {
    static TEXT: OnceLock<CString> = OnceLock::new();
    TEXT.get_or_init(|| {
        let text = std::panic::catch_unwind(|| matrix_json().to_string())
            .unwrap_or_else(|_| "{\"error\": \"panic while building the matrix\"}".into());
        CString::new(text).unwrap_or_default()
    })
    .as_ptr()
}

/// `double PyOpaque_AllocatedBytes(void)`: bytes the runtime holds for objects now: heap cells
/// allocated and not freed (by count or collection) plus off-heap container storage. 0 before
/// the runtime starts.
#[no_mangle]
pub extern "C" fn PyOpaque_AllocatedBytes() -> f64 {
    std::panic::catch_unwind(|| {
        if !cx::initialised() {
            return 0.0;
        }
        let rt = &cx::global().rt;
        let heap = rt.heap_stats();
        (heap.live_bytes_estimate + rt.stats.off_heap_bytes.load(Ordering::Relaxed)) as f64
    })
    .unwrap_or(0.0)
}
