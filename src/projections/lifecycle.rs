//! The lifecycle check: a fold that accepts a stream of events only if it is one the model
//! could have produced (docs/model.md §2), and says precisely what is wrong otherwise.
//!
//! `incsim replay` runs every event of a saved log through this check *before* the metrics
//! projection sees it, so a truncated, reordered or hand-edited log is refused with a reason
//! instead of being folded into wrong numbers (or a panic on an impossible state). It checks
//! the state machine of each incident (failure → detection → queue → work → escalation /
//! handoff → resolution), the engineers of each tier (never more at work than `staff`),
//! false alarms, the order of tiers (an escalation goes to the next one) and the exact
//! instants that follow from earlier events (a job ends at start + `duration`, an outage
//! begins at failure start + `warning`, a handoff ends at escalation + `handoff`).
//!
//! It reads what happened from the events alone and does not re-implement the model's
//! decisions (which tier a detection lands at, whether a tier can fix a mode, the time box,
//! opening hours): those are the model's, and the events carry their outcome. From the
//! scenario it needs only the names, the order and the staff of the tiers and the horizon.
//!
//! The check is also a test oracle: every stream the simulator emits must pass it.

use std::collections::HashMap;

use crate::events::{
    Detection, Event, EventKind, IncidentId, ProblemId, ServiceId, TicketId, TierId, WorkItem,
};
use crate::scenario::{Minutes, Scenario};

/// Where an open incident stands with the support organisation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    /// Not detected yet (or the detection signal fired and the ticket is about to open).
    Unseen,
    /// `incident_opened` at this tier; `queued` comes next.
    Opened(TierId),
    /// Waiting in a tier's queue since `since`.
    Queued { tier: TierId, since: Minutes },
    /// An engineer works on it until `end` (`workaround`: a workaround attempt, §8.8).
    Working {
        tier: TierId,
        end: Minutes,
        able: bool,
        workaround: bool,
    },
    /// The workaround attempt at `tier` ended at `at`: `resolved` (success) or `escalated`
    /// (failure) follows at the same instant.
    WorkedAround {
        tier: TierId,
        at: Minutes,
        success: bool,
    },
    /// Escalated at `at`, the handoff of `handoff` minutes to `to` is under way.
    Escalated {
        to: TierId,
        at: Minutes,
        handoff: Minutes,
    },
    /// The handoff is done: `queued` at `tier` comes next.
    HandedOff(TierId),
    /// Fixed after the outage began: `outage_ended` comes next.
    Resolved,
}

#[derive(Debug, Clone, Copy)]
struct OpenIncident {
    k: u32,
    start: Minutes,
    warning: Minutes,
    down: bool,
    /// Degradation monitoring fired (`degradation_detected`).
    degradation_seen: bool,
    /// The signal that detected it (`alert_fired` / `user_reported`), before `incident_opened`.
    signal: Option<Detection>,
    detected: bool,
    place: Place,
    /// A symptom incident linked to its root incident (model.md §8.11): nobody works it.
    linked: bool,
}

/// Where a problem's item stands (model.md §8.9).
#[derive(Debug, Clone, Copy)]
enum ProblemPlace {
    Opened(TierId),
    Queued,
    Working { tier: TierId, end: Minutes },
}

#[derive(Debug, Clone, Copy)]
enum AlarmPlace {
    Raised,
    Queued { since: Minutes },
    Working { tier: TierId, end: Minutes },
}

/// Where a filed ticket stands (model.md §8.4).
#[derive(Debug, Clone, Copy)]
enum TicketPlace {
    Filed,
    Queued { since: Minutes },
    Working { tier: TierId, end: Minutes },
}

/// Where a service's maintenance item stands (model.md §8.6).
#[derive(Debug, Clone, Copy, PartialEq)]
enum MaintPlace {
    Idle,
    Due {
        n: u32,
        tier: TierId,
    },
    Queued {
        n: u32,
        tier: TierId,
        since: Minutes,
    },
    Working {
        n: u32,
        tier: TierId,
        end: Minutes,
        started: Minutes,
    },
}

/// Checks that a stream of events (one replication of one strategy) is consistent.
///
/// Call [`LifecycleCheck::begin`] at the start of each stream, then [`LifecycleCheck::apply`]
/// for each event in order. An error is a sentence saying what the event contradicts.
#[derive(Debug, Clone)]
pub struct LifecycleCheck<'a> {
    scenario: &'a Scenario,
    /// Per service: the index of its next failure.
    next_k: Vec<u32>,
    open: Vec<Option<OpenIncident>>,
    /// Per service: its open symptom incident (model.md §8.11; `k` carries the symptom bit)
    /// and the least number its next one may have.
    symptoms: Vec<Option<OpenIncident>>,
    next_symptom: Vec<u32>,
    /// Per service: the number of the next ticket about its open symptom.
    next_symptom_ticket: Vec<u32>,
    busy: Vec<u32>,
    next_alarm: u32,
    alarms: HashMap<u32, AlarmPlace>,
    /// Per service: the number of the next ticket about its open incident.
    next_ticket: Vec<u32>,
    tickets: HashMap<TicketId, TicketPlace>,
    problems: HashMap<ProblemId, ProblemPlace>,
    /// Per service: its maintenance item and the `n` of its next one.
    maintenance: Vec<MaintPlace>,
    next_maintenance: Vec<u32>,
    /// Per service: the `n` of its next change (model.md §8.12).
    next_change: Vec<u32>,
    /// A change that failed: its incident's `failure_started` must be the very next event.
    failing_change: Option<IncidentId>,
    last_t: Minutes,
    finished: bool,
}

