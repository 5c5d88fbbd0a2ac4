//! Incident exports → incident records: ServiceNow (also its event-log form, one row per
//! update), PagerDuty, Jira Service Management, and any CSV with named columns.
//!
//! Messy input is the norm: every row that cannot be used is skipped and counted by reason,
//! never a panic. Formats are recognised by their headers (case-insensitive).

use std::fmt;

use indexmap::IndexMap;

use super::dates::{DateOrder, EpochMinutes, OrderEvidence, is_missing, parse_timestamp};

/// The export formats understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    ServiceNow,
    PagerDuty,
    Jira,
    Generic,
}

impl Format {
    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::ServiceNow => "servicenow",
            Format::PagerDuty => "pagerduty",
            Format::Jira => "jira",
            Format::Generic => "generic",
        }
    }

    /// Parse a `--format` value.
    pub fn parse(text: &str) -> Result<Format, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "servicenow" | "snow" => Ok(Format::ServiceNow),
            "pagerduty" | "pd" => Ok(Format::PagerDuty),
            "jira" | "jsm" => Ok(Format::Jira),
            "generic" => Ok(Format::Generic),
            other => Err(format!(
                "unknown format \"{other}\"; expected servicenow, pagerduty, jira or generic"
            )),
        }
    }
}

/// Which column holds what, by header name (lowercase), for `--columns`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    pub id: Option<String>,
    pub opened: Option<String>,
    pub resolved: Option<String>,
    pub service: Option<String>,
    pub priority: Option<String>,
    pub group: Option<String>,
    pub reassignments: Option<String>,
    pub ack_seconds: Option<String>,
}

impl ColumnMap {
    /// Parse `opened=Created,resolved=Done,service=App,priority=Sev,group=Team`.
    pub fn parse(text: &str) -> Result<ColumnMap, String> {
        let mut map = ColumnMap::default();
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, column) = pair
                .split_once('=')
                .ok_or_else(|| format!("expected KEY=COLUMN in --columns; found \"{pair}\""))?;
            let column = Some(column.trim().to_ascii_lowercase());
            match key.trim() {
                "id" => map.id = column,
                "opened" => map.opened = column,
                "resolved" => map.resolved = column,
                "service" => map.service = column,
                "priority" => map.priority = column,
                "group" => map.group = column,
                "reassignments" => map.reassignments = column,
                "ack_seconds" => map.ack_seconds = column,
                other => {
                    return Err(format!(
                        "unknown key \"{other}\" in --columns; accepted: id, opened, resolved, \
                         service, priority, group, reassignments, ack_seconds"
                    ));
                }
            }
        }
        if map.opened.is_none() {
            return Err("--columns needs opened=COLUMN (the time the incident was opened)".into());
        }
        Ok(map)
    }

    /// The column names each format uses; the first present in the header wins.
    fn for_format(format: Format, headers: &[String]) -> ColumnMap {
        let pick = |names: &[&str]| {
            names
                .iter()
                .find(|n| headers.iter().any(|h| h == *n))
                .map(|n| n.to_string())
        };
        match format {
            Format::ServiceNow => ColumnMap {
                id: pick(&["number"]),
                opened: pick(&["opened_at"]),
                resolved: pick(&["resolved_at", "closed_at"]),
                service: pick(&["business_service", "cmdb_ci"]),
                priority: pick(&["priority"]),
                group: pick(&["assignment_group"]),
                reassignments: pick(&["reassignment_count"]),
                ack_seconds: None,
            },
            Format::PagerDuty => ColumnMap {
                id: pick(&["incident_number", "id"]),
                opened: pick(&["created_at"]),
                resolved: pick(&["resolved_at"]),
                service: pick(&["service_name", "service.summary"]),
                priority: pick(&["urgency", "priority"]),
                group: pick(&["escalation_policy_name", "escalation_policy.summary"]),
                reassignments: pick(&["escalation_count"]),
                ack_seconds: pick(&["seconds_to_first_ack"]),
            },
            Format::Jira => ColumnMap {
                id: pick(&["issue key", "key"]),
                opened: pick(&["created"]),
                resolved: pick(&["resolved"]),
                service: pick(&["component/s", "components"]),
                priority: pick(&["priority"]),
                group: pick(&["assignee"]),
                reassignments: None,
                ack_seconds: None,
            },
            Format::Generic => ColumnMap::default(),
        }
    }
}

