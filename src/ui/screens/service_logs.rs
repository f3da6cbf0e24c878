//! The service screen's logs pane: the service's recent lines, newest
//! first, errors marked, the selected one highlighted; the filter as it is
//! typed. Log text is untrusted and sanitized.

use crate::app::commands::Command;
use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::domain::trace::from_logs::is_error;
use crate::ui::format::clock;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    if area.height == 0 {
        return;
    }
    let logs = &state.service.logs;
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let shown = logs.shown();
    let filter = match &logs.filter_input {
        Some(input) => format!(" · filter: {}▏", one_line(&input.text)),
        None if !logs.filter.is_empty() => format!(" · filter: {}", one_line(&logs.filter)),
        None => String::new(),
    };
    let label = |c: Command| state.keymap.label_of(c);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("LOGS", styles.heading()),
            Span::styled(
                format!(
                    "  {} of {} lines · {} stream{} · newest first, live{filter} · {} filter · {} its request's waterfall · {} events",
                    shown.len(),
                    logs.lines.len(),
                    logs.streams,
                    if logs.streams == 1 { "" } else { "s" },
                    label(Command::ServiceLogsFilter),
                    label(Command::ServiceLogsFollow),
                    label(Command::ServicePane),
                ),
                styles.muted(),
            ),
        ])),
        title,
    );
    let why = logs
        .unreadable
        .as_ref()
        .map(|w| format!("No log lines: {w}"))
        .or_else(|| {
            logs.error
                .as_ref()
                .map(|e| format!("The lines could not be read: {e}"))
        })
        .or_else(|| {
            (logs.lines.is_empty()).then(|| {
                if logs.reading || logs.read_at.is_none() {
                    "reading the tasks' log streams…".to_string()
                } else {
                    "its tasks wrote no line yet".to_string()
                }
            })
        });
    if let (Some(why), true) = (why, shown.is_empty() || logs.error.is_some()) {
        frame.render_widget(
            Paragraph::new(Span::styled(why, styles.muted())).wrap(Wrap { trim: false }),
            list,
        );
        return;
    }
    let rows = list.height as usize;
    let offset = logs.selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, l)| {
            let error = is_error(&l.message);
            let task = l.stream.rsplit('/').next().unwrap_or_default();
            let task: String = task.chars().take(8).collect();
            let line = Line::from(vec![
                Span::styled(format!("{} ", clock(l.timestamp)), styles.muted()),
                Span::styled(format!("{task:<8} "), styles.series(&task)),
                Span::styled(if error { "✖ " } else { "  " }, styles.critical()),
                Span::styled(
                    one_line(&l.message),
                    if error {
                        styles.degraded()
                    } else {
                        styles.text()
                    },
                ),
            ]);
            if i == logs.selected {
                line.style(styles.selection())
            } else {
                line.style(Style::default())
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
