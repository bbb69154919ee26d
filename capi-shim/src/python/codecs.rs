//! Codecs: the built-in codecs (`utf-8`, `ascii`, `latin-1`, `utf-16*`, `utf-32*`,
//! `unicode-escape`, `raw-unicode-escape`) written in Rust, a registry of search functions and
//! error handlers registered from C (`PyCodec_*`), and the error handlers `strict`, `ignore`,
//! `replace`, `backslashreplace`, `xmlcharrefreplace`, `namereplace` (character names from the
//! `unicode_names2` crate).
//!
//! Strings are stored as UTF-8, so they never hold lone surrogates: `surrogateescape` and
//! `surrogatepass` cannot produce their results and behave like `strict`.

use std::ffi::{c_char, c_int};
use std::sync::{Mutex, OnceLock};

use pyopaque_runtime::{Handle, Kind, ObjRef, PyResult, Raised, Thread};

use crate::boundary::cx::{self, arg, harg, new_ref_h, tname, type_error};
use crate::boundary::ffi::*;
use crate::capi;
use crate::objects::exceptions::{args_of, new_decode_error, new_encode_error};
use crate::types::shim_types::shim_types;

// ----- names -----

/// The canonical name of a built-in codec, or None.
pub fn builtin_name(enc: &str) -> Option<&'static str> {
    let n = enc.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    Some(match n.as_str() {
        "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => "utf-8",
        "ascii" | "us-ascii" | "646" | "us" => "ascii",
        "latin-1" | "latin1" | "latin" | "l1" | "iso-8859-1" | "iso8859-1" | "8859" | "cp819"
        | "iso-ir-100" => "latin-1",
        "utf-16" | "utf16" | "u16" => "utf-16",
        "utf-16-le" | "utf-16le" => "utf-16-le",
        "utf-16-be" | "utf-16be" => "utf-16-be",
        "utf-32" | "utf32" | "u32" => "utf-32",
        "utf-32-le" | "utf-32le" => "utf-32-le",
        "utf-32-be" | "utf-32be" => "utf-32-be",
        "unicode-escape" | "unicodeescape" => "unicode-escape",
        "raw-unicode-escape" | "rawunicodeescape" => "raw-unicode-escape",
        _ => return None,
    })
}

/// CPython's spelling of a codec in error messages.
fn msg_name(canon: &str) -> &'static str {
    match canon {
        "utf-8" => "utf-8",
        "ascii" => "ascii",
        "latin-1" => "latin-1",
        "utf-16" => "utf-16",
        "utf-16-le" => "utf-16-le",
        "utf-16-be" => "utf-16-be",
        "utf-32" => "utf-32",
        "utf-32-le" => "utf-32-le",
        "utf-32-be" => "utf-32-be",
        "unicode-escape" => "unicodeescape",
        "utf-7" => "utf-7",
        _ => "rawunicodeescape",
    }
}

// ----- registry -----

/// The address of an object kept pinned by a C-held count, shareable between threads (pinned
/// objects never move).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PinnedRef(ObjRef);

impl PinnedRef {
    /// Remembers `o` (the caller holds a C-held count on it, so it is pinned and never moves).
    /// Kept as an `ObjRef`, so the pointer keeps its provenance.
    pub fn new(o: ObjRef) -> Self {
        PinnedRef(o)
    }
    /// The object.
    pub fn get(self) -> ObjRef {
        self.0
    }
}

/// Search functions (C-held references: pinned, alive while registered).
static SEARCH: Mutex<Vec<PinnedRef>> = Mutex::new(Vec::new());
/// Error handlers registered from C: (name, handler) (C-held references).
static HANDLERS: Mutex<Vec<(String, PinnedRef)>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

const BUILTIN_HANDLERS: &[&str] = &[
    "strict",
    "ignore",
    "replace",
    "backslashreplace",
    "xmlcharrefreplace",
    "namereplace",
    "surrogateescape",
    "surrogatepass",
];

/// An error handler: a built-in one by name or a callable registered from C.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Built-in (index into the names above).
    Builtin(&'static str),
    /// A C-registered callable.
    Custom(ObjRef),
}

/// Resolves an `errors` argument (NULL: strict).
pub fn handler(cx: &mut Thread, errors: Option<&str>) -> PyResult<Handler> {
    let name = errors.unwrap_or("strict");
    let found = lock(&HANDLERS).iter().find(|x| x.0 == name).map(|x| x.1);
    if let Some(c) = found {
        return Ok(Handler::Custom(c.get()));
    }
    match BUILTIN_HANDLERS.iter().find(|n| **n == name) {
        Some(n) => Ok(Handler::Builtin(n)),
        None => {
            let t = cx.rt.types.exc.lookup_error;
            Err(cx.raise(t, &format!("unknown error handler name '{name}'")))
        }
    }
}

/// Calls a custom handler with the exception; returns (replacement, new position).
fn call_custom(cx: &mut Thread, f: ObjRef, exc: Handle, len: usize) -> PyResult<(Handle, usize)> {
    let fh = cx.root(f);
    let r = crate::r#abstract::call::call(cx, fh, &[exc], &[])?;
    let ro = cx.get(r);
    let bad = |cx: &mut Thread| {
        type_error(
            cx,
            "encoding error handler must return (str/bytes, int) tuple",
        )
    };
    if cx.kind_of(ro) != Kind::Tuple || cx.tuple_len(ro) != Some(2) {
        return Err(bad(cx));
    }
    let rep = cx.tuple_get(ro, 0).expect("len 2");
    let pos = cx.tuple_get(ro, 1).expect("len 2");
    let rep = cx.root(rep);
    let Some(mut p) = cx.int_as_i64(pos)? else {
        return Err(bad(cx));
    };
    if p < 0 {
        p += len as i64;
    }
    if p < 0 || p as usize > len {
        let t = cx.rt.types.exc.index_error;
        return Err(cx.raise(t, &format!("position {p} from error handler out of bounds")));
    }
    Ok((rep, p as usize))
}

