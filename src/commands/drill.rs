//! `incsim drill`: one incident played by a team (typed calls, a decisions file or a policy),
//! then the debrief against every strategy's playbook on the same failure and clock, and the
//! printable handout.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Result, anyhow, bail};

use super::load_scenario;
use super::timeline::{names, parse_incident};
use crate::cli::DrillArgs;
use incsim::drill::{self, Caller, DrillSetup, Script, debrief};
use incsim::events::{Decision, IncidentId};
use incsim::experiment::simulate_one;
use incsim::export::handout;
use incsim::export::output::OutputSet;
use incsim::export::timeline::incident_label;
use incsim::projections::incident::IncidentPicker;
use incsim::scenario::Scenario;

/// Run `incsim drill`.
pub fn drill(args: DrillArgs) -> Result<()> {
    let (mut scenario, _slug) = load_scenario(args.scenario.as_deref())?;
    if let Some(seed) = args.seed {
        scenario.simulation.seed = seed;
    }
    let strategy = strategy_of(&scenario, args.strategy.as_deref(), args.policy.as_deref())?;
    let strategy_name = scenario.strategies[strategy].name.clone();
    let rep = args.rep;

    let mut picker = IncidentPicker::new(&scenario);
    simulate_one(&scenario, strategy, rep, &mut picker);
    let incident = match &args.incident {
        Some(text) => parse_incident(&scenario, text)?,
        None => pick(
            &picker,
            args.pick.as_deref().unwrap_or("p95"),
            rep,
            &strategy_name,
        )?,
    };
    let label = incident_label(&scenario, incident);
    if incident.k >= picker.failures[incident.service as usize] {
        bail!(
            "{label} does not start before the horizon in replication {rep} under {strategy_name} ({} fails {} times)\n  help: pick an incident that happens, or use --pick p95",
            scenario.services[incident.service as usize].name,
            picker.failures[incident.service as usize]
        );
    }

    let interactive;
    let caller = match (&args.decisions, &args.policy) {
        (Some(path), _) => {
            interactive = false;
            Caller::Script(Script::load(path)?)
        }
        (None, Some(_)) => {
            interactive = false;
            Caller::Playbook
        }
        (None, None) => {
            interactive = std::io::stdin().is_terminal();
            Caller::Interactive(Box::new(std::io::stdin().lock()))
        }
    };
    let setup = DrillSetup {
        strategy,
        rep,
        incident,
    };
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "DRILL: {label}, replication {rep}, seed {}. You are the team working it; the rest of the \
         organisation follows {strategy_name}.\nThe clock jumps to the next thing you would see. \
         You see only what you could know: no fix times, no warning lengths.{}\n",
        scenario.simulation.seed,
        if interactive {
            " At each decision, type the key in brackets and Enter."
        } else {
            ""
        }
    )?;
    let outcome = drill::play(&scenario, setup, caller, None, &mut stdout)?;
    let d = debrief::debrief(&scenario, setup, &outcome)?;
    let text = debrief::render(&scenario, &d);
    println!("\n{text}");

    if let Some(dir) = &args.out {
        write_outputs(&scenario, dir, &d, &text)?;
        println!(
            "Wrote handout.html, debrief.txt and decisions.txt to {}",
            dir.display()
        );
    }
    Ok(())
}

fn write_outputs(scenario: &Scenario, dir: &Path, d: &debrief::Debrief, text: &str) -> Result<()> {
    let mut outputs = OutputSet::prepare(dir)?;
    outputs.add(
        "handout.html",
        handout::drill_handout(scenario, d).into_bytes(),
    );
    outputs.add("debrief.txt", text.as_bytes().to_vec());
    let calls: Vec<(f64, Decision, &str)> = d
        .values
        .iter()
        .map(|v| {
            let note = if v.taken.decision == v.taken.point.playbook {
                "as the playbook"
            } else {
                ""
            };
            (v.taken.point.t, v.taken.decision, note)
        })
        .collect();
    let header = format!(
        "incsim drill decisions: {}, replication {}, seed {}, strategy {}\nreplay: incsim drill --incident {} --rep {} --strategy {} --decisions decisions.txt",
        incident_label(scenario, d.setup.incident),
        d.setup.rep,
        scenario.simulation.seed,
        scenario.strategies[d.setup.strategy].name,
        incident_label(scenario, d.setup.incident),
        d.setup.rep,
        scenario.strategies[d.setup.strategy].name,
    );
    outputs.add(
        "decisions.txt",
        drill::script::write(&header, &calls).into_bytes(),
    );
    outputs.commit()?;
    Ok(())
}

/// The strategy played: `--strategy`, else `--policy`'s, else the baseline. A policy is a
/// strategy's rules and must be the strategy played (its rules need its monitoring, routing
/// and time boxes).
fn strategy_of(scenario: &Scenario, strategy: Option<&str>, policy: Option<&str>) -> Result<usize> {
    let find = |name: &str, what: &str| {
        scenario.strategy_index(name).ok_or_else(|| {
            anyhow!(
                "unknown {what} {name:?}\n  help: the scenario's strategies are {}",
                names(scenario.strategies.iter().map(|s| &s.name))
            )
        })
    };
    match (strategy, policy) {
        (Some(s), Some(p)) if s != p => bail!(
            "--policy {p} with --strategy {s}: a policy plays a strategy's own rules\n  help: give --policy {s}, or --strategy {p}, or leave --strategy out"
        ),
        (Some(s), _) => find(s, "strategy"),
        (None, Some(p)) => find(p, "policy"),
        (None, None) => Ok(scenario.baseline_index()),
    }
}

/// `pNN`: the incident whose cost is nearest the NN-th percentile (type 7) of the
/// replication's incidents.
fn pick(picker: &IncidentPicker, text: &str, rep: u64, strategy: &str) -> Result<IncidentId> {
    let p: f64 = text
        .strip_prefix('p')
        .and_then(|n| n.parse().ok())
        .filter(|p: &f64| (0.0..=100.0).contains(p))
        .ok_or_else(|| {
            anyhow!(
                "--pick {text:?} is not a percentile\n  help: write p95 (or p50, p99: 0 to 100)"
            )
        })?;
    let mut costs = picker.all.clone();
    if costs.is_empty() {
        bail!(
            "replication {rep} has no incident before the horizon under {strategy}\n  help: try another --rep"
        );
    }
    // Cost, then start: ties in cost go to the earlier incident.
    costs.sort_by(|a, b| a.cost.total_cmp(&b.cost).then(a.start.total_cmp(&b.start)));
    let index = (p / 100.0 * (costs.len() - 1) as f64).round() as usize;
    Ok(costs[index].id)
}
