//! `PyLong_*`/`PyFloat_*` functions added in work package "a": native-bytes conversions and
//! the `int_info`/`float_info` tuples.

use std::ffi::{c_int, c_void};

use num_bigint::{BigInt, Sign};
use pyopaque_runtime::Kind;

use crate::boundary::cx::{self, arg, bad_internal_call, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;
use crate::objects::long::{from_big, int_of};

const LITTLE: c_int = 1;
const NATIVE: c_int = 3;
const UNSIGNED_BUFFER: c_int = 4;
const REJECT_NEGATIVE: c_int = 8;
const ALLOW_INDEX: c_int = 16;

fn little(flags: c_int) -> bool {
    if flags == -1 || flags & NATIVE == NATIVE {
        cfg!(target_endian = "little")
    } else {
        flags & LITTLE != 0
    }
}

/// Two's complement bytes of `v`, little-endian, sign-extended or truncated to `n`.
fn twos_le(v: &BigInt, n: usize) -> Vec<u8> {
    let mut b = v.to_signed_bytes_le();
    let fill = if v.sign() == Sign::Minus { 0xff } else { 0 };
    b.resize(n, fill);
    b
}

/// `PyLong_AsNativeBytes` (3.13): writes the value into `n` bytes and returns the number of
/// bytes the value needs (more than `n`: truncated).
///
/// # Safety
/// An object C holds; `buf` `n` writable bytes (or NULL with `n == 0`).
#[no_mangle]
pub unsafe extern "C" fn PyLong_AsNativeBytes(
    o: *mut PyObject,
    buf: *mut c_void,
    n: Py_ssize_t,
    flags: c_int,
) -> Py_ssize_t {
    capi!("PyLong_AsNativeBytes", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if n < 0 || (buf.is_null() && n != 0) {
            return Err(bad_internal_call(cx));
        }
        let is_int = matches!(cx.kind_of(ob), Kind::Int | Kind::Bool);
        if !is_int && (flags == -1 || flags & ALLOW_INDEX == 0) {
            let msg = format!("expect int, got {}", tname(cx, ob));
            return Err(type_error(cx, &msg));
        }
        let v = int_of(cx, ob)?.to_big();
        let neg = v.sign() == Sign::Minus;
        if neg && flags != -1 && flags & REJECT_NEGATIVE != 0 {
            return Err(cx::value_error(cx, "Cannot convert negative int"));
        }
        let signed_need = v.to_signed_bytes_le().len().max(1);
        let need = if !neg && flags != -1 && flags & UNSIGNED_BUFFER != 0 {
            let u = v.to_bytes_le().1;
            let un = if v.sign() == Sign::NoSign { 1 } else { u.len() };
            if un <= n as usize {
                un.min(signed_need)
            } else {
                signed_need
            }
        } else {
            signed_need
        };
        let n = n as usize;
        if n > 0 {
            let mut b = twos_le(&v, n.max(signed_need));
            b.truncate(n);
            if !little(flags) {
                b.reverse();
            }
            // SAFETY: `n` writable bytes by contract.
            unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), buf.cast::<u8>(), n) };
        }
        Ok(need as Py_ssize_t)
    })
}

fn from_native(
    cx: &mut pyopaque_runtime::Thread,
    buf: *const c_void,
    n: usize,
    flags: c_int,
    signed: bool,
) -> pyopaque_runtime::PyResult<*mut PyObject> {
    if buf.is_null() {
        return Err(bad_internal_call(cx));
    }
    let mut b = if n == 0 {
        Vec::new()
    } else {
        // SAFETY: `n` readable bytes by contract.
        unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), n) }.to_vec()
    };
    if !little(flags) {
        b.reverse();
    }
    let v = if signed {
        BigInt::from_signed_bytes_le(&b)
    } else {
        BigInt::from_bytes_le(Sign::Plus, &b)
    };
    let h = from_big(cx, v);
    Ok(new_ref_h(cx, h))
}

/// `PyLong_FromNativeBytes` (3.13): a signed integer (unsigned with `UNSIGNED_BUFFER`).
///
/// # Safety
/// `buf` `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyLong_FromNativeBytes(
    buf: *const c_void,
    n: usize,
    flags: c_int,
) -> *mut PyObject {
    capi!("PyLong_FromNativeBytes", |cx| {
        let signed = flags == -1 || flags & UNSIGNED_BUFFER == 0;
        from_native(cx, buf, n, flags, signed)
    })
}

/// `PyLong_FromUnsignedNativeBytes` (3.13).
///
/// # Safety
/// `buf` `n` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn PyLong_FromUnsignedNativeBytes(
    buf: *const c_void,
    n: usize,
    flags: c_int,
) -> *mut PyObject {
    capi!("PyLong_FromUnsignedNativeBytes", |cx| from_native(
        cx, buf, n, flags, false
    ))
}

/// `PyLong_GetInfo`: `(bits_per_digit, sizeof_digit, default_max_str_digits,
/// str_digits_check_threshold)` as a plain tuple (no struct sequences); pyopaque's big ints use
/// 64-bit digits and no string-conversion limit (0).
#[no_mangle]
pub extern "C" fn PyLong_GetInfo() -> *mut PyObject {
    capi!("PyLong_GetInfo", |cx| {
        let items = [64, 8, 0, 0].map(|v| cx.int(v));
        let t = cx.tuple(&items);
        Ok(new_ref_h(cx, t))
    })
}

/// `PyFloat_GetInfo`: `sys.float_info`'s 11 fields as a plain tuple (no struct sequences).
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
        let t = cx.tuple(&items);
        Ok(new_ref_h(cx, t))
    })
}
