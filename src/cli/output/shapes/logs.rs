//! `triage logs ID -o json`: JSON Lines, one log line of the request each.

use super::super::schema::{Place, Version};
use schemars::JsonSchema;
use serde::Serialize;

/// One log line that carries the ID.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LogLine {
    pub schema_version: Version,
    #[serde(flatten)]
    pub place: Place,
    pub timestamp: String,
    /// The service whose log group it is in (the group's name when unknown).
    pub service: String,
    pub log_group: String,
    pub log_stream: String,
    /// The ECS task id, the stream name's last part.
    pub task_id: Option<String>,
    pub message: String,
    /// The message parsed as JSON; null when it is not JSON.
    pub fields: serde_json::Value,
}
