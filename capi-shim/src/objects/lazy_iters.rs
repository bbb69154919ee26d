//! The lazy builtins: `range` (and its `range_iterator`), `enumerate`, `zip`, `map`, `filter`
//! and `reversed`, as types (so `PyRange_Type`, `PyEnum_Type`, ... are what `range`, `enumerate`,
//! ... are, and `isinstance(x, range)` holds), with CPython's argument errors.
//!
//! All share one payload ([`LazyPayload`]) and one set of hooks ([`LAZY_HOOKS`], which also
//! identifies the family); the type says what the fields mean. Object fields hold a reference
//! each (released by the finalizer, traced by the collector, re-read after every allocation:
//! the collector moves objects). A range's bounds are 64-bit: a bound outside `i64` is an
//! OverflowError naming that limit (CPython's ranges take any int).

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, Kind, NativeHooks, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, tname, type_error};
use crate::types::shim_types::{alloc, is_exactly, payload, release_fields, visit_opt};

/// Payload of every type of the family.
#[repr(C)]
pub struct LazyPayload {
    /// `enumerate`: the iterator; `zip`: the tuple of iterators; `map`/`filter`: the function
    /// (`filter(None, ...)`: None); `reversed`: the sequence (None once exhausted).
    pub a: Option<ObjRef>,
    /// `map`: the tuple of iterators; `filter`: the iterator.
    pub b: Option<ObjRef>,
    /// `range`, `range_iterator`: the (next) value; `enumerate`: the next count; `reversed`:
    /// the next index.
    pub start: i64,
    /// `range`: the stop; `range_iterator`: how many values are left.
    pub stop: i64,
    /// `range`, `range_iterator`: the step (never 0).
    pub step: i64,
    /// `zip`: strict.
    pub flag: u64,
}

fn trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the family: the payload is a LazyPayload.
    let p = unsafe { payload::<LazyPayload>(obj) };
    visit_opt(&mut p.a, visit);
    visit_opt(&mut p.b, visit);
}

fn finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<LazyPayload>(obj) };
    release_fields(obj, &[p.a, p.b]);
}

/// Hooks of the family (the payload is a [`LazyPayload`]).
pub static LAZY_HOOKS: NativeHooks = NativeHooks {
    trace,
    finalize,
    c_layout: false,
};

/// The types of the family (external, immortal).
pub struct LazyTypes {
    /// `range`.
    pub range: ObjRef,
    /// `range_iterator`.
    pub range_iter: ObjRef,
    /// `enumerate`.
    pub enumerate: ObjRef,
    /// `zip`.
    pub zip: ObjRef,
    /// `map`.
    pub map: ObjRef,
    /// `filter`.
    pub filter: ObjRef,
    /// `reversed`.
    pub reversed: ObjRef,
}

impl LazyTypes {
    /// Creates the types in `rt`.
    pub fn new(rt: &std::sync::Arc<pyopaque_runtime::Runtime>) -> Self {
        let mk = |name: &str| {
            let mut t = pyopaque_runtime::TypeObject::new(
                name,
                Some(rt.types.object),
                Kind::Native,
                0,
                pyopaque_runtime::types::tpflags::IMMUTABLETYPE,
            );
            t.hooks = Some(&LAZY_HOOKS);
            rt.new_type(t)
        };
        LazyTypes {
            range: mk("range"),
            range_iter: mk("range_iterator"),
            enumerate: mk("enumerate"),
            zip: mk("zip"),
            map: mk("map"),
            filter: mk("filter"),
            reversed: mk("reversed"),
        }
    }
}

fn types() -> &'static LazyTypes {
    &crate::types::shim_types::shim_types().lazy
}

fn family(o: ObjRef) -> Option<ObjRef> {
    if o.is_tagged() {
        return None;
    }
    let t = pyopaque_runtime::header::header_of(o).ty();
    let hooks = pyopaque_runtime::binding::type_payload(t).hooks?;
    std::ptr::eq(hooks, &LAZY_HOOKS).then_some(t)
}

/// True when `o` is a range.
pub fn is_range(o: ObjRef) -> bool {
    is_exactly(o, types().range)
}

