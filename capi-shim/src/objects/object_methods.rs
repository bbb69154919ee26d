//! Python-visible methods of `object` that C code looks up on the type: `__reduce_ex__`,
//! `__reduce__` and `__getstate__` (CPython 3.11's `Objects/typeobject.c` documents them).
//!
//! Cython's limited-API modules compare `MyClass.__reduce_ex__` with `object.__reduce_ex__` (by
//! identity) when they set up pickling for each `cdef class`, so these must exist as single
//! descriptors in `object`'s dict. Their behaviour follows CPython's: `__reduce_ex__` calls an
//! overriding `__reduce__`; otherwise both delegate to the `copyreg` module exactly where
//! CPython does (`copyreg._reduce_ex` for protocols 0 and 1, `copyreg.__newobj__` for 2 and
//! above). pyopaque has no `copyreg`, so that import raises `ModuleNotFoundError`, which is
//! what those calls answer today.

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx;
use crate::boundary::ffi::*;
use crate::python::builtins::{arg_at as a, check_nargs};
use crate::python::stdlib::{fast, Defs};

/// `object.__getstate__()`: the instance `__dict__` when it has a non-empty one, else None
/// (CPython 3.11's default state; `__slots__` values are not collected: pyopaque's classes
/// store slots in their `__dict__`).
unsafe extern "C" fn object_getstate(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("__getstate__", n, 0, 0) {
        return std::ptr::null_mut();
    }
    cx::api("object.__getstate__", |cx| {
        // SAFETY: the object C passed as self.
        let h = unsafe { cx::harg(cx, s) }?;
        let st = getstate(cx, h)?;
        Ok(cx::new_ref_h(cx, st))
    })
}

fn getstate(cx: &mut Thread, h: Handle) -> PyResult<Handle> {
    let d = crate::r#abstract::object::getattr_opt(cx, h, "__dict__")?;
    match d {
        Some(d) if crate::r#abstract::object::length(cx, d)? > 0 => Ok(d),
        _ => Ok(cx.root(cx.rt.none)),
    }
}

/// `object.__reduce_ex__(protocol)`.
unsafe extern "C" fn object_reduce_ex(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("__reduce_ex__", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: one argument.
    let proto =
        unsafe { crate::r#abstract::number::PyNumber_AsSsize_t(a(args, 0), std::ptr::null_mut()) };
    if proto == -1 && !crate::python::errors::PyErr_Occurred().is_null() {
        return std::ptr::null_mut();
    }
    let proto = proto as i64;
    cx::api("object.__reduce_ex__", |cx| {
        // SAFETY: the object C passed as self.
        let h = unsafe { cx::harg(cx, s) }?;
        let o = cx.get(h);
        let ty = cx.type_of(o);
        let own = crate::types::typeobject::lookup_type_attr(ty, "__reduce__");
        let base = crate::types::typeobject::lookup_type_attr(cx.rt.types.object, "__reduce__");
        let r = if own.is_some() && own != base {
            crate::r#abstract::call::call_method(cx, h, "__reduce__", &[])?
        } else {
            common_reduce(cx, h, proto)?
        };
        Ok(cx::new_ref_h(cx, r))
    })
}

/// `object.__reduce__()`: protocol 0.
unsafe extern "C" fn object_reduce(
    s: *mut PyObject,
    _: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("__reduce__", n, 0, 0) {
        return std::ptr::null_mut();
    }
    cx::api("object.__reduce__", |cx| {
        // SAFETY: the object C passed as self.
        let h = unsafe { cx::harg(cx, s) }?;
        let r = common_reduce(cx, h, 0)?;
        Ok(cx::new_ref_h(cx, r))
    })
}

/// CPython's `_common_reduce`: `copyreg._reduce_ex(obj, proto)` below protocol 2, else the
/// `copyreg.__newobj__` form `(__newobj__, (cls, *newargs), state, listitems, dictitems)`.
fn common_reduce(cx: &mut Thread, h: Handle, proto: i64) -> PyResult<Handle> {
    let copyreg = crate::python::import::import(cx, "copyreg")?;
    if proto < 2 {
        let f = crate::r#abstract::object::getattr(cx, copyreg, "_reduce_ex")?;
        let ph = cx.int(proto);
        return crate::r#abstract::call::call(cx, f, &[h, ph], &[]);
    }
    let newobj = crate::r#abstract::object::getattr(cx, copyreg, "__newobj__")?;
    let o = cx.get(h);
    let cls = cx.type_of(o);
    let mut args = vec![cx.root(cls)];
    if let Some(g) = crate::r#abstract::object::getattr_opt(cx, h, "__getnewargs__")? {
        let t = crate::r#abstract::call::call(cx, g, &[], &[])?;
        let to = cx.get(t);
        if cx.kind_of(to) != pyopaque_runtime::Kind::Tuple {
            let tn = pyopaque_runtime::binding::type_payload(cx.type_of(to))
                .short_name()
                .to_string();
            return Err(cx::type_error(
                cx,
                &format!("__getnewargs__ should return a tuple, not '{tn}'"),
            ));
        }
        for i in 0..cx.tuple_len(to).unwrap_or(0) {
            let to = cx.get(t);
            let item = cx.tuple_get(to, i).expect("index below the length");
            args.push(cx.root(item));
        }
    }
    let args = cx.tuple(&args);
    let state = crate::r#abstract::call::call_method(cx, h, "__getstate__", &[])?;
    let o = cx.get(h);
    let listitems = if cx.is_instance(o, cx.rt.types.list) {
        crate::r#abstract::object::iter(cx, h)?
    } else {
        cx.root(cx.rt.none)
    };
    let o = cx.get(h);
    let dictitems = if cx.is_instance(o, cx.rt.types.dict) {
        let items = crate::r#abstract::call::call_method(cx, h, "items", &[])?;
        crate::r#abstract::object::iter(cx, items)?
    } else {
        cx.root(cx.rt.none)
    };
    Ok(cx.tuple(&[newobj, args, state, listitems, dictitems]))
}

static DEFS: Defs<3> = Defs([
    fast(c"__reduce_ex__", object_reduce_ex),
    fast(c"__reduce__", object_reduce),
    fast(c"__getstate__", object_getstate),
]);

/// Installs the methods as descriptors in `object`'s dict (from
/// [`crate::objects::type_methods::ensure_installed`], once per process).
pub fn install(cx: &mut Thread) {
    let object = cx.rt.types.object;
    for d in &DEFS.0 {
        // The definitions are never written: the `*mut` is what the descriptor stores.
        crate::objects::type_methods::install_descr(cx, object, std::ptr::from_ref(d).cast_mut());
    }
}
