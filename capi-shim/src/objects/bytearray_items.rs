//! `bytearray` subscripts (`ba[i]`, `ba[a:b:c]`, `ba[i] = v`, `ba[a:b] = data`, `del ba[...]`),
//! `+`/`*`, and the methods `append`, `extend`, `pop`, `copy`, `clear`,
//! with CPython 3.11's results and messages (`Objects/bytearrayobject.c`). Item reads give ints,
//! slice reads a new bytearray; a slice assignment with step 1 may change the length (the
//! buffer is reallocated: pointers from `PyByteArray_AsString` are invalidated, as in CPython).

use pyopaque_runtime::{Handle, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, tname, type_error};
use crate::objects::bytearray::{is_bytearray, ByteArrayPayload};
use crate::objects::slice::{is_slice, runtime_slice};
use crate::types::shim_types::payload;

/// The bytes of bytearray `o` (a copy: the caller may allocate afterwards).
fn contents(o: ObjRef) -> Vec<u8> {
    crate::objects::bytearray::bytes_of(o).unwrap_or_default()
}

/// Replaces the contents of bytearray `o` with `b` (reallocating when it grows).
fn set_contents(cx: &mut Thread, o: ObjRef, b: &[u8]) -> PyResult<()> {
    debug_assert!(is_bytearray(o));
    // SAFETY: a bytearray's payload (checked by every caller).
    let p = unsafe { payload::<ByteArrayPayload>(o) };
    if b.len() + 1 > p.cap {
        // SAFETY: the buffer was malloc'd; realloc keeps it valid (its old contents are
        // overwritten below).
        let d = unsafe { libc::realloc(p.data.cast(), b.len() + 1) }.cast::<u8>();
        if d.is_null() {
            let t = cx.rt.types.exc.memory_error;
            return Err(cx.raise(t, ""));
        }
        p.data = d;
        p.cap = b.len() + 1;
    }
    // SAFETY: `cap > b.len()`; `b` is a separate allocation (a copy), so no overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(b.as_ptr(), p.data, b.len());
        *p.data.add(b.len()) = 0;
    }
    p.len = b.len();
    Ok(())
}

fn index_of(cx: &mut Thread, key: ObjRef, len: usize) -> PyResult<usize> {
    let Some(i) = cx.int_as_i64(key)? else {
        return Err(type_error(
            cx,
            &format!(
                "bytearray indices must be integers or slices, not {}",
                tname(cx, key)
            ),
        ));
    };
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(cx::index_error(cx, "bytearray index out of range"));
    }
    Ok(j as usize)
}

/// `ba[key]` for bytearray `h`.
pub fn getitem(cx: &mut Thread, h: Handle, key: Handle) -> PyResult<Handle> {
    let (o, k) = (cx.get(h), cx.get(key));
    let data = contents(o);
    if is_slice(k) {
        let sl = runtime_slice(cx, k)?;
        let ix = sl
            .indices(data.len())
            .expect("runtime_slice refuses a zero step");
        let mut i = ix.start;
        let mut out = Vec::with_capacity(ix.len);
        for _ in 0..ix.len {
            out.push(data[i as usize]);
            i += ix.step;
        }
        return Ok(crate::objects::bytearray::new(cx, &out));
    }
    let i = index_of(cx, k, data.len())?;
    Ok(cx.int(data[i] as i64))
}

/// The byte value `v` stands for (an int in `range(0, 256)`).
fn byte_of(cx: &mut Thread, v: ObjRef) -> PyResult<u8> {
    let Some(x) = cx.int_as_i64(v)? else {
        return Err(type_error(
            cx,
            &format!(
                "'{}' object cannot be interpreted as an integer",
                tname(cx, v)
            ),
        ));
    };
    u8::try_from(x).map_err(|_| cx::value_error(cx, "byte must be in range(0, 256)"))
}

/// The bytes a slice assignment stores: a bytes-like object, or an iterable of byte values
/// (CPython refuses a str and an int).
fn assigned_bytes(cx: &mut Thread, v: Handle) -> PyResult<Vec<u8>> {
    let vo = cx.get(v);
    if let Some(b) = crate::objects::bytearray::buffer_of(cx, vo) {
        return Ok(b);
    }
    if cx.kind_of(vo) == pyopaque_runtime::Kind::Str || cx.int_value(vo).is_some() {
        return Err(type_error(
            cx,
            "can assign only bytes, buffers, or iterables of ints in range(0, 256)",
        ));
    }
    let items = crate::r#abstract::sequence::collect(cx, v)?;
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        let o = cx.get(it);
        out.push(byte_of(cx, o)?);
    }
    Ok(out)
}

