//! Work package "f", errors: exception instance attributes (`ImportError.name`,
//! `SyntaxError.lineno`, ...), `PyErr_SetImportError(Subclass)`, `PyErr_SyntaxLocation(Ex)`,
//! `_PyErr_BadInternalCall`, and the two functions that end the process, `Py_FatalError` and
//! `Py_Exit`.
//!
//! **Attributes.** An exception instance keeps its attributes in a dict in its payload
//! (`Thread::exception_dict`, see `runtime/src/objects/exc.rs`). The attributes CPython declares
//! as members of `ImportError` and `SyntaxError` read as CPython's `__init__` would have set them
//! when nothing was stored: derived from `args` (`msg`, and `SyntaxError`'s
//! `(filename, lineno, offset, text, end_lineno, end_offset)` details tuple), else None.
//!
//! **Ending the process.** The coverage record of a process lives in memory until the host asks
//! for it; a function that ends the process first writes it ([`flush_coverage_before_exit`]) to
//! the file the test runner named for this process (a forked exit test, see `runner.rs`) or to
//! `PYOPAQUE_CAPI_COVERAGE`.

use std::ffi::{c_char, c_int};
use std::io::Write;
use std::sync::Mutex;

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::capi_support::{exception_args, exception_dict};
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, tname, type_error};
use crate::boundary::ffi::*;
use crate::{capi, cov};

// ----- exception attributes -----

/// The `i`-th element of `exc.args`, if any.
fn arg_at(cx: &mut Thread, exc: ObjRef, i: usize) -> Option<Handle> {
    let a = exception_args(exc)?;
    cx.tuple_get(a, i).map(|o| cx.root(o))
}

fn args_len(cx: &Thread, exc: ObjRef) -> usize {
    exception_args(exc)
        .and_then(|a| cx.tuple_len(a))
        .unwrap_or(0)
}

fn is_a(cx: &Thread, exc: ObjRef, name: &str) -> bool {
    let t = cx::global().types.exc_named(name);
    cx.is_instance(exc, t)
}

/// The value an unset `ImportError`/`SyntaxError` member reads as (derived from `args` the way
/// CPython's `__init__` fills it), or `None` when `name` is no such member.
fn member_default(cx: &mut Thread, exc: ObjRef, name: &str) -> Option<Handle> {
    let none = cx.rt.none;
    if is_a(cx, exc, "ImportError") {
        return match name {
            "msg" if args_len(cx, exc) == 1 => arg_at(cx, exc, 0),
            "msg" | "name" | "path" | "name_from" => Some(cx.root(none)),
            _ => None,
        };
    }
    if is_a(cx, exc, "SyntaxError") {
        const DETAILS: [&str; 6] = [
            "filename",
            "lineno",
            "offset",
            "text",
            "end_lineno",
            "end_offset",
        ];
        if name == "msg" {
            return Some(arg_at(cx, exc, 0).unwrap_or_else(|| cx.root(none)));
        }
        if name == "print_file_and_line" {
            return Some(cx.root(none));
        }
        let i = DETAILS.iter().position(|d| *d == name)?;
        if args_len(cx, exc) == 2 {
            if let Some(info) = arg_at(cx, exc, 1) {
                let io = cx.get(info);
                if cx.kind_of(io) == Kind::Tuple {
                    if let Some(v) = cx.tuple_get(io, i) {
                        return Some(cx.root(v));
                    }
                }
            }
        }
        return Some(cx.root(none));
    }
    None
}

/// Attribute `name` of exception instance `h` (other than `args`): its dict entry, `__dict__`,
/// or a member default. `Ok(None)` when absent.
pub fn exception_attr(cx: &mut Thread, h: Handle, name: &str) -> PyResult<Option<Handle>> {
    if name == "__dict__" {
        return Ok(Some(cx.exception_dict(h)));
    }
    if let Some(d) = exception_dict(cx.get(h)) {
        let dh = cx.root(d);
        let k = cx.str(name);
        if let Some(v) = cx.dict_get(dh, k)? {
            return Ok(Some(v));
        }
    }
    let o = cx.get(h);
    Ok(member_default(cx, o, name))
}

/// Stores (or deletes, with `None`) attribute `name` of exception instance `h` in its dict.
pub fn exception_setattr(
    cx: &mut Thread,
    h: Handle,
    name: &str,
    v: Option<Handle>,
) -> PyResult<()> {
    if name == "args" {
        let Some(v) = v else {
            return Err(type_error(cx, "args may not be deleted"));
        };
        if cx.kind_of(cx.get(v)) != Kind::Tuple {
            return Err(type_error(cx, "args must be a tuple"));
        }
        crate::objects::exceptions::write_args(cx, h, v);
        return Ok(());
    }
    let d = cx.exception_dict(h);
    let k = cx.str(name);
    match v {
        Some(v) => cx.dict_set(d, k, v),
        None => {
            if cx.dict_del(d, k)? {
                Ok(())
            } else {
                let o = cx.get(h);
                let msg = format!("'{}' object has no attribute '{name}'", tname(cx, o));
                Err(cx::attribute_error(cx, &msg))
            }
        }
    }
}

