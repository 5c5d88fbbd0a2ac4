//! Reading an event log back: line by line (never the whole file in memory), strictly
//! against the schema of `docs/events.md`. Every problem becomes a [`LogError`] naming the
//! file, the line and what was wrong.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, Read};

use serde_json::{Map, Value};

use super::SCHEMA_VERSION;
use super::clock::SimClock;
use crate::events::{Detection, Event, EventKind, IncidentId, WorkItem};
use crate::scenario::Scenario;

/// A problem in an event log: which file, which line (1-based, where known), what was wrong
/// and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line number, where the problem is on one line.
    pub line: Option<u64>,
    /// What was expected and what was found.
    pub message: String,
    /// The fix, when there is a useful one.
    pub help: Option<String>,
}

impl LogError {
    fn new(file: &str, line: Option<u64>, message: impl Into<String>) -> Self {
        LogError {
            file: file.to_string(),
            line,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LogError {}

/// The `run_started` line: what replay needs to fold the rest.
#[derive(Debug, Clone)]
pub struct LogHeader {
    /// Schema version of the log (see [`SCHEMA_VERSION`]).
    pub schema: u32,
    /// Version of incsim that wrote it.
    pub incsim: String,
    /// Seed of the run.
    pub seed: u64,
    /// The replications the log holds, ascending.
    pub reps: Vec<u64>,
    /// The checked scenario of the run.
    pub scenario: Scenario,
}

/// One event line, resolved to the simulator's ids.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// Replication.
    pub rep: u64,
    /// Strategy index in the scenario.
    pub strategy: usize,
    /// The event.
    pub event: Event,
}

/// Name → index tables of the log's scenario.
#[derive(Debug)]
struct Names {
    strategies: HashMap<String, usize>,
    services: HashMap<String, u32>,
    tiers: HashMap<String, u32>,
    /// Per service: mode name → index.
    modes: Vec<HashMap<String, u32>>,
    strategy_list: String,
    service_list: String,
    tier_list: String,
}

impl Names {
    fn new(s: &Scenario) -> Names {
        let index = |names: Vec<&String>| -> HashMap<String, u32> {
            names
                .into_iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i as u32))
                .collect()
        };
        let list = |names: Vec<&String>| {
            names
                .into_iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        Names {
            strategies: s
                .strategies
                .iter()
                .enumerate()
                .map(|(i, x)| (x.name.clone(), i))
                .collect(),
            services: index(s.services.iter().map(|x| &x.name).collect()),
            tiers: index(s.tiers.iter().map(|x| &x.name).collect()),
            modes: s
                .services
                .iter()
                .map(|svc| index(svc.modes.iter().map(|m| &m.name).collect()))
                .collect(),
            strategy_list: list(s.strategies.iter().map(|x| &x.name).collect()),
            service_list: list(s.services.iter().map(|x| &x.name).collect()),
            tier_list: list(s.tiers.iter().map(|x| &x.name).collect()),
        }
    }
}

/// Every event kind a log may hold after its header.
pub const EVENT_KINDS: [&str; 15] = [
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
];

const COMMON: [&str; 5] = ["t", "at", "rep", "strategy", "kind"];
const INCIDENT: [&str; 3] = ["incident", "service", "k"];

/// The keys a line of this kind carries besides the common ones (`t`, `at`, `rep`,
/// `strategy`, `kind`). Work items (`queued`, `work_started`) carry either the incident keys
/// or `alarm`.
pub fn kind_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "failure_started" => &["incident", "service", "k", "mode", "warning"],
        "degradation_detected" | "outage_started" | "user_reported" | "outage_ended" => &INCIDENT,
        "alert_fired" => &["incident", "service", "k", "detection"],
        "false_alarm" => &["alarm"],
        "incident_opened" => &["incident", "service", "k", "detection", "tier"],
        "queued" => &["incident", "service", "k", "alarm", "tier"],
        "work_started" => &[
            "incident", "service", "k", "alarm", "tier", "duration", "able", "waited",
        ],
        "escalated" => &["incident", "service", "k", "from", "to"],
        "handed_off" => &["incident", "service", "k", "tier"],
        "alarm_cleared" => &["alarm", "tier"],
        "resolved" => &["incident", "service", "k", "tier", "averted"],
        _ => &[],
    }
}

