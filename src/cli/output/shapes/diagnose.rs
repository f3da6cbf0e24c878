//! `triage diagnose -o json`: one finding per stopped task, the patterns
//! across them, what `--service` left out, and what could not be read.

use super::super::rfc3339;
use super::super::schema::{Place, Version};
use super::PairJson;
use crate::domain::diagnosis::{Finding, LogTail, Pattern};
use crate::domain::sanitize::strip_controls;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct DiagnoseDoc {
    pub schema_version: Version,
    pub generated_at: String,
    /// Every pair asked for, read or not (`error` says why not).
    pub pairs: Vec<PairJson>,
    /// Newest stop first.
    pub findings: Vec<FindingJson>,
    pub patterns: Vec<PatternJson>,
    pub left_out: LeftOutJson,
    /// Clusters or pairs whose stopped tasks could not be read.
    pub errors: Vec<ReadErrorJson>,
}

/// Why one task stopped, decoded.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FindingJson {
    #[serde(flatten)]
    pub place: Place,
    pub task_arn: String,
    pub cluster: String,
    pub service: Option<String>,
    pub task_definition: String,
    pub stopped_at: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub container: Option<String>,
    pub exit_code: Option<i32>,
    pub container_reason: Option<String>,
    /// The cause's code (oom_killed, image_not_found, app_error, …).
    pub cause: String,
    /// critical, warning, info.
    pub severity: String,
    pub title: String,
    pub explanation: String,
    /// The fields that led to it.
    pub evidence: Vec<EvidenceJson>,
    pub next_checks: Vec<String>,
    /// The runbook written for this cause, if any.
    pub runbook: Option<String>,
    /// Read from an incident journal (ECS had forgotten the task).
    pub from_journal: bool,
    /// The container's last log lines before it stopped.
    pub log_tail: Vec<LogTailLine>,
    /// Why there are no lines, when there are none.
    pub log_tail_missing: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EvidenceJson {
    pub field: String,
    pub value: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LogTailLine {
    pub timestamp: String,
    pub message: String,
}

/// A restart loop or repeated cause across a service's stopped tasks.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PatternJson {
    #[serde(flatten)]
    pub place: Place,
    /// `cluster/service`.
    pub service: String,
    pub cause: String,
    pub count: usize,
    pub first_at: Option<String>,
    pub last_at: Option<String>,
    /// It began with the service's newest deployment.
    pub since_deployment: bool,
    /// A later deployment ended it.
    pub ended: bool,
    pub suggestion: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LeftOutJson {
    /// Stopped tasks of services `--service` did not name.
    pub other_services: usize,
    /// Stopped tasks no service started.
    pub standalone: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadErrorJson {
    /// The cluster, or the pair (`name/region`), that could not be read.
    pub source: String,
    pub error: String,
}

impl FindingJson {
    pub fn of(f: &Finding) -> FindingJson {
        FindingJson {
            place: Place::of(&f.pair, None, &f.task_arn),
            task_arn: f.task_arn.clone(),
            cluster: f.cluster.clone(),
            service: f.service.clone(),
            task_definition: f.task_definition.clone(),
            stopped_at: f.stopped_at.map(rfc3339),
            stop_code: f.stop_code.clone(),
            stopped_reason: f.stopped_reason.clone(),
            container: f.container.clone(),
            exit_code: f.exit_code,
            container_reason: f.container_reason.clone(),
            cause: f.cause.code().to_string(),
            severity: f.severity.as_str().to_string(),
            title: f.title.clone(),
            explanation: f.explanation.clone(),
            evidence: f
                .evidence
                .iter()
                .map(|e| EvidenceJson {
                    field: e.field.clone(),
                    value: e.value.clone(),
                })
                .collect(),
            next_checks: f.next_checks.clone(),
            runbook: f.runbook.clone(),
            from_journal: f.from_journal,
            log_tail: match &f.logs {
                LogTail::Lines { lines, .. } => lines
                    .iter()
                    .map(|l| LogTailLine {
                        timestamp: l
                            .timestamp
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        message: strip_controls(&l.message),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            log_tail_missing: match &f.logs {
                LogTail::Missing { why } => Some(why.clone()),
                LogTail::NotRead => {
                    Some("not read: only the newest non-benign stops get their logs read".into())
                }
                LogTail::Lines { .. } => None,
            },
        }
    }
}

impl PatternJson {
    /// A pattern; its account from a finding of the same pair, if any.
    pub fn of(p: &Pattern, findings: &[Finding]) -> PatternJson {
        let arn = findings
            .iter()
            .find(|f| f.pair == p.pair)
            .map(|f| f.task_arn.as_str())
            .unwrap_or("");
        PatternJson {
            place: Place::of(&p.pair, None, arn),
            service: format!("{}/{}", p.cluster, p.service),
            cause: p.cause.code().to_string(),
            count: p.count,
            first_at: p.first_at.map(rfc3339),
            last_at: p.last_at.map(rfc3339),
            since_deployment: p.since_deployment,
            ended: p.ended,
            suggestion: p.suggestion.clone(),
        }
    }
}
