//! `list` with storage strategies (after PyPy's `listobject.py`): a list payload holds an erased
//! [`Storage`] whose variant is the list's *strategy*; the strategy changes only by widening, in
//! one function (`strategy::switch_to`), when an element arrives that the current storage cannot
//! hold. Everything outside this module sees one interface (`impl Thread` methods named `list_*`).
//!
//! # Strategies
//! * `empty`: no elements, no representation chosen yet (new lists, and lists after `clear()`).
//! * `int`: contiguous unboxed `i64`; holds exact `int` objects whose value fits `i64`.
//! * `float`: contiguous unboxed `f64`, bit-exact (NaN payloads and `-0.0` survive).
//! * `object`: `Vec<ObjRef>`, one counted reference per element; holds anything.
//!
//! With `Config::strategies == false` every list uses `object` storage from birth (and after
//! `clear()`), so the list behaves exactly like CPython's.
//!
//! # Transition table
//! Rows: the current strategy. Columns: the kind of an element entering the list by any
//! operation (append, insert, extend, `+`, slice assignment, item assignment, copy/slice/`*` into
//! a new list, which starts `empty`). "int" means an exact `int` fitting `i64`; "float" an exact
//! `float`; "other" everything else, including `bool` (True must stay True), ints beyond `i64`,
//! and subclasses.
//!
//! | current \ element | int      | float    | other    |
//! |-------------------|----------|----------|----------|
//! | empty             | int      | float    | object   |
//! | int               | int      | object   | object   |
//! | float             | object   | float    | object   |
//! | object            | object   | object   | object   |
//!
//! That is the lattice join `current ⊔ kind(element)` (`Int ⊔ Float = Object`: `[1.0, 2]` keeps
//! `2` an int). Operations adding several elements widen once, to the join over all of them,
//! before adding any (so a failed operation never leaves a half-widened list). Elements coming
//! from an `object`-storage list are classified one by one, so `[] + ['a', 1][1:]` is an `int`
//! list. Other transitions:
//! * `clear()` (and `l *= n` with `n <= 0`, which is `clear()` in CPython): back to `empty`.
//! * a borrowed access from C ([`Thread::list_borrow_item`], [`Thread::list_items_ptr`]) may
//!   switch `int`/`float` to `object` (see `borrow.rs`).
//! * nothing else narrows: removing elements keeps the strategy.
//!
//! Widening boxes every element in order; it never loses or reorders one.
//!
//! # Identity of unboxed elements
//! CPython's `in`, `count`, `index`, `remove` and list `==` use `x is y or x == y`. Unboxed
//! elements have no identity: every read makes a new box (or an immediate). So an element of
//! `float` storage is never identical to anything: a NaN stored unboxed equals nothing, not even
//! the NaN object that was appended (`x in [x]` is False for `x = nan` when the list is `float`
//! storage, True when it is `object` storage, as in CPython). For every other value identity
//! implies equality, so the rule is only observable with NaN.
//!
//! # Rooting
//! Any allocation (boxing with tagging off, a float box, a new list, raising) may collect and move
//! objects. No code here holds an `ObjRef` or a payload reference across an allocation: payloads
//! are re-read through handles afterwards. References removed from a list are uncounted only
//! after the payload is no longer borrowed (the `garbage` vectors).

mod borrow;
mod search;
mod slice;
mod sort;
mod storage;
mod strategy;

pub mod bench;

use pyopaque_gc::Slot;

use crate::objects::int::IntValue;
use crate::objref::ObjRef;
use crate::refcount;
use crate::thread::{Handle, PyResult, Raised, Thread};
use crate::types::Kind;

pub use slice::{Slice, SliceIndices};
pub use sort::{merge_sort_by, KeyFn};
pub use storage::{ListObject, Strategy};

pub(crate) use storage::Storage;
use strategy::{classify, ensure_fits, strategy_of, Unboxed};

