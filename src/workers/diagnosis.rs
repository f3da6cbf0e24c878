//! The diagnosis job: stopped tasks of the watched services (paged and
//! batched by the port), each decoded into a finding, and the patterns across
//! them. Used by `triage diagnose` and the console.

use super::status::fetch_status;
use crate::domain::diagnosis::{diagnose, patterns, Finding, Pattern};
use crate::domain::ports::EcsPort;
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

pub async fn fetch_diagnosis(
    ecs: &dyn EcsPort,
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
    if !scope.services.is_empty() {
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
    let mut essentials: HashMap<String, Option<Vec<String>>> = HashMap::new();
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
            if !essentials.contains_key(&task.task_definition) {
                // Which containers are essential decides which exit stopped the task.
                let names = ecs
                    .task_definition(&task.task_definition)
                    .await
                    .ok()
                    .map(|td| {
                        td.containers
                            .iter()
                            .filter(|c| c.essential)
                            .map(|c| c.name.clone())
                            .collect()
                    });
                essentials.insert(task.task_definition.clone(), names);
            }
            let essential = essentials.get(&task.task_definition).cloned().flatten();
            report.findings.push(diagnose(&task, essential.as_deref()));
        }
    }
    report
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.stopped_at));
    report.patterns = patterns(&report.findings, &services);
    report.services = services;
    Ok(report)
}
