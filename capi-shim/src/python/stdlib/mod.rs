//! Native stdlib modules: the parts of CPython's standard library that Cython-compiled programs
//! import (pyopaque has no bytecode interpreter, so a module written in Python cannot be run; each
//! module here is written in Rust against the shim). Each file implements one module's subset,
//! listed in its doc; [`get_module`] creates a module on its first import and keeps it for the
//! process.
//!
//! Conventions, shared with `builtins`: functions are `METH_FASTCALL` (optionally
//! `| METH_KEYWORDS`) C functions whose body runs inside [`cx::api`] over rooted handles, so a
//! body may allocate freely; types with instance state are spec types ([`make_type`]) whose
//! instances are pinned C structs holding *C-held* references (`*mut PyObject` from
//! [`cx::new_ref_h`]), reported by `tp_traverse` and released in `tp_dealloc`.

use std::ffi::{c_int, c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h};
use crate::boundary::ffi::*;

pub mod array;
pub mod bisect;
pub mod codecs;
pub mod collections;
pub mod functools;
pub mod itertools;
pub mod math;
pub mod operator;
pub mod random;
pub mod time;

/// The native stdlib module called `name`, created on first use; `None` when `name` is not one.
pub fn get_module(cx: &mut Thread, name: &str) -> PyResult<Option<Handle>> {
    let m = match name {
        "time" => time::module(cx)?,
        "functools" => functools::module(cx)?,
        "math" => math::module(cx)?,
        "operator" => operator::module(cx)?,
        "random" => random::module(cx)?,
        "itertools" => itertools::module(cx)?,
        "bisect" => bisect::module(cx)?,
        "codecs" => codecs::module(cx)?,
        "array" => array::module(cx)?,
        _ => return Ok(None),
    };
    Ok(Some(m))
}

/// A static table of method definitions (immutable: C strings and function pointers).
pub(crate) struct Defs<const N: usize>(pub [PyMethodDef; N]);
// SAFETY: immutable static data (C strings and function pointers), never written.
unsafe impl<const N: usize> Sync for Defs<N> {}

/// A `METH_FASTCALL` C function.
pub(crate) type Fast =
    unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize) -> *mut PyObject;
/// A `METH_FASTCALL | METH_KEYWORDS` C function.
pub(crate) type FastKw = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    isize,
    *mut PyObject,
) -> *mut PyObject;

/// The definition of a `METH_FASTCALL` function called `name`.
pub(crate) const fn fast(name: &'static CStr, f: Fast) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: a fastcall function stored as the generic pointer, as C does; METH_FASTCALL
        // tells the caller how to call it back.
        ml_meth: Some(unsafe { std::mem::transmute::<Fast, RawFn>(f) }),
        ml_flags: METH_FASTCALL,
        ml_doc: std::ptr::null(),
    }
}

/// The definition of a `METH_FASTCALL | METH_KEYWORDS` function called `name`.
pub(crate) const fn fast_kw(name: &'static CStr, f: FastKw) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: as in `fast`; METH_FASTCALL | METH_KEYWORDS selects this signature.
        ml_meth: Some(unsafe { std::mem::transmute::<FastKw, RawFn>(f) }),
        ml_flags: METH_FASTCALL | METH_KEYWORDS,
        ml_doc: std::ptr::null(),
    }
}

/// The `{NULL}` terminator of a method table.
pub(crate) const END: PyMethodDef = PyMethodDef {
    ml_name: std::ptr::null(),
    ml_meth: None,
    ml_flags: 0,
    ml_doc: std::ptr::null(),
};

/// A body over the positional arguments: `(cx, self, args)`.
pub(crate) type Body = fn(&mut Thread, Option<Handle>, &[Handle]) -> PyResult<Handle>;
/// A body over positional and keyword arguments: `(cx, self, args, (name, value) pairs)`.
pub(crate) type KwBody =
    fn(&mut Thread, Option<Handle>, &[Handle], &[(Handle, Handle)]) -> PyResult<Handle>;

