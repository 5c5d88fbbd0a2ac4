//! The event log as a product: its JSON shape (what jq, pandas and DuckDB rely on), replay
//! reproducing the run's `replications.csv` rows byte for byte, and corrupt logs refused with
//! the file, the line and the reason.

mod common;
use common::incsim;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use incsim::eventlog::replay::replay;
use incsim::eventlog::{LogError, write_event_log};
use incsim::events::EventKind;
use incsim::export::csv;
use serde_json::Value;

/// The log of replications `reps` of the mail-server scenario, as lines, without its digest
/// line (as incsim wrote logs before the digest: the checks of its content are tested on
/// these, the digest on its own).
fn mail_log(reps: &[u64]) -> Vec<String> {
    let scenario = common::mail_server();
    let (bytes, lines) =
        write_event_log(&scenario, reps, Vec::new(), |_, _, _| Ok(())).expect("log written");
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.ends_with('\n'));
    let mut out: Vec<String> = text.lines().map(String::from).collect();
    let digest = out.pop().expect("a digest line");
    assert!(
        digest.starts_with("{\"kind\":\"log_digest\",\"lines\":"),
        "{digest}"
    );
    assert_eq!(out.len() as u64, lines);
    out
}

/// The keys of each kind as `docs/events.md` documents them (its "Kinds" table), so the
/// documentation cannot fall behind the event type.
fn documented_keys() -> BTreeMap<String, BTreeSet<String>> {
    let doc = include_str!("../docs/events.md");
    let table = doc
        .split("## Kinds")
        .nth(1)
        .expect("docs/events.md has a Kinds section");
    let mut kinds = BTreeMap::new();
    for line in table.lines().skip_while(|l| !l.starts_with("| `")) {
        if !line.starts_with("| `") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let kind = cells[1].trim_matches('`').to_string();
        let keys = cells[2]
            .replace("**or**", " ")
            .split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        kinds.insert(kind, keys);
    }
    kinds
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn every_line_is_one_json_object_with_documented_keys_and_one_type_per_key() {
    let lines = mail_log(&[0, 1, 2]);
    let header: Value = serde_json::from_str(&lines[0]).expect("header is JSON");
    assert_eq!(header["kind"], "run_started");
    assert_eq!(header["schema"], 3);
    assert_eq!(header["seed"], 42);
    assert_eq!(header["reps"], serde_json::json!([0, 1, 2]));
    assert_eq!(
        header["scenario"]["tiers"][1]["name"],
        "senior-network-engineer"
    );
    assert_eq!(header["incsim"], env!("CARGO_PKG_VERSION"));

    let documented = documented_keys();
    assert_eq!(
        documented
            .keys()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        EventKind::KINDS.into_iter().collect::<BTreeSet<_>>(),
        "docs/events.md documents exactly the kinds of the event type"
    );
    let mut types: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    let mut last: Option<(u64, String, f64)> = None;
    for (i, line) in lines.iter().enumerate().skip(1) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        let obj = v.as_object().expect("an object per line");
        for key in ["t", "at", "rep", "strategy", "kind"] {
            assert!(obj.contains_key(key), "line {}: no `{key}`", i + 1);
        }
        let kind = obj["kind"].as_str().expect("kind is a string");
        assert!(EventKind::KINDS.contains(&kind), "unknown kind {kind}");
        kinds.insert(kind.to_string());
        for key in obj.keys() {
            let is_documented = ["t", "at", "rep", "strategy", "kind"].contains(&key.as_str())
                || documented[kind].contains(key);
            assert!(
                is_documented,
                "line {}: `{key}` is not documented for {kind}",
                i + 1
            );
        }
        for (key, value) in obj {
            // Integers are valid floats for `t`-like fields in every reader, but the writer
            // never mixes them: one JSON type per key across the whole file.
            types
                .entry(key.clone())
                .or_default()
                .insert(json_type(value));
        }
        if let Some(id) = obj.get("incident") {
            let expected = format!("{}#{}", obj["service"].as_str().unwrap(), obj["k"]);
            assert_eq!(id.as_str(), Some(expected.as_str()));
        }
        // `at` reads like `W12 Tue 09:14`.
        let at = obj["at"].as_str().unwrap();
        let parts: Vec<&str> = at.split(' ').collect();
        assert_eq!(parts.len(), 3, "{at}");
        assert!(parts[0].starts_with('W') && parts[0][1..].parse::<u32>().is_ok());
        assert!(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&parts[1]));
        assert_eq!(parts[2].len(), 5);
        // Ordered by replication, then strategy in file order, then time.
        let key = (
            obj["rep"].as_u64().unwrap(),
            obj["strategy"].as_str().unwrap().to_string(),
            obj["t"].as_f64().unwrap(),
        );
        if let Some((rep, strategy, t)) = &last
            && *rep == key.0
            && *strategy == key.1
        {
            assert!(key.2 >= *t, "line {}: time goes backwards", i + 1);
        }
        last = if kind == "horizon_reached" {
            None
        } else {
            Some(key)
        };
    }
    for (key, set) in &types {
        assert_eq!(set.len(), 1, "`{key}` has several JSON types: {set:?}");
    }
    assert_eq!(types["t"], BTreeSet::from(["float"]));
    assert_eq!(types["rep"], BTreeSet::from(["integer"]));
    assert_eq!(types["averted"], BTreeSet::from(["boolean"]));
    for kind in [
        "failure_started",
        "degradation_detected",
        "outage_started",
        "alert_fired",
        "false_alarm",
        "user_reported",
        "incident_opened",
        "queued",
        "work_started",
        "escalated",
        "handed_off",
        "alarm_cleared",
        "resolved",
        "outage_ended",
        "horizon_reached",
    ] {
        assert!(kinds.contains(kind), "no {kind} in three replications");
    }
}

