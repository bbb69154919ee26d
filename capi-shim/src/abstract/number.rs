//! `PyNumber_*`: arithmetic on int, bool and float (the runtime's operations), bitwise and
//! power on ints, and the `nb_*` slots of spec types (tried first, left then right operand).

use std::ffi::c_int;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use pyopaque_runtime::{BinOp, Handle, Kind, PyResult, Thread};

use crate::boundary::cx::{self, arg, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;
use crate::objects::long::{from_big, int_of};
use crate::types::typeobject::get_slot;

#[derive(Clone, Copy)]
enum Op {
    Bin(BinOp),
    And,
    Or,
    Xor,
    Lshift,
    Rshift,
    Divmod,
}

impl Op {
    fn slot(self) -> c_int {
        match self {
            Op::Bin(BinOp::Add) => 7,
            Op::Bin(BinOp::Sub) => 36,
            Op::Bin(BinOp::Mul) => 29,
            Op::Bin(BinOp::FloorDiv) => 12,
            Op::Bin(BinOp::Mod) => 34,
            Op::Bin(BinOp::TrueDiv) => 37,
            Op::And => 8,
            Op::Or => 31,
            Op::Xor => 38,
            Op::Lshift => 28,
            Op::Rshift => 35,
            Op::Divmod => 10,
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Op::Bin(BinOp::Add) => "+",
            Op::Bin(BinOp::Sub) => "-",
            Op::Bin(BinOp::Mul) => "*",
            Op::Bin(BinOp::FloorDiv) => "//",
            Op::Bin(BinOp::Mod) => "%",
            Op::Bin(BinOp::TrueDiv) => "/",
            Op::And => "&",
            Op::Or => "|",
            Op::Xor => "^",
            Op::Lshift => "<<",
            Op::Rshift => ">>",
            Op::Divmod => "divmod()",
        }
    }
}

fn try_slots(cx: &mut Thread, a: Handle, b: Handle, id: c_int) -> PyResult<Option<Handle>> {
    for x in [a, b] {
        let xo = cx.get(x);
        let s = get_slot(cx.type_of(xo), id);
        if s != 0 {
            // SAFETY: nb_* binary slots are binaryfuncs.
            let f: binaryfunc = unsafe { std::mem::transmute::<usize, binaryfunc>(s) };
            // SAFETY: calling the slot.
            let r = crate::r#abstract::object::c_call(cx, "nb slot", &[a, b], |p| unsafe {
                f(p[0], p[1])
            })?;
            if cx.get(r) != cx.rt.not_implemented {
                return Ok(Some(r));
            }
        }
    }
    Ok(None)
}

fn unsupported(cx: &mut Thread, a: Handle, b: Handle, op: Op) -> pyopaque_runtime::Raised {
    let (x, y) = (cx.get(a), cx.get(b));
    let msg = format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        tname(cx, x),
        tname(cx, y)
    );
    type_error(cx, &msg)
}

/// The set operation a set-like dict view gives `op` (`&`, `|`, `-`, `^`).
fn view_op(op: Op) -> Option<crate::objects::dict_views::SetOp> {
    use crate::objects::dict_views::SetOp;
    Some(match op {
        Op::And => SetOp::And,
        Op::Or => SetOp::Or,
        Op::Xor => SetOp::Xor,
        Op::Bin(BinOp::Sub) => SetOp::Sub,
        _ => return None,
    })
}

