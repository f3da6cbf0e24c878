//! `triage incident list -o json` and `incident start -o json`.

use super::super::rfc3339;
use super::super::schema::Version;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentListDoc {
    pub schema_version: Version,
    /// Newest first.
    pub incidents: Vec<IncidentJson>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentJson {
    pub id: String,
    pub title: String,
    /// SEV1…SEV4; null when not set.
    pub severity: Option<String>,
    /// open or closed.
    pub status: String,
    pub started_at: Option<String>,
    pub closed_at: Option<String>,
    /// How many journal entries it has.
    pub entries: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentStartedDoc {
    pub schema_version: Version,
    /// The new incident's id (the other incident commands take it).
    pub id: String,
}

impl IncidentJson {
    pub fn of(i: &crate::domain::timeline::Incident) -> IncidentJson {
        IncidentJson {
            id: i.id.clone(),
            title: i.title.clone(),
            severity: i.severity.map(|s| s.as_str().to_string()),
            status: i.status.as_str().to_string(),
            started_at: i.started_at.map(rfc3339),
            closed_at: i.closed_at.map(rfc3339),
            entries: i.entries.len(),
        }
    }
}
