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

use crate::events::{Decider, Decision, DecisionPoint, Event, EventSink, IncidentId};
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

/// What a drill produced.
#[derive(Debug, Clone)]
pub struct DrillOutcome {
    /// The team's story of the incident (as `incsim timeline` tells it).
    pub story: IncidentStory,
    /// Every decision point of the incident, in order, with its call.
    pub taken: Vec<Taken>,
}

/// The model's sink during a drill: story, narration, and the drilled incident's calls.
pub struct DrillSink<'a, 'i> {
    target: IncidentId,
    story: StoryProjection<'a>,
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
        caller,
        taken,
        ..
    } = sink;
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
    Ok(DrillOutcome { story, taken })
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