/// Replay `lines` (joined with newlines, plus a final one when `newline_at_end`).
fn replay_lines(lines: &[String], newline_at_end: bool) -> Result<Vec<String>, LogError> {
    let mut text = lines.join("\n");
    if newline_at_end {
        text.push('\n');
    }
    let mut rows = Vec::new();
    replay(text.as_bytes(), "events.jsonl", |h, row| {
        rows.push(csv::row(
            row.rep,
            &h.scenario.strategies[row.strategy].name,
            &row.metrics,
        ))
    })?;
    Ok(rows)
}

fn refused(lines: &[String]) -> LogError {
    match replay_lines(lines, true) {
        Ok(_) => panic!("a corrupt log was accepted"),
        Err(e) => e,
    }
}

fn assert_error(err: &LogError, line: Option<u64>, needle: &str) {
    let text = err.to_string();
    assert_eq!(err.file, "events.jsonl", "{text}");
    assert_eq!(err.line, line, "{text}");
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
    if let Some(l) = line {
        assert!(text.starts_with(&format!("events.jsonl:{l}: ")), "{text}");
    }
}

/// Index (0-based) of the first line matching all the needles.
fn find(lines: &[String], needles: &[&str]) -> usize {
    lines
        .iter()
        .position(|l| needles.iter().all(|n| l.contains(n)))
        .unwrap_or_else(|| panic!("no line with {needles:?}"))
}

#[test]
fn a_sound_log_replays_into_the_runs_metrics() {
    let scenario = common::mail_server();
    let mut expected = Vec::new();
    let (bytes, _) = write_event_log(&scenario, &[0, 4], Vec::new(), |rep, s, m| {
        expected.push(csv::row(rep, &scenario.strategies[s].name, &m));
        Ok(())
    })
    .unwrap();
    let lines: Vec<String> = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(replay_lines(&lines, true).unwrap(), expected);
    // A missing newline after the last complete line is harmless.
    assert_eq!(replay_lines(&lines, false).unwrap(), expected);
}

