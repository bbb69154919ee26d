//! `list.sort(key=..., reverse=...)`: stable, with CPython's observable behaviour: the list looks
//! empty while keys are computed and elements compared (ValueError 'list modified during sort' if
//! it was changed meanwhile), a failing key function leaves the list as it was, and a failing
//! comparison (TypeError between incomparable types) leaves the list a permutation of itself
//! (here: unchanged). `reverse` reverses before and after a stable sort, so equal elements keep
//! their order.
//!
//! Without a key, `int` and `float` storage sort unboxed in place. With a key, or on `object`
//! storage, the elements move to a temporary holder list (so the collector sees them) and an
//! index permutation is sorted; CPython's homogeneous-type pre-check (all exact ints fitting
//! `i64`, all floats, all strs) selects comparisons that dereference the objects without
//! allocating, otherwise each comparison is a rooted `compare(<)`.

use std::cmp::Ordering;

use super::strategy::{classify, Item, Unboxed};
use super::{payload, ListObject, Storage};
use crate::objects::text::str_value;
use crate::objref::ObjRef;
use crate::ops::CompareOp;
use crate::refcount;
use crate::thread::{Handle, PyResult, Thread};

/// A key function: called once per element, in order, with the element rooted.
pub type KeyFn<'a> = &'a mut dyn FnMut(&mut Thread, Handle) -> PyResult<Handle>;

/// Stable merge sort (binary insertion runs, then bottom-up merges) with a fallible,
/// possibly inconsistent `lt` (never panics, e.g. with NaN). On error `v` is left a permutation
/// of its input.
pub fn merge_sort_by<T: Copy, E>(
    v: &mut [T],
    lt: &mut dyn FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    const RUN: usize = 16;
    let n = v.len();
    for lo in (0..n).step_by(RUN) {
        let hi = (lo + RUN).min(n);
        for i in lo + 1..hi {
            let x = v[i];
            let (mut a, mut b) = (lo, i);
            while a < b {
                let mid = (a + b) / 2;
                if lt(x, v[mid])? {
                    b = mid;
                } else {
                    a = mid + 1;
                }
            }
            v.copy_within(a..i, a + 1);
            v[a] = x;
        }
    }
    let mut buf: Vec<T> = Vec::with_capacity(n / 2 + 1);
    let mut width = RUN;
    while width < n {
        let mut lo = 0;
        while lo + width < n {
            let mid = lo + width;
            let hi = (lo + 2 * width).min(n);
            buf.clear();
            buf.extend_from_slice(&v[lo..mid]);
            let (mut i, mut j, mut k) = (0, mid, lo);
            while i < buf.len() && j < hi {
                match lt(v[j], buf[i]) {
                    Ok(true) => {
                        v[k] = v[j];
                        j += 1;
                    }
                    Ok(false) => {
                        v[k] = buf[i];
                        i += 1;
                    }
                    Err(e) => {
                        // The gap k..j has exactly the room for the left run's remainder.
                        v[k..k + buf.len() - i].copy_from_slice(&buf[i..]);
                        return Err(e);
                    }
                }
                k += 1;
            }
            v[k..k + buf.len() - i].copy_from_slice(&buf[i..]);
            lo = hi;
        }
        width *= 2;
    }
    Ok(())
}

/// Sorts unboxed storage in place (no key). `total`: no NaN, so std's sorts apply; a cache
/// forces an index permutation so the cached boxes move with their elements.
fn sort_unboxed<T: Unboxed>(p: &mut ListObject, reverse: bool) {
    if p.len() < 2 {
        return;
    }
    if reverse {
        p.reverse();
    }
    let has_cache = p.cache.is_some();
    let v = T::vec_mut(&mut p.storage);
    let total = v.iter().all(|&a| T::py_cmp(a, a).is_some());
    if total && !has_cache {
        T::sort_total(v);
    } else {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        if total {
            idx.sort_by(|&a, &b| T::py_cmp(v[a], v[b]).unwrap());
        } else {
            let _ = merge_sort_by::<usize, ()>(&mut idx, &mut |a, b| {
                Ok(T::py_cmp(v[a], v[b]) == Some(Ordering::Less))
            });
        }
        p.permute(&idx);
    }
    if reverse {
        p.reverse();
    }
}

/// Element kinds that admit allocation-free comparisons.
enum Homog {
    Int,
    Float { nan: bool },
    Str,
    Mixed,
}

fn homogeneous(cx: &Thread, v: &[ObjRef]) -> Homog {
    let Some(&first) = v.first() else {
        return Homog::Mixed;
    };
    match classify(cx, first) {
        Item::Int(_) if v.iter().all(|&r| matches!(classify(cx, r), Item::Int(_))) => Homog::Int,
        Item::Float(_) => {
            let mut nan = false;
            for &r in v {
                match classify(cx, r) {
                    Item::Float(f) => nan |= f.is_nan(),
                    _ => return Homog::Mixed,
                }
            }
            Homog::Float { nan }
        }
        _ if !first.is_tagged()
            && cx.type_of(first) == cx.rt.types.str_
            && v.iter()
                .all(|&r| !r.is_tagged() && cx.type_of(r) == cx.rt.types.str_) =>
        {
            Homog::Str
        }
        _ => Homog::Mixed,
    }
}

fn int_of(cx: &Thread, r: ObjRef) -> i64 {
    match classify(cx, r) {
        Item::Int(v) => v,
        _ => unreachable!("homogeneous ints"),
    }
}

fn float_of(cx: &Thread, r: ObjRef) -> f64 {
    match classify(cx, r) {
        Item::Float(v) => v,
        _ => unreachable!("homogeneous floats"),
    }
}

