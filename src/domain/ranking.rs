//! The home screen's order: worst health first, then most recently changed.

use super::alarms::{of_service, OwnedAlarm};
use super::egress::EgressAnomaly;
use super::health::{classify, with_alarms, with_security, HealthVerdict};
use super::security::OwnedFinding;
use super::service::{Service, ServiceKey};
use chrono::{DateTime, Utc};

/// A service with its verdict, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedService {
    pub service: Service,
    pub verdict: HealthVerdict,
}

/// Classify and order services: worst first, then most recently changed, then by name.
pub fn rank(services: impl IntoIterator<Item = Service>, now: DateTime<Utc>) -> Vec<RankedService> {
    rank_watched(services, now, &[])
}

/// What is known of the services besides ECS, counted in their verdicts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals<'a> {
    pub alarms: &'a [OwnedAlarm],
    /// Services sending far more than usual.
    pub egress: &'a [(ServiceKey, EgressAnomaly)],
    /// GuardDuty's findings, tied to their services.
    pub findings: &'a [OwnedFinding],
}

impl Signals<'_> {
    /// One service's verdict: ECS's, then its alarms, then security.
    pub fn verdict(&self, service: &Service, now: DateTime<Utc>) -> HealthVerdict {
        let mut verdict = classify(service, now);
        if !self.alarms.is_empty() {
            let alarms = of_service(self.alarms, &service.key());
            verdict = super::recovery::recovering(&verdict, service, &alarms)
                .unwrap_or_else(|| with_alarms(verdict, &alarms));
        }
        if !self.egress.is_empty() || !self.findings.is_empty() {
            let key = service.key();
            let egress = self.egress.iter().find(|(k, _)| k == &key).map(|(_, a)| a);
            let findings = super::security::current_for(self.findings, service);
            verdict = with_security(verdict, egress, &findings);
        }
        verdict
    }
}

/// [`rank`], with each service's alarms counted in its verdict.
pub(crate) fn rank_watched(
    services: impl IntoIterator<Item = Service>,
    now: DateTime<Utc>,
    alarms: &[OwnedAlarm],
) -> Vec<RankedService> {
    rank_signals(
        services,
        now,
        &Signals {
            alarms,
            ..Signals::default()
        },
    )
}

/// [`rank`], with everything known of each service counted in its verdict.
pub fn rank_signals(
    services: impl IntoIterator<Item = Service>,
    now: DateTime<Utc>,
    signals: &Signals<'_>,
) -> Vec<RankedService> {
    let ranked: Vec<RankedService> = services
        .into_iter()
        .map(|service| RankedService {
            verdict: signals.verdict(&service, now),
            service,
        })
        .collect();
    // Keys computed once per service, not once per comparison.
    let mut keyed: Vec<_> = ranked
        .into_iter()
        .map(|r| {
            let changed = std::cmp::Reverse(r.service.last_changed());
            ((r.verdict.health, changed), r)
        })
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| ka.cmp(kb).then_with(|| by_name(a, b)));
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// Two rankings made one, in the ranking's order (each already in it): a
/// pair's fresh rows among the others' without ranking those again.
pub(crate) fn merge(a: Vec<RankedService>, b: Vec<RankedService>) -> Vec<RankedService> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if order(x, y) != std::cmp::Ordering::Greater => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

/// The ranking's order between two services (of any accounts and Regions):
/// worst first, then most recently changed, then by name, then by ARN.
pub fn order(a: &RankedService, b: &RankedService) -> std::cmp::Ordering {
    let key = |r: &RankedService| {
        (
            r.verdict.health,
            std::cmp::Reverse(r.service.last_changed()),
        )
    };
    key(a).cmp(&key(b)).then_with(|| by_name(a, b))
}

fn by_name(a: &RankedService, b: &RankedService) -> std::cmp::Ordering {
    a.service
        .cluster
        .cmp(&b.service.cluster)
        .then_with(|| a.service.name.cmp(&b.service.name))
        .then_with(|| a.service.arn.cmp(&b.service.arn))
}
