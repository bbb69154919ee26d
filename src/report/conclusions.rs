//! "What this means for an opaque PyObject": conclusions generated from the figures table by
//! rules, favourable and unfavourable alike. Each rule names one figure and splits its range into
//! bands, each with its own wording; a figure whose spread crosses a band boundary gets the
//! rule's "cannot tell" wording instead. Every C workload is classified (faster than CPython, on
//! par, slower, or spread too wide), so no unfavourable figure of the tables is left out.

use serde_json::{json, Value};

use super::capi_peers::{self, strip_unit, WORKLOADS};
use super::figures::Figures;
use super::rules::{band, expand};
use super::targets::DEFAULT_CONFIG;

/// One conclusion: a figure, band boundaries (ascending) and one wording per band
/// (`bounds.len() + 1` of them; templates as in [`expand`]).
pub struct Rule {
    /// Stable id in report.json.
    pub id: &'static str,
    /// Key of the figure the rule reads.
    pub key: String,
    /// Band boundaries, ascending.
    pub bounds: Vec<f64>,
    /// Wording per band.
    pub wording: Vec<String>,
    /// What the run cannot tell when the spread crosses a boundary ("whether ...").
    pub question: String,
    /// A second figure measuring the same thing another way, which must fall in the same band
    /// for the rule to conclude (e.g. allocator bytes beside resident-set bytes).
    pub agree: Option<String>,
}

impl Rule {
    fn agreeing(mut self, key: String) -> Rule {
        self.agree = Some(key);
        self
    }
}

/// How one rule came out.
pub struct Conclusion {
    /// The rule's id.
    pub id: &'static str,
    /// The figure's key.
    pub key: String,
    /// The band the whole spread lies in, `None` when it crosses a boundary or is unmeasured.
    pub band: Option<usize>,
    /// The sentence.
    pub text: String,
}

fn rule(id: &'static str, key: &str, bounds: &[f64], wording: &[&str], question: &str) -> Rule {
    assert_eq!(
        wording.len(),
        bounds.len() + 1,
        "rule {id}: one wording per band"
    );
    Rule {
        id,
        key: key.to_string(),
        bounds: bounds.to_vec(),
        wording: wording.iter().map(|s| s.to_string()).collect(),
        question: question.to_string(),
        agree: None,
    }
}

