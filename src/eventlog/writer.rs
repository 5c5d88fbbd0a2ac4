//! Writing the event log: an [`EventSink`] that turns each event into one JSON line, streaming
//! to any `Write` (a `BufWriter` on a file in practice). Nothing is kept in memory but the
//! current line's formatting state. The line is the event's own serde form (see
//! [`crate::events`]) with the stream's `rep` and `strategy` and the clock reading `at`.
//!
//! The last line seals the log: `{"kind":"log_digest","lines":N,"sha256":"sha256:…"}`, the
//! SHA-256 of every byte before it (the header and event lines with their newlines), so that
//! replay can tell a log edited after it was written.

use std::fmt;
use std::io::{self, Write};
use std::rc::Rc;

use serde::{Serialize, Serializer};

use super::SCHEMA_VERSION;
use super::clock::SimClock;
use crate::events::{Event, EventKind, EventSink, IncidentId, LogNames};
use crate::integrity::DigestWriter;
use crate::scenario::Scenario;

/// How the digest line begins, byte for byte (the reader recognises it by this).
pub const DIGEST_LINE_PREFIX: &[u8] = br#"{"kind":"log_digest","#;

/// Passes bytes on to the file and adds them to the log's digest.
struct Sealing<W: Write> {
    inner: W,
    digest: DigestWriter,
}

impl<W: Write> Write for Sealing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

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
    out: Sealing<W>,
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
            out: Sealing {
                inner: out,
                digest: DigestWriter::new(),
            },
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

    /// Seal the log with its digest line (not counted in [`lines`](Self::lines)), flush and
    /// return the inner writer, or the first error met.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let Sealing { mut inner, digest } = self.out;
        inner.write_all(DIGEST_LINE_PREFIX)?;
        writeln!(
            inner,
            "\"lines\":{},\"sha256\":\"{}\"}}",
            self.lines,
            digest.finish()
        )?;
        inner.flush()?;
        Ok(inner)
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
