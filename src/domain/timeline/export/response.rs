//! The post-mortem's *Response*: one row per runbook step (see
//! `timeline::steps`) and per action, in words — what it did, how it ended,
//! how long it took, who confirmed it.

use super::super::steps;
use super::{cell, push, utc, who};
use crate::domain::timeline::entry::{Entry, EntryKind};
use crate::domain::timeline::Incident;

/// Runbook steps and actions, with their outcomes.
pub(super) fn response(out: &mut String, incident: &Incident) {
    push(out, "## Response");
    push(out, "");
    let steps = steps::rows(incident);
    let actions: Vec<&Entry> = incident
        .live_entries()
        // An action with a record of what it did (not the console's start).
        .filter(|e| e.kind == EntryKind::Action && e.action.is_some())
        .collect();
    if steps.is_empty() && actions.is_empty() {
        push(out, "_No runbook step or action was recorded._");
        push(out, "");
        return;
    }
    push(
        out,
        "| Began | Step | What it did | Outcome | Took | Confirmed by |",
    );
    push(out, "|---|---|---|---|---|---|");
    for row in &steps {
        let what = match (&row.what, row.undo) {
            (Some(w), true) if !w.contains("(undo") => format!("{w} (undo recorded)"),
            (Some(w), _) => w.clone(),
            (None, _) => "—".into(),
        };
        push(
            out,
            &format!(
                "| {} | {} › {} | {} | {} | {} | {} |",
                utc(row.began),
                cell(&row.runbook),
                cell(&row.step),
                cell(&what),
                cell(&row.outcome),
                row.took_ms.map(took).unwrap_or_else(|| "—".into()),
                cell(row.confirmed_by.as_deref().unwrap_or("—"))
            ),
        );
    }
    for e in actions {
        let outcome = e
            .result
            .as_ref()
            .map(|r| r.status.clone())
            .unwrap_or_else(|| "—".into());
        push(
            out,
            &format!(
                "| {} | {} | {} | {} | {} | {} |",
                utc(e.occurred_at),
                cell(&e.summary),
                cell(
                    e.result
                        .as_ref()
                        .and_then(|r| r.excerpt.as_deref())
                        .unwrap_or("—")
                ),
                cell(&outcome),
                e.result
                    .as_ref()
                    .and_then(|r| r.duration_ms)
                    .map(took)
                    .unwrap_or_else(|| "—".into()),
                cell(&who(&e.actor))
            ),
        );
    }
    push(out, "");
}

/// `72 ms`, `1m 25s`.
fn took(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{}m {:02}s", ms / 60_000, (ms % 60_000) / 1000)
    }
}
