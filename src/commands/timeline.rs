//! `incsim timeline`: tell one incident minute by minute (text with running cost), optionally
//! under every strategy, and draw its timeline chart.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use super::load_scenario;
use crate::cli::TimelineArgs;
use incsim::charts::{self, timeline::TimelineChart};
use incsim::eventlog::SimClock;
use incsim::events::{IncidentId, MaintenanceId, Tee};
use incsim::experiment::simulate_one;
use incsim::export::handout;
use incsim::export::output::OutputSet;
use incsim::export::timeline::{
    incident_label, render_comparison, render_maintenance, render_missing, render_story_wrapped,
    wrap_words,
};
use incsim::model::Simulator;
use incsim::projections::incident::{IncidentPicker, IncidentStory, StoryProjection};
use incsim::projections::maintenance::{MaintenancePicker, MaintenanceStoryProjection, plan_for};
use incsim::scenario::{Scenario, slug};

/// Run `incsim timeline`.
pub fn timeline(args: TimelineArgs) -> Result<()> {
    let (mut scenario, scenario_slug) = load_scenario(args.scenario.as_deref())?;
    if let Some(seed) = args.seed {
        scenario.simulation.seed = seed;
    }
    let rep = args.rep;
    let strategy = match &args.strategy {
        Some(name) => scenario.strategy_index(name).ok_or_else(|| {
            anyhow!(
                "unknown strategy {name:?}\n  help: the scenario's strategies are {}",
                names(scenario.strategies.iter().map(|s| &s.name))
            )
        })?,
        None => scenario.baseline_index(),
    };
    let strategy_name = scenario.strategies[strategy].name.clone();
    if let Some(text) = &args.maintenance {
        return maintenance_timeline(&args, &scenario, &scenario_slug, strategy, text);
    }

    // Pass 1: which incident (the simulation is deterministic, so pass 2 sees the same run).
    let mut picker = IncidentPicker::new(&scenario);
    simulate_one(&scenario, strategy, rep, &mut picker);
    let id = match &args.incident {
        Some(text) => parse_incident(&scenario, text)?,
        None => {
            let pick = if args.worst {
                picker.worst
            } else {
                picker.first
            };
            pick.ok_or_else(|| {
                anyhow!(
                    "replication {rep} has no incident before the horizon under {strategy_name}\n  help: try another --rep"
                )
            })?
            .id
        }
    };
    let label = incident_label(&scenario, id);

    // Pass 2: the story under each strategy told.
    let told: Vec<usize> = if args.compare {
        (0..scenario.strategies.len()).collect()
    } else {
        vec![strategy]
    };
    let mut stories: Vec<Option<IncidentStory>> = vec![None; scenario.strategies.len()];
    let mut failures = vec![0u32; scenario.strategies.len()];
    // The pinned clock (issue 17): under every compared strategy the failure starts when it
    // does under the strategy told, so the difference is the rules, not the moment.
    let mut pinned: Option<f64> = None;
    let mut order = told.clone();
    order.sort_by_key(|&s| s != strategy);
    for &s in &order {
        let mut story = StoryProjection::new(&scenario, s, id);
        let mut count = IncidentPicker::new(&scenario);
        let mut sim = Simulator::new();
        if let Some(at) = pinned {
            sim.pin_failure_start(id, at);
        }
        sim.run(&scenario, s, rep, &mut Tee(&mut story, &mut count));
        stories[s] = story.into_story();
        failures[s] = count.failures[id.service as usize];
        if args.compare && s == strategy {
            pinned = stories[s].as_ref().map(|st| st.start);
        }
    }
    let width = if std::io::stdout().is_terminal() {
        terminal_columns().unwrap_or(FILE_COLUMNS)
    } else {
        FILE_COLUMNS
    };

    if args.compare && stories.iter().all(Option::is_none) {
        bail!(
            "{label} does not start before the horizon in replication {rep} under any strategy \
             ({} under {strategy_name})\n  help: pick an incident that happens, or use --worst",
            match failures[strategy] {
                0 => format!(
                    "{} never fails",
                    scenario.services[id.service as usize].name
                ),
                n => format!(
                    "{} fails {n} times",
                    scenario.services[id.service as usize].name
                ),
            }
        );
    }
    let pin_note = pinned.map(|at| (at, strategy_name.as_str()));
    let render = |width: usize| -> Result<String> {
        let mut text = String::new();
        if args.compare {
            for &s in &told {
                match &stories[s] {
                    Some(story) => {
                        text.push_str(&render_story_wrapped(&scenario, story, rep, width))
                    }
                    None => {
                        let missing = render_missing(&scenario, s, id, failures[s]);
                        text.push_str(&wrap_words(missing.trim_end(), width).join("\n"));
                        text.push('\n');
                    }
                }
                text.push('\n');
            }
            text.push_str(&render_comparison(
                &scenario,
                id,
                &stories,
                scenario.baseline_index(),
                pin_note,
                width,
            ));
        } else {
            match &stories[strategy] {
                Some(story) => text.push_str(&render_story_wrapped(&scenario, story, rep, width)),
                None => bail!(
                    "{}\n  help: pick an incident that happens, or use --worst",
                    render_missing(&scenario, strategy, id, failures[strategy]).trim_end()
                ),
            }
        }
        Ok(text)
    };
    let text = render(FILE_COLUMNS)?;
    let shown = if width == FILE_COLUMNS {
        text.clone()
    } else {
        render(width)?
    };

    let present: Vec<&IncidentStory> = stories.iter().flatten().collect();
    let mode = &scenario.services[id.service as usize].modes
        [present.first().map_or(0, |s| s.mode as usize)]
    .name;
    let chart_title = if args.compare {
        let names: Vec<&str> = present
            .iter()
            .map(|s| scenario.strategies[s.strategy].name.as_str())
            .collect();
        format!(
            "{label} ({mode}), replication {rep}: {}",
            names.join(" vs ")
        )
    } else {
        format!("{label} ({mode}) under {strategy_name}, replication {rep}")
    };
    let rendered = charts::render(&TimelineChart::new(&scenario, chart_title, present))?;

    let out_dir = args.out.clone().unwrap_or_else(|| {
        default_dir(
            &scenario,
            &scenario_slug,
            rep,
            if args.compare {
                "compare"
            } else {
                &strategy_name
            },
            id,
        )
    });
    let mut outputs = OutputSet::prepare(&out_dir)?;
    outputs.add("timeline.txt", text.clone().into_bytes());
    outputs.add("timeline.svg", rendered.svg.into_bytes());
    outputs.add("timeline.png", rendered.png);
    if args.html {
        let columns: Vec<(String, Option<&IncidentStory>)> = told
            .iter()
            .map(|&s| (scenario.strategies[s].name.clone(), stories[s].as_ref()))
            .collect();
        let header = match pinned {
            Some(at) => format!(
                "{} · replication {rep}, seed {} · pinned clock: the failure starts at {} under every strategy (its start under {strategy_name})",
                scenario.name,
                scenario.simulation.seed,
                SimClock::at(at)
            ),
            None => format!(
                "{} · replication {rep}, seed {}",
                scenario.name, scenario.simulation.seed
            ),
        };
        outputs.add(
            "timeline.html",
            handout::compare_handout(&scenario, &format!("{label} ({mode})"), &header, &columns)
                .into_bytes(),
        );
    }
    outputs.commit()?;

    print!("{shown}");
    println!(
        "\nWrote timeline.txt, timeline.svg{} and timeline.png to {}",
        if args.html { ", timeline.html" } else { "" },
        out_dir.display()
    );
    Ok(())
}