/// Every rule of the section.
pub fn rules() -> Vec<Rule> {
    let d = DEFAULT_CONFIG;
    let incref = capi_peers::key(d, "bench_incref_decref");
    let incref_cp = capi_peers::key("CPython", "bench_incref_decref");
    vec![
        rule(
            "tagging_speedup",
            "derived.tagging_speedup",
            &[0.95, 1.1],
            &[
                "Tagged ints made int-heavy object code slower here: boxed / tagged time {fig}.",
                "Tagged ints made no measurable difference to int-heavy object code here: boxed / tagged time {fig}.",
                "Tagged ints (impossible while C may dereference every `PyObject*`) made int-heavy object code {fig} as fast as boxed ints.",
            ],
            "whether tagged ints speed up int-heavy object code",
        ),
        rule(
            "tagging_allocations",
            "tagging.tagged_heap_allocations",
            &[0.5],
            &[
                "With tagging on, creating and adding the ints made no heap allocation.",
                "With tagging on, the run still made {fig} heap allocations.",
            ],
            "whether the tagged run allocated",
        ),
        rule(
            "list_int_memory",
            "derived.list_int_memory_saving",
            &[1.0, 1.1],
            &[
                "The int list strategy used more memory per element than object storage of boxed ints: object / int bytes {fig}.",
                "The int list strategy used about as much memory per element as object storage of boxed ints: object / int bytes {fig}.",
                "The int list strategy (impossible while C may take `&ob_item[0]`) used {fig} less memory per element than object storage of boxed ints ({=lists.int_bytes_per_elem} against {=lists.object_boxed_bytes_per_elem}).",
            ],
            "whether the int strategy saves memory",
        ),
        rule(
            "list_int_sum",
            "derived.list_int_sum_speedup",
            &[0.95, 1.1],
            &[
                "Summing the int-strategy list was slower than summing object storage: object / int time {fig}.",
                "Summing the int-strategy list was no faster than summing object storage: object / int time {fig}.",
                "Summing the int-strategy list was {fig} as fast as summing object storage of boxed ints.",
            ],
            "whether the int strategy sums faster",
        ),
        rule(
            "biased_owner_cost",
            "derived.biased_over_classic",
            &[1.1, 1.5],
            &[
                "Once the count is behind a function call its representation is close to free on the owner thread: biased counting cost {fig} classic per incref+decref pair (within 10%).",
                "Biased counting is not free on the owner thread: an incref+decref pair cost {fig} classic ({=refcount.biased_pair_ns} against {=refcount.classic_pair_ns}).",
                "Biased counting is expensive on the owner thread: an incref+decref pair cost {fig} classic ({=refcount.biased_pair_ns} against {=refcount.classic_pair_ns}).",
            ],
            "whether biased counting costs more than classic on the owner thread (boundaries 1.1x and 1.5x)",
        ),
        rule(
            "biased_contended_cost",
            "derived.contended_biased_over_atomic",
            &[1.1],
            &[
                "With two threads sharing one object, biased counting was no slower than atomic counting: {fig}.",
                "With two threads sharing one object, biased counting cost {fig} atomic counting (the non-owner thread takes the shared-count path).",
            ],
            "whether biased counting is slower than atomic under sharing",
        ),
        rule(
            "immortal_contended_gain",
            "derived.contended_atomic_over_immortal",
            &[0.9, 1.1],
            &[
                "Immortal objects were slower than atomic counting under two-thread contention: atomic / immortal time {fig}.",
                "Immortal objects made no measurable difference under two-thread contention: atomic / immortal time {fig}.",
                "Immortal objects were {fig} cheaper than atomic counting under two-thread contention.",
            ],
            "whether immortal objects help under contention",
        ),
        rule(
            "gc_compaction",
            "derived.compaction_over_memcpy",
            &[0.5],
            &[
                "Compaction ran at only {fig} memcpy bandwidth, short of the 0.5x target.",
                "A moving collector became possible, and compaction ran at {fig} memcpy bandwidth.",
            ],
            "whether compaction reaches half of memcpy bandwidth",
        ),
        rule(
            "gc_heap_after_compact",
            "gc.heap_after_compact_over_live",
            &[1.05],
            &[
                "A 50%-live heap compacted to {fig} its live bytes.",
                "A 50%-live heap compacted only to {fig} its live bytes (target 1.05x).",
            ],
            "whether compaction returns the heap to its live size",
        ),
        rule(
            "gc_alloc_vs_box",
            "derived.alloc_over_box",
            &[1.0, 3.0],
            &[
                "Allocating from the collector's heap was slower than `Box`: {fig} Box's rate.",
                "Allocating from the collector's heap ran at {fig} `Box`'s rate: faster, but short of the 3x target.",
                "Allocating from the collector's heap ran at {fig} `Box`'s rate.",
            ],
            "whether collector allocation beats Box by 3x",
        ),
        rule(
            "incref_call_cost",
            "capi_incref_pyopaque_over_cpython",
            &[1.1],
            &[
                "Hiding the count behind a call showed no cost in a bare loop: a Py_INCREF+Py_DECREF pair took {fig} CPython's inline time.",
                &format!("Hiding the count behind a call is visible in a bare loop: a Py_INCREF+Py_DECREF pair took {{={incref}}} against CPython's inline {{={incref_cp}}} ({{fig}})."),
            ],
            "whether the exported incref/decref calls cost more than CPython's inline ones",
        ),
        rule(
            "c_int_list_memory",
            &capi_peers::mem_vs_cpython_key(d, "mem_int_list.rss_before"),
            &[0.9, 1.1],
            &[
                &format!("Seen from unchanged C source, the int list took more memory per element than in CPython: CPython / pyopaque {{fig}} (resident set on both sides; allocator bytes on both sides: {{={}}}).", capi_peers::mem_vs_cpython_key(d, "mem_int_list.alloc_before")),
                &format!("Seen from unchanged C source, the int list took about as much memory per element as in CPython: CPython / pyopaque {{fig}} (resident set on both sides; allocator bytes on both sides: {{={}}}).", capi_peers::mem_vs_cpython_key(d, "mem_int_list.alloc_before")),
                &format!("Seen from unchanged C source, tagging and list strategies stored the int list in {{fig}} less memory per element than CPython (resident set on both sides; allocator bytes on both sides: {{={}}}).", capi_peers::mem_vs_cpython_key(d, "mem_int_list.alloc_before")),
            ],
            "whether the int list takes less memory than in CPython",
        )
        .agreeing(capi_peers::mem_vs_cpython_key(d, "mem_int_list.alloc_before")),
        rule(
            "c_float_list_memory_after_read",
            &capi_peers::mem_vs_cpython_key(d, "mem_float_list.rss_after"),
            &[0.9, 1.1],
            &[
                &format!("Once C has read every element of a float list with PyList_GetItem (each element read gets a box), pyopaque used more memory per element than CPython: CPython / pyopaque {{fig}} (resident set; allocator bytes: {{={}}}).", capi_peers::mem_vs_cpython_key(d, "mem_float_list.alloc_after")),
                &format!("Once C has read every element of a float list with PyList_GetItem, pyopaque used about as much memory per element as CPython: CPython / pyopaque {{fig}} (resident set; allocator bytes: {{={}}}).", capi_peers::mem_vs_cpython_key(d, "mem_float_list.alloc_after")),
                &format!("Even after C read every element of a float list with PyList_GetItem, pyopaque used {{fig}} less memory per element than CPython (resident set; allocator bytes: {{={}}}).", capi_peers::mem_vs_cpython_key(d, "mem_float_list.alloc_after")),
            ],
            "whether a float list read by C takes more memory than in CPython",
        )
        .agreeing(capi_peers::mem_vs_cpython_key(d, "mem_float_list.alloc_after")),
    ]
}

