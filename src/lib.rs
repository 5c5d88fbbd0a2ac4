//! # incsim
//!
//! An event-sourced discrete-event simulator of IT incidents. It models failures (sudden, or
//! slowly degrading first), their detection (monitoring or user reports) and escalation
//! through support tiers under competing strategies, over thousands of replications, and
//! reports downtime and cost with confidence intervals.
//!
//! Data flows one way:
//! [`scenario`] → [`experiment`] (replications) → [`engine`] + [`model`] → [`events`] →
//! [`projections`] → [`stats`] → [`export`].

pub mod charts;
pub mod engine;
pub mod eventlog;
pub mod events;
pub mod experiment;
pub mod export;
pub mod format;
pub mod model;
pub mod projections;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod special;
pub mod stats;
