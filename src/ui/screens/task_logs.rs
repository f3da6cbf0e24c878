//! One stopped task's container log up to its stop, newest at the bottom,
//! starting at the stop: the logs screen's view over one stream (JSON, find,
//! context, `L` to follow a line's request). Log text is untrusted and
//! sanitized.

use crate::app::state::AppState;
use crate::domain::diagnosis::LogTail;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles, task_arn: &str) {
    let logs = state
        .task_logs
        .as_ref()
        .filter(|(arn, _)| arn == task_arn)
        .and_then(|(_, l)| l.as_ref());
    let [title, _] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    match logs {
        None => {
            frame.render_widget(
                Paragraph::new(Span::styled("reading the log stream…", styles.muted())),
                title,
            );
            return;
        }
        Some(LogTail::NotRead) => {
            frame.render_widget(
                Paragraph::new(Span::styled("the log stream was not read", styles.muted())),
                title,
            );
            return;
        }
        Some(LogTail::Missing { why }) => {
            let text = format!("No log lines: {}", one_line(why));
            frame.render_widget(
                Paragraph::new(Span::styled(text, styles.muted())).wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        Some(LogTail::Lines { .. }) => {}
    };
    // The lines: the logs screen's view over this one stream.
    if let Some(view) = &state.task_log_view {
        crate::ui::screens::logs::draw_view(frame, area, state, view, styles);
    }
}
