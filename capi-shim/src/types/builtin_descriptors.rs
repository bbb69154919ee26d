//! `property`, `classmethod`, `staticmethod` and the bound method type (`types.MethodType`) as
//! builtin types, defined the way a C extension defines a type (a spec with `tp_new`,
//! `tp_descr_get`, `tp_descr_set`, `tp_call`, `tp_traverse`, `tp_dealloc`), so they work with
//! the class model's descriptor protocol (`types/class.rs`) and through every C API path.
//! Created once, with the builtins module.

use std::ffi::{c_int, c_void, CString};
use std::sync::OnceLock;

use pyopaque_runtime::{PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h, type_error};
use crate::boundary::ffi::*;
use crate::boundary::refcount::{Py_DecRef, Py_IncRef};

/// Payload of `staticmethod` / `classmethod`: the wrapped callable.
#[repr(C)]
struct Wrapper {
    func: *mut PyObject,
}

/// Payload of a bound method: the function and the object it is bound to.
#[repr(C)]
struct Bound {
    func: *mut PyObject,
    self_: *mut PyObject,
}

/// Payload of `property`.
#[repr(C)]
struct Property {
    fget: *mut PyObject,
    fset: *mut PyObject,
    fdel: *mut PyObject,
    doc: *mut PyObject,
}

/// Payload of `super`: the starting class, the object, and the type whose MRO is searched.
#[repr(C)]
struct Super {
    ty: *mut PyObject,
    obj: *mut PyObject,
    obj_type: *mut PyObject,
}

/// The types (addresses of their type objects, as C sees them).
pub struct DescriptorTypes {
    /// `super`.
    pub super_: usize,
    /// `staticmethod`.
    pub staticmethod: usize,
    /// `classmethod`.
    pub classmethod: usize,
    /// `method` (`types.MethodType`).
    pub method: usize,
    /// `property`.
    pub property: usize,
}

static TYPES: OnceLock<DescriptorTypes> = OnceLock::new();

fn xincref(o: *mut PyObject) -> *mut PyObject {
    if !o.is_null() {
        // SAFETY: a live object.
        unsafe { Py_IncRef(o) };
    }
    o
}

fn xdecref(o: *mut PyObject) {
    if !o.is_null() {
        // SAFETY: a reference the payload held.
        unsafe { Py_DecRef(o) };
    }
}

/// The `PyObject*` fields of an instance of one of these types (all payloads are arrays of
/// object pointers).
///
/// # Safety
/// `o` an instance of a type made here with `n` pointer fields.
unsafe fn fields<'a>(o: *mut PyObject, n: usize) -> &'a mut [*mut PyObject] {
    // SAFETY: caller's contract: the payload is `n` pointer-sized fields.
    unsafe { std::slice::from_raw_parts_mut(o.cast::<*mut PyObject>(), n) }
}

fn nfields(o: *mut PyObject) -> usize {
    let t = TYPES.get().expect("created");
    // SAFETY: `o` is an instance of one of our types (these slots are only theirs).
    let ty = unsafe { crate::boundary::refcount::Py_TYPE(o) } as usize;
    if ty == t.property {
        4
    } else if ty == t.super_ {
        3
    } else if ty == t.method {
        2
    } else {
        1
    }
}

unsafe extern "C" fn traverse(o: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: an instance of ours.
    for f in unsafe { fields(o, nfields(o)) }.iter() {
        if !f.is_null() {
            // SAFETY: reporting a held reference.
            let r = unsafe { visit(*f, arg) };
            if r != 0 {
                return r;
            }
        }
    }
    0
}

unsafe extern "C" fn dealloc(o: *mut PyObject) {
    // SAFETY: an instance of ours being deallocated.
    for f in unsafe { fields(o, nfields(o)) }.iter_mut() {
        let old = std::mem::replace(f, std::ptr::null_mut());
        xdecref(old);
    }
    // SAFETY: releasing the instance.
    unsafe { crate::python::memory::PyObject_GC_Del(o.cast()) };
}

/// A new instance of type `ty` (an address C sees) with `vals` as its fields (new references).
fn new_instance(ty: usize, vals: &[*mut PyObject]) -> *mut PyObject {
    // SAFETY: a type made here.
    let o = unsafe { crate::types::typeobject::PyType_GenericAlloc(ty as *mut PyTypeObject, 0) };
    if o.is_null() {
        return o;
    }
    // SAFETY: a fresh instance with `vals.len()` pointer fields.
    let fs = unsafe { fields(o, vals.len()) };
    for (f, v) in fs.iter_mut().zip(vals) {
        *f = xincref(*v);
    }
    o
}

