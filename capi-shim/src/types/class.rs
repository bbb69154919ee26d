//! Python-level classes: `type(name, bases, ns)` (what Cython's `__Pyx_Py3ClassCreate` calls),
//! their instances, attribute lookup with the descriptor protocol, and the slot wrappers that
//! let special methods defined in the class namespace reach the C API.
//!
//! Model (see docs/design.md, "Class model"):
//! * A class is an external, immortal runtime type with its C3 MRO recorded in the runtime's
//!   `TypeObject::mro` (so `issubclass`, `isinstance` and attribute lookup see multiple
//!   inheritance everywhere).
//! * A class whose layout base is `object` or a C type is a spec-like type: its [`CType`] has a
//!   slot table whose entries are this module's *slot wrappers* (CPython's `slot_tp_repr`,
//!   `slot_nb_add`, ...) for every special method the class or a Python base defines, so every
//!   C path that dispatches on slots (`PyObject_Repr`, `PyNumber_Add`, `PyObject_RichCompare`,
//!   `PyObject_Hash`, `PyObject_GetIter`, `PyObject_Call`, ...) runs the Python-level method.
//!   Instances are C-layout objects (pinned) with one extra pointer after the base's struct:
//!   the instance `__dict__` (created on first store).
//! * A class whose layout base is an exception type is an exception type (`Kind::Exception`):
//!   its instances are exception payloads, whose dict holds their attributes.
//! * Other builtin layout bases (`int`, `str`, `dict`, ...) are refused with TypeError: their
//!   payloads are runtime kinds with no room for a dict yet.

use std::ffi::{c_int, c_void, CString};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::types::tpflags;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Raised, Thread, TypeObject};

use crate::boundary::cx::{self, attribute_error, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::types::typeobject::{ctype, get_slot, lookup_type_attr, CType, C_HOOKS};

/// Slot ids this module fills that `ffi::slot` does not name.
mod extra_slot_ids {
    #![allow(missing_docs)]
    use std::ffi::c_int;
    pub const NB_AND: c_int = 8;
    pub const NB_FLOAT: c_int = 11;
    pub const NB_FLOOR_DIVIDE: c_int = 12;
    pub const NB_INDEX: c_int = 13;
    pub const NB_INT: c_int = 26;
    pub const NB_OR: c_int = 31;
    pub const NB_REMAINDER: c_int = 34;
    pub const NB_TRUE_DIVIDE: c_int = 37;
    pub const NB_XOR: c_int = 38;
    pub const SQ_CONTAINS: c_int = 41;
    pub const TP_DESCR_GET: c_int = 54;
    pub const TP_DESCR_SET: c_int = 55;
}
use extra_slot_ids as xs;

/// Offset of the instance `__dict__` pointer in instances of `ty`, when `ty` is a Python-level
/// class with a C-layout instance.
pub fn dict_offset(ty: ObjRef) -> Option<usize> {
    ctype(ty).and_then(|c| c.dict_offset)
}

/// True when `ty` was made by [`new_class`] (any layout).
pub fn is_python_class(ty: ObjRef) -> bool {
    !ty.is_tagged() && type_payload(ty).flags() & PYTHON_CLASS != 0
}

/// A private flag bit (unused by CPython 3.11) marking classes made by `type(name, bases, ns)`.
const PYTHON_CLASS: u64 = 1 << 2;

// ----- creation -----

/// The MRO of an existing type: its recorded one, else its base chain.
pub(crate) fn mro_of(ty: ObjRef) -> Vec<ObjRef> {
    if let Some(m) = type_payload(ty).mro.get() {
        return m.clone();
    }
    let mut v = Vec::new();
    let mut t = Some(ty);
    while let Some(x) = t {
        v.push(x);
        t = type_payload(x).base;
    }
    v
}

/// C3 linearization of `bases` (without the new class itself); None on a conflict.
fn c3(bases: &[ObjRef]) -> Option<Vec<ObjRef>> {
    let mut seqs: Vec<Vec<ObjRef>> = bases.iter().map(|b| mro_of(*b)).collect();
    seqs.push(bases.to_vec());
    let mut out = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Some(out);
        }
        let head = seqs
            .iter()
            .map(|s| s[0])
            .find(|h| !seqs.iter().any(|s| s[1..].contains(h)))?;
        out.push(head);
        for s in seqs.iter_mut() {
            if s[0] == head {
                s.remove(0);
            }
        }
    }
}

/// The layout base of `ty`: the nearest type in its base chain that is not a Python class.
fn solid_base(ty: ObjRef) -> ObjRef {
    let mut t = ty;
    while is_python_class(t) && type_payload(t).kind != Kind::Exception {
        match type_payload(t).base {
            Some(b) => t = b,
            None => break,
        }
    }
    if type_payload(t).kind == Kind::Exception {
        // Exception classes keep the exception layout whoever defined them.
        return t;
    }
    t
}

