//! Reading harness logs, comparing a pyopaque log with CPython's line by line, and classifying
//! each difference (a documented verdict, a deliberate difference written in docs/design.md, or
//! a bug).

use std::collections::BTreeMap;

use serde::Serialize;

/// One call line of a log: `i name(args) [#mask cat] -> outcome`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Index in the sequence.
    pub index: usize,
    /// API function.
    pub name: String,
    /// Rendered arguments (pool indices, values).
    pub args: String,
    /// Exclusion key (`mask category`), present on crash lines only.
    pub key: Option<(String, String)>,
    /// Rendered outcome; `X` excluded, `-` skipped, `CRASH n` / `HANG n`.
    pub outcome: String,
}

/// Parses a call line; `None` for pool, count and end lines.
pub fn parse_call(line: &str) -> Option<Call> {
    let (idx, rest) = line.split_once(' ')?;
    let index: usize = idx.parse().ok()?;
    let open = rest.find('(')?;
    let name = rest[..open].to_string();
    let (head, outcome) = rest.split_once(" -> ")?;
    let (head, key) = match head.rfind(" #") {
        Some(k) if head[..k].ends_with(')') => {
            let mut it = head[k + 2..].splitn(2, ' ');
            let mask = it.next().unwrap_or("").to_string();
            let cat = it.next().unwrap_or("").to_string();
            (&head[..k], Some((mask, cat)))
        }
        _ => (head, None),
    };
    Some(Call {
        index,
        name,
        args: head[open..].to_string(),
        key,
        outcome: outcome.to_string(),
    })
}

/// The call that ended a log abnormally (`CRASH`/`HANG` line), if any.
pub fn fatal_call(log: &[String]) -> Option<Call> {
    log.iter()
        .rev()
        .take(2)
        .filter_map(|l| parse_call(l))
        .find(|c| c.outcome.starts_with("CRASH") || c.outcome.starts_with("HANG"))
}

/// A verdict of the C API matrix for one configuration.
pub type Verdicts = BTreeMap<String, (String, String)>;

/// Reads `docs/capi-matrix.json` (generated from the library's verdict tables): name ->
/// (verdict, reason or cost) for configuration `label`.
pub fn load_verdicts(label: &str) -> Verdicts {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("capi-matrix.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Verdicts::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Verdicts::new();
    };
    let mut out = Verdicts::new();
    for e in v["entries"].as_array().into_iter().flatten() {
        let Some(name) = e["name"].as_str() else {
            continue;
        };
        let cell = &e["verdicts"][label];
        let verdict = cell["verdict"].as_str().unwrap_or("").to_string();
        let why = cell["reason"]
            .as_str()
            .or(cell["cost"].as_str())
            .unwrap_or("")
            .to_string();
        out.insert(name.to_string(), (verdict, why));
    }
    out
}

/// Deliberate semantic differences, each written in docs/design.md ("Differential fuzzer"):
/// (function, CPython outcome prefix, pyopaque outcome prefix, reason). `*` matches anything.
const DELIBERATE: &[(&str, &str, &str, &str)] = &[
    (
        "Py_GetCompiler",
        "*",
        "*",
        "names the compiler that built the runtime (rustc), not CPython's C compiler",
    ),
    (
        "PyImport_GetModuleDict",
        "*",
        "*",
        "sys.modules holds only modules C created: pyopaque runs no Python code, so CPython's start-up modules are absent",
    ),
    (
        "PyUnicode_AsUTF8",
        "*",
        "!ValueError",
        "an embedded NUL raises ValueError, as in CPython 3.13 and later (pyopaque's headers claim 3.15); CPython 3.11 returns the pointer",
    ),
    (
        "PyLong_GetInfo",
        "*",
        "*",
        "pyopaque's big ints have 64-bit digits and no string-conversion limit: sys.int_info(64, 8, 0, 0)",
    ),
    (
        "PyModule_NewObject",
        "*",
        "!TypeError",
        "a module's name must be a str (the module keeps it as a C string for PyModule_GetName); CPython accepts any object",
    ),
    (
        "PyImport_AddModuleObject",
        "*",
        "!TypeError",
        "a module's name must be a str (as for PyModule_NewObject); CPython accepts any object",
    ),
];

/// The class of one difference and its justification.
pub fn classify(name: &str, cpython: &str, ours: &str, verdicts: &Verdicts) -> (String, String) {
    if let Some((verdict, why)) = verdicts.get(name) {
        if verdict == "not-implementable" || verdict == "not-applicable" {
            return (verdict.clone(), why.clone());
        }
    }
    for (f, c, o, why) in DELIBERATE {
        // `*` matches anything, `!Exc` an outcome raising Exc, anything else a prefix.
        let m = |pat: &str, s: &str| {
            pat == "*"
                || s.starts_with(pat)
                || (pat.starts_with('!') && s.split(' ').any(|w| w.contains(pat)))
        };
        if *f == name && m(c, cpython) && m(o, ours) {
            return ("deliberate".into(), why.to_string());
        }
    }
    ("bug".into(), String::new())
}

