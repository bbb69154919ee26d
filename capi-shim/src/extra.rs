//! Smaller object-level functions of work package "b": calls through the old `PyEval_*`
//! names, function names for messages, file-like objects (`PyFile_*`), slice assignment on
//! sequences, `PyObject_Bytes`, `_Py_SwappedOp`, locale encoding, version packing and the
//! underscore aliases of the stable ABI.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CString};
use std::sync::Mutex;

use pyopaque_runtime::{Handle, Kind, PyResult, Thread};

use crate::boundary::cx::{self, arg, harg, new_ref_h};
use crate::boundary::ffi::{PyMethodDef, PyObject, Py_ssize_t};
use crate::types::shim_types::{payload, FuncPayload};
use crate::{capi, cov};

/// `_Py_SwappedOp`: the comparison operator with its operands swapped, indexed by `Py_LT`...
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static _Py_SwappedOp: [c_int; 6] = [4, 5, 2, 3, 0, 1];

/// `PyEval_CallObjectWithKeywords`: `args` NULL or a tuple, `kwargs` NULL or a dict.
///
/// # Safety
/// Objects or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyEval_CallObjectWithKeywords(
    callable: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    capi!("PyEval_CallObjectWithKeywords", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { harg(cx, callable) }?;
        // SAFETY: caller's contract (`split_args` checks the tuple and dict types).
        let (pos, kw) = unsafe { crate::r#abstract::call::split_args(cx, args, kwargs) }?;
        let r = crate::r#abstract::call::call(cx, c, &pos, &kw)?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyCFunction_Call`: as `PyObject_Call`.
///
/// # Safety
/// Objects or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyCFunction_Call(
    callable: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    capi!("PyCFunction_Call", |cx| {
        // SAFETY: caller's contract.
        let c = unsafe { harg(cx, callable) }?;
        // SAFETY: as above. Unlike PyEval_CallObjectWithKeywords, `args` may not be NULL.
        let a = unsafe { harg(cx, args) }?;
        if cx.kind_of(cx.get(a)) != Kind::Tuple {
            return Err(cx::type_error(cx, "argument list must be a tuple"));
        }
        // SAFETY: caller's contract (`split_args` checks the tuple and dict types).
        let (pos, kw) = unsafe { crate::r#abstract::call::split_args(cx, args, kwargs) }?;
        let r = crate::r#abstract::call::call(cx, c, &pos, &kw)?;
        Ok(new_ref_h(cx, r))
    })
}

static NAMES: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

/// An interned, never-freed C string.
fn interned(s: &str) -> *const c_char {
    let mut g = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let m = g.get_or_insert_with(HashMap::new);
    if let Some(p) = m.get(s) {
        return *p as *const c_char;
    }
    let p = CString::new(s).unwrap_or_default().into_raw() as usize;
    m.insert(s.to_string(), p);
    p as *const c_char
}

/// `PyEval_GetFuncName`: a builtin function's name, else the name of the object's type.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyEval_GetFuncName(f: *mut PyObject) -> *const c_char {
    capi!("PyEval_GetFuncName", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, f) }?;
        let g = cx::global();
        let t = cx.type_of(o);
        if t == g.types.cfunction || t == g.types.method_descr || t == g.types.classmethod_descr {
            // SAFETY: function payload with a static def.
            let def: *mut PyMethodDef = unsafe { payload::<FuncPayload>(o) }.def;
            // SAFETY: static C data.
            return Ok(unsafe { (*def).ml_name });
        }
        Ok(interned(cx::tname(cx, o)))
    })
}

/// `PyEval_GetFuncDesc`: `"()"` for functions, `" object"` otherwise.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyEval_GetFuncDesc(f: *mut PyObject) -> *const c_char {
    capi!("PyEval_GetFuncDesc", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, f) }?;
        let g = cx::global();
        let t = cx.type_of(o);
        Ok(
            if t == g.types.cfunction || t == g.types.method_descr || t == g.types.classmethod_descr
            {
                c"()".as_ptr()
            } else {
                c" object".as_ptr()
            },
        )
    })
}

// ----- file-like objects -----