/// Rooted handles for the `n` objects of a fastcall argument vector.
///
/// # Safety
/// `args` holds at least `n` valid object pointers (or `n <= 0`).
unsafe fn handles(cx: &mut Thread, args: *const *mut PyObject, n: isize) -> PyResult<Vec<Handle>> {
    let mut v = Vec::with_capacity(n.max(0) as usize);
    for i in 0..n.max(0) as usize {
        // SAFETY: caller's contract: `i < n`.
        let p = unsafe { *args.add(i) };
        // SAFETY: an argument C passed.
        v.push(unsafe { cx::harg(cx, p) }?);
    }
    Ok(v)
}

/// Runs `body` for a `METH_FASTCALL` call: the result is a new reference, or NULL with the
/// exception set.
///
/// # Safety
/// The arguments of a `METH_FASTCALL` call (`self_` NULL or an object, `args` holding `n`).
pub(crate) unsafe fn run_fast(
    name: &'static str,
    self_: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
    body: Body,
) -> *mut PyObject {
    cx::api(name, |cx| {
        // SAFETY: caller's contract.
        let s = unsafe { cx::from_c(self_) }.map(|o| cx.root(o));
        // SAFETY: caller's contract.
        let hs = unsafe { handles(cx, args, n) }?;
        let r = body(cx, s, &hs)?;
        Ok(new_ref_h(cx, r))
    })
}

/// Runs `body` for a `METH_FASTCALL | METH_KEYWORDS` call (keyword values follow the `n`
/// positional arguments, named by the `kwnames` tuple).
///
/// # Safety
/// The arguments of such a call.
pub(crate) unsafe fn run_fast_kw(
    name: &'static str,
    self_: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
    kwnames: *mut PyObject,
    body: KwBody,
) -> *mut PyObject {
    cx::api(name, |cx| {
        // SAFETY: caller's contract.
        let s = unsafe { cx::from_c(self_) }.map(|o| cx.root(o));
        // SAFETY: caller's contract.
        let hs = unsafe { handles(cx, args, n) }?;
        let mut kw = Vec::new();
        // SAFETY: caller's contract: NULL or a tuple.
        if let Some(names) = unsafe { cx::from_c(kwnames) } {
            let nk = cx.tuple_len(names).unwrap_or(0);
            for i in 0..nk {
                // SAFETY: the kwnames tuple C passed (re-read: rooting may move nothing pinned).
                let names = unsafe { cx::from_c(kwnames) }.expect("non-null");
                let k = cx.tuple_get(names, i).expect("in range");
                let k = cx.root(k);
                // SAFETY: the keyword values follow the positional ones in `args`.
                let p = unsafe { *args.add(n.max(0) as usize + i) };
                // SAFETY: an argument C passed.
                let v = unsafe { cx::harg(cx, p) }?;
                kw.push((k, v));
            }
        }
        let r = body(cx, s, &hs, &kw)?;
        Ok(new_ref_h(cx, r))
    })
}

/// Defines `extern "C" fn $cname` (a `METH_FASTCALL` function) running `$body`.
macro_rules! fastcall {
    ($cname:ident, $name:literal, $body:expr) => {
        unsafe extern "C" fn $cname(
            s: *mut $crate::boundary::ffi::PyObject,
            args: *const *mut $crate::boundary::ffi::PyObject,
            n: isize,
        ) -> *mut $crate::boundary::ffi::PyObject {
            // SAFETY: called back by the shim with METH_FASTCALL arguments.
            unsafe { $crate::python::stdlib::run_fast($name, s, args, n, $body) }
        }
    };
}
pub(crate) use fastcall;