// ----- import errors -----

fn set_import_error(
    cx: &mut Thread,
    exception: *mut PyObject,
    msg: *mut PyObject,
    name: *mut PyObject,
    path: *mut PyObject,
) -> PyResult<*mut PyObject> {
    // SAFETY: caller's contract (objects C holds or NULL).
    let t = unsafe { arg(cx, exception) }?;
    if cx.kind_of(t) != Kind::Type {
        return Err(type_error(cx, "issubclass() arg 1 must be a class"));
    }
    if !cx.is_subtype(t, cx.rt.types.exc.import_error) {
        return Err(type_error(cx, "expected a subclass of ImportError"));
    }
    // SAFETY: as above.
    let Some(m) = (unsafe { cx::from_c(msg) }) else {
        return Err(type_error(cx, "expected a message argument"));
    };
    let mh = cx.root(m);
    // SAFETY: as above.
    let (n, p) = unsafe { (cx::from_c(name), cx::from_c(path)) };
    let none = cx.rt.none;
    let nh = cx.root(n.unwrap_or(none));
    let ph = cx.root(p.unwrap_or(none));
    let inst = if type_payload(t).kind == Kind::Exception {
        let args = cx.tuple(&[mh]);
        cx.exception_with_args(t, args)
    } else {
        // A C-defined subclass: construct it by calling the type.
        let th = cx.root(t);
        crate::r#abstract::call::call(cx, th, &[mh], &[])?
    };
    crate::r#abstract::object::setattr(cx, inst, "name", Some(nh))?;
    crate::r#abstract::object::setattr(cx, inst, "path", Some(ph))?;
    Err(cx.raise_object(inst))
}

/// `PyErr_SetImportError(msg, name, path)`: raises `ImportError(msg)` with attributes `name`
/// and `path` (None for NULL); always returns NULL.
///
/// # Safety
/// Objects C holds, or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetImportError(
    msg: *mut PyObject,
    name: *mut PyObject,
    path: *mut PyObject,
) -> *mut PyObject {
    capi!("PyErr_SetImportError", |cx| {
        let t = cx::to_c(cx.rt.types.exc.import_error);
        set_import_error(cx, t, msg, name, path)
    })
}

/// `PyErr_SetImportErrorSubclass(exception, msg, name, path)`: as `PyErr_SetImportError` with a
/// subclass of ImportError (TypeError for any other class).
///
/// # Safety
/// Objects C holds, or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SetImportErrorSubclass(
    exception: *mut PyObject,
    msg: *mut PyObject,
    name: *mut PyObject,
    path: *mut PyObject,
) -> *mut PyObject {
    capi!("PyErr_SetImportErrorSubclass", |cx| {
        set_import_error(cx, exception, msg, name, path)
    })
}

// ----- syntax locations -----

/// Sets `name` on `exc` to `v`, dropping any error (CPython ignores failures here).
fn set_quiet(cx: &mut Thread, exc: Handle, name: &str, v: Handle) {
    if crate::r#abstract::object::setattr(cx, exc, name, Some(v)).is_err() {
        cx.clear_error();
    }
}

/// Line `lineno` (1-based, with its newline) of file `path`, decoded as UTF-8 with replacement.
fn program_line(path: &str, lineno: c_int) -> Option<String> {
    if lineno <= 0 {
        return None;
    }
    let data = std::fs::read(path).ok()?;
    let line = data
        .split_inclusive(|b| *b == b'\n')
        .nth(lineno as usize - 1)?;
    Some(String::from_utf8_lossy(line).into_owned())
}

/// Annotates the current exception with a source location (CPython's
/// `PyErr_SyntaxLocationObjectEx`, with `end_lineno = lineno` and no end offset).
fn syntax_location(cx: &mut Thread, filename: Option<String>, lineno: c_int, col: c_int) {
    // No exception set: nothing to annotate (CPython dereferences the missing exception).
    let Some(exc) = cx.take_error() else { return };
    let none = cx.root(cx.rt.none);
    let l = cx.int(lineno as i64);
    set_quiet(cx, exc, "lineno", l);
    let off = if col >= 0 { cx.int(col as i64) } else { none };
    set_quiet(cx, exc, "offset", off);
    let el = cx.int(lineno as i64);
    set_quiet(cx, exc, "end_lineno", el);
    set_quiet(cx, exc, "end_offset", none);
    if let Some(f) = filename {
        let fh = cx.str(&f);
        set_quiet(cx, exc, "filename", fh);
        if let Some(text) = program_line(&f, lineno) {
            let th = cx.str(&text);
            set_quiet(cx, exc, "text", th);
        }
    }
    let eo = cx.get(exc);
    if cx.type_of(eo) != cx::global().types.exc_named("SyntaxError") {
        let has =
            |cx: &mut Thread, n: &str| match crate::r#abstract::object::getattr_opt(cx, exc, n) {
                Ok(v) => v.is_some(),
                Err(_) => {
                    cx.clear_error();
                    true
                }
            };
        if !has(cx, "msg") {
            match cx.str_of(exc) {
                Ok(s) => {
                    let sh = cx.str(&s);
                    set_quiet(cx, exc, "msg", sh);
                }
                Err(_) => cx.clear_error(),
            }
        }
        if !has(cx, "print_file_and_line") {
            set_quiet(cx, exc, "print_file_and_line", none);
        }
    }
    cx.raise_object(exc);
}