// ----- decoding -----

/// Decodes `b` with built-in codec `canon`. `final_` false (stateful decoding) leaves an
/// incomplete sequence at the end undecoded; the number of bytes consumed is returned.
pub fn decode(
    cx: &mut Thread,
    canon: &str,
    b: &[u8],
    errors: Option<&str>,
    final_: bool,
) -> PyResult<(String, usize)> {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    let n = b.len();
    let (unit, bom_default_le): (usize, bool) = match canon {
        "utf-16" | "utf-16-le" | "utf-16-be" => (2, canon != "utf-16-be"),
        "utf-32" | "utf-32-le" | "utf-32-be" => (4, canon != "utf-32-be"),
        _ => (1, true),
    };
    let mut le = bom_default_le;
    if canon == "utf-16" && n >= 2 {
        if b[..2] == [0xff, 0xfe] {
            i = 2;
        } else if b[..2] == [0xfe, 0xff] {
            le = false;
            i = 2;
        }
    }
    if canon == "utf-32" && n >= 4 {
        if b[..4] == [0xff, 0xfe, 0, 0] {
            i = 4;
        } else if b[..4] == [0, 0, 0xfe, 0xff] {
            le = false;
            i = 4;
        }
    }
    let _ = unit;
    while i < n {
        // Decode one step: Ok(Some((char, len))) | Ok(None) incomplete at end | Err((end, reason)).
        let step: Step = match canon {
            "utf-8" => utf8_step(&b[i..]),
            "ascii" => {
                if b[i] < 0x80 {
                    Ok(Some((Some(b[i] as char), 1)))
                } else {
                    Err((1, "ordinal not in range(128)"))
                }
            }
            "latin-1" => Ok(Some((Some(b[i] as char), 1))),
            "utf-16" | "utf-16-le" | "utf-16-be" => utf16_step(&b[i..], le),
            "utf-32" | "utf-32-le" | "utf-32-be" => utf32_step(&b[i..], le),
            "unicode-escape" => escape_step(&b[i..], false),
            _ => escape_step(&b[i..], true),
        };
        match step {
            Ok(Some((c, len))) => {
                if let Some(c) = c {
                    out.push(c);
                }
                i += len;
            }
            Ok(None) if !final_ => break,
            Ok(None) => {
                let reason = match canon {
                    "utf-16" | "utf-16-le" | "utf-16-be" | "utf-32" | "utf-32-le" | "utf-32-be" => {
                        "truncated data"
                    }
                    "unicode-escape" | "raw-unicode-escape" => "\\ at end of string",
                    _ => "unexpected end of data",
                };
                i = decode_error(cx, errors, canon, b, i, n, reason, &mut out)?;
            }
            Err((len, reason)) => {
                i = decode_error(cx, errors, canon, b, i, i + len, reason, &mut out)?;
            }
        }
    }
    Ok((out, i))
}

#[allow(clippy::too_many_arguments)]
fn decode_error(
    cx: &mut Thread,
    errors: Option<&str>,
    canon: &str,
    b: &[u8],
    start: usize,
    end: usize,
    reason: &str,
    out: &mut String,
) -> PyResult<usize> {
    let h = handler(cx, errors)?;
    match h {
        Handler::Builtin("ignore") => Ok(end),
        Handler::Builtin("replace") => {
            out.push('\u{fffd}');
            Ok(end)
        }
        Handler::Builtin("backslashreplace") => {
            for x in &b[start..end] {
                out.push_str(&format!("\\x{x:02x}"));
            }
            Ok(end)
        }
        Handler::Custom(f) => {
            let e = new_decode_error(cx, msg_name(canon), b, start, end, reason);
            let (rep, pos) = call_custom(cx, f, e, b.len())?;
            match cx.str_value(cx.get(rep)) {
                Some(s) => out.push_str(s),
                None => {
                    return Err(type_error(
                        cx,
                        "decoding error handler must return (str, int) tuple",
                    ))
                }
            }
            Ok(pos)
        }
        Handler::Builtin(_) => {
            let e = new_decode_error(cx, msg_name(canon), b, start, end, reason);
            Err(cx.raise_object(e))
        }
    }
}

type Step = Result<Option<(Option<char>, usize)>, (usize, &'static str)>;

fn utf8_step(b: &[u8]) -> Step {
    let x = b[0];
    if x < 0x80 {
        return Ok(Some((Some(x as char), 1)));
    }
    let (len, min) = match x {
        0xc2..=0xdf => (2, 0x80),
        0xe0..=0xef => (3, 0x800),
        0xf0..=0xf4 => (4, 0x10000),
        _ => return Err((1, "invalid start byte")),
    };
    let mut cp: u32 = (x as u32) & (0x7f >> len);
    for k in 1..len {
        if k >= b.len() {
            return Ok(None);
        }
        let y = b[k];
        // Second byte ranges that CPython rejects as invalid continuation.
        let ok = match (k, x) {
            (1, 0xe0) => (0xa0..=0xbf).contains(&y),
            (1, 0xed) => (0x80..=0x9f).contains(&y),
            (1, 0xf0) => (0x90..=0xbf).contains(&y),
            (1, 0xf4) => (0x80..=0x8f).contains(&y),
            _ => (0x80..=0xbf).contains(&y),
        };
        if !ok {
            return Err((k, "invalid continuation byte"));
        }
        cp = (cp << 6) | (y as u32 & 0x3f);
    }
    let _ = min;
    Ok(Some((char::from_u32(cp), len)))
}

fn utf16_step(b: &[u8], le: bool) -> Step {
    if b.len() < 2 {
        return Ok(None);
    }
    let u = |p: &[u8]| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    };
    let a = u(b);
    if !(0xd800..0xe000).contains(&a) {
        return Ok(Some((char::from_u32(a as u32), 2)));
    }
    if a >= 0xdc00 {
        return Err((2, "illegal encoding"));
    }
    if b.len() < 4 {
        return Ok(None);
    }
    let c = u(&b[2..]);
    if !(0xdc00..0xe000).contains(&c) {
        return Err((2, "illegal UTF-16 surrogate"));
    }
    let cp = 0x10000 + (((a as u32) - 0xd800) << 10) + ((c as u32) - 0xdc00);
    Ok(Some((char::from_u32(cp), 4)))
}

