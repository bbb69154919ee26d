//! A native `collections.abc` (and the `collections` package holding it): the abstract base
//! classes as real Python-level classes ([`crate::types::class::new_class`]), created on first
//! import and kept for the process.
//!
//! What Cython's limited-API module init reads: `Sequence` and `Mapping`, whose type flags must
//! differ by exactly `Py_TPFLAGS_SEQUENCE` and `Py_TPFLAGS_MAPPING` (CPython's
//! `__abc_tpflags__`); both are set here on `Sequence`/`MutableSequence` and
//! `Mapping`/`MutableMapping`.
//!
//! `isinstance`/`issubclass` semantics: there is no `ABCMeta` and no `__subclasshook__` (no
//! structural checks such as "has `__iter__`"). Instead the builtin concrete types are
//! *registered* as virtual subclasses, as CPython's `collections.abc` does with
//! `Sequence.register(tuple)` etc.: `tuple`, `str`, `bytes` under `Sequence`; `list`,
//! `bytearray` under `MutableSequence`; `dict` under `MutableMapping`; `mappingproxy` under
//! `Mapping`; `set` under `MutableSet`; `frozenset` under `Set`. [`is_virtual_subclass`] (called
//! by `PyObject_IsInstance`/`PyObject_IsSubclass` when the real MRO says no) answers: `t` is a
//! virtual subclass of `cls` when `t` derives from a registered type whose ABC derives from
//! `cls`. So `isinstance([], Iterable)` and `isinstance({}, Sized)` hold, while a Python class
//! with `__iter__` is not an `Iterable` unless it derives from it. Each ABC has `register`
//! (`Sequence.register(MyType)`), which adds a pair to the same table.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h};
use crate::boundary::ffi::PyObject;

/// `Py_TPFLAGS_SEQUENCE`.
const TPFLAGS_SEQUENCE: u64 = 1 << 5;
/// `Py_TPFLAGS_MAPPING`.
const TPFLAGS_MAPPING: u64 = 1 << 6;

/// The classes, in creation order: name, bases (names of earlier entries), type flags to add.
const CLASSES: &[(&str, &[&str], u64)] = &[
    ("Hashable", &[], 0),
    ("Awaitable", &[], 0),
    ("Coroutine", &["Awaitable"], 0),
    ("AsyncIterable", &[], 0),
    ("AsyncIterator", &["AsyncIterable"], 0),
    ("AsyncGenerator", &["AsyncIterator"], 0),
    ("Iterable", &[], 0),
    ("Iterator", &["Iterable"], 0),
    ("Reversible", &["Iterable"], 0),
    ("Generator", &["Iterator"], 0),
    ("Sized", &[], 0),
    ("Container", &[], 0),
    ("Callable", &[], 0),
    ("Buffer", &[], 0),
    ("Collection", &["Sized", "Iterable", "Container"], 0),
    ("Set", &["Collection"], 0),
    ("MutableSet", &["Set"], 0),
    ("Mapping", &["Collection"], TPFLAGS_MAPPING),
    ("MutableMapping", &["Mapping"], TPFLAGS_MAPPING),
    ("MappingView", &["Sized"], 0),
    ("KeysView", &["MappingView", "Set"], 0),
    ("ItemsView", &["MappingView", "Set"], 0),
    ("ValuesView", &["MappingView", "Collection"], 0),
    ("Sequence", &["Reversible", "Collection"], TPFLAGS_SEQUENCE),
    ("MutableSequence", &["Sequence"], TPFLAGS_SEQUENCE),
];

/// The `collections.abc` module (a C-held reference: pinned), 0 before first use.
static ABC_MODULE: AtomicUsize = AtomicUsize::new(0);
/// The `collections` package module (a C-held reference: pinned), 0 before first use.
static COLLECTIONS_MODULE: AtomicUsize = AtomicUsize::new(0);
/// Registered virtual subclasses: (ABC, concrete type), both as C-held (pinned) type pointers.
static REGISTERED: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

fn cached(cx: &mut Thread, slot: &AtomicUsize) -> Option<Handle> {
    let cur = slot.load(Ordering::Acquire);
    if cur == 0 {
        return None;
    }
    // SAFETY: the address of a pinned module stored by this file.
    let o = unsafe { cx::from_c(cur as *mut PyObject) }.expect("non-null");
    Some(cx.root(o))
}

/// The `collections.abc` module (created on first use, then kept for the process).
pub fn abc_module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = cached(cx, &ABC_MODULE) {
        return Ok(m);
    }
    let m = crate::python::module::new_module(cx, "collections.abc", std::ptr::null_mut())?;
    let mut made: Vec<(&str, Handle)> = Vec::new();
    for (name, bases, flags) in CLASSES {
        let ns = cx.dict();
        let k = cx.str("__module__");
        let v = cx.str("collections.abc");
        cx.dict_set(ns, k, v)?;
        let k = cx.str("__qualname__");
        let v = cx.str(name);
        cx.dict_set(ns, k, v)?;
        let base_refs: Vec<ObjRef> = bases
            .iter()
            .map(|b| {
                let h = made.iter().find(|(n, _)| n == b).expect("earlier entry").1;
                cx.get(h)
            })
            .collect();
        let c = crate::types::class::new_class(cx, name, &base_refs, ns, &[])?;
        if *flags != 0 {
            type_payload(cx.get(c))
                .flags
                .fetch_or(*flags, Ordering::AcqRel);
        }
        crate::r#abstract::object::setattr(cx, m, name, Some(c))?;
        add_register(cx, c)?;
        made.push((name, c));
    }
    let g = crate::types::shim_types::shim_types();
    let rt = cx.rt.clone();
    let registrations = [
        ("Sequence", rt.types.tuple),
        ("Sequence", rt.types.str_),
        ("Sequence", rt.types.bytes),
        ("MutableSequence", rt.types.list),
        ("MutableSequence", g.bytearray),
        ("MutableMapping", rt.types.dict),
        ("Mapping", g.mappingproxy),
        ("MutableSet", g.set),
        ("Set", g.frozenset),
    ];
    let mut pairs = Vec::new();
    for (abc, concrete) in registrations {
        let a = made
            .iter()
            .find(|(n, _)| *n == abc)
            .expect("a class above")
            .1;
        let c = cx.root(concrete);
        pairs.push((new_ref_h(cx, a) as usize, new_ref_h(cx, c) as usize));
    }
    REGISTERED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(pairs);
    let p = new_ref_h(cx, m);
    ABC_MODULE.store(p as usize, Ordering::Release);
    Ok(m)
}

