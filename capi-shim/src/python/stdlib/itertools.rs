//! A native `itertools` module: `count`, `repeat`, `chain` (and `chain.from_iterable` as the
//! function `chain_from_iterable`... see below), `islice`, `pairwise`, `product`,
//! `permutations`, `combinations`, `accumulate` (without `initial`), each an iterator type with
//! CPython's results and argument errors. `chain.from_iterable` is a class method of `chain`.
//!
//! Every iterator is an instance of a spec type whose struct holds one pointer to a boxed
//! [`State`]: the objects it references are C-held references in `State::refs` (pinned,
//! reported by `tp_traverse`, released in `tp_dealloc`). While `__next__` runs the state is
//! taken out of the instance, so a re-entrant `next()` on the same iterator is a ValueError
//! (as a running generator), never two mutable borrows.

use std::ffi::{c_int, c_void, CStr};
use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{nargs, Defs, END};
use crate::boundary::cx::{self, new_ref_h, type_error, value_error};
use crate::boundary::ffi::*;

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

/// What an iterator does.
enum Kind {
    /// refs: [current, step].
    Count,
    /// refs: [object]; `None` repeats forever.
    Repeat(Option<i64>),
    /// refs: [iterator of iterables, current iterator or NULL].
    Chain,
    /// refs: [iterator]; next index to yield, stop (None: unbounded), step, items consumed.
    ISlice {
        next: i64,
        stop: Option<i64>,
        step: i64,
        seen: i64,
    },
    /// refs: [iterator, previous item or NULL].
    Pairwise,
    /// refs: pools (tuples); current indices (None before the first result).
    Product(Option<Vec<usize>>),
    /// refs: [pool]; r, indices, cycles, started.
    Permutations {
        r: usize,
        indices: Vec<usize>,
        cycles: Vec<usize>,
        started: bool,
    },
    /// refs: [pool]; r, indices, started.
    Combinations {
        r: usize,
        indices: Vec<usize>,
        started: bool,
    },
    /// refs: [iterator, function or NULL, total or NULL].
    Accumulate,
    /// Exhausted (refs released).
    Done,
}

/// The state of an iterator (boxed; owned by the instance).
struct State {
    refs: Vec<*mut PyObject>,
    kind: Kind,
}

/// The instance struct: the boxed state (NULL while `__next__` runs, or before `tp_new`).
#[repr(C)]
struct ItObj {
    state: *mut State,
}

fn get(cx: &mut Thread, refs: &[*mut PyObject], i: usize) -> Option<Handle> {
    // SAFETY: refs are NULL or C-held references owned by the state.
    unsafe { super::held(cx, refs[i]) }
}

fn set(cx: &mut Thread, refs: &mut [*mut PyObject], i: usize, v: Option<Handle>) {
    let new = match v {
        Some(h) => super::hold(cx, h),
        None => std::ptr::null_mut(),
    };
    let old = std::mem::replace(&mut refs[i], new);
    // SAFETY: `old` is NULL or a reference the state owned.
    if let Some(o) = unsafe { cx::from_c(old) } {
        cx::release_c_ref(cx, o, "itertools");
    }
}

/// Marks `st` exhausted and releases what it references.
fn finish(cx: &mut Thread, st: &mut State) {
    for i in 0..st.refs.len() {
        set(cx, &mut st.refs, i, None);
    }
    st.kind = Kind::Done;
}

fn tuple_from(cx: &mut Thread, pools: &[Handle], idx: &[usize]) -> Handle {
    let items: Vec<Handle> = pools
        .iter()
        .zip(idx)
        .map(|(p, &i)| {
            let t = cx.get(*p);
            let o = cx.tuple_get(t, i).expect("index in pool");
            cx.root(o)
        })
        .collect();
    cx.tuple(&items)
}

fn pool_items(cx: &mut Thread, pool: Handle, idx: &[usize]) -> Handle {
    let items: Vec<Handle> = idx
        .iter()
        .map(|&i| {
            let t = cx.get(pool);
            let o = cx.tuple_get(t, i).expect("index in pool");
            cx.root(o)
        })
        .collect();
    cx.tuple(&items)
}

