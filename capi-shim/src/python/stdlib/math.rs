//! A native `math` module: the constants `pi`, `e`, `tau`, `inf`, `nan`; the one-argument float
//! functions (`sqrt`, `exp`, `expm1`, `log1p`, `log2`, `log10`, `sin`, `cos`, `tan`, `asin`,
//! `acos`, `atan`, `sinh`, `cosh`, `tanh`, `asinh`, `acosh`, `atanh`, `fabs`, `degrees`,
//! `radians`, `erf`, `erfc`, `gamma`, `lgamma`) with CPython's `math_1` error rules (a NaN from a
//! non-NaN argument is `ValueError("math domain error")`, an infinity from a finite one is
//! OverflowError or ValueError as in CPython); `log(x[, base])`, `pow`, `atan2`, `copysign`,
//! `fmod`, `hypot(*coords)`, `fsum` (Shewchuk's exact summation, ported from CPython), `floor`,
//! `ceil`, `trunc`, `isnan`, `isinf`, `isfinite`, `isclose`, `factorial`, `gcd`.

use std::sync::atomic::AtomicUsize;

use num_bigint::BigInt;
use num_traits::{FromPrimitive, One, Signed, Zero};
use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{as_f64, fast, fast_kw, fastcall, fastcall_kw, nargs, Defs, END};
use crate::boundary::cx::{overflow_error, type_error, value_error};

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

fn domain(cx: &mut Thread) -> pyopaque_runtime::Raised {
    value_error(cx, "math domain error")
}

fn range(cx: &mut Thread) -> pyopaque_runtime::Raised {
    overflow_error(cx, "math range error")
}

/// CPython's `math_1`: `f(x)` with its error rules.
fn math_1(
    cx: &mut Thread,
    name: &str,
    args: &[Handle],
    f: fn(f64) -> f64,
    can_overflow: bool,
) -> PyResult<Handle> {
    nargs(cx, name, args, 1, 1)?;
    let x = as_f64(cx, args[0])?;
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain(cx));
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow { range(cx) } else { domain(cx) });
    }
    Ok(cx.float(r))
}

macro_rules! one_arg {
    ($cname:ident, $name:literal, $f:expr, $ovf:expr) => {
        fastcall!($cname, $name, |cx, _, a| math_1(cx, $name, a, $f, $ovf));
    };
}

one_arg!(m_sqrt, "sqrt", f64::sqrt, false);
one_arg!(m_exp, "exp", f64::exp, true);
one_arg!(m_expm1, "expm1", f64::exp_m1, true);
one_arg!(m_sin, "sin", f64::sin, false);
one_arg!(m_cos, "cos", f64::cos, false);
one_arg!(m_tan, "tan", f64::tan, false);
one_arg!(m_asin, "asin", f64::asin, false);
one_arg!(m_acos, "acos", f64::acos, false);
one_arg!(m_atan, "atan", f64::atan, false);
one_arg!(m_sinh, "sinh", f64::sinh, true);
one_arg!(m_cosh, "cosh", f64::cosh, true);
one_arg!(m_tanh, "tanh", f64::tanh, false);
one_arg!(m_asinh, "asinh", f64::asinh, false);
one_arg!(m_acosh, "acosh", f64::acosh, false);
one_arg!(m_atanh, "atanh", atanh, false);
one_arg!(m_fabs, "fabs", f64::abs, false);
one_arg!(m_degrees, "degrees", f64::to_degrees, true);
one_arg!(m_radians, "radians", f64::to_radians, false);
one_arg!(m_erf, "erf", erf, false);
one_arg!(m_erfc, "erfc", erfc, false);
one_arg!(m_gamma, "gamma", gamma, true);
one_arg!(m_lgamma, "lgamma", lgamma, true);

fn atanh(x: f64) -> f64 {
    if x.abs() >= 1.0 {
        return f64::NAN;
    }
    x.atanh()
}

