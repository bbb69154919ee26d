//! The fuzzer's function table, derived from the reference data (never a hand list of
//! functions): candidate names are every function of `stable_abi.toml` and `refcounts.dat`;
//! signatures are parsed from the `PyAPI_FUNC` declarations of CPython's headers and of ours
//! (both must declare the function, with the same normalised signature); result ownership comes
//! from `refcounts.dat` (`+1` new, `0` borrowed; absent means new, the C API's convention).
//! A function is excluded by a named rule when the harness cannot supply an argument of its
//! kind or calling it at random is outside any runtime's contract; every exclusion is listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Functions that steal a reference to some arguments: `refcounts.dat` cannot express stealing
/// (its own header says so), so this comes from the C API documentation's "steals a reference"
/// notes. (name, stolen argument positions, stolen only on success).
const STEALS: &[(&str, &[usize], bool)] = &[
    ("PyList_SetItem", &[2], false),
    ("PyTuple_SetItem", &[2], false),
    ("PyStructSequence_SetItem", &[2], false),
    ("PyException_SetCause", &[1], false),
    ("PyException_SetContext", &[1], false),
    ("PyErr_Restore", &[0, 1, 2], false),
    ("PyErr_SetExcInfo", &[0, 1, 2], false),
    ("PyModule_AddObject", &[2], true),
];

/// Functions returning a borrowed reference that `refcounts.dat` does not list: named by the
/// reference data's own README ("Also borrowed but missing there").
const BORROWED_MISSING: &[&str] = &[
    "Py_GetConstantBorrowed",
    "PyType_GetModule",
    "PyType_GetModuleByDef",
    "PyCFunction_GetSelf",
    "PyInterpreterState_GetDict",
];

/// Results CPython defines as arbitrary (hash order): only their type is compared.
const UNSTABLE: &[&str] = &["PySet_Pop"];

