//! Weekly opening hours and UTC offsets (docs/model.md §2 rule 8, §8.1). `t = 0` is Monday
//! 00:00 *site* time; a tier's or shift's hours are read in its own local time, i.e. site time
//! shifted by (its offset − the site's offset) minutes.
//!
//! `"24x7"` and `"business"` keep their own arithmetic (the benchmark's fast path); weekly
//! ranges are a sorted list of open intervals within the week, searched without allocating.

use std::fmt;

use crate::scenario::{Hours, Minutes, WeeklyHours};

const DAY: Minutes = 1440.0;
const WEEK: Minutes = 10_080.0;
const OPEN: Minutes = 480.0; // 08:00
const CLOSE: Minutes = 1080.0; // 18:00

/// Most minutes an offset may be east of UTC (`+14:00`, Kiribati).
pub const MAX_OFFSET_EAST: i32 = 14 * 60;
/// Most minutes an offset may be west of UTC (`-12:00`).
pub const MAX_OFFSET_WEST: i32 = 12 * 60;

/// True when work may start at site time `t` under `hours` read `shift` minutes ahead of the
/// site's clock (local time = `t + shift`).
#[inline]
pub fn is_open(hours: &Hours, t: Minutes, shift: Minutes) -> bool {
    match hours {
        Hours::AlwaysOpen => true,
        Hours::Business => {
            let local = t + shift;
            let day = floor(local / DAY);
            let minute = local - day * DAY;
            is_weekday(day) && (OPEN..CLOSE).contains(&minute)
        }
        Hours::Weekly(w) => {
            let local = t + shift;
            let week = floor(local / WEEK);
            let minute = local - week * WEEK;
            w.contains_week_minute(minute)
        }
    }
}

/// `x.floor()` without the libm call: baseline x86-64 has no rounding instruction, so
/// `f64::floor` is a function call on every dispatch at a business-hours tier. Truncation
/// (one conversion) corrected by one for negative non-integers gives the same value for every
/// finite `x` within ±2⁶³; other inputs keep `f64::floor`.
#[inline]
fn floor(x: f64) -> f64 {
    if x.abs() < 9.0e18 {
        let truncated = x as i64 as f64;
        if truncated > x {
            truncated - 1.0
        } else {
            // Keeps the sign of -0.0 (the only case where truncation loses it).
            truncated.copysign(x)
        }
    } else {
        libm_floor(x)
    }
}

/// `f64::floor` out of line, for what [`floor`] does not handle. Why a function of its own:
/// the compiler may compute the floor intrinsic ahead of a branch or a loop, since it has no
/// side effects, and on baseline x86-64 that intrinsic is a libm call. When the tiers'
/// dispatch gained its 24x7 shortcut, the compiler moved the calendar's two floors (day and
/// week) to the top of dispatch, called on every pass, 24x7 tiers included: +9 % instructions
/// on the benchmark. A call to an ordinary function is never computed ahead like that.
#[cold]
#[inline(never)]
fn libm_floor(x: f64) -> f64 {
    x.floor()
}

/// The earliest site time ≥ `t` at which `hours` (read `shift` minutes ahead) are open.
/// Openings land on whole local minutes, so [`is_open`] holds exactly at the returned time.
pub fn next_opening(hours: &Hours, t: Minutes, shift: Minutes) -> Minutes {
    if is_open(hours, t, shift) {
        return t;
    }
    let local = t + shift;
    match hours {
        Hours::AlwaysOpen => t,
        Hours::Business => {
            let day = floor(local / DAY);
            business_opening(day, local - day * DAY, shift)
        }
        Hours::Weekly(w) => {
            let week = floor(local / WEEK);
            let minute = local - week * WEEK;
            // The first interval starting after `minute` this week, else the first next week.
            let start = w
                .open
                .iter()
                .map(|&(s, _)| s as Minutes)
                .find(|&s| s > minute);
            match start {
                Some(s) => week * WEEK + s - shift,
                None => (week + 1.0) * WEEK + w.open[0].0 as Minutes - shift,
            }
        }
    }
}