fn utf32_step(b: &[u8], le: bool) -> Step {
    if b.len() < 4 {
        return Ok(None);
    }
    let a = [b[0], b[1], b[2], b[3]];
    let cp = if le {
        u32::from_le_bytes(a)
    } else {
        u32::from_be_bytes(a)
    };
    if cp > 0x10ffff {
        return Err((4, "code point not in range(0x110000)"));
    }
    match char::from_u32(cp) {
        Some(c) => Ok(Some((Some(c), 4))),
        None => Err((
            4,
            "code point in surrogate code point range(0xd800, 0xe000)",
        )),
    }
}

fn hexval(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for x in b {
        v = v * 16 + (*x as char).to_digit(16)?;
    }
    Some(v)
}

fn escape_step(b: &[u8], raw: bool) -> Step {
    let x = b[0];
    if x != b'\\' {
        return Ok(Some((Some(x as char), 1)));
    }
    if b.len() < 2 {
        if raw {
            return Ok(Some((Some('\\'), 1)));
        }
        return Ok(None);
    }
    let e = b[1];
    let hex = |len: usize, what: &'static str| -> Step {
        if b.len() < 2 + len {
            return Err((b.len(), what));
        }
        match hexval(&b[2..2 + len]) {
            Some(v) => match char::from_u32(v) {
                Some(c) => Ok(Some((Some(c), 2 + len))),
                None if v > 0x10ffff => Err((2 + len, "illegal Unicode character")),
                None => Err((2 + len, "surrogates not allowed")),
            },
            None => Err((
                2 + b[2..2 + len]
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count(),
                what,
            )),
        }
    };
    if raw {
        return match e {
            b'u' => hex(4, "truncated \\uXXXX escape"),
            b'U' => hex(8, "truncated \\UXXXXXXXX escape"),
            _ => Ok(Some((Some('\\'), 1))),
        };
    }
    let simple = |c: char| Ok(Some((Some(c), 2)));
    match e {
        b'\n' => Ok(Some((None, 2))),
        b'\\' => simple('\\'),
        b'\'' => simple('\''),
        b'"' => simple('"'),
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b't' => simple('\t'),
        b'n' => simple('\n'),
        b'r' => simple('\r'),
        b'v' => simple('\u{b}'),
        b'a' => simple('\u{7}'),
        b'0'..=b'7' => {
            let mut v = 0u32;
            let mut k = 1;
            while k < 4 && k < b.len() && (b'0'..=b'7').contains(&b[k]) {
                v = v * 8 + (b[k] - b'0') as u32;
                k += 1;
            }
            Ok(Some((char::from_u32(v), k)))
        }
        b'x' => hex(2, "truncated \\xXX escape"),
        b'u' => hex(4, "truncated \\uXXXX escape"),
        b'U' => hex(8, "truncated \\UXXXXXXXX escape"),
        b'N' => Err((2, "\\N escapes not supported (no unicodedata)")),
        _ => Ok(Some((Some('\\'), 1))),
    }
}

// ----- encoding -----