fn binary(cx: &mut Thread, a: Handle, b: Handle, op: Op) -> PyResult<Handle> {
    // A set-like dict view's slot (see objects/dict_views.rs) in its place: first when it is the left
    // operand, after the left operand's slot when it is the right one.
    let vop = view_op(op);
    if let Some(v) = vop.filter(|_| crate::objects::dict_views::is_set_like(cx.get(a))) {
        return crate::objects::dict_views::binop(cx, a, b, v);
    }
    if let Some(r) = try_slots(cx, a, b, op.slot())? {
        return Ok(r);
    }
    if let Some(v) = vop {
        if let Some(r) = crate::objects::set_algebra::binop(cx, a, b, v)? {
            return Ok(r);
        }
    }
    if let Some(v) = vop.filter(|_| crate::objects::dict_views::is_set_like(cx.get(b))) {
        return crate::objects::dict_views::binop(cx, a, b, v);
    }
    let (x, y) = (cx.get(a), cx.get(b));
    let (kx, ky) = (cx.kind_of(x), cx.kind_of(y));
    if let Op::Bin(bop) = op {
        // Text formatting and bytearray operands: tested by kind first, so numeric operands
        // pay one compare here.
        if bop == BinOp::Mod && matches!(kx, Kind::Str | Kind::Bytes | Kind::Native) {
            if let Some(r) = crate::objects::unicode::format::percent(cx, a, b)? {
                return Ok(r);
            }
        }
        if kx == Kind::Native || ky == Kind::Native {
            if let Some(r) = crate::objects::bytearray_items::binop(cx, a, b, bop)? {
                return Ok(r);
            }
        }
        // Sequence concatenation and repetition.
        if bop == BinOp::Add
            && kx == ky
            && matches!(kx, Kind::List | Kind::Tuple | Kind::Str | Kind::Bytes)
        {
            return crate::r#abstract::sequence::concat(cx, a, b);
        }
        if bop == BinOp::Mul
            && matches!(kx, Kind::List | Kind::Tuple | Kind::Str | Kind::Bytes)
            && matches!(ky, Kind::Int | Kind::Bool)
        {
            let n = cx.int_as_i64(y)?.unwrap_or(0);
            return crate::r#abstract::sequence::repeat(cx, a, n as isize);
        }
        return cx.binop(a, b, bop);
    }
    let ints = matches!(kx, Kind::Int | Kind::Bool) && matches!(ky, Kind::Int | Kind::Bool);
    if op_is_divmod(op)
        && matches!(kx, Kind::Int | Kind::Bool | Kind::Float)
        && matches!(ky, Kind::Int | Kind::Bool | Kind::Float)
    {
        let q = cx.binop(a, b, BinOp::FloorDiv)?;
        let r = cx.binop(a, b, BinOp::Mod)?;
        return Ok(cx.tuple(&[q, r]));
    }
    if !ints {
        return Err(unsupported(cx, a, b, op));
    }
    let (p, q) = (int_of(cx, x)?.to_big(), int_of(cx, y)?.to_big());
    let r = match op {
        Op::And => p & q,
        Op::Or => p | q,
        Op::Xor => p ^ q,
        Op::Lshift | Op::Rshift => {
            if q.is_negative() {
                return Err(cx::value_error(cx, "negative shift count"));
            }
            let s = q.to_usize().unwrap_or(usize::MAX);
            if matches!(op, Op::Lshift) {
                if s > 1 << 24 && !p.is_zero() {
                    return Err(cx::overflow_error(cx, "too many digits in integer"));
                }
                p << s
            } else {
                p >> s.min(1 << 24)
            }
        }
        _ => unreachable!(),
    };
    Ok(from_big(cx, r))
}

fn op_is_divmod(op: Op) -> bool {
    matches!(op, Op::Divmod)
}

/// The inverse of `a` modulo `|m|` in `0..|m|` (extended Euclid), `None` when `gcd(a, m) != 1`.
fn mod_inverse(a: &BigInt, m: &BigInt) -> Option<BigInt> {
    use num_integer::Integer;
    let m = m.abs();
    let (mut r0, mut r1) = (a.mod_floor(&m), m.clone());
    let (mut s0, mut s1) = (BigInt::from(1), BigInt::from(0));
    while !r1.is_zero() {
        let (q, r) = r0.div_mod_floor(&r1);
        r0 = std::mem::replace(&mut r1, r);
        let s = &s0 - &q * &s1;
        s0 = std::mem::replace(&mut s1, s);
    }
    (r0 == BigInt::from(1) || m == BigInt::from(1)).then(|| s0.mod_floor(&m))
}

