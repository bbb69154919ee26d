//! `collections.defaultdict`: a mapping type whose missing keys are filled by calling
//! `default_factory()` (KeyError when it is None). pyopaque's runtime dicts cannot be
//! subclassed by a C layout, so a defaultdict *holds* a dict and forwards the mapping protocol
//! and the dict methods (`get`, `items`, `keys`, `values`, `setdefault`, `pop`, `popitem`,
//! `update`, `clear`, `copy`, `__missing__`) to it; `isinstance(d, dict)` is therefore False
//! (CPython: True).

use std::ffi::{c_int, c_void};
use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast, fastcall, Defs, END};
use crate::boundary::cx::{self, new_ref_h, type_error};
use crate::boundary::ffi::*;

/// The `defaultdict` type, 0 before first use.
static DEFAULTDICT: AtomicUsize = AtomicUsize::new(0);

/// A defaultdict instance: the factory (a C-held reference, NULL for None) and the dict (a
/// C-held reference, set by `tp_new`).
#[repr(C)]
struct DefaultDict {
    factory: *mut PyObject,
    dict: *mut PyObject,
}

/// The dict and factory of instance `me` (TypeError if not initialized).
fn parts(cx: &mut Thread, me: Handle) -> PyResult<(Handle, Option<Handle>)> {
    // SAFETY: `me` is an instance of defaultdict (these slots are only reached via its type).
    let p = unsafe { super::inst::<DefaultDict>(cx, me) };
    // SAFETY: live fields of a pinned instance.
    let (d, f) = unsafe { (super::held(cx, (*p).dict), super::held(cx, (*p).factory)) };
    match d {
        Some(d) => Ok((d, f)),
        None => Err(type_error(cx, "defaultdict object is not initialized")),
    }
}

fn me_of(cx: &mut Thread, s: Option<Handle>) -> PyResult<Handle> {
    match s {
        Some(s) => Ok(s),
        None => Err(cx::bad_internal_call(cx)),
    }
}

fn missing(cx: &mut Thread, me: Handle, key: Handle) -> PyResult<Handle> {
    let (d, f) = parts(cx, me)?;
    let Some(f) = f else {
        return Err(cx::key_error(cx, key));
    };
    let v = crate::r#abstract::call::call(cx, f, &[], &[])?;
    crate::r#abstract::object::setitem(cx, d, key, Some(v))?;
    Ok(v)
}

/// `dict(init)`'s filling: a dict's items, a mapping's `keys()` with `init[key]`, or an
/// iterable of key/value pairs (ValueError/TypeError for an element that is not a pair).
fn fill_dict(cx: &mut Thread, d: Handle, init: Handle) -> PyResult<()> {
    let io = cx.get(init);
    if cx.kind_of(io) == pyopaque_runtime::Kind::Dict {
        for (k, v) in super::dict_items(cx, init) {
            cx.dict_set(d, k, v)?;
        }
        return Ok(());
    }
    if let Some(keys) = crate::r#abstract::object::getattr_opt(cx, init, "keys")? {
        let ks = crate::r#abstract::call::call(cx, keys, &[], &[])?;
        for k in crate::r#abstract::sequence::collect(cx, ks)? {
            let v = crate::r#abstract::object::getitem(cx, init, k)?;
            cx.dict_set(d, k, v)?;
        }
        return Ok(());
    }
    let items = crate::r#abstract::sequence::collect(cx, init)?;
    for (i, item) in items.into_iter().enumerate() {
        let o = cx.get(item);
        if cx.str_value(o).is_none() && !crate::r#abstract::sequence::is_sequence(cx, o) {
            return Err(type_error(
                cx,
                &format!("cannot convert dictionary update sequence element #{i} to a sequence"),
            ));
        }
        let kv = crate::r#abstract::sequence::collect(cx, item)?;
        if kv.len() != 2 {
            return Err(cx::value_error(
                cx,
                &format!(
                    "dictionary update sequence element #{i} has length {}; 2 is required",
                    kv.len()
                ),
            ));
        }
        cx.dict_set(d, kv[0], kv[1])?;
    }
    Ok(())
}

