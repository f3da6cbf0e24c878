//! When each read of the account falls due, and what a request and its
//! answer do to the refresh bookkeeping (generation, in-flight, retries with
//! growing delays, the last data kept with its age).

use super::effect::Effect;
use super::screens::{diagnosis, logs, service, Screen};
use super::state::{AppState, InFlight, Refreshing};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};

/// A request still unanswered after this long is given up on.
pub(crate) const REQUEST_TIMEOUT_SECONDS: i64 = 90;

/// First retry delay after a failed refresh; doubles up to the refresh interval.
pub(crate) const RETRY_BASE_SECONDS: i64 = 2;

pub(crate) fn due_refreshes(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    let now = state.now;
    effects.extend(super::pairs::due(state));
    if matches!(state.screen, Screen::Service(_)) && is_due(&state.service.detail, now) {
        effects.extend(service::request_detail(state));
    }
    if diagnosis::diagnosis_due(state) {
        effects.extend(diagnosis::request_diagnosis(state));
    }
    effects.extend(logs::due(state));
    effects.extend(super::monitoring::due(state));
    effects.extend(super::security::due(state));
    effects.extend(super::changes::due(state));
    effects.extend(super::waiting::due(state));
    effects.extend(super::screens::service_logs::due(state));
    effects.extend(super::sso::due(state));
    if state.session.share {
        if let Some(view) = &mut state.incident {
            if !view.share_in_flight && now >= view.share_next_at {
                view.share_in_flight = true;
                effects.push(Effect::PullShare {
                    incident: view.incident.id.clone(),
                    cursor: view.share_cursor.clone(),
                });
            }
        }
    }
    effects
}

/// How often the shared incident log is read.
pub(crate) const SHARE_PULL_SECONDS: i64 = 5;

pub(crate) fn is_due<T>(r: &Refreshing<T>, now: DateTime<Utc>) -> bool {
    match r.in_flight {
        Some(f) => now - f.since > Duration::seconds(REQUEST_TIMEOUT_SECONDS),
        None => now >= r.next_at,
    }
}

/// Read every pair's status now.
pub(crate) fn request_status(state: &mut AppState) -> Vec<Effect> {
    super::pairs::request_all(state)
}

pub(crate) fn begin<T>(r: &mut Refreshing<T>, now: DateTime<Utc>) -> u64 {
    r.generation += 1;
    r.in_flight = Some(InFlight {
        generation: r.generation,
        since: now,
    });
    r.generation
}

/// Record the outcome of a refresh: data and its time, or the error and when to retry.
pub(crate) fn settle<T>(
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
