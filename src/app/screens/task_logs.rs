//! A stopped task's container log up to its stop: read on entering, then
//! shown as the logs screen's view over that one stream (find, context, JSON,
//! `L` to follow a line's request). Owns the task's log, held once.

use super::logs::{self, LogsView, LOGS_HEADER_ROWS};
use super::{RunContext, Screen, ScreenHooks};
use crate::app::commands::{Command, Scope};
use crate::app::effect::Effect;
use crate::app::input::KeyPress;
use crate::app::layout::list_rows;
use crate::app::state::AppState;
use crate::domain::diagnosis::LogTail;

/// The task log screen's own state: whose log, and how far it got.
#[derive(Debug, Clone)]
pub struct TaskLogsScreen {
    pub task_arn: String,
    pub log: TaskLog,
}

/// A task's log, as far as it has been read.
#[derive(Debug, Clone)]
pub enum TaskLog {
    Reading,
    /// The stream was not read, or there is none (and why).
    Unavailable(LogTail),
    /// Its lines, as a logs view.
    Lines(Box<LogsView>),
}

impl TaskLogsScreen {
    /// The lines' view, once read.
    pub fn view(&self) -> Option<&LogsView> {
        match &self.log {
            TaskLog::Lines(view) => Some(view),
            TaskLog::Reading | TaskLog::Unavailable(_) => None,
        }
    }

    pub(crate) fn view_mut(&mut self) -> Option<&mut LogsView> {
        match &mut self.log {
            TaskLog::Lines(view) => Some(view),
            TaskLog::Reading | TaskLog::Unavailable(_) => None,
        }
    }
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Logs, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "a task's logs"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        let Screen::TaskLogs(arn) = state.screen.clone() else {
            return Vec::new();
        };
        let finding = state.diagnosis.finding(&arn).cloned();
        state.task_logs = Some(TaskLogsScreen {
            task_arn: arn,
            log: TaskLog::Reading,
        });
        match finding {
            Some(finding) => vec![Effect::FetchTaskLogs {
                finding: Box::new(finding),
            }],
            None => Vec::new(),
        }
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        logs::move_by(state, delta)
    }

    fn editing_text(&self, state: &AppState) -> bool {
        logs::finding_text(state)
    }

    fn on_text_key(&self, state: &mut AppState, key: KeyPress) -> Vec<Effect> {
        logs::on_find_key(state, key)
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        logs::on_log_command(state, command)
    }

    fn selection(&self, state: &AppState, screen: &Screen) -> RunContext {
        super::finding::Hooks.selection(state, screen)
    }
}

/// The task's log arrived: its lines become a logs view, at the last line
/// (the one right before the stop).
pub(crate) fn on_task_log(state: &mut AppState, task_arn: String, tail: LogTail) {
    let service = state
        .diagnosis
        .finding(&task_arn)
        .and_then(|f| f.service.clone().map(|s| format!("{}/{s}", f.cluster)));
    let rows = list_rows(state.height).saturating_sub(LOGS_HEADER_ROWS as usize);
    let now = state.now;
    let Some(screen) = state.task_logs.as_mut().filter(|t| t.task_arn == task_arn) else {
        return;
    };
    screen.log = match &tail {
        LogTail::Lines { stream, lines } => {
            let id = crate::domain::service::arn_name(&task_arn);
            let short = id.get(..8).unwrap_or(id);
            TaskLog::Lines(Box::new(LogsView::task_log(
                short,
                stream,
                lines,
                service.as_deref(),
                now,
                rows,
            )))
        }
        LogTail::NotRead | LogTail::Missing { .. } => TaskLog::Unavailable(tail),
    };
}
