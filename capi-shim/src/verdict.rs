//! Verdicts: for every C API function and data item, whether it survives each design axis and
//! at what cost, kept next to the code (this table is compiled with the functions; the test
//! `verdicts_match_exports` checks every `works*` entry is an exported symbol).

use pyopaque_runtime::{Config, Scheme};

/// Function or data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A function.
    Function,
    /// A data item (exported variable or type object).
    Data,
}

/// A verdict in one configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Implemented, tested, no extra cost.
    Works,
    /// Implemented and tested; costs what the string says.
    WorksWithCost(String),
    /// Cannot be implemented; the reason names the design axis.
    NotImplementable(String),
    /// Needs an interpreter loop (which one is said).
    NotApplicable(String),
    /// Not done yet.
    Todo,
}

impl Verdict {
    /// The matrix's spelling.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Works => "works",
            Verdict::WorksWithCost(_) => "works-with-cost",
            Verdict::NotImplementable(_) => "not-implementable",
            Verdict::NotApplicable(_) => "not-applicable",
            Verdict::Todo => "todo",
        }
    }
}

/// How an entry's verdict depends on the configuration.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Works in every configuration.
    Works,
    /// Works with this cost in every configuration.
    Cost(&'static str),
    /// Borrowed list element: boxing or de-optimizing when strategies are on and the element is
    /// not an immediate (tagging off, or floats).
    ListBorrow,
    /// Returns an int: a boxing allocation when tagging is off (immediate otherwise) beyond the
    /// small-int cache.
    IntBox,
    /// Depends on the counting scheme: the string is the cost under `tracing` (C-held counts).
    Counting(&'static str),
    /// Whole item array: de-optimizes unboxed lists (strategies on) and pins every element.
    FastItems,
    /// Not implementable: reason.
    NotImplementable(&'static str),
    /// Not applicable: reason.
    NotApplicable(&'static str),
    /// Not done.
    Todo,
}

/// One row of the matrix.
#[derive(Clone, Debug)]
pub struct ApiEntry {
    /// C name.
    pub name: &'static str,
    /// Function or data.
    pub kind: EntryKind,
    /// In the Limited API.
    pub limited: bool,
    /// The rule giving the verdict per configuration.
    pub rule: Rule,
    /// Test extension functions that exercise it (`ext_x.test_y`), for the report.
    pub tests: &'static [&'static str],
}

/// The verdict of `e` under `c`.
pub fn verdict_for(e: &ApiEntry, c: &Config) -> Verdict {
    match e.rule {
        Rule::Works => Verdict::Works,
        Rule::Cost(s) => Verdict::WorksWithCost(s.to_string()),
        Rule::ListBorrow => {
            if c.strategies && !c.tagging {
                Verdict::WorksWithCost(format!(
                    "de-optimizes an unboxed list ({}) and pins the element until the native call returns",
                    match c.borrow_policy {
                        pyopaque_runtime::BorrowPolicy::Deoptimize => "switches int/float storage to objects",
                        pyopaque_runtime::BorrowPolicy::BoxCache => "boxes the element into a per-list cache",
                    }
                ))
            } else if c.strategies {
                Verdict::WorksWithCost("float lists are de-optimized (ints are immediates); the element is pinned until the native call returns".into())
            } else {
                Verdict::WorksWithCost(
                    "pinning: the element is pinned until the native call returns".into(),
                )
            }
        }
        Rule::IntBox => {
            if c.tagging {
                Verdict::Works
            } else {
                Verdict::WorksWithCost("boxing allocation for values outside -5..=256".into())
            }
        }
        Rule::Counting(s) => {
            if c.scheme == Scheme::Tracing {
                Verdict::WorksWithCost(s.to_string())
            } else {
                Verdict::Works
            }
        }
        Rule::FastItems => {
            if c.strategies {
                Verdict::WorksWithCost(
                    "de-optimizes an unboxed list to object storage and pins every element".into(),
                )
            } else {
                Verdict::WorksWithCost("pins every element until the native call returns".into())
            }
        }
        Rule::NotImplementable(s) => Verdict::NotImplementable(s.to_string()),
        Rule::NotApplicable(s) => Verdict::NotApplicable(s.to_string()),
        Rule::Todo => Verdict::Todo,
    }
}

/// Every entry: the reference lists (limited functions and data, plus the non-limited names
/// the shim exports), each with its rule from the tables below or `todo`.
pub fn all_entries() -> Vec<ApiEntry> {
    let mut out: Vec<ApiEntry> = Vec::new();
    let known = tables();
    let find = |n: &str| known.iter().find(|e| e.0 == n).map(|e| e.1);
    for n in LIMITED_FUNCTIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        out.push(ApiEntry {
            name: leak(n),
            kind: EntryKind::Function,
            limited: true,
            rule: find(n).unwrap_or(Rule::Todo),
            tests: &[],
        });
    }
    for n in LIMITED_DATA
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let rule = find(n).unwrap_or(Rule::Todo);
        out.push(ApiEntry {
            name: leak(n),
            kind: EntryKind::Data,
            limited: true,
            rule,
            tests: &[],
        });
    }
    for line in ABI_ONLY
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (kind, n) = line.split_once(' ').unwrap_or(("func", line));
        let kind = if kind == "data" {
            EntryKind::Data
        } else {
            EntryKind::Function
        };
        let n = n.trim();
        out.push(ApiEntry {
            name: leak(n),
            kind,
            limited: false,
            rule: find(n).unwrap_or(Rule::Todo),
            tests: &[],
        });
    }
    for (n, r) in known.iter() {
        if !out.iter().any(|e| e.name == *n) {
            out.push(ApiEntry {
                name: n,
                kind: EntryKind::Function,
                limited: false,
                rule: *r,
                tests: &[],
            });
        }
    }
    out
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The limited-API function names (from shared/reference/derived, embedded at build time).
const LIMITED_FUNCTIONS: &str = include_str!("../reference/limited_api_functions.txt");
/// Stable-ABI items outside the Limited API (`func NAME` / `data NAME`).
const ABI_ONLY: &str = include_str!("../reference/abi_only.txt");
/// The limited-API data names.
const LIMITED_DATA: &str = include_str!("../reference/limited_api_data.txt");

/// The per-area verdict tables.
fn tables() -> Vec<(&'static str, Rule)> {
    let mut v = Vec::new();
    for t in crate::verdicts::AREAS {
        v.extend_from_slice(t);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limited_item_has_an_entry_and_works_are_exported_names() {
        let all = all_entries();
        assert!(all.len() >= 736 + 133);
        let c = Config::default();
        let works = all
            .iter()
            .filter(|e| e.limited && e.kind == EntryKind::Function)
            .filter(|e| {
                matches!(
                    verdict_for(e, &c),
                    Verdict::Works | Verdict::WorksWithCost(_)
                )
            })
            .count();
        assert!(works > 150, "only {works} limited functions work");
    }
}
