//! Strategies: which storage an element fits ([`Item`]), the one generic description of the
//! unboxed strategies ([`Unboxed`], implemented by `i64` and `f64` through wrap/unwrap), the one
//! function that widens a storage ([`switch_to`]), and the probe used by `==` searches.

use num_bigint::BigInt;
use num_traits::{FromPrimitive, ToPrimitive};

use super::payload;
use super::storage::{Storage, Strategy};
use crate::header::header_of;
use crate::objects::float::float_value;
use crate::objects::int::{int_repr, IntRepr, IntValue};
use crate::objref::ObjRef;
use crate::thread::{Handle, Thread};
use crate::types::Kind;

/// 2^63 as a float: the bound of `i64`'s range (exactly representable).
const TWO63: f64 = 9_223_372_036_854_775_808.0;

/// What an element is, as far as storage is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Item {
    /// An exact `int` whose value fits `i64` (not a bool, not a big int).
    Int(i64),
    /// An exact `float`.
    Float(f64),
    /// Anything else.
    Obj,
}

impl Item {
    /// The least strategy holding this element.
    pub(crate) fn strategy(self) -> Strategy {
        match self {
            Item::Int(_) => Strategy::Int,
            Item::Float(_) => Strategy::Float,
            Item::Obj => Strategy::Object,
        }
    }
}

/// Classifies `obj` (no allocation). Exact types only: `bool` and subclasses are objects.
#[inline]
pub(crate) fn classify(cx: &Thread, obj: ObjRef) -> Item {
    if let Some(v) = obj.as_small_int() {
        return Item::Int(v);
    }
    let ty = header_of(obj).ty();
    if ty == cx.rt.types.int {
        match int_repr(obj) {
            IntRepr::Small(v) => Item::Int(*v),
            IntRepr::Big(_) => Item::Obj,
        }
    } else if ty == cx.rt.types.float {
        Item::Float(float_value(obj))
    } else {
        Item::Obj
    }
}

/// An unboxed element type. One generic implementation of every list operation serves both
/// unboxed strategies through these functions.
pub(crate) trait Unboxed: Copy + PartialEq + 'static {
    /// The strategy storing `Self`.
    const STRATEGY: Strategy;
    /// The element if `it` fits this strategy.
    fn unwrap(it: Item) -> Option<Self>;
    /// A new object for `v` (an owned reference; may allocate, so it may collect and move).
    fn wrap(cx: &mut Thread, v: Self) -> ObjRef;
    /// `v` as an immediate (no allocation, no count) when the configuration has one for it.
    fn immediate(cx: &Thread, v: Self) -> Option<ObjRef>;
    /// The vector of a storage known to be of this strategy.
    fn vec(s: &Storage) -> &Vec<Self>;
    /// As [`Unboxed::vec`], mutable.
    fn vec_mut(s: &mut Storage) -> &mut Vec<Self>;
    /// The element value equal (Python `==`) to the probe, if any: then an element matches the
    /// probe exactly when it is `==` (as `Self`) to that value. `None`: no element can match.
    fn matcher(p: &Probe) -> Option<Self>;
    /// Python's `<` ordering between two elements (`None`: unordered, i.e. a NaN).
    fn py_cmp(a: Self, b: Self) -> Option<std::cmp::Ordering>;
    /// The element as a number, for comparisons across unboxed strategies.
    fn num(self) -> Num;
    /// Sorts by Python's `<`, stably as far as it is observable; caller checked that every
    /// element is ordered (no NaN).
    fn sort_total(v: &mut [Self]);
}

/// A number read from unboxed storage.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    /// From Int storage.
    I(i64),
    /// From Float storage.
    F(f64),
}

impl Num {
    /// Python's comparison of two numbers (exact across int and float; `None` with a NaN).
    pub(crate) fn py_cmp(self, other: Num) -> Option<std::cmp::Ordering> {
        use crate::objects::float::cmp_int_float;
        match (self, other) {
            (Num::I(a), Num::I(b)) => Some(a.cmp(&b)),
            (Num::F(a), Num::F(b)) => a.partial_cmp(&b),
            (Num::I(a), Num::F(b)) => cmp_int_float(&IntValue::Small(a), b),
            (Num::F(a), Num::I(b)) => cmp_int_float(&IntValue::Small(b), a).map(|o| o.reverse()),
        }
    }
}

