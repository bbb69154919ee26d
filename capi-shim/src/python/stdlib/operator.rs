//! A native `operator` module: the operator functions over the C API's protocols (`add`,
//! `sub`, `mul`, `truediv`, `floordiv`, `mod`, `pow`, `matmul`, `lshift`, `rshift`, `and_`,
//! `or_`, `xor`, `neg`, `pos`, `abs`, `invert`/`inv`, `index`, `lt`, `le`, `eq`, `ne`, `gt`, `ge`,
//! `not_`, `truth`, `is_`, `is_not`, `contains`, `concat`, `getitem`, `setitem`, `delitem`),
//! with their dunder aliases (`__add__`, ...).

use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{c1, fast, fastcall, nargs, Defs, END};
use crate::boundary::ffi::PyObject;

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

type Bin = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
type Un = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;

fn binary(cx: &mut Thread, name: &str, a: &[Handle], f: Bin) -> PyResult<Handle> {
    nargs(cx, name, a, 2, 2)?;
    // SAFETY: borrowed arguments pinned for the call.
    c1(cx, name, a, |p| unsafe { f(p[0], p[1]) })
}

fn unary(cx: &mut Thread, name: &str, a: &[Handle], f: Un) -> PyResult<Handle> {
    nargs(cx, name, a, 1, 1)?;
    // SAFETY: a borrowed argument pinned for the call.
    c1(cx, name, a, |p| unsafe { f(p[0]) })
}

fn compare(cx: &mut Thread, name: &str, a: &[Handle], op: std::ffi::c_int) -> PyResult<Handle> {
    nargs(cx, name, a, 2, 2)?;
    crate::r#abstract::object::richcompare(cx, a[0], a[1], op)
}

fn boolean(cx: &mut Thread, v: bool) -> Handle {
    let b = if v { cx.rt.true_ } else { cx.rt.false_ };
    cx.root(b)
}

macro_rules! bin {
    ($cname:ident, $name:literal, $f:path) => {
        fastcall!($cname, $name, |cx, _, a| binary(cx, $name, a, $f));
    };
}
macro_rules! un {
    ($cname:ident, $name:literal, $f:path) => {
        fastcall!($cname, $name, |cx, _, a| unary(cx, $name, a, $f));
    };
}
macro_rules! cmp {
    ($cname:ident, $name:literal, $op:expr) => {
        fastcall!($cname, $name, |cx, _, a| compare(cx, $name, a, $op));
    };
}

use crate::r#abstract::number as n;
bin!(o_add, "add", n::PyNumber_Add);
bin!(o_sub, "sub", n::PyNumber_Subtract);
bin!(o_mul, "mul", n::PyNumber_Multiply);
bin!(o_truediv, "truediv", n::PyNumber_TrueDivide);
bin!(o_floordiv, "floordiv", n::PyNumber_FloorDivide);
bin!(o_mod, "mod", n::PyNumber_Remainder);
bin!(o_matmul, "matmul", n::PyNumber_MatrixMultiply);
bin!(o_lshift, "lshift", n::PyNumber_Lshift);
bin!(o_rshift, "rshift", n::PyNumber_Rshift);
bin!(o_and, "and_", n::PyNumber_And);
bin!(o_or, "or_", n::PyNumber_Or);
bin!(o_xor, "xor", n::PyNumber_Xor);
bin!(
    o_concat,
    "concat",
    crate::r#abstract::sequence::PySequence_Concat
);
un!(o_neg, "neg", n::PyNumber_Negative);
un!(o_pos, "pos", n::PyNumber_Positive);
un!(o_abs, "abs", n::PyNumber_Absolute);
un!(o_invert, "invert", n::PyNumber_Invert);
un!(o_index, "index", n::PyNumber_Index);
cmp!(o_lt, "lt", 0);
cmp!(o_le, "le", 1);
cmp!(o_eq, "eq", 2);
cmp!(o_ne, "ne", 3);
cmp!(o_gt, "gt", 4);
cmp!(o_ge, "ge", 5);