fn erf(x: f64) -> f64 {
    // SAFETY: a pure libm function.
    unsafe { libm_erf(x) }
}
fn erfc(x: f64) -> f64 {
    // SAFETY: a pure libm function.
    unsafe { libm_erfc(x) }
}
fn gamma(x: f64) -> f64 {
    if x.is_finite() && x <= 0.0 && x == x.floor() {
        return f64::NAN;
    }
    // SAFETY: a pure libm function.
    unsafe { libm_tgamma(x) }
}
fn lgamma(x: f64) -> f64 {
    if x.is_finite() && x <= 0.0 && x == x.floor() {
        return f64::INFINITY;
    }
    // SAFETY: a pure libm function.
    unsafe { libm_lgamma(x) }
}

extern "C" {
    #[link_name = "erf"]
    fn libm_erf(x: f64) -> f64;
    #[link_name = "erfc"]
    fn libm_erfc(x: f64) -> f64;
    #[link_name = "tgamma"]
    fn libm_tgamma(x: f64) -> f64;
    #[link_name = "lgamma"]
    fn libm_lgamma(x: f64) -> f64;
}

/// CPython's `loghelper`: `func(x)` for a float or an int of any size (an int too large for a
/// float is split as `m * 2**e` first), with the domain errors of `m_log`.
fn loghelper(cx: &mut Thread, h: Handle, func: fn(f64) -> f64) -> PyResult<f64> {
    let o = cx.get(h);
    if let Some(v) = cx.int_value(o) {
        let b = v.to_big();
        if !b.is_positive() {
            return Err(domain(cx));
        }
        let f = b.to_string().parse::<f64>().unwrap_or(f64::INFINITY);
        if f.is_finite() {
            return Ok(func(f));
        }
        // _PyLong_Frexp: b = m * 2**e with 0.5 <= m < 1.
        let e = b.bits();
        let top: BigInt = &b >> (e - 64);
        let m =
            num_traits::ToPrimitive::to_u64(&top).expect("64 bits") as f64 / 18446744073709551616.0;
        return Ok(func(m) + func(2.0) * e as f64);
    }
    let x = as_f64(cx, h)?;
    if x.is_nan() || x == f64::INFINITY {
        return Ok(x);
    }
    if x <= 0.0 {
        return Err(domain(cx));
    }
    Ok(func(x))
}

fn log(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "log", a, 1, 2)?;
    let num = loghelper(cx, a[0], f64::ln)?;
    if a.len() == 2 {
        let den = loghelper(cx, a[1], f64::ln)?;
        if den == 0.0 {
            return Err(crate::python::stdlib::raise(
                cx,
                "ZeroDivisionError",
                "float division by zero",
            ));
        }
        return Ok(cx.float(num / den));
    }
    Ok(cx.float(num))
}
fastcall!(m_log, "log", log);

fn log2(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "log2", a, 1, 1)?;
    let v = loghelper(cx, a[0], f64::log2)?;
    Ok(cx.float(v))
}
fastcall!(m_log2, "log2", log2);

fn log10(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "log10", a, 1, 1)?;
    let v = loghelper(cx, a[0], f64::log10)?;
    Ok(cx.float(v))
}
fastcall!(m_log10, "log10", log10);

fn log1p(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "log1p", a, 1, 1)?;
    let x = as_f64(cx, a[0])?;
    if x <= -1.0 {
        return Err(domain(cx));
    }
    Ok(cx.float(x.ln_1p()))
}
fastcall!(m_log1p, "log1p", log1p);

fn two_floats(cx: &mut Thread, name: &str, a: &[Handle]) -> PyResult<(f64, f64)> {
    nargs(cx, name, a, 2, 2)?;
    Ok((as_f64(cx, a[0])?, as_f64(cx, a[1])?))
}

