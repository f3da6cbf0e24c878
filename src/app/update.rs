//! `update(state, msg) -> effects`: the only place the console's state changes.

use super::effect::{Effect, WorkerResult};
use super::input::{KeyPress, MouseInput};
use super::keymap::{action_for, Action};
use super::layout::{list_rows, list_top, scroll_into_view};
use super::palette::{self, Command};
use super::state::{
    AppState, Cursor, InFlight, IncidentView, Message, Overlay, Prompt, PromptPurpose, Refreshing,
    Screen,
};
use super::text_input::{Edit, TextInput};
use crate::domain::ranking::rank;
use crate::domain::timeline::{
    observe, time_input, Actor, Entry, EntryDraft, EntryKind, Incident, Milestone,
};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyPress),
    Mouse(MouseInput),
    /// Text pasted into the terminal (bracketed paste): typed into the
    /// field being edited, ignored anywhere else.
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (the console ticks about once a second).
    Tick(DateTime<Utc>),
    Worker(WorkerResult),
}

/// A request still unanswered after this long is given up on.
const REQUEST_TIMEOUT_SECONDS: i64 = 90;
/// First retry delay after a failed refresh; doubles up to the refresh interval.
const RETRY_BASE_SECONDS: i64 = 2;

/// The effects to run when the console opens.
pub fn init(state: &mut AppState) -> Vec<Effect> {
    let mut effects = vec![Effect::FetchIdentity, Effect::LoadRunbooks];
    effects.extend(request_status(state));
    effects
}

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            if state.message.as_ref().is_some_and(|m| m.until <= now) {
                state.message = None;
            }
            due_refreshes(state)
        }
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            clamp_cursors(state);
            Vec::new()
        }
        Msg::Worker(result) => on_result(state, result),
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(mouse) => on_mouse(state, mouse),
        Msg::Paste(text) => super::paste::on_paste(state, &text),
    }
}

// ----- refreshing -----

fn due_refreshes(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    let now = state.now;
    if is_due(&state.status, now) {
        effects.extend(request_status(state));
    }
    if matches!(state.screen, Screen::Service(_)) && is_due(&state.detail, now) {
        effects.extend(request_detail(state));
    }
    if diagnosis_due(state) {
        effects.extend(request_diagnosis(state));
    }
    effects.extend(super::logs::due(state));
    if state.session.share {
        if let Some(view) = &mut state.incident {
            if !view.shared_in_flight && now >= view.shared_next_at {
                view.shared_in_flight = true;
                effects.push(Effect::PullShared {
                    incident: view.incident.id.clone(),
                    cursor: view.shared_cursor.clone(),
                });
            }
        }
    }
    effects
}

/// How often the shared incident log is read.
const SHARED_PULL_SECONDS: i64 = 5;

fn is_due<T>(r: &Refreshing<T>, now: DateTime<Utc>) -> bool {
    match r.in_flight {
        Some(f) => now - f.since > Duration::seconds(REQUEST_TIMEOUT_SECONDS),
        None => now >= r.next_at,
    }
}

fn request_status(state: &mut AppState) -> Vec<Effect> {
    let generation = begin(&mut state.status, state.now);
    vec![Effect::FetchStatus {
        generation,
        clusters: state.session.clusters.clone(),
    }]
}

/// When a deployment is to blame for a finding's loop, ask what changed
/// between the revision before and the one that fails.
fn request_revision_diff(state: &mut AppState, task_arn: &str) -> Vec<Effect> {
    let Some(report) = &state.diagnosis.data else {
        return Vec::new();
    };
    let Some(finding) = report.findings.iter().find(|f| f.task_arn == task_arn) else {
        return Vec::new();
    };
    let Some(pattern) = report.patterns.iter().find(|p| {
        p.since_deployment
            && p.cause == finding.cause
            && p.cluster == finding.cluster
            && Some(p.service.as_str()) == finding.service.as_deref()
    }) else {
        return Vec::new();
    };
    let Some(before) = pattern.rollback_to.clone() else {
        return Vec::new();
    };
    let after = crate::domain::service::revision_label(&finding.task_definition);
    if state
        .revision_diff
        .as_ref()
        .is_some_and(|d| d.before == before && d.after == after && d.changes.is_some())
    {
        return Vec::new();
    }
    state.revision_diff = Some(crate::app::state::RevisionDiff {
        task_arn: task_arn.to_string(),
        before: before.clone(),
        after: after.clone(),
        changes: None,
    });
    vec![Effect::FetchRevisionDiff {
        task_arn: task_arn.to_string(),
        before,
        after,
    }]
}

