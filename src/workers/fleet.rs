//! The pairs the workers serve: each watched (account, Region) pair's ports,
//! the routing of a request to the pair its resource came from, and the
//! reads that span every pair (diagnosis and search), each answer stamped
//! with the pair it came from. One pair that fails is said beside the
//! others' answers; it never hides them.

use super::diagnosis::{self, DiagnosisScope, StoppedMemory};
use super::logsearch::{self, ConsoleQuery, SearchEnd, SearchScope};
use crate::domain::diagnosis::report::DiagnosisReport;
use crate::domain::exec::ExecPort;
use crate::domain::ports::{EcsPort, LogSearchPort, LogsPort, MonitoringPort};
use crate::domain::snapshot::{AlarmsRead, ServiceDetail, StatusSnapshot};
use crate::domain::{Pair, PortError};
use crate::effect::KnownPair;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What one pair's workers read and change through.
#[derive(Clone)]
pub struct PairPorts {
    pub pair: Pair,
    pub ecs: Arc<dyn EcsPort>,
    /// Container logs, for the last lines of stopped tasks.
    pub logs: Option<Arc<dyn LogsPort>>,
    /// Log groups searched by ID, and where the searches look.
    pub search: Option<(Arc<dyn LogSearchPort>, Arc<SearchScope>)>,
    /// CloudWatch alarms and metrics, and target health.
    pub monitoring: Option<Arc<dyn MonitoringPort>>,
    /// ECS Exec.
    pub exec: Option<Arc<dyn ExecPort>>,
    /// Security groups and secrets, for what the services can reach and read.
    pub exposure: Option<super::exposure::ExposurePorts>,
    /// GuardDuty.
    pub security: Option<Arc<dyn crate::domain::security::SecurityPort>>,
    /// CloudTrail (what changed).
    pub trail: Option<Arc<dyn crate::domain::changes::TrailPort>>,
    /// X-Ray (where requests' time went).
    pub traces: Option<Arc<dyn crate::domain::trace::reading::TracePort>>,
    /// What runbook runs in this pair need.
    pub runs: Option<super::runbook::operator::ConsoleRuns>,
    /// Stopped tasks and log tails this pair's diagnosis has already read.
    pub memory: Arc<tokio::sync::Mutex<StoppedMemory>>,
}

impl PairPorts {
    /// A pair with ECS only; the rest is added by the `Workers` builders.
    pub fn new(pair: Pair, ecs: Arc<dyn EcsPort>) -> PairPorts {
        PairPorts {
            pair,
            ecs,
            logs: None,
            search: None,
            monitoring: None,
            exec: None,
            exposure: None,
            security: None,
            trail: None,
            traces: None,
            runs: None,
            memory: Default::default(),
        }
    }

    /// A pair that reads ECS and its container logs (the CLI's diagnosis).
    pub fn with_logs(mut self, logs: Arc<dyn LogsPort>) -> PairPorts {
        self.logs = Some(logs);
        self
    }
}

/// The ports of `pair` among `pairs`: its own, or for the unnamed pair
/// (a single-pair session's resources) the first.
pub fn route<'a>(pairs: &'a [PairPorts], pair: &Pair) -> Option<&'a PairPorts> {
    pairs
        .iter()
        .find(|p| &p.pair == pair)
        .or_else(|| pair.is_unnamed().then(|| pairs.first()).flatten())
}

/// Why a request names a pair this console no longer watches.
pub(crate) fn unwatched(pair: &Pair) -> PortError {
    PortError::Other {
        operation: "route".into(),
        message: format!(
            "{pair} is not watched any more (:ctx or :region changed the pairs); open it again from the services screen"
        ),
    }
}

/// One pair's services, each stamped with the pair.
pub(crate) async fn status_of(
    ports: &PairPorts,
    clusters: &[String],
) -> Result<StatusSnapshot, PortError> {
    let mut snapshot = super::status::fetch_status(ports.ecs.as_ref(), clusters).await?;
    for service in &mut snapshot.services {
        service.pair = ports.pair.clone();
    }
    Ok(snapshot)
}

/// One service in depth, in its pair.
pub(crate) async fn detail_of(
    ports: &PairPorts,
    key: &crate::domain::service::ServiceKey,
) -> Result<ServiceDetail, PortError> {
    let mut detail = super::service::fetch_detail(ports.ecs.as_ref(), key).await?;
    detail.service.pair = ports.pair.clone();
    Ok(detail)
}

/// One pair's alarms, each stamped with the pair.
pub(crate) async fn alarms_of(
    ports: &PairPorts,
    target_groups: &[String],
) -> Result<AlarmsRead, PortError> {
    let Some(monitoring) = &ports.monitoring else {
        return Err(super::watch::no_monitoring());
    };
    let mut read = super::watch::read_alarms(monitoring.as_ref(), target_groups).await?;
    for alarm in &mut read.alarms {
        alarm.pair = ports.pair.clone();
    }
    Ok(read)
}

/// What one pair's services can reach and read.
pub(crate) async fn exposure_of(
    ports: &PairPorts,
    services: &[crate::domain::Service],
    now: DateTime<Utc>,
) -> Result<
    std::collections::BTreeMap<
        crate::domain::service::ServiceKey,
        crate::domain::exposure::Exposure,
    >,
    PortError,
> {
    let Some(exposure) = &ports.exposure else {
        return Err(not_read(
            "DescribeSecurityGroups",
            "security groups and secrets",
        ));
    };
    let mut read =
        super::exposure::read_exposure(ports.ecs.as_ref(), exposure, services, true, now).await?;
    // Keys carry the pair (the services asked about already do).
    read = read
        .into_iter()
        .map(|(mut key, e)| {
            key.pair = ports.pair.clone();
            (key, e)
        })
        .collect();
    Ok(read)
}

