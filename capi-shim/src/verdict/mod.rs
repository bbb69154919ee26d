//! Verdicts: for every C API function and data item, whether it survives each design axis and
//! at what cost, kept next to the code. Each module that answers for C API names declares them
//! in one form, `pub(crate) const VERDICTS: &[(&str, Rule)]`, beside its functions; [`REGISTRY`]
//! collects every module's list and [`all_entries`] joins them with the reference lists.
//! Names no module lists are `todo` (an exported function not yet exercised by a test is *not*
//! claimed to work). The report (`pyopaque report`) cross-checks every `works*` verdict against
//! the library's symbol table and the test extensions that pass.
//!
//! Shared rules are named constants in [`rules`].

pub mod rule;
pub mod rules;

pub use rule::Rule;

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
/// the shim exports, sorted by name), each with its rule from its module's `VERDICTS` or `todo`.
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
    let mut unlisted: Vec<&(&'static str, Rule)> = known
        .iter()
        .filter(|(n, _)| !out.iter().any(|e| e.name == *n))
        .collect();
    unlisted.sort_by_key(|(n, _)| *n);
    for (n, r) in unlisted {
        out.push(ApiEntry {
            name: n,
            kind: EntryKind::Function,
            limited: false,
            rule: *r,
            tests: &[],
        });
    }
    out
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The limited-API function names (from shared/reference/derived, embedded at build time).
const LIMITED_FUNCTIONS: &str = include_str!("../../reference/limited_api_functions.txt");
/// Stable-ABI items outside the Limited API (`func NAME` / `data NAME`).
const ABI_ONLY: &str = include_str!("../../reference/abi_only.txt");
/// The limited-API data names.
const LIMITED_DATA: &str = include_str!("../../reference/limited_api_data.txt");

/// Every module's `VERDICTS`, in one list (a module that declares verdicts is listed here).
pub const REGISTRY: &[&[(&str, Rule)]] = &[
    crate::boundary::refcount::VERDICTS,
    crate::boundary::static_symbols::VERDICTS,
    crate::boundary::variadic::VERDICTS,
    crate::objects::bool_::VERDICTS,
    crate::objects::bytearray::VERDICTS,
    crate::objects::bytes::VERDICTS,
    crate::objects::capsule::VERDICTS,
    crate::objects::complex::VERDICTS,
    crate::objects::complex_values::VERDICTS,
    crate::objects::dict::VERDICTS,
    crate::objects::dict_string_keys::VERDICTS,
    crate::objects::exceptions::VERDICTS,
    crate::objects::file::VERDICTS,
    crate::objects::float::VERDICTS,
    crate::objects::iterators::VERDICTS,
    crate::objects::list::VERDICTS,
    crate::objects::long::VERDICTS,
    crate::objects::proxy::VERDICTS,
    crate::objects::set::VERDICTS,
    crate::objects::set_size::VERDICTS,
    crate::objects::slice::VERDICTS,
    crate::objects::tuple::VERDICTS,
    crate::objects::unicode::VERDICTS,
    crate::objects::unicode::encoding::VERDICTS,
    crate::objects::unicode::format::VERDICTS,
    crate::objects::unicode::legacy::VERDICTS,
    crate::objects::unicode::methods::VERDICTS,
    crate::objects::unicode::wide::VERDICTS,
    crate::objects::unicode_kinds::VERDICTS,
    crate::objects::weakref::VERDICTS,
    crate::python::args::VERDICTS,
    crate::python::ceval::VERDICTS,
    crate::python::codec_classes::VERDICTS,
    crate::python::codecs::VERDICTS,
    crate::python::critical_section::VERDICTS,
    crate::python::compile::VERDICTS,
    crate::python::embedding::VERDICTS,
    crate::python::errors::VERDICTS,
    crate::python::fileutils::VERDICTS,
    crate::python::import::VERDICTS,
    crate::python::import_bytecode::VERDICTS,
    crate::python::interpreter::VERDICTS,
    crate::python::interpreters::VERDICTS,
    crate::python::lifecycle::VERDICTS,
    crate::python::memory::VERDICTS,
    crate::python::module::VERDICTS,
    crate::python::object_init_var::VERDICTS,
    crate::python::sys::VERDICTS,
    crate::python::threads::VERDICTS,
    crate::python::traceback::VERDICTS,
    crate::python::unraisable::VERDICTS,
    crate::python::windows_only::VERDICTS,
    crate::r#abstract::buffer::VERDICTS,
    crate::r#abstract::call::VERDICTS,
    crate::r#abstract::format::VERDICTS,
    crate::r#abstract::item_data::VERDICTS,
    crate::r#abstract::mapping::VERDICTS,
    crate::r#abstract::number::VERDICTS,
    crate::r#abstract::object::VERDICTS,
    crate::r#abstract::sequence::VERDICTS,
    crate::types::descriptors::VERDICTS,
    crate::types::static_types::VERDICTS,
    crate::types::structseq::VERDICTS,
    crate::types::type_dict::VERDICTS,
    crate::types::type_data::VERDICTS,
    crate::types::type_from_slots::VERDICTS,
    crate::types::typeobject::VERDICTS,
    crate::types::wrapper::VERDICTS,
];

/// Every module's verdicts, concatenated (a name is listed by one module only: see the tests).
fn tables() -> Vec<(&'static str, Rule)> {
    REGISTRY.iter().flat_map(|t| t.iter().copied()).collect()
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

    #[test]
    fn every_name_is_listed_by_one_module() {
        let mut seen = std::collections::BTreeSet::new();
        for (n, _) in tables() {
            assert!(seen.insert(n), "{n} has verdicts in two modules");
        }
    }
}
