//! `str` and `bytes`: immutable, stored inline after a small prefix, with a NUL byte after the
//! data (C's `PyUnicode_AsUTF8` and `PyBytes_AsString` hand out that pointer).
//!
//! ```text
//! payload: | len: usize | char_len: usize (str) / unused (bytes) | hash: i64 (-1: not yet) | data... | 0 |
//! ```

use std::hash::Hasher;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::objref::ObjRef;
use crate::thread::{Handle, Thread};

#[repr(C)]
struct TextPrefix {
    len: usize,
    char_len: usize,
    hash: AtomicI64,
}

const PREFIX: usize = std::mem::size_of::<TextPrefix>();

impl Thread {
    /// A new `str` holding `s`.
    pub fn str(&mut self, s: &str) -> Handle {
        // ASCII text (the common case, checked a word at a time) has one char per byte.
        let chars = if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        };
        let r = self.new_text(self.rt.types.str_, s.as_bytes(), chars);
        self.root_owned(r)
    }

    /// A new `bytes` holding `b`.
    pub fn bytes(&mut self, b: &[u8]) -> Handle {
        let r = self.new_text(self.rt.types.bytes, b, 0);
        self.root_owned(r)
    }

    fn new_text(&mut self, ty: ObjRef, data: &[u8], char_len: usize) -> ObjRef {
        let r = self.alloc_object(ty, PREFIX + data.len() + 1);
        let p = r.as_ptr();
        // SAFETY: the payload was allocated with PREFIX + len + 1 bytes and is 8-aligned; it is
        // zeroed, so the trailing NUL is already there.
        unsafe {
            p.cast::<TextPrefix>().write(TextPrefix {
                len: data.len(),
                char_len,
                hash: AtomicI64::new(-1),
            });
            std::ptr::copy_nonoverlapping(data.as_ptr(), p.add(PREFIX), data.len());
        }
        r
    }
}

fn prefix(obj: ObjRef) -> &'static TextPrefix {
    // SAFETY: callers checked the kind is Str or Bytes, whose payload starts with a TextPrefix.
    unsafe { &*obj.as_ptr().cast::<TextPrefix>() }
}

/// The bytes of a `str` (UTF-8) or `bytes` object. Valid until the next allocation.
#[inline]
pub fn text_bytes(obj: ObjRef) -> &'static [u8] {
    let len = prefix(obj).len;
    // SAFETY: the payload holds `len` initialised bytes after the prefix, immutable for the
    // object's lifetime.
    unsafe { std::slice::from_raw_parts(obj.as_ptr().add(PREFIX), len) }
}

/// The text of a `str` object. Valid until the next allocation.
#[inline]
pub fn str_value(obj: ObjRef) -> &'static str {
    // SAFETY: str objects are only created from `&str`, so their bytes are UTF-8.
    unsafe { std::str::from_utf8_unchecked(text_bytes(obj)) }
}

/// Length in code points of a `str` (cached at creation).
pub(crate) fn str_char_len(obj: ObjRef) -> usize {
    prefix(obj).char_len
}

/// Address of the NUL-terminated data (for C).
#[inline]
pub fn text_data_ptr(obj: ObjRef) -> *mut u8 {
    // SAFETY: the data starts PREFIX bytes into the payload (in bounds).
    unsafe { obj.as_ptr().add(PREFIX) }
}

/// The hash of a `str` or `bytes`, computed once and cached. Equal contents hash equal; the
/// function is fixed (CPython randomises it per process, so no value is portable anyway).
pub(crate) fn text_hash(obj: ObjRef) -> i64 {
    let p = prefix(obj);
    let cached = p.hash.load(Ordering::Relaxed);
    if cached != -1 {
        return cached;
    }
    let mut h = std::hash::DefaultHasher::new();
    h.write(text_bytes(obj));
    let mut v = h.finish() as i64;
    if v == -1 {
        v = -2;
    }
    p.hash.store(v, Ordering::Relaxed);
    v
}