fn power(cx: &mut Thread, a: Handle, b: Handle, m: Option<Handle>) -> PyResult<Handle> {
    if let Some(r) = try_slots(cx, a, b, 33)? {
        return Ok(r);
    }
    let (x, y) = (cx.get(a), cx.get(b));
    let (kx, ky) = (cx.kind_of(x), cx.kind_of(y));
    let ints = matches!(kx, Kind::Int | Kind::Bool) && matches!(ky, Kind::Int | Kind::Bool);
    if ints {
        let (p, q) = (int_of(cx, x)?.to_big(), int_of(cx, y)?.to_big());
        if let Some(m) = m {
            let mo = cx.get(m);
            let mv = int_of(cx, mo)?.to_big();
            if mv.is_zero() {
                return Err(cx::value_error(cx, "pow() 3rd argument cannot be 0"));
            }
            // A negative exponent raises the modular inverse (CPython 3.8+).
            let (p, q) = if q.is_negative() {
                match mod_inverse(&p, &mv) {
                    Some(inv) => (inv, -q),
                    None => {
                        return Err(cx::value_error(
                            cx,
                            "base is not invertible for the given modulus",
                        ))
                    }
                }
            } else {
                (p, q)
            };
            let r = p.modpow(&q, &mv);
            let r = if !r.is_zero() && (r.is_negative() != mv.is_negative()) {
                r + &mv
            } else {
                r
            };
            return Ok(from_big(cx, r));
        }
        if !q.is_negative() {
            let e = q
                .to_u32()
                .ok_or(())
                .map_err(|_| cx::overflow_error(cx, "exponent too large"))?;
            return Ok(from_big(cx, num_traits::pow::Pow::pow(&p, e)));
        }
        let (f, g) = (
            p.to_f64().unwrap_or(f64::INFINITY),
            q.to_f64().unwrap_or(0.0),
        );
        if f == 0.0 {
            let t = cx.rt.types.exc.zero_division_error;
            return Err(cx.raise(t, "0.0 cannot be raised to a negative power"));
        }
        return Ok(cx.float(f.powf(g)));
    }
    if m.is_some() {
        return Err(type_error(
            cx,
            "pow() 3rd argument not allowed unless all arguments are integers",
        ));
    }
    match (cx.float_value_of(x)?, cx.float_value_of(y)?) {
        (Some(f), Some(g)) => {
            if f == 0.0 && g < 0.0 {
                let t = cx.rt.types.exc.zero_division_error;
                return Err(cx.raise(t, "0.0 cannot be raised to a negative power"));
            }
            if f < 0.0 && g.fract() != 0.0 {
                return Err(cx::not_implemented(
                    cx,
                    "pyopaque: complex results are not supported",
                ));
            }
            Ok(cx.float(f.powf(g)))
        }
        _ => {
            let msg = format!(
                "unsupported operand type(s) for ** or pow(): '{}' and '{}'",
                tname(cx, x),
                tname(cx, y)
            );
            Err(type_error(cx, &msg))
        }
    }
}

macro_rules! binops {
    ($($name:ident, $lit:literal, $op:expr;)*) => {$(
        #[doc = concat!("`", $lit, "`.")]
        ///
        /// # Safety
        /// Objects C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $name(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
            capi!($lit, |cx| {
                // SAFETY: caller's contract.
                let (x, y) = unsafe { (harg(cx, a)?, harg(cx, b)?) };
                let r = binary(cx, x, y, $op)?;
                Ok(new_ref_h(cx, r))
            })
        }
    )*};
}

binops! {
    PyNumber_Add, "PyNumber_Add", Op::Bin(BinOp::Add);
    PyNumber_Subtract, "PyNumber_Subtract", Op::Bin(BinOp::Sub);
    PyNumber_Multiply, "PyNumber_Multiply", Op::Bin(BinOp::Mul);
    PyNumber_FloorDivide, "PyNumber_FloorDivide", Op::Bin(BinOp::FloorDiv);
    PyNumber_TrueDivide, "PyNumber_TrueDivide", Op::Bin(BinOp::TrueDiv);
    PyNumber_Remainder, "PyNumber_Remainder", Op::Bin(BinOp::Mod);
    PyNumber_And, "PyNumber_And", Op::And;
    PyNumber_Or, "PyNumber_Or", Op::Or;
    PyNumber_Xor, "PyNumber_Xor", Op::Xor;
    PyNumber_Lshift, "PyNumber_Lshift", Op::Lshift;
    PyNumber_Rshift, "PyNumber_Rshift", Op::Rshift;
    PyNumber_Divmod, "PyNumber_Divmod", Op::Divmod;
}

