//! The event vocabulary: immutable, timestamped facts (docs/model.md §4), defined once.
//!
//! The model emits these; projections fold them into metrics; the event log is their serde
//! form. An [`Event`] is `Copy` and holds no heap data, so emitting one on the fast path
//! allocates nothing. The replication and the strategy are the context of a whole stream (see
//! [`EventSink::begin`]) rather than repeated in every value.
//!
//! # The log's JSON form is the type's
//!
//! `serde` derives the JSON of every event: `{"kind": "escalated", "incident": "email#3",
//! "service": "email", "k": 3, "from": "help-desk", "to": "senior-network-engineer",
//! "handoff": 30.0}`. Ids of services, tiers and failure modes are indices in the model and
//! names in the log: inside [`LogNames::scope`] they (de)serialize as the scenario's names,
//! outside it as plain indices. So the log writer and reader hold no per-event code: a new
//! event or field is one edit here (and a row in `docs/events.md`, which a test checks).
//!
//! Events carry what happened in full — the tier an incident landed at and whether it was
//! routed there directly, the time box (the `duration` of an unable attempt), the handoff
//! wait — so projections never re-derive a model decision from the scenario.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::scenario::Scenario;

/// Index of a service in the scenario.
pub type ServiceId = u32;
/// Index of a tier in the scenario (escalation order).
pub type TierId = u32;
/// Index of a failure mode within its service.
pub type ModeId = u32;

/// One incident: the `k`-th failure (0-based) of a service. Common random numbers make the
/// same `(service, k)` the same failure under every strategy.
///
/// In the log it is three keys: `incident` (`"email#3"`), `service` and `k`.
///
/// A failing change (model.md §8.12) opens an incident of its own sequence: change `n`'s
/// incident has `k` = [`IncidentId::CHANGE`] | n and reads `service#cn` in the log (`k` then
/// holds n), so the natural failures keep their numbers under every strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IncidentId {
    pub service: ServiceId,
    pub k: u32,
}

impl IncidentId {
    /// The bit of `k` that marks a change's incident (model.md §8.12).
    pub const CHANGE: u32 = 1 << 31;

    /// The bit of `k` that marks a symptom incident (model.md §8.11): a service's own failures
    /// and changes number far below it, so one id type names all three and every work event
    /// carries any of them.
    pub const SYMPTOM_BIT: u32 = 1 << 30;

    /// The incident a failing change `n` of the service opens.
    pub fn of_change(change: ChangeId) -> Self {
        IncidentId {
            service: change.service,
            k: Self::CHANGE | change.n,
        }
    }

    /// The change whose failure this incident is, if any.
    pub fn change(self) -> Option<ChangeId> {
        (self.k & Self::CHANGE != 0).then_some(ChangeId {
            service: self.service,
            n: self.k & !Self::CHANGE,
        })
    }

    /// The `n`-th symptom incident (0-based) of a dependant service in a replication. In the
    /// log: `incident = "shop#s3"`, `service`, `k = 3`.
    pub fn symptom(service: ServiceId, n: u32) -> Self {
        IncidentId {
            service,
            k: n | Self::SYMPTOM_BIT,
        }
    }

    /// Whether this is a symptom incident rather than a failure of the service itself.
    #[inline]
    pub fn is_symptom(self) -> bool {
        self.k & Self::SYMPTOM_BIT != 0
    }

    /// The number shown after `#` and written as `k`: the failure's k, the change's n or the
    /// symptom's n.
    #[inline]
    pub fn number(self) -> u32 {
        self.k & !(Self::SYMPTOM_BIT | Self::CHANGE)
    }

    /// The mark between `#` and the number: `c` for a change's incident (`db#c2`), `s` for a
    /// symptom (`shop#s3`), empty for a failure of the service itself (`email#3`).
    pub fn mark(self) -> &'static str {
        if self.is_symptom() {
            "s"
        } else if self.k & Self::CHANGE != 0 {
            "c"
        } else {
            ""
        }
    }
}

/// The `n`-th change (0-based) deployed to a service in a replication (model.md §8.12), the
/// same under every strategy.
///
/// In the log it is three keys: `change` (`"db#c2"`), `service` and `k` (= n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeId {
    pub service: ServiceId,
    pub n: u32,
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

impl Detection {
    /// The stable name of the detection path, as written in logs.
    pub fn name(self) -> &'static str {
        match self {
            Detection::Degradation => "degradation",
            Detection::OutageCheck => "outage_check",
            Detection::UserReport => "user_report",
        }
    }
}

/// The `n`-th ticket (0-based, deflected ones included) that users filed about an incident
/// after its first report (model.md §8.4). In the log: the incident's keys and `ticket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TicketId {
    pub incident: IncidentId,
    pub n: u32,
}

/// A unit of work in a tier's queue. In the log: the incident's keys, the incident's keys
/// and `ticket`, or `alarm`.
/// A problem record (model.md §8.9), named by the worked-around incident that opened it: the
/// root-cause fix of a recurring failure.
///
/// In the log it is three keys: `problem` (`"email#3"`, the opening incident), `service`, `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProblemId(pub IncidentId);

/// The `n`-th preventive maintenance (0-based) of a service in a replication (model.md §8.6).
///
/// In the log it is three keys: `maintenance` (`"email#3"`: service and n), `service`, `k` (= n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaintenanceId {
    pub service: ServiceId,
    pub n: u32,
}

