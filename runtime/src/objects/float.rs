//! `float`: a boxed `f64`, and the numeric rules that make `1 == 1.0` and `hash(1) == hash(1.0)`.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::{FromPrimitive, Zero};

use crate::objects::int::IntValue;
use crate::objref::ObjRef;
use crate::thread::{Handle, Thread};

const HASH_MODULUS: u128 = (1 << 61) - 1;
const HASH_INF: i64 = 314159;

impl Thread {
    /// A new float object.
    pub fn float(&mut self, v: f64) -> Handle {
        let r = self.float_ref(v);
        self.root_owned(r)
    }

    /// A new float object, raw (owns one reference; root it before the next allocation).
    pub fn float_ref(&mut self, v: f64) -> ObjRef {
        let ty = self.rt.types.float;
        let r = self.alloc_object(ty, 8);
        // SAFETY: fresh payload of 8 bytes, 8-aligned.
        unsafe { r.as_ptr().cast::<f64>().write(v) };
        r
    }
}

/// The value of a float object (caller checked the kind).
pub(crate) fn float_value(obj: ObjRef) -> f64 {
    // SAFETY: callers checked the kind is Float; its payload is one f64.
    unsafe { obj.as_ptr().cast::<f64>().read() }
}

/// CPython's hash of a float: the value as an exact fraction modulo 2**61 - 1, with +-314159
/// for infinities. NaN hashes to 0 here (CPython 3.10+ hashes NaN by identity, which under a
/// moving collector would pin the object; see docs/design.md).
pub fn float_hash(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    if x.is_infinite() {
        return if x > 0.0 { HASH_INF } else { -HASH_INF };
    }
    if x == 0.0 {
        return 0;
    }
    // x = m * 2**e with m an odd-or-even 53-bit integer.
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (m, e) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp_bits - 1075)
    };
    // 2**61 == 1 (mod P), so 2**e == 2**(e mod 61).
    let shift = e.rem_euclid(61) as u32;
    let mut h = (m as u128 % HASH_MODULUS) << shift;
    h %= HASH_MODULUS;
    let mut h = h as i64;
    if x < 0.0 {
        h = -h;
    }
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Exact comparison of an int with a float (CPython compares the mathematical values; a NaN is
/// unordered).
pub fn cmp_int_float(i: &IntValue, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    if let IntValue::Small(v) = i {
        // Every i64 with |v| <= 2**53 converts exactly.
        if v.unsigned_abs() <= 1 << 53 {
            return (*v as f64).partial_cmp(&f);
        }
    }
    let fl = f.floor();
    let fi = BigInt::from_f64(fl).unwrap_or_else(BigInt::zero);
    let ib = i.to_big();
    Some(match ib.cmp(&fi) {
        Ordering::Equal if f > fl => Ordering::Less,
        o => o,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_hash_matches_cpython() {
        assert_eq!(float_hash(1.5), 1152921504606846977);
        assert_eq!(float_hash(-0.5), -1152921504606846976);
        assert_eq!(float_hash(1e300), 1224995262755759164);
        assert_eq!(float_hash((1u128 << 70) as f64), 512);
        assert_eq!(float_hash(0.1), 230584300921369408);
        assert_eq!(float_hash(1.0), IntValue::Small(1).hash());
        assert_eq!(float_hash(-1.0), -2);
        assert_eq!(float_hash(f64::INFINITY), 314159);
    }

    #[test]
    fn int_float_comparison_is_exact() {
        let big = IntValue::Small((1 << 53) + 1);
        assert_eq!(
            cmp_int_float(&big, (1u64 << 53) as f64),
            Some(Ordering::Greater)
        );
        assert_eq!(
            cmp_int_float(&IntValue::Small(2), 2.5),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp_int_float(&IntValue::Small(-3), -2.5),
            Some(Ordering::Less)
        );
        assert_eq!(cmp_int_float(&IntValue::Small(3), f64::NAN), None);
        assert_eq!(
            cmp_int_float(&IntValue::Small(i64::MAX), 9.3e18),
            Some(Ordering::Less)
        );
    }
}
