//! Iterator constructors and helpers: `PySeqIter_New`, `PyCallIter_New` (a shim type calling a
//! callable until it returns a sentinel), `PyAIter_Check`, `PyObject_GetAIter`, `PyIter_Send`;
//! and the builtin containers' own iterator types (`list_iterator`, `dict_reverseitemiterator`,
//! ...) with the dict views that make some of them (see the section below).

use std::ffi::c_int;

use pyopaque_gc::Slot;
use pyopaque_runtime::{Handle, Kind, NativeHooks, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, harg, new_ref_h};
use crate::boundary::ffi::PyObject;
use crate::capi;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{
    alloc, is_exactly, payload, release_fields, visit_opt, IterPayload,
};

/// Payload of a callable iterator.
#[repr(C)]
pub struct CallIterPayload {
    /// The callable (None once exhausted).
    pub callable: Option<ObjRef>,
    /// The sentinel.
    pub sentinel: Option<ObjRef>,
}

fn ci_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the callable-iterator type.
    let p = unsafe { payload::<CallIterPayload>(obj) };
    visit_opt(&mut p.callable, visit);
    visit_opt(&mut p.sentinel, visit);
}

fn ci_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<CallIterPayload>(obj) };
    release_fields(obj, &[p.callable, p.sentinel]);
}

/// Hooks of the callable-iterator type.
pub static CALL_ITER_HOOKS: NativeHooks = NativeHooks {
    trace: ci_trace,
    finalize: ci_finalize,
    c_layout: false,
};

fn hold(cx: &mut Thread, o: ObjRef) {
    if !o.is_tagged() {
        pyopaque_runtime::refcount::incref(cx, o);
    }
}

/// `PySeqIter_New`: an iterator calling `seq[i]` for i = 0, 1, ... until IndexError.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PySeqIter_New(seq: *mut PyObject) -> *mut PyObject {
    capi!("PySeqIter_New", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, seq) }?;
        if !crate::r#abstract::sequence::is_sequence(cx, cx.get(h)) {
            return Err(cx::bad_internal_call(cx));
        }
        let ty = shim_types().seq_iter;
        let it = alloc(
            cx,
            ty,
            IterPayload {
                seq: None,
                index: 0,
            },
        );
        let s = cx.get(h);
        hold(cx, s);
        let i = cx.get(it);
        // SAFETY: a fresh iterator payload.
        unsafe { payload::<IterPayload>(i) }.seq = Some(s);
        Ok(new_ref_h(cx, it))
    })
}

/// `PyCallIter_New`: an iterator calling `callable()` until it returns `sentinel` (==).
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn PyCallIter_New(
    callable: *mut PyObject,
    sentinel: *mut PyObject,
) -> *mut PyObject {
    capi!("PyCallIter_New", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { harg(cx, callable) }?;
        // SAFETY: as above.
        let s = unsafe { harg(cx, sentinel) }?;
        let ty = shim_types().call_iter;
        let it = alloc(
            cx,
            ty,
            CallIterPayload {
                callable: None,
                sentinel: None,
            },
        );
        let (co, so) = (cx.get(c), cx.get(s));
        hold(cx, co);
        hold(cx, so);
        let i = cx.get(it);
        // SAFETY: a fresh payload.
        let p = unsafe { payload::<CallIterPayload>(i) };
        p.callable = Some(co);
        p.sentinel = Some(so);
        Ok(new_ref_h(cx, it))
    })
}

/// `next()` of a callable iterator (used by `object.rs`): `None` when exhausted.
pub fn call_iter_next(cx: &mut Thread, it: Handle) -> PyResult<Option<Handle>> {
    let i = cx.get(it);
    // SAFETY: the caller checked the type.
    let p = unsafe { payload::<CallIterPayload>(i) };
    let (Some(c), Some(s)) = (p.callable, p.sentinel) else {
        return Ok(None);
    };
    let (ch, sh) = (cx.root(c), cx.root(s));
    let r = match crate::r#abstract::call::call(cx, ch, &[], &[]) {
        Ok(r) => r,
        Err(e) => {
            if cx.error_matches(cx.rt.types.exc.stop_iteration) {
                cx.clear_error();
                exhaust(cx, it);
                return Ok(None);
            }
            return Err(e);
        }
    };
    if cx.eq(r, sh)? {
        exhaust(cx, it);
        return Ok(None);
    }
    Ok(Some(r))
}

