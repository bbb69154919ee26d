//! Slices: CPython's index arithmetic (`PySlice_Unpack` + `PySlice_AdjustIndices`) and slice
//! get, assignment (plain and extended) and deletion on every strategy.

use super::strategy::{ensure_fits, strategy_of, Unboxed};
use super::{payload, Source, Storage, Strategy};
use crate::thread::{Handle, PyResult, Thread};

/// A slice `start:stop:step`; `None` is Python's omitted bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    /// First index (default: 0, or the end for a negative step).
    pub start: Option<isize>,
    /// Index to stop before (default: the end, or before the beginning for a negative step).
    pub stop: Option<isize>,
    /// Step (default 1; 0 is a ValueError).
    pub step: Option<isize>,
}

/// A slice resolved against a length: positions `start + k * step` for `k in 0..len`, plus the
/// adjusted `stop` (needed by plain slice assignment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceIndices {
    /// First position.
    pub start: isize,
    /// Adjusted stop.
    pub stop: isize,
    /// Step, never 0.
    pub step: isize,
    /// Number of positions.
    pub len: usize,
}

impl Slice {
    /// `start:stop:step`.
    pub fn new(start: Option<isize>, stop: Option<isize>, step: Option<isize>) -> Slice {
        Slice { start, stop, step }
    }

    /// Resolves the slice against a sequence of `len` elements, exactly as CPython does. `None`
    /// when the step is 0.
    pub fn indices(&self, len: usize) -> Option<SliceIndices> {
        let step = self.step.unwrap_or(1);
        if step == 0 {
            return None;
        }
        // CPython clamps the step so that -step cannot overflow.
        let step = step.max(-isize::MAX);
        let len = len as isize;
        let adjust = |v: Option<isize>, default: isize| -> isize {
            match v {
                None => default,
                Some(mut v) => {
                    if v < 0 {
                        v += len;
                        if v < 0 {
                            v = if step < 0 { -1 } else { 0 };
                        }
                    } else if v >= len {
                        v = if step < 0 { len - 1 } else { len };
                    }
                    v
                }
            }
        };
        let start = adjust(self.start, if step < 0 { len - 1 } else { 0 });
        let stop = adjust(self.stop, if step < 0 { -1 } else { len });
        let n = if step < 0 {
            if stop < start {
                (start - stop - 1) / (-step) + 1
            } else {
                0
            }
        } else if start < stop {
            (stop - start - 1) / step + 1
        } else {
            0
        };
        Some(SliceIndices {
            start,
            stop,
            step,
            len: n as usize,
        })
    }
}

impl Thread {
    fn list_slice_indices(&mut self, l: Handle, s: &Slice) -> PyResult<SliceIndices> {
        let n = self.list_len(self.get(l));
        match s.indices(n) {
            Some(ix) => Ok(ix),
            None => {
                let t = self.rt.types.exc.value_error;
                Err(self.raise(t, "slice step cannot be zero"))
            }
        }
    }

    /// `list[start:stop:step]`: a new list (strategy: the join of the selected elements' kinds).
    pub fn list_get_slice(&mut self, l: Handle, s: Slice) -> PyResult<Handle> {
        self.list_check(l);
        let ix = self.list_slice_indices(l, &s)?;
        let m = self.mark();
        let out = self.list();
        if ix.len > 0 {
            let src = Source {
                h: l,
                is_list: true,
                start: ix.start as usize,
                step: ix.step,
                count: ix.len,
            };
            self.list_append_from(out, src);
        }
        Ok(self.escape(m, out))
    }

    /// `del list[start:stop:step]`.
    pub fn list_del_slice(&mut self, l: Handle, s: Slice) -> PyResult<()> {
        self.list_check(l);
        let ix = self.list_slice_indices(l, &s)?;
        if ix.len == 0 {
            return Ok(());
        }
        let mut garbage = Vec::new();
        let p = payload(self.get(l));
        if ix.step == 1 {
            let lo = ix.start as usize;
            p.remove_range(lo..lo + ix.len, &mut garbage);
        } else {
            let (lo, step) = if ix.step < 0 {
                (ix.start + ix.step * (ix.len as isize - 1), -ix.step)
            } else {
                (ix.start, ix.step)
            };
            let (lo, step, n) = (lo as usize, step as usize, ix.len);
            p.retain_indices(
                |i| !(i >= lo && (i - lo) % step == 0 && (i - lo) / step < n),
                &mut garbage,
            );
        }
        p.sync();
        self.list_dispose(garbage);
        Ok(())
    }

