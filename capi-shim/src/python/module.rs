//! Modules: single-phase (`PyModule_Create2`) and multi-phase (`PyModuleDef_Init`,
//! `PyModule_FromDefAndSpec2`, `PyModule_ExecDef`) creation, module state, and the `Add*`
//! helpers.

use std::ffi::{c_char, c_int, c_long, c_void, CString};

use pyopaque_runtime::{Handle, Kind, PyResult, Thread};

use crate::boundary::cx::{
    self, arg, bad_internal_call, borrowed, cstr, harg, new_ref_h, type_error,
};
use crate::boundary::ffi::*;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{payload, ModulePayload};
use crate::{capi, capi_nothread};

/// A new empty module called `name`.
pub fn new_module(cx: &mut Thread, name: &str, def: *mut PyModuleDef) -> PyResult<Handle> {
    let d = cx.dict();
    let n = cx.str(name);
    let k = cx.str("__name__");
    cx.dict_set(d, k, n)?;
    let none = cx.root(cx.rt.none);
    let k = cx.str("__doc__");
    cx.dict_set(d, k, none)?;
    let cname = CString::new(name).unwrap_or_default().into_raw();
    let dv = cx.get(d);
    pyopaque_runtime::refcount::incref(cx, dv);
    let mt = shim_types().module;
    let m = crate::types::shim_types::alloc(
        cx,
        mt,
        ModulePayload {
            dict: None,
            def,
            state: std::ptr::null_mut(),
            name: cname,
        },
    );
    let mo = cx.get(m);
    // C keeps module pointers in statics as borrowed references (CPython's sys.modules keeps the
    // module alive): a module never moves (cost: pinning).
    crate::boundary::pinning::pin_forever(mo);
    // SAFETY: fresh module payload; the dict is rooted by `d` (re-read after the allocation).
    unsafe { payload::<ModulePayload>(mo) }.dict = Some(cx.get(d));
    Ok(m)
}

/// The module payload of `m`, or a TypeError/SystemError.
fn module_payload<'a>(
    cx: &mut Thread,
    m: pyopaque_runtime::ObjRef,
) -> PyResult<&'a mut ModulePayload> {
    if cx.type_of(m) != shim_types().module {
        return Err(bad_internal_call(cx));
    }
    // SAFETY: checked: a module payload.
    Ok(unsafe { payload::<ModulePayload>(m) })
}

/// The module `m` for the name and filename getters, which (as CPython's) answer a non-module
/// with TypeError "bad argument type for built-in operation" (`PyErr_BadArgument`).
fn module_arg(cx: &mut Thread, m: pyopaque_runtime::ObjRef) -> PyResult<()> {
    if cx.type_of(m) != shim_types().module {
        return Err(type_error(cx, "bad argument type for built-in operation"));
    }
    Ok(())
}

/// Sets up a module from its definition: state, functions, docstring.
///
/// # Safety
/// `def` must be a valid module definition.
unsafe fn init_from_def(cx: &mut Thread, m: Handle, def: *mut PyModuleDef) -> PyResult<()> {
    // SAFETY: caller's contract.
    let d = unsafe { &*def };
    let mo = cx.get(m);
    let p = module_payload(cx, mo)?;
    p.def = def;
    if d.m_size > 0 && p.state.is_null() {
        // SAFETY: calloc of the requested size; freed with the module.
        p.state = unsafe { libc::calloc(1, d.m_size as usize) };
        if p.state.is_null() {
            let t = cx.rt.types.exc.memory_error;
            return Err(cx.raise(t, ""));
        }
    }
    if !d.m_methods.is_null() {
        // SAFETY: caller's contract: a NULL-terminated static array.
        unsafe { add_functions(cx, m, d.m_methods) }?;
    }
    if !d.m_doc.is_null() {
        // SAFETY: a C string.
        let doc = unsafe { cx::cstr_lossy(d.m_doc) };
        let v = cx.str(&doc);
        crate::r#abstract::object::setattr(cx, m, "__doc__", Some(v))?;
    }
    Ok(())
}

/// Adds module-level functions.
///
/// # Safety
/// `methods` must be a static NULL-name-terminated array.
pub unsafe fn add_functions(cx: &mut Thread, m: Handle, methods: *mut PyMethodDef) -> PyResult<()> {
    let mut f = methods;
    loop {
        // SAFETY: caller's contract.
        let d = unsafe { &*f };
        if d.ml_name.is_null() {
            return Ok(());
        }
        if d.ml_flags & (METH_CLASS | METH_STATIC) != 0 {
            return Err(cx::value_error(
                cx,
                "module functions cannot set METH_CLASS or METH_STATIC",
            ));
        }
        // SAFETY: a C string.
        let n = unsafe { cx::cstr_lossy(d.ml_name) };
        let fh = crate::r#abstract::call::new_cfunction(cx, f, Some(m), Some(m), None);
        crate::r#abstract::object::setattr(cx, m, &n, Some(fh))?;
        // SAFETY: not at the terminator.
        f = unsafe { f.add(1) };
    }
}