#[test]
fn an_in_bounds_edit_of_one_number_is_refused_by_the_digest() {
    // The last line seals the log: the SHA-256 of the bytes before it.
    let scenario = common::mail_server();
    let (bytes, lines) = write_event_log(&scenario, &[0], Vec::new(), |_, _, _| Ok(())).unwrap();
    let sealed: Vec<String> = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(sealed.len() as u64, lines + 1);
    let last: Value = serde_json::from_str(sealed.last().unwrap()).unwrap();
    assert_eq!(last["kind"], "log_digest");
    assert_eq!(last["lines"], lines);
    assert!(replay_lines(&sealed, true).is_ok());
    // A downtime rate of the header's scenario, one dollar more: a valid scenario, a valid
    // log in every other respect, other costs. Only the digest can tell.
    let rate = scenario.services[0].downtime_cost_per_hour;
    let from = format!("\"downtime_cost_per_hour\":{rate:?}");
    assert!(sealed[0].contains(&from), "{}", sealed[0]);
    let mut edited = sealed.clone();
    edited[0] = edited[0].replacen(
        &from,
        &format!("\"downtime_cost_per_hour\":{:?}", rate + 1.0),
        1,
    );
    let n = sealed.len() as u64;
    assert_error(
        &refused(&edited),
        Some(n),
        "events.jsonl was edited after it was written: digest mismatch at the last line",
    );
    // Without its digest line the same edit is read, unchecked (an older incsim's log): the
    // command warns (tested below with the binary).
    let unsealed = &edited[..edited.len() - 1];
    assert!(replay_lines(unsealed, true).is_ok());
    // An edited digest, a line count that disagrees, a line after the digest: refused.
    let mut wrong = sealed.clone();
    let hex_at = wrong[n as usize - 1].len() - 3;
    wrong[n as usize - 1].replace_range(hex_at..hex_at + 1, "x");
    assert_error(
        &refused(&wrong),
        Some(n),
        "digest mismatch at the last line",
    );
    let mut recounted = sealed.clone();
    recounted[n as usize - 1] = recounted[n as usize - 1].replacen(
        &format!("\"lines\":{lines},"),
        &format!("\"lines\":{},", lines + 1),
        1,
    );
    assert_error(
        &refused(&recounted),
        Some(n),
        "the digest line says the log had",
    );
    let mut appended = sealed.clone();
    appended.push(sealed[1].clone());
    assert_error(
        &refused(&appended),
        Some(n + 1),
        "a line after the log_digest line",
    );
}

#[test]
fn a_truncated_log_is_refused() {
    let lines = mail_log(&[0, 1]);
    let n = lines.len();
    // The last horizon_reached is missing.
    let err = refused(&lines[..n - 1]);
    assert_error(&err, Some(n as u64 - 1), "truncated");
    // Cut in the middle of a line.
    let mut cut = lines[..n / 2].to_vec();
    let last = cut.pop().unwrap();
    cut.push(last[..last.len() / 2].to_string());
    let err = replay_lines(&cut, false).unwrap_err();
    assert_error(&err, Some((n / 2) as u64), "cut off");
    // Whole streams missing: the header lists replication 1.
    let end_of_rep0 = lines
        .iter()
        .rposition(|l| l.contains("\"rep\":0,") && l.contains("horizon_reached"))
        .unwrap();
    let err = refused(&lines[..=end_of_rep0]);
    assert_error(
        &err,
        None,
        "before the stream of replication 1, strategy reactive",
    );
    // Only the header.
    let err = refused(&lines[..1]);
    assert_error(&err, None, "truncated");
    // Nothing at all; no header.
    assert_error(
        &replay_lines(&[], false).unwrap_err(),
        None,
        "the file is empty",
    );
    let err = refused(&lines[1..]);
    assert_error(
        &err,
        Some(1),
        "the first line must be the run_started header",
    );
}

fn t_of(line: &str) -> f64 {
    serde_json::from_str::<Value>(line).unwrap()["t"]
        .as_f64()
        .unwrap()
}

#[test]
fn a_reordered_log_is_refused() {
    let lines = mail_log(&[0]);
    // Swap a false alarm with the (earlier, unrelated) event before it: the false alarm is
    // valid where it lands, the event after it goes back in time.
    let j = (2..lines.len())
        .find(|&j| {
            lines[j].contains("\"kind\":\"false_alarm\"")
                && lines[j - 1].contains("proactive")
                && !lines[j - 1].contains("\"kind\":\"false_alarm\"")
                && t_of(&lines[j - 1]) < t_of(&lines[j])
        })
        .expect("a false alarm after another event");
    let mut swapped = lines.clone();
    swapped.swap(j - 1, j);
    assert_error(
        &refused(&swapped),
        Some(j as u64 + 1),
        "time goes backwards",
    );

    // Streams in the wrong order: proactive before reactive.
    let start = find(&lines, &["\"strategy\":\"proactive\""]);
    let mut streams = vec![lines[0].clone()];
    streams.extend_from_slice(&lines[start..]);
    streams.extend_from_slice(&lines[1..start]);
    let err = refused(&streams);
    assert_error(
        &err,
        Some(2),
        "expected the stream of replication 0, strategy reactive to start here; found replication 0, strategy proactive",
    );

    // A stream interrupted by another.
    let mut interleaved = lines.clone();
    let moved = interleaved.remove(start + 3);
    interleaved.insert(5, moved);
    let err = refused(&interleaved);
    assert_error(&err, Some(6), "ends without horizon_reached");
}

