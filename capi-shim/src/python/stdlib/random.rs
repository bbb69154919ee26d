//! A native `random` module producing CPython's sequences bit for bit: the Mersenne Twister
//! (MT19937, `Modules/_randommodule.c`) with CPython's seeding (`seed(int)`: `init_by_array`
//! over the 32-bit words of `abs(n)`; `seed(None)` and the import-time seed: 624 words from
//! the OS), `random`, `getrandbits`, and the `Lib/random.py` methods built on them as CPython
//! 3.11 defines them: `randrange` (through `_randbelow_with_getrandbits`), `randint`, `choice`,
//! `shuffle`, `uniform`. `seed` of a str/bytes (version 2 hashes it with SHA-512) is refused
//! with NotImplementedError; a float seeds with `hash(a)` as CPython does; other types are a TypeError (3.11).

use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive, Zero};
use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast, fastcall, nargs, Defs, END};
use crate::boundary::cx::{self, type_error, value_error};

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

const N: usize = 624;
const M: usize = 397;

/// MT19937 state, as CPython's `RandomObject`.
struct Mt {
    state: [u32; N],
    index: usize,
}

impl Mt {
    const fn new() -> Self {
        Mt {
            state: [0; N],
            index: N + 1,
        }
    }

    fn init_genrand(&mut self, s: u32) {
        let mt = &mut self.state;
        mt[0] = s;
        for i in 1..N {
            mt[i] = 1812433253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19650218);
        let mt = &mut self.state;
        let (mut i, mut j) = (1usize, 0usize);
        let klen = key.len();
        let mut k = N.max(klen);
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1664525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= klen {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1566083941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            k -= 1;
        }
        mt[0] = 0x8000_0000;
    }

    fn genrand_u32(&mut self) -> u32 {
        const MAG01: [u32; 2] = [0, 0x9908_b0df];
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        if self.index >= N {
            if self.index == N + 1 {
                self.init_genrand(5489);
            }
            let mt = &mut self.state;
            let mut kk = 0;
            while kk < N - M {
                let y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
                kk += 1;
            }
            while kk < N - 1 {
                let y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
                mt[kk] = mt[kk + M - N] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
                kk += 1;
            }
            let y = (mt[N - 1] & UPPER) | (mt[0] & LOWER);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `random()`: 53 random bits as a float in [0, 1).
    fn random(&mut self) -> f64 {
        let a = self.genrand_u32() >> 5;
        let b = self.genrand_u32() >> 6;
        (a as f64 * 67108864.0 + b as f64) * (1.0 / 9007199254740992.0)
    }

    /// `getrandbits(k)` for `k >= 0`.
    fn getrandbits(&mut self, k: u64) -> BigInt {
        if k == 0 {
            return BigInt::zero();
        }
        if k <= 32 {
            return BigInt::from(self.genrand_u32() >> (32 - k));
        }
        let words = k.div_ceil(32) as usize;
        let mut digits = Vec::with_capacity(words);
        let mut left = k;
        for _ in 0..words {
            let mut r = self.genrand_u32();
            if left < 32 {
                r >>= 32 - left;
            }
            digits.push(r);
            left = left.saturating_sub(32);
        }
        BigInt::from_slice(Sign::Plus, &digits)
    }

    /// `_randbelow_with_getrandbits(n)` for `n > 0`.
    fn randbelow(&mut self, n: &BigInt) -> BigInt {
        let k = n.bits();
        loop {
            let r = self.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }
}

/// The module's generator (CPython's hidden `random._inst`).
static STATE: Mutex<Mt> = Mutex::new(Mt::new());

fn state() -> std::sync::MutexGuard<'static, Mt> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Seeds from the OS (CPython's `random_seed_urandom`), else from the time and pid.
fn seed_from_os(mt: &mut Mt) {
    let mut key = [0u32; N];
    // SAFETY: `key` is a writable buffer of the given byte length.
    let got = unsafe { libc::getrandom(key.as_mut_ptr().cast(), std::mem::size_of_val(&key), 0) };
    if got == std::mem::size_of_val(&key) as isize {
        mt.init_by_array(&key);
        return;
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let words = [t as u32, (t >> 32) as u32, std::process::id()];
    mt.init_by_array(&words);
}

/// `seed(a)`: None reseeds from the OS; an int seeds with the words of `abs(a)`.
fn seed(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "seed", a, 0, 2)?;
    let none = cx.rt.none;
    let arg = a.first().copied().filter(|h| cx.get(*h) != none);
    let Some(arg) = arg else {
        seed_from_os(&mut state());
        return Ok(cx.root(none));
    };
    let o = cx.get(arg);
    let n: BigInt = if let Some(v) = cx.int_value(o) {
        v.to_big()
    } else if matches!(
        cx.kind_of(o),
        pyopaque_runtime::Kind::Str | pyopaque_runtime::Kind::Bytes
    ) || crate::objects::bytearray::is_bytearray(o)
    {
        return Err(cx::not_implemented(
            cx,
            "random.seed() of a str, bytes or bytearray (version 2 hashes it with SHA-512) is not supported by pyopaque",
        ));
    } else if cx::is_exact_float(o) {
        // The C seeder hashes what is not an int.
        let h = crate::r#abstract::object::hash(cx, arg)?;
        BigInt::from(h)
    } else {
        return Err(type_error(
            cx,
            "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
        ));
    };
    let (_, mut key) = n.abs().to_u32_digits();
    if key.is_empty() {
        key.push(0);
    }
    state().init_by_array(&key);
    Ok(cx.root(none))
}
fastcall!(r_seed, "seed", seed);

fn random(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "random", a, 0, 0)?;
    let v = state().random();
    Ok(cx.float(v))
}
fastcall!(r_random, "random", random);

fn getrandbits(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "getrandbits", a, 1, 1)?;
    let k = super::as_i64(cx, a[0])?;
    if k < 0 {
        return Err(value_error(cx, "number of bits must be non-negative"));
    }
    let r = state().getrandbits(k as u64);
    Ok(super::big(cx, r))
}
fastcall!(r_getrandbits, "getrandbits", getrandbits);

