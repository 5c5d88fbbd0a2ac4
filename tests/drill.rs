//! `incsim drill` (issue 17): the team's calls at the model's decision points.
//!
//! Specifications:
//! - a drill whose calls are a strategy's rules is `incsim timeline` of that strategy, minute
//!   for minute and dollar for dollar (every built-in strategy, every scenario shipped);
//! - the calls recorded in one drill, replayed from a decisions file, give the same drill;
//! - an exact case computed by hand: escalating at once past a closed help desk;
//! - nothing the team could not know is shown before it happens (fix time, warning length);
//! - bad decisions files are refused with the file, the line and a fix;
//! - the interactive mode, driven through a real terminal (tmux).

mod common;

use std::path::Path;
use std::process::Command;

use incsim::drill::script::Script;
use incsim::drill::{CalledBy, Caller, DrillSetup, debrief, play, playbook_story};
use incsim::events::{Decision, IncidentId};
use incsim::experiment::simulate_one;
use incsim::export::timeline::render_story;
use incsim::projections::incident::IncidentPicker;
use incsim::scenario::{DEFAULT_SCENARIO_TOML, Scenario};

/// The batch-1 built-in scenario (business-hours help desk, no on-call): the hand-computed
/// clocks below are its email#1 (reported W12 Tue 01:40, help desk opens at 08:00).
const MAIL_SERVER_V1: &str = include_str!("golden/mail-server-v1.toml");

/// One service failing suddenly every 3 days (first at W1 Thu 00:00 = minute 4320), users
/// report it 20m later, a business-hours help desk ($60/h) that cannot fix it, engineers
/// (24x7, $120/h) who fix it in 1h; down costs $6,000/h = $100/min.
const NIGHT: &str = r#"
name = "Night failure, fixed delays"

[simulation]
horizon = "5d"
replications = 1
seed = 3

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
report_delay = "20m"
failures = { every = "3d" }

[[services.modes]]
name = "disk-full"
fix = "1h"
needs = "engineers"

[strategies.reactive]
escalate_after = "2h"
handoff = "30m"
"#;

/// [`NIGHT`] with an on-call rota at the help desk: paged at night, it acknowledges after
/// 30m (asleep 23:00–07:00). `PRIORITY` is the service's priority (paged iff ≤ 1).
fn on_call(priority: u32) -> String {
    NIGHT.replace(
        "hourly_cost = 60\n",
        "hourly_cost = 60\n[tiers.on_call]\nack = \"5m\"\nack_asleep = \"30m\"\npage_priority = 1\n",
    )
    .replace("name = \"email\"\n", &format!("name = \"email\"\npriority = {priority}\n"))
}

/// A degrading failure with distinctive hidden numbers: warning 3h17m, fix 4h43m (fix
/// multiplier 1), caught by monitoring 25m in; the help desk can fix it.
const HIDDEN: &str = r#"
name = "Hidden numbers"

[simulation]
horizon = "4d"
replications = 1
seed = 5

[[tiers]]
name = "help-desk"
staff = 1
hours = "24x7"
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
failures = { every = "1d" }

[[services.modes]]
name = "memory-leak"
warning = "3h17m"
fix = "4h43m"
needs = "help-desk"

[strategies.watched]
monitoring = { coverage = 1, detect = "25m", outage_detect = "2m" }
escalate_after = "1h"
"#;

fn scenario(text: &str) -> Scenario {
    common::fixture(text, "test.toml")
}

fn timeline_story(
    s: &Scenario,
    strategy: usize,
    rep: u64,
    id: IncidentId,
) -> Option<incsim::projections::incident::IncidentStory> {
    common::incident_story(s, strategy, rep, id)
}