/// Runs the `Py_mod_exec` slots of `def` on `m`.
///
/// # Safety
/// `def` must be valid.
pub unsafe fn exec_def(cx: &mut Thread, m: Handle, def: *mut PyModuleDef) -> PyResult<()> {
    // SAFETY: caller's contract.
    let mut s = unsafe { (*def).m_slots };
    while !s.is_null() {
        // SAFETY: the slots array is {0, NULL}-terminated.
        let e = unsafe { &*s };
        if e.slot == 0 {
            break;
        }
        if e.slot == PY_MOD_EXEC {
            // SAFETY: Py_mod_exec holds `int (*)(PyObject *)`.
            let f: inquiry = unsafe { std::mem::transmute::<*mut c_void, inquiry>(e.value) };
            cx.begin_native_call();
            let mo = cx.get(m);
            let mp = borrowed(cx, mo);
            // SAFETY: calling the exec function with the module.
            let r = cx::publish(cx, || unsafe { f(mp) });
            cx.end_native_call();
            if r != 0 {
                if cx.error().is_none() {
                    return Err(cx::system_error(
                        cx,
                        "execution of module failed without setting an exception",
                    ));
                }
                return Err(pyopaque_runtime::Raised);
            }
            if cx.error().is_some() {
                return Err(cx::system_error(
                    cx,
                    "execution of module raised unreported exception",
                ));
            }
        }
        // SAFETY: not at the terminator.
        s = unsafe { s.add(1) };
    }
    Ok(())
}

/// Creates a module from `def` and `spec` (multi-phase): `Py_mod_create` or a plain module.
///
/// # Safety
/// `def` must be valid; `spec` an object with a `name` attribute.
pub unsafe fn from_def_and_spec(
    cx: &mut Thread,
    def: *mut PyModuleDef,
    spec: Handle,
) -> PyResult<Handle> {
    let name_h = crate::r#abstract::object::getattr(cx, spec, "name")?;
    let name = match cx.str_value(cx.get(name_h)) {
        Some(s) => s.to_string(),
        None => return Err(type_error(cx, "module name must be a string")),
    };
    // SAFETY: caller's contract.
    let mut s = unsafe { (*def).m_slots };
    let mut create: Option<unsafe extern "C" fn(*mut PyObject, *mut PyModuleDef) -> *mut PyObject> =
        None;
    while !s.is_null() {
        // SAFETY: {0, NULL}-terminated.
        let e = unsafe { &*s };
        if e.slot == 0 {
            break;
        }
        if e.slot == PY_MOD_CREATE {
            // SAFETY: Py_mod_create's signature.
            create = Some(unsafe {
                std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut PyObject, *mut PyModuleDef) -> *mut PyObject,
                >(e.value)
            });
        }
        // SAFETY: not at the terminator.
        s = unsafe { s.add(1) };
    }
    let m = match create {
        Some(f) => {
            cx.begin_native_call();
            let so = cx.get(spec);
            let sp = borrowed(cx, so);
            // SAFETY: calling Py_mod_create.
            let p = cx::publish(cx, || unsafe { f(sp, def) });
            cx.end_native_call();
            // SAFETY: a new reference or NULL.
            let m = unsafe { cx::take_result(cx, p, "Py_mod_create") }?;
            if cx.type_of(cx.get(m)) != shim_types().module {
                return Ok(m);
            }
            m
        }
        None => new_module(cx, &name, def)?,
    };
    // SAFETY: caller's contract.
    unsafe { init_from_def(cx, m, def) }?;
    Ok(m)
}

/// `PyModule_Create2` (single-phase init).
///
/// # Safety
/// `def` must be a valid, static module definition.
#[no_mangle]
pub unsafe extern "C" fn PyModule_Create2(def: *mut PyModuleDef, _api: c_int) -> *mut PyObject {
    capi!("PyModule_Create2", |cx| {
        if def.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let name = unsafe { cstr(cx, (*def).m_name) }?.to_string();
        let m = new_module(cx, &name, def)?;
        // SAFETY: caller's contract.
        unsafe { init_from_def(cx, m, def) }?;
        Ok(new_ref_h(cx, m))
    })
}