unsafe extern "C" fn dd_new(
    ty: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("defaultdict.__new__", |cx| {
        // SAFETY: tp_new arguments: a type, a tuple and NULL or a dict.
        let t = unsafe { cx::harg(cx, ty) }?;
        // SAFETY: as above.
        let pos = unsafe { super::tuple_arg(cx, args) }?;
        // SAFETY: as above.
        let kws = unsafe { super::dict_arg(cx, kw) }?;
        let none = cx.rt.none;
        let factory = pos.first().copied().filter(|h| cx.get(*h) != none);
        if let Some(f) = factory {
            if !crate::r#abstract::call::is_callable(cx, cx.get(f)) {
                return Err(type_error(cx, "first argument must be callable or None"));
            }
        }
        if pos.len() > 2 {
            return Err(type_error(
                cx,
                &format!("dict expected at most 1 argument, got {}", pos.len() - 1),
            ));
        }
        let d = cx.dict();
        if let Some(&init) = pos.get(1) {
            fill_dict(cx, d, init)?;
        }
        for (k, v) in kws {
            cx.dict_set(d, k, v)?;
        }
        let tt = cx.get(t);
        let me = crate::types::typeobject::call_alloc(cx, tt, 0)?;
        let pd = super::hold(cx, d);
        let pf = match factory {
            Some(f) => super::hold(cx, f),
            None => std::ptr::null_mut(),
        };
        // SAFETY: a fresh, zeroed instance of (a subtype of) defaultdict.
        unsafe {
            let p = super::inst::<DefaultDict>(cx, me);
            (*p).dict = pd;
            (*p).factory = pf;
        }
        Ok(new_ref_h(cx, me))
    })
}

unsafe extern "C" fn dd_subscript(me: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    cx::api("defaultdict.__getitem__", |cx| {
        // SAFETY: slot arguments: the instance and an object.
        let (me, key) = unsafe { (cx::harg(cx, me)?, cx::harg(cx, key)?) };
        let (d, _) = parts(cx, me)?;
        let v = match cx.dict_get(d, key)? {
            Some(v) => v,
            None => missing(cx, me, key)?,
        };
        Ok(new_ref_h(cx, v))
    })
}

unsafe extern "C" fn dd_ass_subscript(
    me: *mut PyObject,
    key: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    cx::api("defaultdict.__setitem__", |cx| {
        // SAFETY: slot arguments: the instance, an object and NULL (delete) or an object.
        let (me, key) = unsafe { (cx::harg(cx, me)?, cx::harg(cx, key)?) };
        // SAFETY: as above.
        let v = unsafe { cx::from_c(v) }.map(|o| cx.root(o));
        let (d, _) = parts(cx, me)?;
        crate::r#abstract::object::setitem(cx, d, key, v)?;
        Ok(0)
    })
}

unsafe extern "C" fn dd_length(me: *mut PyObject) -> isize {
    cx::api("defaultdict.__len__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let (d, _) = parts(cx, me)?;
        Ok(cx.dict_len(cx.get(d)) as isize)
    })
}

unsafe extern "C" fn dd_contains(me: *mut PyObject, key: *mut PyObject) -> c_int {
    cx::api("defaultdict.__contains__", |cx| {
        // SAFETY: slot arguments: the instance and an object.
        let (me, key) = unsafe { (cx::harg(cx, me)?, cx::harg(cx, key)?) };
        let (d, _) = parts(cx, me)?;
        Ok(cx.dict_get(d, key)?.is_some() as c_int)
    })
}

unsafe extern "C" fn dd_iter(me: *mut PyObject) -> *mut PyObject {
    cx::api("defaultdict.__iter__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let (d, _) = parts(cx, me)?;
        let it = crate::r#abstract::object::iter(cx, d)?;
        Ok(new_ref_h(cx, it))
    })
}

unsafe extern "C" fn dd_repr(me: *mut PyObject) -> *mut PyObject {
    cx::api("defaultdict.__repr__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let (d, f) = parts(cx, me)?;
        let fr = match f {
            Some(f) => {
                let r = crate::r#abstract::object::repr(cx, f)?;
                cx.str_value(cx.get(r)).unwrap_or("").to_string()
            }
            None => "None".to_string(),
        };
        let dr = crate::r#abstract::object::repr(cx, d)?;
        let s = format!(
            "defaultdict({fr}, {})",
            cx.str_value(cx.get(dr)).unwrap_or("")
        );
        let s = cx.str(&s);
        Ok(new_ref_h(cx, s))
    })
}

unsafe extern "C" fn dd_traverse(me: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    let p = me.cast::<DefaultDict>();
    // SAFETY: a live instance; its fields are NULL or held references.
    unsafe { super::visit_all(&[(*p).factory, (*p).dict], visit, arg) }
}

unsafe extern "C" fn dd_dealloc(me: *mut PyObject) {
    let p = me.cast::<DefaultDict>();
    // SAFETY: the instance is being deallocated: its references are given up once and its
    // memory freed last.
    unsafe {
        super::release((*p).factory);
        super::release((*p).dict);
        (*p).factory = std::ptr::null_mut();
        (*p).dict = std::ptr::null_mut();
        super::free_instance(me);
    }
}

unsafe extern "C" fn dd_get_factory(me: *mut PyObject, _: *mut c_void) -> *mut PyObject {
    cx::api("defaultdict.default_factory", |cx| {
        // SAFETY: the instance the getter was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let (_, f) = parts(cx, me)?;
        let f = f.unwrap_or_else(|| cx.root(cx.rt.none));
        Ok(new_ref_h(cx, f))
    })
}

