//! `int`: immediates when tagging is on and the value fits 63 bits; otherwise a boxed object
//! whose payload is an [`IntRepr`] (an `i64`, or a heap-allocated big integer beyond `i64`).
//! Arithmetic never wraps: results beyond `i64` become big integers.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::objref::ObjRef;
use crate::thread::{Handle, PyResult, Thread};
use crate::types::Kind;

/// Payload of a boxed int. Invariant: `Big` only holds values outside `i64`.
#[derive(Clone, Debug)]
pub enum IntRepr {
    /// A value that fits `i64`.
    Small(i64),
    /// A value beyond `i64` (owned off-heap; released when the object dies).
    Big(Box<BigInt>),
}

/// The value of an int (or bool) object, borrowed.
#[derive(Clone, Debug, PartialEq)]
pub enum IntValue {
    /// Fits `i64`.
    Small(i64),
    /// Beyond `i64`.
    Big(BigInt),
}

impl IntValue {
    /// Normalises a big integer: `Small` whenever it fits.
    pub fn from_big(b: BigInt) -> IntValue {
        match b.to_i64() {
            Some(v) => IntValue::Small(v),
            None => IntValue::Big(b),
        }
    }

    /// As a big integer.
    pub fn to_big(&self) -> BigInt {
        match self {
            IntValue::Small(v) => BigInt::from(*v),
            IntValue::Big(b) => b.clone(),
        }
    }

    /// CPython's hash of an int: the value modulo 2**61 - 1 with the sign kept, -1 mapped to -2.
    pub fn hash(&self) -> i64 {
        const P: u64 = (1 << 61) - 1;
        let (neg, m) = match self {
            IntValue::Small(v) => (*v < 0, v.unsigned_abs() % P),
            IntValue::Big(b) => {
                let m = (b.abs() % BigInt::from(P)).to_u64().unwrap();
                (b.is_negative(), m)
            }
        };
        let h = if neg { -(m as i64) } else { m as i64 };
        if h == -1 {
            -2
        } else {
            h
        }
    }
}

impl Thread {
    /// A new int: an immediate when tagging is on and it fits, a cached box for CPython's small
    /// ints when tagging is off, a fresh box otherwise.
    #[inline]
    pub fn int(&mut self, v: i64) -> Handle {
        let r = self.int_ref(v);
        self.root_owned(r)
    }

    /// Like [`Thread::int`] but returns the raw reference (owning one reference; root it before
    /// the next allocation).
    #[inline]
    pub fn int_ref(&mut self, v: i64) -> ObjRef {
        if self.tagging {
            if let Some(r) = ObjRef::small_int(v) {
                return r;
            }
        } else if let Some(r) = self.rt.small_int_box(v) {
            crate::refcount::incref(self, r);
            return r;
        }
        self.box_int(IntRepr::Small(v))
    }

    fn box_int(&mut self, repr: IntRepr) -> ObjRef {
        let ty = self.rt.types.int;
        // A big int's digits live off the heap: the collector must finalize it when it dies.
        let big = matches!(repr, IntRepr::Big(_));
        let r = self.alloc_object_with(ty, std::mem::size_of::<IntRepr>(), big);
        // SAFETY: the payload was just allocated with room for an IntRepr and is 8-aligned.
        unsafe { r.as_ptr().cast::<IntRepr>().write(repr) };
        r
    }

    /// A new int from any integer value.
    pub fn int_from_value(&mut self, v: IntValue) -> Handle {
        match v {
            IntValue::Small(v) => self.int(v),
            IntValue::Big(b) => match b.to_i64() {
                Some(v) => self.int(v),
                None => {
                    let r = self.box_int(IntRepr::Big(Box::new(b)));
                    self.root_owned(r)
                }
            },
        }
    }

    /// The integer value of an int or bool object, or None for other types.
    pub fn int_value(&self, obj: ObjRef) -> Option<IntValue> {
        if let Some(v) = obj.as_small_int() {
            return Some(IntValue::Small(v));
        }
        match self.kind_of(obj) {
            Kind::Int => Some(match int_repr(obj) {
                IntRepr::Small(v) => IntValue::Small(*v),
                IntRepr::Big(b) => IntValue::Big((**b).clone()),
            }),
            Kind::Bool => Some(IntValue::Small(bool_value(obj) as i64)),
            _ => None,
        }
    }