fn exhaust(cx: &mut Thread, it: Handle) {
    let i = cx.get(it);
    // SAFETY: a callable-iterator payload.
    let p = unsafe { payload::<CallIterPayload>(i) };
    let old = [p.callable.take(), p.sentinel.take()];
    for o in old.into_iter().flatten() {
        if !o.is_tagged() {
            pyopaque_runtime::refcount::decref(cx, o);
        }
    }
}

/// True when `o` is a callable iterator.
pub fn is_call_iter(o: ObjRef) -> bool {
    is_exactly(o, shim_types().call_iter)
}

/// `PyAIter_Check`: 1 when the type defines `__anext__`.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyAIter_Check(o: *mut PyObject) -> c_int {
    capi!("PyAIter_Check", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let t = cx.type_of(cx.get(h));
        let th = cx.root(t);
        Ok(crate::r#abstract::object::getattr_opt(cx, th, "__anext__")?.is_some() as c_int)
    })
}

/// `PyObject_GetAIter`: `type(o).__aiter__(o)`, which must return an async iterator.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_GetAIter(o: *mut PyObject) -> *mut PyObject {
    capi!("PyObject_GetAIter", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let tn = cx::tname(cx, cx.get(h));
        let m = match crate::r#abstract::object::getattr_opt(cx, h, "__aiter__")? {
            Some(m) => m,
            None => {
                return Err(cx::type_error(
                    cx,
                    &format!("'{tn}' object is not an async iterable"),
                ))
            }
        };
        let r = crate::r#abstract::call::call(cx, m, &[], &[])?;
        let rt = cx.type_of(cx.get(r));
        let rth = cx.root(rt);
        if crate::r#abstract::object::getattr_opt(cx, rth, "__anext__")?.is_none() {
            let rn = cx::tname(cx, cx.get(r));
            return Err(cx::type_error(
                cx,
                &format!("aiter() returned not an async iterator of type '{rn}'"),
            ));
        }
        Ok(new_ref_h(cx, r))
    })
}

/// `PyIter_Send`: `PYGEN_NEXT` (1) with the next value, `PYGEN_RETURN` (0) when the iterator is
/// exhausted (result: the StopIteration value, None here), `PYGEN_ERROR` (-1). With `arg` None
/// an iterator is advanced with `next()`; otherwise `iter.send(arg)` is called.
///
/// # Safety
/// Objects; `presult` writable.
#[no_mangle]
pub unsafe extern "C" fn PyIter_Send(
    iter: *mut PyObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
) -> c_int {
    capi!("PyIter_Send", |cx| {
        // SAFETY: caller's contract.
        let it = unsafe { harg(cx, iter) }?;
        // SAFETY: as above.
        let a = unsafe { harg(cx, arg) }?;
        let set = |v: *mut PyObject| {
            // SAFETY: writable per contract.
            unsafe { *presult = v };
        };
        let is_none = cx.get(a) == cx.rt.none;
        let r = if is_none && crate::r#abstract::object::is_iterator(cx, it) {
            crate::r#abstract::object::next(cx, it)
        } else {
            match crate::r#abstract::call::call_method(cx, it, "send", &[a]) {
                Ok(v) => Ok(Some(v)),
                Err(e) => {
                    if cx.error_matches(cx.rt.types.exc.stop_iteration) {
                        cx.clear_error();
                        Ok(None)
                    } else {
                        Err(e)
                    }
                }
            }
        };
        match r {
            Ok(Some(v)) => {
                set(new_ref_h(cx, v));
                Ok(1)
            }
            Ok(None) => {
                let n = cx.rt.none;
                set(cx::new_ref(cx, n));
                Ok(0)
            }
            Err(e) => {
                set(std::ptr::null_mut());
                Err(e)
            }
        }
    })
}

// ----- the builtin iterators and dict views -----
//
// `iter(list)`, `reversed(d.items())`, ... each have their own type, as in CPython, so that
// `Py_TYPE(PyObject_GetIter(list)) == &PyListIter_Type` holds. They share one payload and one
// set of hooks (which also identifies them: `type.hooks == &BUILTIN_ITER_HOOKS`); the type
// says what to produce. The dict views (`d.keys()`, `d.values()`, `d.items()`) use the same
// payload (the dict in `seq`).

