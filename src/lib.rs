//! # incsim
//!
//! An event-sourced discrete-event simulator of IT incidents. It models failures (sudden, or
//! slowly degrading first), their detection (monitoring or user reports) and escalation
//! through support tiers under competing strategies, over thousands of replications, and
//! reports downtime and cost with confidence intervals.
//!
//! Data flows one way:
//! [`scenario`] → [`experiment`] (replications, keyed [`rng`] streams) → [`model`] on the
//! [`engine`] → [`events`] → [`projections`] → [`metrics`] (the registry) and [`stats`] →
//! [`report`] → [`export`] and [`charts`].
//!
//! The layer rule: a module names only modules upstream of it. In particular the model never
//! uses `experiment`, `export` or `charts` (it receives its random streams); projections never
//! use the model (they read what happened from events, calendars live in `scenario`); `stats`
//! never uses `scenario`; charts draw from the [`report::Report`] alone, never from `experiment`
//! or `export`. [`engine`], [`events`], [`rng`], [`format`] and [`special`] are leaves any layer
//! may use. `tests/layers.rs` checks this on the source and lists the exceptions still left.

pub mod charts;
pub mod drill;
pub mod engine;
pub mod eventlog;
pub mod events;
pub mod experiment;
pub mod export;
pub mod finance;
pub mod fit;
pub mod format;
pub mod import;
pub mod integrity;
pub mod metrics;
pub mod model;
pub mod projections;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod special;
pub mod stats;
