//! The facilitator's debrief: the team's timeline beside each strategy's playbook on the *same*
//! failure on the *same* clock, what each call gained or lost, a score, and questions for the
//! discussion drawn from the calls that lost the most.
//!
//! **Pinned clock.** The references are simulated with the drilled failure's start pinned at
//! the team's start (the model's [`pin_failure_start`](crate::model::Simulator::pin_failure_start)):
//! same mode, warning, fix and report delay (common random numbers), same moment of the week,
//! so the difference is the rules, not the clock.
//!
//! **What a call gained or lost.** Call *i* is valued by two runs that differ in it alone: the
//! team's first *i* calls then the playbook, against the team's first *i + 1* calls then the
//! playbook. Each run's cost is the incident's plus its [`Aftermath`](crate::drill::Aftermath)
//! (the failures that recurred from its root cause, and the root-cause fixes' labour), so
//! a workaround pays for its recurrences and a problem earns the ones it prevents. The values
//! add up exactly to the team's cost minus the playbook's (the sum telescopes; with no
//! recurrence, the incidents' costs); a call equal to the playbook's is worth 0.
//!
//! **Score.** 100 × the cheapest of (every playbook, the team) ÷ the team's cost, rounded: 100
//! means no playbook did this incident cheaper than the team.

use crate::drill::{CalledBy, Caller, DrillError, DrillOutcome, DrillSetup, Taken, narrate, play};
use crate::eventlog::SimClock;
use crate::events::{Decision, Situation};
use crate::export::timeline::story_minutes;
use crate::format::money;
use crate::projections::incident::IncidentStory;
use crate::scenario::{Minutes, Scenario};

/// What one call gained or lost against the playbook's call at the same point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallValue {
    /// The call.
    pub taken: Taken,
    /// Incident cost with this call minus with the playbook's (negative: money saved).
    pub cost_delta: f64,
    /// Outage minutes with this call minus with the playbook's.
    pub outage_delta: Minutes,
}

/// The debrief of one drill.
#[derive(Debug, Clone)]
pub struct Debrief {
    /// The drill's setup.
    pub setup: DrillSetup,
    /// The team's story.
    pub team: IncidentStory,
    /// Each strategy's playbook story of the same failure, pinned at the team's start
    /// (`None`: its previous failure was still open at the horizon).
    pub references: Vec<(usize, Option<IncidentStory>)>,
    /// Every call of the team, valued.
    pub values: Vec<CallValue>,
    /// 0–100 (see the module's doc).
    pub score: u32,
    /// Questions for the discussion.
    pub questions: Vec<String>,
}

impl Debrief {
    /// The moment every timeline of the debrief starts.
    pub fn pinned_at(&self) -> Minutes {
        self.team.start
    }

