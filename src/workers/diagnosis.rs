//! The diagnosis job: every stopped task of the watched clusters, listed
//! per cluster (ListTasks STOPPED, paged) and described 100 at a time across
//! services, then kept or counted out by its `group` on the client; each
//! decoded into a finding with its container's last log lines (read
//! concurrently, within the Logs budget), and the patterns across them.
//! Its cost grows with the number of stopped tasks, not of services. The
//! console keeps a [`StoppedMemory`] between passes, so a pass describes
//! and reads logs only for tasks it has not seen. Used by `triage diagnose`
//! and the console.

use crate::domain::diagnosis::{diagnose, patterns, Finding, LogTail, Severity};
use crate::domain::ports::{EcsPort, LogsPort, TaskDefinition};
use crate::domain::service::Service;
use crate::domain::task::{Task, TaskState};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeSet, HashMap};

/// What to diagnose.
#[derive(Debug, Clone, Default)]
pub struct DiagnosisScope {
    /// Clusters (empty = every cluster).
    pub clusters: Vec<String>,
    /// Service names (empty = every service, and tasks no service started).
    pub services: Vec<String>,
    /// Only tasks stopped within this long.
    pub since: Option<Duration>,
}

pub use crate::domain::diagnosis::report::{DiagnosisReport, LeftOut};

/// What one pass leaves for the next: stopped tasks already described
/// (a task that has reached STOPPED never changes again) and the log tails
/// already read for them.
#[derive(Debug, Default)]
pub struct StoppedMemory {
    tasks: HashMap<String, Task>,
    tails: HashMap<String, LogTail>,
}

impl StoppedMemory {
    /// Forget what ECS no longer lists.
    fn keep_only(&mut self, listed: &BTreeSet<String>) {
        self.tasks.retain(|arn, _| listed.contains(arn));
        self.tails.retain(|arn, _| listed.contains(arn));
    }
}

/// How many of the newest non-benign findings get their container's log tail.
pub const LOG_TAILS: usize = 20;
/// Lines of each log tail.
pub(crate) const LOG_TAIL_LINES: usize = 50;
/// Log tails (and task definitions) asked for at once; the adapter's budget
/// paces them below the Region's quota.
const READS_AT_ONCE: usize = 8;
/// Clusters listed at once.
const CLUSTERS_AT_ONCE: usize = 4;

/// One diagnosis from scratch (`triage diagnose`): nothing remembered, and
/// only the services that have stopped tasks (or that the scope names) are
/// described, so the cost follows the incident, not the size of the account.
pub async fn fetch_diagnosis(
    ecs: &dyn EcsPort,
    logs: Option<&dyn LogsPort>,
    scope: &DiagnosisScope,
    now: DateTime<Utc>,
) -> Result<DiagnosisReport, PortError> {
    diagnose_pass(ecs, logs, scope, None, &mut StoppedMemory::default(), now).await
}

