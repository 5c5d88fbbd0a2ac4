//! Projections: folds over events that yield the metrics a run reports (docs/model.md §4).
//!
//! A run and `incsim replay` fold events through the same projections, so the numbers agree by
//! construction.

pub mod incident;
pub mod lifecycle;
pub mod maintenance;
pub mod metrics;

pub use metrics::{CHECKPOINTS, MetricsProjection, RESTORE_BINS, RepMetrics};
