//! Equality searches (`in`, `count`, `index`, `remove`) and rich comparison of lists. Unboxed
//! storage is searched in place through the probe's matcher; `object` storage uses CPython's
//! `x is y or x == y`.

use super::storage::Storage;
use super::strategy::{Probe, Unboxed};
use super::{payload, Strategy};
use crate::objects::text::str_value;
use crate::objref::ObjRef;
use crate::ops::CompareOp;
use crate::thread::{Handle, PyResult, Thread};
use crate::types::Kind;

/// Whether `op` holds for an ordering (`None`: unordered, only `!=` holds).
pub(crate) fn op_holds(op: CompareOp, o: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    match (op, o) {
        (CompareOp::Ne, None) => true,
        (_, None) => false,
        (CompareOp::Lt, Some(o)) => o == Less,
        (CompareOp::Le, Some(o)) => o != Greater,
        (CompareOp::Eq, Some(o)) => o == Equal,
        (CompareOp::Ne, Some(o)) => o != Equal,
        (CompareOp::Gt, Some(o)) => o == Greater,
        (CompareOp::Ge, Some(o)) => o != Less,
    }
}

/// Equality decided without allocating, when it can be (immediates, strings).
fn quick_eq(cx: &Thread, a: ObjRef, b: ObjRef) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    if a.is_tagged() && b.is_tagged() {
        return Some(false);
    }
    if cx.kind_of(a) == Kind::Str && cx.kind_of(b) == Kind::Str {
        return Some(str_value(a) == str_value(b));
    }
    None
}

impl Thread {
    /// `x is y or x == y` for two rooted values.
    pub(crate) fn list_eq_bool(&mut self, a: Handle, b: Handle) -> PyResult<bool> {
        match quick_eq(self, self.get(a), self.get(b)) {
            Some(r) => Ok(r),
            None => self.eq(a, b),
        }
    }

    /// Calls `found(i)` for every `i` in `start..stop` (clamped to the current length) whose
    /// element equals `x`, in order, until it returns false.
    fn list_scan_eq(
        &mut self,
        l: Handle,
        x: Handle,
        start: usize,
        stop: usize,
        found: &mut dyn FnMut(usize) -> bool,
    ) -> PyResult<()> {
        fn unboxed<T: Unboxed>(
            v: &[T],
            p: &Probe,
            start: usize,
            stop: usize,
            found: &mut dyn FnMut(usize) -> bool,
        ) {
            let Some(m) = T::matcher(p) else { return };
            let stop = stop.min(v.len());
            for (i, &e) in v.iter().enumerate().take(stop).skip(start) {
                if e == m && !found(i) {
                    return;
                }
            }
        }
        let p = payload(self.get(l));
        match &p.storage {
            Storage::Empty => Ok(()),
            Storage::Int(v) => {
                unboxed::<i64>(v, &Probe::of(self, self.get(x)), start, stop, found);
                Ok(())
            }
            Storage::Float(v) => {
                unboxed::<f64>(v, &Probe::of(self, self.get(x)), start, stop, found);
                Ok(())
            }
            Storage::Object(_) => {
                let mut i = start;
                while i < stop.min(self.list_len(self.get(l))) {
                    let item = match &payload(self.get(l)).storage {
                        Storage::Object(v) => v[i],
                        _ => unreachable!("comparisons do not change strategies"),
                    };
                    let eq = match quick_eq(self, item, self.get(x)) {
                        Some(r) => r,
                        None => {
                            let m = self.mark();
                            let ih = self.root(item);
                            let r = self.eq(ih, x);
                            self.release(m);
                            r?
                        }
                    };
                    if eq && !found(i) {
                        break;
                    }
                    i += 1;
                }
                Ok(())
            }
        }
    }

    fn list_find(
        &mut self,
        l: Handle,
        x: Handle,
        start: usize,
        stop: usize,
    ) -> PyResult<Option<usize>> {
        let mut at = None;
        self.list_scan_eq(l, x, start, stop, &mut |i| {
            at = Some(i);
            false
        })?;
        Ok(at)
    }

