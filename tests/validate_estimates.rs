//! Issue 18, "memory bounded up front": `incsim validate` says how much memory and how much time
//! a run will take, for the replications and worker threads it will run with. The time is
//! measured — a short calibration of the scenario through `run_replications` — and
//! extrapolated; these tests check its shape and arithmetic, never how fast this machine is.

mod common;
use common::incsim;
use std::process::Output;

use incsim::experiment::{budget, estimate};
use incsim::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

const DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml");

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The line of `out` that starts with `prefix`.
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{out}"))
}

/// The seconds of `time: about 3.2 s …` (also `min` and `h`).
fn seconds_of(time_line: &str) -> f64 {
    let rest = time_line
        .strip_prefix("time: about ")
        .unwrap_or_else(|| panic!("{time_line}"));
    let mut words = rest.split(' ');
    let number: f64 = words.next().unwrap().parse().expect(time_line);
    let unit = match words.next().unwrap() {
        "s" => 1.0,
        "min" => 60.0,
        "h" => 3600.0,
        other => panic!("unit {other:?} in {time_line}"),
    };
    number * unit
}

#[test]
fn validate_says_how_long_a_run_takes_for_its_replications_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    let o = incsim(&["validate", DEFAULT, "--threads", "1"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let time = line(&out, "time: about ");
    let seconds = seconds_of(time);
    assert!(seconds.is_finite() && seconds > 0.0, "{time}");
    assert!(
        time.contains("for 1000 replications with 1 thread on this machine"),
        "{time}"
    );
    // The calibration's size is said, so the reader can judge the figure.
    assert!(
        time.contains("(measured on ") && time.contains("of every strategy: "),
        "{time}"
    );
    // Where the time goes, and what was assumed.
    let parts = out
        .lines()
        .skip_while(|l| !l.starts_with("time: "))
        .nth(1)
        .unwrap();
    for needle in [
        "simulation ",
        "the compact sensitivity ",
        "report and files ",
        "a fixed cost",
    ] {
        assert!(parts.contains(needle), "{needle} in {parts}");
    }
    // The memory line is for the same run.
    let memory = line(&out, "memory: about ");
    assert!(
        memory.contains("for 1000 replications with 1 thread"),
        "{memory}"
    );
}

#[test]
fn validate_takes_the_replications_threads_and_sensitivity_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let o = incsim(
        &[
            "validate",
            DEFAULT,
            "-n",
            "20000",
            "--threads",
            "2",
            "--no-sensitivity",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let time = line(&out, "time: about ");
    assert!(
        time.contains("for 20000 replications with 2 threads"),
        "{time}"
    );
    // Two threads: the batch is timed on both, and the speed-up said.
    assert!(time.contains(" s on 2)"), "{time}");
    assert!(out.contains("2 threads simulated "), "{out}");
    assert!(!out.contains("compact sensitivity"), "{out}");
    let memory = line(&out, "memory: about ");
    assert!(
        memory.contains("for 20000 replications with 2 threads"),
        "{memory}"
    );
    // Out of range, as `run -n` refuses it.
    let o = incsim(&["validate", DEFAULT, "-n", "0"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--replications 0 is out of range"));
}

#[test]
fn the_estimate_comes_from_a_calibration_and_doubles_with_the_replications() {
    let s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
    let c = estimate::calibrate(&s, 2, &|s, r| {
        let _ = incsim::export::bundle::run_outputs(s, r);
    });
    assert!(c.replications >= 1 && c.replications <= estimate::MAX_CALIBRATION_REPLICATIONS);
    assert!(c.seconds > 0.0 && c.seconds.is_finite(), "{c:?}");
    assert!(
        c.outputs_seconds >= 0.0 && c.outputs_seconds.is_finite(),
        "{c:?}"
    );
    assert!(c.inputs > 0 && c.movable_inputs <= c.inputs, "{c:?}");
    assert!(
        c.parallel_seconds > 0.0 && c.parallel_seconds.is_finite(),
        "{c:?}"
    );
    // One calibration, twice the replications: twice the simulation and the sensitivity's
    // replications; only the fixed costs (outputs, the sensitivity's setup) stay.
    for sensitivity in [false, true] {
        let one = c.estimate(10_000, sensitivity);
        let two = c.estimate(20_000, sensitivity);
        let ratio = two.simulation / one.simulation;
        assert!((ratio - 2.0).abs() < 1e-9, "{ratio}");
        // Structural, not timed: the fixed parts are the same numbers in both estimates, so
        // whatever the machine's load made them, the total grows by a factor within [1, 2].
        assert_eq!(two.outputs.to_bits(), one.outputs.to_bits());
        assert_eq!(two.sensitivity_runs, one.sensitivity_runs);
        assert_eq!(
            two.sensitivity_replications,
            2 * one.sensitivity_replications
        );
        assert!(
            one.sensitivity <= two.sensitivity && two.sensitivity <= 2.0 * one.sensitivity,
            "{sensitivity}: {one:?} {two:?}"
        );
        let ratio = two.total() / one.total();
        assert!(
            (1.0..=2.0 + 1e-9).contains(&ratio),
            "{sensitivity}: {ratio} ({one:?} {two:?})"
        );
        assert!(two.total().is_finite() && one.total() > 0.0);
    }
    // Two threads are between as fast as one and twice as fast (measured, then bounded).
    let speedup = c.estimate(10_000, false).speedup;
    assert!((1.0..=2.0).contains(&speedup), "{speedup}");
    let single = estimate::Calibration {
        threads: 1,
        parallel_seconds: c.seconds,
        ..c.clone()
    };
    assert!(single.estimate(10_000, false).total() >= c.estimate(10_000, false).total());
}

#[test]
fn the_memory_estimate_grows_with_the_threads() {
    for toml in [
        DEFAULT_SCENARIO_TOML.to_string(),
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/benchmark.toml"
        ))
        .unwrap(),
    ] {
        let s = parse_str(&toml, "s.toml").unwrap();
        for n in [0, 10, 1000] {
            let one = budget::run_bytes(&s, n, 1);
            let two = budget::run_bytes(&s, n, 2);
            let eight = budget::run_bytes(&s, n, 8);
            assert!(one < two && two < eight, "{n}: {one} {two} {eight}");
        }
    }
}
