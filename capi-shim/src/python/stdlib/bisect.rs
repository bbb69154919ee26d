//! A native `bisect` module: `bisect_left`, `bisect_right` (`bisect`), `insort_left`,
//! `insort_right` (`insort`), with `lo`, `hi` and the keyword-only `key` of CPython 3.10+,
//! comparing with `<` only, as `Modules/_bisectmodule.c`.

use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast_kw, fastcall_kw, Defs, END};
use crate::boundary::cx::{type_error, value_error};

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

/// The parsed arguments `(a, x, lo=0, hi=None, *, key=None)`.
struct Args {
    a: Handle,
    x: Handle,
    lo: i64,
    hi: Option<i64>,
    key: Option<Handle>,
}

fn parse(cx: &mut Thread, name: &str, pos: &[Handle], kw: &[(Handle, Handle)]) -> PyResult<Args> {
    let none = cx.rt.none;
    let mut slots: [Option<Handle>; 4] = [None; 4];
    if pos.len() > 4 {
        return Err(type_error(
            cx,
            &format!(
                "{name}() takes at most 4 positional arguments ({} given)",
                pos.len()
            ),
        ));
    }
    for (i, &p) in pos.iter().enumerate() {
        slots[i] = Some(p);
    }
    let mut key = None;
    for &(k, v) in kw {
        let ko = cx.get(k);
        let kn = cx.str_value(ko).unwrap_or("").to_string();
        let i = match kn.as_str() {
            "a" => 0,
            "x" => 1,
            "lo" => 2,
            "hi" => 3,
            "key" => {
                key = Some(v);
                continue;
            }
            _ => {
                return Err(type_error(
                    cx,
                    &format!("{name}() got an unexpected keyword argument '{kn}'"),
                ))
            }
        };
        if slots[i].is_some() {
            return Err(type_error(
                cx,
                &format!(
                    "argument for {name}() given by name ('{kn}') and position ({})",
                    i + 1
                ),
            ));
        }
        slots[i] = Some(v);
    }
    let (Some(a), Some(x)) = (slots[0], slots[1]) else {
        let missing = if slots[0].is_none() { "a" } else { "x" };
        return Err(type_error(
            cx,
            &format!(
                "{name}() missing required argument '{missing}' (pos {})",
                if slots[0].is_none() { 1 } else { 2 }
            ),
        ));
    };
    let lo = match slots[2] {
        Some(h) => super::as_i64(cx, h)?,
        None => 0,
    };
    if lo < 0 {
        return Err(value_error(cx, "lo must be non-negative"));
    }
    let hi = match slots[3] {
        Some(h) if cx.get(h) != none => Some(super::as_i64(cx, h)?),
        _ => None,
    };
    let key = key.filter(|k| cx.get(*k) != none);
    Ok(Args { a, x, lo, hi, key })
}

/// The insertion point of `x` in `a[lo:hi]` (`right`: after equal items).
fn search(cx: &mut Thread, args: &Args, x: Handle, right: bool) -> PyResult<i64> {
    let (mut lo, mut hi) = (args.lo, args.hi);
    let hi_v = match hi.take() {
        Some(h) => h,
        None => crate::r#abstract::object::length(cx, args.a)? as i64,
    };
    let mut hi = hi_v;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let mh = cx.int(mid);
        let mut item = crate::r#abstract::object::getitem(cx, args.a, mh)?;
        if let Some(k) = args.key {
            item = crate::r#abstract::call::call(cx, k, &[item], &[])?;
        }
        // Py_LT = 0.
        let less = if right {
            let r = crate::r#abstract::object::richcompare(cx, x, item, 0)?;
            crate::r#abstract::object::truth(cx, r)?
        } else {
            let r = crate::r#abstract::object::richcompare(cx, item, x, 0)?;
            !crate::r#abstract::object::truth(cx, r)?
        };
        if less {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

fn bisect_impl(
    cx: &mut Thread,
    name: &str,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
    right: bool,
) -> PyResult<Handle> {
    let args = parse(cx, name, pos, kw)?;
    let i = search(cx, &args, args.x, right)?;
    Ok(cx.int(i))
}

fn insort_impl(
    cx: &mut Thread,
    name: &str,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
    right: bool,
) -> PyResult<Handle> {
    let args = parse(cx, name, pos, kw)?;
    let k = match args.key {
        Some(key) => crate::r#abstract::call::call(cx, key, &[args.x], &[])?,
        None => args.x,
    };
    let i = search(cx, &args, k, right)?;
    let ih = cx.int(i);
    crate::r#abstract::call::call_method(cx, args.a, "insert", &[ih, args.x])?;
    Ok(cx.root(cx.rt.none))
}

fastcall_kw!(b_bisect_left, "bisect_left", |cx, _, a, k| bisect_impl(
    cx,
    "bisect_left",
    a,
    k,
    false
));
fastcall_kw!(b_bisect_right, "bisect_right", |cx, _, a, k| bisect_impl(
    cx,
    "bisect_right",
    a,
    k,
    true
));
fastcall_kw!(b_insort_left, "insort_left", |cx, _, a, k| insort_impl(
    cx,
    "insort_left",
    a,
    k,
    false
));
fastcall_kw!(b_insort_right, "insort_right", |cx, _, a, k| insort_impl(
    cx,
    "insort_right",
    a,
    k,
    true
));

static DEFS: Defs<7> = Defs([
    fast_kw(c"bisect_left", b_bisect_left),
    fast_kw(c"bisect_right", b_bisect_right),
    fast_kw(c"bisect", b_bisect_right),
    fast_kw(c"insort_left", b_insort_left),
    fast_kw(c"insort_right", b_insort_right),
    fast_kw(c"insort", b_insort_right),
    END,
]);

/// The `bisect` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "bisect", &DEFS.0)?;
    super::keep(cx, &MODULE, m);
    Ok(m)
}