/// Minutes that `hours` (read `shift` minutes ahead) are open within `[0, horizon)`.
pub fn open_minutes(hours: &Hours, horizon: Minutes, shift: Minutes) -> Minutes {
    closed_or_open_minutes(&[(hours, shift)], horizon, true)
}

/// Minutes of `[0, horizon)` in which none of `schedules` (hours, shift) is open.
pub fn minutes_all_closed(schedules: &[(&Hours, Minutes)], horizon: Minutes) -> Minutes {
    closed_or_open_minutes(schedules, horizon, false)
}

/// Counts, over `[0, horizon)`, the minutes in which any schedule is open (`open = true`) or
/// all are closed. Every boundary is a whole minute (times and offsets are written in minutes),
/// so stepping between boundaries is exact.
fn closed_or_open_minutes(
    schedules: &[(&Hours, Minutes)],
    horizon: Minutes,
    open: bool,
) -> Minutes {
    let mut total = 0.0;
    let mut t = 0.0;
    while t < horizon {
        let now_open = schedules.iter().any(|(h, s)| is_open(h, t, *s));
        let next = schedules
            .iter()
            .map(|(h, s)| next_change(h, t, *s))
            .fold(horizon, Minutes::min)
            .max(t + 1.0)
            .min(horizon);
        if now_open == open {
            total += next - t;
        }
        t = next;
    }
    total
}

/// [`is_open`] and [`next_change`] together: the same values, with business hours' day and
/// minute worked out once rather than three times (a business-hours shift reads both at
/// every opening and closing it sees; see `ShiftClock::read`).
#[inline]
pub fn open_and_next_change(hours: &Hours, t: Minutes, shift: Minutes) -> (bool, Minutes) {
    let Hours::Business = hours else {
        return (is_open(hours, t, shift), next_change(hours, t, shift));
    };
    // The operations of `is_open`, `next_change` and `next_opening` in their order, so every
    // value is the same to the bit.
    let local = t + shift;
    let day = floor(local / DAY);
    let minute = local - day * DAY;
    if is_weekday(day) && (OPEN..CLOSE).contains(&minute) {
        return (true, day * DAY + CLOSE - shift);
    }
    (false, business_opening(day, minute, shift))
}

/// Monday to Friday: `day` counts whole local days from Monday 00:00.
#[inline]
fn is_weekday(day: f64) -> bool {
    (day as i64).rem_euclid(7) < 5
}

/// Business hours' next opening from local `day` and `minute` of that day, while closed:
/// today at 08:00 if it is a weekday and still before 08:00, else the next weekday's.
#[inline]
fn business_opening(mut day: f64, minute: Minutes, shift: Minutes) -> Minutes {
    if is_weekday(day) && minute < OPEN {
        return day * DAY + OPEN - shift;
    }
    loop {
        day += 1.0;
        if is_weekday(day) {
            return day * DAY + OPEN - shift;
        }
    }
}

/// The next site time after `t` at which `hours` open or close (or `+∞` for `"24x7"`).
pub fn next_change(hours: &Hours, t: Minutes, shift: Minutes) -> Minutes {
    match hours {
        Hours::AlwaysOpen => Minutes::INFINITY,
        _ if !is_open(hours, t, shift) => next_opening(hours, t, shift),
        Hours::Business => {
            let local = t + shift;
            floor(local / DAY) * DAY + CLOSE - shift
        }
        Hours::Weekly(w) => {
            let local = t + shift;
            let week = floor(local / WEEK);
            let i = w
                .open
                .partition_point(|&(s, _)| (s as Minutes) <= local - week * WEEK);
            // The containing interval's end (a week-end close may reopen at Monday 00:00:
            // a harmless extra step).
            week * WEEK + w.open[i - 1].1 as Minutes - shift
        }
    }
}

