//! The incident drill (issue 17): a team plays one incident of their own scenario, making the
//! calls at the model's decision points while the rest of the organisation follows the
//! strategy; then a debrief against the playbooks on the same failure.
//!
//! A drill is one replication simulated with a [`DrillSink`] as the model's sink: it keeps the
//! team's [`IncidentStory`], narrates what the team could know (the [`narrate`] rules: never
//! the fix duration before the fix ends, never the warning before the outage starts) and, as
//! the model's [`Decider`], answers the decision points of the drilled incident through a
//! [`Caller`]: the playbook, a decisions file, a prefix of calls (the debrief's
//! counterfactuals) or a person at a terminal. Decision points of other incidents follow the
//! strategy's rules. A caller that always answers the playbook changes nothing: the drill is
//! then `incsim timeline` of the same incident, event for event.

pub mod debrief;
pub mod narrate;
pub mod script;

use std::io::{BufRead, Write};

use crate::events::{
    Decider, Decision, DecisionPoint, Event, EventKind, EventSink, IncidentId, ProblemId, WorkItem,
};
use crate::model::Simulator;
use crate::projections::incident::{IncidentStory, StoryProjection};
use crate::scenario::{Minutes, Scenario};

pub use script::{Script, ScriptError};

/// Who makes the drilled incident's calls.
pub enum Caller<'i> {
    /// The strategy's rules (`--policy`).
    Playbook,
    /// A decisions file (`--decisions`); the points it has no line for follow the playbook.
    Script(Script),
    /// These calls at the first decision points, then the playbook.
    Prefix(Vec<Decision>),
    /// A person typing at a terminal.
    Interactive(Box<dyn BufRead + 'i>),
}

/// Who made a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalledBy {
    /// The strategy's rule (no line, or the playbook caller).
    Playbook,
    /// The team: typed, or line `n` of the decisions file (0 when typed or replayed).
    Team { line: usize },
}

/// One decision point of the drilled incident and the call made there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Taken {
    /// The point, as the model asked.
    pub point: DecisionPoint,
    /// The call.
    pub decision: Decision,
    /// Who made it.
    pub by: CalledBy,
}

/// Why a drill stopped.
#[derive(Debug)]
pub enum DrillError {
    /// A bad decisions file.
    Script(ScriptError),
    /// The terminal's input ended before the incident was over.
    InputEnded,
    /// Writing the transcript failed.
    Io(std::io::Error),
}

impl std::fmt::Display for DrillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrillError::Script(e) => e.fmt(f),
            DrillError::InputEnded => write!(
                f,
                "the input ended before the incident was over\n  help: run the drill in a terminal, or give --decisions FILE or --policy NAME"
            ),
            DrillError::Io(e) => write!(f, "cannot write the drill's transcript: {e}"),
        }
    }
}

impl std::error::Error for DrillError {}

/// The drilled incident: which replication, strategy and failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrillSetup {
    /// Strategy index whose rules the rest of the organisation follows.
    pub strategy: usize,
    /// Replication.
    pub rep: u64,
    /// The incident the team plays.
    pub incident: IncidentId,
}

/// What the drilled incident left behind: the failures that recurred from its root cause
/// before the horizon (model.md §8.8: a workaround leaves it), and the labour of the
/// root-cause fixes (problems, §8.9) of that chain. A workaround's or a problem's worth shows
/// here, not in the incident's own cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Aftermath {
    /// Failures that recurred from the incident's root cause, one after another.
    pub recurrences: u32,
    /// Their outage minutes.
    pub outage_minutes: Minutes,
    /// Their downtime and labour, plus the problem fixes' labour (up to the horizon).
    pub cost: f64,
}

/// Follows the chain of recurrences after the drilled incident: incident k + 1 is watched
/// (its story built) and counted if it recurred, then k + 2, and so on; the first incident of
/// the service that did not recur ends the chain.
struct AftermathMeter<'a> {
    scenario: &'a Scenario,
    strategy: usize,
    target: IncidentId,
    next: StoryProjection<'a>,
    next_id: IncidentId,
    next_recurred: bool,
    over: bool,
    sum: Aftermath,
}

