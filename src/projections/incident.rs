//! Incident projections: one incident's story (what happened, when, in which phase, at what
//! running cost) and the picker that chooses which incident to tell.
//!
//! The cost of an incident is what it alone causes: its outage minutes × the service's
//! downtime rate, its degraded minutes × the degraded rate, and the busy minutes of the
//! engineers who worked on it × their tier's hourly cost, all cut at the horizon, exactly as
//! [`MetricsProjection`](super::MetricsProjection) counts them. False-alarm triage and the
//! strategy's investment belong to no incident.
//!
//! Everything but money comes from the events themselves (the tier a ticket opened at and
//! whether it was routed there directly, the time box, the handoff, whether the tier was open
//! when the ticket arrived): the scenario is read only for costs.

use crate::events::{
    Detection, Event, EventKind, EventSink, IncidentId, ModeId, PolicyPage, ProblemId, ServiceId,
    TierId, WorkItem,
};
use crate::scenario::{Minutes, Scenario};

/// What an incident has cost so far, split the way a finance reviewer asks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IncidentCost {
    /// Minutes the service was down.
    pub outage_minutes: Minutes,
    /// Minutes the service ran degraded.
    pub degraded_minutes: Minutes,
    /// Engineer busy minutes on this incident.
    pub labor_minutes: Minutes,
    /// Outage minutes × the downtime rate.
    pub outage_cost: f64,
    /// Degraded minutes × the degraded rate.
    pub degraded_cost: f64,
    /// Busy minutes × the tiers' hourly costs.
    pub labor_cost: f64,
}

impl IncidentCost {
    /// Downtime (outage + degraded) + labor.
    pub fn total(&self) -> f64 {
        self.outage_cost + self.degraded_cost + self.labor_cost
    }
}

/// Accrues the cost of one incident from its events; can say the cost at any instant.
#[derive(Debug, Clone, Copy)]
struct CostMeter {
    outage_rate: f64,
    degraded_rate: f64,
    horizon: Minutes,
    /// The strategy whose tiers (overrides applied, model.md §8.13) set the labour rates.
    strategy: usize,
    degraded_since: Option<Minutes>,
    down_since: Option<Minutes>,
    /// The job under way or last done: (start, end, cost per minute).
    job: Option<(Minutes, Minutes, f64)>,
    closed: IncidentCost,
}

impl CostMeter {
    fn new(scenario: &Scenario, service: usize, strategy: usize) -> Self {
        let s = &scenario.services[service];
        CostMeter {
            strategy,
            outage_rate: s.downtime_cost_per_hour / 60.0,
            degraded_rate: s.downtime_cost_per_hour / 60.0 * s.degraded_cost_fraction,
            horizon: scenario.simulation.horizon_minutes,
            degraded_since: None,
            down_since: None,
            job: None,
            closed: IncidentCost::default(),
        }
    }

    fn end_degradation(&mut self, t: Minutes) {
        if let Some(since) = self.degraded_since.take() {
            self.closed.degraded_minutes += t - since;
            self.closed.degraded_cost += (t - since) * self.degraded_rate;
        }
    }

    fn end_outage(&mut self, t: Minutes) {
        if let Some(since) = self.down_since.take() {
            self.closed.outage_minutes += t - since;
            self.closed.outage_cost += (t - since) * self.outage_rate;
        }
    }

    fn close_job(&mut self) {
        if let Some((start, end, rate)) = self.job.take() {
            let busy = end.min(self.horizon) - start;
            self.closed.labor_minutes += busy;
            self.closed.labor_cost += busy * rate;
        }
    }

    fn start_job(&mut self, t: Minutes, duration: Minutes, hourly_cost: f64) {
        self.close_job();
        self.job = Some((t, t + duration, hourly_cost / 60.0));
    }