/// `PyFile_WriteString`: `f.write(s)`; NULL `f` is SystemError.
///
/// # Safety
/// `s` a C string, `f` NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyFile_WriteString(s: *const c_char, f: *mut PyObject) -> c_int {
    capi!("PyFile_WriteString", |cx| {
        // SAFETY: caller's contract.
        let Some(fo) = (unsafe { cx::from_c(f) }) else {
            if cx.error().is_none() {
                return Err(cx::system_error(cx, "null file for PyFile_WriteString"));
            }
            return Err(pyopaque_runtime::Raised);
        };
        if cx.error().is_some() {
            return Err(pyopaque_runtime::Raised);
        }
        let fh = cx.root(fo);
        // SAFETY: as above.
        let text = unsafe { cx::cstr(cx, s) }?.to_string();
        let sh = cx.str(&text);
        crate::r#abstract::call::call_method(cx, fh, "write", &[sh])?;
        Ok(0)
    })
}

/// `PyFile_WriteObject`: `f.write(str(o))` with `Py_PRINT_RAW`, else `f.write(repr(o))`.
///
/// # Safety
/// Objects or NULL.
#[no_mangle]
pub unsafe extern "C" fn PyFile_WriteObject(
    o: *mut PyObject,
    f: *mut PyObject,
    flags: c_int,
) -> c_int {
    capi!("PyFile_WriteObject", |cx| {
        // SAFETY: caller's contract.
        let Some(fo) = (unsafe { cx::from_c(f) }) else {
            return Err(cx::type_error(cx, "writeobject with NULL file"));
        };
        let fh = cx.root(fo);
        // SAFETY: as above.
        let oh = unsafe { harg(cx, o) }?;
        let s = if flags & 1 != 0 {
            crate::r#abstract::object::str_(cx, oh)?
        } else {
            crate::r#abstract::object::repr(cx, oh)?
        };
        crate::r#abstract::call::call_method(cx, fh, "write", &[s])?;
        Ok(0)
    })
}

/// `PyFile_GetLine`: `f.readline()` (`n > 0`: `f.readline(n)`); with `n < 0` a trailing newline
/// is stripped and an empty result is EOFError.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyFile_GetLine(f: *mut PyObject, n: c_int) -> *mut PyObject {
    capi!("PyFile_GetLine", |cx| {
        // SAFETY: caller's contract.
        let fh = unsafe { harg(cx, f) }?;
        let r = if n <= 0 {
            crate::r#abstract::call::call_method(cx, fh, "readline", &[])?
        } else {
            let nh = cx.int(n as i64);
            crate::r#abstract::call::call_method(cx, fh, "readline", &[nh])?
        };
        let ro = cx.get(r);
        let kind = cx.kind_of(ro);
        if kind != Kind::Str && kind != Kind::Bytes {
            return Err(cx::type_error(cx, "object.readline() returned non-string"));
        }
        if n < 0 {
            let data: Vec<u8> = pyopaque_runtime::objects::text::text_bytes(ro).to_vec();
            if data.is_empty() {
                let t = cx::global().types.exc_named("EOFError");
                return Err(cx.raise(t, "EOF when reading a line"));
            }
            if data.last() == Some(&b'\n') {
                let d = &data[..data.len() - 1];
                let h = if kind == Kind::Str {
                    cx.str(std::str::from_utf8(d).unwrap_or_default())
                } else {
                    cx.bytes(d)
                };
                return Ok(new_ref_h(cx, h));
            }
        }
        Ok(new_ref_h(cx, r))
    })
}

/// `PyObject_AsFileDescriptor`: an int, or the int `o.fileno()` returns (ValueError when
/// negative).
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_AsFileDescriptor(o: *mut PyObject) -> c_int {
    capi!("PyObject_AsFileDescriptor", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        let ob = cx.get(h);
        let v = if matches!(cx.kind_of(ob), Kind::Int | Kind::Bool) {
            h
        } else {
            match crate::r#abstract::object::getattr_opt(cx, h, "fileno")? {
                Some(m) => {
                    let r = crate::r#abstract::call::call(cx, m, &[], &[])?;
                    if !matches!(cx.kind_of(cx.get(r)), Kind::Int | Kind::Bool) {
                        return Err(cx::type_error(cx, "fileno() returned a non-integer"));
                    }
                    r
                }
                None => {
                    return Err(cx::type_error(
                        cx,
                        "argument must be an int, or have a fileno() method.",
                    ))
                }
            }
        };
        let n = match cx.int_value(cx.get(v)) {
            Some(pyopaque_runtime::objects::int::IntValue::Small(n))
                if n >= c_int::MIN as i64 && n <= c_int::MAX as i64 =>
            {
                n as c_int
            }
            _ => {
                return Err(cx::overflow_error(
                    cx,
                    "Python int too large to convert to C int",
                ))
            }
        };
        if n < 0 {
            return Err(cx::value_error(
                cx,
                &format!("file descriptor cannot be a negative integer ({n})"),
            ));
        }
        Ok(n)
    })
}

