//! How long a run will take, measured before it starts (issue 18): `incsim validate` times a
//! short calibration of the scenario on this machine — the first replications of every
//! strategy, simulated on one thread by [`run_replications`] as a run simulates them, and the
//! report and output files of those replications — and extrapolates to the run's replication
//! count and thread count. Nothing here is a constant guessed for a typical machine: every
//! figure comes from a clock around the code a run executes.
//!
//! A run spends its time in three places, each estimated on its own:
//! - **the simulation**: replications × the measured seconds per replication, divided by the
//!   speed-up the run's threads gave on the same calibration batch (measured, not assumed: on
//!   a machine busy with other work a second thread may give nothing);
//! - **the compact sensitivity** `run` adds to report.html (unless `--no-sensitivity`): a base
//!   run and two runs per input that is not zero, of ⌊replications ÷ runs⌋ replications each
//!   (at least one) — replication 0 of each as long as the calibration's first batch (that
//!   replication alone, with a new simulator), the others at the mean; with fewer replications
//!   per run than twice the threads the inputs' runs go in parallel, at the measured speed-up
//!   — plus its setup (every input
//!   moved down and up and the changed scenario checked, twice: `run` plans the analysis once
//!   for its progress bar and once to run it), timed on a few inputs and multiplied by the
//!   number of inputs;
//! - **the outputs** (report, charts, files): timed once on the calibration's replications and
//!   counted as a fixed cost (they grow little with the replications: 0.26 s at `-n 10` and
//!   0.21 s at `-n 1000` for the built-in scenario).
//!
//! The estimate is an estimate: another load on the machine, or replications far costlier than
//! the first ones, make the run slower.

use std::time::Instant;

use super::compact;
use super::vary;
use super::{ExperimentResults, run_replications};
use crate::scenario::Scenario;

/// The calibration simulates more replications until it has taken this long.
pub const TARGET_SECONDS: f64 = 0.2;

/// ... or until it has simulated this many at once.
pub const MAX_CALIBRATION_REPLICATIONS: u64 = 1024;

/// Inputs whose sensitivity setup is timed (evenly spread over the scenario's inputs).
const SETUP_SAMPLE: usize = 4;

/// What a short calibration of a scenario measured on this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Replications of every strategy in the measured batch (the last and largest one).
    pub replications: u64,
    /// Seconds that batch took to simulate on one thread.
    pub seconds: f64,
    /// Seconds the first batch — replication 0 alone, with a new simulator — took: what one
    /// of the compact sensitivity's runs of one replication costs (each simulates replication
    /// 0 afresh).
    pub first_seconds: f64,
    /// The worker threads of the run.
    pub threads: usize,
    /// Seconds the same batch took with those threads (the same as `seconds` for one).
    pub parallel_seconds: f64,
    /// Seconds the report and output files of that batch took to build (in memory).
    pub outputs_seconds: f64,
    /// Inputs a sensitivity analysis moves (the scenario's numeric inputs).
    pub inputs: u64,
    /// Those that are not zero: the ones ±20 % moves, two runs each.
    pub movable_inputs: u64,
    /// Seconds the sensitivity's setup takes per input (both changes), timed on a sample.
    pub setup_seconds_per_input: f64,
}

/// Where a run's time goes, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The main replications.
    pub simulation: f64,
    /// The compact sensitivity: its setup and its replications (0 when skipped).
    pub sensitivity: f64,
    /// Its runs (the base run and two per input not zero), 0 when skipped.
    pub sensitivity_runs: u64,
    /// Replications its runs simulate together.
    pub sensitivity_replications: u64,
    /// The report and output files (fixed).
    pub outputs: f64,
    /// How many times faster than one thread the run's threads simulate (measured).
    pub speedup: f64,
}

impl Estimate {
    /// The whole run, in seconds.
    pub fn total(&self) -> f64 {
        self.simulation + self.sensitivity + self.outputs
    }
}

