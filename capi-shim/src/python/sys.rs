//! The `sys` module the shim keeps (`PySys_*`): a module registered in the module table, with
//! the attributes a runtime without an interpreter has (`version`, `platform`, `maxsize`,
//! `byteorder`, `argv`, `path`, `modules`, `_xoptions`, `exit`). `PySys_WriteStdout` and friends write
//! to the process's C `stdout`/`stderr` (there are no Python file objects).

use std::ffi::{c_char, c_int};
use std::io::Write;

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx::{self, borrowed, harg, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::{capi, cov};

/// The `sys` module, created on first use and registered as `sys`.
pub fn sys_module(cx: &mut Thread) -> PyResult<Handle> {
    let mods = crate::python::import::modules(cx);
    let k = cx.str("sys");
    if let Some(m) = cx.dict_get(mods, k)? {
        return Ok(m);
    }
    let m = crate::python::module::new_module(cx, "sys", std::ptr::null_mut())?;
    cx.dict_set(mods, k, m)?;
    let v = cx.str("3.15.0a0 (pyopaque runtime)");
    crate::r#abstract::object::setattr(cx, m, "version", Some(v))?;
    let v = cx.str("linux");
    crate::r#abstract::object::setattr(cx, m, "platform", Some(v))?;
    let v = cx.int(isize::MAX as i64);
    crate::r#abstract::object::setattr(cx, m, "maxsize", Some(v))?;
    let v = cx.str(if cfg!(target_endian = "little") {
        "little"
    } else {
        "big"
    });
    crate::r#abstract::object::setattr(cx, m, "byteorder", Some(v))?;
    let v = cx.list_from(&[]);
    crate::r#abstract::object::setattr(cx, m, "argv", Some(v))?;
    let v = cx.list_from(&[]);
    crate::r#abstract::object::setattr(cx, m, "path", Some(v))?;
    crate::r#abstract::object::setattr(cx, m, "modules", Some(mods))?;
    let v = cx.dict();
    crate::r#abstract::object::setattr(cx, m, "_xoptions", Some(v))?;
    // The definition is never written: the `*mut` is what the function object stores.
    let d = std::ptr::addr_of!(EXIT_DEF.0).cast_mut();
    let f = crate::r#abstract::call::new_cfunction(cx, d, None, Some(m), None);
    crate::r#abstract::object::setattr(cx, m, "exit", Some(f))?;
    crate::python::stdlib::sys_implementation(cx, m)?;
    crate::python::std_streams::add_to(cx, m)?;
    Ok(m)
}

/// `sys.exit([status])`: raises `SystemExit(status)` (`SystemExit()` without an argument), which
/// `pyopaque run` turns into the exit status as CPython does.
unsafe extern "C" fn sys_exit(
    _: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !crate::python::builtins::check_nargs("exit", n, 0, 1) {
        return std::ptr::null_mut();
    }
    let a = if n == 1 {
        // SAFETY: one argument C passed.
        unsafe { *args }
    } else {
        std::ptr::null_mut()
    };
    cx::api("exit", |cx| -> pyopaque_runtime::PyResult<*mut PyObject> {
        let t = cx.rt.types.exc.system_exit;
        // SAFETY: NULL or the argument C passed.
        let v = match unsafe { cx::from_c(a) } {
            // One argument, always wrapped: `sys.exit((1, 2))` keeps the tuple as the code.
            Some(o) => {
                let h = cx.root(o);
                Some(cx.tuple(&[h]))
            }
            None => None,
        };
        Err(crate::python::errors::set_object(cx, t, v))
    })
}

/// A static method definition (immutable C data).
struct ExitDef(crate::boundary::ffi::PyMethodDef);
// SAFETY: immutable static data (a C string and a function pointer), never written.
unsafe impl Sync for ExitDef {}

type Fast = unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize) -> *mut PyObject;

/// `sys.exit`'s definition (`METH_FASTCALL`).
static EXIT_DEF: ExitDef = ExitDef(crate::boundary::ffi::PyMethodDef {
    ml_name: c"exit".as_ptr(),
    // SAFETY: a fastcall function stored as the generic pointer, as C does; METH_FASTCALL tells
    // the caller how to call it back.
    ml_meth: Some(unsafe { std::mem::transmute::<Fast, crate::boundary::ffi::RawFn>(sys_exit) }),
    ml_flags: crate::boundary::ffi::METH_FASTCALL,
    ml_doc: std::ptr::null(),
});