/// Encodes `text` (the str `obj`) with built-in codec `canon`.
pub fn encode(
    cx: &mut Thread,
    canon: &str,
    obj: Handle,
    errors: Option<&str>,
) -> PyResult<Vec<u8>> {
    let text: Vec<char> = cx.str_value(cx.get(obj)).unwrap_or("").chars().collect();
    let mut out = Vec::with_capacity(text.len());
    match canon {
        "utf-8" => {
            let s: String = text.iter().collect();
            return Ok(s.into_bytes());
        }
        "utf-16" | "utf-16-le" | "utf-16-be" => {
            let le = canon != "utf-16-be";
            if canon == "utf-16" {
                out.extend_from_slice(&[0xff, 0xfe]);
            }
            let mut buf = [0u16; 2];
            for c in &text {
                for u in c.encode_utf16(&mut buf) {
                    out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
                }
            }
            return Ok(out);
        }
        "utf-32" | "utf-32-le" | "utf-32-be" => {
            let le = canon != "utf-32-be";
            if canon == "utf-32" {
                out.extend_from_slice(&[0xff, 0xfe, 0, 0]);
            }
            for c in &text {
                let u = *c as u32;
                out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            return Ok(out);
        }
        "unicode-escape" | "raw-unicode-escape" => {
            let raw = canon == "raw-unicode-escape";
            for c in &text {
                let u = *c as u32;
                if raw {
                    if u < 0x100 {
                        out.push(u as u8);
                        continue;
                    }
                } else {
                    match c {
                        '\\' => {
                            out.extend_from_slice(b"\\\\");
                            continue;
                        }
                        '\t' => {
                            out.extend_from_slice(b"\\t");
                            continue;
                        }
                        '\n' => {
                            out.extend_from_slice(b"\\n");
                            continue;
                        }
                        '\r' => {
                            out.extend_from_slice(b"\\r");
                            continue;
                        }
                        _ => {}
                    }
                    if (0x20..0x7f).contains(&u) {
                        out.push(u as u8);
                        continue;
                    }
                    if u < 0x100 {
                        out.extend_from_slice(format!("\\x{u:02x}").as_bytes());
                        continue;
                    }
                }
                if u < 0x10000 {
                    out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                } else {
                    out.extend_from_slice(format!("\\U{u:08x}").as_bytes());
                }
            }
            return Ok(out);
        }
        _ => {}
    }
    // ascii / latin-1
    let lim: u32 = if canon == "ascii" { 128 } else { 256 };
    let mut i = 0;
    while i < text.len() {
        let c = text[i] as u32;
        if c < lim {
            out.push(c as u8);
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < text.len() && text[end] as u32 >= lim {
            end += 1;
        }
        let reason = format!("ordinal not in range({lim})");
        let h = handler(cx, errors)?;
        match h {
            Handler::Builtin("ignore") => {}
            Handler::Builtin("replace") => out.extend(std::iter::repeat_n(b'?', end - start)),
            Handler::Builtin("backslashreplace") => {
                for ch in &text[start..end] {
                    out.extend_from_slice(backslash(*ch).as_bytes());
                }
            }
            Handler::Builtin("xmlcharrefreplace") => {
                for ch in &text[start..end] {
                    out.extend_from_slice(format!("&#{};", *ch as u32).as_bytes());
                }
            }
            Handler::Builtin("namereplace") => {
                for ch in &text[start..end] {
                    out.extend_from_slice(name_escape(*ch).as_bytes());
                }
            }
            Handler::Custom(f) => {
                let e = new_encode_error(cx, msg_name(canon), obj, start, end, &reason);
                let (rep, pos) = call_custom(cx, f, e, text.len())?;
                let ro = cx.get(rep);
                if let Some(s) = cx.str_value(ro) {
                    let s = s.to_string();
                    for ch in s.chars() {
                        if (ch as u32) >= lim {
                            let e = new_encode_error(cx, msg_name(canon), obj, start, end, &reason);
                            return Err(cx.raise_object(e));
                        }
                        out.push(ch as u32 as u8);
                    }
                } else if let Some(b) = cx.bytes_value(ro) {
                    out.extend_from_slice(b);
                } else {
                    return Err(type_error(
                        cx,
                        "encoding error handler must return (str/bytes, int) tuple",
                    ));
                }
                i = pos;
                continue;
            }
            Handler::Builtin(_) => {
                let e = new_encode_error(cx, msg_name(canon), obj, start, end, &reason);
                return Err(cx.raise_object(e));
            }
        }
        i = end;
    }
    Ok(out)
}

/// `\N{NAME}` for a character with a name in the Unicode character database (the
/// `unicode_names2` crate's tables), else its backslash escape: the `namereplace` handler.
fn name_escape(c: char) -> String {
    match unicode_names2::name(c) {
        Some(n) => format!("\\N{{{n}}}"),
        None => backslash(c),
    }
}

fn backslash(c: char) -> String {
    let u = c as u32;
    if u < 0x100 {
        format!("\\x{u:02x}")
    } else if u < 0x10000 {
        format!("\\u{u:04x}")
    } else {
        format!("\\U{u:08x}")
    }
}

/// Encodes str `obj` by `encoding` (built-in codecs, then search functions).
pub fn encode_obj(
    cx: &mut Thread,
    obj: Handle,
    encoding: &str,
    errors: Option<&str>,
) -> PyResult<Handle> {
    if let Some(c) = builtin_name(encoding) {
        if cx.kind_of(cx.get(obj)) != Kind::Str {
            let msg = format!(
                "{}_encode() argument 1 must be str, not {}",
                c.replace('-', "_"),
                tname(cx, cx.get(obj))
            );
            return Err(type_error(cx, &msg));
        }
        let b = encode(cx, c, obj, errors)?;
        return Ok(cx.bytes(&b));
    }
    let info = lookup(cx, encoding)?;
    call_codec(cx, info, 0, obj, errors, "encoder")
}

/// Decodes `obj` (bytes) by `encoding` (built-in codecs, then search functions).
pub fn decode_obj(
    cx: &mut Thread,
    obj: Handle,
    encoding: &str,
    errors: Option<&str>,
) -> PyResult<Handle> {
    if let Some(c) = builtin_name(encoding) {
        let o = cx.get(obj);
        let b = match cx.bytes_value(o) {
            Some(b) if cx.kind_of(o) == Kind::Bytes => b.to_vec(),
            _ => match crate::objects::bytearray::bytes_of(o) {
                Some(b) => b,
                None => {
                    let msg = format!("a bytes-like object is required, not '{}'", tname(cx, o));
                    return Err(type_error(cx, &msg));
                }
            },
        };
        let (s, _) = decode(cx, c, &b, errors, true)?;
        return Ok(cx.str(&s));
    }
    let info = lookup(cx, encoding)?;
    call_codec(cx, info, 1, obj, errors, "decoder")
}

fn call_codec(
    cx: &mut Thread,
    info: Handle,
    idx: usize,
    obj: Handle,
    errors: Option<&str>,
    what: &str,
) -> PyResult<Handle> {
    let f = cx.tuple_get(cx.get(info), idx).expect("4-tuple");
    let fh = cx.root(f);
    let mut args = vec![obj];
    if let Some(e) = errors {
        args.push(cx.str(e));
    }
    let r = crate::r#abstract::call::call(cx, fh, &args, &[])?;
    let ro = cx.get(r);
    if cx.kind_of(ro) != Kind::Tuple || cx.tuple_len(ro) != Some(2) {
        return Err(type_error(
            cx,
            &format!("{what} must return a tuple (object, integer)"),
        ));
    }
    let v = cx.tuple_get(ro, 0).expect("len 2");
    Ok(cx.root(v))
}

/// Finds a codec registered by a search function: its 4-tuple. LookupError otherwise.
pub fn lookup(cx: &mut Thread, encoding: &str) -> PyResult<Handle> {
    let norm = encoding.to_ascii_lowercase().replace(' ', "_");
    let fns: Vec<PinnedRef> = lock(&SEARCH).clone();
    let fhs: Vec<Handle> = fns.into_iter().map(|f| cx.root(f.get())).collect();
    for f in fhs {
        let n = cx.str(&norm);
        let r = crate::r#abstract::call::call(cx, f, &[n], &[])?;
        let ro = cx.get(r);
        if ro == cx.rt.none {
            continue;
        }
        if cx.kind_of(ro) != Kind::Tuple || cx.tuple_len(ro) != Some(4) {
            return Err(type_error(
                cx,
                "codec search functions must return 4-tuples",
            ));
        }
        return Ok(r);
    }
    let t = cx.rt.types.exc.lookup_error;
    Err(cx.raise(t, &format!("unknown encoding: {encoding}")))
}

// ----- built-in codec functions as callables -----

struct Defs {
    enc: usize,
    dec: usize,
    handlers: Vec<(&'static str, usize)>,
}

fn leak_def(name: &'static std::ffi::CStr, f: PyCFunction) -> usize {
    let d = Box::new(PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: a PyCFunction stored as the generic function pointer C stores too.
        ml_meth: Some(unsafe { std::mem::transmute::<PyCFunction, RawFn>(f) }),
        ml_flags: METH_VARARGS,
        ml_doc: std::ptr::null(),
    });
    Box::into_raw(d) as usize
}

fn defs() -> &'static Defs {
    static D: OnceLock<Defs> = OnceLock::new();
    D.get_or_init(|| Defs {
        enc: leak_def(c"encode", builtin_encode),
        dec: leak_def(c"decode", builtin_decode),
        handlers: vec![
            ("strict", leak_def(c"strict_errors", handler_strict)),
            ("ignore", leak_def(c"ignore_errors", handler_ignore)),
            ("replace", leak_def(c"replace_errors", handler_replace)),
            (
                "backslashreplace",
                leak_def(c"backslashreplace_errors", handler_backslash),
            ),
            (
                "xmlcharrefreplace",
                leak_def(c"xmlcharrefreplace_errors", handler_xml),
            ),
            ("namereplace", leak_def(c"namereplace_errors", handler_name)),
        ],
    })
}

/// `(obj, errors=None)` of a built-in codec function called with `args`.
unsafe fn codec_args(cx: &mut Thread, args: *mut PyObject) -> PyResult<(Handle, Option<String>)> {
    // SAFETY: the args tuple of a METH_VARARGS call.
    let a = unsafe { harg(cx, args) }?;
    let items = args_of_tuple(cx, a);
    if items.is_empty() || items.len() > 2 {
        let msg = format!("expected 1 or 2 arguments, got {}", items.len());
        return Err(type_error(cx, &msg));
    }
    let errors = match items.get(1) {
        Some(e) if cx.get(*e) != cx.rt.none => match cx.str_value(cx.get(*e)) {
            Some(s) => Some(s.to_string()),
            None => return Err(type_error(cx, "errors must be str or None")),
        },
        _ => None,
    };
    Ok((items[0], errors))
}

fn args_of_tuple(cx: &mut Thread, t: Handle) -> Vec<Handle> {
    let n = cx.tuple_len(cx.get(t)).unwrap_or(0);
    (0..n)
        .map(|i| {
            let o = cx.tuple_get(cx.get(t), i).expect("in range");
            cx.root(o)
        })
        .collect()
}

fn self_name(cx: &mut Thread, s: *mut PyObject) -> PyResult<&'static str> {
    // SAFETY: the function's __self__ (a str the shim bound).
    let o = unsafe { arg(cx, s) }?;
    let n = cx.str_value(o).unwrap_or("utf-8").to_string();
    Ok(builtin_name(&n).unwrap_or("utf-8"))
}