/// The special methods with a slot wrapper, and the slot each fills.
const SLOT_METHODS: &[(&str, c_int)] = &[
    ("__repr__", slot::TP_REPR),
    ("__str__", slot::TP_STR),
    ("__hash__", slot::TP_HASH),
    ("__eq__", slot::TP_RICHCOMPARE),
    ("__ne__", slot::TP_RICHCOMPARE),
    ("__lt__", slot::TP_RICHCOMPARE),
    ("__le__", slot::TP_RICHCOMPARE),
    ("__gt__", slot::TP_RICHCOMPARE),
    ("__ge__", slot::TP_RICHCOMPARE),
    ("__iter__", slot::TP_ITER),
    ("__next__", slot::TP_ITERNEXT),
    ("__call__", slot::TP_CALL),
    ("__init__", slot::TP_INIT),
    ("__len__", slot::MP_LENGTH),
    ("__len__", slot::SQ_LENGTH),
    ("__getitem__", slot::MP_SUBSCRIPT),
    ("__setitem__", slot::MP_ASS_SUBSCRIPT),
    ("__delitem__", slot::MP_ASS_SUBSCRIPT),
    ("__contains__", xs::SQ_CONTAINS),
    ("__bool__", slot::NB_BOOL),
    ("__neg__", slot::NB_NEGATIVE),
    ("__int__", xs::NB_INT),
    ("__float__", xs::NB_FLOAT),
    ("__index__", xs::NB_INDEX),
    ("__add__", slot::NB_ADD),
    ("__radd__", slot::NB_ADD),
    ("__sub__", slot::NB_SUBTRACT),
    ("__rsub__", slot::NB_SUBTRACT),
    ("__mul__", slot::NB_MULTIPLY),
    ("__rmul__", slot::NB_MULTIPLY),
    ("__truediv__", xs::NB_TRUE_DIVIDE),
    ("__rtruediv__", xs::NB_TRUE_DIVIDE),
    ("__floordiv__", xs::NB_FLOOR_DIVIDE),
    ("__rfloordiv__", xs::NB_FLOOR_DIVIDE),
    ("__mod__", xs::NB_REMAINDER),
    ("__rmod__", xs::NB_REMAINDER),
    ("__and__", xs::NB_AND),
    ("__rand__", xs::NB_AND),
    ("__or__", xs::NB_OR),
    ("__ror__", xs::NB_OR),
    ("__xor__", xs::NB_XOR),
    ("__rxor__", xs::NB_XOR),
    ("__get__", xs::TP_DESCR_GET),
    ("__set__", xs::TP_DESCR_SET),
    ("__delete__", xs::TP_DESCR_SET),
];

/// The wrapper function for slot `id`.
fn wrapper_for(id: c_int) -> usize {
    match id {
        slot::TP_REPR => slot_tp_repr as *const () as usize,
        slot::TP_STR => slot_tp_str as *const () as usize,
        slot::TP_HASH => slot_tp_hash as *const () as usize,
        slot::TP_RICHCOMPARE => slot_tp_richcompare as *const () as usize,
        slot::TP_ITER => slot_tp_iter as *const () as usize,
        slot::TP_ITERNEXT => slot_tp_iternext as *const () as usize,
        slot::TP_CALL => slot_tp_call as *const () as usize,
        slot::TP_INIT => slot_tp_init as *const () as usize,
        slot::MP_LENGTH | slot::SQ_LENGTH => slot_len as *const () as usize,
        slot::MP_SUBSCRIPT => slot_mp_subscript as *const () as usize,
        slot::MP_ASS_SUBSCRIPT => slot_mp_ass_subscript as *const () as usize,
        xs::SQ_CONTAINS => slot_sq_contains as *const () as usize,
        slot::NB_BOOL => slot_nb_bool as *const () as usize,
        slot::NB_NEGATIVE => slot_nb_negative as *const () as usize,
        xs::NB_INT => slot_nb_int as *const () as usize,
        xs::NB_FLOAT => slot_nb_float as *const () as usize,
        xs::NB_INDEX => slot_nb_index as *const () as usize,
        slot::NB_ADD => slot_nb_add as *const () as usize,
        slot::NB_SUBTRACT => slot_nb_subtract as *const () as usize,
        slot::NB_MULTIPLY => slot_nb_multiply as *const () as usize,
        xs::NB_TRUE_DIVIDE => slot_nb_true_divide as *const () as usize,
        xs::NB_FLOOR_DIVIDE => slot_nb_floor_divide as *const () as usize,
        xs::NB_REMAINDER => slot_nb_remainder as *const () as usize,
        xs::NB_AND => slot_nb_and as *const () as usize,
        xs::NB_OR => slot_nb_or as *const () as usize,
        xs::NB_XOR => slot_nb_xor as *const () as usize,
        xs::TP_DESCR_GET => slot_tp_descr_get as *const () as usize,
        xs::TP_DESCR_SET => slot_tp_descr_set as *const () as usize,
        _ => 0,
    }
}

/// True when the namespace-or-attribute table of a Python class defines `name` itself.
fn own_attr(ty: ObjRef, name: &str) -> bool {
    type_payload(ty).attrs.lock().iter().any(|(n, _)| n == name)
}

