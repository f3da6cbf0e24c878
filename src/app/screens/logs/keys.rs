//! The logs screen's keys: its hooks, find within the results (`/`, `n`,
//! `N`), expand, context, follow, save as evidence, and cursor moves; the
//! same keys work on a task's logs, over that one stream's view.

use super::{follow_id_of_line, LogsView, LOGS_HEADER_ROWS};
use crate::app::commands::{Command, Scope};
use crate::app::effect::Effect;
use crate::app::input::KeyPress;
use crate::app::layout::{list_rows, scroll_into_view};
use crate::app::screens::{Screen, ScreenHooks};
use crate::app::state::{AppState, Cursor};
use crate::app::text_input::{Edit, TextInput};
use crate::app::update::flash;
use crate::domain::timeline::{Actor, EntryDraft, EntryKind};

/// The view the screen shows: the ID search, or a task's log.
fn current(state: &mut AppState) -> Option<&mut LogsView> {
    match state.screen {
        Screen::TaskLogs(_) => state.task_logs.as_mut().and_then(|t| t.view_mut()),
        _ => state.logs.as_mut(),
    }
}

/// The view on screen, to read.
pub fn shown(state: &AppState) -> Option<&LogsView> {
    match state.screen {
        Screen::TaskLogs(_) => state.task_logs.as_ref().and_then(|t| t.view()),
        _ => state.logs.as_ref(),
    }
}

/// The find field of the view on screen is open.
pub(crate) fn finding_text(state: &AppState) -> bool {
    matches!(state.screen, Screen::Logs | Screen::TaskLogs(_))
        && shown(state).is_some_and(|l| l.find_input.is_some())
}

/// The keys of log lines, on the logs screen and a task's logs.
pub(crate) fn on_log_command(state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::FollowId => Some(follow_id_of_line(state)),
        Command::TraceLine => Some(trace_line(state)),
        Command::LogsExpand
        | Command::LogsFind
        | Command::LogsNext
        | Command::LogsPrevious
        | Command::LogsContext
        | Command::LogsFollow
        | Command::LogsSave => Some(on_command(state, command)),
        _ => None,
    }
}

/// The logs screen's hooks (a task's logs has its own, over the same view).
pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Logs, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the logs screen"
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        move_by(state, delta)
    }

    fn editing_text(&self, state: &AppState) -> bool {
        finding_text(state)
    }

    fn on_text_key(&self, state: &mut AppState, key: KeyPress) -> Vec<Effect> {
        on_find_key(state, key)
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        on_log_command(state, command)
    }
}

pub(crate) fn rows(state: &AppState) -> usize {
    list_rows(state.height).saturating_sub(LOGS_HEADER_ROWS as usize)
}

/// A key while the find field is open.
pub fn on_find_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    let Some(view) = current(state) else {
        return Vec::new();
    };
    let Some(input) = view.find_input.as_mut() else {
        return Vec::new();
    };
    match input.handle(key) {
        Edit::Submit => {
            view.find = input.text.trim().to_string();
            view.find_input = None;
            jump(state, true, true);
        }
        Edit::Cancel => view.find_input = None,
        Edit::Changed | Edit::Ignored => {}
    }
    Vec::new()
}

/// To the next (or previous) line containing the find text.
fn jump(state: &mut AppState, forward: bool, include_current: bool) {
    let rows = rows(state);
    let Some(view) = current(state) else {
        return;
    };
    if view.find.is_empty() || view.events.is_empty() {
        return;
    }
    let needle = view.find.to_lowercase();
    let n = view.events.len();
    let from = view.cursor.selected;
    let found = (0..n)
        .map(|step| {
            let step = if include_current { step } else { step + 1 };
            if forward {
                (from + step) % n
            } else {
                (from + n - step % n) % n
            }
        })
        .find(|&i| {
            let e = &view.events[i];
            e.message.to_lowercase().contains(&needle)
                || view.service_of(&e.group).to_lowercase().contains(&needle)
        });
    let text = match found {
        Some(i) => {
            view.cursor = Cursor {
                selected: i,
                offset: scroll_into_view(i, view.cursor.offset, rows),
            };
            view.context = None;
            None
        }
        None => Some(format!("no line contains “{}”", view.find)),
    };
    if let Some(text) = text {
        flash(state, &text, true);
    }
}

