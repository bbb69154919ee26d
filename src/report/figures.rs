//! The one table of measured figures. Every number the report prints (section tables, targets,
//! conclusions, charts, `report.json`'s `figures`) is read from here by key, so no two places can
//! compute the same figure differently.
//!
//! A figure is a median with its spread (min..max) over independent samples: interleaved
//! processes for the C workloads, repeated group runs for the in-process benchmarks. A ratio of
//! two figures has the ratio of their medians as its median and the widest ratio their spreads
//! allow as its spread (`num.min / den.max ..= num.max / den.min`), so a conclusion drawn from a
//! ratio's spread holds for every pair of samples.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// What a figure measures; decides whether lower is better and whether `--compare` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A duration per operation (lower is better). Listed by `--compare`.
    Time,
    /// A throughput (higher is better). Listed by `--compare` as a timing.
    Rate,
    /// Bytes (lower is better). Listed by `--compare`.
    Size,
    /// A ratio of two figures (its label says which way is better).
    Ratio,
    /// A count (allocations, objects).
    Count,
    /// The report run's own wall-clock time (not a measurement of pyopaque).
    WallClock,
}

impl Kind {
    /// Stable name in report.json.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Time => "time",
            Kind::Rate => "rate",
            Kind::Size => "size",
            Kind::Ratio => "ratio",
            Kind::Count => "count",
            Kind::WallClock => "wall_clock",
        }
    }

    /// Inverse of [`Kind::name`].
    pub fn from_name(s: &str) -> Option<Kind> {
        Some(match s {
            "time" => Kind::Time,
            "rate" => Kind::Rate,
            "size" => Kind::Size,
            "ratio" => Kind::Ratio,
            "count" => Kind::Count,
            "wall_clock" => Kind::WallClock,
            _ => return None,
        })
    }
}

/// One measured or derived figure. Invariant: `min <= median <= max` when all three are finite;
/// `n` is the number of samples behind it (0 for a figure not measured, whose values are NaN).
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// What it is, for a reader (no JSON key names).
    pub label: String,
    /// Unit as printed after the value ("ns", "bytes/elem", "x", ...).
    pub unit: String,
    /// What kind of quantity.
    pub kind: Kind,
    /// Median of the samples (midpoint of the two middle ones for an even count).
    pub median: f64,
    /// Smallest sample (or lower end of a ratio's spread).
    pub min: f64,
    /// Largest sample (or upper end of a ratio's spread).
    pub max: f64,
    /// Samples behind the figure (for a ratio: the smaller of its two sides).
    pub n: usize,
}

/// Median of a sample (midpoint for an even count); NaN when empty.
pub fn median(xs: &[f64]) -> f64 {
    pyopaque_runtime::bench::median(xs)
}

impl Figure {
    /// A figure from its samples (non-finite samples are ignored).
    pub fn from_samples(label: &str, unit: &str, kind: Kind, xs: &[f64]) -> Figure {
        let xs: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        Figure {
            label: label.to_string(),
            unit: unit.to_string(),
            kind,
            median: median(&xs),
            min: xs.iter().copied().fold(f64::NAN, f64::min),
            max: xs.iter().copied().fold(f64::NAN, f64::max),
            n: xs.len(),
        }
    }

    /// Whether it was measured.
    pub fn is_measured(&self) -> bool {
        self.n > 0 && self.median.is_finite()
    }

    /// `num / den` with the widest spread the two spreads allow.
    pub fn ratio(label: &str, num: &Figure, den: &Figure) -> Figure {
        let (lo, hi) = if den.min > 0.0 && den.max > 0.0 {
            (num.min / den.max, num.max / den.min)
        } else {
            (f64::NAN, f64::NAN)
        };
        Figure {
            label: label.to_string(),
            unit: "x".into(),
            kind: Kind::Ratio,
            median: num.median / den.median,
            min: lo,
            max: hi,
            n: num.n.min(den.n),
        }
    }

    /// The value alone ("0.79x", "37.23 ns").
    pub fn value(&self) -> String {
        if !self.is_measured() {
            return "n/a".into();
        }
        self.with_unit(self.median)
    }

    fn with_unit(&self, v: f64) -> String {
        if self.kind == Kind::Count && v.fract() == 0.0 {
            format!("{v:.0}")
        } else if self.unit == "x" {
            format!("{}x", fmt_ratio(v))
        } else if self.unit.is_empty() {
            super::fmt_num(v)
        } else {
            format!("{} {}", super::fmt_num(v), self.unit)
        }
    }

    /// The spread alone ("[0.52..1.39]"), empty for a single sample or identical samples.
    pub fn spread(&self) -> String {
        if !self.is_measured()
            || self.n < 2
            || !(self.min.is_finite() && self.max.is_finite())
            || self.min == self.max
        {
            return String::new();
        }
        let f = |v: f64| {
            if self.unit == "x" {
                fmt_ratio(v)
            } else {
                super::fmt_num(v)
            }
        };
        format!("[{}..{}]", f(self.min), f(self.max))
    }

    /// Value and spread, as every table, target and conclusion quotes it ("0.79x [0.52..1.39]").
    pub fn show(&self) -> String {
        let s = self.spread();
        if s.is_empty() {
            self.value()
        } else {
            format!("{} {s}", self.value())
        }
    }

    /// Value and spread without the unit, for table cells under a column that names it.
    pub fn show_plain(&self) -> String {
        if !self.is_measured() {
            return "n/a".into();
        }
        let v = if self.unit == "x" {
            format!("{}x", fmt_ratio(self.median))
        } else if self.kind == Kind::Count && self.median.fract() == 0.0 {
            format!("{:.0}", self.median)
        } else {
            super::fmt_num(self.median)
        };
        let s = self.spread();
        if s.is_empty() {
            v
        } else {
            format!("{v} {s}")
        }
    }

