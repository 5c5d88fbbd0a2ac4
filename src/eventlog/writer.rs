//! Writing the event log: an [`EventSink`] that turns each event into one JSON line, streaming
//! to any `Write` (a `BufWriter` on a file in practice). Nothing is kept in memory but the
//! current line's formatting state. The line is the event's own serde form (see
//! [`crate::events`]) with the stream's `rep` and `strategy` and the clock reading `at`.

use std::fmt;
use std::io::{self, Write};
use std::rc::Rc;

use serde::{Serialize, Serializer};

use super::SCHEMA_VERSION;
use super::clock::SimClock;
use crate::events::{Event, EventKind, EventSink, IncidentId, LogNames};
use crate::scenario::Scenario;

/// The `run_started` header: the first line of every log, enough for replay to need nothing
/// else.
#[derive(Debug, Serialize)]
struct HeaderLine<'a> {
    t: f64,
    at: &'static str,
    kind: &'static str,
    schema: u32,
    incsim: &'static str,
    seed: u64,
    reps: &'a [u64],
    scenario: &'a Scenario,
}

/// One event line: the stream's context (`rep`, `strategy`), the clock reading `at`, then
/// the event's own serde form (`t`, `kind` and its keys, ids as names).
#[derive(Serialize)]
struct EventLine<'a> {
    t: f64,
    #[serde(serialize_with = "as_display")]
    at: SimClock,
    rep: u64,
    strategy: &'a str,
    #[serde(flatten)]
    kind: &'a EventKind,
}

fn as_display<T: fmt::Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// The readable id of an incident: `service#k` (k from 0, as in the `k` field), or
/// `service#sN` for a symptom incident (model.md §8.11).
pub fn incident_name(scenario: &Scenario, id: IncidentId) -> String {
    format!(
        "{}#{}{}",
        scenario.services[id.service as usize].name,
        id.mark(),
        id.number()
    )
}

/// An [`EventSink`] that writes each event as one JSON line (schema in `docs/events.md`).
///
/// `emit` cannot return an error, so the first write error is kept and every later event is
/// dropped; [`JsonlWriter::finish`] reports it.
pub struct JsonlWriter<'a, W: Write> {
    scenario: &'a Scenario,
    names: Rc<LogNames>,
    out: W,
    rep: u64,
    strategy: usize,
    lines: u64,
    error: Option<io::Error>,
}

impl<'a, W: Write> JsonlWriter<'a, W> {
    /// A writer for the scenario's events. Write the header first
    /// ([`write_header`](Self::write_header)).
    pub fn new(scenario: &'a Scenario, out: W) -> Self {
        JsonlWriter {
            scenario,
            names: LogNames::new(scenario),
            out,
            rep: 0,
            strategy: 0,
            lines: 0,
            error: None,
        }
    }

    /// Write the `run_started` line: schema version, incsim version, seed, the replications
    /// the log holds and the checked scenario.
    pub fn write_header(&mut self, reps: &[u64]) -> io::Result<()> {
        let header = HeaderLine {
            t: 0.0,
            at: "W1 Mon 00:00",
            kind: "run_started",
            schema: SCHEMA_VERSION,
            incsim: env!("CARGO_PKG_VERSION"),
            seed: self.scenario.simulation.seed,
            reps,
            scenario: self.scenario,
        };
        serde_json::to_writer(&mut self.out, &header).map_err(io::Error::other)?;
        self.out.write_all(b"\n")?;
        self.lines += 1;
        Ok(())
    }

    /// Lines written so far (header included).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Flush and return the inner writer, or the first error met.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> EventSink for JsonlWriter<'_, W> {
    fn begin(&mut self, rep: u64, strategy: usize) {
        self.rep = rep;
        self.strategy = strategy;
    }

    fn emit(&mut self, event: &Event) {
        if self.error.is_some() {
            return;
        }
        let line = EventLine {
            t: event.t,
            at: SimClock::at(event.t),
            rep: self.rep,
            strategy: &self.scenario.strategies[self.strategy].name,
            kind: &event.kind,
        };
        let out = &mut self.out;
        let service = event.kind.incident().map(|id| id.service);
        let written = self
            .names
            .scope(service, || serde_json::to_writer(&mut *out, &line))
            .map_err(io::Error::other)
            .and_then(|()| out.write_all(b"\n"));
        match written {
            Ok(()) => self.lines += 1,
            Err(e) => self.error = Some(e),
        }
    }
}
