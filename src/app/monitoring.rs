//! Alarms and metrics in the console: read every 30 s and 60 s once the
//! services are known, tied to their services, counted in the ranking, and
//! each alarm's transitions written to the open incident.

use super::effect::{AlarmsRead, Effect};
use super::refresh::{begin, is_due, settle};
use super::state::{AppState, Refreshing};
use crate::domain::alarms::{tie, AlarmMapping, AlarmState, OwnedAlarm};
use crate::domain::metrics::{by_service, queries, MetricQuery, MetricSeries, ServiceMetrics};
use crate::domain::ranking::{rank_watched, RankedService};
use crate::domain::service::ServiceKey;
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// How often alarms are read.
pub const ALARMS_SECONDS: i64 = 30;
/// How often metrics are read (their own resolution).
pub const METRICS_SECONDS: i64 = 60;

/// What the console knows of alarms and metrics.
#[derive(Debug, Clone)]
pub struct Monitoring {
    pub alarms: Refreshing<AlarmsRead>,
    /// The last read's alarms, tied to the services they watch.
    pub owned: Vec<OwnedAlarm>,
    /// Each alarm's state at the last read (for the journal's transitions).
    pub seen: BTreeMap<String, AlarmState>,
    pub metrics: Refreshing<BTreeMap<ServiceKey, ServiceMetrics>>,
    /// The queries of the metrics read in flight.
    pub queries: Vec<MetricQuery>,
    /// `[alarms]`: dimension values that belong to a service.
    pub mappings: Vec<AlarmMapping>,
    /// How far back metrics are read (1 h; 3 h or 24 h on request).
    pub window: Duration,
    /// The session reads alarms and metrics (its account has the port).
    pub enabled: bool,
}

impl Monitoring {
    pub fn new(now: DateTime<Utc>) -> Monitoring {
        Monitoring {
            alarms: Refreshing::new(now),
            owned: Vec::new(),
            seen: BTreeMap::new(),
            metrics: Refreshing::new(now),
            queries: Vec::new(),
            mappings: Vec::new(),
            window: Duration::minutes(crate::domain::metrics::DEFAULT_WINDOW_MINUTES),
            enabled: false,
        }
    }

    /// Alarms in ALARM now.
    pub fn firing(&self) -> usize {
        self.owned
            .iter()
            .filter(|a| a.alarm.state == AlarmState::Alarm)
            .count()
    }
}

/// Alarms and metrics that fall due (only once the services are known).
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    if !state.monitoring.enabled {
        return Vec::new();
    }
    let Some(ranked) = &state.status.data else {
        return Vec::new();
    };
    let target_groups: Vec<String> = ranked
        .iter()
        .flat_map(|r| r.service.target_groups.iter().cloned())
        .collect();
    let mut effects = Vec::new();
    let now = state.now;
    if is_due(&state.monitoring.alarms, now) {
        let generation = begin(&mut state.monitoring.alarms, now);
        effects.push(Effect::FetchAlarms {
            generation,
            target_groups,
        });
    }
    // Metrics wait for the first alarms read: it brings the target groups
    // (and their load balancers) the ELB metrics are asked by.
    let alarms_read =
        state.monitoring.alarms.updated_at.is_some() || state.monitoring.alarms.error.is_some();
    if alarms_read && is_due(&state.monitoring.metrics, now) {
        effects.extend(request_metrics(state));
    }
    effects
}

/// The windows `w` steps through, and the period each is read at.
pub const WINDOWS: [(i64, u32); 3] = [(60, 60), (180, 60), (1440, 300)];

/// `w`: the next window (1 h → 3 h → 24 h → 1 h), read at once.
pub(crate) fn next_window(state: &mut AppState) -> Vec<Effect> {
    let now = state.monitoring.window.num_minutes();
    let index = WINDOWS.iter().position(|(m, _)| *m == now).unwrap_or(0);
    let (minutes, _) = WINDOWS[(index + 1) % WINDOWS.len()];
    state.monitoring.window = Duration::minutes(minutes);
    super::navigation::flash(
        state,
        &format!("metrics over the last {}", window_words(minutes)),
        false,
    );
    // An answer for the old window is dropped by its generation.
    state.monitoring.metrics.in_flight = None;
    state.monitoring.metrics.next_at = state.now;
    due(state)
}