impl WeeklyHours {
    /// True when the minute of the week (0 = Monday 00:00 local) is inside an open interval.
    #[inline]
    fn contains_week_minute(&self, minute: Minutes) -> bool {
        // Intervals are sorted and disjoint: the last one starting at or before `minute`.
        let i = self
            .open
            .partition_point(|&(s, _)| (s as Minutes) <= minute);
        i > 0 && minute < self.open[i - 1].1 as Minutes
    }
}

/// An error in an hours or offset text, with the fix to suggest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub message: String,
    pub help: String,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.help)
    }
}

const HOURS_HELP: &str = "write \"24x7\", \"business\" or weekly ranges such as \
     \"Mon-Fri 07:00-19:00; Sat 09:00-13:00\" (days: Mon Tue Wed Thu Fri Sat Sun, a range \
     Mon-Fri, a list Mon,Wed, or daily)";

use super::validate::shown;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parses opening hours (model.md §8.1): `"24x7"`, `"business"`, or segments separated by
/// `;`, each `[DAYS] HH:MM-HH:MM[, HH:MM-HH:MM]`.
pub fn parse_hours(text: &str) -> Result<Hours, CalendarError> {
    match text.trim() {
        "24x7" => return Ok(Hours::AlwaysOpen),
        "business" => return Ok(Hours::Business),
        _ => {}
    }
    let bad = |message: String| CalendarError {
        message,
        help: HOURS_HELP.into(),
    };
    let mut raw: Vec<(u32, u32)> = Vec::new();
    for segment in text.split(';') {
        let segment = segment.trim();
        if segment.is_empty() {
            return Err(bad("an empty segment between two \";\"".into()));
        }
        let (days, times) = match segment.find(|c: char| c.is_ascii_whitespace()) {
            Some(i) if segment.as_bytes()[0].is_ascii_alphabetic() => {
                (parse_days(&segment[..i]).map_err(bad)?, segment[i..].trim())
            }
            None if segment.as_bytes()[0].is_ascii_alphabetic() => {
                return Err(bad(format!("{} gives days without times", shown(segment))));
            }
            _ => ([true; 7], segment),
        };
        for range in times.split(',') {
            let (start, end) = parse_range(range.trim()).map_err(bad)?;
            for (day, on) in days.iter().enumerate() {
                if !on {
                    continue;
                }
                let s = day as u32 * 1440 + start;
                // An end at or before the start runs past midnight (the start's day owns it).
                let e = day as u32 * 1440 + if end <= start { end + 1440 } else { end };
                if e > 10_080 {
                    raw.push((s, 10_080));
                    raw.push((0, e - 10_080));
                } else {
                    raw.push((s, e));
                }
            }
        }
    }
    raw.sort_unstable();
    let mut open: Vec<(u32, u32)> = Vec::with_capacity(raw.len());
    for (s, e) in raw {
        match open.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => open.push((s, e)),
        }
    }
    if open == [(0, 10_080)] {
        return Ok(Hours::AlwaysOpen);
    }
    Ok(Hours::Weekly(WeeklyHours {
        text: text.trim().to_string(),
        open,
    }))
}

fn parse_day(word: &str) -> Result<usize, String> {
    let lower = word.to_ascii_lowercase();
    DAYS.iter().position(|d| *d == lower).ok_or_else(|| {
        format!(
            "{} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
            shown(word)
        )
    })
}

fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut on = [false; 7];
    if text.eq_ignore_ascii_case("daily") {
        return Ok([true; 7]);
    }
    for item in text.split(',') {
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (parse_day(a)?, parse_day(b)?);
                // `Fri-Mon` wraps over the weekend.
                let mut d = a;
                loop {
                    on[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => on[parse_day(item)?] = true,
        }
    }
    Ok(on)
}

