//! One preventive maintenance's story (docs/model.md §8.6): it falls due, waits in its tier's
//! queue (for its window or a free engineer), takes the service down as planned, and renews it
//! — or a failure comes first and withdraws it. `incsim timeline --maintenance` tells it.
//!
//! Like the incident story, everything but money comes from the events (the tier, the wait,
//! the planned duration); the scenario is read for the rates and the plan's words.

use crate::events::{Event, EventKind, EventSink, IncidentId, MaintenanceId, TierId, WorkItem};
use crate::scenario::{Maintenance, Minutes, Scenario};

/// What one maintenance has cost so far: its service's planned downtime and the engineer time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MaintenanceCost {
    /// Minutes the maintained service was down as planned (cut at the horizon).
    pub planned_minutes: Minutes,
    /// Planned minutes × the service's downtime rate × its `planned_downtime_cost_fraction`.
    pub planned_cost: f64,
    /// Busy minutes of the engineer who maintained (cut at the horizon).
    pub labor_minutes: Minutes,
    /// Busy minutes × the tier's hourly cost (the strategy's tier overrides applied).
    pub labor_cost: f64,
}

impl MaintenanceCost {
    /// Planned downtime + labour.
    pub fn total(&self) -> f64 {
        self.planned_cost + self.labor_cost
    }
}

/// One moment of a maintenance's story.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaintenanceBeat {
    /// It fell due; its item joined `tier`'s queue.
    Due { tier: TierId },
    /// An engineer of `tier` took it after `waited` minutes in the queue; the service is down
    /// as planned for `duration` minutes.
    Started {
        tier: TierId,
        waited: Minutes,
        duration: Minutes,
    },
    /// It is over: the service is up and renewed (age 0).
    Done { tier: TierId, worked: Minutes },
    /// The service failed while the item waited (`by`: that failure's incident, where the
    /// stream named it): the item is dropped and the repair restarts the maintenance clock.
    Withdrawn {
        tier: TierId,
        by: Option<IncidentId>,
    },
    /// The horizon came before it ended.
    CutOff,
}

/// A beat, when it happened, and the maintenance's cost by then.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaintenanceLine {
    pub t: Minutes,
    pub beat: MaintenanceBeat,
    pub cost: MaintenanceCost,
}

/// One maintenance, told.
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceStory {
    pub id: MaintenanceId,
    /// The strategy whose plan it belongs to.
    pub strategy: usize,
    /// When it fell due.
    pub due: Minutes,
    pub lines: Vec<MaintenanceLine>,
    /// Its cost at the end of the story.
    pub cost: MaintenanceCost,
}

impl MaintenanceStory {
    /// Whether it ran to the end (the service renewed).
    pub fn done(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.beat, MaintenanceBeat::Done { .. }))
    }
}

/// The strategy's maintenance plan that covers `service`, if any.
pub fn plan_for(scenario: &Scenario, strategy: usize, service: usize) -> Option<&Maintenance> {
    scenario.strategies[strategy]
        .maintenance
        .iter()
        .find(|p| p.services.contains(&service))
}

/// Folds one replication's events into the story of the maintenance `target`.
#[derive(Debug)]
pub struct MaintenanceStoryProjection<'a> {
    scenario: &'a Scenario,
    strategy: usize,
    target: MaintenanceId,
    horizon: Minutes,
    story: Option<MaintenanceStory>,
    /// `work_started` of the target: (when, waited) — `maintenance_started` follows at once.
    taken: Option<(Minutes, Minutes)>,
    /// The planned stretch under way: (start, end, planned cost per minute, labour per minute).
    under_way: Option<(Minutes, Minutes, f64, f64)>,
    /// The service's latest failure (its start and incident), to name what withdrew the item.
    last_failure: Option<(Minutes, IncidentId)>,
    /// The item was withdrawn at this instant and its failure is not yet seen.
    withdrawn_at: Option<Minutes>,
}

impl<'a> MaintenanceStoryProjection<'a> {
    /// A projection that tells `target` under `strategy`.
    pub fn new(scenario: &'a Scenario, strategy: usize, target: MaintenanceId) -> Self {
        MaintenanceStoryProjection {
            scenario,
            strategy,
            target,
            horizon: scenario.simulation.horizon_minutes,
            story: None,
            taken: None,
            under_way: None,
            last_failure: None,
            withdrawn_at: None,
        }
    }

    /// The story, if the maintenance fell due before the horizon.
    pub fn into_story(self) -> Option<MaintenanceStory> {
        self.story
    }

    /// The cost accrued by `t`.
    fn cost_at(&self, t: Minutes) -> MaintenanceCost {
        let mut c = self.story.as_ref().map(|s| s.cost).unwrap_or_default();
        if let Some((start, end, planned_rate, labor_rate)) = self.under_way {
            let busy = (end.min(self.horizon).min(t) - start).max(0.0);
            c.planned_minutes += busy;
            c.planned_cost += busy * planned_rate;
            c.labor_minutes += busy;
            c.labor_cost += busy * labor_rate;
        }
        c
    }