/// `ba[key] = v`, or `del ba[key]` when `v` is None.
pub fn setitem(cx: &mut Thread, h: Handle, key: Handle, v: Option<Handle>) -> PyResult<()> {
    let k = cx.get(key);
    if is_slice(k) {
        let sl = runtime_slice(cx, k)?;
        let new = match v {
            Some(v) => Some(assigned_bytes(cx, v)?),
            None => None,
        };
        let o = cx.get(h);
        let mut data = contents(o);
        let ix = sl
            .indices(data.len())
            .expect("runtime_slice refuses a zero step");
        let positions: Vec<usize> = (0..ix.len)
            .map(|n| (ix.start + n as isize * ix.step) as usize)
            .collect();
        match new {
            Some(b) if ix.step == 1 => {
                let a = ix.start.max(0) as usize;
                let a = a.min(data.len());
                let end = (a + ix.len).min(data.len());
                data.splice(a..end, b);
            }
            Some(b) => {
                if b.len() != positions.len() {
                    return Err(cx::value_error(
                        cx,
                        &format!(
                            "attempt to assign bytes of size {} to extended slice of size {}",
                            b.len(),
                            positions.len()
                        ),
                    ));
                }
                for (p, x) in positions.iter().zip(b) {
                    data[*p] = x;
                }
            }
            None => {
                let mut drop = vec![false; data.len()];
                for p in positions {
                    drop[p] = true;
                }
                let mut n = 0;
                data.retain(|_| {
                    n += 1;
                    !drop[n - 1]
                });
            }
        }
        let o = cx.get(h);
        return set_contents(cx, o, &data);
    }
    let o = cx.get(h);
    let mut data = contents(o);
    let i = index_of(cx, k, data.len())?;
    match v {
        Some(v) => {
            let vo = cx.get(v);
            data[i] = byte_of(cx, vo)?;
        }
        None => {
            data.remove(i);
        }
    }
    let o = cx.get(h);
    set_contents(cx, o, &data)
}

/// `a + b` and `a * n` where a bytearray takes part (None when neither rule applies):
/// `bytearray + bytes-like` is a bytearray, `bytes + bytearray` is bytes (CPython's
/// `bytes_concat` returns its left operand's type), `bytearray * n` and `n * bytearray` repeat
/// (a negative `n` repeats zero times).
pub fn binop(
    cx: &mut Thread,
    a: Handle,
    b: Handle,
    op: pyopaque_runtime::BinOp,
) -> PyResult<Option<Handle>> {
    let (x, y) = (cx.get(a), cx.get(b));
    let (xa, ya) = (is_bytearray(x), is_bytearray(y));
    if !xa && !ya {
        return Ok(None);
    }
    match op {
        pyopaque_runtime::BinOp::Add => {
            let (Some(p), Some(q)) = (
                crate::objects::bytearray::buffer_of(cx, x),
                crate::objects::bytearray::buffer_of(cx, y),
            ) else {
                return Ok(None);
            };
            let mut v = p;
            v.extend(q);
            Ok(Some(if xa {
                crate::objects::bytearray::new(cx, &v)
            } else {
                cx.bytes(&v)
            }))
        }
        pyopaque_runtime::BinOp::Mul => {
            let (seq, n) = if xa { (x, y) } else { (y, x) };
            let Some(n) = cx.int_as_i64(n)? else {
                return Ok(None);
            };
            let data = contents(seq);
            let n = n.max(0) as usize;
            if data
                .len()
                .checked_mul(n)
                .is_none_or(|t| t > isize::MAX as usize)
            {
                let t = cx.rt.types.exc.memory_error;
                return Err(cx.raise(t, ""));
            }
            let v = data.repeat(n);
            Ok(Some(crate::objects::bytearray::new(cx, &v)))
        }
        _ => Ok(None),
    }
}

// ----- methods (`bytearray.append`, ...), installed in the type's dict -----

