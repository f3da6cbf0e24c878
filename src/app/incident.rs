//! The incident the console writes to: attaching it, the entries it writes
//! by itself (the console's start, stopped tasks once each), merging what the
//! journal and the shared log answer, and the timeline following new entries.

use super::effect::Effect;
use super::layout::scroll_into_view;
use super::navigation::flash;
use super::refresh::SHARE_PULL_SECONDS;
use super::screens::timeline::entry_rows;
use super::state::{AppState, Cursor, IncidentView};
use crate::domain::timeline::{observe, Actor, Entry, EntryDraft, EntryKind, Incident};
use chrono::Duration;

/// The incident was opened (or created): its entries so far.
pub(crate) fn on_attached(state: &mut AppState, id: String, entries: Vec<Entry>) -> Vec<Effect> {
    let now = state.now;
    let mut effects = Vec::new();
    if state.session.share {
        // What this console wrote before is published again; readers
        // keep each entry id once.
        effects.push(Effect::PublishShare {
            incident: id.clone(),
            entries: entries.clone(),
        });
    }
    let mut view = IncidentView {
        cursor: Cursor::default(),
        incident: Incident::from_entries(&id, entries),
        start_recorded: false,
        share_cursor: None,
        share_in_flight: false,
        share_next_at: now,
        share_error: None,
        all_entries: false,
    };
    view.cursor.selected = view.shown().len().saturating_sub(1);
    state.incident = Some(view);
    flash(
        state,
        &format!("writing the timeline of incident {id} (t or :tl shows it)"),
        false,
    );
    remember_journal_findings(state);
    effects.extend(super::security::journal_on_attach(state));
    effects.extend(record_start(state));
    effects.extend(record_stopped_tasks(state));
    effects.extend(super::screens::runbook::started_incident(state));
    // What is on screen now is the timeline's first look.
    if let (Some(ranked), true) = (&state.status.data, state.incident.is_some()) {
        effects.extend(
            observe::changes(None, ranked, state.several_pairs())
                .into_iter()
                .map(|d| Effect::Journal(Box::new(d))),
        );
    }
    effects
}

/// An entry was written to the journal.
pub(crate) fn on_journaled(state: &mut AppState, entry: Entry) -> Vec<Effect> {
    let publish = state.session.share.then(|| entry.clone());
    merge_entries(state, vec![entry]);
    match (publish, &state.incident) {
        (Some(entry), Some(view)) => vec![Effect::PublishShare {
            incident: view.incident.id.clone(),
            entries: vec![entry],
        }],
        _ => Vec::new(),
    }
}

/// The journal grew: what others appended joins the timeline, in order and
/// once (this console's own entries are already there, by id).
pub(crate) fn on_journal_grew(state: &mut AppState, entries: Vec<Entry>) {
    let Some(view) = &state.incident else {
        return;
    };
    let new: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !view.incident.entries.iter().any(|known| known.id == e.id))
        .collect();
    if new.is_empty() {
        return;
    }
    let count = new.len();
    merge_entries(state, new);
    flash(
        state,
        &format!(
            "{count} new timeline entr{} written from another terminal",
            if count == 1 { "y" } else { "ies" }
        ),
        false,
    );
}

/// The shared log answered: new entries from other responders, or an error.
pub(crate) fn on_share_pulled(
    state: &mut AppState,
    result: Result<(Vec<Entry>, Option<String>), String>,
) {
    let now = state.now;
    if let Some(view) = &mut state.incident {
        view.share_in_flight = false;
        view.share_next_at = now + Duration::seconds(SHARE_PULL_SECONDS);
        match result {
            Ok((entries, cursor)) => {
                view.share_cursor = cursor;
                view.share_error = None;
                if !entries.is_empty() {
                    let count = entries.len();
                    merge_entries(state, entries);
                    flash(
                        state,
                        &format!(
                            "{count} new shared entr{}",
                            if count == 1 { "y" } else { "ies" }
                        ),
                        false,
                    );
                }
            }
            Err(message) => {
                view.share_next_at = now + Duration::seconds(SHARE_PULL_SECONDS * 6);
                view.share_error = Some(message);
            }
        }
    }
}

/// Written locally, but the shared log refused it.
pub(crate) fn on_publish_failed(state: &mut AppState, message: String) {
    if let Some(view) = &mut state.incident {
        view.share_error = Some(message.clone());
    }
    flash(
        state,
        &format!("written locally, but not shared: {message}"),
        true,
    );
}