/// Payload of a builtin iterator or dict view.
#[repr(C)]
pub struct BuiltinIterPayload {
    /// The container (None once exhausted).
    pub seq: Option<ObjRef>,
    /// Position: next index (sequences), byte offset (str), entry position (dicts, sets; for
    /// reversed ones, the position of the entry produced last), next index + 1 (reversed list).
    pub pos: usize,
    /// Dicts and sets: the size at creation ("changed size during iteration" when it differs).
    pub used: usize,
}

fn bi_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the builtin iterator types: the payload is a BuiltinIterPayload.
    let p = unsafe { payload::<BuiltinIterPayload>(obj) };
    visit_opt(&mut p.seq, visit);
}

fn bi_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<BuiltinIterPayload>(obj) };
    release_fields(obj, &[p.seq]);
}

/// Hooks of the builtin iterator and dict view types.
pub static BUILTIN_ITER_HOOKS: NativeHooks = NativeHooks {
    trace: bi_trace,
    finalize: bi_finalize,
    c_layout: false,
};

/// The builtin iterator and dict view types (all external, immortal).
pub struct IterTypes {
    /// `list_iterator`.
    pub list: ObjRef,
    /// `list_reverseiterator`.
    pub list_rev: ObjRef,
    /// `tuple_iterator`.
    pub tuple: ObjRef,
    /// `str_iterator` (a str with a non-ASCII character).
    pub str_: ObjRef,
    /// `str_ascii_iterator` (an ASCII str, as in CPython 3.11+; no exported symbol).
    pub str_ascii: ObjRef,
    /// `bytes_iterator`.
    pub bytes: ObjRef,
    /// `bytearray_iterator`.
    pub bytearray: ObjRef,
    /// `set_iterator` (sets and frozensets).
    pub set: ObjRef,
    /// `dict_keyiterator`.
    pub dict_keys: ObjRef,
    /// `dict_valueiterator`.
    pub dict_values: ObjRef,
    /// `dict_itemiterator`.
    pub dict_items: ObjRef,
    /// `dict_reversekeyiterator`.
    pub dict_rev_keys: ObjRef,
    /// `dict_reversevalueiterator`.
    pub dict_rev_values: ObjRef,
    /// `dict_reverseitemiterator`.
    pub dict_rev_items: ObjRef,
    /// `dict_keys` (view).
    pub keys_view: ObjRef,
    /// `dict_values` (view).
    pub values_view: ObjRef,
    /// `dict_items` (view).
    pub items_view: ObjRef,
}

impl IterTypes {
    /// Creates the types in `rt`.
    pub fn new(rt: &std::sync::Arc<pyopaque_runtime::Runtime>) -> Self {
        let mk = |name: &str| {
            let mut t = pyopaque_runtime::TypeObject::new(
                name,
                Some(rt.types.object),
                pyopaque_runtime::Kind::Native,
                0,
                pyopaque_runtime::types::tpflags::IMMUTABLETYPE,
            );
            t.hooks = Some(&BUILTIN_ITER_HOOKS);
            rt.new_type(t)
        };
        IterTypes {
            list: mk("list_iterator"),
            list_rev: mk("list_reverseiterator"),
            tuple: mk("tuple_iterator"),
            str_: mk("str_iterator"),
            str_ascii: mk("str_ascii_iterator"),
            bytes: mk("bytes_iterator"),
            bytearray: mk("bytearray_iterator"),
            set: mk("set_iterator"),
            dict_keys: mk("dict_keyiterator"),
            dict_values: mk("dict_valueiterator"),
            dict_items: mk("dict_itemiterator"),
            dict_rev_keys: mk("dict_reversekeyiterator"),
            dict_rev_values: mk("dict_reversevalueiterator"),
            dict_rev_items: mk("dict_reverseitemiterator"),
            keys_view: mk("dict_keys"),
            values_view: mk("dict_values"),
            items_view: mk("dict_items"),
        }
    }

    fn is_view(&self, t: ObjRef) -> bool {
        t == self.keys_view || t == self.values_view || t == self.items_view
    }
}

fn iter_types() -> &'static IterTypes {
    &shim_types().iters
}

