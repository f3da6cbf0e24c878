//! A runbook step as a reviewer reads it: the journal records each step
//! several times (planned, confirmed, running, then how it ended); here
//! each attempt of each step is **one row** — when it began, how it ended,
//! what it did in the step's own words, how long it took, who confirmed it,
//! whether an undo was recorded. The entries stay whole in the JSON export.

use super::{Entry, EntryKind, Incident};
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
}

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
    let mut rows: Vec<((&str, &str, u32), StepRow<'_>)> = Vec::new();
    for e in incident.live_entries() {
        let (Some(key), Some(r)) = (step_key(e), e.runbook.as_ref()) else {
            continue;
        };
        let row = match rows.iter_mut().find(|(k, _)| *k == key) {
            Some((_, row)) => row,
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
                    },
                ));
                &mut rows.last_mut().expect("just pushed").1
            }
        };
        row.last = e;
        row.outcome = e
            .result
            .as_ref()
            .map(|x| x.status.clone())
            .unwrap_or_else(|| r.state.clone());
        if let Some(a) = &e.action {
            if a.confirmed_by.is_some() {
                row.confirmed_by = a.confirmed_by.clone();
            }
            // A read's "undo" carries what it found; only a change is undone.
            row.undo |= a.destructive && !a.undo.is_null();
        }
        if let Some(x) = &e.result {
            row.took_ms = x.duration_ms.or(row.took_ms);
            row.what = x
                .excerpt
                .as_deref()
                .and_then(|t| t.lines().next())
                .map(super::super::sanitize::one_line)
                .or(row.what.take());
        }
    }
    rows.into_iter()
        .map(|(_, mut row)| {
            // No words of its own: the entry's summary, unless it is the
            // generic `Runbook … · step …` line.
            if row.what.is_none() && !row.last.summary.starts_with("Runbook ") {
                row.what = Some(super::super::sanitize::one_line(&row.last.summary));
            }
            row
        })
        .collect()
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
