//! A native `array` module: `array.array(typecode[, initializer])` for the typecodes `b B h H i
//! I l L q Q f d` (the C types of x86-64 Linux; `u` is refused with NotImplementedError), with
//! `len`, indexing and slicing (reading, assigning, deleting), iteration, `==`/ordering,
//! `repr`, the buffer protocol (so `memoryview(array('I', data))` works: C-contiguous, the
//! item format of the typecode), `append`, `extend`, `insert`, `pop`, `remove`, `index`,
//! `count`, `reverse`, `tolist`, `tobytes`, `frombytes`, `fromlist`, `buffer_info`, and the
//! `typecode`/`itemsize` attributes; `typecodes` is the module constant. Resizing while a buffer
//! is exported is a BufferError, as in CPython. The type carries `Py_TPFLAGS_SEQUENCE` and is a
//! registered `collections.abc.MutableSequence`.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};

use num_bigint::BigInt;
use num_traits::ToPrimitive;
use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast, fastcall, nargs, Defs, END};
use crate::boundary::cx::{self, new_ref_h, type_error, value_error};
use crate::boundary::ffi::*;
use crate::r#abstract::buffer;

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);
/// The `array` type, 0 before first use.
static ARRAY: AtomicUsize = AtomicUsize::new(0);

/// An array instance: its bytes (boxed, owned), typecode, live buffer exports, and the shape
/// and stride a buffer view points at.
#[repr(C)]
struct ArrayObj {
    data: *mut Vec<u8>,
    typecode: u8,
    exports: isize,
    shape: Py_ssize_t,
    stride: Py_ssize_t,
}

/// Item size of `tc`, if it is a supported typecode.
fn itemsize(tc: u8) -> Option<usize> {
    Some(match tc {
        b'b' | b'B' => 1,
        b'h' | b'H' => 2,
        b'i' | b'I' | b'f' => 4,
        b'l' | b'L' | b'q' | b'Q' | b'd' => 8,
        _ => return None,
    })
}

/// The buffer format string of `tc`.
fn format_of(tc: u8) -> &'static CStr {
    match tc {
        b'b' => c"b",
        b'B' => c"B",
        b'h' => c"h",
        b'H' => c"H",
        b'i' => c"i",
        b'I' => c"I",
        b'l' => c"l",
        b'L' => c"L",
        b'q' => c"q",
        b'Q' => c"Q",
        b'f' => c"f",
        _ => c"d",
    }
}

fn is_array_type(cx: &mut Thread, h: Handle) -> bool {
    let Some(t) = super::cached(cx, &ARRAY) else {
        return false;
    };
    let ty = cx.type_of(cx.get(h));
    cx.is_subtype(ty, cx.get(t))
}

/// The struct of array `h` (TypeError when `h` is not an array or not initialized).
fn this(cx: &mut Thread, h: Handle) -> PyResult<*mut ArrayObj> {
    if !is_array_type(cx, h) {
        let tn = cx::tname(cx, cx.get(h));
        return Err(type_error(cx, &format!("an array is required, not '{tn}'")));
    }
    // SAFETY: an instance of the array type (pinned, its struct is ArrayObj).
    let p = unsafe { super::inst::<ArrayObj>(cx, h) };
    // SAFETY: as above.
    if unsafe { (*p).data }.is_null() {
        return Err(type_error(cx, "array object is not initialized"));
    }
    Ok(p)
}

/// The bytes of an initialized array struct.
///
/// # Safety
/// `p` from [`this`]; no other reference to the vector lives while the result is used.
unsafe fn bytes_mut<'a>(p: *mut ArrayObj) -> &'a mut Vec<u8> {
    // SAFETY: caller's contract.
    unsafe { &mut *(*p).data }
}

fn len_of(p: *mut ArrayObj) -> usize {
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).len() / itemsize((*p).typecode).expect("valid typecode") }
}

fn tc_of(p: *mut ArrayObj) -> u8 {
    // SAFETY: `p` from `this`.
    unsafe { (*p).typecode }
}

/// BufferError when `p` is exporting buffers (its storage must not move).
fn check_resizable(cx: &mut Thread, p: *mut ArrayObj) -> PyResult<()> {
    // SAFETY: `p` from `this`.
    if unsafe { (*p).exports } > 0 {
        let t = cx.rt.types.exc.buffer_error;
        return Err(cx.raise(t, "cannot resize an array that is exporting buffers"));
    }
    Ok(())
}