/// The `collections` package: its `abc` submodule and `defaultdict`
/// ([`crate::python::stdlib::collections`]); `OrderedDict`, `deque`, ... are Python source or C
/// types pyopaque does not have.
pub fn collections_module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = cached(cx, &COLLECTIONS_MODULE) {
        return Ok(m);
    }
    let m = crate::python::module::new_module(cx, "collections", std::ptr::null_mut())?;
    let abc = abc_module(cx)?;
    crate::r#abstract::object::setattr(cx, m, "abc", Some(abc))?;
    crate::python::stdlib::collections::add_to(cx, m)?;
    let p = new_ref_h(cx, m);
    COLLECTIONS_MODULE.store(p as usize, Ordering::Release);
    Ok(m)
}

/// Registers type `concrete` as a virtual subclass of the ABC called `abc` (CPython's
/// `abc.register(concrete)`), importing `collections.abc` first.
pub fn register(cx: &mut Thread, abc: &str, concrete: Handle) -> PyResult<()> {
    let m = abc_module(cx)?;
    let a = crate::r#abstract::object::getattr(cx, m, abc)?;
    let pair = (new_ref_h(cx, a) as usize, new_ref_h(cx, concrete) as usize);
    REGISTERED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(pair);
    Ok(())
}

/// `ABC.register(subclass)`: records `subclass` as a virtual subclass of the class it is
/// called on and returns it (so it also works as a class decorator), as `abc.ABCMeta.register`.
unsafe extern "C" fn abc_register(cls: *mut PyObject, sub: *mut PyObject) -> *mut PyObject {
    cx::api("ABC.register", |cx| {
        // SAFETY: the class the method is bound to and the argument the call passes.
        let (c, s) = unsafe { (cx::harg(cx, cls)?, cx::harg(cx, sub)?) };
        let so = cx.get(s);
        if cx.kind_of(so) != pyopaque_runtime::Kind::Type {
            return Err(cx::type_error(cx, "Can only register classes"));
        }
        let pair = (new_ref_h(cx, c) as usize, new_ref_h(cx, s) as usize);
        REGISTERED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(pair);
        Ok(new_ref_h(cx, s))
    })
}

struct RegisterDef(crate::boundary::ffi::PyMethodDef);
// SAFETY: immutable static data (a C string and a function pointer), never written.
unsafe impl Sync for RegisterDef {}

type MethO = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;

static REGISTER_DEF: RegisterDef = RegisterDef(crate::boundary::ffi::PyMethodDef {
    ml_name: c"register".as_ptr(),
    // SAFETY: stored as the generic pointer; METH_O selects the (self, arg) signature.
    ml_meth: Some(unsafe {
        std::mem::transmute::<MethO, crate::boundary::ffi::RawFn>(abc_register)
    }),
    ml_flags: crate::boundary::ffi::METH_O | crate::boundary::ffi::METH_CLASS,
    ml_doc: std::ptr::null(),
});

/// Puts the `register` class method on ABC `c`.
fn add_register(cx: &mut Thread, c: Handle) -> PyResult<()> {
    let co = cx.get(c);
    let d = std::ptr::addr_of!(REGISTER_DEF.0).cast_mut();
    // SAFETY: `co` is a type, `d` a static definition.
    let p = unsafe { crate::types::descriptors::PyDescr_NewClassMethod(cx::to_c(co).cast(), d) };
    // SAFETY: a new reference or NULL with an exception.
    let dh = unsafe { cx::take_result(cx, p, "PyDescr_NewClassMethod") }?;
    let (co, dv) = (cx.get(c), cx.get(dh));
    crate::types::typeobject::set_type_attr(cx, co, "register", dv);
    Ok(())
}

/// True when `t` is a registered virtual subclass of `cls` (see the module docs): `t` derives
/// from a registered concrete type whose ABC derives from `cls`.
pub fn is_virtual_subclass(cx: &mut Thread, t: ObjRef, cls: ObjRef) -> bool {
    if !crate::types::class::is_python_class(cls) {
        return false;
    }
    let pairs = REGISTERED.lock().unwrap_or_else(|e| e.into_inner()).clone();
    pairs.into_iter().any(|(abc, concrete)| {
        // SAFETY: both are pinned type pointers stored by `abc_module`.
        let (a, c) = unsafe {
            (
                cx::from_c(abc as *mut PyObject).expect("non-null"),
                cx::from_c(concrete as *mut PyObject).expect("non-null"),
            )
        };
        cx.is_subtype(t, c) && cx.is_subtype(a, cls)
    })
}