/// One pass. `known` is the services (and clusters) the caller already has
/// from its last status read (the console); without it the clusters are
/// listed and the services with stopped tasks described.
pub async fn diagnose_pass(
    ecs: &dyn EcsPort,
    logs: Option<&dyn LogsPort>,
    scope: &DiagnosisScope,
    known: Option<(Vec<Service>, Vec<String>)>,
    memory: &mut StoppedMemory,
    now: DateTime<Utc>,
) -> Result<DiagnosisReport, PortError> {
    // Long on purpose: one diagnosis pass (list, describe, definitions, tails) whose steps share the call counts reported in LeftOut.
    let in_scope =
        |name: &str| scope.services.is_empty() || scope.services.iter().any(|n| n == name);
    let (known_services, clusters) = match known {
        Some((services, clusters)) => {
            let services: Vec<Service> =
                services.into_iter().filter(|s| in_scope(&s.name)).collect();
            let clusters = clusters
                .into_iter()
                .chain(services.iter().map(|s| s.cluster.clone()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>();
            (Some(services), clusters)
        }
        None if scope.clusters.is_empty() => (None, ecs.clusters().await?),
        None => (None, scope.clusters.clone()),
    };

    let mut report = DiagnosisReport::default();
    let tasks = stopped_tasks(ecs, &clusters, memory, &mut report.errors).await;
    if !clusters.is_empty() && report.errors.len() == clusters.len() {
        // Nothing could be read: one error says it best (credentials, network…).
        let (cluster, err) = report.errors.swap_remove(0);
        return Err(match err {
            PortError::NotFound {
                what: crate::domain::Missing::Cluster,
                ..
            } => {
                super::status::unknown_cluster(&cluster, &ecs.clusters().await.unwrap_or_default())
            }
            other => other,
        });
    }
    let mut kept: Vec<Task> = Vec::new();
    for task in tasks {
        if let (Some(since), Some(stopped)) = (scope.since, task.stopped_at) {
            if now - stopped > since {
                continue;
            }
        }
        match task.service_name() {
            Some(name) if in_scope(name) => kept.push(task),
            Some(_) => report.left_out.other_services += 1,
            None if scope.services.is_empty() => kept.push(task),
            None => report.left_out.standalone += 1,
        }
    }
    let services = match known_services {
        Some(services) => services,
        None => services_of(ecs, &kept, &clusters, &scope.services).await,
    };
    if let Some(missing) = scope
        .services
        .iter()
        .find(|n| !services.iter().any(|s| &s.name == *n))
    {
        return Err(PortError::NotFound {
            what: crate::domain::Missing::Service,
            message: format!("no watched service is named `{missing}`"),
        });
    }

    // The task definition says which containers are essential: it matters
    // only when a task has more than one container.
    let mut definitions = task_definitions(
        ecs,
        kept.iter()
            .filter(|t| t.containers.len() > 1)
            .map(|t| t.task_definition.as_str()),
    )
    .await;
    report.findings = kept
        .iter()
        .map(|task| {
            // Which containers are essential decides which exit stopped the task.
            let essential: Option<Vec<String>> = definitions
                .get(&task.task_definition)
                .and_then(|td| td.as_ref())
                .map(|td| {
                    td.containers
                        .iter()
                        .filter(|c| c.essential)
                        .map(|c| c.name.clone())
                        .collect()
                });
            diagnose(task, essential.as_deref())
        })
        .collect();
    // Newest first; the ARN keeps equal times in one order from pass to pass.
    report.findings.sort_by(|a, b| {
        b.stopped_at
            .cmp(&a.stopped_at)
            .then_with(|| a.task_arn.cmp(&b.task_arn))
    });
    if let Some(logs) = logs {
        // The log configuration is in the task definition too: read (or
        // take from the cache) those of the findings whose tails are wanted.
        let tails = tail_candidates(&report.findings, memory);
        let more = task_definitions(
            ecs,
            tails
                .iter()
                .map(|&i| report.findings[i].task_definition.as_str())
                .filter(|arn| !definitions.contains_key(*arn)),
        )
        .await;
        definitions.extend(more);
        read_tails(logs, &mut report.findings, &tails, &definitions, memory).await;
    }
    report.patterns = patterns(&report.findings, &services);
    report.services = services;
    Ok(report)
}

/// The services the findings belong to (their deployments tell whether a
/// loop began with one), and those the scope names, described by name in
/// batches of 10: never the whole account.
async fn services_of(
    ecs: &dyn EcsPort,
    tasks: &[Task],
    clusters: &[String],
    named: &[String],
) -> Vec<Service> {
    let mut wanted: BTreeSet<(String, String)> = tasks
        .iter()
        .filter_map(|t| Some((t.cluster.clone(), t.service_name()?.to_string())))
        .collect();
    for cluster in clusters {
        for name in named {
            wanted.insert((cluster.clone(), name.clone()));
        }
    }
    let mut by_cluster: HashMap<String, Vec<String>> = HashMap::new();
    for (cluster, name) in wanted {
        by_cluster.entry(cluster).or_default().push(name);
    }
    let described: Vec<Vec<Service>> = stream::iter(by_cluster)
        .map(|(cluster, names)| async move {
            match ecs.describe_services(&cluster, &names).await {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!(%cluster, %err, "cannot describe the services with stopped tasks");
                    Vec::new()
                }
            }
        })
        .buffer_unordered(CLUSTERS_AT_ONCE)
        .collect()
        .await;
    let mut services: Vec<Service> = described.into_iter().flatten().collect();
    services.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
    services
}

/// Every stopped task of `clusters`: listed per cluster, described only
/// when not remembered. Clusters that fail are reported, the rest go on.
async fn stopped_tasks(
    ecs: &dyn EcsPort,
    clusters: &[String],
    memory: &mut StoppedMemory,
    errors: &mut Vec<(String, PortError)>,
) -> Vec<Task> {
    let listed: Vec<(String, Result<Vec<String>, PortError>)> = stream::iter(clusters.to_vec())
        .map(|cluster| async move {
            let arns = ecs.task_arns(&cluster, TaskState::Stopped).await;
            (cluster, arns)
        })
        .buffered(CLUSTERS_AT_ONCE)
        .collect()
        .await;
    let mut all_listed = BTreeSet::new();
    let mut to_describe: Vec<(String, Vec<String>)> = Vec::new();
    for (cluster, result) in listed {
        match result {
            Ok(arns) => {
                let new: Vec<String> = arns
                    .iter()
                    .filter(|a| !memory.tasks.contains_key(*a))
                    .cloned()
                    .collect();
                all_listed.extend(arns);
                if !new.is_empty() {
                    to_describe.push((cluster, new));
                }
            }
            Err(err) => errors.push((cluster, err)),
        }
    }
    // What ECS no longer lists is gone: forget it (before adding the new).
    memory.keep_only(&all_listed);
    let described: Vec<(String, Result<Vec<Task>, PortError>)> = stream::iter(to_describe)
        .map(|(cluster, arns)| async move {
            let tasks = ecs.describe_tasks(&cluster, &arns).await;
            (cluster, tasks)
        })
        .buffered(CLUSTERS_AT_ONCE)
        .collect()
        .await;
    let mut tasks: Vec<Task> = memory.tasks.values().cloned().collect();
    for (cluster, result) in described {
        match result {
            Ok(found) => {
                for task in found {
                    // Still stopping: its exit codes may not be final yet.
                    if task.last_status == "STOPPED" {
                        memory.tasks.insert(task.arn.clone(), task.clone());
                    }
                    tasks.push(task);
                }
            }
            Err(err) => errors.push((cluster, err)),
        }
    }
    tasks
}

/// The task definitions named, each read once (cached by the port), at once.
async fn task_definitions<'a>(
    ecs: &dyn EcsPort,
    arns: impl Iterator<Item = &'a str>,
) -> HashMap<String, Option<TaskDefinition>> {
    let wanted: BTreeSet<String> = arns.map(str::to_string).collect();
    stream::iter(wanted)
        .map(|arn| async move {
            let td = ecs.task_definition(&arn).await.ok();
            (arn, td)
        })
        .buffer_unordered(READS_AT_ONCE)
        .collect()
        .await
}

