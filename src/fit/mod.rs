//! Calibration from incident data: read an incident export ([`read`]), turn it into samples of
//! durations (time between incidents per service, time to restore per priority, time to
//! acknowledge), fit candidate distributions by maximum likelihood ([`mle`]), write a scenario
//! whose every number is fitted or a marked placeholder ([`writer`]), chart each fit
//! ([`chart`]) and check that the fitted scenario reproduces the data ([`check`]).
//!
//! Open incidents are **right-censored**, not dropped: an incident without a resolution time
//! lasted at least until the export was taken (the latest timestamp in the file), and enters
//! the likelihood through its survival probability. Likewise the time since a service's last
//! incident is a censored time between incidents.

pub mod chart;
pub mod check;
pub mod dates;
pub mod mle;
pub mod read;
pub mod writer;

use std::fmt::Write as _;

use indexmap::IndexMap;

use crate::scenario::duration::format_minutes;
use mle::{Fit, Sample, fit_all, ks_critical_5pct};
use read::Export;

/// One fitted quantity: its sample, where it came from, and every candidate's fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// What it is, for people: "time to restore, priority 1".
    pub label: String,
    /// The columns it was computed from.
    pub source: String,
    pub sample: Sample,
    /// Candidates, best AIC first; empty when there were too few values.
    pub fits: Vec<Fit>,
}

impl Quantity {
    fn new(label: String, source: String, sample: Sample) -> Quantity {
        let fits = fit_all(&sample);
        Quantity {
            label,
            source,
            sample,
            fits,
        }
    }

    /// The chosen fit (lowest AIC), if any.
    pub fn best(&self) -> Option<&Fit> {
        self.fits.first()
    }

    /// Values observed to end plus censored ones.
    pub fn n(&self) -> usize {
        self.sample.observed.len() + self.sample.censored.len()
    }
}

/// The time between incidents of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHistory {
    pub name: String,
    pub incidents: usize,
    /// Up time between one incident's resolution and the next one's opening.
    pub between: Quantity,
    /// Incidents opened while the previous one of the service was still open: the model keeps
    /// one open incident per service (docs/model.md §2 rule 1), so these gaps are not used.
    pub overlapping: usize,
    /// Incidents of each priority (as written in the export).
    pub priorities: IndexMap<String, usize>,
}

/// How often incidents were reassigned (the export's escalation count).
#[derive(Debug, Clone, PartialEq)]
pub struct Reassignments {
    pub incidents: usize,
    pub mean: f64,
    pub share_reassigned: f64,
}

/// Everything learnt from an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub export: Export,
    /// True when the export names no service: one global history is fitted.
    pub global: bool,
    pub services: Vec<ServiceHistory>,
    /// Time to restore of every incident, then per priority (those with enough values).
    pub restore_all: Quantity,
    pub restore_by_priority: IndexMap<String, Quantity>,
    pub ack: Option<Quantity>,
    pub reassignments: Option<Reassignments>,
    /// The most incidents open at once in the export.
    pub peak_open: usize,
    pub reopened: usize,
}

/// The label of incidents without a priority.
pub const NO_PRIORITY: &str = "unset";

