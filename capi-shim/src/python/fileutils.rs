//! Locale conversions of C strings (CPython's `Python/fileutils.c`): `Py_DecodeLocale` and
//! `Py_EncodeLocale`. The locale encoding is UTF-8 with surrogateescape.

use crate::cov;
use std::ffi::c_char;

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

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("Py_DecodeLocale", Rule::Works),
        ("Py_EncodeLocale", Rule::Works),
    ]
};