/// Time a short run of `scenario` on one thread: batches of 1, 2, 4, … replications of every
/// strategy (replications 0, 1, …), until [`TARGET_SECONDS`] have passed or a batch has
/// [`MAX_CALIBRATION_REPLICATIONS`]; then the last batch again with `threads` worker threads
/// (the speed-up they give), the outputs of that batch, and the sensitivity's setup on a few
/// inputs. Takes about 3 × [`TARGET_SECONDS`] plus one report, or two replications where a
/// single one takes longer.
///
/// `write_outputs` builds the run's outputs from results (the command layer passes the
/// export bundle: experiment may not import export, see tests/layers.rs); its time is the
/// fixed cost of writing.
pub fn calibrate(
    scenario: &Scenario,
    threads: usize,
    write_outputs: &dyn Fn(&Scenario, &ExperimentResults),
) -> Calibration {
    let threads = threads.max(1);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread starts");
    let started = Instant::now();
    let mut reps = 1;
    let mut first_seconds = None;
    let (results, seconds) = loop {
        let batch = Instant::now();
        let results = one_thread.install(|| run_replications(scenario, 0..reps, &mut |_| {}));
        let seconds = batch.elapsed().as_secs_f64();
        first_seconds.get_or_insert(seconds);
        if started.elapsed().as_secs_f64() >= TARGET_SECONDS || reps >= MAX_CALIBRATION_REPLICATIONS
        {
            break (results, seconds);
        }
        reps *= 2;
    };
    let parallel_seconds = if threads == 1 {
        seconds
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("the worker threads start");
        let batch = Instant::now();
        pool.install(|| run_replications(scenario, 0..reps, &mut |_| {}));
        batch.elapsed().as_secs_f64()
    };

    let mut measured = scenario.clone();
    measured.simulation.replications = reps;
    let outputs = Instant::now();
    write_outputs(&measured, &results);
    let outputs_seconds = outputs.elapsed().as_secs_f64();

    let parameters = vary::parameters(scenario);
    let movable_inputs = parameters
        .iter()
        .filter(|p| p.value(scenario).as_number() != 0.0)
        .count() as u64;
    let sample: Vec<&vary::Parameter> = if parameters.is_empty() {
        Vec::new()
    } else {
        let step = parameters.len().div_ceil(SETUP_SAMPLE);
        parameters.iter().step_by(step).collect()
    };
    let mut trials = vary::Trials::new(scenario);
    let setup = Instant::now();
    for p in &sample {
        // As `sensitivity::Plan::new` does for every input.
        for x in [1.0 - compact::CHANGE, 1.0 + compact::CHANGE] {
            let _ = trials.apply(p, vary::Setting::Times(x));
        }
    }
    let setup_seconds_per_input = if sample.is_empty() {
        0.0
    } else {
        setup.elapsed().as_secs_f64() / sample.len() as f64
    };

    Calibration {
        replications: reps,
        seconds,
        first_seconds: first_seconds.unwrap_or(seconds),
        threads,
        parallel_seconds,
        outputs_seconds,
        inputs: parameters.len() as u64,
        movable_inputs,
        setup_seconds_per_input,
    }
}

impl Calibration {
    /// Seconds one replication of every strategy takes on one thread.
    pub fn seconds_per_replication(&self) -> f64 {
        self.seconds / self.replications.max(1) as f64
    }

    /// How many times faster than one thread the run's threads simulated the calibration
    /// batch: at least 1 (a slower parallel batch is noise or a busy machine, and the run
    /// would not be slower than one thread by much), at most the threads.
    pub fn speedup(&self) -> f64 {
        let s = self.seconds / self.parallel_seconds;
        if s.is_finite() {
            s.clamp(1.0, self.threads.max(1) as f64)
        } else {
            1.0
        }
    }

