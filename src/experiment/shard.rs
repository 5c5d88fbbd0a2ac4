//! Shards: one run's replications split over many machines, and merged back (docs/model.md §6).
//!
//! Shard `K` of `N` (K = 0 … N−1, as a Kubernetes Indexed Job's completion index) of a run of
//! `R` replications simulates the contiguous range `⌊K·R/N⌋ .. ⌊(K+1)·R/N⌋`: the ranges cover
//! `0..R` exactly once, in order, and differ in size by at most one. Since every replication's
//! random streams are keyed by `(seed, rep, …)`, a shard's rows are exactly the rows those
//! replications have in a run on one machine.
//!
//! A shard result file (`shard-K-of-N.json`) carries everything [`ExperimentResults`] holds for
//! its slice — rows, restore-time histogram, cost checkpoints — plus the checked scenario (with
//! its seed and total replications), `K/N` and the incsim version, so that [`merge`] can refuse
//! shards that do not belong together, and rebuild exactly the results of the whole run.
//!
//! A shard of `run --uncertainty N` also carries what the merge needs of the N parameter sets
//! ([`ShardUncertainty`]): the per-replication cost values of its slice for each set that
//! cannot be re-costed, nothing for those that can.

use std::fmt;
use std::io::Read;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rows::Rows;
use super::uncertainty::{self, SetColumns, Uncertainty, UncertaintyError};
use super::{ExperimentResults, StrategyResults};
use crate::projections::{CHECKPOINTS, RESTORE_BINS};
use crate::scenario::Scenario;

/// The `format` field of every shard file.
pub const FORMAT: &str = "incsim-shard";
/// The version of the shard file layout; bumped when it changes.
pub const FORMAT_VERSION: u32 = 1;

/// Which slice of a run: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    /// K, from 0 to count − 1.
    pub index: u64,
    /// N ≥ 1.
    pub count: u64,
}

impl ShardSpec {
    /// Parse `K/N` (K from 0 to N−1), e.g. `0/4` … `3/4`.
    pub fn parse(text: &str) -> Result<ShardSpec, String> {
        let bad = || {
            format!(
                "expected K/N with 0 ≤ K < N, e.g. 0/4 for the first of 4 shards; found {text:?}"
            )
        };
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(format!(
                "the number of shards must be at least 1; found {text:?}"
            ));
        }
        if index >= count {
            return Err(format!(
                "shard indices run from 0 to N−1 (as a Kubernetes Indexed Job's completion index, \
                 or a Slurm array from 0); found {text:?}, so use 0/{count} … {}/{count}",
                count - 1
            ));
        }
        Ok(ShardSpec { index, count })
    }

    /// The replications of this shard in a run of `total`: `⌊K·R/N⌋ .. ⌊(K+1)·R/N⌋`.
    pub fn range(&self, total: u64) -> Range<u64> {
        let at = |k: u64| ((k as u128 * total as u128) / self.count as u128) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The shard's file name, `shard-K-of-N.json`.
    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.json", self.index, self.count)
    }

    /// Parse a shard file name back into its spec (None for other names).
    pub fn from_file_name(name: &str) -> Option<ShardSpec> {
        let rest = name.strip_prefix("shard-")?.strip_suffix(".json")?;
        let (k, n) = rest.split_once("-of-")?;
        let spec = ShardSpec {
            index: k.parse().ok()?,
            count: n.parse().ok()?,
        };
        (spec.count > 0 && spec.index < spec.count).then_some(spec)
    }
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One strategy's results for the shard's slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardStrategy {
    /// The strategy's name (a check: the scenario fixes the order).
    pub name: String,
    /// One row per replication of the slice, in order (written as a list of rows).
    pub rows: Rows,
    /// The slice's restore-time histogram.
    pub restore_hist: Vec<u64>,
    /// Cost checkpoints per replication. Stored as f64, which holds every f32 exactly, so the
    /// values read back are bit-identical.
    pub cost_checkpoints: Vec<Vec<f64>>,
    /// Model events the strategy's replications of the slice processed (0 in a shard written
    /// before this was kept).
    #[serde(default)]
    pub events: u64,
}

