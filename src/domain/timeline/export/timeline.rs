//! The post-mortem's *Timeline*: every entry of the incident's scope, in
//! time order. A step's in-between records fold into the row of how it
//! ended; the stops of one service for one cause fold into one row (how
//! many, from when to when); what is out of scope is counted below.

use super::{cell, push, utc, who};
use crate::domain::timeline::entry::{Entry, EntryKind};
use crate::domain::timeline::{scope, steps, Incident};

/// The tag of a stopped task's entry (`domain::diagnosis::journal`).
const STOPPED_TASK: &str = "stopped-task";

/// `prod-web/chatbot-api` and `Out of memory (…)` of
/// `prod-web/chatbot-api task b29983ca stopped: Out of memory (…)`.
fn stop_of(e: &Entry) -> Option<(String, String)> {
    if !e.tags.iter().any(|t| t == STOPPED_TASK) {
        return None;
    }
    let (service, rest) = e.summary.split_once(" task ")?;
    let (_, why) = rest.split_once(" stopped: ")?;
    Some((service.to_string(), why.to_string()))
}

/// The stops of each service and cause in scope: the first entry's id →
/// (how many, the last one's time).
fn folded_stops<'a>(
    entries: impl Iterator<Item = &'a Entry>,
) -> std::collections::HashMap<String, (usize, chrono::DateTime<chrono::Utc>)> {
    let mut first: std::collections::HashMap<(String, String), String> = Default::default();
    let mut folded: std::collections::HashMap<String, (usize, chrono::DateTime<chrono::Utc>)> =
        Default::default();
    for e in entries {
        if let Some(key) = stop_of(e) {
            let id = first.entry(key).or_insert_with(|| e.id.clone()).clone();
            let row = folded.entry(id).or_insert((0, e.occurred_at));
            row.0 += 1;
            row.1 = row.1.max(e.occurred_at);
        }
    }
    folded
}

/// Every live entry, in time order.
pub(super) fn timeline(out: &mut String, incident: &Incident) {
    push(out, "## Timeline (UTC)");
    push(out, "");
    push(out, "| Time | Kind | Actor | Event | Evidence |");
    push(out, "|---|---|---|---|---|");
    // A step's planned / confirmed / running records fold into the row of
    // how it ended; what the console saw of other services, or outside the
    // incident's window, is counted below.
    let scope = scope::of(incident);
    let stops = folded_stops(incident.live_entries().filter(|e| scope.keeps(e)));
    let mut elsewhere = 0;
    for e in incident.live_entries().filter(|e| !steps::is_folded(e)) {
        if !scope.keeps(e) {
            elsewhere += 1;
            continue;
        }
        let mut event = cell(&e.summary);
        if stop_of(e).is_some() {
            match stops.get(&e.id) {
                // Counted in the row of the first of its kind.
                None => continue,
                Some((1, _)) => {}
                Some((n, last)) => {
                    let (service, why) = stop_of(e).unwrap_or_default();
                    event = cell(&format!(
                        "{service}: {n} tasks stopped: {why} (the last at {})",
                        last.format("%H:%M:%S")
                    ));
                }
            }
        }
        if e.kind == EntryKind::Milestone || e.important {
            event = format!("**{event}**");
        }
        if e.is_backdated() {
            event.push_str(&format!(" _(recorded {})_", utc(e.recorded_at)));
        }
        if e.supersedes.is_some() {
            event.push_str(" _(corrected)_");
        }
        let kind = match e.milestone {
            Some(m) => format!("milestone: {}", m.as_str()),
            None => e.kind.as_str().to_string(),
        };
        let evidence = e
            .evidence
            .iter()
            .map(|x| cell(x))
            .collect::<Vec<_>>()
            .join("<br>");
        push(
            out,
            &format!(
                "| {} | {} | {} | {} | {} |",
                utc(e.occurred_at),
                kind,
                cell(&who(&e.actor)),
                event,
                evidence
            ),
        );
    }
    if elsewhere > 0 {
        push(out, "");
        push(
            out,
            &format!(
                "_{elsewhere} other event{} in the account (other services, or outside the incident's window) are left out here; every one is in the JSON export: `triage incident export {} --format json`._",
                if elsewhere == 1 { "" } else { "s" },
                incident.id
            ),
        );
    }
    push(out, "");
}
