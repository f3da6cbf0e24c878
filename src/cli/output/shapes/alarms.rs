//! `triage alarms -o json`, and the alarms inside `status`.

use super::super::rfc3339;
use super::super::schema::{Place, Version};
use super::PairJson;
use crate::domain::alarms::OwnedAlarm;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct AlarmsDoc {
    pub schema_version: Version,
    pub generated_at: String,
    /// Every pair asked for, read or not (`error` says why not).
    pub pairs: Vec<PairJson>,
    /// ALARM, then INSUFFICIENT_DATA, then OK; within a state, in the
    /// services' ranked order, the account's own last.
    pub alarms: Vec<AlarmJson>,
}

/// One CloudWatch alarm and the services it watches.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AlarmJson {
    #[serde(flatten)]
    pub place: Place,
    pub name: String,
    pub arn: String,
    /// ALARM, OK or INSUFFICIENT_DATA.
    pub state: String,
    pub reason: String,
    /// Since when it is in this state.
    pub since: Option<String>,
    pub composite: bool,
    /// The services it watches (none: an account alarm).
    pub services: Vec<ServiceRef>,
    /// The metric it watches; null for composite and metric-math alarms.
    pub metric: Option<AlarmMetricJson>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceRef {
    pub cluster: String,
    pub service: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AlarmMetricJson {
    pub namespace: String,
    pub name: String,
    pub statistic: Option<String>,
    pub dimensions: Vec<DimensionJson>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
    pub period_seconds: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DimensionJson {
    pub name: String,
    pub value: String,
}

impl AlarmJson {
    /// An alarm read in `pair` (account id `account` when known).
    pub fn of(owned: &OwnedAlarm, pair: &crate::domain::Pair, account: Option<&str>) -> AlarmJson {
        let a = &owned.alarm;
        AlarmJson {
            place: Place::of(pair, account, &a.arn),
            name: a.name.clone(),
            arn: a.arn.clone(),
            state: a.state.as_str().to_string(),
            reason: a.reason.clone(),
            since: a.since.map(rfc3339),
            composite: a.composite,
            services: owned
                .services
                .iter()
                .map(|k| ServiceRef {
                    cluster: k.cluster.clone(),
                    service: k.service.clone(),
                })
                .collect(),
            metric: a.metric.as_ref().map(|m| AlarmMetricJson {
                namespace: m.namespace.clone(),
                name: m.name.clone(),
                statistic: m.statistic.clone(),
                dimensions: m
                    .dimensions
                    .iter()
                    .map(|d| DimensionJson {
                        name: d.name.clone(),
                        value: d.value.clone(),
                    })
                    .collect(),
                threshold: m.threshold,
                comparison: m.comparison.clone(),
                period_seconds: m.period_seconds,
            }),
        }
    }
}
