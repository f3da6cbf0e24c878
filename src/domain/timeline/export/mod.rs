//! Exports of an incident: the post-mortem draft (markdown that reads well on
//! GitHub), JSON and CSV. Entries were redacted when written; text is
//! sanitized again here because an export may be pasted anywhere.

use super::entry::{Entry, EntryKind};

mod appendix;
mod response;
mod timeline;
use super::incident::{human_duration, Incident};
use crate::domain::sanitize::strip_controls;
use appendix::appendix;
use chrono::{DateTime, SecondsFormat, Utc};
use response::response;
use serde_json::json;
use timeline::timeline;

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Text safe inside a markdown table cell.
fn cell(text: &str) -> String {
    strip_controls(text)
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// The post-mortem draft, section by section.
pub fn markdown(incident: &Incident) -> String {
    let mut out = String::new();
    header(&mut out, incident);
    prompts_summary(&mut out, incident);
    key_timestamps(&mut out, incident);
    alarms(&mut out, incident);
    what_changed(&mut out, incident);
    where_the_time_went(&mut out, incident);
    response(&mut out, incident);
    timeline(&mut out, incident);
    prompts_lessons(&mut out, incident);
    appendix(&mut out, incident);
    // Whatever a section forgot: the draft is pasted anywhere.
    strip_controls(&out)
}

fn push(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

/// The title and the facts table.
fn header(out: &mut String, incident: &Incident) {
    push(out, &format!("# Post-mortem: {}", cell(&incident.title)));
    push(out, "");
    push(out, "| | |");
    push(out, "|---|---|");
    push(out, &format!("| Incident | `{}` |", incident.id));
    push(
        out,
        &format!(
            "| Severity | {} |",
            incident
                .severity
                .map(|s| s.as_str())
                .unwrap_or("_to choose: SEV1 (critical) to SEV4 (minor)_")
        ),
    );
    push(out, &format!("| Status | {} |", incident.status.as_str()));
    push(
        out,
        &format!(
            "| Started | {} UTC |",
            incident.started_at.map(utc).unwrap_or_else(|| "—".into())
        ),
    );
    push(
        out,
        &format!(
            "| Closed | {} |",
            incident
                .closed_at
                .map(|t| format!("{} UTC", utc(t)))
                .unwrap_or_else(|| "—".into())
        ),
    );
    let services = services_involved(incident);
    push(
        out,
        &format!(
            "| Services | {} |",
            if services.is_empty() {
                "_to fill: no service was journaled; name the ones affected_".to_string()
            } else {
                services.join(", ")
            }
        ),
    );
    let responders = responders(incident);
    push(
        out,
        &format!(
            "| Responders | {} |",
            if responders.is_empty() {
                "_to fill: no entry names its author (set `name` in the config, or $USER)_"
                    .to_string()
            } else {
                responders.join(", ")
            }
        ),
    );
    push(out, "");
}

/// Summary and impact: prompts for the author.
fn prompts_summary(out: &mut String, incident: &Incident) {
    let scope = super::scope::of(incident);
    let times = super::times::key_times(incident, &scope);
    let at = |what: &str| {
        times
            .rows
            .iter()
            .find(|r| r.what == what)
            .and_then(|r| r.at)
    };
    push(out, "## Summary");
    push(out, "");
    push(
        out,
        "_What happened, in two or three sentences, for someone who was not there. From the journal, to rewrite in your words:_",
    );
    push(out, "");
    let services: Vec<String> = scope.services.iter().cloned().collect();
    if let (false, Some(from)) = (services.is_empty(), at("Impact started")) {
        push(
            out,
            &format!(
                "> {} {} affected from {} UTC.",
                services.join(", "),
                if services.len() == 1 { "was" } else { "were" },
                utc(from)
            ),
        );
    }
    let changes: Vec<String> = super::steps::rows(incident)
        .into_iter()
        .filter(|r| r.changed)
        .filter_map(|r| r.what)
        // The undo belongs in the Response table, not in the summary.
        .map(|w| match w.split_once(" (undo") {
            Some((said, _)) => said.to_string(),
            None => w,
        })
        .collect();
    if !changes.is_empty() {
        push(
            out,
            &format!("> The response changed: {}.", cell(&changes.join("; "))),
        );
    }
    if let Some(t) = at("Recovered") {
        push(out, &format!("> Healthy again at {} UTC.", utc(t)));
    }
    push(out, "");
    push(out, "## Impact");
    push(out, "");
    push(
        out,
        "_Who was affected, how, and for how long. Numbers where you have them. What triage saw:_",
    );
    push(out, "");
    // What the console saw change, and the requests searches and
    // waterfalls found (saved as evidence).
    let seen: Vec<&Entry> = incident
        .live_entries()
        .filter(|e| scope.keeps(e))
        .filter(|e| {
            let observed = e.kind == EntryKind::Observation
                && (e.tags.iter().any(|t| t == "alarm")
                    || e.summary.contains(" → ")
                    || e.tags.iter().any(|t| t == "waiting"));
            let found = e.tags.first().is_some_and(|t| t == "logs" || t == "trace");
            observed || found
        })
        .take(10)
        .collect();
    for e in &seen {
        push(
            out,
            &format!("- {} UTC: {}", utc(e.occurred_at), cell(&e.summary)),
        );
    }
    if let Some(span) = times
        .spans
        .iter()
        .find(|s| s.what == "Time to recover" && s.took.is_some())
        .or_else(|| times.spans.iter().find(|s| s.what == "Time to resolve"))
    {
        if let Some(took) = span.took {
            push(
                out,
                &format!("- For {} ({}).", human_duration(took), span.between),
            );
        }
    }
    if !seen.is_empty() {
        push(out, "");
    }
}

/// Milestones and the durations between them.
fn key_timestamps(out: &mut String, incident: &Incident) {
    push(out, "## Key timestamps (UTC)");
    push(out, "");
    push(out, "| | Time | From |");
    push(out, "|---|---|---|");
    let times = super::times::key_times(incident, &super::scope::of(incident));
    for row in &times.rows {
        push(
            out,
            &format!(
                "| {} | {} | {} |",
                row.what,
                row.at.map(utc).unwrap_or_else(|| "—".into()),
                cell(&row.from)
            ),
        );
    }
    for span in &times.spans {
        push(
            out,
            &format!(
                "| **{}** | {} | {} |",
                span.what,
                span.took.map(human_duration).unwrap_or_else(|| "—".into()),
                span.between
            ),
        );
    }
    push(out, "");
}

/// The alarms the console saw change, in time order: into ALARM, back to OK.
fn alarms(out: &mut String, incident: &Incident) {
    // The incident's services' alarms, over its window.
    let scope = super::scope::of(incident);
    let seen: Vec<&Entry> = incident
        .live_entries()
        .filter(|e| e.tags.iter().any(|t| t == "alarm") && scope.keeps(e))
        .collect();
    if seen.is_empty() {
        return;
    }
    push(out, "## Alarms (UTC)");
    push(out, "");
    push(out, "| Time | Alarm | Services | Why |");
    push(out, "|---|---|---|---|");
    for e in seen {
        let services: Vec<&str> = e
            .resources
            .iter()
            .filter(|r| !r.starts_with("arn:"))
            .map(String::as_str)
            .collect();
        push(
            out,
            &format!(
                "| {} | {} | {} | {} |",
                utc(e.occurred_at),
                cell(&e.summary),
                if services.is_empty() {
                    "(account)".to_string()
                } else {
                    cell(&services.join(", "))
                },
                cell(e.detail.as_deref().unwrap_or("")),
            ),
        );
    }
    push(out, "");
}

/// The live entries' evidence lines that start with `mark`, the mark cut.
fn journaled<'a>(incident: &'a Incident, mark: &'static str) -> Vec<(&'a Entry, &'a str)> {
    incident
        .live_entries()
        .flat_map(|e| {
            e.evidence
                .iter()
                .filter_map(move |ev| ev.strip_prefix(mark))
                .map(move |ev| (e, ev))
        })
        .collect()
}

/// A table of journaled evidence: its time, its entry, the evidence.
fn evidence_table(out: &mut String, columns: (&str, &str), rows: &[(&Entry, &str)]) {
    push(out, &format!("| Time | {} | {} |", columns.0, columns.1));
    push(out, "|---|---|---|");
    for (e, evidence) in rows {
        push(
            out,
            &format!(
                "| {} | {} | {} |",
                utc(e.occurred_at),
                cell(&e.summary),
                cell(evidence)
            ),
        );
    }
    push(out, "");
}

/// What changed: each health change's top suspect as journaled (the
/// change nearest before the service's trouble began, and who made it).
fn what_changed(out: &mut String, incident: &Incident) {
    let suspects = journaled(incident, "what changed: ");
    // An empty section is left out: it would only say nothing was found.
    if suspects.is_empty() {
        return;
    }
    push(out, "## What changed");
    push(out, "");
    evidence_table(out, ("Health change", "Top suspect"), &suspects);
}

/// Where the time went: what slow services were found waiting on, and
/// the requests whose waterfalls were saved, as journaled.
fn where_the_time_went(out: &mut String, incident: &Incident) {
    let found = journaled(incident, "where the time went: ");
    if found.is_empty() {
        return;
    }
    push(out, "## Where the time went");
    push(out, "");
    evidence_table(out, ("What", "Where the time went"), &found);
}

/// Factors, lessons and action items (follow-ups tagged `followup`).
fn prompts_lessons(out: &mut String, incident: &Incident) {
    push(out, "## Contributing factors");
    push(out, "");
    push(
        out,
        "_What made this possible, and what made it worse? (Systems and conditions, not people.)_",
    );
    push(out, "");
    push(out, "## Lessons learned");
    push(out, "");
    push(
        out,
        "_What went well? What went badly? Where did we get lucky?_",
    );
    push(out, "");
    push(out, "## Action items");
    push(out, "");
    push(out, "| Action | Owner | Due |");
    push(out, "|---|---|---|");
    let followups: Vec<&Entry> = incident
        .live_entries()
        .filter(|e| e.tags.iter().any(|t| t == "followup"))
        .collect();
    if followups.is_empty() {
        push(out, "| _What will keep this from happening again?_ | | |");
    }
    for e in followups {
        push(out, &format!("| {} | _owner_ | _due_ |", cell(&e.summary)));
    }
    push(out, "");
}

/// The incident's services (its scope's), else every service its entries name.
fn services_involved(incident: &Incident) -> Vec<String> {
    let scoped = super::scope::of(incident).services;
    if !scoped.is_empty() {
        return scoped.into_iter().collect();
    }
    let mut services: Vec<String> = incident
        .live_entries()
        .flat_map(|e| e.resources.iter())
        .filter_map(|r| r.split_once(":service/").map(|(_, tail)| tail.to_string()))
        .collect();
    services.sort();
    services.dedup();
    services
}

/// Who wrote an entry, as the draft says it: a name nobody set is a dash.
fn who(actor: &super::entry::Actor) -> String {
    match actor {
        super::entry::Actor::Human { name } => {
            super::steps::person(name).unwrap_or_else(|| "—".into())
        }
        other => other.label(),
    }
}

/// The people who wrote its entries: the console's user, CLI users, shared
/// authors; a name nobody set (`unknown`) is no one's.
fn responders(incident: &Incident) -> Vec<String> {
    let mut people: Vec<String> = incident
        .entries
        .iter()
        .filter_map(|e| match &e.actor {
            super::entry::Actor::Human { name } => super::steps::person(name),
            _ => None,
        })
        .collect();
    people.sort();
    people.dedup();
    people
}

fn entry_json(e: &Entry, superseded: bool) -> serde_json::Value {
    let mut value = serde_json::to_value(e).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.insert("superseded".into(), json!(superseded));
    }
    value
}

