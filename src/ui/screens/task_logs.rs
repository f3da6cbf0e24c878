//! One stopped task's container log up to its stop, newest at the bottom,
//! starting at the stop: the logs screen's view over one stream (JSON, find,
//! context, `L` to follow a line's request). Log text is untrusted and
//! sanitized.

use crate::app::screens::task_logs::TaskLog;
use crate::app::state::AppState;
use crate::domain::diagnosis::LogTail;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    format!(
        "Services › Diagnosis › task {} › logs",
        crate::ui::format::short_id(crate::domain::service::arn_name(super::finding::task_arn(
            state
        )))
    )
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let task_arn = super::finding::task_arn(state);
    let log = state
        .task_logs
        .as_ref()
        .filter(|t| t.task_arn == task_arn)
        .map(|t| &t.log);
    let [title, _] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    match log {
        None | Some(TaskLog::Reading) => {
            frame.render_widget(
                Paragraph::new(Span::styled("reading the log stream…", styles.muted())),
                title,
            );
        }
        Some(TaskLog::Unavailable(LogTail::NotRead)) => {
            frame.render_widget(
                Paragraph::new(Span::styled("the log stream was not read", styles.muted())),
                title,
            );
        }
        Some(TaskLog::Unavailable(LogTail::Missing { why })) => {
            let text = format!("No log lines: {}", one_line(why));
            frame.render_widget(
                Paragraph::new(Span::styled(text, styles.muted())).wrap(Wrap { trim: false }),
                area,
            );
        }
        Some(TaskLog::Unavailable(LogTail::Lines { .. })) => {}
        // The lines: the logs screen's view over this one stream.
        Some(TaskLog::Lines(view)) => {
            crate::ui::screens::logs::draw_view(frame, area, state, view, styles)
        }
    };
}
