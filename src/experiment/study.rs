//! Shards of studies — sweeps, two-way grids and sensitivity analyses — merged back into
//! exactly the files one machine writes (docs/model.md §6).
//!
//! A study is many simulation runs of variants of one scenario, every run over replications
//! `0..R` with the scenario's seed (common random numbers). Shard `K` of `N` simulates
//! **every run of the study over the replication slice** `⌊K·R/N⌋ .. ⌊(K+1)·R/N⌋` (the same
//! slices as `run --shard`), rather than a share of the points: every point keeps all its
//! replications on the same random streams (CRN across points and strategies is untouched),
//! the shards balance whatever the number of points, and N may be as large as R.
//!
//! The study's own code runs unchanged in every mode; only where its simulations come from
//! differs ([`Simulate`]):
//! - directly: each run is simulated over `0..R`;
//! - as a shard: each run is simulated over the slice and recorded, in call order, as an
//!   embedded [`ShardFile`] (its variant scenario, rows, histogram, checkpoints);
//! - at the merge: the k-th call gets the k-th runs of all shards merged by
//!   [`super::shard::merge`] — refused unless they are the slices of *that* variant — so
//!   the study computes from results bit-identical to a direct run's, and writes the same
//!   bytes. Runs a study re-costs rather than simulates (docs/model.md, re-costing) are
//!   re-costed at the merge from the merged results, as directly.

use std::io::Read;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::ExperimentResults;
use super::shard::{self, MergeError, ShardFile, ShardHeader, ShardSpec};
use crate::scenario::Scenario;

/// The `format` field of a study shard file.
pub const FORMAT: &str = "incsim-study-shard";
/// The version of the study shard layout.
pub const FORMAT_VERSION: u32 = 1;

/// Where a study's simulations come from: called with each variant to simulate (its
/// `simulation.replications` is R) and a progress callback (replications finished).
pub type Simulate<'a> = dyn FnMut(&Scenario, &mut dyn FnMut(u64)) -> ExperimentResults + Send + 'a;

/// Which study, with the options that define its runs (the scenario carries replications,
/// seed and baseline). The merge re-runs the study's code from this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Study {
    /// `incsim sweep`: one `--vary` (a sweep) or two (a grid), as written.
    Sweep {
        /// The `PATH=FROM:TO:STEPS` texts.
        vary: Vec<String>,
        /// `--metric` (grids).
        metric: String,
        /// `--strategy` (grids).
        strategy: Option<String>,
    },
    /// `incsim sensitivity`.
    Sensitivity {
        /// `--candidate`.
        candidate: Option<String>,
        /// `--by`, a fraction.
        by: f64,
        /// `--only`.
        only: Option<Vec<String>>,
    },
}

impl Study {
    /// The command, for messages.
    pub fn command(&self) -> &'static str {
        match self {
            Study::Sweep { .. } => "sweep",
            Study::Sensitivity { .. } => "sensitivity",
        }
    }
}

/// The content of a study shard file (`shard-K-of-N.json`, like a run's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyShardFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The incsim version that simulated it.
    pub incsim_version: String,
    /// Which slice.
    pub shard: ShardSpec,
    /// The seed of every run.
    pub seed: u64,
    /// Replications of every run, R.
    pub replications_total: u64,
    /// The replications in this shard.
    pub reps: Range<u64>,
    /// The scenario file's slug (the default output folder derives from it).
    pub output_slug: String,
    /// The checked scenario of the study, before any variation.
    pub scenario: Scenario,
    /// The study and its options.
    pub study: Study,
    /// The simulated runs, in the order the study asked for them, each over this slice.
    pub runs: Vec<ShardFile>,
    /// SHA-256 of the file without this field (see [`ShardFile`]'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Just enough of a shard file to tell a run's shard from a study's.
#[derive(Deserialize)]
struct Kind {
    format: String,
}

/// The `format` of a shard file's JSON (None when it is not JSON with a `format`).
pub fn format_of(reader: impl Read) -> Option<String> {
    serde_json::from_reader::<_, Kind>(reader)
        .ok()
        .map(|k| k.format)
}