/// Item `i` (in range) as a Python object.
fn get_item(cx: &mut Thread, p: *mut ArrayObj, i: usize) -> Handle {
    let tc = tc_of(p);
    let sz = itemsize(tc).expect("valid");
    // SAFETY: `p` from `this`; the slice is read before any allocation.
    let b = unsafe { &bytes_mut(p)[i * sz..(i + 1) * sz] };
    let mut w = [0u8; 8];
    w[..sz].copy_from_slice(b);
    match tc {
        b'b' => cx.int(b[0] as i8 as i64),
        b'B' => cx.int(b[0] as i64),
        b'h' => cx.int(i16::from_ne_bytes([w[0], w[1]]) as i64),
        b'H' => cx.int(u16::from_ne_bytes([w[0], w[1]]) as i64),
        b'i' => cx.int(i32::from_ne_bytes([w[0], w[1], w[2], w[3]]) as i64),
        b'I' => cx.int(u32::from_ne_bytes([w[0], w[1], w[2], w[3]]) as i64),
        b'l' | b'q' => cx.int(i64::from_ne_bytes(w)),
        b'L' | b'Q' => super::big(cx, BigInt::from(u64::from_ne_bytes(w))),
        b'f' => cx.float(f32::from_ne_bytes([w[0], w[1], w[2], w[3]]) as f64),
        _ => cx.float(f64::from_ne_bytes(w)),
    }
}

/// The bytes of Python value `v` as an item of typecode `tc` (TypeError/OverflowError as
/// CPython's setters).
fn encode(cx: &mut Thread, tc: u8, v: Handle) -> PyResult<Vec<u8>> {
    if matches!(tc, b'f' | b'd') {
        let o = cx.get(v);
        if cx.int_value(o).is_none() && !cx::is_exact_float(o) {
            let x = super::as_f64(cx, v);
            if x.is_err() {
                cx.clear_error();
                let tn = cx::tname(cx, cx.get(v));
                return Err(type_error(cx, &format!("must be real number, not {tn}")));
            }
        }
        let x = super::as_f64(cx, v)?;
        return Ok(if tc == b'f' {
            (x as f32).to_ne_bytes().to_vec()
        } else {
            x.to_ne_bytes().to_vec()
        });
    }
    let o = cx.get(v);
    if cx::is_exact_float(o) {
        return Err(type_error(
            cx,
            "'float' object cannot be interpreted as an integer",
        ));
    }
    let n = super::as_index(cx, v)?;
    let (lo, hi, what): (i128, i128, &str) = match tc {
        b'b' => (i8::MIN as i128, i8::MAX as i128, "signed char"),
        b'B' => (0, u8::MAX as i128, "unsigned byte integer"),
        b'h' => (i16::MIN as i128, i16::MAX as i128, "signed short integer"),
        b'H' => (0, u16::MAX as i128, "unsigned short"),
        b'i' => (i32::MIN as i128, i32::MAX as i128, "signed integer"),
        b'I' => (0, u32::MAX as i128, "unsigned int"),
        b'l' | b'q' => (i64::MIN as i128, i64::MAX as i128, "signed long"),
        _ => (0, u64::MAX as i128, "unsigned long"),
    };
    let Some(x) = n.to_i128().filter(|x| *x >= lo && *x <= hi) else {
        let msg = if n < BigInt::from(lo) {
            format!("{what} is less than minimum")
        } else {
            format!("{what} is greater than maximum")
        };
        return Err(cx::overflow_error(cx, &msg));
    };
    let sz = itemsize(tc).expect("valid");
    Ok(x.to_ne_bytes()[..sz].to_vec())
}

/// Appends the items of iterable `src` to array `p`.
fn extend_from(cx: &mut Thread, p: *mut ArrayObj, src: Handle) -> PyResult<()> {
    let tc = tc_of(p);
    if is_array_type(cx, src) {
        let q = this(cx, src)?;
        if tc_of(q) != tc {
            return Err(type_error(cx, "can only extend with array of same kind"));
        }
        // SAFETY: both from `this`; the source is copied before the target grows.
        let add = unsafe { bytes_mut(q).clone() };
        check_resizable(cx, p)?;
        // SAFETY: as above.
        unsafe { bytes_mut(p).extend_from_slice(&add) };
        return Ok(());
    }
    let items = crate::r#abstract::sequence::collect(cx, src)?;
    let mut add = Vec::new();
    for it in items {
        add.extend(encode(cx, tc, it)?);
    }
    check_resizable(cx, p)?;
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).extend_from_slice(&add) };
    Ok(())
}