/// A unit of work in a tier's queue. In the log: the incident's keys, `alarm`, the
/// problem's keys, or the maintenance's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkItem {
    Incident(IncidentId),
    /// The n-th false alarm (0-based) of the replication.
    FalseAlarm(u32),
    /// A filed ticket: triage at the first tier.
    Ticket(TicketId),
    /// A problem's root-cause fix.
    Problem(ProblemId),
    /// Preventive maintenance of a service.
    Maintenance(MaintenanceId),
}

/// Which rule of which escalation policy sent a page (model.md §8.7).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PolicyPage {
    /// Index into the scenario's `escalation_policies`.
    pub policy: u16,
    /// The rule, from 1 in file order.
    pub rule: u16,
    /// The pass through the rules, from 1 (a pass after the first is one of `num_loops`).
    pub pass: u16,
    /// Minutes since the previous rule's page, unanswered (0 for the first rule of the first
    /// pass).
    pub after: f64,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The service starts to fail: degraded for `warning` minutes, then down.
    FailureStarted {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "mode_name")]
        mode: ModeId,
        warning: f64,
    },
    /// Monitoring noticed the degradation.
    DegradationDetected {
        #[serde(flatten)]
        incident: IncidentId,
    },
    /// The service is down.
    OutageStarted {
        #[serde(flatten)]
        incident: IncidentId,
    },
    /// A monitoring alert fired for a real incident.
    AlertFired {
        #[serde(flatten)]
        incident: IncidentId,
        detection: Detection,
    },
    /// Monitoring raised an alarm with no failure behind it.
    FalseAlarm { alarm: u32 },
    /// A user reported the outage.
    UserReported {
        #[serde(flatten)]
        incident: IncidentId,
    },
    /// The incident exists for the support organisation from now on, at `tier`.
    /// `routed_direct`: a monitoring detection went to the tier that owns the failure mode
    /// instead of the strategy's alert tier (rule 4).
    IncidentOpened {
        #[serde(flatten)]
        incident: IncidentId,
        detection: Detection,
        #[serde(with = "tier_name")]
        tier: TierId,
        routed_direct: bool,
    },
    /// A work item entered a tier's queue. `tier_open`: the tier was within its hours then
    /// (else the item waits at least for the opening).
    Queued {
        #[serde(flatten)]
        item: WorkItem,
        #[serde(with = "tier_name")]
        tier: TierId,
        tier_open: bool,
    },
    /// An engineer of `tier` took the item; busy for `duration` minutes. `able` tells whether
    /// the tier can fix it (else `duration` is the strategy's time box). `waited` is the
    /// time the item spent in this tier's queue.
    WorkStarted {
        #[serde(flatten)]
        item: WorkItem,
        #[serde(with = "tier_name")]
        tier: TierId,
        duration: f64,
        able: bool,
        waited: f64,
        /// The attempt is the mode's workaround (model.md §8.8), in place of the time box; the
        /// key is written only when true.
        #[serde(default, skip_serializing_if = "is_false")]
        workaround: bool,
    },
    /// The time box ended without a fix: the incident goes to the next tier after a handoff
    /// of `handoff` minutes.
    Escalated {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        from: TierId,
        #[serde(with = "tier_name")]
        to: TierId,
        handoff: f64,
    },
    /// The handoff wait is over: the incident enters `tier`'s queue.
    HandedOff {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// A false alarm's triage is done.
    AlarmCleared {
        alarm: u32,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// The fix is done: the service is UP. `averted` when done before the outage began.
    Resolved {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        tier: TierId,
        averted: bool,
    },
    /// The outage ended (the service is UP again).
    OutageEnded {
        #[serde(flatten)]
        incident: IncidentId,
    },
    /// End of the simulated horizon: open incidents are cut off here.
    HorizonReached,
    /// The failure is a recurrence: the root cause a workaround left behind strikes again
    /// (the `recurrence`-th time, from 1). Right after its `failure_started`.
    Recurred {
        #[serde(flatten)]
        incident: IncidentId,
        recurrence: u32,
    },
    /// A workaround attempt at `tier` ended: `success` brings the service back (`resolved`
    /// follows), else `escalated` follows.
    WorkaroundApplied {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        tier: TierId,
        success: bool,
    },
    /// Nobody of `tier` was on duty: an on-call engineer was paged for the incident, which
    /// left the queue for them (model.md §8.2). `asleep`: the page fell in their sleeping hours.
    ///
    /// Under an escalation policy (model.md §8.7) `policy` names the rule that paged: the
    /// incident then stays in the queue it entered until someone acknowledges or a shift
    /// engineer takes it, and `tier` may be another tier. Absent for plain pages, so logs
    /// without policies read and write as before.
    Paged {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        tier: TierId,
        asleep: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<PolicyPage>,
    },
    /// The paged engineer acknowledged; `work_started` follows at the same instant.
    Acknowledged {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// One more user reported the outage and filed a ticket (model.md §8.4): it is queued for
    /// triage at the first tier.
    TicketFiled {
        #[serde(flatten)]
        ticket: TicketId,
    },
    /// One more user met the status page or known-incident banner and filed nothing.
    TicketDeflected {
        #[serde(flatten)]
        ticket: TicketId,
    },
    /// A ticket's triage is done.
    TicketTriaged {
        #[serde(flatten)]
        ticket: TicketId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// A problem record opened for the root cause (its fix is a work item at `tier`; `queued`
    /// follows).
    ProblemOpened {
        #[serde(flatten)]
        problem: ProblemId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// The root-cause fix is done at `tier`: the service's failures follow `failures.every`
    /// again.
    ProblemFixed {
        #[serde(flatten)]
        problem: ProblemId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// The root cause ended otherwise (an able tier fixed one of its incidents) while the
    /// problem's item still waited in `tier`'s queue: the item is dropped.
    ProblemWithdrawn {
        #[serde(flatten)]
        problem: ProblemId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// The service's maintenance is due (model.md §8.6): its item is queued at `tier`.
    MaintenanceDue {
        #[serde(flatten)]
        maintenance: MaintenanceId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// An engineer of `tier` started the maintenance: the service is planned-down for
    /// `duration` minutes (`work_started` precedes it at the same instant).
    MaintenanceStarted {
        #[serde(flatten)]
        maintenance: MaintenanceId,
        #[serde(with = "tier_name")]
        tier: TierId,
        duration: f64,
    },
    /// The maintenance is over: the service is UP and renewed (age 0).
    MaintenanceDone {
        #[serde(flatten)]
        maintenance: MaintenanceId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// The service failed (or a change failed it) while the maintenance item waited: the item
    /// is dropped and the repair restarts the maintenance clock.
    MaintenanceWithdrawn {
        #[serde(flatten)]
        maintenance: MaintenanceId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// A change was deployed to the service (model.md §8.12). `failed`: it fails the service
    /// now — `failure_started` of its incident (`service#cn`) follows at this instant. A
    /// change deployed while the service is not UP, or under maintenance, never fails.
    ChangeDeployed {
        #[serde(flatten)]
        change: ChangeId,
        failed: bool,
    },
    /// Users of a service that is down because `root` is (model.md §8.11) reported the symptom:
    /// a symptom incident (`shop#s3`) opens at the first tier (`queued` follows, unless it is
    /// linked at once).
    SymptomOpened {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "service_name")]
        root: ServiceId,
    },
    /// Dependency-aware monitoring (`correlate = true`) linked the symptom to the open,
    /// detected incident of `root`: nobody works it any more (work under way stops now).
    SymptomLinked {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "service_name")]
        root: ServiceId,
    },
    /// The last tier's time box on the symptom ran out: it waits, unworked, until its root
    /// cause is repaired.
    SymptomWaiting {
        #[serde(flatten)]
        incident: IncidentId,
        #[serde(with = "tier_name")]
        tier: TierId,
    },
    /// The inherited outage is over: the symptom incident closes (work under way stops now).
    SymptomClosed {
        #[serde(flatten)]
        incident: IncidentId,
    },
}

/// For `skip_serializing_if`: a key written only when true.
fn is_false(b: &bool) -> bool {
    !*b
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
    /// Every `kind` name, in the order of the enum.
    pub const KINDS: [&'static str; 34] = [
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
        "paged",
        "acknowledged",
        "ticket_filed",
        "ticket_deflected",
        "ticket_triaged",
        "recurred",
        "workaround_applied",
        "problem_opened",
        "problem_fixed",
        "problem_withdrawn",
        "maintenance_due",
        "maintenance_started",
        "maintenance_done",
        "maintenance_withdrawn",
        "change_deployed",
        "symptom_opened",
        "symptom_linked",
        "symptom_waiting",
        "symptom_closed",
    ];

    /// The stable `kind` name of the event, as written in logs (the serde tag).
    pub fn name(&self) -> &'static str {
        let index = match self {
            EventKind::FailureStarted { .. } => 0,
            EventKind::DegradationDetected { .. } => 1,
            EventKind::OutageStarted { .. } => 2,
            EventKind::AlertFired { .. } => 3,
            EventKind::FalseAlarm { .. } => 4,
            EventKind::UserReported { .. } => 5,
            EventKind::IncidentOpened { .. } => 6,
            EventKind::Queued { .. } => 7,
            EventKind::WorkStarted { .. } => 8,
            EventKind::Escalated { .. } => 9,
            EventKind::HandedOff { .. } => 10,
            EventKind::AlarmCleared { .. } => 11,
            EventKind::Resolved { .. } => 12,
            EventKind::OutageEnded { .. } => 13,
            EventKind::HorizonReached => 14,
            EventKind::Paged { .. } => 15,
            EventKind::Acknowledged { .. } => 16,
            EventKind::TicketFiled { .. } => 17,
            EventKind::TicketDeflected { .. } => 18,
            EventKind::TicketTriaged { .. } => 19,
            EventKind::Recurred { .. } => 20,
            EventKind::WorkaroundApplied { .. } => 21,
            EventKind::ProblemOpened { .. } => 22,
            EventKind::ProblemFixed { .. } => 23,
            EventKind::ProblemWithdrawn { .. } => 24,
            EventKind::MaintenanceDue { .. } => 25,
            EventKind::MaintenanceStarted { .. } => 26,
            EventKind::MaintenanceDone { .. } => 27,
            EventKind::MaintenanceWithdrawn { .. } => 28,
            EventKind::ChangeDeployed { .. } => 29,
            EventKind::SymptomOpened { .. } => 30,
            EventKind::SymptomLinked { .. } => 31,
            EventKind::SymptomWaiting { .. } => 32,
            EventKind::SymptomClosed { .. } => 33,
        };
        Self::KINDS[index]
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
            | EventKind::Paged { incident, .. }
            | EventKind::Acknowledged { incident, .. }
            | EventKind::OutageEnded { incident }
            | EventKind::Recurred { incident, .. }
            | EventKind::WorkaroundApplied { incident, .. }
            | EventKind::SymptomOpened { incident, .. }
            | EventKind::SymptomLinked { incident, .. }
            | EventKind::SymptomWaiting { incident, .. }
            | EventKind::SymptomClosed { incident } => Some(incident),
            EventKind::TicketFiled { ticket }
            | EventKind::TicketDeflected { ticket }
            | EventKind::TicketTriaged { ticket, .. } => Some(ticket.incident),
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

    /// The maintenance this event belongs to, if any.
    pub fn maintenance(&self) -> Option<MaintenanceId> {
        match *self {
            EventKind::MaintenanceDue { maintenance, .. }
            | EventKind::MaintenanceStarted { maintenance, .. }
            | EventKind::MaintenanceDone { maintenance, .. }
            | EventKind::MaintenanceWithdrawn { maintenance, .. } => Some(maintenance),
            EventKind::Queued {
                item: WorkItem::Maintenance(maintenance),
                ..
            }
            | EventKind::WorkStarted {
                item: WorkItem::Maintenance(maintenance),
                ..
            } => Some(maintenance),
            _ => None,
        }
    }

    /// The problem this event belongs to, if any.
    pub fn problem(&self) -> Option<ProblemId> {
        match *self {
            EventKind::ProblemOpened { problem, .. }
            | EventKind::ProblemFixed { problem, .. }
            | EventKind::ProblemWithdrawn { problem, .. } => Some(problem),
            EventKind::Queued {
                item: WorkItem::Problem(problem),
                ..
            }
            | EventKind::WorkStarted {
                item: WorkItem::Problem(problem),
                ..
            } => Some(problem),
            _ => None,
        }
    }
}

// ---- names: how ids read in the log ----

/// The names of a scenario's services, tiers and failure modes, for the log's JSON form of
/// events (see [`LogNames::scope`]). Built once per log, not per event.
#[derive(Debug, Clone, Default)]
pub struct LogNames {
    services: Vec<String>,
    tiers: Vec<String>,
    /// Per service: its modes' names.
    modes: Vec<Vec<String>>,
    service_index: HashMap<String, ServiceId>,
    tier_index: HashMap<String, TierId>,
    mode_index: Vec<HashMap<String, ModeId>>,
}

/// The names in force on this thread and the service whose modes a `mode` field names.
type Scope = (Rc<LogNames>, Option<ServiceId>);

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Restores the previous scope when dropped (also on a panic inside the scope).
struct ScopeGuard(Option<Scope>);

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        SCOPE.with(|s| *s.borrow_mut() = previous);
    }
}

impl LogNames {
    /// The names of the scenario's services, tiers and modes.
    pub fn new(scenario: &Scenario) -> Rc<Self> {
        fn index<T: Copy>(names: &[String], id: impl Fn(usize) -> T) -> HashMap<String, T> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), id(i)))
                .collect()
        }
        let services: Vec<String> = scenario.services.iter().map(|s| s.name.clone()).collect();
        let tiers: Vec<String> = scenario.tiers.iter().map(|t| t.name.clone()).collect();
        let modes: Vec<Vec<String>> = scenario
            .services
            .iter()
            .map(|s| s.modes.iter().map(|m| m.name.clone()).collect())
            .collect();
        Rc::new(LogNames {
            service_index: index(&services, |i| i as ServiceId),
            tier_index: index(&tiers, |i| i as TierId),
            mode_index: modes.iter().map(|m| index(m, |i| i as ModeId)).collect(),
            services,
            tiers,
            modes,
        })
    }

    /// Run `f` with ids (de)serialized as these names. `service` is the service whose failure
    /// modes a `mode` field names (the event's own service). Scopes nest; the previous one is
    /// back when `f` returns.
    pub fn scope<R>(self: &Rc<Self>, service: Option<ServiceId>, f: impl FnOnce() -> R) -> R {
        let previous = SCOPE.with(|s| s.borrow_mut().replace((Rc::clone(self), service)));
        let _guard = ScopeGuard(previous);
        f()
    }

    /// The index of a service name, or an error naming the choices.
    pub fn service(&self, name: &str) -> Result<ServiceId, String> {
        self.service_index.get(name).copied().ok_or_else(|| {
            format!(
                "unknown service {name:?}; the log's scenario has {}",
                self.services.join(", ")
            )
        })
    }

    fn tier(&self, name: &str) -> Result<TierId, String> {
        self.tier_index.get(name).copied().ok_or_else(|| {
            format!(
                "unknown tier {name:?}; the log's scenario has {}",
                self.tiers.join(", ")
            )
        })
    }

    fn mode(&self, service: ServiceId, name: &str) -> Result<ModeId, String> {
        self.mode_index[service as usize]
            .get(name)
            .copied()
            .ok_or_else(|| {
                format!(
                    "unknown failure mode {name:?} of service {}; it has {}",
                    self.services[service as usize],
                    self.modes[service as usize].join(", ")
                )
            })
    }
}