/// One pair's GuardDuty findings, each stamped with the pair.
pub(crate) async fn security_of(
    ports: &PairPorts,
) -> Result<crate::domain::security::SecurityRead, PortError> {
    let Some(security) = &ports.security else {
        return Err(not_read("ListFindings", "GuardDuty findings"));
    };
    let mut read = security.findings().await?;
    for finding in &mut read.findings {
        finding.pair = ports.pair.clone();
    }
    Ok(read)
}

/// Why a session has no such read.
fn not_read(operation: &str, what: &str) -> PortError {
    PortError::Other {
        operation: operation.into(),
        message: format!("{what} are not read in this session"),
    }
}

/// Every pair's stopped tasks, decoded, in one report: findings newest
/// first across pairs, each finding, pattern and service stamped with its
/// pair. Pairs are read at once, each remembering what it has seen. A pair
/// that cannot be read is one line of the report's errors; only when none
/// can is the whole an error.
pub(crate) async fn diagnose_all(
    pairs: &[PairPorts],
    scope: &DiagnosisScope,
    known: Vec<KnownPair>,
    now: DateTime<Utc>,
) -> Result<DiagnosisReport, PortError> {
    let several = pairs.len() > 1;
    let passes = pairs.iter().map(|ports| {
        let known = &known;
        async move { (ports, diagnose_one(ports, scope, known, now).await) }
    });
    let mut merged = DiagnosisReport::default();
    let mut failures: Vec<(Pair, PortError)> = Vec::new();
    for (ports, pass) in futures::future::join_all(passes).await {
        match pass {
            Ok(report) => absorb(&mut merged, report, &ports.pair, several),
            Err(err) => failures.push((ports.pair.clone(), err)),
        }
    }
    if !pairs.is_empty() && failures.len() == pairs.len() {
        let (_, first) = failures.swap_remove(0);
        return Err(first);
    }
    for (pair, err) in failures {
        merged.errors.push((pair.label(), err));
    }
    merged.findings.sort_by(|a, b| {
        b.stopped_at
            .cmp(&a.stopped_at)
            .then_with(|| a.task_arn.cmp(&b.task_arn))
    });
    merged
        .patterns
        .sort_by_key(|p| std::cmp::Reverse(p.last_at));
    Ok(merged)
}

/// One pair's pass, on what it remembers and what its last status read gave.
async fn diagnose_one(
    ports: &PairPorts,
    scope: &DiagnosisScope,
    known: &[KnownPair],
    now: DateTime<Utc>,
) -> Result<DiagnosisReport, PortError> {
    // Within a pass everything is of one pair: stamped after, together.
    let known = known.iter().find(|k| k.pair == ports.pair).map(|k| {
        let services = k
            .services
            .iter()
            .cloned()
            .map(|mut s| {
                s.pair = Pair::default();
                s
            })
            .collect();
        (services, k.clusters.clone())
    });
    let mut memory = ports.memory.lock().await;
    diagnosis::diagnose_pass(
        ports.ecs.as_ref(),
        ports.logs.as_deref(),
        scope,
        known,
        &mut memory,
        now,
    )
    .await
}

/// One pair's report into the whole, stamped with its pair.
fn absorb(merged: &mut DiagnosisReport, mut report: DiagnosisReport, pair: &Pair, several: bool) {
    for finding in &mut report.findings {
        finding.pair = pair.clone();
    }
    for pattern in &mut report.patterns {
        pattern.pair = pair.clone();
    }
    for service in &mut report.services {
        service.pair = pair.clone();
    }
    merged.findings.append(&mut report.findings);
    merged.patterns.append(&mut report.patterns);
    merged.services.append(&mut report.services);
    merged
        .errors
        .extend(report.errors.into_iter().map(|(cluster, err)| {
            let place = if several {
                format!("{pair} {cluster}")
            } else {
                cluster
            };
            (place, err)
        }));
    merged.left_out.other_services += report.left_out.other_services;
    merged.left_out.standalone += report.left_out.standalone;
}

/// One ID searched in every pair at once; each pair's hits handed to
/// `on_hits` as they are found, stamped with their pair. The end says every
/// pair's coverage (one line each when there are several).
pub async fn search_all(
    pairs: &[PairPorts],
    query: &ConsoleQuery,
    on_hits: &logsearch::OnHits<'_>,
) -> SearchEnd {
    let several = pairs.len() > 1;
    let searches = pairs.iter().map(|ports| async move {
        let end = match &ports.search {
            Some((search, scope)) => {
                let stamped = |mut events: Vec<crate::domain::logsearch::LogEvent>,
                               services: Vec<(String, String)>| {
                    for event in &mut events {
                        event.pair = ports.pair.clone();
                    }
                    on_hits(events, services)
                };
                logsearch::pair_search(ports.ecs.as_ref(), search.as_ref(), scope, query, &stamped)
                    .await
            }
            None => SearchEnd {
                complete: false,
                coverage: "log search is not available in this session".into(),
                capped: false,
            },
        };
        (ports.pair.clone(), end)
    });
    let ends = futures::future::join_all(searches).await;
    match ends.as_slice() {
        [(_, only)] if !several => only.clone(),
        _ => SearchEnd {
            complete: ends.iter().all(|(_, e)| e.complete),
            capped: ends.iter().any(|(_, e)| e.capped),
            coverage: ends
                .iter()
                .map(|(pair, e)| format!("{pair}: {}", e.coverage))
                .collect::<Vec<_>>()
                .join(" · "),
        },
    }
}
