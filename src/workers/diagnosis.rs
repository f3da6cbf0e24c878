//! The diagnosis job: stopped tasks of the watched services (paged and
//! batched by the port), each decoded into a finding with its container's
//! last log lines, and the patterns across them. Used by `triage diagnose`
//! and the console.

use super::status::fetch_status;
use crate::domain::diagnosis::{diagnose, patterns, Finding, LogTail, Pattern, Severity};
use crate::domain::ports::{EcsPort, LogsPort, TaskDefinition};
use crate::domain::service::Service;
use crate::domain::task::TaskState;
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use std::collections::HashMap;

/// What to diagnose.
#[derive(Debug, Clone, Default)]
pub struct DiagnosisScope {
    /// Clusters (empty = every cluster).
    pub clusters: Vec<String>,
    /// Service names (empty = every service).
    pub services: Vec<String>,
    /// Only tasks stopped within this long.
    pub since: Option<Duration>,
}

#[derive(Debug, Clone, Default)]
pub struct DiagnosisReport {
    /// Newest first.
    pub findings: Vec<Finding>,
    pub patterns: Vec<Pattern>,
    pub services: Vec<Service>,
    /// Services whose stopped tasks could not be read, and why.
    pub errors: Vec<(String, PortError)>,
}

const SERVICES_AT_ONCE: usize = 4;
/// How many of the newest non-benign findings get their container's log tail.
pub const LOG_TAILS: usize = 20;
/// Lines of each log tail.
pub const LOG_TAIL_LINES: usize = 50;

pub async fn fetch_diagnosis(
    ecs: &dyn EcsPort,
    logs: Option<&dyn LogsPort>,
    scope: &DiagnosisScope,
    now: DateTime<Utc>,
) -> Result<DiagnosisReport, PortError> {
    let snapshot = fetch_status(ecs, &scope.clusters).await?;
    if let Some((_, err)) = snapshot.cluster_errors.first() {
        if snapshot.services.is_empty() {
            return Err(err.clone());
        }
    }
    let services: Vec<Service> = snapshot
        .services
        .into_iter()
        .filter(|s| scope.services.is_empty() || scope.services.iter().any(|n| n == &s.name))
        .collect();
    if let Some(missing) = scope
        .services
        .iter()
        .find(|n| !services.iter().any(|s| &s.name == *n))
    {
        return Err(PortError::NotFound {
            what: "service".into(),
            message: format!("no watched service is named `{missing}`"),
        });
    }
    let keys: Vec<(String, String)> = services
        .iter()
        .map(|s| (s.cluster.clone(), s.name.clone()))
        .collect();
    let results: Vec<(String, Result<Vec<crate::domain::Task>, PortError>)> = stream::iter(keys)
        .map(|(cluster, name)| async move {
            let tasks = ecs.tasks(&cluster, &name, TaskState::Stopped).await;
            (format!("{cluster}/{name}"), tasks)
        })
        .buffered(SERVICES_AT_ONCE)
        .collect()
        .await;

    let mut report = DiagnosisReport::default();
    let mut definitions: HashMap<String, Option<TaskDefinition>> = HashMap::new();
    for (service, result) in results {
        let tasks = match result {
            Ok(tasks) => tasks,
            Err(err) => {
                report.errors.push((service, err));
                continue;
            }
        };
        for task in tasks {
            if let (Some(since), Some(stopped)) = (scope.since, task.stopped_at) {
                if now - stopped > since {
                    continue;
                }
            }
            if !definitions.contains_key(&task.task_definition) {
                let td = ecs.task_definition(&task.task_definition).await.ok();
                definitions.insert(task.task_definition.clone(), td);
            }
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
            report.findings.push(diagnose(&task, essential.as_deref()));
        }
    }
    report
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.stopped_at));
    if let Some(logs) = logs {
        let wanted: Vec<usize> = (0..report.findings.len())
            .filter(|&i| report.findings[i].severity != Severity::Info)
            .take(LOG_TAILS)
            .collect();
        for i in wanted {
            let td = definitions
                .get(&report.findings[i].task_definition)
                .and_then(|td| td.as_ref());
            report.findings[i].logs = log_tail(logs, &report.findings[i], td).await;
        }
    }
    report.patterns = patterns(&report.findings, &services);
    report.services = services;
    Ok(report)
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
pub async fn log_tail_of(
    logs: &dyn LogsPort,
    finding: &Finding,
    td: Option<&TaskDefinition>,
    limit: usize,
) -> LogTail {
    let missing = |why: String| LogTail::Missing { why };
    let Some(td) = td else {
        return missing(
            "the task definition could not be read, so its log configuration is unknown".into(),
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
        Ok(lines) => LogTail::Lines {
            stream: format!("{group} {stream}"),
            lines,
        },
        Err(PortError::NotFound { .. }) => missing(format!(
            "no log stream {stream} in {group}: the container never started or wrote nothing"
        )),
        Err(err) => missing(format!("cannot read {group} {stream}: {err}")),
    }
}

/// Decode the given tasks (ARNs, or ids with `default_cluster`). Returns the
/// findings and the tasks ECS did not return.
pub async fn fetch_task_diagnosis(
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
pub const TASK_LOG_LINES: usize = 500;

/// The task log view's lines: the task definition is read (cached) to find
/// the container's awslogs stream.
pub async fn fetch_task_logs(ecs: &dyn EcsPort, logs: &dyn LogsPort, finding: &Finding) -> LogTail {
    let td = ecs.task_definition(&finding.task_definition).await.ok();
    log_tail_of(logs, finding, td.as_ref(), TASK_LOG_LINES).await
}
