//! Struct sequences (`PyStructSequence_*`): named tuples defined in C. A struct-sequence type is
//! a runtime subtype of `tuple` (kind `Tuple`, so length, indexing and iteration are the
//! tuple's); its field names live in a side table consulted by attribute lookup (`object.rs`).
//! Limitation: every field is in the sequence part (`n_in_sequence` must equal the number of
//! fields); CPython's hidden trailing fields would need storage beyond the tuple.

use std::ffi::{c_char, c_int, CStr};
use std::sync::Mutex;

use pyopaque_runtime::header::header_of;
use pyopaque_runtime::objects::tuple::{tuple_item, tuple_len, tuple_slot_write};
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Thread, TypeObject};

use crate::boundary::cx::{self, arg, borrowed, new_ref_h};
use crate::boundary::ffi::{PyObject, PyTypeObject, Py_ssize_t};
use crate::capi;

/// `PyStructSequence_Field`.
#[repr(C)]
pub struct Field {
    name: *const c_char,
    doc: *const c_char,
}

/// `PyStructSequence_Desc`.
#[repr(C)]
pub struct Desc {
    name: *const c_char,
    doc: *const c_char,
    fields: *mut Field,
    n_in_sequence: c_int,
}

/// A `const char *` that may live in a static.
#[repr(transparent)]
pub struct CStrPtr(*const c_char);
// SAFETY: points at a static, immutable C string literal.
unsafe impl Sync for CStrPtr {}

/// `PyStructSequence_UnnamedField`: the name marking a field without an attribute.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static PyStructSequence_UnnamedField: CStrPtr = CStrPtr(c"unnamed field".as_ptr());

/// (type address, field names; None for unnamed fields). Types are external: never move.
static TYPES: Mutex<Vec<(usize, Vec<Option<String>>)>> = Mutex::new(Vec::new());

fn fields_of(t: ObjRef) -> Option<Vec<Option<String>>> {
    let a = t.as_ptr() as usize;
    TYPES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|e| e.0 == a)
        .map(|e| e.1.clone())
}

/// Attribute lookup hook: the field `name` of a struct-sequence instance, if it is one.
pub fn field(cx: &mut Thread, o: ObjRef, name: &str) -> Option<Handle> {
    if o.is_tagged() || cx.kind_of(o) != Kind::Tuple {
        return None;
    }
    let t = cx.type_of(o);
    if t == cx.rt.types.tuple {
        return None;
    }
    let f = fields_of(t)?;
    let i = f.iter().position(|n| n.as_deref() == Some(name))?;
    let v = tuple_item(o, i).unwrap_or(cx.rt.none);
    Some(cx.root(v))
}

/// `PyStructSequence_NewType`: a tuple subtype with named fields.
///
/// # Safety
/// `desc` a valid description with a NULL-name-terminated field array.
#[no_mangle]
pub unsafe extern "C" fn PyStructSequence_NewType(desc: *mut Desc) -> *mut PyTypeObject {
    capi!("PyStructSequence_NewType", |cx| {
        if desc.is_null() {
            return Err(cx::bad_internal_call(cx));
        }
        // SAFETY: caller's contract.
        let d = unsafe { &*desc };
        // SAFETY: as above.
        let full = unsafe { cx::cstr(cx, d.name) }?.to_string();
        let mut names = Vec::new();
        let mut f = d.fields;
        loop {
            // SAFETY: NULL-name-terminated array.
            let fd = unsafe { &*f };
            if fd.name.is_null() {
                break;
            }
            // SAFETY: C strings.
            let n = unsafe { CStr::from_ptr(fd.name) };
            // SAFETY: a static C string.
            let unnamed = unsafe { CStr::from_ptr(PyStructSequence_UnnamedField.0) };
            names.push(if n == unnamed {
                None
            } else {
                Some(n.to_string_lossy().into_owned())
            });
            // SAFETY: not at the terminator.
            f = unsafe { f.add(1) };
        }
        if d.n_in_sequence < 0 || d.n_in_sequence as usize != names.len() {
            return Err(cx::not_implemented(
                cx,
                "pyopaque: struct sequences with hidden fields (n_in_sequence < number of fields) are not supported",
            ));
        }
        let (module, short) = match full.rsplit_once('.') {
            Some((m, s)) => (Some(m.to_string()), s.to_string()),
            None => (None, full.clone()),
        };
        let tuple = cx.rt.types.tuple;
        let t = cx.rt.new_type(TypeObject::new(
            &short,
            Some(tuple),
            Kind::Tuple,
            0,
            1 << 26,
        ));
        TYPES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((t.as_ptr() as usize, names));
        crate::types::type_namespace::on_new_type(cx, t)?;
        let th = cx.root(t);
        if let Some(m) = module {
            let mh = cx.str(&m);
            let mo = cx.get(mh);
            let tt = cx.get(th);
            crate::types::typeobject::set_type_attr(cx, tt, "__module__", mo);
        }
        let n = cx.int(d.n_in_sequence as i64);
        let no = cx.get(n);
        let tt = cx.get(th);
        crate::types::typeobject::set_type_attr(cx, tt, "n_sequence_fields", no);
        Ok(new_ref_h(cx, th))
    })
}