fn pow(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let (x, y) = two_floats(cx, "pow", a)?;
    // CPython's math_pow: special cases first, then libm with its error rules.
    let r = if !x.is_finite() || !y.is_finite() {
        if x.is_nan() {
            if y == 0.0 {
                1.0
            } else {
                x
            }
        } else if y.is_nan() {
            if x == 1.0 {
                1.0
            } else {
                y
            }
        } else if x.is_infinite() {
            let odd_y = y.is_finite() && (y % 2.0).abs() == 1.0;
            if y > 0.0 {
                if odd_y {
                    x
                } else {
                    x.abs()
                }
            } else if y == 0.0 {
                1.0
            } else if odd_y {
                0.0f64.copysign(x)
            } else {
                0.0
            }
        } else {
            // y is infinite, x finite.
            if x.abs() == 1.0 {
                1.0
            } else if (y > 0.0) == (x.abs() > 1.0) {
                y.abs()
            } else {
                0.0
            }
        }
    } else {
        if x == 0.0 && y < 0.0 {
            return Err(domain(cx));
        }
        if x < 0.0 && y != y.floor() {
            return Err(domain(cx));
        }
        let r = x.powf(y);
        if r.is_infinite() {
            return Err(range(cx));
        }
        r
    };
    Ok(cx.float(r))
}
fastcall!(m_pow, "pow", pow);

fn atan2(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let (y, x) = two_floats(cx, "atan2", a)?;
    Ok(cx.float(y.atan2(x)))
}
fastcall!(m_atan2, "atan2", atan2);

fn copysign(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let (x, y) = two_floats(cx, "copysign", a)?;
    Ok(cx.float(x.copysign(y)))
}
fastcall!(m_copysign, "copysign", copysign);

fn fmod(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let (x, y) = two_floats(cx, "fmod", a)?;
    if y.is_infinite() && x.is_finite() {
        return Ok(cx.float(x));
    }
    let r = x % y;
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain(cx));
    }
    Ok(cx.float(r))
}
fastcall!(m_fmod, "fmod", fmod);

fn hypot(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let mut r = 0.0f64;
    let mut nan = false;
    let mut inf = false;
    for &h in a {
        let v = as_f64(cx, h)?;
        if v.is_infinite() {
            inf = true;
        } else if v.is_nan() {
            nan = true;
        } else {
            r = r.hypot(v);
        }
    }
    Ok(cx.float(if inf {
        f64::INFINITY
    } else if nan {
        f64::NAN
    } else {
        r
    }))
}
fastcall!(m_hypot, "hypot", hypot);

/// CPython's `math_fsum` (Shewchuk's algorithm with correctly rounded final sum).
fn fsum(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "fsum", a, 1, 1)?;
    let it = crate::r#abstract::object::iter(cx, a[0])?;
    let mut p: Vec<f64> = Vec::new();
    let (mut special_sum, mut inf_sum) = (0.0f64, 0.0f64);
    while let Some(item) = crate::r#abstract::object::next(cx, it)? {
        let mut x = as_f64(cx, item)?;
        let xsave = x;
        let mut i = 0;
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        p.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // A nonfinite x could arise from a finite sum overflowing or from a nonfinite
                // item.
                if xsave.is_finite() {
                    return Err(overflow_error(cx, "intermediate overflow in fsum"));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special_sum += xsave;
                p.clear();
            } else {
                p.push(x);
            }
        }
    }
    if special_sum != 0.0 {
        if inf_sum.is_nan() {
            return Err(value_error(cx, "-inf + inf in fsum"));
        }
        return Ok(cx.float(special_sum));
    }
    let mut hi = 0.0f64;
    let mut n = p.len();
    if n > 0 {
        n -= 1;
        hi = p[n];
        let mut lo = 0.0f64;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Make half-even rounding work across multiple partials.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(cx.float(hi))
}
fastcall!(m_fsum, "fsum", fsum);

