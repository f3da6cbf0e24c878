//! A runbook step as a reviewer reads it: the journal records each step
//! several times (planned, confirmed, running, then how it ended); here
//! each attempt of each step is **one row** — when it began, how it ended,
//! what it did in the step's own words, how long it took, who confirmed it,
//! whether an undo was recorded. The entries stay whole in the JSON export.

use super::{step_words, Entry, EntryKind, Incident};
use chrono::{DateTime, Utc};

/// One step attempt, folded.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow<'a> {
    /// The entry that says how it ended (or the last one seen).
    pub last: &'a Entry,
    pub runbook: String,
    pub step: String,
    /// When its first entry was recorded (planned, usually).
    pub began: DateTime<Utc>,
    /// `succeeded`, `failed`, `skipped`, … (or the state it was left in).
    pub outcome: String,
    /// What it did, in its own words (the result's first line).
    pub what: Option<String>,
    pub took_ms: Option<u64>,
    pub confirmed_by: Option<String>,
    /// It changed the account and recorded how to undo it.
    pub undo: bool,
    /// It changed the account (its kind is destructive) and succeeded.
    pub changed: bool,
}

static NO_VALUE: serde_json::Value = serde_json::Value::Null;

/// A row being folded: its step attempt, the row, the inputs it was
/// planned with and its kind.
type Folding<'a> = (
    (&'a str, &'a str, u32),
    StepRow<'a>,
    &'a serde_json::Value,
    Option<&'a str>,
);

/// A step entry's state, for folding: not a step entry when None.
fn step_key(e: &Entry) -> Option<(&str, &str, u32)> {
    let r = e.runbook.as_ref()?;
    (e.kind == EntryKind::Step && !r.step_id.is_empty()).then_some((
        r.run_id.as_str(),
        r.step_id.as_str(),
        r.attempt,
    ))
}

/// The entry is one of a step's in-between records (planned, confirmed,
/// running), folded into the step's row.
pub fn is_folded(e: &Entry) -> bool {
    step_key(e).is_some()
        && e.runbook.as_ref().is_some_and(|r| {
            matches!(
                r.state.as_str(),
                "planned" | "confirmed" | "running" | "pending"
            )
        })
}

/// Every step attempt of the incident's live entries, one row each, in the
/// order they began.
pub fn rows(incident: &Incident) -> Vec<StepRow<'_>> {
    // Each row with the inputs it was planned with and its kind.
    let mut rows: Vec<Folding<'_>> = Vec::new();
    for e in incident.live_entries() {
        let (Some(key), Some(r)) = (step_key(e), e.runbook.as_ref()) else {
            continue;
        };
        let (row, inputs, kind) = match rows.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, row, inputs, kind)) => (row, inputs, kind),
            None => {
                rows.push((
                    key,
                    StepRow {
                        last: e,
                        runbook: runbook_name(&r.file),
                        step: step_title(&e.summary, &r.step_id),
                        began: e.occurred_at,
                        outcome: r.state.clone(),
                        what: None,
                        took_ms: None,
                        confirmed_by: None,
                        undo: false,
                        changed: false,
                    },
                    &NO_VALUE,
                    None,
                ));
                let (_, row, inputs, kind) = rows.last_mut().expect("just pushed");
                (row, inputs, kind)
            }
        };
        row.last = e;
        row.outcome = e
            .result
            .as_ref()
            .map(|x| x.status.clone())
            .unwrap_or_else(|| r.state.clone());
        if let Some(a) = &e.action {
            if let Some(name) = a.confirmed_by.as_deref().and_then(person) {
                row.confirmed_by = Some(name);
            }
            if !a.inputs.is_null() {
                *inputs = &a.inputs;
            }
            if !a.kind.is_empty() {
                *kind = Some(a.kind.as_str());
            }
            // A read's "undo" carries what it found; only a change is undone.
            row.undo |= a.destructive && !a.undo.is_null();
        }
        if let Some(x) = &e.result {
            row.took_ms = x.duration_ms.or(row.took_ms);
            let record = step_words::StepRecord {
                kind: kind.unwrap_or(""),
                inputs,
                outputs: &x.outputs,
                undo: e.action.as_ref().map(|a| &a.undo).unwrap_or(&NO_VALUE),
                excerpt: x.excerpt.as_deref().and_then(|t| t.lines().next()),
            };
            row.what = step_words::in_words(record)
                .map(|w| super::super::sanitize::one_line(&w))
                .or(row.what.take());
            row.changed =
                x.status == "succeeded" && e.action.as_ref().is_some_and(|a| a.destructive);
        }
    }
    rows.into_iter()
        .map(|(_, mut row, ..)| {
            // No words of its own: the entry's summary, unless it is the
            // generic `Runbook … · step …` line.
            if row.what.is_none() && !row.last.summary.starts_with("Runbook ") {
                row.what = Some(super::super::sanitize::one_line(&row.last.summary));
            }
            row
        })
        .collect()
}

/// A person's name as the draft says it: none for a name nobody set.
pub(crate) fn person(name: &str) -> Option<String> {
    let name = super::super::sanitize::one_line(name.trim());
    (!name.is_empty() && name != "unknown").then_some(name)
}

/// `oom-restart-loop` from `runbooks/oom-restart-loop.md`.
fn runbook_name(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.trim_end_matches(".md").to_string()
}

/// `Roll back` from `Runbook oom-restart-loop · step rollback (Roll back): planned`;
/// the step's id when the summary has no title.
fn step_title(summary: &str, step_id: &str) -> String {
    summary
        .split_once(&format!("step {step_id} ("))
        .and_then(|(_, rest)| rest.rsplit_once("):"))
        .map(|(title, _)| title.to_string())
        .unwrap_or_else(|| step_id.to_string())
}