fn step(cx: &mut Thread, st: &mut State) -> PyResult<Option<Handle>> {
    let State { refs, kind } = st;
    match kind {
        Kind::Done => Ok(None),
        Kind::Count => {
            let cur = get(cx, refs, 0).expect("set");
            let step = get(cx, refs, 1).expect("set");
            let nx = super::c1(cx, "count", &[cur, step], |a| {
                // SAFETY: borrowed arguments pinned for the call.
                unsafe { crate::r#abstract::number::PyNumber_Add(a[0], a[1]) }
            })?;
            set(cx, refs, 0, Some(nx));
            Ok(Some(cur))
        }
        Kind::Repeat(times) => {
            if let Some(t) = times {
                if *t <= 0 {
                    return Ok(None);
                }
                *t -= 1;
            }
            Ok(get(cx, refs, 0))
        }
        Kind::Chain => loop {
            if let Some(cur) = get(cx, refs, 1) {
                if let Some(v) = crate::r#abstract::object::next(cx, cur)? {
                    return Ok(Some(v));
                }
                set(cx, refs, 1, None);
            }
            let src = get(cx, refs, 0).expect("set");
            match crate::r#abstract::object::next(cx, src)? {
                Some(iterable) => {
                    let it = crate::r#abstract::object::iter(cx, iterable)?;
                    set(cx, refs, 1, Some(it));
                }
                None => {
                    return Ok(None);
                }
            }
        },
        Kind::ISlice {
            next,
            stop,
            step,
            seen,
        } => {
            let (nx, stp, sp) = (*next, *stop, *step);
            let it = get(cx, refs, 0).expect("set");
            if stp.is_some_and(|s| nx >= s) {
                // Consume up to stop, as CPython does, then end.
                let s = stp.expect("checked");
                loop {
                    if *seen >= s {
                        break;
                    }
                    *seen += 1;
                    if crate::r#abstract::object::next(cx, it)?.is_none() {
                        break;
                    }
                }
                return Ok(None);
            }
            let mut cur_seen = *seen;
            loop {
                let Some(v) = crate::r#abstract::object::next(cx, it)? else {
                    return Ok(None);
                };
                cur_seen += 1;
                if cur_seen - 1 == nx {
                    *next = nx + sp;
                    *seen = cur_seen;
                    return Ok(Some(v));
                }
            }
        }
        Kind::Pairwise => {
            let it = get(cx, refs, 0).expect("set");
            let old = match get(cx, refs, 1) {
                Some(o) => o,
                None => match crate::r#abstract::object::next(cx, it)? {
                    Some(o) => o,
                    None => {
                        return Ok(None);
                    }
                },
            };
            let Some(new) = crate::r#abstract::object::next(cx, it)? else {
                return Ok(None);
            };
            set(cx, refs, 1, Some(new));
            Ok(Some(cx.tuple(&[old, new])))
        }
        Kind::Product(indices) => {
            let pools: Vec<Handle> = (0..refs.len())
                .map(|i| get(cx, refs, i).expect("set"))
                .collect();
            let lens: Vec<usize> = pools
                .iter()
                .map(|p| cx.tuple_len(cx.get(*p)).unwrap_or(0))
                .collect();
            let idx = match indices.take() {
                None => {
                    if lens.contains(&0) {
                        return Ok(None);
                    }
                    vec![0; pools.len()]
                }
                Some(mut idx) => {
                    // Advance like an odometer from the right.
                    let mut i = idx.len();
                    loop {
                        if i == 0 {
                            return Ok(None);
                        }
                        i -= 1;
                        idx[i] += 1;
                        if idx[i] < lens[i] {
                            break;
                        }
                        idx[i] = 0;
                    }
                    idx
                }
            };
            let t = tuple_from(cx, &pools, &idx);
            *indices = Some(idx);
            Ok(Some(t))
        }
        Kind::Permutations {
            r,
            indices,
            cycles,
            started,
        } => {
            let pool = get(cx, refs, 0).expect("set");
            let n = cx.tuple_len(cx.get(pool)).unwrap_or(0);
            let r = *r;
            if r > n {
                return Ok(None);
            }
            if !*started {
                *started = true;
                let t = pool_items(cx, pool, &indices[..r]);
                return Ok(Some(t));
            }
            if n == 0 {
                return Ok(None);
            }
            let mut i = r;
            let mut found = false;
            while i > 0 {
                i -= 1;
                cycles[i] -= 1;
                if cycles[i] == 0 {
                    let x = indices.remove(i);
                    indices.push(x);
                    cycles[i] = n - i;
                } else {
                    let j = cycles[i];
                    indices.swap(i, n - j);
                    found = true;
                    break;
                }
            }
            if !found {
                return Ok(None);
            }
            let idx = indices[..r].to_vec();
            Ok(Some(pool_items(cx, pool, &idx)))
        }
        Kind::Combinations {
            r,
            indices,
            started,
        } => {
            let pool = get(cx, refs, 0).expect("set");
            let n = cx.tuple_len(cx.get(pool)).unwrap_or(0);
            let r = *r;
            if r > n {
                return Ok(None);
            }
            if !*started {
                *started = true;
                let idx = indices.clone();
                return Ok(Some(pool_items(cx, pool, &idx)));
            }
            let mut i = r;
            let mut found = false;
            while i > 0 {
                i -= 1;
                if indices[i] != i + n - r {
                    found = true;
                    break;
                }
            }
            if !found {
                return Ok(None);
            }
            indices[i] += 1;
            for j in i + 1..r {
                indices[j] = indices[j - 1] + 1;
            }
            let idx = indices.clone();
            Ok(Some(pool_items(cx, pool, &idx)))
        }
        Kind::Accumulate => {
            let it = get(cx, refs, 0).expect("set");
            let Some(v) = crate::r#abstract::object::next(cx, it)? else {
                return Ok(None);
            };
            let total = match get(cx, refs, 2) {
                None => v,
                Some(t) => match get(cx, refs, 1) {
                    Some(f) => crate::r#abstract::call::call(cx, f, &[t, v], &[])?,
                    None => super::c1(cx, "accumulate", &[t, v], |a| {
                        // SAFETY: borrowed arguments pinned for the call.
                        unsafe { crate::r#abstract::number::PyNumber_Add(a[0], a[1]) }
                    })?,
                },
            };
            set(cx, refs, 2, Some(total));
            Ok(Some(total))
        }
    }
}

