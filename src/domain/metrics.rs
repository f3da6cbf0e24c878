//! The last hour's shape of each service: which CloudWatch metrics triage
//! asks for (`AWS/ECS` CPU and memory per service; Container Insights'
//! `NetworkTxBytes`/`NetworkRxBytes` per service; `AWS/ApplicationELB`
//! requests, 5XX, p95 latency and host counts per target group), batched so
//! one `GetMetricData` carries up to 500 queries, and what the numbers say
//! (the last five minutes' peak, 5XX as a share of requests). The egress
//! baseline's queries are [`baseline_queries`] (see `domain::egress`).
//! Values are never invented: a metric without points is absent.

use super::alarms::{elb_dimension, Dimension, TargetGroup};
use super::service::{Service, ServiceKey};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Container Insights' namespace (network metrics need it turned on).
pub(crate) const CONTAINER_INSIGHTS: &str = "ECS/ContainerInsights";

/// Queries one `GetMetricData` call carries at most.
pub(crate) const QUERIES_PER_CALL: usize = 500;
/// The window the console and `status` read by default.
pub(crate) const DEFAULT_WINDOW_MINUTES: i64 = 60;
/// "Now" on the services screen: the peak of the last five minutes.
pub(crate) const RECENT_MINUTES: i64 = 5;

/// What a series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MetricKind {
    CpuAverage,
    CpuMaximum,
    MemoryAverage,
    MemoryMaximum,
    Requests,
    Http5xx,
    ResponseTimeP95,
    HealthyHosts,
    UnhealthyHosts,
    /// Bytes a second sent (Container Insights), the minute's average and peak.
    NetworkTxAverage,
    NetworkTxMaximum,
    /// Bytes a second received.
    NetworkRxAverage,
    NetworkRxMaximum,
    /// 5-minute averages over the day before the last hour (the baseline).
    NetworkTxBaseline,
    NetworkRxBaseline,
    /// 5-minute p95 response times over the same day (a slow service's usual).
    ResponseTimeBaseline,
}

impl MetricKind {
    /// What the minute's read asks for (the baseline is read on its own).
    pub const ALL: [MetricKind; 13] = [
        MetricKind::CpuAverage,
        MetricKind::CpuMaximum,
        MetricKind::MemoryAverage,
        MetricKind::MemoryMaximum,
        MetricKind::Requests,
        MetricKind::Http5xx,
        MetricKind::ResponseTimeP95,
        MetricKind::HealthyHosts,
        MetricKind::UnhealthyHosts,
        MetricKind::NetworkTxAverage,
        MetricKind::NetworkTxMaximum,
        MetricKind::NetworkRxAverage,
        MetricKind::NetworkRxMaximum,
    ];

    /// What the baseline read asks for.
    pub(crate) const BASELINE: [MetricKind; 2] =
        [MetricKind::NetworkTxBaseline, MetricKind::NetworkRxBaseline];

    /// (namespace, metric name, statistic) as CloudWatch names them.
    pub fn metric(self) -> (&'static str, &'static str, &'static str) {
        match self {
            MetricKind::CpuAverage => ("AWS/ECS", "CPUUtilization", "Average"),
            MetricKind::CpuMaximum => ("AWS/ECS", "CPUUtilization", "Maximum"),
            MetricKind::MemoryAverage => ("AWS/ECS", "MemoryUtilization", "Average"),
            MetricKind::MemoryMaximum => ("AWS/ECS", "MemoryUtilization", "Maximum"),
            MetricKind::Requests => ("AWS/ApplicationELB", "RequestCount", "Sum"),
            MetricKind::Http5xx => ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum"),
            MetricKind::ResponseTimeP95 | MetricKind::ResponseTimeBaseline => {
                ("AWS/ApplicationELB", "TargetResponseTime", "p95")
            }
            MetricKind::HealthyHosts => ("AWS/ApplicationELB", "HealthyHostCount", "Minimum"),
            MetricKind::UnhealthyHosts => ("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum"),
            MetricKind::NetworkTxAverage | MetricKind::NetworkTxBaseline => {
                (CONTAINER_INSIGHTS, "NetworkTxBytes", "Average")
            }
            MetricKind::NetworkTxMaximum => (CONTAINER_INSIGHTS, "NetworkTxBytes", "Maximum"),
            MetricKind::NetworkRxAverage | MetricKind::NetworkRxBaseline => {
                (CONTAINER_INSIGHTS, "NetworkRxBytes", "Average")
            }
            MetricKind::NetworkRxMaximum => (CONTAINER_INSIGHTS, "NetworkRxBytes", "Maximum"),
        }
    }

