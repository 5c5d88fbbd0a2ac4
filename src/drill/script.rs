//! Decisions files (`incsim drill --decisions FILE`): one call per line, at the clock time the
//! drill shows for its decision point.
//!
//! ```text
//! # email#1, the night shift's calls
//! W12 Tue 01:40 escalate        # the help desk is closed: straight to the senior engineer
//! W12 Tue 02:10 troubleshoot
//! ```
//!
//! A line applies to the decision point asked at that minute (the drill's clock reads whole
//! minutes); several points at one minute take the lines in order. A point with no line of its
//! own follows the strategy's rules. Lines must not go back in time, must name a call that
//! makes sense at their point, and must all be used before the incident is over.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::events::{Decision, DecisionPoint};
use crate::scenario::Minutes;

const MINUTES_PER_DAY: i64 = 1440;

/// What went wrong with a decisions file, naming the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The file, as given.
    pub file: PathBuf,
    /// 1-based line number (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)?;
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)?;
        }
        write!(f, "\n  help: {}", self.help)
    }
}

impl std::error::Error for ScriptError {}

/// One line of a decisions file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLine {
    /// 1-based line number.
    pub line: usize,
    /// Whole minutes since Monday 00:00 of week 1.
    pub minute: i64,
    /// The call.
    pub decision: Decision,
}

/// A parsed decisions file, consumed in order as the drill asks.
#[derive(Debug, Clone)]
pub struct Script {
    file: PathBuf,
    lines: Vec<ScriptLine>,
    next: usize,
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const FORMAT_HELP: &str = "write one call per line as `W12 Tue 08:00 escalate`: the clock as the \
drill shows it (week, day, HH:MM), then troubleshoot, workaround, escalate, wait, page or problem (two lines at one time: open a problem, then the call for the incident); `#` starts a comment";

/// `W12 Tue 08:00` → minutes since Monday 00:00 of week 1.
pub fn parse_clock(week: &str, day: &str, time: &str) -> Option<i64> {
    let week: i64 = week.strip_prefix('W')?.parse().ok()?;
    let day = DAYS.iter().position(|d| *d == day)? as i64;
    let (h, m) = time.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if week < 1 || !(0..24).contains(&h) || !(0..60).contains(&m) || week > 100_000 {
        return None;
    }
    Some((week - 1) * 7 * MINUTES_PER_DAY + day * MINUTES_PER_DAY + h * 60 + m)
}

/// The clock of a minute, as the drill shows it.
pub fn clock(minute: i64) -> String {
    crate::eventlog::SimClock::at(minute as Minutes).to_string()
}

impl Script {
    /// Read and check a decisions file.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScriptError {
            file: path.to_path_buf(),
            line: 0,
            message: format!("cannot read the decisions file: {e}"),
            help: "give the path of a text file with one decision per line".into(),
        })?;
        Script::parse(&text, path)
    }

    /// Parse the text of a decisions file (`file` names it in errors).
    pub fn parse(text: &str, file: &Path) -> Result<Script, ScriptError> {
        let err = |line: usize, message: String, help: String| ScriptError {
            file: file.to_path_buf(),
            line,
            message,
            help,
        };
        let mut lines: Vec<ScriptLine> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let words: Vec<&str> = content.split_whitespace().collect();
            if words.len() != 4 {
                return Err(err(
                    n,
                    format!("cannot read {content:?}: expected a clock time and one decision"),
                    FORMAT_HELP.into(),
                ));
            }
            let minute = parse_clock(words[0], words[1], words[2]).ok_or_else(|| {
                err(
                    n,
                    format!(
                        "{:?} is not a drill clock time",
                        format!("{} {} {}", words[0], words[1], words[2])
                    ),
                    FORMAT_HELP.into(),
                )
            })?;
            let decision =
                Decision::from_name(&words[3].to_ascii_lowercase()).ok_or_else(|| {
                    err(
                        n,
                        format!("unknown decision {:?}", words[3]),
                        "the decisions are troubleshoot, workaround, escalate, wait, page and problem"
                            .into(),
                    )
                })?;
            if let Some(prev) = lines.last()
                && minute < prev.minute
            {
                return Err(err(
                    n,
                    format!(
                        "{} is in the past: line {} is already at {}",
                        clock(minute),
                        prev.line,
                        clock(prev.minute)
                    ),
                    "list the decisions in the order of the clock".into(),
                ));
            }
            lines.push(ScriptLine {
                line: n,
                minute,
                decision,
            });
        }
        Ok(Script {
            file: file.to_path_buf(),
            lines,
            next: 0,
        })
    }

    /// The call for a decision point: `Ok(Some)` from the next line if it is for this minute,
    /// `Ok(None)` when the next line is later (the playbook decides), an error when the next
    /// line's time has passed or its call is not available here. `describe` says, for errors,
    /// what the point was and which calls it offered.
    pub fn call(
        &mut self,
        point: &DecisionPoint,
        describe: impl Fn() -> String,
    ) -> Result<Option<(Decision, usize)>, ScriptError> {
        let Some(next) = self.lines.get(self.next).copied() else {
            return Ok(None);
        };
        let minute = point.t.floor() as i64;
        let choices: Vec<&str> = point.choices.iter().map(Decision::name).collect();
        if next.minute < minute {
            return Err(ScriptError {
                file: self.file.clone(),
                line: next.line,
                message: format!(
                    "{} is in the past: no decision was asked then; the next one was asked at {} ({})",
                    clock(next.minute),
                    clock(minute),
                    describe()
                ),
                help: format!(
                    "move the line to a moment the drill asks (run it with --policy to see them); at {} the choices were {}",
                    clock(minute),
                    choices.join(", ")
                ),
            });
        }
        if next.minute > minute {
            return Ok(None);
        }
        self.next += 1;
        if !point.choices.contains(next.decision) {
            return Err(ScriptError {
                file: self.file.clone(),
                line: next.line,
                message: format!(
                    "{:?} is not available at {}: {}",
                    next.decision.name(),
                    clock(minute),
                    describe()
                ),
                help: format!("choose one of {}", choices.join(", ")),
            });
        }
        Ok(Some((next.decision, next.line)))
    }

    /// After the drill: an error for the first line never used (the incident was over first).
    pub fn leftover(&self, over_at: Minutes, how: &str) -> Result<(), ScriptError> {
        match self.lines.get(self.next) {
            None => Ok(()),
            Some(line) => Err(ScriptError {
                file: self.file.clone(),
                line: line.line,
                message: format!(
                    "{} {:?} comes after the end of the drill: the incident was {how} at {}",
                    clock(line.minute),
                    line.decision.name(),
                    clock(over_at.floor() as i64)
                ),
                help: "remove the decisions after the end, or check the incident and replication"
                    .into(),
            }),
        }
    }
}