/// The content of a shard result file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The incsim version that simulated it: shards of different versions are not merged.
    pub incsim_version: String,
    /// Which slice.
    pub shard: ShardSpec,
    /// The seed of the run (also in the scenario; here for people and scripts).
    pub seed: u64,
    /// Total replications of the whole run, R.
    pub replications_total: u64,
    /// The replications in this shard.
    pub reps: Range<u64>,
    /// The default output folder name of the run (the scenario file's slug), so a merge
    /// writes where the run would have.
    pub output_slug: String,
    /// The checked scenario of the run.
    pub scenario: Scenario,
    /// Model events processed in the slice.
    pub events: u64,
    /// Per strategy, in scenario order.
    pub strategies: Vec<ShardStrategy>,
    /// With `run --uncertainty N`: what the merge needs of the parameter sets (absent in the
    /// file of a plain run, whose layout is unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<ShardUncertainty>,
    /// SHA-256 of the file as written without this field (header and rows), `sha256:HEX`:
    /// an edited or damaged shard is refused. Set by [`ShardFile::with_digest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The parameter sets of a shard of `run --uncertainty N`, over the shard's slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardUncertainty {
    /// N, the number of parameter sets of the run.
    pub sets: u32,
    /// The names of the cost metrics of the columns, in order
    /// ([`uncertainty::cost_metrics`]).
    pub metrics: Vec<String>,
    /// Per parameter set, in set order: `null` where the set re-costs from the main run (the
    /// merge re-costs the merged run); otherwise per strategy, per metric, the value of each
    /// replication of the slice, in order (only what the uncertainty outputs need, not every
    /// metric).
    pub simulated: Vec<Option<SetColumns>>,
}

/// The number of parameter sets of a shard of `run --uncertainty N`, as its header reads it
/// (the columns are skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UncertaintySets {
    /// N.
    pub sets: u32,
}

/// Everything in a shard file but the results: enough to check that shards belong together
/// without holding their rows in memory. Read it with [`ShardHeader::read`], which skips the
/// results.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShardHeader {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The incsim version that simulated it.
    pub incsim_version: String,
    /// Which slice.
    pub shard: ShardSpec,
    /// The seed of the run.
    pub seed: u64,
    /// Total replications of the whole run.
    pub replications_total: u64,
    /// The replications in this shard.
    pub reps: Range<u64>,
    /// The run's default output folder name.
    pub output_slug: String,
    /// The checked scenario of the run.
    pub scenario: Scenario,
    /// With `run --uncertainty N`: N (shards of runs with different N, or none, do not merge).
    #[serde(default)]
    pub uncertainty: Option<UncertaintySets>,
}

impl ShardHeader {
    /// Read the header of a shard file, skipping its results (they are parsed, not kept).
    pub fn read(reader: impl Read, name: &str) -> Result<ShardHeader, MergeError> {
        let header: ShardHeader =
            serde_json::from_reader(reader).map_err(|e| read_error(e, name))?;
        header.check_format(name)?;
        header.check(name)?;
        Ok(header)
    }

    fn check_format(&self, name: &str) -> Result<(), MergeError> {
        if self.format != FORMAT {
            return Err(MergeError(format!(
                "{name} is not an incsim shard file (its \"format\" is {:?}, not {FORMAT:?})",
                self.format
            )));
        }
        if self.format_version != FORMAT_VERSION {
            return Err(MergeError(format!(
                "{name} has shard format version {}, this incsim ({}) reads version {FORMAT_VERSION}; \
                 rerun the shards with this incsim",
                self.format_version,
                env!("CARGO_PKG_VERSION")
            )));
        }
        Ok(())
    }

