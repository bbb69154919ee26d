//! Slot wrappers: the Python-visible special methods (`__init__`, `__mul__`, `__rmul__`,
//! `__getitem__`, `__eq__`, ...) of a type made from a spec, one for each slot its own slot table
//! fills, as CPython's `add_operators` puts `wrapper_descriptor`s in `tp_dict`.
//!
//! Python code calls them explicitly (`Base.__init__(self, ...)` in a subclass) and Cython reads
//! them from the type's dict (`__rmul__ = __mul__` in a `cdef class` body). Each wrapper is a
//! method descriptor whose C function (one per special method, `wrap::<I>`) receives the
//! defining class (`METH_METHOD`) and calls *that class's* slot, never the slot of the
//! instance's type: a subclass's `super().__len__()` reaches its base's C function, not its own
//! override. Names the type's methods already define keep the method (CPython lets the slot
//! wrapper win unless the method is `METH_COEXIST`; pyopaque keeps the explicit method, which
//! is what such a type calls anyway).
//!
//! Differences from CPython: the wrappers are `method_descriptor`s, not `wrapper_descriptor`s
//! (their repr and type name differ); `__new__`, `__getattribute__`, `__setattr__` and the
//! in-place and `__divmod__`/`__pow__` families have no wrapper yet (those slots still work
//! through the operators, only the explicit dunder call is missing).

use std::ffi::{c_int, CStr};

use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread};

use crate::boundary::cx;
use crate::boundary::ffi::*;
use crate::r#abstract::object::{c_call, c_call_int};
use crate::types::typeobject::get_slot;

/// How a wrapper calls its slot.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// `f(self)` returning an object (`reprfunc`, `unaryfunc`, `getiterfunc`).
    Unary,
    /// `tp_iternext`: NULL without an exception is `StopIteration`.
    Next,
    /// `hashfunc`.
    Hash,
    /// `lenfunc`.
    Len,
    /// `inquiry` (`nb_bool`).
    Bool,
    /// `f(self, other)`.
    Left,
    /// `f(other, self)` (the reflected operand order).
    Right,
    /// `richcmpfunc` with this comparison.
    Compare(c_int),
    /// `objobjproc` (`sq_contains`).
    Contains,
    /// `objobjargproc` with a value (`mp_ass_subscript`).
    SetItem,
    /// `objobjargproc` with NULL.
    DelItem,
    /// `ternaryfunc` with an argument tuple and a keyword dict (`tp_call`).
    Args,
    /// `initproc`.
    Init,
    /// `descrgetfunc`: `(obj, type=None)`.
    DescrGet,
    /// `descrsetfunc` with a value.
    DescrSet,
    /// `descrsetfunc` with NULL.
    DescrDelete,
}

/// One special method: its name, the slot it wraps and how it calls it.
struct Wrapper {
    name: &'static CStr,
    slot: c_int,
    call: Call,
}

const fn w(name: &'static CStr, slot: c_int, call: Call) -> Wrapper {
    Wrapper { name, slot, call }
}

// Slot ids from CPython's typeslots.h.
const MP_ASS_SUBSCRIPT: c_int = 3;
const MP_LENGTH: c_int = 4;
const MP_SUBSCRIPT: c_int = 5;
const NB_ABSOLUTE: c_int = 6;
const NB_ADD: c_int = 7;
const NB_AND: c_int = 8;
const NB_BOOL: c_int = 9;
const NB_FLOAT: c_int = 11;
const NB_FLOOR_DIVIDE: c_int = 12;
const NB_INDEX: c_int = 13;
const NB_INT: c_int = 26;
const NB_INVERT: c_int = 27;
const NB_LSHIFT: c_int = 28;
const NB_MULTIPLY: c_int = 29;
const NB_NEGATIVE: c_int = 30;
const NB_OR: c_int = 31;
const NB_POSITIVE: c_int = 32;
const NB_REMAINDER: c_int = 34;
const NB_RSHIFT: c_int = 35;
const NB_SUBTRACT: c_int = 36;
const NB_TRUE_DIVIDE: c_int = 37;
const NB_XOR: c_int = 38;
const SQ_CONTAINS: c_int = 41;
const SQ_LENGTH: c_int = 45;
const TP_CALL: c_int = 50;
const TP_DESCR_GET: c_int = 54;
const TP_DESCR_SET: c_int = 55;
const TP_HASH: c_int = 59;
const TP_INIT: c_int = 60;
const TP_ITER: c_int = 62;
const TP_ITERNEXT: c_int = 63;
const TP_REPR: c_int = 66;
const TP_RICHCOMPARE: c_int = 67;
const TP_STR: c_int = 70;
const NB_MATRIX_MULTIPLY: c_int = 75;
const AM_AWAIT: c_int = 77;
const AM_AITER: c_int = 78;
const AM_ANEXT: c_int = 79;

