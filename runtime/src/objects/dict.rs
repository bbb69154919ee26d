//! `dict`: insertion-ordered, like CPython's compact dict: an entry array in insertion order
//! (deleted entries leave a hole until the next resize) and an open-addressing index of entry
//! positions. Both live off the heap, owned by the payload; keys are found by hash and by Python
//! equality (`1`, `1.0` and `True` are the same key).
//!
//! Hashes are stored, never addresses, so the collector may move keys and values freely.

use pyopaque_gc::Slot;

use crate::objref::ObjRef;
use crate::refcount;
use crate::thread::{Handle, PyResult, Thread};

const EMPTY: u32 = u32::MAX;
const DUMMY: u32 = u32::MAX - 1;

/// One entry: `None` after deletion.
type Entry = Option<(i64, ObjRef, ObjRef)>;

/// Payload of a dict object.
pub struct DictStorage {
    entries: Vec<Entry>,
    index: Vec<u32>,
    used: usize,
}

impl DictStorage {
    fn new() -> Self {
        DictStorage {
            entries: Vec::new(),
            index: Vec::new(),
            used: 0,
        }
    }

    fn rebuild_index(&mut self) {
        self.entries.retain(|e| e.is_some());
        let mut cap = 8;
        while cap * 2 <= self.entries.len() * 3 + 3 {
            cap *= 2;
        }
        self.index = vec![EMPTY; cap];
        let mask = cap - 1;
        for (pos, e) in self.entries.iter().enumerate() {
            let h = e.as_ref().unwrap().0;
            let mut i = (h as u64 as usize) & mask;
            let mut perturb = h as u64;
            while self.index[i] != EMPTY {
                perturb >>= 5;
                i = (i * 5 + 1 + perturb as usize) & mask;
            }
            self.index[i] = pos as u32;
        }
    }
}

fn storage(obj: ObjRef) -> &'static mut DictStorage {
    // SAFETY: callers checked the kind is Dict; the payload holds an initialised DictStorage.
    // Exclusive access: a dict is mutated only by the thread holding it (schemes that allow
    // several threads document that containers are not internally synchronised, as in CPython
    // without the GIL's per-object locks).
    unsafe { &mut *obj.as_ptr().cast::<DictStorage>() }
}

/// Result of probing the index for a key.
enum Probe {
    Found { slot: usize, pos: usize },
    Vacant { slot: usize },
}

impl Thread {
    /// A new empty dict.
    pub fn dict(&mut self) -> Handle {
        let ty = self.rt.types.dict;
        let r = self.alloc_object(ty, std::mem::size_of::<DictStorage>());
        // SAFETY: fresh payload sized and aligned for a DictStorage.
        unsafe { r.as_ptr().cast::<DictStorage>().write(DictStorage::new()) };
        self.root_owned(r)
    }

    fn dict_probe(&mut self, d: Handle, key: Handle, hash: i64) -> PyResult<Probe> {
        let mut st = storage(self.get(d));
        if st.index.is_empty() {
            st.rebuild_index();
        }
        let mask = st.index.len() - 1;
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        let mut first_dummy = None;
        loop {
            let pos = st.index[i];
            if pos == EMPTY {
                return Ok(Probe::Vacant {
                    slot: first_dummy.unwrap_or(i),
                });
            }
            if pos == DUMMY {
                first_dummy.get_or_insert(i);
            } else if let Some((h, k, _)) = st.entries[pos as usize] {
                if h == hash {
                    let k_obj = k;
                    let same = k_obj == self.get(key) || {
                        let kh = self.root(k_obj);
                        let eq = self.eq(kh, key);
                        self.release(crate::thread::HandleMark::from_handle(kh));
                        eq?
                    };
                    // Equality may have run arbitrary code (C __eq__): reload.
                    st = storage(self.get(d));
                    if same {
                        return Ok(Probe::Found {
                            slot: i,
                            pos: pos as usize,
                        });
                    }
                }
            }
            perturb >>= 5;
            i = (i * 5 + 1 + perturb as usize) & mask;
        }
    }

