//! ECS tasks and their containers: what runs, and what stopped and why.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which tasks to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskState {
    Running,
    Stopped,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Running => "RUNNING",
            TaskState::Stopped => "STOPPED",
        }
    }
}

/// One ECS task. Text fields from AWS (`stopped_reason`, container `reason`)
/// are untrusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub arn: String,
    /// The short id at the end of the ARN.
    pub id: String,
    pub cluster: String,
    /// `service:<name>` for tasks a service started.
    pub group: Option<String>,
    pub task_definition: String,
    pub last_status: String,
    pub desired_status: String,
    pub health_status: Option<String>,
    pub started_by: Option<String>,
    pub launch_type: Option<String>,
    pub availability_zone: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub stopping_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<Container>,
    /// Its elastic network interface (awsvpc tasks: `attachments[]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface: Option<String>,
    /// Its private IPv4 address (awsvpc tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    pub last_status: Option<String>,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub health_status: Option<String>,
}

impl Task {
    /// The service this task belongs to, from its `group`.
    pub fn service_name(&self) -> Option<&str> {
        self.group.as_deref()?.strip_prefix("service:")
    }

    /// The container whose exit stopped the task: the first with a non-zero
    /// exit code or a reason, else the first.
    pub(crate) fn culprit(&self) -> Option<&Container> {
        self.containers
            .iter()
            .find(|c| c.exit_code.is_some_and(|code| code != 0) || c.reason.is_some())
            .or_else(|| self.containers.first())
    }
}

/// The id at the end of a task ARN (`arn:…:task/prod-web/859a3be9…` →
/// `859a3be9…`); an id stays as it is.
pub(crate) fn task_id_of(task: &str) -> &str {
    task.rsplit('/').next().unwrap_or(task)
}

/// Why a typed task id does not name one task.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TaskIdError {
    #[error("no task in cluster {cluster} has an id beginning {prefix} (ECS keeps stopped tasks about an hour); check the id, the cluster and the Region")]
    NoMatch { prefix: String, cluster: String },
    #[error("task id {prefix} is ambiguous in cluster {cluster}: {} tasks begin with it ({}); type more of it", matches.len(), matches.join(", "))]
    Ambiguous {
        prefix: String,
        cluster: String,
        matches: Vec<String>,
    },
}

/// The task a person typed, among the cluster's task ARNs: an ARN or a
/// whole id as it is; otherwise any unique prefix of an id (the console
/// shows 8 characters) gives that task's ARN.
pub(crate) fn resolve_task_id(
    typed: &str,
    cluster: &str,
    arns: &[String],
) -> Result<String, TaskIdError> {
    let typed = typed.trim();
    if typed.starts_with("arn:") {
        return Ok(typed.to_string());
    }
    if let Some(exact) = arns.iter().find(|a| task_id_of(a) == typed) {
        return Ok(exact.clone());
    }
    let mut matches: Vec<&String> = arns
        .iter()
        .filter(|a| !typed.is_empty() && task_id_of(a).starts_with(typed))
        .collect();
    matches.sort();
    matches.dedup();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(TaskIdError::NoMatch {
            prefix: typed.to_string(),
            cluster: cluster.to_string(),
        }),
        many => Err(TaskIdError::Ambiguous {
            prefix: typed.to_string(),
            cluster: cluster.to_string(),
            matches: many
                .iter()
                .take(5)
                .map(|a| task_id_of(a).chars().take(12).collect::<String>() + "…")
                .collect(),
        }),
    }
}

#[cfg(test)]
mod task_id_tests {
    use super::*;

    fn arns() -> Vec<String> {
        [
            "859a3be9c0d14e5f8a7b6c5d4e3f2a1b",
            "859a3be9d1e25f60",
            "1f2e3d4c5b6a79881f2e3d4c5b6a7988",
        ]
        .iter()
        .map(|id| format!("arn:aws:ecs:eu-west-1:123456789012:task/prod-web/{id}"))
        .collect()
    }

    #[test]
    fn a_unique_prefix_names_its_task() {
        assert_eq!(
            resolve_task_id("1f2e3d4c", "prod-web", &arns()).unwrap(),
            arns()[2]
        );
        assert_eq!(
            resolve_task_id("859a3be9c", "prod-web", &arns()).unwrap(),
            arns()[0]
        );
    }

    #[test]
    fn an_ambiguous_prefix_says_which_tasks_it_begins() {
        let err = resolve_task_id("859a3be9", "prod-web", &arns()).unwrap_err();
        assert!(matches!(&err, TaskIdError::Ambiguous { matches, .. } if matches.len() == 2));
        assert!(err.to_string().contains("type more of it"), "{err}");
    }

    #[test]
    fn an_arn_or_a_whole_id_is_taken_as_it_is_and_nothing_else_matches() {
        assert_eq!(
            resolve_task_id("arn:aws:ecs:x", "c", &[]).unwrap(),
            "arn:aws:ecs:x"
        );
        assert_eq!(
            resolve_task_id("859a3be9d1e25f60", "prod-web", &arns()).unwrap(),
            arns()[1]
        );
        assert!(matches!(
            resolve_task_id("ffff", "prod-web", &arns()),
            Err(TaskIdError::NoMatch { .. })
        ));
        assert!(resolve_task_id("", "prod-web", &arns()).is_err());
    }
}