/// `PyErr_SyntaxLocationEx(filename, lineno, col_offset)`: sets `filename` (decoded as UTF-8;
/// NULL: left unset), `lineno`, `offset` (None when negative), `end_lineno`, `end_offset` and
/// `text` (the source line, when the file is readable) on the current exception; for an
/// exception other than SyntaxError also `msg` and `print_file_and_line` when missing. Does
/// nothing when no exception is set.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SyntaxLocationEx(
    filename: *const c_char,
    lineno: c_int,
    col_offset: c_int,
) {
    capi!("PyErr_SyntaxLocationEx", |cx| {
        // SAFETY: caller's contract.
        let f = (!filename.is_null()).then(|| unsafe { cx::cstr_lossy(filename) });
        syntax_location(cx, f, lineno, col_offset);
        Ok(())
    })
}

/// `PyErr_SyntaxLocation(filename, lineno)`: `PyErr_SyntaxLocationEx` without a column.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyErr_SyntaxLocation(filename: *const c_char, lineno: c_int) {
    capi!("PyErr_SyntaxLocation", |cx| {
        // SAFETY: caller's contract.
        let f = (!filename.is_null()).then(|| unsafe { cx::cstr_lossy(filename) });
        syntax_location(cx, f, lineno, -1);
        Ok(())
    })
}

/// `_PyErr_BadInternalCall(filename, lineno)`: `SystemError("<file>:<line>: bad argument to
/// internal function")`, the function behind CPython's `PyErr_BadInternalCall` macro.
///
/// # Safety
/// `filename` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn _PyErr_BadInternalCall(filename: *const c_char, lineno: c_int) {
    capi!("_PyErr_BadInternalCall", |cx| -> PyResult<()> {
        if filename.is_null() {
            return Err(bad_internal_call(cx));
        }
        // SAFETY: a C string.
        let f = unsafe { cx::cstr_lossy(filename) };
        Err(cx::system_error(
            cx,
            &format!("{f}:{lineno}: bad argument to internal function"),
        ))
    })
}

// ----- ending the process -----

/// The coverage file of a forked exit test (set in the child by the test runner).
pub static EXIT_COVERAGE_PATH: Mutex<Option<String>> = Mutex::new(None);

/// Writes the coverage record before the process ends (the host reads it from a file): to the
/// runner's per-test file when set, else to `PYOPAQUE_CAPI_COVERAGE` when set.
pub fn flush_coverage_before_exit() {
    let path = EXIT_COVERAGE_PATH
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .or_else(|| std::env::var("PYOPAQUE_CAPI_COVERAGE").ok());
    if let Some(p) = path {
        let mut s = String::new();
        for n in cx::coverage() {
            s.push_str(n);
            s.push('\n');
        }
        let _ = std::fs::write(p, s);
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// `Py_FatalError(message)`: prints `Fatal Python error: <message>` (and the current exception,
/// if one is set) to stderr, writes the coverage record and aborts the process.
///
/// # Safety
/// `message` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn Py_FatalError(message: *const c_char) -> ! {
    cov!("Py_FatalError");
    let msg = if message.is_null() {
        String::from("(no message)")
    } else {
        // SAFETY: caller's contract.
        unsafe { cx::cstr_lossy(message) }
    };
    let mut out = format!("Fatal Python error: {msg}\nPython runtime state: initialized\n");
    let described = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let p = cx::thread_ptr()?;
        // SAFETY: this thread's Thread; no other reference is in use while the process ends
        // (the caller is C, which called us outside any shim body or through `publish`).
        let cx = unsafe { &mut *p };
        let e = cx.take_error()?;
        Some(cx.describe_exception(e))
    }));
    if let Ok(Some(d)) = described {
        out.push_str(&d);
        out.push('\n');
    }
    eprint!("{out}");
    flush_coverage_before_exit();
    std::process::abort()
}

/// `Py_Exit(status)`: finalizes what this runtime has to finalize (the `Py_AtExit` callbacks run,
/// last registered first, through the C library's exit handlers; stdout and stderr are
/// flushed; the coverage record is written), then exits with `status`. The runtime's objects are
/// not torn down: no interpreter state outlives the process.
#[no_mangle]
pub extern "C" fn Py_Exit(status: c_int) -> ! {
    cov!("Py_Exit");
    flush_coverage_before_exit();
    std::process::exit(status)
}