    /// The cost accrued by `t` (open phases counted up to `t`, work prorated).
    fn at(&self, t: Minutes) -> IncidentCost {
        let mut c = self.closed;
        if let Some(since) = self.degraded_since {
            c.degraded_minutes += t - since;
            c.degraded_cost += (t - since) * self.degraded_rate;
        }
        if let Some(since) = self.down_since {
            c.outage_minutes += t - since;
            c.outage_cost += (t - since) * self.outage_rate;
        }
        if let Some((start, end, rate)) = self.job {
            let busy = (end.min(self.horizon).min(t) - start).max(0.0);
            c.labor_minutes += busy;
            c.labor_cost += busy * rate;
        }
        c
    }

    /// Apply an event of this incident.
    fn apply(&mut self, scenario: &Scenario, event: &Event) {
        let t = event.t;
        match event.kind {
            EventKind::FailureStarted { warning, .. } if warning > 0.0 => {
                self.degraded_since = Some(t)
            }
            EventKind::OutageStarted { .. } => {
                self.end_degradation(t);
                self.down_since = Some(t);
            }
            EventKind::WorkStarted { tier, duration, .. } => self.start_job(
                t,
                duration,
                scenario.tiers_of(self.strategy)[tier as usize].hourly_cost,
            ),
            EventKind::Resolved { averted: true, .. } => self.end_degradation(t),
            EventKind::OutageEnded { .. } => self.end_outage(t),
            EventKind::HorizonReached => {
                self.end_degradation(t);
                self.end_outage(t);
            }
            _ => {}
        }
    }

    /// The final cost (after the incident's last event or the horizon).
    fn finish(mut self) -> IncidentCost {
        self.close_job();
        self.closed
    }
}

/// One moment of an incident's story, as a trainer tells it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Beat {
    /// The failure starts: degraded for `warning` minutes, or down at once when 0.
    Started { mode: ModeId, warning: Minutes },
    /// Someone or something noticed: the ticket opens at `tier`.
    Detected {
        detection: Detection,
        tier: TierId,
        /// Sent straight to the tier that owns the failure mode (not the alert tier).
        routed_direct: bool,
    },
    /// An engineer of `tier` takes it after `waited` minutes in the queue.
    PickedUp {
        tier: TierId,
        waited: Minutes,
        /// The tier was closed when the incident entered its queue.
        queued_while_closed: bool,
        /// The tier can fix it (else a time-boxed attempt).
        able: bool,
        /// Minutes of work (the fix, the time box, or the workaround attempt).
        duration: Minutes,
        /// The attempt is the mode's workaround (a restart), not a time box (§8.8).
        workaround: bool,
    },
    /// The failure is a recurrence of a root cause a workaround left (the n-th, from 1).
    Recurred { recurrence: u32 },
    /// The workaround attempt at `tier` ended: the service is back (`success`), or the time
    /// was lost (an escalation follows).
    WorkedAround { tier: TierId, success: bool },
    /// A problem record opened for the root cause: its fix waits at `tier`.
    ProblemOpened { tier: TierId },
    /// An engineer of `tier` starts the root-cause fix, after `waited` in the queue.
    ProblemWorkStarted {
        tier: TierId,
        waited: Minutes,
        duration: Minutes,
    },
    /// The root-cause fix is done: no more recurrences.
    ProblemFixed { tier: TierId },
    /// The problem's item was dropped: an able tier fixed a later incident of the root cause.
    ProblemWithdrawn,
    /// The service's maintenance item waiting at `tier` was dropped: this failure came first
    /// (model.md §8.6).
    MaintenanceWithdrawn { tier: TierId },
    /// A change was deployed to the service while this incident was open: it cannot fail it
    /// (model.md §8.12).
    ChangeDeployed,
    /// The time box ran out: on to the next tier.
    Escalated {
        from: TierId,
        to: TierId,
        time_box: Minutes,
        /// The escalation follows a failed workaround, not a time box.
        after_workaround: bool,
    },
    /// The handoff wait is over: the next tier has the ticket.
    HandedOff { tier: TierId, handoff: Minutes },
    /// Nobody of `tier` on duty: its on-call engineer is paged (`asleep`: woken up); by an
    /// escalation policy's rule when `policy` is given (model.md §8.7).
    Paged {
        tier: TierId,
        asleep: bool,
        policy: Option<PolicyPage>,
    },
    /// The paged engineer acknowledged, `after` minutes after the page.
    Acknowledged { tier: TierId, after: Minutes },
    /// The degraded service goes down (not for sudden failures: they start down).
    OutageStarted {
        /// Minutes it ran degraded.
        degraded: Minutes,
        /// Whether the incident had been detected by then.
        detected: bool,
    },
    /// Fixed. `averted` when before the outage; else the service is back up after `down`.
    Resolved {
        tier: TierId,
        averted: bool,
        down: Minutes,
        /// Brought back by a workaround (the root cause remains), not fixed.
        workaround: bool,
    },
    /// The run's horizon cuts the story short.
    CutOff { down: bool, place: Place },
    /// More users report the outage (model.md §8.4): `reported` users so far (the first
    /// report and the filed tickets), and `deflected` who met the status page and filed
    /// nothing. Told at the 2nd, 5th, 10th, 20th, 50th… report and once more with the final
    /// tally when the story ends, so a long outage does not drown the timeline.
    UsersReported { reported: u32, deflected: u32 },
    /// A service that depends on this one is down because of it, and its users report the
    /// symptom (model.md §8.11): a symptom incident opens at the first tier.
    DependantDown { service: ServiceId },
    /// Dependency-aware monitoring linked the dependant's symptom incident to this incident:
    /// nobody chases it any more.
    DependantLinked { service: ServiceId },
    /// The dependant is up again with this service; `tickets` its users filed about the
    /// symptom meanwhile.
    DependantUp { service: ServiceId, tickets: u32 },
}