unsafe extern "C" fn builtin_encode(s: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    capi!("pyopaque codec encode", |cx| {
        let c = self_name(cx, s)?;
        // SAFETY: a call's args tuple.
        let (o, errors) = unsafe { codec_args(cx, args) }?;
        let cn = c.to_string();
        let r = encode_obj(cx, o, &cn, errors.as_deref())?;
        let n = cx.str_len(cx.get(o));
        let nh = cx.int(n as i64);
        let t = cx.tuple(&[r, nh]);
        Ok(new_ref_h(cx, t))
    })
}

unsafe extern "C" fn builtin_decode(s: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    capi!("pyopaque codec decode", |cx| {
        let c = self_name(cx, s)?;
        // SAFETY: a call's args tuple.
        let (o, errors) = unsafe { codec_args(cx, args) }?;
        let cn = c.to_string();
        let r = decode_obj(cx, o, &cn, errors.as_deref())?;
        let n = cx.bytes_value(cx.get(o)).map_or(0, <[u8]>::len);
        let nh = cx.int(n as i64);
        let t = cx.tuple(&[r, nh]);
        Ok(new_ref_h(cx, t))
    })
}

fn bound_fn(cx: &mut Thread, def: usize, self_: Handle) -> Handle {
    crate::r#abstract::call::new_cfunction(cx, def as *mut PyMethodDef, Some(self_), None, None)
}

fn codec_callable(cx: &mut Thread, encoding: *const c_char, idx: usize) -> PyResult<*mut PyObject> {
    // SAFETY: caller's contract.
    let e = unsafe { cx::cstr(cx, encoding) }?.to_string();
    if let Some(c) = builtin_name(&e) {
        let sh = cx.str(c);
        let d = if idx == 0 { defs().enc } else { defs().dec };
        let f = bound_fn(cx, d, sh);
        return Ok(new_ref_h(cx, f));
    }
    let info = lookup(cx, &e)?;
    let f = cx.tuple_get(cx.get(info), idx).expect("4-tuple");
    let fh = cx.root(f);
    Ok(new_ref_h(cx, fh))
}