fn builtin_family(o: ObjRef) -> Option<ObjRef> {
    if o.is_tagged() {
        return None;
    }
    let t = pyopaque_runtime::header::header_of(o).ty();
    let hooks = pyopaque_runtime::binding::type_payload(t).hooks?;
    std::ptr::eq(hooks, &BUILTIN_ITER_HOOKS).then_some(t)
}

/// True when `o` is one of the builtin iterators (`list_iterator`, `dict_keyiterator`, ...).
pub fn is_builtin_iter(o: ObjRef) -> bool {
    builtin_family(o).is_some_and(|t| !iter_types().is_view(t))
}

/// True when `o` is a dict view (`dict_keys`, `dict_values`, `dict_items`).
pub fn is_dict_view(o: ObjRef) -> bool {
    builtin_family(o).is_some_and(|t| iter_types().is_view(t))
}

/// A new object of type `ty` over `seq` (a builtin iterator or view).
fn new_over(cx: &mut Thread, ty: ObjRef, seq: Handle, pos: usize, used: usize) -> Handle {
    // Allocate first: the allocation may move `seq` (re-read it afterwards).
    let it = alloc(
        cx,
        ty,
        BuiltinIterPayload {
            seq: None,
            pos,
            used,
        },
    );
    let s = cx.get(seq);
    hold(cx, s);
    let i = cx.get(it);
    // SAFETY: a fresh payload of this family.
    unsafe { payload::<BuiltinIterPayload>(i) }.seq = Some(s);
    it
}

/// Which dict view `o` is (`None` for any other object).
pub fn view_kind(o: ObjRef) -> Option<crate::objects::dict_views::ViewKind> {
    use crate::objects::dict_views::ViewKind;
    let t = builtin_family(o)?;
    let ts = iter_types();
    if t == ts.keys_view {
        Some(ViewKind::Keys)
    } else if t == ts.values_view {
        Some(ViewKind::Values)
    } else if t == ts.items_view {
        Some(ViewKind::Items)
    } else {
        None
    }
}

/// The dict a view shows (the caller checked `is_dict_view`).
pub fn view_dict(cx: &mut Thread, v: ObjRef) -> Handle {
    // SAFETY: a view payload (checked by the caller).
    let d = unsafe { payload::<BuiltinIterPayload>(v) }
        .seq
        .expect("a view keeps its dict");
    cx.root(d)
}

/// `iter(o)` for the builtin containers: `Ok(None)` when `o` is not one of them.
pub fn builtin_iter(cx: &mut Thread, h: Handle) -> PyResult<Option<Handle>> {
    let o = cx.get(h);
    if o.is_tagged() {
        return Ok(None);
    }
    let ts = iter_types();
    let (ty, seq, used) = match cx.kind_of(o) {
        Kind::List => (ts.list, h, 0),
        Kind::Tuple => (ts.tuple, h, 0),
        Kind::Str => {
            let ascii = cx.str_value(o).is_some_and(|s| s.is_ascii());
            (if ascii { ts.str_ascii } else { ts.str_ }, h, 0)
        }
        Kind::Bytes => (ts.bytes, h, 0),
        Kind::Dict => (ts.dict_keys, h, cx.dict_len(o)),
        _ if crate::objects::bytearray::is_bytearray(o) => (ts.bytearray, h, 0),
        _ if crate::objects::set::is_anyset(o) => {
            let d = crate::objects::set::keys(cx, o);
            let n = cx.dict_len(cx.get(d));
            (ts.set, d, n)
        }
        _ => match builtin_family(o) {
            Some(t) if ts.is_view(t) => {
                let d = view_dict(cx, o);
                let it = if t == ts.keys_view {
                    ts.dict_keys
                } else if t == ts.values_view {
                    ts.dict_values
                } else {
                    ts.dict_items
                };
                let n = cx.dict_len(cx.get(d));
                (it, d, n)
            }
            _ => return Ok(None),
        },
    };
    Ok(Some(new_over(cx, ty, seq, 0, used)))
}