/// Splits `(args, kwargs)` of a constructor into handles, checking counts (CPython's messages).
fn ctor_args(
    name: &'static str,
    args: *mut PyObject,
    kw: *mut PyObject,
    names: &'static [&'static str],
    min: usize,
) -> Option<Vec<*mut PyObject>> {
    let r = cx::api(name, |cx| -> PyResult<*mut PyObject> {
        // SAFETY: a tuple and NULL or a dict (tp_new).
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        if pos.len() > names.len() {
            return Err(type_error(
                cx,
                &format!(
                    "{name} expected at most {} arguments, got {}",
                    names.len(),
                    pos.len()
                ),
            ));
        }
        let mut vals: Vec<Option<pyopaque_runtime::Handle>> = vec![None; names.len()];
        for (i, p) in pos.iter().enumerate() {
            vals[i] = Some(*p);
        }
        for (k, v) in &kws {
            let ks = cx.str_value(cx.get(*k)).map(str::to_string);
            match ks
                .as_deref()
                .and_then(|k| names.iter().position(|n| *n == k))
            {
                Some(i) => vals[i] = Some(*v),
                None => {
                    let k = ks.unwrap_or_default();
                    return Err(type_error(
                        cx,
                        &format!("{name}() got an unexpected keyword argument '{k}'"),
                    ));
                }
            }
        }
        if vals.iter().take(min).any(Option::is_none) {
            return Err(type_error(
                cx,
                &format!("{name} expected {min} argument, got 0"),
            ));
        }
        let none = cx.rt.none;
        let items: Vec<pyopaque_runtime::Handle> = vals
            .into_iter()
            .map(|v| v.unwrap_or_else(|| cx.root(none)))
            .collect();
        let t = cx.tuple(&items);
        Ok(new_ref_h(cx, t))
    });
    if r.is_null() {
        return None;
    }
    // SAFETY: the tuple just built, `names.len()` items; we keep it alive until the caller has
    // taken its own references (the items are borrowed from it).
    let v: Vec<*mut PyObject> = (0..names.len())
        .map(|i| unsafe { crate::objects::tuple::PyTuple_GetItem(r, i as isize) })
        .collect();
    KEEP.with(|k| k.borrow_mut().push(r));
    Some(v)
}