/// In-place binary operation: the left operand's `nb_inplace_*` slot, then in-place list
/// concatenation/repetition (as CPython's `sq_inplace_*`), then the binary operation.
fn inplace(cx: &mut Thread, a: Handle, b: Handle, op: Op, islot: c_int) -> PyResult<Handle> {
    let ao = cx.get(a);
    let s = get_slot(cx.type_of(ao), islot);
    if s != 0 {
        // SAFETY: nb_inplace_* slots are binaryfuncs.
        let f: binaryfunc = unsafe { std::mem::transmute::<usize, binaryfunc>(s) };
        // SAFETY: calling the slot.
        let r = crate::r#abstract::object::c_call(cx, "nb_inplace slot", &[a, b], |p| unsafe {
            f(p[0], p[1])
        })?;
        if cx.get(r) != cx.rt.not_implemented {
            return Ok(r);
        }
    }
    if cx.kind_of(cx.get(a)) == Kind::List {
        let bo = cx.get(b);
        match op {
            Op::Bin(BinOp::Add) if matches!(cx.kind_of(bo), Kind::List | Kind::Tuple) => {
                cx.list_extend(a, b)?;
                return Ok(a);
            }
            Op::Bin(BinOp::Mul) if matches!(cx.kind_of(bo), Kind::Int | Kind::Bool) => {
                let n = cx.int_as_i64(bo)?.unwrap_or(0);
                cx.list_inplace_repeat(a, n as isize)?;
                return Ok(a);
            }
            _ => {}
        }
    }
    binary(cx, a, b, op)
}

macro_rules! inplace_ops {
    ($($name:ident, $lit:literal, $op:expr, $slot:literal;)*) => {$(
        #[doc = concat!("`", $lit, "`.")]
        ///
        /// # Safety
        /// Objects C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $name(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
            capi!($lit, |cx| {
                // SAFETY: caller's contract.
                let (x, y) = unsafe { (harg(cx, a)?, harg(cx, b)?) };
                let r = inplace(cx, x, y, $op, $slot)?;
                Ok(new_ref_h(cx, r))
            })
        }
    )*};
}

inplace_ops! {
    PyNumber_InPlaceAdd, "PyNumber_InPlaceAdd", Op::Bin(BinOp::Add), 14;
    PyNumber_InPlaceSubtract, "PyNumber_InPlaceSubtract", Op::Bin(BinOp::Sub), 23;
    PyNumber_InPlaceMultiply, "PyNumber_InPlaceMultiply", Op::Bin(BinOp::Mul), 18;
    PyNumber_InPlaceFloorDivide, "PyNumber_InPlaceFloorDivide", Op::Bin(BinOp::FloorDiv), 16;
    PyNumber_InPlaceTrueDivide, "PyNumber_InPlaceTrueDivide", Op::Bin(BinOp::TrueDiv), 24;
    PyNumber_InPlaceRemainder, "PyNumber_InPlaceRemainder", Op::Bin(BinOp::Mod), 21;
    PyNumber_InPlaceAnd, "PyNumber_InPlaceAnd", Op::And, 15;
    PyNumber_InPlaceOr, "PyNumber_InPlaceOr", Op::Or, 19;
    PyNumber_InPlaceXor, "PyNumber_InPlaceXor", Op::Xor, 25;
    PyNumber_InPlaceLshift, "PyNumber_InPlaceLshift", Op::Lshift, 17;
    PyNumber_InPlaceRshift, "PyNumber_InPlaceRshift", Op::Rshift, 22;
}

fn matmul(cx: &mut Thread, a: Handle, b: Handle, inplace: bool) -> PyResult<Handle> {
    if inplace {
        let ao = cx.get(a);
        let s = get_slot(cx.type_of(ao), 76);
        if s != 0 {
            // SAFETY: nb_inplace_matrix_multiply is a binaryfunc.
            let f: binaryfunc = unsafe { std::mem::transmute::<usize, binaryfunc>(s) };
            // SAFETY: calling the slot.
            let r = crate::r#abstract::object::c_call(cx, "nb slot", &[a, b], |p| unsafe {
                f(p[0], p[1])
            })?;
            if cx.get(r) != cx.rt.not_implemented {
                return Ok(r);
            }
        }
    }
    if let Some(r) = try_slots(cx, a, b, 75)? {
        return Ok(r);
    }
    let (x, y) = (cx.get(a), cx.get(b));
    let msg = format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        if inplace { "@=" } else { "@" },
        tname(cx, x),
        tname(cx, y)
    );
    Err(type_error(cx, &msg))
}