/// Defines `extern "C" fn $cname` (a `METH_FASTCALL | METH_KEYWORDS` function) running `$body`.
macro_rules! fastcall_kw {
    ($cname:ident, $name:literal, $body:expr) => {
        unsafe extern "C" fn $cname(
            s: *mut $crate::boundary::ffi::PyObject,
            args: *const *mut $crate::boundary::ffi::PyObject,
            n: isize,
            kw: *mut $crate::boundary::ffi::PyObject,
        ) -> *mut $crate::boundary::ffi::PyObject {
            // SAFETY: called back by the shim with METH_FASTCALL | METH_KEYWORDS arguments.
            unsafe { $crate::python::stdlib::run_fast_kw($name, s, args, n, kw, $body) }
        }
    };
}
pub(crate) use fastcall_kw;

/// The object a static slot holds (a C-held reference stored by [`keep`]), if set.
pub(crate) fn cached(cx: &mut Thread, slot: &AtomicUsize) -> Option<Handle> {
    let cur = slot.load(Ordering::Acquire);
    if cur == 0 {
        return None;
    }
    // SAFETY: the address of a pinned object stored by `keep` (its C-held reference is never
    // released).
    let o = unsafe { cx::from_c(cur as *mut PyObject) }.expect("non-null");
    Some(cx.root(o))
}

/// Stores `h` in `slot` for the process (takes a C-held reference: pinned, never released).
pub(crate) fn keep(cx: &mut Thread, slot: &AtomicUsize, h: Handle) {
    let p = new_ref_h(cx, h);
    slot.store(p as usize, Ordering::Release);
}

/// A new module `name` holding a builtin function for each entry of `defs` (up to its
/// terminator, if any).
pub(crate) fn new_module(
    cx: &mut Thread,
    name: &str,
    defs: &'static [PyMethodDef],
) -> PyResult<Handle> {
    let m = crate::python::module::new_module(cx, name, std::ptr::null_mut())?;
    for d in defs {
        if d.ml_name.is_null() {
            break;
        }
        // The definitions are never written: the `*mut` is what the function type stores.
        let dp = (d as *const PyMethodDef).cast_mut();
        // SAFETY: a static definition with a C string name.
        let fname = unsafe { cx::cstr_lossy(d.ml_name) };
        let f = crate::r#abstract::call::new_cfunction(cx, dp, None, Some(m), None);
        crate::r#abstract::object::setattr(cx, m, &fname, Some(f))?;
    }
    Ok(m)
}

/// Sets `m.name = v`.
pub(crate) fn put(cx: &mut Thread, m: Handle, name: &str, v: Handle) -> PyResult<()> {
    crate::r#abstract::object::setattr(cx, m, name, Some(v))
}

/// Creates a spec type once (kept in `slot` for the process): `name` (dotted), instances of
/// `basicsize` bytes, `flags`, the given slots (the terminator is added), `base` (None:
/// `object`).
pub(crate) fn make_type(
    cx: &mut Thread,
    slot: &AtomicUsize,
    name: &'static CStr,
    basicsize: usize,
    flags: u64,
    slots: &[(c_int, *mut c_void)],
) -> PyResult<Handle> {
    if let Some(t) = cached(cx, slot) {
        return Ok(t);
    }
    let mut table: Vec<PyType_Slot> = slots
        .iter()
        .map(|&(slot, pfunc)| PyType_Slot { slot, pfunc })
        .collect();
    table.push(PyType_Slot {
        slot: 0,
        pfunc: std::ptr::null_mut(),
    });
    // The type keeps pointers into its spec's tables for its life (the process): leak them.
    let table: &'static mut [PyType_Slot] = Box::leak(table.into_boxed_slice());
    let spec = Box::leak(Box::new(PyType_Spec {
        name: name.as_ptr(),
        basicsize: basicsize as c_int,
        itemsize: 0,
        flags: flags as std::ffi::c_uint,
        slots: table.as_mut_ptr(),
    }));
    // SAFETY: a valid, terminated spec living for the process.
    let p = unsafe {
        crate::types::typeobject::from_spec(cx, std::ptr::null_mut(), spec, std::ptr::null_mut())
    }?;
    // `from_spec` returned a new (C-held) reference: keep it as the slot's reference.
    slot.store(p as usize, Ordering::Release);
    Ok(cached(cx, slot).expect("just stored"))
}