#[test]
fn a_hand_edited_log_is_refused_with_the_line_and_the_reason() {
    let lines = mail_log(&[0]);
    let edit = |needles: &[&str], from: &str, to: &str| -> (Vec<String>, u64) {
        let i = find(&lines, needles);
        let mut edited = lines.clone();
        assert!(edited[i].contains(from), "{} lacks {from}", edited[i]);
        edited[i] = edited[i].replacen(from, to, 1);
        (edited, i as u64 + 1)
    };
    let cases: Vec<(Vec<String>, u64, &str)> = vec![
        {
            let (l, n) = edit(
                &["escalated"],
                "\"kind\":\"escalated\"",
                "\"kind\":\"escalate\"",
            );
            (l, n, "unknown event kind \"escalate\"")
        },
        {
            let (l, n) = edit(
                &["outage_ended"],
                "\"service\":\"email\"",
                "\"service\":\"mail\"",
            );
            (
                l,
                n,
                "unknown service \"mail\"; the log's scenario has email",
            )
        },
        {
            let (l, n) = edit(
                &["queued", "help-desk"],
                "\"tier\":\"help-desk\"",
                "\"tier\":\"helpdesk\"",
            );
            (l, n, "unknown tier \"helpdesk\"")
        },
        {
            let (l, n) = edit(
                &["work_started", "\"able\":true"],
                "\"able\":true",
                "\"able\":\"yes\"",
            );
            (
                l,
                n,
                "field `able` must be true or false; found string \"yes\"",
            )
        },
        {
            let (l, n) = edit(&["resolved"], "\"averted\":", "\"was\":0,\"averted\":");
            (l, n, "unexpected field `was` in a resolved line")
        },
        {
            let (l, n) = edit(&["outage_started"], "\"k\":", "\"k\":1.");
            (l, n, "field `k` must be an integer from 0 to 4294967295")
        },
        {
            let (l, n) = edit(&["user_reported"], "\"rep\":0", "\"rep\":0.5");
            (
                l,
                n,
                "field `rep` must be an integer ≥ 0; found the number 0.5",
            )
        },
        {
            let (l, n) = edit(
                &["reactive", "failure_started"],
                "\"kind\"",
                "\"kind\" \"kind\"",
            );
            (l, n, "not valid JSON")
        },
        {
            let (l, n) = edit(&["\"strategy\":\"proactive\""], "proactive", "proactiv");
            (l, n, "unknown strategy \"proactiv\"")
        },
        {
            let (l, n) = edit(&["failure_started"], "\"mode\":\"", "\"mode\":\"x-");
            (l, n, "unknown failure mode")
        },
        {
            let (l, n) = edit(&["\"kind\":\"false_alarm\""], "\"at\":\"W", "\"at\":\"X");
            (l, n, "`at` is \"X")
        },
    ];
    for (edited, line, needle) in cases {
        assert_error(&refused(&edited), Some(line), needle);
    }

    // A field of the wrong type.
    let i = find(&lines, &["work_started", "reactive"]);
    let mut wrong = lines.clone();
    let v: Value = serde_json::from_str(&wrong[i]).unwrap();
    let duration = v["duration"].as_f64().unwrap();
    wrong[i] = wrong[i].replace(
        &format!("\"duration\":{}", serde_json::to_string(&duration).unwrap()),
        &format!("\"duration\":\"{duration}\""),
    );
    assert_error(
        &refused(&wrong),
        Some(i as u64 + 1),
        "field `duration` must be a number (minutes); found string",
    );

    // A number edited so that the story no longer adds up: the fix ends at another time.
    let mut longer = lines.clone();
    longer[i] = lines[i].replace(
        &format!("\"duration\":{}", serde_json::to_string(&duration).unwrap()),
        &format!(
            "\"duration\":{}",
            serde_json::to_string(&(duration + 5.0)).unwrap()
        ),
    );
    let err = refused(&longer);
    assert!(err.line.unwrap() > i as u64);
    let text = err.to_string();
    assert!(
        text.contains("ends at t =") || text.contains("escalates after"),
        "{text}"
    );

    // An event for an incident that never started.
    let j = find(&lines, &["resolved", "email#0"]);
    let mut ghost = lines.clone();
    ghost.insert(
        1,
        lines[j]
            .replace("\"incident\":\"email#0\"", "\"incident\":\"email#7\"")
            .replace("\"k\":0", "\"k\":7"),
    );
    assert_error(
        &refused(&ghost),
        Some(2),
        "resolved for email#7, which never started",
    );

    // The incident id must agree with service and k.
    let mut mismatch = lines.clone();
    mismatch[j] = lines[j].replace("\"incident\":\"email#0\"", "\"incident\":\"email#1\"");
    assert_error(
        &refused(&mismatch),
        Some(j as u64 + 1),
        "`incident` is \"email#1\", but service and k say \"email#0\"",
    );

    // Two logs concatenated.
    let mut twice = lines.clone();
    twice.extend_from_slice(&lines);
    assert_error(
        &refused(&twice),
        Some(lines.len() as u64 + 1),
        "a second run_started line",
    );
}