/// Rows the diagnosis screen spends on patterns above its list.
pub const DIAGNOSIS_PATTERN_ROWS: u16 = 3;

/// Stopped tasks are read while the diagnosis is on screen, and in the
/// background (half as often) while some service is unhealthy, so the home
/// screen can show restart loops.
fn diagnosis_due(state: &AppState) -> bool {
    let on_screen = matches!(state.screen, Screen::Diagnosis | Screen::Finding(_));
    let unhealthy = state
        .status
        .data
        .as_ref()
        .is_some_and(|ranked| ranked.iter().any(|r| r.verdict.health.is_unhealthy()));
    if !on_screen && !unhealthy {
        return false;
    }
    if !is_due(&state.diagnosis, state.now) {
        return false;
    }
    on_screen
        || state
            .diagnosis
            .updated_at
            .is_none_or(|t| state.now - t >= state.session.refresh_others * 2)
}

/// The diagnosis job reuses the services of the last status read (and
/// remembers the stopped tasks it has seen), so a background pass costs a
/// ListTasks per cluster page and only describes what is new.
fn request_diagnosis(state: &mut AppState) -> Vec<Effect> {
    let generation = begin(&mut state.diagnosis, state.now);
    let known = state.status.data.as_ref().map(|ranked| {
        (
            ranked.iter().map(|r| r.service.clone()).collect(),
            state.clusters_read.clone(),
        )
    });
    vec![Effect::FetchDiagnosis {
        generation,
        clusters: state.session.clusters.clone(),
        known,
    }]
}

fn request_detail(state: &mut AppState) -> Vec<Effect> {
    let Screen::Service(key) = &state.screen else {
        return Vec::new();
    };
    let key = key.clone();
    let generation = begin(&mut state.detail, state.now);
    vec![Effect::FetchServiceDetail { generation, key }]
}

fn begin<T>(r: &mut Refreshing<T>, now: DateTime<Utc>) -> u64 {
    r.generation += 1;
    r.in_flight = Some(InFlight {
        generation: r.generation,
        since: now,
    });
    r.generation
}

/// Record the outcome of a refresh: data and its time, or the error and when to retry.
fn settle<T>(
    r: &mut Refreshing<T>,
    now: DateTime<Utc>,
    interval: Duration,
    outcome: Result<T, PortError>,
) {
    r.in_flight = None;
    match outcome {
        Ok(data) => {
            r.data = Some(data);
            r.updated_at = Some(now);
            r.error = None;
            r.failures = 0;
            r.next_at = now + interval;
        }
        Err(err) => {
            // Keep the last known data on screen; retry with growing delays.
            r.failures = r.failures.saturating_add(1);
            let delay =
                Duration::seconds(RETRY_BASE_SECONDS << r.failures.min(5).saturating_sub(1));
            r.next_at = now + delay.min(interval);
            r.error = Some(err);
        }
    }
}