use crate::boundary::ffi::PyObject;
use crate::python::builtins::check_nargs;
use crate::python::stdlib::{fast, run_fast, Defs};

unsafe extern "C" fn ba_append(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("append", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: a METH_FASTCALL call; the method is only in bytearray's dict.
    unsafe {
        run_fast("bytearray.append", s, args, n, |cx, me, a| {
            let h = me.expect("a method has self");
            let v = cx.get(a[0]);
            let x = byte_of(cx, v)?;
            let o = cx.get(h);
            let mut data = contents(o);
            data.push(x);
            set_contents(cx, o, &data)?;
            Ok(cx.root(cx.rt.none))
        })
    }
}

unsafe extern "C" fn ba_extend(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("extend", n, 1, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: a METH_FASTCALL call; the method is only in bytearray's dict.
    unsafe {
        run_fast("bytearray.extend", s, args, n, |cx, me, a| {
            let h = me.expect("a method has self");
            let v = cx.get(a[0]);
            if cx.kind_of(v) == pyopaque_runtime::Kind::Str {
                return Err(type_error(cx, "expected iterable of integers; got: 'str'"));
            }
            let more = assigned_bytes(cx, a[0])?;
            let o = cx.get(h);
            let mut data = contents(o);
            data.extend(more);
            set_contents(cx, o, &data)?;
            Ok(cx.root(cx.rt.none))
        })
    }
}

unsafe extern "C" fn ba_pop(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("pop", n, 0, 1) {
        return std::ptr::null_mut();
    }
    // SAFETY: a METH_FASTCALL call; the method is only in bytearray's dict.
    unsafe {
        run_fast("bytearray.pop", s, args, n, |cx, me, a| {
            let h = me.expect("a method has self");
            let o = cx.get(h);
            let mut data = contents(o);
            if data.is_empty() {
                return Err(cx::index_error(cx, "pop from empty bytearray"));
            }
            let i = match a.first() {
                Some(k) => {
                    let k = cx.get(*k);
                    let Some(i) = cx.int_as_i64(k)? else {
                        return Err(type_error(
                            cx,
                            &format!(
                                "'{}' object cannot be interpreted as an integer",
                                tname(cx, k)
                            ),
                        ));
                    };
                    let j = if i < 0 { i + data.len() as i64 } else { i };
                    if j < 0 || j >= data.len() as i64 {
                        return Err(cx::index_error(cx, "pop index out of range"));
                    }
                    j as usize
                }
                None => data.len() - 1,
            };
            let v = data.remove(i);
            let o = cx.get(h);
            set_contents(cx, o, &data)?;
            Ok(cx.int(v as i64))
        })
    }
}

unsafe extern "C" fn ba_copy(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("copy", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: a METH_FASTCALL call; the method is only in bytearray's dict.
    unsafe {
        run_fast("bytearray.copy", s, args, n, |cx, me, _| {
            let h = me.expect("a method has self");
            let data = contents(cx.get(h));
            Ok(crate::objects::bytearray::new(cx, &data))
        })
    }
}

unsafe extern "C" fn ba_clear(
    s: *mut PyObject,
    args: *const *mut PyObject,
    n: isize,
) -> *mut PyObject {
    if !check_nargs("clear", n, 0, 0) {
        return std::ptr::null_mut();
    }
    // SAFETY: a METH_FASTCALL call; the method is only in bytearray's dict.
    unsafe {
        run_fast("bytearray.clear", s, args, n, |cx, me, _| {
            let h = me.expect("a method has self");
            let o = cx.get(h);
            set_contents(cx, o, &[])?;
            Ok(cx.root(cx.rt.none))
        })
    }
}

static DEFS: Defs<5> = Defs([
    fast(c"append", ba_append),
    fast(c"extend", ba_extend),
    fast(c"pop", ba_pop),
    fast(c"copy", ba_copy),
    fast(c"clear", ba_clear),
]);

/// Installs the methods in `bytearray`'s dict (from
/// [`crate::objects::type_methods::ensure_installed`], once per process).
pub fn install(cx: &mut Thread) {
    let ty = crate::objects::bytearray::bytearray_type();
    for d in &DEFS.0 {
        // The definitions are never written: the `*mut` is what the descriptor stores.
        crate::objects::type_methods::install_descr(cx, ty, std::ptr::from_ref(d).cast_mut());
    }
}