// ---- through the binary ----

/// The two-service example, shorter and with failures twice as frequent.
fn two_services() -> String {
    include_str!("../scenarios/two-services.toml")
        .replace("horizon = \"180d\"", "horizon = \"120d\"")
        .replace("replications = 40", "replications = 8")
        .replace("seed = 3", "seed = 5")
        .replace("mean = \"20d\"", "mean = \"10d\"")
        .replace("scale = \"30d\"", "scale = \"15d\"")
}

#[test]
fn replay_of_a_run_log_gives_the_runs_csv_rows_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("two.toml"), two_services()).unwrap();
    let run = incsim(
        &["run", "two.toml", "--events", "1,3-4", "--out", "out", "-q"],
        dir.path(),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv_text = fs::read_to_string(dir.path().join("out/replications.csv")).unwrap();
    let mut run_lines = csv_text.lines();
    let header = run_lines.next().unwrap();
    let wanted: Vec<&str> = run_lines
        .filter(|l| ["1,", "3,", "4,"].iter().any(|p| l.starts_with(p)))
        .collect();
    assert_eq!(wanted.len(), 6);

    let replayed = incsim(&["replay", "out/events.jsonl"], dir.path());
    assert!(
        replayed.status.success(),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    assert!(!String::from_utf8_lossy(&replayed.stderr).contains("digest"));
    // A log without its digest line (as older incsim wrote them) is replayed with a warning.
    let log = fs::read_to_string(dir.path().join("out/events.jsonl")).unwrap();
    let body = &log[..log.trim_end().rfind('\n').unwrap() + 1];
    fs::write(dir.path().join("old.jsonl"), body).unwrap();
    let old = incsim(&["replay", "old.jsonl"], dir.path());
    assert!(old.status.success());
    assert_eq!(old.stdout, replayed.stdout);
    assert!(
        String::from_utf8_lossy(&old.stderr).contains("warning: old.jsonl has no digest line"),
        "{}",
        String::from_utf8_lossy(&old.stderr)
    );
    // One digit of a number edited: refused, exit 1.
    let key = "\"downtime_cost_per_hour\":";
    let at = log.find(key).unwrap() + key.len();
    let mut edited = log.clone().into_bytes();
    edited[at] = if edited[at] == b'1' { b'2' } else { b'1' };
    fs::write(dir.path().join("edited.jsonl"), &edited).unwrap();
    let refused = incsim(&["replay", "edited.jsonl"], dir.path());
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("edited.jsonl was edited after it was written"),
        "{err}"
    );
    let stdout = String::from_utf8(replayed.stdout).unwrap();
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(header));
    assert_eq!(lines.collect::<Vec<_>>(), wanted);

    let to_file = incsim(
        &["replay", "out/events.jsonl", "--out", "check"],
        dir.path(),
    );
    assert!(to_file.status.success());
    let written = fs::read_to_string(dir.path().join("check/replications.csv")).unwrap();
    assert_eq!(written, stdout);
}