/// `type(name, bases, ns, **kwargs)`: creates a Python-level class (see the module docs).
pub fn new_class(
    cx: &mut Thread,
    name: &str,
    bases: &[ObjRef],
    ns: Handle,
    kwargs: &[(Handle, Handle)],
) -> PyResult<Handle> {
    let rt = cx.rt.clone();
    let bases: Vec<ObjRef> = if bases.is_empty() {
        vec![rt.types.object]
    } else {
        bases.to_vec()
    };
    for b in &bases {
        if cx.kind_of(*b) != Kind::Type {
            let tn = tname(cx, *b);
            return Err(type_error(cx, &format!("bases must be types, not '{tn}'")));
        }
        if type_payload(*b).flags() & tpflags::BASETYPE == 0 {
            return Err(type_error(
                cx,
                &format!(
                    "type '{}' is not an acceptable base type",
                    type_payload(*b).short_name()
                ),
            ));
        }
    }
    let Some(tail) = c3(&bases) else {
        let names: Vec<&str> = bases
            .iter()
            .map(|b| type_payload(*b).short_name())
            .collect();
        return Err(type_error(
            cx,
            &format!(
                "Cannot create a consistent method resolution order (MRO) for bases {}",
                names.join(", ")
            ),
        ));
    };
    // The primary base: the one whose layout base is the most derived.
    let mut primary = bases[0];
    let mut solid = solid_base(primary);
    for b in &bases[1..] {
        let s = solid_base(*b);
        if cx.is_subtype(s, solid) {
            if s != solid {
                primary = *b;
                solid = s;
            }
        } else if !cx.is_subtype(solid, s) {
            return Err(type_error(
                cx,
                "multiple bases have instance lay-out conflict",
            ));
        }
    }
    let ns_o = cx.get(ns);
    if cx.kind_of(ns_o) != Kind::Dict {
        let tn = tname(cx, ns_o);
        return Err(type_error(
            cx,
            &format!("type.__new__() argument 3 must be dict, not {tn}"),
        ));
    }
    let ns_has = |cx: &mut Thread, k: &str| -> PyResult<bool> {
        let kh = cx.str(k);
        Ok(cx.dict_get(ns, kh)?.is_some())
    };
    let exc = cx.is_exception_type(solid);
    let c_layout = solid == rt.types.object || ctype(solid).is_some();
    if !exc && !c_layout {
        return Err(type_error(
            cx,
            &format!(
                "pyopaque: a Python class cannot derive from the builtin type '{}' yet (its \
                 instances have no room for a __dict__)",
                type_payload(solid).short_name()
            ),
        ));
    }
    let inherited = type_payload(solid).flags()
        & (tpflags::LONG_SUBCLASS
            | tpflags::LIST_SUBCLASS
            | tpflags::TUPLE_SUBCLASS
            | tpflags::BYTES_SUBCLASS
            | tpflags::UNICODE_SUBCLASS
            | tpflags::DICT_SUBCLASS
            | tpflags::BASE_EXC_SUBCLASS);
    let flags = tpflags::HEAPTYPE
        | tpflags::BASETYPE
        | tpflags::HAVE_GC
        | tpflags::MANAGED_WEAKREF
        | PYTHON_CLASS
        | inherited;
    let t = if exc {
        TypeObject::new(name, Some(primary), Kind::Exception, 0, flags)
    } else {
        // Instances: the layout base's struct, then the __dict__ pointer (inherited from a
        // Python base that has one).
        let (basicsize, off) = match dict_offset(primary) {
            Some(off) => (ctype(primary).map_or(off + 8, |c| c.basicsize), off),
            None => {
                let b = ctype(solid).map_or(0, |c| c.basicsize).next_multiple_of(8);
                (b + 8, b)
            }
        };
        let mut slots = [0usize; slot::MAX];
        slots[slot::TP_TRAVERSE as usize] = class_traverse as *const () as usize;
        slots[slot::TP_DEALLOC as usize] = class_dealloc as *const () as usize;
        for (m, id) in SLOT_METHODS {
            let defined =
                ns_has(cx, m)? || tail.iter().any(|b| is_python_class(*b) && own_attr(*b, m));
            if defined {
                slots[*id as usize] = wrapper_for(*id);
            }
        }
        // A class that defines __eq__ without __hash__ is unhashable (CPython sets
        // __hash__ = None in its namespace).
        if ns_has(cx, "__eq__")? && !ns_has(cx, "__hash__")? {
            slots[slot::TP_HASH as usize] =
                crate::r#abstract::object::PyObject_HashNotImplemented as *const () as usize;
        }
        let mut t = TypeObject::new(name, Some(primary), Kind::Native, basicsize, flags);
        t.hooks = Some(&C_HOOKS);
        let ct = CType {
            slots,
            basicsize,
            itemsize: 0,
            tp_name: CString::new(name).unwrap_or_default(),
            module: None,
            token: 0,
            vectorcall_offset: None,
            dict_offset: Some(off),
        };
        let _ = t.ext.set(Box::new(ct));
        t
    };
    let ty = rt.new_type(t);
    // The class itself heads its MRO (its address is known only now; nothing reads the MRO
    // before this line).
    let mut mro = vec![ty];
    mro.extend(tail);
    let _ = type_payload(ty).mro.set(mro);
    crate::types::type_namespace::on_new_type(cx, ty)?;
    let tyh = cx.root(ty);
    // Attributes: the namespace, in order.
    let mut pos = 0;
    let mut entries = Vec::new();
    while let Some((k, v)) = cx.dict_next(cx.get(ns), &mut pos) {
        if let Some(ks) = cx.str_value(k).map(str::to_string) {
            entries.push((ks, cx.root(v)));
        }
    }
    for (k, v) in &entries {
        let vo = cx.get(*v);
        crate::types::typeobject::set_type_attr(cx, cx.get(tyh), k, vo);
    }
    if !exc && ns_has(cx, "__eq__")? && !ns_has(cx, "__hash__")? {
        let none = rt.none;
        crate::types::typeobject::set_type_attr(cx, cx.get(tyh), "__hash__", none);
    }
    // __set_name__ on every namespace value that has one.
    for (k, v) in &entries {
        let vt = cx.type_of(cx.get(*v));
        if let Some(f) = lookup_type_attr(vt, "__set_name__") {
            let fh = cx.root(f);
            let kh = cx.str(k);
            call_method_value(cx, fh, *v, &[tyh, kh], &[])?;
        }
    }
    // __init_subclass__ of the nearest base defining it (object's does nothing).
    let mro = mro_of(cx.get(tyh));
    for b in &mro[1..] {
        if is_python_class(*b) && own_attr(*b, "__init_subclass__") {
            let f = lookup_type_attr(*b, "__init_subclass__").expect("own attribute");
            let fh = cx.root(f);
            call_method_value(cx, fh, tyh, &[], kwargs)?;
            break;
        }
    }
    if !kwargs.is_empty() && !mro[1..].iter().any(|b| own_attr(*b, "__init_subclass__")) {
        return Err(type_error(
            cx,
            &format!("{name}.__init_subclass__() takes no keyword arguments"),
        ));
    }
    Ok(tyh)
}