/// Write each stopped task worth it to the journal, once.
pub(crate) fn record_stopped_tasks(state: &mut AppState) -> Vec<Effect> {
    use crate::domain::diagnosis::journal::{entry_for, worth_recording};
    let (Some(_), Some(report)) = (&state.incident, &state.diagnosis.report.data) else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    let several = state.several_pairs();
    for finding in report.findings.iter().filter(|f| worth_recording(f)) {
        if state
            .diagnosis
            .recorded_tasks
            .insert(finding.task_arn.clone())
        {
            effects.push(Effect::Journal(Box::new(entry_for(finding, several))));
        }
    }
    effects
}

/// After the incident's entries change: the stopped tasks they hold.
pub(crate) fn remember_journal_findings(state: &mut AppState) {
    if let Some(view) = &state.incident {
        state.diagnosis.journal_findings =
            crate::domain::diagnosis::journal::findings_in(&view.incident.entries);
        for f in &state.diagnosis.journal_findings {
            state.diagnosis.recorded_tasks.insert(f.task_arn.clone());
        }
    }
}

/// Add entries to the attached incident (each id once) and refold it.
pub(crate) fn merge_entries(state: &mut AppState, new: Vec<Entry>) {
    if let Some(view) = &mut state.incident {
        let shown_before = view.shown().len();
        let mut entries = std::mem::take(&mut view.incident.entries);
        for entry in new {
            if !entries.iter().any(|e| e.id == entry.id) {
                entries.push(entry);
            }
        }
        // At the newest entry, the view follows new ones (like tail -f).
        let following = view.cursor.selected + 1 >= shown_before;
        view.incident = Incident::from_entries(&view.incident.id, entries);
        let len = view.shown().len();
        let rows = entry_rows(state.height);
        if following {
            let last = len.saturating_sub(1);
            view.cursor = Cursor {
                selected: last,
                offset: scroll_into_view(last, view.cursor.offset, rows),
            };
        } else {
            view.cursor.selected = view.cursor.selected.min(len.saturating_sub(1));
        }
    }
    remember_journal_findings(state);
}

/// The first entry of a console session: who, where (every pair), what is
/// watched. Written once every pair's identity is known (or could not be).
pub(crate) fn record_start(state: &mut AppState) -> Vec<Effect> {
    let Some(view) = &state.incident else {
        return Vec::new();
    };
    let identified = state
        .pairs
        .iter()
        .all(|w| w.identity.is_some() || w.identity_error.is_some());
    if view.start_recorded || !identified || state.identity().is_none() && !state.several_pairs() {
        return Vec::new();
    }
    let several = state.several_pairs();
    let target = match &state.session.demo {
        Some(scenario) => format!("the demo account (scenario {scenario})"),
        None => state
            .pairs
            .iter()
            .map(|w| {
                let name = if several {
                    format!("{}: ", w.pair())
                } else {
                    String::new()
                };
                let profile = w
                    .watched
                    .profile
                    .as_deref()
                    .map(|p| format!(" (profile {p})"))
                    .unwrap_or_default();
                match (&w.identity, &w.identity_error) {
                    (Some(identity), _) => format!(
                        "{name}account {} in {}{profile}",
                        identity.account.as_deref().unwrap_or("?"),
                        identity.region,
                    ),
                    (None, Some(err)) => format!("{name}unreadable ({}){profile}", err.short()),
                    (None, None) => format!("{name}?{profile}"),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    let clusters = if state.session.clusters.is_empty() {
        "every cluster".to_string()
    } else {
        format!("clusters {}", state.session.clusters.join(", "))
    };
    let mut draft = EntryDraft::new(
        EntryKind::Action,
        me(state),
        format!(
            "Console opened by {} on {target}, watching {clusters}",
            state.session.operator
        ),
    );
    draft.resources = state
        .pairs
        .iter()
        .filter_map(|w| w.identity.as_ref()?.principal.clone())
        .collect();
    if let Some(view) = &mut state.incident {
        view.start_recorded = true;
    }
    vec![Effect::Journal(Box::new(draft))]
}

pub(crate) fn me(state: &AppState) -> Actor {
    Actor::Human {
        name: state.session.operator.clone(),
    }
}
