//! `triage status -o json`: every watched pair, every service with
//! everything known of it, the alarms and GuardDuty findings of no service.

use super::super::rfc3339;
use super::super::schema::{Place, Version};
use super::alarms::AlarmJson;
use crate::domain::metrics::{MetricsSummary, Spread};
use crate::domain::ranking::RankedService;
use crate::domain::sanitize::strip_controls;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusDoc {
    pub schema_version: Version,
    pub generated_at: String,
    /// Every pair asked for, read or not (`error` says why not).
    pub pairs: Vec<StatusPair>,
    /// Every service of every pair read, worst first.
    pub services: Vec<ServiceStatus>,
    /// Alarms that watch no service.
    pub account_alarms: Vec<AlarmJson>,
    /// Every GuardDuty finding read, each with the services it is about.
    pub security_findings: Vec<SecurityFindingJson>,
}

/// One pair asked for, how its read went, and how many services it has.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusPair {
    #[serde(flatten)]
    pub pair: super::PairJson,
    /// 0 when it could not be read.
    pub services: usize,
}

/// One service: its health, why, what to do, and what was read of it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceStatus {
    #[serde(flatten)]
    pub place: Place,
    pub cluster: String,
    pub service: String,
    /// healthy, deploying, recovering, degraded, down, failed, scaled_to_zero, unknown.
    pub status: String,
    /// The verdict's reason (ECS's counts and deployments, alarms).
    pub reason: String,
    /// What triage says of it, best evidence first (the console's row).
    pub headline: String,
    /// The runbook `R` opens for it; null when none fits.
    pub suggested_runbook: Option<SuggestedRunbookJson>,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub task_definition: String,
    pub deployments: Vec<DeploymentJson>,
    /// Its latest ECS events, newest first.
    pub events: Vec<EventJson>,
    /// The alarms that watch it; null when alarms could not be read.
    pub alarms: Option<Vec<AlarmJson>>,
    /// The last five minutes; null when metrics could not be read.
    pub metrics: Option<MetricsJson>,
    /// Its awsvpc network; null without one (bridge, host) or unread.
    pub network: Option<NetworkJson>,
    /// The Secrets Manager secrets (or parameters) its task definition
    /// reads; null when the task definition could not be read.
    pub secrets: Option<Vec<String>>,
    /// The ids of the GuardDuty findings about it; null when GuardDuty is
    /// off or could not be read.
    pub security_findings: Option<Vec<String>>,
    /// Slow with low CPU: waiting on a dependency, and on what when its
    /// slow requests were traced; null when it is not.
    pub waiting: Option<WaitingJson>,
}

/// A slow, idle service (see `domain::waiting`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct WaitingJson {
    pub p95_ms: f64,
    pub cpu_percent: f64,
    /// Its usual p95 (the median over the day before the last hour); null
    /// without enough history.
    pub usual_p95_ms: Option<f64>,
    /// What holds the time in its slowest recent requests; null when none
    /// was traced.
    pub on: Option<BlameJson>,
    /// The words the headline says.
    pub words: String,
}

/// The bottleneck most of a service's slow requests share.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BlameJson {
    pub service: String,
    pub name: String,
    /// Its median self time over the requests it held.
    pub self_ms: i64,
    /// The slow requests it held, of those read.
    pub count: usize,
    pub of: usize,
}

