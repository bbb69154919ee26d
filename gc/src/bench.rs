//! Benchmarks (filled in below).
/// Run all measurements.
pub fn run(_quick: bool) -> Vec<(&'static str, f64)> {
    Vec::new()
}