/// Turn an export into fitted quantities.
pub fn analyse(export: Export) -> Analysis {
    let as_of = export.as_of;
    let restore_sample = |filter: &dyn Fn(&read::Incident) -> bool| {
        let mut s = Sample::default();
        for i in export.incidents.iter().filter(|i| filter(i)) {
            match i.resolved {
                Some(r) => s.observed.push(r - i.opened),
                None if as_of > i.opened => s.censored.push(as_of - i.opened),
                None => {}
            }
        }
        s
    };
    let resolved_name = export
        .columns
        .resolved
        .clone()
        .unwrap_or_else(|| "resolved".into());
    let opened_name = export
        .columns
        .opened
        .clone()
        .unwrap_or_else(|| "opened".into());
    let restore_source = format!("{resolved_name} − {opened_name}");
    let restore_all = Quantity::new(
        "time to restore, all priorities".into(),
        restore_source.clone(),
        restore_sample(&|_| true),
    );
    let priority_of = |i: &read::Incident| i.priority.clone().unwrap_or_else(|| NO_PRIORITY.into());
    let mut priority_counts: IndexMap<String, usize> = IndexMap::new();
    for i in &export.incidents {
        *priority_counts.entry(priority_of(i)).or_insert(0) += 1;
    }
    priority_counts.sort_keys();
    let mut restore_by_priority = IndexMap::new();
    if priority_counts.len() > 1 {
        for p in priority_counts.keys() {
            let q = Quantity::new(
                format!("time to restore, priority {p}"),
                restore_source.clone(),
                restore_sample(&|i| &priority_of(i) == p),
            );
            if !q.fits.is_empty() {
                restore_by_priority.insert(p.clone(), q);
            }
        }
    }

    let global = export.incidents.iter().all(|i| i.service.is_none());
    let mut by_service: IndexMap<String, Vec<&read::Incident>> = IndexMap::new();
    for i in &export.incidents {
        let name = if global {
            "all-services".to_string()
        } else {
            i.service.clone().unwrap_or_else(|| "unassigned".into())
        };
        by_service.entry(name).or_default().push(i);
    }
    let mut services: Vec<ServiceHistory> = by_service
        .into_iter()
        .map(|(name, mut incidents)| {
            incidents.sort_by(|a, b| a.opened.total_cmp(&b.opened));
            let mut sample = Sample::default();
            let mut overlapping = 0;
            let mut end_of_previous: Option<f64> = None;
            for i in &incidents {
                if let Some(end) = end_of_previous {
                    if i.opened > end {
                        sample.observed.push(i.opened - end);
                    } else {
                        overlapping += 1;
                    }
                }
                let end = i.resolved.unwrap_or(as_of);
                end_of_previous = Some(end_of_previous.map_or(end, |e: f64| e.max(end)));
            }
            if let Some(end) = end_of_previous
                && as_of > end
            {
                sample.censored.push(as_of - end);
            }
            let mut priorities: IndexMap<String, usize> = IndexMap::new();
            for i in &incidents {
                *priorities.entry(priority_of(i)).or_insert(0) += 1;
            }
            priorities.sort_keys();
            let label = if global {
                "time between incidents (the export names no service: all together)".to_string()
            } else {
                format!("time between incidents of {name}")
            };
            ServiceHistory {
                between: Quantity::new(
                    label,
                    format!("{opened_name} − previous incident's {resolved_name}"),
                    sample,
                ),
                name,
                incidents: incidents.len(),
                overlapping,
                priorities,
            }
        })
        .collect();
    // Most incidents first; ties by name, so the order does not depend on the file's.
    services.sort_by(|a, b| b.incidents.cmp(&a.incidents).then(a.name.cmp(&b.name)));

    let acks: Vec<f64> = export
        .incidents
        .iter()
        .filter_map(|i| i.ack_minutes)
        .filter(|a| *a > 0.0)
        .collect();
    let ack = (!acks.is_empty()).then(|| {
        Quantity::new(
            "time to acknowledge".into(),
            export.columns.ack_seconds.clone().unwrap_or_default(),
            Sample {
                observed: acks,
                censored: vec![],
            },
        )
    });
    let counts: Vec<f64> = export
        .incidents
        .iter()
        .filter_map(|i| i.reassignments)
        .collect();
    let reassignments = (!counts.is_empty()).then(|| Reassignments {
        incidents: counts.len(),
        mean: counts.iter().sum::<f64>() / counts.len() as f64,
        share_reassigned: counts.iter().filter(|c| **c > 0.0).count() as f64 / counts.len() as f64,
    });

    let mut changes: Vec<(f64, i32)> = Vec::new();
    for i in &export.incidents {
        changes.push((i.opened, 1));
        changes.push((i.resolved.unwrap_or(as_of), -1));
    }
    // Closings before openings at the same instant: back-to-back incidents do not overlap.
    changes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut open = 0i64;
    let mut peak_open = 0i64;
    for (_, d) in changes {
        open += d as i64;
        peak_open = peak_open.max(open);
    }
    let reopened = export.incidents.iter().filter(|i| i.reopened).count();
    Analysis {
        global,
        services,
        restore_all,
        restore_by_priority,
        ack,
        reassignments,
        peak_open: peak_open.max(1) as usize,
        reopened,
        export,
    }
}

