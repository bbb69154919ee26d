//! Work package "f", everything but errors: `PyObject_Dir`, `PyType_Freeze`, `PyABIInfo_Check`,
//! `_PyObject_GC_Resize`, and the legacy ABI-only Unicode functions
//! (`PyUnicode_AsDecodedObject`, `PyUnicode_AsDecodedUnicode`, `PyUnicode_AsEncodedObject`,
//! `PyUnicode_AsEncodedUnicode`, `PyUnicode_GetSize`, `PyUnicode_InternImmortal`), which behave
//! as in CPython 3.11 (the reference the test extensions run against): the first four warn with
//! DeprecationWarning, then run the codec.

use std::ffi::{c_char, c_int};

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::types::tpflags;
use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Thread};

use crate::boundary::cx::{self, arg, bad_internal_call, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;
use crate::types::shim_types::{payload, ModulePayload};

// ----- PyObject_Dir -----

/// Attribute names the runtime stores for `o`: its module or instance dict, then the attributes
/// of its type and of every base (or, for a type, of itself and its bases).
fn stored_names(cx: &mut Thread, h: Handle) -> Vec<String> {
    let o = cx.get(h);
    let mut names: Vec<String> = Vec::new();
    let dict_keys = |cx: &mut Thread, d: ObjRef, names: &mut Vec<String>| {
        let mut pos = 0;
        while let Some((k, _)) = cx.dict_next(d, &mut pos) {
            if let Some(s) = cx.str_value(k) {
                names.push(s.to_string());
            }
        }
    };
    if cx.type_of(o) == cx::global().types.module {
        // SAFETY: a module payload (type checked).
        if let Some(d) = unsafe { payload::<ModulePayload>(o) }.dict {
            dict_keys(cx, d, &mut names);
        }
        return names;
    }
    if cx.kind_of(o) == Kind::Exception {
        if let Some(d) = pyopaque_runtime::capi_support::exception_dict(o) {
            dict_keys(cx, d, &mut names);
        }
        names.push("args".into());
    }
    let mut t = Some(if cx.kind_of(o) == Kind::Type {
        o
    } else {
        cx.type_of(o)
    });
    while let Some(x) = t {
        let p = type_payload(x);
        names.extend(p.attrs.lock().iter().map(|(n, _)| n.clone()));
        t = p.base;
    }
    names.push("__class__".into());
    names
}

/// `PyObject_Dir(o)`: the sorted attribute names of `o`, from its type's `__dir__` when it has
/// one, else the names the runtime stores (see [`stored_names`]). With NULL, CPython lists the
/// locals of the current Python frame and returns NULL *without* an exception when no frame is
/// running; pyopaque runs no Python frames, so NULL always takes that documented no-frame path.
///
/// # Safety
/// NULL or an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyObject_Dir(o: *mut PyObject) -> *mut PyObject {
    capi!("PyObject_Dir", |cx| {
        // SAFETY: caller's contract.
        let Some(ob) = (unsafe { cx::from_c(o) }) else {
            return Ok(std::ptr::null_mut());
        };
        let h = cx.root(ob);
        let ty = cx.type_of(ob);
        let custom = cx.kind_of(ob) != Kind::Type
            && crate::types::typeobject::lookup_type_attr(ty, "__dir__").is_some();
        let l = if custom {
            let f = crate::r#abstract::object::getattr(cx, h, "__dir__")?;
            let r = crate::r#abstract::call::call(cx, f, &[], &[])?;
            let l = cx.list();
            crate::objects::list::extend(cx, l, r)?;
            cx.list_sort(l, None, false)?;
            l
        } else {
            let mut names = stored_names(cx, h);
            names.sort();
            names.dedup();
            let l = cx.list();
            for n in &names {
                let s = cx.str(n);
                cx.list_append(l, s)?;
            }
            l
        };
        Ok(new_ref_h(cx, l))
    })
}

// ----- PyType_Freeze -----

/// `PyType_Freeze(type)`: sets `Py_TPFLAGS_IMMUTABLETYPE` (setting or deleting an attribute of
/// the type then raises TypeError). Every base must already be immutable (TypeError otherwise).
///
/// # Safety
/// A type C holds.
#[no_mangle]
pub unsafe extern "C" fn PyType_Freeze(ty: *mut PyTypeObject) -> c_int {
    capi!("PyType_Freeze", |cx| {
        // SAFETY: caller's contract.
        let t = unsafe { arg(cx, ty.cast()) }?;
        if cx.kind_of(t) != Kind::Type {
            return Err(bad_internal_call(cx));
        }
        let mut b = type_payload(t).base;
        while let Some(x) = b {
            let p = type_payload(x);
            if p.flags() & tpflags::IMMUTABLETYPE == 0 {
                let msg = format!(
                    "PyType_Freeze: base class '{}' of '{}' is not immutable",
                    p.name,
                    type_payload(t).name
                );
                return Err(type_error(cx, &msg));
            }
            b = p.base;
        }
        type_payload(t).add_flags(tpflags::IMMUTABLETYPE);
        Ok(0)
    })
}

