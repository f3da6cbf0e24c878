//! What the post-mortem is about: the incident's **services** (the ones
//! people acted on — runs, actions, notes, saved evidence — and the ones its
//! title names; every service when nobody acted on one) over its **window**
//! (from impact start, or the first sign of those services, less a short
//! lead-in, to resolution). What people wrote is always in scope; what the
//! console and AWS observed only when it is about those services and inside
//! the window. The rest is counted, not listed: it stays in the JSON export.

use super::{Actor, Entry, EntryKind, Incident, Milestone};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// Minutes before the first sign that are still in scope.
pub const LEAD_IN_MINUTES: i64 = 10;

/// Signs further apart than this are two troubles, not one: the incident's
/// first sign is the first of the run of signs that leads up to it.
pub const SIGN_GAP_MINUTES: i64 = 15;

/// The first sign of the trouble the incident is about: of what the
/// console and AWS observed of `services` (every service when empty), the
/// first of the run of signs, none more than `SIGN_GAP_MINUTES` apart,
/// that leads up to `anchor` (the incident's start); an older trouble of
/// the same service, fixed before, is not this one's start.
pub fn first_sign<'a>(
    incident: &'a Incident,
    services: &BTreeSet<String>,
    anchor: Option<DateTime<Utc>>,
) -> Option<&'a Entry> {
    let mut signs: Vec<&Entry> = incident
        .live_entries()
        .filter(|e| !said_by_people(e))
        .filter(|e| {
            let about = services_of(e);
            !about.is_empty() && (services.is_empty() || about.iter().any(|s| services.contains(s)))
        })
        .collect();
    signs.sort_by_key(|e| e.occurred_at);
    let anchor = anchor.unwrap_or_else(|| signs.last().map(|e| e.occurred_at).unwrap_or_default());
    // The last sign at or before the anchor, else the first after it.
    let mut at = match signs.iter().rposition(|e| e.occurred_at <= anchor) {
        Some(i) => i,
        None => return signs.first().copied(),
    };
    while at > 0
        && signs[at].occurred_at - signs[at - 1].occurred_at <= Duration::minutes(SIGN_GAP_MINUTES)
    {
        at -= 1;
    }
    Some(signs[at])
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// `cluster/service`; empty when the incident names none (nothing is
    /// left out for its service then).
    pub services: BTreeSet<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The services an entry is about: its service ARNs, a stopped task's
/// cluster and service (recorded in its finding), a step's (its inputs).
pub fn services_of(e: &Entry) -> Vec<String> {
    let mut out: Vec<String> = e
        .resources
        .iter()
        .filter_map(|r| match r.split_once(":service/") {
            Some((_, tail)) => Some(tail.to_string()),
            // An alarm names its services as `cluster/service`.
            None if !r.starts_with("arn:") && r.matches('/').count() == 1 => Some(r.clone()),
            None => None,
        })
        .collect();
    // A stopped task's finding, a step's inputs: `cluster` and `service`.
    let fields = [
        e.result.as_ref().map(|r| &r.outputs),
        e.action.as_ref().map(|a| &a.inputs),
    ];
    for value in fields.into_iter().flatten() {
        if let (Some(cluster), Some(service)) = (
            value.get("cluster").and_then(|v| v.as_str()),
            value.get("service").and_then(|v| v.as_str()),
        ) {
            out.push(format!("{cluster}/{service}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Written by a person, or part of the response: always in scope.
fn said_by_people(e: &Entry) -> bool {
    matches!(e.actor, Actor::Human { .. })
        || matches!(
            e.kind,
            EntryKind::Milestone
                | EntryKind::Note
                | EntryKind::Decision
                | EntryKind::Step
                | EntryKind::Action
                | EntryKind::Communication
        )
}

/// The incident's scope, from its entries.
pub fn of(incident: &Incident) -> Scope {
    let live: Vec<&Entry> = incident.live_entries().collect();
    let every: BTreeSet<String> = live.iter().flat_map(|e| services_of(e)).collect();
    let title = incident.title.to_lowercase();
    let mut services: BTreeSet<String> = live
        .iter()
        .filter(|e| said_by_people(e) || e.tags.iter().any(|t| t == "logs" || t == "trace"))
        .flat_map(|e| services_of(e))
        .collect();
    services.extend(
        every
            .iter()
            .filter(|s| {
                let name = s.rsplit('/').next().unwrap_or(s);
                title.contains(&name.to_lowercase())
            })
            .cloned(),
    );
    let milestones = incident.milestones();
    let first_sign = first_sign(incident, &services, incident.started_at).map(|e| e.occurred_at);
    let start = [
        milestones.get(&Milestone::ImpactStarted).copied(),
        first_sign,
        incident.started_at,
    ]
    .into_iter()
    .flatten()
    .min();
    Scope {
        services,
        from: start.map(|t| t - Duration::minutes(LEAD_IN_MINUTES)),
        to: milestones
            .get(&Milestone::Resolved)
            .copied()
            .or(incident.closed_at),
    }
}

impl Scope {
    /// The entry belongs in the post-mortem's prose.
    pub fn keeps(&self, e: &Entry) -> bool {
        if said_by_people(e) {
            return true;
        }
        let about = services_of(e);
        if !self.services.is_empty()
            && !about.is_empty()
            && !about.iter().any(|s| self.services.contains(s))
        {
            return false;
        }
        self.from.is_none_or(|from| e.occurred_at >= from)
            && self.to.is_none_or(|to| e.occurred_at <= to)
    }
}