fn pow(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "pow", a, 2, 2)?;
    let none = cx.root(cx.rt.none);
    // SAFETY: borrowed arguments pinned for the call.
    c1(cx, "pow", &[a[0], a[1], none], |p| unsafe {
        n::PyNumber_Power(p[0], p[1], p[2])
    })
}
fastcall!(o_pow, "pow", pow);

fn not_(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "not_", a, 1, 1)?;
    let t = crate::r#abstract::object::truth(cx, a[0])?;
    Ok(boolean(cx, !t))
}
fastcall!(o_not, "not_", not_);

fn truth(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "truth", a, 1, 1)?;
    let t = crate::r#abstract::object::truth(cx, a[0])?;
    Ok(boolean(cx, t))
}
fastcall!(o_truth, "truth", truth);

fn is_(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "is_", a, 2, 2)?;
    let same = cx.get(a[0]) == cx.get(a[1]);
    Ok(boolean(cx, same))
}
fastcall!(o_is, "is_", is_);

fn is_not(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "is_not", a, 2, 2)?;
    let same = cx.get(a[0]) == cx.get(a[1]);
    Ok(boolean(cx, !same))
}
fastcall!(o_is_not, "is_not", is_not);

fn contains(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "contains", a, 2, 2)?;
    let r = crate::r#abstract::sequence::contains(cx, a[0], a[1])?;
    Ok(boolean(cx, r))
}
fastcall!(o_contains, "contains", contains);

fn getitem(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "getitem", a, 2, 2)?;
    crate::r#abstract::object::getitem(cx, a[0], a[1])
}
fastcall!(o_getitem, "getitem", getitem);

fn setitem(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "setitem", a, 3, 3)?;
    crate::r#abstract::object::setitem(cx, a[0], a[1], Some(a[2]))?;
    Ok(cx.root(cx.rt.none))
}
fastcall!(o_setitem, "setitem", setitem);

fn delitem(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "delitem", a, 2, 2)?;
    crate::r#abstract::object::setitem(cx, a[0], a[1], None)?;
    Ok(cx.root(cx.rt.none))
}
fastcall!(o_delitem, "delitem", delitem);

static DEFS: Defs<36> = Defs([
    fast(c"add", o_add),
    fast(c"sub", o_sub),
    fast(c"mul", o_mul),
    fast(c"truediv", o_truediv),
    fast(c"floordiv", o_floordiv),
    fast(c"mod", o_mod),
    fast(c"matmul", o_matmul),
    fast(c"lshift", o_lshift),
    fast(c"rshift", o_rshift),
    fast(c"and_", o_and),
    fast(c"or_", o_or),
    fast(c"xor", o_xor),
    fast(c"concat", o_concat),
    fast(c"neg", o_neg),
    fast(c"pos", o_pos),
    fast(c"abs", o_abs),
    fast(c"invert", o_invert),
    fast(c"inv", o_invert),
    fast(c"index", o_index),
    fast(c"lt", o_lt),
    fast(c"le", o_le),
    fast(c"eq", o_eq),
    fast(c"ne", o_ne),
    fast(c"gt", o_gt),
    fast(c"ge", o_ge),
    fast(c"pow", o_pow),
    fast(c"not_", o_not),
    fast(c"truth", o_truth),
    fast(c"is_", o_is),
    fast(c"is_not", o_is_not),
    fast(c"contains", o_contains),
    fast(c"getitem", o_getitem),
    fast(c"setitem", o_setitem),
    fast(c"delitem", o_delitem),
    END,
    END,
]);

/// Names with a dunder alias in CPython's `operator` (`add` is also `__add__`, ...).
const DUNDERS: &[&str] = &[
    "add", "sub", "mul", "truediv", "floordiv", "mod", "matmul", "lshift", "rshift", "and_", "or_",
    "xor", "concat", "neg", "pos", "abs", "invert", "inv", "index", "lt", "le", "eq", "ne", "gt",
    "ge", "pow", "not_", "contains", "getitem", "setitem", "delitem",
];

/// The `operator` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "operator", &DEFS.0)?;
    for name in DUNDERS {
        let f = crate::r#abstract::object::getattr(cx, m, name)?;
        let d = format!("__{}__", name.trim_end_matches('_'));
        super::put(cx, m, &d, f)?;
    }
    super::keep(cx, &MODULE, m);
    Ok(m)
}