/// An f64 with an integral value as an int (OverflowError/ValueError for inf/NaN).
fn float_to_int(cx: &mut Thread, v: f64) -> PyResult<Handle> {
    if v.is_nan() {
        return Err(value_error(cx, "cannot convert float NaN to integer"));
    }
    if v.is_infinite() {
        return Err(overflow_error(
            cx,
            "cannot convert float infinity to integer",
        ));
    }
    let b = BigInt::from_f64(v).expect("finite");
    Ok(super::big(cx, b))
}

/// `floor`/`ceil`/`trunc`: an int stays itself, a float is rounded, another object's
/// `__floor__`/`__ceil__`/`__trunc__` is called (else, for floor and ceil, its float value).
fn rounding(
    cx: &mut Thread,
    name: &str,
    dunder: &str,
    a: &[Handle],
    f: fn(f64) -> f64,
) -> PyResult<Handle> {
    nargs(cx, name, a, 1, 1)?;
    let o = cx.get(a[0]);
    if crate::boundary::cx::is_exact_float(o) {
        let v = as_f64(cx, a[0])?;
        return float_to_int(cx, f(v));
    }
    if cx::is_exact_int(o) {
        return Ok(a[0]);
    }
    let t = cx.type_of(o);
    let th = cx.root(t);
    if let Some(m) = crate::r#abstract::object::getattr_opt(cx, th, dunder)? {
        return crate::r#abstract::call::call(cx, m, &[a[0]], &[]);
    }
    if dunder == "__trunc__" {
        let tn = crate::boundary::cx::tname(cx, o);
        return Err(type_error(
            cx,
            &format!("type {tn} doesn't define __trunc__ method"),
        ));
    }
    let v = as_f64(cx, a[0])?;
    float_to_int(cx, f(v))
}
use crate::boundary::cx;

fastcall!(m_floor, "floor", |cx, _, a| rounding(
    cx,
    "floor",
    "__floor__",
    a,
    f64::floor
));
fastcall!(m_ceil, "ceil", |cx, _, a| rounding(
    cx,
    "ceil",
    "__ceil__",
    a,
    f64::ceil
));
fastcall!(m_trunc, "trunc", |cx, _, a| rounding(
    cx,
    "trunc",
    "__trunc__",
    a,
    f64::trunc
));

fn predicate(cx: &mut Thread, name: &str, a: &[Handle], f: fn(f64) -> bool) -> PyResult<Handle> {
    nargs(cx, name, a, 1, 1)?;
    let v = as_f64(cx, a[0])?;
    let b = if f(v) { cx.rt.true_ } else { cx.rt.false_ };
    Ok(cx.root(b))
}
fastcall!(m_isnan, "isnan", |cx, _, a| predicate(
    cx,
    "isnan",
    a,
    f64::is_nan
));
fastcall!(m_isinf, "isinf", |cx, _, a| predicate(
    cx,
    "isinf",
    a,
    f64::is_infinite
));
fastcall!(m_isfinite, "isfinite", |cx, _, a| predicate(
    cx,
    "isfinite",
    a,
    f64::is_finite
));

fn isclose(
    cx: &mut Thread,
    _: Option<Handle>,
    a: &[Handle],
    kw: &[(Handle, Handle)],
) -> PyResult<Handle> {
    if a.len() != 2 {
        return Err(type_error(
            cx,
            &format!(
                "isclose() takes exactly 2 positional arguments ({} given)",
                a.len()
            ),
        ));
    }
    let (x, y) = (as_f64(cx, a[0])?, as_f64(cx, a[1])?);
    let (mut rel_tol, mut abs_tol) = (1e-9f64, 0.0f64);
    for &(k, v) in kw {
        let ko = cx.get(k);
        match cx.str_value(ko) {
            Some("rel_tol") => rel_tol = as_f64(cx, v)?,
            Some("abs_tol") => abs_tol = as_f64(cx, v)?,
            other => {
                let n = other.unwrap_or("?").to_string();
                return Err(type_error(
                    cx,
                    &format!("isclose() got an unexpected keyword argument '{n}'"),
                ));
            }
        }
    }
    if rel_tol < 0.0 || abs_tol < 0.0 {
        return Err(value_error(cx, "tolerances must be non-negative"));
    }
    let r = if x == y {
        true
    } else if x.is_infinite() || y.is_infinite() {
        false
    } else {
        let diff = (y - x).abs();
        (diff <= (rel_tol * y).abs()) || (diff <= (rel_tol * x).abs()) || diff <= abs_tol
    };
    let b = if r { cx.rt.true_ } else { cx.rt.false_ };
    Ok(cx.root(b))
}
fastcall_kw!(m_isclose, "isclose", isclose);

