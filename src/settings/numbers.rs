//! Every number the config file holds, with its range: [`RULES`] is the one
//! table (the README's config section lists the same), and [`Numbers`]
//! checks a value from the file against its rule, refusing one out of range
//! with the file, the line and the key — a rate too small to finish a read,
//! a retry count that would spin for minutes, a timeout of a day.

use super::SettingsError;
use std::path::Path;
use toml::Spanned;

/// One number's rule: its dotted key, the range it takes, its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberRule {
    pub key: &'static str,
    pub low: f64,
    pub high: f64,
    /// The default, as the message and the README say it.
    pub default: &'static str,
    /// What the number counts, for the message (`" seconds"`).
    pub unit: &'static str,
    /// Whole numbers only (counts and seconds).
    pub whole: bool,
}

const fn rule(
    key: &'static str,
    (low, high): (f64, f64),
    default: &'static str,
    unit: &'static str,
) -> NumberRule {
    NumberRule {
        key,
        low,
        high,
        default,
        unit,
        whole: true,
    }
}

const fn fraction(
    key: &'static str,
    (low, high): (f64, f64),
    default: &'static str,
    unit: &'static str,
) -> NumberRule {
    NumberRule {
        whole: false,
        ..rule(key, (low, high), default, unit)
    }
}

/// A refresh or timeout longer than a day is a mistake.
const DAY: f64 = 86_400.0;

pub(crate) const REFRESH_SELECTED: NumberRule =
    rule("refresh.selected_seconds", (1.0, DAY), "5", " seconds");
pub(crate) const REFRESH_OTHERS: NumberRule =
    rule("refresh.others_seconds", (1.0, DAY), "30", " seconds");
/// The SDK's attempts per call (1: triage's own budget retries throttling).
pub(crate) const MAX_ATTEMPTS: NumberRule = rule("aws.max_attempts", (1.0, 10.0), "1", " attempts");
/// Below one read a second a status read of a few clusters takes minutes;
/// above 100 it would take any account's whole ECS quota.
pub(crate) const ECS_RATE: NumberRule = fraction(
    "aws.ecs_reads_per_second",
    (1.0, 100.0),
    "10",
    " reads a second",
);
pub(crate) const ECS_BURST: NumberRule = rule("aws.ecs_burst", (1.0, 100.0), "20", " reads");
pub(crate) const LOGS_RATE: NumberRule = fraction(
    "aws.logs_reads_per_second",
    (1.0, 100.0),
    "half the Region's quota",
    " reads a second",
);
pub(crate) const LOGS_BURST: NumberRule = rule(
    "aws.logs_burst",
    (1.0, 100.0),
    "the rate's whole part",
    " reads",
);
pub(crate) const TIMEOUT: NumberRule = rule("aws.timeout_seconds", (1.0, 300.0), "20", " seconds");
/// Each retry waits longer (up to 20 s): 10 is already minutes.
pub(crate) const THROTTLE_RETRIES: NumberRule =
    rule("aws.throttle_retries", (0.0, 10.0), "4", " retries");
pub(crate) const MAX_CALLS: NumberRule = rule("logs.max_calls", (1.0, 100_000.0), "2000", " calls");
/// Below 1.5× ordinary swings page; above 1000× nothing would.
pub(crate) const EGRESS_RATIO: NumberRule =
    fraction("security.egress_ratio", (1.5, 1000.0), "5", "×");
/// 0 to 100 GB/s.
pub(crate) const EGRESS_FLOOR: NumberRule = fraction(
    "security.egress_floor_bytes_per_second",
    (0.0, 1e11),
    "100000",
    " bytes a second",
);

/// Every number the config file takes, in the README's order.
pub const RULES: &[NumberRule] = &[
    REFRESH_SELECTED,
    REFRESH_OTHERS,
    MAX_ATTEMPTS,
    ECS_RATE,
    ECS_BURST,
    LOGS_RATE,
    LOGS_BURST,
    TIMEOUT,
    THROTTLE_RETRIES,
    MAX_CALLS,
    EGRESS_RATIO,
    EGRESS_FLOOR,
];