impl WaitingJson {
    pub fn of(w: &crate::domain::waiting::Waiting) -> WaitingJson {
        WaitingJson {
            p95_ms: round(w.p95_ms),
            cpu_percent: round(w.cpu_percent),
            usual_p95_ms: w.usual_p95_ms.map(round),
            on: w.on.as_ref().map(|b| BlameJson {
                service: b.service.clone(),
                name: b.name.clone(),
                self_ms: b.self_ms,
                count: b.count,
                of: b.of,
            }),
            words: w.words(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SuggestedRunbookJson {
    pub id: String,
    pub title: String,
    /// The evidence its `when:` conditions rest on.
    pub reason: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeploymentJson {
    pub id: String,
    pub status: String,
    pub rollout_state: Option<String>,
    pub task_definition: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed_tasks: u32,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventJson {
    pub at: String,
    pub message: String,
}

/// The last five minutes of a service's metrics; each null without data.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MetricsJson {
    pub cpu_percent: Option<SpreadJson>,
    pub memory_percent: Option<SpreadJson>,
    pub http_5xx_percent: Option<f64>,
    pub p95_ms: Option<f64>,
    pub targets: Option<TargetsJson>,
    pub network_tx_bytes_per_second: Option<RateJson>,
    pub network_rx_bytes_per_second: Option<RateJson>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpreadJson {
    pub avg: f64,
    pub max: f64,
    /// The newest datapoint: what it is now (null without one).
    pub now: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TargetsJson {
    pub healthy: Option<u32>,
    pub unhealthy: Option<u32>,
}

/// A network metric: the last five minutes and the usual, bytes a second.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RateJson {
    pub avg: f64,
    pub max: f64,
    /// The median of its 5-minute averages over the day before the last hour.
    pub baseline: Option<f64>,
}

/// A service's awsvpc network.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NetworkJson {
    pub security_groups: Vec<String>,
    /// One of its groups lets everything out.
    pub open_egress: bool,
    pub subnets: Vec<String>,
    pub assign_public_ip: bool,
    pub groups: Vec<GroupJson>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupJson {
    pub id: String,
    pub name: Option<String>,
    pub open_egress: bool,
    /// Its egress rules, as `tcp 443 → 0.0.0.0/0`.
    pub egress: Vec<String>,
    /// Why it could not be read, if so.
    pub problem: Option<String>,
}

/// One GuardDuty finding.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SecurityFindingJson {
    #[serde(flatten)]
    pub place: Place,
    pub id: String,
    pub arn: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub severity: f64,
    /// low, medium, high, critical.
    pub severity_label: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub count: u32,
    pub cluster: Option<String>,
    pub task_arn: Option<String>,
    /// `cluster/service` of each service it is about.
    pub services: Vec<String>,
    pub remote: RemoteJson,
}

/// Where a finding says the traffic went.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RemoteJson {
    pub ip: Option<String>,
    pub port: Option<u16>,
    pub domain: Option<String>,
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl SpreadJson {
    pub fn of(s: Spread) -> SpreadJson {
        SpreadJson {
            avg: round(s.avg),
            max: round(s.max),
            now: s.last.map(round),
        }
    }
}

impl MetricsJson {
    /// The summary, with the egress baseline beside the network rates.
    pub fn of(
        summary: &MetricsSummary,
        baseline: Option<&crate::domain::egress::Baseline>,
    ) -> MetricsJson {
        let rate = |s: Option<Spread>, usual: Option<f64>| {
            s.map(|s| RateJson {
                avg: s.avg.round(),
                max: s.max.round(),
                baseline: usual.map(f64::round),
            })
        };
        MetricsJson {
            cpu_percent: summary.cpu_percent.map(SpreadJson::of),
            memory_percent: summary.memory_percent.map(SpreadJson::of),
            http_5xx_percent: summary.http_5xx_percent.map(round),
            p95_ms: summary.p95_ms.map(round),
            targets: (summary.healthy.is_some() || summary.unhealthy.is_some()).then_some(
                TargetsJson {
                    healthy: summary.healthy,
                    unhealthy: summary.unhealthy,
                },
            ),
            network_tx_bytes_per_second: rate(summary.network_tx, baseline.and_then(|b| b.tx)),
            network_rx_bytes_per_second: rate(summary.network_rx, baseline.and_then(|b| b.rx)),
        }
    }
}

impl NetworkJson {
    /// What a service can reach; None without an awsvpc network.
    pub fn of(exposure: &crate::domain::exposure::Exposure) -> Option<NetworkJson> {
        let n = exposure.network.as_ref()?;
        Some(NetworkJson {
            security_groups: exposure.security_groups(),
            open_egress: exposure.open_egress(),
            subnets: n.subnets.clone(),
            assign_public_ip: n.assign_public_ip,
            groups: n
                .groups
                .iter()
                .map(|g| GroupJson {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    open_egress: g.open_egress,
                    egress: g.egress.iter().map(|r| r.describe()).collect(),
                    problem: g.problem.clone(),
                })
                .collect(),
        })
    }
}

impl SecurityFindingJson {
    pub fn of(
        owned: &crate::domain::security::OwnedFinding,
        pair: &crate::domain::Pair,
        account: Option<&str>,
    ) -> SecurityFindingJson {
        let f = &owned.finding;
        SecurityFindingJson {
            place: Place::of(pair, account, &f.arn),
            id: f.id.clone(),
            arn: f.arn.clone(),
            kind: f.kind.clone(),
            title: crate::domain::sanitize::one_line(&f.title),
            severity: f.severity,
            severity_label: f.severity_band().as_str().to_string(),
            first_seen: f.first_seen.map(rfc3339),
            last_seen: f.last_seen.map(rfc3339),
            count: f.count,
            cluster: f.cluster.clone(),
            task_arn: f.task_arn.clone(),
            services: owned.services.iter().map(|k| k.to_string()).collect(),
            remote: RemoteJson {
                ip: f.remote.ip.clone(),
                port: f.remote.port,
                domain: f.remote.domain.clone(),
            },
        }
    }
}

impl ServiceStatus {
    /// A service as ECS and the ranking see it; what else was read (alarms,
    /// metrics, network, secrets, findings) is filled in by the caller.
    pub fn of(
        r: &RankedService,
        place: Place,
        suggestion: &crate::domain::suggestion::Suggestion,
    ) -> ServiceStatus {
        let s = &r.service;
        ServiceStatus {
            place,
            cluster: s.cluster.clone(),
            service: s.name.clone(),
            status: r.verdict.health.as_str().to_string(),
            reason: strip_controls(&r.verdict.reason),
            headline: suggestion.headline.clone(),
            suggested_runbook: suggestion.runbook.as_ref().map(|r| SuggestedRunbookJson {
                id: r.id.clone(),
                title: r.title.clone(),
                reason: r.reason.clone(),
            }),
            desired: s.desired,
            running: s.running,
            pending: s.pending,
            task_definition: s.task_definition.clone(),
            deployments: s
                .deployments
                .iter()
                .map(|d| DeploymentJson {
                    id: d.id.clone(),
                    status: d.status.as_str().to_string(),
                    rollout_state: d.rollout_state.map(|r| r.as_str().to_string()),
                    task_definition: d.task_definition.clone(),
                    desired: d.desired,
                    running: d.running,
                    pending: d.pending,
                    failed_tasks: d.failed_tasks,
                    created_at: d.created_at.map(rfc3339),
                    updated_at: d.updated_at.map(rfc3339),
                })
                .collect(),
            events: s
                .events
                .iter()
                .map(|e| EventJson {
                    at: rfc3339(e.at),
                    message: strip_controls(&e.message),
                })
                .collect(),
            alarms: None,
            metrics: None,
            network: None,
            secrets: None,
            security_findings: None,
            waiting: None,
        }
    }
}