/// `HH:MM-HH:MM` → (start, end) minutes of the day; `24:00` only as an end.
fn parse_range(text: &str) -> Result<(u32, u32), String> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| format!("{} is not a time range HH:MM-HH:MM", shown(text)))?;
    let start = parse_clock(a.trim())?;
    let end = parse_clock(b.trim())?;
    if start == 1440 {
        return Err("a range cannot start at 24:00".into());
    }
    Ok((start, end))
}

fn parse_clock(text: &str) -> Result<u32, String> {
    let err = || format!("{} is not a time HH:MM (00:00 to 24:00)", shown(text));
    let (h, m) = text.split_once(':').ok_or_else(err)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(err());
    }
    let h: u32 = h.parse().map_err(|_| err())?;
    let m: u32 = m.parse().map_err(|_| err())?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(err());
    }
    Ok(h * 60 + m)
}

/// Parses a UTC offset `"+HH:MM"` / `"-HH:MM"` into minutes east of UTC (−12:00 … +14:00).
pub fn parse_offset(text: &str) -> Result<i32, CalendarError> {
    let bad = || CalendarError {
        message: format!("{} is not a UTC offset", shown(text)),
        help: "write \"+HH:MM\" or \"-HH:MM\" between \"-12:00\" and \"+14:00\", e.g. \"+01:00\""
            .into(),
    };
    let sign = match text.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let minutes = parse_clock(&text[1..]).map_err(|_| bad())? as i32;
    let offset = sign * minutes;
    if !(-MAX_OFFSET_WEST..=MAX_OFFSET_EAST).contains(&offset) {
        return Err(bad());
    }
    Ok(offset)
}

/// Writes minutes east of UTC as `"+HH:MM"`.
pub fn format_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hours::AlwaysOpen => f.write_str("24x7"),
            Hours::Business => f.write_str("business"),
            Hours::Weekly(w) => f.write_str(&w.text),
        }
    }
}

impl TryFrom<String> for Hours {
    type Error = CalendarError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        parse_hours(&text)
    }
}

