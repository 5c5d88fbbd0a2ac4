//! `incsim select` over many machines, one KN stage at a time.
//!
//! Kim–Nelson's procedure is sequential: which strategies a stage simulates depends on the
//! eliminations of the stages before it. So a selection on a cluster is a loop:
//! 1. every shard `K/N` of stage `s` reads the selection's state (`select-state.json` in the
//!    shard folder; none before stage 0), simulates its slice of the replications the state
//!    asks for, of the strategies still in, and writes `shard-K-of-N.json` (the metric's
//!    value per strategy and replication);
//! 2. `incsim merge` checks that the N shards all continue that very state, feeds their
//!    observations in order to KN ([`Kn::feed`]: the same code a single machine runs), and
//!    writes the next state — or, once KN has stopped, `selection.json`, byte for byte the
//!    file `incsim select` writes on one machine.
//!
//! A stage's replications are split as a run's are (`⌊K·L/N⌋ .. ⌊(K+1)·L/N⌋` of its L
//! replications; a shard of a short stage may be empty). Every replication's streams are
//! keyed by `(seed, rep, …)`, so the observations do not depend on the split.

use std::io::Read;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::select::{Kn, SelectError, SelectSettings, Selection, conclude};
use super::shard::{MergeError, ShardSpec};
use crate::metrics::Metric;
use crate::scenario::Scenario;

/// The `format` of the state file.
pub const STATE_FORMAT: &str = "incsim-select-state";
/// The `format` of a stage's shard file.
pub const SHARD_FORMAT: &str = "incsim-select-shard";
/// The layout version of both.
pub const FORMAT_VERSION: u32 = 1;
/// The state file's name, in the shard folder.
pub const STATE_FILE: &str = "select-state.json";

/// The options of a selection, as given on the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectOptions {
    /// `--metric`.
    pub metric: String,
    /// `--delta`.
    pub delta: f64,
    /// `--confidence`.
    pub confidence: f64,
    /// `--first-stage`.
    pub first_stage: u64,
    /// `--max-replications`.
    pub max_replications: u64,
}

impl SelectOptions {
    /// The options of `settings`.
    pub fn of(settings: &SelectSettings) -> SelectOptions {
        SelectOptions {
            metric: settings.metric.name().to_string(),
            delta: settings.delta,
            confidence: settings.confidence,
            first_stage: settings.first_stage,
            max_replications: settings.max_replications,
        }
    }

    /// The settings, checked as `incsim select` checks them.
    pub fn settings(&self, strategies: usize) -> Result<SelectSettings, SelectError> {
        let metric = Metric::from_name(&self.metric).ok_or_else(|| SelectError {
            message: format!("{:?} is not a metric", self.metric),
            help: "rerun the shards with this incsim".into(),
        })?;
        let settings = SelectSettings {
            metric,
            delta: self.delta,
            confidence: self.confidence,
            first_stage: self.first_stage,
            max_replications: self.max_replications,
        };
        super::select::check_settings(&settings, strategies, metric)?;
        Ok(settings)
    }
}

/// A selection between stages (`select-state.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectState {
    /// Always [`STATE_FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The incsim version of the selection: every stage runs with it.
    pub incsim_version: String,
    /// The scenario file's slug (the default output folder derives from it).
    pub output_slug: String,
    /// The checked scenario (with its seed).
    pub scenario: Scenario,
    /// The options.
    pub options: SelectOptions,
    /// Stages merged so far: the next shards run stage `stage`.
    pub stage: u64,
    /// KN's state.
    pub kn: Kn,
    /// SHA-256 of the file without this field; a stage's shards name the state they continue
    /// by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

fn digest_of(value: &impl Serialize) -> String {
    let mut d = crate::integrity::DigestWriter::new();
    let _ = serde_json::to_writer(&mut d, value);
    d.finish()
}

impl SelectState {
    /// A selection before its first stage.
    pub fn initial(
        scenario: &Scenario,
        output_slug: &str,
        settings: &SelectSettings,
    ) -> Result<SelectState, SelectError> {
        super::select::check_settings(settings, scenario.strategies.len(), settings.metric)?;
        let mut state = SelectState {
            format: STATE_FORMAT.into(),
            format_version: FORMAT_VERSION,
            incsim_version: env!("CARGO_PKG_VERSION").into(),
            output_slug: output_slug.into(),
            scenario: scenario.clone(),
            options: SelectOptions::of(settings),
            stage: 0,
            kn: Kn::new(scenario.strategies.len(), settings),
            digest: None,
        };
        state.digest = Some(digest_of(&state));
        Ok(state)
    }