    /// `list[start:stop:step] = src` (a list or tuple). Plain slices (step 1) replace the range
    /// by any number of elements (TypeError 'can only assign an iterable' for other types);
    /// extended slices need exactly as many elements as positions (ValueError 'attempt to assign
    /// sequence of size N to extended slice of size M'). `l[a:b] = l` copies `l` first.
    pub fn list_set_slice(&mut self, l: Handle, s: Slice, src: Handle) -> PyResult<()> {
        self.list_check(l);
        let ix = self.list_slice_indices(l, &s)?;
        let m = self.mark();
        let r = self.list_set_slice_inner(l, ix, src);
        self.release(m);
        r
    }

    fn list_set_slice_inner(&mut self, l: Handle, ix: SliceIndices, src: Handle) -> PyResult<()> {
        let msg = if ix.step == 1 {
            "can only assign an iterable"
        } else {
            "must assign iterable to extended slice"
        };
        let mut source = self.list_source(src, msg)?;
        if self.get(src) == self.get(l) {
            let c = self.list_copy(l);
            source = self.list_source(c, msg)?;
        }
        if ix.step == 1 {
            let lo = ix.start as usize;
            let hi = ix.stop.max(ix.start) as usize;
            self.list_assign_range(l, lo, hi, source);
            return Ok(());
        }
        if source.count != ix.len {
            let t = self.rt.types.exc.value_error;
            let msg = format!(
                "attempt to assign sequence of size {} to extended slice of size {}",
                source.count, ix.len
            );
            return Err(self.raise(t, &msg));
        }
        if ix.len > 0 {
            self.list_assign_positions(l, ix, source);
        }
        Ok(())
    }

    /// Replaces elements `lo..hi` by the source's elements (widening first).
    fn list_assign_range(&mut self, l: Handle, lo: usize, hi: usize, s: Source) {
        let kind = self.source_kind(&s);
        ensure_fits(self, l, kind);
        let mut garbage = Vec::new();
        fn splice<T: Unboxed>(
            p: &mut super::ListObject,
            lo: usize,
            hi: usize,
            new: Vec<T>,
            garbage: &mut Vec<crate::ObjRef>,
        ) {
            let n = new.len();
            drop(T::vec_mut(&mut p.storage).splice(lo..hi, new));
            if let Some(c) = &mut p.cache {
                garbage.extend(c.splice(lo..hi, std::iter::repeat_n(None, n)).flatten());
            }
        }
        match strategy_of(self.get(l)) {
            Strategy::Int => {
                let new = self.source_unboxed::<i64>(&s);
                splice(payload(self.get(l)), lo, hi, new, &mut garbage);
            }
            Strategy::Float => {
                let new = self.source_unboxed::<f64>(&s);
                splice(payload(self.get(l)), lo, hi, new, &mut garbage);
            }
            Strategy::Object => {
                let s = self.source_boxed(s);
                let refs = self.source_refs(&s);
                match &mut payload(self.get(l)).storage {
                    Storage::Object(v) => garbage.extend(v.splice(lo..hi, refs)),
                    _ => unreachable!(),
                }
            }
            Strategy::Empty => debug_assert!(lo == hi && s.count == 0),
        }
        payload(self.get(l)).sync();
        self.list_dispose(garbage);
    }

    /// Overwrites the positions of `ix` with the source's elements (same count; widening first).
    fn list_assign_positions(&mut self, l: Handle, ix: SliceIndices, s: Source) {
        let kind = self.source_kind(&s);
        ensure_fits(self, l, kind);
        let pos = |k: usize| (ix.start + k as isize * ix.step) as usize;
        let mut garbage = Vec::new();
        fn put<T: Unboxed>(
            p: &mut super::ListObject,
            new: Vec<T>,
            pos: &dyn Fn(usize) -> usize,
            garbage: &mut Vec<crate::ObjRef>,
        ) {
            for (k, x) in new.into_iter().enumerate() {
                T::vec_mut(&mut p.storage)[pos(k)] = x;
                p.cache_invalidate(pos(k), garbage);
            }
        }
        match strategy_of(self.get(l)) {
            Strategy::Int => {
                let new = self.source_unboxed::<i64>(&s);
                put(payload(self.get(l)), new, &pos, &mut garbage);
            }
            Strategy::Float => {
                let new = self.source_unboxed::<f64>(&s);
                put(payload(self.get(l)), new, &pos, &mut garbage);
            }
            Strategy::Object => {
                let s = self.source_boxed(s);
                let refs = self.source_refs(&s);
                match &mut payload(self.get(l)).storage {
                    Storage::Object(v) => {
                        for (k, r) in refs.into_iter().enumerate() {
                            garbage.push(std::mem::replace(&mut v[pos(k)], r));
                        }
                    }
                    _ => unreachable!(),
                }
            }
            Strategy::Empty => unreachable!("positions exist"),
        }
        payload(self.get(l)).sync();
        self.list_dispose(garbage);
    }
}