    /// The interval a verdict must hold on: the spread, or the median alone for one sample.
    pub fn interval(&self) -> (f64, f64) {
        if self.n >= 2 && self.min.is_finite() && self.max.is_finite() {
            (self.min, self.max)
        } else {
            (self.median, self.median)
        }
    }

    /// JSON form (non-finite numbers as null).
    pub fn to_json(&self) -> Value {
        let num = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
        json!({
            "label": self.label,
            "unit": self.unit,
            "kind": self.kind.name(),
            "median": num(self.median),
            "min": num(self.min),
            "max": num(self.max),
            "n": self.n,
        })
    }

    /// Parses [`Figure::to_json`]'s form; `Err` names what is wrong.
    pub fn from_json(v: &Value) -> Result<Figure, String> {
        let o = v.as_object().ok_or("not an object")?;
        let s = |k: &str| -> Result<String, String> {
            o.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("`{k}` missing or not a string"))
        };
        let f = |k: &str| -> Result<f64, String> {
            match o.get(k) {
                Some(Value::Null) => Ok(f64::NAN),
                Some(x) => x
                    .as_f64()
                    .ok_or_else(|| format!("`{k}` is not a number or null")),
                None => Err(format!("`{k}` missing")),
            }
        };
        let kind = s("kind")?;
        Ok(Figure {
            label: s("label")?,
            unit: s("unit")?,
            kind: Kind::from_name(&kind).ok_or_else(|| format!("unknown kind `{kind}`"))?,
            median: f("median")?,
            min: f("min")?,
            max: f("max")?,
            n: o.get("n")
                .and_then(Value::as_u64)
                .ok_or("`n` missing or not a count")? as usize,
        })
    }
}

/// Ratio with two decimals, more for small values.
pub fn fmt_ratio(v: f64) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The table of figures, by key. Keys are documented in `docs/benchmarks.md` ("report.json").
#[derive(Clone, Debug, Default)]
pub struct Figures {
    map: BTreeMap<String, Figure>,
}

impl Figures {
    /// An empty table.
    pub fn new() -> Figures {
        Figures::default()
    }

    /// Adds (or replaces) a figure.
    pub fn insert(&mut self, key: impl Into<String>, f: Figure) {
        self.map.insert(key.into(), f);
    }

    /// Adds a figure from samples.
    pub fn add_samples(&mut self, key: &str, label: &str, unit: &str, kind: Kind, xs: &[f64]) {
        self.insert(key, Figure::from_samples(label, unit, kind, xs));
    }

    /// Adds `num / den` (both keys already present; a missing side gives an unmeasured ratio).
    pub fn add_ratio(&mut self, key: &str, label: &str, num: &str, den: &str) {
        let f = Figure::ratio(label, &self.get(num), &self.get(den));
        self.insert(key, f);
    }

    /// The figure under `key`, or an unmeasured one (NaN, n = 0) labelled with the key.
    pub fn get(&self, key: &str) -> Figure {
        self.map.get(key).cloned().unwrap_or_else(|| Figure {
            label: key.to_string(),
            unit: String::new(),
            kind: Kind::Count,
            median: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
            n: 0,
        })
    }

    /// Whether `key` is present and measured.
    pub fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(Figure::is_measured)
    }

    /// The median under `key` (NaN when absent).
    pub fn median(&self, key: &str) -> f64 {
        self.get(key).median
    }

    /// Every figure, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Figure)> {
        self.map.iter()
    }

    /// JSON form: key -> figure.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.map
                .iter()
                .map(|(k, f)| (k.clone(), f.to_json()))
                .collect(),
        )
    }

    /// Parses [`Figures::to_json`]'s form.
    pub fn from_json(v: &Value) -> Result<Figures, String> {
        let o = v.as_object().ok_or("`figures` is not an object")?;
        let mut out = Figures::new();
        for (k, x) in o {
            out.insert(
                k.clone(),
                Figure::from_json(x).map_err(|e| format!("figure `{k}`: {e}"))?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_the_midpoint_for_two_samples() {
        let f = Figure::from_samples("x", "ns", Kind::Time, &[33.44, 41.01]);
        assert!((f.median - 37.225).abs() < 1e-9);
        assert_eq!((f.min, f.max, f.n), (33.44, 41.01, 2));
    }

    #[test]
    fn ratio_spread_covers_every_pair_of_samples() {
        let a = Figure::from_samples("a", "ns", Kind::Time, &[30.0, 40.0, 35.0]);
        let b = Figure::from_samples("b", "ns", Kind::Time, &[10.0, 20.0]);
        let r = Figure::ratio("a/b", &a, &b);
        assert_eq!(r.median, 35.0 / 15.0);
        assert_eq!((r.min, r.max), (1.5, 4.0));
        assert_eq!(r.n, 2);
        assert_eq!(r.show(), "2.33x [1.50..4.00]");
    }

    #[test]
    fn json_round_trip_keeps_unmeasured_figures() {
        let mut t = Figures::new();
        t.add_samples("a", "A", "ns", Kind::Time, &[1.0, 2.0]);
        t.add_samples("b", "B", "ns", Kind::Time, &[]);
        let back = Figures::from_json(&t.to_json()).unwrap();
        assert_eq!(back.get("a"), t.get("a"));
        assert!(!back.get("b").is_measured());
        assert!(Figure::from_json(&json!({"label": "x"})).is_err());
    }
}