/// The scope in force, if any.
fn current_scope() -> Option<Scope> {
    SCOPE.with(|s| s.borrow().clone())
}

/// A name (inside a scope) or an index (outside one), as read.
enum NameOrIndex {
    Name(String),
    Index(u64),
}

impl<'de> Deserialize<'de> for NameOrIndex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NameOrIndex;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name (string)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NameOrIndex, E> {
                Ok(NameOrIndex::Name(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NameOrIndex, E> {
                Ok(NameOrIndex::Index(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl NameOrIndex {
    /// Resolve by `lookup` inside a scope; an index outside one (below `u32::MAX`).
    fn resolve<E: de::Error>(
        self,
        lookup: impl FnOnce(&LogNames, Option<ServiceId>, &str) -> Result<u32, String>,
    ) -> Result<u32, E> {
        match (self, current_scope()) {
            (NameOrIndex::Name(name), Some((names, service))) => {
                lookup(&names, service, &name).map_err(E::custom)
            }
            (NameOrIndex::Index(i), None) => {
                u32::try_from(i).map_err(|_| E::custom(format!("index {i} is out of range")))
            }
            (NameOrIndex::Name(name), None) => Err(E::custom(format!(
                "found the name {name:?} where an index was expected (no names in scope)"
            ))),
            (NameOrIndex::Index(i), Some(_)) => Err(E::custom(format!(
                "must be a name (string); found the number {i}"
            ))),
        }
    }
}

/// Write a name inside a scope, else the index.
fn serialize_name<S: Serializer>(
    id: u32,
    s: S,
    name: impl FnOnce(&LogNames, Option<ServiceId>) -> Option<&str>,
) -> Result<S::Ok, S::Error> {
    match current_scope() {
        Some((names, service)) => match name(&names, service) {
            Some(n) => s.serialize_str(n),
            None => Err(serde::ser::Error::custom(format!(
                "id {id} has no name in the scenario"
            ))),
        },
        None => s.serialize_u32(id),
    }
}

/// `#[serde(with)]` for a tier id: the tier's name in the log.
mod tier_name {
    use super::*;

    pub fn serialize<S: Serializer>(id: &TierId, s: S) -> Result<S::Ok, S::Error> {
        serialize_name(*id, s, |n, _| n.tiers.get(*id as usize).map(String::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TierId, D::Error> {
        NameOrIndex::deserialize(d)?.resolve(|n, _, name| n.tier(name))
    }
}

/// `#[serde(with)]` for a service id: the service's name in the log.
mod service_name {
    use super::*;

    pub fn serialize<S: Serializer>(id: &ServiceId, s: S) -> Result<S::Ok, S::Error> {
        serialize_name(*id, s, |n, _| {
            n.services.get(*id as usize).map(String::as_str)
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ServiceId, D::Error> {
        NameOrIndex::deserialize(d)?.resolve(|n, _, name| n.service(name))
    }
}

/// `#[serde(with)]` for a failure mode id: the mode's name in the log (among the modes of
/// the event's service, given by the scope).
mod mode_name {
    use super::*;

    pub fn serialize<S: Serializer>(id: &ModeId, s: S) -> Result<S::Ok, S::Error> {
        serialize_name(*id, s, |n, service| {
            n.modes
                .get(service? as usize)?
                .get(*id as usize)
                .map(String::as_str)
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ModeId, D::Error> {
        NameOrIndex::deserialize(d)?.resolve(|n, service, name| match service {
            Some(service) => n.mode(service, name),
            None => Err("a failure mode needs its service (the `service` key)".to_string()),
        })
    }
}

impl Serialize for IncidentId {
    /// Three keys: `incident` (`service#k`), `service` and `k` (flattened into the event).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_as("incident", s)
    }
}

impl Serialize for ProblemId {
    /// Three keys: `problem` (the opening incident's `service#k`), `service` and `k`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_as("problem", s)
    }
}

impl<'de> Deserialize<'de> for ProblemId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ItemKeys::read(d, &["problem", "service", "k"])?
            .id("problem")
            .map(ProblemId)
    }
}

impl Serialize for MaintenanceId {
    /// Three keys: `maintenance` (`service#n`), `service` and `k` (= n).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        IncidentId {
            service: self.service,
            k: self.n,
        }
        .serialize_as("maintenance", s)
    }
}

impl<'de> Deserialize<'de> for MaintenanceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = ItemKeys::read(d, &["maintenance", "service", "k"])?.id("maintenance")?;
        Ok(MaintenanceId {
            service: id.service,
            n: id.k,
        })
    }
}

impl Serialize for ChangeId {
    /// Three keys: `change` (`service#cn`), `service` and `k` (= n).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        IncidentId::of_change(*self).serialize_as("change", s)
    }
}

impl<'de> Deserialize<'de> for ChangeId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = ItemKeys::read(d, &["change", "service", "k"])?.id("change")?;
        id.change()
            .ok_or_else(|| de::Error::custom("`change` must read service#cN (a change's number)"))
    }
}

impl IncidentId {
    /// The id as three keys: `key` (`service#k`), `service` and `k`.
    fn serialize_as<S: Serializer>(&self, key: &'static str, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        self.entries(key, &mut map)?;
        map.end()
    }
}

impl IncidentId {
    /// Write the id's three keys (`key`, `service`, `k`) into a map being serialized.
    fn entries<M: SerializeMap>(&self, key: &'static str, map: &mut M) -> Result<(), M::Error> {
        match current_scope() {
            Some((names, _)) => {
                let service = names
                    .services
                    .get(self.service as usize)
                    .ok_or_else(|| serde::ser::Error::custom("service id out of range"))?;
                map.serialize_entry(
                    key,
                    &format_args!("{service}#{}{}", self.mark(), self.number()),
                )?;
                map.serialize_entry("service", service)?;
            }
            None => {
                map.serialize_entry(
                    key,
                    &format_args!("{}#{}{}", self.service, self.mark(), self.number()),
                )?;
                map.serialize_entry("service", &self.service)?;
            }
        }
        map.serialize_entry("k", &self.number())
    }
}

impl Serialize for TicketId {
    /// The incident's three keys and `ticket` (flattened into the event).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        self.incident.entries("incident", &mut map)?;
        map.serialize_entry("ticket", &self.n)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for TicketId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let keys = ItemKeys::read(d, TICKET_KEYS)?;
        let n = keys
            .ticket
            .ok_or_else(|| de::Error::missing_field("ticket"))?;
        Ok(TicketId {
            incident: keys.incident()?,
            n,
        })
    }
}

/// The keys an incident or a work item may take in a line, as read.
#[derive(Default)]
struct ItemKeys {
    incident: Option<String>,
    problem: Option<String>,
    maintenance: Option<String>,
    change: Option<String>,
    service: Option<NameOrIndex>,
    k: Option<u32>,
    alarm: Option<u32>,
    ticket: Option<u32>,
}

const ITEM_KEYS: &[&str] = &[
    "incident",
    "service",
    "k",
    "alarm",
    "ticket",
    "problem",
    "maintenance",
];
const TICKET_KEYS: &[&str] = &["incident", "service", "k", "ticket"];

impl ItemKeys {
    fn read<'de, D: Deserializer<'de>>(
        d: D,
        keys: &'static [&'static str],
    ) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ItemKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the keys incident, service and k, or alarm")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemKeys, A::Error> {
                let mut keys = ItemKeys::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "incident" => keys.incident = Some(map.next_value()?),
                        "problem" => keys.problem = Some(map.next_value()?),
                        "maintenance" => keys.maintenance = Some(map.next_value()?),
                        "change" => keys.change = Some(map.next_value()?),
                        "service" => keys.service = Some(map.next_value()?),
                        "k" => keys.k = Some(map.next_value()?),
                        "alarm" => keys.alarm = Some(map.next_value()?),
                        "ticket" => keys.ticket = Some(map.next_value()?),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(keys)
            }
        }
        d.deserialize_struct("Item", keys, V)
    }

    /// The incident these keys name; `incident` must agree with `service` and `k`.
    fn incident<E: de::Error>(self) -> Result<IncidentId, E> {
        self.id("incident")
    }

    /// The id named by `key` (`incident` or `problem`), which must agree with `service` and `k`.
    fn id<E: de::Error>(mut self, key: &'static str) -> Result<IncidentId, E> {
        let name = match key {
            "problem" => self.problem.take(),
            "maintenance" => self.maintenance.take(),
            "change" => self.change.take(),
            _ => self.incident.take(),
        };
        let name = name.ok_or_else(|| E::missing_field(key))?;
        let service_text = match &self.service {
            Some(NameOrIndex::Name(n)) => n.clone(),
            Some(NameOrIndex::Index(i)) => i.to_string(),
            None => return Err(E::missing_field("service")),
        };
        let service = self
            .service
            .expect("checked above")
            .resolve(|n, _, name| n.service(name))?;
        let k = self.k.ok_or_else(|| E::missing_field("k"))?;
        if k >= IncidentId::SYMPTOM_BIT {
            return Err(E::custom(format!("`k` {k} is out of range")));
        }
        // `shop#s3`: the third symptom incident of shop (model.md §8.11), only as an incident.
        if key == "incident" && name == format!("{service_text}#s{k}") {
            return Ok(IncidentId::symptom(service, k));
        }
        // A change's incident (model.md §8.12) reads `service#cN`; a change always does.
        let change_ok = key != "maintenance";
        let natural_ok = key != "change";
        if natural_ok && name == format!("{service_text}#{k}") {
            return Ok(IncidentId { service, k });
        }
        if change_ok && name == format!("{service_text}#c{k}") {
            return Ok(IncidentId {
                service,
                k: IncidentId::CHANGE | k,
            });
        }
        let expected = if natural_ok {
            format!("{service_text}#{k}")
        } else {
            format!("{service_text}#c{k}")
        };
        Err(E::custom(format!(
            "`{key}` is {name:?}, but service and k say {expected:?}"
        )))
    }
}