/// The table; a name listed twice (`__len__`) is taken from the first slot the type fills.
static WRAPPERS: [Wrapper; N] = [
    w(c"__repr__", TP_REPR, Call::Unary),
    w(c"__str__", TP_STR, Call::Unary),
    w(c"__hash__", TP_HASH, Call::Hash),
    w(c"__call__", TP_CALL, Call::Args),
    w(c"__iter__", TP_ITER, Call::Unary),
    w(c"__next__", TP_ITERNEXT, Call::Next),
    w(c"__init__", TP_INIT, Call::Init),
    w(c"__get__", TP_DESCR_GET, Call::DescrGet),
    w(c"__set__", TP_DESCR_SET, Call::DescrSet),
    w(c"__delete__", TP_DESCR_SET, Call::DescrDelete),
    w(c"__lt__", TP_RICHCOMPARE, Call::Compare(0)),
    w(c"__le__", TP_RICHCOMPARE, Call::Compare(1)),
    w(c"__eq__", TP_RICHCOMPARE, Call::Compare(2)),
    w(c"__ne__", TP_RICHCOMPARE, Call::Compare(3)),
    w(c"__gt__", TP_RICHCOMPARE, Call::Compare(4)),
    w(c"__ge__", TP_RICHCOMPARE, Call::Compare(5)),
    w(c"__len__", MP_LENGTH, Call::Len),
    w(c"__len__", SQ_LENGTH, Call::Len),
    w(c"__getitem__", MP_SUBSCRIPT, Call::Left),
    w(c"__setitem__", MP_ASS_SUBSCRIPT, Call::SetItem),
    w(c"__delitem__", MP_ASS_SUBSCRIPT, Call::DelItem),
    w(c"__contains__", SQ_CONTAINS, Call::Contains),
    w(c"__bool__", NB_BOOL, Call::Bool),
    w(c"__neg__", NB_NEGATIVE, Call::Unary),
    w(c"__pos__", NB_POSITIVE, Call::Unary),
    w(c"__abs__", NB_ABSOLUTE, Call::Unary),
    w(c"__invert__", NB_INVERT, Call::Unary),
    w(c"__int__", NB_INT, Call::Unary),
    w(c"__float__", NB_FLOAT, Call::Unary),
    w(c"__index__", NB_INDEX, Call::Unary),
    w(c"__add__", NB_ADD, Call::Left),
    w(c"__radd__", NB_ADD, Call::Right),
    w(c"__sub__", NB_SUBTRACT, Call::Left),
    w(c"__rsub__", NB_SUBTRACT, Call::Right),
    w(c"__mul__", NB_MULTIPLY, Call::Left),
    w(c"__rmul__", NB_MULTIPLY, Call::Right),
    w(c"__truediv__", NB_TRUE_DIVIDE, Call::Left),
    w(c"__rtruediv__", NB_TRUE_DIVIDE, Call::Right),
    w(c"__floordiv__", NB_FLOOR_DIVIDE, Call::Left),
    w(c"__rfloordiv__", NB_FLOOR_DIVIDE, Call::Right),
    w(c"__mod__", NB_REMAINDER, Call::Left),
    w(c"__rmod__", NB_REMAINDER, Call::Right),
    w(c"__lshift__", NB_LSHIFT, Call::Left),
    w(c"__rlshift__", NB_LSHIFT, Call::Right),
    w(c"__rshift__", NB_RSHIFT, Call::Left),
    w(c"__rrshift__", NB_RSHIFT, Call::Right),
    w(c"__and__", NB_AND, Call::Left),
    w(c"__rand__", NB_AND, Call::Right),
    w(c"__or__", NB_OR, Call::Left),
    w(c"__ror__", NB_OR, Call::Right),
    w(c"__xor__", NB_XOR, Call::Left),
    w(c"__rxor__", NB_XOR, Call::Right),
    w(c"__matmul__", NB_MATRIX_MULTIPLY, Call::Left),
    w(c"__rmatmul__", NB_MATRIX_MULTIPLY, Call::Right),
    w(c"__await__", AM_AWAIT, Call::Unary),
    w(c"__aiter__", AM_AITER, Call::Unary),
    w(c"__anext__", AM_ANEXT, Call::Unary),
];