/// Applies one rule.
pub fn apply(r: &Rule, figs: &Figures) -> Conclusion {
    let f = figs.get(&r.key);
    let (band, text) = match band(&f, &r.bounds) {
        None => (None, format!("Not measured in this run: {}.", f.label)),
        Some(Ok(b)) => {
            let other = r.agree.as_ref().map(|k| figs.get(k));
            match other.as_ref().map(|o| (o, band(o, &r.bounds))) {
                Some((o, Some(ob))) if ob != Ok(b) => (
                    None,
                    format!(
                        "{}: {} by the resident set but {} by allocator bytes; the two methods disagree, so this run cannot tell {}.",
                        f.label,
                        f.show(),
                        o.show(),
                        r.question
                    ),
                ),
                _ => (Some(b), expand(&r.wording[b], &f, figs)),
            }
        }
        Some(Err((a, b))) => {
            let crossed: Vec<String> = r.bounds[a..b]
                .iter()
                .map(|x| super::figures::fmt_ratio(*x))
                .collect();
            (
                None,
                format!(
                    "{}: {}; the spread crosses {}, too wide to tell {}.",
                    f.label,
                    f.show(),
                    crossed.join(" and "),
                    r.question
                ),
            )
        }
    };
    Conclusion {
        id: r.id,
        key: r.key.clone(),
        band,
        text: capitalized(&text),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Workload ratios of `runner` against `reference_key(w)`, grouped: below `1 / par`, within,
/// above `par`, or crossing a boundary. Returns the lines (one per non-empty group).
fn grouped(
    figs: &Figures,
    key_of: &dyn Fn(&str) -> String,
    par: f64,
    words: [&str; 4],
) -> Vec<(String, Vec<String>)> {
    let bounds = [1.0 / par, par];
    let mut groups: [Vec<(f64, String)>; 4] = Default::default();
    for (w, what) in WORKLOADS {
        let k = key_of(w);
        let f = figs.get(&k);
        let Some(b) = band(&f, &bounds) else {
            continue;
        };
        let slot = b.unwrap_or(3);
        groups[slot].push((f.median, format!("{} {}", strip_unit(what), f.show())));
    }
    let mut out = Vec::new();
    for (i, g) in groups.iter_mut().enumerate() {
        if g.is_empty() {
            continue;
        }
        g.sort_by(|a, b| a.0.total_cmp(&b.0));
        out.push((
            words[i].to_string(),
            g.iter().map(|(_, s)| s.clone()).collect(),
        ));
    }
    out
}

/// The section's Markdown and its JSON (`conclusions`: id, key, band, text).
pub fn render(figs: &Figures) -> (String, Value) {
    let mut md = String::from(
        "## What this means for an opaque PyObject\n\nEach line below is generated from one figure of the tables above (median [min..max]); its wording follows the figure, and a spread too wide to conclude is said so.\n\n",
    );
    let mut json_rows = Vec::new();
    for r in rules() {
        let c = apply(&r, figs);
        md.push_str(&format!("- {}\n", c.text));
        json_rows.push(json!({"id": c.id, "key": c.key, "band": c.band, "text": c.text}));
    }
    let d = DEFAULT_CONFIG;
    let par = 1.1;
    let capi = grouped(
        figs,
        &|w| capi_peers::vs_cpython_key(d, w),
        par,
        [
            "From the same C source, pyopaque {d} was slower than CPython (CPython / pyopaque time below 0.91 over the whole spread) on",
            "From the same C source, pyopaque {d} was on par with CPython (CPython / pyopaque time 0.91 to 1.1 over the whole spread) on",
            "From the same C source, pyopaque {d} was faster than CPython (CPython / pyopaque time above 1.1 over the whole spread) on",
            "From the same C source, the spread is too wide to tell whether pyopaque {d} is faster or slower than CPython on",
        ],
    );
    for (words, items) in &capi {
        let text = format!("{}: {}.", words.replace("{d}", d), items.join("; "));
        md.push_str(&format!("- {text}\n"));
        json_rows.push(json!({"id": "capi_vs_cpython", "text": text}));
    }
    let pypy = grouped(
        figs,
        &capi_peers::pypy_over_default_key,
        par,
        [
            "PyPy's C API emulation, which must materialize a C-visible object for every PyObject* it hands out, was faster than pyopaque (PyPy / pyopaque time below 0.91 over the whole spread) on",
            "PyPy's C API emulation was on par with pyopaque (PyPy / pyopaque time 0.91 to 1.1) on",
            "PyPy's C API emulation, which must materialize a C-visible object for every PyObject* it hands out, was slower than pyopaque (PyPy / pyopaque time above 1.1 over the whole spread) on",
            "The spread is too wide to tell whether PyPy's C API emulation is faster or slower than pyopaque on",
        ],
    );
    for (words, items) in &pypy {
        let text = format!("{words}: {}.", items.join("; "));
        md.push_str(&format!("- {text}\n"));
        json_rows.push(json!({"id": "pypy_vs_pyopaque", "text": text}));
    }
    (md, json!(json_rows))
}