/// `PyNumber_MatrixMultiply`: the operands' `nb_matrix_multiply` slots (no builtin type
/// implements `@`).
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_MatrixMultiply(
    a: *mut PyObject,
    b: *mut PyObject,
) -> *mut PyObject {
    capi!("PyNumber_MatrixMultiply", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (harg(cx, a)?, harg(cx, b)?) };
        let r = matmul(cx, x, y, false)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyNumber_InPlaceMatrixMultiply`.
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_InPlaceMatrixMultiply(
    a: *mut PyObject,
    b: *mut PyObject,
) -> *mut PyObject {
    capi!("PyNumber_InPlaceMatrixMultiply", |cx| {
        // SAFETY: caller's contract.
        let (x, y) = unsafe { (harg(cx, a)?, harg(cx, b)?) };
        let r = matmul(cx, x, y, true)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyNumber_ToBase`: `bin`/`oct`/`hex`/decimal string of an integer (`__index__`).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_ToBase(o: *mut PyObject, base: c_int) -> *mut PyObject {
    capi!("PyNumber_ToBase", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        if !matches!(base, 2 | 8 | 10 | 16) {
            return Err(cx::system_error(
                cx,
                "PyNumber_ToBase: base must be 2, 8, 10 or 16",
            ));
        }
        let v = int_of(cx, ob)?.to_big();
        let (sign, mag) = if v.is_negative() { ("-", -v) } else { ("", v) };
        let s = match base {
            2 => format!("{sign}0b{}", mag.to_str_radix(2)),
            8 => format!("{sign}0o{}", mag.to_str_radix(8)),
            16 => format!("{sign}0x{}", mag.to_str_radix(16)),
            _ => format!("{sign}{mag}"),
        };
        let h = cx.str(&s);
        Ok(new_ref_h(cx, h))
    })
}