fn sys_get(cx: &mut Thread, name: &str) -> PyResult<Option<Handle>> {
    let m = sys_module(cx)?;
    crate::r#abstract::object::getattr_opt(cx, m, name)
}

/// `PySys_GetObject`: borrowed; NULL without an exception when absent.
///
/// # Safety
/// `name` a C string.
#[no_mangle]
pub unsafe extern "C" fn PySys_GetObject(name: *const c_char) -> *mut PyObject {
    capi!("PySys_GetObject", |cx| {
        if name.is_null() {
            return Ok(std::ptr::null_mut());
        }
        // SAFETY: caller's contract.
        let n = unsafe { cx::cstr_lossy(name) };
        Ok(match sys_get(cx, &n)? {
            Some(h) => borrowed(cx, cx.get(h)),
            None => std::ptr::null_mut(),
        })
    })
}

/// `PySys_SetObject`: sets (or with NULL deletes) `sys.<name>`.
///
/// # Safety
/// `name` a C string; `v` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PySys_SetObject(name: *const c_char, v: *mut PyObject) -> c_int {
    capi!("PySys_SetObject", |cx| {
        // SAFETY: caller's contract.
        let n = unsafe { cx::cstr(cx, name) }?.to_string();
        // SAFETY: as above.
        let vh = unsafe { cx::from_c(v) }.map(|o| cx.root(o));
        let m = sys_module(cx)?;
        if vh.is_none() && crate::r#abstract::object::getattr_opt(cx, m, &n)?.is_none() {
            return Ok(0);
        }
        crate::r#abstract::object::setattr(cx, m, &n, vh)?;
        Ok(0)
    })
}

fn str_name(cx: &mut Thread, p: *mut PyObject) -> PyResult<String> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, p) }?;
    let o = cx.get(h);
    match cx.str_value(o) {
        Some(s) => Ok(s.to_string()),
        None => {
            let tn = cx::tname(cx, o);
            Err(cx::type_error(
                cx,
                &format!("attribute name must be string, not '{tn}'"),
            ))
        }
    }
}

fn lost(cx: &mut Thread, n: &str) -> pyopaque_runtime::Raised {
    cx::runtime_error(cx, &format!("lost sys.{n}"))
}

/// `PySys_GetAttr`: a new reference; RuntimeError("lost sys.<name>") when absent.
///
/// # Safety
/// `name` a str object.
#[no_mangle]
pub unsafe extern "C" fn PySys_GetAttr(name: *mut PyObject) -> *mut PyObject {
    capi!("PySys_GetAttr", |cx| {
        let n = str_name(cx, name)?;
        match sys_get(cx, &n)? {
            Some(h) => Ok(new_ref_h(cx, h)),
            None => Err(lost(cx, &n)),
        }
    })
}

/// `PySys_GetAttrString`.
///
/// # Safety
/// `name` a C string.
#[no_mangle]
pub unsafe extern "C" fn PySys_GetAttrString(name: *const c_char) -> *mut PyObject {
    capi!("PySys_GetAttrString", |cx| {
        // SAFETY: caller's contract.
        let n = unsafe { cx::cstr(cx, name) }?.to_string();
        match sys_get(cx, &n)? {
            Some(h) => Ok(new_ref_h(cx, h)),
            None => Err(lost(cx, &n)),
        }
    })
}