/// The next item of `st` (None when exhausted: the state is then released).
fn next_of(cx: &mut Thread, st: &mut State) -> PyResult<Option<Handle>> {
    let r = step(cx, st)?;
    if r.is_none() {
        finish(cx, st);
    }
    Ok(r)
}

unsafe extern "C" fn it_next(me: *mut PyObject) -> *mut PyObject {
    let p = me.cast::<ItObj>();
    cx::api("itertools.__next__", |cx| {
        // SAFETY: a live, pinned instance of an itertools type.
        let sp = unsafe { std::mem::replace(&mut (*p).state, std::ptr::null_mut()) };
        if sp.is_null() {
            return Err(value_error(cx, "itertools iterator already executing"));
        }
        // SAFETY: the state was boxed by `tp_new` and is owned here until put back.
        let st = unsafe { &mut *sp };
        let r = next_of(cx, st);
        // SAFETY: as above: the state goes back to its instance.
        unsafe { (*p).state = sp };
        match r? {
            Some(v) => Ok(new_ref_h(cx, v)),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

unsafe extern "C" fn it_iter(me: *mut PyObject) -> *mut PyObject {
    // SAFETY: the instance the slot was called with.
    unsafe { crate::boundary::refcount::Py_IncRef(me) };
    me
}

unsafe extern "C" fn it_traverse(me: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live instance; its state is NULL or owned by it.
    let sp = unsafe { (*me.cast::<ItObj>()).state };
    if sp.is_null() {
        return 0;
    }
    // SAFETY: as above; refs are NULL or held references.
    unsafe { super::visit_all(&(*sp).refs, visit, arg) }
}

unsafe extern "C" fn it_dealloc(me: *mut PyObject) {
    // SAFETY: the instance is being deallocated: its state is dropped once, its references
    // given up, its memory freed last.
    unsafe {
        let p = me.cast::<ItObj>();
        let sp = std::mem::replace(&mut (*p).state, std::ptr::null_mut());
        if !sp.is_null() {
            let st = Box::from_raw(sp);
            for &r in &st.refs {
                super::release(r);
            }
        }
        super::free_instance(me);
    }
}

/// A new instance of `ty` owning `st`.
fn instance(cx: &mut Thread, ty: Handle, refs: &[Option<Handle>], kind: Kind) -> PyResult<Handle> {
    let t = cx.get(ty);
    let me = crate::types::typeobject::call_alloc(cx, t, 0)?;
    let refs = refs
        .iter()
        .map(|r| match r {
            Some(h) => super::hold(cx, *h),
            None => std::ptr::null_mut(),
        })
        .collect();
    let st = Box::into_raw(Box::new(State { refs, kind }));
    // SAFETY: a fresh, zeroed instance of an itertools type.
    unsafe { (*super::inst::<ItObj>(cx, me)).state = st };
    Ok(me)
}

/// Positional arguments and keyword pairs of a `tp_new` call.
type NewArgs = (Vec<Handle>, Vec<(Handle, Handle)>);

/// The body of a constructor.
type Ctor = fn(&mut Thread, Handle, NewArgs) -> PyResult<Handle>;

/// Runs constructor `f` as a `tp_new`.
///
/// # Safety
/// The arguments of `tp_new`.
unsafe fn run_new(
    name: &'static str,
    ty: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
    f: Ctor,
) -> *mut PyObject {
    cx::api(name, |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { cx::harg(cx, ty) }?;
        // SAFETY: caller's contract.
        let pos = unsafe { super::tuple_arg(cx, args) }?;
        // SAFETY: caller's contract.
        let kws = unsafe { super::dict_arg(cx, kw) }?;
        let me = f(cx, t, (pos, kws))?;
        Ok(new_ref_h(cx, me))
    })
}

/// Stores each keyword argument in the slot of the parameter it names (`params[i]` fills
/// `slots[i]`); a name that is not a parameter, or one already given positionally, raises
/// CPython's `NAME() got an unexpected keyword argument 'k'`.
fn bind_keywords(
    cx: &mut Thread,
    fname: &str,
    params: &[&str],
    slots: &mut [Option<Handle>],
    kw: Vec<(Handle, Handle)>,
) -> PyResult<()> {
    for (k, v) in kw {
        let n = kw_name(cx, k);
        match params.iter().position(|p| *p == n) {
            Some(i) if slots[i].is_none() => slots[i] = Some(v),
            _ => {
                return Err(type_error(
                    cx,
                    &format!("{fname}() got an unexpected keyword argument '{n}'"),
                ))
            }
        }
    }
    Ok(())
}

fn kw_name(cx: &mut Thread, k: Handle) -> String {
    let o = cx.get(k);
    cx.str_value(o).unwrap_or("").to_string()
}

fn no_kwargs(cx: &mut Thread, name: &str, kw: &[(Handle, Handle)]) -> PyResult<()> {
    if kw.is_empty() {
        return Ok(());
    }
    Err(type_error(
        cx,
        &format!("{name}() takes no keyword arguments"),
    ))
}

fn is_number(cx: &mut Thread, h: Handle) -> bool {
    let o = cx.get(h);
    let p = cx::borrowed(cx, o);
    // SAFETY: a borrowed reference pinned for this native call's scope (thread-free check).
    cx::publish(cx, || unsafe {
        crate::r#abstract::number::PyNumber_Check(p)
    }) == 1
}

fn count_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    nargs(cx, "count", &pos, 0, 2)?;
    let (start, step) = (pos.first().copied(), pos.get(1).copied());
    let mut slots = [start, step];
    bind_keywords(cx, "count", &["start", "step"], &mut slots, kw)?;
    let [start, step] = slots;
    let start = start.unwrap_or_else(|| cx.int(0));
    let step = step.unwrap_or_else(|| cx.int(1));
    if !is_number(cx, start) || !is_number(cx, step) {
        return Err(type_error(cx, "a number is required"));
    }
    instance(cx, t, &[Some(start), Some(step)], Kind::Count)
}

fn repeat_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    let (obj, times) = (pos.first().copied(), pos.get(1).copied());
    if pos.len() > 2 {
        return Err(type_error(
            cx,
            &format!("repeat expected at most 2 arguments, got {}", pos.len()),
        ));
    }
    let mut slots = [obj, times];
    bind_keywords(cx, "repeat", &["object", "times"], &mut slots, kw)?;
    let [obj, times] = slots;
    let Some(obj) = obj else {
        return Err(type_error(
            cx,
            "repeat() missing required argument 'object' (pos 1)",
        ));
    };
    let times = match times {
        Some(h) => Some(super::as_i64(cx, h)?.max(0)),
        None => None,
    };
    instance(cx, t, &[Some(obj)], Kind::Repeat(times))
}

fn chain_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    no_kwargs(cx, "chain", &kw)?;
    let tup = cx.tuple(&pos);
    let src = crate::r#abstract::object::iter(cx, tup)?;
    instance(cx, t, &[Some(src), None], Kind::Chain)
}

