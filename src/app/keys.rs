//! Keys: text fields and overlays first, then the keymap's action for the
//! screen, and what each action does.

use super::commands::run_command;
use super::cursors::{move_by, remember_home_selection, restore_home_selection};
use super::effect::Effect;
use super::input::KeyPress;
use super::keymap::Action;
use super::layout::TIMELINE_SUMMARY_ROWS;
use super::layout::{list_rows, scroll_into_view};
use super::navigation::{back, flash, go};
use super::palette;
use super::prompts::{answer, ask, no_incident, selected_entry};
use super::refresh::{request_detail, request_diagnosis, request_revision_diff, request_status};
use super::state::{AppState, Cursor, Overlay, PromptPurpose, Refreshing, Screen};
use super::text_input::{Edit, TextInput};
use crate::domain::timeline::EntryDraft;
use chrono::Duration;

pub(super) fn on_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    match &mut state.overlay {
        Overlay::Help => {
            if matches!(
                state.keymap.action_for(&state.screen, key),
                Some(Action::Quit)
            ) && key.ctrl
            {
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
                    if super::keymap::text_action(key) == Some(Action::Complete) {
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
    let Some(action) = state.keymap.action_for(&state.screen, key) else {
        return Vec::new();
    };
    perform(state, action)
}

pub(super) fn perform(state: &mut AppState, action: Action) -> Vec<Effect> {
    let page = list_rows(state.height).max(1);
    match action {
        Action::Quit => return quit(state),
        Action::Keys => return go(state, Screen::Keys),
        // Text-field keys are read by the field itself, never by a screen.
        Action::EditSubmit
        | Action::EditCancel
        | Action::EditBackspace
        | Action::EditClear
        | Action::EditDeleteWord
        | Action::Complete => {}
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

pub(super) fn quit(state: &mut AppState) -> Vec<Effect> {
    state.quit = true;
    vec![Effect::Quit]
}

/// A screen was entered: reset its cursor and fetch what it needs.
pub(super) fn entered(state: &mut AppState) -> Vec<Effect> {
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
        Screen::Keys => {
            state.keymap_scroll = 0;
            Vec::new()
        }
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

pub(super) fn open_selected(state: &mut AppState) -> Vec<Effect> {
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
        | Screen::Logs
        | Screen::Keys => None,
    };
    match key {
        Some(key) => go(state, Screen::Service(key)),
        None => Vec::new(),
    }
}