/// Exclusion rules by name: (rule, predicate on the name).
type NameRule = (&'static str, fn(&str) -> bool);
const NAME_RULES: &[NameRule] = &[
    ("private (leading underscore)", |n| n.starts_with('_')),
    ("ends or re-initialises the process or interpreter", |n| {
        matches!(
            n,
            "Py_Exit"
                | "Py_FatalError"
                | "Py_Finalize"
                | "Py_FinalizeEx"
                | "Py_Initialize"
                | "Py_InitializeEx"
                | "Py_NewInterpreter"
                | "Py_EndInterpreter"
                | "Py_Main"
                | "Py_BytesMain"
                | "Py_RunMain"
                | "Py_AtExit"
                | "PyOS_BeforeFork"
                | "PyOS_AfterFork"
                | "PyOS_AfterFork_Parent"
                | "PyOS_AfterFork_Child"
                | "PySys_SetArgv"
                | "PySys_SetArgvEx"
                | "Py_SetStandardStreamEncoding"
        )
    }),
    (
        "thread and interpreter state (releasing the GIL the harness holds is outside the contract)",
        |n| {
            ["PyGILState_", "PyThreadState_", "PyInterpreterState_", "PyThread_"]
                .iter()
                .any(|p| n.starts_with(p))
                || (n.starts_with("PyEval_")
                    && ["Thread", "Lock", "SetProfile", "SetTrace"]
                        .iter()
                        .any(|w| n.contains(w)))
        },
    ),
    (
        "reference-count primitives (the ownership bookkeeping itself; a random decref frees what the pool uses)",
        |n| {
            matches!(
                n,
                "Py_IncRef" | "Py_DecRef" | "Py_INCREF" | "Py_DECREF" | "Py_XINCREF" | "Py_XDECREF" | "Py_CLEAR"
            )
        },
    ),
    ("raw memory (arguments are not objects)", |n| {
        n.starts_with("PyMem_")
            || matches!(
                n,
                "PyObject_Malloc"
                    | "PyObject_Calloc"
                    | "PyObject_Realloc"
                    | "PyObject_Free"
                    | "PyObject_GC_Del"
                    | "PyObject_GC_Track"
                    | "PyObject_GC_UnTrack"
                    | "PyObject_Init"
                    | "PyObject_InitVar"
            )
    }),
    (
        "asynchronous signal state (raises later, at a point no sequence controls)",
        |n| matches!(n, "PyErr_SetInterrupt" | "PyErr_SetInterruptEx" | "PyOS_setsig"),
    ),
    (
        "unchecked preconditions: CPython stores the argument without checking its type, and a \
         wrong one corrupts the error or exception state so that a later, unrelated call crashes",
        |n| {
            matches!(
                n,
                "PyErr_Restore"
                    | "PyErr_SetExcInfo"
                    | "PyErr_SetHandledException"
                    | "PyException_SetCause"
                    | "PyException_SetContext"
                    | "PyStructSequence_SetItem"
            )
        },
    ),
    (
        "process-wide interpreter settings (every later call's outcome would depend on them)",
        |n| matches!(n, "Py_SetRecursionLimit"),
    ),
    (
        "paired calls whose unbalanced use is outside the contract",
        |n| matches!(n, "Py_EnterRecursiveCall" | "Py_LeaveRecursiveCall"),
    ),
];

/// One argument or result type, normalised (`const char *`, `PyObject *`, `Py_ssize_t`).
fn normalise(decl: &str) -> Result<String, String> {
    let d = decl.trim();
    if d == "..." {
        return Err("variadic".into());
    }
    if d.contains('(') {
        return Err("callback (function pointer)".into());
    }
    if d.contains('[') {
        return Err("array argument".into());
    }
    let spaced = d.replace('*', " * ");
    let mut toks: Vec<&str> = spaced.split_whitespace().collect();
    const KEYWORDS: &[&str] = &[
        "int", "long", "short", "char", "unsigned", "signed", "double", "float", "void",
    ];
    if let Some(last) = toks.last() {
        let core: Vec<&&str> = toks[..toks.len() - 1]
            .iter()
            .filter(|t| **t != "*" && **t != "const")
            .collect();
        if *last != "*"
            && !KEYWORDS.contains(last)
            && !core.is_empty()
            && last.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            toks.pop();
        }
    }
    // `PyObject *const *` and `const char *` keep their const; a const after the last star
    // (`PyObject *const p`) qualifies the parameter itself and is dropped.
    while toks.last() == Some(&"const") {
        toks.pop();
    }
    let mut s = String::new();
    for t in toks {
        if t == "*" {
            if !s.ends_with('*') {
                s.push(' ');
            }
            s.push('*');
        } else {
            if !s.is_empty() && !s.ends_with('*') {
                s.push(' ');
            }
            s.push_str(t);
        }
    }
    Ok(s)
}

/// The harness's argument kind of a normalised parameter type.
fn arg_kind(t: &str) -> Result<char, String> {
    Ok(match t {
        "PyObject *" => 'O',
        "PyTypeObject *" => 'T',
        "const char *" => 'S',
        "Py_ssize_t" | "Py_hash_t" => 'N',
        "int" => 'I',
        "long" => 'L',
        "long long" => 'Q',
        "unsigned long" | "unsigned int" | "unsigned" | "size_t" | "unsigned long long"
        | "uint64_t" | "uint32_t" => 'U',
        "double" => 'D',
        "char" => 'C',
        "Py_UCS4" => 'W',
        t if t.contains('*') => {
            return Err(format!(
                "pointer argument `{t}` (out-parameter, buffer or struct)"
            ))
        }
        t => return Err(format!("argument type `{t}` the harness cannot supply")),
    })
}

