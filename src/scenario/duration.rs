//! Human durations (docs/model.md §1): `"90s"`, `"15m"`, `"1h30m"`, `"2d 4h"`, `"1.5h"`, `"52w"`.
//!
//! A duration is always a number *with* a unit. A bare number is refused because nobody
//! can tell whether `365` means minutes or days.

/// Minutes per unit, largest first: the order in which combined units must be written.
const UNITS: [(char, f64); 5] = [
    ('w', 10_080.0),
    ('d', 1_440.0),
    ('h', 60.0),
    ('m', 1.0),
    ('s', 1.0 / 60.0),
];

/// Example durations quoted in error messages.
const EXAMPLES: &str = r#""90s", "15m", "1h30m", "2d""#;

/// Why a duration did not parse: what was expected and found, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DurationError {
    /// What was expected and what was found.
    pub message: String,
    /// The fix.
    pub help: String,
}

impl DurationError {
    fn new(message: String, help: impl Into<String>) -> Self {
        DurationError {
            message,
            help: help.into(),
        }
    }

    /// The error as one line, for [`parse_duration`].
    fn into_line(self) -> String {
        format!("{}; {}", self.message, self.help)
    }
}

/// The help line shared by duration errors.
pub(crate) const DURATION_HELP: &str =
    r#"write a number followed by a unit (s, m, h, d or w), e.g. "90s", "15m", "1h30m", "2d""#;

/// The error for a number given without a unit (`365` or `"365"`).
pub(crate) fn bare_number_error(number: &str) -> DurationError {
    DurationError::new(
        format!("a duration needs a unit; found the bare number {number}"),
        format!(r#"is {number} minutes or days? write "{number}d" or "{number}m""#),
    )
}

/// Parse a human duration into minutes.
///
/// Units are `s`, `m`, `h`, `d` and `w`; numbers may carry decimals (`"1.5h"`) and units may
/// be combined, largest first, each at most once, with optional spaces (`"1h30m"`, `"2d 4h"`).
/// The result is finite and ≥ 0. The error says what was expected and what was found.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    parse_duration_detailed(text).map_err(DurationError::into_line)
}

/// [`parse_duration`] with the error split into message and help.
pub(crate) fn parse_duration_detailed(text: &str) -> Result<f64, DurationError> {
    let trimmed = text.trim();
    let expected = || {
        DurationError::new(
            format!("expected a duration such as {EXAMPLES}; found {text:?}"),
            DURATION_HELP,
        )
    };
    if trimmed.is_empty() {
        return Err(DurationError::new(
            format!("expected a duration such as {EXAMPLES}; found an empty string"),
            DURATION_HELP,
        ));
    }
    if let Some(rest) = trimmed.strip_prefix('-') {
        if rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return Err(DurationError::new(
                format!("a duration cannot be negative; found {text:?}"),
                r#"write a duration ≥ 0, e.g. "0m" or "5m""#,
            ));
        }
        return Err(expected());
    }
    // A bare number ("365", "1.5"): the unit is missing, which deserves its own message.
    if is_number(trimmed) {
        return Err(bare_number_error(trimmed));
    }

    let chars: Vec<char> = trimmed.chars().collect();
    let mut i = 0;
    let mut total = 0.0;
    // Index into UNITS of the last unit seen: the next one must be strictly smaller.
    let mut last_unit: Option<usize> = None;
    while i < chars.len() {
        // Number: digits with an optional decimal part.
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        if number.is_empty() || !is_number(&number) {
            return Err(expected());
        }
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        // Unit: a run of letters, so that "5min" names "min" as the unknown unit.
        let unit_start = i;
        while i < chars.len() && chars[i].is_alphabetic() {
            i += 1;
        }
        let unit: String = chars[unit_start..i].iter().collect();
        if unit.is_empty() {
            if i >= chars.len() {
                // "1h30": a trailing number without its unit.
                return Err(DurationError::new(
                    format!("expected a unit after {number} in {text:?}"),
                    DURATION_HELP,
                ));
            }
            return Err(expected());
        }
        let Some(index) = UNITS
            .iter()
            .position(|(u, _)| unit.len() == 1 && unit.starts_with(*u))
        else {
            return Err(DurationError::new(
                format!(
                    "expected a duration unit (s, m, h, d or w); found the unit {unit:?} in {text:?}"
                ),
                DURATION_HELP,
            ));
        };
        if last_unit.is_some_and(|last| index <= last) {
            return Err(DurationError::new(
                format!(
                    "expected units from largest to smallest, each at most once; found {text:?}"
                ),
                r#"combine units as in "1d2h30m" or "2d 4h""#,
            ));
        }
        last_unit = Some(index);
        let value: f64 = number.parse().map_err(|_| expected())?;
        total += value * UNITS[index].1;
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
    }
    if !total.is_finite() {
        return Err(DurationError::new(
            format!("expected a finite duration; found {text:?}, which is too large"),
            DURATION_HELP,
        ));
    }
    Ok(total)
}

/// True for `123`, `1.5`, `.5`, `5.`: digits with at most one decimal point.
fn is_number(s: &str) -> bool {
    let mut digits = 0;
    let mut dots = 0;
    for c in s.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => dots += 1,
            _ => return false,
        }
    }
    digits > 0 && dots <= 1
}

