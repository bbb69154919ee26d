//! The object protocol for builtin types, with CPython's semantics: type queries, `repr`, `str`,
//! `hash`, `==`, ordering, truth, and numeric binary operations across int, bool and float.

use std::cmp::Ordering;

use crate::binding::{kind_of_heap, type_payload};
use crate::header::header_of;
use crate::objects::float::{cmp_int_float, float_hash, float_value};
use crate::objects::int::{int_cmp, IntOp, IntValue};
use crate::objects::text::{str_char_len, str_value, text_bytes, text_hash};
use crate::objects::tuple::{tuple_item, tuple_len};
use crate::objref::ObjRef;
use crate::thread::{Handle, PyResult, Raised, Thread};
use crate::types::Kind;

/// Comparison operators (values match CPython's `Py_LT`..`Py_GE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Lt = 0,
    /// `<=`
    Le = 1,
    /// `==`
    Eq = 2,
    /// `!=`
    Ne = 3,
    /// `>`
    Gt = 4,
    /// `>=`
    Ge = 5,
}

impl CompareOp {
    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        ["<", "<=", "==", "!=", ">", ">="][self as usize]
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            CompareOp::Lt => o == Ordering::Less,
            CompareOp::Le => o != Ordering::Greater,
            CompareOp::Eq => o == Ordering::Equal,
            CompareOp::Ne => o != Ordering::Equal,
            CompareOp::Gt => o == Ordering::Greater,
            CompareOp::Ge => o != Ordering::Less,
        }
    }
}

/// Numeric binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
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
    /// `/`
    TrueDiv,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::TrueDiv => "/",
        }
    }
}

enum Num {
    Int(IntValue),
    Float(f64),
}

/// The object protocol for [`Kind::Native`] objects, whose behaviour the runtime does not know
/// (shim-defined types such as `set`, instances of C types with their `tp_hash` /
/// `tp_richcompare` / `nb_bool` / `tp_repr` slots). Installed once per runtime by the C API
/// shim ([`crate::Runtime::set_protocol_hooks`]); without hooks, native objects hash and compare
/// by identity, are true, and print as `<T object at 0x...>`. The runtime consults the hooks
/// only on the paths where a native object is involved, so builtin keys never pay for them.
pub struct ProtocolHooks {
    /// `hash(obj)` for a native object (raises for unhashable types).
    pub hash: fn(&mut Thread, Handle) -> PyResult<i64>,
    /// Rich comparison when at least one operand is native: `Ok(None)` when neither side
    /// implements it (the runtime then falls back to identity for `==`/`!=` and raises
    /// TypeError for ordering).
    pub compare: fn(&mut Thread, Handle, Handle, CompareOp) -> PyResult<Option<bool>>,
    /// `bool(obj)` for a native object.
    pub truth: fn(&mut Thread, Handle) -> PyResult<bool>,
    /// `repr(obj)` for a native object.
    pub repr: fn(&mut Thread, Handle) -> PyResult<String>,
}

impl Thread {
    /// The type of `obj` (`int` for immediates). Debug builds check `obj` is not stale.
    #[inline]
    #[track_caller]
    pub fn type_of(&self, obj: ObjRef) -> ObjRef {
        self.check(obj);
        if obj.is_tagged() {
            self.rt.types.int
        } else {
            header_of(obj).ty()
        }
    }

    /// The payload kind of `obj`. Debug builds check `obj` is not stale.
    #[inline]
    #[track_caller]
    pub fn kind_of(&self, obj: ObjRef) -> Kind {
        self.check(obj);
        if obj.is_tagged() {
            Kind::Int
        } else {
            kind_of_heap(obj)
        }
    }