const N: usize = 57;

/// The positional arguments each kind takes (min, max).
fn arity(call: Call) -> (usize, usize) {
    match call {
        Call::Unary | Call::Next | Call::Hash | Call::Len | Call::Bool => (0, 0),
        Call::Left | Call::Right | Call::Compare(_) | Call::Contains | Call::DelItem => (1, 1),
        Call::DescrDelete => (1, 1),
        Call::SetItem | Call::DescrSet => (2, 2),
        Call::DescrGet => (1, 2),
        Call::Args | Call::Init => (0, usize::MAX),
    }
}

/// The C function of wrapper `I` (a `PyCMethod`: self, defining class, vector arguments).
unsafe extern "C" fn wrap<const I: usize>(
    s: *mut PyObject,
    cls: *mut PyTypeObject,
    args: *const *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let wr = &WRAPPERS[I];
    cx::api("slot wrapper", |cx| {
        // SAFETY: the objects the call passes: self, the defining class (a type), `nargs`
        // arguments followed by one value per keyword name.
        let (h, ty) = unsafe { (cx::harg(cx, s)?, cx::arg(cx, cls.cast())?) };
        // SAFETY: `kwnames` is NULL or the call's tuple of keyword names.
        let kw_n = match unsafe { cx::from_c(kwnames) } {
            Some(k) => cx.tuple_len(k).unwrap_or(0),
            None => 0,
        };
        // SAFETY: as above.
        let all: Vec<Handle> = (0..nargs + kw_n)
            .map(|i| unsafe { cx::harg(cx, *args.add(i)) })
            .collect::<PyResult<_>>()?;
        let (pos, kwv) = all.split_at(nargs);
        let name = wr.name.to_str().unwrap_or("?");
        let (lo, hi) = arity(wr.call);
        if kw_n > 0 && !matches!(wr.call, Call::Args | Call::Init) {
            return Err(cx::type_error(
                cx,
                &format!("{name}() takes no keyword arguments"),
            ));
        }
        if nargs < lo || nargs > hi {
            let want = if lo == hi {
                format!("exactly {lo} argument{}", if lo == 1 { "" } else { "s" })
            } else {
                format!("from {lo} to {hi} arguments")
            };
            return Err(cx::type_error(cx, &format!("expected {want}, got {nargs}")));
        }
        let f = get_slot(ty, wr.slot);
        if f == 0 {
            return Err(cx::system_error(cx, &format!("{name}: the slot is empty")));
        }
        let r = call(cx, wr.call, f, h, pos, kwv, kwnames, name)?;
        Ok(cx::new_ref_h(cx, r))
    })
}

