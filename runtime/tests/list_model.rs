//! Model-based test of lists: random sequences of every list operation, applied to two pyopaque
//! lists and to a plain-Rust model with Python semantics, must give equal results, equal
//! exception types, equal contents (floats bit-exact) and the predicted strategy at every step,
//! under strategies on/off x tagging on/off x both borrow policies (and two counting schemes).
//!
//! The model predicts strategies with the transition table of `runtime/src/list/mod.rs`, and
//! tracks object identity only where it is observable: a NaN float is `is`-identical to another
//! element only when both are the same object in `object` storage (unboxed floats have no
//! identity, every read boxes anew). Sorting numbers that include a NaN has no specified order
//! (Python's neither), so such sorts are skipped here (a unit test checks they keep elements).

use std::cmp::Ordering;

use proptest::prelude::*;
use pyopaque_runtime::list::{KeyFn, Slice};
use pyopaque_runtime::{
    BinOp, BorrowPolicy, CompareOp, Config, Handle, ObjRef, Runtime, Scheme, Thread,
};

// ---------------------------------------------------------------- values

/// How a test value is made in pyopaque.
#[derive(Clone, Debug)]
enum VS {
    Int(i64),
    /// `a * b` through `binop` (may exceed i64).
    Prod(i64, i64),
    Float(f64),
    Bool(bool),
    Str(&'static str),
    None,
}

/// A model value. Floats carry an identity when they are an object (`Some`), none when unboxed.
#[derive(Clone, Debug)]
enum V {
    Int(i128),
    Bool(bool),
    Float(f64, Option<u64>),
    Str(String),
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Empty,
    Int,
    Float,
    Object,
}

impl St {
    fn join(self, o: St) -> St {
        match (self, o) {
            (St::Empty, x) | (x, St::Empty) => x,
            (a, b) if a == b => a,
            _ => St::Object,
        }
    }
    fn name(self) -> &'static str {
        match self {
            St::Empty => "empty",
            St::Int => "int",
            St::Float => "float",
            St::Object => "object",
        }
    }
}

fn kind(v: &V) -> St {
    match v {
        V::Int(x) if i64::try_from(*x).is_ok() => St::Int,
        V::Float(..) => St::Float,
        _ => St::Object,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Num,
    Str,
    None,
}

fn group(v: &V) -> Group {
    match v {
        V::Int(_) | V::Bool(_) | V::Float(..) => Group::Num,
        V::Str(_) => Group::Str,
        V::None => Group::None,
    }
}

/// Exact comparison of an int with a float (None for NaN).
fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= 1.7014118346046923e38 {
        return Some(Ordering::Less);
    }
    if f < -1.7014118346046923e38 {
        return Some(Ordering::Greater);
    }
    let fl = f.floor();
    Some(match i.cmp(&(fl as i128)) {
        Ordering::Equal if f > fl => Ordering::Less,
        o => o,
    })
}

enum N {
    I(i128),
    F(f64),
}

fn num(v: &V) -> Option<N> {
    match v {
        V::Int(x) => Some(N::I(*x)),
        V::Bool(b) => Some(N::I(*b as i128)),
        V::Float(f, _) => Some(N::F(*f)),
        _ => None,
    }
}

/// Python ordering; Err = TypeError (unorderable).
fn py_cmp(a: &V, b: &V) -> Result<Option<Ordering>, ()> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Ok(match (x, y) {
            (N::I(x), N::I(y)) => Some(x.cmp(&y)),
            (N::F(x), N::F(y)) => x.partial_cmp(&y),
            (N::I(x), N::F(y)) => cmp_int_float(x, y),
            (N::F(x), N::I(y)) => cmp_int_float(y, x).map(Ordering::reverse),
        });
    }
    match (a, b) {
        (V::Str(x), V::Str(y)) => Ok(Some(x.cmp(y))),
        _ => Err(()),
    }
}

fn py_eq(a: &V, b: &V) -> bool {
    match py_cmp(a, b) {
        Ok(o) => o == Some(Ordering::Equal),
        Err(()) => matches!((a, b), (V::None, V::None)),
    }
}

fn identical(a: &V, b: &V) -> bool {
    matches!((a, b), (V::Float(_, Some(x)), V::Float(_, Some(y))) if x == y)
}

/// `x is y or x == y`.
fn elem_eq(a: &V, b: &V) -> bool {
    identical(a, b) || py_eq(a, b)
}

fn holds(op: CompareOp, o: Option<Ordering>) -> bool {
    match o {
        None => op == CompareOp::Ne,
        Some(o) => match op {
            CompareOp::Lt => o == Ordering::Less,
            CompareOp::Le => o != Ordering::Greater,
            CompareOp::Eq => o == Ordering::Equal,
            CompareOp::Ne => o != Ordering::Equal,
            CompareOp::Gt => o == Ordering::Greater,
            CompareOp::Ge => o != Ordering::Less,
        },
    }
}

// ---------------------------------------------------------------- model lists

#[derive(Clone, Debug)]
struct ML {
    items: Vec<V>,
    st: St,
}

struct Model {
    lists: [ML; 2],
    strategies: bool,
    tagging: bool,
    policy: BorrowPolicy,
    next_id: u64,
}

