//! `float`: `PyFloat_*` (always boxed: the runtime has no immediate floats).

use std::ffi::c_double;

use pyopaque_runtime::Kind;

use crate::boundary::cx::{self, arg, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;

/// `PyFloat_FromDouble`.
#[no_mangle]
pub extern "C" fn PyFloat_FromDouble(v: c_double) -> *mut PyObject {
    crate::capi_lean!(
        "PyFloat_FromDouble",
        |cx| {
            let r = cx.float_ref(v);
            Some(cx::hand_over(cx, r))
        },
        |cx| {
            let h = cx.float(v);
            Ok(new_ref_h(cx, h))
        }
    )
}

/// `PyFloat_AsDouble`: accepts floats and ints; TypeError otherwise.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyFloat_AsDouble(o: *mut PyObject) -> c_double {
    crate::capi_lean!(
        "PyFloat_AsDouble",
        |cx| {
            if (o as usize) & 1 == 1 {
                // An immediate int.
                return Some(((o as usize as i64) >> 1) as f64);
            }
            let ob = cx::heap_ref(o)?;
            pyopaque_runtime::capi_support::exact_float(cx, ob)
        },
        |cx| {
            // SAFETY: caller's contract.
            let ob = unsafe { arg(cx, o) }?;
            match cx.float_value_of(ob)? {
                Some(v) => Ok(v),
                None => Err(type_error(
                    cx,
                    &format!("must be real number, not {}", tname(cx, ob)),
                )),
            }
        }
    )
}

/// `PyFloat_AS_DOUBLE` (`PyOpaque_Float_AS_DOUBLE`).
///
/// # Safety
/// A float C holds.
#[no_mangle]
pub unsafe extern "C" fn PyOpaque_Float_AS_DOUBLE(o: *mut PyObject) -> c_double {
    capi!("PyOpaque_Float_AS_DOUBLE", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        Ok(cx.float_value(ob).unwrap_or(-1.0))
    })
}

/// `PyFloat_FromString`: parses a str (or bytes) like `float()`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyFloat_FromString(o: *mut PyObject) -> *mut PyObject {
    capi!("PyFloat_FromString", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let ob = cx.get(h);
        let s = match cx.kind_of(ob) {
            Kind::Str => cx.str_value(ob).unwrap_or("").to_string(),
            Kind::Bytes => String::from_utf8_lossy(cx.bytes_value(ob).unwrap_or(&[])).into_owned(),
            _ => {
                return Err(type_error(
                    cx,
                    &format!(
                        "float() argument must be a string or a real number, not '{}'",
                        tname(cx, ob)
                    ),
                ))
            }
        };
        let t = s.trim().replace('_', "");
        let v = match t.to_ascii_lowercase().as_str() {
            "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
            "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
            "nan" | "+nan" | "-nan" => Some(f64::NAN),
            x => x
                .parse::<f64>()
                .ok()
                .filter(|_| !x.is_empty() && !x.contains("inf") && !x.contains("nan")),
        };
        match v {
            Some(v) => {
                let f = cx.float(v);
                Ok(new_ref_h(cx, f))
            }
            None => Err(cx::value_error(
                cx,
                &format!("could not convert string to float: '{s}'"),
            )),
        }
    })
}

/// `PyFloat_GetMax`.
#[no_mangle]
pub extern "C" fn PyFloat_GetMax() -> c_double {
    crate::cov!("PyFloat_GetMax");
    f64::MAX
}

/// `PyFloat_GetMin`.
#[no_mangle]
pub extern "C" fn PyFloat_GetMin() -> c_double {
    crate::cov!("PyFloat_GetMin");
    f64::MIN_POSITIVE
}

/// `PyFloat_GetInfo`: `sys.float_info`, a struct sequence of its 11 fields.
#[no_mangle]
pub extern "C" fn PyFloat_GetInfo() -> *mut PyObject {
    capi!("PyFloat_GetInfo", |cx| {
        let f = |cx: &mut pyopaque_runtime::Thread, v: f64| cx.float(v);
        let items = [
            f(cx, f64::MAX),
            cx.int(f64::MAX_EXP as i64),
            cx.int(f64::MAX_10_EXP as i64),
            f(cx, f64::MIN_POSITIVE),
            cx.int(f64::MIN_EXP as i64),
            cx.int(f64::MIN_10_EXP as i64),
            cx.int(f64::DIGITS as i64),
            cx.int(f64::MANTISSA_DIGITS as i64),
            f(cx, f64::EPSILON),
            cx.int(f64::RADIX as i64),
            cx.int(1),
        ];
        let names = [
            "max",
            "max_exp",
            "max_10_exp",
            "min",
            "min_exp",
            "min_10_exp",
            "dig",
            "mant_dig",
            "epsilon",
            "radix",
            "rounds",
        ];
        let t = crate::types::structseq::builtin_instance(cx, "sys.float_info", &names, &items);
        Ok(new_ref_h(cx, t))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyFloat_AsDouble", Rule::Works),
        ("PyFloat_FromDouble", Rule::Works),
        ("PyFloat_GetInfo", rules::INFO_TUPLE),
        ("PyFloat_FromString", Rule::Works),
        ("PyFloat_GetMax", Rule::Works),
        ("PyFloat_GetMin", Rule::Works),
    ]
};