/// Where an unfinished incident stands at the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Nobody noticed it yet.
    Undetected,
    /// Waiting in a tier's queue.
    Waiting(TierId),
    /// Being worked at a tier.
    Working(TierId),
    /// Being handed off to a tier.
    HandingOff(TierId),
}

/// A beat with its time and the incident's cost so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoryLine {
    /// Simulated minute.
    pub t: Minutes,
    /// What happened.
    pub beat: Beat,
    /// Cost of the incident accrued by `t`.
    pub cost: IncidentCost,
}

/// A coloured bar of a timeline chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseKind {
    /// The service runs degraded.
    Degraded,
    /// The service is down.
    Down,
    /// Failing, but nobody has noticed.
    Undetected,
    /// In a tier's queue.
    Waiting(TierId),
    /// Worked at a tier.
    Working(TierId),
    /// Handoff to a tier.
    Handoff(TierId),
}

impl PhaseKind {
    /// True for the service's own state (degraded, down); false for the support side.
    pub fn is_service(self) -> bool {
        matches!(self, PhaseKind::Degraded | PhaseKind::Down)
    }
}

/// A phase between two instants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    /// What kind of phase.
    pub kind: PhaseKind,
    /// Start (simulated minute).
    pub start: Minutes,
    /// End (simulated minute).
    pub end: Minutes,
}

/// Marks on a timeline chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// The incident was detected.
    Detected,
    /// Escalated to the next tier.
    Escalated,
    /// Fixed (service up, or outage averted).
    Resolved,
}