/// `reversed(o)` for a list, a dict or a dict view (`o.__reversed__()`).
pub fn builtin_reversed(cx: &mut Thread, h: Handle) -> PyResult<Handle> {
    let o = cx.get(h);
    let ts = iter_types();
    if cx.kind_of(o) == Kind::List {
        let n = cx.list_len(o);
        return Ok(new_over(cx, ts.list_rev, h, n, 0));
    }
    let (ty, d) = if cx.kind_of(o) == Kind::Dict {
        (ts.dict_rev_keys, h)
    } else {
        match builtin_family(o) {
            Some(t) if ts.is_view(t) => {
                let d = view_dict(cx, o);
                let ty = if t == ts.keys_view {
                    ts.dict_rev_keys
                } else if t == ts.values_view {
                    ts.dict_rev_values
                } else {
                    ts.dict_rev_items
                };
                (ty, d)
            }
            _ => {
                return Err(cx::type_error(
                    cx,
                    &format!("'{}' object is not reversible", cx::tname(cx, o)),
                ))
            }
        }
    };
    let n = cx.dict_len(cx.get(d));
    Ok(new_over(cx, ty, d, usize::MAX, n))
}

/// The length of a dict view (the caller checked `is_dict_view`).
pub fn view_len(cx: &mut Thread, v: ObjRef) -> usize {
    let d = view_dict(cx, v);
    cx.dict_len(cx.get(d))
}

fn finish(cx: &mut Thread, it: Handle) -> PyResult<Option<Handle>> {
    let o = cx.get(it);
    // SAFETY: a builtin iterator payload (the caller checked the family).
    if let Some(s) = unsafe { payload::<BuiltinIterPayload>(o) }.seq.take() {
        cx::defer_decref(s, false);
    }
    Ok(None)
}

fn set_pos(cx: &Thread, it: Handle, pos: usize) {
    let o = cx.get(it);
    // SAFETY: a builtin iterator payload (re-read after a possible allocation).
    unsafe { payload::<BuiltinIterPayload>(o) }.pos = pos;
}

/// `next()` of a builtin iterator (the caller checked `is_builtin_iter`): `Ok(None)` when
/// exhausted.
pub fn builtin_next(cx: &mut Thread, it: Handle) -> PyResult<Option<Handle>> {
    let o = cx.get(it);
    let ty = cx.type_of(o);
    // SAFETY: a builtin iterator payload.
    let p = unsafe { payload::<BuiltinIterPayload>(o) };
    let Some(seq) = p.seq else { return Ok(None) };
    let (pos, used) = (p.pos, p.used);
    let ts = iter_types();
    let sh = cx.root(seq);
    if ty == ts.list || ty == ts.tuple || ty == ts.bytes {
        let n = crate::r#abstract::object::length(cx, sh)?;
        if pos >= n {
            return finish(cx, it);
        }
        let v = crate::r#abstract::sequence::seq_getitem(cx, sh, pos as isize)?;
        set_pos(cx, it, pos + 1);
        return Ok(Some(v));
    }
    if ty == ts.list_rev {
        let n = cx.list_len(seq);
        if pos == 0 || pos > n {
            return finish(cx, it);
        }
        let v = crate::r#abstract::sequence::seq_getitem(cx, sh, pos as isize - 1)?;
        set_pos(cx, it, pos - 1);
        return Ok(Some(v));
    }
    if ty == ts.str_ || ty == ts.str_ascii {
        let s = cx.str_value(seq).unwrap_or("");
        let Some(c) = s.get(pos..).and_then(|r| r.chars().next()) else {
            return finish(cx, it);
        };
        let v = cx.str(c.encode_utf8(&mut [0; 4]));
        set_pos(cx, it, pos + c.len_utf8());
        return Ok(Some(v));
    }
    if ty == ts.bytearray {
        // SAFETY: a bytearray's payload (the iterator was made over one).
        let b = unsafe { payload::<crate::objects::bytearray::ByteArrayPayload>(seq) };
        if pos >= b.len {
            return finish(cx, it);
        }
        // SAFETY: `pos < len` initialised bytes.
        let v = unsafe { *b.data.add(pos) };
        set_pos(cx, it, pos + 1);
        return Ok(Some(cx.int(v as i64)));
    }
    // Dicts and sets (a set iterates its key dict).
    if cx.dict_len(seq) != used {
        let what = if ty == ts.set { "Set" } else { "dictionary" };
        // CPython stops the iterator for good after this error.
        let _ = finish(cx, it);
        let t = cx.rt.types.exc.runtime_error;
        return Err(cx.raise(t, &format!("{what} changed size during iteration")));
    }
    let back = ty == ts.dict_rev_keys || ty == ts.dict_rev_values || ty == ts.dict_rev_items;
    let mut np = pos;
    let e = if back {
        cx.dict_next_back(seq, &mut np)
    } else {
        cx.dict_next(seq, &mut np)
    };
    let Some((k, v)) = e else {
        return finish(cx, it);
    };
    set_pos(cx, it, np);
    Ok(Some(if ty == ts.dict_values || ty == ts.dict_rev_values {
        cx.root(v)
    } else if ty == ts.dict_items || ty == ts.dict_rev_items {
        let (kh, vh) = (cx.root(k), cx.root(v));
        cx.tuple(&[kh, vh])
    } else {
        cx.root(k)
    }))
}

