//! Alarms and metrics in the console: read every 30 s and 60 s once the
//! services are known, tied to their services, counted in the ranking, and
//! each alarm's transitions written to the open incident; and the services'
//! egress baseline, read on its own about once an hour (a day of 5-minute
//! points would stretch every query of the minute's call to a day: one
//! GetMetricData call has one time window).

use super::effect::{AlarmsRead, Effect};
use super::refresh::{begin, is_due, settle};
use super::state::{AppState, Refreshing};
use crate::domain::alarms::{tie, AlarmMapping, AlarmState, OwnedAlarm};
use crate::domain::egress::{baseline_window, baselines, Baseline, BASELINE_REFRESH_MINUTES};
use crate::domain::metrics::{
    baseline_queries, by_service, queries, MetricQuery, MetricSeries, ServiceMetrics,
};
use crate::domain::service::ServiceKey;
use crate::domain::{Pair, PortError};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// How often alarms are read.
pub(crate) const ALARMS_SECONDS: i64 = 30;
/// How often metrics are read (their own resolution).
pub(crate) const METRICS_SECONDS: i64 = 60;

/// What the console knows of alarms and metrics, each pair's read kept
/// with its own age and error.
#[derive(Debug, Clone)]
pub struct Monitoring {
    /// Each pair's last alarms read (and its target groups).
    pub alarms: BTreeMap<Pair, Refreshing<AlarmsRead>>,
    /// Every pair's alarms, tied to the services they watch.
    pub owned: Vec<OwnedAlarm>,
    /// Each alarm's state at the last read, by ARN (for the journal's transitions).
    pub seen: BTreeMap<String, AlarmState>,
    /// Each pair's services' metrics.
    pub metrics: BTreeMap<Pair, Refreshing<BTreeMap<ServiceKey, ServiceMetrics>>>,
    /// The queries of each pair's metrics read in flight.
    pub queries: BTreeMap<Pair, Vec<MetricQuery>>,
    /// Each pair's services' egress baseline (read about once an hour).
    pub baselines: BTreeMap<Pair, Refreshing<BTreeMap<ServiceKey, Baseline>>>,
    /// The queries of each pair's baseline read in flight.
    pub baseline_queries: BTreeMap<Pair, Vec<MetricQuery>>,
    /// Clusters whose services report CPU but no network: Container
    /// Insights is off there (egress cannot be measured).
    pub insights_off: std::collections::BTreeSet<(Pair, String)>,
    /// `[alarms]`: dimension values that belong to a service.
    pub mappings: Vec<AlarmMapping>,
    /// How far back metrics are read (1 h; 3 h or 24 h on request).
    pub window: Duration,
    /// The session reads alarms and metrics (its account has the port).
    pub enabled: bool,
}