impl<'de> Deserialize<'de> for IncidentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ItemKeys::read(d, &ITEM_KEYS[..3])?.incident()
    }
}

impl Serialize for WorkItem {
    /// An incident's three keys, or `alarm` (flattened into the event).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            WorkItem::Incident(id) => id.serialize(s),
            WorkItem::FalseAlarm(alarm) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("alarm", alarm)?;
                map.end()
            }
            WorkItem::Ticket(ticket) => ticket.serialize(s),
            WorkItem::Problem(problem) => problem.serialize(s),
            WorkItem::Maintenance(maintenance) => maintenance.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for WorkItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let keys = ItemKeys::read(d, ITEM_KEYS)?;
        if keys.maintenance.is_some()
            && keys.incident.is_none()
            && keys.problem.is_none()
            && keys.alarm.is_none()
            && keys.ticket.is_none()
        {
            let id = keys.id("maintenance")?;
            return Ok(WorkItem::Maintenance(MaintenanceId {
                service: id.service,
                n: id.k,
            }));
        }
        let names_id = keys.service.is_some() || keys.k.is_some();
        let names_incident = keys.incident.is_some() || names_id;
        match (
            names_incident,
            keys.problem.is_some(),
            keys.alarm,
            keys.ticket,
        ) {
            (false, false, Some(alarm), None) => Ok(WorkItem::FalseAlarm(alarm)),
            (true, false, None, None) => keys.incident().map(WorkItem::Incident),
            (true, false, None, Some(n)) => Ok(WorkItem::Ticket(TicketId {
                incident: keys.incident()?,
                n,
            })),
            (_, true, None, None) if keys.incident.is_none() => keys
                .id("problem")
                .map(|id| WorkItem::Problem(ProblemId(id))),
            _ => Err(de::Error::custom(
                "a work item is either an incident (incident, service, k), a ticket (incident, service, k, ticket), a false alarm (alarm) or a problem (problem, service, k), exactly one of them",
            )),
        }
    }
}