// ----- calling a looked-up special method -----

/// Calls `f`, found on the type of `self_`, as a method of `self_`: bound through its type's
/// `tp_descr_get` when it is a descriptor (functions, classmethod, staticmethod), called
/// unbound otherwise (as CPython's `lookup_maybe_method`).
fn call_method_value(
    cx: &mut Thread,
    f: Handle,
    self_: Handle,
    args: &[Handle],
    kw: &[(Handle, Handle)],
) -> PyResult<Handle> {
    let fo = cx.get(f);
    let ft = cx.type_of(fo);
    let g = crate::types::shim_types::shim_types();
    if ft == g.method_descr || ft == g.classmethod_descr {
        let mut all = vec![self_];
        all.extend_from_slice(args);
        return crate::r#abstract::call::call(cx, f, &all, kw);
    }
    if get_slot(ft, xs::TP_DESCR_GET) != 0 {
        let so = cx.get(self_);
        let st = cx.type_of(so);
        let sth = cx.root(st);
        let bound = descr_get(cx, f, Some(self_), sth)?;
        return crate::r#abstract::call::call(cx, bound, args, kw);
    }
    crate::r#abstract::call::call(cx, f, args, kw)
}

/// Looks `name` up on the type of `self_` and calls it as a method; `Ok(None)` when absent.
fn call_special(
    cx: &mut Thread,
    self_: Handle,
    name: &str,
    args: &[Handle],
) -> PyResult<Option<Handle>> {
    let ty = cx.type_of(cx.get(self_));
    let Some(f) = lookup_type_attr(ty, name) else {
        return Ok(None);
    };
    if f == cx.rt.none {
        return Ok(None);
    }
    let fh = cx.root(f);
    call_method_value(cx, fh, self_, args, &[]).map(Some)
}

/// `descr.__get__(obj, owner)` through the descriptor type's `tp_descr_get`.
pub(crate) fn descr_get(
    cx: &mut Thread,
    d: Handle,
    obj: Option<Handle>,
    owner: Handle,
) -> PyResult<Handle> {
    let dt = cx.type_of(cx.get(d));
    let v = get_slot(dt, xs::TP_DESCR_GET);
    if v == 0 {
        return Ok(d);
    }
    // SAFETY: a non-null Py_tp_descr_get slot is a descrgetfunc (ternaryfunc shape).
    let f: ternaryfunc = unsafe { std::mem::transmute::<usize, ternaryfunc>(v) };
    let mut hs = vec![d, owner];
    if let Some(o) = obj {
        hs.push(o);
    }
    crate::r#abstract::object::c_call(cx, "__get__", &hs, |a| {
        let objp = a.get(2).copied().unwrap_or(std::ptr::null_mut());
        // SAFETY: calling the descriptor's tp_descr_get with borrowed arguments.
        unsafe { f(a[0], objp, a[1]) }
    })
}

/// True when `d` is a data descriptor (its type has `tp_descr_set`).
fn is_data_descr(cx: &Thread, d: ObjRef) -> bool {
    get_slot(cx.type_of(d), xs::TP_DESCR_SET) != 0
}

// ----- instance attributes -----

/// The instance dict of `h` (a Python-class instance with a dict slot at `off`), created when
/// `create`.
fn instance_dict(cx: &mut Thread, h: Handle, off: usize, create: bool) -> Option<Handle> {
    let o = cx.get(h);
    // SAFETY: instances of a class with a dict offset have a pointer-sized, 8-aligned field at
    // `off` inside their (pinned) payload.
    let slot = unsafe { o.as_ptr().add(off).cast::<*mut PyObject>() };
    // SAFETY: as above.
    let cur = unsafe { slot.read() };
    // SAFETY: the field is NULL or a C-held reference this module stored.
    if let Some(d) = unsafe { cx::from_c(cur) } {
        return Some(cx.root(d));
    }
    if !create {
        return None;
    }
    let d = cx.dict();
    let p = new_ref_h(cx, d);
    let o = cx.get(h);
    // SAFETY: as above; the instance is pinned, so `o` is still its address.
    unsafe { o.as_ptr().add(off).cast::<*mut PyObject>().write(p) };
    Some(d)
}

/// What attribute lookup on an instance of a Python class found.
pub enum Found {
    /// The value.
    Value(Handle),
    /// No such attribute (no exception set).
    Missing,
    /// Not an instance of a Python class, or a C descriptor the generic path binds.
    NotHandled,
}