impl Monitoring {
    pub fn new(_now: DateTime<Utc>) -> Monitoring {
        Monitoring {
            alarms: BTreeMap::new(),
            owned: Vec::new(),
            seen: BTreeMap::new(),
            metrics: BTreeMap::new(),
            queries: BTreeMap::new(),
            baselines: BTreeMap::new(),
            baseline_queries: BTreeMap::new(),
            insights_off: Default::default(),
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

    /// Some pair's alarms have been read.
    pub(crate) fn alarms_read(&self) -> bool {
        self.alarms.values().any(|r| r.data.is_some())
    }

    /// Why alarms could not be read last time, naming the pair when several
    /// are watched (the first such pair).
    pub(crate) fn alarms_error(&self) -> Option<(&Pair, &PortError)> {
        self.alarms
            .iter()
            .find_map(|(pair, r)| r.error.as_ref().map(|e| (pair, e)))
    }

    /// Some pair's metrics have been read.
    pub(crate) fn metrics_read(&self) -> bool {
        self.metrics.values().any(|r| r.data.is_some())
    }

    /// The metrics read of the pair a service is in.
    pub(crate) fn metrics_for(
        &self,
        pair: &Pair,
    ) -> Option<&Refreshing<BTreeMap<ServiceKey, ServiceMetrics>>> {
        self.metrics.get(pair)
    }

    /// One service's metrics, from its pair's last read.
    pub(crate) fn service_metrics(&self, key: &ServiceKey) -> Option<&ServiceMetrics> {
        self.metrics.get(&key.pair)?.data.as_ref()?.get(key)
    }

    /// One service's egress baseline, when its pair's has been read.
    pub(crate) fn baseline_of(&self, key: &ServiceKey) -> Option<&Baseline> {
        self.baselines.get(&key.pair)?.data.as_ref()?.get(key)
    }
}

/// Alarms and metrics that fall due, for each pair whose services are known.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    if !state.monitoring.enabled {
        return Vec::new();
    }
    let now = state.now;
    let mut effects = Vec::new();
    for index in 0..state.pairs.len() {
        let watch = &state.pairs[index];
        if watch.status.data.is_none() {
            continue;
        }
        let pair = watch.pair().clone();
        let target_groups: Vec<String> = state
            .services_of(&pair)
            .flat_map(|s| s.target_groups.iter().cloned())
            .collect();
        let alarms = state
            .monitoring
            .alarms
            .entry(pair.clone())
            .or_insert_with(|| Refreshing::new(now));
        if is_due(alarms, now) {
            let generation = begin(alarms, now);
            effects.push(Effect::FetchAlarms {
                generation,
                pair: pair.clone(),
                target_groups,
            });
        }
        // Metrics wait for the pair's first alarms read: it brings the target
        // groups (and their load balancers) the ELB metrics are asked by.
        let alarms_read = alarms.updated_at.is_some() || alarms.error.is_some();
        let metrics_due = state
            .monitoring
            .metrics
            .get(&pair)
            .is_none_or(|m| is_due(m, now));
        if alarms_read && metrics_due {
            effects.extend(request_metrics(state, &pair));
        }
        let baseline_due = state
            .monitoring
            .baselines
            .get(&pair)
            .is_none_or(|b| is_due(b, now));
        if baseline_due {
            effects.extend(request_baseline(state, &pair));
        }
    }
    effects
}

/// Ask for one pair's services' egress baseline.
fn request_baseline(state: &mut AppState, pair: &Pair) -> Vec<Effect> {
    let services: Vec<crate::domain::Service> = state.services_of(pair).cloned().collect();
    if services.is_empty() {
        return Vec::new();
    }
    let asked = baseline_queries(&services);
    let now = state.now;
    let baseline = state
        .monitoring
        .baselines
        .entry(pair.clone())
        .or_insert_with(|| Refreshing::new(now));
    let generation = begin(baseline, now);
    state
        .monitoring
        .baseline_queries
        .insert(pair.clone(), asked.clone());
    let (start, end) = baseline_window(now);
    vec![Effect::FetchBaseline {
        generation,
        pair: pair.clone(),
        queries: asked,
        start,
        end,
    }]
}

/// A pair's baseline was read: kept for an hour, the pair ranked again.
pub(crate) fn on_baseline(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<Vec<MetricSeries>, PortError>,
) -> Vec<Effect> {
    let Some(baseline) = state.monitoring.baselines.get_mut(&pair) else {
        return Vec::new();
    };
    if generation != baseline.generation {
        return Vec::new();
    }
    let asked = state
        .monitoring
        .baseline_queries
        .remove(&pair)
        .unwrap_or_default();
    let now = state.now;
    let result = result.map(|answers| baselines(&asked, &answers, now));
    settle(
        baseline,
        now,
        Duration::minutes(BASELINE_REFRESH_MINUTES),
        result,
    );
    super::pairs::rerank_pair(state, &pair)
}

/// The windows `w` steps through, and the period each is read at.
pub(crate) const WINDOWS: [(i64, u32); 3] = [(60, 60), (180, 60), (1440, 300)];

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
    let now = state.now;
    for metrics in state.monitoring.metrics.values_mut() {
        metrics.in_flight = None;
        metrics.next_at = now;
    }
    due(state)
}

/// "1 h", "3 h", "24 h".
pub(crate) fn window_words(minutes: i64) -> String {
    format!("{} h", minutes / 60)
}

/// `r`: read the alarms and metrics now too (unless a read is under way).
pub(crate) fn refresh_now(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let monitoring = &mut state.monitoring;
    for r in monitoring.alarms.values_mut() {
        if r.in_flight.is_none() {
            r.next_at = now;
        }
    }
    for r in monitoring.metrics.values_mut() {
        if r.in_flight.is_none() {
            r.next_at = now;
        }
    }
    due(state)
}