/// `PyModule_FromDefAndSpec2`.
///
/// # Safety
/// `def` valid; `spec` an object with a `name` attribute.
#[no_mangle]
pub unsafe extern "C" fn PyModule_FromDefAndSpec2(
    def: *mut PyModuleDef,
    spec: *mut PyObject,
    _api: c_int,
) -> *mut PyObject {
    capi!("PyModule_FromDefAndSpec2", |cx| {
        if def.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let s = unsafe { harg(cx, spec) }?;
        // SAFETY: caller's contract.
        let m = unsafe { from_def_and_spec(cx, def, s) }?;
        Ok(new_ref_h(cx, m))
    })
}

/// `PyModuleDef_Init`: marks `def` for multi-phase initialisation and returns it as an object
/// pointer (which only `PyInit_*`'s caller interprets).
///
/// # Safety
/// `def` must be a static module definition.
#[no_mangle]
pub unsafe extern "C" fn PyModuleDef_Init(def: *mut PyModuleDef) -> *mut PyObject {
    capi_nothread!("PyModuleDef_Init", std::ptr::null_mut(), || {
        cx::global()
            .module_defs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(def as usize);
        def.cast()
    })
}

/// `PyModule_ExecDef`.
///
/// # Safety
/// `m` a module, `def` valid.
#[no_mangle]
pub unsafe extern "C" fn PyModule_ExecDef(m: *mut PyObject, def: *mut PyModuleDef) -> c_int {
    capi!("PyModule_ExecDef", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        if def.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        unsafe { exec_def(cx, mh, def) }?;
        Ok(0)
    })
}

/// `PyModule_New`.
///
/// # Safety
/// `name` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyModule_New(name: *const c_char) -> *mut PyObject {
    capi!("PyModule_New", |cx| {
        // SAFETY: caller's contract.
        let n = unsafe { cstr(cx, name) }?.to_string();
        let m = new_module(cx, &n, std::ptr::null_mut())?;
        Ok(new_ref_h(cx, m))
    })
}

/// `PyModule_NewObject`.
///
/// # Safety
/// `name` a str object.
#[no_mangle]
pub unsafe extern "C" fn PyModule_NewObject(name: *mut PyObject) -> *mut PyObject {
    capi!("PyModule_NewObject", |cx| {
        // SAFETY: caller's contract.
        let n = unsafe { arg(cx, name) }?;
        let Some(s) = cx.str_value(n).map(str::to_string) else {
            return Err(type_error(cx, "module name must be a string"));
        };
        let m = new_module(cx, &s, std::ptr::null_mut())?;
        Ok(new_ref_h(cx, m))
    })
}

/// `PyModule_GetState`: thread-free (may run in finalizers).
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetState(m: *mut PyObject) -> *mut c_void {
    capi_nothread!("PyModule_GetState", std::ptr::null_mut(), || {
        // SAFETY: caller's contract.
        match unsafe { cx::from_c(m) } {
            Some(o)
                if !o.is_tagged()
                    && pyopaque_runtime::header::header_of(o).ty() == shim_types().module =>
            {
                // SAFETY: a module payload.
                unsafe { payload::<ModulePayload>(o) }.state
            }
            _ => {
                if !cx::finalizing() {
                    cx::api("PyModule_GetState", |cx| -> PyResult<*mut c_void> {
                        Err(type_error(cx, "bad argument type for built-in operation"))
                    });
                }
                std::ptr::null_mut()
            }
        }
    })
}

/// `PyModule_GetDef`.
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetDef(m: *mut PyObject) -> *mut PyModuleDef {
    capi!("PyModule_GetDef", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, m) }?;
        let def = module_payload(cx, o)?.def;
        // A module made from slots has no definition C could see.
        Ok(if slot_module_token(def).is_some() {
            std::ptr::null_mut()
        } else {
            def
        })
    })
}

/// `PyModule_GetDict` (borrowed).
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetDict(m: *mut PyObject) -> *mut PyObject {
    capi!("PyModule_GetDict", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, m) }?;
        let d = module_payload(cx, o)?.dict.expect("module dict");
        Ok(borrowed(cx, d))
    })
}

/// `PyModule_GetName` (the module keeps the string).
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetName(m: *mut PyObject) -> *const c_char {
    capi!("PyModule_GetName", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, m) }?;
        Ok(module_payload(cx, o)?.name.cast_const())
    })
}

/// `PyModule_GetNameObject`.
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetNameObject(m: *mut PyObject) -> *mut PyObject {
    capi!("PyModule_GetNameObject", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        module_arg(cx, cx.get(mh))?;
        let n = crate::r#abstract::object::getattr(cx, mh, "__name__")?;
        Ok(new_ref_h(cx, n))
    })
}

