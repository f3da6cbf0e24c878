//! When each read of the account falls due, and what a request and its
//! answer do to the refresh bookkeeping (generation, in-flight, retries with
//! growing delays, the last data kept with its age).

use super::effect::Effect;
use super::state::{AppState, InFlight, Refreshing, Screen};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};

/// A request still unanswered after this long is given up on.
pub(super) const REQUEST_TIMEOUT_SECONDS: i64 = 90;

/// First retry delay after a failed refresh; doubles up to the refresh interval.
pub(super) const RETRY_BASE_SECONDS: i64 = 2;

pub(super) fn due_refreshes(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    let now = state.now;
    if is_due(&state.status, now) {
        effects.extend(request_status(state));
    }
    if matches!(state.screen, Screen::Service(_)) && is_due(&state.detail, now) {
        effects.extend(request_detail(state));
    }
    if diagnosis_due(state) {
        effects.extend(request_diagnosis(state));
    }
    effects.extend(super::logs::due(state));
    if state.session.share {
        if let Some(view) = &mut state.incident {
            if !view.shared_in_flight && now >= view.shared_next_at {
                view.shared_in_flight = true;
                effects.push(Effect::PullShared {
                    incident: view.incident.id.clone(),
                    cursor: view.shared_cursor.clone(),
                });
            }
        }
    }
    effects
}

/// How often the shared incident log is read.
pub(super) const SHARED_PULL_SECONDS: i64 = 5;

pub(super) fn is_due<T>(r: &Refreshing<T>, now: DateTime<Utc>) -> bool {
    match r.in_flight {
        Some(f) => now - f.since > Duration::seconds(REQUEST_TIMEOUT_SECONDS),
        None => now >= r.next_at,
    }
}

pub(super) fn request_status(state: &mut AppState) -> Vec<Effect> {
    let generation = begin(&mut state.status, state.now);
    vec![Effect::FetchStatus {
        generation,
        clusters: state.session.clusters.clone(),
    }]
}

/// When a deployment is to blame for a finding's loop, ask what changed
/// between the revision before and the one that fails.
pub(super) fn request_revision_diff(state: &mut AppState, task_arn: &str) -> Vec<Effect> {
    let Some(report) = &state.diagnosis.data else {
        return Vec::new();
    };
    let Some(finding) = report.findings.iter().find(|f| f.task_arn == task_arn) else {
        return Vec::new();
    };
    let Some(pattern) = report.patterns.iter().find(|p| {
        p.since_deployment
            && p.cause == finding.cause
            && p.cluster == finding.cluster
            && Some(p.service.as_str()) == finding.service.as_deref()
    }) else {
        return Vec::new();
    };
    let Some(before) = pattern.rollback_to.clone() else {
        return Vec::new();
    };
    let after = crate::domain::service::revision_label(&finding.task_definition);
    if state
        .revision_diff
        .as_ref()
        .is_some_and(|d| d.before == before && d.after == after && d.changes.is_some())
    {
        return Vec::new();
    }
    state.revision_diff = Some(crate::app::state::RevisionDiff {
        task_arn: task_arn.to_string(),
        before: before.clone(),
        after: after.clone(),
        changes: None,
    });
    vec![Effect::FetchRevisionDiff {
        task_arn: task_arn.to_string(),
        before,
        after,
    }]
}

/// Stopped tasks are read while the diagnosis is on screen, and in the
/// background (half as often) while some service is unhealthy, so the home
/// screen can show restart loops.
pub(super) fn diagnosis_due(state: &AppState) -> bool {
    let on_screen = matches!(state.screen, Screen::Diagnosis | Screen::Finding(_));
    let unhealthy = state
        .status
        .data
        .as_ref()
        .is_some_and(|ranked| ranked.iter().any(|r| r.verdict.health.is_unhealthy()));
    if !on_screen && !unhealthy {
        return false;
    }
    if !is_due(&state.diagnosis, state.now) {
        return false;
    }
    on_screen
        || state
            .diagnosis
            .updated_at
            .is_none_or(|t| state.now - t >= state.session.refresh_others * 2)
}

/// The diagnosis job reuses the services of the last status read (and
/// remembers the stopped tasks it has seen), so a background pass costs a
/// ListTasks per cluster page and only describes what is new.
pub(super) fn request_diagnosis(state: &mut AppState) -> Vec<Effect> {
    let generation = begin(&mut state.diagnosis, state.now);
    let known = state.status.data.as_ref().map(|ranked| {
        (
            ranked.iter().map(|r| r.service.clone()).collect(),
            state.clusters_read.clone(),
        )
    });
    vec![Effect::FetchDiagnosis {
        generation,
        clusters: state.session.clusters.clone(),
        known,
    }]
}

pub(super) fn request_detail(state: &mut AppState) -> Vec<Effect> {
    let Screen::Service(key) = &state.screen else {
        return Vec::new();
    };
    let key = key.clone();
    let generation = begin(&mut state.detail, state.now);
    vec![Effect::FetchServiceDetail { generation, key }]
}

pub(super) fn begin<T>(r: &mut Refreshing<T>, now: DateTime<Utc>) -> u64 {
    r.generation += 1;
    r.in_flight = Some(InFlight {
        generation: r.generation,
        since: now,
    });
    r.generation
}

/// Record the outcome of a refresh: data and its time, or the error and when to retry.
pub(super) fn settle<T>(
    r: &mut Refreshing<T>,
    now: DateTime<Utc>,
    interval: Duration,
    outcome: Result<T, PortError>,
) {
    r.in_flight = None;
    match outcome {
        Ok(data) => {
            r.data = Some(data);
            r.updated_at = Some(now);
            r.error = None;
            r.failures = 0;
            r.next_at = now + interval;
        }
        Err(err) => {
            // Keep the last known data on screen; retry with growing delays.
            r.failures = r.failures.saturating_add(1);
            let delay =
                Duration::seconds(RETRY_BASE_SECONDS << r.failures.min(5).saturating_sub(1));
            r.next_at = now + delay.min(interval);
            r.error = Some(err);
        }
    }
}
