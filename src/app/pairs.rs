//! The pairs the console watches: each (account, Region) pair's identity and
//! status read, kept with its own age and error so a pair that fails keeps
//! its last data and says why while the others go on refreshing; every
//! pair's services ranked together into the one view the screens show
//! (`AppState::status`) — a pair's answer ranks only its own rows and merges
//! them among the others'.

use super::effect::Effect;
use super::refresh::{begin, settle};
use super::state::{AppState, Refreshing};
use crate::domain::pair::WatchedPair;
use crate::domain::ports::AccountIdentity;
use crate::domain::ranking::{merge, rank_signals, RankedService, Signals};
use crate::domain::snapshot::StatusSnapshot;
use crate::domain::timeline::observe;
use crate::domain::{Pair, PortError, Service};
use chrono::{DateTime, Utc};

/// One watched pair as the console knows it.
#[derive(Debug, Clone)]
pub struct PairWatch {
    pub watched: WatchedPair,
    pub identity: Option<AccountIdentity>,
    pub identity_error: Option<PortError>,
    /// Its read: how many services the last good one gave, its age, its
    /// error. The services themselves are in the ranked view
    /// (`AppState::status`), each marked with its pair.
    pub status: Refreshing<usize>,
    /// Clusters of the last read that could not be read, and why.
    pub cluster_errors: Vec<(String, PortError)>,
    /// The clusters the last read covered.
    pub clusters_read: Vec<String>,
    /// Calls AWS throttled so far in this pair.
    pub throttled_calls: u64,
}

impl PairWatch {
    pub fn new(watched: WatchedPair, now: DateTime<Utc>) -> PairWatch {
        PairWatch {
            watched,
            identity: None,
            identity_error: None,
            status: Refreshing::new(now),
            cluster_errors: Vec::new(),
            clusters_read: Vec::new(),
            throttled_calls: 0,
        }
    }

    pub fn pair(&self) -> &Pair {
        &self.watched.pair
    }

    /// Its status has been read, or could not be, at least once.
    fn read_once(&self) -> bool {
        self.status.updated_at.is_some() || self.status.error.is_some()
    }

    /// Its identity has been read, or could not be.
    fn identified(&self) -> bool {
        self.identity.is_some() || self.identity_error.is_some()
    }
}

impl AppState {
    /// More than one pair is watched: tables gain ACCOUNT and REGION.
    pub fn several_pairs(&self) -> bool {
        self.pairs.len() > 1
    }

    /// The pairs whose services have been read at least once.
    pub(crate) fn known_pairs(&self) -> Vec<Pair> {
        self.pairs
            .iter()
            .filter(|w| w.status.data.is_some())
            .map(|w| w.pair().clone())
            .collect()
    }

    /// The watch of one pair (the unnamed pair is the first's).
    pub(crate) fn pair_watch(&self, pair: &Pair) -> Option<&PairWatch> {
        self.pairs
            .iter()
            .find(|w| w.pair() == pair)
            .or_else(|| pair.is_unnamed().then(|| self.pairs.first()).flatten())
    }

    /// The first pair's identity: the header's account and Region.
    pub fn identity(&self) -> Option<&AccountIdentity> {
        self.pairs.first().and_then(|w| w.identity.as_ref())
    }

    /// A pair as a run in it is named: with the account's id once read, and
    /// marked production when it is.
    pub(crate) fn run_pair(&self, watch: &PairWatch) -> WatchedPair {
        WatchedPair {
            account_id: watch.identity.as_ref().and_then(|i| i.account.clone()),
            production: self.pair_is_production(watch),
            ..watch.watched.clone()
        }
    }

    /// The services of one pair, as its last good read gave them.
    pub fn services_of<'a>(&'a self, pair: &'a Pair) -> impl Iterator<Item = &'a Service> + 'a {
        self.status
            .data
            .iter()
            .flatten()
            .map(|r| &r.service)
            .filter(move |s| &s.pair == pair)
    }

    /// Pairs whose last read failed, with the error (their last data stays).
    pub fn failing_pairs(&self) -> Vec<&PairWatch> {
        self.pairs
            .iter()
            .filter(|w| w.status.error.is_some())
            .collect()
    }
}

/// Ask every pair for its status now.
pub(crate) fn request_all(state: &mut AppState) -> Vec<Effect> {
    (0..state.pairs.len())
        .map(|index| request(state, index))
        .collect()
}