    /// `d[key]`, or `Ok(None)` when absent. Raises TypeError for an unhashable key.
    pub fn dict_get(&mut self, d: Handle, key: Handle) -> PyResult<Option<Handle>> {
        let hash = self.hash(key)?;
        match self.dict_probe(d, key, hash)? {
            Probe::Found { pos, .. } => {
                let v = storage(self.get(d)).entries[pos].unwrap().2;
                Ok(Some(self.root(v)))
            }
            Probe::Vacant { .. } => Ok(None),
        }
    }

    /// Probes `d` for the immediate int `key` without running any code: `Some(probe)` when
    /// every stored key met with the same hash was decided without `__eq__` (the same word, or
    /// another immediate, which is a different int); `None` when a heap key with the same hash
    /// (a boxed int, a float, `True`, an instance...) would need Python equality.
    fn dict_probe_immediate(st: &mut DictStorage, key: ObjRef, hash: i64) -> Option<Probe> {
        if st.index.is_empty() {
            st.rebuild_index();
        }
        let mask = st.index.len() - 1;
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        let mut first_dummy = None;
        loop {
            let pos = st.index[i];
            if pos == EMPTY {
                return Some(Probe::Vacant {
                    slot: first_dummy.unwrap_or(i),
                });
            }
            if pos == DUMMY {
                first_dummy.get_or_insert(i);
            } else if let Some((h, k, _)) = st.entries[pos as usize] {
                if h == hash {
                    if k == key {
                        return Some(Probe::Found {
                            slot: i,
                            pos: pos as usize,
                        });
                    }
                    if !k.is_tagged() {
                        return None;
                    }
                }
            }
            perturb >>= 5;
            i = (i * 5 + 1 + perturb as usize) & mask;
        }
    }

    /// `d[key]` for a dict `d` and an immediate int `key`, without a handle and without running
    /// code: `Some(Some(value))` / `Some(None)` (absent), or `None` when the lookup needs Python
    /// equality (the caller takes the general path, [`Thread::dict_get`]).
    pub fn dict_get_immediate(&self, d: ObjRef, key: ObjRef) -> Option<Option<ObjRef>> {
        let v = key.as_small_int()?;
        let hash = crate::objects::int::IntValue::Small(v).hash();
        let st = storage(d);
        match Self::dict_probe_immediate(st, key, hash)? {
            Probe::Found { pos, .. } => Some(Some(st.entries[pos].unwrap().2)),
            Probe::Vacant { .. } => Some(None),
        }
    }

    /// `d[key] = value` for a dict `d` and an immediate int `key` when that is a new key, or
    /// replaces an immediate value: no handle, no allocation on the heap and no decref that
    /// could free an object (so no finalizer runs). Returns false, having changed nothing, when
    /// the general path ([`Thread::dict_set`]) must run.
    pub fn dict_set_immediate(&mut self, d: ObjRef, key: ObjRef, value: ObjRef) -> bool {
        let Some(v) = key.as_small_int() else {
            return false;
        };
        let hash = crate::objects::int::IntValue::Small(v).hash();
        let st = storage(d);
        match Self::dict_probe_immediate(st, key, hash) {
            None => false,
            Some(Probe::Found { pos, .. }) => {
                let e = st.entries[pos].as_mut().unwrap();
                if !e.2.is_tagged() {
                    return false;
                }
                e.2 = value;
                refcount::incref(self, value);
                true
            }
            Some(Probe::Vacant { slot }) => {
                st.index[slot] = st.entries.len() as u32;
                st.entries.push(Some((hash, key, value)));
                st.used += 1;
                if st.entries.len() * 3 >= st.index.len() * 2 {
                    st.rebuild_index();
                }
                refcount::incref(self, value);
                true
            }
        }
    }