/// Calls slot value `f` the way `call` says.
#[allow(clippy::too_many_arguments)]
fn call(
    cx: &mut Thread,
    call: Call,
    f: usize,
    h: Handle,
    pos: &[Handle],
    kwv: &[Handle],
    kwnames: *mut PyObject,
    name: &str,
) -> PyResult<Handle> {
    // SAFETY: every transmute below reads `f`, the value of the slot this wrapper's table entry
    // names, as that slot's C signature (typeslots.h); the slots get live, rooted arguments.
    unsafe {
        match call {
            Call::Unary => {
                let f = std::mem::transmute::<usize, unaryfunc>(f);
                c_call(cx, name, &[h], |a| f(a[0]))
            }
            Call::Next => {
                let f = std::mem::transmute::<usize, unaryfunc>(f);
                cx.begin_native_call();
                let o = cx.get(h);
                let p = cx::borrowed(cx, o);
                let r = cx::publish(cx, || f(p));
                cx.end_native_call();
                if r.is_null() && cx.error().is_none() {
                    // NULL without an exception ends the iteration (CPython's wrap_next).
                    let si = cx.rt.types.exc.stop_iteration;
                    return Err(crate::python::errors::set_object(cx, si, None));
                }
                cx::take_result(cx, r, name)
            }
            Call::Hash => {
                let f = std::mem::transmute::<usize, hashfunc>(f);
                let v = c_call_int(cx, name, &[h], |a| f(a[0]))?;
                Ok(cx.int(v as i64))
            }
            Call::Len => {
                let f = std::mem::transmute::<usize, lenfunc>(f);
                let v = c_call_int(cx, name, &[h], |a| f(a[0]))?;
                Ok(cx.int(v as i64))
            }
            Call::Bool => {
                let f = std::mem::transmute::<usize, inquiry>(f);
                let v = c_call_int(cx, name, &[h], |a| f(a[0]))?;
                let b = if v != 0 { cx.rt.true_ } else { cx.rt.false_ };
                Ok(cx.root(b))
            }
            Call::Left => {
                let f = std::mem::transmute::<usize, binaryfunc>(f);
                c_call(cx, name, &[h, pos[0]], |a| f(a[0], a[1]))
            }
            Call::Right => {
                let f = std::mem::transmute::<usize, binaryfunc>(f);
                c_call(cx, name, &[pos[0], h], |a| f(a[0], a[1]))
            }
            Call::Compare(op) => {
                let f = std::mem::transmute::<usize, richcmpfunc>(f);
                c_call(cx, name, &[h, pos[0]], |a| f(a[0], a[1], op))
            }
            Call::Contains => {
                let f = std::mem::transmute::<usize, objobjproc>(f);
                let v = c_call_int(cx, name, &[h, pos[0]], |a| f(a[0], a[1]))?;
                let b = if v != 0 { cx.rt.true_ } else { cx.rt.false_ };
                Ok(cx.root(b))
            }
            Call::SetItem | Call::DescrSet => {
                let f = std::mem::transmute::<usize, objobjargproc>(f);
                c_call_int(cx, name, &[h, pos[0], pos[1]], |a| f(a[0], a[1], a[2]))?;
                Ok(cx.root(cx.rt.none))
            }
            Call::DelItem | Call::DescrDelete => {
                let f = std::mem::transmute::<usize, objobjargproc>(f);
                c_call_int(cx, name, &[h, pos[0]], |a| {
                    f(a[0], a[1], std::ptr::null_mut())
                })?;
                Ok(cx.root(cx.rt.none))
            }
            Call::DescrGet => {
                let f = std::mem::transmute::<usize, ternaryfunc>(f);
                let none = cx.rt.none;
                // CPython's wrap_descr_get: None stands for NULL in both positions.
                let obj = pos[0];
                let owner = pos.get(1).copied();
                let obj_none = cx.get(obj) == none;
                let owner_none = owner.is_none_or(|o| cx.get(o) == none);
                if obj_none && owner_none {
                    return Err(cx::type_error(cx, "__get__(None, None) is invalid"));
                }
                let mut hs = vec![h, obj];
                if let Some(o) = owner {
                    hs.push(o);
                }
                c_call(cx, name, &hs, |a| {
                    let o = if obj_none { std::ptr::null_mut() } else { a[1] };
                    let t = if owner_none {
                        std::ptr::null_mut()
                    } else {
                        a[2]
                    };
                    f(a[0], o, t)
                })
            }
            Call::Args | Call::Init => {
                let t = cx.tuple(pos);
                let d = keywords(cx, kwnames, kwv)?;
                let mut hs = vec![h, t];
                if let Some(d) = d {
                    hs.push(d);
                }
                let has_kw = d.is_some();
                if call == Call::Init {
                    let f = std::mem::transmute::<usize, initproc>(f);
                    c_call_int(cx, name, &hs, |a| {
                        f(a[0], a[1], if has_kw { a[2] } else { std::ptr::null_mut() })
                    })?;
                    Ok(cx.root(cx.rt.none))
                } else {
                    let f = std::mem::transmute::<usize, ternaryfunc>(f);
                    c_call(cx, name, &hs, |a| {
                        f(a[0], a[1], if has_kw { a[2] } else { std::ptr::null_mut() })
                    })
                }
            }
        }
    }
}

