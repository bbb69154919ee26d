//! `Py_complex` by value (`complexobject.h`, outside the Limited API): the C struct of two
//! doubles to and from `complex` objects.

use std::ffi::c_double;

use crate::boundary::cx::{arg, new_ref_h, tname, type_error, CRet};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::objects::complex::{complex_type, value_of as complex_parts, ComplexPayload};
use crate::verdict::Rule;

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyComplex_AsCComplex", Rule::Cost("real numbers convert through their float value; a Python object's __complex__ method is not consulted")),
    ("PyComplex_FromCComplex", Rule::Works),
];

/// C's `Py_complex`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PyComplexValue {
    /// Real part.
    pub real: c_double,
    /// Imaginary part.
    pub imag: c_double,
}

impl CRet for PyComplexValue {
    /// CPython's error value: real part -1.0 (with an exception set).
    const ERR: Self = PyComplexValue {
        real: -1.0,
        imag: 0.0,
    };
}

/// `PyComplex_AsCComplex`: the parts of a complex; a real number gives `(value, 0.0)`;
/// anything else raises TypeError and returns `{-1.0, 0.0}`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyComplex_AsCComplex(o: *mut PyObject) -> PyComplexValue {
    capi!("PyComplex_AsCComplex", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if let Some((real, imag)) = complex_parts(ob) {
            return Ok(PyComplexValue { real, imag });
        }
        let h = cx.root(ob);
        match cx.float_value_of(ob)? {
            Some(real) => Ok(PyComplexValue { real, imag: 0.0 }),
            None => {
                let ob = cx.get(h);
                Err(type_error(
                    cx,
                    &format!(
                        "complex() argument must be a string or a number, not {}",
                        tname(cx, ob)
                    ),
                ))
            }
        }
    })
}

/// `PyComplex_FromCComplex`: a new complex.
#[no_mangle]
pub extern "C" fn PyComplex_FromCComplex(v: PyComplexValue) -> *mut PyObject {
    capi!("PyComplex_FromCComplex", |cx| {
        let h = crate::types::shim_types::alloc(
            cx,
            complex_type(),
            ComplexPayload {
                re: v.real,
                im: v.imag,
            },
        );
        Ok(new_ref_h(cx, h))
    })
}
