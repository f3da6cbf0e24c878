//! `[security]`: when a service's egress is an anomaly (how many times its
//! usual, above what floor), range-checked and refused at the file's line,
//! and the IAM role VPC flow logs deliver with (per `[[accounts]]` entry, or
//! for every account).

use super::config::SecuritySection;
use super::numbers::{Numbers, EGRESS_FLOOR, EGRESS_RATIO};
use super::SettingsError;
use crate::domain::egress::EgressLimits;
use std::path::Path;

/// What `[security]` sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecuritySettings {
    pub limits: EgressLimits,
    /// The flow logs' delivery role for every account without its own.
    pub flow_logs_role: Option<String>,
}

/// `[security]` checked: each number in its range, else an error naming the
/// file, the line and the key, and what to write.
pub(crate) fn resolve(
    section: &SecuritySection,
    text: &str,
    path: Option<&Path>,
) -> Result<SecuritySettings, SettingsError> {
    let defaults = EgressLimits::default();
    let numbers = Numbers { text, path };
    Ok(SecuritySettings {
        limits: EgressLimits {
            ratio: numbers.or_default(&section.egress_ratio, EGRESS_RATIO, defaults.ratio)?,
            floor_bytes_per_second: numbers.or_default(
                &section.egress_floor_bytes_per_second,
                EGRESS_FLOOR,
                defaults.floor_bytes_per_second,
            )?,
        },
        flow_logs_role: section
            .flow_logs_role
            .clone()
            .filter(|r| !r.trim().is_empty()),
    })
}