/// `PySys_GetOptionalAttr`: 1 and a new reference, 0 and NULL when absent, -1 on error.
///
/// # Safety
/// `name` a str object; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PySys_GetOptionalAttr(
    name: *mut PyObject,
    result: *mut *mut PyObject,
) -> c_int {
    capi!("PySys_GetOptionalAttr", |cx| {
        if !result.is_null() {
            // SAFETY: writable per contract.
            unsafe { *result = std::ptr::null_mut() };
        }
        let n = str_name(cx, name)?;
        match sys_get(cx, &n)? {
            Some(h) => {
                // SAFETY: as above.
                unsafe { *result = new_ref_h(cx, h) };
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

/// `PySys_GetOptionalAttrString`.
///
/// # Safety
/// `name` a C string; `result` writable.
#[no_mangle]
pub unsafe extern "C" fn PySys_GetOptionalAttrString(
    name: *const c_char,
    result: *mut *mut PyObject,
) -> c_int {
    capi!("PySys_GetOptionalAttrString", |cx| {
        if !result.is_null() {
            // SAFETY: writable per contract.
            unsafe { *result = std::ptr::null_mut() };
        }
        // SAFETY: caller's contract.
        let n = unsafe { cx::cstr(cx, name) }?.to_string();
        match sys_get(cx, &n)? {
            Some(h) => {
                // SAFETY: as above.
                unsafe { *result = new_ref_h(cx, h) };
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

/// `PySys_GetXOptions`: `sys._xoptions` (borrowed).
#[no_mangle]
pub extern "C" fn PySys_GetXOptions() -> *mut PyObject {
    capi!("PySys_GetXOptions", |cx| {
        let h = match sys_get(cx, "_xoptions")? {
            Some(h)
                if {
                    let o = cx.get(h);
                    cx.type_of(o) == cx.rt.types.dict
                } =>
            {
                h
            }
            _ => {
                let d = cx.dict();
                let m = sys_module(cx)?;
                crate::r#abstract::object::setattr(cx, m, "_xoptions", Some(d))?;
                d
            }
        };
        Ok(borrowed(cx, cx.get(h)))
    })
}

/// Decodes a `wchar_t *` (UTF-32 on Linux).
///
/// # Safety
/// `p` a NUL-terminated wide string.
unsafe fn wide(p: *const libc::wchar_t) -> String {
    let mut s = String::new();
    let mut i = 0;
    loop {
        // SAFETY: caller's contract: read up to the terminator.
        let c = unsafe { *p.add(i) };
        if c == 0 {
            return s;
        }
        s.push(char::from_u32(c as u32).unwrap_or('\u{fffd}'));
        i += 1;
    }
}

fn set_argv(cx: &mut Thread, argc: c_int, argv: *mut *mut libc::wchar_t) -> PyResult<()> {
    let mut items = Vec::new();
    for i in 0..argc.max(0) as usize {
        // SAFETY: argv has argc wide strings (caller's contract).
        let s = unsafe { wide(*argv.add(i)) };
        items.push(cx.str(&s));
    }
    if items.is_empty() {
        items.push(cx.str(""));
    }
    let l = cx.list_from(&items);
    let m = sys_module(cx)?;
    crate::r#abstract::object::setattr(cx, m, "argv", Some(l))
}

/// `PySys_SetArgvEx`: sets `sys.argv` (`[""]` when empty); `updatepath` is ignored (there is
/// no `sys.path` search).
///
/// # Safety
/// `argv` has `argc` wide strings.
#[no_mangle]
pub unsafe extern "C" fn PySys_SetArgvEx(
    argc: c_int,
    argv: *mut *mut libc::wchar_t,
    _updatepath: c_int,
) {
    let r = capi!("PySys_SetArgvEx", |cx| set_argv(cx, argc, argv).map(|_| 0));
    if r < 0 {
        cx::fatal("PySys_SetArgvEx", "cannot set sys.argv");
    }
}

/// `PySys_SetArgv`.
///
/// # Safety
/// As `PySys_SetArgvEx`.
#[no_mangle]
pub unsafe extern "C" fn PySys_SetArgv(argc: c_int, argv: *mut *mut libc::wchar_t) {
    let r = capi!("PySys_SetArgv", |cx| set_argv(cx, argc, argv).map(|_| 0));
    if r < 0 {
        cx::fatal("PySys_SetArgv", "cannot set sys.argv");
    }
}

/// `PySys_AuditTuple`: no audit hooks can be installed in pyopaque, so raising an event only
/// checks its arguments (a tuple or NULL: TypeError otherwise). 0 or -1.
///
/// # Safety
/// `event` a C string; `args` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PySys_AuditTuple(event: *const c_char, args: *mut PyObject) -> c_int {
    capi!("PySys_AuditTuple", |cx| {
        // SAFETY: caller's contract.
        let _ = unsafe { cx::cstr(cx, event) }?;
        // SAFETY: as above.
        if let Some(a) = unsafe { cx::from_c(args) } {
            if cx.type_of(a) != cx.rt.types.tuple {
                let tn = cx::tname(cx, a);
                return Err(cx::type_error(cx, &format!("args must be tuple, got {tn}")));
            }
        }
        Ok(0)
    })
}

/// Called by `PySys_Audit` (va.c): no hooks, so the arguments are not even built (as in
/// CPython without hooks). 0.
#[no_mangle]
pub extern "C" fn pyopaque_rs_sys_audit(_event: *const c_char) -> c_int {
    cov!("PySys_Audit");
    0
}

/// Called by `PySys_WriteStdout`/`Stderr` (va.c) with the formatted text (truncated at 1000
/// bytes, as CPython does).
///
/// # Safety
/// `s` a C string.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_sys_write(fd: c_int, s: *const c_char) {
    if fd == 1 {
        cov!("PySys_WriteStdout");
    } else {
        cov!("PySys_WriteStderr");
    }
    if s.is_null() {
        return;
    }
    // SAFETY: caller's contract.
    let b = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes();
    if fd == 1 {
        let _ = std::io::stdout().write_all(b);
        let _ = std::io::stdout().flush();
    } else {
        let _ = std::io::stderr().write_all(b);
    }
}

/// Called by `PySys_FormatStdout`/`Stderr` (va.c) with the str `PyUnicode_FromFormatV` made
/// (a new reference, consumed; NULL: the error is cleared, as CPython writes nothing).
///
/// # Safety
/// `s` NULL or a new reference.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_rs_sys_format(fd: c_int, s: *mut PyObject) {
    if fd == 1 {
        cov!("PySys_FormatStdout");
    } else {
        cov!("PySys_FormatStderr");
    }
    let _ = cx::api("PySys_Format", |cx| {
        // SAFETY: caller's contract.
        let o = match unsafe { cx::from_c(s) } {
            Some(o) => o,
            None => {
                cx.clear_error();
                return Ok(0);
            }
        };
        let h = cx.root(o);
        cx::release_c_ref(cx, o, "PySys_Format");
        let text = cx.str_value(cx.get(h)).unwrap_or("").to_string();
        if fd == 1 {
            let _ = std::io::stdout().write_all(text.as_bytes());
            let _ = std::io::stdout().flush();
        } else {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        Ok(0 as c_int)
    });
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PySys_GetObject", Rule::Cost("pinning: the borrowed result is pinned until the native call returns; sys is a shim module with the attributes a runtime without an interpreter has")),
        ("PySys_GetXOptions", Rule::Cost("pinning: the borrowed result is pinned until the native call returns; sys is a shim module with the attributes a runtime without an interpreter has")),
        ("PySys_SetObject", Rule::Cost("sys is a shim module with the attributes a runtime without an interpreter has (version, platform, maxsize, byteorder, argv, path, modules, _xoptions)")),
        ("PySys_GetAttr", Rule::Cost("sys is a shim module with the attributes a runtime without an interpreter has (version, platform, maxsize, byteorder, argv, path, modules, _xoptions)")),
        ("PySys_GetAttrString", Rule::Cost("sys is a shim module with the attributes a runtime without an interpreter has (version, platform, maxsize, byteorder, argv, path, modules, _xoptions)")),
        ("PySys_GetOptionalAttr", Rule::Cost("sys is a shim module with the attributes a runtime without an interpreter has (version, platform, maxsize, byteorder, argv, path, modules, _xoptions)")),
        ("PySys_GetOptionalAttrString", Rule::Cost("sys is a shim module with the attributes a runtime without an interpreter has (version, platform, maxsize, byteorder, argv, path, modules, _xoptions)")),
        ("PySys_WriteStderr", Rule::Cost("writes to the C stdio streams: there are no Python file objects behind sys.stdout/sys.stderr")),
        ("PySys_WriteStdout", Rule::Cost("writes to the C stdio streams: there are no Python file objects behind sys.stdout/sys.stderr")),
        ("PySys_FormatStderr", Rule::Cost("writes to the C stdio streams: there are no Python file objects behind sys.stdout/sys.stderr")),
        ("PySys_FormatStdout", Rule::Cost("writes to the C stdio streams: there are no Python file objects behind sys.stdout/sys.stderr")),
        ("PySys_Audit", Rule::Cost("no audit hooks can be installed (PySys_AddAuditHook is not offered): events are checked and dropped")),
        ("PySys_AuditTuple", Rule::Cost("no audit hooks can be installed (PySys_AddAuditHook is not offered): events are checked and dropped")),
        ("PySys_SetPath", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("PySys_AddWarnOption", Rule::NotApplicable("needs an interpreter loop: warning options are applied by the warnings module (Python source) at start-up")),
        ("PySys_AddWarnOptionUnicode", Rule::NotApplicable("needs an interpreter loop: warning options are applied by the warnings module (Python source) at start-up")),
        ("PySys_HasWarnOptions", Rule::NotApplicable("needs an interpreter loop: warning options are applied by the warnings module (Python source) at start-up")),
        ("PySys_ResetWarnOptions", Rule::NotApplicable("needs an interpreter loop: warning options are applied by the warnings module (Python source) at start-up")),
        ("PySys_AddXOption", Rule::NotApplicable("needs an interpreter loop: warning options are applied by the warnings module (Python source) at start-up")),
        ("PySys_SetArgv", Rule::Works),
        ("PySys_SetArgvEx", Rule::Works),
    ]
};