/// The C struct of instance `h` of a spec type whose instances are `T`.
///
/// # Safety
/// `h` is an instance of a type made by [`make_type`] with `basicsize = size_of::<T>()` (such
/// instances are pinned: the pointer stays valid while `h` is rooted).
pub(crate) unsafe fn inst<T>(cx: &Thread, h: Handle) -> *mut T {
    cx::to_c(cx.get(h)).cast::<T>()
}

/// A C-held reference to `h`, to store in an instance struct.
pub(crate) fn hold(cx: &mut Thread, h: Handle) -> *mut PyObject {
    new_ref_h(cx, h)
}

/// A rooted handle for a field holding a C-held reference (None when NULL).
///
/// # Safety
/// `p` is NULL or a live object pointer (a reference held by an instance struct).
pub(crate) unsafe fn held(cx: &mut Thread, p: *mut PyObject) -> Option<Handle> {
    // SAFETY: caller's contract.
    let o = unsafe { cx::from_c(p) }?;
    Some(cx.root(o))
}

/// Releases a field's C-held reference (no-op for NULL); usable in `tp_dealloc`.
///
/// # Safety
/// `p` is NULL or a reference the caller owns.
pub(crate) unsafe fn release(p: *mut PyObject) {
    if !p.is_null() {
        // SAFETY: caller's contract: the reference is owned and given up here.
        unsafe { crate::boundary::refcount::Py_DecRef(p) };
    }
}

/// Reports the non-NULL fields to a `tp_traverse` visitor.
///
/// # Safety
/// Each field is NULL or a live object pointer; `visit`/`arg` as passed to `tp_traverse`.
pub(crate) unsafe fn visit_all(
    fields: &[*mut PyObject],
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    for &f in fields {
        if !f.is_null() {
            // SAFETY: caller's contract.
            let r = unsafe { visit(f, arg) };
            if r != 0 {
                return r;
            }
        }
    }
    0
}

/// Frees the memory of an instance at the end of its `tp_dealloc`.
///
/// # Safety
/// `o` is an instance being deallocated; it is not used afterwards.
pub(crate) unsafe fn free_instance(o: *mut PyObject) {
    // SAFETY: caller's contract.
    unsafe { crate::python::memory::PyObject_GC_Del(o.cast()) };
}

/// TypeError unless `min <= args.len() <= max` (CPython's wording for builtins).
pub(crate) fn nargs(
    cx: &mut Thread,
    name: &str,
    args: &[Handle],
    min: usize,
    max: usize,
) -> PyResult<()> {
    let n = args.len();
    if n >= min && n <= max {
        return Ok(());
    }
    let msg = crate::python::builtins::arity_message(name, n, min, max);
    Err(cx::type_error(cx, &msg))
}

/// `float(x)` as an f64 for a float, an int or an object with `__float__`/`__index__`
/// (`PyFloat_AsDouble`), TypeError otherwise.
pub(crate) fn as_f64(cx: &mut Thread, h: Handle) -> PyResult<f64> {
    let o = cx.get(h);
    if cx::is_exact_float(o) {
        if let Some(v) = cx.float_value_of(o)? {
            return Ok(v);
        }
    }
    let p = {
        let o = cx.get(h);
        cx::borrowed(cx, o)
    };
    cx.begin_native_call();
    // SAFETY: a borrowed reference pinned for the native call.
    let v = cx::publish(cx, || unsafe { crate::objects::float::PyFloat_AsDouble(p) });
    cx.end_native_call();
    if v == -1.0 && cx.error().is_some() {
        return Err(pyopaque_runtime::Raised);
    }
    Ok(v)
}