/// `getattr(obj, name)` for instances of Python classes (the generic algorithm: data
/// descriptors, then the instance dict, then other descriptors and class attributes, then
/// `__getattr__`).
pub fn instance_getattr(cx: &mut Thread, h: Handle, name: &str) -> PyResult<Found> {
    let o = cx.get(h);
    if o.is_tagged() {
        return Ok(Found::NotHandled);
    }
    let ty = cx.type_of(o);
    let Some(off) = dict_offset(ty) else {
        return Ok(Found::NotHandled);
    };
    let tyh = cx.root(ty);
    match name {
        "__class__" => return Ok(Found::Value(tyh)),
        "__dict__" => {
            return Ok(Found::Value(
                instance_dict(cx, h, off, true).expect("created"),
            ))
        }
        _ => {}
    }
    let found = lookup_type_attr(ty, name).map(|v| cx.root(v));
    if let Some(d) = found {
        let dt = cx.type_of(cx.get(d));
        let g = crate::types::shim_types::shim_types();
        if dt == g.member_descr
            || dt == g.getset_descr
            || dt == g.method_descr
            || dt == g.classmethod_descr
        {
            return Ok(Found::NotHandled);
        }
        if is_data_descr(cx, cx.get(d)) {
            return descr_get(cx, d, Some(h), tyh).map(Found::Value);
        }
    }
    if let Some(dict) = instance_dict(cx, h, off, false) {
        let k = cx.str(name);
        if let Some(v) = cx.dict_get(dict, k)? {
            return Ok(Found::Value(v));
        }
    }
    if let Some(d) = found {
        return descr_get(cx, d, Some(h), tyh).map(Found::Value);
    }
    if let Some(ga) = lookup_type_attr(cx.get(tyh), "__getattr__") {
        let gah = cx.root(ga);
        let nh = cx.str(name);
        return match call_method_value(cx, gah, h, &[nh], &[]) {
            Ok(v) => Ok(Found::Value(v)),
            Err(e) => {
                if cx.error_matches(cx.rt.types.exc.attribute_error) {
                    cx.clear_error();
                    Ok(Found::Missing)
                } else {
                    Err(e)
                }
            }
        };
    }
    Ok(Found::Missing)
}

/// `setattr(obj, name, v)` / `delattr` for instances of Python classes; false when `h` is not
/// one (the caller's generic path applies).
pub fn instance_setattr(
    cx: &mut Thread,
    h: Handle,
    name: &str,
    v: Option<Handle>,
) -> PyResult<bool> {
    let o = cx.get(h);
    if o.is_tagged() {
        return Ok(false);
    }
    let ty = cx.type_of(o);
    let Some(off) = dict_offset(ty) else {
        return Ok(false);
    };
    if let Some(d) = lookup_type_attr(ty, name) {
        let dt = cx.type_of(d);
        let g = crate::types::shim_types::shim_types();
        if dt == g.member_descr || dt == g.getset_descr {
            return Ok(false);
        }
        let set = get_slot(dt, xs::TP_DESCR_SET);
        if set != 0 {
            // SAFETY: a non-null Py_tp_descr_set slot is a descrsetfunc (objobjargproc shape).
            let f: objobjargproc = unsafe { std::mem::transmute::<usize, objobjargproc>(set) };
            let dh = cx.root(d);
            let mut hs = vec![dh, h];
            if let Some(v) = v {
                hs.push(v);
            }
            crate::r#abstract::object::c_call_int(cx, "__set__", &hs, |a| {
                let vp = a.get(2).copied().unwrap_or(std::ptr::null_mut());
                // SAFETY: calling tp_descr_set with borrowed arguments.
                unsafe { f(a[0], a[1], vp) }
            })?;
            return Ok(true);
        }
    }
    let dict = instance_dict(cx, h, off, true).expect("created");
    let k = cx.str(name);
    match v {
        Some(v) => cx.dict_set(dict, k, v)?,
        None => {
            if !cx.dict_del(dict, k)? {
                let tn = tname(cx, cx.get(h));
                return Err(attribute_error(
                    cx,
                    &format!("'{tn}' object has no attribute '{name}'"),
                ));
            }
        }
    }
    Ok(true)
}

/// `getattr(cls, name)` for a Python class: the attribute from its MRO, through
/// `tp_descr_get(value, NULL, cls)` (classmethod binds to the class, staticmethod unwraps,
/// functions stay plain); None when `ty` is not a Python class or has no such attribute.
pub fn class_getattr(cx: &mut Thread, ty: ObjRef, name: &str) -> PyResult<Option<Handle>> {
    if !is_python_class(ty) {
        return Ok(None);
    }
    let tyh = cx.root(ty);
    match name {
        "__mro__" => {
            let m: Vec<Handle> = mro_of(ty).into_iter().map(|t| cx.root(t)).collect();
            return Ok(Some(cx.tuple(&m)));
        }
        "__bases__" => {
            let b = type_payload(ty).base.unwrap_or(cx.rt.types.object);
            let bh = cx.root(b);
            return Ok(Some(cx.tuple(&[bh])));
        }
        "__base__" => {
            let b = type_payload(ty).base.unwrap_or(cx.rt.types.object);
            return Ok(Some(cx.root(b)));
        }
        _ => {}
    }
    let Some(v) = lookup_type_attr(ty, name) else {
        return Ok(None);
    };
    let vh = cx.root(v);
    let vt = cx.type_of(v);
    if vt == crate::types::shim_types::shim_types().classmethod_descr {
        // A C class method (`PyDescr_NewClassMethod`, METH_CLASS) binds to the class it is
        // looked up on, as on a C type.
        // SAFETY: a classmethod descriptor's payload.
        let fp = unsafe {
            crate::types::shim_types::payload::<crate::types::shim_types::FuncPayload>(v)
        };
        let (def, cls) = (fp.def, fp.cls);
        return Ok(Some(crate::r#abstract::call::new_cfunction(
            cx,
            def,
            Some(tyh),
            None,
            cls,
        )));
    }
    if get_slot(vt, xs::TP_DESCR_GET) != 0 {
        return descr_get(cx, vh, None, tyh).map(Some);
    }
    Ok(Some(vh))
}