/// The text of a decisions file that replays `calls` (clock minute, call).
pub fn write(header: &str, calls: &[(Minutes, Decision, &str)]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for (t, decision, note) in calls {
        let entry = format!("{} {}", clock(t.floor() as i64), decision.name());
        if note.is_empty() {
            out.push_str(&entry);
        } else {
            out.push_str(&format!("{entry:<28}# {note}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_read_back_as_the_drill_shows_them() {
        let m = parse_clock("W12", "Tue", "08:00").unwrap();
        assert_eq!(clock(m), "W12 Tue 08:00");
        assert_eq!(parse_clock("W1", "Mon", "00:00"), Some(0));
        assert_eq!(parse_clock("W0", "Mon", "00:00"), None);
        assert_eq!(parse_clock("W1", "Mon", "24:00"), None);
        assert_eq!(parse_clock("W1", "Monday", "10:00"), None);
    }

    #[test]
    fn lines_that_go_back_in_time_are_refused_with_their_line() {
        let text = "W1 Mon 10:00 escalate\n\n# note\nW1 Mon 09:00 wait\n";
        let err = Script::parse(text, Path::new("d.txt")).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(
            err.to_string()
                .contains("d.txt:4: W1 Mon 09:00 is in the past")
        );
    }

    #[test]
    fn unknown_decisions_are_refused_with_their_line() {
        let err = Script::parse("W1 Mon 10:00 panic\n", Path::new("d.txt")).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("unknown decision \"panic\""));
    }
}
