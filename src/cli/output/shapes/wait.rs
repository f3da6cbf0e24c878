//! `triage wait -o json`: how the wait ended and the last look at the service.

use super::super::schema::{Place, Version};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct WaitDoc {
    pub schema_version: Version,
    /// `cluster/service`.
    pub service: String,
    #[serde(flatten)]
    pub place: Place,
    /// `healthy`, `steady` or `alarm-ok`.
    pub until: String,
    /// It was reached (exit 0); false: the timeout came first (exit 1).
    pub reached: bool,
    pub waited_seconds: u64,
    /// How many times the service was read.
    pub looks: u32,
    /// What was still pending at the last look (`nothing` when reached).
    pub pending: String,
    /// Each time it got worse during the wait, in words.
    pub got_worse: Vec<String>,
    pub last: LookJson,
}

/// The last look at the service.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LookJson {
    /// As `triage status` says it: healthy, deploying, recovering, degraded, down, failed, scaled_to_zero.
    pub health: String,
    pub reason: String,
    pub running: u32,
    pub desired: u32,
    pub pending: u32,
    pub deployments: u32,
    pub steady: bool,
    pub alarms_in_alarm: Vec<String>,
}

impl LookJson {
    pub fn of(look: &crate::domain::until::Look) -> LookJson {
        let clean = crate::domain::sanitize::one_line;
        LookJson {
            health: look.health.as_str().into(),
            reason: clean(&look.reason),
            running: look.running,
            desired: look.desired,
            pending: look.pending,
            deployments: look.deployments as u32,
            steady: look.steady,
            alarms_in_alarm: look.alarms_in_alarm.iter().map(|a| clean(a)).collect(),
        }
    }
}