/// A number as the file wrote it.
pub trait ConfigNumber: Copy {
    fn as_f64(self) -> f64;
}
impl ConfigNumber for u32 {
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}
impl ConfigNumber for u64 {
    fn as_f64(self) -> f64 {
        self as f64
    }
}
impl ConfigNumber for f64 {
    fn as_f64(self) -> f64 {
        self
    }
}

/// Checks numbers read from one config file.
pub struct Numbers<'a> {
    pub text: &'a str,
    pub path: Option<&'a Path>,
}

impl Numbers<'_> {
    /// The value if the file sets it and it is in range; None if unset; an
    /// error naming file, line and key (and what to write) if out of range.
    pub fn checked<T: ConfigNumber>(
        &self,
        value: &Option<Spanned<T>>,
        rule: NumberRule,
    ) -> Result<Option<T>, SettingsError> {
        let Some(v) = value else {
            return Ok(None);
        };
        let n = v.get_ref().as_f64();
        if n.is_finite() && (rule.low..=rule.high).contains(&n) {
            return Ok(Some(*v.get_ref()));
        }
        let kind = if rule.whole {
            "a whole number"
        } else {
            "a number"
        };
        let message = format!(
            "{n} is out of range: write {kind} from {} to {}{} (default {})",
            rule.low, rule.high, rule.unit, rule.default
        );
        Err(match self.path {
            Some(path) => SettingsError::ConfigType {
                path: path.to_path_buf(),
                line: super::config::line_of(self.text, v.span().start),
                key: rule.key.to_string(),
                message,
            },
            None => SettingsError::Invalid {
                what: rule.key.to_string(),
                message,
            },
        })
    }

    /// [`Numbers::checked`], or the rule's default when unset.
    pub fn or_default<T: ConfigNumber>(
        &self,
        value: &Option<Spanned<T>>,
        rule: NumberRule,
        default: T,
    ) -> Result<T, SettingsError> {
        Ok(self.checked(value, rule)?.unwrap_or(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_finite_range_holding_its_default() {
        for r in RULES {
            assert!(
                r.low >= 0.0 && r.low < r.high && r.high.is_finite(),
                "{r:?}"
            );
            if let Ok(default) = r.default.parse::<f64>() {
                assert!((r.low..=r.high).contains(&default), "{r:?}");
            }
        }
    }

    #[test]
    fn the_defaults_said_are_the_defaults_used() {
        let egress = crate::domain::egress::EgressLimits::default();
        assert_eq!(EGRESS_RATIO.default, egress.ratio.to_string());
        assert_eq!(
            EGRESS_FLOOR.default,
            egress.floor_bytes_per_second.to_string()
        );
        assert_eq!(
            MAX_CALLS.default,
            super::super::DEFAULT_MAX_SEARCH_CALLS.to_string()
        );
        let aws = super::super::AwsTuning::default();
        assert_eq!(THROTTLE_RETRIES.default, aws.throttle_retries.to_string());
        assert_eq!(ECS_RATE.default, aws.ecs_reads_per_second.to_string());
        assert_eq!(ECS_BURST.default, aws.ecs_burst.to_string());
        assert_eq!(MAX_ATTEMPTS.default, aws.max_attempts.to_string());
    }

    #[test]
    fn a_number_out_of_range_names_file_line_and_key() {
        #[derive(serde::Deserialize)]
        struct Aws {
            throttle_retries: Option<Spanned<u32>>,
        }
        #[derive(serde::Deserialize)]
        struct File {
            aws: Aws,
        }
        let text = "name = \"x\"\n\n[aws]\nthrottle_retries = 50\n";
        let file: File = toml::from_str(text).unwrap();
        let numbers = Numbers {
            text,
            path: Some(Path::new("/c/config.toml")),
        };
        let err = numbers
            .checked(&file.aws.throttle_retries, THROTTLE_RETRIES)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "/c/config.toml:4: key `aws.throttle_retries`: 50 is out of range: write a whole number from 0 to 10 retries (default 4)"
        );
    }
}