fn frombytes_into(cx: &mut Thread, p: *mut ArrayObj, b: &[u8]) -> PyResult<()> {
    let sz = itemsize(tc_of(p)).expect("valid");
    if !b.len().is_multiple_of(sz) {
        return Err(value_error(cx, "bytes length not a multiple of item size"));
    }
    check_resizable(cx, p)?;
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).extend_from_slice(b) };
    Ok(())
}

/// The bytes of a bytes-like object (bytes, bytearray, or a buffer exporter), if it is one.
fn bytes_like(cx: &mut Thread, h: Handle) -> PyResult<Option<Vec<u8>>> {
    let o = cx.get(h);
    if let Some(b) = cx.bytes_value(o) {
        return Ok(Some(b.to_vec()));
    }
    if crate::objects::bytearray::is_bytearray(o) {
        return Ok(crate::objects::bytearray::bytes_of(o));
    }
    Ok(None)
}

unsafe extern "C" fn array_new(
    ty: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    cx::api("array.__new__", |cx| {
        // SAFETY: tp_new arguments: a type, a tuple and NULL or a dict.
        let t = unsafe { cx::harg(cx, ty) }?;
        // SAFETY: as above.
        let pos = unsafe { super::tuple_arg(cx, args) }?;
        // SAFETY: as above.
        let kws = unsafe { super::dict_arg(cx, kw) }?;
        if !kws.is_empty() {
            return Err(type_error(cx, "array.array() takes no keyword arguments"));
        }
        if pos.is_empty() || pos.len() > 2 {
            return Err(type_error(
                cx,
                &format!("array() takes at most 2 arguments ({} given)", pos.len()),
            ));
        }
        let tco = cx.get(pos[0]);
        let tcs = match cx.str_value(tco) {
            Some(s) if s.chars().count() == 1 => s.to_string(),
            _ => {
                let tn = cx::tname(cx, tco);
                return Err(type_error(
                    cx,
                    &format!("array() argument 1 must be a unicode character, not {tn}"),
                ));
            }
        };
        let tc = tcs.as_bytes()[0];
        if tcs == "u" || tcs == "w" {
            return Err(cx::not_implemented(
                cx,
                "array typecode 'u'/'w' (wchar_t text) is not supported by pyopaque",
            ));
        }
        if tcs.len() != 1 || itemsize(tc).is_none() {
            return Err(value_error(
                cx,
                "bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)",
            ));
        }
        if let Some(&init) = pos.get(1) {
            let io = cx.get(init);
            if cx.str_value(io).is_some() {
                return Err(type_error(
                    cx,
                    &format!("cannot use a str to initialize an array with typecode '{tcs}'"),
                ));
            }
        }
        let tt = cx.get(t);
        let me = crate::types::typeobject::call_alloc(cx, tt, 0)?;
        // SAFETY: a fresh, zeroed instance of (a subtype of) array.
        unsafe {
            let p = super::inst::<ArrayObj>(cx, me);
            (*p).data = Box::into_raw(Box::new(Vec::new()));
            (*p).typecode = tc;
        }
        if let Some(&init) = pos.get(1) {
            let p = this(cx, me)?;
            match bytes_like(cx, init)? {
                Some(b) => frombytes_into(cx, p, &b)?,
                None => extend_from(cx, p, init)?,
            }
        }
        Ok(new_ref_h(cx, me))
    })
}

/// A new array of typecode `tc` holding `bytes`.
fn new_array(cx: &mut Thread, like: Handle, tc: u8, bytes: Vec<u8>) -> PyResult<Handle> {
    let t = cx.type_of(cx.get(like));
    let me = crate::types::typeobject::call_alloc(cx, t, 0)?;
    // SAFETY: a fresh, zeroed instance of (a subtype of) array.
    unsafe {
        let p = super::inst::<ArrayObj>(cx, me);
        (*p).data = Box::into_raw(Box::new(bytes));
        (*p).typecode = tc;
    }
    Ok(me)
}

/// Index `i` normalized against `n` (IndexError when out of range).
fn norm_index(cx: &mut Thread, i: i64, n: usize, what: &str) -> PyResult<usize> {
    let j = if i < 0 { i + n as i64 } else { i };
    if j < 0 || j >= n as i64 {
        return Err(cx::index_error(cx, &format!("{what} index out of range")));
    }
    Ok(j as usize)
}