impl Model {
    fn fresh(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn new_list(&self) -> ML {
        ML {
            items: Vec::new(),
            st: if self.strategies {
                St::Empty
            } else {
                St::Object
            },
        }
    }

    fn value(&mut self, v: &VS) -> V {
        match v {
            VS::Int(x) => V::Int(*x as i128),
            VS::Prod(a, b) => V::Int(*a as i128 * *b as i128),
            VS::Float(f) => V::Float(*f, Some(self.fresh())),
            VS::Bool(b) => V::Bool(*b),
            VS::Str(s) => V::Str(s.to_string()),
            VS::None => V::None,
        }
    }

    /// Element `i` as a read returns it: the same object from object storage, a new box from
    /// unboxed storage.
    fn read(&mut self, l: &ML, i: usize) -> V {
        match (&l.items[i], l.st) {
            (V::Float(f, _), St::Int | St::Float) => V::Float(*f, Some(self.fresh())),
            (v, _) => v.clone(),
        }
    }

    fn read_all(&mut self, l: &ML) -> Vec<V> {
        (0..l.items.len()).map(|i| self.read(l, i)).collect()
    }

    /// Widens `l` to hold elements of kind `k` (boxing unboxed floats anew).
    fn widen(&mut self, l: &mut ML, k: St) {
        let t = l.st.join(k);
        if t != l.st {
            if t == St::Object {
                for v in l.items.iter_mut() {
                    if let V::Float(_, id @ None) = v {
                        self.next_id += 1;
                        *id = Some(self.next_id);
                    }
                }
            }
            l.st = t;
        }
    }

    /// Prepares values entering `l` (already widened): unboxed storage drops identities.
    fn placed(l: &ML, mut v: V) -> V {
        if l.st != St::Object {
            if let V::Float(_, id) = &mut v {
                *id = None;
            }
        }
        v
    }

    fn kinds(vs: &[V]) -> St {
        vs.iter().fold(St::Empty, |k, v| k.join(kind(v)))
    }

    fn extend(&mut self, l: &mut ML, vs: Vec<V>) {
        self.widen(l, Self::kinds(&vs));
        for v in vs {
            let v = Self::placed(l, v);
            l.items.push(v);
        }
    }

    fn copy_of(&mut self, l: &ML) -> ML {
        let mut n = self.new_list();
        let vs = self.read_all(l);
        self.extend(&mut n, vs);
        n
    }

    fn clear(&self, l: &mut ML) {
        l.items.clear();
        l.st = if self.strategies {
            St::Empty
        } else {
            St::Object
        };
    }
}

// ---------------------------------------------------------------- operations

#[derive(Clone, Debug)]
enum IdxArg {
    Int(i64),
    Bool(bool),
    Big,
    Str,
    Float,
}

#[derive(Clone, Copy, Debug)]
enum Key {
    None,
    TypeName,
    Mod3,
}

#[derive(Clone, Debug)]
enum Op {
    Append(usize, VS),
    Insert(usize, isize, VS),
    ExtendTuple(usize, Vec<VS>),
    ExtendList(usize, usize),
    ExtendBad(usize),
    Pop(usize, Option<isize>),
    Remove(usize, VS),
    Clear(usize),
    Get(usize, isize),
    GetItem(usize, IdxArg),
    Set(usize, isize, VS),
    Del(usize, isize),
    GetSlice(usize, Slice),
    SetSliceTuple(usize, Slice, Vec<VS>),
    SetSliceList(usize, Slice, usize),
    DelSlice(usize, Slice),
    Contains(usize, VS),
    Index(usize, VS, Option<isize>, Option<isize>),
    Count(usize, VS),
    /// `lists[w].count(lists[o][i])`, then `lists[w].remove(...)` of it (identity matters).
    CountOwn(usize, usize, usize),
    Sort(usize, Key, bool),
    Reverse(usize),
    Concat(usize),
    ConcatBad(usize),
    Repeat(usize, isize),
    InplaceRepeat(usize, isize),
    Compare(CompareOp),
    Copy(usize),
    Iterate(usize),
    Borrow(usize, usize),
    ItemsPtr(usize),
}

#[derive(Debug, PartialEq)]
enum R {
    Unit,
    Bool(bool),
    Usize(usize),
    Val(String),
    Vals(Vec<String>),
    Err(String),
}

fn fmt(v: &V) -> String {
    match v {
        V::Float(f, _) => format!("float:{:x}", f.to_bits()),
        V::Int(x) => format!("int:{x}"),
        V::Bool(b) => format!("bool:{b}"),
        V::Str(s) => format!("str:{s}"),
        V::None => "None".into(),
    }
}

fn vs_strategy() -> impl Strategy<Value = VS> {
    prop_oneof![
        4 => (-6i64..300).prop_map(VS::Int),
        1 => prop::sample::select(vec![
            (1i64 << 62) - 1, 1 << 62, -(1 << 62), -(1 << 62) - 1, i64::MAX, i64::MIN, 1 << 53, (1 << 53) + 1
        ]).prop_map(VS::Int),
        1 => (prop::sample::select(vec![i64::MAX, i64::MIN, 3, -7, 1 << 40]), prop::sample::select(vec![i64::MAX, 2, -1, 1 << 30]))
            .prop_map(|(a, b)| VS::Prod(a, b)),
        3 => prop::sample::select(vec![
            0.0, -0.0, 1.0, 2.5, -3.0, f64::NAN, f64::from_bits(0xfff8_0000_0000_0001), f64::INFINITY,
            4611686018427387904.0, 1e300, 7.0
        ]).prop_map(VS::Float),
        1 => any::<bool>().prop_map(VS::Bool),
        1 => prop::sample::select(vec!["a", "b", "ab", ""]).prop_map(VS::Str),
        1 => Just(VS::None),
    ]
}

fn idx() -> impl Strategy<Value = isize> {
    -12isize..12
}

fn slice() -> impl Strategy<Value = Slice> {
    (
        prop::option::of(idx()),
        prop::option::of(idx()),
        prop::option::weighted(0.6, prop::sample::select(vec![1isize, 1, 2, -1, -2, 3, 0])),
    )
        .prop_map(|(a, b, c)| Slice::new(a, b, c))
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let w = 0usize..2;
    let vals = || prop::collection::vec(vs_strategy(), 0..6);
    prop_oneof![
        8 => (w.clone(), vs_strategy()).prop_map(|(w, v)| Op::Append(w, v)),
        2 => (w.clone(), idx(), vs_strategy()).prop_map(|(w, i, v)| Op::Insert(w, i, v)),
        3 => (w.clone(), vals()).prop_map(|(w, v)| Op::ExtendTuple(w, v)),
        2 => (w.clone(), 0usize..2).prop_map(|(w, o)| Op::ExtendList(w, o)),
        1 => w.clone().prop_map(Op::ExtendBad),
        2 => (w.clone(), prop::option::of(idx())).prop_map(|(w, i)| Op::Pop(w, i)),
        2 => (w.clone(), vs_strategy()).prop_map(|(w, v)| Op::Remove(w, v)),
        1 => w.clone().prop_map(Op::Clear),
        2 => (w.clone(), idx()).prop_map(|(w, i)| Op::Get(w, i)),
        1 => (w.clone(), prop_oneof![
            (-12i64..12).prop_map(IdxArg::Int), any::<bool>().prop_map(IdxArg::Bool),
            Just(IdxArg::Big), Just(IdxArg::Str), Just(IdxArg::Float)
        ]).prop_map(|(w, a)| Op::GetItem(w, a)),
        3 => (w.clone(), idx(), vs_strategy()).prop_map(|(w, i, v)| Op::Set(w, i, v)),
        1 => (w.clone(), idx()).prop_map(|(w, i)| Op::Del(w, i)),
        2 => (w.clone(), slice()).prop_map(|(w, s)| Op::GetSlice(w, s)),
        2 => (w.clone(), slice(), vals()).prop_map(|(w, s, v)| Op::SetSliceTuple(w, s, v)),
        2 => (w.clone(), slice(), 0usize..2).prop_map(|(w, s, o)| Op::SetSliceList(w, s, o)),
        1 => (w.clone(), slice()).prop_map(|(w, s)| Op::DelSlice(w, s)),
        2 => (w.clone(), vs_strategy()).prop_map(|(w, v)| Op::Contains(w, v)),
        2 => (w.clone(), vs_strategy(), prop::option::of(idx()), prop::option::of(idx()))
            .prop_map(|(w, v, a, b)| Op::Index(w, v, a, b)),
        2 => (w.clone(), vs_strategy()).prop_map(|(w, v)| Op::Count(w, v)),
        3 => (w.clone(), 0usize..2, 0usize..16).prop_map(|(w, o, i)| Op::CountOwn(w, o, i)),
        3 => (w.clone(), prop::sample::select(vec![Key::None, Key::None, Key::TypeName, Key::Mod3]), any::<bool>())
            .prop_map(|(w, k, r)| Op::Sort(w, k, r)),
        1 => w.clone().prop_map(Op::Reverse),
        1 => w.clone().prop_map(Op::Concat),
        1 => w.clone().prop_map(Op::ConcatBad),
        1 => (w.clone(), -1isize..4).prop_map(|(w, n)| Op::Repeat(w, n)),
        1 => (w.clone(), -1isize..3).prop_map(|(w, n)| Op::InplaceRepeat(w, n)),
        2 => prop::sample::select(vec![
            CompareOp::Lt, CompareOp::Le, CompareOp::Eq, CompareOp::Ne, CompareOp::Gt, CompareOp::Ge
        ]).prop_map(Op::Compare),
        1 => w.clone().prop_map(Op::Copy),
        1 => w.clone().prop_map(Op::Iterate),
        2 => (w.clone(), 0usize..16).prop_map(|(w, i)| Op::Borrow(w, i)),
        1 => w.prop_map(Op::ItemsPtr),
    ]
}

// ---------------------------------------------------------------- the model's semantics

fn norm(i: isize, n: usize) -> Option<usize> {
    let n = n as isize;
    let j = if i < 0 { i + n } else { i };
    (0..n).contains(&j).then_some(j as usize)
}

fn err(name: &str) -> R {
    R::Err(name.to_string())
}

fn find(m: &Model, w: usize, x: &V, start: usize, stop: usize) -> Option<usize> {
    let l = &m.lists[w];
    (start..stop.min(l.items.len())).find(|&i| elem_eq(&l.items[i], x))
}

impl Model {
    /// Applies `op`; returns the result, or None when the op is skipped (unspecified order).
    fn apply(&mut self, op: &Op) -> Option<R> {
        Some(match op {
            Op::Append(w, v) => {
                let v = self.value(v);
                let mut l = self.lists[*w].clone();
                self.extend(&mut l, vec![v]);
                self.lists[*w] = l;
                R::Unit
            }
            Op::Insert(w, i, v) => {
                let v = self.value(v);
                let mut l = self.lists[*w].clone();
                self.widen(&mut l, kind(&v));
                let n = l.items.len() as isize;
                let j = if *i < 0 { (i + n).max(0) } else { (*i).min(n) } as usize;
                l.items.insert(j, Self::placed(&l, v));
                self.lists[*w] = l;
                R::Unit
            }
            Op::ExtendTuple(w, vs) => {
                let vs: Vec<V> = vs.iter().map(|v| self.value(v)).collect();
                let mut l = self.lists[*w].clone();
                self.extend(&mut l, vs);
                self.lists[*w] = l;
                R::Unit
            }
            Op::ExtendList(w, o) => {
                let src = self.lists[*o].clone();
                let vs = self.read_all(&src);
                let mut l = self.lists[*w].clone();
                self.extend(&mut l, vs);
                self.lists[*w] = l;
                R::Unit
            }
            Op::ExtendBad(_) | Op::ConcatBad(_) => err("TypeError"),
            Op::Pop(w, i) => {
                let l = &self.lists[*w];
                if l.items.is_empty() {
                    return Some(err("IndexError"));
                }
                match norm(i.unwrap_or(-1), l.items.len()) {
                    None => err("IndexError"),
                    Some(j) => {
                        let v = self.lists[*w].items.remove(j);
                        R::Val(fmt(&v))
                    }
                }
            }
            Op::Remove(w, x) => {
                let x = self.value(x);
                match find(self, *w, &x, 0, usize::MAX) {
                    Some(i) => {
                        self.lists[*w].items.remove(i);
                        R::Unit
                    }
                    None => err("ValueError"),
                }
            }
            Op::Clear(w) => {
                let mut l = self.lists[*w].clone();
                self.clear(&mut l);
                self.lists[*w] = l;
                R::Unit
            }
            Op::Get(w, i) => self.get(*w, *i),
            Op::GetItem(w, a) => match a {
                IdxArg::Int(i) => self.get(*w, *i as isize),
                IdxArg::Bool(b) => self.get(*w, *b as isize),
                IdxArg::Big => err("IndexError"),
                IdxArg::Str | IdxArg::Float => err("TypeError"),
            },
            Op::Set(w, i, v) => {
                let v = self.value(v);
                match norm(*i, self.lists[*w].items.len()) {
                    None => err("IndexError"),
                    Some(j) => {
                        let mut l = self.lists[*w].clone();
                        self.widen(&mut l, kind(&v));
                        l.items[j] = Self::placed(&l, v);
                        self.lists[*w] = l;
                        R::Unit
                    }
                }
            }
            Op::Del(w, i) => match norm(*i, self.lists[*w].items.len()) {
                None => err("IndexError"),
                Some(j) => {
                    self.lists[*w].items.remove(j);
                    R::Unit
                }
            },
            Op::GetSlice(w, s) => {
                let Some(ix) = s.indices(self.lists[*w].items.len()) else {
                    return Some(err("ValueError"));
                };
                let src = self.lists[*w].clone();
                let vs: Vec<V> = (0..ix.len)
                    .map(|k| self.read(&src, (ix.start + k as isize * ix.step) as usize))
                    .collect();
                let mut n = self.new_list();
                self.extend(&mut n, vs);
                self.lists[1 - w] = n;
                R::Unit
            }
            Op::SetSliceTuple(w, s, vs) => {
                let vs: Vec<V> = vs.iter().map(|v| self.value(v)).collect();
                self.set_slice(*w, s, vs)
            }
            Op::SetSliceList(w, s, o) => {
                let mut src = self.lists[*o].clone();
                if o == w {
                    src = self.copy_of(&src);
                }
                let vs = self.read_all(&src);
                self.set_slice(*w, s, vs)
            }
            Op::DelSlice(w, s) => {
                let Some(ix) = s.indices(self.lists[*w].items.len()) else {
                    return Some(err("ValueError"));
                };
                let pos: Vec<usize> = (0..ix.len)
                    .map(|k| (ix.start + k as isize * ix.step) as usize)
                    .collect();
                let l = &mut self.lists[*w];
                let mut i = 0;
                l.items.retain(|_| {
                    i += 1;
                    !pos.contains(&(i - 1))
                });
                R::Unit
            }
            Op::Contains(w, x) => {
                let x = self.value(x);
                R::Bool(find(self, *w, &x, 0, usize::MAX).is_some())
            }
            Op::Index(w, x, a, b) => {
                let x = self.value(x);
                let n = self.lists[*w].items.len() as isize;
                let nm = |i: isize| if i < 0 { (i + n).max(0) } else { i } as usize;
                let start = nm(a.unwrap_or(0));
                let stop = b.map_or(usize::MAX, nm);
                match find(self, *w, &x, start, stop) {
                    Some(i) => R::Usize(i),
                    None => err("ValueError"),
                }
            }
            Op::Count(w, x) => {
                let x = self.value(x);
                R::Usize(
                    self.lists[*w]
                        .items
                        .iter()
                        .filter(|e| elem_eq(e, &x))
                        .count(),
                )
            }
            Op::CountOwn(w, o, i) => {
                let src = self.lists[*o].clone();
                if src.items.is_empty() {
                    return Some(R::Unit);
                }
                let x = self.read(&src, i % src.items.len());
                let n = self.lists[*w]
                    .items
                    .iter()
                    .filter(|e| elem_eq(e, &x))
                    .count();
                if let Some(j) = find(self, *w, &x, 0, usize::MAX) {
                    self.lists[*w].items.remove(j);
                }
                R::Usize(n)
            }
            Op::Sort(w, key, reverse) => return self.sort(*w, *key, *reverse),
            Op::Reverse(w) => {
                self.lists[*w].items.reverse();
                R::Unit
            }
            Op::Concat(w) => {
                let (a, b) = (self.lists[*w].clone(), self.lists[1 - w].clone());
                let mut n = self.new_list();
                let va = self.read_all(&a);
                self.extend(&mut n, va);
                let vb = self.read_all(&b);
                self.extend(&mut n, vb);
                self.lists[1 - w] = n;
                R::Unit
            }
            Op::Repeat(w, k) => {
                let a = self.lists[*w].clone();
                let mut n = self.new_list();
                if *k > 0 && !a.items.is_empty() {
                    let va = self.read_all(&a);
                    self.extend(&mut n, va);
                    let one = n.items.clone();
                    for _ in 1..*k {
                        n.items.extend(one.iter().cloned());
                    }
                }
                self.lists[1 - w] = n;
                R::Unit
            }
            Op::InplaceRepeat(w, k) => {
                if *k <= 0 {
                    let mut l = self.lists[*w].clone();
                    self.clear(&mut l);
                    self.lists[*w] = l;
                } else {
                    let one = self.lists[*w].items.clone();
                    for _ in 1..*k {
                        self.lists[*w].items.extend(one.iter().cloned());
                    }
                }
                R::Unit
            }
            Op::Compare(op) => {
                let (a, b) = (&self.lists[0].items, &self.lists[1].items);
                if a.len() != b.len() && matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    return Some(R::Bool(*op == CompareOp::Ne));
                }
                match (0..a.len().min(b.len())).find(|&i| !elem_eq(&a[i], &b[i])) {
                    None => R::Bool(holds(*op, Some(a.len().cmp(&b.len())))),
                    Some(i) => match op {
                        CompareOp::Eq => R::Bool(false),
                        CompareOp::Ne => R::Bool(true),
                        _ => match py_cmp(&a[i], &b[i]) {
                            Ok(o) => R::Bool(holds(*op, o)),
                            Err(()) => err("TypeError"),
                        },
                    },
                }
            }
            Op::Copy(w) => {
                let a = self.lists[*w].clone();
                self.lists[1 - w] = self.copy_of(&a);
                R::Unit
            }
            Op::Iterate(w) => R::Vals(self.lists[*w].items.iter().map(fmt).collect()),
            Op::Borrow(w, i) => {
                let l = &self.lists[*w];
                if l.items.is_empty() {
                    return Some(R::Unit);
                }
                let i = i % l.items.len();
                let v = l.items[i].clone();
                let immediate =
                    matches!(&v, V::Int(x) if (-(1i128 << 62)..(1i128 << 62)).contains(x));
                let deopt = match l.st {
                    St::Int => {
                        !(self.tagging && immediate) && self.policy == BorrowPolicy::Deoptimize
                    }
                    St::Float => self.policy == BorrowPolicy::Deoptimize,
                    _ => false,
                };
                if deopt {
                    let mut l = self.lists[*w].clone();
                    self.widen(&mut l, St::Object);
                    self.lists[*w] = l;
                }
                R::Val(fmt(&v))
            }
            Op::ItemsPtr(w) => {
                let mut l = self.lists[*w].clone();
                self.widen(&mut l, St::Object);
                self.lists[*w] = l;
                R::Vals(self.lists[*w].items.iter().map(fmt).collect())
            }
        })
    }

