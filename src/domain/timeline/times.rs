//! The post-mortem's key times, each with where it came from: a milestone
//! (and who set it), or what the console observed — the first alarm into
//! ALARM or health change for *detected*, the incident's services healthy
//! again and their alarms back to OK for *recovered*. Time to detect,
//! mitigate, recover and resolve are all counted from one origin (impact
//! start, else the first sign), and never negative.

use super::scope::{services_of, Scope};
use super::{Entry, EntryKind, Incident, Milestone};
use chrono::{DateTime, Duration, Utc};

/// One row of *Key timestamps*.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTime {
    pub what: &'static str,
    pub at: Option<DateTime<Utc>>,
    /// Where it came from, in words.
    pub from: String,
}

/// One duration, from the origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub what: &'static str,
    pub took: Option<Duration>,
    /// `impact started → detected`.
    pub between: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyTimes {
    pub rows: Vec<KeyTime>,
    pub spans: Vec<Span>,
}

/// The latest live milestone entry of each kind.
fn milestone_entry(incident: &Incident, m: Milestone) -> Option<&Entry> {
    incident
        .live_entries()
        .filter(|e| e.kind == EntryKind::Milestone && e.milestone == Some(m))
        .max_by_key(|e| e.seq)
}

/// The entry is about one of the scope's services (or the scope names none).
fn about_scope(e: &Entry, scope: &Scope) -> bool {
    let about = services_of(e);
    scope.services.is_empty() || about.iter().any(|s| scope.services.contains(s))
}

fn is_alarm(e: &Entry, state: &str) -> bool {
    e.tags.iter().any(|t| t == "alarm") && e.tags.iter().any(|t| t == state)
}

/// A console health change to (or from) healthy: `prod-web/x degraded → healthy: …`.
fn health_change_to(e: &Entry, healthy: bool) -> bool {
    e.kind == EntryKind::Observation
        && matches!(e.actor, super::Actor::Console)
        && e.summary
            .split_once(" → ")
            .is_some_and(|(_, to)| to.starts_with("healthy") == healthy)
}

fn said(e: &Entry) -> String {
    super::super::sanitize::one_line(&e.summary)
}

pub fn key_times(incident: &Incident, scope: &Scope) -> KeyTimes {
    let by = |e: &Entry| format!("milestone, by {}", e.actor.label());
    let mut rows = Vec::new();
    // The origin: impact start, else the first sign of the incident's services.
    let impact = milestone_entry(incident, Milestone::ImpactStarted);
    let first_sign = incident
        .live_entries()
        .filter(|e| {
            e.kind == EntryKind::Observation && !services_of(e).is_empty() && about_scope(e, scope)
        })
        .min_by_key(|e| e.occurred_at);
    // Without the milestone: the earliest of the first sign, the incident's
    // start and its other milestones.
    let origin = match impact {
        Some(e) => Some((e.occurred_at, by(e))),
        None => first_sign
            .map(|e| (e.occurred_at, format!("first sign: {}", said(e))))
            .into_iter()
            .chain(
                incident
                    .started_at
                    .map(|t| (t, "the incident's start".to_string())),
            )
            .chain(
                incident
                    .milestones()
                    .into_iter()
                    .map(|(m, t)| (t, format!("the {} milestone, the earliest", m.as_str()))),
            )
            .min_by_key(|(t, _)| *t),
    };
    rows.push(KeyTime {
        what: "Impact started",
        at: origin.as_ref().map(|(t, _)| *t),
        from: origin.as_ref().map(|(_, f)| f.clone()).unwrap_or_default(),
    });
    let after = |e: &&Entry| origin.as_ref().is_none_or(|(t, _)| e.occurred_at >= *t);
    // Detected: the milestone, else the first alarm or health change seen.
    let detected = match milestone_entry(incident, Milestone::Detected) {
        Some(e) => Some((e.occurred_at, by(e))),
        None => incident
            .live_entries()
            .filter(after)
            .filter(|e| {
                (is_alarm(e, "alarm") || health_change_to(e, false)) && about_scope(e, scope)
            })
            .min_by_key(|e| e.occurred_at)
            .map(|e| (e.occurred_at, format!("observed: {}", said(e)))),
    };
    rows.push(KeyTime {
        what: "Detected",
        at: detected.as_ref().map(|(t, _)| *t),
        from: detected
            .map(|(_, f)| f)
            .unwrap_or_else(|| "not observed; add the milestone".into()),
    });
    for (what, m) in [
        ("Acknowledged", Milestone::Acknowledged),
        ("Contained", Milestone::Contained),
        ("Mitigated", Milestone::Mitigated),
    ] {
        let e = milestone_entry(incident, m);
        rows.push(KeyTime {
            what,
            at: e.map(|e| e.occurred_at),
            from: e
                .map(|e| match said(e) {
                    // The step that set it, when a run did.
                    words if words != what => format!("{} ({words})", by(e)),
                    _ => by(e),
                })
                .unwrap_or_else(|| "no milestone".into()),
        });
    }
    // Recovered: its services healthy again and their alarms back to OK,
    // the later of the two, as the console saw it.
    let last_healthy = incident
        .live_entries()
        .filter(after)
        .filter(|e| health_change_to(e, true) && about_scope(e, scope))
        .max_by_key(|e| e.occurred_at);
    let last_ok = incident
        .live_entries()
        .filter(after)
        .filter(|e| is_alarm(e, "ok") && about_scope(e, scope))
        .max_by_key(|e| e.occurred_at);
    let recovered = [last_healthy, last_ok]
        .into_iter()
        .flatten()
        .max_by_key(|e| e.occurred_at);
    rows.push(KeyTime {
        what: "Recovered",
        at: recovered.map(|e| e.occurred_at),
        from: recovered
            .map(|e| format!("observed: {}", said(e)))
            .unwrap_or_else(|| "not observed healthy again".into()),
    });
    let resolved = milestone_entry(incident, Milestone::Resolved);
    rows.push(KeyTime {
        what: "Resolved",
        at: resolved.map(|e| e.occurred_at),
        from: resolved.map(by).unwrap_or_else(|| "no milestone".into()),
    });
    let start = rows[0].at;
    let span = |what: &'static str, to: &str| {
        let end = rows.iter().find(|r| r.what == to).and_then(|r| r.at);
        Span {
            what,
            took: match (start, end) {
                (Some(a), Some(b)) if b >= a => Some(b - a),
                _ => None,
            },
            between: format!("impact started → {}", to.to_lowercase()),
        }
    };
    let spans = vec![
        span("Time to detect", "Detected"),
        span("Time to mitigate", "Mitigated"),
        span("Time to recover", "Recovered"),
        span("Time to resolve", "Resolved"),
    ];
    KeyTimes { rows, spans }
}