/// `PyCodec_Encoder`: the encoder function (`f(str, errors=None) -> (bytes, length)`).
///
/// # Safety
/// `encoding` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_Encoder(encoding: *const c_char) -> *mut PyObject {
    capi!("PyCodec_Encoder", |cx| codec_callable(cx, encoding, 0))
}

/// `PyCodec_Decoder`: the decoder function (`f(bytes, errors=None) -> (str, length)`).
///
/// # Safety
/// `encoding` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_Decoder(encoding: *const c_char) -> *mut PyObject {
    capi!("PyCodec_Decoder", |cx| codec_callable(cx, encoding, 1))
}

unsafe fn opt_cstr(cx: &mut Thread, s: *const c_char) -> PyResult<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: caller's contract.
    Ok(Some(unsafe { cx::cstr(cx, s) }?.to_string()))
}

/// `PyCodec_Encode`.
///
/// # Safety
/// An object C holds; C strings (errors may be NULL).
#[no_mangle]
pub unsafe extern "C" fn PyCodec_Encode(
    o: *mut PyObject,
    encoding: *const c_char,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyCodec_Encode", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        // SAFETY: caller's contract.
        let e = unsafe { cx::cstr(cx, encoding) }?.to_string();
        // SAFETY: caller's contract.
        let er = unsafe { opt_cstr(cx, errors) }?;
        let r = encode_obj(cx, h, &e, er.as_deref())?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyCodec_Decode`.
///
/// # Safety
/// An object C holds; C strings (errors may be NULL).
#[no_mangle]
pub unsafe extern "C" fn PyCodec_Decode(
    o: *mut PyObject,
    encoding: *const c_char,
    errors: *const c_char,
) -> *mut PyObject {
    capi!("PyCodec_Decode", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { harg(cx, o) }?;
        // SAFETY: caller's contract.
        let e = unsafe { cx::cstr(cx, encoding) }?.to_string();
        // SAFETY: caller's contract.
        let er = unsafe { opt_cstr(cx, errors) }?;
        let r = decode_obj(cx, h, &e, er.as_deref())?;
        Ok(new_ref_h(cx, r))
    })
}

/// `PyCodec_KnownEncoding`: 1 when a codec exists (never raises).
///
/// # Safety
/// `encoding` a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_KnownEncoding(encoding: *const c_char) -> c_int {
    capi!("PyCodec_KnownEncoding", |cx| {
        if encoding.is_null() {
            return Ok(0);
        }
        // SAFETY: caller's contract.
        let e = unsafe { std::ffi::CStr::from_ptr(encoding) }
            .to_string_lossy()
            .into_owned();
        if builtin_name(&e).is_some() {
            return Ok(1);
        }
        let saved = cx.take_error();
        let r = lookup(cx, &e).is_ok();
        cx.clear_error();
        if let Some(s) = saved {
            cx.raise_object(s);
        }
        Ok(r as c_int)
    })
}

/// `PyCodec_Register`: adds a search function (consulted after the built-in codecs).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_Register(f: *mut PyObject) -> c_int {
    capi!("PyCodec_Register", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, f) }?;
        if !crate::r#abstract::call::is_callable(cx, o) {
            return Err(type_error(cx, "argument must be callable"));
        }
        pyopaque_runtime::refcount::c_incref(cx, o);
        lock(&SEARCH).push(PinnedRef::new(o));
        Ok(0)
    })
}

/// `PyCodec_Unregister`: removes a search function (0 also when it was not registered).
///
/// # Safety
/// An object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_Unregister(f: *mut PyObject) -> c_int {
    capi!("PyCodec_Unregister", |cx| {
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, f) }?;
        let found = {
            let mut s = lock(&SEARCH);
            match s.iter().position(|x| *x == PinnedRef::new(o)) {
                Some(i) => {
                    s.remove(i);
                    true
                }
                None => false,
            }
        };
        if found {
            cx::release_c_ref(cx, o, "PyCodec_Unregister");
        }
        Ok(0)
    })
}

/// `PyCodec_RegisterError`.
///
/// # Safety
/// `name` a C string; an object C holds.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_RegisterError(name: *const c_char, f: *mut PyObject) -> c_int {
    capi!("PyCodec_RegisterError", |cx| {
        // SAFETY: caller's contract.
        let n = unsafe { cx::cstr(cx, name) }?.to_string();
        // SAFETY: caller's contract.
        let o = unsafe { arg(cx, f) }?;
        if !crate::r#abstract::call::is_callable(cx, o) {
            return Err(type_error(cx, "handler must be callable"));
        }
        pyopaque_runtime::refcount::c_incref(cx, o);
        let old = {
            let mut h = lock(&HANDLERS);
            match h.iter_mut().find(|x| x.0 == n) {
                Some(x) => Some(std::mem::replace(&mut x.1, PinnedRef::new(o))),
                None => {
                    h.push((n, PinnedRef::new(o)));
                    None
                }
            }
        };
        if let Some(old) = old {
            cx::release_c_ref(cx, old.get(), "PyCodec_RegisterError");
        }
        Ok(0)
    })
}

/// `PyCodec_LookupError` (NULL name: "strict").
///
/// # Safety
/// `name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn PyCodec_LookupError(name: *const c_char) -> *mut PyObject {
    capi!("PyCodec_LookupError", |cx| {
        // SAFETY: caller's contract.
        let n = unsafe { opt_cstr(cx, name) }?;
        match handler(cx, n.as_deref())? {
            Handler::Custom(f) => {
                let h = cx.root(f);
                Ok(new_ref_h(cx, h))
            }
            Handler::Builtin(b) => match defs().handlers.iter().find(|x| x.0 == b) {
                Some((_, d)) => {
                    let f = crate::r#abstract::call::new_cfunction(
                        cx,
                        *d as *mut PyMethodDef,
                        None,
                        None,
                        None,
                    );
                    Ok(new_ref_h(cx, f))
                }
                None => {
                    let t = cx.rt.types.exc.lookup_error;
                    Err(cx.raise(t, &format!("unknown error handler name '{b}'")))
                }
            },
        }
    })
}