/// The harness's result kind of a normalised return type.
fn ret_kind(t: &str) -> Result<char, String> {
    Ok(match t {
        "PyObject *" | "PyTypeObject *" => 'O',
        "void" => 'v',
        "int" | "long" | "long long" | "Py_ssize_t" | "signed char" => 'i',
        "unsigned long" | "unsigned int" | "unsigned" | "size_t" | "unsigned long long"
        | "Py_UCS4" | "uint64_t" | "uint32_t" => 'u',
        "Py_hash_t" => 'h',
        "double" => 'd',
        "const char *" | "char *" => 's',
        t if t.contains('*') => 'p',
        t => return Err(format!("result type `{t}` the harness cannot render")),
    })
}

/// A parsed `PyAPI_FUNC(ret) name(params);` declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    /// Normalised result type.
    pub ret: String,
    /// Normalised parameter types (empty for `(void)`), or the reason one cannot be normalised.
    pub params: Result<Vec<String>, String>,
}

/// Strips C comments and preprocessor line continuations.
fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'*' {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'/' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'\n' {
            i += 2;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The text inside balanced parentheses starting at `open` (which holds `(`); returns it and
/// the index after the closing parenthesis.
fn balanced(s: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    for (k, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&s[open + 1..open + k], open + k + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// Every `PyAPI_FUNC` declaration in the headers under `dir` (recursively).
pub fn parse_headers(dir: &Path) -> Result<BTreeMap<String, Decl>, String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "h") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = BTreeMap::new();
    for f in files {
        let text = strip_comments(&std::fs::read_to_string(&f).map_err(|e| e.to_string())?);
        let mut from = 0;
        while let Some(at) = text[from..].find("PyAPI_FUNC(") {
            let open = from + at + "PyAPI_FUNC".len();
            from = open;
            let Some((ret, after)) = balanced(&text, open) else {
                break;
            };
            if text[..from].ends_with("define PyAPI_FUNC") {
                continue;
            }
            let rest = &text[after..];
            let name_len = rest
                .trim_start()
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(0);
            let lead = rest.len() - rest.trim_start().len();
            let name = rest.trim_start()[..name_len].to_string();
            let paren = after + lead + name_len;
            if name.is_empty() || !text[paren..].trim_start().starts_with('(') {
                continue;
            }
            let paren = paren + (text[paren..].len() - text[paren..].trim_start().len());
            let Some((params, _)) = balanced(&text, paren) else {
                continue;
            };
            let ret = match normalise(ret) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let params = if params.trim() == "void" || params.trim().is_empty() {
                Ok(Vec::new())
            } else {
                params.split(',').map(normalise).collect()
            };
            out.entry(name).or_insert(Decl { ret, params });
        }
    }
    Ok(out)
}

/// `refcounts.dat`: function name -> result effect (`+1`, `0`, `null`, or empty for non-objects).
pub fn parse_refcounts(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 4 {
            continue;
        }
        // the first line of a block (empty parameter name) describes the result
        if f[2].is_empty() {
            out.entry(f[0].to_string()).or_insert(f[3].to_string());
        }
    }
    out
}

/// Function names of `stable_abi.toml` (`[function.NAME]` items).
pub fn parse_stable_abi(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("[function.")?.strip_suffix(']'))
        .map(str::to_string)
        .collect()
}

/// One callable entry of the dispatch table.
#[derive(Clone, Debug)]
pub struct Entry {
    /// C name.
    pub name: String,
    /// Parameter C types as declared (normalised), for the thunk's casts.
    pub params: Vec<String>,
    /// Argument kind letters.
    pub kinds: String,
    /// Result kind letter.
    pub ret: char,
    /// The result is a borrowed reference.
    pub borrowed: bool,
    /// Stolen argument positions (bit mask).
    pub steals: u32,
    /// Stolen only when the call succeeds.
    pub steal_on_success: bool,
    /// Category mask preferred for the first object argument.
    pub hint: u32,
    /// Result value arbitrary in CPython: type compared only.
    pub unstable: bool,
    /// CPython casts the first object argument without checking its type: always draw it
    /// from `hint`.
    pub strict: bool,
}