/// Recognise a format from the (lowercased) header names.
pub fn detect(headers: &[String]) -> Option<Format> {
    let has = |n: &str| headers.iter().any(|h| h == n);
    if has("number") && has("opened_at") {
        Some(Format::ServiceNow)
    } else if has("created_at")
        && (has("service_name")
            || has("service.summary")
            || has("urgency")
            || has("seconds_to_resolve"))
    {
        Some(Format::PagerDuty)
    } else if has("created") && has("resolved") {
        Some(Format::Jira)
    } else {
        None
    }
}

/// One incident as the export tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: String,
    pub opened: EpochMinutes,
    /// `None` while the incident is open (its restore time is censored at the export's end).
    pub resolved: Option<EpochMinutes>,
    pub service: Option<String>,
    pub priority: Option<String>,
    pub group: Option<String>,
    pub reassignments: Option<f64>,
    pub ack_minutes: Option<f64>,
    /// Reopened at least once (ServiceNow `reopen_count` > 0).
    pub reopened: bool,
}

/// Why a row was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// An earlier update of an incident whose later row is kept (ServiceNow event logs).
    EarlierUpdate,
    /// The same incident id again, in a format with one row per incident.
    Duplicate,
    /// No opening time, or one that could not be read.
    OpenedUnreadable,
    /// A resolution time that could not be read (not missing: missing means open).
    ResolvedUnreadable,
    /// Resolved at or before it was opened.
    NonPositiveDuration,
    /// A row with fewer fields than the header, or unreadable as CSV.
    MalformedRow,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::EarlierUpdate => "earlier update of an incident (its last row is used)",
            SkipReason::Duplicate => "duplicate incident id",
            SkipReason::OpenedUnreadable => "opening time missing or unreadable",
            SkipReason::ResolvedUnreadable => "resolution time unreadable",
            SkipReason::NonPositiveDuration => "resolved at or before it was opened",
            SkipReason::MalformedRow => "malformed CSV row",
        })
    }
}

/// What a reader produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub format: Format,
    pub columns: ColumnMap,
    pub incidents: Vec<Incident>,
    /// Data rows read (header excluded).
    pub rows: usize,
    /// Rows not used, by reason (each row counted once).
    pub skipped: IndexMap<SkipReason, usize>,
    /// The latest timestamp anywhere in the used rows: when the export was taken, as far as
    /// the data tell. Open incidents are censored here.
    pub as_of: EpochMinutes,
    /// How numeric dates were read.
    pub date_order: Option<DateOrder>,
}

impl Export {
    /// Incidents still open at `as_of`.
    pub fn open_count(&self) -> usize {
        self.incidents
            .iter()
            .filter(|i| i.resolved.is_none())
            .count()
    }

    fn skip(&mut self, reason: SkipReason) {
        *self.skipped.entry(reason).or_insert(0) += 1;
    }
}

/// Options of a read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub columns: Option<ColumnMap>,
    pub date_order: Option<DateOrder>,
}