/// `operator.index(x)` as a big integer (TypeError for a non-integer).
pub(crate) fn as_index(cx: &mut Thread, h: Handle) -> PyResult<num_bigint::BigInt> {
    let i = crate::r#abstract::object::c_call(cx, "__index__", &[h], |a| {
        // SAFETY: a borrowed argument pinned for the call.
        unsafe { crate::r#abstract::number::PyNumber_Index(a[0]) }
    })?;
    let o = cx.get(i);
    Ok(crate::objects::long::int_of(cx, o)?.to_big())
}

/// `x` as an i64 via `__index__`: OverflowError when it does not fit.
pub(crate) fn as_i64(cx: &mut Thread, h: Handle) -> PyResult<i64> {
    use num_traits::ToPrimitive;
    let o = cx.get(h);
    if let Some(v) = o.as_small_int() {
        return Ok(v);
    }
    let b = as_index(cx, h)?;
    match b.to_i64() {
        Some(v) => Ok(v),
        None => Err(cx::overflow_error(
            cx,
            "Python int too large to convert to C ssize_t",
        )),
    }
}

/// A new int for a big integer.
pub(crate) fn big(cx: &mut Thread, b: num_bigint::BigInt) -> Handle {
    crate::objects::long::from_big(cx, b)
}

/// Raises builtin exception `name(msg)`.
pub(crate) fn raise(cx: &mut Thread, name: &'static str, msg: &str) -> pyopaque_runtime::Raised {
    let t = crate::types::shim_types::shim_types().exc_named(name);
    cx.raise(t, msg)
}

/// Calls a C API function taking borrowed objects and returning a new reference.
pub(crate) fn c1(
    cx: &mut Thread,
    what: &str,
    args: &[Handle],
    f: impl FnOnce(&[*mut PyObject]) -> *mut PyObject,
) -> PyResult<Handle> {
    crate::r#abstract::object::c_call(cx, what, args, f)
}

/// Rooted handles for the items of a tuple `p` (NULL: none), as `tp_call`/`tp_new` receive.
///
/// # Safety
/// `p` is NULL or a live object pointer.
pub(crate) unsafe fn tuple_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Vec<Handle>> {
    // SAFETY: caller's contract.
    let Some(t) = (unsafe { cx::from_c(p) }) else {
        return Ok(Vec::new());
    };
    let h = cx.root(t);
    crate::r#abstract::sequence::collect(cx, h)
}

/// Rooted `(key, value)` pairs of a dict `p` (NULL: none), as `tp_call`/`tp_new` receive.
///
/// # Safety
/// `p` is NULL or a live dict pointer.
pub(crate) unsafe fn dict_arg(
    cx: &mut Thread,
    p: *mut PyObject,
) -> PyResult<Vec<(Handle, Handle)>> {
    // SAFETY: caller's contract.
    let Some(d) = (unsafe { cx::from_c(p) }) else {
        return Ok(Vec::new());
    };
    let dh = cx.root(d);
    Ok(dict_items(cx, dh))
}

/// Rooted `(key, value)` pairs of dict `d`, in order.
pub(crate) fn dict_items(cx: &mut Thread, d: Handle) -> Vec<(Handle, Handle)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    loop {
        let dd = cx.get(d);
        let Some((k, v)) = cx.dict_next(dd, &mut pos) else {
            break;
        };
        let kh = cx.root(k);
        let vh = cx.root(v);
        out.push((kh, vh));
    }
    out
}

/// A static member table (immutable: C strings and offsets).
pub(crate) struct Members<const N: usize>(pub [PyMemberDef; N]);
// SAFETY: immutable static data, never written.
unsafe impl<const N: usize> Sync for Members<N> {}

/// A read-only object member (`Py_T_OBJECT_EX`, `Py_READONLY`) at `offset`.
pub(crate) const fn member(name: &'static CStr, offset: usize) -> PyMemberDef {
    PyMemberDef {
        name: name.as_ptr(),
        type_: 16,
        offset: offset as Py_ssize_t,
        flags: 1,
        doc: std::ptr::null(),
    }
}