/// `repr()` of a struct-sequence instance, as CPython's `structseq_repr`:
/// `module.name(field=repr, ...)`; `None` when `h` is not one.
pub fn repr(cx: &mut Thread, h: Handle) -> Option<PyResult<String>> {
    let o = cx.get(h);
    if o.is_tagged() || cx.kind_of(o) != Kind::Tuple {
        return None;
    }
    let t = cx.type_of(o);
    let names = fields_of(t)?;
    let short = pyopaque_runtime::binding::type_payload(t)
        .short_name()
        .to_string();
    let module = crate::r#abstract::object::getattr_opt(cx, h, "__module__")
        .ok()
        .flatten()
        .and_then(|m| cx.str_value(cx.get(m)).map(str::to_string));
    let mut out = match module {
        Some(m) if m != "builtins" => format!("{m}.{short}("),
        _ => format!("{short}("),
    };
    for (i, n) in names.iter().enumerate() {
        let Some(item) = tuple_item(cx.get(h), i) else {
            continue;
        };
        let ih = cx.root(item);
        let r = match crate::r#abstract::object::repr(cx, ih) {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!(
            "{}={}",
            n.as_deref().unwrap_or("unnamed"),
            cx.str_value(cx.get(r)).unwrap_or("")
        ));
    }
    out.push(')');
    Some(Ok(out))
}

/// Struct-sequence types the runtime itself defines (`sys.float_info`, ...), by full name.
/// Types are external: their addresses never change.
static BUILTIN: Mutex<Vec<(&'static str, usize)>> = Mutex::new(Vec::new());

/// A new instance of the runtime's struct-sequence type `full_name` (module-qualified, e.g.
/// `sys.float_info`) with fields `names` holding `items`, creating the type on first use as
/// `PyStructSequence_NewType` does for C: a `tuple` subtype whose fields are also attributes.
pub fn builtin_instance(
    cx: &mut Thread,
    full_name: &'static str,
    names: &[&str],
    items: &[Handle],
) -> Handle {
    debug_assert_eq!(names.len(), items.len());
    let known = BUILTIN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|e| e.0 == full_name)
        .map(|e| e.1);
    let t = match known {
        // SAFETY: the address of a live external type object registered below.
        Some(a) => unsafe { ObjRef::from_raw(a as *mut u8) }.expect("a type"),
        None => {
            let (module, short) = full_name.rsplit_once('.').unwrap_or(("", full_name));
            let tuple = cx.rt.types.tuple;
            let t = cx
                .rt
                .new_type(TypeObject::new(short, Some(tuple), Kind::Tuple, 0, 1 << 26));
            TYPES.lock().unwrap_or_else(|e| e.into_inner()).push((
                t.as_ptr() as usize,
                names.iter().map(|n| Some(n.to_string())).collect(),
            ));
            // Making the mirror (a dict of str keys) fails only when memory does.
            let _ = crate::types::type_namespace::on_new_type(cx, t);
            let th = cx.root(t);
            if !module.is_empty() {
                let mh = cx.str(module);
                let (mo, tt) = (cx.get(mh), cx.get(th));
                crate::types::typeobject::set_type_attr(cx, tt, "__module__", mo);
            }
            let n = cx.int(names.len() as i64);
            let (no, tt) = (cx.get(n), cx.get(th));
            crate::types::typeobject::set_type_attr(cx, tt, "n_sequence_fields", no);
            BUILTIN
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((full_name, t.as_ptr() as usize));
            t
        }
    };
    let h = cx.tuple(items);
    header_of(cx.get(h)).set_ty(t);
    h
}

