//! What an extension needs from the C API library, read from the ELF dynamic symbol tables
//! before the extension is loaded: every `Py*`/`_Py*` symbol it imports that
//! `libpyopaque_capi.so` does not export (a `dlopen` failure names only the first), and whether
//! the imports show it was compiled against another Python's headers.
//!
//! The reader handles 64-bit little-endian ELF (x86-64, AArch64), the platforms the shim builds
//! for; anything else is reported as unreadable and the check is skipped (loading then reports
//! what `dlopen` says).

use std::collections::BTreeSet;
use std::path::Path;

/// Section type of the dynamic symbol table.
const SHT_DYNSYM: u32 = 11;
/// Size of one ELF64 section header and one ELF64 symbol.
const SHDR_SIZE: usize = 64;
const SYM_SIZE: usize = 24;

/// The dynamic symbols of one shared object, split by whether it defines them.
#[derive(Debug, Default)]
pub struct DynamicSymbols {
    /// Global or weak symbols the object defines (what it exports).
    pub defined: BTreeSet<String>,
    /// Global (non-weak) symbols the object leaves undefined: `dlopen` with `RTLD_NOW` fails
    /// unless something already loaded defines each of them.
    pub required: BTreeSet<String>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?)).ok()
}

/// Parses the `.dynsym` table of an ELF64 little-endian image. `None` when the bytes are not
/// such an image or the table is out of bounds.
fn parse(b: &[u8]) -> Option<DynamicSymbols> {
    // e_ident: magic, class 2 (64-bit), data 1 (little-endian).
    if b.get(0..4)? != b"\x7fELF" || *b.get(4)? != 2 || *b.get(5)? != 1 {
        return None;
    }
    let shoff = u64_at(b, 0x28)?;
    let shentsize = u16_at(b, 0x3A)? as usize;
    let shnum = u16_at(b, 0x3C)? as usize;
    if shentsize < SHDR_SIZE {
        return None;
    }
    let section = |i: usize| -> Option<(u32, usize, usize, usize)> {
        let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
        // (sh_type, sh_offset, sh_size, sh_link)
        Some((
            u32_at(b, at + 4)?,
            u64_at(b, at + 24)?,
            u64_at(b, at + 32)?,
            u32_at(b, at + 40)? as usize,
        ))
    };
    let mut out = DynamicSymbols::default();
    for i in 0..shnum {
        let (ty, off, size, link) = section(i)?;
        if ty != SHT_DYNSYM {
            continue;
        }
        let (_, str_off, str_size, _) = section(link)?;
        let strtab = b.get(str_off..str_off.checked_add(str_size)?)?;
        let syms = b.get(off..off.checked_add(size)?)?;
        // Entry 0 is the reserved null symbol.
        for sym in syms.chunks_exact(SYM_SIZE).skip(1) {
            let name_at = u32_at(sym, 0)? as usize;
            let bind = sym[4] >> 4;
            let shndx = u16_at(sym, 6)?;
            let name_bytes = strtab.get(name_at..)?;
            let end = name_bytes.iter().position(|&c| c == 0)?;
            let name = String::from_utf8_lossy(&name_bytes[..end]).into_owned();
            if name.is_empty() {
                continue;
            }
            match (shndx, bind) {
                // STB_GLOBAL undefined: required at load time.
                (0, 1) => {
                    out.required.insert(name);
                }
                // STB_WEAK undefined: may stay unresolved.
                (0, _) => {}
                // Defined and STB_GLOBAL or STB_WEAK: exported.
                (_, 1 | 2) => {
                    out.defined.insert(name);
                }
                _ => {}
            }
        }
    }
    Some(out)
}

/// Reads the dynamic symbols of the shared object at `path`.
pub fn read(path: &Path) -> Result<DynamicSymbols, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&bytes).ok_or_else(|| {
        format!(
            "{} is not a 64-bit little-endian ELF shared object with a dynamic symbol table",
            path.display()
        )
    })
}