/// `{"incident": {…}, "entries": […]}`, entries ordered by (occurred_at, seq).
pub fn json(incident: &Incident) -> serde_json::Value {
    crate::domain::sanitize::clean_json(json!({
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "severity": incident.severity.map(|s| s.as_str()),
            "status": incident.status.as_str(),
            "started_at": incident.started_at.map(rfc3339),
            "closed_at": incident.closed_at.map(rfc3339),
        },
        "entries": incident.entries.iter().map(|e| entry_json(e, incident.is_superseded(e))).collect::<Vec<_>>(),
    }))
}

pub(crate) const CSV_HEADER: &[&str] = &[
    "seq",
    "id",
    "occurred_at",
    "recorded_at",
    "time_source",
    "kind",
    "milestone",
    "actor",
    "summary",
    "detail",
    "resources",
    "evidence",
    "important",
    "tags",
    "supersedes",
    "superseded",
];

/// One row per entry (RFC 4180 quoting).
pub fn csv(incident: &Incident) -> String {
    let mut out = String::new();
    out.push_str(&CSV_HEADER.join(","));
    out.push_str("\r\n");
    for e in &incident.entries {
        let fields = [
            e.seq.to_string(),
            e.id.clone(),
            rfc3339(e.occurred_at),
            rfc3339(e.recorded_at),
            serde_json::to_value(e.time_source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            e.kind.as_str().to_string(),
            e.milestone
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            e.actor.label(),
            e.summary.clone(),
            e.detail.clone().unwrap_or_default(),
            e.resources.join(" "),
            e.evidence.join(" "),
            e.important.to_string(),
            e.tags.join(" "),
            e.supersedes.clone().unwrap_or_default(),
            incident.is_superseded(e).to_string(),
        ];
        let row: Vec<String> = fields
            .iter()
            .map(|f| csv_field(&strip_controls(f)))
            .collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(text: &str) -> String {
    // A leading = + - @ would be run as a formula by spreadsheets.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}
