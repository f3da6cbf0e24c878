//! The vocabulary and the rules of triage, free of IO.
//!
//! Nothing here imports the AWS SDK, tokio, ratatui or crossterm, touches files,
//! or reads the clock: time comes in through [`clock::Clock`] and the outside
//! world through the traits in [`ports`].

#[macro_use]
mod port_macro;

pub mod alarms;
pub mod backoff;
pub mod changes;
pub mod clock;
pub mod context;
pub mod diagnosis;
pub mod egress;
pub mod error;
pub mod exec;
pub mod exposure;
pub mod flowlogs;
pub mod headline;
pub mod health;
pub mod logsearch;
pub mod metrics;
pub mod network;
pub mod pair;
pub mod ports;
pub mod quotas;
pub mod ranking;
pub mod recovery;
pub mod runbook;
pub mod sanitize;
pub mod secrets;
pub mod security;
pub mod service;
pub mod snapshot;
pub mod sso;
pub mod suggestion;
pub mod task;
pub mod timeline;
pub mod trace;
pub mod until;
pub mod waiting;

pub use clock::Clock;
pub use error::{Missing, PortError};
pub use health::{classify, Health, HealthVerdict};
pub use pair::Pair;
pub use service::{Deployment, DeploymentStatus, RolloutState, Service, ServiceEvent};
pub use task::{Container, Task, TaskState};