/// Ask for one pair's services' metrics.
fn request_metrics(state: &mut AppState, pair: &Pair) -> Vec<Effect> {
    if state
        .pair_watch(pair)
        .is_none_or(|w| w.status.data.is_none())
    {
        return Vec::new();
    }
    let services: Vec<crate::domain::Service> = state.services_of(pair).cloned().collect();
    let groups = state
        .monitoring
        .alarms
        .get(pair)
        .and_then(|a| a.data.as_ref())
        .map(|a| a.target_groups.clone())
        .unwrap_or_default();
    let period = WINDOWS
        .iter()
        .find(|(m, _)| *m == state.monitoring.window.num_minutes())
        .map_or(60, |(_, p)| *p);
    let asked = queries(&services, &groups, period);
    let now = state.now;
    let metrics = state
        .monitoring
        .metrics
        .entry(pair.clone())
        .or_insert_with(|| Refreshing::new(now));
    let generation = begin(metrics, now);
    state.monitoring.queries.insert(pair.clone(), asked.clone());
    vec![Effect::FetchMetrics {
        generation,
        pair: pair.clone(),
        queries: asked,
        start: now - state.monitoring.window,
        end: now,
    }]
}

/// A pair's alarms were read: tie every pair's alarms, re-rank, journal what changed.
pub(crate) fn on_alarms(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<AlarmsRead, PortError>,
) -> Vec<Effect> {
    let Some(alarms) = state.monitoring.alarms.get_mut(&pair) else {
        return Vec::new();
    };
    if generation != alarms.generation {
        return Vec::new();
    }
    let interval = Duration::seconds(ALARMS_SECONDS);
    settle(alarms, state.now, interval, result);
    if alarms.data.is_none() {
        return Vec::new();
    }
    let (every_alarm, groups): (Vec<_>, Vec<_>) = state
        .monitoring
        .alarms
        .values()
        .filter_map(|r| r.data.as_ref())
        .map(|read| (read.alarms.clone(), read.target_groups.clone()))
        .unzip();
    let services: Vec<_> = state
        .status
        .data
        .as_ref()
        .map(|r| r.iter().map(|r| r.service.clone()).collect())
        .unwrap_or_default();
    let owned = tie(
        every_alarm.concat(),
        &services,
        &groups.concat(),
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
            .map(|a| (a.alarm.arn.clone(), a.alarm.state))
            .collect();
    }
    state.monitoring.owned = owned;
    // Alarms tie within their pair: only this pair's verdicts can change.
    effects.extend(super::pairs::rerank_pair(state, &pair));
    super::screens::services::restore_selection(state);
    // The metrics waited for this read's target groups: ask for them now.
    let first = state
        .monitoring
        .metrics
        .get(&pair)
        .is_none_or(|m| m.updated_at.is_none() && m.in_flight.is_none());
    if first {
        effects.extend(request_metrics(state, &pair));
    }
    effects
}

/// A pair's metrics were read: kept, the pair ranked again (egress counts
/// in verdicts), and a cluster without Container Insights said once.
pub(crate) fn on_metrics(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<Vec<MetricSeries>, PortError>,
) -> Vec<Effect> {
    let Some(metrics) = state.monitoring.metrics.get_mut(&pair) else {
        return Vec::new();
    };
    if generation != metrics.generation {
        return Vec::new();
    }
    let asked = state.monitoring.queries.remove(&pair).unwrap_or_default();
    let interval = Duration::seconds(METRICS_SECONDS);
    let result = result.map(|answers| by_service(&asked, answers));
    settle(metrics, state.now, interval, result);
    note_insights_off(state, &pair);
    super::pairs::rerank_pair(state, &pair)
}

/// Clusters whose services' CPU came back but not one network point: say
/// once how to turn Container Insights on (egress is never read as zero).
fn note_insights_off(state: &mut AppState, pair: &Pair) {
    let Some(read) = state
        .monitoring
        .metrics
        .get(pair)
        .and_then(|m| m.data.as_ref())
    else {
        return;
    };
    let off = crate::domain::egress::insights_off(read);
    state
        .monitoring
        .insights_off
        .retain(|(p, c)| p != pair || off.contains(c));
    for cluster in off {
        state
            .monitoring
            .insights_off
            .insert((pair.clone(), cluster.clone()));
        super::security::tell_once(
            state,
            &format!("insights {pair} {cluster}"),
            &crate::domain::egress::insights_hint(&crate::domain::sanitize::one_line(&cluster)),
        );
    }
}
