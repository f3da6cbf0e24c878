//! The typed shapes of every `-o json` output: what each command prints is
//! one of these, serialized, so the shape is stated once and its JSON
//! Schema generated from it (`super::schema::documents`). Every document
//! carries `schema_version`; every item of a list carries its place
//! (`account`, `account_name`, `region`), one pair watched or many.

pub mod alarms;
pub mod changes;
pub mod diagnose;
pub mod exec;
pub mod incident;
pub mod logs;
pub mod runbook;
pub mod status;
pub mod trace;
pub mod wait;

pub use alarms::{AlarmJson, AlarmsDoc};
pub use changes::ChangesDoc;
pub use diagnose::DiagnoseDoc;
pub use exec::{ExecCheckDoc, ExecEndedDoc};
pub use incident::{IncidentJson, IncidentListDoc, IncidentStartedDoc};
pub use logs::LogLine;
pub use runbook::{RunRecord, RunbookListDoc, RunbookShownDoc};
pub use status::StatusDoc;

use super::schema::Place;
use schemars::JsonSchema;
use serde::Serialize;

/// One pair asked for, and whether it could be read.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PairJson {
    #[serde(flatten)]
    pub place: Place,
    pub profile: Option<String>,
    pub production: bool,
    /// Why it could not be read, and what to do; null when it was.
    pub error: Option<String>,
}