/// `_index(x)` for randrange's arguments (3.11: an integral float is accepted).
fn rr_index(cx: &mut Thread, h: Handle, which: usize) -> PyResult<BigInt> {
    let o = cx.get(h);
    if let Some(v) = cx.int_value(o) {
        return Ok(v.to_big());
    }
    if cx::is_exact_float(o) {
        let f = super::as_f64(cx, h)?;
        if f.is_finite() && f == f.trunc() {
            return Ok(num_traits::FromPrimitive::from_f64(f).expect("finite"));
        }
        if f.is_nan() {
            return Err(value_error(cx, "cannot convert float NaN to integer"));
        }
        if f.is_infinite() {
            return Err(cx::overflow_error(
                cx,
                "cannot convert float infinity to integer",
            ));
        }
        return Err(value_error(
            cx,
            &format!("non-integer arg {which} for randrange()"),
        ));
    }
    super::as_index(cx, h)
}

fn randrange_big(cx: &mut Thread, a: &[Handle]) -> PyResult<BigInt> {
    nargs(cx, "randrange", a, 1, 3)?;
    let none = cx.rt.none;
    let start = rr_index(cx, a[0], 1)?;
    let stop = a.get(1).copied().filter(|h| cx.get(*h) != none);
    let Some(stop) = stop else {
        if a.len() == 3 {
            return Err(type_error(cx, "Missing a non-None stop argument"));
        }
        if start.is_positive() {
            return Ok(state().randbelow(&start));
        }
        return Err(value_error(cx, "empty range for randrange()"));
    };
    let stop = rr_index(cx, stop, 2)?;
    let width = &stop - &start;
    let step = match a.get(2) {
        Some(&s) => rr_index(cx, s, 3)?,
        None => BigInt::from(1),
    };
    if step == BigInt::from(1) {
        if width.is_positive() {
            let r = state().randbelow(&width);
            return Ok(start + r);
        }
        return Err(value_error(
            cx,
            &format!("empty range for randrange() ({start}, {stop}, {width})"),
        ));
    }
    let n = if step.is_positive() {
        num_integer::Integer::div_floor(&(&width + &step - 1), &step)
    } else if step.is_negative() {
        num_integer::Integer::div_floor(&(&width + &step + 1), &step)
    } else {
        return Err(value_error(cx, "zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(value_error(cx, "empty range for randrange()"));
    }
    let r = state().randbelow(&n);
    Ok(start + step * r)
}

fn randrange(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    let r = randrange_big(cx, a)?;
    Ok(super::big(cx, r))
}
fastcall!(r_randrange, "randrange", randrange);

fn randint(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "randint", a, 2, 2)?;
    let b = rr_index(cx, a[1], 2)?;
    let b1 = super::big(cx, b + 1);
    let r = randrange_big(cx, &[a[0], b1])?;
    Ok(super::big(cx, r))
}
fastcall!(r_randint, "randint", randint);

fn choice(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "choice", a, 1, 1)?;
    let n = crate::r#abstract::object::length(cx, a[0])?;
    if n == 0 {
        return Err(cx::index_error(cx, "Cannot choose from an empty sequence"));
    }
    let i = state().randbelow(&BigInt::from(n));
    let ih = super::big(cx, i);
    crate::r#abstract::object::getitem(cx, a[0], ih)
}
fastcall!(r_choice, "choice", choice);