impl<'a> AftermathMeter<'a> {
    fn new(scenario: &'a Scenario, strategy: usize, target: IncidentId) -> Self {
        let next_id = IncidentId {
            service: target.service,
            k: target.k + 1,
        };
        AftermathMeter {
            scenario,
            strategy,
            target,
            next: StoryProjection::new(scenario, strategy, next_id),
            next_id,
            next_recurred: false,
            over: false,
            sum: Aftermath::default(),
        }
    }

    fn count_next(&mut self) {
        if let Some(story) = self.next.story() {
            self.sum.recurrences += 1;
            self.sum.outage_minutes += story.cost.outage_minutes;
            self.sum.cost += story.cost.total();
        }
    }

    fn emit(&mut self, event: &Event) {
        if self.over {
            return;
        }
        // A root-cause fix of this chain: the drilled incident's problem or a recurrence's.
        if let EventKind::WorkStarted {
            item: WorkItem::Problem(ProblemId(opener)),
            tier,
            duration,
            ..
        } = event.kind
            && opener.service == self.target.service
            && (self.target.k..self.next_id.k + 1).contains(&opener.k)
        {
            let horizon = self.scenario.simulation.horizon_minutes;
            let busy = (event.t + duration).min(horizon) - event.t;
            self.sum.cost += busy.max(0.0) * self.scenario.tiers[tier as usize].hourly_cost / 60.0;
        }
        self.next.emit(event);
        if let EventKind::Recurred { incident, .. } = event.kind
            && incident == self.next_id
        {
            self.next_recurred = true;
        }
        if self.next.story().is_some() && self.next.is_finished() {
            if !self.next_recurred {
                self.over = true;
                return;
            }
            self.count_next();
            self.next_id.k += 1;
            self.next = StoryProjection::new(self.scenario, self.strategy, self.next_id);
            self.next_recurred = false;
        }
    }

    /// After the run (a recurrence open at the horizon was counted up to it above).
    fn finish(self) -> Aftermath {
        self.sum
    }
}

/// What a drill produced.
#[derive(Debug, Clone)]
pub struct DrillOutcome {
    /// The team's story of the incident (as `incsim timeline` tells it).
    pub story: IncidentStory,
    /// The recurrences its root cause caused, and their problems' work.
    pub aftermath: Aftermath,
    /// Every decision point of the incident, in order, with its call.
    pub taken: Vec<Taken>,
}

/// The model's sink during a drill: story, narration, and the drilled incident's calls.
pub struct DrillSink<'a, 'i> {
    target: IncidentId,
    story: StoryProjection<'a>,
    aftermath: AftermathMeter<'a>,
    narrator: narrate::Narrator<'a>,
    out: &'i mut dyn Write,
    caller: Caller<'i>,
    taken: Vec<Taken>,
    error: Option<DrillError>,
}

impl<'a, 'i> DrillSink<'a, 'i> {
    fn new(
        scenario: &'a Scenario,
        setup: DrillSetup,
        caller: Caller<'i>,
        out: &'i mut dyn Write,
    ) -> Self {
        DrillSink {
            target: setup.incident,
            story: StoryProjection::new(scenario, setup.strategy, setup.incident),
            aftermath: AftermathMeter::new(scenario, setup.strategy, setup.incident),
            narrator: narrate::Narrator::new(scenario, setup.strategy, setup.incident),
            out,
            caller,
            taken: Vec::new(),
            error: None,
        }
    }

    fn write(&mut self, text: &str) {
        if self.error.is_none()
            && let Err(e) = self
                .out
                .write_all(text.as_bytes())
                .and_then(|_| self.out.flush())
        {
            self.error = Some(DrillError::Io(e));
        }
    }