fn chain_from_iterable(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "from_iterable", a, 1, 1)?;
    let t = match s {
        Some(t) => t,
        None => chain_type(cx)?,
    };
    let src = crate::r#abstract::object::iter(cx, a[0])?;
    instance(cx, t, &[Some(src), None], Kind::Chain)
}
super::fastcall!(i_chain_from_iterable, "from_iterable", chain_from_iterable);

fn islice_arg(cx: &mut Thread, h: Handle) -> PyResult<Option<i64>> {
    if cx.get(h) == cx.rt.none {
        return Ok(None);
    }
    let o = cx.get(h);
    if cx.int_value(o).is_none() {
        return Err(value_error(
            cx,
            "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
        ));
    }
    Ok(Some(super::as_i64(cx, h)?))
}

fn islice_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    no_kwargs(cx, "islice", &kw)?;
    nargs(cx, "islice", &pos, 2, 4)?;
    let (start, stop, step) = if pos.len() == 2 {
        let stop = islice_arg(cx, pos[1])?;
        (0, stop, 1)
    } else {
        let msg = "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
        let start = match islice_arg(cx, pos[1]) {
            Ok(v) => v.unwrap_or(0),
            Err(_) => {
                cx.clear_error();
                return Err(value_error(cx, msg));
            }
        };
        let stop = match islice_arg(cx, pos[2]) {
            Ok(v) => v,
            Err(_) => {
                cx.clear_error();
                return Err(value_error(cx, msg));
            }
        };
        let step = match pos.get(3) {
            Some(&h) => match islice_arg(cx, h) {
                Ok(v) => v.unwrap_or(1),
                Err(_) => {
                    cx.clear_error();
                    return Err(value_error(
                        cx,
                        "Step for islice() must be a positive integer or None.",
                    ));
                }
            },
            None => 1,
        };
        if start < 0 || stop.is_some_and(|s| s < 0) {
            return Err(value_error(cx, msg));
        }
        if step <= 0 {
            return Err(value_error(
                cx,
                "Step for islice() must be a positive integer or None.",
            ));
        }
        (start, stop, step)
    };
    if stop.is_some_and(|s| s < 0) {
        return Err(value_error(
            cx,
            "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
        ));
    }
    let it = crate::r#abstract::object::iter(cx, pos[0])?;
    instance(
        cx,
        t,
        &[Some(it)],
        Kind::ISlice {
            next: start,
            stop,
            step,
            seen: 0,
        },
    )
}