/// The table and every excluded candidate with its rule.
pub struct Spec {
    /// Functions the harness calls.
    pub entries: Vec<Entry>,
    /// (name, rule) for every candidate not called.
    pub excluded: Vec<(String, String)>,
}

/// Category bits of `harness.c` (`C_*`), by name prefix of the function: the first object
/// argument is drawn from objects of these categories 70% of the time.
fn hint_for(name: &str) -> u32 {
    const INT: u32 = 1;
    const FLOAT: u32 = 2;
    const STR: u32 = 4;
    const BYTES: u32 = 8;
    const BYTEARRAY: u32 = 16;
    const TUPLE: u32 = 32;
    const LIST: u32 = 64;
    const DICT: u32 = 128;
    const SET: u32 = 256;
    const COMPLEX: u32 = 512;
    const EXC: u32 = 1024;
    const TYPE: u32 = 2048;
    const EXCTYPE: u32 = 4096;
    const CALL: u32 = 8192;
    const MODULE: u32 = 16384;
    const CAPSULE: u32 = 32768;
    const ITER: u32 = 65536;
    const SLICE: u32 = 1 << 17;
    const MEMVIEW: u32 = 1 << 18;
    const UNIERR: u32 = 1 << 21;
    const STRUCTSEQ: u32 = 1 << 22;
    let table: &[(&str, u32)] = &[
        ("PyUnicodeEncodeError_", UNIERR),
        ("PyUnicodeDecodeError_", UNIERR),
        ("PyUnicodeTranslateError_", UNIERR),
        ("PyStructSequence_", STRUCTSEQ),
        ("PyLong_", INT),
        ("PyBool_", INT),
        ("PyFloat_", FLOAT),
        ("PyComplex_", COMPLEX),
        ("PyUnicode_", STR),
        ("PyBytes_", BYTES),
        ("PyByteArray_", BYTEARRAY),
        ("PyTuple_", TUPLE),
        ("PyList_", LIST),
        ("PyDict_", DICT),
        ("PySet_", SET),
        ("PyFrozenSet_", SET),
        ("PyAnySet_", SET),
        ("PyException_", EXC),
        ("PyErr_", EXCTYPE),
        ("PyType_", TYPE),
        ("PyObject_Call", CALL),
        ("PyObject_Vectorcall", CALL),
        ("PyCallable_", CALL),
        ("PyModule_", MODULE),
        ("PyCapsule_", CAPSULE),
        ("PyIter_", ITER),
        ("PySlice_", SLICE),
        ("PyMemoryView_", BYTES | BYTEARRAY | MEMVIEW),
        ("PySequence_", LIST | TUPLE | STR),
        ("PyMapping_", DICT),
        ("PyNumber_", INT | FLOAT),
        ("PyIndex_", INT),
    ];
    table
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map_or(0, |(_, h)| *h)
}

/// The names among `names` that CPython's library exports (asked of `python3` through
/// `ctypes.pythonapi`: a header may declare what a platform does not build, e.g. Windows code
/// pages).
fn cpython_exports<'a>(
    names: impl Iterator<Item = &'a String>,
) -> Result<BTreeSet<String>, String> {
    use std::io::Write;
    let list: Vec<&String> = names.collect();
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import ctypes, sys\nfor n in sys.stdin.read().split():\n    if hasattr(ctypes.pythonapi, n): print(n)",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let text: String = list.iter().map(|n| format!("{n}\n")).collect();
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect())
}

