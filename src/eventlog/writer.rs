//! Writing the event log: an [`EventSink`] that turns each event into one JSON line, streaming
//! to any `Write` (a `BufWriter` on a file in practice). Nothing is kept in memory but the
//! current line's formatting state.

use std::fmt;
use std::io::{self, Write};

use serde::{Serialize, Serializer};

use super::SCHEMA_VERSION;
use super::clock::SimClock;
use crate::events::{Detection, Event, EventKind, EventSink, IncidentId, WorkItem};
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

/// One event line. Keys that do not belong to an event's kind are left out.
#[derive(Serialize)]
struct EventLine<'a> {
    t: f64,
    #[serde(serialize_with = "as_display")]
    at: SimClock,
    rep: u64,
    strategy: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<IncidentName<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alarm: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detection: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    able: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waited: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    averted: Option<bool>,
}

fn as_display<T: fmt::Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// `email#3`: the readable id of an incident, written without allocating.
#[derive(Clone, Copy)]
struct IncidentName<'a> {
    service: &'a str,
    k: u32,
}

impl fmt::Display for IncidentName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.service, self.k)
    }
}

impl Serialize for IncidentName<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The readable id of an incident: `service#k` (k from 0, as in the `k` field).
pub fn incident_name(scenario: &Scenario, id: IncidentId) -> String {
    format!("{}#{}", scenario.services[id.service as usize].name, id.k)
}

/// The stable name of a detection path, as written in logs.
pub fn detection_name(detection: Detection) -> &'static str {
    match detection {
        Detection::Degradation => "degradation",
        Detection::OutageCheck => "outage_check",
        Detection::UserReport => "user_report",
    }
}

/// An [`EventSink`] that writes each event as one JSON line (schema in `docs/events.md`).
///
/// `emit` cannot return an error, so the first write error is kept and every later event is
/// dropped; [`JsonlWriter::finish`] reports it.
pub struct JsonlWriter<'a, W: Write> {
    scenario: &'a Scenario,
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

    fn line(&self, event: &Event) -> EventLine<'a> {
        let scn = self.scenario;
        let mut line = EventLine {
            t: event.t,
            at: SimClock::at(event.t),
            rep: self.rep,
            strategy: &scn.strategies[self.strategy].name,
            kind: event.kind.name(),
            incident: None,
            service: None,
            k: None,
            alarm: None,
            mode: None,
            tier: None,
            from: None,
            to: None,
            detection: None,
            warning: None,
            duration: None,
            able: None,
            waited: None,
            averted: None,
        };
        let tier = |t: u32| Some(scn.tiers[t as usize].name.as_str());
        if let Some(id) = event.kind.incident() {
            let service = scn.services[id.service as usize].name.as_str();
            line.incident = Some(IncidentName { service, k: id.k });
            line.service = Some(service);
            line.k = Some(id.k);
        }
        match event.kind {
            EventKind::FailureStarted {
                incident,
                mode,
                warning,
            } => {
                line.mode =
                    Some(&scn.services[incident.service as usize].modes[mode as usize].name);
                line.warning = Some(warning);
            }
            EventKind::AlertFired { detection, .. } => {
                line.detection = Some(detection_name(detection))
            }
            EventKind::FalseAlarm { alarm } => line.alarm = Some(alarm),
            EventKind::IncidentOpened {
                detection, tier: t, ..
            } => {
                line.detection = Some(detection_name(detection));
                line.tier = tier(t);
            }
            EventKind::Queued { item, tier: t } => {
                if let WorkItem::FalseAlarm(alarm) = item {
                    line.alarm = Some(alarm);
                }
                line.tier = tier(t);
            }
            EventKind::WorkStarted {
                item,
                tier: t,
                duration,
                able,
                waited,
            } => {
                if let WorkItem::FalseAlarm(alarm) = item {
                    line.alarm = Some(alarm);
                }
                line.tier = tier(t);
                line.duration = Some(duration);
                line.able = Some(able);
                line.waited = Some(waited);
            }
            EventKind::Escalated { from, to, .. } => {
                line.from = tier(from);
                line.to = tier(to);
            }
            EventKind::HandedOff { tier: t, .. } => line.tier = tier(t),
            EventKind::AlarmCleared { alarm, tier: t } => {
                line.alarm = Some(alarm);
                line.tier = tier(t);
            }
            EventKind::Resolved {
                tier: t, averted, ..
            } => {
                line.tier = tier(t);
                line.averted = Some(averted);
            }
            EventKind::DegradationDetected { .. }
            | EventKind::OutageStarted { .. }
            | EventKind::UserReported { .. }
            | EventKind::OutageEnded { .. }
            | EventKind::HorizonReached => {}
        }
        line
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
        let line = self.line(event);
        let written = serde_json::to_writer(&mut self.out, &line)
            .map_err(io::Error::other)
            .and_then(|()| self.out.write_all(b"\n"));
        match written {
            Ok(()) => self.lines += 1,
            Err(e) => self.error = Some(e),
        }
    }
}
