//! Bands over a figure's spread for the conclusions: a figure is in a band only when its whole
//! spread is; otherwise the run cannot tell. (The targets apply the same rule to one threshold.)

use super::figures::{Figure, Figures};

/// Band of the figure among ascending `bounds` (band `i` is `bounds[i-1] <= x < bounds[i]`):
/// `Ok(band)` when the whole spread is in one band, `Err((lowest, highest))` when it spans
/// several, `None` when not measured.
pub fn band(f: &Figure, bounds: &[f64]) -> Option<Result<usize, (usize, usize)>> {
    if !f.is_measured() {
        return None;
    }
    let of = |x: f64| bounds.iter().filter(|b| x >= **b).count();
    let (lo, hi) = f.interval();
    let (a, b) = (of(lo), of(hi));
    Some(if a == b { Ok(a) } else { Err((a, b)) })
}

/// Expands a wording template: `{fig}` is `f` with its spread, `{=KEY}` the figure `KEY` with
/// its spread, `{~KEY}` its median alone.
pub fn expand(template: &str, f: &Figure, figs: &Figures) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &after[..j];
        if name == "fig" {
            out.push_str(&f.show());
        } else if let Some(k) = name.strip_prefix('=') {
            out.push_str(&figs.get(k).show());
        } else if let Some(k) = name.strip_prefix('~') {
            out.push_str(&figs.get(k).value());
        } else {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::figures::Kind;

    fn fig(xs: &[f64]) -> Figure {
        Figure::from_samples("f", "x", Kind::Ratio, xs)
    }

    #[test]
    fn band_reports_a_straddle() {
        let b = [1.1, 1.5];
        assert_eq!(band(&fig(&[1.0, 1.05]), &b), Some(Ok(0)));
        assert_eq!(band(&fig(&[1.2, 1.3]), &b), Some(Ok(1)));
        assert_eq!(band(&fig(&[1.8, 1.9]), &b), Some(Ok(2)));
        assert_eq!(band(&fig(&[1.0, 1.9]), &b), Some(Err((0, 2))));
    }

    #[test]
    fn expand_quotes_figures() {
        let mut t = Figures::new();
        t.add_samples("k", "K", "ns", Kind::Time, &[1.0, 3.0]);
        let f = fig(&[2.0, 4.0]);
        assert_eq!(
            expand("a {fig} b {=k} c {~k} {x}", &f, &t),
            "a 3.00x [2.00..4.00] b 2.00 ns [1.00..3.00] c 2.00 ns {x}"
        );
    }
}