    /// The header's own consistency: its slice is the one `K/N` of R names.
    pub(crate) fn check(&self, name: &str) -> Result<(), MergeError> {
        if !is_plain_slug(&self.output_slug) {
            return Err(MergeError(format!(
                "{name} names its output folder {:?}, which is not a folder name incsim writes \
                 (lowercase letters, digits and dashes); the file was edited\n  \
                 help: rerun the shard, or pass --out to merge",
                self.output_slug
            )));
        }
        crate::integrity::check_scenario(&self.scenario)
            .map_err(|e| MergeError(format!("{name}: its scenario is not valid: {e}")))?;
        let expected = self.shard.range(self.replications_total);
        if self.reps != expected {
            return Err(MergeError(format!(
                "{name} holds replications {}..{}, but shard {} of a run of {} replications is {}..{}",
                self.reps.start,
                self.reps.end,
                self.shard,
                self.replications_total,
                expected.start,
                expected.end
            )));
        }
        if self.scenario.simulation.replications != self.replications_total
            || self.scenario.simulation.seed != self.seed
        {
            return Err(MergeError(format!(
                "{name} is inconsistent: its header and its scenario disagree on the seed or the number of replications"
            )));
        }
        // The scenario travels as JSON: a hand-edited one must pass the same rules as a file.
        if let Some(v) = crate::scenario::validate(&self.scenario).into_iter().next() {
            return Err(MergeError(format!(
                "{name} holds a scenario that is not valid: {}: {}\n  help: {}",
                v.path, v.message, v.help
            )));
        }
        Ok(())
    }
}

/// A slug as [`crate::scenario::slug`] makes them: never a path, never `..`.
fn is_plain_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 200
        && !slug.starts_with('-')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A JSON error while reading a shard file, in words.
fn read_error(e: serde_json::Error, name: &str) -> MergeError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => MergeError(format!("cannot read {name}: {e}")),
        Category::Syntax | Category::Eof => MergeError(format!(
            "{name} is not valid JSON ({e}); was it cut short while being written?"
        )),
        Category::Data => MergeError(format!(
            "{name} is not an incsim shard file ({e})\n  help: merge reads the shard-K-of-N.json files of incsim run --shard K/N"
        )),
    }
}

impl ShardFile {
    /// Package the results of a shard's slice.
    pub fn new(
        scenario: &Scenario,
        shard: ShardSpec,
        output_slug: &str,
        results: &ExperimentResults,
    ) -> ShardFile {
        ShardFile {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            incsim_version: env!("CARGO_PKG_VERSION").to_string(),
            shard,
            seed: scenario.simulation.seed,
            replications_total: scenario.simulation.replications,
            reps: results.reps.clone(),
            output_slug: output_slug.to_string(),
            scenario: scenario.clone(),
            events: results.events,
            strategies: scenario
                .strategies
                .iter()
                .zip(&results.strategies)
                .map(|(s, r)| ShardStrategy {
                    name: s.name.clone(),
                    rows: r.rows.clone(),
                    restore_hist: r.restore_hist.clone(),
                    cost_checkpoints: r
                        .cost_checkpoints
                        .iter()
                        .map(|c| c.iter().map(|&x| x as f64).collect())
                        .collect(),
                    events: r.events,
                })
                .collect(),
            uncertainty: None,
            digest: None,
        }
    }

    /// Add what a shard of `run --uncertainty N` carries of the N parameter sets
    /// ([`uncertainty::shard_sets`] of this shard's slice).
    pub fn with_uncertainty(mut self, sets: u32, simulated: Vec<Option<SetColumns>>) -> ShardFile {
        self.uncertainty = Some(ShardUncertainty {
            sets,
            metrics: uncertainty::cost_metrics()
                .iter()
                .map(|m| m.name().to_string())
                .collect(),
            simulated,
        });
        self
    }

    /// The SHA-256 of the file as serialised without its digest (streamed: nothing is held).
    fn compute_digest(&self) -> String {
        debug_assert!(
            self.digest.is_none(),
            "the digest covers the file without it"
        );
        let mut d = crate::integrity::DigestWriter::new();
        // Writing into a hash cannot fail.
        let _ = serde_json::to_writer(&mut d, self);
        d.finish()
    }

    /// Seal the file with the digest of its content; done before it is written.
    pub fn with_digest(mut self) -> ShardFile {
        self.digest = None;
        self.digest = Some(self.compute_digest());
        self
    }

