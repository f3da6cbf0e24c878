//! CloudWatch alarms as triage reads them, and which service each one
//! watches: `AWS/ECS` alarms by `ClusterName` + `ServiceName`,
//! `AWS/ApplicationELB` alarms by `TargetGroup` (the services' target
//! groups) or `LoadBalancer` (the load balancers of those target groups),
//! any other dimension through the config's `[alarms]` mapping. An alarm
//! that belongs to no service is an account alarm: kept, never dropped.

use super::service::{Service, ServiceKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An alarm's state, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AlarmState {
    #[serde(rename = "ALARM")]
    Alarm,
    #[serde(rename = "INSUFFICIENT_DATA")]
    InsufficientData,
    #[serde(rename = "OK")]
    Ok,
}

impl AlarmState {
    pub const ALL: [AlarmState; 3] = [
        AlarmState::Alarm,
        AlarmState::InsufficientData,
        AlarmState::Ok,
    ];

    /// As CloudWatch writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Ok => "OK",
        }
    }

    /// CloudWatch's word (any case, `-` for `_`).
    pub fn parse(text: &str) -> Option<AlarmState> {
        let wanted = text.trim().to_ascii_uppercase().replace('-', "_");
        AlarmState::ALL.into_iter().find(|s| s.as_str() == wanted)
    }
}

/// One dimension of a metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

/// The metric a metric alarm watches, and its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmMetric {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<Dimension>,
    /// `Average`, `Maximum`, … or an extended statistic such as `p95`.
    pub statistic: Option<String>,
    pub period_seconds: Option<u32>,
    pub threshold: Option<f64>,
    /// `GreaterThanThreshold`, `LessThanThreshold`, …
    pub comparison: Option<String>,
}

impl AlarmMetric {
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }

    /// The comparison as a sign (`>`, `≥`, `<`, `≤`), for "memory > 90".
    pub fn sign(&self) -> &'static str {
        match self.comparison.as_deref() {
            Some("GreaterThanThreshold") => ">",
            Some("GreaterThanOrEqualToThreshold") => "≥",
            Some("LessThanThreshold") => "<",
            Some("LessThanOrEqualToThreshold") => "≤",
            _ => "vs",
        }
    }
}

/// One alarm, metric or composite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub state: AlarmState,
    /// CloudWatch's `StateReason`.
    pub reason: String,
    /// `StateUpdatedTimestamp`: since when it is in this state.
    pub since: Option<DateTime<Utc>>,
    pub composite: bool,
    /// None for composite alarms (and metric-math alarms).
    pub metric: Option<AlarmMetric>,
    /// The watched pair it was read from (set by the reader).
    #[serde(default, skip_serializing_if = "crate::domain::Pair::is_unnamed")]
    pub pair: crate::domain::Pair,
}

/// A `[alarms]` entry: alarms with this dimension value belong to this service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmMapping {
    pub dimension: String,
    pub value: String,
    pub service: ServiceKey,
}

/// A target group and the load balancers it serves (ELBv2 `DescribeTargetGroups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub load_balancer_arns: Vec<String>,
}

/// An alarm and the services it watches; none means an account alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnedAlarm {
    pub alarm: Alarm,
    pub services: Vec<ServiceKey>,
}

/// The part of an ELBv2 ARN its CloudWatch dimension uses:
/// `…:targetgroup/web/73e2` → `targetgroup/web/73e2`,
/// `…:loadbalancer/app/web/50dc` → `app/web/50dc`.
pub fn elb_dimension(arn: &str) -> &str {
    let resource = arn.rsplit_once(':').map(|(_, r)| r).unwrap_or(arn);
    resource.strip_prefix("loadbalancer/").unwrap_or(resource)
}

/// Which services each alarm watches, in the order the alarms came. An
/// alarm watches only services of its own pair: the same dimensions in
/// another account or Region are another alarm's business.
pub fn tie(
    alarms: Vec<Alarm>,
    services: &[Service],
    target_groups: &[TargetGroup],
    mappings: &[AlarmMapping],
) -> Vec<OwnedAlarm> {
    alarms
        .into_iter()
        .map(|alarm| {
            let services = owners(&alarm, services, target_groups, mappings);
            OwnedAlarm { alarm, services }
        })
        .collect()
}