/// `PyModule_GetFilenameObject`: extension modules loaded by pyopaque have no `__file__`.
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetFilenameObject(m: *mut PyObject) -> *mut PyObject {
    capi!("PyModule_GetFilenameObject", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        module_arg(cx, cx.get(mh))?;
        match crate::r#abstract::object::getattr_opt(cx, mh, "__file__")? {
            Some(f) => Ok(new_ref_h(cx, f)),
            None => Err(cx::system_error(cx, "module filename missing")),
        }
    })
}

fn add_object(cx: &mut Thread, m: Handle, name: &str, v: Handle) -> PyResult<()> {
    let mo = cx.get(m);
    if cx.type_of(mo) != shim_types().module {
        return Err(type_error(
            cx,
            "PyModule_AddObjectRef() first argument must be a module",
        ));
    }
    crate::r#abstract::object::setattr(cx, m, name, Some(v))
}

/// `PyModule_AddObjectRef` (does not steal).
///
/// # Safety
/// `m` a module, `name` a C string, `v` an object (NULL raises SystemError).
#[no_mangle]
pub unsafe extern "C" fn PyModule_AddObjectRef(
    m: *mut PyObject,
    name: *const c_char,
    v: *mut PyObject,
) -> c_int {
    capi!("PyModule_AddObjectRef", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let n = unsafe { cstr(cx, name) }?;
        if v.is_null() {
            if cx.error().is_none() {
                return Err(cx::system_error(cx, "PyModule_AddObjectRef() must be called with an exception raised if value is NULL"));
            }
            return Err(pyopaque_runtime::Raised);
        }
        // SAFETY: caller's contract.
        let vh = unsafe { harg(cx, v) }?;
        add_object(cx, mh, n, vh)?;
        Ok(0)
    })
}

/// `PyModule_Add` (steals `v`, also on failure).
///
/// # Safety
/// As [`PyModule_AddObjectRef`]; `v` a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyModule_Add(
    m: *mut PyObject,
    name: *const c_char,
    v: *mut PyObject,
) -> c_int {
    capi!("PyModule_Add", |cx| {
        // SAFETY: caller's contract.
        let vh = unsafe { cx::from_c(v) }.map(|o| {
            let h = cx.root(o);
            cx::release_c_ref(cx, o, "PyModule_Add");
            h
        });
        let Some(vh) = vh else {
            if cx.error().is_none() {
                return Err(cx::system_error(
                    cx,
                    "PyModule_Add() must be called with an exception raised if value is NULL",
                ));
            }
            return Err(pyopaque_runtime::Raised);
        };
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let n = unsafe { cstr(cx, name) }?;
        add_object(cx, mh, n, vh)?;
        Ok(0)
    })
}

/// `PyModule_AddObject` (steals `v` only on success).
///
/// # Safety
/// As [`PyModule_AddObjectRef`].
#[no_mangle]
pub unsafe extern "C" fn PyModule_AddObject(
    m: *mut PyObject,
    name: *const c_char,
    v: *mut PyObject,
) -> c_int {
    capi!("PyModule_AddObject", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let n = unsafe { cstr(cx, name) }?;
        // SAFETY: caller's contract.
        let Some(vo) = (unsafe { cx::from_c(v) }) else {
            if cx.error().is_none() {
                return Err(cx::system_error(
                    cx,
                    "PyModule_AddObject() must be called with an exception raised if value is NULL",
                ));
            }
            return Err(pyopaque_runtime::Raised);
        };
        let vh = cx.root(vo);
        add_object(cx, mh, n, vh)?;
        cx::release_c_ref(cx, vo, "PyModule_AddObject");
        Ok(0)
    })
}

/// `PyModule_AddIntConstant`.
///
/// # Safety
/// `m` a module, `name` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyModule_AddIntConstant(
    m: *mut PyObject,
    name: *const c_char,
    v: c_long,
) -> c_int {
    capi!("PyModule_AddIntConstant", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let n = unsafe { cstr(cx, name) }?;
        let vh = cx.int(v);
        add_object(cx, mh, n, vh)?;
        Ok(0)
    })
}

/// `PyModule_AddStringConstant`.
///
/// # Safety
/// `m` a module, `name` and `v` C strings.
#[no_mangle]
pub unsafe extern "C" fn PyModule_AddStringConstant(
    m: *mut PyObject,
    name: *const c_char,
    v: *const c_char,
) -> c_int {
    capi!("PyModule_AddStringConstant", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let n = unsafe { cstr(cx, name) }?;
        // SAFETY: caller's contract.
        let s = unsafe { cstr(cx, v) }?;
        let vh = cx.str(s);
        add_object(cx, mh, n, vh)?;
        Ok(0)
    })
}