/// The keyword dict of a vectorcall (`kwnames` with one value each), None when there are none.
fn keywords(cx: &mut Thread, kwnames: *mut PyObject, kwv: &[Handle]) -> PyResult<Option<Handle>> {
    if kwv.is_empty() {
        return Ok(None);
    }
    // SAFETY: a non-empty `kwv` came with a tuple of names.
    let names = unsafe { cx::harg(cx, kwnames) }?;
    let d = cx.dict();
    for (i, v) in kwv.iter().enumerate() {
        let n = cx.get(names);
        let k: ObjRef = cx.tuple_get(n, i).expect("one name per keyword value");
        let kh = cx.root(k);
        cx.dict_set(d, kh, *v)?;
    }
    Ok(Some(d))
}

struct Defs([PyMethodDef; N]);
// SAFETY: immutable static data (C strings and function pointers), never written.
unsafe impl Sync for Defs {}

const fn def<const I: usize>() -> PyMethodDef {
    PyMethodDef {
        ml_name: WRAPPERS[I].name.as_ptr(),
        // SAFETY: stored as the generic pointer; METH_METHOD | METH_FASTCALL | METH_KEYWORDS
        // selects the PyCMethod signature `wrap` has.
        ml_meth: Some(unsafe { std::mem::transmute::<PyCMethod, RawFn>(wrap::<I>) }),
        ml_flags: METH_METHOD | METH_FASTCALL | METH_KEYWORDS,
        ml_doc: std::ptr::null(),
    }
}

macro_rules! defs {
    ($($i:literal)*) => { Defs([$(def::<$i>()),*]) };
}

static DEFS: Defs = defs!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33
    34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56
);

/// Puts a wrapper in the dict of spec type `ty` for every special method whose slot its own
/// slot table fills (after its methods: a name they define stays theirs). A type that made
/// itself unhashable (`tp_hash` is `PyObject_HashNotImplemented`) gets `__hash__ = None`, as
/// in CPython.
pub fn install(cx: &mut Thread, ty: ObjRef) {
    let Some(c) = crate::types::typeobject::ctype(ty) else {
        return;
    };
    let unhashable = crate::r#abstract::object::PyObject_HashNotImplemented as *const () as usize;
    for (i, wr) in WRAPPERS.iter().enumerate() {
        let v = c.slots.get(wr.slot as usize).copied().unwrap_or(0);
        if v == 0 {
            continue;
        }
        if wr.slot == TP_HASH && v == unhashable {
            let own = pyopaque_runtime::binding::type_payload(ty)
                .attrs
                .lock()
                .iter()
                .any(|(n, _)| n == "__hash__");
            if !own {
                let none = cx.rt.none;
                crate::types::typeobject::set_type_attr(cx, ty, "__hash__", none);
            }
            continue;
        }
        // The definitions are never written: the `*mut` is what the descriptor stores.
        let d = std::ptr::addr_of!(DEFS.0[i]).cast_mut();
        crate::objects::type_methods::install_descr(cx, ty, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_its_definitions_agree() {
        for (i, wr) in WRAPPERS.iter().enumerate() {
            // SAFETY: static C strings.
            let n = unsafe { CStr::from_ptr(DEFS.0[i].ml_name) };
            assert_eq!(n, wr.name);
        }
    }
}