// ----- instance lifecycle (slots of every Python class with a C layout) -----

/// The nearest non-Python type in `ty`'s base chain whose slot `id` is set.
fn base_slot(ty: ObjRef, id: c_int) -> usize {
    let mut t = type_payload(ty).base;
    while let Some(x) = t {
        if dict_offset(x).is_none() {
            return get_slot(x, id);
        }
        t = type_payload(x).base;
    }
    0
}

unsafe extern "C" fn class_traverse(o: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: `o` is an instance whose traverse runs (the runtime's C_HOOKS call).
    let Some(obj) = (unsafe { cx::from_c(o) }) else {
        return 0;
    };
    let ty = header_of(obj).ty();
    if let Some(off) = dict_offset(ty) {
        // SAFETY: the dict field of this instance.
        let d = unsafe { o.cast::<u8>().add(off).cast::<*mut PyObject>().read() };
        if !d.is_null() {
            // SAFETY: reporting an owned reference to the collector's callback.
            let r = unsafe { visit(d, arg) };
            if r != 0 {
                return r;
            }
        }
    }
    let bt = base_slot(ty, slot::TP_TRAVERSE);
    if bt != 0 {
        // SAFETY: the base's traverseproc on the base part of the struct.
        let f: traverseproc = unsafe { std::mem::transmute::<usize, traverseproc>(bt) };
        // SAFETY: as above.
        return unsafe { f(o, visit, arg) };
    }
    0
}

unsafe extern "C" fn class_dealloc(o: *mut PyObject) {
    // SAFETY: `o` is the instance being deallocated.
    let Some(obj) = (unsafe { cx::from_c(o) }) else {
        return;
    };
    let ty = header_of(obj).ty();
    if let Some(off) = dict_offset(ty) {
        // SAFETY: the dict field of this instance.
        let slot = unsafe { o.cast::<u8>().add(off).cast::<*mut PyObject>() };
        // SAFETY: as above.
        let d = unsafe { slot.read() };
        // SAFETY: as above.
        unsafe { slot.write(std::ptr::null_mut()) };
        if !d.is_null() {
            // SAFETY: dropping the reference the field held (deferred while finalizing).
            unsafe { crate::boundary::refcount::Py_DecRef(d) };
        }
    }
    let bd = base_slot(ty, slot::TP_DEALLOC);
    if bd != 0 {
        // SAFETY: the base's destructor (which releases the memory through tp_free).
        let f: destructor = unsafe { std::mem::transmute::<usize, destructor>(bd) };
        // SAFETY: as above.
        unsafe { f(o) };
    } else {
        // SAFETY: releasing the instance (the runtime frees it after tp_dealloc).
        unsafe { crate::python::memory::PyObject_GC_Del(o.cast()) };
    }
}

// ----- slot wrappers -----

/// Runs a slot wrapper body with a thread (the wrappers are C-callable slot functions).
fn wrap<R: cx::CRet>(f: impl FnOnce(&mut Thread) -> PyResult<R>) -> R {
    cx::api("slot wrapper", f)
}

/// # Safety
/// `o` an object C holds.
unsafe fn h_of(cx: &mut Thread, o: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract.
    unsafe { cx::harg(cx, o) }
}

fn unary(o: *mut PyObject, name: &'static str) -> *mut PyObject {
    wrap(|cx| {
        // SAFETY: a slot argument.
        let h = unsafe { h_of(cx, o) }?;
        match call_special(cx, h, name, &[])? {
            Some(r) => Ok(new_ref_h(cx, r)),
            None => {
                let tn = tname(cx, cx.get(h));
                Err(type_error(cx, &format!("'{tn}' object has no {name}")))
            }
        }
    })
}

unsafe extern "C" fn slot_tp_repr(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__repr__")
}
unsafe extern "C" fn slot_tp_str(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__str__")
}
unsafe extern "C" fn slot_tp_iter(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__iter__")
}
unsafe extern "C" fn slot_tp_iternext(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__next__")
}
unsafe extern "C" fn slot_nb_negative(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__neg__")
}
unsafe extern "C" fn slot_nb_int(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__int__")
}
unsafe extern "C" fn slot_nb_float(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__float__")
}
unsafe extern "C" fn slot_nb_index(o: *mut PyObject) -> *mut PyObject {
    unary(o, "__index__")
}

/// The `i64` value of an int result of `__hash__`/`__len__`/`__bool__`.
fn int_result(cx: &mut Thread, r: Handle, what: &str) -> PyResult<i64> {
    let o = cx.get(r);
    if !matches!(cx.kind_of(o), Kind::Int | Kind::Bool) {
        let tn = tname(cx, o);
        return Err(type_error(
            cx,
            &format!("{what} should return an integer, not '{tn}'"),
        ));
    }
    let v = crate::objects::long::int_of(cx, o)?;
    Ok(match v {
        pyopaque_runtime::objects::int::IntValue::Small(v) => v,
        b => b.hash(),
    })
}

unsafe extern "C" fn slot_tp_hash(o: *mut PyObject) -> Py_hash_t {
    wrap(|cx| {
        // SAFETY: a slot argument.
        let h = unsafe { h_of(cx, o) }?;
        let Some(r) = call_special(cx, h, "__hash__", &[])? else {
            let tn = tname(cx, cx.get(h));
            return Err(type_error(cx, &format!("unhashable type: '{tn}'")));
        };
        let v = int_result(cx, r, "__hash__")?;
        Ok(if v == -1 { -2 } else { v } as Py_hash_t)
    })
}

unsafe extern "C" fn slot_len(o: *mut PyObject) -> Py_ssize_t {
    wrap(|cx| {
        // SAFETY: a slot argument.
        let h = unsafe { h_of(cx, o) }?;
        let r = call_special(cx, h, "__len__", &[])?.expect("slot set only when defined");
        let v = int_result(cx, r, "__len__()")?;
        if v < 0 {
            return Err(cx::value_error(cx, "__len__() should return >= 0"));
        }
        Ok(v as Py_ssize_t)
    })
}

unsafe extern "C" fn slot_nb_bool(o: *mut PyObject) -> c_int {
    wrap(|cx| {
        // SAFETY: a slot argument.
        let h = unsafe { h_of(cx, o) }?;
        let r = call_special(cx, h, "__bool__", &[])?.expect("slot set only when defined");
        let ro = cx.get(r);
        if cx.kind_of(ro) != Kind::Bool {
            let tn = tname(cx, ro);
            return Err(type_error(
                cx,
                &format!("__bool__ should return bool, returned {tn}"),
            ));
        }
        Ok((ro == cx.rt.true_) as c_int)
    })
}

unsafe extern "C" fn slot_tp_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    const NAMES: [&str; 6] = ["__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__"];
    wrap(|cx| {
        // SAFETY: slot arguments.
        let (ah, bh) = unsafe { (h_of(cx, a)?, h_of(cx, b)?) };
        let Some(name) = NAMES.get(op as usize) else {
            return Err(cx::bad_internal_call(cx));
        };
        let ni = cx.rt.not_implemented;
        if let Some(r) = call_special(cx, ah, name, &[bh])? {
            return Ok(new_ref_h(cx, r));
        }
        // object.__ne__: the inverse of __eq__ unless that is NotImplemented.
        if op == 3 {
            if let Some(r) = call_special(cx, ah, "__eq__", &[bh])? {
                if cx.get(r) != ni {
                    let t = !crate::r#abstract::object::truth(cx, r)?;
                    let b = if t { cx.rt.true_ } else { cx.rt.false_ };
                    return Ok(cx::new_ref(cx, b));
                }
            }
        }
        Ok(cx::new_ref(cx, ni))
    })
}

