//! What the team sees during a drill: only what the people working the incident could know.
//!
//! Nothing is shown before the incident is detected (its start, its warning, a silent outage).
//! After detection: alerts, reports, queues, pick-ups, escalations, pages, more users
//! reporting, and the outage once it begins (its degraded time is then known, not before).
//! The hands-on work a fix needs is told only when the fix is done; a pick-up never says
//! whether the tier can fix it (the decision points are the same either way).

use crate::drill::CalledBy;
use crate::eventlog::SimClock;
use crate::events::{Choices, Decision, DecisionPoint, Detection, Event, EventKind, IncidentId};
use crate::export::timeline::story_minutes;
use crate::format::money;
use crate::projections::incident::StoryProjection;
use crate::scenario::{Minutes, Scenario, calendar};

/// Tells the drilled incident as the team lives it.
#[derive(Debug, Clone)]
pub struct Narrator<'a> {
    scenario: &'a Scenario,
    strategy: usize,
    target: IncidentId,
    detected_at: Option<Minutes>,
    /// The tier working the incident now (a second `work_started` there is more troubleshooting).
    working: Option<u32>,
    /// Hands-on minutes of the job under way (told only when it fixes the incident).
    job_minutes: Minutes,
    paged_at: Minutes,
    reports: u32,
    deflected: u32,
    over: bool,
}

/// The next moment a tier has a shift open, at or after `t` (infinite: never).
pub fn next_opening(scenario: &Scenario, tier: usize, t: Minutes) -> Minutes {
    let site = scenario.simulation.utc_offset_minutes;
    let tier = &scenario.tiers[tier];
    (0..tier.shift_count())
        .map(|i| {
            let shift = tier.shift(i, site);
            calendar::next_opening(shift.hours, t, shift.ahead_minutes)
        })
        .fold(Minutes::INFINITY, Minutes::min)
}

impl<'a> Narrator<'a> {
    /// A narrator of `target` under strategy index `strategy`.
    pub fn new(scenario: &'a Scenario, strategy: usize, target: IncidentId) -> Self {
        Narrator {
            scenario,
            strategy,
            target,
            detected_at: None,
            working: None,
            job_minutes: 0.0,
            paged_at: 0.0,
            reports: 0,
            deflected: 0,
            over: false,
        }
    }

    fn tier(&self, t: u32) -> &str {
        &self.scenario.tiers[t as usize].name
    }

    fn line(&self, t: Minutes, text: &str, story: &StoryProjection) -> String {
        format!(
            "{}  {text}  [cost so far {}]\n",
            SimClock::at(t),
            money(story.cost_at(t).total(), &self.scenario.currency)
        )
    }

