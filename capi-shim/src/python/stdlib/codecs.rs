//! A native `codecs` module: `decode(obj, encoding="utf-8", errors="strict")` and
//! `encode(...)` over the shim's codec machinery (`python/codecs.rs`: the built-in text codecs
//! and registered search functions), plus the bytes-to-bytes `hex` codec (`hex`, `hex_codec`:
//! CPython's `encodings.hex_codec`, i.e. `binascii.a2b_hex`/`b2a_hex`; a malformed input is a
//! ValueError, CPython's `binascii.Error` being a ValueError subclass).

use std::sync::atomic::AtomicUsize;

use pyopaque_runtime::{Handle, PyResult, Thread};

use super::{fast_kw, fastcall_kw, Defs, END};
use crate::boundary::cx::{self, type_error, value_error};

/// The module (a C-held reference: pinned), 0 before first use.
static MODULE: AtomicUsize = AtomicUsize::new(0);

/// `(obj, encoding, errors)` of `decode`/`encode`.
fn parse(
    cx: &mut Thread,
    name: &str,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
) -> PyResult<(Handle, String, Option<String>)> {
    let mut slots: [Option<Handle>; 3] = [None; 3];
    if pos.len() > 3 {
        return Err(type_error(
            cx,
            &format!("{name}() takes at most 3 arguments ({} given)", pos.len()),
        ));
    }
    for (i, &p) in pos.iter().enumerate() {
        slots[i] = Some(p);
    }
    for &(k, v) in kw {
        let kn = cx.str_value(cx.get(k)).unwrap_or("").to_string();
        let i = match kn.as_str() {
            "obj" => 0,
            "encoding" => 1,
            "errors" => 2,
            _ => {
                return Err(type_error(
                    cx,
                    &format!("{name}() got an unexpected keyword argument '{kn}'"),
                ))
            }
        };
        slots[i] = Some(v);
    }
    let Some(obj) = slots[0] else {
        return Err(type_error(
            cx,
            &format!("{name}() missing required argument 'obj' (pos 1)"),
        ));
    };
    let mut text = |i: usize, what: &str| -> PyResult<Option<String>> {
        let Some(h) = slots[i] else { return Ok(None) };
        let o = cx.get(h);
        match cx.str_value(o) {
            Some(s) => Ok(Some(s.to_string())),
            None => {
                let tn = cx::tname(cx, o);
                Err(type_error(
                    cx,
                    &format!("{name}() argument '{what}' must be str, not {tn}"),
                ))
            }
        }
    };
    let enc = text(1, "encoding")?.unwrap_or_else(|| "utf-8".to_string());
    let errors = text(2, "errors")?;
    Ok((obj, enc, errors))
}

fn is_hex(enc: &str) -> bool {
    matches!(
        enc.trim().to_ascii_lowercase().replace('-', "_").as_str(),
        "hex" | "hex_codec"
    )
}

/// The bytes of a bytes-like object (TypeError otherwise).
fn bytes_arg(cx: &mut Thread, h: Handle) -> PyResult<Vec<u8>> {
    let o = cx.get(h);
    if let Some(b) = cx.bytes_value(o) {
        return Ok(b.to_vec());
    }
    if let Some(b) = crate::objects::bytearray::bytes_of(o) {
        return Ok(b);
    }
    let tn = cx::tname(cx, o);
    Err(type_error(
        cx,
        &format!("a bytes-like object is required, not '{tn}'"),
    ))
}

fn hexval(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn decode(
    cx: &mut Thread,
    _: Option<Handle>,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
) -> PyResult<Handle> {
    let (obj, enc, errors) = parse(cx, "decode", pos, kw)?;
    if is_hex(&enc) {
        let o = cx.get(obj);
        let b = match cx.str_value(o) {
            Some(s) if s.is_ascii() => s.as_bytes().to_vec(),
            _ => bytes_arg(cx, obj)?,
        };
        if !b.len().is_multiple_of(2) {
            return Err(value_error(cx, "Odd-length string"));
        }
        let mut out = Vec::with_capacity(b.len() / 2);
        for pair in b.chunks(2) {
            match (hexval(pair[0]), hexval(pair[1])) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(value_error(cx, "Non-hexadecimal digit found")),
            }
        }
        return Ok(cx.bytes(&out));
    }
    crate::python::codecs::decode_obj(cx, obj, &enc, errors.as_deref())
}
fastcall_kw!(c_decode, "decode", decode);

fn encode(
    cx: &mut Thread,
    _: Option<Handle>,
    pos: &[Handle],
    kw: &[(Handle, Handle)],
) -> PyResult<Handle> {
    let (obj, enc, errors) = parse(cx, "encode", pos, kw)?;
    if is_hex(&enc) {
        let b = bytes_arg(cx, obj)?;
        let s: String = b.iter().map(|x| format!("{x:02x}")).collect();
        return Ok(cx.bytes(s.as_bytes()));
    }
    crate::python::codecs::encode_obj(cx, obj, &enc, errors.as_deref())
}
fastcall_kw!(c_encode, "encode", encode);

static DEFS: Defs<3> = Defs([
    fast_kw(c"decode", c_decode),
    fast_kw(c"encode", c_encode),
    END,
]);

/// The `codecs` module (created on first use, then kept for the process).
pub fn module(cx: &mut Thread) -> PyResult<Handle> {
    if let Some(m) = super::cached(cx, &MODULE) {
        return Ok(m);
    }
    let m = super::new_module(cx, "codecs", &DEFS.0)?;
    super::keep(cx, &MODULE, m);
    Ok(m)
}