fn shuffle(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "shuffle", a, 1, 1)?;
    let x = a[0];
    let n = crate::r#abstract::object::length(cx, x)?;
    let mut i = n as i64 - 1;
    while i >= 1 {
        let j = state()
            .randbelow(&BigInt::from(i + 1))
            .to_i64()
            .expect("below len");
        let (ih, jh) = (cx.int(i), cx.int(j));
        let xi = crate::r#abstract::object::getitem(cx, x, ih)?;
        let xj = crate::r#abstract::object::getitem(cx, x, jh)?;
        crate::r#abstract::object::setitem(cx, x, ih, Some(xj))?;
        crate::r#abstract::object::setitem(cx, x, jh, Some(xi))?;
        i -= 1;
    }
    Ok(cx.root(cx.rt.none))
}
fastcall!(r_shuffle, "shuffle", shuffle);

fn uniform(cx: &mut Thread, _: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "uniform", a, 2, 2)?;
    let (lo, hi) = (super::as_f64(cx, a[0])?, super::as_f64(cx, a[1])?);
    let r = state().random();
    Ok(cx.float(lo + (hi - lo) * r))
}
fastcall!(r_uniform, "uniform", uniform);

static DEFS: Defs<10> = Defs([
    fast(c"seed", r_seed),
    fast(c"random", r_random),
    fast(c"getrandbits", r_getrandbits),
    fast(c"randrange", r_randrange),
    fast(c"randint", r_randint),
    fast(c"choice", r_choice),
    fast(c"shuffle", r_shuffle),
    fast(c"uniform", r_uniform),
    END,
    END,
]);

/// The `random` module (created and seeded from the OS on first use, then kept).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "random", &DEFS.0)?;
    seed_from_os(&mut state());
    super::keep(cx, &MODULE, m);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_1234_matches_cpython() {
        // python3 -c 'import random; random.seed(1234);
        //   print([random.randrange(n) for n in (1,7,100,2**40)])'
        let mut mt = Mt::new();
        mt.init_by_array(&[1234]);
        let got: Vec<BigInt> = [1u64, 7, 100, 1 << 40]
            .iter()
            .map(|&n| mt.randbelow(&BigInt::from(n)))
            .collect();
        let want: Vec<BigInt> = [0u64, 0, 0, 183365414236]
            .iter()
            .map(|&v| BigInt::from(v))
            .collect();
        assert_eq!(got, want);
    }
}
