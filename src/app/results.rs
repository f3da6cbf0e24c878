//! What a worker's answer does to the state: the status, a service, the
//! diagnosis, the incident journal (stopped tasks written once, entries
//! merged), runbooks and search results passed to their screens.

use super::cursors::{moved, restore_home_selection};
use super::effect::{Effect, WorkerResult};
use super::layout::{list_rows, scroll_into_view};
use super::layout::{DIAGNOSIS_PATTERN_ROWS, TIMELINE_SUMMARY_ROWS};
use super::navigation::flash;
use super::refresh::{settle, SHARED_PULL_SECONDS};
use super::state::{AppState, Cursor, IncidentView};
use crate::domain::ranking::rank;
use crate::domain::timeline::{observe, Actor, Entry, EntryDraft, EntryKind, Incident};
use crate::domain::PortError;
use chrono::Duration;

pub(super) fn on_result(state: &mut AppState, result: WorkerResult) -> Vec<Effect> {
    let now = state.now;
    match result {
        WorkerResult::Identity(Ok(identity)) => {
            state.identity = Some(identity);
            state.identity_error = None;
            return record_start(state);
        }
        WorkerResult::Identity(Err(err)) => state.identity_error = Some(err),
        WorkerResult::Status { generation, result } => {
            if generation != state.status.generation {
                return Vec::new(); // an older refresh, overtaken
            }
            let interval = state.session.refresh_others;
            let previous = state.status.data.take();
            let result = result.map(|snapshot| {
                if snapshot.throttled_calls > state.throttled_calls {
                    state.throttled_at = Some(now);
                }
                state.throttled_calls = snapshot.throttled_calls;
                state.cluster_errors = snapshot.cluster_errors;
                state.clusters_read = snapshot.clusters;
                rank(snapshot.services, now)
            });
            if let Err(PortError::Throttled { .. }) = &result {
                state.throttled_at = Some(now);
            }
            let mut effects = Vec::new();
            if let (Ok(next), Some(_)) = (&result, &state.incident) {
                effects.extend(
                    observe::changes(previous.as_deref(), next)
                        .into_iter()
                        .map(|draft| Effect::Journal(Box::new(draft))),
                );
            }
            if result.is_err() {
                state.status.data = previous;
            }
            settle(&mut state.status, now, interval, result);
            restore_home_selection(state);
            return effects;
        }
        WorkerResult::ServiceDetail {
            generation,
            key,
            result,
        } => {
            if generation != state.detail.generation || state.detail_key.as_ref() != Some(&key) {
                return Vec::new(); // stale: another service is selected now
            }
            let interval = state.session.refresh_selected;
            settle(&mut state.detail, now, interval, result.map(|d| *d));
        }
        WorkerResult::IncidentAttached(Ok((id, entries))) => {
            let mut effects = Vec::new();
            if state.session.share {
                // What this console wrote before is published again; readers
                // keep each entry id once.
                effects.push(Effect::PublishShared {
                    incident: id.clone(),
                    entries: entries.clone(),
                });
            }
            state.incident = Some(IncidentView {
                cursor: Cursor {
                    selected: entries.len().saturating_sub(1),
                    offset: 0,
                },
                incident: Incident::from_entries(&id, entries),
                start_recorded: false,
                shared_cursor: None,
                shared_in_flight: false,
                shared_next_at: now,
                shared_error: None,
            });
            flash(
                state,
                &format!("writing the timeline of incident {id} (t or :tl shows it)"),
                false,
            );
            remember_journal_findings(state);
            effects.extend(record_start(state));
            effects.extend(record_stopped_tasks(state));
            effects.extend(super::runbook::started_incident(state));
            // What is on screen now is the timeline's first look.
            if let (Some(ranked), true) = (&state.status.data, state.incident.is_some()) {
                effects.extend(
                    observe::changes(None, ranked)
                        .into_iter()
                        .map(|d| Effect::Journal(Box::new(d))),
                );
            }
            return effects;
        }
        WorkerResult::IncidentAttached(Err(message)) => flash(state, &message, true),
        WorkerResult::Journaled(Ok(entry)) => {
            let publish = state.session.share.then(|| (*entry).clone());
            merge_entries(state, vec![*entry]);
            if let (Some(entry), Some(view)) = (publish, &state.incident) {
                return vec![Effect::PublishShared {
                    incident: view.incident.id.clone(),
                    entries: vec![entry],
                }];
            }
        }
        WorkerResult::SharedPulled(result) => {
            if let Some(view) = &mut state.incident {
                view.shared_in_flight = false;
                view.shared_next_at = now + Duration::seconds(SHARED_PULL_SECONDS);
                match result {
                    Ok((entries, cursor)) => {
                        view.shared_cursor = cursor;
                        view.shared_error = None;
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
                        view.shared_next_at = now + Duration::seconds(SHARED_PULL_SECONDS * 6);
                        view.shared_error = Some(message);
                    }
                }
            }
        }
        WorkerResult::Diagnosis { generation, result } => {
            if generation != state.diagnosis.generation {
                return Vec::new();
            }
            let interval = state.session.refresh_others;
            settle(&mut state.diagnosis, now, interval, result.map(|r| *r));
            let effects = record_stopped_tasks(state);
            let len = state.visible_findings().len();
            let rows = list_rows(state.height).saturating_sub(DIAGNOSIS_PATTERN_ROWS as usize);
            state.diagnosis_cursor = moved(state.diagnosis_cursor, 0, len, rows);
            return effects;
        }
        WorkerResult::TaskLogs { task_arn, logs } => {
            if let Some((arn, lines)) = &mut state.task_logs {
                if *arn == task_arn {
                    if let crate::domain::diagnosis::LogTail::Lines { stream, lines } = &logs {
                        let service = state
                            .diagnosis
                            .data
                            .as_ref()
                            .and_then(|r| r.findings.iter().find(|f| f.task_arn == task_arn))
                            .and_then(|f| f.service.clone().map(|s| format!("{}/{s}", f.cluster)));
                        let rows = list_rows(state.height)
                            .saturating_sub(super::logs::LOGS_HEADER_ROWS as usize);
                        state.task_log_view = Some(super::logs::LogsView::task_log(
                            {
                                let id = crate::domain::service::arn_name(&task_arn);
                                id.get(..8).unwrap_or(id)
                            },
                            stream,
                            lines,
                            service.as_deref(),
                            now,
                            rows,
                        ));
                    }
                    *lines = Some(logs);
                }
            }
        }
        WorkerResult::RevisionDiff {
            task_arn,
            before,
            after,
            result,
        } => {
            if let Some(diff) = &mut state.revision_diff {
                if diff.before == before && diff.after == after {
                    diff.task_arn = task_arn;
                    diff.changes = Some(result);
                }
            }
        }
        WorkerResult::Runbooks(files) => return super::runbook::on_runbooks(state, files),
        WorkerResult::LogHits {
            generation,
            events,
            services,
        } => super::logs::on_hits(state, generation, events, services),
        WorkerResult::LogsDone {
            generation,
            complete,
            coverage,
            capped,
        } => super::logs::on_done(state, generation, complete, coverage, capped),
        WorkerResult::LogContext {
            generation,
            index,
            lines,
        } => super::logs::on_context(state, generation, index, lines),
        WorkerResult::Run(event) => {
            let mut effects = Vec::new();
            if let super::effect::RunEvent::Transition(entry) = &event {
                // The run journals by itself; the timeline shows its entries too.
                effects = on_result(state, WorkerResult::Journaled(Ok(entry.clone())));
            }
            super::runbook::on_event(state, event);
            return effects;
        }
        WorkerResult::SharedPublishFailed(message) => {
            if let Some(view) = &mut state.incident {
                view.shared_error = Some(message.clone());
            }
            flash(
                state,
                &format!("written locally, but not shared: {message}"),
                true,
            );
        }
        WorkerResult::Journaled(Err(message)) => {
            flash(
                state,
                &format!("NOT written to the journal: {message}"),
                true,
            );
        }
        WorkerResult::Exported(Ok(paths)) => {
            flash(state, &format!("exported {}", paths.join(", ")), false)
        }
        WorkerResult::Exported(Err(message)) => {
            flash(state, &format!("export failed: {message}"), true)
        }
    }
    Vec::new()
}