/// The payload of list `obj`.
#[inline]
pub(crate) fn payload<'a>(obj: ObjRef) -> &'a mut ListObject {
    // SAFETY: callers pass a list (checked by `Thread::list_check` at the public entry points);
    // its payload holds an initialised ListObject. A list is mutated by one thread at a time
    // (containers are not internally synchronised), and no caller keeps the returned reference
    // across an allocation or across another call to `payload` for the same list.
    unsafe { &mut *obj.as_ptr().cast::<ListObject>() }
}

/// Appends `obj` to list `l` when it fits the current storage without widening (no gc
/// allocation, so `l` and `obj` may be raw references); false, changing nothing, otherwise.
#[inline]
pub(crate) fn append_fast(cx: &Thread, l: ObjRef, obj: ObjRef) -> bool {
    let it = classify(cx, obj);
    let p = payload(l);
    match (&mut p.storage, it) {
        (Storage::Int(v), strategy::Item::Int(x)) if p.cache.is_none() => v.push(x),
        (Storage::Float(v), strategy::Item::Float(x)) if p.cache.is_none() => v.push(x),
        (Storage::Object(v), _) => {
            refcount::incref(cx, obj);
            v.push(obj);
        }
        _ => return false,
    }
    p.sync();
    true
}

/// Where elements come from: a list or a tuple, at positions `start + k * step` for
/// `k in 0..count`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source {
    pub(crate) h: Handle,
    pub(crate) is_list: bool,
    pub(crate) start: usize,
    pub(crate) step: isize,
    pub(crate) count: usize,
}

impl Source {
    #[inline]
    fn pos(&self, k: usize) -> usize {
        (self.start as isize + k as isize * self.step) as usize
    }
}

impl Thread {
    #[inline]
    #[track_caller]
    fn list_check(&self, l: Handle) -> ObjRef {
        let r = self.get(l);
        debug_assert!(self.kind_of(r) == Kind::List, "not a list");
        r
    }

    /// The storage a new (or cleared) list starts with: `Empty`, or `Object` when strategies
    /// are off.
    fn list_empty_storage(&self) -> Storage {
        if self.rt.config.strategies {
            Storage::Empty
        } else {
            Storage::Object(Vec::new())
        }
    }

    /// A new list holding `storage`, which must hold no references (it is invisible to the
    /// collector during the allocation).
    pub(crate) fn list_with_storage(&mut self, storage: Storage) -> Handle {
        debug_assert!(!matches!(&storage, Storage::Object(v) if !v.is_empty()));
        let ty = self.rt.types.list;
        let r = self.alloc_object(ty, std::mem::size_of::<ListObject>());
        let mut obj = ListObject::new(storage, &self.rt.stats.off_heap_bytes);
        obj.sync();
        // SAFETY: fresh payload sized and aligned for a ListObject.
        unsafe { r.as_ptr().cast::<ListObject>().write(obj) };
        self.root_owned(r)
    }

    /// A new empty list (`empty` strategy, or `object` with strategies off).
    pub fn list(&mut self) -> Handle {
        let s = self.list_empty_storage();
        self.list_with_storage(s)
    }

    /// A new list of the referents of `items` (as if appended one by one).
    pub fn list_from(&mut self, items: &[Handle]) -> Handle {
        let l = self.list();
        for &h in items {
            self.list_append(l, h).expect("append cannot fail");
        }
        l
    }

    /// `len(list)`.
    pub fn list_len(&self, l: ObjRef) -> usize {
        payload(l).len()
    }