/// Where the model sends its events: a projection, a log writer, or several at once.
pub trait EventSink {
    /// A new stream starts: replication `rep` under strategy index `strategy`.
    fn begin(&mut self, _rep: u64, _strategy: usize) {}
    /// One event, in the order it happened.
    fn emit(&mut self, event: &Event);
    /// Who makes the calls at decision points (the drill, issue 17), if anyone: `None`, the
    /// default, lets the strategy's rules decide. Sinks are generic parameters of the model,
    /// so with the default the consultation compiles away (no cost on the fast path).
    /// [`Tee`] does not forward it: a decider is the one sink of its run.
    #[inline]
    fn decider(&mut self) -> Option<&mut dyn Decider> {
        None
    }
}

/// A call the people working an incident can make when the model asks (the drill's decision
/// points, issue 17), including issue 13's: apply the workaround, open a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Work on it (when an engineer picks it up), or keep troubleshooting for another time
    /// box (when one runs out).
    Troubleshoot,
    /// Hand it to the next tier now, with the strategy's handoff.
    Escalate,
    /// Leave it in the queue of a tier with nobody on duty until a shift opens.
    Wait,
    /// Page the tier's on-call engineer now.
    Page,
    /// Apply the failure mode's workaround (a restart, model.md §8.8) instead of a time box.
    Workaround,
    /// Open a problem record for the incident's root cause (model.md §8.9), whatever the
    /// strategy's `after`: its root-cause fix is queued at the problem tier at once if the
    /// failure recurred from a root cause, else as soon as a workaround brings the service
    /// back. Not a way to handle the incident: the same point then asks again without it.
    Problem,
}

