//! `incsim timeline` on a scenario where every delay is fixed, so each incident's story is
//! exact and can be checked line by line against a hand calculation:
//!
//! email fails every 1d9h14m after it is back up, degrades for 2h, then goes down; users report
//! 20m into an outage; help-desk (business hours, $60/h) cannot fix it and escalates to
//! engineers (24x7, $120/h), who fix it in 30m. Degraded costs $50/min, down $100/min.
//! The first failure starts on Tuesday of week 1 at 09:14 (t = 1d9h14m).

mod common;
use common::incsim;

use std::fs;
use std::process::Output;

use incsim::events::{IncidentId, Tee};
use incsim::experiment::simulate_one;
use incsim::projections::MetricsProjection;
use incsim::projections::incident::{IncidentPicker, StoryProjection};
use incsim::scenario::{Scenario, parse_str};

const TRAINING: &str = r#"
name = "Training: fixed delays"

[simulation]
horizon = "14d"
replications = 1
seed = 1

[[tiers]]
name = "help-desk"
staff = 1
hours = "business"
hourly_cost = 60

[[tiers]]
name = "engineers"
staff = 1
hours = "24x7"
hourly_cost = 120

[[services]]
name = "email"
downtime_cost_per_hour = 6000
degraded_cost_fraction = 0.5
report_delay = "20m"
failures = { every = "1d9h14m" }

[[services.modes]]
name = "memory-leak"
warning = "2h"
fix = "30m"
needs = "engineers"

[strategies.reactive]
escalate_after = "1h"
handoff = "15m"

[strategies.proactive]
monitoring = { coverage = 1, detect = "15m", outage_detect = "2m" }
escalate_after = "30m"
handoff = "5m"
annual_cost = 10000
"#;

/// Reactive: degraded 09:14–11:14 (120 min × $50), down 11:14–13:19 (125 min × $100), one
/// hour of help-desk ($60) and 30 minutes of engineers ($60).
const REACTIVE_STORY: &str = "\
email#0 under reactive: replication 0, seed 1
memory-leak: email runs degraded for 2h, then goes down unless fixed first; engineers or above can
fix it

  when          since  what happened                                              cost so far
  W1 Tue 09:14     0m  email starts degrading (memory-leak)                                $0
         11:14     2h  email goes down after 2h degraded; nobody has noticed yet       $6,000
         11:34  2h20m  a user reports the outage → ticket to help-desk                 $8,000
         11:34  2h20m  picked up at help-desk (no wait)                                $8,000
         12:34  3h20m  escalated from help-desk to engineers after a 1h time box      $14,060
         12:49  3h35m  handoff to engineers done (15m)                                $15,560
         12:49  3h35m  fix starts at engineers, 30m of work (no wait)                 $15,560
         13:19   4h5m  fixed at engineers: email is back up after 2h5m down           $18,620

Total: down 2h5m ($12,500), degraded 2h ($6,000), engineer time 1h30m ($120): $18,620 for this
incident
";

/// Proactive: caught 15 minutes in, a 30m time box, 5m handoff, fixed at 10:34, 40 minutes
/// before the outage was due. Degraded 80 min × $50, 30 min × $60/h + 30 min × $120/h.
const PROACTIVE_STORY: &str = "\
email#0 under proactive: replication 0, seed 1
memory-leak: email runs degraded for 2h, then goes down unless fixed first; engineers or above can
fix it

  when          since  what happened                                               cost so far
  W1 Tue 09:14     0m  email starts degrading (memory-leak)                                 $0
         09:29    15m  monitoring catches the degradation → alert to help-desk            $750
         09:29    15m  picked up at help-desk (no wait)                                   $750
         09:59    45m  escalated from help-desk to engineers after a 30m time box       $2,280
         10:04    50m  handoff to engineers done (5m)                                   $2,530
         10:04    50m  fix starts at engineers, 30m of work (no wait)                   $2,530
         10:34  1h20m  fixed at engineers before users noticed — outage averted         $4,090

Total: down 0m ($0), degraded 1h20m ($4,000), engineer time 1h ($90): $4,090 for this incident
";