    fn push(&mut self, t: Minutes, beat: MaintenanceBeat) {
        let cost = self.cost_at(t);
        if let Some(story) = self.story.as_mut() {
            story.lines.push(MaintenanceLine { t, beat, cost });
        }
    }

    /// Close the planned stretch into the story's cost at `t`.
    fn settle(&mut self, t: Minutes) {
        let cost = self.cost_at(t);
        self.under_way = None;
        if let Some(story) = self.story.as_mut() {
            story.cost = cost;
        }
    }
}

impl EventSink for MaintenanceStoryProjection<'_> {
    fn begin(&mut self, _rep: u64, strategy: usize) {
        self.strategy = strategy;
    }

    fn emit(&mut self, event: &Event) {
        let t = event.t;
        let target = self.target;
        match event.kind {
            EventKind::FailureStarted { incident, .. } if incident.service == target.service => {
                self.last_failure = Some((t, incident));
                if self.withdrawn_at == Some(t) {
                    self.withdrawn_at = None;
                    if let Some(MaintenanceLine {
                        beat: MaintenanceBeat::Withdrawn { by, .. },
                        ..
                    }) = self.story.as_mut().and_then(|s| s.lines.last_mut())
                    {
                        *by = Some(incident);
                    }
                }
            }
            EventKind::MaintenanceDue { maintenance, tier } if maintenance == target => {
                self.story = Some(MaintenanceStory {
                    id: target,
                    strategy: self.strategy,
                    due: t,
                    lines: Vec::new(),
                    cost: MaintenanceCost::default(),
                });
                self.push(t, MaintenanceBeat::Due { tier });
            }
            EventKind::WorkStarted {
                item: WorkItem::Maintenance(maintenance),
                waited,
                ..
            } if maintenance == target => self.taken = Some((t, waited)),
            EventKind::MaintenanceStarted {
                maintenance,
                tier,
                duration,
            } if maintenance == target => {
                let service = &self.scenario.services[target.service as usize];
                let planned_rate =
                    service.downtime_cost_per_hour / 60.0 * service.planned_downtime_cost_fraction;
                let labor_rate =
                    self.scenario.tiers_of(self.strategy)[tier as usize].hourly_cost / 60.0;
                let waited = self.taken.map_or(0.0, |(_, waited)| waited);
                self.push(
                    t,
                    MaintenanceBeat::Started {
                        tier,
                        waited,
                        duration,
                    },
                );
                self.under_way = Some((t, t + duration, planned_rate, labor_rate));
            }
            EventKind::MaintenanceDone { maintenance, tier } if maintenance == target => {
                let worked = self.under_way.map_or(0.0, |(start, ..)| t - start);
                self.settle(t);
                self.push(t, MaintenanceBeat::Done { tier, worked });
            }
            EventKind::MaintenanceWithdrawn { maintenance, tier } if maintenance == target => {
                // The failure that withdrew it may come just before or just after, at `t`.
                let by = self
                    .last_failure
                    .filter(|&(at, _)| at == t)
                    .map(|(_, incident)| incident);
                if by.is_none() {
                    self.withdrawn_at = Some(t);
                }
                self.push(t, MaintenanceBeat::Withdrawn { tier, by });
            }
            EventKind::HorizonReached => {
                let open = self.story.as_ref().is_some_and(|s| {
                    !s.lines.iter().any(|l| {
                        matches!(
                            l.beat,
                            MaintenanceBeat::Done { .. } | MaintenanceBeat::Withdrawn { .. }
                        )
                    })
                });
                if open {
                    self.settle(t);
                    self.push(t, MaintenanceBeat::CutOff);
                }
            }
            _ => {}
        }
    }
}

/// Counts, in one replication of one strategy, the maintenances of each service: which fell
/// due and which were carried out (memory flat: a few numbers per service).
#[derive(Debug, Clone)]
pub struct MaintenancePicker {
    /// Maintenances that fell due, per service (= the next n).
    pub due: Vec<u32>,
    /// The first maintenance of each service that an engineer started.
    pub first_started: Vec<Option<MaintenanceId>>,
}

impl MaintenancePicker {
    /// An empty picker for `scenario`'s services.
    pub fn new(scenario: &Scenario) -> Self {
        MaintenancePicker {
            due: vec![0; scenario.services.len()],
            first_started: vec![None; scenario.services.len()],
        }
    }
}

impl EventSink for MaintenancePicker {
    fn emit(&mut self, event: &Event) {
        match event.kind {
            EventKind::MaintenanceDue { maintenance, .. } => {
                self.due[maintenance.service as usize] += 1;
            }
            EventKind::MaintenanceStarted { maintenance, .. } => {
                self.first_started[maintenance.service as usize].get_or_insert(maintenance);
            }
            _ => {}
        }
    }
}