/// `PyNumber_Power` (`m` may be None).
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_Power(
    a: *mut PyObject,
    b: *mut PyObject,
    m: *mut PyObject,
) -> *mut PyObject {
    capi!("PyNumber_Power", |cx| {
        // SAFETY: caller's contract.
        let (x, y, z) = unsafe { (harg(cx, a)?, harg(cx, b)?, arg(cx, m)?) };
        let z = if z == cx.rt.none {
            None
        } else {
            Some(cx.root(z))
        };
        let r = power(cx, x, y, z)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyNumber_InPlacePower`.
///
/// # Safety
/// Objects C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_InPlacePower(
    a: *mut PyObject,
    b: *mut PyObject,
    m: *mut PyObject,
) -> *mut PyObject {
    capi!("PyNumber_InPlacePower", |cx| {
        // SAFETY: caller's contract.
        let (x, y, z) = unsafe { (harg(cx, a)?, harg(cx, b)?, arg(cx, m)?) };
        let z = if z == cx.rt.none {
            None
        } else {
            Some(cx.root(z))
        };
        let r = power(cx, x, y, z)?;
        Ok(new_ref_h(cx, r))
    })
}

fn unary(cx: &mut Thread, h: Handle, which: &str) -> PyResult<Handle> {
    let o = cx.get(h);
    let id = match which {
        "-" => 30,
        "+" => 32,
        "abs" => 6,
        _ => 27,
    };
    let s = get_slot(cx.type_of(o), id);
    if s != 0 {
        // SAFETY: unary nb slots are unaryfuncs.
        let f: unaryfunc = unsafe { std::mem::transmute::<usize, unaryfunc>(s) };
        // SAFETY: calling the slot.
        return crate::r#abstract::object::c_call(cx, "nb slot", &[h], |p| unsafe { f(p[0]) });
    }
    let k = cx.kind_of(o);
    match (which, k) {
        ("-", Kind::Int | Kind::Bool | Kind::Float) => cx.neg(h),
        ("+", Kind::Int | Kind::Bool) => {
            let v = int_of(cx, o)?;
            Ok(cx.int_from_value(v))
        }
        ("+", Kind::Float) => Ok(h),
        ("abs", Kind::Int | Kind::Bool) => {
            let v = int_of(cx, o)?.to_big();
            Ok(from_big(cx, v.abs()))
        }
        ("abs", Kind::Float) => {
            let f = cx.float_value(o).unwrap_or(0.0);
            Ok(cx.float(f.abs()))
        }
        ("~", Kind::Int | Kind::Bool) => {
            let v = int_of(cx, o)?.to_big();
            Ok(from_big(cx, -v - BigInt::from(1)))
        }
        _ => {
            let msg = if which == "abs" {
                format!("bad operand type for abs(): '{}'", tname(cx, o))
            } else {
                format!("bad operand type for unary {which}: '{}'", tname(cx, o))
            };
            Err(type_error(cx, &msg))
        }
    }
}

macro_rules! unops {
    ($($name:ident, $lit:literal, $w:literal;)*) => {$(
        #[doc = concat!("`", $lit, "`.")]
        ///
        /// # Safety
        /// An object C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $name(o: *mut PyObject) -> *mut PyObject {
            capi!($lit, |cx| {
                // SAFETY: caller's contract.
                let h = unsafe { harg(cx, o) }?;
                let r = unary(cx, h, $w)?;
                Ok(new_ref_h(cx, r))
            })
        }
    )*};
}

unops! {
    PyNumber_Negative, "PyNumber_Negative", "-";
    PyNumber_Positive, "PyNumber_Positive", "+";
    PyNumber_Absolute, "PyNumber_Absolute", "abs";
    PyNumber_Invert, "PyNumber_Invert", "~";
}

/// `int(x)` for ints, bools, floats and numeric strings.
pub fn to_int(cx: &mut Thread, h: Handle) -> PyResult<Handle> {
    let o = cx.get(h);
    match cx.kind_of(o) {
        Kind::Int => Ok(h),
        Kind::Bool => {
            let v = int_of(cx, o)?;
            Ok(cx.int_from_value(v))
        }
        Kind::Float => {
            let f = cx.float_value(o).unwrap_or(0.0);
            if f.is_nan() {
                return Err(cx::value_error(cx, "cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(cx::overflow_error(
                    cx,
                    "cannot convert float infinity to integer",
                ));
            }
            let t = f.trunc();
            if t.abs() < 9.0e18 {
                Ok(cx.int(t as i64))
            } else {
                Ok(from_big(cx, BigInt::from(t as i128)))
            }
        }
        Kind::Str => {
            let s = cx.str_value(o).unwrap_or("").trim().replace('_', "");
            match s.parse::<BigInt>() {
                Ok(v) => Ok(from_big(cx, v)),
                Err(_) => {
                    let msg = format!(
                        "invalid literal for int() with base 10: {}",
                        pyopaque_runtime::repr::str_repr(cx.str_value(o).unwrap_or(""))
                    );
                    Err(cx::value_error(cx, &msg))
                }
            }
        }
        _ => {
            let msg = format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                tname(cx, o)
            );
            Err(type_error(cx, &msg))
        }
    }
}

/// `PyNumber_Long`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_Long(o: *mut PyObject) -> *mut PyObject {
    capi!("PyNumber_Long", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let r = to_int(cx, h)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyNumber_Float`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_Float(o: *mut PyObject) -> *mut PyObject {
    capi!("PyNumber_Float", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let ob = cx.get(h);
        if cx.kind_of(ob) == Kind::Str {
            // SAFETY: forwarded.
            let p = unsafe { crate::objects::float::PyFloat_FromString(o) };
            return if p.is_null() {
                Err(pyopaque_runtime::Raised)
            } else {
                Ok(p)
            };
        }
        match cx.float_value_of(ob)? {
            Some(f) => {
                let r = cx.float(f);
                Ok(new_ref_h(cx, r))
            }
            None => Err(type_error(
                cx,
                &format!(
                    "float() argument must be a string or a real number, not '{}'",
                    tname(cx, ob)
                ),
            )),
        }
    })
}

/// `PyNumber_Index`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_Index(o: *mut PyObject) -> *mut PyObject {
    capi!("PyNumber_Index", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        let nb_index = get_slot(cx.type_of(ob), 13);
        if cx.int_value(ob).is_none() && nb_index != 0 {
            // A C type's `nb_index` (the slot PyIndex_Check tests); it must return an int.
            // SAFETY: Py_nb_index holds a unaryfunc.
            let f: unsafe extern "C" fn(*mut PyObject) -> *mut PyObject =
                unsafe { std::mem::transmute::<usize, _>(nb_index) };
            let h = cx.root(ob);
            // SAFETY: calling the slot with the object.
            let r =
                crate::r#abstract::object::c_call(cx, "__index__", &[h], |a| unsafe { f(a[0]) })?;
            let ro = cx.get(r);
            if cx.int_value(ro).is_none() {
                let msg = format!("__index__ returned non-int (type {})", tname(cx, ro));
                return Err(type_error(cx, &msg));
            }
            return Ok(new_ref_h(cx, r));
        }
        let v = int_of(cx, ob)?;
        let r = cx.int_from_value(v);
        Ok(new_ref_h(cx, r))
    })
}