    /// The time a run of `replications` replications with the calibration's threads will
    /// take; `sensitivity` when the run adds the compact sensitivity (`run` does unless
    /// `--no-sensitivity`, with at least two strategies).
    pub fn estimate(&self, replications: u64, sensitivity: bool) -> Estimate {
        let measured = self.speedup();
        // Within one simulation, no more threads work than there are replications.
        let speedup = |reps: u64| measured.min(reps.max(1) as f64);
        let per = self.seconds_per_replication();
        let simulation = replications as f64 * per / speedup(replications);
        let (sensitivity, sensitivity_runs, sensitivity_replications) = if sensitivity {
            let runs = 1 + 2 * self.movable_inputs;
            let per_run = compact::replications_per_run(replications, runs);
            let reps = runs.saturating_mul(per_run);
            // `run` plans the analysis twice: once to size its progress bar, once to run it.
            let setup = 2.0 * self.inputs as f64 * self.setup_seconds_per_input;
            // Each run: replication 0 as the calibration's first batch took it, the others at
            // the mean (on the threads, as many as the run has replications).
            let run = self.first_seconds + (per_run - 1) as f64 * per / speedup(per_run);
            // With fewer replications per run than twice the threads, the inputs' runs go in
            // parallel after the base run (`sensitivity::Plan::run`), each on one thread.
            let all_runs = if self.threads > 1 && per_run < 2 * self.threads as u64 {
                let on_one_thread = self.first_seconds + (per_run - 1) as f64 * per;
                run + (runs - 1) as f64 * on_one_thread / measured
            } else {
                runs as f64 * run
            };
            (setup + all_runs, runs, reps)
        } else {
            (0.0, 0, 0)
        };
        Estimate {
            simulation,
            sensitivity,
            sensitivity_runs,
            sensitivity_replications,
            outputs: self.outputs_seconds,
            speedup: measured,
        }
    }
}

/// People-sized seconds: `0.4 s`, `12 s`, `3.5 min`, `1.2 h`.
pub fn human_seconds(seconds: f64) -> String {
    if seconds < 10.0 {
        format!("{seconds:.1} s")
    } else if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calibration(threads: usize, parallel_seconds: f64) -> Calibration {
        Calibration {
            replications: 100,
            seconds: 0.25,
            first_seconds: 0.004,
            threads,
            parallel_seconds,
            outputs_seconds: 0.2,
            inputs: 40,
            movable_inputs: 30,
            setup_seconds_per_input: 0.001,
        }
    }

    #[test]
    fn the_simulation_grows_with_the_replications_and_shrinks_as_measured_with_threads() {
        let c = calibration(1, 0.25);
        let one = c.estimate(1000, false);
        assert!((one.simulation - 2.5).abs() < 1e-9, "{one:?}");
        assert!((c.estimate(2000, false).simulation - 5.0).abs() < 1e-9);
        // Two threads that simulated the batch in 0.15 s: 1.67 times as fast.
        let two = calibration(2, 0.15);
        assert!((two.estimate(1000, false).simulation - 1.5).abs() < 1e-9);
        // Never faster than linear, never slower than one thread.
        assert_eq!(calibration(2, 0.01).speedup(), 2.0);
        assert_eq!(calibration(2, 0.5).speedup(), 1.0);
        assert_eq!(calibration(2, 0.0).speedup(), 1.0);
        // The outputs are a fixed cost.
        assert_eq!(one.outputs, 0.2);
        assert_eq!(one.total(), one.simulation + 0.2);
    }

    #[test]
    fn the_sensitivity_counts_its_runs_their_replications_and_its_setup() {
        let c = calibration(1, 0.25);
        let e = c.estimate(1000, true);
        // 1 + 2 × 30 runs of ⌊1000 ÷ 61⌋ = 16 replications: the first as measured alone,
        // 15 at the mean.
        assert_eq!((e.sensitivity_runs, e.sensitivity_replications), (61, 976));
        // The setup: twice 40 inputs × 1 ms.
        let expected = 0.08 + 61.0 * (0.004 + 15.0 * 0.0025);
        assert!((e.sensitivity - expected).abs() < 1e-9, "{e:?}");
        // More runs than replications: one replication each (replication 0, as measured
        // alone). On one thread, one after another.
        let e = calibration(1, 0.25).estimate(10, true);
        assert_eq!(e.sensitivity_replications, 61);
        assert!(
            (e.sensitivity - (0.08 + 61.0 * 0.004)).abs() < 1e-9,
            "{e:?}"
        );
        // On two threads that simulate twice as fast, the 60 inputs' runs go two at a time
        // after the base run.
        let e = calibration(2, 0.125).estimate(10, true);
        assert_eq!(e.sensitivity_replications, 61);
        assert!(
            (e.sensitivity - (0.08 + 0.004 + 60.0 * 0.004 / 2.0)).abs() < 1e-9,
            "{e:?}"
        );
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human_seconds(0.42), "0.4 s");
        assert_eq!(human_seconds(12.4), "12 s");
        assert_eq!(human_seconds(210.0), "3.5 min");
        assert_eq!(human_seconds(4320.0), "72.0 min");
        assert_eq!(human_seconds(9000.0), "2.5 h");
    }
}