    fn get(&mut self, w: usize, i: isize) -> R {
        match norm(i, self.lists[w].items.len()) {
            None => err("IndexError"),
            Some(j) => R::Val(fmt(&self.lists[w].items[j])),
        }
    }

    fn set_slice(&mut self, w: usize, s: &Slice, vs: Vec<V>) -> R {
        let Some(ix) = s.indices(self.lists[w].items.len()) else {
            return err("ValueError");
        };
        let mut l = self.lists[w].clone();
        if ix.step == 1 {
            self.widen(&mut l, Self::kinds(&vs));
            let lo = ix.start as usize;
            let hi = ix.stop.max(ix.start) as usize;
            let placed: Vec<V> = vs.into_iter().map(|v| Self::placed(&l, v)).collect();
            l.items.splice(lo..hi, placed);
        } else {
            if vs.len() != ix.len {
                return err("ValueError");
            }
            self.widen(&mut l, Self::kinds(&vs));
            for (k, v) in vs.into_iter().enumerate() {
                l.items[(ix.start + k as isize * ix.step) as usize] = Self::placed(&l, v);
            }
        }
        self.lists[w] = l;
        R::Unit
    }

    fn sort(&mut self, w: usize, key: Key, reverse: bool) -> Option<R> {
        let items = self.lists[w].items.clone();
        let keys: Vec<V> = match key {
            Key::None => items.clone(),
            Key::TypeName => items
                .iter()
                .map(|v| {
                    V::Str(
                        match v {
                            V::Int(_) => "int",
                            V::Bool(_) => "bool",
                            V::Float(..) => "float",
                            V::Str(_) => "str",
                            V::None => "NoneType",
                        }
                        .into(),
                    )
                })
                .collect(),
            Key::Mod3 => {
                let mut ks = Vec::new();
                for v in &items {
                    match v {
                        V::Int(x) => ks.push(V::Int(x.rem_euclid(3))),
                        V::Bool(b) => ks.push(V::Int(*b as i128)),
                        _ => return Some(err("TypeError")),
                    }
                }
                ks
            }
        };
        if items.len() < 2 {
            return Some(R::Unit);
        }
        let mut groups: Vec<Group> = keys.iter().map(group).collect();
        groups.sort();
        groups.dedup();
        if groups.len() > 1 || groups[0] == Group::None {
            return Some(err("TypeError"));
        }
        if keys
            .iter()
            .any(|k| matches!(k, V::Float(f, _) if f.is_nan()))
        {
            return None;
        }
        let mut idx: Vec<usize> = (0..items.len()).collect();
        if reverse {
            idx.reverse();
        }
        idx.sort_by(|&a, &b| py_cmp(&keys[a], &keys[b]).unwrap().unwrap());
        if reverse {
            idx.reverse();
        }
        self.lists[w].items = idx.iter().map(|&i| items[i].clone()).collect();
        Some(R::Unit)
    }
}