    /// The line the team sees for `event`, if any (after `story` has applied it).
    pub fn see(&mut self, event: &Event, story: &StoryProjection) -> Option<String> {
        // Changes to the service are work the team itself sees deployed (model.md §8.12):
        // the one that fails starts the exercise's incident; later ones land during it.
        if let EventKind::ChangeDeployed { change, .. } = event.kind
            && !self.over
            && change.service == self.target.service
            && (IncidentId::of_change(change) == self.target || self.detected_at.is_some())
        {
            let svc = &self.scenario.services[change.service as usize].name;
            return Some(self.line(event.t, &format!("a change is deployed to {svc}"), story));
        }
        // The team also sees what the outage does to the services that depend on it: their
        // users' symptom incidents (model.md §8.11).
        if !self.over {
            let root_name = &self.scenario.services[self.target.service as usize].name;
            let text = match event.kind {
                EventKind::SymptomOpened { incident, root } if root == self.target.service => {
                    let d = &self.scenario.services[incident.service as usize].name;
                    Some(format!(
                        "{d} is down because {root_name} is down: its users report it ({} at {})",
                        crate::eventlog::incident_name(self.scenario, incident),
                        self.tier(0)
                    ))
                }
                EventKind::SymptomLinked { incident, root } if root == self.target.service => {
                    let d = &self.scenario.services[incident.service as usize].name;
                    Some(format!(
                        "the service map links {d}'s symptom incident to this one: nobody chases it"
                    ))
                }
                _ => None,
            };
            if let Some(text) = text {
                return Some(self.line(event.t, &text, story));
            }
        }
        if self.over || event.kind.incident() != Some(self.target) {
            if matches!(event.kind, EventKind::HorizonReached)
                && !self.over
                && (self.detected_at.is_some() || story.story().is_some())
            {
                self.over = true;
                return Some(self.line(
                    event.t,
                    "the simulated horizon ends the exercise: the incident is still open",
                    story,
                ));
            }
            return None;
        }
        let svc = &self.scenario.services[self.target.service as usize].name;
        let t = event.t;
        let text = match event.kind {
            EventKind::AlertFired { detection, .. } => match detection {
                Detection::Degradation => format!("ALERT: monitoring sees {svc} degrading"),
                _ => format!("ALERT: the uptime check sees {svc} down"),
            },
            EventKind::UserReported { .. } => format!("a user calls: {svc} is down"),
            EventKind::IncidentOpened {
                tier,
                routed_direct,
                ..
            } => {
                self.detected_at = Some(t);
                if routed_direct {
                    format!(
                        "known signature: the incident goes straight to {}",
                        self.tier(tier)
                    )
                } else {
                    format!("an incident is opened at {}", self.tier(tier))
                }
            }
            EventKind::OutageStarted { .. } if self.detected_at.is_some() => {
                format!("{svc} is now DOWN")
            }
            EventKind::Queued {
                tier,
                tier_open: false,
                ..
            } => {
                self.working = None;
                let opens = next_opening(self.scenario, tier as usize, t);
                let when = if opens.is_finite() {
                    format!("until {}", SimClock::at(opens))
                } else {
                    "at all".to_string()
                };
                format!("{} has nobody on duty {when}", self.tier(tier))
            }
            EventKind::Queued { .. } => {
                self.working = None;
                return None;
            }
            EventKind::WorkStarted {
                tier,
                duration,
                waited,
                ..
            } => {
                self.job_minutes = duration;
                if self.working == Some(tier) {
                    format!("{} keeps troubleshooting", self.tier(tier))
                } else {
                    self.working = Some(tier);
                    let wait = if waited > 0.0 {
                        format!(" after {} in the queue", story_minutes(waited))
                    } else {
                        String::new()
                    };
                    format!("{} takes it{wait}", self.tier(tier))
                }
            }
            EventKind::Escalated {
                from, to, handoff, ..
            } => {
                self.working = None;
                format!(
                    "escalated from {} to {} (handoff {})",
                    self.tier(from),
                    self.tier(to),
                    story_minutes(handoff)
                )
            }
            EventKind::HandedOff { tier, .. } => format!("{} has the incident", self.tier(tier)),
            EventKind::Paged { tier, asleep, .. } => {
                self.paged_at = t;
                format!(
                    "{}'s on-call engineer is paged{}",
                    self.tier(tier),
                    if asleep { " (at night: asleep)" } else { "" }
                )
            }
            EventKind::Acknowledged { tier, .. } => format!(
                "{}'s on-call engineer acknowledges after {}",
                self.tier(tier),
                story_minutes(t - self.paged_at)
            ),
            EventKind::TicketFiled { .. } | EventKind::TicketDeflected { .. } => {
                if matches!(event.kind, EventKind::TicketDeflected { .. }) {
                    self.deflected += 1;
                } else {
                    self.reports += 1;
                }
                let n = 1 + self.reports + self.deflected;
                if !matches!(n, 2 | 5 | 10 | 20 | 50 | 100 | 200 | 500 | 1000) {
                    return None;
                }
                format!("{n} users have reported it so far")
            }
            EventKind::Resolved { tier, averted, .. } => {
                self.over = true;
                let work = story_minutes(self.job_minutes);
                let c = story.cost_at(t);
                if averted {
                    format!(
                        "FIXED at {} after {work} of hands-on work, before users noticed: outage averted",
                        self.tier(tier)
                    )
                } else {
                    format!(
                        "FIXED at {} after {work} of hands-on work: {svc} is back up after {} down",
                        self.tier(tier),
                        story_minutes(c.outage_minutes)
                    )
                }
            }
            _ => return None,
        };
        Some(self.line(t, &text, story))
    }

