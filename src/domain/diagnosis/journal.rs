//! Stopped tasks in the incident journal: each finding is written once (an
//! observation tagged `stopped-task`, the finding kept in its result), so the
//! console can still show it after ECS forgets the task (about an hour).

use super::cause::Severity;
use super::rules::Finding;
use crate::domain::timeline::entry::ResultRecord;
use crate::domain::timeline::{Actor, Entry, EntryDraft, EntryKind, TimeSource};

pub(crate) const TAG: &str = "stopped-task";

/// The entry recording a stopped task (its pair named first when several
/// are watched).
pub fn entry_for(finding: &Finding, several_pairs: bool) -> EntryDraft {
    let mut service = format!(
        "{}/{}",
        finding.cluster,
        finding.service.as_deref().unwrap_or("?")
    );
    if several_pairs {
        service = format!("{} {service}", finding.pair);
    }
    let short: String = finding.task_id.chars().take(8).collect();
    let mut draft = EntryDraft::new(
        EntryKind::Observation,
        Actor::Console,
        format!("{service} task {short} stopped: {}", finding.title),
    );
    draft.occurred_at = finding.stopped_at;
    draft.time_source = TimeSource::Aws;
    draft.resources = vec![finding.task_arn.clone()];
    draft.tags = vec![TAG.to_string(), finding.cause.code().to_string()];
    draft.important = finding.severity == Severity::Critical;
    draft.result = Some(ResultRecord {
        status: "observed".into(),
        outputs: serde_json::to_value(finding).unwrap_or_default(),
        ..Default::default()
    });
    draft
}

/// Findings recorded in these entries (newest record per task wins).
pub(crate) fn findings_in(entries: &[Entry]) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    for entry in entries.iter().filter(|e| e.tags.iter().any(|t| t == TAG)) {
        let Some(result) = &entry.result else {
            continue;
        };
        let Ok(mut finding) = serde_json::from_value::<Finding>(result.outputs.clone()) else {
            continue;
        };
        finding.from_journal = true;
        found.retain(|f| f.task_arn != finding.task_arn);
        found.push(finding);
    }
    found
}

/// Which stopped tasks are worth a line in the timeline: everything but the
/// benign stops (replacements, scale-in, Spot, maintenance), which would
/// drown the post-mortem; those stay countable on the diagnosis screen.
pub(crate) fn worth_recording(finding: &Finding) -> bool {
    finding.severity != Severity::Info
}
