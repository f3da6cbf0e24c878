//! One pair's changes: CloudTrail's write events, its services'
//! deployments and triage's own journal, tied to the services and
//! assembled (see `domain::changes`). CloudTrail that cannot be read (no
//! permission, throttled) is said in the coverage; the deployments and the
//! journal still answer.

use crate::domain::alarms::{tie, AlarmMapping, OwnedAlarm};
use crate::domain::changes::assemble::Witnesses;
use crate::domain::changes::{assemble, Change, Coverage, ServiceFacts, TrailEvent};
use crate::domain::ports::TaskDefinition;
use crate::domain::timeline::Entry;
use crate::domain::{Pair, PortError, Service};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::HashMap;

/// Task definitions read at once.
const DEFINITIONS_AT_ONCE: usize = 8;

/// What one pair's read gave.
#[derive(Debug, Clone)]
pub struct ChangesRead {
    pub changes: Vec<Change>,
    pub coverage: Coverage,
    /// The services as read (for their onset).
    pub services: Vec<Service>,
    /// Their alarms, when read (with `want_alarms`).
    pub alarms: Vec<OwnedAlarm>,
}

/// What the read needs beside the account.
pub struct ChangesAsk<'a> {
    pub pair: &'a Pair,
    pub clusters: &'a [String],
    pub since: DateTime<Utc>,
    /// triage's own actions (every incident's journal).
    pub journal: &'a [Entry],
    pub mappings: &'a [AlarmMapping],
    /// Read the alarms too (to find a service's onset).
    pub want_alarms: bool,
}

/// The ports a read of changes asks.
#[derive(Clone)]
pub struct ChangesPorts {
    pub ecs: std::sync::Arc<dyn crate::domain::ports::EcsPort>,
    pub trail: std::sync::Arc<dyn crate::domain::changes::TrailPort>,
    pub monitoring: Option<std::sync::Arc<dyn crate::domain::ports::MonitoringPort>>,
}

impl ChangesPorts {
    pub fn of(account: &crate::wiring::Account) -> ChangesPorts {
        ChangesPorts {
            ecs: account.ecs.clone(),
            trail: account.trail.clone(),
            monitoring: account.monitoring.clone(),
        }
    }
}

/// Read and assemble one pair's changes since `ask.since`.
pub async fn read_changes(
    account: &ChangesPorts,
    ask: &ChangesAsk<'_>,
) -> Result<ChangesRead, PortError> {
    let mut snapshot =
        crate::workers::status::fetch_status(account.ecs.as_ref(), ask.clusters).await?;
    for s in snapshot.services.iter_mut() {
        s.pair = ask.pair.clone();
    }
    let mut coverage = Coverage {
        from: Some(ask.since),
        ..Coverage::default()
    };
    let events: Vec<TrailEvent> = match account.trail.write_events(ask.since).await {
        Ok(read) => {
            coverage.to = read.to;
            coverage.calls = read.calls;
            coverage.cached = read.kept;
            read.events
                .into_iter()
                .map(|mut e| {
                    e.pair = ask.pair.clone();
                    e
                })
                .collect()
        }
        Err(err) => {
            coverage.unread.push(format!(
                "CloudTrail: {} — ECS deployments and triage's own actions are still shown",
                crate::domain::sanitize::one_line(&err.to_string())
            ));
            Vec::new()
        }
    };
    coverage.events = events.len();
    let needs = Needs::of(&events);
    let (definitions, load_balancers, alarms) = {
        let services = &snapshot.services;
        let definitions =
            read_definitions(account, services, &events, ask.since, needs.definitions);
        let watched = read_watched(
            account,
            services,
            ask.mappings,
            needs.load_balancers || ask.want_alarms,
        );
        let (definitions, watched) = futures::join!(definitions, watched);
        let (lbs, alarms) = match watched {
            Ok(w) => w,
            Err(err) => {
                coverage.unread.push(format!(
                    "load balancers and alarms: {}",
                    crate::domain::sanitize::one_line(&err.to_string())
                ));
                (HashMap::new(), Vec::new())
            }
        };
        (definitions, lbs, alarms)
    };
    let facts: Vec<ServiceFacts> = snapshot
        .services
        .iter()
        .map(|s| {
            let lbs: Vec<String> = s
                .target_groups
                .iter()
                .flat_map(|tg| load_balancers.get(tg).cloned().unwrap_or_default())
                .collect();
            ServiceFacts::of(s, definitions.get(&s.task_definition), &lbs)
        })
        .collect();
    let services = snapshot.services;
    let (mut changes, noise) = assemble(&Witnesses {
        events: &events,
        facts: &facts,
        services: &services,
        journal: ask.journal,
        definitions: &definitions,
        since: ask.since,
    });
    for change in changes.iter_mut() {
        change.pair = ask.pair.clone();
    }
    coverage.noise = noise;
    Ok(ChangesRead {
        changes,
        coverage,
        services,
        alarms,
    })
}