/// `PyIndex_Check`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyIndex_Check(o: *mut PyObject) -> c_int {
    capi!("PyIndex_Check", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        Ok(
            (matches!(cx.kind_of(ob), Kind::Int | Kind::Bool) || get_slot(cx.type_of(ob), 13) != 0)
                as c_int,
        )
    })
}

/// `PyNumber_Check`.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_Check(o: *mut PyObject) -> c_int {
    capi!("PyNumber_Check", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        let t = cx.type_of(ob);
        Ok(
            (matches!(cx.kind_of(ob), Kind::Int | Kind::Bool | Kind::Float)
                || get_slot(t, 13) != 0
                || get_slot(t, 26) != 0
                || get_slot(t, 11) != 0) as c_int,
        )
    })
}

/// `PyNumber_AsSsize_t`: `exc` NULL clamps on overflow, else raises it.
///
/// # Safety
/// An object C holds; `exc` NULL or an exception type.
#[no_mangle]
pub unsafe extern "C" fn PyNumber_AsSsize_t(o: *mut PyObject, exc: *mut PyObject) -> Py_ssize_t {
    capi!("PyNumber_AsSsize_t", |cx| {
        // SAFETY: caller's contract.
        let ob = unsafe { arg(cx, o) }?;
        let v = int_of(cx, ob)?.to_big();
        match v.to_isize() {
            Some(x) => Ok(x),
            None => {
                // SAFETY: caller's contract.
                match unsafe { cx::from_c(exc) } {
                    None => Ok(if v.is_negative() {
                        isize::MIN
                    } else {
                        isize::MAX
                    }),
                    Some(e) => {
                        let msg =
                            format!("cannot fit '{}' into an index-sized integer", tname(cx, ob));
                        // `exc` is the caller's: set_object answers a non-exception with
                        // CPython's SystemError instead of reading it as a type
                        let m = cx.str(&msg);
                        Err(crate::python::errors::set_object(cx, e, Some(m)))
                    }
                }
            }
        }
    })
}

/// Keeps `Integer` in scope (used by modpow semantics).
pub fn _gcd(a: &BigInt, b: &BigInt) -> BigInt {
    a.gcd(b)
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyNumber_Absolute", Rule::Works),
        ("PyNumber_Add", Rule::Works),
        ("PyNumber_And", Rule::Works),
        ("PyNumber_Check", Rule::Works),
        ("PyNumber_Float", Rule::Works),
        ("PyNumber_FloorDivide", Rule::Works),
        ("PyNumber_Index", Rule::Works),
        ("PyNumber_Invert", Rule::Works),
        ("PyNumber_Long", Rule::Works),
        ("PyNumber_Lshift", Rule::Works),
        ("PyNumber_Multiply", Rule::Works),
        ("PyNumber_Negative", Rule::Works),
        ("PyNumber_Or", Rule::Works),
        ("PyNumber_Power", Rule::Works),
        ("PyNumber_Remainder", Rule::Works),
        ("PyNumber_Rshift", Rule::Works),
        ("PyNumber_Subtract", Rule::Works),
        ("PyNumber_TrueDivide", Rule::Works),
        ("PyNumber_Xor", Rule::Works),
        ("PyNumber_MatrixMultiply", Rule::Works),
        ("PyNumber_InPlaceMatrixMultiply", Rule::Works),
        ("PyNumber_ToBase", Rule::Works),
        ("PyNumber_AsSsize_t", Rule::Works),
        ("PyNumber_Divmod", Rule::Works),
        ("PyNumber_Positive", Rule::Works),
        ("PyNumber_InPlaceAdd", Rule::Works),
        ("PyNumber_InPlaceSubtract", Rule::Works),
        ("PyNumber_InPlaceMultiply", Rule::Works),
        ("PyNumber_InPlaceFloorDivide", Rule::Works),
        ("PyNumber_InPlaceTrueDivide", Rule::Works),
        ("PyNumber_InPlaceRemainder", Rule::Works),
        ("PyNumber_InPlacePower", Rule::Works),
        ("PyNumber_InPlaceAnd", Rule::Works),
        ("PyNumber_InPlaceOr", Rule::Works),
        ("PyNumber_InPlaceXor", Rule::Works),
        ("PyNumber_InPlaceLshift", Rule::Works),
        ("PyNumber_InPlaceRshift", Rule::Works),
        ("PyIndex_Check", Rule::Works),
    ]
};