/// True when `o` is one of the family's iterators (everything but `range`).
pub fn is_lazy_iter(o: ObjRef) -> bool {
    family(o).is_some_and(|t| t != types().range)
}

fn p(o: ObjRef) -> &'static mut LazyPayload {
    // SAFETY: callers pass members of the family (checked by `family`/`is_exactly`).
    unsafe { payload::<LazyPayload>(o) }
}

fn hold(cx: &mut Thread, o: ObjRef) {
    if !o.is_tagged() {
        pyopaque_runtime::refcount::incref(cx, o);
    }
}

/// A new object of family type `ty` holding `a` and `b` (references taken here).
fn new_obj(
    cx: &mut Thread,
    ty: ObjRef,
    a: Option<Handle>,
    b: Option<Handle>,
    nums: (i64, i64, i64),
    flag: u64,
) -> Handle {
    // Allocate first: the allocation may move `a` and `b` (re-read them afterwards).
    let h = alloc(
        cx,
        ty,
        LazyPayload {
            a: None,
            b: None,
            start: nums.0,
            stop: nums.1,
            step: nums.2,
            flag,
        },
    );
    let ao = a.map(|x| cx.get(x));
    let bo = b.map(|x| cx.get(x));
    for o in [ao, bo].into_iter().flatten() {
        hold(cx, o);
    }
    let pl = p(cx.get(h));
    pl.a = ao;
    pl.b = bo;
    h
}

/// Drops field `a` and `b` of an exhausted iterator (later `next` calls return at once).
fn exhaust(cx: &mut Thread, it: Handle) {
    let pl = p(cx.get(it));
    let old = [pl.a.take(), pl.b.take()];
    for o in old.into_iter().flatten() {
        if !o.is_tagged() {
            pyopaque_runtime::refcount::decref(cx, o);
        }
    }
}

/// `o.__index__()` as an `i64` (OverflowError beyond 64 bits).
fn index_i64(cx: &mut Thread, h: Handle) -> PyResult<i64> {
    let o = cx.get(h);
    let v = if matches!(cx.kind_of(o), Kind::Int | Kind::Bool) {
        h
    } else if cx.kind_of(o) == Kind::Float || cx.kind_of(o) == Kind::Str {
        return Err(type_error(
            cx,
            &format!(
                "'{}' object cannot be interpreted as an integer",
                tname(cx, o)
            ),
        ));
    } else {
        // SAFETY: calling the C API function with a borrowed argument.
        crate::r#abstract::object::c_call(cx, "__index__", &[h], |a| unsafe {
            crate::r#abstract::number::PyNumber_Index(a[0])
        })?
    };
    let vo = cx.get(v);
    match crate::objects::long::int_of(cx, vo)? {
        pyopaque_runtime::objects::int::IntValue::Small(x) => Ok(x),
        _ => Err(cx::overflow_error(
            cx,
            "pyopaque: range() arguments must fit in 64 bits",
        )),
    }
}

/// Number of values of `range(start, stop, step)`.
fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    let (lo, hi, st) = if step > 0 {
        (start as i128, stop as i128, step as i128)
    } else {
        (stop as i128, start as i128, -(step as i128))
    };
    if lo >= hi {
        0
    } else {
        ((hi - lo - 1) / st + 1).min(i64::MAX as i128) as i64
    }
}

use crate::types::constructors::no_kwargs;

