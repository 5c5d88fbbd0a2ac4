//! Joining the results of consecutive ranges of replications: precision-driven runs add
//! batches, `incsim merge` joins shards. Rows are concatenated in replication order and the
//! restore-time histograms (integer counts) are summed, so the joined results are exactly those
//! of one run over the whole range.

use std::fmt;

use super::ExperimentResults;

/// Why two results cannot be joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombineError(pub String);

impl fmt::Display for CombineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CombineError {}

impl ExperimentResults {
    /// Results over no replications yet, starting at `start`, for `strategies` strategies.
    pub fn empty(start: u64, strategies: usize) -> ExperimentResults {
        ExperimentResults {
            reps: start..start,
            strategies: (0..strategies)
                .map(|_| super::StrategyResults::with_capacity(0))
                .collect(),
            events: 0,
        }
    }

    /// Append the results of the replications that directly follow these.
    pub fn append(&mut self, later: ExperimentResults) -> Result<(), CombineError> {
        if later.reps.start != self.reps.end {
            return Err(CombineError(format!(
                "replications {}..{} do not follow {}..{}",
                later.reps.start, later.reps.end, self.reps.start, self.reps.end
            )));
        }
        if later.strategies.len() != self.strategies.len() {
            return Err(CombineError(format!(
                "{} strategies cannot join {}",
                later.strategies.len(),
                self.strategies.len()
            )));
        }
        let n = (later.reps.end - later.reps.start) as usize;
        for s in &later.strategies {
            if s.rows.len() != n || s.cost_checkpoints.len() != n {
                return Err(CombineError(format!(
                    "replications {}..{} hold {} rows instead of {n}",
                    later.reps.start,
                    later.reps.end,
                    s.rows.len()
                )));
            }
            if s.restore_hist.len() != crate::projections::RESTORE_BINS {
                return Err(CombineError(format!(
                    "a restore-time histogram has {} bins instead of {}",
                    s.restore_hist.len(),
                    crate::projections::RESTORE_BINS
                )));
            }
        }
        for (mine, theirs) in self.strategies.iter_mut().zip(later.strategies) {
            mine.rows.append(theirs.rows);
            for (a, b) in mine.restore_hist.iter_mut().zip(theirs.restore_hist) {
                *a += b;
            }
            mine.cost_checkpoints.extend(theirs.cost_checkpoints);
            mine.events += theirs.events;
        }
        self.reps.end = later.reps.end;
        self.events += later.events;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::experiment::run_replications;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn appending_consecutive_ranges_equals_one_run() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let whole = run_replications(&s, 0..50, &mut |_| {});
        let mut joined = run_replications(&s, 0..7, &mut |_| {});
        joined
            .append(run_replications(&s, 7..31, &mut |_| {}))
            .unwrap();
        joined
            .append(run_replications(&s, 31..50, &mut |_| {}))
            .unwrap();
        assert_eq!(joined, whole);
    }

    #[test]
    fn a_gap_is_refused() {
        let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        let mut a = run_replications(&s, 0..5, &mut |_| {});
        let err = a
            .append(run_replications(&s, 6..8, &mut |_| {}))
            .unwrap_err();
        assert!(err.0.contains("do not follow"), "{err}");
    }
}