/// `(start, stop, step, count)` of slice `s` over a length `n`.
fn slice_indices(cx: &mut Thread, s: Handle, n: usize) -> PyResult<(isize, isize, isize, usize)> {
    let (mut start, mut stop, mut step) = (0isize, 0isize, 0isize);
    let sp = {
        let o = cx.get(s);
        cx::borrowed(cx, o)
    };
    cx.begin_native_call();
    // SAFETY: a borrowed slice pinned for the call; the out-pointers are locals.
    let r = cx::publish(cx, || unsafe {
        crate::objects::slice::PySlice_Unpack(sp, &mut start, &mut stop, &mut step)
    });
    cx.end_native_call();
    if r < 0 {
        return Err(pyopaque_runtime::Raised);
    }
    // SAFETY: plain arithmetic on the unpacked values.
    let cnt = unsafe {
        crate::objects::slice::PySlice_AdjustIndices(n as isize, &mut start, &mut stop, step)
    };
    Ok((start, stop, step, cnt.max(0) as usize))
}

fn subscript(cx: &mut Thread, me: Handle, key: Handle) -> PyResult<Handle> {
    let p = this(cx, me)?;
    let n = len_of(p);
    let k = cx.get(key);
    if crate::objects::slice::is_slice(k) {
        let (start, _, step, cnt) = slice_indices(cx, key, n)?;
        let sz = itemsize(tc_of(p)).expect("valid");
        // SAFETY: `p` from `this`.
        let src = unsafe { bytes_mut(p).clone() };
        let mut out = Vec::with_capacity(cnt * sz);
        for j in 0..cnt {
            let i = (start + j as isize * step) as usize;
            out.extend_from_slice(&src[i * sz..(i + 1) * sz]);
        }
        return new_array(cx, me, tc_of(p), out);
    }
    if cx.int_value(k).is_none() {
        let o = cx.get(key);
        let has_index = {
            let ptr = cx::borrowed(cx, o);
            // SAFETY: a borrowed reference (thread-free check).
            cx::publish(cx, || unsafe {
                crate::r#abstract::number::PyIndex_Check(ptr)
            }) == 1
        };
        if !has_index {
            return Err(type_error(cx, "array indices must be integers"));
        }
    }
    let i = super::as_i64(cx, key)?;
    let i = norm_index(cx, i, n, "array")?;
    Ok(get_item(cx, p, i))
}

fn ass_subscript(cx: &mut Thread, me: Handle, key: Handle, v: Option<Handle>) -> PyResult<()> {
    let p = this(cx, me)?;
    let n = len_of(p);
    let tc = tc_of(p);
    let sz = itemsize(tc).expect("valid");
    let k = cx.get(key);
    if crate::objects::slice::is_slice(k) {
        let (start, stop, step, cnt) = slice_indices(cx, key, n)?;
        let new: Vec<u8> = match v {
            None => Vec::new(),
            Some(v) => {
                if !is_array_type(cx, v) {
                    let tn = cx::tname(cx, cx.get(v));
                    return Err(type_error(
                        cx,
                        &format!("can only assign array (not \"{tn}\") to array slice"),
                    ));
                }
                let q = this(cx, v)?;
                if tc_of(q) != tc {
                    return Err(type_error(cx, "bad argument type for built-in operation"));
                }
                // SAFETY: `q` from `this`.
                unsafe { bytes_mut(q).clone() }
            }
        };
        // SAFETY: `p` from `this`.
        let data = unsafe { bytes_mut(p) };
        if step == 1 {
            let (a, b) = (start as usize, (stop.max(start)) as usize);
            if new.len() != (b - a) * sz {
                check_resizable(cx, p)?;
            }
            // SAFETY: `p` from `this` (re-borrowed after the check).
            let data = unsafe { bytes_mut(p) };
            data.splice(a * sz..b * sz, new);
            return Ok(());
        }
        let idx: Vec<usize> = (0..cnt)
            .map(|j| (start + j as isize * step) as usize)
            .collect();
        if v.is_none() {
            check_resizable(cx, p)?;
            let mut keep = Vec::with_capacity(data.len());
            for i in 0..n {
                if !idx.contains(&i) {
                    keep.extend_from_slice(&data[i * sz..(i + 1) * sz]);
                }
            }
            *data = keep;
            return Ok(());
        }
        if new.len() != cnt * sz {
            return Err(value_error(
                cx,
                &format!(
                    "attempt to assign array of size {} to extended slice of size {cnt}",
                    new.len() / sz
                ),
            ));
        }
        for (j, &i) in idx.iter().enumerate() {
            data[i * sz..(i + 1) * sz].copy_from_slice(&new[j * sz..(j + 1) * sz]);
        }
        return Ok(());
    }
    let i = super::as_i64(cx, key)?;
    let i = norm_index(cx, i, n, "array assignment")?;
    match v {
        Some(v) => {
            let b = encode(cx, tc, v)?;
            // SAFETY: `p` from `this`.
            unsafe { bytes_mut(p)[i * sz..(i + 1) * sz].copy_from_slice(&b) };
        }
        None => {
            check_resizable(cx, p)?;
            // SAFETY: `p` from `this`.
            unsafe { bytes_mut(p).drain(i * sz..(i + 1) * sz) };
        }
    }
    Ok(())
}

