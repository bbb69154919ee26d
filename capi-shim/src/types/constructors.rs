//! Calling the shim's builtin types as constructors: `set(it)`, `frozenset(it)`,
//! `slice(stop)` / `slice(start, stop[, step])`, `complex(re[, im])`, `bytearray([obj])`,
//! `memoryview(obj)`, `mappingproxy(mapping)` and `GenericAlias(origin, args)`, so that
//! `PyObject_CallObject((PyObject *)&PySet_Type, args)` works as in CPython. The iterator and
//! descriptor types are not callable (`TypeError: cannot create ... instances`, as in CPython).

use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread};

use crate::boundary::cx::{tname, type_error};
use crate::types::shim_types::shim_types;
use crate::types::shim_types::type_name;

/// TypeError `NAME() takes no keyword arguments` unless `kw` is empty.
pub(crate) fn no_kwargs(cx: &mut Thread, name: &str, kw: &[(Handle, Handle)]) -> PyResult<()> {
    if kw.is_empty() {
        Ok(())
    } else {
        Err(type_error(
            cx,
            &format!("{name}() takes no keyword arguments"),
        ))
    }
}

fn arity(cx: &mut Thread, name: &str, pos: &[Handle], lo: usize, hi: usize) -> PyResult<()> {
    let n = pos.len();
    if n < lo {
        return Err(type_error(
            cx,
            &format!(
                "{name} expected at least {lo} argument{}, got {n}",
                if lo == 1 { "" } else { "s" }
            ),
        ));
    }
    if n > hi {
        return Err(type_error(
            cx,
            &format!(
                "{name} expected at most {hi} argument{}, got {n}",
                if hi == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

/// `(re, im)` of a complex or real number argument of `complex()`.
fn complex_part(cx: &mut Thread, h: Handle) -> PyResult<(f64, f64)> {
    let o = cx.get(h);
    if let Some(v) = crate::objects::complex::value_of(o) {
        return Ok(v);
    }
    match cx.float_value_of(o)? {
        Some(f) => Ok((f, 0.0)),
        None => Err(type_error(
            cx,
            &format!(
                "complex() argument must be a real or complex number, not '{}'",
                tname(cx, o)
            ),
        )),
    }
}

/// Calls the shim builtin type `t` with `pos`/`kw`; `None` when `t` is not one of the callable
/// shim builtins.
pub fn construct(
    cx: &mut Thread,
    t: ObjRef,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
) -> Option<PyResult<Handle>> {
    if let Some(r) = crate::objects::lazy_iters::construct(cx, t, pos, kw) {
        return Some(r);
    }
    let ty = &shim_types();
    let name = type_name(t);
    let known = [
        ty.set,
        ty.frozenset,
        ty.slice,
        ty.complex,
        ty.bytearray,
        ty.memoryview,
        ty.mappingproxy,
        ty.generic_alias,
    ];
    if !known.contains(&t) {
        return None;
    }
    Some((|| {
        no_kwargs(cx, name, kw)?;
        if t == ty.set || t == ty.frozenset {
            arity(cx, name, pos, 0, 1)?;
            return crate::objects::set::new_set(cx, t == ty.frozenset, pos.first().copied());
        }
        if t == ty.slice {
            arity(cx, name, pos, 1, 3)?;
            let v: Vec<ObjRef> = pos.iter().map(|h| cx.get(*h)).collect();
            return Ok(match v.as_slice() {
                [stop] => crate::objects::slice::new_slice(cx, None, Some(*stop), None),
                [a, b] => crate::objects::slice::new_slice(cx, Some(*a), Some(*b), None),
                _ => crate::objects::slice::new_slice(cx, Some(v[0]), Some(v[1]), Some(v[2])),
            });
        }
        if t == ty.complex {
            arity(cx, name, pos, 0, 2)?;
            let (r1, i1) = match pos.first() {
                Some(h) => complex_part(cx, *h)?,
                None => (0.0, 0.0),
            };
            let (r2, i2) = match pos.get(1) {
                Some(h) => complex_part(cx, *h)?,
                None => (0.0, 0.0),
            };
            // complex(a, b) is a + b*1j.
            let v = crate::objects::complex::ComplexPayload {
                re: r1 - i2,
                im: i1 + r2,
            };
            return Ok(crate::types::shim_types::alloc(cx, t, v));
        }
        if t == ty.bytearray {
            arity(cx, name, pos, 0, 1)?;
            return match pos.first() {
                None => Ok(crate::objects::bytearray::new(cx, &[])),
                // SAFETY: calling the C API function with a borrowed argument.
                Some(a) => crate::r#abstract::object::c_call(cx, "bytearray", &[*a], |p| unsafe {
                    crate::objects::bytearray::PyByteArray_FromObject(p[0])
                }),
            };
        }
        if t == ty.memoryview {
            arity(cx, name, pos, 1, 1)?;
            let o = cx.get(pos[0]);
            return crate::r#abstract::buffer::from_object(cx, o);
        }
        if t == ty.mappingproxy {
            arity(cx, name, pos, 1, 1)?;
            // SAFETY: calling the C API function with a borrowed argument.
            return crate::r#abstract::object::c_call(cx, "mappingproxy", &[pos[0]], |p| unsafe {
                crate::objects::proxy::PyDictProxy_New(p[0])
            });
        }
        arity(cx, name, pos, 2, 2)?;
        // SAFETY: calling the C API function with borrowed arguments.
        crate::r#abstract::object::c_call(cx, "GenericAlias", &[pos[0], pos[1]], |p| unsafe {
            crate::objects::proxy::Py_GenericAlias(p[0], p[1])
        })
    })())
}
