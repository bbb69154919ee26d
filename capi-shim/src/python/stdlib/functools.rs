//! A native `functools` module: `partial` (a type: `func`, `args`, `keywords`, calling
//! `func(*args, *more, **{**keywords, **more_kw})`; a partial of an exact partial is flattened
//! as CPython does) and `reduce(function, iterable[, initial])`.

use std::ffi::{c_int, c_void};
use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast, fastcall, Defs, END};
use crate::boundary::cx::{self, new_ref_h, type_error};
use crate::boundary::ffi::*;

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);
/// The `partial` type, 0 before first use.
static PARTIAL: AtomicUsize = AtomicUsize::new(0);

/// A `partial` instance: three C-held references, set by `tp_new` (never NULL afterwards).
#[repr(C)]
struct Partial {
    func: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
}

fn partial_type(cx: &mut Thread) -> PyResult<Handle> {
    static MEMBERS: super::Members<4> = super::Members([
        super::member(c"func", std::mem::offset_of!(Partial, func)),
        super::member(c"args", std::mem::offset_of!(Partial, args)),
        super::member(c"keywords", std::mem::offset_of!(Partial, kw)),
        super::MEMBER_END,
    ]);
    super::make_type(
        cx,
        &PARTIAL,
        c"functools.partial",
        std::mem::size_of::<Partial>(),
        super::TPFLAGS_BASETYPE | super::TPFLAGS_HAVE_GC,
        &[
            (slot::TP_NEW, partial_new as *mut c_void),
            (slot::TP_CALL, partial_call as *mut c_void),
            (slot::TP_REPR, partial_repr as *mut c_void),
            (slot::TP_DEALLOC, partial_dealloc as *mut c_void),
            (slot::TP_TRAVERSE, partial_traverse as *mut c_void),
            (
                slot::TP_MEMBERS,
                std::ptr::addr_of!(MEMBERS.0).cast_mut().cast(),
            ),
        ],
    )
}

unsafe extern "C" fn partial_new(
    ty: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("partial.__new__", |cx| {
        // SAFETY: tp_new arguments: a type, a tuple and NULL or a dict.
        let t = unsafe { cx::harg(cx, ty) }?;
        // SAFETY: as above.
        let pos = unsafe { super::tuple_arg(cx, args) }?;
        // SAFETY: as above.
        let kws = unsafe { super::dict_arg(cx, kw) }?;
        let Some((&func, rest)) = pos.split_first() else {
            return Err(type_error(cx, "type 'partial' takes at least one argument"));
        };
        if !crate::r#abstract::call::is_callable(cx, cx.get(func)) {
            return Err(type_error(cx, "the first argument must be callable"));
        }
        let pt = partial_type(cx)?;
        let (mut func, mut all, d) = (func, Vec::new(), cx.dict());
        if cx.type_of(cx.get(func)) == cx.get(pt) {
            // Flatten partial(partial(f, a), b) into partial(f, a, b), as CPython does.
            // SAFETY: an instance of the partial type (fields set by tp_new).
            let inner = unsafe { super::inst::<Partial>(cx, func) };
            // SAFETY: live fields of a pinned instance.
            let (f, a, k) = unsafe {
                (
                    super::held(cx, (*inner).func),
                    super::held(cx, (*inner).args),
                    super::held(cx, (*inner).kw),
                )
            };
            let (f, a, k) = (f.expect("set"), a.expect("set"), k.expect("set"));
            all.extend(crate::r#abstract::sequence::collect(cx, a)?);
            for (kk, vv) in super::dict_items(cx, k) {
                cx.dict_set(d, kk, vv)?;
            }
            func = f;
        }
        all.extend_from_slice(rest);
        for (kk, vv) in kws {
            cx.dict_set(d, kk, vv)?;
        }
        let tup = cx.tuple(&all);
        let tt = cx.get(t);
        let me = crate::types::typeobject::call_alloc(cx, tt, 0)?;
        let (pf, pa, pk) = (
            super::hold(cx, func),
            super::hold(cx, tup),
            super::hold(cx, d),
        );
        // SAFETY: a fresh, zeroed instance of (a subtype of) partial.
        unsafe {
            let p = super::inst::<Partial>(cx, me);
            (*p).func = pf;
            (*p).args = pa;
            (*p).kw = pk;
        }
        Ok(new_ref_h(cx, me))
    })
}

/// The fields of partial instance `me`, rooted.
fn fields(cx: &mut Thread, me: Handle) -> PyResult<(Handle, Handle, Handle)> {
    // SAFETY: `me` is an instance of partial (its slots are only reached through its type).
    let p = unsafe { super::inst::<Partial>(cx, me) };
    // SAFETY: live fields of a pinned instance (NULL only before tp_new finished).
    let (f, a, k) = unsafe {
        (
            super::held(cx, (*p).func),
            super::held(cx, (*p).args),
            super::held(cx, (*p).kw),
        )
    };
    match (f, a, k) {
        (Some(f), Some(a), Some(k)) => Ok((f, a, k)),
        _ => Err(type_error(cx, "partial object is not initialized")),
    }
}

