//! The simulated wall clock: `t = 0` is Monday 00:00 of week 1 (docs/model.md §1), so minute `t`
//! reads as `W3 Tue 09:14`. Used in event logs (`at`) and in narrated timelines.

use std::fmt;

use crate::scenario::Minutes;

const MINUTES_PER_DAY: i64 = 1440;
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A simulated instant shown as a clock. The minute shown is the one that has begun (floor),
/// as on a wall clock: `t = 554.9` is `W1 Mon 09:14`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimClock {
    /// Whole minutes since Monday 00:00 of week 1.
    minute: i64,
}

impl SimClock {
    /// The clock at simulated minute `t` (negative or non-finite values show as week 1, 00:00).
    pub fn at(t: Minutes) -> SimClock {
        let minute = if t.is_finite() && t > 0.0 {
            t.floor() as i64
        } else {
            0
        };
        SimClock { minute }
    }

    /// Week number, from 1.
    pub fn week(self) -> i64 {
        self.minute / (7 * MINUTES_PER_DAY) + 1
    }

    /// Day name (`Mon` … `Sun`).
    pub fn weekday(self) -> &'static str {
        DAYS[((self.minute / MINUTES_PER_DAY) % 7) as usize]
    }

    /// Day index since the start (0 = Monday of week 1).
    pub fn day(self) -> i64 {
        self.minute / MINUTES_PER_DAY
    }

    /// `HH:MM`.
    pub fn time_of_day(self) -> TimeOfDay {
        TimeOfDay(self.minute % MINUTES_PER_DAY)
    }
}

impl fmt::Display for SimClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "W{} {} {}",
            self.week(),
            self.weekday(),
            self.time_of_day()
        )
    }
}

/// A time of day, shown as `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay(i64);

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_zero_is_monday_midnight_of_week_one() {
        assert_eq!(SimClock::at(0.0).to_string(), "W1 Mon 00:00");
        assert_eq!(SimClock::at(554.9).to_string(), "W1 Mon 09:14");
        assert_eq!(
            SimClock::at(1440.0 + 9.0 * 60.0 + 14.0).to_string(),
            "W1 Tue 09:14"
        );
        // Week 3, Tuesday 09:14.
        let t = 2.0 * 10_080.0 + 1440.0 + 554.0;
        assert_eq!(SimClock::at(t).to_string(), "W3 Tue 09:14");
        assert_eq!(
            SimClock::at(6.0 * 1440.0 + 1439.99).to_string(),
            "W1 Sun 23:59"
        );
        // A 365-day horizon ends at the start of Tuesday of week 53 (52 weeks and a day).
        assert_eq!(SimClock::at(525_600.0).to_string(), "W53 Tue 00:00");
    }
}
