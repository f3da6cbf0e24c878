//! "Waiting on a dependency", in the console: once a pair's metrics show a
//! service slow with low CPU, its usual p95 and its slowest recent
//! requests' traces are read (then every five minutes while it stays
//! slow); the services screen's headline, the service screen and the
//! journal's evidence say what it waits on. Nothing is read for a service
//! that is not slow.

use super::effect::Effect;
use super::state::AppState;
use crate::domain::service::ServiceKey;
use crate::domain::timeline::{Actor, EntryDraft, EntryKind};
use crate::domain::waiting::SlowRead;
use crate::domain::waiting::{candidate, waiting, Waiting};
use crate::domain::{Pair, PortError};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// A slow service's read is done again after this long.
pub(crate) const SLOW_READ_MINUTES: i64 = 5;

/// What the slow services wait on.
#[derive(Debug, Clone, Default)]
pub struct Slow {
    /// Each slow service's last read, and when.
    pub by_service: BTreeMap<ServiceKey, (DateTime<Utc>, SlowRead)>,
    /// Pairs with a read under way.
    pub asking: BTreeSet<Pair>,
    /// Things said once already.
    pub told: BTreeSet<String>,
}

/// Reads that fall due: per pair, its slow services not read lately.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let mut effects = Vec::new();
    for pair in state.known_pairs() {
        if state.slow.asking.contains(&pair) {
            continue;
        }
        let services: Vec<crate::domain::Service> = state
            .services_of(&pair)
            .filter(|s| {
                let key = s.key();
                let fresh = state.slow.by_service.get(&key).is_some_and(|(at, _)| {
                    *at <= now && now - *at < Duration::minutes(SLOW_READ_MINUTES)
                });
                !fresh && state.metrics_of(&key).is_some_and(|m| candidate(&m))
            })
            .cloned()
            .collect();
        if services.is_empty() {
            continue;
        }
        let target_groups = state
            .monitoring
            .alarms
            .get(&pair)
            .and_then(|a| a.data.as_ref())
            .map(|a| a.target_groups.clone())
            .unwrap_or_default();
        state.slow.asking.insert(pair.clone());
        effects.push(Effect::FetchSlow {
            pair,
            services,
            target_groups,
        });
    }
    effects
}

/// A pair's slow services were read: kept, the pair ranked again; what
/// could not be read said once.
pub(crate) fn on_slow(
    state: &mut AppState,
    pair: Pair,
    result: Result<BTreeMap<ServiceKey, SlowRead>, PortError>,
) -> Vec<Effect> {
    state.slow.asking.remove(&pair);
    let now = state.now;
    let unread: Vec<String> = match result {
        Ok(read) => {
            let unread = read.values().flat_map(|r| r.unread.clone()).collect();
            for (key, r) in read {
                state.slow.by_service.insert(key, (now, r));
            }
            unread
        }
        Err(err) => vec![err.to_string()],
    };
    for text in unread {
        if state.slow.told.insert(format!("{pair} {text}")) {
            super::navigation::flash(state, &format!("Where the time went: {text}"), false);
        }
    }
    let mut effects = journal_waits(state, &pair);
    effects.extend(super::pairs::rerank_pair(state, &pair));
    effects
}

/// Once per service and what it waits on, the incident journals it: the
/// post-mortem's *Where the time went* lists these.
fn journal_waits(state: &mut AppState, pair: &Pair) -> Vec<Effect> {
    if state.incident.is_none() {
        return Vec::new();
    }
    let services: Vec<crate::domain::Service> = state.services_of(pair).cloned().collect();
    let mut effects = Vec::new();
    for service in services {
        let key = service.key();
        let Some(w) = state.waiting_of(&key) else {
            continue;
        };
        // A restart loop explains its latency better (the headline says so).
        if state.loop_of(&key).is_some() {
            continue;
        }
        let on =
            w.on.as_ref()
                .map(|b| format!("{} {}", b.service, b.name))
                .unwrap_or_default();
        if !state.slow.told.insert(format!("journaled {key} {on}")) {
            continue;
        }
        let mut draft = EntryDraft::new(
            EntryKind::Observation,
            Actor::Console,
            format!(
                "{}/{} is {}",
                key.cluster,
                key.service,
                w.short(&key.service)
            ),
        );
        draft.resources = vec![service.arn.clone()];
        draft.evidence = vec![format!(
            "where the time went: {}: {}",
            key.service,
            w.words()
        )];
        draft.tags = vec!["waiting".into()];
        effects.push(Effect::Journal(Box::new(draft)));
    }
    effects
}

impl AppState {
    /// The service is slow with low CPU: waiting, and on what when traced.
    pub fn waiting_of(&self, key: &ServiceKey) -> Option<Waiting> {
        let metrics = self.metrics_of(key)?;
        let read = self.slow.by_service.get(key).map(|(_, r)| r);
        waiting(
            &metrics,
            read.and_then(|r| r.usual_p95_ms),
            read.and_then(|r| r.on.clone()),
        )
    }
}
