//! Security in the console: each pair's GuardDuty findings (read at most
//! once a minute, tied to their services, each new one journaled), what
//! each service can reach and read (its *exposure*: groups, subnets,
//! secrets; read every minute once the services are known, so `R` has it
//! at hand), and the egress anomalies the metrics and their baseline show.
//! All three count in the services' verdicts.

use super::effect::Effect;
use super::refresh::{begin, is_due, settle};
use super::state::{AppState, Refreshing};
use crate::domain::egress::{EgressAnomaly, EgressLimits};
use crate::domain::exposure::Exposure;
use crate::domain::security::{of_service, tie, OwnedFinding, SecurityFinding, SecurityRead};
use crate::domain::service::ServiceKey;
use crate::domain::{Pair, PortError};
use chrono::Duration;
use std::collections::{BTreeMap, BTreeSet};

/// GuardDuty is read at most this often.
pub(crate) const FINDINGS_SECONDS: i64 = 60;
/// What the services can reach and read is read this often.
pub(crate) const EXPOSURE_SECONDS: i64 = 60;

/// What the console knows of security, per pair.
#[derive(Debug, Clone, Default)]
pub struct Security {
    pub exposure: BTreeMap<Pair, Refreshing<BTreeMap<ServiceKey, Exposure>>>,
    pub findings: BTreeMap<Pair, Refreshing<SecurityRead>>,
    /// Every pair's findings, tied to their services.
    pub owned: Vec<OwnedFinding>,
    /// Findings journaled already, by id.
    pub seen: BTreeSet<String>,
    /// The session reads GuardDuty and exposure (its accounts have the ports).
    pub enabled: bool,
    /// When egress is an anomaly (`[security]`).
    pub limits: EgressLimits,
    /// Things said once already (GuardDuty off in a pair, …).
    pub told: BTreeSet<String>,
}

impl Security {
    /// Why some pair's findings could not be read (the first such pair).
    pub(crate) fn findings_error(&self) -> Option<(&Pair, &PortError)> {
        self.findings
            .iter()
            .find_map(|(pair, r)| r.error.as_ref().map(|e| (pair, e)))
    }

    /// The pairs whose GuardDuty is off (no detector).
    pub(crate) fn off_in(&self) -> Vec<&Pair> {
        self.findings
            .iter()
            .filter(|(_, r)| r.data.as_ref().is_some_and(|d| d.detector.is_none()))
            .map(|(pair, _)| pair)
            .collect()
    }
}

impl AppState {
    /// What a service can reach and read, from its pair's last read.
    pub(crate) fn exposure_of(&self, key: &ServiceKey) -> Option<&Exposure> {
        self.security
            .exposure
            .get(&key.pair)?
            .data
            .as_ref()?
            .get(key)
    }

    /// GuardDuty's findings about a service, most severe first.
    pub fn findings_of(&self, key: &ServiceKey) -> Vec<&SecurityFinding> {
        of_service(&self.security.owned, key)
    }

    /// Those that still apply: seen since its latest deployment began.
    pub(crate) fn current_findings_of(&self, key: &ServiceKey) -> Vec<&SecurityFinding> {
        match self.ranked_service(key) {
            Some(service) => crate::domain::security::current_for(&self.security.owned, service),
            None => self.findings_of(key),
        }
    }

    /// A watched service by its key, as last read.
    pub(crate) fn ranked_service(&self, key: &ServiceKey) -> Option<&crate::domain::Service> {
        self.status
            .data
            .iter()
            .flatten()
            .map(|r| &r.service)
            .find(|s| s.is(key))
    }

    /// The service's egress far above its usual, if so.
    pub(crate) fn egress_of(&self, key: &ServiceKey) -> Option<EgressAnomaly> {
        let summary = self.metrics_of(key)?;
        let baseline = self.monitoring.baseline_of(key);
        crate::domain::egress::anomaly(&summary, baseline, &self.security.limits)
    }

    /// Every service of a pair sending far more than usual.
    pub(crate) fn egress_anomalies(&self, pair: &Pair) -> Vec<(ServiceKey, EgressAnomaly)> {
        let Some(metrics) = self
            .monitoring
            .metrics_for(pair)
            .and_then(|m| m.data.as_ref())
        else {
            return Vec::new();
        };
        metrics
            .keys()
            .filter_map(|key| Some((key.clone(), self.egress_of(key)?)))
            .collect()
    }
}

/// Exposure and findings that fall due, for each pair whose services are known.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    if !state.security.enabled {
        return Vec::new();
    }
    let now = state.now;
    let mut effects = Vec::new();
    let pairs = state.known_pairs();
    for pair in pairs {
        let findings = state
            .security
            .findings
            .entry(pair.clone())
            .or_insert_with(|| Refreshing::new(now));
        if is_due(findings, now) {
            let generation = begin(findings, now);
            effects.push(Effect::FetchSecurity {
                generation,
                pair: pair.clone(),
            });
        }
        let due = state
            .security
            .exposure
            .get(&pair)
            .is_none_or(|r| is_due(r, now));
        if due {
            effects.extend(request_exposure(state, &pair));
        }
    }
    effects
}

