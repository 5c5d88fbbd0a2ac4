//! The event vocabulary: immutable, timestamped facts (DESIGN §4).
//!
//! The model emits these; projections fold them into metrics. An [`Event`] is `Copy` and holds
//! no heap data, so emitting one on the fast path allocates nothing. The replication and the
//! strategy are the context of a whole stream (see [`EventSink::begin`]) rather than repeated
//! in every value.

use serde::{Deserialize, Serialize};

/// Index of a service in the scenario.
pub type ServiceId = u32;
/// Index of a tier in the scenario (escalation order).
pub type TierId = u32;
/// Index of a failure mode within its service.
pub type ModeId = u32;

/// One incident: the `k`-th failure (0-based) of a service. Common random numbers make the
/// same `(service, k)` the same failure under every strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IncidentId {
    pub service: ServiceId,
    pub k: u32,
}

/// How an incident was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detection {
    /// Monitoring caught the degradation before the outage.
    Degradation,
    /// An uptime check caught the outage.
    OutageCheck,
    /// A user reported the outage.
    UserReport,
}

/// A unit of work in a tier's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkItem {
    Incident(IncidentId),
    /// The n-th false alarm (0-based) of the replication.
    FalseAlarm(u32),
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The service starts to fail: degraded for `warning` minutes, then down.
    FailureStarted {
        incident: IncidentId,
        mode: ModeId,
        warning: f64,
    },
    /// Monitoring noticed the degradation.
    DegradationDetected { incident: IncidentId },
    /// The service is down.
    OutageStarted { incident: IncidentId },
    /// A monitoring alert fired for a real incident.
    AlertFired {
        incident: IncidentId,
        detection: Detection,
    },
    /// Monitoring raised an alarm with no failure behind it.
    FalseAlarm { alarm: u32 },
    /// A user reported the outage.
    UserReported { incident: IncidentId },
    /// The incident exists for the support organisation from now on.
    IncidentOpened {
        incident: IncidentId,
        detection: Detection,
        tier: TierId,
    },
    /// A work item entered a tier's queue.
    Queued { item: WorkItem, tier: TierId },
    /// An engineer of `tier` took the item; busy for `duration` minutes. `able` tells whether
    /// the tier can fix it (else it is a time-boxed troubleshooting attempt). `waited` is the
    /// time the item spent in this tier's queue.
    WorkStarted {
        item: WorkItem,
        tier: TierId,
        duration: f64,
        able: bool,
        waited: f64,
    },
    /// The time box ended without a fix: the incident goes to the next tier.
    Escalated {
        incident: IncidentId,
        from: TierId,
        to: TierId,
    },
    /// The handoff wait is over: the incident enters `tier`'s queue.
    HandedOff { incident: IncidentId, tier: TierId },
    /// A false alarm's triage is done.
    AlarmCleared { alarm: u32, tier: TierId },
    /// The fix is done: the service is UP. `averted` when done before the outage began.
    Resolved {
        incident: IncidentId,
        tier: TierId,
        averted: bool,
    },
    /// The outage ended (the service is UP again).
    OutageEnded { incident: IncidentId },
    /// End of the simulated horizon: open incidents are cut off here.
    HorizonReached,
}

/// A timestamped fact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Simulated minutes since Monday 00:00 of week 1.
    pub t: f64,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl EventKind {
    /// The stable `kind` name of the event, as written in logs.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::FailureStarted { .. } => "failure_started",
            EventKind::DegradationDetected { .. } => "degradation_detected",
            EventKind::OutageStarted { .. } => "outage_started",
            EventKind::AlertFired { .. } => "alert_fired",
            EventKind::FalseAlarm { .. } => "false_alarm",
            EventKind::UserReported { .. } => "user_reported",
            EventKind::IncidentOpened { .. } => "incident_opened",
            EventKind::Queued { .. } => "queued",
            EventKind::WorkStarted { .. } => "work_started",
            EventKind::Escalated { .. } => "escalated",
            EventKind::HandedOff { .. } => "handed_off",
            EventKind::AlarmCleared { .. } => "alarm_cleared",
            EventKind::Resolved { .. } => "resolved",
            EventKind::OutageEnded { .. } => "outage_ended",
            EventKind::HorizonReached => "horizon_reached",
        }
    }

    /// The incident this event belongs to, if any.
    pub fn incident(&self) -> Option<IncidentId> {
        match *self {
            EventKind::FailureStarted { incident, .. }
            | EventKind::DegradationDetected { incident }
            | EventKind::OutageStarted { incident }
            | EventKind::AlertFired { incident, .. }
            | EventKind::UserReported { incident }
            | EventKind::IncidentOpened { incident, .. }
            | EventKind::Escalated { incident, .. }
            | EventKind::HandedOff { incident, .. }
            | EventKind::Resolved { incident, .. }
            | EventKind::OutageEnded { incident } => Some(incident),
            EventKind::Queued {
                item: WorkItem::Incident(incident),
                ..
            }
            | EventKind::WorkStarted {
                item: WorkItem::Incident(incident),
                ..
            } => Some(incident),
            _ => None,
        }
    }
}

/// Where the model sends its events: a projection, a log writer, or several at once.
pub trait EventSink {
    /// A new stream starts: replication `rep` under strategy index `strategy`.
    fn begin(&mut self, _rep: u64, _strategy: usize) {}
    /// One event, in the order it happened.
    fn emit(&mut self, event: &Event);
}

/// Sends every event to two sinks, in order (e.g. a projection and a log writer).
pub struct Tee<'a, A: EventSink, B: EventSink>(pub &'a mut A, pub &'a mut B);

impl<A: EventSink, B: EventSink> EventSink for Tee<'_, A, B> {
    fn begin(&mut self, rep: u64, strategy: usize) {
        self.0.begin(rep, strategy);
        self.1.begin(rep, strategy);
    }
    #[inline]
    fn emit(&mut self, event: &Event) {
        self.0.emit(event);
        self.1.emit(event);
    }
}

/// Collects events in memory (tests, timelines of one replication).
#[derive(Debug, Default, Clone)]
pub struct EventVec(pub Vec<Event>);

impl EventSink for EventVec {
    fn emit(&mut self, event: &Event) {
        self.0.push(*event);
    }
}
