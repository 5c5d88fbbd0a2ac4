//! Timestamps of incident exports: ISO 8601 with or without an offset, day-first and
//! month-first numeric dates (`29-02-2016 01:16`, `02/29/2016 1:16 AM`), Jira's
//! `29/Feb/16 1:16 AM`, or an explicit `--date-format` (chrono's strftime syntax).
//!
//! Times become minutes since 1970-01-01 00:00 UTC. A timestamp with an offset is converted to
//! UTC; one without is taken as it is written (an export's times share one zone, and only
//! differences between them are used).

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Minutes since the Unix epoch (UTC).
pub type EpochMinutes = f64;

/// How numeric dates whose first two fields could both be a day or a month are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateOrder {
    /// `29-02-2016`, `29/02/2016`, `29.02.2016`.
    DayFirst,
    /// `02/29/2016`, `02-29-2016`.
    MonthFirst,
    /// A chrono format string given with `--date-format`.
    Explicit(String),
}

/// The values that a date column would read as, e.g. `?`, `NULL`, empty: "no value".
pub fn is_missing(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t == "?"
        || t.eq_ignore_ascii_case("null")
        || t.eq_ignore_ascii_case("none")
        || t.eq_ignore_ascii_case("n/a")
        || t == "-"
}

/// What the numeric dates of a column say about their order.
#[derive(Debug, Default, Clone, Copy)]
pub struct OrderEvidence {
    /// Values whose first field is above 12 (so it must be the day).
    pub day_first: usize,
    /// Values whose second field is above 12 (so the first must be the month).
    pub month_first: usize,
    /// Numeric `a-b-yyyy` values at all.
    pub numeric: usize,
}

impl OrderEvidence {
    /// Look at one value.
    pub fn observe(&mut self, text: &str) {
        if let Some((a, b)) = leading_numeric_pair(text.trim()) {
            self.numeric += 1;
            if a > 12 {
                self.day_first += 1;
            }
            if b > 12 {
                self.month_first += 1;
            }
        }
    }

    /// The order the evidence supports: `Ok(None)` when no value is numeric-ambiguous in form,
    /// an error message when it is contradictory or undecidable.
    pub fn decide(&self) -> Result<Option<DateOrder>, String> {
        match (self.numeric, self.day_first > 0, self.month_first > 0) {
            (0, _, _) => Ok(None),
            (_, true, false) => Ok(Some(DateOrder::DayFirst)),
            (_, false, true) => Ok(Some(DateOrder::MonthFirst)),
            (_, true, true) => Err(format!(
                "the dates mix day-first ({} values with a first field above 12) and month-first \
                 ({} values with a second field above 12) orders",
                self.day_first, self.month_first
            )),
            (n, false, false) => Err(format!(
                "the {n} numeric dates could be day-first or month-first (no field above 12)"
            )),
        }
    }
}

/// The first two fields of a `a-b-yyyy`, `a/b/yyyy` or `a.b.yyyy` date.
fn leading_numeric_pair(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.splitn(3, ['-', '/', '.']);
    let a = parts.next()?;
    let b = parts.next()?;
    let rest = parts.next()?;
    let year: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let numeric = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|c| c.is_ascii_digit());
    if !numeric(a) || !numeric(b) || year.len() != 4 {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

const ISO_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
];
const ISO_OFFSET_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
];
const NAMED_MONTH_FORMATS: &[&str] = &[
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%Y %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
];
const DAY_FIRST_FORMATS: &[&str] = &[
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];
const MONTH_FIRST_FORMATS: &[&str] = &[
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m-%d-%Y %H:%M:%S",
    "%m-%d-%Y %H:%M",
];

fn minutes_of(dt: NaiveDateTime) -> EpochMinutes {
    dt.and_utc().timestamp_millis() as f64 / 60_000.0
}

/// Parse one timestamp. `order` decides numeric `a-b-yyyy` dates; ISO and named-month dates
/// need no order. Returns `None` for anything unreadable (the caller counts it).
pub fn parse_timestamp(text: &str, order: Option<&DateOrder>) -> Option<EpochMinutes> {
    let t = text.trim();
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    if let Some(DateOrder::Explicit(format)) = order {
        if let Ok(dt) = DateTime::parse_from_str(t, format) {
            return Some(dt.timestamp_millis() as f64 / 60_000.0);
        }
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Some(minutes_of(dt));
        }
        return NaiveDate::parse_from_str(t, format)
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(minutes_of);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp_millis() as f64 / 60_000.0);
    }
    // "2016-02-29 01:16:00 UTC": a named UTC zone reads as no offset.
    let t = t
        .strip_suffix(" UTC")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t);
    for f in ISO_OFFSET_FORMATS {
        if let Ok(dt) = DateTime::parse_from_str(t, f) {
            return Some(dt.timestamp_millis() as f64 / 60_000.0);
        }
    }
    let numeric: &[&str] = match order {
        Some(DateOrder::DayFirst) => DAY_FIRST_FORMATS,
        Some(DateOrder::MonthFirst) => MONTH_FIRST_FORMATS,
        _ => &[],
    };
    ISO_FORMATS
        .iter()
        .chain(NAMED_MONTH_FORMATS)
        .chain(numeric)
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(minutes_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_first_and_month_first_read_the_same_instant() {
        let a = parse_timestamp("29-02-2016 01:16", Some(&DateOrder::DayFirst)).unwrap();
        let b = parse_timestamp("02/29/2016 1:16 AM", Some(&DateOrder::MonthFirst)).unwrap();
        let c = parse_timestamp("2016-02-29T01:16:00Z", None).unwrap();
        let d = parse_timestamp("29/Feb/16 1:16 AM", None).unwrap();
        assert_eq!(a, c);
        assert_eq!(b, c);
        assert_eq!(d, c);
    }

    #[test]
    fn an_offset_is_converted_to_utc() {
        let plus_one = parse_timestamp("2016-02-29T02:16:00+01:00", None).unwrap();
        let utc = parse_timestamp("2016-02-29 01:16:00", None).unwrap();
        assert_eq!(plus_one, utc);
    }

    #[test]
    fn a_numeric_date_needs_an_order() {
        assert_eq!(parse_timestamp("03-04-2016 10:00", None), None);
    }

    #[test]
    fn evidence_decides_only_when_unambiguous() {
        let mut e = OrderEvidence::default();
        e.observe("03-04-2016 10:00");
        assert!(e.decide().is_err());
        e.observe("29-02-2016 01:16");
        assert_eq!(e.decide(), Ok(Some(DateOrder::DayFirst)));
        e.observe("02-29-2016 01:16");
        assert!(e.decide().is_err());
    }
}