/// Ask for what a pair's services can reach and read (now).
pub(crate) fn request_exposure(state: &mut AppState, pair: &Pair) -> Vec<Effect> {
    let services: Vec<crate::domain::Service> = state.services_of(pair).cloned().collect();
    if services.is_empty() || !state.security.enabled {
        return Vec::new();
    }
    let now = state.now;
    let exposure = state
        .security
        .exposure
        .entry(pair.clone())
        .or_insert_with(|| Refreshing::new(now));
    if exposure.in_flight.is_some() {
        return Vec::new();
    }
    let generation = begin(exposure, now);
    vec![Effect::FetchExposure {
        generation,
        pair: pair.clone(),
        services,
    }]
}

/// A pair's exposure came back: kept, and an open form waiting for it filled.
pub(crate) fn on_exposure(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<BTreeMap<ServiceKey, Exposure>, PortError>,
) -> Vec<Effect> {
    let Some(exposure) = state.security.exposure.get_mut(&pair) else {
        return Vec::new();
    };
    if generation != exposure.generation {
        return Vec::new();
    }
    settle(
        exposure,
        state.now,
        Duration::seconds(EXPOSURE_SECONDS),
        result,
    );
    super::screens::runbook::fill_from_exposure(state);
    Vec::new()
}

/// A pair's findings came back: tie every pair's, journal the new ones,
/// rank the pair's services again.
pub(crate) fn on_security(
    state: &mut AppState,
    generation: u64,
    pair: Pair,
    result: Result<SecurityRead, PortError>,
) -> Vec<Effect> {
    let Some(findings) = state.security.findings.get_mut(&pair) else {
        return Vec::new();
    };
    if generation != findings.generation {
        return Vec::new();
    }
    // Access denied says so once, and is asked again only every ten minutes.
    let denied = matches!(result, Err(PortError::AccessDenied { .. }));
    let interval = Duration::seconds(FINDINGS_SECONDS);
    settle(findings, state.now, interval, result);
    if denied {
        findings.next_at = state.now + Duration::minutes(10);
        tell_once(
            state,
            &format!("denied {pair}"),
            &format!(
                "GuardDuty findings{} are not readable: the role needs guardduty:ListDetectors, ListFindings and GetFindings",
                in_pair(state, &pair)
            ),
        );
    }
    let off = state
        .security
        .findings
        .get(&pair)
        .and_then(|r| r.data.as_ref())
        .is_some_and(|d| d.detector.is_none());
    if off {
        tell_once(
            state,
            &format!("off {pair}"),
            &format!(
                "GuardDuty is off{}: no findings to show (turn it on: aws guardduty create-detector --enable)",
                in_pair(state, &pair)
            ),
        );
    }
    let every: Vec<SecurityFinding> = state
        .security
        .findings
        .values()
        .filter_map(|r| r.data.as_ref())
        .flat_map(|r| r.findings.iter().cloned())
        .collect();
    let services: Vec<crate::domain::Service> = state
        .status
        .data
        .iter()
        .flatten()
        .map(|r| r.service.clone())
        .collect();
    let owned = tie(every, &services);
    let mut effects: Vec<Effect> = Vec::new();
    if state.incident.is_some() {
        effects.extend(
            crate::domain::security::new_findings(&state.security.seen, &owned)
                .into_iter()
                .map(|d| Effect::Journal(Box::new(d))),
        );
        state.security.seen = owned.iter().map(|o| o.finding.id.clone()).collect();
    }
    state.security.owned = owned;
    effects.extend(super::pairs::rerank_pair(state, &pair));
    super::screens::services::restore_selection(state);
    effects
}

/// The incident just attached: GuardDuty findings it already holds are
/// remembered (by the ARN its entries name), the others journaled now.
pub(crate) fn journal_on_attach(state: &mut AppState) -> Vec<Effect> {
    let Some(view) = &state.incident else {
        return Vec::new();
    };
    let journaled: BTreeSet<String> = state
        .security
        .owned
        .iter()
        .filter(|o| {
            view.incident
                .entries
                .iter()
                .any(|e| e.resources.contains(&o.finding.arn))
        })
        .map(|o| o.finding.id.clone())
        .collect();
    state.security.seen.extend(journaled);
    let drafts = crate::domain::security::new_findings(&state.security.seen, &state.security.owned);
    state
        .security
        .seen
        .extend(state.security.owned.iter().map(|o| o.finding.id.clone()));
    drafts
        .into_iter()
        .map(|d| Effect::Journal(Box::new(d)))
        .collect()
}

/// " in prod/eu-west-1" when several pairs are watched.
fn in_pair(state: &AppState, pair: &Pair) -> String {
    if state.several_pairs() {
        format!(" in {pair}")
    } else {
        String::new()
    }
}

/// Say something in the footer the first time only.
pub(crate) fn tell_once(state: &mut AppState, key: &str, text: &str) {
    if state.security.told.insert(key.to_string()) {
        super::navigation::flash(state, text, false);
    }
}