    /// The decision point in words (for prompts and errors).
    pub fn situation(&self, point: &DecisionPoint) -> String {
        use crate::events::Situation;
        let tier = self.tier(point.tier);
        match point.situation {
            Situation::WaitingClosed => {
                let opens = next_opening(self.scenario, point.tier as usize, point.t);
                if opens.is_finite() {
                    format!("{tier} has nobody on duty until {}", SimClock::at(opens))
                } else {
                    format!("{tier} has nobody on duty")
                }
            }
            Situation::PickedUp => format!("{tier} has taken the incident"),
            Situation::TimeBoxOver => format!(
                "{tier} has troubleshot for its {} time box without a fix",
                story_minutes(self.scenario.strategies[self.strategy].escalate_after)
            ),
        }
    }

    /// A choice in words.
    /// `mode`: the incident's failure mode (the problem's fixer may depend on it).
    fn choice_text(&self, point: &DecisionPoint, decision: Decision, mode: usize) -> String {
        let tier = self.tier(point.tier);
        let strategy = &self.scenario.strategies[self.strategy];
        match decision {
            Decision::Troubleshoot => match point.situation {
                crate::events::Situation::TimeBoxOver => format!(
                    "keep troubleshooting at {tier} for another {}",
                    story_minutes(strategy.escalate_after)
                ),
                _ => format!("work on it at {tier}"),
            },
            Decision::Escalate => format!(
                "escalate to {} now (handoff {})",
                self.tier(point.tier + 1),
                story_minutes(strategy.handoff)
            ),
            Decision::Wait => format!("wait for {tier} to open"),
            Decision::Workaround => {
                "apply the known workaround (restart) instead of a time box".to_string()
            }
            Decision::Page => format!("page {tier}'s on-call engineer"),
            Decision::Problem => {
                let service = &self.scenario.services[point.incident.service as usize];
                let mode = &service.modes[mode.min(service.modes.len() - 1)];
                let fixer = crate::model::problem_plan(self.scenario, strategy, mode).0;
                format!(
                    "open a problem: a root-cause fix at {} (then choose what to do now)",
                    self.tier(fixer as u32)
                )
            }
        }
    }

    /// The decision prompt: the situation, the running cost, the choices with their keys.
    pub fn prompt(
        &self,
        point: &DecisionPoint,
        story: &StoryProjection,
        interactive: bool,
    ) -> String {
        let mut out = format!(
            "\n  DECISION at {}: {} [cost so far {}]\n",
            SimClock::at(point.t),
            self.situation(point),
            money(story.cost_at(point.t).total(), &self.scenario.currency)
        );
        let mode = story.story().map_or(0, |s| s.mode as usize);
        for d in point.choices.iter() {
            out.push_str(&format!(
                "    [{}] {:<13} {}\n",
                key(d),
                d.name(),
                self.choice_text(point, d, mode)
            ));
        }
        if interactive {
            out.push_str("  your call> ");
        }
        out
    }

    /// The call made, as the transcript records it.
    pub fn echo(&self, _point: &DecisionPoint, decision: Decision, by: CalledBy) -> String {
        let who = match by {
            CalledBy::Playbook => " (the playbook)".to_string(),
            CalledBy::Team { line: 0 } => String::new(),
            CalledBy::Team { line } => format!(" (decisions file, line {line})"),
        };
        format!("  → {}{who}\n", decision.name())
    }
}

/// The one-letter key of a decision: its first letter, `a` (apply) for the workaround, `o`
/// (open) for a problem.
pub fn key(decision: Decision) -> char {
    match decision {
        Decision::Workaround => 'a',
        Decision::Problem => 'o',
        _ => decision.name().chars().next().unwrap_or('?'),
    }
}

/// The decision a typed line names (its key or its word), if it is among the choices.
pub fn read_choice(line: &str, choices: Choices) -> Option<Decision> {
    let word = line.trim().to_ascii_lowercase();
    choices
        .iter()
        .find(|d| word == d.name() || (word.chars().count() == 1 && word.starts_with(key(*d))))
}

/// What to say when a typed line is not one of the choices.
pub fn retry_prompt(line: &str, choices: Choices) -> String {
    let keys: Vec<String> = choices
        .iter()
        .map(|d| format!("{} ({})", key(d), d.name()))
        .collect();
    format!(
        "  {:?} is not a choice here: type one of {}\n  your call> ",
        line.trim(),
        keys.join(", ")
    )
}