unsafe extern "C" fn dd_set_factory(me: *mut PyObject, v: *mut PyObject, _: *mut c_void) -> c_int {
    cx::api("defaultdict.default_factory", |cx| {
        // SAFETY: the instance the setter was called with; `v` NULL (delete) or an object.
        let meh = unsafe { cx::harg(cx, me) }?;
        // SAFETY: as above.
        let v = unsafe { cx::from_c(v) }.map(|o| cx.root(o));
        let none = cx.rt.none;
        let nv = match v.filter(|h| cx.get(*h) != none) {
            Some(h) => super::hold(cx, h),
            None => std::ptr::null_mut(),
        };
        // SAFETY: a live, pinned instance: swap in the new reference, release the old one.
        unsafe {
            let p = super::inst::<DefaultDict>(cx, meh);
            let old = (*p).factory;
            (*p).factory = nv;
            super::release(old);
        }
        Ok(0)
    })
}

/// Forwards method `name` of the held dict.
fn forward(cx: &mut Thread, s: Option<Handle>, name: &str, a: &[Handle]) -> PyResult<Handle> {
    let me = me_of(cx, s)?;
    let (d, _) = parts(cx, me)?;
    crate::r#abstract::call::call_method(cx, d, name, a)
}

macro_rules! fwd {
    ($cname:ident, $name:literal) => {
        fastcall!($cname, $name, |cx, s, a| forward(cx, s, $name, a));
    };
}
fwd!(dd_get, "get");
fwd!(dd_items, "items");
fwd!(dd_keys, "keys");
fwd!(dd_values, "values");
fwd!(dd_setdefault, "setdefault");
fwd!(dd_pop, "pop");
fwd!(dd_popitem, "popitem");
fwd!(dd_update, "update");
fwd!(dd_clear, "clear");

fn copy(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    super::nargs(cx, "copy", a, 0, 0)?;
    let me = me_of(cx, s)?;
    let (d, f) = parts(cx, me)?;
    let t = cx.type_of(cx.get(me));
    let th = cx.root(t);
    let f = f.unwrap_or_else(|| cx.root(cx.rt.none));
    crate::r#abstract::call::call(cx, th, &[f, d], &[])
}
fastcall!(dd_copy, "copy", copy);

fn missing_m(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    super::nargs(cx, "__missing__", a, 1, 1)?;
    let me = me_of(cx, s)?;
    missing(cx, me, a[0])
}
fastcall!(dd_missing, "__missing__", missing_m);

/// The `defaultdict` type (created once).
pub fn defaultdict_type(cx: &mut Thread) -> PyResult<Handle> {
    static METHODS: Defs<13> = Defs([
        fast(c"get", dd_get),
        fast(c"items", dd_items),
        fast(c"keys", dd_keys),
        fast(c"values", dd_values),
        fast(c"setdefault", dd_setdefault),
        fast(c"pop", dd_pop),
        fast(c"popitem", dd_popitem),
        fast(c"update", dd_update),
        fast(c"clear", dd_clear),
        fast(c"copy", dd_copy),
        fast(c"__copy__", dd_copy),
        fast(c"__missing__", dd_missing),
        END,
    ]);
    static GETSET: super::GetSets<2> = super::GetSets([
        PyGetSetDef {
            name: c"default_factory".as_ptr(),
            get: Some(dd_get_factory),
            set: Some(dd_set_factory),
            doc: std::ptr::null(),
            closure: std::ptr::null_mut(),
        },
        PyGetSetDef {
            name: std::ptr::null(),
            get: None,
            set: None,
            doc: std::ptr::null(),
            closure: std::ptr::null_mut(),
        },
    ]);
    super::make_type(
        cx,
        &DEFAULTDICT,
        c"collections.defaultdict",
        std::mem::size_of::<DefaultDict>(),
        super::TPFLAGS_BASETYPE | super::TPFLAGS_HAVE_GC,
        &[
            (slot::TP_NEW, dd_new as *mut c_void),
            (slot::MP_SUBSCRIPT, dd_subscript as *mut c_void),
            (slot::MP_ASS_SUBSCRIPT, dd_ass_subscript as *mut c_void),
            (slot::MP_LENGTH, dd_length as *mut c_void),
            (super::SQ_CONTAINS, dd_contains as *mut c_void),
            (slot::TP_ITER, dd_iter as *mut c_void),
            (slot::TP_REPR, dd_repr as *mut c_void),
            (slot::TP_DEALLOC, dd_dealloc as *mut c_void),
            (slot::TP_TRAVERSE, dd_traverse as *mut c_void),
            (
                slot::TP_METHODS,
                std::ptr::addr_of!(METHODS.0).cast_mut().cast(),
            ),
            (
                slot::TP_GETSET,
                std::ptr::addr_of!(GETSET.0).cast_mut().cast(),
            ),
        ],
    )
}

/// Adds the native parts of `collections` (`defaultdict`) to the module `m`.
pub fn add_to(cx: &mut Thread, m: Handle) -> PyResult<()> {
    let t = defaultdict_type(cx)?;
    super::put(cx, m, "defaultdict", t)
}