impl<'a> LifecycleCheck<'a> {
    /// A check for the scenario's streams (call [`begin`](Self::begin) before each stream).
    pub fn new(scenario: &'a Scenario) -> Self {
        LifecycleCheck {
            scenario,
            next_k: vec![0; scenario.services.len()],
            open: vec![None; scenario.services.len()],
            symptoms: vec![None; scenario.services.len()],
            next_symptom: vec![0; scenario.services.len()],
            next_symptom_ticket: vec![0; scenario.services.len()],
            busy: vec![0; scenario.tiers.len()],
            next_alarm: 0,
            alarms: HashMap::new(),
            next_ticket: vec![0; scenario.services.len()],
            tickets: HashMap::new(),
            problems: HashMap::new(),
            maintenance: vec![MaintPlace::Idle; scenario.services.len()],
            next_maintenance: vec![0; scenario.services.len()],
            next_change: vec![0; scenario.services.len()],
            failing_change: None,
            last_t: 0.0,
            finished: false,
        }
    }

    /// A new stream starts: everything UP at t = 0, nobody busy.
    pub fn begin(&mut self) {
        self.next_k.iter_mut().for_each(|k| *k = 0);
        self.open.iter_mut().for_each(|o| *o = None);
        self.symptoms.fill(None);
        self.next_symptom.fill(0);
        self.next_symptom_ticket.fill(0);
        self.busy.iter_mut().for_each(|b| *b = 0);
        self.next_alarm = 0;
        self.alarms.clear();
        self.next_ticket.iter_mut().for_each(|n| *n = 0);
        self.tickets.clear();
        self.problems.clear();
        self.maintenance.fill(MaintPlace::Idle);
        self.next_maintenance.fill(0);
        self.next_change.fill(0);
        self.failing_change = None;
        self.last_t = 0.0;
        self.finished = false;
    }