    /// Read a state file, checking its digest, version and scenario.
    pub fn read(reader: impl Read, name: &str) -> Result<SelectState, MergeError> {
        let mut state: SelectState = serde_json::from_reader(reader)
            .map_err(|e| MergeError(format!("{name} is not a readable selection state ({e})")))?;
        if state.format != STATE_FORMAT || state.format_version != FORMAT_VERSION {
            return Err(MergeError(format!(
                "{name} is not a selection state this incsim reads (format {:?} version {})",
                state.format, state.format_version
            )));
        }
        let claimed = state.digest.take();
        if claimed.as_deref() != Some(digest_of(&state).as_str()) {
            return Err(MergeError(format!(
                "{name} was changed after incsim wrote it (its digest does not match its content); \
                 start the selection again in an empty folder"
            )));
        }
        state.digest = claimed;
        check_version(&state.incsim_version, name)?;
        crate::integrity::check_scenario(&state.scenario)
            .map_err(|e| MergeError(format!("{name}: its scenario is not valid: {e}")))?;
        state
            .options
            .settings(state.scenario.strategies.len())
            .map_err(|e| MergeError(format!("{name}: {}", e.message)))?;
        Ok(state)
    }

    /// The digest that names this state.
    pub fn digest(&self) -> &str {
        self.digest.as_deref().unwrap_or("")
    }

    /// The stage's strategies and replications that shard `spec` simulates; None once the
    /// selection is finished.
    pub fn slice(&self, spec: ShardSpec) -> Option<(Vec<usize>, Range<u64>)> {
        let (which, reps) = self.kn.request()?;
        let part = spec.range(reps.end - reps.start);
        Some((
            which.to_vec(),
            reps.start + part.start..reps.start + part.end,
        ))
    }

    /// The selection is finished: no stage is left.
    pub fn finished(&self) -> bool {
        self.kn.request().is_none()
    }

    fn settings(&self) -> SelectSettings {
        self.options
            .settings(self.scenario.strategies.len())
            .expect("the options were checked")
    }

    /// The selection, once finished (the same as `incsim select` on one machine).
    pub fn selection(&self) -> Selection {
        let settings = self.settings();
        let names: Vec<String> = self
            .scenario
            .strategies
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let mut sel = conclude(
            &names,
            &settings,
            settings.metric.direction().higher_is_better(),
            &self.kn,
        );
        sel.metric = settings.metric;
        sel
    }

    /// Continue the selection with the shards of its current stage, given as `(name, file)`
    /// in any order: the next state.
    pub fn merge(&self, shards: Vec<(String, StageShard)>) -> Result<SelectState, MergeError> {
        let Some((which, reps)) = self.kn.request() else {
            return Err(MergeError(
                "the selection is already finished; its selection.json was written by the last merge".into(),
            ));
        };
        let Some((_, first)) = shards.first() else {
            return Err(MergeError("no shard files to merge".into()));
        };
        let count = first.shard.count;
        let mut slots: Vec<Option<usize>> = vec![None; count as usize];
        for (i, (name, shard)) in shards.iter().enumerate() {
            if shard.stage != self.stage || shard.state_digest != self.digest() {
                return Err(MergeError(format!(
                    "{name} is a shard of stage {} of {}, but the selection is at stage {}: \
                     rerun shard {} (incsim select … --shard {}/{}) and merge again",
                    shard.stage,
                    if shard.state_digest == self.digest() || shard.stage != self.stage {
                        "this selection"
                    } else {
                        "another selection"
                    },
                    self.stage,
                    shard.shard.index,
                    shard.shard.index,
                    shard.shard.count
                )));
            }
            if shard.shard.count != count {
                return Err(MergeError(format!(
                    "{name} is shard {} of {} but {} is shard {} of {count}: every shard of a stage uses the same N",
                    shard.shard.index, shard.shard.count, shards[0].0, first.shard.index
                )));
            }
            let k = shard.shard.index as usize;
            if let Some(other) = slots[k] {
                return Err(MergeError(format!(
                    "shard {k} of {count} is given twice: {} and {name}; pass each shard once",
                    shards[other].0
                )));
            }
            slots[k] = Some(i);
            let (w, r) = self.slice(shard.shard).expect("a stage is requested");
            let n = (r.end - r.start) as usize;
            if shard.strategies != w
                || shard.reps != r
                || shard.observations.len() != w.len()
                || shard.observations.iter().any(|o| o.len() != n)
            {
                return Err(MergeError(format!(
                    "{name} does not hold the observations this stage asks of shard {}; rerun it",
                    shard.shard
                )));
            }
            if shard.observations.iter().flatten().any(|x| !x.is_finite()) {
                return Err(MergeError(format!(
                    "{name} holds an observation that is not a finite number; rerun it"
                )));
            }
        }
        let missing: Vec<String> = (0..count)
            .filter(|&k| slots[k as usize].is_none())
            .map(|index| ShardSpec { index, count }.file_name())
            .collect();
        if !missing.is_empty() {
            return Err(MergeError(format!(
                "missing {} of {count} shards of stage {}: {} (run them with --shard K/{count}, then merge again)",
                missing.len(),
                self.stage,
                missing.join(", ")
            )));
        }
        let sign = if self.settings().metric.direction().higher_is_better() {
            1.0
        } else {
            -1.0
        };
        let mut more: Vec<Vec<f64>> =
            vec![Vec::with_capacity((reps.end - reps.start) as usize); which.len()];
        for i in slots.into_iter().flatten() {
            for (pos, o) in shards[i].1.observations.iter().enumerate() {
                more[pos].extend(o.iter().map(|x| x * sign));
            }
        }
        let mut next = self.clone();
        next.digest = None;
        next.kn.feed(&more);
        next.stage += 1;
        next.digest = Some(digest_of(&next));
        Ok(next)
    }
}

