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
    pub fn culprit(&self) -> Option<&Container> {
        self.containers
            .iter()
            .find(|c| c.exit_code.is_some_and(|code| code != 0) || c.reason.is_some())
            .or_else(|| self.containers.first())
    }
}