/// The console's read of one pair: every cluster, no alarms (the console
/// has its own), the attached incident's actions.
pub async fn read_pair_changes(
    ports: &ChangesPorts,
    pair: &Pair,
    since: DateTime<Utc>,
    journal: &[Entry],
) -> Result<crate::domain::changes::PairChanges, PortError> {
    let read = read_changes(
        ports,
        &ChangesAsk {
            pair,
            clusters: &[],
            since,
            journal,
            mappings: &[],
            want_alarms: false,
        },
    )
    .await?;
    Ok(crate::domain::changes::PairChanges {
        changes: read.changes,
        coverage: read.coverage,
    })
}

/// What the events call for beyond the services: their task definitions
/// (an event names a secret or a role), their load balancers (a listener
/// or rule).
struct Needs {
    definitions: bool,
    load_balancers: bool,
}

impl Needs {
    fn of(events: &[TrailEvent]) -> Needs {
        let wanted = |e: &&TrailEvent| !e.is_ecs_churn() && e.error.is_none();
        Needs {
            definitions: events
                .iter()
                .filter(wanted)
                .any(|e| matches!(e.service(), "iam" | "secretsmanager" | "ssm")),
            load_balancers: events.iter().filter(wanted).any(|e| {
                e.service() == "elasticloadbalancing"
                    && (e.name.contains("Listener") || e.name.contains("Rule"))
            }),
        }
    }
}

/// Task definitions read for diffs at most in one read.
const MAX_DIFF_DEFINITIONS: usize = 60;

/// The task definitions of the services (when `all`: their secrets and
/// roles), and those of every revision deployed or registered since
/// `since` with the one before it (for its diff).
async fn read_definitions(
    account: &ChangesPorts,
    services: &[Service],
    events: &[TrailEvent],
    since: DateTime<Utc>,
    all: bool,
) -> HashMap<String, TaskDefinition> {
    use crate::domain::changes::assemble::one_less;
    use crate::domain::service::revision_label;
    let mut arns: Vec<String> = Vec::new();
    if all {
        arns.extend(services.iter().map(|s| s.task_definition.clone()));
    }
    let prefix = services.iter().find_map(|s| {
        s.task_definition
            .split_once("task-definition/")
            .map(|(p, _)| p.to_string())
    });
    let mut labels: Vec<String> = Vec::new();
    for s in services {
        if s.deployments
            .iter()
            .any(|d| d.created_at.is_some_and(|t| t >= since))
        {
            labels.extend(
                s.deployments
                    .iter()
                    .map(|d| revision_label(&d.task_definition)),
            );
        }
    }
    for e in events
        .iter()
        .filter(|e| !e.is_ecs_churn() && e.service() == "ecs")
    {
        if let Some(td) = e.param("taskDefinition") {
            labels.push(revision_label(td));
        }
        labels.extend(
            e.names
                .iter()
                .filter(|n| n.contains(":task-definition/"))
                .map(|n| revision_label(n)),
        );
    }
    let before: Vec<String> = labels.iter().filter_map(|l| one_less(l)).collect();
    labels.extend(before);
    labels.sort();
    labels.dedup();
    if let Some(prefix) = prefix {
        arns.extend(
            labels
                .into_iter()
                .take(MAX_DIFF_DEFINITIONS)
                .map(|l| format!("{prefix}task-definition/{l}")),
        );
    }
    arns.sort();
    arns.dedup();
    futures::stream::iter(arns)
        .map(|arn| async move {
            let read = account.ecs.task_definition(&arn).await;
            (arn, read)
        })
        .buffer_unordered(DEFINITIONS_AT_ONCE)
        .filter_map(|(arn, read)| async move { read.ok().map(|td| (arn, td)) })
        .collect()
        .await
}

/// The load balancers of each target group, and the alarms tied to the
/// services, when wanted and this session reads CloudWatch.
async fn read_watched(
    account: &ChangesPorts,
    services: &[Service],
    mappings: &[AlarmMapping],
    wanted: bool,
) -> Result<(HashMap<String, Vec<String>>, Vec<OwnedAlarm>), PortError> {
    let Some(monitoring) = account.monitoring.as_deref().filter(|_| wanted) else {
        return Ok((HashMap::new(), Vec::new()));
    };
    let arns: Vec<String> = services
        .iter()
        .flat_map(|s| s.target_groups.iter().cloned())
        .collect();
    let mut read = crate::workers::watch::read_alarms(monitoring, &arns).await?;
    // Tied within the services' pair.
    let pair = services.first().map(|s| s.pair.clone()).unwrap_or_default();
    for alarm in read.alarms.iter_mut() {
        alarm.pair = pair.clone();
    }
    let lbs = read
        .target_groups
        .iter()
        .map(|tg| (tg.arn.clone(), tg.load_balancer_arns.clone()))
        .collect();
    Ok((
        lbs,
        tie(read.alarms, services, &read.target_groups, mappings),
    ))
}