// ----- PyABIInfo_Check -----

/// `PyABIInfo` (modsupport.h).
#[repr(C)]
pub struct PyABIInfo {
    /// Version of this struct: 0 skips every check, 1 is the only version defined.
    pub abiinfo_major_version: u8,
    /// Minor version of this struct (0).
    pub abiinfo_minor_version: u8,
    /// `PyABIInfo_STABLE`, `PyABIInfo_INTERNAL`, `PyABIInfo_GIL`, `PyABIInfo_FREETHREADED`.
    pub flags: u16,
    /// `PY_VERSION_HEX` of the headers used (0: unchecked).
    pub build_version: u32,
    /// The ABI version (`Py_LIMITED_API` or `PY_VERSION_HEX`; 0: unchecked).
    pub abi_version: u32,
}

const ABI_STABLE: u16 = 0x1;
const ABI_INTERNAL: u16 = 0x8;

/// Why `info` does not describe an ABI this runtime runs, if it does not.
fn abi_mismatch(info: &PyABIInfo) -> Option<String> {
    let ours = crate::misc::Py_Version as u32; // `unsigned long`; the value fits 32 bits
    let xy = |v: u32| v & 0xffff_0000;
    let ver = |v: u32| format!("{}.{}", v >> 24, (v >> 16) & 0xff);
    match info.abiinfo_major_version {
        0 => return None,
        1 => {}
        _ => return Some("PyABIInfo version too high".into()),
    }
    let v = info.abi_version;
    if info.flags & ABI_INTERNAL != 0 && v != 0 && v != ours {
        return Some(format!("incompatible internal ABI (0x{v:x} != 0x{ours:x})"));
    }
    if info.flags & ABI_STABLE != 0 {
        if info.flags & ABI_INTERNAL != 0 {
            return Some("cannot use both internal and stable ABI".into());
        }
        if v != 0 && xy(v) > xy(ours) {
            return Some(format!(
                "incompatible future stable ABI version ({})",
                ver(v)
            ));
        }
        if v != 0 && v < 0x0302_0000 {
            return Some(format!("invalid stable ABI version ({})", ver(v)));
        }
    } else if v != 0 && xy(v) != xy(ours) {
        return Some(format!("incompatible ABI version ({})", ver(v)));
    }
    // The GIL / free-threading flags: the opaque object ABI is the same for both builds (no
    // reference count or type field is compiled into extensions), so either is accepted.
    None
}

/// Raises ImportError (`"<module>: <reason>"`) unless `info` (NULL: an error too) describes an
/// ABI this runtime runs.
///
/// # Safety
/// `info` NULL or a valid `PyABIInfo`.
pub unsafe fn check_abi(
    cx: &mut Thread,
    info: *const PyABIInfo,
    module_name: Option<&str>,
) -> PyResult<()> {
    let why = if info.is_null() {
        Some("NULL PyABIInfo".to_string())
    } else {
        // SAFETY: caller's contract.
        abi_mismatch(unsafe { &*info })
    };
    let Some(why) = why else { return Ok(()) };
    let msg = match module_name {
        Some(m) => format!("{m}: {why}"),
        None => why,
    };
    let t = cx.rt.types.exc.import_error;
    Err(cx.raise(t, &msg))
}

/// `PyABIInfo_Check(info, module_name)`: 0 when `info` describes an ABI this runtime runs, else
/// ImportError and -1 (see [`check_abi`]).
///
/// # Safety
/// `info` NULL or a valid `PyABIInfo`; `module_name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyABIInfo_Check(
    info: *const PyABIInfo,
    module_name: *const c_char,
) -> c_int {
    capi!("PyABIInfo_Check", |cx| {
        // SAFETY: caller's contract.
        let m = (!module_name.is_null()).then(|| unsafe { cx::cstr_lossy(module_name) });
        // SAFETY: caller's contract.
        unsafe { check_abi(cx, info, m.as_deref()) }?;
        Ok(0)
    })
}

// ----- _PyObject_GC_Resize -----