fn pairwise_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    no_kwargs(cx, "pairwise", &kw)?;
    nargs(cx, "pairwise", &pos, 1, 1)?;
    let it = crate::r#abstract::object::iter(cx, pos[0])?;
    instance(cx, t, &[Some(it), None], Kind::Pairwise)
}

fn product_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    let mut repeat = 1i64;
    for (k, v) in kw {
        match kw_name(cx, k).as_str() {
            "repeat" => repeat = super::as_i64(cx, v)?,
            n => {
                let n = n.to_string();
                return Err(type_error(
                    cx,
                    &format!("product() got an unexpected keyword argument '{n}'"),
                ));
            }
        }
    }
    if repeat < 0 {
        return Err(value_error(cx, "repeat argument cannot be negative"));
    }
    let mut pools = Vec::new();
    for &p in &pos {
        pools.push(crate::r#abstract::sequence::to_tuple(cx, p)?);
    }
    let mut all = Vec::new();
    for _ in 0..repeat {
        all.extend(pools.iter().map(|p| Some(*p)));
    }
    instance(cx, t, &all, Kind::Product(None))
}

fn r_arg(cx: &mut Thread, name: &str, h: Handle) -> PyResult<usize> {
    let r = super::as_i64(cx, h)?;
    if r < 0 {
        return Err(value_error(cx, "r must be non-negative"));
    }
    let _ = name;
    Ok(r as usize)
}