/// The newest non-benign findings' log tails: remembered ones reused, the
/// rest read at once (the Logs budget paces them).
/// The newest non-benign findings whose tails are not remembered yet.
fn tail_candidates(findings: &[Finding], memory: &StoppedMemory) -> Vec<usize> {
    (0..findings.len())
        .filter(|&i| findings[i].severity != Severity::Info)
        .take(LOG_TAILS)
        .filter(|&i| !memory.tails.contains_key(&findings[i].task_arn))
        .collect()
}

async fn read_tails(
    logs: &dyn LogsPort,
    findings: &mut [Finding],
    to_read: &[usize],
    definitions: &HashMap<String, Option<TaskDefinition>>,
    memory: &mut StoppedMemory,
) {
    let remembered: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].severity != Severity::Info)
        .take(LOG_TAILS)
        .collect();
    for i in remembered {
        if let Some(tail) = memory.tails.get(&findings[i].task_arn) {
            findings[i].logs = tail.clone();
        }
    }
    let to_read = to_read.to_vec();
    let read: Vec<(usize, (LogTail, bool))> = stream::iter(to_read)
        .map(|i| {
            let finding = &findings[i];
            let td = definitions
                .get(&finding.task_definition)
                .and_then(|td| td.as_ref());
            async move { (i, read_tail(logs, finding, td, LOG_TAIL_LINES).await) }
        })
        .buffer_unordered(READS_AT_ONCE)
        .collect()
        .await;
    for (i, (tail, is_final)) in read {
        // A read that failed for a passing reason (throttled…) is tried again next pass.
        if is_final && memory.tasks.contains_key(&findings[i].task_arn) {
            memory
                .tails
                .insert(findings[i].task_arn.clone(), tail.clone());
        }
        findings[i].logs = tail;
    }
}

/// The container's last lines before it stopped, from its awslogs stream
/// `<prefix>/<container>/<task-id>`, or why there are none.
pub async fn log_tail(
    logs: &dyn LogsPort,
    finding: &Finding,
    td: Option<&TaskDefinition>,
) -> LogTail {
    log_tail_of(logs, finding, td, LOG_TAIL_LINES).await
}

/// The last `limit` lines of the finding's container before it stopped.
pub(crate) async fn log_tail_of(
    logs: &dyn LogsPort,
    finding: &Finding,
    td: Option<&TaskDefinition>,
    limit: usize,
) -> LogTail {
    read_tail(logs, finding, td, limit).await.0
}