/// A logs-screen key (from the keymap).
pub fn on_command(state: &mut AppState, command: Command) -> Vec<Effect> {
    let me = Actor::Human {
        name: state.session.operator.clone(),
    };
    let has_incident = state.incident.is_some();
    let Some(view) = current(state) else {
        return Vec::new();
    };
    match command {
        Command::LogsExpand => view.expanded = !view.expanded,
        Command::LogsFind => view.find_input = Some(TextInput::default()),
        Command::LogsNext => jump(state, true, false),
        Command::LogsPrevious => jump(state, false, false),
        Command::LogsFollow if view.task_log => {
            flash(
                state,
                "this task has stopped; L follows a line's ID across services",
                true,
            );
        }
        Command::LogsFollow => {
            view.following = !view.following;
            let text = if view.following {
                "following: new lines with this ID are added as they arrive"
            } else {
                "stopped following"
            };
            flash(state, text, false);
        }
        Command::LogsContext => {
            let index = view.cursor.selected;
            let Some(event) = view.events.get(index) else {
                return Vec::new();
            };
            if view.context.as_ref().is_some_and(|(i, _)| *i == index) {
                view.context = None;
                return Vec::new();
            }
            return vec![Effect::LogContext {
                generation: view.generation,
                index,
                pair: event.pair.clone(),
                group: event.group.clone(),
                stream: event.stream.clone(),
                at: event.timestamp,
            }];
        }
        Command::LogsSave => {
            if !has_incident {
                flash(state, "no incident is open: :start TITLE opens one", true);
                return Vec::new();
            }
            if view.events.is_empty() {
                flash(state, "nothing to save yet", true);
                return Vec::new();
            }
            let draft = evidence(view, me);
            flash(state, "saved to the incident as evidence", false);
            return vec![Effect::Journal(Box::new(draft))];
        }
        _ => {}
    }
    Vec::new()
}

/// The search as a journal entry: what was found, where, and the lines.
fn evidence(view: &LogsView, actor: Actor) -> EntryDraft {
    let services: Vec<String> = view.groups_hit.iter().map(|g| view.service_of(g)).collect();
    let first = view.events.first().map(|e| e.timestamp);
    let last = view.events.last().map(|e| e.timestamp);
    let summary = if view.task_log {
        format!(
            "Log of task {} ({}) up to its stop: {} line{}",
            view.id,
            services.join(", "),
            view.events.len(),
            if view.events.len() == 1 { "" } else { "s" },
        )
    } else {
        format!(
            "Request {}: {} log line{} across {}",
            view.id,
            view.events.len(),
            if view.events.len() == 1 { "" } else { "s" },
            services.join(" → ")
        )
    };
    let mut draft = EntryDraft::new(EntryKind::Observation, actor, summary);
    draft.occurred_at = first;
    // The lines themselves (at most 200), sanitized; the journal is redacted on write.
    let lines: Vec<String> = view
        .events
        .iter()
        .take(200)
        .map(|e| {
            format!(
                "{}  {}  {}",
                e.timestamp.format("%H:%M:%S%.3f"),
                view.service_of(&e.group),
                crate::domain::sanitize::one_line(&e.message)
            )
        })
        .collect();
    draft.detail = Some(format!(
        "{} to {}\n{}",
        first.map(|t| t.to_rfc3339()).unwrap_or_default(),
        last.map(|t| t.to_rfc3339()).unwrap_or_default(),
        lines.join("\n")
    ));
    draft.evidence = if view.task_log {
        view.events
            .first()
            .map(|e| vec![format!("{} {}", e.group, e.stream)])
            .unwrap_or_default()
    } else {
        vec![format!("triage logs {}", view.id)]
    };
    draft.tags = vec!["logs".into(), view.id.clone()];
    draft
}

/// Cursor moves on the logs screen.
pub fn move_by(state: &mut AppState, delta: i64) {
    let rows = rows(state);
    if let Some(view) = current(state) {
        let len = view.events.len();
        if len == 0 {
            return;
        }
        let selected = (view.cursor.selected as i64)
            .saturating_add(delta)
            .clamp(0, len as i64 - 1) as usize;
        view.cursor = Cursor {
            selected,
            offset: scroll_into_view(selected, view.cursor.offset, rows),
        };
        if view.context.as_ref().is_some_and(|(i, _)| *i != selected) {
            view.context = None;
        }
    }
}

/// `W`: the waterfall of the request on screen (a search's ID), or of the
/// one the selected line carries (a task's log).
fn trace_line(state: &mut AppState) -> Vec<Effect> {
    let Some(view) = shown(state) else {
        return Vec::new();
    };
    if !view.task_log {
        let id = view.id.clone();
        return crate::app::screens::waterfall::open(state, &id);
    }
    let message = view
        .events
        .get(view.cursor.selected)
        .map(|e| e.message.clone())
        .unwrap_or_default();
    crate::app::screens::waterfall::follow_line(state, &message)
}