fn on_result(state: &mut AppState, result: WorkerResult) -> Vec<Effect> {
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
fn record_stopped_tasks(state: &mut AppState) -> Vec<Effect> {
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
fn remember_journal_findings(state: &mut AppState) {
    if let Some(view) = &state.incident {
        state.journal_findings =
            crate::domain::diagnosis::journal::findings_in(&view.incident.entries);
        for f in &state.journal_findings {
            state.recorded_tasks.insert(f.task_arn.clone());
        }
    }
}

/// Add entries to the attached incident (each id once) and refold it.
fn merge_entries(state: &mut AppState, new: Vec<Entry>) {
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
fn record_start(state: &mut AppState) -> Vec<Effect> {
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

fn me(state: &AppState) -> Actor {
    Actor::Human {
        name: state.session.operator.clone(),
    }
}

// ----- keys -----

pub(super) fn on_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    match &mut state.overlay {
        Overlay::Help => {
            if matches!(action_for(&state.screen, key), Some(Action::Quit)) && key.ctrl {
                return quit(state);
            }
            state.overlay = Overlay::None;
            return Vec::new();
        }
        Overlay::Palette(input) => {
            return match input.handle(key) {
                Edit::Submit => {
                    let line = input.text.clone();
                    state.overlay = Overlay::None;
                    run_command(state, &line)
                }
                Edit::Cancel => {
                    state.overlay = Overlay::None;
                    Vec::new()
                }
                Edit::Changed | Edit::Ignored => {
                    if key.key == super::input::Key::Tab {
                        let matches = palette::complete(&input.text);
                        if let [only] = matches.as_slice() {
                            input.text = format!("{only} ");
                        }
                    }
                    Vec::new()
                }
            };
        }
        Overlay::Prompt(prompt) => {
            return match prompt.input.handle(key) {
                Edit::Submit => {
                    let prompt = prompt.clone();
                    state.overlay = Overlay::None;
                    answer(state, prompt)
                }
                Edit::Cancel => {
                    state.overlay = Overlay::None;
                    Vec::new()
                }
                Edit::Changed | Edit::Ignored => Vec::new(),
            };
        }
        Overlay::None => {}
    }
    if state.screen == Screen::RunbookForm {
        return super::runbook::on_form_key(state, key);
    }
    if state.screen == Screen::Run && state.run.as_ref().is_some_and(|r| r.input.is_some()) {
        return super::runbook::on_run_input_key(state, key);
    }
    if super::logs::shown(state).is_some_and(|l| l.find_input.is_some())
        && matches!(state.screen, Screen::Logs | Screen::TaskLogs(_))
    {
        return super::logs::on_find_key(state, key);
    }
    if state.filtering {
        match state.filter.handle(key) {
            Edit::Submit => state.filtering = false,
            Edit::Cancel => {
                state.filtering = false;
                state.filter = TextInput::default();
            }
            Edit::Changed | Edit::Ignored => {}
        }
        state.home = Cursor::default();
        state.events = Cursor::default();
        remember_home_selection(state);
        return Vec::new();
    }
    let Some(action) = action_for(&state.screen, key) else {
        return Vec::new();
    };
    perform(state, action)
}

fn perform(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = list_rows(state.height).max(1);
    match action {
        Action::Quit => return quit(state),
        Action::Help => state.overlay = Overlay::Help,
        Action::Palette => state.overlay = Overlay::Palette(TextInput::default()),
        Action::Filter => state.filtering = true,
        Action::Back => return back(state),
        Action::Up => move_by(state, -1),
        Action::Down => move_by(state, 1),
        Action::PageUp => move_by(state, -(page as i64)),
        Action::PageDown => move_by(state, page as i64),
        Action::Top => move_by(state, i64::MIN / 2),
        Action::Bottom => move_by(state, i64::MAX / 2),
        Action::Open => return open_selected(state),
        Action::Refresh => {
            let mut effects = request_status(state);
            effects.extend(request_detail(state));
            flash(state, "refreshing…", false);
            return effects;
        }
        Action::ClusterEvents => {
            let cluster = match &state.screen {
                Screen::Service(key) => Some(key.cluster.clone()),
                _ => state
                    .visible_services()
                    .get(state.home.selected)
                    .map(|r| r.service.cluster.clone()),
            };
            return go(state, Screen::Events(cluster));
        }
        Action::AllEvents => return go(state, Screen::Events(None)),
        Action::Timeline => return go(state, Screen::Timeline),
        Action::Diagnosis => return go(state, Screen::Diagnosis),
        Action::TaskLogs => {
            if let Screen::Finding(arn) = &state.screen {
                let arn = arn.clone();
                return go(state, Screen::TaskLogs(arn));
            }
        }
        Action::CopyArn => {
            if let Screen::Finding(arn) = &state.screen {
                let arn = arn.clone();
                flash(state, "task ARN copied (OSC 52)", false);
                return vec![Effect::Copy(arn)];
            }
        }
        Action::AddNote => ask(state, PromptPurpose::Note, String::new()),
        Action::AddMilestone => ask(state, PromptPurpose::Milestone, String::new()),
        Action::EditEntry => {
            if let Some(entry) = selected_entry(state) {
                let (id, summary) = (entry.id.clone(), entry.summary.clone());
                ask(state, PromptPurpose::Edit(id), summary);
            }
        }
        Action::ToggleImportant => {
            if let Some(entry) = selected_entry(state) {
                let mut draft = EntryDraft::correcting(entry);
                draft.important = !entry.important;
                return vec![Effect::Journal(Box::new(draft))];
            }
        }
        Action::Export => {
            if state.incident.is_some() {
                return vec![Effect::ExportIncident];
            }
            no_incident(state);
        }
        Action::OpenRunbook => return super::runbook::open_for_finding(state),
        Action::RunAnswer
        | Action::RunSkip
        | Action::RunAbort
        | Action::RunDone
        | Action::RunFailed
        | Action::RunRetry
        | Action::RunFollow => return super::runbook::on_run_action(state, action),
        Action::FollowId => return super::logs::follow_id_of_line(state),
        Action::LogsExpand
        | Action::LogsFind
        | Action::LogsNext
        | Action::LogsPrevious
        | Action::LogsContext
        | Action::LogsFollow
        | Action::LogsSave => return super::logs::on_action(state, action),
    }
    Vec::new()
}

/// Open a prompt (only with an incident attached, except to start one).
fn ask(state: &mut AppState, purpose: PromptPurpose, text: String) {
    if state.incident.is_none() && purpose != PromptPurpose::StartIncident {
        no_incident(state);
        return;
    }
    state.overlay = Overlay::Prompt(Prompt {
        purpose,
        input: TextInput { text },
    });
}

fn no_incident(state: &mut AppState) {
    flash(state, "no incident is open: :start TITLE opens one", true);
}

/// The timeline entry under the cursor (live or superseded).
fn selected_entry(state: &AppState) -> Option<&Entry> {
    if state.screen != Screen::Timeline {
        return None;
    }
    let view = state.incident.as_ref()?;
    view.incident.entries.get(view.cursor.selected)
}

/// A prompt was answered.
fn answer(state: &mut AppState, prompt: Prompt) -> Vec<Effect> {
    let text = prompt.input.text.trim().to_string();
    if text.is_empty() {
        return Vec::new();
    }
    let draft = match prompt.purpose {
        PromptPurpose::StartIncident => return vec![Effect::StartIncident { title: text }],
        PromptPurpose::SearchAll => {
            return if text.eq_ignore_ascii_case("y") || text.eq_ignore_ascii_case("yes") {
                super::logs::search_all(state)
            } else {
                Vec::new()
            }
        }
        PromptPurpose::Note => EntryDraft::new(EntryKind::Note, me(state), text),
        PromptPurpose::Milestone => {
            let (name, when) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
            let milestone = match Milestone::parse(name) {
                Ok(m) => m,
                Err(message) => {
                    flash(state, &message, true);
                    return Vec::new();
                }
            };
            let at = if when.trim().is_empty() {
                None
            } else {
                match time_input::parse(when, state.now) {
                    Ok(at) => Some(at),
                    Err(err) => {
                        flash(state, &err.to_string(), true);
                        return Vec::new();
                    }
                }
            };
            EntryDraft::milestone(milestone, me(state), at)
        }
        PromptPurpose::Edit(id) => {
            let Some(entry) = state
                .incident
                .as_ref()
                .and_then(|v| v.incident.entries.iter().find(|e| e.id == id))
            else {
                return Vec::new();
            };
            let mut draft = EntryDraft::correcting(entry);
            draft.summary = text;
            draft.actor = me(state);
            draft
        }
    };
    vec![Effect::Journal(Box::new(draft))]
}

fn quit(state: &mut AppState) -> Vec<Effect> {
    state.quit = true;
    vec![Effect::Quit]
}

pub(crate) fn flash(state: &mut AppState, text: &str, error: bool) {
    state.message = Some(Message {
        text: text.to_string(),
        error,
        until: state.now + Duration::seconds(if error { 8 } else { 3 }),
    });
}

/// Navigate to a screen, remembering where we came from.
pub(crate) fn go(state: &mut AppState, screen: Screen) -> Vec<Effect> {
    if state.screen == screen {
        return Vec::new();
    }
    let previous = std::mem::replace(&mut state.screen, screen);
    state.back.push(previous);
    if state.back.len() > 50 {
        state.back.remove(0);
    }
    entered(state)
}

pub(crate) fn back(state: &mut AppState) -> Vec<Effect> {
    if !state.filter.text.is_empty() {
        state.filter = TextInput::default();
        return Vec::new();
    }
    let previous = state.back.pop().unwrap_or(Screen::Home);
    state.screen = previous;
    entered(state)
}

/// A screen was entered: reset its cursor and fetch what it needs.
fn entered(state: &mut AppState) -> Vec<Effect> {
    state.filter = TextInput::default();
    state.filtering = false;
    match state.screen.clone() {
        Screen::Service(key) => {
            state.detail_scroll = 0;
            if state.detail_key.as_ref() != Some(&key) {
                state.detail = Refreshing::new(state.now);
                state.detail_key = Some(key);
            }
            request_detail(state)
        }
        Screen::Events(_) => {
            state.events = Cursor::default();
            Vec::new()
        }
        Screen::Home => {
            restore_home_selection(state);
            Vec::new()
        }
        Screen::Diagnosis => {
            state.diagnosis_cursor = Cursor::default();
            if state.diagnosis.in_flight.is_none()
                && state
                    .diagnosis
                    .updated_at
                    .is_none_or(|t| state.now - t > Duration::seconds(10))
            {
                return request_diagnosis(state);
            }
            Vec::new()
        }
        Screen::Finding(arn) => {
            state.detail_scroll = 0;
            request_revision_diff(state, &arn)
        }
        Screen::TaskLogs(arn) => {
            state.detail_scroll = 0; // counted from the end: the lines right before the stop
            let finding = state
                .diagnosis
                .data
                .as_ref()
                .and_then(|r| r.findings.iter().find(|f| f.task_arn == arn))
                .or_else(|| state.journal_findings.iter().find(|f| f.task_arn == arn))
                .cloned();
            state.task_logs = Some((arn, None));
            state.task_log_view = None;
            match finding {
                Some(finding) => vec![Effect::FetchTaskLogs {
                    finding: Box::new(finding),
                }],
                None => Vec::new(),
            }
        }
        Screen::Runbooks | Screen::RunbookForm | Screen::Logs => Vec::new(),
        Screen::Run => {
            if let Some(view) = &mut state.run {
                view.follow = true;
                view.selected = view.current();
                view.scroll = 0;
            }
            Vec::new()
        }
        Screen::Timeline => {
            let rows = list_rows(state.height).saturating_sub(TIMELINE_SUMMARY_ROWS as usize);
            if let Some(view) = &mut state.incident {
                let last = view.incident.entries.len().saturating_sub(1);
                view.cursor = Cursor {
                    selected: last,
                    offset: scroll_into_view(last, 0, rows),
                };
            }
            Vec::new()
        }
    }
}

/// Rows the timeline screen spends on key timestamps above its list.
pub const TIMELINE_SUMMARY_ROWS: u16 = 2;

fn open_selected(state: &mut AppState) -> Vec<Effect> {
    let key = match &state.screen {
        Screen::Home => state
            .visible_services()
            .get(state.home.selected)
            .map(|r| r.service.key()),
        Screen::Events(_) => state.visible_events().get(state.events.selected).map(|e| {
            crate::domain::service::ServiceKey {
                cluster: e.cluster.to_string(),
                service: e.service.to_string(),
            }
        }),
        Screen::Diagnosis => {
            let arn = state
                .visible_findings()
                .get(state.diagnosis_cursor.selected)
                .map(|f| f.task_arn.clone());
            return match arn {
                Some(arn) => go(state, Screen::Finding(arn)),
                None => Vec::new(),
            };
        }
        Screen::Runbooks => return super::runbook::open_selected(state),
        Screen::Service(_)
        | Screen::Timeline
        | Screen::Finding(_)
        | Screen::TaskLogs(_)
        | Screen::RunbookForm
        | Screen::Run
        | Screen::Logs => None,
    };
    match key {
        Some(key) => go(state, Screen::Service(key)),
        None => Vec::new(),
    }
}

fn run_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let command = match palette::parse(line) {
        Ok(c) => c,
        Err(message) => {
            flash(state, &message, true);
            return Vec::new();
        }
    };
    if let Some(screen) = palette::target(&command) {
        if screen == Screen::Home {
            state.back.clear();
            state.screen = Screen::Home;
            return entered(state);
        }
        return go(state, screen);
    }
    match command {
        Command::OpenService(name) => {
            let found = state.status.data.as_ref().and_then(|ranked| {
                ranked
                    .iter()
                    .find(|r| r.service.name == name)
                    .or_else(|| ranked.iter().find(|r| r.service.name.contains(&name)))
                    .map(|r| r.service.key())
            });
            match found {
                Some(key) => go(state, Screen::Service(key)),
                None => {
                    flash(
                        state,
                        &format!("no service named `{name}` is watched"),
                        true,
                    );
                    Vec::new()
                }
            }
        }
        Command::Theme(name) => {
            match crate::settings::ThemeSpec::built_in(&name) {
                Some(theme) => {
                    state.theme = theme;
                    flash(state, &format!("theme {name}"), false);
                }
                None => flash(
                    state,
                    &format!("no built-in theme `{name}`: dark, light, high-contrast"),
                    true,
                ),
            }
            Vec::new()
        }
        Command::StartIncident(title) => {
            if let Some(view) = &state.incident {
                flash(
                    state,
                    &format!(
                        "already writing incident {}; close it first (triage incident close)",
                        view.incident.id
                    ),
                    true,
                );
                return Vec::new();
            }
            vec![Effect::StartIncident { title }]
        }
        Command::Refresh => perform(state, Action::Refresh),
        Command::Help => perform(state, Action::Help),
        Command::Quit => quit(state),
        Command::Runbooks => super::runbook::open_picker(state),
        Command::Run => super::runbook::show_run(state),
        Command::Logs(id) => super::logs::open(state, &id),
        Command::Resume(ask) => super::runbook::resume(state, ask),
        Command::Services | Command::Events(_) | Command::Timeline | Command::Diagnosis => {
            Vec::new()
        }
    }
}

// ----- cursors -----

fn move_by(state: &mut AppState, delta: i64) {
    let rows = list_rows(state.height);
    match state.screen {
        Screen::Home => {
            let len = state.visible_services().len();
            state.home = moved(state.home, delta, len, rows);
            remember_home_selection(state);
        }
        Screen::Events(_) => {
            let len = state.visible_events().len();
            state.events = moved(state.events, delta, len, rows);
        }
        Screen::Diagnosis => {
            let rows = rows.saturating_sub(DIAGNOSIS_PATTERN_ROWS as usize);
            let len = state.visible_findings().len();
            state.diagnosis_cursor = moved(state.diagnosis_cursor, delta, len, rows);
        }
        Screen::Finding(_) => {
            // Scrolls the finding's text (a few screens at most); the view clamps at its end.
            let target = (state.detail_scroll as i64).saturating_add(delta);
            state.detail_scroll = target.clamp(0, 80) as usize;
        }
        Screen::TaskLogs(_) => super::logs::move_by(state, delta),
        Screen::Timeline => {
            let rows = rows.saturating_sub(TIMELINE_SUMMARY_ROWS as usize);
            if let Some(view) = &mut state.incident {
                let len = view.incident.entries.len();
                view.cursor = moved(view.cursor, delta, len, rows);
            }
        }
        Screen::Runbooks => {
            // One row goes to the banner above the list.
            let len = super::runbook::visible_runbooks(state).len();
            state.runbooks.cursor =
                moved(state.runbooks.cursor, delta, len, rows.saturating_sub(1));
        }
        Screen::Run => {
            if let Some(view) = &mut state.run {
                if delta.abs() == 1 {
                    // j/k: look at another step.
                    let len = view.file.runbook.steps.len() as i64;
                    let target = (view.selected as i64 + delta).clamp(0, (len - 1).max(0));
                    view.selected = target as usize;
                    view.follow = false;
                    view.scroll = 0;
                } else {
                    // Pages (and g/G) scroll the step's text; the view clamps at its end.
                    let target = (view.scroll as i64).saturating_add(delta.signum() * 10);
                    view.scroll = target.clamp(0, 10_000) as usize;
                }
            }
        }
        Screen::RunbookForm => {}
        Screen::Logs => super::logs::move_by(state, delta),
        Screen::Service(_) => {
            let len = state
                .detail
                .data
                .as_ref()
                .map(|d| d.service.events.len())
                .unwrap_or(0);
            let target = (state.detail_scroll as i64).saturating_add(delta);
            state.detail_scroll = target.clamp(0, len.saturating_sub(1) as i64) as usize;
        }
    }
}

fn moved(cursor: Cursor, delta: i64, len: usize, rows: usize) -> Cursor {
    if len == 0 {
        return Cursor::default();
    }
    let selected = (cursor.selected as i64)
        .saturating_add(delta)
        .clamp(0, len as i64 - 1) as usize;
    Cursor {
        selected,
        offset: scroll_into_view(selected, cursor.offset, rows),
    }
}

fn remember_home_selection(state: &mut AppState) {
    state.home_selected_key = state
        .visible_services()
        .get(state.home.selected)
        .map(|r| r.service.key());
}

/// After a re-rank, keep the cursor on the same service.
fn restore_home_selection(state: &mut AppState) {
    let rows = list_rows(state.height);
    let visible = state.visible_services();
    let index = state
        .home_selected_key
        .as_ref()
        .and_then(|key| visible.iter().position(|r| &r.service.key() == key));
    let len = visible.len();
    drop(visible);
    match index {
        Some(i) => {
            state.home.selected = i;
            state.home.offset = scroll_into_view(i, state.home.offset, rows);
        }
        None => {
            state.home = moved(state.home, 0, len, rows);
            remember_home_selection(state);
        }
    }
}

fn clamp_cursors(state: &mut AppState) {
    let rows = list_rows(state.height);
    let home_len = state.visible_services().len();
    state.home = moved(state.home, 0, home_len, rows);
    let events_len = state.visible_events().len();
    state.events = moved(state.events, 0, events_len, rows);
}

// ----- mouse -----

fn on_mouse(state: &mut AppState, mouse: MouseInput) -> Vec<Effect> {
    if state.overlay != Overlay::None {
        return Vec::new();
    }
    match mouse {
        MouseInput::ScrollUp => perform(state, Action::Up),
        MouseInput::ScrollDown => perform(state, Action::Down),
        MouseInput::Click { row, .. } => {
            let top = list_top();
            if row < top || row as usize >= top as usize + list_rows(state.height) {
                return Vec::new();
            }
            let cursor = match state.screen {
                Screen::Home => state.home,
                Screen::Events(_) => state.events,
                Screen::Service(_)
                | Screen::Timeline
                | Screen::Diagnosis
                | Screen::Finding(_)
                | Screen::TaskLogs(_)
                | Screen::Runbooks
                | Screen::RunbookForm
                | Screen::Run
                | Screen::Logs => return Vec::new(),
            };
            let index = cursor.offset + (row - top) as usize;
            let len = match state.screen {
                Screen::Home => state.visible_services().len(),
                _ => state.visible_events().len(),
            };
            if index >= len {
                return Vec::new();
            }
            if index == cursor.selected {
                return open_selected(state);
            }
            let delta = index as i64 - cursor.selected as i64;
            move_by(state, delta);
            Vec::new()
        }
    }
}
