//! Classifying compile errors by cause, from gcc's own diagnostics (never hand-written): each
//! `FILE:LINE:COL: error: MESSAGE` line is matched against the rules below, in order; the first
//! rule whose patterns all occur in the message names the cause. A message no rule matches is
//! `other`, and is kept verbatim in the JSON so a new cause can be added from it.

use std::collections::BTreeMap;

/// Why an extension does not compile against our headers (the table).
pub const CAUSES: &[(&str, &str)] = &[
    ("missing-header", "a header CPython has that ours lack"),
    (
        "pytypeobject-member",
        "PyTypeObject member access (tp_* of an opaque type)",
    ),
    (
        "static-type-definition",
        "static PyTypeObject definitions / slot tables",
    ),
    (
        "ob-type-direct",
        "ob_type / ob_refcnt / ob_size direct access",
    ),
    (
        "pyunicode-internals",
        "PyUnicode internals (state, data, compact layout)",
    ),
    (
        "other-cpython-struct",
        "other CPython structs (frames, long digits, dict internals, ...)",
    ),
    (
        "missing-name",
        "a name CPython 3.11 has that our headers lack",
    ),
    (
        "limited-api-excluded",
        "a name outside the Limited API (limited level only)",
    ),
    ("other", "anything else"),
];

/// One error line from gcc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Source file as gcc printed it.
    pub file: String,
    /// `FILE:LINE` (a follow-on error on the same line shares the first one's cause).
    pub line: String,
    /// The message after `error: `.
    pub message: String,
}

/// The `error:` diagnostics in gcc's output (warnings and notes are skipped).
pub fn diagnostics(stderr: &str) -> Vec<Diagnostic> {
    stderr
        .lines()
        .filter_map(|l| {
            let (loc, msg) = l
                .split_once(": error: ")
                .or_else(|| l.split_once(": fatal error: "))?;
            let mut parts = loc.split(':');
            let file = parts.next().unwrap_or(loc).to_string();
            let line = format!("{file}:{}", parts.next().unwrap_or(""));
            Some(Diagnostic {
                file,
                line,
                message: msg.trim().to_string(),
            })
        })
        .collect()
}

/// The identifier quoted in a gcc message (`'name'` or the Unicode quotes gcc uses in UTF-8
/// locales), if any.
fn quoted(msg: &str) -> Option<&str> {
    let s = msg.find(['\'', '\u{2018}'])?;
    let rest = &msg[s..];
    let open = rest.chars().next()?.len_utf8();
    let body = &rest[open..];
    let e = body.find(['\'', '\u{2019}'])?;
    Some(&body[..e])
}

/// The cause of one diagnostic; `limited` when compiling with `Py_LIMITED_API`.
pub fn cause(d: &Diagnostic, limited: bool) -> &'static str {
    let m = d.message.as_str();
    // The member of a "has no member named 'x'" message, else the first quoted name.
    let name = m
        .split("has no member named")
        .nth(1)
        .and_then(quoted)
        .or_else(|| quoted(m))
        .unwrap_or("");
    if m.contains("No such file or directory") {
        return "missing-header";
    }
    let member_of = |s: &str| m.contains("has no member named") && m.contains(s);
    let incomplete =
        m.contains("incomplete type") || m.contains("dereferencing pointer to incomplete");
    if name.starts_with("ob_type") || name == "ob_refcnt" || name == "ob_size" || name == "ob_base"
    {
        return "ob-type-direct";
    }
    if name.starts_with("tp_") || m.contains("struct _typeobject") || member_of("tp_") {
        return "pytypeobject-member";
    }
    if (incomplete && m.contains("PyTypeObject"))
        || m.contains("storage size of")
        || (m.contains("PyTypeObject") && m.contains("initializer"))
        || name == "PyVarObject_HEAD_INIT"
    {
        return "static-type-definition";
    }
    if name == "PyUnicodeObject"
        || name.starts_with("PyUnicode_")
            && (name.contains("KIND")
                || name.contains("DATA")
                || name.contains("IS_COMPACT")
                || name.contains("IS_ASCII")
                || name.contains("READ")
                || name.contains("WRITE")
                || name.contains("_1BYTE")
                || name.contains("_2BYTE")
                || name.contains("_4BYTE")
                || name == "PyUnicode_WCHAR_KIND")
        || name.starts_with("Py_UCS")
        || m.contains("PyASCIIObject")
        || m.contains("PyCompactUnicodeObject")
    {
        return "pyunicode-internals";
    }
    if incomplete
        || m.contains("has no member named")
        || m.contains("invalid use of undefined type")
    {
        return "other-cpython-struct";
    }
    if m.contains("undeclared")
        || m.contains("implicit declaration")
        || m.contains("unknown type name")
    {
        return if limited {
            "limited-api-excluded"
        } else {
            "missing-name"
        };
    }
    "other"
}

/// The cause of each of `diags`: a syntax error (`expected ...`) on a line that already had an
/// error is a follow-on of it and takes its cause.
pub fn causes(diags: &[Diagnostic], limited: bool) -> Vec<&'static str> {
    let mut first: BTreeMap<&str, &'static str> = BTreeMap::new();
    diags
        .iter()
        .map(|d| {
            let own = cause(d, limited);
            let c = match first.get(d.line.as_str()) {
                Some(c) if own == "other" && d.message.starts_with("expected") => c,
                _ => own,
            };
            first.entry(d.line.as_str()).or_insert(c);
            c
        })
        .collect()
}

/// Counts of `diags` by cause (see [`causes`]).
pub fn by_cause(diags: &[Diagnostic], limited: bool) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for c in causes(diags, limited) {
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: &str) -> Diagnostic {
        Diagnostic {
            file: "x.c".into(),
            line: "x.c:1".into(),
            message: m.into(),
        }
    }

    #[test]
    fn gcc_lines_are_parsed_and_classified() {
        let out = "x.c:3:10: fatal error: frameobject.h: No such file or directory\n\
                   x.c:9:5: warning: unused\n\
                   x.c:12:7: error: invalid use of incomplete typedef 'PyTypeObject'\n";
        let v = diagnostics(out);
        assert_eq!(v.len(), 2);
        assert_eq!(cause(&v[0], false), "missing-header");
        assert_eq!(cause(&v[1], false), "static-type-definition");
        assert_eq!(
            cause(&d("'PyTypeObject' has no member named 'tp_alloc'"), false),
            "pytypeobject-member"
        );
        assert_eq!(
            cause(&d("'PyObject' has no member named 'ob_type'"), false),
            "ob-type-direct"
        );
        assert_eq!(
            cause(
                &d("'PyUnicode_4BYTE_KIND' undeclared (first use in this function)"),
                false
            ),
            "pyunicode-internals"
        );
        assert_eq!(
            cause(&d("implicit declaration of function 'PyFoo_Bar'"), false),
            "missing-name"
        );
        assert_eq!(
            cause(&d("implicit declaration of function 'PyFoo_Bar'"), true),
            "limited-api-excluded"
        );
        assert_eq!(cause(&d("expected ';' before '}' token"), false), "other");
    }
}
