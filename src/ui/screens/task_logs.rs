//! One stopped task's container log up to its stop: time (UTC, ms), level,
//! message; newest at the bottom, starting at the stop. Log text is untrusted
//! and sanitized.

use crate::app::state::AppState;
use crate::domain::diagnosis::LogTail;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles, task_arn: &str) {
    let logs = state
        .task_logs
        .as_ref()
        .filter(|(arn, _)| arn == task_arn)
        .and_then(|(_, l)| l.as_ref());
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let (lines, stream) = match logs {
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
        Some(LogTail::Lines { lines, stream }) => (lines, stream),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("{} lines up to the stop · ", lines.len()),
                styles.heading(),
            ),
            Span::styled(one_line(stream), styles.muted()),
            Span::styled("  j/k scroll", styles.muted()),
        ])),
        title,
    );
    let rows = body.height as usize;
    let end = lines.len().saturating_sub(state.detail_scroll);
    let start = end.saturating_sub(rows);
    let shown: Vec<Line> = lines[start..end]
        .iter()
        .map(|l| {
            let message = one_line(&l.message);
            let level = level_of(&message);
            let style = match level {
                "error" | "fatal" => styles.critical(),
                "warn" => styles.degraded(),
                _ => styles.text(),
            };
            Line::from(vec![
                Span::styled(
                    format!("{} ", l.timestamp.format("%H:%M:%S%.3f")),
                    styles.muted(),
                ),
                Span::styled(message, style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
}

/// The level of a JSON log line, if it says.
fn level_of(message: &str) -> &'static str {
    let lower = message.to_ascii_lowercase();
    for level in ["fatal", "error", "warn", "info", "debug"] {
        if lower.contains(&format!("\"level\":\"{level}")) {
            return level;
        }
    }
    ""
}