/// The longest line a log may hold: the header carries the whole scenario, which the scenario
/// reader caps far below this.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Reads the events of a log after its header, one line at a time.
pub struct LogReader<R: BufRead> {
    input: R,
    file: String,
    line_no: u64,
    buf: Vec<u8>,
    names: Names,
}

impl<R: BufRead> std::fmt::Debug for LogReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogReader")
            .field("file", &self.file)
            .field("line", &self.line_no)
            .finish()
    }
}

/// A line as read: its number, its bytes (without the newline), and whether it was the last
/// one with no newline after it (the mark of a cut-off file).
enum RawLine {
    Eof,
    Line { no: u64, cut: bool },
}

impl<R: BufRead> LogReader<R> {
    /// Read and check the `run_started` header; return it and a reader positioned on the first
    /// event. `file` is the name used in error messages.
    pub fn open(input: R, file: &str) -> Result<(LogHeader, LogReader<R>), LogError> {
        let mut reader = LogReader {
            input,
            file: file.to_string(),
            line_no: 0,
            buf: Vec::new(),
            names: Names {
                strategies: HashMap::new(),
                services: HashMap::new(),
                tiers: HashMap::new(),
                modes: Vec::new(),
                strategy_list: String::new(),
                service_list: String::new(),
                tier_list: String::new(),
            },
        };
        let (no, cut) = match reader.read_raw()? {
            RawLine::Eof => {
                return Err(LogError::new(file, None, "the file is empty").help(
                    "an event log starts with a run_started line; write one with `incsim run --events`",
                ));
            }
            RawLine::Line { no, cut } => (no, cut),
        };
        let map = reader.parse_object(no, cut)?;
        let header = reader.header(no, &map)?;
        reader.names = Names::new(&header.scenario);
        Ok((header, reader))
    }

    fn err(&self, line: u64, message: impl Into<String>) -> LogError {
        LogError::new(&self.file, Some(line), message)
    }

    fn read_raw(&mut self) -> Result<RawLine, LogError> {
        self.buf.clear();
        // A line longer than any incsim writes (a damaged file, /dev/zero) is refused
        // before it fills memory.
        let limit = MAX_LINE_BYTES as u64 + 1;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| {
                LogError::new(
                    &self.file,
                    Some(self.line_no + 1),
                    format!("cannot read the file: {e}"),
                )
            })?;
        if n == 0 {
            return Ok(RawLine::Eof);
        }
        self.line_no += 1;
        if self.buf.len() > MAX_LINE_BYTES {
            return Err(self
                .err(
                    self.line_no,
                    format!("the line is longer than {} MB", MAX_LINE_BYTES >> 20),
                )
                .help(
                    "incsim writes far shorter lines: this is not an event log as incsim wrote it",
                ));
        }
        let cut = self.buf.last() != Some(&b'\n');
        if !cut {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        Ok(RawLine::Line {
            no: self.line_no,
            cut,
        })
    }