/// Format minutes compactly for reports: `45m`, `1h30m`, `1d`, `365d`, `30s`, `1m15s`.
///
/// Below one hour the value is rounded to the second; from one hour on, to the minute.
/// Weeks are not used (`525600` is `365d`). Deterministic: the same input gives the same text.
pub fn format_minutes(minutes: f64) -> String {
    if minutes.is_nan() {
        return "NaN".to_string();
    }
    if minutes.is_infinite() {
        return if minutes > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    if minutes < 0.0 {
        return format!("-{}", format_minutes(-minutes));
    }
    let seconds = (minutes * 60.0).round();
    if seconds < 3600.0 {
        if seconds == 0.0 && minutes > 0.0 {
            // Keep a tiny positive value visible instead of printing "0s".
            return format!("{}s", round_to(minutes * 60.0, 3));
        }
        // Below an hour: minutes and seconds.
        let m = (seconds / 60.0).floor();
        let s = seconds - 60.0 * m;
        return match (m > 0.0, s > 0.0) {
            (true, true) => format!("{m}m{s}s"),
            (true, false) => format!("{m}m"),
            (false, true) => format!("{s}s"),
            (false, false) => "0m".to_string(),
        };
    }
    let total = minutes.round();
    let days = (total / 1440.0).floor();
    let rest = total - days * 1440.0;
    let hours = (rest / 60.0).floor();
    let mins = rest - hours * 60.0;
    let mut out = String::new();
    if days > 0.0 {
        out.push_str(&format!("{days}d"));
    }
    if hours > 0.0 {
        out.push_str(&format!("{hours}h"));
    }
    if mins > 0.0 {
        out.push_str(&format!("{mins}m"));
    }
    out
}

/// Round to `digits` decimals, for display only.
fn round_to(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> f64 {
        match parse_duration(text) {
            Ok(v) => v,
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    fn err(text: &str) -> String {
        match parse_duration(text) {
            Ok(v) => panic!("{text:?} should not parse, got {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn parses_single_units() {
        assert_eq!(ok("90s"), 1.5);
        assert_eq!(ok("15m"), 15.0);
        assert_eq!(ok("4h"), 240.0);
        assert_eq!(ok("2d"), 2880.0);
        assert_eq!(ok("52w"), 524_160.0);
        assert_eq!(ok("365d"), 525_600.0);
        assert_eq!(ok("0m"), 0.0);
    }

    #[test]
    fn parses_decimals_combinations_and_spaces() {
        assert_eq!(ok("1.5h"), 90.0);
        assert_eq!(ok("1h30m"), 90.0);
        assert_eq!(ok("2d 4h"), 3120.0);
        assert_eq!(ok(" 1d 2h 3m 30s "), 1440.0 + 120.0 + 3.0 + 0.5);
        assert_eq!(ok("90 s"), 1.5);
        assert_eq!(ok("0.5m"), 0.5);
    }

    #[test]
    fn refuses_a_bare_number_and_asks_for_the_unit() {
        let e = err("365");
        assert!(e.contains("needs a unit"), "{e}");
        assert!(
            e.contains(r#"is 365 minutes or days? write "365d" or "365m""#),
            "{e}"
        );
        assert!(err("1.5").contains("\"1.5d\""));
    }

    #[test]
    fn refuses_bad_input_with_what_was_expected() {
        assert!(err("").contains("empty"));
        assert!(err("   ").contains("empty"));
        assert!(err("abc").contains(r#"expected a duration such as "90s""#));
        assert!(err("abc").contains(r#"found "abc""#));
        assert!(err("-5m").contains("negative"));
        assert!(err("5y").contains(r#"unit "y""#));
        assert!(err("5min").contains(r#"unit "min""#));
        assert!(err("5M").contains(r#"unit "M""#));
        assert!(err("nan").contains("expected a duration"));
        assert!(err("infm").contains("expected a duration"));
        assert!(err("NaNh").contains("expected a duration"));
        assert!(err("1h30").contains("expected a unit after 30"));
        assert!(err("1h1h").contains("largest to smallest"));
        assert!(err("30m1h").contains("largest to smallest"));
        assert!(err("1..5h").contains("expected a duration"));
        assert!(err("1h!!").contains("expected a duration"));
        assert!(err("+5m").contains("expected a duration"));
        assert!(err("5e3m").contains("unit"));
        assert!(err(&format!("{}w", "9".repeat(400))).contains("too large"));
    }

    #[test]
    fn formats_compactly() {
        assert_eq!(format_minutes(45.0), "45m");
        assert_eq!(format_minutes(90.0), "1h30m");
        assert_eq!(format_minutes(1440.0), "1d");
        assert_eq!(format_minutes(525_600.0), "365d");
        assert_eq!(format_minutes(0.5), "30s");
        assert_eq!(format_minutes(1.25), "1m15s");
        assert_eq!(format_minutes(0.0), "0m");
        assert_eq!(format_minutes(60.0), "1h");
        assert_eq!(format_minutes(3120.0), "2d4h");
        assert_eq!(format_minutes(90.4), "1h30m");
        assert_eq!(format_minutes(359.999_999), "6h");
        assert_eq!(format_minutes(59.999_999), "1h");
        assert_eq!(format_minutes(-90.0), "-1h30m");
        assert_eq!(format_minutes(0.0001), "0.006s");
    }

    #[test]
    fn format_and_parse_round_trip() {
        for m in [
            0.0, 0.5, 1.25, 15.0, 45.0, 90.0, 1440.0, 3120.0, 64_800.0, 525_600.0,
        ] {
            assert_eq!(ok(&format_minutes(m)), m, "{m}");
        }
    }
}