    /// `d[key] = value`.
    pub fn dict_set(&mut self, d: Handle, key: Handle, value: Handle) -> PyResult<()> {
        let hash = self.hash(key)?;
        let probe = self.dict_probe(d, key, hash)?;
        let (k, v) = (self.get(key), self.get(value));
        refcount::incref(self, v);
        let st = storage(self.get(d));
        match probe {
            Probe::Found { pos, .. } => {
                let e = st.entries[pos].as_mut().unwrap();
                let old = std::mem::replace(&mut e.2, v);
                refcount::decref(self, old);
            }
            Probe::Vacant { slot } => {
                refcount::incref(self, k);
                let st = storage(self.get(d));
                st.index[slot] = st.entries.len() as u32;
                st.entries.push(Some((hash, k, v)));
                st.used += 1;
                if st.entries.len() * 3 >= st.index.len() * 2 {
                    st.rebuild_index();
                }
            }
        }
        Ok(())
    }

    /// `del d[key]`; `Ok(false)` when the key was absent (callers raise KeyError).
    pub fn dict_del(&mut self, d: Handle, key: Handle) -> PyResult<bool> {
        let hash = self.hash(key)?;
        match self.dict_probe(d, key, hash)? {
            Probe::Found { slot, pos } => {
                let st = storage(self.get(d));
                st.index[slot] = DUMMY;
                let (_, k, v) = st.entries[pos].take().unwrap();
                st.used -= 1;
                refcount::decref(self, k);
                refcount::decref(self, v);
                Ok(true)
            }
            Probe::Vacant { .. } => Ok(false),
        }
    }

    /// Number of items.
    pub fn dict_len(&self, d: ObjRef) -> usize {
        storage(d).used
    }

    /// Iteration by position (like `PyDict_Next`): the first entry at or after `*pos`, advancing
    /// `*pos` past it. Returns borrowed references, valid until the next allocation.
    pub fn dict_next(&self, d: ObjRef, pos: &mut usize) -> Option<(ObjRef, ObjRef)> {
        let st = storage(d);
        while *pos < st.entries.len() {
            let e = st.entries[*pos];
            *pos += 1;
            if let Some((_, k, v)) = e {
                return Some((k, v));
            }
        }
        None
    }

    /// Iteration by position from the end (reversed dicts and views): the last entry before
    /// `*pos` (clamped to the entry table, so `usize::MAX` starts at the end), moving `*pos` onto
    /// it. Returns borrowed references, valid until the next allocation.
    pub fn dict_next_back(&self, d: ObjRef, pos: &mut usize) -> Option<(ObjRef, ObjRef)> {
        let st = storage(d);
        *pos = (*pos).min(st.entries.len());
        while *pos > 0 {
            *pos -= 1;
            if let Some((_, k, v)) = st.entries[*pos] {
                return Some((k, v));
            }
        }
        None
    }

    /// Removes every item.
    pub fn dict_clear(&mut self, d: Handle) {
        let st = storage(self.get(d));
        let entries = std::mem::take(&mut st.entries);
        st.index.clear();
        st.used = 0;
        for (_, k, v) in entries.into_iter().flatten() {
            refcount::decref(self, k);
            refcount::decref(self, v);
        }
    }
}

/// Visits keys and values.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    for (_, k, v) in storage(obj).entries.iter_mut().flatten() {
        crate::binding::visit_slot((k as *mut ObjRef).cast(), visit);
        crate::binding::visit_slot((v as *mut ObjRef).cast(), visit);
    }
}

/// Collects keys and values and drops the storage.
pub(crate) fn release(obj: ObjRef, children: &mut Vec<ObjRef>) {
    let st = storage(obj);
    for (_, k, v) in st.entries.drain(..).flatten() {
        children.push(k);
        children.push(v);
    }
    // SAFETY: called once when the object dies; the storage is initialised and not used again.
    unsafe { std::ptr::drop_in_place(obj.as_ptr().cast::<DictStorage>()) }
}