unsafe extern "C" fn array_subscript(me: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    cx::api("array.__getitem__", |cx| {
        // SAFETY: slot arguments: the instance and an object.
        let (me, key) = unsafe { (cx::harg(cx, me)?, cx::harg(cx, key)?) };
        let r = subscript(cx, me, key)?;
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn array_item(me: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    cx::api("array.__getitem__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let p = this(cx, me)?;
        let n = len_of(p);
        let i = norm_index(cx, i as i64, n, "array")?;
        let r = get_item(cx, p, i);
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn array_ass_subscript(
    me: *mut PyObject,
    key: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    cx::api("array.__setitem__", |cx| {
        // SAFETY: slot arguments: the instance, an object and NULL (delete) or an object.
        let (me, key) = unsafe { (cx::harg(cx, me)?, cx::harg(cx, key)?) };
        // SAFETY: as above.
        let v = unsafe { cx::from_c(v) }.map(|o| cx.root(o));
        ass_subscript(cx, me, key, v)?;
        Ok(0)
    })
}

unsafe extern "C" fn array_length(me: *mut PyObject) -> Py_ssize_t {
    cx::api("array.__len__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let p = this(cx, me)?;
        Ok(len_of(p) as Py_ssize_t)
    })
}

unsafe extern "C" fn array_contains(me: *mut PyObject, v: *mut PyObject) -> c_int {
    cx::api("array.__contains__", |cx| {
        // SAFETY: slot arguments: the instance and an object.
        let (me, v) = unsafe { (cx::harg(cx, me)?, cx::harg(cx, v)?) };
        let p = this(cx, me)?;
        for i in 0..len_of(p) {
            let x = get_item(cx, p, i);
            let r = crate::r#abstract::object::richcompare(cx, x, v, 2)?;
            if crate::r#abstract::object::truth(cx, r)? {
                return Ok(1);
            }
        }
        Ok(0)
    })
}

unsafe extern "C" fn array_iter(me: *mut PyObject) -> *mut PyObject {
    // SAFETY: the instance the slot was called with: a sequence iterator over its items.
    unsafe { crate::objects::iterators::PySeqIter_New(me) }
}

fn tolist_of(cx: &mut Thread, me: Handle) -> PyResult<Handle> {
    let p = this(cx, me)?;
    let items: Vec<Handle> = (0..len_of(p)).map(|i| get_item(cx, p, i)).collect();
    Ok(cx.list_from(&items))
}

unsafe extern "C" fn array_repr(me: *mut PyObject) -> *mut PyObject {
    cx::api("array.__repr__", |cx| {
        // SAFETY: the instance the slot was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let p = this(cx, me)?;
        let tc = tc_of(p) as char;
        let s = if len_of(p) == 0 {
            format!("array('{tc}')")
        } else {
            let l = tolist_of(cx, me)?;
            let r = crate::r#abstract::object::repr(cx, l)?;
            format!("array('{tc}', {})", cx.str_value(cx.get(r)).unwrap_or(""))
        };
        let s = cx.str(&s);
        Ok(new_ref_h(cx, s))
    })
}

unsafe extern "C" fn array_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    cx::api("array.__richcmp__", |cx| {
        // SAFETY: slot arguments: two objects.
        let (a, b) = unsafe { (cx::harg(cx, a)?, cx::harg(cx, b)?) };
        if !is_array_type(cx, a) || !is_array_type(cx, b) {
            let ni = cx.rt.not_implemented;
            return Ok(cx::new_ref(cx, ni));
        }
        // Compare item by item, as CPython does (values, not bytes).
        let (la, lb) = (tolist_of(cx, a)?, tolist_of(cx, b)?);
        let r = crate::r#abstract::object::richcompare(cx, la, lb, op)?;
        Ok(new_ref_h(cx, r))
    })
}

unsafe extern "C" fn array_getbuffer(
    me: *mut PyObject,
    view: *mut buffer::PyBuffer,
    flags: c_int,
) -> c_int {
    cx::api("array.__buffer__", |cx| {
        // SAFETY: the instance the slot was called with.
        let meh = unsafe { cx::harg(cx, me) }?;
        let p = this(cx, meh)?;
        let tc = tc_of(p);
        let sz = itemsize(tc).expect("valid") as Py_ssize_t;
        // SAFETY: `p` from `this`; `view` is the caller's writable Py_buffer. The exporter
        // reference keeps the (pinned) instance, and `exports` keeps its storage from moving.
        unsafe {
            let data = bytes_mut(p);
            (*p).exports += 1;
            (*p).shape = (data.len() as Py_ssize_t) / sz;
            (*p).stride = sz;
            let v = &mut *view;
            v.buf = data.as_mut_ptr().cast();
            v.obj = new_ref_h(cx, meh);
            v.len = data.len() as Py_ssize_t;
            v.itemsize = sz;
            v.readonly = 0;
            v.ndim = 1;
            v.format = if flags & 0x0004 != 0 {
                format_of(tc).as_ptr().cast_mut()
            } else {
                std::ptr::null_mut::<c_char>()
            };
            v.shape = if flags & 0x0008 != 0 {
                std::ptr::addr_of_mut!((*p).shape)
            } else {
                std::ptr::null_mut()
            };
            v.strides = if flags & 0x0010 == 0x0010 {
                std::ptr::addr_of_mut!((*p).stride)
            } else {
                std::ptr::null_mut()
            };
            v.suboffsets = std::ptr::null_mut();
            v.internal = std::ptr::null_mut();
        }
        Ok(0)
    })
}

unsafe extern "C" fn array_releasebuffer(me: *mut PyObject, _view: *mut buffer::PyBuffer) {
    let p = me.cast::<ArrayObj>();
    // SAFETY: the exporting instance (alive: the view holds a reference to it).
    unsafe {
        if (*p).exports > 0 {
            (*p).exports -= 1;
        }
    }
}

unsafe extern "C" fn array_dealloc(me: *mut PyObject) {
    let p = me.cast::<ArrayObj>();
    // SAFETY: the instance is being deallocated: its boxed bytes are dropped once and its
    // memory freed last.
    unsafe {
        let d = std::mem::replace(&mut (*p).data, std::ptr::null_mut());
        if !d.is_null() {
            drop(Box::from_raw(d));
        }
        super::free_instance(me);
    }
}

fn me_of(cx: &mut Thread, s: Option<Handle>) -> PyResult<(Handle, *mut ArrayObj)> {
    let Some(s) = s else {
        return Err(cx::bad_internal_call(cx));
    };
    let p = this(cx, s)?;
    Ok((s, p))
}

fn append(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "append", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    let b = encode(cx, tc_of(p), a[0])?;
    check_resizable(cx, p)?;
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).extend_from_slice(&b) };
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_append, "append", append);