/// The terminator of a member table.
pub(crate) const MEMBER_END: PyMemberDef = PyMemberDef {
    name: std::ptr::null(),
    type_: 0,
    offset: 0,
    flags: 0,
    doc: std::ptr::null(),
};

/// Sets `sys.implementation`: an object (of a plain class `types.SimpleNamespace`) with `name`
/// (`"pyopaque"`), `cache_tag` (None: no bytecode cache), `version` (the tuple of the CPython
/// version `sys.version` names: 3.15.0a0) and `hexversion`.
pub fn sys_implementation(cx: &mut Thread, sys: Handle) -> PyResult<()> {
    let ns = cx.dict();
    let k = cx.str("__module__");
    let v = cx.str("types");
    cx.dict_set(ns, k, v)?;
    let cls = crate::types::class::new_class(cx, "SimpleNamespace", &[], ns, &[])?;
    let obj = crate::r#abstract::call::call(cx, cls, &[], &[])?;
    let name = cx.str("pyopaque");
    put(cx, obj, "name", name)?;
    let none = cx.root(cx.rt.none);
    put(cx, obj, "cache_tag", none)?;
    let parts = [cx.int(3), cx.int(15), cx.int(0), cx.str("alpha"), cx.int(0)];
    let version = cx.tuple(&parts);
    put(cx, obj, "version", version)?;
    let hex = cx.int(0x030F_00A0);
    put(cx, obj, "hexversion", hex)?;
    put(cx, sys, "implementation", obj)
}

/// A static getset table (immutable: C strings and function pointers).
pub(crate) struct GetSets<const N: usize>(pub [PyGetSetDef; N]);
// SAFETY: immutable static data, never written.
unsafe impl<const N: usize> Sync for GetSets<N> {}

/// `Py_TPFLAGS_BASETYPE`.
pub(crate) const TPFLAGS_BASETYPE: u64 = 1 << 10;
/// `Py_TPFLAGS_HAVE_GC`.
pub(crate) const TPFLAGS_HAVE_GC: u64 = 1 << 14;
/// `Py_sq_contains`.
pub(crate) const SQ_CONTAINS: c_int = 41;

/// The `types.CoroutineType` and `types.AsyncGeneratorType` pyopaque has: types without
/// instances (there is no evaluation loop, so no native coroutine or async generator exists;
/// Cython's own coroutine types are separate), so a type test against them is false for every
/// object, as for a program that never made one. 0 before first use.
static COROUTINE: AtomicUsize = AtomicUsize::new(0);
/// See [`COROUTINE`].
static ASYNC_GENERATOR: AtomicUsize = AtomicUsize::new(0);

/// Adds to the `types` module the names it lacks that Cython's module init reads
/// (`CoroutineType`, `AsyncGeneratorType`: see [`COROUTINE`]).
pub fn types_extras(cx: &mut Thread, m: Handle) -> PyResult<()> {
    if crate::r#abstract::object::getattr_opt(cx, m, "CoroutineType")?.is_none() {
        let t = make_type(cx, &COROUTINE, c"coroutine", 0, DISALLOW_INSTANTIATION, &[])?;
        put(cx, m, "CoroutineType", t)?;
    }
    if crate::r#abstract::object::getattr_opt(cx, m, "AsyncGeneratorType")?.is_none() {
        let t = make_type(
            cx,
            &ASYNC_GENERATOR,
            c"async_generator",
            0,
            DISALLOW_INSTANTIATION,
            &[],
        )?;
        put(cx, m, "AsyncGeneratorType", t)?;
    }
    Ok(())
}

/// `Py_TPFLAGS_DISALLOW_INSTANTIATION`.
const DISALLOW_INSTANTIATION: u64 = 1 << 7;