// ----- slice assignment -----

fn slice_op(
    cx: &mut Thread,
    o: *mut PyObject,
    lo: Py_ssize_t,
    hi: Py_ssize_t,
    v: Option<Handle>,
) -> PyResult<c_int> {
    // SAFETY: the C API contract.
    let h = unsafe { harg(cx, o) }?;
    let ob = cx.get(h);
    if cx.kind_of(ob) == Kind::List {
        let s = pyopaque_runtime::list::Slice::new(Some(lo), Some(hi), None);
        match v {
            None => cx.list_del_slice(h, s)?,
            Some(src) => cx.list_set_slice(h, s, src)?,
        }
        return Ok(0);
    }
    // Mapping subscript assignment with a slice (C types with mp_ass_subscript).
    if crate::types::typeobject::get_slot(cx.type_of(ob), 3) != 0 {
        let (a, b) = (cx.int(lo as i64), cx.int(hi as i64));
        let (ao, bo) = (cx.get(a), cx.get(b));
        let sl = crate::objects::slice::new_slice(cx, Some(ao), Some(bo), None);
        crate::r#abstract::object::setitem(cx, h, sl, v)?;
        return Ok(0);
    }
    let tn = cx::tname(cx, ob);
    Err(cx::type_error(
        cx,
        &format!(
            "'{tn}' object doesn't support slice {}",
            if v.is_some() {
                "assignment"
            } else {
                "deletion"
            }
        ),
    ))
}

/// `PySequence_SetSlice`: `o[i1:i2] = v` (lists, and C types with `mp_ass_subscript`).
///
/// # Safety
/// Objects.
#[no_mangle]
pub unsafe extern "C" fn PySequence_SetSlice(
    o: *mut PyObject,
    i1: Py_ssize_t,
    i2: Py_ssize_t,
    v: *mut PyObject,
) -> c_int {
    capi!("PySequence_SetSlice", |cx| {
        // SAFETY: caller's contract (NULL v deletes, as in CPython).
        let vh = unsafe { cx::from_c(v) }.map(|x| cx.root(x));
        slice_op(cx, o, i1, i2, vh)
    })
}

/// `PySequence_DelSlice`: `del o[i1:i2]`.
///
/// # Safety
/// An object.
#[no_mangle]
pub unsafe extern "C" fn PySequence_DelSlice(
    o: *mut PyObject,
    i1: Py_ssize_t,
    i2: Py_ssize_t,
) -> c_int {
    capi!("PySequence_DelSlice", |cx| slice_op(cx, o, i1, i2, None))
}

// ----- bytes(o) -----