impl Decision {
    /// Every decision, in the order choices are offered.
    pub const ALL: [Decision; 6] = [
        Decision::Troubleshoot,
        Decision::Workaround,
        Decision::Escalate,
        Decision::Wait,
        Decision::Page,
        Decision::Problem,
    ];

    /// The word a decisions file and the prompt use.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Troubleshoot => "troubleshoot",
            Decision::Escalate => "escalate",
            Decision::Wait => "wait",
            Decision::Page => "page",
            Decision::Workaround => "workaround",
            Decision::Problem => "problem",
        }
    }

    /// The decision a word names (its [`name`](Self::name)).
    pub fn from_name(word: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.name() == word)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The set of decisions that make sense at a decision point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Choices(u8);

impl Choices {
    /// The set with `decision` added.
    pub fn with(self, decision: Decision) -> Choices {
        Choices(self.0 | decision.bit())
    }

    /// The set without `decision`.
    pub fn without(self, decision: Decision) -> Choices {
        Choices(self.0 & !decision.bit())
    }

    /// Whether `decision` is in the set.
    pub fn contains(self, decision: Decision) -> bool {
        self.0 & decision.bit() != 0
    }

    /// The decisions in the set, in [`Decision::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Decision> {
        Decision::ALL.into_iter().filter(move |d| self.contains(*d))
    }
}