impl Analysis {
    /// Every fitted quantity, in report order.
    pub fn quantities(&self) -> Vec<&Quantity> {
        let mut out: Vec<&Quantity> = self.services.iter().map(|s| &s.between).collect();
        out.push(&self.restore_all);
        out.extend(self.restore_by_priority.values());
        out.extend(self.ack.iter());
        out
    }

    /// The text report: what was read, what was skipped and why, and every fit.
    pub fn report_text(&self, file: &str) -> String {
        let e = &self.export;
        let mut out = String::new();
        let _ = writeln!(out, "incsim fit: {file} ({} export)", e.format.name());
        let _ = writeln!(
            out,
            "rows read: {}; incidents used: {} ({} still open, censored at the export's last \
             timestamp; {} reopened, timed to their last resolution)",
            e.rows,
            e.incidents.len(),
            e.open_count(),
            self.reopened
        );
        for (reason, n) in &e.skipped {
            let _ = writeln!(out, "  skipped {n:>6}: {reason}");
        }
        if let Some(order) = &e.date_order {
            let order = match order {
                dates::DateOrder::DayFirst => "day first (29-02-2016)".to_string(),
                dates::DateOrder::MonthFirst => "month first (02/29/2016)".to_string(),
                dates::DateOrder::Explicit(f) => format!("--date-format \"{f}\""),
            };
            let _ = writeln!(out, "numeric dates read as: {order}");
        }
        if self.global {
            let _ = writeln!(
                out,
                "the export names no service: one time-between-incidents history for all"
            );
        }
        let _ = writeln!(out, "peak incidents open at once: {}", self.peak_open);
        if let Some(r) = &self.reassignments {
            let _ = writeln!(
                out,
                "reassignments: mean {:.2} per incident, {:.0} % reassigned at least once ({} incidents)",
                r.mean,
                100.0 * r.share_reassigned,
                r.incidents
            );
        }
        for s in &self.services {
            if s.overlapping > 0 {
                let _ = writeln!(
                    out,
                    "{}: {} incidents opened before the previous one was resolved (gap not used)",
                    s.name, s.overlapping
                );
            }
        }
        for q in self.quantities() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{} ({}): n = {} ({} censored)",
                q.label,
                q.source,
                q.n(),
                q.sample.censored.len()
            );
            if q.fits.is_empty() {
                let _ = writeln!(
                    out,
                    "  too few values to fit (at least {} observed needed)",
                    mle::MIN_EVENTS
                );
                continue;
            }
            let critical = ks_critical_5pct(q.sample.observed.len());
            for (rank, f) in q.fits.iter().enumerate() {
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|p| format_param(p.name, p.value, p.ci95))
                    .collect();
                let _ = writeln!(
                    out,
                    "  {} {:<11} AIC {:>10.1}  KS {:.3}{}  {}",
                    if rank == 0 { "*" } else { " " },
                    f.family.name(),
                    f.aic,
                    f.ks,
                    if f.ks > critical { " (misfit)" } else { "" },
                    params.join(", ")
                );
            }
        }
        let _ = writeln!(
            out,
            "\n* = chosen (lowest AIC). KS: Kolmogorov–Smirnov distance to the Kaplan–Meier \
             estimate; \"misfit\" above 1.36/√n. Intervals: 95 % Wald intervals from the \
             observed information, on the log scale for positive parameters."
        );
        out
    }
}

/// "scale 2h10m [1h58m, 2h23m]" for durations, "shape 0.84 [0.79, 0.90]" for numbers.
pub fn format_param(name: &str, value: f64, ci: (f64, f64)) -> String {
    match name {
        "shape" | "sigma" => format!("{name} {value:.3} [{:.3}, {:.3}]", ci.0, ci.1),
        "mu" => format!("{name} {value:.3} [{:.3}, {:.3}] (ln minutes)", ci.0, ci.1),
        _ => format!(
            "{name} {} [{}, {}]",
            format_minutes(value),
            format_minutes(ci.0),
            format_minutes(ci.1)
        ),
    }
}