    /// True once `horizon_reached` was accepted.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn service_name(&self, service: ServiceId) -> &str {
        &self.scenario.services[service as usize].name
    }

    fn tier_name(&self, tier: TierId) -> &str {
        &self.scenario.tiers[tier as usize].name
    }

    fn incident_name(&self, id: IncidentId) -> String {
        format!(
            "{}#{}{}",
            self.service_name(id.service),
            id.mark(),
            id.number()
        )
    }

    /// Whether incident `id` of a service was opened and resolved already.
    fn already_closed(&self, id: IncidentId) -> bool {
        let s = id.service as usize;
        match id.change() {
            // A failing change's incident starts at its deployment, so an earlier change's
            // incident that is not open any more is closed.
            Some(c) => c.n < self.next_change[s],
            None => id.k < self.next_k[s],
        }
    }

    /// The open incident `id` (or symptom incident), or an error saying why it is not open.
    fn open_incident(&mut self, id: IncidentId, kind: &str) -> Result<&mut OpenIncident, String> {
        let s = id.service as usize;
        if id.is_symptom() {
            if !matches!(&self.symptoms[s], Some(o) if o.k == id.k) {
                return Err(format!(
                    "{kind} for {}, which is not an open symptom incident",
                    self.incident_name(id)
                ));
            }
            return Ok(self.symptoms[s].as_mut().expect("matched Some above"));
        }
        match &self.open[s] {
            Some(o) if o.k == id.k => {}
            Some(o) => {
                return Err(format!(
                    "{kind} for {}, but the open incident of {} is #{}",
                    self.incident_name(id),
                    self.service_name(id.service),
                    IncidentId {
                        service: id.service,
                        k: o.k
                    }
                    .number()
                ));
            }
            None if self.already_closed(id) => {
                return Err(format!(
                    "{kind} for {}, which is already resolved",
                    self.incident_name(id)
                ));
            }
            None => {
                return Err(format!(
                    "{kind} for {}, which never started (no failure_started for it)",
                    self.incident_name(id)
                ));
            }
        }
        Ok(self.open[s].as_mut().expect("matched Some above"))
    }

    /// Apply one event, or say why it cannot have happened.
    pub fn apply(&mut self, event: &Event) -> Result<(), String> {
        let t = event.t;
        let kind = event.kind.name();
        let scenario = self.scenario;
        let horizon = scenario.simulation.horizon_minutes;
        if self.finished {
            return Err(format!("{kind} after horizon_reached in the same stream"));
        }
        if !t.is_finite() || t < 0.0 {
            return Err(format!("t = {t} is not a time in the run"));
        }
        if t < self.last_t {
            return Err(format!(
                "time goes backwards: t = {t} after t = {} (events of a stream are in time order)",
                self.last_t
            ));
        }
        match event.kind {
            EventKind::HorizonReached if t != horizon => {
                return Err(format!(
                    "horizon_reached at t = {t}, but the scenario's horizon is {horizon}"
                ));
            }
            EventKind::HorizonReached => {}
            _ if t >= horizon => {
                return Err(format!(
                    "{kind} at t = {t}, at or after the horizon ({horizon})"
                ));
            }
            _ => {}
        }
        self.last_t = t;
        // Model.md §8.12: a failed change starts its incident at once.
        let failing_change = self.failing_change.take();
        if let Some(expected) = failing_change {
            let starts_it = matches!(event.kind,
                EventKind::FailureStarted { incident, .. } if incident == expected);
            if !starts_it {
                return Err(format!(
                    "{kind} right after change_deployed (failed) for {}: the failed change's failure_started for {} must follow at once",
                    self.service_name(expected.service),
                    self.incident_name(expected)
                ));
            }
        }
        match event.kind {
            EventKind::FailureStarted {
                incident, warning, ..
            } => {
                let s = incident.service as usize;
                if let Some(o) = &self.open[s] {
                    return Err(format!(
                        "failure_started for {}, but {}#{} is still open (one open incident per service)",
                        self.incident_name(incident),
                        self.service_name(incident.service),
                        IncidentId {
                            service: incident.service,
                            k: o.k
                        }
                        .number()
                    ));
                }
                if matches!(self.maintenance[s], MaintPlace::Working { .. }) {
                    return Err(format!(
                        "failure_started for {}, but {} is under maintenance (its failure clock is stopped)",
                        self.incident_name(incident),
                        self.service_name(incident.service)
                    ));
                }
                if incident.change().is_some() && failing_change != Some(incident) {
                    return Err(format!(
                        "failure_started for {} without its change_deployed (failed) just before",
                        self.incident_name(incident)
                    ));
                }
                if incident.change().is_none() && incident.k != self.next_k[s] {
                    return Err(format!(
                        "failure_started for {}, but the next failure of {} is #{}",
                        self.incident_name(incident),
                        self.service_name(incident.service),
                        self.next_k[s]
                    ));
                }
                if !warning.is_finite() || warning < 0.0 {
                    return Err(format!("warning = {warning} is not a duration ≥ 0"));
                }
                self.next_ticket[s] = 0;
                self.open[s] = Some(OpenIncident {
                    k: incident.k,
                    start: t,
                    warning,
                    down: false,
                    degradation_seen: false,
                    signal: None,
                    detected: false,
                    place: Place::Unseen,
                    linked: false,
                });
            }
            EventKind::DegradationDetected { incident } => {
                let o = self.open_incident(incident, kind)?;
                if o.down || o.detected || o.degradation_seen {
                    return Err(
                        "degradation_detected for an incident already down or detected".into(),
                    );
                }
                o.degradation_seen = true;
            }
            EventKind::OutageStarted { incident } => {
                let o = self.open_incident(incident, kind)?;
                if o.down {
                    return Err("outage_started for a service already down".into());
                }
                if t != o.start + o.warning {
                    return Err(format!(
                        "outage_started at t = {t}, but the failure started at {} with a warning of {} minutes: the outage begins at {}",
                        o.start,
                        o.warning,
                        o.start + o.warning
                    ));
                }
                o.down = true;
            }
            EventKind::AlertFired {
                incident,
                detection,
            } => {
                let o = self.open_incident(incident, kind)?;
                if o.detected || o.signal.is_some() {
                    return Err("alert_fired for an incident already detected".into());
                }
                match detection {
                    Detection::Degradation if !o.degradation_seen => {
                        return Err(
                            "alert_fired (degradation) without degradation_detected before it"
                                .into(),
                        );
                    }
                    Detection::OutageCheck if !o.down => {
                        return Err(
                            "alert_fired (outage_check) while the service is not down".into()
                        );
                    }
                    Detection::UserReport => {
                        return Err("alert_fired cannot have detection user_report (users report with user_reported)".into());
                    }
                    _ => {}
                }
                o.signal = Some(detection);
            }
            EventKind::UserReported { incident } => {
                let o = self.open_incident(incident, kind)?;
                if !o.down {
                    return Err(
                        "user_reported while the service is not down (users notice outages only)"
                            .into(),
                    );
                }
                if o.detected || o.signal.is_some() {
                    return Err("user_reported for an incident already detected".into());
                }
                o.signal = Some(Detection::UserReport);
            }
            EventKind::IncidentOpened {
                incident,
                detection,
                tier,
                ..
            } => {
                let o = self.open_incident(incident, kind)?;
                if o.detected {
                    return Err("incident_opened twice for the same incident".into());
                }
                if o.signal != Some(detection) {
                    return Err(format!(
                        "incident_opened by {} without the {} event before it",
                        detection.name(),
                        match detection {
                            Detection::UserReport => "user_reported",
                            _ => "alert_fired",
                        }
                    ));
                }
                o.detected = true;
                o.place = Place::Opened(tier);
            }
            EventKind::Queued {
                item: WorkItem::Incident(incident),
                tier,
                ..
            } => {
                let o = self.open_incident(incident, kind)?;
                match o.place {
                    Place::Opened(at) | Place::HandedOff(at) if at == tier => {
                        o.place = Place::Queued { tier, since: t };
                    }
                    _ => {
                        return Err(format!(
                            "queued at tier {} without incident_opened or handed_off for that tier just before",
                            self.tier_name(tier)
                        ));
                    }
                }
            }
            EventKind::Queued {
                item: WorkItem::Ticket(ticket),
                tier,
                ..
            } => match self.tickets.get_mut(&ticket) {
                Some(place @ TicketPlace::Filed) if tier == 0 => {
                    *place = TicketPlace::Queued { since: t }
                }
                _ => {
                    return Err(format!(
                        "ticket {} of {} queued without ticket_filed just before, or not at the first tier",
                        ticket.n,
                        self.incident_name(ticket.incident)
                    ));
                }
            },
            EventKind::TicketFiled { ticket } | EventKind::TicketDeflected { ticket } => {
                let s = ticket.incident.service as usize;
                let counters = if ticket.incident.is_symptom() {
                    &mut self.next_symptom_ticket
                } else {
                    &mut self.next_ticket
                };
                let expected = counters[s];
                let o = self.open_incident(ticket.incident, kind)?;
                if !o.down {
                    return Err(format!(
                        "{kind} while the service is not down (users report outages only)"
                    ));
                }
                if ticket.n != expected {
                    return Err(format!(
                        "{kind} for ticket {}, but the next ticket is number {expected}",
                        ticket.n
                    ));
                }
                if ticket.incident.is_symptom() {
                    self.next_symptom_ticket[s] = expected.saturating_add(1);
                } else {
                    self.next_ticket[s] = expected.saturating_add(1);
                }
                if let EventKind::TicketFiled { .. } = event.kind {
                    self.tickets.insert(ticket, TicketPlace::Filed);
                }
            }
            EventKind::TicketTriaged { ticket, tier } => match self.tickets.get(&ticket) {
                Some(TicketPlace::Working { tier: at, end }) if *at == tier => {
                    if t != *end {
                        return Err(format!(
                            "ticket_triaged at t = {t}, but its triage ends at t = {end}"
                        ));
                    }
                    self.tickets.remove(&ticket);
                    self.busy[tier as usize] -= 1;
                }
                _ => {
                    return Err(format!(
                        "ticket_triaged for ticket {} of {}, which nobody at {} was triaging",
                        ticket.n,
                        self.incident_name(ticket.incident),
                        self.tier_name(tier)
                    ));
                }
            },
            EventKind::Queued {
                item: WorkItem::FalseAlarm(alarm),
                ..
            } => match self.alarms.get_mut(&alarm) {
                Some(place @ AlarmPlace::Raised) => *place = AlarmPlace::Queued { since: t },
                _ => {
                    return Err(format!(
                        "false alarm {alarm} queued without being raised (false_alarm) just before"
                    ));
                }
            },
            EventKind::WorkStarted {
                item,
                tier,
                duration,
                able,
                waited,
                workaround,
            } => {
                if workaround && (able || !matches!(item, WorkItem::Incident(_))) {
                    return Err(
                        "work_started with workaround = true must be an incident's attempt by a \
                         tier that cannot fix it (able = false)"
                            .into(),
                    );
                }
                if !duration.is_finite() || duration < 0.0 {
                    return Err(format!("duration = {duration} is not a duration ≥ 0"));
                }
                let t_info = &scenario.tiers[tier as usize];
                // Shift engineers and the on-call rota (model.md §8.2) together, as the
                // strategy with the most runs the tier (its overrides, §8.13).
                let engineers = (0..scenario.strategies.len().max(1))
                    .map(|si| {
                        let t = &scenario.tiers_of(si)[tier as usize];
                        t.staff + t.on_call.as_ref().map_or(0, |o| o.staff)
                    })
                    .max()
                    .unwrap_or(0);
                if self.busy[tier as usize] >= engineers {
                    return Err(format!(
                        "work starts at {}, but all {engineers} of its engineers are busy",
                        t_info.name
                    ));
                }
                match item {
                    WorkItem::Incident(incident) => {
                        if incident.is_symptom() && (able || workaround) {
                            return Err(
                                "work_started on a symptom incident must be a time box (able = false): nobody can fix a symptom"
                                    .into(),
                            );
                        }
                        let place = self.open_incident(incident, kind)?.place;
                        let since = match place {
                            Place::Queued { tier: q, since } if q == tier => since,
                            _ => {
                                return Err(format!(
                                    "work_started at {} on an incident that is not in its queue",
                                    self.tier_name(tier)
                                ));
                            }
                        };
                        if waited != t - since {
                            return Err(format!(
                                "waited = {waited}, but the incident entered the queue at t = {since}: it waited {}",
                                t - since
                            ));
                        }
                        let o = self.open_incident(incident, kind)?;
                        o.place = Place::Working {
                            tier,
                            end: t + duration,
                            able,
                            workaround,
                        };
                    }
                    WorkItem::Ticket(ticket) => {
                        let since = match self.tickets.get(&ticket) {
                            Some(TicketPlace::Queued { since }) => *since,
                            _ => {
                                return Err(format!(
                                    "work_started on ticket {} of {}, which is not waiting in a queue",
                                    ticket.n,
                                    self.incident_name(ticket.incident)
                                ));
                            }
                        };
                        if waited != t - since {
                            return Err(format!(
                                "waited = {waited}, but the ticket entered the queue at t = {since}"
                            ));
                        }
                        self.tickets.insert(
                            ticket,
                            TicketPlace::Working {
                                tier,
                                end: t + duration,
                            },
                        );
                    }
                    WorkItem::Problem(problem) => match self.problems.get(&problem) {
                        Some(ProblemPlace::Queued) => {
                            self.problems.insert(
                                problem,
                                ProblemPlace::Working {
                                    tier,
                                    end: t + duration,
                                },
                            );
                        }
                        _ => {
                            return Err(format!(
                                "work_started on problem {}, which is not waiting in a queue",
                                self.incident_name(problem.0)
                            ));
                        }
                    },
                    WorkItem::Maintenance(m) => {
                        let s = m.service as usize;
                        match self.maintenance[s] {
                            MaintPlace::Queued { n, tier: q, since } if n == m.n && q == tier => {
                                if waited != t - since {
                                    return Err(format!(
                                        "waited = {waited}, but the maintenance entered the queue at t = {since}"
                                    ));
                                }
                                self.maintenance[s] = MaintPlace::Working {
                                    n,
                                    tier,
                                    end: t + duration,
                                    started: t,
                                };
                            }
                            _ => {
                                return Err(format!(
                                    "work_started on maintenance {}#{} at {}, which is not waiting in its queue",
                                    self.service_name(m.service),
                                    m.n,
                                    self.tier_name(tier)
                                ));
                            }
                        }
                    }
                    WorkItem::FalseAlarm(alarm) => {
                        let since = match self.alarms.get(&alarm) {
                            Some(AlarmPlace::Queued { since }) => *since,
                            _ => {
                                return Err(format!(
                                    "work_started on false alarm {alarm}, which is not waiting in a queue"
                                ));
                            }
                        };
                        if waited != t - since {
                            return Err(format!(
                                "waited = {waited}, but the alarm entered the queue at t = {since}"
                            ));
                        }
                        self.alarms.insert(
                            alarm,
                            AlarmPlace::Working {
                                tier,
                                end: t + duration,
                            },
                        );
                    }
                }
                self.busy[tier as usize] += 1;
            }
            EventKind::Escalated {
                incident,
                from,
                to,
                handoff,
            } => {
                let n_tiers = scenario.tiers.len() as TierId;
                let o = self.open_incident(incident, kind)?;
                // The engineer is freed here, unless a failed workaround already freed them.
                let mut frees = true;
                match o.place {
                    Place::Working {
                        tier,
                        end,
                        able: false,
                        workaround: false,
                    } if tier == from => {
                        if t != end {
                            return Err(format!(
                                "escalated at t = {t}, but the time box ends at t = {end}"
                            ));
                        }
                    }
                    Place::WorkedAround {
                        tier,
                        at,
                        success: false,
                    } if tier == from && at == t => frees = false,
                    _ => {
                        return Err(
                            "escalated, but no time-boxed attempt at that tier was under way"
                                .into(),
                        );
                    }
                }
                if to != from + 1 || to >= n_tiers {
                    return Err("escalation must go to the next tier (never skipping one)".into());
                }
                if !handoff.is_finite() || handoff < 0.0 {
                    return Err(format!("handoff = {handoff} is not a duration ≥ 0"));
                }
                o.place = Place::Escalated { to, at: t, handoff };
                if frees {
                    self.busy[from as usize] -= 1;
                }
            }
            EventKind::HandedOff { incident, tier } => {
                let o = self.open_incident(incident, kind)?;
                match o.place {
                    Place::Escalated { to, at, handoff } if to == tier => {
                        if t != at + handoff {
                            return Err(format!(
                                "handed_off at t = {t}, but escalated at t = {at} with a handoff of {handoff} minutes"
                            ));
                        }
                        o.place = Place::HandedOff(tier);
                    }
                    _ => {
                        return Err(
                            "handed_off without an escalation to that tier before it".into()
                        );
                    }
                }
            }
            EventKind::Resolved {
                incident,
                tier,
                averted,
            } => {
                let o = self.open_incident(incident, kind)?;
                let mut frees = true;
                match o.place {
                    Place::Working {
                        tier: at,
                        end,
                        able: true,
                        ..
                    } if at == tier => {
                        if t != end {
                            return Err(format!(
                                "resolved at t = {t}, but the fix ends at t = {end}"
                            ));
                        }
                    }
                    Place::WorkedAround {
                        tier: by,
                        at,
                        success: true,
                    } if by == tier && at == t => frees = false,
                    _ => {
                        return Err(format!(
                            "resolved by {}, but no fix by that tier was under way",
                            self.tier_name(tier)
                        ));
                    }
                }
                if averted == o.down {
                    return Err(format!(
                        "averted = {averted}, but the service {} down",
                        if o.down { "is" } else { "is not" }
                    ));
                }
                if averted && t >= o.start + o.warning {
                    return Err("averted = true, but the outage was due before the fix".into());
                }
                if averted {
                    self.close(incident);
                } else {
                    o.place = Place::Resolved;
                }
                if frees {
                    self.busy[tier as usize] -= 1;
                }
            }
            EventKind::OutageEnded { incident } => {
                let o = self.open_incident(incident, kind)?;
                if o.place != Place::Resolved || !o.down {
                    return Err("outage_ended without resolved (not averted) before it".into());
                }
                self.close(incident);
            }
            EventKind::FalseAlarm { alarm } => {
                if alarm != self.next_alarm {
                    return Err(format!(
                        "false alarm {alarm}, but the next alarm is number {}",
                        self.next_alarm
                    ));
                }
                self.next_alarm = self.next_alarm.saturating_add(1);
                self.alarms.insert(alarm, AlarmPlace::Raised);
            }
            EventKind::AlarmCleared { alarm, tier } => match self.alarms.get(&alarm) {
                Some(AlarmPlace::Working { tier: at, end }) if *at == tier => {
                    if t != *end {
                        return Err(format!(
                            "alarm_cleared at t = {t}, but its triage ends at t = {end}"
                        ));
                    }
                    self.alarms.remove(&alarm);
                    self.busy[tier as usize] -= 1;
                }
                _ => {
                    return Err(format!(
                        "alarm_cleared for false alarm {alarm}, which nobody at {} was triaging",
                        self.tier_name(tier)
                    ));
                }
            },
            EventKind::Paged {
                incident,
                tier,
                policy,
                ..
            } => {
                let o = self.open_incident(incident, kind)?;
                // A policy may page another tier's on-call for the item waiting here (§8.7).
                if !matches!(o.place, Place::Queued { tier: q, .. } if q == tier || policy.is_some())
                {
                    return Err(format!(
                        "paged at {} for an incident that is not in its queue",
                        self.tier_name(tier)
                    ));
                }
                if (0..scenario.strategies.len().max(1))
                    .all(|si| scenario.tiers_of(si)[tier as usize].on_call.is_none())
                {
                    return Err(format!(
                        "paged at {}, which has no on_call",
                        self.tier_name(tier)
                    ));
                }
            }
            EventKind::Acknowledged { incident, tier } => {
                let o = self.open_incident(incident, kind)?;
                match o.place {
                    // Under a policy the acknowledger may be of another tier: the item
                    // moves to them, keeping its queue entry time (§8.7).
                    Place::Queued { since, .. } => {
                        let o = self.open[incident.service as usize]
                            .as_mut()
                            .expect("checked open above");
                        o.place = Place::Queued { tier, since };
                    }
                    _ => {
                        return Err(format!(
                            "acknowledged at {} for an incident that is not waiting in a queue",
                            self.tier_name(tier)
                        ));
                    }
                }
            }
            EventKind::HorizonReached => self.finished = true,
            EventKind::SymptomOpened { incident, root } => {
                let s = incident.service as usize;
                if !incident.is_symptom() {
                    return Err("symptom_opened must name a symptom incident (service#sN)".into());
                }
                if self.symptoms[s].is_some() {
                    return Err(format!(
                        "symptom_opened for {}, but {} already has an open symptom incident",
                        self.incident_name(incident),
                        self.service_name(incident.service)
                    ));
                }
                if incident.number() < self.next_symptom[s] {
                    return Err(format!(
                        "symptom_opened for {}, but symptom numbers only grow (the next is at least {})",
                        self.incident_name(incident),
                        self.next_symptom[s]
                    ));
                }
                if !matches!(self.open.get(root as usize), Some(Some(o)) if o.down) {
                    return Err(format!(
                        "symptom_opened because of {}, which is not down",
                        self.service_name(root)
                    ));
                }
                self.next_symptom_ticket[s] = 0;
                self.symptoms[s] = Some(OpenIncident {
                    k: incident.k,
                    start: t,
                    warning: 0.0,
                    down: true,
                    degradation_seen: false,
                    signal: None,
                    detected: true,
                    place: Place::Opened(0),
                    linked: false,
                });
            }
            EventKind::SymptomLinked { incident, root } => {
                if !matches!(self.open.get(root as usize), Some(Some(o)) if o.down && o.detected) {
                    return Err(format!(
                        "symptom_linked to {}, which has no open, detected outage",
                        self.service_name(root)
                    ));
                }
                let o = self.open_incident(incident, kind)?;
                if o.linked {
                    return Err("symptom_linked for a symptom already linked".into());
                }
                o.linked = true;
                let place = std::mem::replace(&mut o.place, Place::Unseen);
                if let Place::Working { tier, .. } = place {
                    self.busy[tier as usize] -= 1;
                }
            }
            EventKind::SymptomWaiting { incident, tier } => {
                let last = scenario.tiers.len() as TierId - 1;
                let o = self.open_incident(incident, kind)?;
                match o.place {
                    Place::Working { tier: at, end, .. } if at == tier && tier == last => {
                        if t != end {
                            return Err(format!(
                                "symptom_waiting at t = {t}, but the time box ends at t = {end}"
                            ));
                        }
                    }
                    _ => {
                        return Err(
                            "symptom_waiting without a time box of the last tier ending".into()
                        );
                    }
                }
                o.place = Place::Unseen;
                self.busy[tier as usize] -= 1;
            }
            EventKind::SymptomClosed { incident } => {
                let place = self.open_incident(incident, kind)?.place;
                if let Place::Working { tier, .. } = place {
                    self.busy[tier as usize] -= 1;
                }
                let s = incident.service as usize;
                self.symptoms[s] = None;
                self.next_symptom[s] = incident.number().saturating_add(1);
            }
            EventKind::Recurred {
                incident,
                recurrence,
            } => {
                let o = self.open_incident(incident, kind)?;
                if t != o.start || o.detected || o.signal.is_some() {
                    return Err("recurred must follow its failure_started at once".into());
                }
                if recurrence == 0 {
                    return Err("recurred with recurrence 0 (recurrences count from 1)".into());
                }
            }
            EventKind::WorkaroundApplied {
                incident,
                tier,
                success,
            } => {
                let o = self.open_incident(incident, kind)?;
                match o.place {
                    Place::Working {
                        tier: at,
                        end,
                        workaround: true,
                        ..
                    } if at == tier => {
                        if t != end {
                            return Err(format!(
                                "workaround_applied at t = {t}, but the attempt ends at t = {end}"
                            ));
                        }
                    }
                    _ => {
                        return Err(format!(
                            "workaround_applied by {}, but no workaround attempt by that tier was under way",
                            self.tier_name(tier)
                        ));
                    }
                }
                o.place = Place::WorkedAround {
                    tier,
                    at: t,
                    success,
                };
                self.busy[tier as usize] -= 1;
            }
            EventKind::ProblemOpened { problem, tier } => {
                if self.problems.contains_key(&problem) {
                    return Err(format!(
                        "problem {} opened twice",
                        self.incident_name(problem.0)
                    ));
                }
                // A problem opens when its incident is worked around (§8.9).
                let worked_around = matches!(
                    &self.open[problem.0.service as usize],
                    Some(o) if o.k == problem.0.k
                        && matches!(o.place, Place::WorkedAround { success: true, at, .. } if at == t)
                );
                if !worked_around {
                    return Err(format!(
                        "problem_opened for {}, which was not worked around at this instant",
                        self.incident_name(problem.0)
                    ));
                }
                self.problems.insert(problem, ProblemPlace::Opened(tier));
            }
            EventKind::Queued {
                item: WorkItem::Problem(problem),
                tier,
                ..
            } => match self.problems.get(&problem) {
                Some(ProblemPlace::Opened(at)) if *at == tier => {
                    self.problems.insert(problem, ProblemPlace::Queued);
                }
                _ => {
                    return Err(format!(
                        "problem {} queued at {} without problem_opened for that tier just before",
                        self.incident_name(problem.0),
                        self.tier_name(tier)
                    ));
                }
            },
            EventKind::ProblemFixed { problem, tier } => match self.problems.get(&problem) {
                Some(ProblemPlace::Working { tier: at, end }) if *at == tier => {
                    if t != *end {
                        return Err(format!(
                            "problem_fixed at t = {t}, but its fix ends at t = {end}"
                        ));
                    }
                    self.problems.remove(&problem);
                    self.busy[tier as usize] -= 1;
                }
                _ => {
                    return Err(format!(
                        "problem_fixed for {}, which nobody at {} was fixing",
                        self.incident_name(problem.0),
                        self.tier_name(tier)
                    ));
                }
            },
            EventKind::MaintenanceDue {
                maintenance: m,
                tier,
            } => {
                let s = m.service as usize;
                if self.open[s].is_some() || self.maintenance[s] != MaintPlace::Idle {
                    return Err(format!(
                        "maintenance_due for {}, which is not UP with no maintenance pending",
                        self.service_name(m.service)
                    ));
                }
                if m.n != self.next_maintenance[s] {
                    return Err(format!(
                        "maintenance_due #{} for {}, but its next maintenance is #{}",
                        m.n,
                        self.service_name(m.service),
                        self.next_maintenance[s]
                    ));
                }
                self.next_maintenance[s] += 1;
                self.maintenance[s] = MaintPlace::Due { n: m.n, tier };
            }
            EventKind::Queued {
                item: WorkItem::Maintenance(m),
                tier,
                ..
            } => {
                let s = m.service as usize;
                if self.maintenance[s] != (MaintPlace::Due { n: m.n, tier }) {
                    return Err(format!(
                        "maintenance {}#{} queued at {} without maintenance_due for that tier just before",
                        self.service_name(m.service),
                        m.n,
                        self.tier_name(tier)
                    ));
                }
                self.maintenance[s] = MaintPlace::Queued {
                    n: m.n,
                    tier,
                    since: t,
                };
            }
            EventKind::MaintenanceStarted {
                maintenance: m,
                tier,
                duration,
            } => {
                let s = m.service as usize;
                match self.maintenance[s] {
                    MaintPlace::Working {
                        n,
                        tier: w,
                        end,
                        started,
                    } if n == m.n && w == tier && started == t && end == t + duration => {}
                    _ => {
                        return Err(format!(
                            "maintenance_started for {}#{} without its work_started at {} at this instant",
                            self.service_name(m.service),
                            m.n,
                            self.tier_name(tier)
                        ));
                    }
                }
            }
            EventKind::MaintenanceDone {
                maintenance: m,
                tier,
            } => {
                let s = m.service as usize;
                match self.maintenance[s] {
                    MaintPlace::Working {
                        n, tier: w, end, ..
                    } if n == m.n && w == tier => {
                        if t != end {
                            return Err(format!(
                                "maintenance_done at t = {t}, but the work ends at t = {end}"
                            ));
                        }
                        self.maintenance[s] = MaintPlace::Idle;
                        self.busy[tier as usize] -= 1;
                    }
                    _ => {
                        return Err(format!(
                            "maintenance_done for {}#{}, which nobody at {} was doing",
                            self.service_name(m.service),
                            m.n,
                            self.tier_name(tier)
                        ));
                    }
                }
            }
            EventKind::MaintenanceWithdrawn { maintenance: m, .. } => {
                let s = m.service as usize;
                let failed_now = matches!(&self.open[s], Some(o) if o.start == t);
                if !matches!(self.maintenance[s], MaintPlace::Queued { n, .. } if n == m.n)
                    || !failed_now
                {
                    return Err(format!(
                        "maintenance_withdrawn for {}#{}: it must be waiting in a queue and the service must fail at this instant",
                        self.service_name(m.service),
                        m.n
                    ));
                }
                self.maintenance[s] = MaintPlace::Idle;
            }
            EventKind::ChangeDeployed { change, failed } => {
                let s = change.service as usize;
                if change.n != self.next_change[s] {
                    return Err(format!(
                        "change_deployed {}#c{}, but the next change of {} is #c{}",
                        self.service_name(change.service),
                        change.n,
                        self.service_name(change.service),
                        self.next_change[s]
                    ));
                }
                self.next_change[s] += 1;
                if failed {
                    if self.open[s].is_some() {
                        return Err(format!(
                            "change_deployed {}#c{} failed, but {} is not UP (an incident is open): such a change cannot fail",
                            self.service_name(change.service),
                            change.n,
                            self.service_name(change.service)
                        ));
                    }
                    if matches!(self.maintenance[s], MaintPlace::Working { .. }) {
                        return Err(format!(
                            "change_deployed {}#c{} failed, but {} is under maintenance: such a change cannot fail",
                            self.service_name(change.service),
                            change.n,
                            self.service_name(change.service)
                        ));
                    }
                    self.failing_change = Some(IncidentId::of_change(change));
                }
            }
            EventKind::ProblemWithdrawn { problem, .. } => match self.problems.get(&problem) {
                Some(ProblemPlace::Queued) => {
                    self.problems.remove(&problem);
                }
                _ => {
                    return Err(format!(
                        "problem_withdrawn for {}, which was not waiting in a queue",
                        self.incident_name(problem.0)
                    ));
                }
            },
        }
        Ok(())
    }

    fn close(&mut self, incident: IncidentId) {
        let s = incident.service as usize;
        self.open[s] = None;
        // A change's incident (model.md §8.12) leaves the natural numbering where it was.
        if incident.change().is_none() {
            self.next_k[s] = incident.k.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventVec;
    use crate::model::Simulator;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    #[test]
    fn every_stream_the_model_emits_passes_the_check() {
        let scenario = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("built-in scenario");
        let mut sim = Simulator::new();
        let mut check = LifecycleCheck::new(&scenario);
        for rep in 0..20 {
            for strategy in 0..scenario.strategies.len() {
                let mut events = EventVec::default();
                sim.run(&scenario, strategy, rep, &mut events);
                check.begin();
                for (i, e) in events.0.iter().enumerate() {
                    if let Err(msg) = check.apply(e) {
                        panic!("rep {rep} strategy {strategy} event {i} {e:?}: {msg}");
                    }
                }
                assert!(check.is_finished());
            }
        }
    }

    #[test]
    fn resolving_an_incident_that_never_started_is_refused() {
        let scenario = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("built-in scenario");
        let mut check = LifecycleCheck::new(&scenario);
        check.begin();
        let err = check
            .apply(&Event {
                t: 10.0,
                kind: EventKind::Resolved {
                    incident: IncidentId { service: 0, k: 0 },
                    tier: 1,
                    averted: false,
                },
            })
            .unwrap_err();
        assert!(err.contains("email#0, which never started"), "{err}");
    }
}