fn owners(
    alarm: &Alarm,
    services: &[Service],
    target_groups: &[TargetGroup],
    mappings: &[AlarmMapping],
) -> Vec<ServiceKey> {
    let Some(metric) = &alarm.metric else {
        return Vec::new();
    };
    let services = services.iter().filter(|s| s.pair == alarm.pair);
    let mut owners: Vec<ServiceKey> = Vec::new();
    let mut add = |key: ServiceKey| {
        if !owners.contains(&key) {
            owners.push(key);
        }
    };
    // Container Insights carries the same two dimensions.
    if metric.namespace == "AWS/ECS" || metric.namespace == "ECS/ContainerInsights" {
        if let (Some(cluster), Some(service)) = (
            metric.dimension("ClusterName"),
            metric.dimension("ServiceName"),
        ) {
            services
                .clone()
                .filter(|s| s.cluster == cluster && s.name == service)
                .for_each(|s| add(s.key()));
        }
    }
    if metric.namespace == "AWS/ApplicationELB" {
        let target_group = metric.dimension("TargetGroup");
        let load_balancer = metric.dimension("LoadBalancer");
        for service in services {
            let watched = service.target_groups.iter().any(|arn| {
                let by_group = target_group == Some(elb_dimension(arn));
                // A load-balancer-wide alarm watches every service behind it
                // (unless it names one target group: then that one only).
                let by_balancer = target_group.is_none()
                    && load_balancer.is_some_and(|lb| {
                        target_groups
                            .iter()
                            .filter(|g| &g.arn == arn)
                            .flat_map(|g| &g.load_balancer_arns)
                            .any(|l| elb_dimension(l) == lb)
                    });
                by_group || by_balancer
            });
            if watched {
                add(service.key());
            }
        }
    }
    for mapping in mappings {
        if metric.dimension(&mapping.dimension) == Some(mapping.value.as_str()) {
            add(ServiceKey {
                pair: alarm.pair.clone(),
                ..mapping.service.clone()
            });
        }
    }
    owners
}

/// Alarms in the order every list shows them: ALARM first, then
/// INSUFFICIENT_DATA, then OK; within a state, the services' rank (an
/// account alarm after the services'), then the newest change first.
pub fn ordered(
    alarms: &[OwnedAlarm],
    rank_of: impl Fn(&ServiceKey) -> Option<usize>,
) -> Vec<&OwnedAlarm> {
    let mut list: Vec<&OwnedAlarm> = alarms.iter().collect();
    let best_rank = |a: &OwnedAlarm| {
        a.services
            .iter()
            .filter_map(&rank_of)
            .min()
            .unwrap_or(usize::MAX)
    };
    list.sort_by(|a, b| {
        a.alarm
            .state
            .cmp(&b.alarm.state)
            .then_with(|| best_rank(a).cmp(&best_rank(b)))
            .then_with(|| b.alarm.since.cmp(&a.alarm.since))
            .then_with(|| a.alarm.name.cmp(&b.alarm.name))
    });
    list
}

/// The alarms that watch one service.
pub(crate) fn of_service<'a>(alarms: &'a [OwnedAlarm], key: &ServiceKey) -> Vec<&'a Alarm> {
    alarms
        .iter()
        .filter(|a| a.services.contains(key))
        .map(|a| &a.alarm)
        .collect()
}

/// The journal entries for what changed since the last read: an alarm seen
/// going into ALARM (or already in it the first time it is seen), and one
/// going back to OK. `seen` is what the last read said of each alarm, by
/// ARN (unique across accounts and Regions).
pub fn transitions(
    seen: &std::collections::BTreeMap<String, AlarmState>,
    now: &[OwnedAlarm],
) -> Vec<super::timeline::EntryDraft> {
    use super::timeline::entry::TimeSource;
    use super::timeline::{Actor, EntryDraft, EntryKind};
    let mut drafts = Vec::new();
    for owned in now {
        let alarm = &owned.alarm;
        let before = seen.get(&alarm.arn).copied();
        let mut summary = match (before, alarm.state) {
            (Some(b), s) if b == s => continue,
            (_, AlarmState::Alarm) => format!("Alarm {} in ALARM", alarm.name),
            (Some(AlarmState::Alarm), AlarmState::Ok) => format!("Alarm {} back to OK", alarm.name),
            _ => continue,
        };
        if !alarm.pair.is_unnamed() {
            summary.push_str(&format!(" ({})", alarm.pair));
        }
        let mut draft = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
        if let Some(since) = alarm.since {
            draft.occurred_at = Some(since);
            draft.time_source = TimeSource::Aws;
        }
        draft.detail = Some(super::sanitize::one_line(&alarm.reason));
        draft.resources = std::iter::once(alarm.arn.clone())
            .chain(
                owned
                    .services
                    .iter()
                    .map(|k| format!("{}/{}", k.cluster, k.service)),
            )
            .collect();
        draft.tags = vec!["alarm".into(), alarm.state.as_str().to_ascii_lowercase()];
        drafts.push(draft);
    }
    drafts
}

#[cfg(test)]
mod fixture_tests;