/// Read an export from CSV bytes. `file` names it in errors.
pub fn read_export(bytes: &[u8], file: &str, options: &ReadOptions) -> Result<Export, String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{file}: cannot read the CSV header: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(format!("{file}: the file is empty (no header row)"));
    }
    let format = match (options.format, &options.columns) {
        (Some(f), _) => f,
        (None, Some(_)) => Format::Generic,
        (None, None) => detect(&headers).ok_or_else(|| {
            format!(
                "{file}: cannot tell the export's format from its header ({}); expected \
                 ServiceNow (number, opened_at, resolved_at), PagerDuty (created_at, \
                 resolved_at, service_name), Jira (Created, Resolved); or give --columns \
                 opened=COLUMN,resolved=COLUMN,…",
                headers.join(", ")
            )
        })?,
    };
    let mut columns = ColumnMap::for_format(format, &headers);
    if let Some(given) = &options.columns {
        // Explicit columns override the format's defaults one by one.
        let merge = |a: &mut Option<String>, b: &Option<String>| {
            if b.is_some() {
                *a = b.clone();
            }
        };
        merge(&mut columns.id, &given.id);
        merge(&mut columns.opened, &given.opened);
        merge(&mut columns.resolved, &given.resolved);
        merge(&mut columns.service, &given.service);
        merge(&mut columns.priority, &given.priority);
        merge(&mut columns.group, &given.group);
        merge(&mut columns.reassignments, &given.reassignments);
        merge(&mut columns.ack_seconds, &given.ack_seconds);
    }
    let index = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| headers.iter().position(|h| h == n))
    };
    let opened_col = index(&columns.opened).ok_or_else(|| {
        format!(
            "{file}: no column for the opening time (looked for \"{}\" as a {} export); the \
             header has: {}",
            columns.opened.as_deref().unwrap_or("opened"),
            format.name(),
            headers.join(", ")
        )
    })?;
    for (what, name) in [
        ("resolved", &columns.resolved),
        ("service", &columns.service),
        ("priority", &columns.priority),
        ("group", &columns.group),
        ("reassignments", &columns.reassignments),
        ("ack_seconds", &columns.ack_seconds),
        ("id", &columns.id),
    ] {
        if options.columns.is_some() && name.is_some() && index(name).is_none() {
            return Err(format!(
                "{file}: --columns names \"{}\" for {what}, but the header has no such column \
                 (it has: {})",
                name.as_deref().unwrap_or(""),
                headers.join(", ")
            ));
        }
    }
    let resolved_col = index(&columns.resolved);
    // ServiceNow: closed_at stands in for a missing resolved_at.
    let closed_col = (format == Format::ServiceNow)
        .then(|| headers.iter().position(|h| h == "closed_at"))
        .flatten()
        .filter(|c| Some(*c) != resolved_col);
    let seconds_to_resolve_col = (format == Format::PagerDuty)
        .then(|| headers.iter().position(|h| h == "seconds_to_resolve"))
        .flatten();
    let updated_col = headers.iter().position(|h| h == "sys_updated_on");
    let reopen_col = headers.iter().position(|h| h == "reopen_count");
    let (id_col, service_col, priority_col, group_col, reassign_col, ack_col) = (
        index(&columns.id),
        index(&columns.service),
        index(&columns.priority),
        index(&columns.group),
        index(&columns.reassignments),
        index(&columns.ack_seconds),
    );

    // Read every row as text first: the date order is decided over the whole file.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut malformed = 0;
    for record in reader.records() {
        match record {
            Ok(r) if r.len() > opened_col => rows.push(r.iter().map(str::to_string).collect()),
            Ok(r) if r.iter().all(|f| f.trim().is_empty()) => {} // a blank line
            _ => malformed += 1,
        }
    }
    let date_order = match &options.date_order {
        Some(o) => Some(o.clone()),
        None => {
            let mut evidence = OrderEvidence::default();
            for row in &rows {
                for col in [Some(opened_col), resolved_col, closed_col, updated_col]
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = row.get(col) {
                        evidence.observe(v);
                    }
                }
            }
            evidence.decide().map_err(|why| {
                format!(
                    "{file}: {why}; give the order with --date-format, e.g. \
                     --date-format \"%d-%m-%Y %H:%M\" (day first) or \"%m/%d/%Y %H:%M\""
                )
            })?
        }
    };
    let order = date_order.as_ref();
    let field = |row: &Vec<String>, col: Option<usize>| -> Option<String> {
        col.and_then(|c| row.get(c))
            .filter(|v| !is_missing(v))
            .map(|v| v.trim().to_string())
    };
    let number = |row: &Vec<String>, col: Option<usize>| -> Option<f64> {
        field(row, col)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };

    let mut export = Export {
        format,
        columns,
        incidents: Vec::new(),
        rows: rows.len() + malformed,
        skipped: IndexMap::new(),
        as_of: f64::NEG_INFINITY,
        date_order: date_order.clone(),
    };
    for _ in 0..malformed {
        export.skip(SkipReason::MalformedRow);
    }

    // Rows with an id: keep one per id. ServiceNow event logs keep the last update (by
    // sys_updated_on when readable, else by file order); other formats keep the first row
    // and count the others as duplicates.
    let mut kept: IndexMap<String, (usize, Option<f64>)> = IndexMap::new();
    let mut unnamed: Vec<usize> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let Some(id) = field(row, id_col) else {
            unnamed.push(i);
            continue;
        };
        let updated = field(row, updated_col).and_then(|v| parse_timestamp(&v, order));
        match kept.get_mut(&id) {
            None => {
                kept.insert(id, (i, updated));
            }
            Some(slot) if format == Format::ServiceNow => {
                export.skip(SkipReason::EarlierUpdate);
                let later = match (updated, slot.1) {
                    (Some(new), Some(old)) => new >= old,
                    _ => true,
                };
                if later {
                    *slot = (i, updated);
                }
            }
            Some(_) => export.skip(SkipReason::Duplicate),
        }
    }
    let mut chosen: Vec<usize> = kept.values().map(|(i, _)| *i).chain(unnamed).collect();
    chosen.sort_unstable();

    for i in chosen {
        let row = &rows[i];
        let Some(opened) = field(row, Some(opened_col)).and_then(|v| parse_timestamp(&v, order))
        else {
            export.skip(SkipReason::OpenedUnreadable);
            continue;
        };
        let resolved_text = field(row, resolved_col).or_else(|| field(row, closed_col));
        let resolved = match resolved_text {
            Some(text) => match parse_timestamp(&text, order) {
                Some(t) => Some(t),
                None => {
                    export.skip(SkipReason::ResolvedUnreadable);
                    continue;
                }
            },
            // PagerDuty exports may carry only the duration.
            None => number(row, seconds_to_resolve_col).map(|s| opened + s / 60.0),
        };
        if let Some(r) = resolved
            && r <= opened
        {
            export.skip(SkipReason::NonPositiveDuration);
            continue;
        }
        export.as_of = export.as_of.max(resolved.unwrap_or(opened)).max(opened);
        if let Some(u) = field(row, updated_col).and_then(|v| parse_timestamp(&v, order)) {
            export.as_of = export.as_of.max(u);
        }
        export.incidents.push(Incident {
            id: field(row, id_col).unwrap_or_else(|| format!("row {}", i + 2)),
            opened,
            resolved,
            service: field(row, service_col),
            priority: field(row, priority_col),
            group: field(row, group_col),
            reassignments: number(row, reassign_col),
            ack_minutes: number(row, ack_col).map(|s| s / 60.0),
            reopened: number(row, reopen_col).is_some_and(|n| n > 0.0),
        });
    }
    if export.incidents.is_empty() {
        let reasons: Vec<String> = export
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} × {r}"))
            .collect();
        return Err(format!(
            "{file}: no usable incident in {} rows ({}); a {} export needs a readable opening \
             time in column \"{}\"{}",
            export.rows,
            if reasons.is_empty() {
                "the file has no data rows".to_string()
            } else {
                reasons.join(", ")
            },
            format.name(),
            export.columns.opened.as_deref().unwrap_or("opened"),
            if export.columns.resolved.is_none() {
                " and a resolution time (no resolved column was found)"
            } else {
                ""
            }
        ));
    }
    Ok(export)
}
