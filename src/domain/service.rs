//! ECS services, their deployments and their events, as triage understands them.

use super::pair::Pair;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One ECS service, as last described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Cluster *name* (not ARN).
    pub cluster: String,
    pub name: String,
    pub arn: String,
    /// ECS service status: ACTIVE, DRAINING or INACTIVE.
    pub status: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    /// Task definition ARN of the service (its primary deployment's).
    pub task_definition: String,
    pub launch_type: Option<String>,
    pub deployments: Vec<Deployment>,
    /// Newest first, as ECS returns them.
    pub events: Vec<ServiceEvent>,
    pub created_at: Option<DateTime<Utc>>,
    /// The ARNs of the target groups it registers with (`loadBalancers`).
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// Where its tasks sit (`networkConfiguration.awsvpcConfiguration`);
    /// None for bridge or host networking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<ServiceNetwork>,
    /// The watched pair it was read from (set by the reader, not by AWS).
    #[serde(default, skip_serializing_if = "Pair::is_unnamed")]
    pub pair: Pair,
}

/// A service's awsvpc network configuration: its tasks' own security
/// groups, the subnets they are placed in, and whether they get public IPs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceNetwork {
    pub security_groups: Vec<String>,
    pub subnets: Vec<String>,
    pub assign_public_ip: bool,
}

/// One deployment of a service (ECS keeps the primary and any still draining).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub status: DeploymentStatus,
    pub rollout_state: Option<RolloutState>,
    pub rollout_state_reason: Option<String>,
    pub task_definition: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed_tasks: u32,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentStatus {
    Primary,
    Active,
    Inactive,
}

impl DeploymentStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "PRIMARY" => Self::Primary,
            "ACTIVE" => Self::Active,
            _ => Self::Inactive,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "PRIMARY",
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
}

impl RolloutState {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "IN_PROGRESS" => Some(Self::InProgress),
            "COMPLETED" => Some(Self::Completed),
            "FAILED" => Some(Self::Failed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// A line of a service's event log ("has reached a steady state", …). The
/// message is untrusted text from AWS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub message: String,
}

impl Service {
    /// The deployment ECS is rolling towards.
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments
            .iter()
            .find(|d| d.status == DeploymentStatus::Primary)
    }

    /// `family:revision` of the service's task definition.
    /// One deployment, its counts met: what `ecs.wait_steady` and `triage
    /// wait --until steady` wait for.
    pub fn is_steady(&self) -> bool {
        self.deployments.len() <= 1 && self.running == self.desired && self.pending == 0
    }

    pub(crate) fn revision_label(&self) -> String {
        revision_label(&self.task_definition)
    }

    /// When something about this service last changed: its newest event or
    /// deployment update.
    pub fn last_changed(&self) -> Option<DateTime<Utc>> {
        let event = self.events.iter().map(|e| e.at).max();
        let deployment = self
            .deployments
            .iter()
            .filter_map(|d| d.updated_at.or(d.created_at))
            .max();
        event.max(deployment).or(self.created_at)
    }

    /// This is the service `key` names (compared in place: nothing copied).
    pub fn is(&self, key: &ServiceKey) -> bool {
        self.name == key.service && self.cluster == key.cluster && self.pair == key.pair
    }

    /// A stable key for selection across refreshes.
    pub fn key(&self) -> ServiceKey {
        ServiceKey {
            cluster: self.cluster.clone(),
            service: self.name.clone(),
            pair: self.pair.clone(),
        }
    }
}

/// Identifies a service across refreshes and screens: its cluster and name
/// in its pair (the same names in two Regions are two services).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServiceKey {
    pub cluster: String,
    pub service: String,
    #[serde(default, skip_serializing_if = "Pair::is_unnamed")]
    pub pair: Pair,
}

impl ServiceKey {
    /// A service of the unnamed pair (a single-pair session's).
    pub fn new(cluster: impl Into<String>, service: impl Into<String>) -> ServiceKey {
        ServiceKey {
            cluster: cluster.into(),
            service: service.into(),
            pair: Pair::default(),
        }
    }
}

impl std::fmt::Display for ServiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.cluster, self.service)
    }
}

/// `arn:aws:ecs:…:task-definition/backend:42` → `backend:42`.
pub(crate) fn revision_label(task_definition: &str) -> String {
    task_definition
        .rsplit_once('/')
        .map(|(_, tail)| tail)
        .unwrap_or(task_definition)
        .to_string()
}

/// The last path segment of an ARN: a cluster, service or task name or id.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit_once('/').map(|(_, tail)| tail).unwrap_or(arn)
}

/// The Region and account id an ARN names (`arn:aws:ecs:<region>:<account>:…`).
pub fn arn_place(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    match (parts.next()?, parts.next()?, parts.next()?) {
        ("arn", _, _) => {}
        _ => return None,
    }
    let region = parts.next()?;
    let account = parts.next()?;
    (!region.is_empty() && !account.is_empty()).then_some((region, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arn_names_its_region_and_account() {
        assert_eq!(
            arn_place("arn:aws:ecs:eu-west-1:123456789012:service/prod/api"),
            Some(("eu-west-1", "123456789012"))
        );
        assert_eq!(arn_place("api"), None);
        assert_eq!(arn_place("arn:aws:iam::123456789012:role/x"), None);
    }

    #[test]
    fn revision_label_takes_family_and_revision() {
        assert_eq!(
            revision_label("arn:aws:ecs:eu-west-1:123456789012:task-definition/backend:42"),
            "backend:42"
        );
        assert_eq!(revision_label("backend:7"), "backend:7");
    }

    #[test]
    fn arn_name_takes_the_last_segment() {
        assert_eq!(
            arn_name("arn:aws:ecs:us-east-1:1:cluster/prod-web"),
            "prod-web"
        );
        assert_eq!(arn_name("prod-web"), "prod-web");
    }
}
