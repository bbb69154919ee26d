//! Our headers against the library: every function and data item a header declares
//! (`PyAPI_FUNC`, `PyAPI_DATA`) is exported by `libpyopaque_capi.so`, so a module never fails
//! to load on a symbol our own headers promised; and the headers compile cleanly
//! (`-Wall -Wextra -Werror`) as C11 and as C++17, with and without `Py_LIMITED_API`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn include_dir() -> PathBuf {
    common::crate_dir().join("include")
}

fn headers() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(include_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "h"))
        .collect();
    v.sort();
    v
}

/// The header text without comments and preprocessor lines (so a macro *defining*
/// `PyAPI_FUNC` is not taken for a declaration).
fn declarations_text(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
            out.push(' ');
        } else if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
            out.push('\n');
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let mut kept = String::new();
    let mut continued = false;
    for line in out.lines() {
        let directive = continued || line.trim_start().starts_with('#');
        continued = directive && line.trim_end().ends_with('\\');
        if !directive {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// Names declared with `PyAPI_FUNC(T) name(` or `PyAPI_DATA(T) name;` in `text`.
fn declared_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for marker in ["PyAPI_FUNC", "PyAPI_DATA"] {
        let mut rest = text;
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            let Some(open) = rest.trim_start().strip_prefix('(') else {
                continue;
            };
            // Skip the balanced type argument.
            let mut depth = 1usize;
            let mut end = None;
            for (j, c) in open.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else { break };
            let after = open[end + 1..].trim_start_matches(|c: char| c.is_whitespace() || c == '*');
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

fn exported_symbols(lib: &Path) -> BTreeSet<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib)
        .output()
        .expect("run nm");
    assert!(out.status.success(), "nm failed on {}", lib.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect()
}

#[test]
fn the_declaration_scanner_skips_macros_and_comments() {
    let text = declarations_text(
        "#define PyAPI_FUNC(RTYPE) extern RTYPE\n/* PyAPI_FUNC(int) Commented(void); */\n\
         PyAPI_FUNC(PyObject *) PyX_New(int);\nPyAPI_DATA(PyTypeObject) PyX_Type;\n\
         PyAPI_FUNC(int (*)(void)) PyX_Getter(void);\n",
    );
    assert_eq!(declared_names(&text), ["PyX_New", "PyX_Getter", "PyX_Type"]);
}

#[test]
#[cfg_attr(miri, ignore)]
fn every_declared_function_and_data_item_is_exported() {
    let lib = common::shim_lib();
    let exported = exported_symbols(&lib);
    let mut declared = BTreeSet::new();
    let mut missing = Vec::new();
    for h in headers() {
        let text = declarations_text(&std::fs::read_to_string(&h).unwrap());
        for n in declared_names(&text) {
            if !exported.contains(&n) {
                missing.push(format!(
                    "{n} ({})",
                    h.file_name().unwrap().to_string_lossy()
                ));
            }
            declared.insert(n);
        }
    }
    assert!(
        declared.len() > 900,
        "only {} declarations found",
        declared.len()
    );
    assert!(
        missing.is_empty(),
        "{} declared in our headers but not exported by {}:\n{}",
        missing.len(),
        lib.display(),
        missing.join("\n")
    );
}

/// A translation unit including every public header.
fn all_headers_tu() -> String {
    let mut s = String::from("#include \"Python.h\"\n");
    for h in headers() {
        s.push_str(&format!(
            "#include \"{}\"\n",
            h.file_name().unwrap().to_string_lossy()
        ));
    }
    s.push_str("int pyopaque_headers_compile(void) { return PY_VERSION_HEX > 0; }\n");
    s
}

fn compile(compiler: &str, std: &str, ext: &str, defines: &[&str]) -> Result<(), String> {
    let dir = common::scratch("pyopaque-headers");
    let tag = format!("{compiler}-{std}-{}", defines.join("-")).replace(['=', '/'], "_");
    let src = dir.join(format!("all_{tag}.{ext}"));
    std::fs::write(&src, all_headers_tu()).unwrap();
    let out = Command::new(compiler)
        .args([
            &format!("-std={std}"),
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
        ])
        .args(defines)
        .arg(format!("-I{}", include_dir().display()))
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run {compiler}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{compiler} -std={std} {defines:?}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn headers_compile_without_warnings_as_c11_and_cpp17() {
    let mut problems = Vec::new();
    for defines in [
        &[][..],
        &["-DPy_LIMITED_API=0x030F0000"][..],
        &["-DPy_LIMITED_API=0x030B0000"][..],
        &["-DPy_LIMITED_API=0x030F0000", "-DCYTHON_LIMITED_API=1"][..],
    ] {
        if let Err(e) = compile("gcc", "c11", "c", defines) {
            problems.push(e);
        }
        if let Err(e) = compile("g++", "c++17", "cpp", defines) {
            problems.push(e);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