impl StudyShardFile {
    /// The header the run shards' checks read (the file's own slice, seed and scenario).
    pub fn header(&self) -> ShardHeader {
        ShardHeader {
            format: shard::FORMAT.to_string(),
            format_version: shard::FORMAT_VERSION,
            incsim_version: self.incsim_version.clone(),
            shard: self.shard,
            seed: self.seed,
            replications_total: self.replications_total,
            reps: self.reps.clone(),
            output_slug: self.output_slug.clone(),
            scenario: self.scenario.clone(),
            uncertainty: None,
        }
    }

    fn compute_digest(&self) -> String {
        let mut d = crate::integrity::DigestWriter::new();
        let _ = serde_json::to_writer(&mut d, self);
        d.finish()
    }

    /// Seal the file with the digest of its content.
    pub fn with_digest(mut self) -> StudyShardFile {
        self.digest = None;
        self.digest = Some(self.compute_digest());
        self
    }

    /// Read a study shard file: its digest, its header and every embedded run are checked.
    pub fn read(reader: impl Read, name: &str) -> Result<StudyShardFile, MergeError> {
        let mut file: StudyShardFile = serde_json::from_reader(reader).map_err(|e| {
            MergeError(format!(
                "{name} is not a readable incsim study shard ({e}); was it cut short while being written?"
            ))
        })?;
        if file.format != FORMAT {
            return Err(MergeError(format!(
                "{name} is not an incsim study shard (its \"format\" is {:?})",
                file.format
            )));
        }
        if file.format_version != FORMAT_VERSION {
            return Err(MergeError(format!(
                "{name} has study shard format version {}, this incsim reads version {FORMAT_VERSION}; rerun the shards with this incsim",
                file.format_version
            )));
        }
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
                    "{name} was changed after incsim wrote it (its digest does not match its content); rerun the shard"
                )));
            }
            Some(c) => file.digest = Some(c),
        }
        file.header().check(name)?;
        for (i, run) in file.runs.iter().enumerate() {
            let what = format!("{name}, run {}", i + 1);
            run.check_embedded(&what)?;
            if run.shard != file.shard
                || run.incsim_version != file.incsim_version
                || run.replications_total != file.replications_total
                || run.seed != file.seed
            {
                return Err(MergeError(format!(
                    "{what} is not the file's slice {} of the study; rerun the shard",
                    file.shard
                )));
            }
        }
        Ok(file)
    }
}

/// Simulate the study's runs over shard `spec`'s slice, recording each: returns the
/// [`Simulate`] to hand the study, and then [`Recorder::finish`] packages the file.
pub struct Recorder {
    spec: ShardSpec,
    slug: String,
    runs: Vec<ShardFile>,
}

impl Recorder {
    /// A recorder for shard `spec`; `slug` names the default output folder.
    pub fn new(spec: ShardSpec, slug: &str) -> Recorder {
        Recorder {
            spec,
            slug: slug.to_string(),
            runs: Vec::new(),
        }
    }

    /// Simulate `variant` over this shard's slice and record it.
    pub fn simulate(
        &mut self,
        variant: &Scenario,
        progress: &mut dyn FnMut(u64),
    ) -> ExperimentResults {
        let slice = self.spec.range(variant.simulation.replications);
        let results = super::run_replications(variant, slice, progress);
        self.runs
            .push(ShardFile::new(variant, self.spec, &self.slug, &results));
        results
    }

    /// The shard file of the recorded runs.
    pub fn finish(self, scenario: &Scenario, study: Study) -> StudyShardFile {
        StudyShardFile {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            incsim_version: env!("CARGO_PKG_VERSION").to_string(),
            shard: self.spec,
            seed: scenario.simulation.seed,
            replications_total: scenario.simulation.replications,
            reps: self.spec.range(scenario.simulation.replications),
            output_slug: self.slug,
            scenario: scenario.clone(),
            study,
            runs: self.runs,
            digest: None,
        }
        .with_digest()
    }
}