/// Where an incident stands when the model asks for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    /// It entered the queue of a tier with nobody on duty (no shift open).
    WaitingClosed,
    /// An engineer of the tier (a shift engineer, or the on-call one who acknowledged) takes
    /// it. Asked whether or not the tier can fix it: the people cannot know that yet (but the
    /// workaround is offered only where the rule would try it: a known restart for the symptom).
    PickedUp,
    /// The tier's time box ran out without a fix.
    TimeBoxOver,
}

/// One decision point of an incident.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionPoint {
    /// Simulated minute.
    pub t: f64,
    /// The incident.
    pub incident: IncidentId,
    /// The tier where the incident is.
    pub tier: TierId,
    /// What just happened.
    pub situation: Situation,
    /// The calls that make sense here (always including `playbook`).
    pub choices: Choices,
    /// What the strategy's rules do here (docs/model.md §2 and §8.2).
    pub playbook: Decision,
}

/// Makes the calls at decision points. The strategy's rules are the default: a decider that
/// returns `point.playbook` changes nothing. A call outside `point.choices` is taken as the
/// playbook's.
pub trait Decider {
    /// The call at this point.
    fn decide(&mut self, point: &DecisionPoint) -> Decision;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    /// One event of every kind, with ids valid in the built-in scenario.
    fn one_of_each() -> Vec<EventKind> {
        let incident = IncidentId { service: 0, k: 3 };
        let item = WorkItem::Incident(incident);
        vec![
            EventKind::FailureStarted {
                incident,
                mode: 1,
                warning: 55.5,
            },
            EventKind::DegradationDetected { incident },
            EventKind::OutageStarted { incident },
            EventKind::AlertFired {
                incident,
                detection: Detection::Degradation,
            },
            EventKind::FalseAlarm { alarm: 7 },
            EventKind::UserReported { incident },
            EventKind::IncidentOpened {
                incident,
                detection: Detection::OutageCheck,
                tier: 1,
                routed_direct: true,
            },
            EventKind::Queued {
                item: WorkItem::FalseAlarm(7),
                tier: 0,
                tier_open: false,
            },
            EventKind::WorkStarted {
                item,
                tier: 0,
                duration: 30.0,
                able: false,
                waited: 474.25,
                workaround: false,
            },
            EventKind::Escalated {
                incident,
                from: 0,
                to: 1,
                handoff: 30.0,
            },
            EventKind::HandedOff { incident, tier: 1 },
            EventKind::AlarmCleared { alarm: 7, tier: 0 },
            EventKind::Resolved {
                incident,
                tier: 1,
                averted: false,
            },
            EventKind::OutageEnded { incident },
            EventKind::HorizonReached,
            EventKind::Paged {
                incident,
                tier: 1,
                asleep: true,
                policy: None,
            },
            EventKind::Paged {
                incident,
                tier: 1,
                asleep: false,
                policy: Some(PolicyPage {
                    policy: 0,
                    rule: 2,
                    pass: 1,
                    after: 15.0,
                }),
            },
            EventKind::Acknowledged { incident, tier: 1 },
            EventKind::TicketFiled {
                ticket: TicketId { incident, n: 2 },
            },
            EventKind::TicketDeflected {
                ticket: TicketId { incident, n: 3 },
            },
            EventKind::TicketTriaged {
                ticket: TicketId { incident, n: 2 },
                tier: 0,
            },
            EventKind::Recurred {
                incident,
                recurrence: 2,
            },
            EventKind::WorkaroundApplied {
                incident,
                tier: 0,
                success: true,
            },
            EventKind::ProblemOpened {
                problem: ProblemId(incident),
                tier: 1,
            },
            EventKind::ProblemFixed {
                problem: ProblemId(incident),
                tier: 1,
            },
            EventKind::ProblemWithdrawn {
                problem: ProblemId(incident),
                tier: 1,
            },
            EventKind::MaintenanceDue {
                maintenance: MaintenanceId { service: 0, n: 2 },
                tier: 0,
            },
            EventKind::MaintenanceStarted {
                maintenance: MaintenanceId { service: 0, n: 2 },
                tier: 0,
                duration: 40.0,
            },
            EventKind::MaintenanceDone {
                maintenance: MaintenanceId { service: 0, n: 2 },
                tier: 0,
            },
            EventKind::MaintenanceWithdrawn {
                maintenance: MaintenanceId { service: 0, n: 2 },
                tier: 0,
            },
            EventKind::ChangeDeployed {
                change: ChangeId { service: 0, n: 2 },
                failed: true,
            },
            EventKind::SymptomOpened { incident, root: 0 },
            EventKind::SymptomLinked { incident, root: 0 },
            EventKind::SymptomWaiting { incident, tier: 1 },
            EventKind::SymptomClosed { incident },
        ]
    }