fn shipped_scenarios() -> Vec<(String, Scenario)> {
    let mut out = vec![
        ("built-in".to_string(), scenario(DEFAULT_SCENARIO_TOML)),
        (
            "on-call".to_string(),
            scenario(&on_call(1).replace("\"5d\"", "\"60d\"")),
        ),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for f in files {
        if f.file_stem().is_some_and(|s| s == "benchmark") {
            continue; // thousands of services: slow and adds no decision kind
        }
        out.push((
            f.display().to_string(),
            incsim::scenario::load(&f).expect("loads"),
        ));
    }
    out
}

#[test]
fn a_drill_following_each_strategys_rules_reproduces_its_timeline() {
    let mut drills = 0;
    let mut points = 0;
    for (name, s) in shipped_scenarios() {
        for strategy in 0..s.strategies.len() {
            for rep in 0..2 {
                let mut picker = IncidentPicker::new(&s);
                simulate_one(&s, strategy, rep, &mut picker);
                // The first four incidents of the replication and its costliest.
                let mut ids: Vec<IncidentId> = picker.all.iter().take(4).map(|i| i.id).collect();
                ids.extend(picker.worst.map(|w| w.id));
                for id in ids {
                    let setup = DrillSetup {
                        strategy,
                        rep,
                        incident: id,
                    };
                    let expected = timeline_story(&s, strategy, rep, id).expect("it happens");
                    let mut transcript = Vec::new();
                    let drill = play(&s, setup, Caller::Playbook, None, &mut transcript)
                        .expect("the playbook drill runs");
                    assert_eq!(
                        drill.story, expected,
                        "{name}, {} rep {rep}, {id:?}",
                        s.strategies[strategy].name
                    );
                    assert_eq!(
                        render_story(&s, &drill.story, rep),
                        render_story(&s, &expected, rep)
                    );
                    drills += 1;
                    points += drill.taken.len();

                    // The same calls typed by a team (a decisions file) give the same drill.
                    let calls: Vec<(f64, Decision, &str)> = drill
                        .taken
                        .iter()
                        .map(|t| (t.point.t, t.decision, ""))
                        .collect();
                    let text = incsim::drill::script::write("replay", &calls);
                    let script = Script::parse(&text, Path::new("calls.txt")).expect("parses");
                    let replayed = play(&s, setup, Caller::Script(script), None, &mut Vec::new())
                        .expect("the replay runs");
                    assert_eq!(replayed.story, expected, "{name}: replayed {id:?}");
                    assert!(
                        replayed
                            .taken
                            .iter()
                            .all(|t| matches!(t.by, CalledBy::Team { line } if line > 0)),
                        "every point took its line"
                    );
                }
            }
        }
    }
    assert!(drills >= 20, "{drills} drills");
    assert!(points >= 20, "the drills met decision points ({points})");
}

#[test]
fn escalating_at_once_past_a_closed_help_desk_matches_the_hand_computation() {
    // Failure at W1 Thu 00:00 (minute 4320), reported 00:20, help desk closed until 08:00.
    // Playbook: wait until 08:00, 2h time box, escalate at 10:00, handoff 30m, fixed 11:30:
    //   down 11h30m = 690 min × $100 = $69,000; labor 2h × $60 + 1h × $120 = $240; $69,240.
    // Team: escalate at 00:20, handoff until 00:50, fixed at 01:50:
    //   down 1h50m = 110 min × $100 = $11,000; labor 1h × $120 = $120; $11,120.
    // The call gained $69,240 − $11,120 = $58,120 and 9h40m of downtime.
    let s = scenario(NIGHT);
    let setup = DrillSetup {
        strategy: 0,
        rep: 0,
        incident: IncidentId { service: 0, k: 0 },
    };
    let script = Script::parse("W1 Thu 00:20 escalate\n", Path::new("calls.txt")).unwrap();
    let team = play(&s, setup, Caller::Script(script), None, &mut Vec::new()).unwrap();
    assert_eq!(team.story.start, 4320.0);
    assert!((team.story.cost.outage_minutes - 110.0).abs() < 1e-9);
    assert!((team.story.cost.total() - 11_120.0).abs() < 1e-6);
    assert_eq!(team.story.end, 4320.0 + 110.0);

    let d = debrief::debrief(&s, setup, &team).unwrap();
    let playbook = d.references[0].1.as_ref().unwrap();
    assert!((playbook.cost.total() - 69_240.0).abs() < 1e-6);
    assert!((playbook.cost.outage_minutes - 690.0).abs() < 1e-9);
    assert_eq!(
        d.values.len(),
        1,
        "one decision point: the closed help desk"
    );
    assert!((d.values[0].cost_delta + 58_120.0).abs() < 1e-6);
    assert!((d.values[0].outage_delta + 580.0).abs() < 1e-9);
    assert_eq!(d.score, 100, "no playbook did better than the team");
    let text = debrief::render(&s, &d);
    assert!(
        text.contains("gained $58,120, 9h40m less downtime"),
        "{text}"
    );
}

#[test]
fn waiting_instead_of_paging_the_asleep_on_call_engineer_costs_the_night() {
    // Playbook (model.md §8.2): reported 00:20, nobody on duty, paged while asleep, acknowledged
    // 00:50, 2h time box until 02:50, handoff until 03:20, fixed 04:20:
    //   down 4h20m = 260 min × $100 = $26,000; labor 2h × $60 + 1h × $120 = $240; $26,240.
    // Waiting instead is the night of NIGHT's playbook: $69,240, so the call lost $43,000.
    let s = scenario(&on_call(1));
    let setup = DrillSetup {
        strategy: 0,
        rep: 0,
        incident: IncidentId { service: 0, k: 0 },
    };
    let playbook = play(&s, setup, Caller::Playbook, None, &mut Vec::new()).unwrap();
    assert!((playbook.story.cost.total() - 26_240.0).abs() < 1e-6);
    assert_eq!(playbook.taken[0].point.playbook, Decision::Page);
    let script = Script::parse("W1 Thu 00:20 wait\n", Path::new("c.txt")).unwrap();
    let team = play(&s, setup, Caller::Script(script), None, &mut Vec::new()).unwrap();
    assert!((team.story.cost.total() - 69_240.0).abs() < 1e-6);
    let d = debrief::debrief(&s, setup, &team).unwrap();
    assert!((d.values[0].cost_delta - 43_000.0).abs() < 1e-6);
    assert!(
        d.questions[0].contains("wait for help-desk to open"),
        "{:?}",
        d.questions
    );

    // Priority 2 is not paged by the rule; the team may page anyway: the same $26,240.
    let s = scenario(&on_call(2));
    let playbook = play(&s, setup, Caller::Playbook, None, &mut Vec::new()).unwrap();
    assert!((playbook.story.cost.total() - 69_240.0).abs() < 1e-6);
    let script = Script::parse("W1 Thu 00:20 page\n", Path::new("c.txt")).unwrap();
    let team = play(&s, setup, Caller::Script(script), None, &mut Vec::new()).unwrap();
    assert!((team.story.cost.total() - 26_240.0).abs() < 1e-6);
}

#[test]
fn the_values_of_the_calls_add_up_to_the_difference_with_the_playbook() {
    // Keep troubleshooting once past the time box, then escalate: every call is valued
    // by the runs that differ in it alone, so the values telescope.
    let s = scenario(MAIL_SERVER_V1);
    let setup = DrillSetup {
        strategy: 0,
        rep: 0,
        incident: IncidentId { service: 0, k: 1 },
    };
    // email#1 under reactive: reported W12 Tue 01:40, help desk opens 08:00, box ends 10:00.
    let calls = "W12 Tue 01:40 wait\nW12 Tue 08:00 troubleshoot\nW12 Tue 10:00 troubleshoot\nW12 Tue 12:00 escalate\n";
    let script = Script::parse(calls, Path::new("calls.txt")).unwrap();
    let team = play(&s, setup, Caller::Script(script), None, &mut Vec::new()).unwrap();
    let d = debrief::debrief(&s, setup, &team).unwrap();
    let playbook = d.references[0].1.as_ref().unwrap();
    let sum: f64 = d.values.iter().map(|v| v.cost_delta).sum();
    assert!((sum - (team.story.cost.total() - playbook.cost.total())).abs() < 1e-6);
    // Another 2h of a help desk that cannot fix a memory leak: 2h more downtime.
    assert!((team.story.cost.outage_minutes - playbook.cost.outage_minutes - 120.0).abs() < 1e-9);
    let lost = d
        .values
        .iter()
        .find(|v| v.cost_delta > 0.0)
        .expect("a losing call");
    assert_eq!(lost.taken.decision, Decision::Troubleshoot);
    assert!(d.questions[0].contains("kept troubleshooting at help-desk past its 2h time box"));
}

#[test]
fn a_pinned_failure_starts_at_the_pinned_minute_with_the_same_draws() {
    let s = scenario(MAIL_SERVER_V1);
    let id = IncidentId { service: 0, k: 1 };
    let reactive = timeline_story(&s, 0, 0, id).unwrap();
    // Pinned at its own start: the same story.
    assert_eq!(
        playbook_story(&s, 0, 0, id, Some(reactive.start)),
        Some(reactive.clone())
    );
    // Proactive pinned at reactive's start: same moment, same mode and warning.
    let proactive = playbook_story(&s, 1, 0, id, Some(reactive.start)).unwrap();
    assert_eq!(proactive.start, reactive.start);
    assert_eq!(
        (proactive.mode, proactive.warning),
        (reactive.mode, reactive.warning)
    );
}

#[test]
fn the_drill_never_shows_the_fix_time_or_the_warning_before_they_are_known() {
    let s = scenario(HIDDEN);
    // Keep at it, escalate at the first time box, or let the playbook fix it: in no case may
    // the transcript show 4h43m before the fix ends, nor 3h17m before the outage starts.
    for calls in ["", "W1 Tue 00:25 escalate\n", "W1 Tue 00:25 troubleshoot\n"] {
        for k in 0..2 {
            let setup = DrillSetup {
                strategy: 0,
                rep: 0,
                incident: IncidentId { service: 0, k },
            };
            let caller = if calls.is_empty() {
                Caller::Playbook
            } else if k == 0 {
                Caller::Script(Script::parse(calls, Path::new("c.txt")).unwrap())
            } else {
                continue;
            };
            let mut out = Vec::new();
            let drill = play(&s, setup, caller, None, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            let fixed_at = text.find("FIXED").expect("the fix is told");
            assert!(
                !text[..fixed_at].contains("4h43m"),
                "fix time leaked:\n{text}"
            );
            let down_at = text.find("is now DOWN").unwrap_or(text.len());
            assert!(
                !text[..down_at].contains("3h17m"),
                "warning leaked:\n{text}"
            );
            // Nothing at all before the monitoring alert (25m into the failure).
            assert!(text.starts_with(&format!(
                "{}  ALERT",
                incsim::eventlog::SimClock::at(drill.story.start + 25.0)
            )));
            if calls.is_empty() {
                // The reveal itself: the fix's hands-on work is told when it is done.
                assert!(
                    text[fixed_at..].contains("after 4h43m of hands-on work"),
                    "{text}"
                );
            }
        }
    }
}

#[test]
fn bad_decisions_files_are_refused_with_the_line_and_a_fix() {
    let s = scenario(NIGHT);
    let setup = DrillSetup {
        strategy: 0,
        rep: 0,
        incident: IncidentId { service: 0, k: 0 },
    };
    let run = |text: &str| {
        let script = Script::parse(text, Path::new("calls.txt"))?;
        play(&s, setup, Caller::Script(script), None, &mut Vec::new())
            .map(|_| ())
            .map_err(|e| match e {
                incsim::drill::DrillError::Script(e) => e,
                other => panic!("{other}"),
            })
    };
    // Unknown decision.
    let e = run("# night\nW1 Thu 00:20 reboot\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(
        e.to_string()
            .starts_with("calls.txt:2: unknown decision \"reboot\""),
        "{e}"
    );
    // A time at which no decision was asked: the drill was already past it.
    let e = run("W1 Thu 00:10 escalate\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("W1 Thu 00:10 is in the past"), "{e}");
    assert!(e.message.contains("asked at W1 Thu 00:20"), "{e}");
    // Not available then: the help desk has no on-call engineer to page.
    let e = run("W1 Thu 00:20 page\n").unwrap_err();
    assert!(
        e.message
            .contains("\"page\" is not available at W1 Thu 00:20"),
        "{e}"
    );
    assert!(e.help.contains("escalate, wait"), "{e}");
    // After the end of the incident.
    let e = run("W1 Thu 00:20 escalate\nW1 Fri 09:00 escalate\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("after the end of the drill"), "{e}");
    // Going back in time.
    let e = run("W1 Thu 08:00 troubleshoot\nW1 Thu 00:20 wait\n").unwrap_err();
    assert_eq!(e.line, 2);
    // Through the command line: non-zero exit, the error on stderr.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.txt");
    std::fs::write(&file, "W12 Tue 01:40 panic\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["drill", "--incident", "email#1", "--decisions"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("calls.txt:1: unknown decision \"panic\""),
        "{stderr}"
    );
    assert!(stderr.contains("help: the decisions are"), "{stderr}");
}

#[test]
fn the_command_writes_a_printable_handout_and_a_replayable_decisions_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args([
            "drill",
            "--incident",
            "email#1",
            "--policy",
            "reactive",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("handout.html")).unwrap();
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("<svg"));
    assert!(html.contains("help-desk closed"));
    assert!(html.contains("Questions for the discussion"));
    assert!(!html.contains("src=\"http"), "self-contained");
    let calls = dir.path().join("decisions.txt");
    let replay = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["drill", "--incident", "email#1", "--decisions"])
        .arg(&calls)
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let debrief = std::fs::read_to_string(dir.path().join("debrief.txt")).unwrap();
    let replayed = String::from_utf8_lossy(&replay.stdout);
    assert!(
        replayed.contains(debrief.lines().nth(3).unwrap()),
        "same figures"
    );
}

/// Drives `incsim drill` in a real terminal: tmux runs it in a detached session, the test
/// types the keys a person would and reads the screen.
#[test]
fn the_interactive_drill_is_played_through_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed (the interactive drill needs a terminal)");
        return;
    }
    let socket = format!("incsim-drill-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .expect("tmux runs")
    };
    let screen = || {
        let out = tmux(&["capture-pane", "-p", "-J", "-S", "-200", "-t", "drill"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wait_for = |needle: &str, count: usize| -> String {
        for _ in 0..200 {
            let s = screen();
            if s.matches(needle).count() >= count {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{needle:?} ×{count} never appeared:\n{}", screen());
    };
    let cmd = format!(
        "{} drill {}/tests/golden/mail-server-v1.toml --incident email#1; echo DRILL-EXIT=$?; sleep 30",
        env!("CARGO_BIN_EXE_incsim"),
        env!("CARGO_MANIFEST_DIR")
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        "drill",
        "-x",
        "160",
        "-y",
        "60",
        &cmd,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    // The help desk is closed at 01:40: a typo first, then escalate.
    wait_for("your call>", 1);
    tmux(&["send-keys", "-t", "drill", "x", "Enter"]);
    wait_for("is not a choice here", 1);
    tmux(&["send-keys", "-t", "drill", "e", "Enter"]);
    // The senior engineer takes it (the last tier: no choice, no question).
    let end = wait_for("DRILL-EXIT=", 1);
    tmux(&["kill-server"]);
    assert!(end.contains("DRILL-EXIT=0"), "{end}");
    assert!(
        end.contains("escalated from help-desk to senior-network-engineer"),
        "{end}"
    );
    assert!(end.contains("DEBRIEF"), "{end}");
    assert!(end.contains("escalate — playbook: wait; gained"), "{end}");
}

#[test]
fn timeline_compare_pins_the_clock_wraps_at_100_columns_and_writes_a_handout() {
    // email#1 of the batch-1 built-in scenario starts at W12 Tue 00:17 under reactive and, unpinned,
    // at 00:00 under proactive (its earlier incidents were shorter there).
    let s = scenario(MAIL_SERVER_V1);
    let id = IncidentId { service: 0, k: 1 };
    let natural = timeline_story(&s, 1, 0, id).unwrap();
    assert_eq!(
        incsim::eventlog::SimClock::at(natural.start).to_string(),
        "W12 Tue 00:00"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["timeline"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/mail-server-v1.toml"
        ))
        .args(["--incident", "email#1", "--compare", "--html", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  starts           W12 Tue 00:17   W12 Tue 00:17\n"),
        "{text}"
    );
    assert!(
        text.contains("Pinned\nclock: it starts at W12 Tue 00:17 under every strategy"),
        "{text}"
    );
    // Not a terminal: 100 columns (the `Wrote …` line names a temporary path).
    for line in text.lines().filter(|l| !l.starts_with("Wrote")) {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    let file = std::fs::read_to_string(dir.path().join("timeline.txt")).unwrap();
    assert!(text.starts_with(&file));
    let html = std::fs::read_to_string(dir.path().join("timeline.html")).unwrap();
    assert!(
        html.contains("pinned clock: the failure starts at W12 Tue 00:17 under every strategy")
    );
    assert!(html.contains("@page { size: A4"));
}

#[test]
fn declining_the_workaround_means_no_restart_for_that_incident() {
    // scenarios/recurring-problem.toml: both strategies restart (model.md §8.8). The playbook
    // applies the workaround where the rule would; a team that troubleshoots instead gets no
    // attempt at all for that incident (one per incident, by the first engineer who could).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/recurring-problem.toml");
    let s = incsim::scenario::load(&path).unwrap();
    let mut picker = IncidentPicker::new(&s);
    simulate_one(&s, 0, 0, &mut picker);
    let mut checked = 0;
    for summary in picker.all.iter().take(30) {
        let setup = DrillSetup {
            strategy: 0,
            rep: 0,
            incident: summary.id,
        };
        let playbook = play(&s, setup, Caller::Playbook, None, &mut Vec::new()).unwrap();
        let Some(at) = playbook
            .taken
            .iter()
            .position(|t| t.point.playbook == Decision::Workaround)
        else {
            continue;
        };
        let restarted = |story: &incsim::projections::incident::IncidentStory| {
            story.lines.iter().any(|l| {
                matches!(
                    l.beat,
                    incsim::projections::incident::Beat::PickedUp {
                        workaround: true,
                        ..
                    }
                )
            })
        };
        assert!(restarted(&playbook.story));
        let mut calls: Vec<Decision> = playbook.taken.iter().map(|t| t.decision).collect();
        calls.truncate(at + 1);
        calls[at] = Decision::Troubleshoot;
        let team = play(&s, setup, Caller::Prefix(calls), None, &mut Vec::new()).unwrap();
        assert!(!restarted(&team.story), "{:?}", summary.id);
        checked += 1;
    }
    assert!(checked > 0, "some incident was worked around");
}

/// One service failing every 3 days (first at W1 Thu 00:00 = minute 4320), users report it
/// 20m later; a 24x7 help desk ($60/h = $1/min) restarts it in 10m (always works), the leak
/// comes back 1 day after the restart; 24x7 engineers ($120/h = $2/min) fix the root cause
/// in 4h. Down costs $6,000/h = $100/min. The strategy opens a problem only after 2
/// recurrences; the horizon (5d = minute 7200) leaves room for one.
const RECURRING: &str = r#"
name = "Recurring leak, fixed delays"

[simulation]
horizon = "5d"
replications = 1
seed = 3

[[tiers]]
name = "help-desk"
staff = 1
hours = "24x7"
hourly_cost = 60

[[tiers]]
name = "engineers"
staff = 1
hours = "24x7"
hourly_cost = 120

[[services]]
name = "email"
downtime_cost_per_hour = 6000
report_delay = "20m"
failures = { every = "3d" }

[[services.modes]]
name = "memory-leak"
fix = "1h"
needs = "engineers"
workaround = { fix = "10m", tier = "help-desk", success = 1, recurs = "1d" }

[strategies.restart]
escalate_after = "2h"
handoff = "30m"
workarounds = true
problems = { after = 2, fix = "4h", tier = "engineers" }
"#;

#[test]
fn opening_a_problem_at_the_first_restart_prevents_the_recurrence() {
    // Playbook: email#0 starts 4320, reported 4340, the help desk restarts it 4340–4350: down
    // 30m ($3,000) + 10m of help desk ($10) = $3,010. The leak recurs 1d after UP: email#1 at
    // 5790, the same $3,010 (recurrence 1 < after = 2: no problem). Aftermath $3,010, 30m.
    // Team at W1 Thu 00:20 (4340): "problem", then "workaround": the restart succeeds at 4350,
    // the root cause starts and the requested problem goes to the engineers at once: 4h of
    // $2/min = $480, done 4590; the pending recurrence is cancelled and the next failure comes
    // 3d after, at 8910, past the horizon. Aftermath $480, 0m.
    // The problem call: 480 − 3,010 = −$2,530 (gained), 30m less downtime.
    let s = scenario(RECURRING);
    let setup = DrillSetup {
        strategy: 0,
        rep: 0,
        incident: IncidentId { service: 0, k: 0 },
    };
    let playbook = play(&s, setup, Caller::Playbook, None, &mut Vec::new()).unwrap();
    assert!((playbook.story.start - 4320.0).abs() < 1e-9);
    assert!((playbook.story.cost.total() - 3_010.0).abs() < 1e-6);
    assert_eq!(playbook.aftermath.recurrences, 1);
    assert!((playbook.aftermath.cost - 3_010.0).abs() < 1e-6);
    assert!((playbook.aftermath.outage_minutes - 30.0).abs() < 1e-9);
    // The playbook never opens a problem by a call: the rule opens its own, in its time.
    assert!(
        playbook
            .taken
            .iter()
            .all(|t| t.decision != Decision::Problem)
    );
    let offered = playbook.taken[0].point.choices;
    assert!(offered.contains(Decision::Problem) && offered.contains(Decision::Workaround));

    let calls = "W1 Thu 00:20 problem\nW1 Thu 00:20 workaround\n";
    let script = Script::parse(calls, Path::new("calls.txt")).unwrap();
    let mut transcript = Vec::new();
    let team = play(&s, setup, Caller::Script(script), None, &mut transcript).unwrap();
    let transcript = String::from_utf8(transcript).unwrap();
    assert!(
        transcript.contains("[o] problem       open a problem: a root-cause fix at engineers"),
        "{transcript}"
    );
    assert!((team.story.cost.total() - 3_010.0).abs() < 1e-6);
    assert_eq!(team.aftermath.recurrences, 0);
    assert!((team.aftermath.cost - 480.0).abs() < 1e-6);
    // Asked again at the same point without "problem": the team's restart.
    assert_eq!(team.taken.len(), 2);
    assert!(!team.taken[1].point.choices.contains(Decision::Problem));
    assert_eq!(team.taken[1].decision, Decision::Workaround);
    // The story tells the problem the team opened, fixed at 4590.
    assert!(team.story.lines.iter().any(|l| (l.t - 4590.0).abs() < 1e-9
        && matches!(
            l.beat,
            incsim::projections::incident::Beat::ProblemFixed { .. }
        )));

    let d = debrief::debrief(&s, setup, &team).unwrap();
    assert_eq!(d.values[0].taken.decision, Decision::Problem);
    assert!((d.values[0].cost_delta + 2_530.0).abs() < 1e-6);
    assert!((d.values[0].outage_delta + 30.0).abs() < 1e-9);
    assert_eq!(d.values[1].cost_delta, 0.0);
    let text = debrief::render(&s, &d);
    assert!(
        text.contains("problem — playbook: workaround; gained $2,530, 30m less downtime"),
        "{text}"
    );
}

#[test]
fn a_problem_is_offered_only_where_a_root_cause_can_be_left_behind() {
    // No workaround for the mode (NIGHT: the engineers' fix is the only way out): every end
    // of the incident ends its root cause, so a problem would have nothing to fix.
    let s = scenario(NIGHT);
    let setup = DrillSetup {
        strategy: 0,
        rep: 0,
        incident: IncidentId { service: 0, k: 0 },
    };
    let run = play(&s, setup, Caller::Playbook, None, &mut Vec::new()).unwrap();
    assert!(!run.taken.is_empty());
    assert!(
        run.taken
            .iter()
            .all(|t| !t.point.choices.contains(Decision::Problem))
    );
    // Without `problems` anywhere in the scenario, the mode's able tier fixes the root cause
    // with the mode's own fix (1h at engineers): $120 instead of the $3,010 recurrence.
    let s = scenario(&RECURRING.replace(
        "problems = { after = 2, fix = \"4h\", tier = \"engineers\" }\n",
        "",
    ));
    let script = Script::parse(
        "W1 Thu 00:20 problem\nW1 Thu 00:20 workaround\n",
        Path::new("calls.txt"),
    )
    .unwrap();
    let team = play(&s, setup, Caller::Script(script), None, &mut Vec::new()).unwrap();
    assert_eq!(team.aftermath.recurrences, 0);
    assert!((team.aftermath.cost - 120.0).abs() < 1e-6);
    // A problem on a point that does not offer it is refused with the line.
    let script = Script::parse("W1 Thu 00:20 problem\n", Path::new("calls.txt")).unwrap();
    let s = scenario(NIGHT);
    let err = play(&s, setup, Caller::Script(script), None, &mut Vec::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("calls.txt:1: \"problem\" is not available"),
        "{err}"
    );
}
