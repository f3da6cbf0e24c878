//! The post-mortem's appendices: an index of the step records (one row per
//! step attempt, naming the journal records that hold it in full — the
//! records themselves are only in the JSON export) and the entries later
//! corrected.

use super::{cell, push, utc};
use crate::domain::timeline::entry::{Entry, EntryKind};
use crate::domain::timeline::Incident;

/// The records of one step attempt (or one action, or a run's start/end).
struct Attempt<'a> {
    key: (String, String, u32),
    records: Vec<&'a Entry>,
}

/// `#3–5`, `#12, #14–15`.
fn seq_ranges(seqs: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seqs.len() {
        let mut j = i;
        while j + 1 < seqs.len() && seqs[j + 1] == seqs[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            format!("#{}", seqs[i])
        } else {
            format!("#{}–{}", seqs[i], seqs[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

fn attempts(incident: &Incident) -> Vec<Attempt<'_>> {
    let mut out: Vec<Attempt<'_>> = Vec::new();
    for e in incident.entries.iter().filter(|e| {
        e.kind == EntryKind::Step || (e.kind == EntryKind::Action && e.action.is_some())
    }) {
        let key = match &e.runbook {
            Some(r) => (r.run_id.clone(), r.step_id.clone(), r.attempt),
            None => (String::new(), e.id.clone(), 0),
        };
        match out.iter_mut().find(|a| a.key == key) {
            Some(a) => a.records.push(e),
            None => out.push(Attempt {
                key,
                records: vec![e],
            }),
        }
    }
    out
}

/// An index of the step records, and the entries later corrected.
pub(super) fn appendix(out: &mut String, incident: &Incident) {
    push(out, "## Appendix: step records");
    push(out, "");
    let attempts = attempts(incident);
    if attempts.is_empty() {
        push(out, "_None._");
        push(out, "");
    } else {
        push(
            out,
            &format!(
                "Every record in full (inputs, outputs, undo) is in `triage incident export {} --format json`, by its number:",
                incident.id
            ),
        );
        push(out, "");
        push(
            out,
            "| Run | Step | Kind | Ended | Changed the account | Records |",
        );
        push(out, "|---|---|---|---|---|---|");
        for a in &attempts {
            let last = a.records.last().expect("an attempt has a record");
            let (run, step) = match &last.runbook {
                Some(_) if a.key.1.is_empty() => {
                    (format!("`{}`", a.key.0), "(the run)".to_string())
                }
                Some(_) if a.key.2 > 1 => (
                    format!("`{}`", a.key.0),
                    format!("{} (attempt {})", a.key.1, a.key.2),
                ),
                Some(_) => (format!("`{}`", a.key.0), a.key.1.clone()),
                None => ("—".to_string(), cell(&last.summary)),
            };
            let kind = a
                .records
                .iter()
                .find_map(|e| e.action.as_ref().map(|x| x.kind.clone()))
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "—".into());
            let changed = a.records.iter().any(|e| {
                e.action
                    .as_ref()
                    .is_some_and(|x| x.destructive && !x.dry_run)
            });
            let ended = last
                .runbook
                .as_ref()
                .map(|r| r.state.clone())
                .or_else(|| last.result.as_ref().map(|r| r.status.clone()))
                .unwrap_or_else(|| "—".into());
            let seqs: Vec<u64> = a.records.iter().map(|e| e.seq).collect();
            push(
                out,
                &format!(
                    "| {} | {} | {} | {} | {} | {} |",
                    run,
                    cell(&step),
                    cell(&kind),
                    cell(&ended),
                    if changed { "yes" } else { "no" },
                    seq_ranges(&seqs)
                ),
            );
        }
        push(out, "");
    }
    corrections(out, incident);
}

fn corrections(out: &mut String, incident: &Incident) {
    let corrections: Vec<&Entry> = incident
        .entries
        .iter()
        .filter(|e| incident.is_superseded(e))
        .collect();
    if !corrections.is_empty() {
        push(out, "## Appendix: corrected entries");
        push(out, "");
        push(out, "| Time | Was | Recorded |");
        push(out, "|---|---|---|");
        for e in corrections {
            push(
                out,
                &format!(
                    "| {} | ~~{}~~ | {} |",
                    utc(e.occurred_at),
                    cell(&e.summary),
                    utc(e.recorded_at)
                ),
            );
        }
        push(out, "");
    }
}