/// `PyModule_AddType`: adds a type under its short name.
///
/// # Safety
/// `m` a module, `ty` a type.
#[no_mangle]
pub unsafe extern "C" fn PyModule_AddType(m: *mut PyObject, ty: *mut PyTypeObject) -> c_int {
    capi!("PyModule_AddType", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        if cx.kind_of(t) != Kind::Type {
            return Err(bad_internal_call(cx));
        }
        let n = pyopaque_runtime::binding::type_payload(t)
            .short_name()
            .to_string();
        let th = cx.root(t);
        add_object(cx, mh, &n, th)?;
        Ok(0)
    })
}

/// `PyModule_AddFunctions`.
///
/// # Safety
/// `m` a module, `functions` a static NULL-terminated array.
#[no_mangle]
pub unsafe extern "C" fn PyModule_AddFunctions(
    m: *mut PyObject,
    functions: *mut PyMethodDef,
) -> c_int {
    capi!("PyModule_AddFunctions", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        if functions.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        unsafe { add_functions(cx, mh, functions) }?;
        Ok(0)
    })
}

/// `PyModule_SetDocString`.
///
/// # Safety
/// `m` a module, `doc` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyModule_SetDocString(m: *mut PyObject, doc: *const c_char) -> c_int {
    capi!("PyModule_SetDocString", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        // SAFETY: caller's contract.
        let d = unsafe { cstr(cx, doc) }?;
        let v = cx.str(d);
        crate::r#abstract::object::setattr(cx, mh, "__doc__", Some(v))?;
        Ok(0)
    })
}

/// Keeps `c_char`-typed helpers close: converts a module's name for the runner.
pub fn module_name(m: pyopaque_runtime::ObjRef) -> String {
    // SAFETY: caller passes a module; its name is an owned C string.
    unsafe { cx::cstr_lossy(payload::<ModulePayload>(m).name) }
}

/// `PyModule_GetFilename`: the `__file__` as UTF-8 (the module keeps the string); SystemError
/// "module filename missing" when absent (extension modules loaded by pyopaque have none).
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetFilename(m: *mut PyObject) -> *const c_char {
    capi!("PyModule_GetFilename", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        module_arg(cx, cx.get(mh))?;
        match crate::r#abstract::object::getattr_opt(cx, mh, "__file__")? {
            Some(f) => {
                let fo = cx.get(f);
                match cx.str_value(fo) {
                    // The str is reachable from the module dict while __file__ is unchanged;
                    // pin it so the pointer stays valid (cost: pinning).
                    Some(_) => {
                        crate::boundary::pinning::pin_forever(fo);
                        Ok(pyopaque_runtime::objects::text::text_data_ptr(fo) as *const c_char)
                    }
                    None => Err(type_error(cx, "module filename must be a str")),
                }
            }
            None => Err(cx::system_error(cx, "module filename missing")),
        }
    })
}

/// `PyModule_Exec`: runs the `Py_mod_exec` slots of the module's definition (0 without one).
///
/// # Safety
/// `m` a module.
#[no_mangle]
pub unsafe extern "C" fn PyModule_Exec(m: *mut PyObject) -> c_int {
    capi!("PyModule_Exec", |cx| {
        // SAFETY: caller's contract.
        let mh = unsafe { harg(cx, m) }?;
        let def = module_payload(cx, cx.get(mh))?.def;
        if def.is_null() {
            return Ok(0);
        }
        // SAFETY: the module's own static definition.
        unsafe { exec_def(cx, mh, def) }?;
        Ok(0)
    })
}

/// `PyModule_GetStateSize`: the definition's `m_size` (0 without a definition).
///
/// # Safety
/// `m` a module; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetStateSize(m: *mut PyObject, result: *mut Py_ssize_t) -> c_int {
    capi!("PyModule_GetStateSize", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, m) }?;
        let def = module_payload(cx, o)?.def;
        // SAFETY: static definition; `result` writable.
        unsafe {
            *result = if def.is_null() {
                0
            } else {
                (*def).m_size.max(0)
            }
        };
        Ok(0)
    })
}

/// `PyModule_GetToken`: the module's token (its definition's address, NULL without one).
///
/// # Safety
/// `m` a module; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PyModule_GetToken(
    m: *mut PyObject,
    result: *mut *mut std::ffi::c_void,
) -> c_int {
    capi!("PyModule_GetToken", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, m) }?;
        let def = module_payload(cx, o)?.def;
        // A module made from slots has the `Py_mod_token` slot's value (or NULL) as its token.
        let token = slot_module_token(def).unwrap_or(def.cast());
        // SAFETY: writable.
        unsafe { *result = token };
        Ok(0)
    })
}

// ----- modules from slots (PyModule_FromSlotsAndSpec) -----