/// Functions whose first object argument CPython casts to its concrete struct without a type
/// check (the documentation states the type as a precondition): the harness draws it from the
/// matching pool objects only, since any other object is outside the contract (memory
/// corruption, not an error).
fn strict_first_argument(name: &str) -> bool {
    ([
        "PyException_",
        "PyUnicodeEncodeError_",
        "PyUnicodeDecodeError_",
        "PyUnicodeTranslateError_",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        && !name.ends_with("_Create"))
        || name == "PyStructSequence_GetItem"
}

/// Builds the table from the reference data and both header sets.
pub fn build(
    reference: &Path,
    ours: &Path,
    cpython: &Path,
    our_exports: &dyn Fn(&str) -> bool,
) -> Result<Spec, String> {
    let read = |p: PathBuf| {
        std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let abi = parse_stable_abi(&read(reference.join("stable_abi.toml"))?);
    let rc = parse_refcounts(&read(reference.join("refcounts.dat"))?);
    let our = parse_headers(ours)?;
    let cpy = parse_headers(cpython)?;
    let exported = cpython_exports(cpy.keys())?;
    let mut names: BTreeSet<String> = abi.clone();
    names.extend(rc.keys().cloned());
    let mut entries = Vec::new();
    let mut excluded = Vec::new();
    'names: for name in names {
        for (rule, pred) in NAME_RULES {
            if pred(&name) {
                excluded.push((name, rule.to_string()));
                continue 'names;
            }
        }
        let Some(c) = cpy.get(&name) else {
            excluded.push((
                name,
                "no PyAPI_FUNC declaration in CPython 3.11's headers (newer, removed, or a macro)"
                    .into(),
            ));
            continue;
        };
        if !exported.contains(&name) {
            excluded.push((
                name,
                "not exported by CPython 3.11's library on this platform".into(),
            ));
            continue;
        }
        let Some(o) = our.get(&name) else {
            excluded.push((name, "not declared by pyopaque's headers".into()));
            continue;
        };
        if !our_exports(&name) {
            excluded.push((
                name,
                "declared by pyopaque's headers but not exported by libpyopaque_capi.so (a header defect)"
                    .into(),
            ));
            continue;
        }
        let params = match &c.params {
            Ok(p) => p.clone(),
            Err(e) => {
                excluded.push((name, e.clone()));
                continue;
            }
        };
        if o != c {
            excluded.push((
                name,
                format!(
                    "signature differs between the headers (CPython {} ({}), ours {} ({}))",
                    c.ret,
                    params.join(", "),
                    o.ret,
                    o.params.as_ref().map(|p| p.join(", ")).unwrap_or_default()
                ),
            ));
            continue;
        }
        let kinds: Result<String, String> = params.iter().map(|p| arg_kind(p)).collect();
        let kinds = match kinds {
            Ok(k) if k.len() <= 8 => k,
            Ok(_) => {
                excluded.push((name, "more than 8 arguments".into()));
                continue;
            }
            Err(e) => {
                excluded.push((name, e));
                continue;
            }
        };
        let ret = match ret_kind(&c.ret) {
            Ok(r) => r,
            Err(e) => {
                excluded.push((name, e));
                continue;
            }
        };
        let (steals, steal_on_success) = STEALS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map_or((0, false), |(_, pos, on_success)| {
                (pos.iter().fold(0u32, |m, p| m | 1 << p), *on_success)
            });
        entries.push(Entry {
            borrowed: ret == 'O'
                && (rc.get(&name).is_some_and(|e| e == "0")
                    || BORROWED_MISSING.contains(&name.as_str())),
            hint: hint_for(&name),
            unstable: UNSTABLE.contains(&name.as_str()),
            strict: strict_first_argument(&name),
            name,
            params,
            kinds,
            ret,
            steals,
            steal_on_success,
        });
    }
    Ok(Spec { entries, excluded })
}

/// The C cast of a harness value to parameter type `t` of kind `k`.
fn cast(k: char, t: &str, i: usize) -> String {
    match k {
        'O' | 'T' => format!("({t})a[{i}].o"),
        'S' => format!("a[{i}].s"),
        'D' => format!("a[{i}].d"),
        'U' => format!("({t})a[{i}].u"),
        _ => format!("({t})a[{i}].i"),
    }
}

fn c_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `fuzz_table.h`: one thunk per entry and the table `FZ_TABLE`.
pub fn generate_c(entries: &[Entry]) -> String {
    let mut s =
        String::from("/* Generated by `pyopaque fuzz` from the reference data; do not edit. */\n");
    s.push_str("#pragma GCC diagnostic ignored \"-Wdeprecated-declarations\"\n");
    for (n, e) in entries.iter().enumerate() {
        let args: Vec<String> = e
            .kinds
            .chars()
            .zip(&e.params)
            .enumerate()
            .map(|(i, (k, t))| cast(k, t, i))
            .collect();
        let call = format!("{}({})", e.name, args.join(", "));
        let body = match e.ret {
            'O' => format!("r->o = (PyObject *){call};"),
            'v' => format!("{call};"),
            'u' => format!("r->u = (unsigned long long){call};"),
            'd' => format!("r->d = (double){call};"),
            's' => format!("r->s = (const char *){call};"),
            'p' => format!("r->p = (const void *){call};"),
            _ => format!("r->i = (long long){call};"),
        };
        s.push_str(&format!(
            "static void fz_t{n}(fz_val *a, fz_val *r) {{ (void)a; (void)r; {body} }}\n"
        ));
    }
    s.push_str(&format!(
        "#define FZ_NFUNC {}\nstatic const fz_fn FZ_TABLE[] = {{\n",
        entries.len()
    ));
    for (n, e) in entries.iter().enumerate() {
        s.push_str(&format!(
            "    {{{}, {}, '{}', {}, {}u, {}, {}u, {}, {}, fz_t{n}}},\n",
            c_string(&e.name),
            c_string(&e.kinds),
            e.ret,
            u8::from(e.borrowed),
            e.steals,
            u8::from(e.steal_on_success),
            e.hint,
            u8::from(e.unstable),
            u8::from(e.strict),
        ));
    }
    s.push_str("};\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_parameters() {
        assert_eq!(normalise("PyObject *list").unwrap(), "PyObject *");
        assert_eq!(normalise("const char *name").unwrap(), "const char *");
        assert_eq!(normalise("Py_ssize_t").unwrap(), "Py_ssize_t");
        assert_eq!(normalise("unsigned long").unwrap(), "unsigned long");
        assert_eq!(normalise("unsigned long v").unwrap(), "unsigned long");
        assert_eq!(normalise("PyObject **p").unwrap(), "PyObject **");
        assert_eq!(
            normalise("PyObject *const *args").unwrap(),
            "PyObject *const *"
        );
        assert!(normalise("...").is_err());
        assert!(normalise("void (*f)(void)").is_err());
    }

    #[test]
    fn parses_multiline_declarations() {
        let dir = std::env::temp_dir().join(format!("pyopaque-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.h"),
            "#define PyAPI_FUNC(RTYPE) RTYPE\n/* c */ PyAPI_FUNC(PyObject *) PyX_Get(\n    PyObject *o, /* x */\n    Py_ssize_t i);\nPyAPI_FUNC(int) PyX_N(void);\n",
        )
        .unwrap();
        let d = parse_headers(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(d["PyX_Get"].ret, "PyObject *");
        assert_eq!(
            d["PyX_Get"].params,
            Ok(vec!["PyObject *".to_string(), "Py_ssize_t".to_string()])
        );
        assert_eq!(d["PyX_N"].params, Ok(vec![]));
    }

    #[test]
    fn result_ownership_from_refcounts() {
        let rc = parse_refcounts("PyList_GetItem:PyObject*::0:\nPyList_GetItem:PyObject*:list:0:\n\nPyList_New:PyObject*::+1:\n");
        assert_eq!(rc["PyList_GetItem"], "0");
        assert_eq!(rc["PyList_New"], "+1");
    }
}
