//! The post-mortem's key times, each with where it came from: a milestone
//! (and who set it), or what the console observed — the first alarm into
//! ALARM or health change for *detected*, the first change after which the
//! incident's services got no worse for *mitigated* (unless a person set
//! the milestone), the incident's services healthy again and their alarms
//! back to OK for *recovered*. Time to detect,
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

/// An alarm's entry in `state` (`alarm`, `ok`): tagged `alarm` then its
/// state (`domain::alarms::transitions`), so an alarm back to OK is not
/// one into ALARM.
fn is_alarm(e: &Entry, state: &str) -> bool {
    e.tags.first().is_some_and(|t| t == "alarm") && e.tags.get(1).is_some_and(|t| t == state)
}

/// A console health change to (or from) healthy: `prod-web/x degraded → healthy: …`.
fn health_change_to(e: &Entry, healthy: bool) -> bool {
    e.kind == EntryKind::Observation
        && matches!(e.actor, super::Actor::Console)
        && e.summary
            .split_once(" → ")
            .is_some_and(|(_, to)| to.starts_with("healthy") == healthy)
}

/// How bad a health word is: down and failed worst, then degraded.
fn badness(word: &str) -> u8 {
    match word.trim_end_matches(':') {
        "down" | "failed" => 2,
        "degraded" => 1,
        _ => 0,
    }
}

/// A console health change to a worse state: `x healthy → degraded: …`.
fn health_got_worse(e: &Entry) -> bool {
    e.kind == EntryKind::Observation
        && matches!(e.actor, super::Actor::Console)
        && e.summary.split_once(" → ").is_some_and(|(was, now)| {
            let was = was.rsplit(' ').next().unwrap_or("");
            let now = now.split([' ', ':']).next().unwrap_or("");
            badness(now) > badness(was)
        })
}

/// How long after a change a sign already under way may still show
/// (a task already dying, an alarm's period closing) without counting
/// against it.
pub const SETTLE_MINUTES: i64 = 2;

/// Step kinds that change nothing the service does: never a mitigation.
const ONLY_RECORDS: &[&str] = &["ec2.flow_logs", "ec2.flow_logs_remove"];

/// The first change (a runbook step or an action that changed the account
/// and succeeded) after which the incident's services got no worse: no
/// alarm into ALARM and no health change for the worse past its end and a
/// short settling time.
fn first_change_that_held(
    incident: &Incident,
    scope: &Scope,
    since: Option<DateTime<Utc>>,
) -> Option<(DateTime<Utc>, String)> {
    let mut changes: Vec<(DateTime<Utc>, String)> = super::steps::rows(incident)
        .into_iter()
        .filter(|r| r.changed)
        .filter(|r| {
            let kind = r
                .last
                .action
                .as_ref()
                .map(|a| a.kind.as_str())
                .unwrap_or("");
            !ONLY_RECORDS.contains(&kind)
        })
        .map(|r| {
            let what = r.what.clone().unwrap_or_else(|| r.step.clone());
            let what = what.split(" (undo").next().unwrap_or(&what).to_string();
            (r.last.occurred_at, what)
        })
        .chain(
            incident
                .live_entries()
                .filter(|e| e.kind == EntryKind::Action)
                .filter(|e| e.action.as_ref().is_some_and(|a| a.destructive))
                .filter(|e| e.result.as_ref().is_some_and(|r| r.status == "succeeded"))
                .map(|e| (e.occurred_at, said(e))),
        )
        .filter(|(t, _)| since.is_none_or(|s| *t >= s))
        .collect();
    changes.sort_by_key(|(t, _)| *t);
    let worse: Vec<DateTime<Utc>> = incident
        .live_entries()
        .filter(|e| {
            (is_alarm(e, "alarm") || health_got_worse(e) || is_finding(e)) && about_scope(e, scope)
        })
        .map(|e| e.occurred_at)
        .collect();
    changes.into_iter().find(|(done, _)| {
        let settled = *done + Duration::minutes(SETTLE_MINUTES);
        worse.iter().all(|t| *t <= settled)
    })
}

/// A milestone a run set by itself (its step's `milestone=`), not a person.
fn set_by_a_run(e: &Entry) -> bool {
    e.tags.iter().any(|t| t == "runbook") || e.summary.contains(" (runbook ")
}

/// A GuardDuty finding the console journaled.
fn is_finding(e: &Entry) -> bool {
    e.tags.iter().any(|t| t == "guardduty")
}

/// The console's first look names one of the scope's services unhealthy
/// (`- prod-web/chatbot-api degraded (…)` in its detail).
fn first_look_names(e: &Entry, scope: &Scope) -> bool {
    e.kind == EntryKind::Observation
        && matches!(e.actor, super::Actor::Console)
        && e.summary.starts_with("First look")
        && e.detail.as_deref().is_some_and(|detail| {
            detail.lines().any(|line| {
                let named = line.trim_start_matches("- ");
                scope
                    .services
                    .iter()
                    .any(|s| named.starts_with(&format!("{s} ")))
            })
        })
}

fn said(e: &Entry) -> String {
    super::super::sanitize::one_line(&e.summary)
}

pub fn key_times(incident: &Incident, scope: &Scope) -> KeyTimes {
    let by = |e: &Entry| match &e.actor {
        super::Actor::Human { name } => match super::steps::person(name) {
            Some(name) => format!("milestone, by {name}"),
            None => "milestone".to_string(),
        },
        other => format!("milestone, by {}", other.label()),
    };
    let mut rows = Vec::new();
    // The origin: impact start, else the first sign of the incident's services.
    let impact = milestone_entry(incident, Milestone::ImpactStarted);
    let first_sign = super::scope::first_sign(incident, &scope.services, incident.started_at);
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
                ((is_alarm(e, "alarm") || health_change_to(e, false) || is_finding(e))
                    && about_scope(e, scope))
                    || first_look_names(e, scope)
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
        // Mitigated: a person's milestone, else the first change after
        // which nothing got worse, else the milestone a run set.
        if m == Milestone::Mitigated && e.is_none_or(set_by_a_run) {
            let since = origin.as_ref().map(|(t, _)| *t);
            if let Some((at, change)) = first_change_that_held(incident, scope, since) {
                // The run's own mark, when it differs, is named too.
                let marked = e
                    .filter(|e| e.occurred_at != at)
                    .map(|e| {
                        format!(
                            "; the run marked it at {}",
                            e.occurred_at.format("%H:%M:%S")
                        )
                    })
                    .unwrap_or_default();
                rows.push(KeyTime {
                    what,
                    at: Some(at),
                    from: format!(
                        "the first change after which nothing got worse: {change}{marked}"
                    ),
                });
                continue;
            }
        }
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