/// The shards of one study, checked to belong together and ordered, ready to hand the
/// study its runs again (see the module's documentation).
pub struct Replay {
    /// The study's scenario.
    pub scenario: Scenario,
    /// The study.
    pub study: Study,
    /// The default output folder's slug.
    pub output_slug: String,
    /// Per shard (in shard order): its name and its runs, taken as they are replayed.
    shards: Vec<(String, std::vec::IntoIter<ShardFile>)>,
    /// Runs handed out so far.
    next: usize,
    /// Runs every shard holds.
    runs: usize,
    /// The first reason the replay went wrong: the study's outputs must then not be written.
    pub error: Option<MergeError>,
}

impl Replay {
    /// Check study shards, given as `(name, file)` in any order: one study, one scenario,
    /// every shard once, the same number of runs.
    pub fn new(files: Vec<(String, StudyShardFile)>) -> Result<Replay, MergeError> {
        let headers: Vec<(String, ShardHeader)> = files
            .iter()
            .map(|(name, f)| (name.clone(), f.header()))
            .collect();
        let order = shard::plan_merge(&headers)?;
        let (first_name, first) = &files[order[0]];
        for (name, f) in &files {
            if f.study != first.study {
                return Err(MergeError(format!(
                    "{name} and {first_name} are shards of different studies ({} {:?} and {} {:?}): \
                     merge only the shards of one command",
                    f.study.command(),
                    f.study,
                    first.study.command(),
                    first.study
                )));
            }
            if f.runs.len() != first.runs.len() {
                return Err(MergeError(format!(
                    "{name} holds {} runs but {first_name} holds {}: they are not shards of one study",
                    f.runs.len(),
                    first.runs.len()
                )));
            }
        }
        let scenario = first.scenario.clone();
        let study = first.study.clone();
        let output_slug = first.output_slug.clone();
        let runs = first.runs.len();
        let mut slots: Vec<Option<(String, StudyShardFile)>> =
            files.into_iter().map(Some).collect();
        let shards = order
            .into_iter()
            .map(|i| {
                let (name, f) = slots[i].take().expect("plan_merge gives each shard once");
                (name, f.runs.into_iter())
            })
            .collect();
        Ok(Replay {
            scenario,
            study,
            output_slug,
            shards,
            next: 0,
            runs,
            error: None,
        })
    }

    /// The merged results of the next run, which must be a run of `variant`. On any mismatch
    /// the error is kept in [`Replay::error`] (the study must then not write), and a one-
    /// replication simulation stands in so that the study's code can finish.
    pub fn simulate(
        &mut self,
        variant: &Scenario,
        _progress: &mut dyn FnMut(u64),
    ) -> ExperimentResults {
        let fail = |this: &mut Replay, e: MergeError| {
            if this.error.is_none() {
                this.error = Some(e);
            }
            super::run_replications(variant, 0..1, &mut |_| {})
        };
        if self.error.is_some() {
            return fail(self, MergeError(String::new()));
        }
        let k = self.next;
        self.next += 1;
        if k >= self.runs {
            let e = MergeError(format!(
                "the shards hold {} runs, but the {} asks for more: were they written by another incsim?",
                self.runs,
                self.study.command()
            ));
            return fail(self, e);
        }
        let parts: Vec<(String, ShardFile)> = self
            .shards
            .iter_mut()
            .map(|(name, runs)| {
                let run = runs.next().expect("every shard holds `runs` runs");
                (format!("{name}, run {}", k + 1), run)
            })
            .collect();
        match shard::merge(parts) {
            Ok(merged) if merged.scenario == *variant => merged.results,
            Ok(_) => {
                let e = MergeError(format!(
                    "run {} of the shards is not the variant the {} computes at that step: \
                     the shards were written by another incsim or for other options; rerun them",
                    k + 1,
                    self.study.command()
                ));
                fail(self, e)
            }
            Err(e) => fail(self, e),
        }
    }

    /// After the study: every run was used, and none went wrong.
    pub fn finish(&mut self) -> Result<(), MergeError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.next != self.runs {
            return Err(MergeError(format!(
                "the shards hold {} runs, but the {} used {}: were they written by another incsim?",
                self.runs,
                self.study.command(),
                self.next
            )));
        }
        Ok(())
    }
}