#[test]
fn events_default_to_replication_0_and_a_run_without_the_flag_writes_no_log() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("two.toml"), two_services()).unwrap();
    let run = incsim(
        &["run", "two.toml", "-n", "3", "--out", "a", "-q", "--events"],
        dir.path(),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let log = fs::read_to_string(dir.path().join("a/events.jsonl")).unwrap();
    let header: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(header["reps"], serde_json::json!([0]));
    // Every event line (between the header and the closing digest) is replication 0's.
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[lines.len() - 1].contains("\"kind\":\"log_digest\""));
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.contains("\"rep\":0,"))
    );
    let names: Vec<String> = fs::read_dir(dir.path().join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        // The manifest (issue 18) is the one hidden file a run leaves.
        names
            .iter()
            .all(|n| !n.starts_with('.') || n == ".incsim-manifest"),
        "temporaries left: {names:?}"
    );

    let plain = incsim(
        &["run", "two.toml", "-n", "3", "--out", "b", "-q"],
        dir.path(),
    );
    assert!(plain.status.success());
    assert!(!dir.path().join("b/events.jsonl").exists());
}

#[test]
fn a_bad_replication_selection_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("two.toml"), two_services()).unwrap();
    let out = incsim(&["run", "--events", "two.toml", "--out", "x"], dir.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--events \"two.toml\""), "{err}");
    assert!(
        err.contains("put the scenario file before --events"),
        "{err}"
    );
    let out = incsim(
        &["run", "two.toml", "--events", "8", "--out", "x"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 to 7"));
    assert!(!dir.path().join("x/summary.json").exists());
}

#[test]
fn replay_of_a_corrupt_log_exits_non_zero_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = mail_log(&[0]);
    let i = find(&lines, &["escalated"]);
    lines[i] = lines[i].replace("\"to\":\"senior-network-engineer\"", "\"to\":\"vendor\"");
    fs::write(dir.path().join("events.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = incsim(&["replay", "events.jsonl", "--out", "r"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "error: events.jsonl:{}: unknown tier \"vendor\"",
            i + 1
        )),
        "{err}"
    );
    assert!(!dir.path().join("r/replications.csv").exists());

    let out = incsim(&["replay", "missing.jsonl"], dir.path());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot open the event log missing.jsonl")
    );
}

// ---- any valid scenario: the log replays exactly ----

mod random_scenarios {
    use super::common;
    use incsim::eventlog::replay::replay;
    use incsim::eventlog::write_event_log;
    use incsim::scenario::{Dist, Hours, Monitoring, Scenario, Strategy as StrategyDef};
    use proptest::prelude::*;

    /// A duration distribution: often fixed (simultaneous events, exact ties), sometimes
    /// zero, sometimes exponential.
    fn dist(max_minutes: f64) -> impl proptest::strategy::Strategy<Value = Dist> {
        prop_oneof![
            Just(Dist::fixed(0.0)),
            (0u32..8).prop_map(move |i| Dist::fixed((i as f64 * max_minutes / 8.0).round())),
            (1.0..max_minutes).prop_map(|mean| Dist::Exponential { mean }),
        ]
    }

