//! `complex`: a shim-defined [`Kind::Native`] type holding two doubles (no references).

use std::ffi::c_double;

use pyopaque_gc::Slot;
use pyopaque_runtime::{NativeHooks, ObjRef};

use crate::boundary::cx::{arg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{is_exactly, payload};

/// Payload of a complex number.
#[repr(C)]
pub struct ComplexPayload {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

fn trace(_obj: ObjRef, _visit: &mut dyn FnMut(Slot)) {}
fn finalize(_obj: ObjRef) {}

/// Hooks of the `complex` type.
pub static HOOKS: NativeHooks = NativeHooks {
    trace,
    finalize,
    c_layout: false,
};

/// The `complex` type.
pub fn complex_type() -> ObjRef {
    shim_types().complex
}

/// `(re, im)` of a complex, None for other objects.
pub fn value_of(o: ObjRef) -> Option<(f64, f64)> {
    if !is_exactly(o, complex_type()) {
        return None;
    }
    // SAFETY: a complex payload.
    let p = unsafe { payload::<ComplexPayload>(o) };
    Some((p.re, p.im))
}

/// `PyComplex_FromDoubles`.
#[no_mangle]
pub extern "C" fn PyComplex_FromDoubles(re: c_double, im: c_double) -> *mut PyObject {
    capi!("PyComplex_FromDoubles", |cx| {
        let h = crate::types::shim_types::alloc(cx, complex_type(), ComplexPayload { re, im });
        Ok(new_ref_h(cx, h))
    })
}

/// `PyComplex_RealAsDouble`: the real part; for a non-complex, its float value (TypeError when
/// it has none).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyComplex_RealAsDouble(o: *mut PyObject) -> c_double {
    capi!("PyComplex_RealAsDouble", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if let Some((re, _)) = value_of(ob) {
            return Ok(re);
        }
        let h = cx.root(ob);
        match cx.float_value_of(ob)? {
            Some(v) => Ok(v),
            None => {
                let ob = cx.get(h);
                Err(type_error(
                    cx,
                    &format!("must be real number, not {}", tname(cx, ob)),
                ))
            }
        }
    })
}

/// `PyComplex_ImagAsDouble`: the imaginary part; 0.0 for a real number (TypeError for other
/// objects).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyComplex_ImagAsDouble(o: *mut PyObject) -> c_double {
    capi!("PyComplex_ImagAsDouble", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if let Some((_, im)) = value_of(ob) {
            return Ok(im);
        }
        let h = cx.root(ob);
        match cx.float_value_of(ob)? {
            Some(_) => Ok(0.0),
            None => {
                let ob = cx.get(h);
                Err(type_error(
                    cx,
                    &format!("must be real number, not {}", tname(cx, ob)),
                ))
            }
        }
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rules;
    &[
        ("PyComplex_FromDoubles", rules::COMPLEX_SHIM_TYPE),
        ("PyComplex_RealAsDouble", rules::COMPLEX_SHIM_TYPE),
        ("PyComplex_ImagAsDouble", rules::COMPLEX_SHIM_TYPE),
    ]
};