unsafe extern "C" fn partial_call(
    me: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("partial.__call__", |cx| {
        // SAFETY: tp_call arguments: the instance, a tuple and NULL or a dict.
        let me = unsafe { cx::harg(cx, me) }?;
        let (f, a, k) = fields(cx, me)?;
        let mut pos = crate::r#abstract::sequence::collect(cx, a)?;
        // SAFETY: as above.
        pos.extend(unsafe { super::tuple_arg(cx, args) }?);
        let mut kws = super::dict_items(cx, k);
        // SAFETY: as above.
        for (kk, vv) in unsafe { super::dict_arg(cx, kw) }? {
            let ks = cx.get(kk);
            let same = kws.iter().position(|(x, _)| {
                let xs = cx.get(*x);
                cx.str_value(xs).is_some() && cx.str_value(xs) == cx.str_value(ks)
            });
            match same {
                Some(i) => kws[i].1 = vv,
                None => kws.push((kk, vv)),
            }
        }
        let r = crate::r#abstract::call::call(cx, f, &pos, &kws)?;
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn partial_repr(me: *mut PyObject) -> *mut PyObject {
    cx::api("partial.__repr__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let (f, a, k) = fields(cx, me)?;
        let tn = {
            let t = cx.type_of(cx.get(me));
            let th = cx.root(t);
            let q = crate::r#abstract::object::getattr(cx, th, "__qualname__")?;
            cx.str_value(cx.get(q)).unwrap_or("partial").to_string()
        };
        let tn = if tn == "partial" {
            "functools.partial".to_string()
        } else {
            tn
        };
        let mut parts = Vec::new();
        let r = crate::r#abstract::object::repr(cx, f)?;
        parts.push(cx.str_value(cx.get(r)).unwrap_or("").to_string());
        for x in crate::r#abstract::sequence::collect(cx, a)? {
            let r = crate::r#abstract::object::repr(cx, x)?;
            parts.push(cx.str_value(cx.get(r)).unwrap_or("").to_string());
        }
        for (kk, vv) in super::dict_items(cx, k) {
            let ks = crate::r#abstract::object::str_(cx, kk)?;
            let ks = cx.str_value(cx.get(ks)).unwrap_or("").to_string();
            let r = crate::r#abstract::object::repr(cx, vv)?;
            parts.push(format!("{ks}={}", cx.str_value(cx.get(r)).unwrap_or("")));
        }
        let s = cx.str(&format!("{tn}({})", parts.join(", ")));
        Ok(new_ref_h(cx, s))
    })
}

unsafe extern "C" fn partial_traverse(
    me: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    let p = me.cast::<Partial>();
    // SAFETY: a live instance; its fields are NULL or held references.
    unsafe { super::visit_all(&[(*p).func, (*p).args, (*p).kw], visit, arg) }
}

unsafe extern "C" fn partial_dealloc(me: *mut PyObject) {
    let p = me.cast::<Partial>();
    // SAFETY: the instance is being deallocated: its held references are given up once and
    // its memory freed last.
    unsafe {
        super::release((*p).func);
        super::release((*p).args);
        super::release((*p).kw);
        (*p).func = std::ptr::null_mut();
        (*p).args = std::ptr::null_mut();
        (*p).kw = std::ptr::null_mut();
        super::free_instance(me);
    }
}

fn reduce(cx: &mut Thread, _: Option<Handle>, args: &[Handle]) -> PyResult<Handle> {
    super::nargs(cx, "reduce", args, 2, 3)?;
    let f = args[0];
    let it = crate::r#abstract::object::iter(cx, args[1])?;
    let mut acc = args.get(2).copied();
    while let Some(x) = crate::r#abstract::object::next(cx, it)? {
        acc = Some(match acc {
            None => x,
            Some(a) => crate::r#abstract::call::call(cx, f, &[a, x], &[])?,
        });
    }
    match acc {
        Some(a) => Ok(a),
        None => Err(type_error(
            cx,
            "reduce() of empty iterable with no initial value",
        )),
    }
}
fastcall!(f_reduce, "reduce", reduce);

static DEFS: Defs<2> = Defs([fast(c"reduce", f_reduce), END]);

/// The `functools` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "functools", &DEFS.0)?;
    let t = partial_type(cx)?;
    super::put(cx, m, "partial", t)?;
    super::keep(cx, &MODULE, m);
    Ok(m)
}