    fn scenario() -> impl proptest::strategy::Strategy<Value = Scenario> {
        let tiers = prop::collection::vec((1u32..3, any::<bool>(), 0.0..200.0f64), 1..4);
        (tiers, 1usize..4, any::<u64>(), 0u32..4)
            .prop_flat_map(|(tiers, n_services, seed, alarms)| {
                let n_tiers = tiers.len();
                let services = prop::collection::vec(
                    (
                        prop::collection::vec((dist(600.0), dist(240.0), 0..n_tiers), 1..3),
                        dist(60.0),
                        prop_oneof![
                            (300.0..6000.0f64).prop_map(|m| Dist::Exponential { mean: m }),
                            (60u32..3000).prop_map(|m| Dist::fixed(m as f64)),
                        ],
                        1u32..3,
                    ),
                    n_services,
                );
                let strategy = (
                    dist(120.0),
                    prop_oneof![Just(0.0), 1.0..60.0f64],
                    0..n_tiers,
                    prop_oneof![Just(0.0), Just(1.0), 0.0..1.0f64],
                    prop_oneof![Just(0.0), Just(1.0), 0.0..1.0f64],
                    dist(60.0),
                    0.0..30.0f64,
                );
                (Just(tiers), services, strategy, Just(seed), Just(alarms))
            })
            .prop_map(|(tiers, services, strategy, seed, alarms)| {
                let tiers = tiers
                    .into_iter()
                    .enumerate()
                    .map(|(i, (staff, business, cost))| {
                        let hours = if business {
                            Hours::Business
                        } else {
                            Hours::AlwaysOpen
                        };
                        common::tier(&format!("tier-{i}"), staff, hours, cost)
                    })
                    .collect();
                let services = services
                    .into_iter()
                    .enumerate()
                    .map(|(i, (modes, report, every, priority))| {
                        let modes = modes
                            .into_iter()
                            .enumerate()
                            .map(|(m, (warning, fix, needs))| {
                                common::mode(&format!("mode-{m}"), warning, fix, needs)
                            })
                            .collect();
                        let mut s = common::service(&format!("svc-{i}"), every, report, modes);
                        s.priority = priority;
                        s
                    })
                    .collect();
                let (detect, handoff, alert_tier, coverage, route_direct, outage_detect, triage) =
                    strategy;
                let proactive = StrategyDef {
                    name: "proactive".into(),
                    escalate_after: 30.0,
                    handoff,
                    fix_multiplier: 0.8,
                    annual_cost: 1000.0,
                    alert_tier,
                    route_direct,
                    monitoring: Some(Monitoring {
                        coverage,
                        detect,
                        outage_detect: outage_detect.mean(),
                        false_alarms_per_week: alarms as f64 * 5.0,
                        triage,
                    }),
                    one_time_cost: 0.0,
                    ramp_up: Vec::new(),
                    ticket_deflection: 0.0,
                    workarounds: false,
                    correlate: false,
                    problems: None,
                    paging: None,
                    tiers: Vec::new(),
                    maintenance: Vec::new(),
                    change_failure_rate: None,
                };
                let reactive = common::reactive(60.0, 0.0, 1.0);
                common::scenario(
                    tiers,
                    services,
                    vec![reactive, proactive],
                    20.0 * 1440.0,
                    4,
                    seed,
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn the_log_of_any_valid_scenario_replays_into_the_same_metrics(s in scenario()) {
            let mut expected = Vec::new();
            let (bytes, _) = write_event_log(&s, &[0, 3], Vec::new(), |rep, st, m| {
                expected.push((rep, st, m));
                Ok(())
            })
            .unwrap();
            let mut got = Vec::new();
            let result = replay(bytes.as_slice(), "events.jsonl", |_, row| {
                got.push((row.rep, row.strategy, row.metrics))
            });
            prop_assert!(result.is_ok(), "a valid log was refused: {}", result.unwrap_err());
            prop_assert_eq!(got, expected);
        }
    }
}

// ---- any damage to a log: an error, never a panic ----

mod damaged_logs {
    use super::mail_log;
    use incsim::eventlog::replay::replay;
    use proptest::prelude::*;

    /// Bytes a hand edit or a bad transfer might put anywhere.
    const NOISE: &[&str] = &[
        "",
        "0",
        "-1",
        "1e308",
        "null",
        "true",
        "\"\"",
        "}",
        "{",
        ",",
        "\"",
        "#",
        "\n",
        "é",
        "4294967296",
        "0.5",
        "NaN",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn a_damaged_log_is_refused_or_replayed_but_never_panics(
            damage in prop::collection::vec((any::<usize>(), any::<usize>(), any::<usize>(), 0u8..4), 1..4)
        ) {
            let mut lines = mail_log(&[0]);
            for (line, at, noise, action) in damage {
                let i = line % lines.len();
                match action {
                    0 => {
                        // Overwrite a span of the line with noise.
                        let l = &lines[i];
                        let mut cut = at % (l.len() + 1);
                        while !l.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        let mut end = (cut + 1 + at % 7).min(l.len());
                        while !l.is_char_boundary(end) {
                            end -= 1;
                        }
                        lines[i] = format!("{}{}{}", &l[..cut], NOISE[noise % NOISE.len()], &l[end.max(cut)..]);
                    }
                    1 => {
                        lines.remove(i);
                        if lines.is_empty() {
                            lines.push(String::new());
                        }
                    }
                    2 => {
                        let copy = lines[i].clone();
                        lines.insert(at % (lines.len() + 1), copy);
                    }
                    _ => {
                        let j = at % lines.len();
                        lines.swap(i, j);
                    }
                }
            }
            let text = lines.join("\n") + "\n";
            let _ = replay(text.as_bytes(), "events.jsonl", |_, _| {});
        }
    }
}