    /// `x in list`.
    pub fn list_contains(&mut self, l: Handle, x: Handle) -> PyResult<bool> {
        self.list_check(l);
        Ok(self.list_find(l, x, 0, usize::MAX)?.is_some())
    }

    /// `list.count(x)`.
    pub fn list_count(&mut self, l: Handle, x: Handle) -> PyResult<usize> {
        self.list_check(l);
        let mut n = 0;
        self.list_scan_eq(l, x, 0, usize::MAX, &mut |_| {
            n += 1;
            true
        })?;
        Ok(n)
    }

    /// `list.index(x, start, stop)` (bounds as in slices: negative counts from the end, then
    /// clamped at 0). ValueError '<repr(x)> is not in list'.
    pub fn list_index(
        &mut self,
        l: Handle,
        x: Handle,
        start: Option<isize>,
        stop: Option<isize>,
    ) -> PyResult<usize> {
        self.list_check(l);
        let n = self.list_len(self.get(l)) as isize;
        let norm = |i: isize| if i < 0 { (i + n).max(0) } else { i } as usize;
        let start = norm(start.unwrap_or(0));
        let stop = stop.map_or(usize::MAX, norm);
        match self.list_find(l, x, start, stop)? {
            Some(i) => Ok(i),
            None => {
                let r = self.repr_of(x)?;
                let t = self.rt.types.exc.value_error;
                Err(self.raise(t, &format!("{r} is not in list")))
            }
        }
    }

    /// `list.remove(x)`: deletes the first element equal to `x`; ValueError
    /// 'list.remove(x): x not in list'.
    pub fn list_remove(&mut self, l: Handle, x: Handle) -> PyResult<()> {
        self.list_check(l);
        match self.list_find(l, x, 0, usize::MAX)? {
            Some(i) => self.list_del(l, i as isize),
            None => {
                let t = self.rt.types.exc.value_error;
                Err(self.raise(t, "list.remove(x): x not in list"))
            }
        }
    }

    /// Rich comparison of two lists, lexicographic as in CPython: the first index where the
    /// elements differ (`x is y or x == y` fails) decides with `op`; otherwise the lengths do.
    /// Unboxed storages compare in place.
    pub fn list_compare(&mut self, a: Handle, b: Handle, op: CompareOp) -> PyResult<bool> {
        self.list_check(a);
        self.list_check(b);
        let (la, lb) = (self.list_len(self.get(a)), self.list_len(self.get(b)));
        if la != lb && matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Ok(op == CompareOp::Ne);
        }
        let (pa, pb) = (payload(self.get(a)), payload(self.get(b)));
        let unboxed = |s: &Storage| !matches!(s.strategy(), Strategy::Object);
        if unboxed(&pa.storage) && unboxed(&pb.storage) {
            let num = |s: &Storage, i: usize| match s {
                Storage::Int(v) => v[i].num(),
                Storage::Float(v) => v[i].num(),
                _ => unreachable!(),
            };
            for i in 0..la.min(lb) {
                let (x, y) = (num(&pa.storage, i), num(&pb.storage, i));
                let o = x.py_cmp(y);
                if o != Some(std::cmp::Ordering::Equal) {
                    return Ok(op_holds(op, o));
                }
            }
            return Ok(op_holds(op, Some(la.cmp(&lb))));
        }
        let mut i = 0;
        loop {
            let (la, lb) = (self.list_len(self.get(a)), self.list_len(self.get(b)));
            if i >= la || i >= lb {
                return Ok(op_holds(op, Some(la.cmp(&lb))));
            }
            let m = self.mark();
            let x = self.list_item_owned(a, i);
            let x = self.root_owned(x);
            let y = self.list_item_owned(b, i);
            let y = self.root_owned(y);
            let r = match self.list_eq_bool(x, y) {
                Ok(true) => None,
                Ok(false) => Some(match op {
                    CompareOp::Eq => Ok(false),
                    CompareOp::Ne => Ok(true),
                    _ => self.compare(x, y, op),
                }),
                Err(e) => Some(Err(e)),
            };
            self.release(m);
            if let Some(r) = r {
                return r;
            }
            i += 1;
        }
    }
}