fn structseq_type(cx: &mut Thread, t: ObjRef) -> PyResult<usize> {
    match fields_of(t) {
        Some(f) => Ok(f.len()),
        None => Err(cx::bad_internal_call(cx)),
    }
}

/// `PyStructSequence_New`: an instance with every field None (CPython leaves them NULL).
///
/// # Safety
/// A struct-sequence type.
#[no_mangle]
pub unsafe extern "C" fn PyStructSequence_New(ty: *mut PyTypeObject) -> *mut PyObject {
    capi!("PyStructSequence_New", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty) }?;
        let n = structseq_type(cx, t)?;
        let th = cx.root(t);
        let none = cx.root(cx.rt.none);
        let items = vec![none; n];
        let h = cx.tuple(&items);
        let o = cx.get(h);
        header_of(o).set_ty(cx.get(th));
        Ok(new_ref_h(cx, h))
    })
}

fn instance(cx: &mut Thread, p: *mut PyObject) -> PyResult<ObjRef> {
    // SAFETY: the C API contract.
    let o = unsafe { arg(cx, p) }?;
    if o.is_tagged() || cx.kind_of(o) != Kind::Tuple || fields_of(cx.type_of(o)).is_none() {
        return Err(cx::bad_internal_call(cx));
    }
    Ok(o)
}

/// `PyStructSequence_SetItem`: steals `v` (fatal for a bad position, as CPython only asserts).
///
/// # Safety
/// A struct sequence; `v` a new reference.
#[no_mangle]
pub unsafe extern "C" fn PyStructSequence_SetItem(
    p: *mut PyObject,
    pos: Py_ssize_t,
    v: *mut PyObject,
) {
    let r = capi!("PyStructSequence_SetItem", |cx| {
        // SAFETY: caller's contract: a new reference, stolen.
        let vo = unsafe { cx::from_c(v) };
        let vh = vo.map(|o| {
            let h = cx.root(o);
            cx::release_c_ref(cx, o, "PyStructSequence_SetItem");
            h
        });
        let o = instance(cx, p)?;
        if pos < 0 || pos as usize >= tuple_len(o) {
            return Err(cx::index_error(cx, "struct sequence index out of range"));
        }
        let new = vh.map(|h| cx.get(h));
        if let Some(n) = new {
            pyopaque_runtime::refcount::incref(cx, n);
        }
        let o = instance(cx, p)?;
        let old = tuple_item(o, pos as usize);
        tuple_slot_write(o, pos as usize, new);
        if let Some(old) = old {
            pyopaque_runtime::refcount::decref(cx, old);
        }
        Ok(0 as c_int)
    });
    if r < 0 {
        // CPython has no error return here; keep the exception for the caller to see.
    }
}

/// `PyStructSequence_GetItem`: borrowed (pinned until the native call returns).
///
/// # Safety
/// A struct sequence.
#[no_mangle]
pub unsafe extern "C" fn PyStructSequence_GetItem(
    p: *mut PyObject,
    pos: Py_ssize_t,
) -> *mut PyObject {
    capi!("PyStructSequence_GetItem", |cx| {
        let o = instance(cx, p)?;
        if pos < 0 || pos as usize >= tuple_len(o) {
            return Err(cx::index_error(cx, "struct sequence index out of range"));
        }
        let v = tuple_item(o, pos as usize).unwrap_or(cx.rt.none);
        Ok(borrowed(cx, v))
    })
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyStructSequence_NewType", Rule::Cost("a runtime tuple subtype with field names in a side table; descriptions with hidden fields (n_in_sequence below the field count) are refused with NotImplementedError")),
        ("PyStructSequence_New", Rule::Cost("fields start as None rather than NULL (runtime tuples hold no NULL)")),
        ("PyStructSequence_SetItem", Rule::Works),
        ("PyStructSequence_GetItem", Rule::Cost("pinning: the borrowed result is pinned until the native call returns")),
        ("PyStructSequence_UnnamedField", Rule::Works),
    ]
};