thread_local! {
    /// Argument tuples of the constructor running on this thread (dropped after it).
    static KEEP: std::cell::RefCell<Vec<*mut PyObject>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn drop_kept() {
    let v = KEEP.with(|k| std::mem::take(&mut *k.borrow_mut()));
    for o in v {
        xdecref(o);
    }
}

fn none_to_null(o: *mut PyObject) -> *mut PyObject {
    if o == cx::to_c(cx::global().rt.none) {
        std::ptr::null_mut()
    } else {
        o
    }
}

// ----- staticmethod / classmethod -----

unsafe extern "C" fn wrapper_new(
    ty: *mut PyTypeObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    let t = TYPES.get().expect("created");
    let name = if ty as usize == t.classmethod {
        "classmethod"
    } else {
        "staticmethod"
    };
    let Some(v) = ctor_args(name, args, kw, &["function"], 1) else {
        return std::ptr::null_mut();
    };
    let r = new_instance(ty as usize, &v);
    drop_kept();
    r
}

unsafe extern "C" fn staticmethod_get(
    d: *mut PyObject,
    _obj: *mut PyObject,
    _ty: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a staticmethod.
    xincref(unsafe { fields(d, 1) }[0])
}

unsafe extern "C" fn classmethod_get(
    d: *mut PyObject,
    obj: *mut PyObject,
    ty: *mut PyObject,
) -> *mut PyObject {
    let owner = if ty.is_null() || ty == cx::to_c(cx::global().rt.none) {
        // SAFETY: `obj` is the instance the lookup went through.
        unsafe { crate::boundary::refcount::Py_TYPE(obj) }.cast::<PyObject>()
    } else {
        ty
    };
    let t = TYPES.get().expect("created");
    // SAFETY: a classmethod.
    let f = unsafe { fields(d, 1) }[0];
    new_instance(t.method, &[f, owner])
}

// ----- bound method -----

unsafe extern "C" fn method_new(
    ty: *mut PyTypeObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    let Some(v) = ctor_args("method", args, kw, &["function", "instance"], 2) else {
        return std::ptr::null_mut();
    };
    // SAFETY: an object.
    if unsafe { crate::r#abstract::object::PyCallable_Check(v[0]) } == 0 {
        drop_kept();
        return crate::python::builtins::raise("TypeError", "first argument must be callable");
    }
    let r = new_instance(ty as usize, &v);
    drop_kept();
    r
}

unsafe extern "C" fn method_call(
    m: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    let (f, s) = {
        // SAFETY: a bound method (two fields).
        let fs = unsafe { fields(m, 2) };
        (fs[0], fs[1])
    };
    cx::api("method.__call__", |cx| {
        // SAFETY: objects C holds; a tuple and NULL or a dict.
        let (fh, sh) = unsafe { (cx::harg(cx, f)?, cx::harg(cx, s)?) };
        // SAFETY: as above.
        let (pos, kws) = unsafe { crate::r#abstract::call::split_args(cx, args, kw) }?;
        let mut all = vec![sh];
        all.extend(pos);
        let r = crate::r#abstract::call::call(cx, fh, &all, &kws)?;
        Ok(new_ref_h(cx, r))
    })
}

// ----- property -----

unsafe extern "C" fn property_new(
    ty: *mut PyTypeObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    let Some(v) = ctor_args("property", args, kw, &["fget", "fset", "fdel", "doc"], 0) else {
        return std::ptr::null_mut();
    };
    let v: Vec<*mut PyObject> = v.into_iter().map(none_to_null).collect();
    let r = new_instance(ty as usize, &v);
    drop_kept();
    r
}

unsafe extern "C" fn property_get(
    d: *mut PyObject,
    obj: *mut PyObject,
    _ty: *mut PyObject,
) -> *mut PyObject {
    if obj.is_null() || obj == cx::to_c(cx::global().rt.none) {
        return xincref(d);
    }
    // SAFETY: a property.
    let fget = unsafe { fields(d, 4) }[0];
    if fget.is_null() {
        return crate::python::builtins::raise("AttributeError", "unreadable attribute");
    }
    // SAFETY: calling the getter with the instance.
    unsafe { crate::r#abstract::call::PyObject_CallOneArg(fget, obj) }
}

unsafe extern "C" fn property_set(d: *mut PyObject, obj: *mut PyObject, v: *mut PyObject) -> c_int {
    // SAFETY: a property.
    let fs = unsafe { fields(d, 4) };
    let (f, what) = if v.is_null() {
        (fs[2], "can't delete attribute")
    } else {
        (fs[1], "can't set attribute")
    };
    if f.is_null() {
        crate::python::builtins::raise("AttributeError", what);
        return -1;
    }
    let r = if v.is_null() {
        // SAFETY: calling the deleter.
        unsafe { crate::r#abstract::call::PyObject_CallOneArg(f, obj) }
    } else {
        cx::api("property.__set__", |cx| {
            // SAFETY: objects C holds.
            let (fh, oh, vh) = unsafe { (cx::harg(cx, f)?, cx::harg(cx, obj)?, cx::harg(cx, v)?) };
            let r = crate::r#abstract::call::call(cx, fh, &[oh, vh], &[])?;
            Ok(new_ref_h(cx, r))
        })
    };
    if r.is_null() {
        return -1;
    }
    xdecref(r);
    0
}

/// `property.getter/setter/deleter(f)`: a copy with field `i` replaced.
fn property_with(p: *mut PyObject, i: usize, f: *mut PyObject) -> *mut PyObject {
    // SAFETY: a property.
    let mut v: Vec<*mut PyObject> = unsafe { fields(p, 4) }.to_vec();
    v[i] = none_to_null(f);
    // SAFETY: `p` is a property; its type makes the copy (subclasses keep theirs).
    let ty = unsafe { crate::boundary::refcount::Py_TYPE(p) } as usize;
    new_instance(ty, &v)
}
unsafe extern "C" fn property_getter(p: *mut PyObject, f: *mut PyObject) -> *mut PyObject {
    property_with(p, 0, f)
}
unsafe extern "C" fn property_setter(p: *mut PyObject, f: *mut PyObject) -> *mut PyObject {
    property_with(p, 1, f)
}
unsafe extern "C" fn property_deleter(p: *mut PyObject, f: *mut PyObject) -> *mut PyObject {
    property_with(p, 2, f)
}

// ----- super -----

unsafe extern "C" fn super_new(
    ty: *mut PyTypeObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a tuple.
    if unsafe { crate::objects::tuple::PyTuple_Size(args) } == 0 {
        return crate::python::builtins::raise(
            "RuntimeError",
            "super(): no arguments (pyopaque runs no Python frames: pass the class and the object)",
        );
    }
    let Some(v) = ctor_args("super", args, kw, &["type", "obj"], 2) else {
        return std::ptr::null_mut();
    };
    let (t, o) = (v[0], v[1]);
    let obj_type = cx::api("super", |cx| -> PyResult<*mut PyObject> {
        // SAFETY: objects C passed.
        let (th, oh) = unsafe { (cx::harg(cx, t)?, cx::harg(cx, o)?) };
        let (to, oo) = (cx.get(th), cx.get(oh));
        if cx.kind_of(to) != pyopaque_runtime::Kind::Type {
            let tn = cx::tname(cx, to);
            return Err(type_error(
                cx,
                &format!("super() argument 1 must be a type, not {tn}"),
            ));
        }
        if cx.is_instance(oo, to) {
            let ot = cx.type_of(oo);
            return Ok(cx::to_c(ot));
        }
        if cx.kind_of(oo) == pyopaque_runtime::Kind::Type && cx.is_subtype(oo, to) {
            return Ok(cx::to_c(oo));
        }
        Err(type_error(
            cx,
            "super(type, obj): obj must be an instance or subtype of type",
        ))
    });
    if obj_type.is_null() {
        drop_kept();
        return obj_type;
    }
    let r = new_instance(ty as usize, &[t, o, obj_type]);
    drop_kept();
    r
}

unsafe extern "C" fn super_getattro(s: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    let (t, o, ot) = {
        // SAFETY: a super object (three fields).
        let fs = unsafe { fields(s, 3) };
        (fs[0], fs[1], fs[2])
    };
    cx::api("super.__getattribute__", |cx| {
        // SAFETY: objects the super object holds, and the name C passed.
        let (th, oh, oth, nh) = unsafe {
            (
                cx::harg(cx, t)?,
                cx::harg(cx, o)?,
                cx::harg(cx, ot)?,
                cx::harg(cx, name)?,
            )
        };
        let Some(n) = cx.str_value(cx.get(nh)).map(str::to_string) else {
            return Err(type_error(cx, "attribute name must be string"));
        };
        if n != "__class__" {
            let mro = crate::types::class::mro_of(cx.get(oth));
            let start = cx.get(th);
            let found = mro
                .iter()
                .skip_while(|x| **x != start)
                .skip(1)
                .find_map(|x| {
                    pyopaque_runtime::binding::type_payload(*x)
                        .attrs
                        .lock()
                        .iter()
                        .find(|(k, _)| *k == n)
                        .map(|e| e.1)
                });
            if let Some(v) = found {
                let vh = cx.root(v);
                let vt = cx.type_of(v);
                let get = crate::types::typeobject::get_slot(vt, 54);
                if get == 0 {
                    return Ok(new_ref_h(cx, vh));
                }
                // SAFETY: Py_tp_descr_get holds a descrgetfunc.
                let f: ternaryfunc = unsafe { std::mem::transmute::<usize, ternaryfunc>(get) };
                // The instance, or NULL when `super` was given a class (classmethods).
                let inst = if cx.get(oh) == cx.get(oth) {
                    None
                } else {
                    Some(oh)
                };
                let mut hs = vec![vh, oth];
                if let Some(i) = inst {
                    hs.push(i);
                }
                let r = crate::r#abstract::object::c_call(cx, "__get__", &hs, |a| {
                    let ip = a.get(2).copied().unwrap_or(std::ptr::null_mut());
                    // SAFETY: calling the descriptor's tp_descr_get with borrowed arguments.
                    unsafe { f(a[0], ip, a[1]) }
                })?;
                return Ok(new_ref_h(cx, r));
            }
        }
        if n == "__class__" {
            // SAFETY: the super object itself.
            let sh = unsafe { cx::harg(cx, s) }?;
            let st = cx.type_of(cx.get(sh));
            return Ok(cx::new_ref(cx, st));
        }
        Err(cx::attribute_error(
            cx,
            &format!("'super' object has no attribute '{n}'"),
        ))
    })
}

// ----- creation -----

fn leak_cstr(s: &str) -> *const std::ffi::c_char {
    CString::new(s).expect("no NUL").into_raw()
}

/// Makes one type from `slots` (leaked: the type lives for the process).
fn make(
    cx: &mut Thread,
    name: &str,
    size: usize,
    slots: Vec<(c_int, usize)>,
    flags: u32,
) -> PyResult<usize> {
    let mut v: Vec<PyType_Slot> = slots
        .into_iter()
        .map(|(slot, f)| PyType_Slot {
            slot,
            pfunc: f as *mut c_void,
        })
        .collect();
    v.push(PyType_Slot {
        slot: 0,
        pfunc: std::ptr::null_mut(),
    });
    let spec = Box::leak(Box::new(PyType_Spec {
        name: leak_cstr(name),
        basicsize: size as c_int,
        itemsize: 0,
        flags: flags | (1 << 14), // Py_TPFLAGS_HAVE_GC
        slots: Box::leak(v.into_boxed_slice()).as_mut_ptr(),
    }));
    // SAFETY: a complete spec with a terminated slot array, leaked for the process.
    let t = unsafe {
        crate::types::typeobject::from_spec(cx, std::ptr::null_mut(), spec, std::ptr::null_mut())
    }?;
    Ok(t as usize)
}

struct Defs([PyMethodDef; 4]);
// SAFETY: immutable static data, never written.
unsafe impl Sync for Defs {}
type MethO = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
const fn meth_o(name: &'static std::ffi::CStr, f: MethO) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: stored as the generic pointer; METH_O selects the signature.
        ml_meth: Some(unsafe { std::mem::transmute::<MethO, RawFn>(f) }),
        ml_flags: METH_O,
        ml_doc: std::ptr::null(),
    }
}
static PROPERTY_METHODS: Defs = Defs([
    meth_o(c"getter", property_getter),
    meth_o(c"setter", property_setter),
    meth_o(c"deleter", property_deleter),
    PyMethodDef {
        ml_name: std::ptr::null(),
        ml_meth: None,
        ml_flags: 0,
        ml_doc: std::ptr::null(),
    },
]);

/// The four types, created on first use.
pub fn types(cx: &mut Thread) -> PyResult<&'static DescriptorTypes> {
    if let Some(t) = TYPES.get() {
        return Ok(t);
    }
    const BASETYPE: u32 = 1 << 10;
    let common = |extra: Vec<(c_int, usize)>| {
        let mut v = vec![
            (slot::TP_TRAVERSE, traverse as *const () as usize),
            (slot::TP_DEALLOC, dealloc as *const () as usize),
        ];
        v.extend(extra);
        v
    };
    let staticmethod = make(
        cx,
        "staticmethod",
        std::mem::size_of::<Wrapper>(),
        common(vec![
            (slot::TP_NEW, wrapper_new as *const () as usize),
            (54, staticmethod_get as *const () as usize),
        ]),
        BASETYPE,
    )?;
    let classmethod = make(
        cx,
        "classmethod",
        std::mem::size_of::<Wrapper>(),
        common(vec![
            (slot::TP_NEW, wrapper_new as *const () as usize),
            (54, classmethod_get as *const () as usize),
        ]),
        BASETYPE,
    )?;
    let method = make(
        cx,
        "method",
        std::mem::size_of::<Bound>(),
        common(vec![
            (slot::TP_NEW, method_new as *const () as usize),
            (slot::TP_CALL, method_call as *const () as usize),
        ]),
        0,
    )?;
    let property = make(
        cx,
        "property",
        std::mem::size_of::<Property>(),
        common(vec![
            (slot::TP_NEW, property_new as *const () as usize),
            (54, property_get as *const () as usize),
            (55, property_set as *const () as usize),
            (
                slot::TP_METHODS,
                std::ptr::addr_of!(PROPERTY_METHODS.0) as usize,
            ),
        ]),
        BASETYPE,
    )?;
    let super_ = make(
        cx,
        "super",
        std::mem::size_of::<Super>(),
        common(vec![
            (slot::TP_NEW, super_new as *const () as usize),
            (slot::TP_GETATTRO, super_getattro as *const () as usize),
        ]),
        BASETYPE,
    )?;
    let _ = TYPES.set(DescriptorTypes {
        super_,
        staticmethod,
        classmethod,
        method,
        property,
    });
    Ok(TYPES.get().expect("just set"))
}