/// Definitions synthesized by `PyModule_FromSlotsAndSpec`, with the module's token
/// (`Py_mod_token`, 0 without one). Such a module has no definition of its own for C
/// (`PyModule_GetDef` is NULL); the synthesized one carries what the slots said (name, doc,
/// state size, methods, state hooks, the exec slot) for the code shared with definitions.
static SLOT_DEFS: std::sync::Mutex<Vec<(usize, usize)>> = std::sync::Mutex::new(Vec::new());

/// The token of a module whose definition `def` was synthesized from slots, if it was.
fn slot_module_token(def: *mut PyModuleDef) -> Option<*mut c_void> {
    SLOT_DEFS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(d, _)| *d == def as usize)
        .map(|(_, t)| *t as *mut c_void)
}

/// `Py_mod_*` slot ids beyond create/exec (moduleobject.h).
const PY_MOD_MULTIPLE_INTERPRETERS: c_int = 3;
const PY_MOD_GIL: c_int = 4;
const PY_MOD_ABI: c_int = 5;
const PY_MOD_NAME: c_int = 6;
const PY_MOD_DOC: c_int = 7;
const PY_MOD_STATE_SIZE: c_int = 8;
const PY_MOD_METHODS: c_int = 9;
const PY_MOD_STATE_TRAVERSE: c_int = 10;
const PY_MOD_STATE_CLEAR: c_int = 11;
const PY_MOD_STATE_FREE: c_int = 12;
const PY_MOD_TOKEN: c_int = 13;

/// `PyModule_FromSlotsAndSpec(slots, spec)`: a module from a `{0}`-terminated slot array (which
/// need only live for the call) and a spec with a `name` attribute (the module's name; the
/// `Py_mod_name` slot is accepted but not used for it). Runs `Py_mod_create` when given, checks
/// `Py_mod_abi` with `PyABIInfo_Check`, adds `Py_mod_methods` and `Py_mod_doc`; the exec slot runs
/// later, in `PyModule_Exec`. SystemError for NULL slots, an unknown slot id, a repeated slot, or
/// state, exec slots or a token requested from a `Py_mod_create` that made no module object.
///
/// # Safety
/// `slots` NULL or a `{0}`-terminated array whose values have the types their ids document;
/// `spec` an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyModule_FromSlotsAndSpec(
    slots: *const PyModuleDef_Slot,
    spec: *mut PyObject,
) -> *mut PyObject {
    capi!("PyModule_FromSlotsAndSpec", |cx| {
        if slots.is_null() {
            return Err(cx::system_error(
                cx,
                "PyModule_FromSlotsAndSpec called with NULL slots",
            ));
        }
        // SAFETY: caller's contract.
        let sh = unsafe { harg(cx, spec) }?;
        let name_h = crate::r#abstract::object::getattr(cx, sh, "name")?;
        let name = match cx.str_value(cx.get(name_h)) {
            Some(s) => s.to_string(),
            None => return Err(type_error(cx, "module name must be a string")),
        };
        let mut seen: Vec<c_int> = Vec::new();
        let mut create: *mut c_void = std::ptr::null_mut();
        let mut exec: Option<*mut c_void> = None;
        let mut token: *mut c_void = std::ptr::null_mut();
        let mut doc: *const c_char = std::ptr::null();
        let mut size: Py_ssize_t = 0;
        let mut methods: *mut PyMethodDef = std::ptr::null_mut();
        let mut hooks: [*mut c_void; 3] = [std::ptr::null_mut(); 3];
        let mut s = slots;
        loop {
            // SAFETY: caller's contract: `s` stays inside the terminated array.
            let e = unsafe { &*s };
            if e.slot == 0 {
                break;
            }
            let repeatable = e.slot == PY_MOD_ABI;
            if !repeatable && seen.contains(&e.slot) {
                return Err(cx::system_error(
                    cx,
                    &format!("module {name} has more than one slot with ID {}", e.slot),
                ));
            }
            seen.push(e.slot);
            match e.slot {
                PY_MOD_CREATE => create = e.value,
                PY_MOD_EXEC => exec = Some(e.value),
                PY_MOD_MULTIPLE_INTERPRETERS | PY_MOD_GIL | PY_MOD_NAME => {}
                PY_MOD_ABI => {
                    // SAFETY: the slot's value is a PyABIInfo (caller's contract).
                    unsafe { crate::python::module::check_abi(cx, e.value.cast(), Some(&name)) }?
                }
                PY_MOD_DOC => doc = e.value.cast(),
                PY_MOD_STATE_SIZE => size = e.value as Py_ssize_t,
                PY_MOD_METHODS => methods = e.value.cast(),
                PY_MOD_STATE_TRAVERSE => hooks[0] = e.value,
                PY_MOD_STATE_CLEAR => hooks[1] = e.value,
                PY_MOD_STATE_FREE => hooks[2] = e.value,
                PY_MOD_TOKEN => token = e.value,
                id => {
                    return Err(cx::system_error(
                        cx,
                        &format!("module {name} uses unknown slot ID {id}"),
                    ))
                }
            }
            // SAFETY: not at the terminator.
            s = unsafe { s.add(1) };
        }
        // The definition the shared code reads: leaked, as a module's definition must outlive
        // the module (modules live for the process here).
        let mut def_slots: Vec<PyModuleDef_Slot> = Vec::new();
        if let Some(x) = exec {
            def_slots.push(PyModuleDef_Slot {
                slot: PY_MOD_EXEC,
                value: x,
            });
        }
        def_slots.push(PyModuleDef_Slot {
            slot: 0,
            value: std::ptr::null_mut(),
        });
        let cname = CString::new(name.as_str()).unwrap_or_default().into_raw();
        // SAFETY: the hook slots hold functions of these signatures (caller's contract); a NULL
        // value becomes None.
        let (trav, clear, free) = unsafe {
            (
                std::mem::transmute::<*mut c_void, Option<traverseproc>>(hooks[0]),
                std::mem::transmute::<*mut c_void, Option<inquiry>>(hooks[1]),
                std::mem::transmute::<*mut c_void, Option<freefunc>>(hooks[2]),
            )
        };
        let def = Box::into_raw(Box::new(PyModuleDef {
            m_base: PyModuleDef_Base {
                m_init: None,
                m_index: 0,
                m_copy: std::ptr::null_mut(),
            },
            m_name: cname,
            m_doc: doc,
            m_size: size,
            m_methods: methods,
            m_slots: Box::leak(def_slots.into_boxed_slice()).as_mut_ptr(),
            m_traverse: trav,
            m_clear: clear,
            m_free: free,
        }));
        SLOT_DEFS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((def as usize, token as usize));
        let m = if create.is_null() {
            new_module(cx, &name, def)?
        } else {
            // SAFETY: Py_mod_create's signature; no definition is passed (NULL), as documented
            // for modules made from slots.
            let f = unsafe {
                std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut PyObject, *mut PyModuleDef) -> *mut PyObject,
                >(create)
            };
            cx.begin_native_call();
            let so = cx.get(sh);
            let sp = borrowed(cx, so);
            // SAFETY: calling Py_mod_create with the spec.
            let p = cx::publish(cx, || unsafe { f(sp, std::ptr::null_mut()) });
            cx.end_native_call();
            // SAFETY: a new reference or NULL.
            let m = unsafe { cx::take_result(cx, p, "Py_mod_create") }?;
            if cx.type_of(cx.get(m)) != shim_types().module {
                let why = if size > 0 || hooks.iter().any(|h| !h.is_null()) {
                    "requests module state"
                } else if exec.is_some() {
                    "specifies execution slots"
                } else if !token.is_null() {
                    "specifies a token"
                } else {
                    ""
                };
                if !why.is_empty() {
                    return Err(cx::system_error(
                        cx,
                        &format!("module {name} {why}, but did not create a ModuleType instance"),
                    ));
                }
                if !methods.is_null() {
                    // SAFETY: a NULL-terminated static array (caller's contract).
                    unsafe { add_functions(cx, m, methods) }?;
                }
                return Ok(new_ref_h(cx, m));
            }
            m
        };
        // SAFETY: the definition built above.
        unsafe { init_from_def(cx, m, def) }?;
        Ok(new_ref_h(cx, m))
    })
}