/// Imports that CPython's own headers produce and pyopaque's never do, with what produces
/// them. Our `Py_DECREF` is a call to `Py_DecRef`; CPython's is inline code that calls
/// `_Py_Dealloc` when the count reaches zero, and its debug builds count references in
/// `_Py_RefTotal` and check them with `_Py_NegativeRefcount`.
const FOREIGN_HEADER_IMPORTS: &[(&str, &str)] = &[
    ("_Py_Dealloc", "CPython's inline Py_DECREF"),
    ("_Py_NegativeRefcount", "CPython's debug-build Py_DECREF"),
    ("_Py_RefTotal", "CPython's debug-build reference counting"),
    (
        "_Py_IncRefTotal",
        "CPython's debug-build reference counting",
    ),
    (
        "_Py_DecRefTotal",
        "CPython's debug-build reference counting",
    ),
];

/// The include order that works with setuptools, for messages.
pub const SETUPTOOLS_RECIPE: &str = "with setuptools, pass the directory as include_dirs=[...] \
     (from `pyopaque config --includes`), which setuptools puts before CPython's own include \
     directory; flags in extra_compile_args come after it, so CPython's Python.h wins";

/// Why `ext` cannot be loaded against `lib`: every required `Py*`/`_Py*` symbol the library
/// does not export, and whether the imports show another Python's headers. `Ok(())` when
/// nothing is missing.
pub fn check_loadable(
    ext: &Path,
    ext_syms: &DynamicSymbols,
    lib: &DynamicSymbols,
) -> Result<(), String> {
    let missing: Vec<&str> = ext_syms
        .required
        .iter()
        .filter(|s| s.starts_with("Py") || s.starts_with("_Py"))
        .filter(|s| !lib.defined.contains(*s))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let name = ext.display();
    let mut msg = String::new();
    let foreign: Vec<String> = FOREIGN_HEADER_IMPORTS
        .iter()
        .filter(|(s, _)| missing.contains(s))
        .map(|(s, why)| format!("{s} ({why})"))
        .collect();
    if !foreign.is_empty() {
        msg.push_str(&format!(
            "{name} was compiled against another Python's headers, not pyopaque's: it imports {}, \
             which pyopaque's headers never produce. Rebuild it so that pyopaque's include \
             directory comes before any other Python's: {SETUPTOOLS_RECIPE}.\n",
            foreign.join(", ")
        ));
    }
    msg.push_str(&format!(
        "{name} needs {} symbol{} that libpyopaque_capi.so does not export: {}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        missing.join(", ")
    ));
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_elf_bytes_are_rejected() {
        assert!(parse(b"not an ELF file at all").is_none());
        assert!(parse(b"\x7fELF\x01\x01").is_none(), "32-bit is not read");
    }

    #[test]
    fn this_test_binary_has_libc_imports() {
        let exe = std::env::current_exe().unwrap();
        let syms = read(&exe).unwrap();
        assert!(
            syms.required.iter().any(|s| s == "malloc" || s == "write"),
            "{:?}",
            syms.required
        );
    }

    #[test]
    fn missing_symbols_are_all_listed_and_foreign_headers_named() {
        let ext = DynamicSymbols {
            defined: ["PyInit_m".to_string()].into(),
            required: ["PyList_New", "_Py_Dealloc", "Py_Nope", "memcpy"]
                .map(String::from)
                .into(),
        };
        let lib = DynamicSymbols {
            defined: ["PyList_New".to_string()].into(),
            required: BTreeSet::new(),
        };
        let err = check_loadable(Path::new("m.so"), &ext, &lib).unwrap_err();
        assert!(err.contains("needs 2 symbols"), "{err}");
        assert!(err.contains("Py_Nope, _Py_Dealloc"), "{err}");
        assert!(!err.contains("memcpy"), "{err}");
        assert!(err.contains("another Python's headers"), "{err}");
        assert!(err.contains("include_dirs"), "{err}");
        let ok = DynamicSymbols {
            defined: BTreeSet::new(),
            required: ["PyList_New".to_string()].into(),
        };
        assert!(check_loadable(Path::new("m.so"), &ok, &lib).is_ok());
    }
}