    /// The value as `i64` if it is an int that fits; `Err` (OverflowError set) when it does
    /// not fit, `Ok(None)` when it is not an int.
    pub fn int_as_i64(&mut self, obj: ObjRef) -> PyResult<Option<i64>> {
        if let Some(v) = obj.as_small_int() {
            return Ok(Some(v));
        }
        match self.int_value(obj) {
            None => Ok(None),
            Some(IntValue::Small(v)) => Ok(Some(v)),
            Some(IntValue::Big(_)) => {
                let t = self.rt.types.exc.overflow_error;
                Err(self.raise(t, "Python int too large to convert to C long"))
            }
        }
    }

    /// `a + b`, `a - b`, `a * b`, `a // b`, `a % b` on ints, exact.
    pub fn int_binop(&mut self, op: IntOp, a: &IntValue, b: &IntValue) -> PyResult<Handle> {
        if let (IntValue::Small(x), IntValue::Small(y)) = (a, b) {
            let (x, y) = (*x, *y);
            let fast = match op {
                IntOp::Add => x.checked_add(y),
                IntOp::Sub => x.checked_sub(y),
                IntOp::Mul => x.checked_mul(y),
                IntOp::FloorDiv | IntOp::Mod if y == 0 => return Err(self.zero_division(op)),
                IntOp::FloorDiv => x.checked_div_euclid(y).map(|_| Integer::div_floor(&x, &y)),
                IntOp::Mod => x.checked_rem_euclid(y).map(|_| x.mod_floor(&y)),
            };
            if let Some(v) = fast {
                return Ok(self.int(v));
            }
        }
        let (x, y) = (a.to_big(), b.to_big());
        let r = match op {
            IntOp::Add => x + y,
            IntOp::Sub => x - y,
            IntOp::Mul => x * y,
            IntOp::FloorDiv | IntOp::Mod if y.is_zero() => return Err(self.zero_division(op)),
            IntOp::FloorDiv => x.div_floor(&y),
            IntOp::Mod => x.mod_floor(&y),
        };
        Ok(self.int_from_value(IntValue::from_big(r)))
    }

    /// `-a`.
    pub fn int_neg(&mut self, a: &IntValue) -> Handle {
        match a {
            IntValue::Small(v) => match v.checked_neg() {
                Some(n) => self.int(n),
                None => self.int_from_value(IntValue::from_big(-BigInt::from(*v))),
            },
            IntValue::Big(b) => self.int_from_value(IntValue::from_big(-b.clone())),
        }
    }

    fn zero_division(&mut self, op: IntOp) -> crate::thread::Raised {
        let t = self.rt.types.exc.zero_division_error;
        let msg = if op == IntOp::Mod {
            "integer modulo by zero"
        } else {
            "integer division or modulo by zero"
        };
        self.raise(t, msg)
    }
}

/// Integer binary operations with CPython's semantics (floor division and modulo round toward
/// negative infinity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
}

/// Compares two ints.
pub fn int_cmp(a: &IntValue, b: &IntValue) -> Ordering {
    match (a, b) {
        (IntValue::Small(x), IntValue::Small(y)) => x.cmp(y),
        _ => a.to_big().cmp(&b.to_big()),
    }
}

pub(crate) fn int_repr(obj: ObjRef) -> &'static IntRepr {
    // SAFETY: callers checked the kind is Int; the payload holds an initialised IntRepr for as
    // long as the object lives (the caller holds a reference).
    unsafe { &*obj.as_ptr().cast::<IntRepr>() }
}

pub(crate) fn bool_value(obj: ObjRef) -> bool {
    // SAFETY: callers checked the kind is Bool; its payload is one u64 (0 or 1).
    unsafe { obj.as_ptr().cast::<u64>().read() != 0 }
}

/// Drops the payload of a dead int object.
pub(crate) fn release(obj: ObjRef) {
    // SAFETY: called once, when the object dies; the payload holds an initialised IntRepr.
    unsafe { std::ptr::drop_in_place(obj.as_ptr().cast::<IntRepr>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_cpython() {
        assert_eq!(IntValue::Small(5).hash(), 5);
        assert_eq!(IntValue::Small(-1).hash(), -2);
        assert_eq!(IntValue::Small(-2).hash(), -2);
        assert_eq!(IntValue::Small((1 << 61) - 1).hash(), 0);
        assert_eq!(IntValue::Small(1 << 61).hash(), 1);
        assert_eq!(IntValue::Small(i64::MIN).hash(), -4);
        let big = IntValue::from_big(BigInt::from(1u128 << 64));
        assert_eq!(big.hash(), 8);
    }
}