fn permutations_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    let (it, r) = (pos.first().copied(), pos.get(1).copied());
    if pos.len() > 2 {
        return Err(type_error(
            cx,
            &format!(
                "permutations() takes at most 2 arguments ({} given)",
                pos.len()
            ),
        ));
    }
    let mut slots = [it, r];
    bind_keywords(cx, "permutations", &["iterable", "r"], &mut slots, kw)?;
    let [it, r] = slots;
    let Some(it) = it else {
        return Err(type_error(
            cx,
            "permutations() missing required argument 'iterable' (pos 1)",
        ));
    };
    let pool = crate::r#abstract::sequence::to_tuple(cx, it)?;
    let n = cx.tuple_len(cx.get(pool)).unwrap_or(0);
    let r = match r.filter(|h| cx.get(*h) != cx.rt.none) {
        Some(h) => r_arg(cx, "permutations", h)?,
        None => n,
    };
    let indices: Vec<usize> = (0..n).collect();
    let cycles: Vec<usize> = (0..r.min(n)).map(|i| n - i).collect();
    instance(
        cx,
        t,
        &[Some(pool)],
        Kind::Permutations {
            r,
            indices,
            cycles,
            started: false,
        },
    )
}

fn combinations_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    let (it, r) = (pos.first().copied(), pos.get(1).copied());
    let mut slots = [it, r];
    bind_keywords(cx, "combinations", &["iterable", "r"], &mut slots, kw)?;
    let [it, r] = slots;
    if pos.len() > 2 {
        return Err(type_error(
            cx,
            &format!(
                "combinations() takes at most 2 arguments ({} given)",
                pos.len()
            ),
        ));
    }
    let (Some(it), Some(r)) = (it, r) else {
        let which = if it.is_none() {
            "iterable' (pos 1)"
        } else {
            "r' (pos 2)"
        };
        return Err(type_error(
            cx,
            &format!("combinations() missing required argument '{which}"),
        ));
    };
    let pool = crate::r#abstract::sequence::to_tuple(cx, it)?;
    let r = r_arg(cx, "combinations", r)?;
    instance(
        cx,
        t,
        &[Some(pool)],
        Kind::Combinations {
            r,
            indices: (0..r).collect(),
            started: false,
        },
    )
}

fn accumulate_new(cx: &mut Thread, t: Handle, (pos, kw): NewArgs) -> PyResult<Handle> {
    let (mut it, mut func) = (pos.first().copied(), pos.get(1).copied());
    if pos.len() > 2 {
        return Err(type_error(
            cx,
            &format!(
                "accumulate() takes at most 2 arguments ({} given)",
                pos.len()
            ),
        ));
    }
    for (k, v) in kw {
        match kw_name(cx, k).as_str() {
            "iterable" if it.is_none() => it = Some(v),
            "func" if func.is_none() => func = Some(v),
            "initial" if cx.get(v) == cx.rt.none => {}
            n => {
                let n = n.to_string();
                return Err(type_error(
                    cx,
                    &format!("accumulate() got an unexpected keyword argument '{n}'"),
                ));
            }
        }
    }
    let Some(it) = it else {
        return Err(type_error(
            cx,
            "accumulate() missing required argument 'iterable' (pos 1)",
        ));
    };
    let func = func.filter(|h| cx.get(*h) != cx.rt.none);
    let src = crate::r#abstract::object::iter(cx, it)?;
    instance(cx, t, &[Some(src), func, None], Kind::Accumulate)
}

macro_rules! itertype {
    ($fn_name:ident, $slot:ident, $newfn:ident, $name:literal, $qual:literal, $ctor:path, $methods:expr) => {
        static $slot: AtomicUsize = AtomicUsize::new(0);
        unsafe extern "C" fn $newfn(
            ty: *mut PyObject,
            args: *mut PyObject,
            kw: *mut PyObject,
        ) -> *mut PyObject {
            // SAFETY: tp_new arguments.
            unsafe { run_new($name, ty, args, kw, $ctor) }
        }
        fn $fn_name(cx: &mut Thread) -> PyResult<Handle> {
            make(cx, &$slot, $qual, $newfn, $methods)
        }
    };
}

