//! Reading an event log back: line by line (never the whole file in memory), strictly
//! against the schema of `docs/events.md`. Every problem becomes a [`LogError`] naming the
//! file, the line and what was wrong.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, Read};
use std::rc::Rc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::SCHEMA_VERSION;
use super::clock::SimClock;
use super::writer::DIGEST_LINE_PREFIX;
use crate::events::{Event, EventKind, LogNames};
use crate::integrity::DigestWriter;
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
    /// The log ended with a digest line that matched its bytes (set once the whole log is
    /// read; `false`: a log without one, as incsim wrote before the digest, read unchecked).
    pub sealed: bool,
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

/// The longest line a log may hold: the header carries the whole scenario, which the scenario
/// reader caps far below this.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Reads the events of a log after its header, one line at a time.
pub struct LogReader<R: BufRead> {
    input: R,
    file: String,
    line_no: u64,
    buf: Vec<u8>,
    names: Rc<LogNames>,
    /// Strategy name → index.
    strategies: HashMap<String, usize>,
    strategy_list: String,
    /// SHA-256 of the bytes read so far, the digest line excepted.
    digest: DigestWriter,
    /// The digest line was read and matched.
    sealed: bool,
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
            names: Rc::default(),
            strategies: HashMap::new(),
            strategy_list: String::new(),
            digest: DigestWriter::new(),
            sealed: false,
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
        let strategies = &header.scenario.strategies;
        reader.names = LogNames::new(&header.scenario);
        reader.strategies = strategies
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        reader.strategy_list = strategies
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
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
        if !self.buf.starts_with(DIGEST_LINE_PREFIX) {
            self.digest.update(&self.buf);
        }
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
        if let Some(v) = crate::scenario::validate(&scenario).into_iter().next() {
            return Err(self
                .err(
                    no,
                    format!(
                        "the scenario in run_started is not valid: {}: {}",
                        v.path, v.message
                    ),
                )
                .help(v.help));
        }
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
            sealed: false,
        })
    }

    /// Whether the log ended with a digest line that matched (after the last event was read).
    pub fn sealed(&self) -> bool {
        self.sealed
    }

    /// The next event, or `None` at the end of the file (after checking the digest line, if
    /// the log has one: see [`sealed`](Self::sealed)).
    pub fn next_event(&mut self) -> Result<Option<LogLine>, LogError> {
        let (no, cut) = match self.read_raw()? {
            RawLine::Eof => return Ok(None),
            RawLine::Line { no, cut } => (no, cut),
        };
        let map = self.parse_object(no, cut)?;
        if map.get("kind").and_then(Value::as_str) == Some("log_digest") {
            self.check_digest(no, &map)?;
            return Ok(None);
        }
        self.event(no, map).map(Some)
    }

    /// The `log_digest` line: written exactly as incsim writes it, the last line, and the
    /// SHA-256 of every byte before it.
    fn check_digest(&mut self, no: u64, map: &Map<String, Value>) -> Result<(), LogError> {
        const REGENERATE: &str = "write the log again with `incsim run --events`";
        let f = Fields {
            map,
            line: no,
            file: &self.file,
            kind: "log_digest",
        };
        f.only(&["kind", "lines", "sha256"])?;
        let lines = f.uint("lines")?;
        let claimed = f.string("sha256")?.to_string();
        if !self.buf.starts_with(DIGEST_LINE_PREFIX) {
            return Err(self
                .err(no, "the log_digest line is not written as incsim writes it")
                .help(REGENERATE));
        }
        if lines != no - 1 {
            return Err(self
                .err(
                    no,
                    format!(
                        "{} was edited after it was written: the digest line says the log had {lines} lines before it, it has {}",
                        self.file,
                        no - 1
                    ),
                )
                .help(REGENERATE));
        }
        let actual = std::mem::take(&mut self.digest).finish();
        if claimed != actual {
            return Err(self
                .err(
                    no,
                    format!(
                        "{} was edited after it was written: digest mismatch at the last line (the SHA-256 of the lines before it is not the one written there)",
                        self.file
                    ),
                )
                .help(REGENERATE));
        }
        match self.read_raw()? {
            RawLine::Eof => {
                self.sealed = true;
                Ok(())
            }
            RawLine::Line { no: after, .. } => Err(self
                .err(
                    after,
                    "a line after the log_digest line, which is the last line incsim writes",
                )
                .help("were lines appended or two logs concatenated? replay one log as written")),
        }
    }

    /// One event line: the stream's keys (`t`, `at`, `rep`, `strategy`) checked here, the
    /// rest read as the event's serde form (see [`crate::events`]) with the log's names in
    /// scope. Nothing here knows one kind from another.
    fn event(&self, no: u64, mut map: Map<String, Value>) -> Result<LogLine, LogError> {
        let kind = match map.get("kind") {
            Some(Value::String(k)) => k.clone(),
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
        if !EventKind::KINDS.contains(&kind.as_str()) {
            return Err(self.err(
                no,
                format!(
                    "unknown event kind {kind:?}; expected one of {}",
                    EventKind::KINDS.join(", ")
                ),
            ));
        }
        let f = Fields {
            map: &map,
            line: no,
            file: &self.file,
            kind: &kind,
        };
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
        let strategy = *self.strategies.get(strategy_name).ok_or_else(|| {
            self.err(
                no,
                format!(
                    "unknown strategy {strategy_name:?}; the log's scenario has {}",
                    self.strategy_list
                ),
            )
        })?;
        for key in STREAM_KEYS {
            map.shift_remove(key);
        }
        // A `mode` names one of the modes of the event's own service.
        let service = match map.get("service") {
            Some(Value::String(name)) => {
                Some(self.names.service(name).map_err(|m| self.err(no, m))?)
            }
            _ => None,
        };
        let fields = Value::Object(map);
        let read = |value: &Value| self.names.scope(service, || EventKind::deserialize(value));
        let event_kind = read(&fields).map_err(|e| {
            self.err(
                no,
                explain_serde_error(&kind, &fields, &e.to_string(), read),
            )
        })?;
        // Keys the event does not have are refused: a typo must not be silently ignored.
        let written = self
            .names
            .scope(service, || serde_json::to_value(event_kind))
            .map_err(|e| self.err(no, format!("the event cannot be written back: {e}")))?;
        if let (Value::Object(given), Value::Object(known)) = (&fields, &written)
            && let Some(key) = given.keys().find(|k| !known.contains_key(*k))
        {
            let mut allowed: Vec<&str> = STREAM_KEYS.to_vec();
            allowed.extend(known.keys().map(String::as_str));
            return Err(self.err(
                no,
                format!(
                    "unexpected field `{key}` in a {kind} line (it may have: {})",
                    allowed.join(", ")
                ),
            ));
        }
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

/// The keys every event line has besides its event's own (`kind` and the kind's keys).
const STREAM_KEYS: [&str; 4] = ["t", "at", "rep", "strategy"];

/// Turn serde's message into one that names the field: serde says "invalid type: string
/// \"yes\", expected a boolean" without the key, so find the key whose removal turns the
/// error into "missing field" and say "field `able` must be true or false; found string
/// \"yes\"".
fn explain_serde_error(
    kind: &str,
    fields: &Value,
    message: &str,
    read: impl Fn(&Value) -> Result<EventKind, serde_json::Error>,
) -> String {
    let Value::Object(map) = fields else {
        return message.to_string();
    };
    if let Some(key) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!("a {kind} line needs the field `{key}`, which is missing");
    }
    if !["invalid type: ", "invalid value: "]
        .iter()
        .any(|p| message.starts_with(p))
    {
        // Our own messages (unknown names, a mismatched `incident`) say what is wrong.
        return message.to_string();
    }
    let culprit = map.keys().filter(|k| *k != "kind").find(|key| {
        let mut without = map.clone();
        without.shift_remove(*key);
        match read(&Value::Object(without)) {
            Ok(_) => true,
            Err(e) => e.to_string() == format!("missing field `{key}`"),
        }
    });
    let Some(key) = culprit else {
        return format!("a {kind} line: {message}");
    };
    // "invalid type: X, expected Y" → "must be Y; found X".
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            let expected = match expected {
                "f64" => "a number (minutes)",
                "u32" => "an integer from 0 to 4294967295",
                "a boolean" => "true or false",
                other => other,
            };
            return format!("field `{key}` must be {expected}; found {found}");
        }
    }
    format!("field `{key}`: {message}")
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

    fn string(&self, key: &str) -> Result<&'m str, LogError> {
        let v = self.get(key)?;
        v.as_str().ok_or_else(|| self.wrong(key, "a string", v))
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