    /// The file as JSON text (compact: shard files are for machines), with its digest.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut text = serde_json::to_string(&self.clone().with_digest())?;
        text.push('\n');
        Ok(text)
    }

    /// Read a whole shard file, check its digest and every value. `name` is used in error
    /// messages.
    pub fn read(reader: impl Read, name: &str) -> Result<ShardFile, MergeError> {
        let mut file: ShardFile =
            serde_json::from_reader(reader).map_err(|e| read_error(e, name))?;
        file.header().check_format(name)?;
        let claimed = file.digest.take();
        let actual = file.compute_digest();
        match claimed {
            None => {
                return Err(MergeError(format!(
                    "{name} carries no digest, so it cannot be trusted; rerun the shard with this incsim"
                )));
            }
            Some(c) if c != actual => {
                return Err(MergeError(format!(
                    "{name} was changed after incsim wrote it (its digest does not match its \
                     content); rerun the shard"
                )));
            }
            Some(c) => file.digest = Some(c),
        }
        file.check(name)?;
        Ok(file)
    }

    /// Read a shard file from its text. `name` is used in error messages.
    pub fn from_json(text: &str, name: &str) -> Result<ShardFile, MergeError> {
        ShardFile::read(text.as_bytes(), name)
    }

    /// The file's header (everything but the results).
    pub fn header(&self) -> ShardHeader {
        ShardHeader {
            format: self.format.clone(),
            format_version: self.format_version,
            incsim_version: self.incsim_version.clone(),
            shard: self.shard,
            seed: self.seed,
            replications_total: self.replications_total,
            reps: self.reps.clone(),
            output_slug: self.output_slug.clone(),
            scenario: self.scenario.clone(),
            uncertainty: self
                .uncertainty
                .as_ref()
                .map(|u| UncertaintySets { sets: u.sets }),
        }
    }

    /// Check a run embedded in another file (a study's shard, whose digest covers it):
    /// its format and every value, as [`ShardFile::read`] does.
    pub(crate) fn check_embedded(&self, name: &str) -> Result<(), MergeError> {
        self.header().check_format(name)?;
        self.check(name)
    }

    /// Check the results against the header: every strategy of the scenario, one row and
    /// [`CHECKPOINTS`] checkpoints per replication of the slice.
    fn check(&self, name: &str) -> Result<(), MergeError> {
        self.header().check(name)?;
        if self.strategies.len() != self.scenario.strategies.len() {
            return Err(MergeError(format!(
                "{name} has results for {} strategies, its scenario has {}",
                self.strategies.len(),
                self.scenario.strategies.len()
            )));
        }
        let n = (self.reps.end - self.reps.start) as usize;
        for (s, strategy) in self.strategies.iter().zip(&self.scenario.strategies) {
            if s.name != strategy.name {
                return Err(MergeError(format!(
                    "{name}: results for strategy {:?} where the scenario has {:?}",
                    s.name, strategy.name
                )));
            }
            if s.rows.len() != n
                || s.cost_checkpoints.len() != n
                || s.cost_checkpoints.iter().any(|c| c.len() != CHECKPOINTS)
                || s.restore_hist.len() != RESTORE_BINS
            {
                return Err(MergeError(format!(
                    "{name}: strategy {} does not hold exactly one row and {CHECKPOINTS} checkpoints per replication",
                    s.name
                )));
            }
            for (i, row) in s.rows.iter().enumerate() {
                crate::integrity::check_row(&self.scenario, &row).map_err(|e| {
                    MergeError(format!(
                        "{name}: strategy {}, replication {}: {e}",
                        s.name,
                        self.reps.start + i as u64
                    ))
                })?;
            }
            if s.cost_checkpoints
                .iter()
                .flatten()
                .any(|x| !(x.is_finite() && *x >= 0.0 && *x <= f32::MAX as f64))
            {
                return Err(MergeError(format!(
                    "{name}: strategy {} has a cost checkpoint that is not a finite amount ≥ 0",
                    s.name
                )));
            }
        }
        if let Some(u) = &self.uncertainty {
            self.check_uncertainty(u, name)?;
        }
        Ok(())
    }

    /// The parameter sets' columns fit the run: N sets, the cost metrics of this incsim, one
    /// finite value (or none) per strategy, metric and replication of the slice.
    fn check_uncertainty(&self, u: &ShardUncertainty, name: &str) -> Result<(), MergeError> {
        if self.scenario.uncertain.is_empty() {
            return Err(MergeError(format!(
                "{name} carries parameter sets, but its scenario declares no uncertain input; the file was edited"
            )));
        }
        let metrics: Vec<String> = uncertainty::cost_metrics()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        if u.metrics != metrics {
            return Err(MergeError(format!(
                "{name} keeps the cost metrics {:?}, this incsim computes {:?}; rerun the shards with this incsim",
                u.metrics, metrics
            )));
        }
        let reps = (self.reps.end - self.reps.start) as usize;
        if u.sets == 0 || u.sets > uncertainty::MAX_SETS || u.simulated.len() != u.sets as usize {
            return Err(MergeError(format!(
                "{name} is a shard of --uncertainty {} but holds {} parameter sets; the file was edited",
                u.sets,
                u.simulated.len()
            )));
        }
        for (set, columns) in u.simulated.iter().enumerate() {
            let Some(columns) = columns else { continue };
            let fits = columns.len() == self.scenario.strategies.len()
                && columns.iter().all(|strategy| {
                    strategy.len() == metrics.len()
                        && strategy.iter().all(|column| {
                            column.len() == reps && column.iter().flatten().all(|x| x.is_finite())
                        })
                });
            if !fits {
                return Err(MergeError(format!(
                    "{name}: parameter set {} does not hold one finite value per strategy, cost \
                     metric and replication of the shard; the file was edited",
                    set + 1
                )));
            }
        }
        Ok(())
    }

    /// The shard's results, as [`ExperimentResults`] over its slice.
    pub fn into_results(self) -> ExperimentResults {
        ExperimentResults {
            reps: self.reps,
            strategies: self
                .strategies
                .into_iter()
                .map(|s| StrategyResults {
                    rows: s.rows,
                    restore_hist: s.restore_hist,
                    cost_checkpoints: s
                        .cost_checkpoints
                        .into_iter()
                        .map(|c| {
                            let mut a = [0f32; CHECKPOINTS];
                            for (dst, src) in a.iter_mut().zip(c) {
                                *dst = src as f32;
                            }
                            a
                        })
                        .collect(),
                    events: s.events,
                })
                .collect(),
            events: self.events,
        }
    }
}

