//! The service screen's logs pane: the service's own recent log lines
//! (each running task's stream, newest first), read again every few
//! seconds while the pane shows; `/` filters them, errors are marked, and
//! Enter follows the ID a line carries into its request's waterfall.

use crate::app::effect::Effect;
use crate::app::state::{AppState, Filter};
use crate::app::text_input::{Edit, TextInput};
use crate::app::update::flash;
use crate::domain::logsearch::LogEvent;
use crate::domain::ports::LogStream;
use crate::domain::service::ServiceKey;
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};

/// Read again this often while the pane shows.
pub(crate) const READ_SECONDS: i64 = 5;
/// Lines kept.
pub(crate) const LINES_KEPT: usize = 1000;

/// What the service screen's bottom pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Events,
    Logs,
}

/// The service's recent lines.
#[derive(Debug, Clone, Default)]
pub struct ServiceLogs {
    pub generation: u64,
    /// Newest first.
    pub lines: Vec<LogEvent>,
    /// The selected line among those the filter keeps, and the first shown.
    pub selected: usize,
    pub offset: usize,
    pub filter_input: Option<TextInput>,
    pub filter: String,
    pub reading: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Streams read (one per running task and container).
    pub streams: usize,
    /// Why there is nothing to read (no awslogs, no running task).
    pub unreadable: Option<String>,
}

impl ServiceLogs {
    /// The lines the filter keeps, newest first.
    pub fn shown(&self) -> Vec<&LogEvent> {
        let filter = Filter::parse(&self.filter);
        self.lines
            .iter()
            .filter(|l| filter.keeps(&[&l.message, &l.stream]))
            .collect()
    }
}

/// Tab: events ↔ logs (the logs read at once).
pub(crate) fn toggle(state: &mut AppState) -> Vec<Effect> {
    state.service.pane = match state.service.pane {
        Pane::Events => Pane::Logs,
        Pane::Logs => Pane::Events,
    };
    if state.service.pane == Pane::Logs {
        state.service.logs.read_at = None;
        return due(state);
    }
    Vec::new()
}

/// The streams of the service's running tasks (newest first).
fn streams(state: &AppState) -> Result<Vec<LogStream>, String> {
    let detail = state
        .service
        .detail
        .data
        .as_ref()
        .ok_or_else(|| "reading the service…".to_string())?;
    let Some(td) = detail.task_definition.as_ref() else {
        return Err("its task definition could not be read, so where it logs is unknown".into());
    };
    if td.containers.iter().all(|c| c.log_group.is_none()) {
        return Err("its containers do not log with awslogs (no awslogs-group)".into());
    }
    let mut running = detail.running.clone();
    running.sort_by_key(|t| std::cmp::Reverse(t.started_at));
    if running.is_empty() {
        return Err(
            "no task is running: the stopped ones' last lines are under d (diagnosis)".into(),
        );
    }
    Ok(running.iter().flat_map(|t| td.log_streams(&t.id)).collect())
}

/// A read when the pane shows and the last is old enough.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let crate::app::Screen::Service(key) = state.screen.clone() else {
        return Vec::new();
    };
    let logs = &state.service.logs;
    if state.service.pane != Pane::Logs
        || logs.reading
        || logs
            .read_at
            .is_some_and(|at| at <= now && now - at < Duration::seconds(READ_SECONDS))
    {
        return Vec::new();
    }
    let streams = match streams(state) {
        Ok(s) => s,
        Err(why) => {
            state.service.logs.unreadable = Some(why);
            return Vec::new();
        }
    };
    let logs = &mut state.service.logs;
    logs.unreadable = None;
    logs.reading = true;
    logs.read_at = Some(now);
    logs.generation += 1;
    logs.streams = streams.len();
    vec![Effect::ReadServiceLogs {
        generation: logs.generation,
        key,
        streams,
    }]
}

/// Lines arrived: merged, newest first; the selection stays on its line.
pub(crate) fn on_lines(
    state: &mut AppState,
    generation: u64,
    key: ServiceKey,
    result: Result<Vec<LogEvent>, PortError>,
) {
    if state.service.key.as_ref() != Some(&key) {
        return;
    }
    let logs = &mut state.service.logs;
    if logs.generation != generation {
        return;
    }
    logs.reading = false;
    match result {
        Ok(fresh) => {
            logs.error = None;
            let selected = logs.shown().get(logs.selected).map(|l| key_of(l));
            let mut seen: std::collections::HashSet<(String, DateTime<Utc>, String)> =
                logs.lines.iter().map(key_of).collect();
            let mut merged: Vec<LogEvent> = fresh
                .into_iter()
                .filter(|l| seen.insert(key_of(l)))
                .collect();
            merged.append(&mut logs.lines);
            merged.sort_by_key(|l| std::cmp::Reverse(l.timestamp));
            merged.truncate(LINES_KEPT);
            logs.lines = merged;
            if let Some(selected) = selected {
                let shown = logs.shown();
                logs.selected = shown
                    .iter()
                    .position(|l| key_of(l) == selected)
                    .unwrap_or(0);
            }
        }
        Err(err) => logs.error = Some(crate::domain::sanitize::one_line(&err.to_string())),
    }
}

fn key_of(l: &LogEvent) -> (String, DateTime<Utc>, String) {
    (l.stream.clone(), l.timestamp, l.message.clone())
}

/// Up/down in the pane.
pub(crate) fn move_by(state: &mut AppState, delta: i64, rows: usize) {
    let logs = &mut state.service.logs;
    let len = logs.shown().len();
    if len == 0 {
        return;
    }
    logs.selected = (logs.selected as i64)
        .saturating_add(delta)
        .clamp(0, len as i64 - 1) as usize;
    logs.offset = crate::app::layout::scroll_into_view(logs.selected, logs.offset, rows.max(1));
}

/// Enter: the selected line's request, as a waterfall.
pub(crate) fn follow(state: &mut AppState) -> Vec<Effect> {
    if state.service.pane != Pane::Logs {
        flash(
            state,
            "Tab shows the service's log lines; Enter on one follows its request",
            true,
        );
        return Vec::new();
    }
    let logs = &state.service.logs;
    let Some(message) = logs.shown().get(logs.selected).map(|l| l.message.clone()) else {
        flash(state, "no line selected", true);
        return Vec::new();
    };
    super::waterfall::follow_line(state, &message)
}

/// `/`: type a filter.
pub(crate) fn start_filter(state: &mut AppState) {
    if state.service.pane != Pane::Logs {
        state.service.pane = Pane::Logs;
    }
    state.service.logs.filter_input = Some(TextInput {
        text: state.service.logs.filter.clone(),
    });
}

/// A key while the filter is typed: it applies as it is typed.
pub(crate) fn on_filter_key(state: &mut AppState, key: crate::app::input::KeyPress) {
    let logs = &mut state.service.logs;
    let Some(input) = logs.filter_input.as_mut() else {
        return;
    };
    match input.handle(key) {
        Edit::Submit => logs.filter_input = None,
        Edit::Cancel => {
            logs.filter_input = None;
            logs.filter.clear();
        }
        Edit::Changed | Edit::Ignored => logs.filter = input.text.clone(),
    }
    logs.selected = 0;
    logs.offset = 0;
}