// ----- PyABIInfo_Check -----

/// `PyABIInfo` (modsupport.h).
#[repr(C)]
pub struct PyABIInfo {
    /// Version of this struct: 0 skips every check, 1 is the only version defined.
    pub abiinfo_major_version: u8,
    /// Minor version of this struct (0).
    pub abiinfo_minor_version: u8,
    /// `PyABIInfo_STABLE`, `PyABIInfo_INTERNAL`, `PyABIInfo_GIL`, `PyABIInfo_FREETHREADED`.
    pub flags: u16,
    /// `PY_VERSION_HEX` of the headers used (0: unchecked).
    pub build_version: u32,
    /// The ABI version (`Py_LIMITED_API` or `PY_VERSION_HEX`; 0: unchecked).
    pub abi_version: u32,
}

const ABI_STABLE: u16 = 0x1;

const ABI_INTERNAL: u16 = 0x8;

/// Why `info` does not describe an ABI this runtime runs, if it does not.
fn abi_mismatch(info: &PyABIInfo) -> Option<String> {
    let ours = crate::python::lifecycle::Py_Version as u32; // `unsigned long`; the value fits 32 bits
    let xy = |v: u32| v & 0xffff_0000;
    let ver = |v: u32| format!("{}.{}", v >> 24, (v >> 16) & 0xff);
    match info.abiinfo_major_version {
        0 => return None,
        1 => {}
        _ => return Some("PyABIInfo version too high".into()),
    }
    let v = info.abi_version;
    if info.flags & ABI_INTERNAL != 0 && v != 0 && v != ours {
        return Some(format!("incompatible internal ABI (0x{v:x} != 0x{ours:x})"));
    }
    if info.flags & ABI_STABLE != 0 {
        if info.flags & ABI_INTERNAL != 0 {
            return Some("cannot use both internal and stable ABI".into());
        }
        if v != 0 && xy(v) > xy(ours) {
            return Some(format!(
                "incompatible future stable ABI version ({})",
                ver(v)
            ));
        }
        if v != 0 && v < 0x0302_0000 {
            return Some(format!("invalid stable ABI version ({})", ver(v)));
        }
    } else if v != 0 && xy(v) != xy(ours) {
        return Some(format!("incompatible ABI version ({})", ver(v)));
    }
    // The GIL / free-threading flags: the opaque object ABI is the same for both builds (no
    // reference count or type field is compiled into extensions), so either is accepted.
    None
}