/// Why shards cannot be merged, in words that say which file and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeError(pub String);

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

/// A merged run: the scenario, the default output folder name, and the results of all
/// replications, exactly as one machine would have produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The checked scenario every shard carried.
    pub scenario: Scenario,
    /// The run's default output folder name.
    pub output_slug: String,
    /// Results over `0..R`.
    pub results: ExperimentResults,
    /// Of a run with `--uncertainty N`: the sets' columns over `0..R`.
    pub uncertainty: Option<ShardUncertainty>,
}

impl Merged {
    /// The outcome of the parameter sets of a run with `--uncertainty N` (None for a plain
    /// run): re-costed sets from the merged run, the others from the shards' values, through
    /// the function a direct run uses, so that the outputs are the same bits.
    pub fn take_uncertainty(&mut self) -> Result<Option<Uncertainty>, MergeError> {
        let Some(u) = self.uncertainty.take() else {
            return Ok(None);
        };
        let mut simulated = u.simulated;
        let result = uncertainty::run_with(
            &self.scenario,
            &self.results,
            u.sets as usize,
            &mut |set, _| {
                simulated[set].take().ok_or_else(|| {
                    UncertaintyError::Shards(format!(
                        "the shards carry no values for parameter set {}, which cannot be \
                         re-costed; rerun the shards with this incsim",
                        set + 1
                    ))
                })
            },
        )
        .map_err(|e| MergeError(e.to_string()))?;
        if let Some(set) = simulated.iter().position(Option::is_some) {
            return Err(MergeError(format!(
                "the shards carry simulated values for parameter set {}, which re-costs from the \
                 run; rerun the shards with this incsim",
                set + 1
            )));
        }
        Ok(Some(result))
    }
}