fn factorial(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "factorial", a, 1, 1)?;
    let o = cx.get(a[0]);
    if crate::boundary::cx::is_exact_float(o) {
        return Err(type_error(
            cx,
            "'float' object cannot be interpreted as an integer",
        ));
    }
    let n = super::as_index(cx, a[0])?;
    if n.is_negative() {
        return Err(value_error(
            cx,
            "factorial() not defined for negative values",
        ));
    }
    let Some(n) = num_traits::ToPrimitive::to_u64(&n).filter(|v| *v <= 1_000_000) else {
        return Err(overflow_error(
            cx,
            "factorial() argument should not exceed 9223372036854775807",
        ));
    };
    let mut r = BigInt::one();
    for i in 2..=n {
        r *= i;
    }
    Ok(super::big(cx, r))
}
fastcall!(m_factorial, "factorial", factorial);

fn gcd(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let mut g = BigInt::zero();
    for &h in a {
        let v = super::as_index(cx, h)?;
        g = crate::r#abstract::number::_gcd(&g, &v);
    }
    Ok(super::big(cx, g.abs()))
}
fastcall!(m_gcd, "gcd", gcd);

static DEFS: Defs<42> = Defs([
    fast(c"sqrt", m_sqrt),
    fast(c"exp", m_exp),
    fast(c"expm1", m_expm1),
    fast(c"sin", m_sin),
    fast(c"cos", m_cos),
    fast(c"tan", m_tan),
    fast(c"asin", m_asin),
    fast(c"acos", m_acos),
    fast(c"atan", m_atan),
    fast(c"sinh", m_sinh),
    fast(c"cosh", m_cosh),
    fast(c"tanh", m_tanh),
    fast(c"asinh", m_asinh),
    fast(c"acosh", m_acosh),
    fast(c"atanh", m_atanh),
    fast(c"fabs", m_fabs),
    fast(c"degrees", m_degrees),
    fast(c"radians", m_radians),
    fast(c"erf", m_erf),
    fast(c"erfc", m_erfc),
    fast(c"gamma", m_gamma),
    fast(c"lgamma", m_lgamma),
    fast(c"log", m_log),
    fast(c"log2", m_log2),
    fast(c"log10", m_log10),
    fast(c"log1p", m_log1p),
    fast(c"pow", m_pow),
    fast(c"atan2", m_atan2),
    fast(c"copysign", m_copysign),
    fast(c"fmod", m_fmod),
    fast(c"hypot", m_hypot),
    fast(c"fsum", m_fsum),
    fast(c"floor", m_floor),
    fast(c"ceil", m_ceil),
    fast(c"trunc", m_trunc),
    fast(c"isnan", m_isnan),
    fast(c"isinf", m_isinf),
    fast(c"isfinite", m_isfinite),
    fast_kw(c"isclose", m_isclose),
    fast(c"factorial", m_factorial),
    fast(c"gcd", m_gcd),
    END,
]);

/// The `math` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "math", &DEFS.0)?;
    for (n, v) in [
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("tau", std::f64::consts::TAU),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        let f = cx.float(v);
        super::put(cx, m, n, f)?;
    }
    super::keep(cx, &MODULE, m);
    Ok(m)
}
