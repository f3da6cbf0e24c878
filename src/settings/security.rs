//! `[security]`: when a service's egress is an anomaly (how many times its
//! usual, above what floor), range-checked and refused at the file's line,
//! and the IAM role VPC flow logs deliver with (per `[[accounts]]` entry, or
//! for every account).

use super::config::SecuritySection;
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

/// The ratio's range: below 1.5× ordinary swings page; above 1000× nothing would.
pub const RATIO_RANGE: (f64, f64) = (1.5, 1000.0);
/// The floor's range, bytes a second (0 to 100 GB/s).
pub const FLOOR_RANGE: (f64, f64) = (0.0, 1e11);

/// `[security]` checked: each number in its range, else an error naming the
/// file, the line and the key, and what to write.
pub fn resolve(
    section: &SecuritySection,
    text: &str,
    path: Option<&Path>,
) -> Result<SecuritySettings, SettingsError> {
    let defaults = EgressLimits::default();
    let number = |value: &Option<toml::Spanned<f64>>,
                  key: &str,
                  (low, high): (f64, f64),
                  default: f64,
                  unit: &str|
     -> Result<f64, SettingsError> {
        let Some(v) = value else {
            return Ok(default);
        };
        let n = *v.get_ref();
        if n.is_finite() && (low..=high).contains(&n) {
            return Ok(n);
        }
        let message = format!(
            "{n} is out of range: write a number from {low} to {high}{unit} (default {default})"
        );
        Err(match path {
            Some(path) => SettingsError::ConfigType {
                path: path.to_path_buf(),
                line: super::config::line_of(text, v.span().start),
                key: format!("security.{key}"),
                message,
            },
            None => SettingsError::Invalid {
                what: format!("security.{key}"),
                message,
            },
        })
    };
    Ok(SecuritySettings {
        limits: EgressLimits {
            ratio: number(
                &section.egress_ratio,
                "egress_ratio",
                RATIO_RANGE,
                defaults.ratio,
                "",
            )?,
            floor_bytes_per_second: number(
                &section.egress_floor_bytes_per_second,
                "egress_floor_bytes_per_second",
                FLOOR_RANGE,
                defaults.floor_bytes_per_second,
                " bytes a second",
            )?,
        },
        flow_logs_role: section
            .flow_logs_role
            .clone()
            .filter(|r| !r.trim().is_empty()),
    })
}