    /// The team's call, or the playbook's; errors are kept for after the run.
    fn call(&mut self, point: &DecisionPoint) -> (Decision, CalledBy) {
        let playbook = (point.playbook, CalledBy::Playbook);
        if self.error.is_some() {
            return playbook;
        }
        let narrator = &self.narrator;
        match &mut self.caller {
            Caller::Playbook => playbook,
            Caller::Prefix(calls) => match calls.get(self.taken.len()) {
                Some(&d) => (d, CalledBy::Team { line: 0 }),
                None => playbook,
            },
            Caller::Script(script) => match script.call(point, || narrator.situation(point)) {
                Ok(Some((d, line))) => (d, CalledBy::Team { line }),
                Ok(None) => playbook,
                Err(e) => {
                    self.error = Some(DrillError::Script(e));
                    playbook
                }
            },
            Caller::Interactive(input) => {
                let mut line = String::new();
                loop {
                    line.clear();
                    match input.read_line(&mut line) {
                        Ok(0) | Err(_) => {
                            self.error = Some(DrillError::InputEnded);
                            return playbook;
                        }
                        Ok(_) => {}
                    }
                    match narrate::read_choice(&line, point.choices) {
                        Some(d) => return (d, CalledBy::Team { line: 0 }),
                        None => {
                            let again = narrate::retry_prompt(&line, point.choices);
                            if let Err(e) = self.out.write_all(again.as_bytes()) {
                                self.error = Some(DrillError::Io(e));
                                return playbook;
                            }
                            let _ = self.out.flush();
                        }
                    }
                }
            }
        }
    }
}

impl EventSink for DrillSink<'_, '_> {
    fn emit(&mut self, event: &Event) {
        self.story.emit(event);
        self.aftermath.emit(event);
        if let Some(text) = self.narrator.see(event, &self.story) {
            self.write(&text);
        }
    }

    fn decider(&mut self) -> Option<&mut dyn Decider> {
        Some(self)
    }
}

impl Decider for DrillSink<'_, '_> {
    fn decide(&mut self, point: &DecisionPoint) -> Decision {
        if point.incident != self.target {
            return point.playbook;
        }
        let interactive = matches!(self.caller, Caller::Interactive(_));
        let prompt = self.narrator.prompt(point, &self.story, interactive);
        self.write(&prompt);
        let (decision, by) = self.call(point);
        let echo = self.narrator.echo(point, decision, by);
        self.write(&echo);
        self.taken.push(Taken {
            point: *point,
            decision,
            by,
        });
        decision
    }
}

/// Play the drill: simulate the replication with `caller` making the drilled incident's calls,
/// writing what the team sees to `out`. `pin` starts the incident at that minute (the
/// debrief's pinned clock); `None` lets it start when its draws say.
pub fn play(
    scenario: &Scenario,
    setup: DrillSetup,
    caller: Caller<'_>,
    pin: Option<Minutes>,
    out: &mut dyn Write,
) -> Result<DrillOutcome, DrillError> {
    let mut sink = DrillSink::new(scenario, setup, caller, out);
    let mut sim = Simulator::new();
    if let Some(at) = pin {
        sim.pin_failure_start(setup.incident, at);
    }
    sim.run(scenario, setup.strategy, setup.rep, &mut sink);
    if let Some(e) = sink.error.take() {
        return Err(e);
    }
    let DrillSink {
        story,
        aftermath,
        caller,
        taken,
        ..
    } = sink;
    let aftermath = aftermath.finish();
    let story = story.into_story().ok_or_else(|| {
        DrillError::Script(ScriptError {
            file: "<drill>".into(),
            line: 0,
            message: "the incident does not start before the horizon".into(),
            help: "pick an incident that happens (see incsim timeline)".into(),
        })
    })?;
    if let Caller::Script(script) = &caller {
        let how = if story.averted {
            "fixed (outage averted)"
        } else if story.resolved {
            "fixed"
        } else {
            "cut off by the horizon"
        };
        script
            .leftover(story.end, how)
            .map_err(DrillError::Script)?;
    }
    Ok(DrillOutcome {
        story,
        aftermath,
        taken,
    })
}

/// The story of an incident under a strategy's rules alone (no drill), its start pinned at
/// `pin` if given: the reference timelines of the debrief and of `timeline --compare`.
pub fn playbook_story(
    scenario: &Scenario,
    strategy: usize,
    rep: u64,
    incident: IncidentId,
    pin: Option<Minutes>,
) -> Option<IncidentStory> {
    let mut story = StoryProjection::new(scenario, strategy, incident);
    let mut sim = Simulator::new();
    if let Some(at) = pin {
        sim.pin_failure_start(incident, at);
    }
    sim.run(scenario, strategy, rep, &mut story);
    story.into_story()
}