/// Ask the pairs whose status falls due.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let due: Vec<usize> = (0..state.pairs.len())
        .filter(|&i| super::refresh::is_due(&state.pairs[i].status, now))
        .collect();
    due.into_iter().map(|index| request(state, index)).collect()
}

/// Ask pair `index` for its status.
pub(crate) fn request(state: &mut AppState, index: usize) -> Effect {
    let now = state.now;
    let clusters = state.session.clusters.clone();
    let watch = &mut state.pairs[index];
    let generation = begin(&mut watch.status, now);
    let pair = watch.pair().clone();
    sync_view(state);
    Effect::FetchStatus {
        generation,
        pair,
        clusters,
    }
}

/// Who every pair is, asked when the console opens (and for pairs added).
pub(crate) fn request_identities(state: &AppState) -> Vec<Effect> {
    state
        .pairs
        .iter()
        .filter(|w| !w.identified())
        .map(|w| Effect::FetchIdentity {
            pair: w.pair().clone(),
        })
        .collect()
}

/// A pair's identity was read (or could not be).
pub(crate) fn on_identity(
    state: &mut AppState,
    pair: Pair,
    result: Result<AccountIdentity, PortError>,
) -> Vec<Effect> {
    let Some(watch) = state.pairs.iter_mut().find(|w| w.pair() == &pair) else {
        return Vec::new();
    };
    match result {
        Ok(identity) => {
            watch.identity = Some(identity);
            watch.identity_error = None;
        }
        Err(err) => watch.identity_error = Some(err),
    }
    if state.pairs.iter().all(PairWatch::identified) {
        return super::incident::record_start(state);
    }
    Vec::new()
}

/// A pair's status read came back: keep it (or its error, with the last
/// data), then rank every pair's services together and journal what changed.
pub(crate) fn on_status(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<StatusSnapshot, PortError>,
) -> Vec<Effect> {
    let now = state.now;
    let interval = state.session.refresh_others;
    let Some(watch) = state.pairs.iter_mut().find(|w| w.pair() == &pair) else {
        return Vec::new(); // a pair no longer watched
    };
    if generation != watch.status.generation {
        return Vec::new(); // an older refresh, overtaken
    }
    let mut throttled = matches!(result, Err(PortError::Throttled { .. }));
    let result = result.map(|snapshot| {
        throttled |= snapshot.throttled_calls > watch.throttled_calls;
        watch.throttled_calls = snapshot.throttled_calls;
        watch.cluster_errors = snapshot.cluster_errors;
        watch.clusters_read = snapshot.clusters;
        snapshot.services
    });
    let (count, services) = match result {
        Ok(services) => (Ok(services.len()), Some(services)),
        Err(err) => (Err(err), None),
    };
    let had_rows = watch.status.updated_at.is_some();
    let all_read_before = state.pairs.iter().all(PairWatch::read_once);
    let watch = state.pairs.iter_mut().find(|w| w.pair() == &pair);
    if let Some(watch) = watch {
        settle(&mut watch.status, now, interval, count);
    }
    if throttled {
        state.throttled_at = Some(now);
    }
    let observing = state.incident.is_some();
    let old_rows: Option<Vec<RankedService>> =
        (observing && had_rows).then(|| rows_of(state, &pair));
    if let Some(services) = services {
        replace_rows(state, &pair, services);
    }
    sync_view(state);
    super::screens::services::restore_selection(state);
    // The first look once every pair has been read; then each pair's changes.
    let several = state.several_pairs();
    let all_read = state.pairs.iter().all(PairWatch::read_once);
    let drafts = match (&state.status.data, old_rows) {
        (Some(view), _) if observing && !all_read_before && all_read => {
            observe::changes(None, view, several)
        }
        (Some(_), Some(old)) => observe::changes(Some(&old), &rows_of(state, &pair), several),
        _ => Vec::new(),
    };
    let mut effects: Vec<Effect> = drafts
        .into_iter()
        .map(|mut draft| {
            with_suspect(state, &mut draft);
            Effect::Journal(Box::new(draft))
        })
        .collect();
    effects.extend(super::watches::check(state));
    effects
}