const COMPARISON: &str = "                   reactive       proactive
  starts           W1 Tue 09:14   W1 Tue 09:14
  detected after   2h20m          15m
  down             2h5m           0m (averted)
  degraded         2h             1h20m
  engineer time    1h30m          1h
  cost             $18,620        $4,090

proactive vs reactive: 2h5m less downtime, $14,530 cheaper for this incident
";

fn training_dir(horizon: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("training.toml"),
        TRAINING.replace("horizon = \"14d\"", &format!("horizon = \"{horizon}\"")),
    )
    .unwrap();
    dir
}

fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "incsim failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn the_first_incident_is_told_minute_by_minute_with_its_running_cost() {
    let dir = training_dir("14d");
    let out = ok_stdout(&incsim(&["timeline", "training.toml"], dir.path()));
    let folder = "output/training/timeline-rep0-reactive-email-0";
    assert_eq!(
        out,
        format!(
            "{REACTIVE_STORY}\nWrote timeline.txt, timeline.svg and timeline.png to {folder}\n"
        )
    );
    let written = dir.path().join(folder);
    assert_eq!(
        fs::read_to_string(written.join("timeline.txt")).unwrap(),
        REACTIVE_STORY
    );
    let png = fs::read(written.join("timeline.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = fs::read_to_string(written.join("timeline.svg")).unwrap();
    for text in [
        "email#0 (memory-leak) under reactive, replication 0",
        "reactive · service",
        "reactive · support",
        "worked at engineers",
        "waiting in a queue",
        "time since the failure started (hours)",
    ] {
        assert!(svg.contains(text), "the chart lacks {text:?}");
    }
}

#[test]
fn compare_tells_the_same_failure_under_each_strategy_and_the_difference() {
    let dir = training_dir("14d");
    let out = ok_stdout(&incsim(
        &["timeline", "training.toml", "--compare", "--out", "c"],
        dir.path(),
    ));
    assert!(
        out.starts_with(&format!("{REACTIVE_STORY}\n{PROACTIVE_STORY}\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("Common random numbers give it the same mode, warning and fix time under every strategy. Pinned\nclock: it starts at W1 Tue 09:14 under every strategy (its start under reactive), so the difference\nis the rules, not the moment of the week.\n\n{COMPARISON}\nWrote")),
        "{out}"
    );
    let svg = fs::read_to_string(dir.path().join("c/timeline.svg")).unwrap();
    assert!(svg.contains("replication 0: reactive vs proactive"));
    assert!(svg.contains("proactive · support"));
}

#[test]
fn worst_picks_the_costliest_incident_the_one_left_over_the_weekend() {
    let dir = training_dir("14d");
    let out = ok_stdout(&incsim(
        &["timeline", "training.toml", "--worst", "--out", "w"],
        dir.path(),
    ));
    // Down Friday 20:59; the help desk opens Monday 08:00.
    let expected_start = "\
email#2 under reactive: replication 0, seed 1
memory-leak: email runs degraded for 2h, then goes down unless fixed first; engineers or above can
fix it

  when             since  what happened                                                  cost so far
  W1 Fri 18:59        0m  email starts degrading (memory-leak)                                    $0
         20:59        2h  email goes down after 2h degraded; nobody has noticed yet           $6,000
         21:19     2h20m  a user reports the outage → ticket to help-desk                     $8,000
  W2 Mon 08:00   2d13h1m  picked up at help-desk (waited 2d10h41m for help-desk to          $360,100
                          open)
";
    assert!(out.starts_with(expected_start), "{out}");

    // The library agrees: no incident of the replication costs more.
    let scenario = parse_str(TRAINING, "training.toml").unwrap();
    let mut picker = IncidentPicker::new(&scenario);
    simulate_one(&scenario, 0, 0, &mut picker);
    let worst = picker.worst.unwrap();
    assert_eq!(worst.id, IncidentId { service: 0, k: 2 });
    assert!((worst.cost - 370_720.0).abs() < 1e-6);
    for k in 0..picker.failures[0] {
        let mut story = StoryProjection::new(&scenario, 0, IncidentId { service: 0, k });
        simulate_one(&scenario, 0, 0, &mut story);
        assert!(story.into_story().unwrap().cost.total() <= worst.cost);
    }
}

#[test]
fn a_failure_that_does_not_start_before_the_horizon_under_a_strategy_is_said_so() {
    // With a horizon of 6880 minutes, email#2 starts at 6859 under proactive (its earlier
    // incidents were shorter) and at 6899, after the horizon, under reactive.
    let dir = training_dir("6880m");
    let out = ok_stdout(&incsim(
        &[
            "timeline",
            "training.toml",
            "--incident",
            "email#2",
            "--compare",
            "--out",
            "m",
        ],
        dir.path(),
    ));
    assert!(out.starts_with(
        "email#2 under reactive: this failure does not start before the horizon (email fails 2 times there,\nemail#0 to email#1).\n"
    ), "{out}");
    assert!(out.contains(
        "         18:40    21m  the simulated horizon ends the run: email still degraded,              $1,050\n                       waiting in help-desk's queue\n"
    ), "{out}");
    assert!(out.contains("(cut off\nat the horizon)"), "{out}");
    assert!(
        out.contains("  starts           never (after the horizon)   W1 Fri 18:19\n"),
        "{out}"
    );
    assert!(out.contains(
        "proactive vs reactive: cannot compare, email#2 does not start before the horizon under reactive\n"
    ));

    // Told under reactive alone, it is an error (nothing to tell), with the reason.
    let alone = incsim(
        &["timeline", "training.toml", "--incident", "email#2"],
        dir.path(),
    );
    assert_eq!(alone.status.code(), Some(1));
    let err = String::from_utf8_lossy(&alone.stderr);
    assert!(err.contains("does not start before the horizon"), "{err}");
    assert!(!dir.path().join("output").exists());
}

#[test]
fn bad_timeline_options_are_refused_with_the_choices() {
    let dir = training_dir("14d");
    for (args, needle) in [
        (
            vec!["timeline", "training.toml", "--incident", "vpn#0"],
            "unknown service \"vpn\"",
        ),
        (
            vec!["timeline", "training.toml", "--incident", "email#two"],
            "\"two\" is not a failure number",
        ),
        (
            vec![
                "timeline",
                "training.toml",
                "--compare",
                "--incident",
                "email#40",
            ],
            "email#40 does not start before the horizon in replication 0 under any strategy",
        ),
        (
            vec!["timeline", "training.toml", "--strategy", "lazy"],
            "the scenario's strategies are reactive, proactive",
        ),
    ] {
        let out = incsim(&args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // A single-service scenario takes the bare failure number.
    let out = ok_stdout(&incsim(
        &[
            "timeline",
            "training.toml",
            "--incident",
            "1",
            "--out",
            "one",
        ],
        dir.path(),
    ));
    assert!(out.starts_with("email#1 under reactive"));
}

/// Each incident's cost is what it alone causes, so over a replication the incidents add up
/// to the run's downtime and labor (no false alarms here), plus the investment.
fn assert_incident_costs_add_up(scenario: &Scenario, strategy: usize, rep: u64) {
    let mut picker = IncidentPicker::new(scenario);
    let mut metrics = MetricsProjection::new(scenario, strategy);
    simulate_one(scenario, strategy, rep, &mut Tee(&mut picker, &mut metrics));
    let run = metrics.metrics();
    assert_eq!(run.false_alarms, 0);
    let mut sum = 0.0;
    for (service, &failures) in picker.failures.iter().enumerate() {
        for k in 0..failures {
            let id = IncidentId {
                service: service as u32,
                k,
            };
            let story = common::incident_story(scenario, strategy, rep, id)
                .expect("every counted failure has a story");
            sum += story.cost.total();
        }
    }
    let expected = run.downtime_cost + run.labor_cost;
    assert!(
        (sum - expected).abs() <= 1e-6 * expected.max(1.0),
        "incidents {sum} vs run {expected}"
    );
    assert!((run.total_cost - run.investment_cost - expected).abs() <= 1e-6 * expected.max(1.0));
}

#[test]
fn incident_costs_add_up_to_the_replications_downtime_and_labor() {
    let training = parse_str(TRAINING, "training.toml").unwrap();
    for strategy in 0..2 {
        assert_incident_costs_add_up(&training, strategy, 0);
    }
    // A random scenario, reactive (no false alarms), several replications.
    let mail = common::mail_server();
    for rep in 0..5 {
        assert_incident_costs_add_up(&mail, 0, rep);
    }
}
