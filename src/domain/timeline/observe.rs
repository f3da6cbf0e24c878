//! What the console writes down by itself: health changes and deployments,
//! found by comparing one status snapshot with the next.

use super::entry::{Actor, EntryDraft, EntryKind, TimeSource};
use crate::domain::ranking::RankedService;
use crate::domain::service::{revision_label, DeploymentStatus, RolloutState, ServiceKey};
use crate::domain::Health;
use std::collections::HashMap;

/// Entries for what changed between two snapshots. With no previous snapshot,
/// one summary entry of what is unhealthy right now.
/// With `several` pairs watched, each service is named with its pair.
pub fn changes(
    previous: Option<&[RankedService]>,
    next: &[RankedService],
    several: bool,
) -> Vec<EntryDraft> {
    let Some(previous) = previous else {
        return vec![baseline(next, several)];
    };
    let before: HashMap<ServiceKey, &RankedService> =
        previous.iter().map(|r| (r.service.key(), r)).collect();
    let mut drafts = Vec::new();
    for now in next {
        let key = now.service.key();
        let Some(was) = before.get(&key) else {
            continue;
        };
        let key = named(&key, several);
        if was.verdict.health != now.verdict.health {
            let mut draft = observation(
                format!(
                    "{key} {} → {}: {}",
                    was.verdict.health, now.verdict.health, now.verdict.reason
                ),
                &now.service.arn,
            );
            draft.important =
                now.verdict.health == Health::Down || now.verdict.health == Health::Failed;
            drafts.push(draft);
        }
        drafts.extend(deployment_changes(was, now, &key));
    }
    drafts
}

/// `web/api`, or `prod/eu-west-1 web/api` when several pairs are read.
fn named(key: &ServiceKey, several: bool) -> String {
    if several {
        format!("{} {key}", key.pair)
    } else {
        key.to_string()
    }
}

fn baseline(next: &[RankedService], several: bool) -> EntryDraft {
    let unhealthy: Vec<String> = next
        .iter()
        .filter(|r| r.verdict.health.is_unhealthy())
        .map(|r| {
            format!(
                "{} {} ({})",
                named(&r.service.key(), several),
                r.verdict.health,
                r.verdict.reason
            )
        })
        .collect();
    let summary = if unhealthy.is_empty() {
        format!(
            "First look: all {} services healthy or deploying",
            next.len()
        )
    } else {
        format!(
            "First look: {} of {} services unhealthy",
            unhealthy.len(),
            next.len()
        )
    };
    let mut draft = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
    if !unhealthy.is_empty() {
        draft.detail = Some(
            unhealthy
                .iter()
                .map(|u| format!("- {u}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    draft
}

fn deployment_changes(was: &RankedService, now: &RankedService, key: &str) -> Vec<EntryDraft> {
    let mut drafts = Vec::new();
    let old: HashMap<&str, _> = was
        .service
        .deployments
        .iter()
        .map(|d| (d.id.as_str(), d))
        .collect();
    for d in &now.service.deployments {
        let revision = revision_label(&d.task_definition);
        match old.get(d.id.as_str()) {
            None if d.status == DeploymentStatus::Primary => {
                let mut draft = observation(
                    format!("{key}: deployment of {revision} started"),
                    &now.service.arn,
                );
                draft.occurred_at = d.created_at;
                draft.time_source = TimeSource::Aws;
                drafts.push(draft);
            }
            Some(before) if before.rollout_state != d.rollout_state => {
                let (what, important) = match d.rollout_state {
                    Some(RolloutState::Completed) => ("completed", false),
                    Some(RolloutState::Failed) => ("FAILED", true),
                    _ => continue,
                };
                let reason = d
                    .rollout_state_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                let mut draft = observation(
                    format!("{key}: deployment of {revision} {what}{reason}"),
                    &now.service.arn,
                );
                draft.occurred_at = d.updated_at;
                draft.time_source = TimeSource::Aws;
                draft.important = important;
                drafts.push(draft);
            }
            _ => {}
        }
    }
    drafts
}

fn observation(summary: String, arn: &str) -> EntryDraft {
    let mut draft = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
    draft.resources = vec![arn.to_string()];
    draft
}