fn extend(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "extend", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    extend_from(cx, p, a[0])?;
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_extend, "extend", extend);

fn insert(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "insert", a, 2, 2)?;
    let (_, p) = me_of(cx, s)?;
    let n = len_of(p) as i64;
    let mut i = super::as_i64(cx, a[0])?;
    if i < 0 {
        i = (i + n).max(0);
    }
    let i = i.min(n) as usize;
    let b = encode(cx, tc_of(p), a[1])?;
    check_resizable(cx, p)?;
    let sz = b.len();
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).splice(i * sz..i * sz, b) };
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_insert, "insert", insert);

fn pop(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "pop", a, 0, 1)?;
    let (_, p) = me_of(cx, s)?;
    let n = len_of(p);
    if n == 0 {
        return Err(cx::index_error(cx, "pop from empty array"));
    }
    let i = match a.first() {
        Some(&h) => super::as_i64(cx, h)?,
        None => -1,
    };
    let i = norm_index(cx, i, n, "pop")?;
    let v = get_item(cx, p, i);
    check_resizable(cx, p)?;
    let sz = itemsize(tc_of(p)).expect("valid");
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).drain(i * sz..(i + 1) * sz) };
    Ok(v)
}
fastcall!(a_pop, "pop", pop);

fn find(cx: &mut Thread, p: *mut ArrayObj, v: Handle) -> PyResult<Option<usize>> {
    for i in 0..len_of(p) {
        let x = get_item(cx, p, i);
        let r = crate::r#abstract::object::richcompare(cx, x, v, 2)?;
        if crate::r#abstract::object::truth(cx, r)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn remove(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "remove", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    let Some(i) = find(cx, p, a[0])? else {
        return Err(value_error(cx, "array.remove(x): x not in array"));
    };
    check_resizable(cx, p)?;
    let sz = itemsize(tc_of(p)).expect("valid");
    // SAFETY: `p` from `this`.
    unsafe { bytes_mut(p).drain(i * sz..(i + 1) * sz) };
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_remove, "remove", remove);