/// Outcome shape for grouping: the exception type, or the result kind without its value.
fn shape(outcome: &str) -> String {
    if let Some(k) = outcome.find('!') {
        return outcome[k..].split(' ').next().unwrap_or("").to_string();
    }
    outcome.to_string()
}

/// One group of differences (same function, same outcome shapes).
#[derive(Clone, Debug, Serialize)]
pub struct Divergence {
    /// API function.
    pub function: String,
    /// CPython's outcome (first example).
    pub cpython: String,
    /// pyopaque's outcome (first example).
    pub pyopaque: String,
    /// How many calls differed this way.
    pub count: usize,
    /// bug | deliberate | not-implementable | not-applicable.
    pub class: String,
    /// The verdict's reason or the design note.
    pub reason: String,
    /// First example: seed, call index, arguments.
    pub seed: u64,
    /// Index of that call.
    pub index: usize,
    /// Its arguments.
    pub args: String,
    /// It was the first difference of its batch (later ones may follow from it).
    pub first_in_batch: bool,
}

/// The comparison of one batch.
#[derive(Default)]
pub struct BatchResult {
    /// Calls run on pyopaque (not excluded, not skipped).
    pub in_contract: usize,
    /// Of those, identical outcome.
    pub agreed: usize,
    /// Calls excluded because they crash or hang CPython.
    pub excluded: usize,
    /// Distinct functions called.
    pub functions: std::collections::BTreeSet<String>,
    /// Differences (one per call).
    pub diffs: Vec<(Call, String)>,
    /// Pool lines that differ (construction).
    pub pool_diffs: Vec<(String, String)>,
    /// Pool objects pyopaque refuses to build with a documented `NotImplementedError`
    /// ("pyopaque: ..."): (CPython's pool line, pyopaque's). Calls that use them are not
    /// compared (counted in `unavailable_calls`).
    pub pool_unavailable: Vec<(String, String)>,
    /// Calls skipped because an argument is an unavailable pool object.
    pub unavailable_calls: usize,
    /// Reference-count deltas that differ: (pool line, CPython, pyopaque).
    pub count_diffs: Vec<(String, String, String)>,
    /// The batch did not finish on pyopaque: the call that crashed or hung, or a description.
    pub fatal: Option<String>,
}

/// Compares pyopaque's log with CPython's. Under `tracing`, only C-held references are
/// counted, so every counted object's delta must be 0 rather than CPython's.
pub fn compare(cpy: &[String], ours: &[String], tracing: bool) -> BatchResult {
    let mut r = BatchResult::default();
    let mut ours_calls: BTreeMap<usize, Call> = BTreeMap::new();
    let mut ours_other: BTreeMap<String, String> = BTreeMap::new();
    for l in ours {
        if let Some(c) = parse_call(l) {
            ours_calls.insert(c.index, c);
        } else if let Some((k, v)) = l.split_once(' ') {
            ours_other.insert(k.to_string(), v.to_string());
        }
    }
    let mut unavailable: Vec<String> = Vec::new();
    let mut refused_types: Vec<String> = Vec::new();
    for l in cpy {
        if let Some(c) = parse_call(l) {
            if c.outcome == "X" {
                r.excluded += 1;
                continue;
            }
            if c.outcome == "-" {
                continue;
            }
            if uses_any(&c.args, &unavailable) {
                r.unavailable_calls += 1;
                continue;
            }
            let Some(o) = ours_calls.get(&c.index) else {
                continue;
            };
            if o.outcome.starts_with("CRASH") || o.outcome.starts_with("HANG") {
                r.fatal = Some(format!("{} {}{} -> {}", o.index, o.name, o.args, o.outcome));
                continue;
            }
            r.in_contract += 1;
            r.functions.insert(c.name.clone());
            if o.outcome == c.outcome && o.name == c.name && o.args == c.args {
                r.agreed += 1;
            } else {
                r.diffs.push((c.clone(), o.outcome.clone()));
            }
        } else if let Some((k, v)) = l.split_once(' ') {
            let theirs = ours_other
                .get(k)
                .cloned()
                .unwrap_or_else(|| "missing".into());
            if k.starts_with('P') && theirs != v {
                // an instance of a type pyopaque refused is refused with it
                let of_refused = theirs == "NULL"
                    && v.strip_prefix('<')
                        .and_then(|x| x.strip_suffix('>'))
                        .is_some_and(|t| refused_types.iter().any(|r| r == t));
                if (documented_refusal(&theirs) || of_refused) && !v.starts_with("NULL") {
                    if let Some(t) = v.strip_prefix("type:") {
                        refused_types.push(t.to_string());
                    }
                    unavailable.push(format!("o{}", &k[1..]));
                    r.pool_unavailable.push((format!("{k} {v}"), theirs));
                } else {
                    r.pool_diffs.push((format!("{k} {v}"), theirs));
                }
            } else if k.starts_with('R') {
                let expect = if tracing { "+0" } else { v };
                if theirs != expect {
                    r.count_diffs
                        .push((k.to_string(), expect.to_string(), theirs));
                }
            }
        }
    }
    if r.fatal.is_none() && ours.last().is_none_or(|l| l != "END") {
        r.fatal = Some(match ours.last() {
            Some(l) => format!("ended after: {l}"),
            None => "no output".into(),
        });
    }
    r
}