/// The tail, and whether it is final (a stopped task's log does not change;
/// only a failed read is worth trying again).
async fn read_tail(
    logs: &dyn LogsPort,
    finding: &Finding,
    td: Option<&TaskDefinition>,
    limit: usize,
) -> (LogTail, bool) {
    let missing = |why: String| (LogTail::Missing { why }, true);
    let Some(td) = td else {
        return (
            LogTail::Missing {
                why: "the task definition could not be read, so its log configuration is unknown"
                    .into(),
            },
            false,
        );
    };
    let container = finding
        .container
        .as_deref()
        .and_then(|name| td.containers.iter().find(|c| c.name == name))
        .or_else(|| td.containers.iter().find(|c| c.essential));
    let Some(container) = container else {
        return missing("the task definition names no such container".into());
    };
    let (Some(group), Some(prefix)) = (&container.log_group, &container.log_stream_prefix) else {
        return missing(format!(
            "container {} does not log with awslogs (no awslogs-group / awslogs-stream-prefix)",
            container.name
        ));
    };
    let stream = format!("{prefix}/{}/{}", container.name, finding.task_id);
    let before = finding.stopped_at.unwrap_or_else(Utc::now);
    match logs.tail(group, &stream, before, limit).await {
        Ok(lines) if lines.is_empty() => {
            missing(format!("{group} {stream} has no lines before the stop"))
        }
        Ok(lines) => (
            LogTail::Lines {
                stream: format!("{group} {stream}"),
                lines,
            },
            true,
        ),
        Err(PortError::NotFound { .. }) => missing(format!(
            "no log stream {stream} in {group}: the container never started or wrote nothing"
        )),
        Err(err) => (
            LogTail::Missing {
                why: format!("cannot read {group} {stream}: {err}"),
            },
            false,
        ),
    }
}

/// Decode the given tasks (ARNs, or ids with `default_cluster`). Returns the
/// findings and the tasks ECS did not return.
pub(crate) async fn fetch_task_diagnosis(
    ecs: &dyn EcsPort,
    logs: Option<&dyn LogsPort>,
    default_cluster: Option<&str>,
    tasks: &[String],
) -> Result<(Vec<Finding>, Vec<String>), PortError> {
    let mut by_cluster: HashMap<String, Vec<String>> = HashMap::new();
    for task in tasks {
        let cluster = cluster_of(task)
            .or(default_cluster.map(str::to_string))
            .ok_or_else(|| PortError::InvalidInput {
                operation: "DescribeTasks".into(),
                message: format!(
                    "`{task}` does not name its cluster: pass the full task ARN or --cluster"
                ),
            })?;
        by_cluster.entry(cluster).or_default().push(task.clone());
    }
    let mut findings = Vec::new();
    let mut found: Vec<String> = Vec::new();
    let mut definitions: HashMap<String, Option<TaskDefinition>> = HashMap::new();
    for (cluster, wanted) in by_cluster {
        for task in ecs.describe_tasks(&cluster, &wanted).await? {
            found.push(task.arn.clone());
            if !definitions.contains_key(&task.task_definition) {
                definitions.insert(
                    task.task_definition.clone(),
                    ecs.task_definition(&task.task_definition).await.ok(),
                );
            }
            let td = definitions
                .get(&task.task_definition)
                .and_then(|td| td.as_ref());
            let essential: Option<Vec<String>> = td.map(|td| {
                td.containers
                    .iter()
                    .filter(|c| c.essential)
                    .map(|c| c.name.clone())
                    .collect()
            });
            let mut finding = diagnose(&task, essential.as_deref());
            if let Some(logs) = logs {
                finding.logs = log_tail(logs, &finding, td).await;
            }
            findings.push(finding);
        }
    }
    let missing = tasks
        .iter()
        .filter(|t| {
            !found
                .iter()
                .any(|f| f == *t || f.ends_with(&format!("/{t}")))
        })
        .cloned()
        .collect();
    Ok((findings, missing))
}

/// `arn:aws:ecs:eu-west-1:123:task/prod-web/abc` → `prod-web`.
fn cluster_of(task: &str) -> Option<String> {
    let tail = task.split_once(":task/")?.1;
    let (cluster, _) = tail.rsplit_once('/')?;
    Some(cluster.to_string())
}

/// Lines a task's container wrote up to its stop, for the task log view.
pub(crate) const TASK_LOG_LINES: usize = 500;

/// The task log view's lines: the task definition is read (cached) to find
/// the container's awslogs stream.
pub(crate) async fn fetch_task_logs(
    ecs: &dyn EcsPort,
    logs: &dyn LogsPort,
    finding: &Finding,
) -> LogTail {
    let td = ecs.task_definition(&finding.task_definition).await.ok();
    log_tail_of(logs, finding, td.as_ref(), TASK_LOG_LINES).await
}