// ---------------------------------------------------------------- the runtime side

fn mk(cx: &mut Thread, v: &VS) -> Handle {
    match v {
        VS::Int(x) => cx.int(*x),
        VS::Prod(a, b) => {
            let (a, b) = (cx.int(*a), cx.int(*b));
            cx.binop(a, b, BinOp::Mul).unwrap()
        }
        VS::Float(f) => cx.float(*f),
        VS::Bool(b) => cx.root(if *b { cx.rt.true_ } else { cx.rt.false_ }),
        VS::Str(s) => cx.str(s),
        VS::None => cx.root(cx.rt.none),
    }
}

/// Reads an object as a model value (no allocation).
fn to_v(cx: &Thread, r: ObjRef) -> V {
    if r == cx.rt.none {
        return V::None;
    }
    if r == cx.rt.true_ || r == cx.rt.false_ {
        return V::Bool(r == cx.rt.true_);
    }
    if let Some(f) = cx.float_value(r) {
        return V::Float(f, None);
    }
    if let Some(s) = cx.str_value(r) {
        return V::Str(s.to_string());
    }
    match cx.int_value(r).expect("an int") {
        pyopaque_runtime::objects::int::IntValue::Small(v) => V::Int(v as i128),
        pyopaque_runtime::objects::int::IntValue::Big(b) => V::Int(i128::try_from(b).unwrap()),
    }
}