    fn short(self) -> &'static str {
        match self {
            MetricKind::CpuAverage => "cpua",
            MetricKind::CpuMaximum => "cpum",
            MetricKind::MemoryAverage => "mema",
            MetricKind::MemoryMaximum => "memm",
            MetricKind::Requests => "req",
            MetricKind::Http5xx => "e5xx",
            MetricKind::ResponseTimeP95 => "p95",
            MetricKind::HealthyHosts => "hh",
            MetricKind::UnhealthyHosts => "uh",
            MetricKind::NetworkTxAverage => "txa",
            MetricKind::NetworkTxMaximum => "txm",
            MetricKind::NetworkRxAverage => "rxa",
            MetricKind::NetworkRxMaximum => "rxm",
            MetricKind::NetworkTxBaseline => "txb",
            MetricKind::NetworkRxBaseline => "rxb",
            MetricKind::ResponseTimeBaseline => "p95b",
        }
    }

    /// Read per service (ECS) or per target group (ELB).
    pub(crate) fn per_target_group(self) -> bool {
        self.metric().0 == "AWS/ApplicationELB"
    }
}

/// One query of a `GetMetricData` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// `q<n>_<kind>`: unique in its call, starts with a lower-case letter.
    pub id: String,
    pub service: ServiceKey,
    pub kind: MetricKind,
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<Dimension>,
    pub statistic: String,
    pub period_seconds: u32,
}

/// The points CloudWatch answered for one query, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub id: String,
    pub points: Vec<(DateTime<Utc>, f64)>,
}

/// What a window of one service's metrics says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceMetrics {
    pub series: BTreeMap<MetricKind, Vec<(DateTime<Utc>, f64)>>,
}

/// An average and a peak, over the same span, and the latest value (the
/// newest datapoint of the peak's series: what the service screen calls
/// "now").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub avg: f64,
    pub max: f64,
    #[serde(default)]
    pub last: Option<f64>,
}

/// The numbers the services screen and `status` show; each absent without data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsSummary {
    pub cpu_percent: Option<Spread>,
    pub memory_percent: Option<Spread>,
    pub http_5xx_percent: Option<f64>,
    pub p95_ms: Option<f64>,
    pub healthy: Option<u32>,
    pub unhealthy: Option<u32>,
    /// Bytes a second sent and received (Container Insights).
    pub network_tx: Option<Spread>,
    pub network_rx: Option<Spread>,
}

/// The queries for every service, ECS metrics by cluster and service, ELB
/// ones by target group and its load balancer; a target group whose load
/// balancer is unknown is skipped (its metrics need both dimensions).
pub fn queries(
    services: &[Service],
    target_groups: &[TargetGroup],
    period_seconds: u32,
) -> Vec<MetricQuery> {
    queries_of(services, target_groups, period_seconds, &MetricKind::ALL)
}

/// The egress baseline's queries: each service's 5-minute average bytes
/// sent and received, read over [`super::egress::baseline_window`].
pub(crate) fn baseline_queries(services: &[Service]) -> Vec<MetricQuery> {
    queries_of(services, &[], 300, &MetricKind::BASELINE)
}

/// A slow service's usual p95: its 5-minute p95 over the baseline's day,
/// read only for the services that look like they wait (see
/// `domain::waiting`).
pub(crate) fn usual_p95_queries(
    services: &[Service],
    target_groups: &[TargetGroup],
) -> Vec<MetricQuery> {
    queries_of(
        services,
        target_groups,
        300,
        &[MetricKind::ResponseTimeBaseline],
    )
}

fn queries_of(
    services: &[Service],
    target_groups: &[TargetGroup],
    period_seconds: u32,
    kinds: &[MetricKind],
) -> Vec<MetricQuery> {
    let mut out = Vec::new();
    for service in services {
        let key = service.key();
        let ecs_dimensions = vec![
            dimension("ClusterName", &service.cluster),
            dimension("ServiceName", &service.name),
        ];
        let mut groups: Vec<Vec<Dimension>> = Vec::new();
        for arn in &service.target_groups {
            let balancer = target_groups
                .iter()
                .find(|g| &g.arn == arn)
                .and_then(|g| g.load_balancer_arns.first());
            if let Some(balancer) = balancer {
                groups.push(vec![
                    dimension("TargetGroup", elb_dimension(arn)),
                    dimension("LoadBalancer", elb_dimension(balancer)),
                ]);
            }
        }
        for &kind in kinds {
            let sets: Vec<&Vec<Dimension>> = if kind.per_target_group() {
                // One target group per service is what ECS services have;
                // the first is the one read.
                groups.first().into_iter().collect()
            } else {
                vec![&ecs_dimensions]
            };
            for dimensions in sets {
                let (namespace, name, statistic) = kind.metric();
                out.push(MetricQuery {
                    id: String::new(),
                    service: key.clone(),
                    kind,
                    namespace: namespace.into(),
                    name: name.into(),
                    dimensions: dimensions.clone(),
                    statistic: statistic.into(),
                    period_seconds,
                });
            }
        }
    }
    for (n, query) in out.iter_mut().enumerate() {
        query.id = format!("q{n}_{}", query.kind.short());
    }
    out
}