/// The whole story of one incident under one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentStory {
    /// Which incident.
    pub id: IncidentId,
    /// Strategy index.
    pub strategy: usize,
    /// Failure mode.
    pub mode: ModeId,
    /// When it started.
    pub start: Minutes,
    /// Its P-F interval (0: sudden).
    pub warning: Minutes,
    /// Failure start → detection, when detected.
    pub detected_after: Option<Minutes>,
    /// The beats in order.
    pub lines: Vec<StoryLine>,
    /// Bars for the chart.
    pub phases: Vec<Phase>,
    /// Markers for the chart: (time, kind).
    pub marks: Vec<(Minutes, MarkKind)>,
    /// When the story ends (resolution, or the horizon).
    pub end: Minutes,
    /// Resolved before the horizon.
    pub resolved: bool,
    /// Resolved before the outage.
    pub averted: bool,
    /// The final cost.
    pub cost: IncidentCost,
}

/// Builds the [`IncidentStory`] of one incident from a replication's events (an
/// [`EventSink`]; feed it one stream, of the strategy it was made for).
#[derive(Debug, Clone)]
pub struct StoryProjection<'a> {
    scenario: &'a Scenario,
    strategy: usize,
    target: IncidentId,
    meter: CostMeter,
    story: Option<IncidentStory>,
    /// Open phases: service lane and support lane.
    service_phase: Option<Phase>,
    support_phase: Option<Phase>,
    place: Place,
    down: bool,
    /// The tier was within its hours when the incident last entered a queue.
    queued_open: bool,
    /// Minutes of the last job started (the time box, when an escalation follows).
    job_minutes: Minutes,
    /// The handoff of the last escalation.
    handoff_minutes: Minutes,
    /// The pages not yet acknowledged: (tier, time). An escalation policy may page several
    /// tiers; an acknowledgement answers the latest page of its tier.
    pages: Vec<(TierId, Minutes)>,
    /// Tickets filed and deflected so far, and their sum when last told.
    tickets_filed: u32,
    tickets_deflected: u32,
    tickets_told: u32,
    /// The last workaround attempt succeeded (the resolution that follows is its doing).
    worked_around: bool,
    /// The last job started was a workaround attempt.
    job_was_workaround: bool,
    /// Symptom incidents this incident caused (model.md §8.11): (symptom, tickets filed).
    symptoms: Vec<(IncidentId, u32)>,
    finished: bool,
}

impl<'a> StoryProjection<'a> {
    /// A projection telling incident `target` under strategy index `strategy`.
    pub fn new(scenario: &'a Scenario, strategy: usize, target: IncidentId) -> Self {
        StoryProjection {
            scenario,
            strategy,
            target,
            meter: CostMeter::new(scenario, target.service as usize, strategy),
            story: None,
            service_phase: None,
            support_phase: None,
            place: Place::Undetected,
            down: false,
            queued_open: true,
            job_minutes: 0.0,
            handoff_minutes: 0.0,
            pages: Vec::new(),
            tickets_filed: 0,
            tickets_deflected: 0,
            tickets_told: 0,
            worked_around: false,
            job_was_workaround: false,
            symptoms: Vec::new(),
            finished: false,
        }
    }

    /// Tell the users' reports so far, if any came since the last telling.
    fn tell_reports(&mut self, t: Minutes) {
        let total = self.tickets_filed + self.tickets_deflected;
        if total > self.tickets_told {
            self.tickets_told = total;
            self.push(
                t,
                Beat::UsersReported {
                    reported: 1 + self.tickets_filed,
                    deflected: self.tickets_deflected,
                },
            );
        }
    }

    /// What the incident has cost by `t` (after the events up to `t`): the running cost a
    /// drill shows.
    pub fn cost_at(&self, t: Minutes) -> IncidentCost {
        self.meter.at(t)
    }

    /// Whether the story is over (the service back up, or the horizon), its cost final.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The story so far, if the incident has started.
    pub fn story(&self) -> Option<&IncidentStory> {
        self.story.as_ref()
    }

    /// The story, if the incident started in the stream (call after the stream ended).
    pub fn into_story(self) -> Option<IncidentStory> {
        self.story
    }