impl Unboxed for i64 {
    const STRATEGY: Strategy = Strategy::Int;
    #[inline]
    fn unwrap(it: Item) -> Option<i64> {
        match it {
            Item::Int(v) => Some(v),
            _ => None,
        }
    }
    #[inline]
    fn wrap(cx: &mut Thread, v: i64) -> ObjRef {
        cx.int_ref(v)
    }
    #[inline]
    fn immediate(cx: &Thread, v: i64) -> Option<ObjRef> {
        if cx.tagging {
            ObjRef::small_int(v)
        } else {
            None
        }
    }
    #[inline]
    fn vec(s: &Storage) -> &Vec<i64> {
        match s {
            Storage::Int(v) => v,
            _ => unreachable!("not int storage"),
        }
    }
    #[inline]
    fn vec_mut(s: &mut Storage) -> &mut Vec<i64> {
        match s {
            Storage::Int(v) => v,
            _ => unreachable!("not int storage"),
        }
    }
    fn matcher(p: &Probe) -> Option<i64> {
        match p {
            Probe::Int(v) => Some(*v),
            // An integral float in i64's range equals exactly one i64.
            Probe::Float(f) if f.fract() == 0.0 && (-TWO63..TWO63).contains(f) => Some(*f as i64),
            _ => None,
        }
    }
    #[inline]
    fn py_cmp(a: i64, b: i64) -> Option<std::cmp::Ordering> {
        Some(a.cmp(&b))
    }
    #[inline]
    fn num(self) -> Num {
        Num::I(self)
    }
    fn sort_total(v: &mut [i64]) {
        // Equal ints are indistinguishable once unboxed: stability is not observable.
        v.sort_unstable();
    }
}

impl Unboxed for f64 {
    const STRATEGY: Strategy = Strategy::Float;
    #[inline]
    fn unwrap(it: Item) -> Option<f64> {
        match it {
            Item::Float(v) => Some(v),
            _ => None,
        }
    }
    #[inline]
    fn wrap(cx: &mut Thread, v: f64) -> ObjRef {
        cx.float_ref(v)
    }
    #[inline]
    fn immediate(_cx: &Thread, _v: f64) -> Option<ObjRef> {
        None
    }
    #[inline]
    fn vec(s: &Storage) -> &Vec<f64> {
        match s {
            Storage::Float(v) => v,
            _ => unreachable!("not float storage"),
        }
    }
    #[inline]
    fn vec_mut(s: &mut Storage) -> &mut Vec<f64> {
        match s {
            Storage::Float(v) => v,
            _ => unreachable!("not float storage"),
        }
    }
    fn matcher(p: &Probe) -> Option<f64> {
        match p {
            // A NaN probe matches nothing: unboxed elements have no identity (see mod.rs).
            Probe::Float(f) if !f.is_nan() => Some(*f),
            // An int equals a float only when the float holds exactly its value.
            Probe::Int(v) => {
                let f = *v as f64;
                ((-TWO63..TWO63).contains(&f) && f as i64 == *v).then_some(f)
            }
            Probe::Big(b) => b
                .to_f64()
                .filter(|f| f.is_finite() && BigInt::from_f64(*f).as_ref() == Some(b)),
            _ => None,
        }
    }
    #[inline]
    fn py_cmp(a: f64, b: f64) -> Option<std::cmp::Ordering> {
        a.partial_cmp(&b)
    }
    #[inline]
    fn num(self) -> Num {
        Num::F(self)
    }
    fn sort_total(v: &mut [f64]) {
        // Stable: 0.0 and -0.0 are equal but distinguishable.
        v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    }
}