/// "1 h", "3 h", "24 h".
pub fn window_words(minutes: i64) -> String {
    format!("{} h", minutes / 60)
}

/// `r`: read the alarms and metrics now too (unless a read is under way).
pub(crate) fn refresh_now(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let monitoring = &mut state.monitoring;
    if monitoring.alarms.in_flight.is_none() {
        monitoring.alarms.next_at = now;
    }
    if monitoring.metrics.in_flight.is_none() {
        monitoring.metrics.next_at = now;
    }
    due(state)
}

fn request_metrics(state: &mut AppState) -> Vec<Effect> {
    let Some(ranked) = &state.status.data else {
        return Vec::new();
    };
    let services: Vec<_> = ranked.iter().map(|r| r.service.clone()).collect();
    let groups = state
        .monitoring
        .alarms
        .data
        .as_ref()
        .map(|a| a.target_groups.clone())
        .unwrap_or_default();
    let period = WINDOWS
        .iter()
        .find(|(m, _)| *m == state.monitoring.window.num_minutes())
        .map_or(60, |(_, p)| *p);
    let asked = queries(&services, &groups, period);
    let now = state.now;
    let generation = begin(&mut state.monitoring.metrics, now);
    state.monitoring.queries = asked.clone();
    vec![Effect::FetchMetrics {
        generation,
        queries: asked,
        start: now - state.monitoring.window,
        end: now,
    }]
}

/// The alarms were read: tie them, re-rank, journal what changed.
pub(crate) fn on_alarms(
    state: &mut AppState,
    generation: u64,
    result: Result<AlarmsRead, PortError>,
) -> Vec<Effect> {
    if generation != state.monitoring.alarms.generation {
        return Vec::new();
    }
    let interval = Duration::seconds(ALARMS_SECONDS);
    settle(&mut state.monitoring.alarms, state.now, interval, result);
    let Some(read) = state.monitoring.alarms.data.clone() else {
        return Vec::new();
    };
    let services: Vec<_> = state
        .status
        .data
        .as_ref()
        .map(|r| r.iter().map(|r| r.service.clone()).collect())
        .unwrap_or_default();
    let owned = tie(
        read.alarms,
        &services,
        &read.target_groups,
        &state.monitoring.mappings,
    );
    let mut effects: Vec<Effect> = match &state.incident {
        Some(_) => crate::domain::alarms::transitions(&state.monitoring.seen, &owned)
            .into_iter()
            .map(|d| Effect::Journal(Box::new(d)))
            .collect(),
        None => Vec::new(),
    };
    // Only the alarms journaled are remembered, so they are written once the
    // incident attaches.
    if state.incident.is_some() {
        state.monitoring.seen = owned
            .iter()
            .map(|a| (a.alarm.name.clone(), a.alarm.state))
            .collect();
    }
    state.monitoring.owned = owned;
    rerank(state);
    // The metrics waited for this read's target groups: ask for them now.
    let metrics = &state.monitoring.metrics;
    if metrics.updated_at.is_none() && metrics.in_flight.is_none() {
        effects.extend(request_metrics(state));
    }
    effects
}

/// The metrics were read.
pub(crate) fn on_metrics(
    state: &mut AppState,
    generation: u64,
    result: Result<Vec<MetricSeries>, PortError>,
) {
    if generation != state.monitoring.metrics.generation {
        return;
    }
    let asked = std::mem::take(&mut state.monitoring.queries);
    let interval = Duration::seconds(METRICS_SECONDS);
    let result = result.map(|answers| by_service(&asked, answers));
    settle(&mut state.monitoring.metrics, state.now, interval, result);
}

/// Rank the services again with their alarms counted.
pub(crate) fn rerank(state: &mut AppState) {
    if let Some(ranked) = state.status.data.take() {
        state.status.data = Some(rank_alarmed(ranked, state.now, &state.monitoring.owned));
    }
    super::screens::services::restore_selection(state);
}

pub(crate) fn rank_alarmed(
    ranked: Vec<RankedService>,
    now: DateTime<Utc>,
    alarms: &[OwnedAlarm],
) -> Vec<RankedService> {
    rank_watched(ranked.into_iter().map(|r| r.service), now, alarms)
}