    /// The cheapest reference: (strategy index, its cost).
    pub fn cheapest_reference(&self) -> Option<(usize, f64)> {
        self.references
            .iter()
            .filter_map(|(s, story)| story.as_ref().map(|st| (*s, st.cost.total())))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Build the debrief of a drill: reference runs, counterfactual runs per call, score, questions.
pub fn debrief(
    scenario: &Scenario,
    setup: DrillSetup,
    outcome: &DrillOutcome,
) -> Result<Debrief, DrillError> {
    let pinned = outcome.story.start;
    let references: Vec<(usize, Option<IncidentStory>)> = (0..scenario.strategies.len())
        .map(|s| {
            (
                s,
                crate::drill::playbook_story(scenario, s, setup.rep, setup.incident, Some(pinned)),
            )
        })
        .collect();

    // Cost after the first j calls of the team, then the playbook (j = 0 … n).
    let calls: Vec<Decision> = outcome.taken.iter().map(|t| t.decision).collect();
    let mut sink = std::io::sink();
    let mut prefix_costs: Vec<(f64, Minutes)> = Vec::with_capacity(calls.len() + 1);
    for j in 0..=calls.len() {
        let same_as_before =
            j > 0 && outcome.taken[j - 1].decision == outcome.taken[j - 1].point.playbook;
        if same_as_before {
            let last = *prefix_costs.last().expect("j > 0");
            prefix_costs.push(last);
            continue;
        }
        let run = play(
            scenario,
            setup,
            Caller::Prefix(calls[..j].to_vec()),
            None,
            &mut sink,
        )?;
        prefix_costs.push((
            run.story.cost.total() + run.aftermath.cost,
            run.story.cost.outage_minutes + run.aftermath.outage_minutes,
        ));
    }
    let values: Vec<CallValue> = outcome
        .taken
        .iter()
        .enumerate()
        .map(|(i, taken)| CallValue {
            taken: *taken,
            cost_delta: prefix_costs[i + 1].0 - prefix_costs[i].0,
            outage_delta: prefix_costs[i + 1].1 - prefix_costs[i].1,
        })
        .collect();

    let team_cost = outcome.story.cost.total();
    let best = references
        .iter()
        .filter_map(|(_, s)| s.as_ref().map(|s| s.cost.total()))
        .fold(team_cost, f64::min);
    let score = if team_cost <= 0.0 {
        100
    } else {
        (100.0 * best / team_cost).round().clamp(0.0, 100.0) as u32
    };
    let mut d = Debrief {
        setup,
        team: outcome.story.clone(),
        references,
        values,
        score,
        questions: Vec::new(),
    };
    d.questions = questions(scenario, &d);
    Ok(d)
}

/// Discussion questions: first from the calls that lost the most money, then from the
/// cheapest playbook's differences (detection, cost).
pub fn questions(scenario: &Scenario, d: &Debrief) -> Vec<String> {
    let cur = &scenario.currency;
    let tier = |t: u32| scenario.tiers[t as usize].name.as_str();
    let strategy = &scenario.strategies[d.setup.strategy];
    let mut losses: Vec<&CallValue> = d.values.iter().filter(|v| v.cost_delta >= 0.5).collect();
    losses.sort_by(|a, b| b.cost_delta.total_cmp(&a.cost_delta));
    let mut out = Vec::new();
    for v in losses.iter().take(3) {
        let p = &v.taken.point;
        let when = SimClock::at(p.t);
        let lost = money(v.cost_delta, cur);
        let down = if v.outage_delta >= 0.5 {
            format!(" and {} more downtime", story_minutes(v.outage_delta))
        } else {
            String::new()
        };
        let playbook = p.playbook.name();
        let q = match (p.situation, v.taken.decision) {
            (Situation::WaitingClosed, Decision::Wait) => format!(
                "At {when} you let the incident wait for {} to open instead of acting ({playbook} in the playbook): \
                 {lost}{down}. Who should be able to act out of hours, and what would tell them to?",
                tier(p.tier)
            ),
            (Situation::WaitingClosed, Decision::Page) => format!(
                "Paging {}'s on-call engineer at {when} cost {lost}{down} more than the playbook ({playbook}). \
                 When is a page worth the call-out and the lost sleep?",
                tier(p.tier)
            ),
            (_, Decision::Escalate) => format!(
                "At {when} you escalated from {} to {} ({playbook} in the playbook): {lost}{down}. \
                 {} could have handled it: what would have told you so?",
                tier(p.tier),
                tier(p.tier + 1),
                tier(p.tier)
            ),
            (Situation::TimeBoxOver, Decision::Troubleshoot) => format!(
                "At {when} you kept troubleshooting at {} past its {} time box: {lost}{down}. \
                 What signal says a tier cannot fix it, and who decides to hand over?",
                tier(p.tier),
                story_minutes(strategy.escalate_after)
            ),
            (_, decision) => format!(
                "At {when} you chose to {} ({playbook} in the playbook): {lost}{down}. What would you do differently?",
                decision.name()
            ),
        };
        out.push(q);
    }
    if let Some((best, best_cost)) = d.cheapest_reference() {
        let name = &scenario.strategies[best].name;
        let story = d.references[best].1.as_ref().expect("cheapest has a story");
        if let (Some(theirs), Some(ours)) = (story.detected_after, d.team.detected_after)
            && theirs + 0.5 < ours
        {
            out.push(format!(
                "Under {name} the failure was detected after {}, under your run after {}: what would \
                 it take for your monitoring to see it that early, and what does it cost?",
                story_minutes(theirs),
                story_minutes(ours)
            ));
        }
        let team_cost = d.team.cost.total();
        if best_cost + 0.5 < team_cost {
            out.push(format!(
                "{name}'s playbook handled this failure for {} against your {}: which of its rules \
                 (alert tier, time box, routing, on-call) could your team adopt first?",
                money(best_cost, cur),
                money(team_cost, cur)
            ));
        }
    }
    if out.is_empty() {
        out.push(
            "No call lost money against the playbook and no playbook did better: what would \
             change with one engineer fewer, or the same failure on a Friday evening?"
                .to_string(),
        );
    }
    out
}

/// The debrief in words, for the terminal and `debrief.txt`.
pub fn render(scenario: &Scenario, d: &Debrief) -> String {
    let cur = &scenario.currency;
    let label = crate::export::timeline::incident_label(scenario, d.setup.incident);
    let strategy = &scenario.strategies[d.setup.strategy].name;
    let mut out = format!(
        "DEBRIEF: {label}, replication {}, seed {}; the rest of the organisation followed {strategy}.\n\
         Pinned clock: under every playbook below the failure starts at {}, as in your run.\n\n",
        d.setup.rep,
        scenario.simulation.seed,
        SimClock::at(d.pinned_at())
    );
    let mut columns: Vec<(String, Option<&IncidentStory>)> =
        vec![("your team".to_string(), Some(&d.team))];
    for (s, story) in &d.references {
        columns.push((
            format!("{} playbook", scenario.strategies[*s].name),
            story.as_ref(),
        ));
    }
    out.push_str(&crate::export::timeline::figures_table(scenario, &columns));
    out.push('\n');
    if d.values.is_empty() {
        out.push_str(
            "No decision point came up: the incident never waited, and nobody could escalate.\n",
        );
    } else {
        out.push_str("Your calls, each against the playbook's call at the same point:\n");
        for v in &d.values {
            let p = &v.taken.point;
            let verdict = if v.taken.decision == p.playbook {
                "as the playbook".to_string()
            } else if v.cost_delta.abs() < 0.5 {
                format!("playbook: {}; no difference", p.playbook.name())
            } else {
                let (word, amount) = if v.cost_delta < 0.0 {
                    ("gained", -v.cost_delta)
                } else {
                    ("lost", v.cost_delta)
                };
                let minutes = if v.outage_delta.abs() >= 0.5 {
                    format!(
                        ", {} {} downtime",
                        story_minutes(v.outage_delta.abs()),
                        if v.outage_delta < 0.0 { "less" } else { "more" }
                    )
                } else {
                    String::new()
                };
                format!(
                    "playbook: {}; {word} {}{minutes}",
                    p.playbook.name(),
                    money(amount, cur)
                )
            };
            let who = match v.taken.by {
                CalledBy::Playbook => " (left to the playbook)",
                CalledBy::Team { .. } => "",
            };
            out.push_str(&format!(
                "  {}  {}: {}{who} — {verdict}\n",
                SimClock::at(p.t),
                narrate::Narrator::new(scenario, d.setup.strategy, d.setup.incident).situation(p),
                v.taken.decision.name()
            ));
        }
    }
    let total: f64 = d.values.iter().map(|v| v.cost_delta).sum();
    out.push_str(&format!(
        "\nYour calls against the {strategy} playbook: {}.\n",
        if total.abs() < 0.5 {
            "no difference".to_string()
        } else if total < 0.0 {
            format!("{} saved", money(-total, cur))
        } else {
            format!("{} lost", money(total, cur))
        }
    ));
    match d.cheapest_reference() {
        Some((best, cost)) => out.push_str(&format!(
            "Score: {}/100 (100 × the cheapest of all: {} by {}, ÷ your {}).\n",
            d.score,
            money(cost.min(d.team.cost.total()), cur),
            if d.team.cost.total() <= cost {
                "your team".to_string()
            } else {
                format!("the {} playbook", scenario.strategies[best].name)
            },
            money(d.team.cost.total(), cur)
        )),
        None => out.push_str(&format!("Score: {}/100.\n", d.score)),
    }
    out.push_str("\nQuestions for the discussion:\n");
    for (i, q) in d.questions.iter().enumerate() {
        out.push_str(&format!("  {}. {q}\n", i + 1));
    }
    out
}