/// Check that shard headers, given as `(name for messages, header)` in any order, make up one
/// whole run, and return their positions in shard order (shard 0 first).
///
/// Refuses, naming the files: shards from different incsim versions, seeds, replication
/// totals, shard counts or scenarios; a shard given twice; a missing shard.
pub fn plan_merge(headers: &[(String, ShardHeader)]) -> Result<Vec<usize>, MergeError> {
    let Some((first_name, first)) = headers.first() else {
        return Err(MergeError("no shard files to merge".to_string()));
    };
    for (name, shard) in &headers[1..] {
        if shard.incsim_version != first.incsim_version {
            return Err(MergeError(format!(
                "{name} was written by incsim {} and {first_name} by incsim {}: \
                 run every shard with the same version",
                shard.incsim_version, first.incsim_version
            )));
        }
        if shard.seed != first.seed {
            return Err(MergeError(format!(
                "{name} has seed {} but {first_name} has seed {}: shards of one run share its seed \
                 (pass the same --seed to every shard)",
                shard.seed, first.seed
            )));
        }
        if shard.replications_total != first.replications_total {
            return Err(MergeError(format!(
                "{name} belongs to a run of {} replications but {first_name} to one of {}: \
                 pass the same --replications to every shard",
                shard.replications_total, first.replications_total
            )));
        }
        if shard.shard.count != first.shard.count {
            return Err(MergeError(format!(
                "{name} is shard {} of {} but {first_name} is shard {} of {}: \
                 every shard of a run uses the same N",
                shard.shard.index, shard.shard.count, first.shard.index, first.shard.count
            )));
        }
        if shard.uncertainty != first.uncertainty {
            let run = |u: &Option<UncertaintySets>| match u {
                None => "a plain run (no --uncertainty)".to_string(),
                Some(u) => format!("a run with --uncertainty {}", u.sets),
            };
            return Err(MergeError(format!(
                "{name} is a shard of {} but {first_name} is a shard of {}: \
                 every shard of a run uses the same --uncertainty N (or none)",
                run(&shard.uncertainty),
                run(&first.uncertainty)
            )));
        }
        if shard.scenario != first.scenario {
            let a = serde_json::to_value(&first.scenario).unwrap_or(Value::Null);
            let b = serde_json::to_value(&shard.scenario).unwrap_or(Value::Null);
            let detail = first_difference(&a, &b, "")
                .map(|(path, x, y)| format!(" ({path} is {x} in {first_name}, {y} in {name})"))
                .unwrap_or_default();
            return Err(MergeError(format!(
                "{name} and {first_name} simulate different scenarios{detail}: \
                 merge only the shards of one run"
            )));
        }
    }

    let count = first.shard.count;
    let mut slots: Vec<Option<usize>> = vec![None; count as usize];
    for (i, (name, shard)) in headers.iter().enumerate() {
        let k = shard.shard.index as usize;
        if let Some(other) = slots[k] {
            return Err(MergeError(format!(
                "shard {k} of {count} is given twice: {} and {name}; pass each shard once",
                headers[other].0
            )));
        }
        slots[k] = Some(i);
    }
    let missing: Vec<u64> = (0..count)
        .filter(|&k| slots[k as usize].is_none())
        .collect();
    if !missing.is_empty() {
        let files: Vec<String> = missing
            .iter()
            .map(|&index| ShardSpec { index, count }.file_name())
            .collect();
        let ks: Vec<String> = missing.iter().map(u64::to_string).collect();
        return Err(MergeError(format!(
            "missing {} of {count} shards: {} (run them with --shard K/{count}, K = {}, then merge again)",
            missing.len(),
            files.join(", "),
            ks.join(", ")
        )));
    }
    Ok(slots.into_iter().flatten().collect())
}