    fn open_phase(&mut self, kind: PhaseKind, t: Minutes) {
        let slot = if kind.is_service() {
            &mut self.service_phase
        } else {
            &mut self.support_phase
        };
        let previous = slot.replace(Phase {
            kind,
            start: t,
            end: t,
        });
        if let (Some(mut p), Some(story)) = (previous, self.story.as_mut()) {
            p.end = t;
            story.phases.push(p);
        }
    }

    fn close_phases(&mut self, t: Minutes, service: bool, support: bool) {
        let Some(story) = self.story.as_mut() else {
            return;
        };
        for (slot, wanted) in [
            (&mut self.service_phase, service),
            (&mut self.support_phase, support),
        ] {
            if wanted && let Some(mut p) = slot.take() {
                p.end = t;
                story.phases.push(p);
            }
        }
    }

    fn push(&mut self, t: Minutes, beat: Beat) {
        let cost = self.meter.at(t);
        if let Some(story) = self.story.as_mut() {
            story.lines.push(StoryLine { t, beat, cost });
        }
    }

    fn mark(&mut self, t: Minutes, kind: MarkKind) {
        if let Some(story) = self.story.as_mut() {
            story.marks.push((t, kind));
        }
    }

    /// Symptom incidents of dependants caused by this incident (§8.11): told as they open,
    /// are linked, and close with the root's repair (just after the story's end).
    fn dependant_beat(&mut self, event: &Event) {
        let t = event.t;
        match event.kind {
            EventKind::SymptomOpened { incident, root }
                if root == self.target.service && !self.finished =>
            {
                self.symptoms.push((incident, 0));
                self.push(
                    t,
                    Beat::DependantDown {
                        service: incident.service,
                    },
                );
            }
            EventKind::SymptomLinked { incident, root }
                if root == self.target.service
                    && self.symptoms.iter().any(|(s, _)| *s == incident) =>
            {
                self.push(
                    t,
                    Beat::DependantLinked {
                        service: incident.service,
                    },
                );
            }
            EventKind::TicketFiled { ticket } => {
                if let Some(entry) = self
                    .symptoms
                    .iter_mut()
                    .find(|(s, _)| *s == ticket.incident)
                {
                    entry.1 += 1;
                }
            }
            EventKind::SymptomClosed { incident } => {
                let Some(i) = self.symptoms.iter().position(|(s, _)| *s == incident) else {
                    return;
                };
                let (_, tickets) = self.symptoms.swap_remove(i);
                // Closed with the root's repair, at the story's end: told as its last beats.
                if self
                    .story
                    .as_ref()
                    .is_some_and(|s| !self.finished || s.end == t)
                {
                    self.push(
                        t,
                        Beat::DependantUp {
                            service: incident.service,
                            tickets,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    fn apply(&mut self, event: &Event) {
        let t = event.t;
        if self.story.is_some()
            && matches!(
                event.kind,
                EventKind::SymptomOpened { .. }
                    | EventKind::SymptomLinked { .. }
                    | EventKind::SymptomClosed { .. }
                    | EventKind::TicketFiled { .. }
            )
            && (event.kind.incident().is_some_and(|i| i.is_symptom()))
        {
            self.dependant_beat(event);
            return;
        }
        let own_problem = event.kind.problem() == Some(ProblemId(self.target));
        if self.finished {
            // The problem this incident opened is told to its end (§8.9), after the incident.
            if own_problem && self.story.is_some() {
                self.problem_beat(event);
            }
            return;
        }
        if own_problem {
            self.problem_beat(event);
            return;
        }
        // What the team sees of the service's other work while the incident is open: a
        // waiting maintenance dropped by this failure, changes still being deployed.
        if self.story.is_some() {
            match event.kind {
                EventKind::MaintenanceWithdrawn { maintenance, tier }
                    if maintenance.service == self.target.service =>
                {
                    self.push(t, Beat::MaintenanceWithdrawn { tier });
                    return;
                }
                EventKind::ChangeDeployed {
                    change,
                    failed: false,
                } if change.service == self.target.service => {
                    self.push(t, Beat::ChangeDeployed);
                    return;
                }
                _ => {}
            }
        }
        let is_target = event.kind.incident() == Some(self.target);
        let is_horizon = matches!(event.kind, EventKind::HorizonReached);
        if !is_target && !is_horizon {
            return;
        }
        if self.story.is_none() && !matches!(event.kind, EventKind::FailureStarted { .. }) {
            // The incident never started in this stream (or the stream is over).
            if is_horizon {
                self.finished = true;
            }
            return;
        }
        self.meter.apply(self.scenario, event);
        match event.kind {
            EventKind::FailureStarted { mode, warning, .. } => {
                self.story = Some(IncidentStory {
                    id: self.target,
                    strategy: self.strategy,
                    mode,
                    start: t,
                    warning,
                    detected_after: None,
                    lines: Vec::new(),
                    phases: Vec::new(),
                    marks: Vec::new(),
                    end: t,
                    resolved: false,
                    averted: false,
                    cost: IncidentCost::default(),
                });
                self.push(t, Beat::Started { mode, warning });
                if warning > 0.0 {
                    self.open_phase(PhaseKind::Degraded, t);
                }
                self.open_phase(PhaseKind::Undetected, t);
            }
            EventKind::OutageStarted { .. } => {
                self.down = true;
                self.open_phase(PhaseKind::Down, t);
                let story = self.story.as_ref().expect("story started");
                if story.warning > 0.0 {
                    let degraded = t - story.start;
                    let detected = story.detected_after.is_some();
                    self.push(t, Beat::OutageStarted { degraded, detected });
                }
            }
            EventKind::IncidentOpened {
                detection,
                tier,
                routed_direct,
                ..
            } => {
                let story = self.story.as_mut().expect("story started");
                story.detected_after = Some(t - story.start);
                self.push(
                    t,
                    Beat::Detected {
                        detection,
                        tier,
                        routed_direct,
                    },
                );
                self.mark(t, MarkKind::Detected);
            }
            EventKind::Queued {
                tier, tier_open, ..
            } => {
                self.queued_open = tier_open;
                // No time box yet at this tier (a drill may escalate straight from the queue).
                self.job_minutes = 0.0;
                self.place = Place::Waiting(tier);
                self.open_phase(PhaseKind::Waiting(tier), t);
            }
            EventKind::WorkStarted {
                item: WorkItem::Incident(_),
                tier,
                duration,
                able,
                waited,
                workaround,
            } => {
                let queued_while_closed = !self.queued_open;
                self.job_minutes = duration;
                self.job_was_workaround = workaround;
                self.place = Place::Working(tier);
                self.open_phase(PhaseKind::Working(tier), t);
                self.push(
                    t,
                    Beat::PickedUp {
                        tier,
                        waited,
                        queued_while_closed,
                        able,
                        duration,
                        workaround,
                    },
                );
            }
            EventKind::Recurred { recurrence, .. } => {
                self.push(t, Beat::Recurred { recurrence });
            }
            EventKind::WorkaroundApplied { tier, success, .. } => {
                self.worked_around = success;
                self.push(t, Beat::WorkedAround { tier, success });
            }
            EventKind::Escalated {
                from, to, handoff, ..
            } => {
                self.handoff_minutes = handoff;
                self.place = Place::HandingOff(to);
                self.open_phase(PhaseKind::Handoff(to), t);
                self.push(
                    t,
                    Beat::Escalated {
                        from,
                        to,
                        time_box: self.job_minutes,
                        after_workaround: self.job_was_workaround,
                    },
                );
                self.mark(t, MarkKind::Escalated);
            }
            EventKind::HandedOff { tier, .. } => {
                if self.handoff_minutes > 0.0 {
                    self.push(
                        t,
                        Beat::HandedOff {
                            tier,
                            handoff: self.handoff_minutes,
                        },
                    );
                }
            }
            EventKind::Paged {
                tier,
                asleep,
                policy,
                ..
            } => {
                self.pages.push((tier, t));
                self.push(
                    t,
                    Beat::Paged {
                        tier,
                        asleep,
                        policy,
                    },
                );
            }
            EventKind::Acknowledged { tier, .. } => {
                let paged_at = self
                    .pages
                    .iter()
                    .rev()
                    .find(|p| p.0 == tier)
                    .map_or(t, |p| p.1);
                // The first acknowledgement wins: the other pages stand down.
                self.pages.clear();
                let after = t - paged_at;
                // The work that follows waited for the acknowledgement, not for an opening.
                self.queued_open = true;
                self.push(t, Beat::Acknowledged { tier, after });
            }
            EventKind::TicketFiled { .. } | EventKind::TicketDeflected { .. } => {
                if matches!(event.kind, EventKind::TicketFiled { .. }) {
                    self.tickets_filed += 1;
                } else {
                    self.tickets_deflected += 1;
                }
                // The n-th user report (the first one is not a ticket): 2, 5, 10, 20, 50, …
                let n = 1 + self.tickets_filed + self.tickets_deflected;
                let mut milestone = n;
                while milestone.is_multiple_of(10) {
                    milestone /= 10;
                }
                if matches!(milestone, 1 | 2 | 5) {
                    self.tell_reports(t);
                }
            }
            EventKind::Resolved { tier, averted, .. } => {
                self.tell_reports(t);
                let story = self.story.as_mut().expect("story started");
                story.resolved = true;
                story.averted = averted;
                let down = self.meter.at(t).outage_minutes;
                self.push(
                    t,
                    Beat::Resolved {
                        tier,
                        averted,
                        down,
                        workaround: self.worked_around,
                    },
                );
                self.mark(t, MarkKind::Resolved);
                if averted {
                    self.finish(t);
                }
            }
            EventKind::OutageEnded { .. } => self.finish(t),
            EventKind::HorizonReached => {
                self.tell_reports(t);
                self.push(
                    t,
                    Beat::CutOff {
                        down: self.down,
                        place: self.place,
                    },
                );
                self.finish(t);
            }
            EventKind::DegradationDetected { .. }
            | EventKind::AlertFired { .. }
            | EventKind::UserReported { .. }
            | EventKind::WorkStarted { .. }
            | EventKind::FalseAlarm { .. }
            | EventKind::AlarmCleared { .. }
            | EventKind::TicketTriaged { .. }
            | EventKind::ProblemOpened { .. }
            | EventKind::ProblemFixed { .. }
            | EventKind::ProblemWithdrawn { .. }
            | EventKind::MaintenanceDue { .. }
            | EventKind::MaintenanceStarted { .. }
            | EventKind::MaintenanceDone { .. }
            | EventKind::MaintenanceWithdrawn { .. }
            | EventKind::ChangeDeployed { .. } => {}
            EventKind::SymptomOpened { .. }
            | EventKind::SymptomLinked { .. }
            | EventKind::SymptomWaiting { .. }
            | EventKind::SymptomClosed { .. } => {}
        }
    }

    /// A moment of the problem this incident opened: told in the story, costing nothing to the
    /// incident (the fix's labour is the problem's, in the run's labor metrics).
    fn problem_beat(&mut self, event: &Event) {
        let beat = match event.kind {
            EventKind::ProblemOpened { tier, .. } => Beat::ProblemOpened { tier },
            EventKind::WorkStarted {
                tier,
                waited,
                duration,
                ..
            } => Beat::ProblemWorkStarted {
                tier,
                waited,
                duration,
            },
            EventKind::ProblemFixed { tier, .. } => Beat::ProblemFixed { tier },
            EventKind::ProblemWithdrawn { .. } => Beat::ProblemWithdrawn,
            _ => return,
        };
        self.push(event.t, beat);
    }

    fn finish(&mut self, t: Minutes) {
        self.close_phases(t, true, true);
        self.finished = true;
        let cost = self.meter.finish();
        if let Some(story) = self.story.as_mut() {
            story.end = t;
            story.cost = cost;
        }
    }
}

impl EventSink for StoryProjection<'_> {
    fn emit(&mut self, event: &Event) {
        self.apply(event);
    }
}

/// A short summary of one incident of a replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentSummary {
    /// Which incident.
    pub id: IncidentId,
    /// When it started.
    pub start: Minutes,
    /// Its final cost (cut at the horizon).
    pub cost: f64,
}

/// Finds, in one replication of one strategy, the first incident and the costliest one,
/// keeping only a meter per service (memory flat in the number of incidents).
#[derive(Debug, Clone)]
pub struct IncidentPicker<'a> {
    scenario: &'a Scenario,
    /// The strategy of the stream (from [`EventSink::begin`]).
    strategy: usize,
    open: Vec<Option<(IncidentId, Minutes, CostMeter)>>,
    /// How many failures each service had (= the next k).
    pub failures: Vec<u32>,
    /// The first incident to start (its cost is known once it ends or the horizon comes).
    pub first: Option<IncidentSummary>,
    /// The costliest incident (the earliest of equals).
    pub worst: Option<IncidentSummary>,
    /// Every incident that ended or was cut off, in the order they ended (the drill's
    /// `--pick pNN` ranks them).
    pub all: Vec<IncidentSummary>,
}

impl<'a> IncidentPicker<'a> {
    /// An empty picker.
    pub fn new(scenario: &'a Scenario) -> Self {
        IncidentPicker {
            scenario,
            strategy: 0,
            open: vec![None; scenario.services.len()],
            failures: vec![0; scenario.services.len()],
            first: None,
            worst: None,
            all: Vec::new(),
        }
    }

    fn close(&mut self, service: usize) {
        if let Some((id, start, meter)) = self.open[service].take() {
            let summary = IncidentSummary {
                id,
                start,
                cost: meter.finish().total(),
            };
            if let Some(first) = self.first.as_mut()
                && first.id == id
            {
                first.cost = summary.cost;
            }
            let better = match &self.worst {
                None => true,
                Some(w) => {
                    summary.cost > w.cost || (summary.cost == w.cost && summary.start < w.start)
                }
            };
            if better {
                self.worst = Some(summary);
            }
            self.all.push(summary);
        }
    }
}

impl EventSink for IncidentPicker<'_> {
    fn begin(&mut self, _rep: u64, strategy: usize) {
        self.strategy = strategy;
    }

    fn emit(&mut self, event: &Event) {
        if let EventKind::HorizonReached = event.kind {
            for service in 0..self.open.len() {
                if let Some((_, _, meter)) = self.open[service].as_mut() {
                    meter.apply(self.scenario, event);
                }
                self.close(service);
            }
            return;
        }
        let Some(id) = event.kind.incident() else {
            return;
        };
        // A symptom incident (model.md §8.11) is no failure of its service: its work is not
        // the cost of the service's own open incident.
        if id.is_symptom() {
            return;
        }
        let service = id.service as usize;
        if let EventKind::FailureStarted { .. } = event.kind {
            self.failures[service] = id.k.saturating_add(1);
            self.open[service] = Some((
                id,
                event.t,
                CostMeter::new(self.scenario, service, self.strategy),
            ));
            if self.first.is_none() {
                self.first = Some(IncidentSummary {
                    id,
                    start: event.t,
                    cost: 0.0,
                });
            }
        }
        if let Some((_, _, meter)) = self.open[service].as_mut() {
            meter.apply(self.scenario, event);
        }
        match event.kind {
            EventKind::Resolved { averted: true, .. } | EventKind::OutageEnded { .. } => {
                self.close(service)
            }
            _ => {}
        }
    }
}
