//! `float(str)`: the text forms Python accepts for a float.

/// `float(text)`: Python's float literal syntax (surrounding whitespace, an optional sign,
/// `_` between digits, `inf`/`infinity`/`nan` in any case); None when it is not one.
pub fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits_around = |i: usize| {
        let b = t.as_bytes();
        i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit()
    };
    if t.bytes()
        .enumerate()
        .any(|(i, c)| c == b'_' && !digits_around(i))
    {
        return None;
    }
    let t: String = t.chars().filter(|c| *c != '_').collect();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, t.strip_prefix('+').unwrap_or(&t)),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN.copysign(sign));
    }
    // Rust accepts exactly Python's decimal forms except these spellings.
    if body.is_empty()
        || !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    body.parse::<f64>().ok().map(|f| sign * f)
}

#[cfg(test)]
mod tests {
    use super::parse_float;

    #[test]
    fn float_text_follows_python_literals() {
        assert_eq!(parse_float(" 0.5 "), Some(0.5));
        assert_eq!(parse_float("-1_000.25"), Some(-1000.25));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("+.5"), Some(0.5));
        assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float("1__0"), None);
        assert_eq!(parse_float("_1"), None);
        assert_eq!(parse_float("0x10"), None);
        assert_eq!(parse_float(""), None);
        assert_eq!(parse_float("abc"), None);
    }
}