/// `incsim timeline --maintenance`: tell one preventive maintenance of `strategy`.
fn maintenance_timeline(
    args: &TimelineArgs,
    scenario: &Scenario,
    scenario_slug: &str,
    strategy: usize,
    text: &str,
) -> Result<()> {
    let rep = args.rep;
    let strategy_name = &scenario.strategies[strategy].name;
    let (service, n) = parse_maintenance(scenario, text)?;
    let svc = &scenario.services[service].name;
    if plan_for(scenario, strategy, service).is_none() {
        let with: Vec<&String> = scenario
            .strategies
            .iter()
            .enumerate()
            .filter(|&(s, _)| plan_for(scenario, s, service).is_some())
            .map(|(_, st)| &st.name)
            .collect();
        let help = if with.is_empty() {
            format!("no strategy maintains {svc}: add a [[strategies.NAME.maintenance]] plan")
        } else {
            format!("--strategy {}", names(with.into_iter()))
        };
        bail!("{strategy_name} has no maintenance plan for {svc}\n  help: {help}");
    }
    // Pass 1: which maintenance (the run is deterministic, so pass 2 sees the same one).
    let mut picker = MaintenancePicker::new(scenario);
    simulate_one(scenario, strategy, rep, &mut picker);
    let due = picker.due[service];
    let n = match n {
        Some(n) if n < due => n,
        Some(n) => bail!(
            "{svc}#{n}: {svc} has {due} maintenance{} due in replication {rep} under {strategy_name}\n  help: pick N below {due}, or another --rep",
            if due == 1 { "" } else { "s" }
        ),
        None => match picker.first_started[service] {
            Some(m) => m.n,
            None => bail!(
                "no maintenance of {svc} starts in replication {rep} under {strategy_name} ({due} fell due)\n  help: try another --rep{}",
                if due > 0 {
                    format!(", or --maintenance {svc}#0 to see why")
                } else {
                    String::new()
                }
            ),
        },
    };
    let id = MaintenanceId {
        service: service as u32,
        n,
    };
    let mut projection = MaintenanceStoryProjection::new(scenario, strategy, id);
    simulate_one(scenario, strategy, rep, &mut projection);
    let story = projection
        .into_story()
        .ok_or_else(|| anyhow!("{svc}#{n} did not fall due in replication {rep}"))?;
    let width = if std::io::stdout().is_terminal() {
        terminal_columns().unwrap_or(FILE_COLUMNS)
    } else {
        FILE_COLUMNS
    };
    let text = render_maintenance(scenario, &story, rep, FILE_COLUMNS);
    let out_dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(scenario_slug).join(format!(
            "timeline-rep{rep}-{}-{}-m{n}",
            slug(strategy_name),
            slug(svc)
        ))
    });
    let mut outputs = OutputSet::prepare(&out_dir)?;
    outputs.add("timeline.txt", text.clone().into_bytes());
    outputs.commit()?;
    if width == FILE_COLUMNS {
        print!("{text}");
    } else {
        print!("{}", render_maintenance(scenario, &story, rep, width));
    }
    println!("\nWrote timeline.txt to {}", out_dir.display());
    Ok(())
}