/// Raises ImportError (`"<module>: <reason>"`) unless `info` (NULL: an error too) describes an
/// ABI this runtime runs.
///
/// # Safety
/// `info` NULL or a valid `PyABIInfo`.
pub unsafe fn check_abi(
    cx: &mut Thread,
    info: *const PyABIInfo,
    module_name: Option<&str>,
) -> PyResult<()> {
    let why = if info.is_null() {
        Some("NULL PyABIInfo".to_string())
    } else {
        // SAFETY: caller's contract.
        abi_mismatch(unsafe { &*info })
    };
    let Some(why) = why else { return Ok(()) };
    let msg = match module_name {
        Some(m) => format!("{m}: {why}"),
        None => why,
    };
    let t = cx.rt.types.exc.import_error;
    Err(cx.raise(t, &msg))
}

/// `PyABIInfo_Check(info, module_name)`: 0 when `info` describes an ABI this runtime runs, else
/// ImportError and -1 (see [`check_abi`]).
///
/// # Safety
/// `info` NULL or a valid `PyABIInfo`; `module_name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyABIInfo_Check(
    info: *const PyABIInfo,
    module_name: *const c_char,
) -> c_int {
    capi!("PyABIInfo_Check", |cx| {
        // SAFETY: caller's contract.
        let m = (!module_name.is_null()).then(|| unsafe { cx::cstr_lossy(module_name) });
        // SAFETY: caller's contract.
        unsafe { check_abi(cx, info, m.as_deref()) }?;
        Ok(0)
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyModuleDef_Init", Rule::Cost("pinning: modules never move (C keeps them in statics)")),
        ("PyModule_AddFunctions", Rule::Works),
        ("PyModule_AddIntConstant", Rule::Works),
        ("PyModule_AddObjectRef", Rule::Works),
        ("PyModule_AddStringConstant", Rule::Works),
        ("PyModule_AddType", Rule::Works),
        ("PyModule_Create2", Rule::Cost("pinning: modules never move (C keeps them in statics)")),
        ("PyModule_GetDef", Rule::Works),
        ("PyModule_GetDict", Rule::Cost("pinning: the borrowed result is pinned until the native call returns")),
        ("PyModule_GetName", Rule::Works),
        ("PyModule_GetNameObject", Rule::Works),
        ("PyModule_GetState", Rule::Works),
        ("PyModule_New", Rule::Cost("pinning: modules never move (C keeps them in statics)")),
        ("PyModule_SetDocString", Rule::Works),
        ("PyModule_AddObject", Rule::Works),
        ("PyModule_NewObject", Rule::Works),
        ("PyModule_GetFilenameObject", Rule::Works),
        ("PyModule_Add", Rule::Works),
        ("PyModule_FromDefAndSpec2", Rule::Works),
        ("PyModule_ExecDef", Rule::Works),
        ("PyModule_Exec", Rule::Works),
        ("PyModule_GetStateSize", Rule::Works),
        ("PyModule_GetToken", Rule::Works),
        ("PyModule_GetFilename", Rule::Cost("pinning: the __file__ string is pinned for the rest of its life (the char* has no release call)")),
        ("PyModuleDef_Type", Rule::NotImplementable("opaque header: PyModuleDef_Init returns the static PyModuleDef itself as an object, and a static C struct cannot carry the runtime header; pyopaque recognizes definitions by address instead")),
        ("PyABIInfo_Check", Rule::Works),
        ("PyModule_FromSlotsAndSpec", Rule::Cost("pinning: the module is pinned for life (as every module) and the definition synthesized from the slots is kept for the process")),
    ]
};
