//! The legacy ABI-only str functions (`PyUnicode_AsDecodedObject`, `PyUnicode_GetSize`,
//! `PyUnicode_InternImmortal`, ...): deprecated in CPython, kept for old binaries.

use crate::boundary::cx;
use crate::boundary::cx::harg;
use crate::boundary::cx::new_ref_h;
use crate::boundary::cx::tname;
use crate::boundary::cx::type_error;
use crate::boundary::ffi::*;
use crate::capi;
use crate::types::shim_types::shim_types;
use pyopaque_runtime::Handle;
use pyopaque_runtime::Kind;
use pyopaque_runtime::PyResult;
use pyopaque_runtime::Thread;
use std::ffi::c_char;

// ----- legacy Unicode functions -----

fn deprecated(cx: &mut Thread, msg: &str) -> PyResult<()> {
    let t = shim_types().exc_named("DeprecationWarning");
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

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyUnicode_AsDecodedObject", Rule::Works),
        ("PyUnicode_AsDecodedUnicode", Rule::Works),
        ("PyUnicode_AsEncodedObject", Rule::Works),
        ("PyUnicode_AsEncodedUnicode", Rule::Works),
        ("PyUnicode_GetSize", Rule::Works),
        ("PyUnicode_InternImmortal", Rule::Cost("pinning: no interning table; the string is kept alive and pinned for the process by one C-held reference that is never released")),
    ]
};