/// Merge shards of one run into its results, one shard in memory at a time: `read(i)` reads
/// the i-th file in full when its turn comes (in shard order).
pub fn merge_with(
    headers: &[(String, ShardHeader)],
    read: &mut dyn FnMut(usize) -> Result<ShardFile, MergeError>,
) -> Result<Merged, MergeError> {
    let order = plan_merge(headers)?;
    let first = &headers[order[0]].1;
    let mut results = ExperimentResults::empty(0, first.scenario.strategies.len());
    let mut sets: Option<ShardUncertainty> = None;
    for i in order {
        let (name, header) = &headers[i];
        let mut shard = read(i)?;
        if shard.header() != *header {
            return Err(MergeError(format!(
                "{name} changed while it was being merged; merge again"
            )));
        }
        if let Some(u) = shard.uncertainty.take() {
            append_sets(&mut sets, u).map_err(|e| MergeError(format!("{name}: {e}")))?;
        }
        results
            .append(shard.into_results())
            .map_err(|e| MergeError(format!("{name}: {e}")))?;
    }
    Ok(Merged {
        scenario: first.scenario.clone(),
        output_slug: first.output_slug.clone(),
        results,
        uncertainty: sets,
    })
}

/// Append the next shard's parameter-set columns (in replication order) to those merged so
/// far. Every shard re-costs the same sets (a property of the scenario), so they agree on
/// which sets carry values.
fn append_sets(
    merged: &mut Option<ShardUncertainty>,
    next: ShardUncertainty,
) -> Result<(), String> {
    let Some(merged) = merged else {
        *merged = Some(next);
        return Ok(());
    };
    for (set, (into, from)) in merged.simulated.iter_mut().zip(next.simulated).enumerate() {
        match (into, from) {
            (None, None) => {}
            (Some(into), Some(from)) => {
                for (a, b) in into.iter_mut().zip(from) {
                    for (column, more) in a.iter_mut().zip(b) {
                        column.extend(more);
                    }
                }
            }
            _ => {
                return Err(format!(
                    "parameter set {} is re-costed in one shard and simulated in another; \
                     rerun the shards with one incsim",
                    set + 1
                ));
            }
        }
    }
    Ok(())
}

/// Merge shard files held in memory, given as `(name for messages, file)` in any order.
pub fn merge(shards: Vec<(String, ShardFile)>) -> Result<Merged, MergeError> {
    let headers: Vec<(String, ShardHeader)> = shards
        .iter()
        .map(|(name, file)| (name.clone(), file.header()))
        .collect();
    let mut files: Vec<Option<ShardFile>> = shards.into_iter().map(|(_, f)| Some(f)).collect();
    merge_with(&headers, &mut |i| {
        files[i]
            .take()
            .ok_or_else(|| MergeError("a shard was read twice".into()))
    })
}