/// The value searched for by `in`, `count`, `index`, `remove`, reduced to what unboxed storage
/// can compare without allocating.
pub(crate) enum Probe {
    /// An int or bool whose value fits `i64`.
    Int(i64),
    /// An int beyond `i64`.
    Big(BigInt),
    /// A float.
    Float(f64),
    /// Anything else: equal to no number.
    Other,
}

impl Probe {
    /// The probe for `obj` (no allocation).
    pub(crate) fn of(cx: &Thread, obj: ObjRef) -> Probe {
        if let Some(v) = obj.as_small_int() {
            return Probe::Int(v);
        }
        match cx.kind_of(obj) {
            Kind::Int | Kind::Bool => match cx.int_value(obj) {
                Some(IntValue::Small(v)) => Probe::Int(v),
                Some(IntValue::Big(b)) => Probe::Big(b),
                None => Probe::Other,
            },
            Kind::Float => Probe::Float(float_value(obj)),
            _ => Probe::Other,
        }
    }
}

/// The strategy of list `l`.
#[inline]
pub(crate) fn strategy_of(l: ObjRef) -> Strategy {
    payload(l).storage.strategy()
}

/// Makes list `l` able to hold elements of strategy `kind`: widens its storage to
/// `current ⊔ kind` if that differs from the current strategy. See [`switch_to`].
#[inline]
pub(crate) fn ensure_fits(cx: &mut Thread, l: Handle, kind: Strategy) {
    let cur = strategy_of(cx.get(l));
    let target = cur.join(kind);
    if target != cur {
        switch_to(cx, l, target);
    }
}

/// THE widening function (PyPy's `switch_to_next_strategy`): the only place a list's storage
/// changes representation, apart from `clear` returning to `Empty`. `target` must be above the
/// current strategy in the lattice. `Empty` just picks a representation; `Int`/`Float` to
/// `Object` boxes every element in order (never losing or reordering one), reusing the boxes of
/// the box cache, which keeps borrowed references handed to C valid.
///
/// GC safety: boxing allocates. While it runs, the new reference vector is already the list's
/// storage (so the collector sees and updates the boxes made so far) and the cache stays in the
/// payload until each entry is moved over; the old unboxed vector holds no references.
pub(crate) fn switch_to(cx: &mut Thread, l: Handle, target: Strategy) {
    let cur = strategy_of(cx.get(l));
    debug_assert_eq!(cur.join(target), target, "switch_to only widens");
    match cur {
        _ if cur == target => {}
        Strategy::Empty => {
            let p = payload(cx.get(l));
            p.storage = Storage::empty_of(target);
            p.sync();
        }
        Strategy::Int => box_all::<i64>(cx, l),
        Strategy::Float => box_all::<f64>(cx, l),
        Strategy::Object => unreachable!("object storage is the top"),
    }
}

fn box_all<T: Unboxed>(cx: &mut Thread, l: Handle) {
    let p = payload(cx.get(l));
    let n = p.len();
    let old = std::mem::replace(&mut p.storage, Storage::Object(Vec::with_capacity(n)));
    let old: Vec<T> = match old {
        s @ (Storage::Int(_) | Storage::Float(_)) => std::mem::take(T::vec_mut(&mut { s })),
        _ => unreachable!(),
    };
    // Fast path: every element is an immediate (ints with tagging) and no box is cached: one
    // pass, no allocation, no handle traffic.
    if payload(cx.get(l)).cache.is_none() {
        let imm: Option<Vec<ObjRef>> = old.iter().map(|v| T::immediate(cx, *v)).collect();
        if let Some(items) = imm {
            let p = payload(cx.get(l));
            p.storage = Storage::Object(items);
            p.sync();
            return;
        }
    }
    for (i, v) in old.iter().enumerate() {
        let cached = payload(cx.get(l)).cache.as_mut().and_then(|c| c[i].take());
        let r = match cached {
            Some(r) => r,
            None => T::wrap(cx, *v),
        };
        match &mut payload(cx.get(l)).storage {
            Storage::Object(items) => items.push(r),
            _ => unreachable!(),
        }
    }
    drop(old);
    let p = payload(cx.get(l));
    p.cache = None;
    p.sync();
}