fn index(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "index", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    match find(cx, p, a[0])? {
        Some(i) => Ok(cx.int(i as i64)),
        None => Err(value_error(cx, "array.index(x): x not in array")),
    }
}
fastcall!(a_index, "index", index);

fn count(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "count", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    let mut c = 0;
    for i in 0..len_of(p) {
        let x = get_item(cx, p, i);
        let r = crate::r#abstract::object::richcompare(cx, x, a[0], 2)?;
        if crate::r#abstract::object::truth(cx, r)? {
            c += 1;
        }
    }
    Ok(cx.int(c))
}
fastcall!(a_count, "count", count);

fn reverse(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "reverse", a, 0, 0)?;
    let (_, p) = me_of(cx, s)?;
    let sz = itemsize(tc_of(p)).expect("valid");
    // SAFETY: `p` from `this`.
    let data = unsafe { bytes_mut(p) };
    let rev: Vec<u8> = data.chunks(sz).rev().flatten().copied().collect();
    data.copy_from_slice(&rev);
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_reverse, "reverse", reverse);

fn tolist(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "tolist", a, 0, 0)?;
    let (me, _) = me_of(cx, s)?;
    tolist_of(cx, me)
}
fastcall!(a_tolist, "tolist", tolist);

fn tobytes(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "tobytes", a, 0, 0)?;
    let (_, p) = me_of(cx, s)?;
    // SAFETY: `p` from `this`; copied before allocating.
    let b = unsafe { bytes_mut(p).clone() };
    Ok(cx.bytes(&b))
}
fastcall!(a_tobytes, "tobytes", tobytes);

fn frombytes(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "frombytes", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    let Some(b) = bytes_like(cx, a[0])? else {
        let tn = cx::tname(cx, cx.get(a[0]));
        return Err(type_error(
            cx,
            &format!("a bytes-like object is required, not '{tn}'"),
        ));
    };
    frombytes_into(cx, p, &b)?;
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_frombytes, "frombytes", frombytes);

fn fromlist(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "fromlist", a, 1, 1)?;
    let (_, p) = me_of(cx, s)?;
    if cx.kind_of(cx.get(a[0])) != pyopaque_runtime::Kind::List {
        return Err(type_error(cx, "arg must be list"));
    }
    extend_from(cx, p, a[0])?;
    Ok(cx.root(cx.rt.none))
}
fastcall!(a_fromlist, "fromlist", fromlist);

fn buffer_info(cx: &mut Thread, s: Option<Handle>, a: &[Handle]) -> PyResult<Handle> {
    nargs(cx, "buffer_info", a, 0, 0)?;
    let (_, p) = me_of(cx, s)?;
    // SAFETY: `p` from `this`.
    let addr = unsafe { bytes_mut(p).as_ptr() } as usize;
    let n = len_of(p);
    let ah = super::big(cx, BigInt::from(addr));
    let nh = cx.int(n as i64);
    Ok(cx.tuple(&[ah, nh]))
}
fastcall!(a_buffer_info, "buffer_info", buffer_info);

unsafe extern "C" fn get_typecode(me: *mut PyObject, _: *mut c_void) -> *mut PyObject {
    cx::api("array.typecode", |cx| {
        // SAFETY: the instance the getter was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let p = this(cx, me)?;
        let s = cx.str(&(tc_of(p) as char).to_string());
        Ok(new_ref_h(cx, s))
    })
}