/// `PyObject_Bytes`: `bytes(o)` for bytes, objects with `__bytes__`, buffer exporters and
/// sequences of ints; `b"<NULL>"` for NULL.
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Bytes(o: *mut PyObject) -> *mut PyObject {
    capi!("PyObject_Bytes", |cx| {
        // SAFETY: caller's contract.
        let Some(ob) = (unsafe { cx::from_c(o) }) else {
            let b = cx.bytes(b"<NULL>");
            return Ok(new_ref_h(cx, b));
        };
        let h = cx.root(ob);
        match cx.kind_of(ob) {
            Kind::Bytes => return Ok(new_ref_h(cx, h)),
            Kind::Str => return Err(cx::type_error(cx, "cannot convert 'str' object to bytes")),
            _ => {}
        }
        if let Some(m) = crate::r#abstract::object::getattr_opt(cx, h, "__bytes__")? {
            let r = crate::r#abstract::call::call(cx, m, &[], &[])?;
            if cx.kind_of(cx.get(r)) != Kind::Bytes {
                let tn = cx::tname(cx, cx.get(r));
                return Err(cx::type_error(
                    cx,
                    &format!("__bytes__ returned non-bytes (type {tn})"),
                ));
            }
            return Ok(new_ref_h(cx, r));
        }
        if crate::r#abstract::buffer::exporter_kind(cx, ob).is_some() {
            let mut v = std::mem::MaybeUninit::<crate::r#abstract::buffer::PyBuffer>::zeroed();
            let me = cx::to_c(cx.get(h));
            let mut data = vec![0u8; 0];
            // SAFETY: nested API calls from an API body are not allowed; copy via the helpers
            // below instead (GetBuffer/ToContiguous/Release run their own entries).
            let ok = cx::publish(cx, || unsafe {
                if crate::r#abstract::buffer::PyObject_GetBuffer(me, v.as_mut_ptr(), 0x011c) < 0 {
                    return false;
                }
                let vr = v.assume_init_mut();
                data.resize(vr.len.max(0) as usize, 0);
                let r = crate::r#abstract::buffer::PyBuffer_ToContiguous(
                    data.as_mut_ptr().cast(),
                    vr,
                    vr.len,
                    b'C' as c_char,
                );
                crate::r#abstract::buffer::PyBuffer_Release(vr);
                r == 0
            });
            if !ok {
                return Err(pyopaque_runtime::Raised);
            }
            let b = cx.bytes(&data);
            return Ok(new_ref_h(cx, b));
        }
        if matches!(cx.kind_of(ob), Kind::List | Kind::Tuple) {
            let items = crate::r#abstract::sequence::collect(cx, h)?;
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                let io = cx.get(it);
                match cx.int_value(io) {
                    Some(pyopaque_runtime::objects::int::IntValue::Small(v))
                        if (0..256).contains(&v) =>
                    {
                        out.push(v as u8)
                    }
                    Some(_) => return Err(cx::value_error(cx, "bytes must be in range(0, 256)")),
                    None => {
                        let tn = cx::tname(cx, io);
                        return Err(cx::type_error(
                            cx,
                            &format!("'{tn}' object cannot be interpreted as an integer"),
                        ));
                    }
                }
            }
            let b = cx.bytes(&out);
            return Ok(new_ref_h(cx, b));
        }
        let tn = cx::tname(cx, ob);
        Err(cx::type_error(
            cx,
            &format!("cannot convert '{tn}' object to bytes"),
        ))
    })
}

// ----- locale encoding (the runtime's locale encoding is UTF-8 with surrogateescape) -----

/// `Py_DecodeLocale`: UTF-8 with surrogateescape into a `PyMem_RawMalloc`'d wide string.
///
/// # Safety
/// `arg` a C string; `size` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn Py_DecodeLocale(
    arg: *const c_char,
    size: *mut usize,
) -> *mut libc::wchar_t {
    cov!("Py_DecodeLocale");
    if arg.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: caller's contract.
    let bytes = unsafe { std::ffi::CStr::from_ptr(arg) }.to_bytes();
    let mut out: Vec<u32> = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.extend(s.chars().map(|c| c as u32));
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // SAFETY: validated prefix.
                out.extend(
                    unsafe { std::str::from_utf8_unchecked(good) }
                        .chars()
                        .map(|c| c as u32),
                );
                let n = e.error_len().unwrap_or(bad.len());
                out.extend(bad[..n].iter().map(|&b| 0xDC00 + b as u32));
                rest = &bad[n..];
            }
        }
    }
    let p = crate::python::memory::PyMem_RawMalloc((out.len() + 1) * 4).cast::<u32>();
    if p.is_null() {
        if !size.is_null() {
            // SAFETY: writable per contract.
            unsafe { *size = usize::MAX - 1 };
        }
        return std::ptr::null_mut();
    }
    // SAFETY: p has out.len()+1 u32 slots.
    unsafe {
        std::ptr::copy_nonoverlapping(out.as_ptr(), p, out.len());
        *p.add(out.len()) = 0;
        if !size.is_null() {
            *size = out.len();
        }
    }
    p.cast()
}