/// `_PyObject_GC_Resize(op, nitems)` (`PyObject_GC_Resize`): resizes a variable-size instance
/// of a C type to `nitems` items and returns the object's (new) address, which C must use from
/// then on, as CPython documents (its `realloc` may move the object too). Instances never grow
/// in place here: a new pinned instance of the same type is allocated, the struct and the items
/// that fit are copied, C's reference moves to the new object, and the old cell is retyped as a
/// plain `object` (its `tp_dealloc` must not run on fields that now belong to the new object)
/// and left to the collector. MemoryError for a negative or overflowing size.
///
/// # Safety
/// `op` a variable-size instance of a C type that C holds (and no other reference uses, as in
/// CPython).
#[no_mangle]
pub unsafe extern "C" fn _PyObject_GC_Resize(
    op: *mut PyVarObject,
    nitems: Py_ssize_t,
) -> *mut PyVarObject {
    capi!("_PyObject_GC_Resize", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, op.cast()) }?;
        let ty = cx.type_of(o);
        let Some((_, c)) = crate::types::typeobject::c_base(ty).filter(|(_, c)| c.itemsize > 0)
        else {
            return Err(bad_internal_call(cx));
        };
        let base = type_payload(ty).basicsize.max(c.basicsize);
        let new_size = usize::try_from(nitems)
            .ok()
            .and_then(|n| n.checked_mul(c.itemsize))
            .and_then(|n| n.checked_add(base))
            .filter(|n| *n <= isize::MAX as usize / 2);
        let Some(new_size) = new_size else {
            let t = cx.rt.types.exc.memory_error;
            return Err(cx.raise(t, ""));
        };
        let old_n = crate::boundary::pinning::var_size(o).unwrap_or(0).max(0) as usize;
        let old_size = base + old_n * c.itemsize;
        let oh = cx.root(o);
        let nh = crate::types::typeobject::alloc_instance(cx, ty, nitems as usize)?;
        let (o, n) = (cx.get(oh), cx.get(nh));
        // SAFETY: both payloads are live C-layout instances of at least the copied size (the old
        // one `old_size` bytes, the new one `new_size`); distinct allocations.
        unsafe {
            std::ptr::copy_nonoverlapping(o.as_ptr(), n.as_ptr(), old_size.min(new_size));
        }
        crate::boundary::pinning::forget(o);
        header_of(o).set_ty(cx.rt.types.object);
        let p = cx::new_ref(cx, n);
        cx::release_c_ref(cx, cx.get(oh), "_PyObject_GC_Resize");
        Ok(p.cast())
    })
}

// ----- legacy Unicode functions -----

fn deprecated(cx: &mut Thread, msg: &str) -> PyResult<()> {
    let t = cx::global().types.exc_named("DeprecationWarning");
    crate::python::errors::warn(cx, Some(t), msg).map(|_| ())
}

/// A str argument (TypeError "bad argument type for built-in operation" otherwise).
fn str_arg(cx: &mut Thread, p: *mut PyObject) -> PyResult<Handle> {
    // SAFETY: caller's contract (an object C holds or NULL).
    let h = unsafe { harg(cx, p) }?;
    if cx.kind_of(cx.get(h)) != Kind::Str {
        return Err(type_error(cx, "bad argument type for built-in operation"));
    }
    Ok(h)
}

/// `(encoding or "utf-8", errors)` from C strings.
unsafe fn codec_names(
    cx: &mut Thread,
    encoding: *const c_char,
    errors: *const c_char,
) -> PyResult<(String, Option<String>)> {
    let e = if encoding.is_null() {
        "utf-8".to_string()
    } else {
        // SAFETY: caller's contract.
        unsafe { cx::cstr(cx, encoding) }?.to_string()
    };
    let er = if errors.is_null() {
        None
    } else {
        // SAFETY: caller's contract.
        Some(unsafe { cx::cstr(cx, errors) }?.to_string())
    };
    Ok((e, er))
}

#[derive(Clone, Copy)]
enum Legacy {
    DecodedObject,
    DecodedUnicode,
    EncodedObject,
    EncodedUnicode,
}