    fn parse_object(&self, no: u64, cut: bool) -> Result<Map<String, Value>, LogError> {
        if self.buf.iter().all(u8::is_ascii_whitespace) {
            return Err(self
                .err(no, "the line is empty")
                .help("a JSON Lines log has exactly one event on every line; remove blank lines"));
        }
        match serde_json::from_slice::<Value>(&self.buf) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(self.err(
                no,
                format!(
                    "expected a JSON object (one event); found {}",
                    describe(&other)
                ),
            )),
            Err(_) if cut => Err(self
                .err(
                    no,
                    "the line is cut off: the file ends in the middle of it (no newline, incomplete JSON), so the log is truncated",
                )
                .help("the run that wrote it was interrupted or the file was cut; write the log again with `incsim run --events`")),
            Err(e) => Err(self.err(no, format!("not valid JSON: {e}")).help(
                "each line must be one complete JSON object; was the line edited by hand?",
            )),
        }
    }

    fn header(&self, no: u64, map: &Map<String, Value>) -> Result<LogHeader, LogError> {
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind != "run_started" {
            return Err(self
                .err(
                    no,
                    format!(
                        "the first line must be the run_started header; found {}",
                        if kind.is_empty() {
                            "a line without a kind".to_string()
                        } else {
                            format!("kind {kind:?}")
                        }
                    ),
                )
                .help("an event log starts with the run_started line that carries its scenario; was its beginning cut off?"));
        }
        let f = Fields {
            map,
            line: no,
            file: &self.file,
            kind: "run_started",
        };
        f.only(&[
            "t", "at", "kind", "schema", "incsim", "seed", "reps", "scenario",
        ])?;
        if f.number("t")? != 0.0 || f.string("at")? != "W1 Mon 00:00" {
            return Err(self.err(
                no,
                "run_started must be at t = 0.0, at \"W1 Mon 00:00\" (the start of the run)",
            ));
        }
        let schema = f.uint("schema")?;
        if schema != SCHEMA_VERSION as u64 {
            return Err(self
                .err(
                    no,
                    format!(
                        "the log has schema version {schema}; this incsim reads version {SCHEMA_VERSION}"
                    ),
                )
                .help("replay the log with the incsim version that wrote it (see `incsim` in this line)"));
        }
        let incsim = f.string("incsim")?.to_string();
        let seed = f.uint("seed")?;
        let reps = match map.get("reps") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_u64().ok_or_else(|| {
                        self.err(
                            no,
                            format!(
                                "field `reps` must list replication numbers (integers ≥ 0); found {}",
                                describe(v)
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<u64>, LogError>>()?,
            Some(other) => {
                return Err(self.err(
                    no,
                    format!(
                        "field `reps` must be an array of replication numbers; found {}",
                        describe(other)
                    ),
                ));
            }
            None => return Err(self.err(no, "run_started needs the field `reps`")),
        };
        let scenario_value = map
            .get("scenario")
            .ok_or_else(|| self.err(no, "run_started needs the field `scenario`"))?;
        let scenario: Scenario = serde_json::from_value(scenario_value.clone()).map_err(|e| {
            self.err(
                no,
                format!("the scenario in run_started cannot be read: {e}"),
            )
            .help("the scenario is written by `incsim run --events`; do not edit it by hand")
        })?;
        check_scenario(&scenario)
            .map_err(|m| self.err(no, format!("the scenario in run_started is not valid: {m}")))?;
        if seed != scenario.simulation.seed {
            return Err(self.err(
                no,
                format!(
                    "seed {seed} differs from the scenario's seed {}",
                    scenario.simulation.seed
                ),
            ));
        }
        if reps.is_empty() {
            return Err(self.err(no, "field `reps` is empty: the log holds no replication"));
        }
        for w in reps.windows(2) {
            if w[1] <= w[0] {
                return Err(self.err(
                    no,
                    "field `reps` must list replications in ascending order, each once",
                ));
            }
        }
        if let Some(&last) = reps.last()
            && last >= scenario.simulation.replications
        {
            return Err(self.err(
                no,
                format!(
                    "replication {last} is listed, but the run had {} replications",
                    scenario.simulation.replications
                ),
            ));
        }
        Ok(LogHeader {
            schema: schema as u32,
            incsim,
            seed,
            reps,
            scenario,
        })
    }

    /// The next event, or `None` at the end of the file.
    pub fn next_event(&mut self) -> Result<Option<LogLine>, LogError> {
        let (no, cut) = match self.read_raw()? {
            RawLine::Eof => return Ok(None),
            RawLine::Line { no, cut } => (no, cut),
        };
        let map = self.parse_object(no, cut)?;
        self.event(no, &map).map(Some)
    }

    fn event(&self, no: u64, map: &Map<String, Value>) -> Result<LogLine, LogError> {
        let kind = match map.get("kind") {
            Some(Value::String(k)) => k.as_str(),
            Some(other) => {
                return Err(self.err(
                    no,
                    format!("field `kind` must be a string; found {}", describe(other)),
                ));
            }
            None => return Err(self.err(no, "the line has no `kind`")),
        };
        if kind == "run_started" {
            return Err(self
                .err(
                    no,
                    "a second run_started line: only the first line is a header",
                )
                .help("were two logs concatenated? replay each log on its own"));
        }
        if !EVENT_KINDS.contains(&kind) {
            return Err(self.err(
                no,
                format!(
                    "unknown event kind {kind:?}; expected one of {}",
                    EVENT_KINDS.join(", ")
                ),
            ));
        }
        let f = Fields {
            map,
            line: no,
            file: &self.file,
            kind,
        };
        let mut allowed: Vec<&str> = COMMON.to_vec();
        allowed.extend_from_slice(kind_fields(kind));
        f.only(&allowed)?;

        let t = f.number("t")?;
        let at = f.string("at")?;
        let clock = SimClock::at(t);
        if clock.to_string() != at {
            return Err(self
                .err(no, format!("`at` is {at:?}, but t = {t} is {clock}"))
                .help(
                    "`at` is the clock reading of `t`; if you edited one, edit the other to agree",
                ));
        }
        let rep = f.uint("rep")?;
        let strategy_name = f.string("strategy")?;
        let strategy = *self.names.strategies.get(strategy_name).ok_or_else(|| {
            self.err(
                no,
                format!(
                    "unknown strategy {strategy_name:?}; the log's scenario has {}",
                    self.names.strategy_list
                ),
            )
        })?;

        let incident = |f: &Fields| -> Result<IncidentId, LogError> {
            let service_name = f.string("service")?;
            let service = *self.names.services.get(service_name).ok_or_else(|| {
                self.err(
                    no,
                    format!(
                        "unknown service {service_name:?}; the log's scenario has {}",
                        self.names.service_list
                    ),
                )
            })?;
            let k = f.u32("k")?;
            let name = f.string("incident")?;
            let expected = format!("{service_name}#{k}");
            if name != expected {
                return Err(self.err(
                    no,
                    format!("`incident` is {name:?}, but service and k say {expected:?}"),
                ));
            }
            Ok(IncidentId { service, k })
        };
        let tier = |f: &Fields, key: &str| -> Result<u32, LogError> {
            let name = f.string(key)?;
            self.names.tiers.get(name).copied().ok_or_else(|| {
                self.err(
                    no,
                    format!(
                        "unknown tier {name:?} in `{key}`; the log's scenario has {}",
                        self.names.tier_list
                    ),
                )
            })
        };
        let detection = |f: &Fields| -> Result<Detection, LogError> {
            match f.string("detection")? {
                "degradation" => Ok(Detection::Degradation),
                "outage_check" => Ok(Detection::OutageCheck),
                "user_report" => Ok(Detection::UserReport),
                other => Err(self.err(
                    no,
                    format!(
                        "unknown detection {other:?}; expected degradation, outage_check or user_report"
                    ),
                )),
            }
        };
        let item = |f: &Fields| -> Result<WorkItem, LogError> {
            match (map.contains_key("incident"), map.contains_key("alarm")) {
                (true, false) => Ok(WorkItem::Incident(incident(f)?)),
                (false, true) => Ok(WorkItem::FalseAlarm(f.u32("alarm")?)),
                _ => Err(self.err(
                    no,
                    format!(
                        "a {kind} line names either an incident (incident, service, k) or a false alarm (alarm), exactly one of them"
                    ),
                )),
            }
        };

        let event_kind = match kind {
            "failure_started" => {
                let id = incident(&f)?;
                let mode_name = f.string("mode")?;
                let mode = *self.names.modes[id.service as usize]
                    .get(mode_name)
                    .ok_or_else(|| {
                        self.err(
                            no,
                            format!(
                                "unknown failure mode {mode_name:?} of service {}",
                                f.string("service").unwrap_or_default()
                            ),
                        )
                    })?;
                EventKind::FailureStarted {
                    incident: id,
                    mode,
                    warning: f.number("warning")?,
                }
            }
            "degradation_detected" => EventKind::DegradationDetected {
                incident: incident(&f)?,
            },
            "outage_started" => EventKind::OutageStarted {
                incident: incident(&f)?,
            },
            "alert_fired" => EventKind::AlertFired {
                incident: incident(&f)?,
                detection: detection(&f)?,
            },
            "false_alarm" => EventKind::FalseAlarm {
                alarm: f.u32("alarm")?,
            },
            "user_reported" => EventKind::UserReported {
                incident: incident(&f)?,
            },
            "incident_opened" => EventKind::IncidentOpened {
                incident: incident(&f)?,
                detection: detection(&f)?,
                tier: tier(&f, "tier")?,
            },
            "queued" => EventKind::Queued {
                item: item(&f)?,
                tier: tier(&f, "tier")?,
            },
            "work_started" => EventKind::WorkStarted {
                item: item(&f)?,
                tier: tier(&f, "tier")?,
                duration: f.number("duration")?,
                able: f.boolean("able")?,
                waited: f.number("waited")?,
            },
            "escalated" => EventKind::Escalated {
                incident: incident(&f)?,
                from: tier(&f, "from")?,
                to: tier(&f, "to")?,
            },
            "handed_off" => EventKind::HandedOff {
                incident: incident(&f)?,
                tier: tier(&f, "tier")?,
            },
            "alarm_cleared" => EventKind::AlarmCleared {
                alarm: f.u32("alarm")?,
                tier: tier(&f, "tier")?,
            },
            "resolved" => EventKind::Resolved {
                incident: incident(&f)?,
                tier: tier(&f, "tier")?,
                averted: f.boolean("averted")?,
            },
            "outage_ended" => EventKind::OutageEnded {
                incident: incident(&f)?,
            },
            _ => EventKind::HorizonReached,
        };
        Ok(LogLine {
            line: no,
            rep,
            strategy,
            event: Event {
                t,
                kind: event_kind,
            },
        })
    }
}

/// Typed access to the fields of one line, with errors that name the line and the field.
struct Fields<'m> {
    map: &'m Map<String, Value>,
    line: u64,
    file: &'m str,
    kind: &'m str,
}

impl<'m> Fields<'m> {
    fn err(&self, message: String) -> LogError {
        LogError::new(self.file, Some(self.line), message)
    }

    fn get(&self, key: &str) -> Result<&'m Value, LogError> {
        self.map.get(key).ok_or_else(|| {
            self.err(format!(
                "a {} line needs the field `{key}`, which is missing",
                self.kind
            ))
        })
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> LogError {
        self.err(format!(
            "field `{key}` must be {expected}; found {}",
            describe(found)
        ))
    }

    /// Refuse keys outside `allowed` (a typo must not be silently ignored).
    fn only(&self, allowed: &[&str]) -> Result<(), LogError> {
        for key in self.map.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(self.err(format!(
                    "unexpected field `{key}` in a {} line (it may have: {})",
                    self.kind,
                    allowed.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn number(&self, key: &str) -> Result<f64, LogError> {
        let v = self.get(key)?;
        match v.as_f64() {
            Some(x) if v.is_number() && x.is_finite() => Ok(x),
            _ => Err(self.wrong(key, "a number (minutes)", v)),
        }
    }

    fn uint(&self, key: &str) -> Result<u64, LogError> {
        let v = self.get(key)?;
        v.as_u64()
            .ok_or_else(|| self.wrong(key, "an integer ≥ 0", v))
    }

    fn u32(&self, key: &str) -> Result<u32, LogError> {
        let v = self.get(key)?;
        v.as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .ok_or_else(|| self.wrong(key, "an integer from 0 to 4294967295", v))
    }

    fn string(&self, key: &str) -> Result<&'m str, LogError> {
        let v = self.get(key)?;
        v.as_str().ok_or_else(|| self.wrong(key, "a string", v))
    }

    fn boolean(&self, key: &str) -> Result<bool, LogError> {
        let v = self.get(key)?;
        v.as_bool()
            .ok_or_else(|| self.wrong(key, "true or false", v))
    }
}

/// A short description of a JSON value for error messages.
fn describe(v: &Value) -> String {
    let text = match v {
        Value::Null => return "null".to_string(),
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => return "an array".to_string(),
        Value::Object(_) => return "an object".to_string(),
    };
    let mut shown = v.to_string();
    if shown.chars().count() > 40 {
        shown = shown.chars().take(40).collect::<String>() + "…";
    }
    format!("{text} {shown}")
}

/// The invariants of a checked scenario that the model, the projections and the lifecycle
/// check rely on (indices in range, names unique, values finite). A scenario read from a log
/// was checked when the run loaded it; this guards against a hand-edited header.
pub fn check_scenario(s: &Scenario) -> Result<(), String> {
    // The bounds a scenario file is held to (money ≤ 1e12, shares in [0, 1], …).
    crate::integrity::check_scenario(s)?;
    fn unique<'a>(what: &str, names: impl Iterator<Item = &'a String>) -> Result<(), String> {
        let mut seen = HashSet::new();
        for n in names {
            if !seen.insert(n) {
                return Err(format!("two {what} are named {n:?}"));
            }
        }
        Ok(())
    }
    let finite_nonneg = |what: &str, x: f64| {
        if x.is_finite() && x >= 0.0 {
            Ok(())
        } else {
            Err(format!("{what} = {x} is not a finite value ≥ 0"))
        }
    };
    let h = s.simulation.horizon_minutes;
    if !(h.is_finite() && h > 0.0) {
        return Err(format!("horizon_minutes = {h} is not > 0"));
    }
    if s.simulation.replications == 0 {
        return Err("replications is 0".into());
    }
    if s.tiers.is_empty() || s.services.is_empty() || s.strategies.is_empty() {
        return Err("it needs at least one tier, one service and one strategy".into());
    }
    unique("tiers", s.tiers.iter().map(|t| &t.name))?;
    unique("services", s.services.iter().map(|t| &t.name))?;
    unique("strategies", s.strategies.iter().map(|t| &t.name))?;
    for t in &s.tiers {
        if t.staff == 0 {
            return Err(format!("tier {} has no staff", t.name));
        }
        finite_nonneg("hourly_cost", t.hourly_cost)?;
    }
    for svc in &s.services {
        if svc.modes.is_empty() {
            return Err(format!("service {} has no failure mode", svc.name));
        }
        unique("modes", svc.modes.iter().map(|m| &m.name))?;
        finite_nonneg("downtime_cost_per_hour", svc.downtime_cost_per_hour)?;
        finite_nonneg("degraded_cost_fraction", svc.degraded_cost_fraction)?;
        for m in &svc.modes {
            if m.needs >= s.tiers.len() {
                return Err(format!(
                    "mode {} of {} needs tier index {}, out of range",
                    m.name, svc.name, m.needs
                ));
            }
        }
    }
    for st in &s.strategies {
        if st.alert_tier >= s.tiers.len() {
            return Err(format!(
                "strategy {} alerts tier index {}, out of range",
                st.name, st.alert_tier
            ));
        }
        finite_nonneg("escalate_after", st.escalate_after)?;
        finite_nonneg("handoff", st.handoff)?;
        finite_nonneg("annual_cost", st.annual_cost)?;
        if let Some(m) = &st.monitoring {
            finite_nonneg("triage", m.triage)?;
            finite_nonneg("false_alarms_per_week", m.false_alarms_per_week)?;
        }
    }
    Ok(())
}