/// `Py_EncodeLocale`: UTF-8 with surrogateescape into a `PyMem_Malloc`'d string; NULL (and
/// `*error_pos` set) for an unencodable character.
///
/// # Safety
/// `text` a NUL-terminated wide string; `error_pos` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn Py_EncodeLocale(
    text: *const libc::wchar_t,
    error_pos: *mut usize,
) -> *mut c_char {
    cov!("Py_EncodeLocale");
    if !error_pos.is_null() {
        // SAFETY: writable per contract.
        unsafe { *error_pos = usize::MAX };
    }
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        // SAFETY: read up to the terminator.
        let c = unsafe { *text.add(i) } as u32;
        if c == 0 {
            break;
        }
        if (0xDC80..=0xDCFF).contains(&c) {
            out.push((c - 0xDC00) as u8);
        } else if let Some(ch) = char::from_u32(c) {
            let mut b = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
        } else {
            if !error_pos.is_null() {
                // SAFETY: as above.
                unsafe { *error_pos = i };
            }
            return std::ptr::null_mut();
        }
        i += 1;
    }
    let p = crate::python::memory::PyMem_Malloc(out.len() + 1).cast::<u8>();
    if p.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: p has out.len()+1 bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(out.as_ptr(), p, out.len());
        *p.add(out.len()) = 0;
    }
    p.cast()
}

/// `Py_PACK_FULL_VERSION`.
#[no_mangle]
pub extern "C" fn Py_PACK_FULL_VERSION(
    x: c_int,
    y: c_int,
    z: c_int,
    level: c_int,
    serial: c_int,
) -> u32 {
    cov!("Py_PACK_FULL_VERSION");
    ((x as u32 & 0xff) << 24)
        | ((y as u32 & 0xff) << 16)
        | ((z as u32 & 0xff) << 8)
        | ((level as u32 & 0xf) << 4)
        | (serial as u32 & 0xf)
}

/// `Py_PACK_VERSION`.
#[no_mangle]
pub extern "C" fn Py_PACK_VERSION(x: c_int, y: c_int) -> u32 {
    cov!("Py_PACK_VERSION");
    ((x as u32 & 0xff) << 24) | ((y as u32 & 0xff) << 16)
}

// ----- underscore aliases of the stable ABI -----

/// `_Py_IncRef`: `Py_IncRef`.
///
/// # Safety
/// NULL or an object.
#[no_mangle]
pub unsafe extern "C" fn _Py_IncRef(o: *mut PyObject) {
    cov!("_Py_IncRef");
    // SAFETY: forwarded contract.
    unsafe { crate::boundary::refcount::Py_IncRef(o) }
}

/// `_Py_DecRef`: `Py_DecRef`.
///
/// # Safety
/// NULL or an object C holds a reference to.
#[no_mangle]
pub unsafe extern "C" fn _Py_DecRef(o: *mut PyObject) {
    cov!("_Py_DecRef");
    // SAFETY: forwarded contract.
    unsafe { crate::boundary::refcount::Py_DecRef(o) }
}

/// `_Py_CheckRecursiveCall(tstate, where)`: 0 below the recursion limit, else RecursionError.
///
/// # Safety
/// `where_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn _Py_CheckRecursiveCall(
    _tstate: *mut c_void_t,
    where_: *const c_char,
) -> c_int {
    cov!("_Py_CheckRecursiveCall");
    // SAFETY: forwarded contract.
    let r = unsafe { crate::python::lifecycle::Py_EnterRecursiveCall(where_) };
    if r == 0 {
        crate::python::lifecycle::Py_LeaveRecursiveCall();
    }
    r
}

/// `void` for thread-state pointers.
#[allow(non_camel_case_types)]
pub type c_void_t = std::ffi::c_void;

/// `_PyState_AddModule(tstate, module, def)`: `PyState_AddModule`.
///
/// # Safety
/// As `PyState_AddModule`.
#[no_mangle]
pub unsafe extern "C" fn _PyState_AddModule(
    _tstate: *mut c_void_t,
    module: *mut PyObject,
    def: *mut crate::boundary::ffi::PyModuleDef,
) -> c_int {
    cov!("_PyState_AddModule");
    // SAFETY: forwarded contract.
    unsafe { crate::python::import::PyState_AddModule(module, def) }
}

// ----- format(obj, spec) -----

struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(s: &str) -> Option<Spec> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut sp = Spec {
        fill: ' ',
        align: None,
        sign: '-',
        alt: false,
        zero: false,
        width: 0,
        grouping: None,
        precision: None,
        ty: None,
    };
    let is_align = |x: char| matches!(x, '<' | '>' | '=' | '^');
    if c.len() >= 2 && is_align(c[1]) {
        sp.fill = c[0];
        sp.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        sp.align = Some(c[0]);
        i = 1;
    }
    if i < c.len() && matches!(c[i], '+' | '-' | ' ') {
        sp.sign = c[i];
        i += 1;
    }
    if i < c.len() && c[i] == '#' {
        sp.alt = true;
        i += 1;
    }
    if i < c.len() && c[i] == '0' {
        sp.zero = true;
        i += 1;
    }
    let st = i;
    while i < c.len() && c[i].is_ascii_digit() {
        i += 1;
    }
    if i > st {
        sp.width = c[st..i].iter().collect::<String>().parse().ok()?;
    }
    if i < c.len() && matches!(c[i], ',' | '_') {
        sp.grouping = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '.' {
        i += 1;
        let st = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return None;
        }
        sp.precision = Some(c[st..i].iter().collect::<String>().parse().ok()?);
    }
    if i < c.len() {
        sp.ty = Some(c[i]);
        i += 1;
    }
    (i == c.len()).then_some(sp)
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

fn pad(sp: &Spec, sign: &str, body: &str, default_align: char) -> String {
    let len = sign.chars().count() + body.chars().count();
    let (fill, align) = if sp.zero && sp.align.is_none() {
        ('0', '=')
    } else {
        (sp.fill, sp.align.unwrap_or(default_align))
    };
    if len >= sp.width {
        return format!("{sign}{body}");
    }
    let n = sp.width - len;
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    match align {
        '<' => format!("{sign}{body}{}", f(n)),
        '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{}{body}", f(n)),
        _ => format!("{}{sign}{body}", f(n)),
    }
}

fn sign_str(sp: &Spec, neg: bool) -> &'static str {
    if neg {
        "-"
    } else {
        match sp.sign {
            '+' => "+",
            ' ' => " ",
            _ => "",
        }
    }
}

fn format_float(sp: &Spec, v: f64) -> Option<String> {
    let neg = v.is_sign_negative() && !v.is_nan();
    let a = v.abs();
    let ty = sp.ty;
    let body = if a.is_nan() {
        "nan".to_string()
    } else if a.is_infinite() {
        "inf".to_string()
    } else {
        let p = sp.precision;
        let cfmt = |code: char, prec: usize, x: f64| -> String {
            let alt = if sp.alt { "#" } else { "" };
            let f = format!("%{alt}.*{code}\0");
            let mut buf = vec![0u8; 512];
            // SAFETY: bounded snprintf with a format taking (int, double).
            let n = unsafe {
                libc::snprintf(
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    f.as_ptr().cast(),
                    prec as c_int,
                    x,
                )
            };
            buf.truncate((n.max(0) as usize).min(511));
            String::from_utf8_lossy(&buf).into_owned()
        };
        match ty {
            Some(c @ ('e' | 'E' | 'f' | 'F' | 'g' | 'G')) => cfmt(c, p.unwrap_or(6), a),
            Some('%') => format!("{}%", cfmt('f', p.unwrap_or(6), a * 100.0)),
            None => match p {
                None => {
                    let r = format!("{a:?}");
                    // Rust's shortest repr; Python switches to exponent notation at 1e16.
                    if a != 0.0 && !(1e-4..1e16).contains(&a) {
                        let e = format!("{a:e}");
                        let (m, ex) = e.split_once('e')?;
                        let exn: i32 = ex.parse().ok()?;
                        format!("{m}e{}{:02}", if exn < 0 { '-' } else { '+' }, exn.abs())
                    } else {
                        r
                    }
                }
                Some(p) => {
                    let g = cfmt('g', p.max(1), a);
                    if g.contains(['.', 'e', 'n', 'i']) {
                        g
                    } else {
                        format!("{g}.0")
                    }
                }
            },
            _ => return None,
        }
    };
    let body = match (sp.grouping, body.split_once('.')) {
        (Some(g), Some((int, frac))) if int.chars().all(|c| c.is_ascii_digit()) => {
            format!("{}.{frac}", group(int, g, 3))
        }
        (Some(g), None) if body.chars().all(|c| c.is_ascii_digit()) => group(&body, g, 3),
        _ => body,
    };
    let body = if ty.is_some_and(|c| c.is_ascii_uppercase()) {
        body.to_ascii_uppercase()
    } else {
        body
    };
    Some(pad(sp, sign_str(sp, neg), &body, '>'))
}