unsafe fn legacy_codec(
    cx: &mut Thread,
    which: Legacy,
    unicode: *mut PyObject,
    encoding: *const c_char,
    errors: *const c_char,
) -> PyResult<*mut PyObject> {
    let s = str_arg(cx, unicode)?;
    let warning = match which {
        Legacy::DecodedObject => {
            "PyUnicode_AsDecodedObject() is deprecated; use PyCodec_Decode() to decode from str"
        }
        Legacy::DecodedUnicode => {
            "PyUnicode_AsDecodedUnicode() is deprecated; use PyCodec_Decode() to decode from str to str"
        }
        Legacy::EncodedObject => {
            "PyUnicode_AsEncodedObject() is deprecated; use PyUnicode_AsEncodedString() to encode from str to bytes or PyCodec_Encode() for generic encoding"
        }
        Legacy::EncodedUnicode => {
            "PyUnicode_AsEncodedUnicode() is deprecated; use PyCodec_Encode() to encode from str to str"
        }
    };
    deprecated(cx, warning)?;
    // SAFETY: caller's contract.
    let (enc, er) = unsafe { codec_names(cx, encoding, errors) }?;
    let r = match which {
        Legacy::DecodedObject | Legacy::DecodedUnicode => {
            crate::python::codecs::decode_obj(cx, s, &enc, er.as_deref())?
        }
        Legacy::EncodedObject | Legacy::EncodedUnicode => {
            crate::python::codecs::encode_obj(cx, s, &enc, er.as_deref())?
        }
    };
    let ro = cx.get(r);
    let wants_str = matches!(which, Legacy::DecodedUnicode | Legacy::EncodedUnicode);
    if wants_str && cx.kind_of(ro) != Kind::Str {
        let (what, func) = match which {
            Legacy::DecodedUnicode => ("decoder", "codecs.decode() to decode"),
            _ => ("encoder", "codecs.encode() to encode"),
        };
        let msg = format!(
            "'{enc}' {what} returned '{}' instead of 'str'; use {func} to arbitrary types",
            tname(cx, ro)
        );
        return Err(type_error(cx, &msg));
    }
    Ok(new_ref_h(cx, r))
}

macro_rules! legacy_fns {
    ($($name:ident, $lit:literal, $which:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        ///
        /// # Safety
        /// `unicode` an object C holds; `encoding`, `errors` NULL or C strings.
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            unicode: *mut PyObject,
            encoding: *const c_char,
            errors: *const c_char,
        ) -> *mut PyObject {
            // SAFETY: forwarded contract.
            capi!($lit, |cx| unsafe { legacy_codec(cx, $which, unicode, encoding, errors) })
        }
    )*};
}

legacy_fns! {
    PyUnicode_AsDecodedObject, "PyUnicode_AsDecodedObject", Legacy::DecodedObject,
        "`PyUnicode_AsDecodedObject` (legacy): DeprecationWarning, then `PyCodec_Decode` of the str (default encoding utf-8).";
    PyUnicode_AsDecodedUnicode, "PyUnicode_AsDecodedUnicode", Legacy::DecodedUnicode,
        "`PyUnicode_AsDecodedUnicode` (legacy): as `PyUnicode_AsDecodedObject`; TypeError unless the codec returns a str.";
    PyUnicode_AsEncodedObject, "PyUnicode_AsEncodedObject", Legacy::EncodedObject,
        "`PyUnicode_AsEncodedObject` (legacy): DeprecationWarning, then `PyCodec_Encode` of the str (default encoding utf-8).";
    PyUnicode_AsEncodedUnicode, "PyUnicode_AsEncodedUnicode", Legacy::EncodedUnicode,
        "`PyUnicode_AsEncodedUnicode` (legacy): as `PyUnicode_AsEncodedObject`; TypeError unless the codec returns a str.";
}

/// `PyUnicode_GetSize` (legacy): the length of the string's `Py_UNICODE` (`wchar_t`)
/// representation, which is the number of code points where `wchar_t` is 4 bytes (Linux, the
/// platforms this runtime targets), as in CPython 3.11; TypeError for a non-str.
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_GetSize(unicode: *mut PyObject) -> Py_ssize_t {
    capi!("PyUnicode_GetSize", |cx| {
        let s = str_arg(cx, unicode)?;
        Ok(cx.str_len(cx.get(s)) as Py_ssize_t)
    })
}

/// `PyUnicode_InternImmortal(p)` (legacy): DeprecationWarning (reported as unraisable when it
/// fails: the function cannot return an error), then `PyUnicode_InternInPlace` (no interning
/// table: the string is kept), then one C-held reference that is never released, so the string
/// lives (pinned) for the rest of the process, as CPython 3.11 leaks one reference. A NULL `p`,
/// NULL `*p` or non-str is left alone.
///
/// # Safety
/// `p` NULL or a pointer to NULL or to an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyUnicode_InternImmortal(p: *mut *mut PyObject) {
    capi!("PyUnicode_InternImmortal", |cx| {
        if deprecated(
            cx,
            "PyUnicode_InternImmortal() is deprecated; use PyUnicode_InternInPlace() instead",
        )
        .is_err()
        {
            if let Some(e) = cx.take_error() {
                let d = cx.describe_exception(e);
                eprintln!("Exception ignored in PyUnicode_InternImmortal: {d}");
            }
        }
        if p.is_null() {
            return Ok(());
        }
        // SAFETY: caller's contract.
        let Some(o) = (unsafe { cx::from_c(*p) }) else {
            return Ok(());
        };
        if cx.kind_of(o) == Kind::Str {
            let _leaked = cx::new_ref(cx, o);
        }
        Ok(())
    })
}
