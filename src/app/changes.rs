//! What changed, in the console: each pair's changes of the last six hours
//! (CloudTrail's write events, its services' deployments, the attached
//! incident's own actions), read once the services are known and every
//! minute after (a warm read is one or two LookupEvents calls). They feed
//! the changes screen, the suspect on a failing service's row, the service
//! screen's *What changed* and the evidence a health change journals.

use super::effect::Effect;
use super::refresh::{begin, is_due, settle};
use super::state::{AppState, Refreshing};
use crate::domain::changes::suspects::{rank, signals, Suspect};
use crate::domain::changes::{onset, Change, PairChanges};
use crate::domain::service::ServiceKey;
use crate::domain::{Pair, PortError};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Read every this often.
pub(crate) const CHANGES_SECONDS: i64 = 60;
/// How far back the console looks.
pub(crate) const WINDOW_HOURS: i64 = 6;

/// Every pair's changes.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub by_pair: BTreeMap<Pair, Refreshing<PairChanges>>,
    /// Things said once already (CloudTrail unreadable in a pair).
    pub told: std::collections::BTreeSet<String>,
}

/// Reads that fall due, for each pair whose services are known.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let pairs = state.known_pairs();
    let journal: Vec<crate::domain::timeline::Entry> = state
        .incident
        .as_ref()
        .map(|view| {
            view.incident
                .entries
                .iter()
                .filter(|e| e.action.is_some())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut effects = Vec::new();
    for pair in pairs {
        let read = state
            .changes
            .by_pair
            .entry(pair.clone())
            .or_insert_with(|| Refreshing::new(now));
        if is_due(read, now) {
            let generation = begin(read, now);
            effects.push(Effect::FetchChanges {
                generation,
                pair,
                since: now - Duration::hours(WINDOW_HOURS),
                journal: journal.clone(),
            });
        }
    }
    effects
}

/// A pair's changes came back: kept; what could not be read said once.
pub(crate) fn on_changes(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<PairChanges, PortError>,
) {
    let Some(read) = state.changes.by_pair.get_mut(&pair) else {
        return;
    };
    if generation != read.generation {
        return;
    }
    let unread: Vec<String> = match &result {
        Ok(r) => r.coverage.unread.clone(),
        Err(err) => vec![err.to_string()],
    };
    settle(read, state.now, Duration::seconds(CHANGES_SECONDS), result);
    for text in unread {
        let place = if state.several_pairs() {
            format!(" in {pair}")
        } else {
            String::new()
        };
        if state.changes.told.insert(format!("{pair} {text}")) {
            super::navigation::flash(state, &format!("What changed{place}: {text}"), false);
        }
    }
}

impl AppState {
    /// Every pair's changes, newest first.
    pub(crate) fn all_changes(&self) -> Vec<&Change> {
        let mut all: Vec<&Change> = self
            .changes
            .by_pair
            .values()
            .filter_map(|r| r.data.as_ref())
            .flat_map(|d| d.changes.iter())
            .collect();
        all.sort_by_key(|c| std::cmp::Reverse(c.at));
        all
    }

    /// When the service's trouble began, if it is in trouble: not healthy,
    /// or an alarm of it going off.
    pub(crate) fn onset_of(&self, key: &ServiceKey) -> Option<DateTime<Utc>> {
        let ranked = self
            .status
            .data
            .iter()
            .flatten()
            .find(|r| r.service.is(key))?;
        let alarms: Vec<&crate::domain::alarms::Alarm> = self.alarms_of(key);
        let alarmed = alarms
            .iter()
            .any(|a| a.state == crate::domain::alarms::AlarmState::Alarm);
        if !ranked.verdict.health.is_unhealthy() && !alarmed {
            return None;
        }
        onset(&signals(&ranked.service, &alarms))
    }

    /// The changes that touched a service, most suspect first (from its
    /// onset, or from now when it is fine).
    pub(crate) fn suspects_of(&self, key: &ServiceKey) -> Vec<Suspect<'_>> {
        let Some(data) = self
            .changes
            .by_pair
            .get(&key.pair)
            .and_then(|r| r.data.as_ref())
        else {
            return Vec::new();
        };
        let reference = self.onset_of(key).unwrap_or(self.now);
        rank(&data.changes, key, reference)
    }

    /// The phrase a service's row adds for its top suspect, if any.
    pub fn near_suspect_phrase(&self, key: &ServiceKey) -> Option<String> {
        self.near_suspect(key).map(|s| s.phrase(self.now))
    }

    /// A service in trouble's top suspect, when it came near before the
    /// onset (what its row names).
    pub(crate) fn near_suspect(&self, key: &ServiceKey) -> Option<Suspect<'_>> {
        self.onset_of(key)?;
        self.suspects_of(key)
            .into_iter()
            .next()
            .filter(Suspect::is_near)
    }
}