fn make(
    cx: &mut Thread,
    slot_cache: &AtomicUsize,
    name: &'static CStr,
    new: newfunc,
    methods: *mut PyMethodDef,
) -> PyResult<Handle> {
    let mut slots: Vec<(c_int, *mut c_void)> = vec![
        (slot::TP_NEW, new as *mut c_void),
        (slot::TP_ITER, it_iter as *mut c_void),
        (slot::TP_ITERNEXT, it_next as *mut c_void),
        (slot::TP_DEALLOC, it_dealloc as *mut c_void),
        (slot::TP_TRAVERSE, it_traverse as *mut c_void),
    ];
    if !methods.is_null() {
        slots.push((slot::TP_METHODS, methods.cast()));
    }
    super::make_type(
        cx,
        slot_cache,
        name,
        std::mem::size_of::<ItObj>(),
        super::TPFLAGS_BASETYPE | super::TPFLAGS_HAVE_GC,
        &slots,
    )
}

static CHAIN_METHODS: Defs<2> = Defs([
    PyMethodDef {
        ml_name: c"from_iterable".as_ptr(),
        // SAFETY: a fastcall function stored as the generic pointer; the flags say how to call.
        ml_meth: Some(unsafe { std::mem::transmute::<super::Fast, RawFn>(i_chain_from_iterable) }),
        ml_flags: METH_FASTCALL | METH_CLASS,
        ml_doc: std::ptr::null(),
    },
    END,
]);

const NO_METHODS: *mut PyMethodDef = std::ptr::null_mut();

itertype!(
    count_type,
    COUNT,
    count_tp_new,
    "count",
    c"itertools.count",
    count_new,
    NO_METHODS
);
itertype!(
    repeat_type,
    REPEAT,
    repeat_tp_new,
    "repeat",
    c"itertools.repeat",
    repeat_new,
    NO_METHODS
);
itertype!(
    chain_type,
    CHAIN,
    chain_tp_new,
    "chain",
    c"itertools.chain",
    chain_new,
    std::ptr::addr_of!(CHAIN_METHODS.0).cast_mut().cast()
);
itertype!(
    islice_type,
    ISLICE,
    islice_tp_new,
    "islice",
    c"itertools.islice",
    islice_new,
    NO_METHODS
);
itertype!(
    pairwise_type,
    PAIRWISE,
    pairwise_tp_new,
    "pairwise",
    c"itertools.pairwise",
    pairwise_new,
    NO_METHODS
);
itertype!(
    product_type,
    PRODUCT,
    product_tp_new,
    "product",
    c"itertools.product",
    product_new,
    NO_METHODS
);
itertype!(
    permutations_type,
    PERMUTATIONS,
    permutations_tp_new,
    "permutations",
    c"itertools.permutations",
    permutations_new,
    NO_METHODS
);
itertype!(
    combinations_type,
    COMBINATIONS,
    combinations_tp_new,
    "combinations",
    c"itertools.combinations",
    combinations_new,
    NO_METHODS
);
itertype!(
    accumulate_type,
    ACCUMULATE,
    accumulate_tp_new,
    "accumulate",
    c"itertools.accumulate",
    accumulate_new,
    NO_METHODS
);

/// A function making (once) one of the iterator types.
type Maker = fn(&mut Thread) -> PyResult<Handle>;

/// The `itertools` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    static DEFS: Defs<1> = Defs([END]);
    let m = super::new_module(cx, "itertools", &DEFS.0)?;
    let makers: [(&str, Maker); 9] = [
        ("count", count_type),
        ("repeat", repeat_type),
        ("chain", chain_type),
        ("islice", islice_type),
        ("pairwise", pairwise_type),
        ("product", product_type),
        ("permutations", permutations_type),
        ("combinations", combinations_type),
        ("accumulate", accumulate_type),
    ];
    for (n, f) in makers {
        let t = f(cx)?;
        super::put(cx, m, n, t)?;
    }
    super::keep(cx, &MODULE, m);
    Ok(m)
}