    #[test]
    fn every_kind_round_trips_through_its_log_form_with_names() {
        let scenario = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("built-in scenario");
        let names = LogNames::new(&scenario);
        let kinds = one_of_each();
        // Every kind at least once (`paged` twice: plain and by a policy).
        let named: std::collections::BTreeSet<&str> = kinds.iter().map(|k| k.name()).collect();
        assert_eq!(named.len(), EventKind::KINDS.len());
        for kind in kinds {
            let service = kind.incident().map(|id| id.service);
            let json = names.scope(service, || serde_json::to_value(kind)).unwrap();
            assert_eq!(json["kind"], kind.name(), "{json}");
            if kind.incident().is_some() {
                assert_eq!(json["incident"], "email#3", "{json}");
                assert_eq!(json["service"], "email", "{json}");
            }
            let back: EventKind = names
                .scope(service, || EventKind::deserialize(&json))
                .unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, kind);
        }
    }

    #[test]
    fn ids_are_names_in_scope_and_indices_outside_it() {
        let scenario = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("built-in scenario");
        let names = LogNames::new(&scenario);
        let kind = EventKind::FailureStarted {
            incident: IncidentId { service: 0, k: 1 },
            mode: 0,
            warning: 0.0,
        };
        let named = names
            .scope(Some(0), || serde_json::to_string(&kind))
            .unwrap();
        assert_eq!(
            named,
            r#"{"kind":"failure_started","incident":"email#1","service":"email","k":1,"mode":"memory-leak","warning":0.0}"#
        );
        let plain = serde_json::to_string(&kind).unwrap();
        assert_eq!(
            plain,
            r#"{"kind":"failure_started","incident":"0#1","service":0,"k":1,"mode":0,"warning":0.0}"#
        );
        assert_eq!(serde_json::from_str::<EventKind>(&plain).unwrap(), kind);
    }

    #[test]
    fn unknown_names_and_a_mismatched_incident_are_refused_with_the_choices() {
        let scenario = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("built-in scenario");
        let names = LogNames::new(&scenario);
        let read = |text: &str| {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            names
                .scope(Some(0), || EventKind::deserialize(&value))
                .unwrap_err()
                .to_string()
        };
        let err = read(
            r#"{"kind":"handed_off","incident":"email#1","service":"email","k":1,"tier":"vendor"}"#,
        );
        assert!(
            err.contains(
                "unknown tier \"vendor\"; the log's scenario has help-desk, senior-network-engineer"
            ),
            "{err}"
        );
        let err = read(r#"{"kind":"outage_ended","incident":"email#2","service":"email","k":1}"#);
        assert!(
            err.contains("`incident` is \"email#2\", but service and k say \"email#1\""),
            "{err}"
        );
        let err = read(
            r#"{"kind":"queued","alarm":1,"incident":"email#1","service":"email","k":1,"tier":"help-desk","tier_open":true}"#,
        );
        assert!(err.contains("exactly one of them"), "{err}");
    }
}
