//! Events of every service of a cluster (or of all clusters) merged by time,
//! newest first: the first thing an engineer checks.

use crate::app::layout::list_rows;
use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::ui::format::{clock, since};
use crate::ui::theme::Styles;
use crate::ui::widgets::status_note;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    match &state.screen {
        crate::app::Screen::Events(Some(cluster)) => format!("Services › Events of {cluster}"),
        _ => "Services › Events of all clusters".to_string(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    if state.status.data.is_none() {
        status_note::draw_empty(frame, area, state, &state.status, "events", styles);
        return;
    }
    let events = state.visible_events();
    if events.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled("No events.", styles.muted()))),
            area,
        );
        return;
    }
    let rows_fit = list_rows(state.height).min(area.height.saturating_sub(1) as usize);
    let wide = area.width >= 120;
    let rows: Vec<Row> = events
        .iter()
        .enumerate()
        .skip(state.events.cursor.offset)
        .take(rows_fit)
        .map(|(i, e)| {
            let service = if wide {
                format!("{}/{}", e.cluster, e.service)
            } else {
                e.service.to_string()
            };
            let message = one_line(&e.event.message);
            let message = strip_service_prefix(&message, e.service);
            let style = if i == state.events.cursor.selected {
                styles.selection()
            } else if is_alarming(message) {
                styles.degraded()
            } else {
                styles.text()
            };
            Row::new(vec![
                Cell::from(clock(e.event.at)),
                Cell::from(since(state.now, Some(e.event.at))),
                Cell::from(service),
                Cell::from(message.to_string()),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Length(if wide { 30 } else { 14 }),
        Constraint::Fill(1),
    ];
    let table = Table::new(rows, widths)
        .header(Row::new(vec!["UTC", "AGE", "SERVICE", "EVENT"]).style(styles.table_header()))
        .column_spacing(1);
    frame.render_widget(table, area);
}

/// ECS prefixes every event with "(service name) "; the column already says it.
fn strip_service_prefix<'a>(message: &'a str, service: &str) -> &'a str {
    message
        .strip_prefix(&format!("(service {service}) "))
        .unwrap_or(message)
}

fn is_alarming(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "unable",
        "failed",
        "unhealthy",
        "rolling back",
        "circuit breaker",
        "throttled",
    ]
    .iter()
    .any(|p| m.contains(p))
}
