//! `repr()` and `str()` of builtin values, printed exactly as CPython prints them.

use crate::objects::float::float_value;
use crate::objects::int::IntValue;
use crate::objects::text::{str_value, text_bytes};
use crate::objects::tuple::{tuple_item, tuple_len};
use crate::objref::ObjRef;
use crate::thread::{Handle, PyResult, Thread};
use crate::types::Kind;

/// CPython's `repr(float)`: the shortest string that round-trips, with `.0` for integral values
/// and exponent notation outside 1e-4 <= |x| < 1e16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let a = f.abs();
    if (1e-4..1e16).contains(&a) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        // Rust prints the shortest round-trip mantissa as `1.5e300`; CPython writes `1.5e+300`
        // and keeps at least two exponent digits.
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap();
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        format!("{mant}e{sign}{digits:0>2}")
    }
}

/// CPython's `repr(str)`: single quotes unless the text contains a single quote and no double
/// quote; escapes for `\\`, the quote, `\n`, `\r`, `\t` and other non-printable characters.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (0x80..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// CPython's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote as char);
    out
}

impl Thread {
    /// `repr(obj)`.
    pub fn repr_of(&mut self, h: Handle) -> PyResult<String> {
        let obj = self.get(h);
        if let Some(v) = obj.as_small_int() {
            return Ok(v.to_string());
        }
        let rt = self.rt.clone();
        Ok(match self.kind_of(obj) {
            Kind::Singleton if obj == rt.none => "None".into(),
            Kind::Singleton if obj == rt.not_implemented => "NotImplemented".into(),
            Kind::Singleton => "Ellipsis".into(),
            Kind::Bool => if obj == rt.true_ { "True" } else { "False" }.into(),
            Kind::Int => match self.int_value(obj).unwrap() {
                IntValue::Small(v) => v.to_string(),
                IntValue::Big(b) => b.to_string(),
            },
            Kind::Float => float_repr(float_value(obj)),
            Kind::Str => str_repr(str_value(obj)),
            Kind::Bytes => bytes_repr(text_bytes(obj)),
            Kind::Tuple => {
                let n = tuple_len(obj);
                let items = self.reprs(h, n, &|cx, h, i| tuple_item(cx.get(h), i).unwrap())?;
                if n == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                }
            }
            Kind::List => {
                let n = self.list_len(obj);
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    let m = self.mark();
                    let e = self.list_get(h, i as isize)?;
                    let r = self.repr_of(e);
                    self.release(m);
                    items.push(r?);
                }
                format!("[{}]", items.join(", "))
            }
            Kind::Dict => {
                let mut pos = 0;
                let mut parts = Vec::new();
                loop {
                    let m = self.mark();
                    let Some((k, v)) = self.dict_next(self.get(h), &mut pos) else {
                        self.release(m);
                        break;
                    };
                    let (k, v) = (self.root(k), self.root(v));
                    let (rk, rv) = (self.repr_of(k), self.repr_of(v));
                    self.release(m);
                    parts.push(format!("{}: {}", rk?, rv?));
                }
                format!("{{{}}}", parts.join(", "))
            }
            Kind::Exception => {
                let name = self.type_name(self.type_of(obj)).to_string();
                let args = crate::objects::exc::exc_args(obj);
                match args {
                    Some(a) if tuple_len(a) == 1 => {
                        let m = self.mark();
                        let item = self.root(tuple_item(a, 0).unwrap());
                        let r = self.repr_of(item);
                        self.release(m);
                        format!("{name}({})", r?)
                    }
                    Some(a) => {
                        let m = self.mark();
                        let ah = self.root(a);
                        let r = self.repr_of(ah);
                        self.release(m);
                        format!("{name}{}", r?)
                    }
                    None => format!("{name}()"),
                }
            }
            Kind::Type => {
                let t = crate::binding::type_payload(obj);
                format!("<class '{}'>", t.name)
            }
            Kind::Native => {
                if let Some(p) = rt.protocol_hooks() {
                    return (p.repr)(self, h);
                }
                let t = crate::binding::type_payload(self.type_of(obj));
                format!("<{} object at {:p}>", t.name, obj.as_ptr())
            }
        })
    }

    fn reprs(
        &mut self,
        h: Handle,
        n: usize,
        item: &dyn Fn(&Thread, Handle, usize) -> ObjRef,
    ) -> PyResult<Vec<String>> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let m = self.mark();
            let e = item(self, h, i);
            let e = self.root(e);
            let r = self.repr_of(e);
            self.release(m);
            out.push(r?);
        }
        Ok(out)
    }

    /// `str(obj)`.
    pub fn str_of(&mut self, h: Handle) -> PyResult<String> {
        let obj = self.get(h);
        match self.kind_of(obj) {
            Kind::Str => Ok(str_value(obj).to_string()),
            Kind::Exception => {
                let args = crate::objects::exc::exc_args(obj);
                match args {
                    None => Ok(String::new()),
                    Some(a) if tuple_len(a) == 0 => Ok(String::new()),
                    Some(a) if tuple_len(a) == 1 => {
                        let m = self.mark();
                        let item = self.root(tuple_item(a, 0).unwrap());
                        // KeyError's str is the repr of its key.
                        let key_error = self.is_instance(obj, self.rt.types.exc.key_error);
                        let r = if key_error {
                            self.repr_of(item)
                        } else {
                            self.str_of(item)
                        };
                        self.release(m);
                        r
                    }
                    Some(a) => {
                        let m = self.mark();
                        let ah = self.root(a);
                        let r = self.repr_of(ah);
                        self.release(m);
                        r
                    }
                }
            }
            _ => self.repr_of(h),
        }
    }

    /// The text of a str object (None for other types). Valid until the next allocation.
    pub fn str_value(&self, obj: ObjRef) -> Option<&'static str> {
        (self.kind_of(obj) == Kind::Str).then(|| str_value(obj))
    }

    /// The bytes of a bytes object (None for other types). Valid until the next allocation.
    pub fn bytes_value(&self, obj: ObjRef) -> Option<&'static [u8]> {
        (self.kind_of(obj) == Kind::Bytes).then(|| text_bytes(obj))
    }

    /// The value of a float object (None for other types).
    pub fn float_value(&self, obj: ObjRef) -> Option<f64> {
        (self.kind_of(obj) == Kind::Float).then(|| float_value(obj))
    }

    /// `len()` of a tuple (None for other types).
    pub fn tuple_len(&self, obj: ObjRef) -> Option<usize> {
        (self.kind_of(obj) == Kind::Tuple).then(|| tuple_len(obj))
    }

    /// Item `i` of a tuple (borrowed; valid until the next allocation). None when out of range
    /// or NULL.
    pub fn tuple_get(&self, obj: ObjRef, i: usize) -> Option<ObjRef> {
        (self.kind_of(obj) == Kind::Tuple && i < tuple_len(obj))
            .then(|| tuple_item(obj, i))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_cpython() {
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(-0.0), "-0.0");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1.5e300), "1.5e+300");
        assert_eq!(float_repr(1e-5), "1e-05");
        assert_eq!(float_repr(123456789.125), "123456789.125");
        assert_eq!(float_repr(f64::NAN), "nan");
        assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn str_repr_matches_cpython() {
        assert_eq!(str_repr("a"), "'a'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(str_repr("x\ny"), "'x\\ny'");
        assert_eq!(str_repr("é"), "'é'");
        assert_eq!(bytes_repr(b"a\x00\xff'"), "b\"a\\x00\\xff'\"");
    }
}