    /// The list's strategy: "empty", "int", "float" or "object".
    pub fn list_strategy_name(&self, l: ObjRef) -> &'static str {
        strategy_of(l).name()
    }

    /// The list's strategy.
    pub fn list_strategy(&self, l: ObjRef) -> Strategy {
        strategy_of(l)
    }

    /// Bytes of capacity the list holds off the heap (storage plus box cache); the sum over live
    /// lists is what they contribute to `RuntimeStats::off_heap_bytes`.
    pub fn list_storage_bytes(&self, l: ObjRef) -> usize {
        payload(l).bytes()
    }

    /// Element `i` (caller checked `i < len`) as an owned reference: the stored reference
    /// (counted once more) for `object` storage, a new box or immediate for unboxed storage.
    /// May allocate.
    pub(crate) fn list_item_owned(&mut self, l: Handle, i: usize) -> ObjRef {
        // The box cache is not consulted: it serves C borrowers only, so that unboxed elements
        // never gain an identity visible to Python code.
        let p = payload(self.get(l));
        match &p.storage {
            Storage::Object(v) => {
                let r = v[i];
                refcount::incref(self, r);
                r
            }
            Storage::Int(v) => {
                let x = v[i];
                i64::wrap(self, x)
            }
            Storage::Float(v) => {
                let x = v[i];
                f64::wrap(self, x)
            }
            Storage::Empty => unreachable!("index checked"),
        }
    }

    /// Uncounts references removed from lists (after the payload is no longer borrowed).
    pub(crate) fn list_dispose(&mut self, garbage: Vec<ObjRef>) {
        for r in garbage {
            refcount::decref(self, r);
        }
    }

    fn index_error(&mut self, msg: &str) -> Raised {
        let t = self.rt.types.exc.index_error;
        self.raise(t, msg)
    }

    fn type_error(&mut self, msg: &str) -> Raised {
        let t = self.rt.types.exc.type_error;
        self.raise(t, msg)
    }

    /// Writes `x` (which fits the current storage, see `ensure_fits`) at `i`, or inserts it at
    /// `i` when `insert`. Counts the new reference; the replaced one goes to `garbage`.
    fn list_put(
        &mut self,
        l: Handle,
        i: usize,
        x: Handle,
        insert: bool,
        garbage: &mut Vec<ObjRef>,
    ) {
        let obj = self.get(x);
        let it = classify(self, obj);
        let p = payload(self.get(l));
        fn put<T: Copy>(v: &mut Vec<T>, i: usize, x: T, insert: bool) -> Option<T> {
            if insert {
                v.insert(i, x);
                None
            } else {
                Some(std::mem::replace(&mut v[i], x))
            }
        }
        match &mut p.storage {
            Storage::Int(v) => drop(put(v, i, i64::unwrap(it).expect("fits"), insert)),
            Storage::Float(v) => drop(put(v, i, f64::unwrap(it).expect("fits"), insert)),
            Storage::Object(v) => {
                refcount::incref(self, obj);
                garbage.extend(put(v, i, obj, insert));
            }
            Storage::Empty => unreachable!("ensure_fits chose a storage"),
        }
        if let Some(c) = &mut p.cache {
            if insert {
                c.insert(i, None);
            } else {
                garbage.extend(c[i].take());
            }
        }
        p.sync();
    }

    /// `list.append(item)`.
    pub fn list_append(&mut self, l: Handle, item: Handle) -> PyResult<()> {
        let r = self.list_check(l);
        // Fast paths: the element fits the current storage.
        if append_fast(self, r, self.get(item)) {
            return Ok(());
        }
        let it = classify(self, self.get(item));
        ensure_fits(self, l, it.strategy());
        let n = self.list_len(self.get(l));
        let mut garbage = Vec::new();
        self.list_put(l, n, item, true, &mut garbage);
        self.list_dispose(garbage);
        Ok(())
    }

    /// `list.insert(i, item)`: `i` is clamped to `0..=len` after adding `len` to a negative `i`.
    pub fn list_insert(&mut self, l: Handle, i: isize, item: Handle) -> PyResult<()> {
        self.list_check(l);
        let it = classify(self, self.get(item));
        ensure_fits(self, l, it.strategy());
        let n = self.list_len(self.get(l)) as isize;
        let j = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
        let mut garbage = Vec::new();
        self.list_put(l, j, item, true, &mut garbage);
        self.list_dispose(garbage);
        Ok(())
    }

    fn list_norm_index(&self, l: Handle, i: isize) -> Option<usize> {
        let n = self.list_len(self.get(l)) as isize;
        let j = if i < 0 { i + n } else { i };
        (0..n).contains(&j).then_some(j as usize)
    }

    /// `list[i]` (negative indices count from the end); IndexError 'list index out of range'.
    /// Returns a new rooted handle.
    pub fn list_get(&mut self, l: Handle, i: isize) -> PyResult<Handle> {
        self.list_check(l);
        match self.list_norm_index(l, i) {
            Some(j) => {
                let r = self.list_item_owned(l, j);
                Ok(self.root_owned(r))
            }
            None => Err(self.index_error("list index out of range")),
        }
    }

    /// `list[i] = item`; IndexError 'list assignment index out of range'.
    pub fn list_set(&mut self, l: Handle, i: isize, item: Handle) -> PyResult<()> {
        self.list_check(l);
        let Some(j) = self.list_norm_index(l, i) else {
            return Err(self.index_error("list assignment index out of range"));
        };
        let it = classify(self, self.get(item));
        ensure_fits(self, l, it.strategy());
        let mut garbage = Vec::new();
        self.list_put(l, j, item, false, &mut garbage);
        self.list_dispose(garbage);
        Ok(())
    }

    /// `del list[i]`; IndexError 'list assignment index out of range'.
    pub fn list_del(&mut self, l: Handle, i: isize) -> PyResult<()> {
        self.list_check(l);
        let Some(j) = self.list_norm_index(l, i) else {
            return Err(self.index_error("list assignment index out of range"));
        };
        let mut garbage = Vec::new();
        let p = payload(self.get(l));
        p.remove_range(j..j + 1, &mut garbage);
        p.sync();
        self.list_dispose(garbage);
        Ok(())
    }

    /// Converts an index object (int or bool) for `list[idx]`: TypeError for other types,
    /// IndexError for ints beyond `isize` (CPython: "cannot fit 'int' into an index-sized
    /// integer").
    fn list_index_arg(&mut self, idx: Handle) -> PyResult<isize> {
        let obj = self.get(idx);
        match self.int_value(obj) {
            Some(IntValue::Small(v)) if isize::try_from(v).is_ok() => Ok(v as isize),
            Some(_) => Err(self.index_error("cannot fit 'int' into an index-sized integer")),
            None => {
                let n = self.type_name(self.type_of(obj));
                Err(self.type_error(&format!("list indices must be integers or slices, not {n}")))
            }
        }
    }

    /// `list[idx]` with an index object.
    pub fn list_getitem(&mut self, l: Handle, idx: Handle) -> PyResult<Handle> {
        let i = self.list_index_arg(idx)?;
        self.list_get(l, i)
    }

    /// `list[idx] = item` with an index object.
    pub fn list_setitem(&mut self, l: Handle, idx: Handle, item: Handle) -> PyResult<()> {
        let i = self.list_index_arg(idx)?;
        self.list_set(l, i, item)
    }

    /// `del list[idx]` with an index object.
    pub fn list_delitem(&mut self, l: Handle, idx: Handle) -> PyResult<()> {
        let i = self.list_index_arg(idx)?;
        self.list_del(l, i)
    }

    /// `list.pop(i)` (`None`: the last element). IndexError 'pop from empty list' or 'pop index
    /// out of range'.
    pub fn list_pop(&mut self, l: Handle, i: Option<isize>) -> PyResult<Handle> {
        self.list_check(l);
        if self.list_len(self.get(l)) == 0 {
            return Err(self.index_error("pop from empty list"));
        }
        let Some(j) = self.list_norm_index(l, i.unwrap_or(-1)) else {
            return Err(self.index_error("pop index out of range"));
        };
        let p = payload(self.get(l));
        let cached = p.cache.as_mut().and_then(|c| c.remove(j));
        #[derive(Clone, Copy)]
        enum Popped {
            Ref(ObjRef),
            I(i64),
            F(f64),
        }
        let popped = match &mut p.storage {
            Storage::Object(v) => Popped::Ref(v.remove(j)),
            Storage::Int(v) => Popped::I(v.remove(j)),
            Storage::Float(v) => Popped::F(v.remove(j)),
            Storage::Empty => unreachable!(),
        };
        p.sync();
        // A cached box is dropped, not returned (unboxed elements have no identity).
        self.list_dispose(cached.into_iter().collect());
        let r = match popped {
            Popped::Ref(r) => r,
            Popped::I(x) => i64::wrap(self, x),
            Popped::F(x) => f64::wrap(self, x),
        };
        Ok(self.root_owned(r))
    }

    /// `list.clear()`: back to the empty strategy (object storage with strategies off).
    pub fn list_clear(&mut self, l: Handle) {
        self.list_check(l);
        let empty = self.list_empty_storage();
        let p = payload(self.get(l));
        let mut garbage = Vec::new();
        let n = p.len();
        p.remove_range(0..n, &mut garbage);
        p.storage = empty;
        p.cache = None;
        p.sync();
        self.list_dispose(garbage);
    }

    /// A source over every element of `h`, a list or tuple; TypeError `msg` (with `{}` replaced
    /// by the type name) for anything else.
    pub(crate) fn list_source(&mut self, h: Handle, msg: &str) -> PyResult<Source> {
        let obj = self.get(h);
        let (is_list, count) = match self.kind_of(obj) {
            Kind::List => (true, self.list_len(obj)),
            Kind::Tuple => (false, self.tuple_len(obj).unwrap()),
            _ => {
                let n = self.type_name(self.type_of(obj));
                return Err(self.type_error(&msg.replace("{}", n)));
            }
        };
        Ok(Source {
            h,
            is_list,
            start: 0,
            step: 1,
            count,
        })
    }

    /// The reference at position `k` of an `object`-list or tuple source (no allocation).
    fn source_obj(&self, s: &Source, k: usize) -> ObjRef {
        let obj = self.get(s.h);
        if s.is_list {
            match &payload(obj).storage {
                Storage::Object(v) => v[s.pos(k)],
                _ => unreachable!("object source"),
            }
        } else {
            self.tuple_get(obj, s.pos(k)).expect("tuple item")
        }
    }

    /// The join of the kinds of the source's elements (`Empty` when it has none).
    fn source_kind(&self, s: &Source) -> Strategy {
        if s.count == 0 {
            return Strategy::Empty;
        }
        if s.is_list {
            let st = strategy_of(self.get(s.h));
            if st != Strategy::Object {
                return st;
            }
        }
        let mut k = Strategy::Empty;
        for i in 0..s.count {
            k = k.join(classify(self, self.source_obj(s, i)).strategy());
            if k == Strategy::Object {
                break;
            }
        }
        k
    }

    /// The source's elements as `T` (every element fits `T`; no allocation).
    fn source_unboxed<T: Unboxed>(&self, s: &Source) -> Vec<T> {
        if s.is_list && strategy_of(self.get(s.h)) == T::STRATEGY {
            let v = T::vec(&payload(self.get(s.h)).storage);
            return (0..s.count).map(|k| v[s.pos(k)]).collect();
        }
        (0..s.count)
            .map(|k| T::unwrap(classify(self, self.source_obj(s, k))).expect("fits"))
            .collect()
    }

    /// A source whose elements are references readable without allocating: `s` itself, or for
    /// an unboxed list a new temporary `object`-storage list of boxes (rooted in the current
    /// handle scope).
    fn source_boxed(&mut self, s: Source) -> Source {
        if !s.is_list || strategy_of(self.get(s.h)) == Strategy::Object || s.count == 0 {
            return s;
        }
        let t = self.list_with_storage(Storage::Object(Vec::with_capacity(s.count)));
        for k in 0..s.count {
            let r = self.list_item_owned(s.h, s.pos(k));
            match &mut payload(self.get(t)).storage {
                Storage::Object(v) => v.push(r),
                _ => unreachable!(),
            }
        }
        payload(self.get(t)).sync();
        Source {
            h: t,
            is_list: true,
            start: 0,
            step: 1,
            count: s.count,
        }
    }

    /// The source's elements as owned references (each counted once more); `s` must be an
    /// object list or tuple (see [`Thread::source_boxed`]).
    fn source_refs(&self, s: &Source) -> Vec<ObjRef> {
        (0..s.count)
            .map(|k| {
                let r = self.source_obj(s, k);
                refcount::incref(self, r);
                r
            })
            .collect()
    }

    /// Appends the source's elements to `dst` (which may be the source list itself: only the
    /// `count` positions existing at the start are read). Widens `dst` once, to the join of its
    /// strategy and the elements' kinds.
    pub(crate) fn list_append_from(&mut self, dst: Handle, s: Source) {
        if s.count == 0 {
            return;
        }
        let kind = self.source_kind(&s);
        ensure_fits(self, dst, kind);
        let src_strategy = if s.is_list {
            strategy_of(self.get(s.h))
        } else {
            Strategy::Object
        };
        match (strategy_of(self.get(dst)), src_strategy) {
            (Strategy::Int, _) => {
                let new = self.source_unboxed::<i64>(&s);
                i64::vec_mut(&mut payload(self.get(dst)).storage).extend_from_slice(&new);
            }
            (Strategy::Float, _) => {
                let new = self.source_unboxed::<f64>(&s);
                f64::vec_mut(&mut payload(self.get(dst)).storage).extend_from_slice(&new);
            }
            (Strategy::Object, Strategy::Object) => {
                let new = self.source_refs(&s);
                match &mut payload(self.get(dst)).storage {
                    Storage::Object(v) => v.extend_from_slice(&new),
                    _ => unreachable!(),
                }
            }
            (Strategy::Object, _) => {
                // Boxing: one allocation per element; re-read both payloads every time.
                for k in 0..s.count {
                    let r = self.list_item_owned(s.h, s.pos(k));
                    match &mut payload(self.get(dst)).storage {
                        Storage::Object(v) => v.push(r),
                        _ => unreachable!(),
                    }
                }
            }
            (Strategy::Empty, _) => unreachable!("ensure_fits chose a storage"),
        }
        let p = payload(self.get(dst));
        p.cache_grow(s.count);
        p.sync();
    }

    /// `list.extend(src)` / `list += src` for a list or tuple `src` (TypeError "'T' object is
    /// not iterable" otherwise). `l.extend(l)` doubles `l`.
    pub fn list_extend(&mut self, l: Handle, src: Handle) -> PyResult<()> {
        self.list_check(l);
        let s = self.list_source(src, "'{}' object is not iterable")?;
        self.list_append_from(l, s);
        Ok(())
    }

    /// `list.copy()` / `list[:]`: a new list, whose strategy is the join of the elements' kinds.
    pub fn list_copy(&mut self, l: Handle) -> Handle {
        self.list_check(l);
        let n = self.list();
        let s = Source {
            h: l,
            is_list: true,
            start: 0,
            step: 1,
            count: self.list_len(self.get(l)),
        };
        self.list_append_from(n, s);
        n
    }

    /// `a + b` for lists; TypeError 'can only concatenate list (not "T") to list' otherwise.
    pub fn list_concat(&mut self, a: Handle, b: Handle) -> PyResult<Handle> {
        self.list_check(a);
        if self.kind_of(self.get(b)) != Kind::List {
            let n = self.type_name(self.type_of(self.get(b)));
            return Err(
                self.type_error(&format!("can only concatenate list (not \"{n}\") to list"))
            );
        }
        let m = self.mark();
        let n = self.list();
        let sa = self.list_source(a, "")?;
        self.list_append_from(n, sa);
        let sb = self.list_source(b, "")?;
        self.list_append_from(n, sb);
        Ok(self.escape(m, n))
    }

    fn list_memory_error(&mut self) -> Raised {
        let t = self.rt.types.exc.memory_error;
        self.raise(t, "")
    }

    /// `list * n` (`n <= 0`: an empty list). MemoryError when the size overflows.
    pub fn list_repeat(&mut self, l: Handle, n: isize) -> PyResult<Handle> {
        self.list_check(l);
        let m = self.mark();
        let out = self.list();
        if n > 0 && self.list_len(self.get(l)) > 0 {
            let len = self.list_len(self.get(l));
            if len
                .checked_mul(n as usize)
                .is_none_or(|t| t > isize::MAX as usize / 8)
            {
                self.release(m);
                return Err(self.list_memory_error());
            }
            self.list_append_from(
                out,
                Source {
                    h: l,
                    is_list: true,
                    start: 0,
                    step: 1,
                    count: len,
                },
            );
            self.list_inplace_repeat(out, n)?;
        }
        Ok(self.escape(m, out))
    }

    /// `list *= n`: `n <= 0` clears (back to the empty strategy, as CPython calls clear).
    pub fn list_inplace_repeat(&mut self, l: Handle, n: isize) -> PyResult<()> {
        self.list_check(l);
        if n <= 0 {
            self.list_clear(l);
            return Ok(());
        }
        let len = self.list_len(self.get(l));
        if n == 1 || len == 0 {
            return Ok(());
        }
        if len
            .checked_mul(n as usize)
            .is_none_or(|t| t > isize::MAX as usize / 8)
        {
            return Err(self.list_memory_error());
        }
        let extra = len * (n as usize - 1);
        fn rep<T: Copy>(v: &mut Vec<T>, len: usize, n: usize) {
            v.reserve(len * (n - 1));
            for _ in 1..n {
                v.extend_from_within(0..len);
            }
        }
        let p = payload(self.get(l));
        match &mut p.storage {
            Storage::Int(v) => rep(v, len, n as usize),
            Storage::Float(v) => rep(v, len, n as usize),
            Storage::Object(v) => {
                rep(v, len, n as usize);
                for &r in &v[len..] {
                    refcount::incref(self, r);
                }
            }
            Storage::Empty => {}
        }
        p.cache_grow(extra);
        p.sync();
        Ok(())
    }

    /// `list.reverse()`, in place, on every strategy.
    pub fn list_reverse(&mut self, l: Handle) {
        self.list_check(l);
        payload(self.get(l)).reverse();
    }

    /// Index-based iteration: the element at `*pos` (then `*pos += 1`), or `None` once `*pos`
    /// reaches the current length (like CPython's list iterator, it sees mutations).
    pub fn list_iter_next(&mut self, l: Handle, pos: &mut usize) -> Option<Handle> {
        self.list_check(l);
        if *pos < self.list_len(self.get(l)) {
            let r = self.list_item_owned(l, *pos);
            *pos += 1;
            Some(self.root_owned(r))
        } else {
            None
        }
    }

    /// The elements of an `int`-strategy list, read in place (None for other strategies). The
    /// slice is valid while `self` is borrowed, i.e. until the next mutation or allocation.
    pub fn list_int_slice(&self, l: ObjRef) -> Option<&[i64]> {
        match &payload(l).storage {
            Storage::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The elements of a `float`-strategy list, read in place (None for other strategies).
    pub fn list_float_slice(&self, l: ObjRef) -> Option<&[f64]> {
        match &payload(l).storage {
            Storage::Float(v) => Some(v),
            _ => None,
        }
    }

    /// The exact sum of an `int`-strategy (or empty) list, computed on the unboxed storage
    /// (None for other strategies). Vectorisable: sums the high and low 32-bit halves separately
    /// per chunk, so it cannot overflow.
    pub fn list_int_sum(&self, l: ObjRef) -> Option<i128> {
        match &payload(l).storage {
            Storage::Int(v) => Some(sum_i64_exact(v)),
            Storage::Empty => Some(0),
            _ => None,
        }
    }

    /// `sum(list)` (start 0): the `int` strategy sums unboxed; otherwise CPython's algorithm
    /// (exact ints that fit are accumulated without allocating, then `+` via `binop`).
    pub fn list_sum(&mut self, l: Handle) -> PyResult<Handle> {
        self.list_check(l);
        if let Some(s) = self.list_int_sum(self.get(l)) {
            return Ok(self.int_from_i128(s));
        }
        if let Storage::Float(v) = &payload(self.get(l)).storage {
            // `sum()` starts from the int 0: `0 + x` is `0.0 + x` (so -0.0 becomes 0.0), then
            // left-to-right float addition, exactly as the boxed loop would compute it.
            let total = v.iter().fold(0.0f64, |acc, x| acc + x);
            return Ok(self.float(total));
        }
        let m = self.mark();
        let n = self.list_len(self.get(l));
        let mut acc: i128 = 0;
        let mut i = 0;
        // CPython's fast path: exact ints (read in place, no allocation).
        if let Storage::Object(v) = &payload(self.get(l)).storage {
            while i < n {
                match classify(self, v[i]) {
                    strategy::Item::Int(x) => acc += x as i128,
                    _ => break,
                }
                i += 1;
            }
        }
        let total = self.int_from_i128(acc);
        while i < self.list_len(self.get(l)) {
            let e = self.list_item_owned(l, i);
            let e = self.root_owned(e);
            let step = self.mark();
            match self.binop(total, e, crate::BinOp::Add) {
                Ok(t) => {
                    // Keep the handle stack flat: move the new total into the old handle.
                    let t = self.get(t);
                    self.set(total, t);
                    self.release(step);
                }
                Err(e) => {
                    self.release(m);
                    return Err(e);
                }
            }
            self.release(step);
            i += 1;
        }
        Ok(self.escape(m, total))
    }

    fn int_from_i128(&mut self, v: i128) -> Handle {
        match i64::try_from(v) {
            Ok(x) => self.int(x),
            Err(_) => self.int_from_value(IntValue::from_big(num_bigint::BigInt::from(v))),
        }
    }
}

/// Exact sum of `v`. Each element is split into unsigned halves plus its sign (logical shifts
/// and masks only, so the loop vectorises with plain SSE2); per chunk of 2^20 elements the three
/// partial sums cannot overflow.
pub(crate) fn sum_i64_exact(v: &[i64]) -> i128 {
    let mut total: i128 = 0;
    for chunk in v.chunks(1 << 20) {
        let (mut lo, mut hi, mut neg) = (0u64, 0u64, 0u64);
        for &x in chunk {
            let u = x as u64;
            lo += u & 0xffff_ffff;
            hi += u >> 32;
            neg += u >> 63;
        }
        total += ((hi as i128) << 32) + lo as i128 - ((neg as i128) << 64);
    }
    total
}

/// Visits every heap reference the list holds: `object` items and box-cache entries.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    let p = payload(obj);
    if let Storage::Object(items) = &mut p.storage {
        for r in items.iter_mut() {
            crate::binding::visit_slot((r as *mut ObjRef).cast(), visit);
        }
    }
    if let Some(c) = &mut p.cache {
        for r in c.iter_mut() {
            crate::binding::visit_slot(r as *mut Option<ObjRef>, visit);
        }
    }
}

/// Collects the references the list owns (items, cached boxes), un-accounts its off-heap bytes
/// and drops the storage. Runs once, when the list dies.
pub(crate) fn release(obj: ObjRef, children: &mut Vec<ObjRef>) {
    let p = payload(obj);
    let n = p.len();
    p.remove_range(0..n, children);
    p.storage = Storage::Empty;
    p.cache = None;
    p.unaccount();
    // SAFETY: called once when the object dies; the payload is initialised and not used again.
    unsafe { std::ptr::drop_in_place(obj.as_ptr().cast::<ListObject>()) }
}

#[cfg(test)]
mod tests;