unsafe extern "C" fn get_itemsize(me: *mut PyObject, _: *mut c_void) -> *mut PyObject {
    cx::api("array.itemsize", |cx| {
        // SAFETY: the instance the getter was called with.
        let me = unsafe { cx::harg(cx, me) }?;
        let p = this(cx, me)?;
        let v = cx.int(itemsize(tc_of(p)).expect("valid") as i64);
        Ok(new_ref_h(cx, v))
    })
}

/// `Py_TPFLAGS_SEQUENCE`.
const TPFLAGS_SEQUENCE: u64 = 1 << 5;
/// `Py_bf_getbuffer`.
const BF_GETBUFFER: c_int = 1;
/// `Py_bf_releasebuffer`.
const BF_RELEASEBUFFER: c_int = 2;

fn array_type(cx: &mut Thread) -> PyResult<Handle> {
    static METHODS: Defs<16> = Defs([
        fast(c"append", a_append),
        fast(c"extend", a_extend),
        fast(c"insert", a_insert),
        fast(c"pop", a_pop),
        fast(c"remove", a_remove),
        fast(c"index", a_index),
        fast(c"count", a_count),
        fast(c"reverse", a_reverse),
        fast(c"tolist", a_tolist),
        fast(c"tobytes", a_tobytes),
        fast(c"frombytes", a_frombytes),
        fast(c"fromlist", a_fromlist),
        fast(c"buffer_info", a_buffer_info),
        END,
        END,
        END,
    ]);
    static GETSET: super::GetSets<3> = super::GetSets([
        PyGetSetDef {
            name: c"typecode".as_ptr(),
            get: Some(get_typecode),
            set: None,
            doc: std::ptr::null(),
            closure: std::ptr::null_mut(),
        },
        PyGetSetDef {
            name: c"itemsize".as_ptr(),
            get: Some(get_itemsize),
            set: None,
            doc: std::ptr::null(),
            closure: std::ptr::null_mut(),
        },
        PyGetSetDef {
            name: std::ptr::null(),
            get: None,
            set: None,
            doc: std::ptr::null(),
            closure: std::ptr::null_mut(),
        },
    ]);
    let first = super::cached(cx, &ARRAY).is_none();
    let t = super::make_type(
        cx,
        &ARRAY,
        c"array.array",
        std::mem::size_of::<ArrayObj>(),
        super::TPFLAGS_BASETYPE | TPFLAGS_SEQUENCE,
        &[
            (slot::TP_NEW, array_new as *mut c_void),
            (slot::MP_SUBSCRIPT, array_subscript as *mut c_void),
            (slot::MP_ASS_SUBSCRIPT, array_ass_subscript as *mut c_void),
            (slot::MP_LENGTH, array_length as *mut c_void),
            (slot::SQ_LENGTH, array_length as *mut c_void),
            (slot::SQ_ITEM, array_item as *mut c_void),
            (super::SQ_CONTAINS, array_contains as *mut c_void),
            (slot::TP_ITER, array_iter as *mut c_void),
            (slot::TP_REPR, array_repr as *mut c_void),
            (slot::TP_RICHCOMPARE, array_richcompare as *mut c_void),
            (BF_GETBUFFER, array_getbuffer as *mut c_void),
            (BF_RELEASEBUFFER, array_releasebuffer as *mut c_void),
            (slot::TP_DEALLOC, array_dealloc as *mut c_void),
            (
                slot::TP_METHODS,
                std::ptr::addr_of!(METHODS.0).cast_mut().cast(),
            ),
            (
                slot::TP_GETSET,
                std::ptr::addr_of!(GETSET.0).cast_mut().cast(),
            ),
        ],
    )?;
    if first {
        let tt = cx.get(t);
        pyopaque_runtime::binding::type_payload(tt)
            .flags
            .fetch_or(TPFLAGS_SEQUENCE, Ordering::AcqRel);
        crate::python::collections_abc::register(cx, "MutableSequence", t)?;
    }
    Ok(t)
}

/// The `array` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    static DEFS: Defs<1> = Defs([END]);
    let m = super::new_module(cx, "array", &DEFS.0)?;
    let t = array_type(cx)?;
    super::put(cx, m, "array", t)?;
    super::put(cx, m, "ArrayType", t)?;
    let tc = cx.str("bBuhHiIlLqQfd");
    super::put(cx, m, "typecodes", tc)?;
    super::keep(cx, &MODULE, m);
    Ok(m)
}