impl From<Hours> for String {
    fn from(hours: Hours) -> String {
        hours.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cheap_floor_agrees_with_the_library_floor() {
        for x in [
            0.0,
            -0.0,
            0.5,
            1.0,
            6.999_999,
            7.0,
            -0.5,
            -1.0,
            -1.5,
            1e15 + 0.5,
            -1e15 - 0.5,
            4.5e18,
            -4.5e18,
            1e19,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(floor(x).to_bits(), x.floor().to_bits(), "floor({x})");
        }
        assert!(floor(f64::NAN).is_nan());
    }

    fn h(text: &str) -> Hours {
        parse_hours(text).unwrap()
    }

    /// The combined read gives `is_open` and `next_change` to the bit: at every change, a
    /// hair either side of it, whole and fractional minutes across three weeks, at offsets of
    /// either sign, for each kind of hours.
    #[test]
    fn open_and_next_change_is_is_open_and_next_change() {
        let kinds = [
            Hours::Business,
            Hours::AlwaysOpen,
            h("Mon-Fri 07:00-19:00; Sat 09:00-13:00"),
        ];
        for hours in &kinds {
            for shift in [0.0, -300.0, 330.0, 600.0, -720.0, 840.0] {
                let mut instants = Vec::new();
                let mut t = -2.0 * DAY;
                while t < 3.0 * WEEK {
                    instants.extend([t, t + 0.25, t + 59.999]);
                    let change = next_change(hours, t, shift);
                    if change.is_finite() {
                        instants.extend([change.next_down(), change, change.next_up()]);
                    }
                    t += 60.0;
                }
                for at in instants {
                    let expected = (is_open(hours, at, shift), next_change(hours, at, shift));
                    let got = open_and_next_change(hours, at, shift);
                    assert_eq!(got.0, expected.0, "{hours:?} at {at} shift {shift}");
                    assert_eq!(got.1.to_bits(), expected.1.to_bits(), "{hours:?} at {at}");
                }
            }
        }
    }

    #[test]
    fn business_hours_are_weekdays_eight_to_six() {
        let b = Hours::Business;
        assert!(!is_open(&b, 479.0, 0.0));
        assert!(is_open(&b, 480.0, 0.0));
        assert!(is_open(&b, 1079.9, 0.0));
        assert!(!is_open(&b, 1080.0, 0.0));
        // Saturday 10:00 (day 5)
        assert!(!is_open(&b, 5.0 * DAY + 600.0, 0.0));
        assert!(is_open(&Hours::AlwaysOpen, 5.0 * DAY + 600.0, 0.0));
    }

    #[test]
    fn next_opening_skips_nights_and_weekends() {
        let b = Hours::Business;
        assert_eq!(next_opening(&b, 0.0, 0.0), 480.0); // Monday 00:00 → 08:00
        assert_eq!(next_opening(&b, 600.0, 0.0), 600.0); // open now
        assert_eq!(next_opening(&b, 1100.0, 0.0), DAY + 480.0); // Monday 18:20 → Tuesday 08:00
        assert_eq!(next_opening(&b, 4.0 * DAY + 1100.0, 0.0), 7.0 * DAY + 480.0); // Fri → Mon
        assert_eq!(next_opening(&b, 6.0 * DAY + 100.0, 0.0), 7.0 * DAY + 480.0); // Sun → Mon
    }

    #[test]
    fn business_written_as_weekly_ranges_is_the_same_week() {
        let weekly = h("Mon-Fri 08:00-18:00");
        assert!(matches!(weekly, Hours::Weekly(_)));
        for minute in 0..(2 * 10_080) {
            let t = minute as Minutes + 0.5;
            assert_eq!(
                is_open(&weekly, t, 0.0),
                is_open(&Hours::Business, t, 0.0),
                "{t}"
            );
            assert_eq!(
                next_opening(&weekly, t, 0.0),
                next_opening(&Hours::Business, t, 0.0),
                "{t}"
            );
        }
    }

    #[test]
    fn a_plus_eight_monday_morning_is_a_sunday_evening_on_site() {
        // A shift at +08:00 working Mon 07:00-12:00 local, on a UTC site: local = site + 480.
        // Its Monday 07:00 is the site's Sunday 23:00 (day 6 × 1440 + 1380 = 10,020 min); the
        // site's Monday 00:00 (t = 0) is already 08:00 local, inside the shift.
        let mon = h("Mon 07:00-12:00");
        let shift = 480.0;
        let sunday_23 = 6.0 * DAY + 23.0 * 60.0;
        assert!(!is_open(&mon, sunday_23 - 0.5, shift));
        assert!(is_open(&mon, sunday_23, shift));
        assert!(is_open(&mon, sunday_23 + 60.0, shift)); // site Monday 00:00, local 08:00
        assert!(!is_open(&mon, sunday_23 + 300.0, shift)); // local 12:00
        assert!(is_open(&mon, 0.0, shift));
        // Once it closes (site Monday 04:00, local 12:00) it next opens on the site's Sunday.
        assert_eq!(next_opening(&mon, 240.0, shift), sunday_23);
        // The same hours with no offset open on the site's Monday 07:00.
        assert_eq!(next_opening(&mon, 0.0, 0.0), 420.0);
        // Negative offsets wrap the other way: -05:00 local Mon 07:00 is site Mon 12:00.
        assert_eq!(next_opening(&mon, 0.0, -300.0), 720.0);
    }

    #[test]
    fn overnight_ranges_belong_to_the_day_they_start_and_wrap_the_week() {
        let nights = h("Fri 22:00-06:00");
        assert!(is_open(&nights, 4.0 * DAY + 22.0 * 60.0, 0.0));
        assert!(is_open(&nights, 5.0 * DAY + 5.0 * 60.0, 0.0)); // Saturday 05:00
        assert!(!is_open(&nights, 5.0 * DAY + 6.0 * 60.0, 0.0));
        let sunday_night = h("Sun 22:00-02:00");
        assert!(is_open(&sunday_night, 60.0, 0.0)); // Monday 01:00 of week 0
        assert!(is_open(&sunday_night, 6.0 * DAY + 23.0 * 60.0, 0.0));
        assert!(!is_open(&sunday_night, 180.0, 0.0));
        let weekend = h("Fri-Mon 10:00-11:00");
        for (day, open) in [
            (0, true),
            (1, false),
            (3, false),
            (4, true),
            (5, true),
            (6, true),
        ] {
            assert_eq!(
                is_open(&weekend, day as Minutes * DAY + 630.0, 0.0),
                open,
                "{day}"
            );
        }
    }

    #[test]
    fn segments_lists_and_daily() {
        let hours = h("Mon-Fri 07:00-19:00; Sat 09:00-13:00");
        assert!(is_open(&hours, 7.0 * 60.0, 0.0));
        assert!(is_open(&hours, 5.0 * DAY + 12.0 * 60.0, 0.0));
        assert!(!is_open(&hours, 5.0 * DAY + 13.0 * 60.0, 0.0));
        assert!(!is_open(&hours, 6.0 * DAY + 12.0 * 60.0, 0.0));
        let split = h("Mon,Wed 08:00-12:00, 13:00-17:00");
        assert!(is_open(&split, 2.0 * DAY + 600.0, 0.0));
        assert!(!is_open(&split, 2.0 * DAY + 750.0, 0.0));
        assert!(!is_open(&split, DAY + 600.0, 0.0));
        assert_eq!(h("daily 00:00-24:00"), Hours::AlwaysOpen);
        assert_eq!(h("00:00-00:00"), Hours::AlwaysOpen);
        let every_day = h("09:00-10:00");
        assert!(is_open(&every_day, 6.0 * DAY + 570.0, 0.0));
    }

    #[test]
    fn bad_hours_say_what_is_wrong() {
        for (text, says) in [
            ("9to5", "not a time range"),
            ("Mon-Fry 08:00-18:00", "\"Fry\" is not a day"),
            ("Mon 25:00-26:00", "not a time"),
            ("Mon", "days without times"),
            ("Mon 08:00-18:00;", "empty segment"),
            ("24:00-01:00", "cannot start at 24:00"),
        ] {
            let e = parse_hours(text).unwrap_err();
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }

    #[test]
    fn offsets_parse_and_print() {
        assert_eq!(parse_offset("+08:00"), Ok(480));
        assert_eq!(parse_offset("-05:30"), Ok(-330));
        assert_eq!(format_offset(-330), "-05:30");
        assert!(parse_offset("08:00").is_err());
        assert!(parse_offset("+15:00").is_err());
        assert!(parse_offset("-12:30").is_err());
    }

    #[test]
    fn closed_minutes_of_a_business_tier_over_thirty_days() {
        // 30 days from Monday = 4 weeks + Mon, Tue: 22 weekdays × 10 h open.
        let horizon = 30.0 * DAY;
        assert_eq!(open_minutes(&Hours::Business, horizon, 0.0), 22.0 * 600.0);
        assert_eq!(
            minutes_all_closed(&[(&Hours::Business, 0.0)], horizon),
            horizon - 22.0 * 600.0
        );
        // Two shifts covering the day between them leave only the gaps.
        let early = h("06:00-14:00");
        let late = h("14:00-22:00");
        assert_eq!(
            minutes_all_closed(&[(&early, 0.0), (&late, 0.0)], 7.0 * DAY),
            7.0 * 8.0 * 60.0
        );
        assert_eq!(
            minutes_all_closed(&[(&Hours::AlwaysOpen, 0.0)], horizon),
            0.0
        );
    }
}