// ----- error handlers -----

#[derive(PartialEq, Clone, Copy)]
enum EKind {
    Encode,
    Decode,
    Translate,
}

fn ekind(cx: &mut Thread, o: ObjRef) -> Option<EKind> {
    if cx.kind_of(o) != Kind::Exception {
        return None;
    }
    let tr = shim_types().exc_named("UnicodeTranslateError");
    if cx.is_instance(o, cx.rt.types.exc.unicode_encode_error) {
        Some(EKind::Encode)
    } else if cx.is_instance(o, cx.rt.types.exc.unicode_decode_error) {
        Some(EKind::Decode)
    } else if cx.is_instance(o, tr) {
        Some(EKind::Translate)
    } else {
        None
    }
}

fn cant_handle(cx: &mut Thread, o: ObjRef) -> Raised {
    let msg = format!(
        "don't know how to handle {} in error callback",
        tname(cx, o)
    );
    type_error(cx, &msg)
}

/// (kind, object, start, end) of a Unicode error, clipped as CPython clips.
fn params(cx: &mut Thread, e: Handle) -> PyResult<(EKind, Handle, usize, usize)> {
    let o = cx.get(e);
    let Some(k) = ekind(cx, o) else {
        return Err(cant_handle(cx, o));
    };
    let base = if k == EKind::Translate { 0 } else { 1 };
    let a = args_of(cx, e);
    let get = |i: usize| a.get(i).copied().flatten();
    let (Some(obj), Some(s), Some(en)) = (get(base), get(base + 1), get(base + 2)) else {
        return Err(type_error(cx, "object attribute not set"));
    };
    let oo = cx.get(obj);
    let len = if k == EKind::Decode {
        cx.bytes_value(oo).map_or(0, <[u8]>::len)
    } else {
        cx.str_len(oo)
    } as i64;
    let s = cx.int_as_i64(cx.get(s))?.unwrap_or(0);
    let en = cx.int_as_i64(cx.get(en))?.unwrap_or(0);
    let s = s.clamp(0, (len - 1).max(0));
    let en = en.clamp(1.min(len), len.max(0));
    Ok((k, obj, s as usize, en.max(s) as usize))
}

fn result(cx: &mut Thread, rep: &str, end: usize) -> PyResult<*mut PyObject> {
    let r = cx.str(rep);
    let e = cx.int(end as i64);
    let t = cx.tuple(&[r, e]);
    Ok(new_ref_h(cx, t))
}

fn chars_of(cx: &Thread, obj: Handle, s: usize, e: usize) -> Vec<char> {
    cx.str_value(cx.get(obj))
        .unwrap_or("")
        .chars()
        .skip(s)
        .take(e - s)
        .collect()
}

fn errors_impl(cx: &mut Thread, exc: *mut PyObject, which: &str) -> PyResult<*mut PyObject> {
    // SAFETY: caller's contract.
    let e = unsafe { harg(cx, exc) }?;
    if which == "strict" {
        let o = cx.get(e);
        if cx.kind_of(o) != Kind::Exception {
            return Err(type_error(cx, "codec must pass exception instance"));
        }
        return Err(cx.raise_object(e));
    }
    let (k, obj, s, en) = params(cx, e)?;
    let rep: String = match (which, k) {
        ("ignore", _) => String::new(),
        ("replace", EKind::Encode) => "?".repeat(en - s),
        ("replace", EKind::Decode) => "\u{fffd}".into(),
        ("replace", EKind::Translate) => "\u{fffd}".repeat(en - s),
        ("backslashreplace", EKind::Decode) => cx
            .bytes_value(cx.get(obj))
            .unwrap_or(&[])
            .get(s..en)
            .unwrap_or(&[])
            .iter()
            .map(|b| format!("\\x{b:02x}"))
            .collect(),
        ("backslashreplace", _) => chars_of(cx, obj, s, en)
            .into_iter()
            .map(backslash)
            .collect(),
        ("namereplace", EKind::Encode) => chars_of(cx, obj, s, en)
            .into_iter()
            .map(name_escape)
            .collect(),
        ("xmlcharrefreplace", EKind::Encode) => chars_of(cx, obj, s, en)
            .into_iter()
            .map(|c| format!("&#{};", c as u32))
            .collect(),
        _ => {
            let o = cx.get(e);
            return Err(cant_handle(cx, o));
        }
    };
    result(cx, &rep, en)
}

macro_rules! handler_fns {
    ($($exp:ident, $int:ident, $name:literal, $which:literal;)*) => {$(
        /// The built-in error handler of the same name: `(replacement, end)` for a Unicode
        /// error (the strict handler raises it).
        ///
        /// # Safety
        /// An exception C holds.
        #[no_mangle]
        pub unsafe extern "C" fn $exp(exc: *mut PyObject) -> *mut PyObject {
            capi!($name, |cx| errors_impl(cx, exc, $which))
        }
        unsafe extern "C" fn $int(_s: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
            capi!("pyopaque codec error handler", |cx| {
                // SAFETY: a call's args tuple.
                let a = unsafe { harg(cx, args) }?;
                let items = args_of_tuple(cx, a);
                if items.len() != 1 {
                    return Err(type_error(cx, &format!("{}() takes exactly one argument ({} given)", $which, items.len())));
                }
                let o = cx.get(items[0]);
                let p = cx::to_c(o);
                errors_impl(cx, p, $which)
            })
        }
    )*};
}