fn err_name(cx: &mut Thread) -> R {
    let e = cx.take_error().expect("an exception is set");
    let name = cx.type_name(cx.type_of(cx.get(e))).to_string();
    R::Err(name)
}

fn res<T>(
    cx: &mut Thread,
    r: Result<T, pyopaque_runtime::Raised>,
    f: impl FnOnce(&mut Thread, T) -> R,
) -> R {
    match r {
        Ok(v) => f(cx, v),
        Err(_) => err_name(cx),
    }
}

fn val(cx: &mut Thread, h: Handle) -> R {
    R::Val(fmt(&to_v(cx, cx.get(h))))
}

fn run_op(cx: &mut Thread, ls: [Handle; 2], op: &Op) -> R {
    let m = cx.mark();
    let r = match op {
        Op::Append(w, v) => {
            let x = mk(cx, v);
            let r = cx.list_append(ls[*w], x);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Insert(w, i, v) => {
            let x = mk(cx, v);
            let r = cx.list_insert(ls[*w], *i, x);
            res(cx, r, |_, _| R::Unit)
        }
        Op::ExtendTuple(w, vs) => {
            let hs: Vec<Handle> = vs.iter().map(|v| mk(cx, v)).collect();
            let t = cx.tuple(&hs);
            let r = cx.list_extend(ls[*w], t);
            res(cx, r, |_, _| R::Unit)
        }
        Op::ExtendList(w, o) => {
            let r = cx.list_extend(ls[*w], ls[*o]);
            res(cx, r, |_, _| R::Unit)
        }
        Op::ExtendBad(w) => {
            let x = cx.int(3);
            let r = cx.list_extend(ls[*w], x);
            res(cx, r, |_, _| R::Unit)
        }
        Op::ConcatBad(w) => {
            let t = cx.tuple(&[]);
            let r = cx.list_concat(ls[*w], t);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Pop(w, i) => {
            let r = cx.list_pop(ls[*w], *i);
            res(cx, r, val)
        }
        Op::Remove(w, v) => {
            let x = mk(cx, v);
            let r = cx.list_remove(ls[*w], x);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Clear(w) => {
            cx.list_clear(ls[*w]);
            R::Unit
        }
        Op::Get(w, i) => {
            let r = cx.list_get(ls[*w], *i);
            res(cx, r, val)
        }
        Op::GetItem(w, a) => {
            let ih = match a {
                IdxArg::Int(i) => cx.int(*i),
                IdxArg::Bool(b) => cx.root(if *b { cx.rt.true_ } else { cx.rt.false_ }),
                IdxArg::Big => mk(cx, &VS::Prod(i64::MAX, 4)),
                IdxArg::Str => cx.str("0"),
                IdxArg::Float => cx.float(0.0),
            };
            let r = cx.list_getitem(ls[*w], ih);
            res(cx, r, val)
        }
        Op::Set(w, i, v) => {
            let x = mk(cx, v);
            let r = cx.list_set(ls[*w], *i, x);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Del(w, i) => {
            let r = cx.list_del(ls[*w], *i);
            res(cx, r, |_, _| R::Unit)
        }
        Op::GetSlice(w, s) => {
            let r = cx.list_get_slice(ls[*w], *s);
            res(cx, r, |cx, n| {
                let n = cx.get(n);
                cx.set(ls[1 - w], n);
                R::Unit
            })
        }
        Op::SetSliceTuple(w, s, vs) => {
            let hs: Vec<Handle> = vs.iter().map(|v| mk(cx, v)).collect();
            let t = cx.tuple(&hs);
            let r = cx.list_set_slice(ls[*w], *s, t);
            res(cx, r, |_, _| R::Unit)
        }
        Op::SetSliceList(w, s, o) => {
            let r = cx.list_set_slice(ls[*w], *s, ls[*o]);
            res(cx, r, |_, _| R::Unit)
        }
        Op::DelSlice(w, s) => {
            let r = cx.list_del_slice(ls[*w], *s);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Contains(w, v) => {
            let x = mk(cx, v);
            let r = cx.list_contains(ls[*w], x);
            res(cx, r, |_, b| R::Bool(b))
        }
        Op::Index(w, v, a, b) => {
            let x = mk(cx, v);
            let r = cx.list_index(ls[*w], x, *a, *b);
            res(cx, r, |_, i| R::Usize(i))
        }
        Op::Count(w, v) => {
            let x = mk(cx, v);
            let r = cx.list_count(ls[*w], x);
            res(cx, r, |_, i| R::Usize(i))
        }
        Op::CountOwn(w, o, i) => {
            let n = cx.list_len(cx.get(ls[*o]));
            if n == 0 {
                R::Unit
            } else {
                let x = cx.list_get(ls[*o], (i % n) as isize).unwrap();
                let c = cx.list_count(ls[*w], x).unwrap();
                if c > 0 {
                    cx.list_remove(ls[*w], x).unwrap();
                } else {
                    assert!(cx.list_remove(ls[*w], x).is_err());
                    cx.clear_error();
                }
                R::Usize(c)
            }
        }
        Op::Sort(w, key, reverse) => {
            let three = cx.int(3);
            let mut type_name = |cx: &mut Thread, h: Handle| {
                let n = cx.type_name(cx.type_of(cx.get(h))).to_string();
                Ok(cx.str(&n))
            };
            let mut mod3 = |cx: &mut Thread, h: Handle| {
                if cx.int_value(cx.get(h)).is_none() {
                    let t = cx.rt.types.exc.type_error;
                    return Err(cx.raise(t, "not an int"));
                }
                cx.binop(h, three, BinOp::Mod)
            };
            let k: Option<KeyFn<'_>> = match key {
                Key::None => None,
                Key::TypeName => Some(&mut type_name),
                Key::Mod3 => Some(&mut mod3),
            };
            let r = cx.list_sort(ls[*w], k, *reverse);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Reverse(w) => {
            cx.list_reverse(ls[*w]);
            R::Unit
        }
        Op::Concat(w) => {
            let r = cx.list_concat(ls[*w], ls[1 - w]);
            res(cx, r, |cx, n| {
                let n = cx.get(n);
                cx.set(ls[1 - w], n);
                R::Unit
            })
        }
        Op::Repeat(w, k) => {
            let r = cx.list_repeat(ls[*w], *k);
            res(cx, r, |cx, n| {
                let n = cx.get(n);
                cx.set(ls[1 - w], n);
                R::Unit
            })
        }
        Op::InplaceRepeat(w, k) => {
            let r = cx.list_inplace_repeat(ls[*w], *k);
            res(cx, r, |_, _| R::Unit)
        }
        Op::Compare(op) => {
            let r = cx.list_compare(ls[0], ls[1], *op);
            res(cx, r, |_, b| R::Bool(b))
        }
        Op::Copy(w) => {
            let n = cx.list_copy(ls[*w]);
            let n = cx.get(n);
            cx.set(ls[1 - w], n);
            R::Unit
        }
        Op::Iterate(w) => {
            let mut pos = 0;
            let mut out = Vec::new();
            while let Some(h) = cx.list_iter_next(ls[*w], &mut pos) {
                out.push(fmt(&to_v(cx, cx.get(h))));
            }
            R::Vals(out)
        }
        Op::Borrow(w, i) => {
            let n = cx.list_len(cx.get(ls[*w]));
            if n == 0 {
                R::Unit
            } else {
                let r = cx.list_borrow_item(ls[*w], i % n);
                R::Val(fmt(&to_v(cx, r)))
            }
        }
        Op::ItemsPtr(w) => {
            let p = cx.list_items_ptr(ls[*w]);
            let n = cx.list_len(cx.get(ls[*w]));
            // SAFETY: `n` elements of object storage; nothing allocated since the call.
            let items: Vec<ObjRef> = (0..n).map(|i| unsafe { *p.add(i) }).collect();
            R::Vals(items.iter().map(|&r| fmt(&to_v(cx, r))).collect())
        }
    };
    cx.release(m);
    r
}

fn contents(cx: &mut Thread, l: Handle) -> Vec<String> {
    let n = cx.list_len(cx.get(l));
    (0..n)
        .map(|i| {
            let m = cx.mark();
            let h = cx.list_get(l, i as isize).unwrap();
            let s = fmt(&to_v(cx, cx.get(h)));
            cx.release(m);
            s
        })
        .collect()
}

fn run_case(
    ops: &[Op],
    scheme: Scheme,
    strategies: bool,
    tagging: bool,
    policy: BorrowPolicy,
) -> Result<(), TestCaseError> {
    let rt = Runtime::new(Config {
        scheme,
        strategies,
        tagging,
        borrow_policy: policy,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    let mut model = Model {
        lists: [
            ML {
                items: vec![],
                st: St::Empty,
            },
            ML {
                items: vec![],
                st: St::Empty,
            },
        ],
        strategies,
        tagging,
        policy,
        next_id: 0,
    };
    model.lists = [model.new_list(), model.new_list()];
    let base = cx.mark();
    let ls = [cx.list(), cx.list()];
    let handles = cx.handle_count();
    for (step, op) in ops.iter().enumerate() {
        let before: Vec<St> = model.lists.iter().map(|l| l.st).collect();
        let Some(want) = model.apply(op) else {
            continue;
        };
        let deopts = rt
            .stats
            .borrow_deopts
            .load(std::sync::atomic::Ordering::Relaxed);
        let got = run_op(&mut cx, ls, op);
        let ctx = format!(
            "step {step}: {op:?} (strategies={strategies} tagging={tagging} {policy:?} {scheme})"
        );
        prop_assert_eq!(&got, &want, "result of {}", ctx);
        prop_assert!(cx.error().is_none(), "error left set after {}", ctx);
        prop_assert_eq!(cx.handle_count(), handles, "handles leaked by {}", ctx);
        if let Op::Borrow(w, _) | Op::ItemsPtr(w) = op {
            let now = rt
                .stats
                .borrow_deopts
                .load(std::sync::atomic::Ordering::Relaxed);
            let switched =
                matches!(before[*w], St::Int | St::Float) && model.lists[*w].st == St::Object;
            prop_assert_eq!(now, deopts + switched as u64, "borrow_deopts after {}", ctx);
        }
        for (w, &l) in ls.iter().enumerate() {
            let want: Vec<String> = model.lists[w].items.iter().map(fmt).collect();
            let got = contents(&mut cx, l);
            prop_assert_eq!(got, want, "list {} after {}", w, ctx);
            prop_assert_eq!(
                cx.list_strategy_name(cx.get(l)),
                model.lists[w].st.name(),
                "strategy of list {} after {}",
                w,
                ctx
            );
        }
    }
    cx.release(base);
    cx.collect();
    prop_assert_eq!(
        rt.stats
            .off_heap_bytes
            .load(std::sync::atomic::Ordering::Relaxed),
        0,
        "storage leaked"
    );
    Ok(())
}

fn cases() -> u32 {
    if std::env::var("PYOPAQUE_GC_STRESS").is_ok_and(|v| v == "1") {
        64
    } else {
        256
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn lists_behave_like_the_model(
        ops in prop::collection::vec(op_strategy(), 1..48),
        tracing in any::<bool>(),
    ) {
        let scheme = if tracing { Scheme::Tracing } else { Scheme::Classic };
        for strategies in [true, false] {
            for tagging in [true, false] {
                for policy in [BorrowPolicy::Deoptimize, BorrowPolicy::BoxCache] {
                    run_case(&ops, scheme, strategies, tagging, policy)?;
                }
            }
        }
    }
}