/// A service's health change journals its top suspect as evidence: the
/// change that came nearest before its trouble began, and where it was seen.
fn with_suspect(state: &AppState, draft: &mut crate::domain::timeline::EntryDraft) {
    let Some(arn) = draft.resources.first() else {
        return;
    };
    let Some(key) = state
        .status
        .data
        .iter()
        .flatten()
        .find(|r| &r.service.arn == arn && r.verdict.health.is_unhealthy())
        .map(|r| r.service.key())
    else {
        return;
    };
    if let Some(suspect) = state.near_suspect(&key) {
        let seen: Vec<String> = suspect
            .change
            .sources
            .iter()
            .map(|s| format!("{} {}", s.kind.as_str(), s.id))
            .collect();
        draft.evidence.push(format!(
            "what changed: {} ({}; seen by {})",
            suspect.phrase(state.now),
            suspect.change.summary,
            seen.join(", ")
        ));
    }
}

/// One pair's rows of the ranked view, in its order.
fn rows_of(state: &AppState, pair: &Pair) -> Vec<RankedService> {
    state
        .status
        .data
        .iter()
        .flatten()
        .filter(|r| &r.service.pair == pair)
        .cloned()
        .collect()
}

/// A pair's fresh services replace its rows in the ranked view: only they
/// are classified, then merged among the others' (a pair that fails keeps
/// its rows as they were).
fn replace_rows(state: &mut AppState, pair: &Pair, services: Vec<Service>) {
    let fresh = rank_with_signals(state, pair, services);
    let others: Vec<RankedService> = state
        .status
        .data
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| &r.service.pair != pair)
        .collect();
    state.status.data = Some(merge(others, fresh));
}

/// Rank one pair's services with everything known of them: alarms, egress
/// and GuardDuty's findings.
fn rank_with_signals(state: &AppState, pair: &Pair, services: Vec<Service>) -> Vec<RankedService> {
    let egress = state.egress_anomalies(pair);
    let signals = Signals {
        alarms: &state.monitoring.owned,
        egress: &egress,
        findings: &state.security.owned,
    };
    rank_signals(services, state.now, &signals)
}

/// Rank one pair's rows again (its alarms, metrics or findings changed),
/// the others as they are; a verdict that changed is journaled as a status
/// read's would be.
pub(crate) fn rerank_pair(state: &mut AppState, pair: &Pair) -> Vec<Effect> {
    let Some(view) = state.status.data.take() else {
        return Vec::new();
    };
    let (others, mine): (Vec<RankedService>, Vec<RankedService>) =
        view.into_iter().partition(|r| &r.service.pair != pair);
    let observing = state.incident.is_some() && state.pairs.iter().all(PairWatch::read_once);
    let old = observing.then(|| mine.clone());
    let fresh = rank_with_signals(state, pair, mine.into_iter().map(|r| r.service).collect());
    let drafts = match &old {
        Some(old) => observe::changes(Some(old), &fresh, state.several_pairs()),
        None => Vec::new(),
    };
    state.status.data = Some(merge(others, fresh));
    let mut effects: Vec<Effect> = drafts
        .into_iter()
        .map(|mut draft| {
            with_suspect(state, &mut draft);
            Effect::Journal(Box::new(draft))
        })
        .collect();
    effects.extend(super::watches::check(state));
    effects
}

/// The view's age, error and schedule: for one pair, its own as they are;
/// for several, the oldest data's age, an error only when no pair has data
/// (each pair says its own in the header), the soonest retry.
fn sync_view(state: &mut AppState) {
    let any_data = state.status.data.is_some();
    let view = &mut state.status;
    if let [only] = state.pairs.as_slice() {
        view.updated_at = only.status.updated_at;
        view.error = only.status.error.clone();
        view.failures = only.status.failures;
        view.in_flight = only.status.in_flight;
        view.next_at = only.status.next_at;
        view.generation = only.status.generation;
        return;
    }
    let pairs = &state.pairs;
    view.updated_at = pairs.iter().filter_map(|w| w.status.updated_at).min();
    view.error = if any_data {
        None
    } else {
        pairs.iter().find_map(|w| w.status.error.clone())
    };
    view.failures = pairs.iter().map(|w| w.status.failures).min().unwrap_or(0);
    view.in_flight = pairs.iter().find_map(|w| w.status.in_flight);
    view.next_at = pairs
        .iter()
        .map(|w| w.status.next_at)
        .min()
        .unwrap_or(state.now);
}

/// The pairs of a session: those asked for, else the one unnamed pair of its
/// profile.
pub(crate) fn watched_pairs(session: &super::state::SessionInfo) -> Vec<WatchedPair> {
    if session.pairs.is_empty() {
        vec![WatchedPair {
            pair: Pair::default(),
            profile: session.profile.clone(),
            ..WatchedPair::default()
        }]
    } else {
        session.pairs.clone()
    }
}