fn objects(l: ObjRef) -> &'static mut Vec<ObjRef> {
    match &mut payload(l).storage {
        Storage::Object(v) => v,
        _ => unreachable!("object storage"),
    }
}

impl Thread {
    /// `list.sort(key=key, reverse=reverse)`. See the module documentation for the semantics.
    pub fn list_sort(&mut self, l: Handle, key: Option<KeyFn<'_>>, reverse: bool) -> PyResult<()> {
        self.list_check(l);
        if key.is_none() {
            let p = payload(self.get(l));
            match &p.storage {
                Storage::Empty => return Ok(()),
                Storage::Int(_) => {
                    sort_unboxed::<i64>(p, reverse);
                    return Ok(());
                }
                Storage::Float(_) => {
                    sort_unboxed::<f64>(p, reverse);
                    return Ok(());
                }
                Storage::Object(_) => {}
            }
        }
        let m = self.mark();
        // The elements move to a holder (seen by the collector); the list looks empty.
        let t = self.list_with_storage(Storage::Empty);
        let empty = self.list_empty_storage();
        let empty_strategy = empty.strategy();
        {
            let (pl, pt) = (payload(self.get(l)), payload(self.get(t)));
            pt.storage = std::mem::replace(&mut pl.storage, empty);
            pt.cache = pl.cache.take();
            pl.sync();
            pt.sync();
        }
        let result = self.list_sort_holder(t, key, reverse);
        let (pl, pt) = (payload(self.get(l)), payload(self.get(t)));
        let modified = pl.len() > 0 || pl.storage.strategy() != empty_strategy;
        let mut garbage = Vec::new();
        let n = pl.len();
        pl.remove_range(0..n, &mut garbage);
        pl.storage = std::mem::replace(&mut pt.storage, Storage::Empty);
        pl.cache = pt.cache.take();
        pl.sync();
        pt.sync();
        self.release(m);
        self.list_dispose(garbage);
        result?;
        if modified {
            let t = self.rt.types.exc.value_error;
            return Err(self.raise(t, "list modified during sort"));
        }
        Ok(())
    }

    fn list_sort_holder(
        &mut self,
        t: Handle,
        key: Option<KeyFn<'_>>,
        reverse: bool,
    ) -> PyResult<()> {
        let n = self.list_len(self.get(t));
        // Keys, in element order (CPython calls the key even for one element).
        let keys = match key {
            None => None,
            Some(f) => {
                let k = self.list_with_storage(Storage::Object(Vec::with_capacity(n)));
                for i in 0..n {
                    let m = self.mark();
                    let e = self.list_item_owned(t, i);
                    let e = self.root_owned(e);
                    let r = f(self, e);
                    if let Ok(kh) = r {
                        let kr = self.get(kh);
                        refcount::incref(self, kr);
                        objects(self.get(k)).push(kr);
                    }
                    self.release(m);
                    r?;
                }
                payload(self.get(k)).sync();
                Some(k)
            }
        };
        if n < 2 {
            return Ok(());
        }
        if reverse {
            payload(self.get(t)).reverse();
            if let Some(k) = keys {
                payload(self.get(k)).reverse();
            }
        }
        let r = self.list_sort_permute(t, keys);
        if reverse {
            // On success: undo the initial reversal after a stable sort. On failure the list
            // is unchanged, so this restores the original order.
            payload(self.get(t)).reverse();
        }
        r
    }

    /// Sorts holder `t` by the elements of `keys` (or of `t` itself, which is then `object`
    /// storage).
    fn list_sort_permute(&mut self, t: Handle, keys: Option<Handle>) -> PyResult<()> {
        let s = keys.unwrap_or(t);
        let homog = homogeneous(self, objects(self.get(s)));
        if keys.is_none() {
            // Sort the references in place: no allocation happens during these comparisons.
            let v = objects(self.get(t));
            match homog {
                Homog::Int => {
                    v.sort_by_key(|&r| int_of(self, r));
                    return Ok(());
                }
                Homog::Float { nan: false } => {
                    v.sort_by(|&a, &b| float_of(self, a).partial_cmp(&float_of(self, b)).unwrap());
                    return Ok(());
                }
                Homog::Str => {
                    v.sort_by(|&a, &b| str_value(a).cmp(str_value(b)));
                    return Ok(());
                }
                _ => {}
            }
        }
        let n = self.list_len(self.get(t));
        let mut idx: Vec<usize> = (0..n).collect();
        let sv = objects(self.get(s));
        match homog {
            Homog::Int => idx.sort_by_key(|&i| int_of(self, sv[i])),
            Homog::Float { nan: false } => idx.sort_by(|&a, &b| {
                float_of(self, sv[a])
                    .partial_cmp(&float_of(self, sv[b]))
                    .unwrap()
            }),
            Homog::Float { nan: true } => {
                let _ = merge_sort_by::<usize, ()>(&mut idx, &mut |a, b| {
                    Ok(float_of(self, sv[a]) < float_of(self, sv[b]))
                });
            }
            Homog::Str => idx.sort_by(|&a, &b| str_value(sv[a]).cmp(str_value(sv[b]))),
            Homog::Mixed => {
                let cx = &mut *self;
                merge_sort_by(&mut idx, &mut |a, b| {
                    let m = cx.mark();
                    let x = objects(cx.get(s))[a];
                    let x = cx.root(x);
                    let y = objects(cx.get(s))[b];
                    let y = cx.root(y);
                    let r = cx.compare(x, y, CompareOp::Lt);
                    cx.release(m);
                    r
                })?;
            }
        }
        payload(self.get(t)).permute(&idx);
        Ok(())
    }
}
