//! `sys.stdout` and `sys.stderr`: minimal text streams over the process's file descriptors 1
//! and 2 (`write(str)` returning the length, `flush()`, `fileno()`, `isatty()`), so that
//! `print(..., file=sys.stderr)` and `sys.stderr.write(...)` work. CPython's are
//! `io.TextIOWrapper`s (the `io` module is Python source, absent here): no encoding choice, no
//! buffering beyond the C library's, no `buffer` attribute, no `readline` on `sys.stdin`.

use std::ffi::{c_int, c_void};
use std::io::Write;
use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx;
use crate::boundary::ffi::*;
use crate::python::stdlib::{fast, make_type, run_fast, Defs, END};

/// The C struct of a stream: which descriptor it writes to.
#[repr(C)]
struct Stream {
    fd: c_int,
}

static STREAM_TYPE: AtomicUsize = AtomicUsize::new(0);

fn fd_of(cx: &Thread, s: Option<Handle>) -> c_int {
    let h = s.expect("a method has self");
    // SAFETY: `h` is an instance of the stream type (the methods are only in its dict), whose
    // instances are pinned `Stream` structs.
    unsafe { (*crate::python::stdlib::inst::<Stream>(cx, h)).fd }
}

fn write_body(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    if a.len() != 1 {
        let msg = format!("write() takes exactly one argument ({} given)", a.len());
        return Err(cx::type_error(cx, &msg));
    }
    let o = cx.get(a[0]);
    let Some(text) = cx.str_value(o) else {
        let msg = format!("write() argument must be str, not {}", cx::tname(cx, o));
        return Err(cx::type_error(cx, &msg));
    };
    let (bytes, n) = (text.as_bytes().to_vec(), text.chars().count());
    let r = match fd_of(cx, s) {
        2 => std::io::stderr().write_all(&bytes),
        _ => std::io::stdout().write_all(&bytes),
    };
    if let Err(e) = r {
        let t = cx.rt.types.exc.os_error;
        return Err(cx.raise(t, &e.to_string()));
    }
    Ok(cx.int(n as i64))
}

fn flush_body(cx: &mut Thread, s: Option<Handle>, _: &[Handle]) -> PyResult<Handle> {
    let _ = match fd_of(cx, s) {
        2 => std::io::stderr().flush(),
        _ => std::io::stdout().flush(),
    };
    Ok(cx.root(cx.rt.none))
}

fn fileno_body(cx: &mut Thread, s: Option<Handle>, _: &[Handle]) -> PyResult<Handle> {
    let fd = fd_of(cx, s);
    Ok(cx.int(fd as i64))
}

fn isatty_body(cx: &mut Thread, s: Option<Handle>, _: &[Handle]) -> PyResult<Handle> {
    // SAFETY: isatty only inspects the descriptor.
    let t = unsafe { libc::isatty(fd_of(cx, s)) } == 1;
    Ok(cx.root(if t { cx.rt.true_ } else { cx.rt.false_ }))
}

unsafe extern "C" fn m_write(s: *mut PyObject, a: *const *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: a METH_FASTCALL call.
    unsafe { run_fast("write", s, a, n, write_body) }
}
unsafe extern "C" fn m_flush(s: *mut PyObject, a: *const *mut PyObject, n: isize) -> *mut PyObject {
    // SAFETY: a METH_FASTCALL call.
    unsafe { run_fast("flush", s, a, n, flush_body) }
}
unsafe extern "C" fn m_fileno(
    s: *mut PyObject,
    a: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: a METH_FASTCALL call.
    unsafe { run_fast("fileno", s, a, n, fileno_body) }
}
unsafe extern "C" fn m_isatty(
    s: *mut PyObject,
    a: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    // SAFETY: a METH_FASTCALL call.
    unsafe { run_fast("isatty", s, a, n, isatty_body) }
}

static METHODS: Defs<5> = Defs([
    fast(c"write", m_write),
    fast(c"flush", m_flush),
    fast(c"fileno", m_fileno),
    fast(c"isatty", m_isatty),
    END,
]);

/// A new stream writing to `fd` (1 or 2).
fn stream(cx: &mut Thread, fd: c_int) -> PyResult<Handle> {
    let t = make_type(
        cx,
        &STREAM_TYPE,
        c"_pyopaque.StdStream",
        std::mem::size_of::<Stream>(),
        0,
        &[(
            slot::TP_METHODS,
            std::ptr::addr_of!(METHODS.0).cast_mut().cast::<c_void>(),
        )],
    )?;
    let to = cx.get(t);
    let o = crate::types::typeobject::alloc_instance(cx, to, 0)?;
    // SAFETY: a fresh instance of the stream type (a pinned `Stream`).
    unsafe { (*crate::python::stdlib::inst::<Stream>(cx, o)).fd = fd };
    Ok(o)
}

/// Sets `sys.stdout`, `sys.stderr` and their `__stdout__`/`__stderr__` twins on module `m`.
pub fn add_to(cx: &mut Thread, m: Handle) -> PyResult<()> {
    for (fd, names) in [(1, ["stdout", "__stdout__"]), (2, ["stderr", "__stderr__"])] {
        let s = stream(cx, fd)?;
        for n in names {
            crate::r#abstract::object::setattr(cx, m, n, Some(s))?;
        }
    }
    Ok(())
}