fn check_version(version: &str, name: &str) -> Result<(), MergeError> {
    if version != env!("CARGO_PKG_VERSION") {
        return Err(MergeError(format!(
            "{name} was written by incsim {version}, this is incsim {}: run every stage with one version",
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(())
}

/// One shard of one stage (`shard-K-of-N.json` in the shard folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageShard {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The incsim version.
    pub incsim_version: String,
    /// Which shard of the stage.
    pub shard: ShardSpec,
    /// The stage.
    pub stage: u64,
    /// The digest of the state this stage continues.
    pub state_digest: String,
    /// Strategies observed (indices, in scenario order).
    pub strategies: Vec<usize>,
    /// Replications observed.
    pub reps: Range<u64>,
    /// The metric's values, `[strategy position][rep]`, in the metric's unit.
    pub observations: Vec<Vec<f64>>,
    /// SHA-256 of the file without this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl StageShard {
    /// Observe shard `spec`'s slice of the stage `state` asks for (None once finished).
    pub fn run(state: &SelectState, spec: ShardSpec) -> Result<Option<StageShard>, SelectError> {
        let Some((which, reps)) = state.slice(spec) else {
            return Ok(None);
        };
        let metric = state.settings().metric;
        let observations = super::select::observe(&state.scenario, &which, reps.clone(), metric)?;
        let mut shard = StageShard {
            format: SHARD_FORMAT.into(),
            format_version: FORMAT_VERSION,
            incsim_version: env!("CARGO_PKG_VERSION").into(),
            shard: spec,
            stage: state.stage,
            state_digest: state.digest().to_string(),
            strategies: which,
            reps,
            observations,
            digest: None,
        };
        shard.digest = Some(digest_of(&shard));
        Ok(Some(shard))
    }

    /// Read a stage shard, checking its digest and version.
    pub fn read(reader: impl Read, name: &str) -> Result<StageShard, MergeError> {
        let mut shard: StageShard = serde_json::from_reader(reader).map_err(|e| {
            MergeError(format!(
                "{name} is not a readable selection shard ({e}); was it cut short?"
            ))
        })?;
        if shard.format != SHARD_FORMAT || shard.format_version != FORMAT_VERSION {
            return Err(MergeError(format!(
                "{name} is not a selection shard this incsim reads"
            )));
        }
        let claimed = shard.digest.take();
        if claimed.as_deref() != Some(digest_of(&shard).as_str()) {
            return Err(MergeError(format!(
                "{name} was changed after incsim wrote it (its digest does not match its content); rerun the shard"
            )));
        }
        shard.digest = claimed;
        check_version(&shard.incsim_version, name)?;
        if shard.shard.count == 0 || shard.shard.index >= shard.shard.count {
            return Err(MergeError(format!("{name} names an impossible shard")));
        }
        Ok(shard)
    }
}