/// Calls family type `t` with `pos`/`kw` (`range(3)`, `zip(a, b, strict=True)`, ...); `None`
/// when `t` is not one of the family.
pub fn construct(
    cx: &mut Thread,
    t: ObjRef,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
) -> Option<PyResult<Handle>> {
    let ts = types();
    family_type(t)?;
    Some((|| {
        if t == ts.range {
            no_kwargs(cx, "range", kw)?;
            let (start, stop, step) = match pos.len() {
                1 => (0, index_i64(cx, pos[0])?, 1),
                2 => (index_i64(cx, pos[0])?, index_i64(cx, pos[1])?, 1),
                3 => (
                    index_i64(cx, pos[0])?,
                    index_i64(cx, pos[1])?,
                    index_i64(cx, pos[2])?,
                ),
                0 => return Err(type_error(cx, "range expected at least 1 argument, got 0")),
                n => {
                    return Err(type_error(
                        cx,
                        &format!("range expected at most 3 arguments, got {n}"),
                    ))
                }
            };
            if step == 0 {
                return Err(cx::value_error(cx, "range() arg 3 must not be zero"));
            }
            return Ok(new_obj(cx, t, None, None, (start, stop, step), 0));
        }
        if t == ts.enumerate {
            let mut iterable = pos.first().copied();
            let mut start = pos.get(1).copied();
            for (k, v) in kw {
                match cx.str_value(cx.get(*k)) {
                    Some("iterable") if iterable.is_none() => iterable = Some(*v),
                    Some("start") if start.is_none() => start = Some(*v),
                    Some(other) => {
                        let other = other.to_string();
                        return Err(type_error(
                            cx,
                            &format!("'{other}' is an invalid keyword argument for enumerate()"),
                        ));
                    }
                    None => return Err(type_error(cx, "keywords must be strings")),
                }
            }
            if pos.len() > 2 {
                return Err(type_error(
                    cx,
                    &format!(
                        "enumerate() takes at most 2 arguments ({} given)",
                        pos.len() + kw.len()
                    ),
                ));
            }
            let Some(iterable) = iterable else {
                return Err(type_error(
                    cx,
                    "enumerate() missing required argument 'iterable'",
                ));
            };
            let n = match start {
                Some(s) => {
                    let so = cx.get(s);
                    if !matches!(cx.kind_of(so), Kind::Int | Kind::Bool) {
                        return Err(type_error(
                            cx,
                            &format!(
                                "'{}' object cannot be interpreted as an integer",
                                tname(cx, so)
                            ),
                        ));
                    }
                    match crate::objects::long::int_of(cx, so)? {
                        pyopaque_runtime::objects::int::IntValue::Small(x) => x,
                        _ => {
                            return Err(cx::overflow_error(
                                cx,
                                "pyopaque: enumerate() start must fit in 64 bits",
                            ))
                        }
                    }
                }
                None => 0,
            };
            let it = crate::r#abstract::object::iter(cx, iterable)?;
            return Ok(new_obj(cx, t, Some(it), None, (n, 0, 0), 0));
        }
        if t == ts.zip {
            let mut strict = false;
            for (k, v) in kw {
                match cx.str_value(cx.get(*k)) {
                    Some("strict") => strict = crate::r#abstract::object::truth(cx, *v)?,
                    Some(other) => {
                        let other = other.to_string();
                        return Err(type_error(
                            cx,
                            &format!("'{other}' is an invalid keyword argument for zip()"),
                        ));
                    }
                    None => return Err(type_error(cx, "keywords must be strings")),
                }
            }
            let mut its = Vec::with_capacity(pos.len());
            for x in pos {
                its.push(crate::r#abstract::object::iter(cx, *x)?);
            }
            let tup = cx.tuple(&its);
            return Ok(new_obj(cx, t, Some(tup), None, (0, 0, 0), strict as u64));
        }
        if t == ts.map {
            no_kwargs(cx, "map", kw)?;
            if pos.len() < 2 {
                return Err(type_error(cx, "map() must have at least two arguments."));
            }
            let mut its = Vec::with_capacity(pos.len() - 1);
            for x in &pos[1..] {
                its.push(crate::r#abstract::object::iter(cx, *x)?);
            }
            let tup = cx.tuple(&its);
            return Ok(new_obj(cx, t, Some(pos[0]), Some(tup), (0, 0, 0), 0));
        }
        if t == ts.filter {
            no_kwargs(cx, "filter", kw)?;
            if pos.len() != 2 {
                return Err(type_error(
                    cx,
                    &format!("filter expected 2 arguments, got {}", pos.len()),
                ));
            }
            let it = crate::r#abstract::object::iter(cx, pos[1])?;
            return Ok(new_obj(cx, t, Some(pos[0]), Some(it), (0, 0, 0), 0));
        }
        // reversed
        no_kwargs(cx, "reversed", kw)?;
        if pos.len() != 1 {
            return Err(type_error(
                cx,
                &format!("reversed expected 1 argument, got {}", pos.len()),
            ));
        }
        reversed(cx, pos[0])
    })())
}

fn family_type(t: ObjRef) -> Option<ObjRef> {
    let ts = types();
    [
        ts.range,
        ts.enumerate,
        ts.zip,
        ts.map,
        ts.filter,
        ts.reversed,
    ]
    .contains(&t)
    .then_some(t)
}

/// `reversed(seq)`: `seq.__reversed__()` when the type has it, a reversed range iterator for a
/// range, else an iterator over `seq[len-1]`, ..., `seq[0]` for a sequence; TypeError
/// otherwise (CPython's message).
pub fn reversed(cx: &mut Thread, seq: Handle) -> PyResult<Handle> {
    let o = cx.get(seq);
    if is_range(o) {
        let pl = p(o);
        let (start, stop, step) = (pl.start, pl.stop, pl.step);
        let n = range_len(start, stop, step);
        let last = (start as i128 + (n as i128 - 1) * step as i128) as i64;
        return Ok(new_obj(
            cx,
            types().range_iter,
            None,
            None,
            (last, n, -step),
            0,
        ));
    }
    if !o.is_tagged() && cx.kind_of(o) != Kind::Type {
        let t = cx.type_of(o);
        if let Some(m) = crate::types::typeobject::lookup_type_attr(t, "__reversed__") {
            if m == cx.rt.none {
                return Err(type_error(
                    cx,
                    &format!("'{}' object is not reversible", tname(cx, o)),
                ));
            }
            if let Some(f) = crate::r#abstract::object::getattr_opt(cx, seq, "__reversed__")? {
                return crate::r#abstract::call::call(cx, f, &[], &[]);
            }
        }
    }
    let o = cx.get(seq);
    if matches!(cx.kind_of(o), Kind::List | Kind::Dict)
        || crate::objects::iterators::is_dict_view(o)
    {
        return crate::objects::iterators::builtin_reversed(cx, seq);
    }
    // CPython's PySequence_Check: an item slot (here also `__getitem__` of a class whose C
    // slots carry only the mapping form), and not a dict.
    let t = cx.type_of(o);
    let has_item = crate::r#abstract::sequence::is_sequence(cx, o)
        || crate::types::typeobject::get_slot(t, crate::boundary::ffi::slot::MP_SUBSCRIPT) != 0
        || crate::types::typeobject::lookup_type_attr(t, "__getitem__").is_some();
    if cx.kind_of(o) == Kind::Dict
        || crate::objects::set::is_anyset(o)
        || crate::objects::iterators::is_dict_view(o)
        || !has_item
    {
        return Err(type_error(
            cx,
            &format!("'{}' object is not reversible", tname(cx, o)),
        ));
    }
    let n = crate::r#abstract::object::length(cx, seq)? as i64;
    Ok(new_obj(
        cx,
        types().reversed,
        Some(seq),
        None,
        (n - 1, 0, 0),
        0,
    ))
}

/// `iter(range)`: a range iterator over its values.
pub fn range_iter(cx: &mut Thread, r: Handle) -> Handle {
    let pl = p(cx.get(r));
    let (start, stop, step) = (pl.start, pl.stop, pl.step);
    let n = range_len(start, stop, step);
    new_obj(cx, types().range_iter, None, None, (start, n, step), 0)
}

/// `len(range)`.
pub fn range_length(o: ObjRef) -> usize {
    let pl = p(o);
    range_len(pl.start, pl.stop, pl.step) as usize
}

/// `range[i]` (an int index, negative from the end) or `range[slice]` (a range).
pub fn range_getitem(cx: &mut Thread, r: Handle, key: Handle) -> PyResult<Handle> {
    let pl = p(cx.get(r));
    let (start, stop, step) = (pl.start, pl.stop, pl.step);
    let n = range_len(start, stop, step);
    let ko = cx.get(key);
    if is_exactly(ko, crate::types::shim_types::shim_types().slice) {
        let (mut s, mut e, st) = crate::objects::slice::unpack(cx, ko)?;
        let len = crate::objects::slice::adjust(n as isize, &mut s, &mut e, st);
        let nstart = start as i128 + s as i128 * step as i128;
        let nstep = step as i128 * st as i128;
        let nstop = nstart + len as i128 * nstep;
        let fit = |v: i128| i64::try_from(v).ok();
        let (Some(a), Some(b), Some(c)) = (fit(nstart), fit(nstop), fit(nstep)) else {
            return Err(cx::overflow_error(
                cx,
                "pyopaque: range() arguments must fit in 64 bits",
            ));
        };
        return Ok(new_obj(cx, types().range, None, None, (a, b, c), 0));
    }
    if !matches!(cx.kind_of(ko), Kind::Int | Kind::Bool)
        && crate::types::typeobject::get_slot(cx.type_of(ko), 13) == 0
    {
        return Err(type_error(
            cx,
            &format!(
                "range indices must be integers or slices, not {}",
                tname(cx, ko)
            ),
        ));
    }
    let i = match index_i64(cx, key) {
        Ok(i) => i,
        Err(e) => {
            if cx.error_matches(cx.rt.types.exc.overflow_error) {
                cx.clear_error();
                return Err(cx::index_error(cx, "range object index out of range"));
            }
            return Err(e);
        }
    };
    let i = if i < 0 {
        i as i128 + n as i128
    } else {
        i as i128
    };
    if i < 0 || i >= n as i128 {
        return Err(cx::index_error(cx, "range object index out of range"));
    }
    let v = (start as i128 + i * step as i128) as i64;
    Ok(cx.int(v))
}

/// `x in range`: arithmetic for ints (and bools), else `==` against each value.
pub fn range_contains(cx: &mut Thread, r: Handle, x: Handle) -> PyResult<bool> {
    let xo = cx.get(x);
    let pl = p(cx.get(r));
    let (start, stop, step) = (pl.start, pl.stop, pl.step);
    if matches!(cx.kind_of(xo), Kind::Int | Kind::Bool) {
        let v = match crate::objects::long::int_of(cx, xo)? {
            pyopaque_runtime::objects::int::IntValue::Small(v) => v as i128,
            _ => return Ok(false),
        };
        let (s, e, st) = (start as i128, stop as i128, step as i128);
        let inside = if st > 0 {
            s <= v && v < e
        } else {
            e < v && v <= s
        };
        return Ok(inside && (v - s) % st == 0);
    }
    let it = range_iter(cx, r);
    while let Some(v) = next(cx, it)? {
        if cx.eq(v, x)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `repr(range)`: `range(0, 3)` or `range(0, 9, 2)`.
pub fn range_repr(o: ObjRef) -> String {
    let pl = p(o);
    if pl.step == 1 {
        format!("range({}, {})", pl.start, pl.stop)
    } else {
        format!("range({}, {}, {})", pl.start, pl.stop, pl.step)
    }
}

/// `range == range`: the same sequence of values (CPython's rule); `None` unless both are
/// ranges.
pub fn range_eq(a: ObjRef, b: ObjRef) -> Option<bool> {
    if !is_range(a) || !is_range(b) {
        return None;
    }
    let (x, y) = (p(a), p(b));
    let (nx, ny) = (
        range_len(x.start, x.stop, x.step),
        range_len(y.start, y.stop, y.step),
    );
    Some(if nx != ny {
        false
    } else if nx == 0 {
        true
    } else if x.start != y.start {
        false
    } else {
        nx == 1 || x.step == y.step
    })
}

/// `range.start`, `range.stop`, `range.step`; `None` for other objects and names.
pub fn range_attr(cx: &mut Thread, o: ObjRef, name: &str) -> Option<Handle> {
    if !is_range(o) {
        return None;
    }
    let pl = p(o);
    let v = match name {
        "start" => pl.start,
        "stop" => pl.stop,
        "step" => pl.step,
        _ => return None,
    };
    Some(cx.int(v))
}

/// `next()` of a family iterator: `Ok(None)` when exhausted (no exception set).
pub fn next(cx: &mut Thread, it: Handle) -> PyResult<Option<Handle>> {
    let o = cx.get(it);
    let ts = types();
    let t = cx.type_of(o);
    let pl = p(o);
    if t == ts.range_iter {
        if pl.stop <= 0 {
            return Ok(None);
        }
        let v = pl.start;
        pl.stop -= 1;
        pl.start = v.wrapping_add(pl.step);
        return Ok(Some(cx.int(v)));
    }
    let Some(a) = pl.a else { return Ok(None) };
    let ah = cx.root(a);
    if t == ts.enumerate {
        let Some(x) = crate::r#abstract::object::next(cx, ah)? else {
            exhaust(cx, it);
            return Ok(None);
        };
        let pl = p(cx.get(it));
        let n = pl.start;
        pl.start = n.wrapping_add(1);
        let nh = cx.int(n);
        return Ok(Some(cx.tuple(&[nh, x])));
    }
    if t == ts.zip {
        let strict = pl.flag != 0;
        let its: Vec<Handle> = (0..cx.tuple_len(a).unwrap_or(0))
            .map(|i| {
                let x = cx.tuple_get(cx.get(ah), i).expect("in range");
                cx.root(x)
            })
            .collect();
        if its.is_empty() {
            return Ok(None);
        }
        let mut items = Vec::with_capacity(its.len());
        for (i, x) in its.iter().enumerate() {
            match crate::r#abstract::object::next(cx, *x)? {
                Some(v) => items.push(v),
                None => {
                    exhaust(cx, it);
                    if strict {
                        return zip_strict_error(cx, &its, i);
                    }
                    return Ok(None);
                }
            }
        }
        return Ok(Some(cx.tuple(&items)));
    }
    if t == ts.map {
        let Some(b) = pl.b else { return Ok(None) };
        let bh = cx.root(b);
        let n = cx.tuple_len(b).unwrap_or(0);
        let mut args = Vec::with_capacity(n);
        for i in 0..n {
            let x = cx.tuple_get(cx.get(bh), i).expect("in range");
            let xh = cx.root(x);
            match crate::r#abstract::object::next(cx, xh)? {
                Some(v) => args.push(v),
                None => {
                    exhaust(cx, it);
                    return Ok(None);
                }
            }
        }
        return crate::r#abstract::call::call(cx, ah, &args, &[]).map(Some);
    }
    if t == ts.filter {
        let Some(b) = pl.b else { return Ok(None) };
        let bh = cx.root(b);
        let is_none = a == cx.rt.none;
        loop {
            let Some(x) = crate::r#abstract::object::next(cx, bh)? else {
                exhaust(cx, it);
                return Ok(None);
            };
            let keep = if is_none {
                crate::r#abstract::object::truth(cx, x)?
            } else {
                let r = crate::r#abstract::call::call(cx, ah, &[x], &[])?;
                crate::r#abstract::object::truth(cx, r)?
            };
            if keep {
                return Ok(Some(x));
            }
        }
    }
    // reversed
    let i = pl.start;
    if i < 0 {
        exhaust(cx, it);
        return Ok(None);
    }
    p(cx.get(it)).start = i - 1;
    match crate::r#abstract::sequence::seq_getitem(cx, ah, i as isize) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let ie = cx.rt.types.exc.index_error;
            let si = cx.rt.types.exc.stop_iteration;
            if cx.error_matches(ie) || cx.error_matches(si) {
                cx.clear_error();
                exhaust(cx, it);
                return Ok(None);
            }
            Err(e)
        }
    }
}

/// `zip(..., strict=True)` found argument `i` (0-based) exhausted: ValueError with CPython's
/// message (shorter when `i > 0`; else longer if a later one still has an item).
fn zip_strict_error(cx: &mut Thread, its: &[Handle], i: usize) -> PyResult<Option<Handle>> {
    let plural = |k: usize| {
        if k == 1 {
            " 1".to_string()
        } else {
            format!("s 1-{k}")
        }
    };
    if i > 0 {
        let msg = format!(
            "zip() argument {} is shorter than argument{}",
            i + 1,
            plural(i)
        );
        return Err(cx::value_error(cx, &msg));
    }
    for (j, x) in its.iter().enumerate().skip(1) {
        if crate::r#abstract::object::next(cx, *x)?.is_some() {
            let msg = format!(
                "zip() argument {} is longer than argument{}",
                j + 1,
                plural(j)
            );
            return Err(cx::value_error(cx, &msg));
        }
    }
    Ok(None)
}
