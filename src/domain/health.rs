//! Service health: one pure function from a described service to a verdict
//! with a reason a person can read at 3 AM.

use super::alarms::{Alarm, AlarmState};
use super::service::{DeploymentStatus, RolloutState, Service};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How a service is doing, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Desired > 0 and nothing runs.
    Down,
    /// The primary deployment failed, or the circuit breaker rolled it back.
    Failed,
    /// Running below desired outside a rollout, or tasks keep failing.
    Degraded,
    /// Its own state is fine again (healthy, or rolling out the fix) but
    /// its alarms still fire, after a change made since they fired: what
    /// is still pending is its reason.
    Recovering,
    /// A rollout is in progress and nothing else is wrong.
    Deploying,
    Healthy,
    /// Desired count is 0: off on purpose.
    ScaledToZero,
}

impl Health {
    pub const ALL: [Health; 7] = [
        Health::Down,
        Health::Failed,
        Health::Degraded,
        Health::Recovering,
        Health::Deploying,
        Health::Healthy,
        Health::ScaledToZero,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Down => "down",
            Health::Failed => "failed",
            Health::Degraded => "degraded",
            Health::Recovering => "recovering",
            Health::Deploying => "deploying",
            Health::Healthy => "healthy",
            Health::ScaledToZero => "scaled_to_zero",
        }
    }

    /// Down, failed or degraded: what `--fail-on-unhealthy` fails on.
    pub fn is_unhealthy(self) -> bool {
        matches!(self, Health::Down | Health::Failed | Health::Degraded)
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A health and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthVerdict {
    pub health: Health,
    pub reason: String,
}

/// How far back task stops count as "repeated".
pub(crate) const STOP_WINDOW_MINUTES: i64 = 30;
/// How many stops in the window make a service degraded.
pub(crate) const REPEATED_STOPS: usize = 3;

/// Classify a service. `now` bounds the window in which repeated task stops count.
pub fn classify(service: &Service, now: DateTime<Utc>) -> HealthVerdict {
    // Long on purpose: the health rules in priority order (DESIGN.md); the order is the rule, so they stay in one place.
    let verdict = |health, reason: String| HealthVerdict { health, reason };
    let (desired, running, pending) = (service.desired, service.running, service.pending);
    let primary = service.primary();

    if desired == 0 {
        let reason = if running > 0 {
            format!("scaled to zero, {running} still stopping")
        } else {
            "scaled to zero (desired 0)".to_string()
        };
        return verdict(Health::ScaledToZero, reason);
    }

    if running == 0 {
        let mut reason = format!("0 of {desired} running");
        if pending > 0 {
            reason.push_str(&format!(", {pending} pending"));
        }
        if let Some(stops) = stops_note(service, now) {
            reason.push_str(&format!("; {stops}"));
        }
        return verdict(Health::Down, reason);
    }

    if let Some(p) = primary {
        if p.rollout_state == Some(RolloutState::Failed) {
            return verdict(
                Health::Failed,
                format!(
                    "deployment of {} FAILED{}",
                    super::service::revision_label(&p.task_definition),
                    reason_suffix(p.rollout_state_reason.as_deref())
                ),
            );
        }
    }
    if let Some(reason) = rolled_back(service) {
        return verdict(Health::Failed, reason);
    }

    let rolling_out = primary.is_some_and(|p| p.rollout_state == Some(RolloutState::InProgress))
        || service
            .deployments
            .iter()
            .filter(|d| d.status != DeploymentStatus::Inactive)
            .count()
            > 1;

    if let Some(p) = primary {
        if p.failed_tasks > 0 {
            return verdict(
                Health::Degraded,
                format!(
                    "{} failed task{} in deployment of {} ({running} of {desired} running)",
                    p.failed_tasks,
                    plural(p.failed_tasks as usize),
                    super::service::revision_label(&p.task_definition)
                ),
            );
        }
    }
    if let Some(stops) = stops_note(service, now) {
        return verdict(
            Health::Degraded,
            format!("{stops} ({running} of {desired} running)"),
        );
    }
    if let Some(event) = recent_event(service, now, UNSTABLE_PATTERNS) {
        return verdict(
            Health::Degraded,
            format!(
                "{} ({running} of {desired} running)",
                summarize_event(&event.message)
            ),
        );
    }
    if running < desired && !rolling_out {
        let mut reason = format!("{running} of {desired} running");
        if pending > 0 {
            reason.push_str(&format!(", {pending} pending"));
        }
        if let Some(event) = recent_event(service, now, PLACEMENT_PATTERNS) {
            reason.push_str(&format!(": {}", summarize_event(&event.message)));
        }
        return verdict(Health::Degraded, reason);
    }

    if rolling_out {
        let reason = match primary {
            Some(p) => format!(
                "rolling out {} ({} of {} new running)",
                super::service::revision_label(&p.task_definition),
                p.running,
                p.desired
            ),
            None => format!("deployment in progress ({running} of {desired} running)"),
        };
        return verdict(Health::Deploying, reason);
    }

    let mut reason = format!("{running} of {desired} running");
    if running > desired {
        reason.push_str(" (draining extra)");
    }
    verdict(Health::Healthy, reason)
}

/// Event texts that mean tasks keep failing.
const UNSTABLE_PATTERNS: &[&str] = &[
    "is unable to consistently start tasks successfully",
    "failed container health checks",
    "failed elb health checks",
    "is unhealthy in",
];

/// Event texts that explain why tasks cannot be placed.
const PLACEMENT_PATTERNS: &[&str] = &[
    "unable to place a task",
    "capacity is unavailable",
    "failed to launch a task",
];

/// Event texts that record a task stopping (a crash or a replacement).
const STOP_PATTERNS: &[&str] = &[
    "has stopped",
    "failed container health checks",
    "failed elb health checks",
];

/// "4 task stops in 30m" when tasks stopped repeatedly since the primary deployment.
fn stops_note(service: &Service, now: DateTime<Utc>) -> Option<String> {
    let since = window_start(service, now);
    let stops: usize = service
        .events
        .iter()
        .filter(|e| e.at >= since && e.at <= now + Duration::minutes(1))
        .filter(|e| matches_any(&e.message, STOP_PATTERNS))
        .map(|e| stopped_count(&e.message))
        .sum();
    (stops >= REPEATED_STOPS).then(|| {
        let minutes = (now - since).num_minutes().max(1);
        format!("{stops} task stops in {minutes}m")
    })
}

/// Stops count from the later of (now − window) and the primary deployment's
/// creation: stops of an older revision say nothing about this one.
fn window_start(service: &Service, now: DateTime<Utc>) -> DateTime<Utc> {
    let window = now - Duration::minutes(STOP_WINDOW_MINUTES);
    match service.primary().and_then(|p| p.created_at) {
        Some(created) if created > window => created,
        _ => window,
    }
}

/// "has stopped 2 running tasks" → 2; other stop events count as one.
fn stopped_count(message: &str) -> usize {
    let lower = message.to_ascii_lowercase();
    lower
        .split_once("has stopped ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

fn recent_event<'a>(
    service: &'a Service,
    now: DateTime<Utc>,
    patterns: &[&str],
) -> Option<&'a super::service::ServiceEvent> {
    let since = window_start(service, now);
    // A steady state after an event means it was resolved.
    let steady = service
        .events
        .iter()
        .filter(|e| e.message.contains("has reached a steady state"))
        .map(|e| e.at)
        .max();
    service
        .events
        .iter()
        .filter(|e| e.at >= since && steady.is_none_or(|s| e.at >= s))
        .find(|e| matches_any(&e.message, patterns))
}

/// The circuit breaker rolled the last deployment back: the failed deployment is
/// still listed, or an event since the primary deployment says so.
fn rolled_back(service: &Service) -> Option<String> {
    if let Some(failed) = service.deployments.iter().find(|d| {
        d.status != DeploymentStatus::Primary && d.rollout_state == Some(RolloutState::Failed)
    }) {
        return Some(format!(
            "deployment of {} rolled back by the circuit breaker{}",
            super::service::revision_label(&failed.task_definition),
            reason_suffix(failed.rollout_state_reason.as_deref())
        ));
    }
    let since = service
        .primary()
        .and_then(|p| p.created_at)
        .map(|t| t - Duration::minutes(1))?;
    service
        .events
        .iter()
        .filter(|e| e.at >= since)
        .find(|e| {
            let m = e.message.to_ascii_lowercase();
            m.contains("rolling back to") || m.contains("circuit breaker")
        })
        .map(|e| {
            format!(
                "last deployment rolled back by the circuit breaker: {}",
                summarize_event(&e.message)
            )
        })
}

fn matches_any(message: &str, patterns: &[&str]) -> bool {
    let lower = message.to_ascii_lowercase();
    patterns.iter().any(|p| lower.contains(p))
}

fn reason_suffix(reason: Option<&str>) -> String {
    match reason {
        Some(r) if !r.trim().is_empty() => format!(": {}", r.trim()),
        _ => String::new(),
    }
}

/// Drop the "(service x) " prefix and the trailing documentation pointer.
fn summarize_event(message: &str) -> String {
    let mut text = message.trim();
    if let Some(rest) = text.strip_prefix("(service ") {
        if let Some((_, after)) = rest.split_once(") ") {
            text = after;
        }
    } else if let Some(rest) = text.strip_prefix("service ") {
        if let Some((_, after)) = rest.split_once(' ') {
            text = after;
        }
    }
    let text = text.split(" For more information").next().unwrap_or(text);
    let text = text.trim_end_matches('.');
    let mut out: String = text.chars().take(100).collect();
    if text.chars().count() > 100 {
        out.push('…');
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The verdict once the service's alarms are counted: an alarm in ALARM
/// makes a service at least degraded, and its reason names the alarm and
/// why it fired.
pub(crate) fn with_alarms(verdict: HealthVerdict, alarms: &[&Alarm]) -> HealthVerdict {
    let firing: Vec<&&Alarm> = alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .collect();
    let Some(first) = firing.first() else {
        return verdict;
    };
    let named = match firing.len() {
        1 => format!("alarm {} in ALARM", first.name),
        n => format!("{n} alarms in ALARM ({}, …)", first.name),
    };
    let why = super::sanitize::one_line(&first.reason);
    let why = if why.is_empty() {
        String::new()
    } else {
        format!(": {why}")
    };
    if verdict.health <= Health::Degraded {
        return HealthVerdict {
            reason: format!("{} · {named}", verdict.reason),
            ..verdict
        };
    }
    HealthVerdict {
        health: Health::Degraded,
        reason: format!("{named}{why}"),
    }
}

/// The verdict once what security says is counted: a GuardDuty finding of
/// medium severity or more, or egress far above its usual, makes a service
/// at least degraded, and its reason says so first (an attack under way is
/// the most urgent thing a row can say).
pub fn with_security(
    verdict: HealthVerdict,
    egress: Option<&super::egress::EgressAnomaly>,
    findings: &[&super::security::SecurityFinding],
) -> HealthVerdict {
    let mut words: Vec<String> = findings
        .iter()
        .filter(|f| f.severity_band() >= super::security::Severity::Medium)
        .take(1)
        .map(|f| f.headline())
        .collect();
    words.extend(egress.map(|a| a.words()));
    if words.is_empty() {
        return verdict;
    }
    let said = words.join(" · ");
    HealthVerdict {
        health: verdict.health.min(Health::Degraded),
        reason: if verdict.health <= Health::Degraded {
            format!("{said} · {}", verdict.reason)
        } else {
            said
        },
    }
}

#[cfg(test)]
mod fixture_tests;