/// The first place two JSON values differ: (path, value in a, value in b).
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match y.get(k) {
                    Some(vb) => {
                        if let Some(d) = first_difference(va, vb, &p) {
                            return Some(d);
                        }
                    }
                    None => return Some((p, va.to_string(), "absent".to_string())),
                }
            }
            y.keys().find(|k| !x.contains_key(*k)).map(|k| {
                (
                    format!("{path}.{k}"),
                    "absent".to_string(),
                    y[k].to_string(),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                // Name elements by their `name` field when they have one, as scenario paths do.
                let p = match va.get("name").and_then(Value::as_str) {
                    Some(n) if vb.get("name") == va.get("name") => format!("{path}.{n}"),
                    _ => format!("{path}[{i}]"),
                };
                if let Some(d) = first_difference(va, vb, &p) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| {
                (
                    format!("{path} (length)"),
                    x.len().to_string(),
                    y.len().to_string(),
                )
            })
        }
        _ => (a != b).then(|| (path.to_string(), a.to_string(), b.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::run_replications;
    use crate::scenario::{DEFAULT_SCENARIO_TOML, parse_str};

    fn scenario(reps: u64) -> Scenario {
        let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").unwrap();
        s.simulation.replications = reps;
        s
    }

    fn shard_file(s: &Scenario, spec: ShardSpec) -> (String, ShardFile) {
        let results = run_replications(s, spec.range(s.simulation.replications), &mut |_| {});
        let file = ShardFile::new(s, spec, "default", &results);
        // Through JSON text and back, as on disk.
        let text = file.to_json().unwrap();
        (
            spec.file_name(),
            ShardFile::from_json(&text, &spec.file_name()).unwrap(),
        )
    }

    fn spec(index: u64, count: u64) -> ShardSpec {
        ShardSpec { index, count }
    }

    #[test]
    fn shard_ranges_cover_the_run_once_in_order_and_balanced() {
        for total in [1u64, 7, 10, 1000, 1001] {
            for count in 1..=12u64 {
                let mut next = 0;
                for index in 0..count {
                    let r = spec(index, count).range(total);
                    assert_eq!(r.start, next);
                    let len = r.end - r.start;
                    assert!(len == total / count || len == total / count + 1);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        assert_eq!(spec(1, 3).range(10), 3..6);
    }

    #[test]
    fn specs_parse_and_name_their_files() {
        assert_eq!(ShardSpec::parse("2/4").unwrap(), spec(2, 4));
        assert!(ShardSpec::parse("4/4").unwrap_err().contains("0/4 … 3/4"));
        assert!(ShardSpec::parse("1/0").is_err());
        assert!(ShardSpec::parse("1").is_err());
        assert_eq!(spec(2, 4).file_name(), "shard-2-of-4.json");
        assert_eq!(
            ShardSpec::from_file_name("shard-2-of-4.json"),
            Some(spec(2, 4))
        );
        assert_eq!(ShardSpec::from_file_name("summary.json"), None);
    }

    #[test]
    fn a_shard_round_trips_bit_for_bit_through_json() {
        let s = scenario(20);
        let results = run_replications(&s, spec(1, 3).range(20), &mut |_| {});
        let text = ShardFile::new(&s, spec(1, 3), "default", &results)
            .to_json()
            .unwrap();
        let back = ShardFile::from_json(&text, "x").unwrap();
        assert_eq!(back.scenario, s);
        assert_eq!(back.into_results(), results);
    }

    #[test]
    fn merged_shards_equal_one_run_whatever_their_order() {
        let s = scenario(30);
        let shards = vec![
            shard_file(&s, spec(2, 3)),
            shard_file(&s, spec(0, 3)),
            shard_file(&s, spec(1, 3)),
        ];
        let merged = merge(shards).unwrap();
        assert_eq!(merged.scenario, s);
        assert_eq!(merged.results, run_replications(&s, 0..30, &mut |_| {}));
    }

    #[test]
    fn mismatched_shards_are_refused_with_a_reason() {
        let s = scenario(30);
        let good = || vec![shard_file(&s, spec(0, 3)), shard_file(&s, spec(1, 3))];
        let merge_err = |shards| merge(shards).unwrap_err().0;

        let e = merge_err(good());
        assert!(
            e.contains("missing 1 of 3 shards: shard-2-of-3.json"),
            "{e}"
        );

        let mut dup = good();
        dup.push(shard_file(&s, spec(1, 3)));
        let e = merge_err(dup);
        assert!(e.contains("shard 1 of 3 is given twice"), "{e}");

        let mut seeded = s.clone();
        seeded.simulation.seed = 7;
        let mut shards = good();
        shards.push(shard_file(&seeded, spec(2, 3)));
        let e = merge_err(shards);
        assert!(e.contains("seed 7") && e.contains("seed 42"), "{e}");

        let mut longer = s.clone();
        longer.simulation.replications = 60;
        let mut shards = good();
        shards.push(shard_file(&longer, spec(2, 3)));
        let e = merge_err(shards);
        assert!(e.contains("60 replications"), "{e}");

        let mut shards = good();
        shards.push(shard_file(&s, spec(2, 4)));
        let e = merge_err(shards);
        assert!(e.contains("shard 2 of 4"), "{e}");

        let mut other = s.clone();
        other.strategies[1].annual_cost = 70_000.0;
        let mut shards = good();
        shards.push(shard_file(&other, spec(2, 3)));
        let e = merge_err(shards);
        assert!(e.contains("different scenarios"), "{e}");
        assert!(
            e.contains("strategies.proactive.annual_cost is 60000.0"),
            "{e}"
        );
    }

    #[test]
    fn files_that_are_not_shards_are_named() {
        let e = ShardFile::from_json("{\"scenario\": 1}", "summary.json").unwrap_err();
        assert!(
            e.0.contains("summary.json is not an incsim shard file"),
            "{e}"
        );
        let e = ShardFile::from_json("not json", "x.json").unwrap_err();
        assert!(e.0.contains("not valid JSON"), "{e}");
    }
}
