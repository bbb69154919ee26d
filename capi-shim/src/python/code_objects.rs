//! `types.CodeType`: code objects that *describe* a function (names, argument counts, file,
//! first line) without bytecode. Cython's limited-API modules build one per function with
//! `types.CodeType(...)` (CPython 3.11's 18-argument form) and attach it as `__code__`; without
//! this type each build failed and printed a RuntimeWarning per module. pyopaque runs no
//! bytecode, so `co_code` is only stored; evaluating a code object (`PyEval_EvalCode`) still
//! raises NotImplementedError. The fields are read-only attributes (`co_name`,
//! `co_varnames`, ...); `replace()` is not provided.

use std::ffi::{c_int, c_void};
use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx::{self, new_ref_h, type_error};
use crate::boundary::ffi::*;
use crate::python::stdlib::{
    free_instance, held, hold, inst, make_type, member, release, tuple_arg, visit_all, Members,
    MEMBER_END, TPFLAGS_HAVE_GC,
};

/// The fields, in the order of CPython 3.11's constructor.
const FIELDS: [&str; 18] = [
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
    "co_nlocals",
    "co_stacksize",
    "co_flags",
    "co_code",
    "co_consts",
    "co_names",
    "co_varnames",
    "co_filename",
    "co_name",
    "co_qualname",
    "co_firstlineno",
    "co_linetable",
    "co_exceptiontable",
    "co_freevars",
    "co_cellvars",
];

/// A code object: one held reference per field (NULL only before initialisation).
#[repr(C)]
struct Code {
    fields: [*mut PyObject; 18],
}

static CODE_TYPE: AtomicUsize = AtomicUsize::new(0);

/// Which arguments must be ints, tuples, str (the rest: bytes).
fn check(cx: &mut Thread, i: usize, h: Handle) -> PyResult<()> {
    let o = cx.get(h);
    let k = cx.kind_of(o);
    use pyopaque_runtime::Kind;
    let ok = match i {
        0..=5 | 13 => matches!(k, Kind::Int | Kind::Bool),
        7..=9 | 16 | 17 => k == Kind::Tuple,
        10..=12 => k == Kind::Str,
        _ => k == Kind::Bytes,
    };
    if ok {
        return Ok(());
    }
    let want = match i {
        0..=5 | 13 => "int",
        7..=9 | 16 | 17 => "tuple",
        10..=12 => "str",
        _ => "bytes",
    };
    Err(type_error(
        cx,
        &format!(
            "code() argument {} must be {want}, not {}",
            i + 1,
            cx::tname(cx, o)
        ),
    ))
}

unsafe extern "C" fn code_new(
    ty: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("code.__new__", |cx| {
        // SAFETY: tp_new arguments: a type, a tuple and NULL or a dict.
        let t = unsafe { cx::harg(cx, ty) }?;
        // SAFETY: as above.
        let pos = unsafe { tuple_arg(cx, args) }?;
        // SAFETY: as above.
        if !kw.is_null() && unsafe { crate::objects::dict::PyDict_Size(kw) } > 0 {
            return Err(type_error(cx, "code() takes no keyword arguments"));
        }
        if !(16..=18).contains(&pos.len()) {
            return Err(type_error(
                cx,
                &format!("code expected 16 to 18 arguments, got {}", pos.len()),
            ));
        }
        let mut vals = pos.clone();
        while vals.len() < 18 {
            vals.push(cx.tuple(&[]));
        }
        for (i, h) in vals.iter().enumerate() {
            check(cx, i, *h)?;
        }
        let tt = cx.get(t);
        let me = crate::types::typeobject::call_alloc(cx, tt, 0)?;
        let held_fields: Vec<*mut PyObject> = vals.iter().map(|h| hold(cx, *h)).collect();
        // SAFETY: a fresh, zeroed instance of the code type (a pinned `Code`).
        unsafe {
            let p = inst::<Code>(cx, me);
            for (i, f) in held_fields.into_iter().enumerate() {
                (*p).fields[i] = f;
            }
        }
        Ok(new_ref_h(cx, me))
    })
}

unsafe extern "C" fn code_traverse(me: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    let p = me.cast::<Code>();
    // SAFETY: a live instance; its fields are NULL or held references.
    unsafe { visit_all(&(*p).fields, visit, arg) }
}

unsafe extern "C" fn code_dealloc(me: *mut PyObject) {
    let p = me.cast::<Code>();
    // SAFETY: the instance is being deallocated: its references are given up once and its
    // memory freed last.
    unsafe {
        for f in (*p).fields.iter_mut() {
            release(*f);
            *f = std::ptr::null_mut();
        }
        free_instance(me);
    }
}

unsafe extern "C" fn code_repr(me: *mut PyObject) -> *mut PyObject {
    cx::api("code.__repr__", |cx| {
        // SAFETY: the instance tp_repr was called with.
        let h = unsafe { cx::harg(cx, me) }?;
        // SAFETY: an initialised code object (tp_new fills every field).
        let (name, file, line) = unsafe {
            let p = inst::<Code>(cx, h);
            (
                held(cx, (*p).fields[11]),
                held(cx, (*p).fields[10]),
                held(cx, (*p).fields[13]),
            )
        };
        let text = |cx: &mut Thread, x: Option<Handle>| {
            x.and_then(|x| cx.str_value(cx.get(x)).map(str::to_string))
                .unwrap_or_default()
        };
        let (n, f) = (text(cx, name), text(cx, file));
        let l = match line {
            Some(l) => cx.int_as_i64(cx.get(l))?.unwrap_or(0),
            None => 0,
        };
        let s = format!(
            "<code object {n} at {:#x}, file \"{f}\", line {l}>",
            me as usize
        );
        let r = cx.str(&s);
        Ok(new_ref_h(cx, r))
    })
}

/// `types.CodeType` (made on first use).
pub fn code_type(cx: &mut Thread) -> PyResult<Handle> {
    static MEMBERS: Members<19> = {
        let off = std::mem::offset_of!(Code, fields);
        let w = std::mem::size_of::<*mut PyObject>();
        Members([
            member(c"co_argcount", off),
            member(c"co_posonlyargcount", off + w),
            member(c"co_kwonlyargcount", off + 2 * w),
            member(c"co_nlocals", off + 3 * w),
            member(c"co_stacksize", off + 4 * w),
            member(c"co_flags", off + 5 * w),
            member(c"co_code", off + 6 * w),
            member(c"co_consts", off + 7 * w),
            member(c"co_names", off + 8 * w),
            member(c"co_varnames", off + 9 * w),
            member(c"co_filename", off + 10 * w),
            member(c"co_name", off + 11 * w),
            member(c"co_qualname", off + 12 * w),
            member(c"co_firstlineno", off + 13 * w),
            member(c"co_linetable", off + 14 * w),
            member(c"co_exceptiontable", off + 15 * w),
            member(c"co_freevars", off + 16 * w),
            member(c"co_cellvars", off + 17 * w),
            MEMBER_END,
        ])
    };
    debug_assert_eq!(FIELDS.len(), 18);
    make_type(
        cx,
        &CODE_TYPE,
        c"code",
        std::mem::size_of::<Code>(),
        TPFLAGS_HAVE_GC,
        &[
            (slot::TP_NEW, code_new as *mut c_void),
            (slot::TP_DEALLOC, code_dealloc as *mut c_void),
            (slot::TP_TRAVERSE, code_traverse as *mut c_void),
            (slot::TP_REPR, code_repr as *mut c_void),
            (
                slot::TP_MEMBERS,
                std::ptr::addr_of!(MEMBERS.0).cast_mut().cast(),
            ),
        ],
    )
}