/// A pool line of a construction pyopaque refuses on purpose: NULL with a
/// `NotImplementedError` whose message starts "pyopaque:" (the shim's wording for a
/// documented limitation).
fn documented_refusal(line: &str) -> bool {
    line.starts_with("NULL !NotImplementedError: pyopaque:")
}

/// Does the rendered argument list `(a,b,...)` name one of `objs` (`o12` tokens)?
fn uses_any(args: &str, objs: &[String]) -> bool {
    !objs.is_empty()
        && args
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(',')
            .any(|a| objs.iter().any(|o| o == a))
}

/// Groups the differences of many batches.
pub fn group(diffs: &[(u64, Call, String, bool)], verdicts: &Verdicts) -> Vec<Divergence> {
    let mut groups: BTreeMap<(String, String, String), Divergence> = BTreeMap::new();
    for (seed, c, ours, first) in diffs {
        let key = (c.name.clone(), shape(&c.outcome), shape(ours));
        let g = groups.entry(key).or_insert_with(|| {
            let (class, reason) = classify(&c.name, &c.outcome, ours, verdicts);
            Divergence {
                function: c.name.clone(),
                cpython: c.outcome.clone(),
                pyopaque: ours.clone(),
                count: 0,
                class,
                reason,
                seed: *seed,
                index: c.index,
                args: c.args.clone(),
                first_in_batch: *first,
            }
        });
        g.count += 1;
        g.first_in_batch |= *first;
    }
    let mut v: Vec<Divergence> = groups.into_values().collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.function.cmp(&b.function)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_call_lines() {
        let c = parse_call("12 PyList_Append(o3,NULL) -> -1 !SystemError").unwrap();
        assert_eq!((c.index, c.name.as_str()), (12, "PyList_Append"));
        assert_eq!(c.args, "(o3,NULL)");
        assert_eq!(c.outcome, "-1 !SystemError");
        let c = parse_call("7 PyNumber_Add(NULL,o1) #N. null -> CRASH 11").unwrap();
        assert_eq!(c.key, Some(("N.".into(), "null".into())));
        assert_eq!(c.args, "(NULL,o1)");
        assert!(parse_call("P3 'abc'").is_none());
        assert!(parse_call("R4 +1").is_none());
    }

    #[test]
    fn compares_outcomes_and_counts() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cpy = s(&[
            "P0 None",
            "0 F(o0) -> 1",
            "1 G(o0) -> X",
            "2 H() -> 0",
            "R0 +1",
            "END",
        ]);
        let ours = s(&[
            "P0 None",
            "0 F(o0) -> 1",
            "1 G(o0) -> X",
            "2 H() -> !TypeError",
            "R0 +2",
            "END",
        ]);
        let r = compare(&cpy, &ours, false);
        assert_eq!((r.in_contract, r.agreed, r.excluded), (2, 1, 1));
        assert_eq!(r.diffs.len(), 1);
        assert_eq!(r.count_diffs, vec![("R0".into(), "+1".into(), "+2".into())]);
        assert!(r.fatal.is_none());
        let crashed = s(&["P0 None", "0 F(o0) #. int -> CRASH 11"]);
        assert!(compare(&cpy, &crashed, false).fatal.is_some());
        let traced = s(&[
            "P0 None",
            "0 F(o0) -> 1",
            "1 G(o0) -> X",
            "2 H() -> 0",
            "R0 +0",
            "END",
        ]);
        assert!(compare(&cpy, &traced, true).count_diffs.is_empty());
    }

    #[test]
    fn documented_pool_refusals_skip_the_calls_that_use_them() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cpy = s(&[
            "P0 None",
            "P1 type:IntSub",
            "P2 <Odd>",
            "P3 <IntSub>",
            "0 F(o1,5) -> 1",
            "1 F(o0) -> 1",
            "2 F(o12) -> 1",
            "END",
        ]);
        let ours = s(&[
            "P0 None",
            "P1 NULL !NotImplementedError: pyopaque: spec types may only derive from object",
            "P2 NULL !TypeError: surprise",
            "P3 NULL",
            "0 F(o1,5) -> !SystemError",
            "1 F(o0) -> 1",
            "2 F(o12) -> 1",
            "END",
        ]);
        let r = compare(&cpy, &ours, false);
        assert_eq!(
            r.pool_unavailable.len(),
            2,
            "the documented refusal and its instance"
        );
        assert_eq!(
            r.pool_diffs.len(),
            1,
            "an undocumented failure stays a difference"
        );
        assert_eq!((r.unavailable_calls, r.in_contract, r.agreed), (1, 2, 2));
        assert!(r.diffs.is_empty());
    }
}
