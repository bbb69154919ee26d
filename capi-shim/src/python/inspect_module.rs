//! A native `inspect` module restricted to the code-object flag constants (`CO_OPTIMIZED`,
//! `CO_NEWLOCALS`, ... with CPython's values, the same as `include/code.h`): Cython's
//! limited-API module init imports `inspect` unconditionally and reads the `CO_*` flags it did
//! not find as macros. The rest of `inspect` is Python source pyopaque cannot run; its other
//! names raise AttributeError.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h};
use crate::boundary::ffi::PyObject;

/// The code flags, as in `include/code.h`.
const CODE_FLAGS: &[(&str, i64)] = &[
    ("CO_OPTIMIZED", 0x0001),
    ("CO_NEWLOCALS", 0x0002),
    ("CO_VARARGS", 0x0004),
    ("CO_VARKEYWORDS", 0x0008),
    ("CO_NESTED", 0x0010),
    ("CO_GENERATOR", 0x0020),
    ("CO_COROUTINE", 0x0080),
    ("CO_ITERABLE_COROUTINE", 0x0100),
    ("CO_ASYNC_GENERATOR", 0x0200),
];

/// The module (a C-held reference: pinned), 0 before first use.
static INSPECT_MODULE: AtomicUsize = AtomicUsize::new(0);

/// The `inspect` module (created on first use, then kept for the process).
pub fn inspect_module(cx: &mut Thread) -> PyResult<Handle> {
    let cur = INSPECT_MODULE.load(Ordering::Acquire);
    if cur != 0 {
        // SAFETY: the address of the pinned module this function stored.
        let o = unsafe { cx::from_c(cur as *mut PyObject) }.expect("non-null");
        return Ok(cx.root(o));
    }
    let m = crate::python::module::new_module(cx, "inspect", std::ptr::null_mut())?;
    for (name, value) in CODE_FLAGS {
        let v = cx.int(*value);
        crate::r#abstract::object::setattr(cx, m, name, Some(v))?;
    }
    let p = new_ref_h(cx, m);
    INSPECT_MODULE.store(p as usize, Ordering::Release);
    Ok(m)
}
