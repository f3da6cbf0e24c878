//! What `triage status` says of each service and the runbook it suggests:
//! the evidence of one account's read gathered as the console gathers it,
//! then the one [`crate::domain::suggestion::suggest`].

use super::status::{AccountRead, StatusScope};
use crate::domain::alarms::of_service;
use crate::domain::diagnosis::patterns::live_loop;
use crate::domain::diagnosis::Cause;
use crate::domain::headline::Evidence;
use crate::domain::ranking::RankedService;
use crate::domain::suggestion::{suggest, suggestible, Suggestion};
use chrono::{DateTime, Utc};

/// The headline and suggested runbook of one service of `read`.
pub fn suggestion_of(
    read: &AccountRead,
    r: &RankedService,
    scope: &StatusScope<'_>,
    now: DateTime<Utc>,
) -> Suggestion {
    let key = r.service.key();
    let alarms = read
        .watched
        .as_ref()
        .map(|w| of_service(&w.alarms, &key))
        .unwrap_or_default();
    let metrics = read
        .watched
        .as_ref()
        .and_then(|w| w.metrics.get(&key))
        .map(|m| m.summary(now));
    let egress = metrics.as_ref().and_then(|summary| {
        crate::domain::egress::anomaly(summary, read.security.baselines.get(&key), &scope.limits)
    });
    let waiting = waiting_of(read, &key, now);
    let security = crate::domain::security::current_for(
        read.security.findings.as_deref().unwrap_or(&[]),
        &r.service,
    );
    let report = read.diagnosis.as_ref();
    let pattern = report.and_then(|d| live_loop(&d.patterns, &r.service));
    let findings =
        crate::domain::diagnosis::findings_of(report.iter().flat_map(|d| &d.findings), &key);
    let causes: Vec<Cause> = findings.iter().map(|f| f.cause).collect();
    suggest(
        &Evidence {
            service: &r.service,
            verdict: &r.verdict,
            pattern,
            alarms: &alarms,
            metrics: metrics.as_ref(),
            egress: egress.as_ref(),
            security: &security,
            open_egress: read
                .security
                .exposure
                .get(&key)
                .is_some_and(|e| e.open_egress()),
            causes: &causes,
            waiting: waiting.as_ref(),
        },
        &suggestible(scope.runbooks),
    )
}

/// The service is slow with low CPU: waiting, and on what when traced (the
/// headline's and `status` JSON's `waiting`).
pub fn waiting_of(
    read: &AccountRead,
    key: &crate::domain::service::ServiceKey,
    now: DateTime<Utc>,
) -> Option<crate::domain::waiting::Waiting> {
    let metrics = read.watched.as_ref()?.metrics.get(key)?.summary(now);
    let slow = read.slow.get(key);
    crate::domain::waiting::waiting(
        &metrics,
        slow.and_then(|s| s.usual_p95_ms),
        slow.and_then(|s| s.on.clone()),
    )
}