/// `db`, `db#3` or `db#m3` (a service, and its maintenance N) → (service index, N).
fn parse_maintenance(scenario: &Scenario, text: &str) -> Result<(usize, Option<u32>)> {
    let help = format!(
        "write SERVICE for its first maintenance, or SERVICE#N for its maintenance N from 0 (e.g. {}#0); services: {}",
        scenario.services[0].name,
        names(scenario.services.iter().map(|s| &s.name))
    );
    let (name, n) = match text.rsplit_once('#') {
        Some((name, n)) => (name, Some(n.trim())),
        None => (text, None),
    };
    let service = scenario
        .services
        .iter()
        .position(|s| s.name == name)
        .ok_or_else(|| {
            anyhow!("--maintenance {text:?}: unknown service {name:?}\n  help: {help}")
        })?;
    let n = match n {
        None => None,
        Some(n) => Some(
            n.strip_prefix('m')
                .unwrap_or(n)
                .parse::<u32>()
                .map_err(|_| {
                    anyhow!(
                        "--maintenance {text:?}: {n:?} is not a maintenance number\n  help: {help}"
                    )
                })?,
        ),
    };
    Ok((service, n))
}

/// Columns of `timeline.txt`, and of the terminal output when stdout is not a terminal.
const FILE_COLUMNS: usize = 100;

/// The terminal's width in columns, if stdout is one that says.
fn terminal_columns() -> Option<usize> {
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the winsize struct we own; a failure leaves it untouched
        // and returns -1, which we check.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
        if rc == 0 && size.ws_col >= 40 {
            return Some(size.ws_col as usize);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &usize| c >= 40)
}

/// `output/<scenario>/timeline-rep<R>-<strategy or compare>-<service>-<k>`.
fn default_dir(
    scenario: &Scenario,
    scenario_slug: &str,
    rep: u64,
    told: &str,
    id: IncidentId,
) -> PathBuf {
    let service = &scenario.services[id.service as usize].name;
    PathBuf::from("output").join(scenario_slug).join(format!(
        "timeline-rep{rep}-{}-{}-{}",
        slug(told),
        slug(service),
        format_args!("{}{}", id.mark(), id.number())
    ))
}

pub fn names<'a>(items: impl Iterator<Item = &'a String>) -> String {
    items.map(String::as_str).collect::<Vec<_>>().join(", ")
}

/// `email#3` (or `3` when the scenario has a single service) → the incident id.
pub fn parse_incident(scenario: &Scenario, text: &str) -> Result<IncidentId> {
    let help = format!(
        "write SERVICE#K, K counting the service's failures from 0 (e.g. {}#0), or SERVICE#cN for the failure of its change N; services: {}",
        scenario.services[0].name,
        names(scenario.services.iter().map(|s| &s.name))
    );
    let (service, k) = match text.rsplit_once('#') {
        Some((name, k)) => {
            let service = scenario
                .services
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| {
                    anyhow!("--incident {text:?}: unknown service {name:?}\n  help: {help}")
                })?;
            (service, k)
        }
        None if scenario.services.len() == 1 => (0, text),
        None => bail!("--incident {text:?}: which service?\n  help: {help}"),
    };
    // `db#c2`: the incident of the service's change 2 (model.md §8.12).
    let (change, number) = match k.trim().strip_prefix('c') {
        Some(n) => (true, n),
        None => (false, k.trim()),
    };
    let k: u32 = number
        .parse()
        .ok()
        .filter(|k| k & (IncidentId::CHANGE | IncidentId::SYMPTOM_BIT) == 0)
        .ok_or_else(|| {
            anyhow!("--incident {text:?}: {k:?} is not a failure number\n  help: {help}")
        })?;
    Ok(IncidentId {
        service: service as u32,
        k: if change { IncidentId::CHANGE | k } else { k },
    })
}
