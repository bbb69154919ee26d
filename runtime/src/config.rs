//! Run-time configuration: every axis pyopaque measures is chosen when a [`crate::Runtime`] starts,
//! so one binary (and one process) can compare them side by side.

use std::fmt;
use std::str::FromStr;

/// How references are counted. The header layout is the same for all of them (see `header.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// One non-atomic count; the runtime is single-threaded (CPython with a GIL).
    Classic,
    /// One atomic count (naive free-threading).
    Atomic,
    /// Owner thread + non-atomic local count + atomic shared count, with merging (PEP 703).
    Biased,
    /// Runtime-internal references are not counted; only references held by C are. The collector
    /// is the only reclamation.
    Tracing,
}

impl Scheme {
    /// Every scheme, in the order reports list them.
    pub const ALL: [Scheme; 4] = [
        Scheme::Classic,
        Scheme::Atomic,
        Scheme::Biased,
        Scheme::Tracing,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Classic => "classic",
            Scheme::Atomic => "atomic",
            Scheme::Biased => "biased",
            Scheme::Tracing => "tracing",
        }
    }

    /// True when runtime-internal references are counted.
    pub fn counts_internal(self) -> bool {
        self != Scheme::Tracing
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Scheme::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown scheme {s:?} (classic, atomic, biased, tracing)"))
    }
}

/// What a borrowed element access does to an unboxed list when ints are not tagged (C asked for a
/// `PyObject*` that must stay valid as long as the list holds the element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BorrowPolicy {
    /// Switch the list to object storage on first borrowed access (PyPy's choice).
    Deoptimize,
    /// Keep a per-list cache of boxed elements next to the unboxed storage.
    BoxCache,
}

/// The configuration of one runtime. Immutable once the runtime starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// Reference-counting scheme.
    pub scheme: Scheme,
    /// Immortal objects (PEP 683): singletons, types and cached small-int boxes skip count writes.
    pub immortal: bool,
    /// Small ints are immediate words (never allocated).
    pub tagging: bool,
    /// Lists use unboxed storage strategies.
    pub strategies: bool,
    /// Collect (and move) at every allocation.
    pub gc_stress: bool,
    /// Borrowed access to unboxed list elements with tagging off.
    pub borrow_policy: BorrowPolicy,
    /// Allocate this many bytes between two collections (the collector's trigger).
    pub collect_after_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            scheme: Scheme::Classic,
            immortal: true,
            tagging: true,
            strategies: true,
            gc_stress: std::env::var("PYOPAQUE_GC_STRESS").is_ok_and(|v| v == "1"),
            borrow_policy: BorrowPolicy::Deoptimize,
            collect_after_bytes: 64 << 20,
        }
    }
}

impl Config {
    /// A default configuration with the given scheme.
    pub fn with_scheme(scheme: Scheme) -> Self {
        Config {
            scheme,
            ..Config::default()
        }
    }

    /// Short label used as a column name in reports and the C API matrix, e.g.
    /// `classic+imm+tag+strat`.
    pub fn label(&self) -> String {
        let mut s = self.scheme.name().to_string();
        if self.immortal {
            s.push_str("+imm");
        }
        if self.tagging {
            s.push_str("+tag");
        }
        if self.strategies {
            s.push_str("+strat");
        }
        s
    }

    /// Every combination of scheme x immortal x tagging x strategies (32 configurations).
    pub fn all() -> Vec<Config> {
        let mut out = Vec::new();
        for scheme in Scheme::ALL {
            for immortal in [true, false] {
                for tagging in [true, false] {
                    for strategies in [true, false] {
                        out.push(Config {
                            scheme,
                            immortal,
                            tagging,
                            strategies,
                            ..Config::default()
                        });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_round_trip() {
        for s in Scheme::ALL {
            assert_eq!(s.name().parse::<Scheme>().unwrap(), s);
        }
        assert!("nope".parse::<Scheme>().is_err());
    }

    #[test]
    fn all_configs_are_distinct() {
        let all = Config::all();
        assert_eq!(all.len(), 32);
        let labels: std::collections::HashSet<_> = all.iter().map(|c| c.label()).collect();
        assert_eq!(labels.len(), 32, "every configuration has its own label");
    }
}