unsafe extern "C" fn slot_tp_call(
    o: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    wrap(|cx| {
        // SAFETY: slot arguments (args a tuple, kw NULL or a dict).
        let h = unsafe { h_of(cx, o) }?;
        // SAFETY: tp_call/tp_init receive a tuple and NULL or a dict.
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        let ty = cx.type_of(cx.get(h));
        let f = lookup_type_attr(ty, "__call__").expect("slot set only when defined");
        let fh = cx.root(f);
        let r = call_method_value(cx, fh, h, &pos, &kws)?;
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn slot_tp_init(
    o: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> c_int {
    wrap(|cx| {
        // SAFETY: slot arguments.
        let h = unsafe { h_of(cx, o) }?;
        // SAFETY: tp_call/tp_init receive a tuple and NULL or a dict.
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        let ty = cx.type_of(cx.get(h));
        let f = lookup_type_attr(ty, "__init__").expect("slot set only when defined");
        let fh = cx.root(f);
        let r = call_method_value(cx, fh, h, &pos, &kws)?;
        let ro = cx.get(r);
        if ro != cx.rt.none {
            let tn = tname(cx, ro);
            return Err(type_error(
                cx,
                &format!("__init__() should return None, not '{tn}'"),
            ));
        }
        Ok(0)
    })
}

unsafe extern "C" fn slot_mp_subscript(o: *mut PyObject, k: *mut PyObject) -> *mut PyObject {
    wrap(|cx| {
        // SAFETY: slot arguments.
        let (h, kh) = unsafe { (h_of(cx, o)?, h_of(cx, k)?) };
        let r = call_special(cx, h, "__getitem__", &[kh])?;
        match r {
            Some(r) => Ok(new_ref_h(cx, r)),
            None => {
                let tn = tname(cx, cx.get(h));
                Err(type_error(
                    cx,
                    &format!("'{tn}' object is not subscriptable"),
                ))
            }
        }
    })
}

unsafe extern "C" fn slot_mp_ass_subscript(
    o: *mut PyObject,
    k: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    wrap(|cx| {
        // SAFETY: slot arguments.
        let (h, kh) = unsafe { (h_of(cx, o)?, h_of(cx, k)?) };
        let r = if v.is_null() {
            call_special(cx, h, "__delitem__", &[kh])?
        } else {
            // SAFETY: a slot argument.
            let vh = unsafe { h_of(cx, v) }?;
            call_special(cx, h, "__setitem__", &[kh, vh])?
        };
        match r {
            Some(_) => Ok(0),
            None => {
                let tn = tname(cx, cx.get(h));
                let what = if v.is_null() {
                    "deletion"
                } else {
                    "assignment"
                };
                Err(type_error(
                    cx,
                    &format!("'{tn}' object does not support item {what}"),
                ))
            }
        }
    })
}

unsafe extern "C" fn slot_sq_contains(o: *mut PyObject, k: *mut PyObject) -> c_int {
    wrap(|cx| {
        // SAFETY: slot arguments.
        let (h, kh) = unsafe { (h_of(cx, o)?, h_of(cx, k)?) };
        let r = call_special(cx, h, "__contains__", &[kh])?.expect("slot set only when defined");
        crate::r#abstract::object::truth(cx, r).map(|b| b as c_int)
    })
}

/// A binary operator: `a.__op__(b)`, then `b.__rop__(a)`, else NotImplemented.
fn binop(a: *mut PyObject, b: *mut PyObject, op: &'static str, rop: &'static str) -> *mut PyObject {
    wrap(|cx| {
        // SAFETY: slot arguments.
        let (ah, bh) = unsafe { (h_of(cx, a)?, h_of(cx, b)?) };
        let ni = cx.rt.not_implemented;
        if is_python_class(cx.type_of(cx.get(ah))) {
            if let Some(r) = call_special(cx, ah, op, &[bh])? {
                if cx.get(r) != ni {
                    return Ok(new_ref_h(cx, r));
                }
            }
        }
        if is_python_class(cx.type_of(cx.get(bh))) {
            if let Some(r) = call_special(cx, bh, rop, &[ah])? {
                return Ok(new_ref_h(cx, r));
            }
        }
        Ok(cx::new_ref(cx, ni))
    })
}

unsafe extern "C" fn slot_nb_add(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__add__", "__radd__")
}
unsafe extern "C" fn slot_nb_subtract(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__sub__", "__rsub__")
}
unsafe extern "C" fn slot_nb_multiply(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__mul__", "__rmul__")
}
unsafe extern "C" fn slot_nb_true_divide(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__truediv__", "__rtruediv__")
}
unsafe extern "C" fn slot_nb_floor_divide(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__floordiv__", "__rfloordiv__")
}
unsafe extern "C" fn slot_nb_remainder(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__mod__", "__rmod__")
}
unsafe extern "C" fn slot_nb_and(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__and__", "__rand__")
}
unsafe extern "C" fn slot_nb_or(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__or__", "__ror__")
}
unsafe extern "C" fn slot_nb_xor(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    binop(a, b, "__xor__", "__rxor__")
}

unsafe extern "C" fn slot_tp_descr_get(
    d: *mut PyObject,
    obj: *mut PyObject,
    owner: *mut PyObject,
) -> *mut PyObject {
    wrap(|cx| {
        // SAFETY: slot arguments (obj/owner may be NULL: passed as None).
        let dh = unsafe { h_of(cx, d) }?;
        let none = cx.rt.none;
        // SAFETY: NULL or an object C holds.
        let oh = match unsafe { cx::from_c(obj) } {
            Some(o) => cx.root(o),
            None => cx.root(none),
        };
        // SAFETY: as above.
        let th = match unsafe { cx::from_c(owner) } {
            Some(o) => cx.root(o),
            None => cx.root(none),
        };
        let r = call_special(cx, dh, "__get__", &[oh, th])?.expect("slot set only when defined");
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn slot_tp_descr_set(
    d: *mut PyObject,
    obj: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    wrap(|cx| {
        // SAFETY: slot arguments.
        let (dh, oh) = unsafe { (h_of(cx, d)?, h_of(cx, obj)?) };
        let r = if v.is_null() {
            call_special(cx, dh, "__delete__", &[oh])?
        } else {
            // SAFETY: a slot argument.
            let vh = unsafe { h_of(cx, v) }?;
            call_special(cx, dh, "__set__", &[oh, vh])?
        };
        match r {
            Some(_) => Ok(0),
            None => Err(attribute_error(
                cx,
                if v.is_null() { "__delete__" } else { "__set__" },
            )),
        }
    })
}

/// Raised-error helper for callers that need a `Raised` without a message of their own.
pub fn no_such_attribute(cx: &mut Thread, ty: ObjRef, name: &str) -> Raised {
    attribute_error(
        cx,
        &format!(
            "'{}' object has no attribute '{name}'",
            type_payload(ty).short_name()
        ),
    )
}

/// `type(name, bases, ns, **kwargs)` with its argument checks (CPython's messages).
pub fn type_call3(cx: &mut Thread, pos: &[Handle], kw: &[(Handle, Handle)]) -> PyResult<Handle> {
    let n = cx.get(pos[0]);
    let Some(name) = cx.str_value(n).map(str::to_string) else {
        let tn = tname(cx, n);
        return Err(type_error(
            cx,
            &format!("type.__new__() argument 1 must be str, not {tn}"),
        ));
    };
    let b = cx.get(pos[1]);
    if cx.kind_of(b) != Kind::Tuple {
        let tn = tname(cx, b);
        return Err(type_error(
            cx,
            &format!("type.__new__() argument 2 must be tuple, not {tn}"),
        ));
    }
    let bases: Vec<ObjRef> = (0..cx.tuple_len(b).unwrap_or(0))
        .map(|i| cx.tuple_get(b, i).expect("in range"))
        .collect();
    new_class(cx, &name, &bases, pos[2], kw)
}