fn dimension(name: &str, value: &str) -> Dimension {
    Dimension {
        name: name.into(),
        value: value.into(),
    }
}

/// The answers, by service.
pub fn by_service(
    queries: &[MetricQuery],
    answers: Vec<MetricSeries>,
) -> BTreeMap<ServiceKey, ServiceMetrics> {
    // By id: an account of 2,000 services asks 16,000 queries at once.
    let by_id: std::collections::HashMap<&str, &MetricQuery> =
        queries.iter().map(|q| (q.id.as_str(), q)).collect();
    let mut out: BTreeMap<ServiceKey, ServiceMetrics> = BTreeMap::new();
    for mut answer in answers {
        let Some(query) = by_id.get(answer.id.as_str()) else {
            continue;
        };
        answer.points.sort_by_key(|(t, _)| *t);
        answer.points.retain(|(_, v)| v.is_finite());
        if answer.points.is_empty() {
            continue;
        }
        out.entry(query.service.clone())
            .or_default()
            .series
            .insert(query.kind, answer.points);
    }
    out
}

impl ServiceMetrics {
    /// Points since `from`.
    fn since(&self, kind: MetricKind, from: DateTime<Utc>) -> Vec<f64> {
        self.series
            .get(&kind)
            .map(|points| {
                points
                    .iter()
                    .filter(|(t, _)| *t >= from)
                    .map(|(_, v)| *v)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The last five minutes: the peak of the maxima, the mean of the averages.
    pub fn summary(&self, now: DateTime<Utc>) -> MetricsSummary {
        let from = now - Duration::minutes(RECENT_MINUTES);
        let spread = |avg: MetricKind, max: MetricKind| {
            let maxima = self.since(max, from);
            let averages = self.since(avg, from);
            let peak = maxima
                .iter()
                .copied()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))?;
            let avg = mean(&averages).unwrap_or(peak);
            Some(Spread {
                avg,
                max: peak,
                last: maxima.last().copied(),
            })
        };
        let requests: f64 = self.since(MetricKind::Requests, from).iter().sum();
        let errors: f64 = self.since(MetricKind::Http5xx, from).iter().sum();
        let http_5xx_percent = self
            .series
            .contains_key(&MetricKind::Requests)
            .then_some(())
            .filter(|_| requests > 0.0)
            .map(|_| 100.0 * errors / requests);
        let last = |kind: MetricKind| self.since(kind, from).last().copied();
        MetricsSummary {
            cpu_percent: spread(MetricKind::CpuAverage, MetricKind::CpuMaximum),
            memory_percent: spread(MetricKind::MemoryAverage, MetricKind::MemoryMaximum),
            http_5xx_percent,
            // TargetResponseTime is in seconds.
            p95_ms: self
                .since(MetricKind::ResponseTimeP95, from)
                .into_iter()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
                .map(|s| s * 1000.0),
            healthy: last(MetricKind::HealthyHosts).map(|v| v.max(0.0).round() as u32),
            unhealthy: last(MetricKind::UnhealthyHosts).map(|v| v.max(0.0).round() as u32),
            network_tx: spread(MetricKind::NetworkTxAverage, MetricKind::NetworkTxMaximum),
            network_rx: spread(MetricKind::NetworkRxAverage, MetricKind::NetworkRxMaximum),
        }
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Split queries into calls of at most [`QUERIES_PER_CALL`].
pub fn batches(queries: &[MetricQuery]) -> impl Iterator<Item = &[MetricQuery]> {
    queries.chunks(QUERIES_PER_CALL)
}

/// One target of a target group, as ELBv2 `DescribeTargetHealth` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetHealth {
    /// The task's IP (awsvpc) or instance id.
    pub target: String,
    pub port: Option<u16>,
    /// `healthy`, `unhealthy`, `initial`, `draining`, `unused`, `unavailable`.
    pub state: String,
    /// `Target.FailedHealthChecks`, `Target.Timeout`, …
    pub reason: Option<String>,
    pub description: Option<String>,
}
