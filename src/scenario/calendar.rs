//! Working hours of a tier (docs/model.md §2 rule 8). `t = 0` is Monday 00:00.

use crate::scenario::{Hours, Minutes};

const DAY: Minutes = 1440.0;
const OPEN: Minutes = 480.0; // 08:00
const CLOSE: Minutes = 1080.0; // 18:00

/// True when a tier with these hours may start new work at `t`.
#[inline]
pub fn is_open(hours: Hours, t: Minutes) -> bool {
    match hours {
        Hours::AlwaysOpen => true,
        Hours::Business => {
            let day = (t / DAY).floor();
            let weekday = (day as i64).rem_euclid(7);
            let minute = t - day * DAY;
            weekday < 5 && (OPEN..CLOSE).contains(&minute)
        }
    }
}

/// The earliest time ≥ `t` at which the tier is open.
pub fn next_opening(hours: Hours, t: Minutes) -> Minutes {
    if is_open(hours, t) {
        return t;
    }
    let mut day = (t / DAY).floor();
    // Today at 08:00 if it is a weekday and still before 08:00, else the next weekday.
    if (day as i64).rem_euclid(7) < 5 && t - day * DAY < OPEN {
        return day * DAY + OPEN;
    }
    loop {
        day += 1.0;
        if (day as i64).rem_euclid(7) < 5 {
            return day * DAY + OPEN;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_hours_are_weekdays_eight_to_six() {
        let b = Hours::Business;
        assert!(!is_open(b, 479.0));
        assert!(is_open(b, 480.0));
        assert!(is_open(b, 1079.9));
        assert!(!is_open(b, 1080.0));
        // Saturday 10:00 (day 5)
        assert!(!is_open(b, 5.0 * DAY + 600.0));
        assert!(is_open(Hours::AlwaysOpen, 5.0 * DAY + 600.0));
    }

    #[test]
    fn next_opening_skips_nights_and_weekends() {
        let b = Hours::Business;
        assert_eq!(next_opening(b, 0.0), 480.0); // Monday 00:00 → 08:00
        assert_eq!(next_opening(b, 600.0), 600.0); // open now
        assert_eq!(next_opening(b, 1100.0), DAY + 480.0); // Monday 18:20 → Tuesday 08:00
        assert_eq!(next_opening(b, 4.0 * DAY + 1100.0), 7.0 * DAY + 480.0); // Friday evening → Monday
        assert_eq!(next_opening(b, 6.0 * DAY + 100.0), 7.0 * DAY + 480.0); // Sunday → Monday
    }
}