/// Write each stopped task worth it to the journal, once.
pub(super) fn record_stopped_tasks(state: &mut AppState) -> Vec<Effect> {
    use crate::domain::diagnosis::journal::{entry_for, worth_recording};
    let (Some(_), Some(report)) = (&state.incident, &state.diagnosis.data) else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    for finding in report.findings.iter().filter(|f| worth_recording(f)) {
        if state.recorded_tasks.insert(finding.task_arn.clone()) {
            effects.push(Effect::Journal(Box::new(entry_for(finding))));
        }
    }
    effects
}

/// After the incident's entries change: the stopped tasks they hold.
pub(super) fn remember_journal_findings(state: &mut AppState) {
    if let Some(view) = &state.incident {
        state.journal_findings =
            crate::domain::diagnosis::journal::findings_in(&view.incident.entries);
        for f in &state.journal_findings {
            state.recorded_tasks.insert(f.task_arn.clone());
        }
    }
}

/// Add entries to the attached incident (each id once) and refold it.
pub(super) fn merge_entries(state: &mut AppState, new: Vec<Entry>) {
    if let Some(view) = &mut state.incident {
        let mut entries = std::mem::take(&mut view.incident.entries);
        let before = entries.len();
        for entry in new {
            if !entries.iter().any(|e| e.id == entry.id) {
                entries.push(entry);
            }
        }
        let new_count = entries.len() - before;
        // At the newest entry, the view follows new ones (like tail -f).
        let following = view.cursor.selected + 1 >= entries.len().saturating_sub(new_count);
        view.incident = Incident::from_entries(&view.incident.id, entries);
        let len = view.incident.entries.len();
        let rows = list_rows(state.height).saturating_sub(TIMELINE_SUMMARY_ROWS as usize);
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

/// The first entry of a console session: who, where, what is watched.
pub(super) fn record_start(state: &mut AppState) -> Vec<Effect> {
    let (Some(view), Some(identity)) = (&state.incident, &state.identity) else {
        return Vec::new();
    };
    if view.start_recorded {
        return Vec::new();
    }
    let target = match &state.session.demo {
        Some(scenario) => format!("the demo account (scenario {scenario})"),
        None => format!(
            "account {} in {}{}",
            identity.account.as_deref().unwrap_or("?"),
            identity.region,
            state
                .session
                .profile
                .as_deref()
                .map(|p| format!(" (profile {p})"))
                .unwrap_or_default()
        ),
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
    if let Some(principal) = &identity.principal {
        draft.resources.push(principal.clone());
    }
    if let Some(view) = &mut state.incident {
        view.start_recorded = true;
    }
    vec![Effect::Journal(Box::new(draft))]
}

pub(super) fn me(state: &AppState) -> Actor {
    Actor::Human {
        name: state.session.operator.clone(),
    }
}