handler_fns! {
    PyCodec_StrictErrors, handler_strict, "PyCodec_StrictErrors", "strict";
    PyCodec_IgnoreErrors, handler_ignore, "PyCodec_IgnoreErrors", "ignore";
    PyCodec_ReplaceErrors, handler_replace, "PyCodec_ReplaceErrors", "replace";
    PyCodec_BackslashReplaceErrors, handler_backslash, "PyCodec_BackslashReplaceErrors", "backslashreplace";
    PyCodec_XMLCharRefReplaceErrors, handler_xml, "PyCodec_XMLCharRefReplaceErrors", "xmlcharrefreplace";
    PyCodec_NameReplaceErrors, handler_name, "PyCodec_NameReplaceErrors", "namereplace";
}

/// Checks an `errors` C string for validity (NULL: strict).
///
/// # Safety
/// `errors` NULL or a C string.
pub unsafe fn errors_arg(cx: &mut Thread, errors: *const c_char) -> PyResult<Option<String>> {
    // SAFETY: forwarded.
    unsafe { opt_cstr(cx, errors) }
}

// ----- UTF-7 -----

fn b64val(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => (c - b'A') as u32,
        b'a'..=b'z' => (c - b'a') as u32 + 26,
        b'0'..=b'9' => (c - b'0') as u32 + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// Decodes UTF-7 (RFC 2152, as CPython does). `final_` false leaves an unterminated shift
/// sequence undecoded; returns the text and the bytes consumed.
pub fn decode_utf7(
    cx: &mut Thread,
    b: &[u8],
    errors: Option<&str>,
    final_: bool,
) -> PyResult<(String, usize)> {
    let mut out = String::new();
    let mut i = 0;
    let mut consumed = 0;
    while i < b.len() {
        let c = b[i];
        if c >= 0x80 {
            i = decode_error(
                cx,
                errors,
                "utf-7",
                b,
                i,
                i + 1,
                "unexpected special character",
                &mut out,
            )?;
            consumed = i;
            continue;
        }
        if c != b'+' {
            out.push(c as char);
            i += 1;
            consumed = i;
            continue;
        }
        // A shift sequence.
        let start = i;
        i += 1;
        if i < b.len() && b[i] == b'-' {
            out.push('+');
            i += 1;
            consumed = i;
            continue;
        }
        let mut bits: u32 = 0;
        let mut nbits = 0u32;
        let mut high: Option<u32> = None;
        let mut seg = String::new();
        let mut bad: Option<(usize, &'static str)> = None;
        while i < b.len() {
            let Some(v) = b64val(b[i]) else { break };
            bits = (bits << 6) | v;
            nbits += 6;
            i += 1;
            if nbits >= 16 {
                nbits -= 16;
                let unit = (bits >> nbits) & 0xffff;
                bits &= (1 << nbits) - 1;
                match high.take() {
                    Some(h) if (0xdc00..0xe000).contains(&unit) => {
                        let cp = 0x10000 + ((h - 0xd800) << 10) + (unit - 0xdc00);
                        seg.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                    }
                    Some(_) => {
                        bad = Some((i, "illegal UTF-16 surrogate"));
                        break;
                    }
                    None if (0xd800..0xdc00).contains(&unit) => high = Some(unit),
                    None if (0xdc00..0xe000).contains(&unit) => {
                        bad = Some((i, "unexpected low surrogate"));
                        break;
                    }
                    None => seg.push(char::from_u32(unit).unwrap_or('\u{fffd}')),
                }
            }
        }
        if bad.is_none() && i >= b.len() && !final_ {
            // Unterminated shift sequence: wait for more input.
            return Ok((out, start));
        }
        if bad.is_none() && (nbits >= 6 || bits != 0 || high.is_some()) {
            bad = Some((
                i,
                if nbits >= 6 || high.is_some() {
                    "partial character in shift sequence"
                } else {
                    "non-zero padding bits in shift sequence"
                },
            ));
        }
        out.push_str(&seg);
        if let Some((end, reason)) = bad {
            i = decode_error(cx, errors, "utf-7", b, start, end, reason, &mut out)?;
            consumed = i;
            continue;
        }
        if i < b.len() && b[i] == b'-' {
            i += 1;
        }
        consumed = i;
    }
    Ok((out, consumed))
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyCodec_Encode", rules::RUST_CODECS),
        ("PyCodec_Decode", rules::RUST_CODECS),
        ("PyCodec_Encoder", rules::RUST_CODECS),
        ("PyCodec_Decoder", rules::RUST_CODECS),
        ("PyCodec_KnownEncoding", rules::RUST_CODECS),
        (
            "PyCodec_Register",
            Rule::Cost("the search function is pinned while registered (C-held count)"),
        ),
        ("PyCodec_Unregister", Rule::Works),
        (
            "PyCodec_RegisterError",
            Rule::Cost("the handler is pinned while registered (C-held count)"),
        ),
        ("PyCodec_LookupError", Rule::Works),
        ("PyCodec_StrictErrors", Rule::Works),
        ("PyCodec_IgnoreErrors", Rule::Works),
        ("PyCodec_ReplaceErrors", Rule::Works),
        ("PyCodec_BackslashReplaceErrors", Rule::Works),
        ("PyCodec_XMLCharRefReplaceErrors", Rule::Works),
        ("PyCodec_IncrementalEncoder", rules::PYTHON_CODEC_CLASSES),
        ("PyCodec_IncrementalDecoder", rules::PYTHON_CODEC_CLASSES),
        ("PyCodec_StreamReader", rules::PYTHON_CODEC_CLASSES),
        ("PyCodec_StreamWriter", rules::PYTHON_CODEC_CLASSES),
        ("PyCodec_NameReplaceErrors", Rule::Works),
    ]
};
