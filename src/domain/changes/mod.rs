//! What changed: the account's write events (CloudTrail), the services' ECS
//! deployments and triage's own actions, tied to the services they touched
//! and, for a failing service, ranked by how near before its onset they came.
//!
//! - [`trail`] reads one CloudTrail record: who, what, the names it carries.
//! - [`touch`] says which watched services an event touches, and what is
//!   ECS's own churn (noise).
//! - `summary` says in one line what an event did.
//! - [`assemble`] makes changes of events, deployments and journal entries,
//!   one change with several witnesses when they are the same act.
//! - [`suspects`] finds a service's onset and ranks its changes.
//! - [`reading`] plans a CloudTrail read around what was kept (the port).

pub mod assemble;
pub mod reading;
mod summary;
pub mod suspects;
pub mod touch;
pub mod trail;

#[cfg(test)]
mod tests;

use super::pair::Pair;
use super::service::ServiceKey;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use assemble::assemble;
pub use reading::{TrailPort, TrailRead, TrailStore};
pub use suspects::{onset, rank};
pub use touch::{ServiceFacts, Touches};
pub use trail::TrailEvent;

/// Where a change was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A CloudTrail management event (its `id` is the EventId).
    Cloudtrail,
    /// An ECS deployment (its `id` is the deployment id).
    Ecs,
    /// triage's own journal (its `id` is the entry id).
    Triage,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Cloudtrail => "cloudtrail",
            SourceKind::Ecs => "ecs",
            SourceKind::Triage => "triage",
        }
    }
}

/// One witness of a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub id: String,
}

/// One change to the account, with every source that saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// Who did it (a user, a role's session, `ecs` for ECS itself); cleaned.
    pub actor: String,
    /// The API action (`UpdateService`, `AuthorizeSecurityGroupEgress`) or
    /// `Deployment` / the runbook step's kind.
    pub action: String,
    /// One line: what it did, to what; cleaned.
    pub summary: String,
    /// More lines: the task-definition diff, the rule's ports and ranges.
    pub detail: Vec<String>,
    /// The watched services it touched (none: an account change).
    pub services: Vec<ServiceKey>,
    pub sources: Vec<Source>,
    pub pair: Pair,
    /// The task definition it deploys or registers (an ARN or `family:N`).
    pub deploys: Option<String>,
}

impl Change {
    pub fn touches(&self, key: &ServiceKey) -> bool {
        self.services.iter().any(|s| s == key)
    }

    /// The shipped runbook that undoes this kind of change: a deploy is
    /// rolled back by `bad-deployment`, egress opened is locked down again
    /// by `compromised-host`'s lockdown.
    pub fn undone_by(&self) -> Option<&'static str> {
        match self.action.as_str() {
            "UpdateService" | "CreateService" | "Deployment" if self.deploys.is_some() => {
                Some("bad-deployment")
            }
            "AuthorizeSecurityGroupEgress" => Some("compromised-host"),
            _ => None,
        }
    }

    /// The identifier of its first source (a stable key for the change).
    pub fn id(&self) -> &str {
        self.sources.first().map_or("", |s| s.id.as_str())
    }
}

/// One pair's changes as read, and what the read covered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairChanges {
    /// Newest first.
    pub changes: Vec<Change>,
    pub coverage: Coverage,
}

/// What a read of the changes covered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Write events read from CloudTrail (noise included).
    pub events: usize,
    /// Of those, ECS's own churn (network interfaces, target registration).
    pub noise: usize,
    /// Calls made to CloudTrail for this read, and how many were answered
    /// from the disk cache instead.
    pub calls: usize,
    pub cached: usize,
    /// What could not be read, said once each ("CloudTrail: AccessDenied …").
    pub unread: Vec<String>,
}