fn format_int(sp: &Spec, v: &num_bigint::BigInt) -> Option<String> {
    use num_traits::Signed;
    let neg = v.is_negative();
    let a = v.abs();
    let (digits, prefix, every) = match sp.ty {
        None | Some('d') | Some('n') => (a.to_str_radix(10), "", 3),
        Some('b') => (a.to_str_radix(2), "0b", 4),
        Some('o') => (a.to_str_radix(8), "0o", 4),
        Some('x') => (a.to_str_radix(16), "0x", 4),
        Some('X') => (a.to_str_radix(16).to_ascii_uppercase(), "0X", 4),
        Some('c') => {
            let c = char::from_u32(u32::try_from(&a).ok()?)?;
            return Some(pad(sp, "", &c.to_string(), '<'));
        }
        _ => return None,
    };
    let digits = match sp.grouping {
        Some(g) => group(&digits, g, every),
        None => digits,
    };
    let sign = format!("{}{}", sign_str(sp, neg), if sp.alt { prefix } else { "" });
    Some(pad(sp, &sign, &digits, '>'))
}

/// `PyObject_Format(obj, spec)`: `format(obj, spec)` with the format-spec mini-language for
/// int, bool, float and str; other objects format as `str(obj)` with an empty spec or through
/// their `__format__`.
///
/// # Safety
/// An object; `spec` NULL or a str.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Format(obj: *mut PyObject, spec: *mut PyObject) -> *mut PyObject {
    capi!("PyObject_Format", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, obj) }?;
        // SAFETY: as above.
        let sp = match unsafe { cx::from_c(spec) } {
            None => String::new(),
            Some(s) => match cx.str_value(s) {
                Some(v) => v.to_string(),
                None => {
                    let tn = cx::tname(cx, s);
                    return Err(cx::system_error(
                        cx,
                        &format!("Format specifier must be a string, not {tn}"),
                    ));
                }
            },
        };
        let o = cx.get(h);
        let kind = cx.kind_of(o);
        if sp.is_empty() {
            let r = crate::r#abstract::object::str_(cx, h)?;
            return Ok(new_ref_h(cx, r));
        }
        let tn = cx::tname(cx, o);
        let bad = |cx: &mut Thread, c: Option<char>| match c {
            Some(c) => cx::value_error(
                cx,
                &format!("Unknown format code '{c}' for object of type '{tn}'"),
            ),
            None => cx::value_error(cx, "Invalid format specifier"),
        };
        let Some(p) = parse_spec(&sp) else {
            return Err(cx::value_error(
                cx,
                &format!("Invalid format specifier '{sp}' for object of type '{tn}'"),
            ));
        };
        let out = match kind {
            Kind::Int | Kind::Bool => {
                let v = match cx.int_value(o) {
                    Some(pyopaque_runtime::objects::int::IntValue::Small(v)) => {
                        num_bigint::BigInt::from(v)
                    }
                    Some(pyopaque_runtime::objects::int::IntValue::Big(b)) => b,
                    None => return Err(cx::bad_internal_call(cx)),
                };
                if matches!(p.ty, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%')) {
                    use num_traits::ToPrimitive;
                    format_float(&p, v.to_f64().unwrap_or(f64::INFINITY))
                } else {
                    format_int(&p, &v)
                }
            }
            Kind::Float => {
                let v = cx.float_value_of(o)?.unwrap_or(0.0);
                format_float(&p, v)
            }
            Kind::Str => {
                if !matches!(p.ty, None | Some('s'))
                    || p.sign != '-'
                    || p.alt
                    || p.grouping.is_some()
                {
                    None
                } else {
                    let s = cx.str_value(o).unwrap_or("");
                    let s: String = match p.precision {
                        Some(n) => s.chars().take(n).collect(),
                        None => s.to_string(),
                    };
                    Some(pad(&p, "", &s, '<'))
                }
            }
            _ => {
                if let Some(m) = crate::r#abstract::object::getattr_opt(cx, h, "__format__")? {
                    let sh = cx.str(&sp);
                    let r = crate::r#abstract::call::call(cx, m, &[sh], &[])?;
                    return Ok(new_ref_h(cx, r));
                }
                return Err(cx::type_error(
                    cx,
                    &format!("unsupported format string passed to {tn}.__format__"),
                ));
            }
        };
        match out {
            Some(s) => {
                let r = cx.str(&s);
                Ok(new_ref_h(cx, r))
            }
            None => Err(bad(cx, p.ty)),
        }
    })
}