    /// `issubclass(a, b)` for type objects: `b` in `a`'s MRO (its recorded C3 order, else its
    /// base chain).
    pub fn is_subtype(&self, a: ObjRef, b: ObjRef) -> bool {
        if let Some(m) = type_payload(a).mro.get() {
            return m.contains(&b);
        }
        let mut t = Some(a);
        while let Some(x) = t {
            if x == b {
                return true;
            }
            t = type_payload(x).base;
        }
        false
    }

    /// `isinstance(obj, ty)`.
    pub fn is_instance(&self, obj: ObjRef, ty: ObjRef) -> bool {
        self.is_subtype(self.type_of(obj), ty)
    }

    /// The type's `__name__`.
    pub fn type_name(&self, ty: ObjRef) -> &'static str {
        type_payload(ty).short_name()
    }

    fn num(&self, obj: ObjRef) -> Option<Num> {
        if let Some(v) = obj.as_small_int() {
            return Some(Num::Int(IntValue::Small(v)));
        }
        match kind_of_heap(obj) {
            Kind::Int | Kind::Bool => self.int_value(obj).map(Num::Int),
            Kind::Float => Some(Num::Float(float_value(obj))),
            _ => None,
        }
    }

    /// The float value of a float or int (None for other types; ints too large raise).
    pub fn float_value_of(&mut self, obj: ObjRef) -> PyResult<Option<f64>> {
        match self.num(obj) {
            Some(Num::Float(f)) => Ok(Some(f)),
            Some(Num::Int(IntValue::Small(v))) => Ok(Some(v as f64)),
            Some(Num::Int(IntValue::Big(b))) => {
                use num_traits::ToPrimitive;
                match b.to_f64().filter(|f| f.is_finite()) {
                    Some(f) => Ok(Some(f)),
                    None => {
                        let t = self.rt.types.exc.overflow_error;
                        Err(self.raise(t, "int too large to convert to float"))
                    }
                }
            }
            None => Ok(None),
        }
    }

    /// `hash(obj)`. TypeError for unhashable builtins (list, dict).
    pub fn hash(&mut self, h: Handle) -> PyResult<i64> {
        let obj = self.get(h);
        if let Some(v) = obj.as_small_int() {
            return Ok(IntValue::Small(v).hash());
        }
        match kind_of_heap(obj) {
            Kind::Int | Kind::Bool => Ok(self.int_value(obj).unwrap().hash()),
            Kind::Float => Ok(float_hash(float_value(obj))),
            Kind::Str | Kind::Bytes => Ok(text_hash(obj)),
            Kind::Tuple => self.tuple_hash(h),
            Kind::List | Kind::Dict => {
                let name = self.type_name(self.type_of(obj));
                let t = self.rt.types.exc.type_error;
                Err(self.raise(t, &format!("unhashable type: '{name}'")))
            }
            Kind::Native => match self.rt.protocol_hooks() {
                Some(p) => (p.hash)(self, h),
                None => Ok(self.identity_hash(obj)),
            },
            Kind::Type | Kind::Singleton | Kind::Exception => Ok(self.identity_hash(obj)),
        }
    }

    /// Default (identity) hash. Under a moving collector an address is not stable, so the
    /// object is pinned from then on (flag `ADDRESS_TAKEN`), like CPython's `id()`.
    pub fn identity_hash(&self, obj: ObjRef) -> i64 {
        let h = header_of(obj);
        // PINNED (the collector's flag) keeps the object in place from now on; ADDRESS_TAKEN
        // records why, for statistics.
        h.gc_flags().fetch_or(
            crate::header::flags::ADDRESS_TAKEN | pyopaque_gc::flags::PINNED,
            std::sync::atomic::Ordering::Relaxed,
        );
        let a = obj.as_ptr().addr();
        // CPython rotates the address right by 4 bits.
        let v = a.rotate_right(4) as i64;
        if v == -1 {
            -2
        } else {
            v
        }
    }

    fn tuple_hash(&mut self, h: Handle) -> PyResult<i64> {
        // CPython's tuple hash (an xxHash-derived combination of the item hashes).
        const P1: u64 = 11400714785074694791;
        const P2: u64 = 14029467366897019727;
        const P5: u64 = 2870177450012600261;
        let len = tuple_len(self.get(h));
        let mut acc = P5;
        for i in 0..len {
            let item = tuple_item(self.get(h), i).expect("tuple item is NULL");
            let m = self.mark();
            let ih = self.root(item);
            let lane = self.hash(ih);
            self.release(m);
            let lane = lane? as u64;
            acc = acc.wrapping_add(lane.wrapping_mul(P2));
            acc = acc.rotate_left(31);
            acc = acc.wrapping_mul(P1);
        }
        acc = acc.wrapping_add((len as u64) ^ (P5 ^ 3527539));
        if acc == u64::MAX {
            return Ok(1546275796);
        }
        Ok(acc as i64)
    }

    /// `a == b` as a bool.
    pub fn eq(&mut self, a: Handle, b: Handle) -> PyResult<bool> {
        self.compare(a, b, CompareOp::Eq)
    }

    /// Rich comparison of builtin values, with CPython's rules (numbers compare by value across
    /// int, bool and float; sequences lexicographically; `==` falls back to identity; ordering
    /// between unrelated types raises TypeError).
    pub fn compare(&mut self, a: Handle, b: Handle, op: CompareOp) -> PyResult<bool> {
        let (x, y) = (self.get(a), self.get(b));
        if x == y && matches!(op, CompareOp::Eq | CompareOp::Le | CompareOp::Ge) {
            // Identity implies equality except for NaN floats.
            if !matches!(self.num(x), Some(Num::Float(f)) if f.is_nan()) {
                return Ok(true);
            }
        }
        if let (Some(p), Some(q)) = (self.num(x), self.num(y)) {
            let ord = match (&p, &q) {
                (Num::Int(i), Num::Int(j)) => Some(int_cmp(i, j)),
                (Num::Float(f), Num::Float(g)) => f.partial_cmp(g),
                (Num::Int(i), Num::Float(g)) => cmp_int_float(i, *g),
                (Num::Float(f), Num::Int(j)) => cmp_int_float(j, *f).map(Ordering::reverse),
            };
            return Ok(match ord {
                Some(o) => op.holds(o),
                None => op == CompareOp::Ne,
            });
        }
        let (kx, ky) = (self.kind_of(x), self.kind_of(y));
        let ord = match (kx, ky) {
            (Kind::Str, Kind::Str) => Some(str_value(x).cmp(str_value(y))),
            (Kind::Bytes, Kind::Bytes) => Some(text_bytes(x).cmp(text_bytes(y))),
            (Kind::Tuple, Kind::Tuple) => return self.sequence_compare(a, b, op),
            (Kind::List, Kind::List) => return self.list_compare(a, b, op),
            (Kind::Dict, Kind::Dict) if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
                let eq = self.dict_eq(a, b)?;
                return Ok(eq == (op == CompareOp::Eq));
            }
            _ => None,
        };
        if ord.is_none() && (kx == Kind::Native || ky == Kind::Native) {
            if let Some(v) = self.native_compare(a, b, op)? {
                return Ok(v);
            }
        }
        let (x, y) = (self.get(a), self.get(b));
        match ord {
            Some(o) => Ok(op.holds(o)),
            None => match op {
                CompareOp::Eq => Ok(x == y),
                CompareOp::Ne => Ok(x != y),
                _ => Err(self.type_error_between(
                    x,
                    y,
                    &format!("'{}' not supported between instances of", op.symbol()),
                )),
            },
        }
    }

    /// The comparison hook for native operands (cold: out of line so that builtin comparisons
    /// keep their code layout).
    #[cold]
    #[inline(never)]
    fn native_compare(&mut self, a: Handle, b: Handle, op: CompareOp) -> PyResult<Option<bool>> {
        match self.rt.protocol_hooks() {
            Some(p) => (p.compare)(self, a, b, op),
            None => Ok(None),
        }
    }

    /// Lexicographic comparison of two tuples.
    fn sequence_compare(&mut self, a: Handle, b: Handle, op: CompareOp) -> PyResult<bool> {
        let (la, lb) = (tuple_len(self.get(a)), tuple_len(self.get(b)));
        let items = |cx: &Thread, h: Handle, i: usize| tuple_item(cx.get(h), i).unwrap();
        self.lexicographic(a, b, la, lb, op, &items)
    }

    /// Lexicographic comparison of two sequences given their lengths and an item accessor that
    /// returns a reference valid until the next allocation.
    pub(crate) fn lexicographic(
        &mut self,
        a: Handle,
        b: Handle,
        la: usize,
        lb: usize,
        op: CompareOp,
        item: &dyn Fn(&Thread, Handle, usize) -> ObjRef,
    ) -> PyResult<bool> {
        if la != lb && matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Ok(op == CompareOp::Ne);
        }
        for i in 0..la.min(lb) {
            let m = self.mark();
            let xa = item(self, a, i);
            let xa = self.root(xa);
            let xb = item(self, b, i);
            let xb = self.root(xb);
            let same = self.eq(xa, xb);
            let r = match same {
                Ok(true) => None,
                Ok(false) => Some(match op {
                    CompareOp::Eq => Ok(false),
                    CompareOp::Ne => Ok(true),
                    _ => self.compare(xa, xb, op),
                }),
                Err(e) => Some(Err(e)),
            };
            self.release(m);
            if let Some(r) = r {
                return r;
            }
        }
        Ok(op.holds(la.cmp(&lb)))
    }

    fn dict_eq(&mut self, a: Handle, b: Handle) -> PyResult<bool> {
        if self.dict_len(self.get(a)) != self.dict_len(self.get(b)) {
            return Ok(false);
        }
        let mut pos = 0;
        loop {
            let m = self.mark();
            let Some((k, v)) = self.dict_next(self.get(a), &mut pos) else {
                self.release(m);
                return Ok(true);
            };
            let (k, v) = (self.root(k), self.root(v));
            let r = match self.dict_get(b, k) {
                Ok(Some(w)) => self.eq(v, w),
                Ok(None) => Ok(false),
                Err(e) => Err(e),
            };
            self.release(m);
            if !r? {
                return Ok(false);
            }
        }
    }

    /// `bool(obj)`.
    pub fn truth(&mut self, h: Handle) -> PyResult<bool> {
        let obj = self.get(h);
        if let Some(v) = obj.as_small_int() {
            return Ok(v != 0);
        }
        Ok(match kind_of_heap(obj) {
            Kind::Singleton => false,
            Kind::Bool => crate::objects::int::bool_value(obj),
            Kind::Int => !matches!(self.int_value(obj), Some(IntValue::Small(0))),
            Kind::Float => float_value(obj) != 0.0,
            Kind::Str | Kind::Bytes => !text_bytes(obj).is_empty(),
            Kind::Tuple => tuple_len(obj) != 0,
            Kind::List => self.list_len(obj) != 0,
            Kind::Dict => self.dict_len(obj) != 0,
            Kind::Native => match self.rt.protocol_hooks() {
                Some(p) => return (p.truth)(self, h),
                None => true,
            },
            Kind::Type | Kind::Exception => true,
        })
    }

    /// Numeric binary operation on int, bool and float operands; TypeError otherwise.
    pub fn binop(&mut self, a: Handle, b: Handle, op: BinOp) -> PyResult<Handle> {
        let (x, y) = (self.get(a), self.get(b));
        // Fast path: two immediates.
        if let (Some(i), Some(j)) = (x.as_small_int(), y.as_small_int()) {
            let r = match op {
                BinOp::Add => i.checked_add(j),
                BinOp::Sub => i.checked_sub(j),
                BinOp::Mul => i.checked_mul(j),
                _ => None,
            };
            if let Some(v) = r {
                return Ok(self.int(v));
            }
        }
        match (self.num(x), self.num(y)) {
            (Some(Num::Int(i)), Some(Num::Int(j))) => {
                let iop = match op {
                    BinOp::Add => IntOp::Add,
                    BinOp::Sub => IntOp::Sub,
                    BinOp::Mul => IntOp::Mul,
                    BinOp::FloorDiv => IntOp::FloorDiv,
                    BinOp::Mod => IntOp::Mod,
                    BinOp::TrueDiv => {
                        let (f, g) = (
                            self.float_value_of(x)?.unwrap(),
                            self.float_value_of(y)?.unwrap(),
                        );
                        return self.float_binop(f, g, op);
                    }
                };
                self.int_binop(iop, &i, &j)
            }
            (Some(_), Some(_)) => {
                let (f, g) = (
                    self.float_value_of(x)?.unwrap(),
                    self.float_value_of(y)?.unwrap(),
                );
                self.float_binop(f, g, op)
            }
            _ => Err(self.type_error_between(
                x,
                y,
                &format!("unsupported operand type(s) for {}:", op.symbol()),
            )),
        }
    }

    /// Raises `TypeError("<what> '<type of x>' and '<type of y>'")`, CPython's wording for
    /// operations between unsupported types.
    fn type_error_between(&mut self, x: ObjRef, y: ObjRef, what: &str) -> Raised {
        let (nx, ny) = (
            self.type_name(self.type_of(x)),
            self.type_name(self.type_of(y)),
        );
        let t = self.rt.types.exc.type_error;
        self.raise(t, &format!("{what} '{nx}' and '{ny}'"))
    }

    fn float_binop(&mut self, f: f64, g: f64, op: BinOp) -> PyResult<Handle> {
        let zero = |cx: &mut Thread, msg: &str| -> Raised {
            let t = cx.rt.types.exc.zero_division_error;
            cx.raise(t, msg)
        };
        let v = match op {
            BinOp::Add => f + g,
            BinOp::Sub => f - g,
            BinOp::Mul => f * g,
            BinOp::TrueDiv => {
                if g == 0.0 {
                    return Err(zero(self, "division by zero"));
                }
                f / g
            }
            BinOp::FloorDiv => {
                if g == 0.0 {
                    return Err(zero(self, "float floor division by zero"));
                }
                py_float_divmod(f, g).0
            }
            BinOp::Mod => {
                if g == 0.0 {
                    return Err(zero(self, "float modulo"));
                }
                py_float_divmod(f, g).1
            }
        };
        Ok(self.float(v))
    }

    /// `-obj` for numbers.
    pub fn neg(&mut self, h: Handle) -> PyResult<Handle> {
        let obj = self.get(h);
        match self.num(obj) {
            Some(Num::Int(i)) => Ok(self.int_neg(&i)),
            Some(Num::Float(f)) => Ok(self.float(-f)),
            None => {
                let n = self.type_name(self.type_of(obj));
                let t = self.rt.types.exc.type_error;
                Err(self.raise(t, &format!("bad operand type for unary -: '{n}'")))
            }
        }
    }

    /// Length in code points of a str (cached).
    pub fn str_len(&self, obj: ObjRef) -> usize {
        str_char_len(obj)
    }
}

/// Python's float divmod: the remainder takes the sign of the divisor.
fn py_float_divmod(f: f64, g: f64) -> (f64, f64) {
    let mut m = f % g;
    let mut div = (f - m) / g;
    if m != 0.0 {
        if (g < 0.0) != (m < 0.0) {
            m += g;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(g);
    }
    let floordiv = if div != 0.0 {
        let fl = div.floor();
        if div - fl > 0.5 {
            fl + 1.0
        } else {
            fl
        }
    } else {
        0.0f64.copysign(f / g)
    };
    (floordiv, m)
}
