//! `triage changes -o json`.

use super::super::rfc3339;
use super::super::schema::{Place, Version};
use super::PairJson;
use crate::domain::changes::{Change, Coverage};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangesDoc {
    pub schema_version: Version,
    pub generated_at: String,
    /// Every pair asked for, read or not (`error` says why not).
    pub pairs: Vec<PairJson>,
    /// Newest first; with `--service`, the services' suspects first (each
    /// service's nearest before its onset first), then the rest newest first.
    pub changes: Vec<ChangeJson>,
    /// With `--service`: each service's onset.
    pub onsets: Vec<OnsetJson>,
    pub coverage: CoverageJson,
}

/// One change, with every source that saw it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeJson {
    #[serde(flatten)]
    pub place: Place,
    pub at: String,
    /// Who: a user, a role's session, `—` when no source names one.
    pub actor: String,
    /// The API action (`UpdateService`…), `Deployment`, or the runbook step's kind.
    pub action: String,
    pub summary: String,
    /// The task-definition diff, the registration that went with it.
    pub detail: Vec<String>,
    /// `cluster/service` of each watched service it touched (none: an account change).
    pub services: Vec<String>,
    pub sources: Vec<SourceJson>,
    /// With `--service`: how long before the first such service's onset it
    /// came, in seconds (negative: after it); null otherwise.
    pub before_onset_seconds: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SourceJson {
    /// `cloudtrail` (id: the EventId), `ecs` (the deployment id) or
    /// `triage` (the journal entry id).
    pub kind: String,
    pub id: String,
}

/// A service asked for with `--service`, and when its trouble began.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OnsetJson {
    #[serde(flatten)]
    pub place: Place,
    /// `cluster/service`.
    pub service: String,
    /// The first alarm, stop or health event of its latest episode; null
    /// when it shows none (its changes are then ranked from now).
    pub onset: Option<String>,
}

/// What was read, from when to when, and what could not be.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CoverageJson {
    pub from: String,
    pub to: String,
    /// Write events CloudTrail gave, over every pair (noise included).
    pub events: usize,
    /// Of those, ECS's own churn and failed calls: counted, never shown.
    pub noise: usize,
    /// LookupEvents calls made.
    pub lookup_calls: usize,
    /// Events that came from what earlier reads kept, not from a call.
    pub kept_events: usize,
    /// What could not be read, each naming its pair.
    pub unread: Vec<String>,
}

impl ChangeJson {
    pub fn of(
        change: &Change,
        account: Option<&str>,
        before_onset: Option<chrono::Duration>,
    ) -> ChangeJson {
        ChangeJson {
            place: Place {
                account: account.map(str::to_string),
                account_name: change.pair.account.clone(),
                region: change.pair.region.clone(),
            },
            at: rfc3339(change.at),
            actor: change.actor.clone(),
            action: change.action.clone(),
            summary: change.summary.clone(),
            detail: change.detail.clone(),
            services: change
                .services
                .iter()
                .map(|k| format!("{}/{}", k.cluster, k.service))
                .collect(),
            sources: change
                .sources
                .iter()
                .map(|s| SourceJson {
                    kind: s.kind.as_str().to_string(),
                    id: crate::domain::sanitize::one_line(&s.id),
                })
                .collect(),
            before_onset_seconds: before_onset.map(|d| d.num_seconds()),
        }
    }
}

impl CoverageJson {
    /// The coverage of every pair together.
    pub fn of(
        coverages: &[(String, &Coverage)],
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> CoverageJson {
        CoverageJson {
            from: rfc3339(from),
            to: rfc3339(to),
            events: coverages.iter().map(|(_, c)| c.events).sum(),
            noise: coverages.iter().map(|(_, c)| c.noise).sum(),
            lookup_calls: coverages.iter().map(|(_, c)| c.calls).sum(),
            kept_events: coverages.iter().map(|(_, c)| c.cached).sum(),
            unread: coverages
                .iter()
                .flat_map(|(label, c)| c.unread.iter().map(move |u| format!("{label}: {u}")))
                .collect(),
        }
    }
}
