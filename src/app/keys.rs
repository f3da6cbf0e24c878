//! Keys: text fields and overlays first, then the keymap's action for the
//! screen, and what each action does.

use super::commands::run_command;
use super::cursors::move_by;
use super::effect::Effect;
use super::input::KeyPress;
use super::keymap::Action;
use super::layout::list_rows;
use super::navigation::{back, flash, go};
use super::palette;
use super::prompts::{answer, ask, no_incident, selected_entry};
use super::refresh::request_status;
use super::screens::service::request_detail;
use super::screens::services::remember_selection;
use super::screens::{hooks, Screen};
use super::state::{AppState, Cursor, Overlay, PromptPurpose};
use super::text_input::{Edit, TextInput};
use crate::domain::timeline::EntryDraft;

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
        Overlay::Pick(_) => return super::picker::on_key(state, key),
        Overlay::None => {}
    }
    let screen = hooks(&state.screen);
    if screen.editing_text(state) {
        return screen.on_text_key(state, key);
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
        state.services.cursor = Cursor::default();
        state.events.cursor = Cursor::default();
        remember_selection(state);
        return Vec::new();
    }
    let Some(action) = state.keymap.action_for(&state.screen, key) else {
        return Vec::new();
    };
    perform(state, action)
}

pub(super) fn perform(state: &mut AppState, action: Action) -> Vec<Effect> {
    // Long on purpose: the dispatcher of actions every screen shares, one short arm each.
    if let Some(effects) = hooks(&state.screen).on_action(state, action) {
        return effects;
    }
    let page = list_rows(state.height).max(1);
    match action {
        Action::Quit => return quit(state),
        Action::Keys => return go(state, Screen::Keymap),
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
            effects.extend(super::monitoring::refresh_now(state));
            flash(state, "refreshing…", false);
            return effects;
        }
        Action::ClusterEvents => {
            let cluster = match &state.screen {
                Screen::Service(key) => Some(key.cluster.clone()),
                _ => state.selected_service().map(|r| r.service.cluster.clone()),
            };
            return go(state, Screen::Events(cluster));
        }
        Action::AllEvents => return go(state, Screen::Events(None)),
        Action::Timeline => return go(state, Screen::Timeline),
        Action::Diagnosis => return go(state, Screen::Diagnosis),
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
        // Keys of one screen, handled by its hooks above; elsewhere they do nothing.
        Action::TaskLogs
        | Action::CopyArn
        | Action::OpenRunbook
        | Action::RunAnswer
        | Action::RunSkip
        | Action::RunAbort
        | Action::RunDone
        | Action::RunFailed
        | Action::RunRetry
        | Action::RunFollow
        | Action::FollowId
        | Action::LogsExpand
        | Action::LogsFind
        | Action::LogsNext
        | Action::LogsPrevious
        | Action::LogsContext
        | Action::LogsFollow
        | Action::LogsSave
        | Action::Exec
        | Action::NextPair
        | Action::MetricsWindow => {}
    }
    Vec::new()
}

pub(super) fn quit(state: &mut AppState) -> Vec<Effect> {
    state.quit = true;
    vec![Effect::Quit]
}

/// A screen was entered: the filter is cleared and the screen's hooks
/// reset its cursor and fetch what it needs.
pub(super) fn entered(state: &mut AppState) -> Vec<Effect> {
    state.filter = TextInput::default();
    state.filtering = false;
    hooks(&state.screen).entered(state)
}

pub(super) fn open_selected(state: &mut AppState) -> Vec<Effect> {
    hooks(&state.screen).open_selected(state)
}