/// A dict view of `d` (`d.keys()`, `d.values()`, `d.items()`).
fn new_view(cx: &mut Thread, d: Handle, which: u8) -> Handle {
    let ts = iter_types();
    let ty = match which {
        b'k' => ts.keys_view,
        b'v' => ts.values_view,
        _ => ts.items_view,
    };
    new_over(cx, ty, d, 0, 0)
}

unsafe extern "C" fn m_reversed(s: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    cx::api("__reversed__", |cx| {
        // SAFETY: `self` of a bound builtin method.
        let h = unsafe { harg(cx, s) }?;
        let r = builtin_reversed(cx, h)?;
        Ok(new_ref_h(cx, r))
    })
}

unsafe fn view_method(s: *mut PyObject, which: u8) -> *mut PyObject {
    cx::api("dict view", |cx| {
        // SAFETY: `self` of a bound builtin method.
        let h = unsafe { harg(cx, s) }?;
        if cx.kind_of(cx.get(h)) != Kind::Dict {
            return Err(cx::bad_internal_call(cx));
        }
        let v = new_view(cx, h, which);
        Ok(new_ref_h(cx, v))
    })
}

unsafe extern "C" fn m_keys(s: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { view_method(s, b'k') }
}

unsafe extern "C" fn m_values(s: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { view_method(s, b'v') }
}

unsafe extern "C" fn m_items(s: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: forwarded.
    unsafe { view_method(s, b'i') }
}

/// Static method definitions of the builtin containers' methods written in Rust.
struct BuiltinDefs([crate::boundary::ffi::PyMethodDef; 4]);
// SAFETY: immutable static data (C strings and function pointers), never written.
unsafe impl Sync for BuiltinDefs {}

const fn def(
    name: &'static std::ffi::CStr,
    f: crate::boundary::ffi::PyCFunction,
) -> crate::boundary::ffi::PyMethodDef {
    crate::boundary::ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: a PyCFunction stored as the generic function pointer, as C does; the
        // METH_NOARGS flag tells the caller to call it back as a PyCFunction.
        ml_meth: Some(unsafe {
            std::mem::transmute::<crate::boundary::ffi::PyCFunction, crate::boundary::ffi::RawFn>(f)
        }),
        ml_flags: crate::boundary::ffi::METH_NOARGS,
        ml_doc: std::ptr::null(),
    }
}

static BUILTIN_DEFS: BuiltinDefs = BuiltinDefs([
    def(c"__reversed__", m_reversed),
    def(c"keys", m_keys),
    def(c"values", m_values),
    def(c"items", m_items),
]);

/// Installs the builtin methods this module gives lists (`__reversed__`), dicts
/// (`__reversed__`, `keys`, `values`, `items`) and dict views (`__reversed__`) as method
/// descriptors of those types (see `type_methods::ensure_installed`).
pub fn install_methods(cx: &mut Thread) {
    let rt = cx.rt.clone();
    let it = iter_types();
    let table: [(ObjRef, usize); 8] = [
        (rt.types.list, 0),
        (rt.types.dict, 0),
        (rt.types.dict, 1),
        (rt.types.dict, 2),
        (rt.types.dict, 3),
        (it.keys_view, 0),
        (it.values_view, 0),
        (it.items_view, 0),
    ];
    for (ty, i) in table {
        // The definitions are never written: the `*mut` is what the descriptor stores.
        let d = std::ptr::addr_of!(BUILTIN_DEFS.0[i]).cast_mut();
        crate::objects::type_methods::install_descr(cx, ty, d);
    }
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PySeqIter_New", Rule::Works),
        ("PyCallIter_New", Rule::Works),
        ("PyAIter_Check", Rule::Works),
        ("PyObject_GetAIter", Rule::Works),
        ("PyIter_Send", Rule::Works),
    ]
};
