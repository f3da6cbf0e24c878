//! Home: every watched service across clusters, worst first, then most
//! recently changed. Only the visible rows are built, so 2,000 services draw
//! as fast as 20.

use crate::app::layout::list_rows;
use crate::app::state::AppState;
use crate::domain::ranking::RankedService;
use crate::domain::sanitize::one_line;
use crate::domain::service::RolloutState;
use crate::ui::format::{since, truncate};
use crate::ui::theme::{health_symbol, Styles};
use crate::ui::widgets::status_note;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// The breadcrumb: the screen and how many services it lists.
pub fn crumb(state: &AppState) -> String {
    format!("Services ({})", state.visible_services().len())
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: one table: columns sized from the width left, rows from the ranking, shared by every column.
    if state.status.data.is_none() {
        status_note::draw_empty(frame, area, state, &state.status, "services", styles);
        return;
    }
    let visible = state.visible_services();
    if visible.is_empty() {
        let text = if state.filter.text.is_empty() {
            "No services in the watched clusters."
        } else {
            "No service matches the filter (Esc clears it)."
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(text, styles.muted()))),
            area,
        );
        return;
    }
    let wide = area.width >= 120;
    // Size name columns to what is shown (capped), so the reason gets the rest.
    let fit = |len: usize, cap: usize| (len.clamp(7, cap)) as u16;
    let cluster_width = fit(
        visible
            .iter()
            .map(|r| r.service.cluster.chars().count())
            .max()
            .unwrap_or(0),
        if wide { 24 } else { 10 },
    );
    let service_width = fit(
        visible
            .iter()
            .map(|r| r.service.name.chars().count())
            .max()
            .unwrap_or(0),
        if wide { 32 } else { 14 },
    );
    let revision_width = fit(
        visible
            .iter()
            .map(|r| r.service.revision_label().chars().count())
            .max()
            .unwrap_or(0),
        32,
    );
    let rows_fit = list_rows(state.height).min(area.height.saturating_sub(1) as usize);
    let start = state
        .services
        .cursor
        .offset
        .min(visible.len().saturating_sub(1));
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(start)
        .take(rows_fit)
        .map(|(i, r)| {
            row(
                r,
                state,
                styles,
                (wide, cluster_width as usize, service_width as usize),
                i == state.services.cursor.selected,
            )
        })
        .collect();

    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "HEALTH", "CLUSTER", "SERVICE", "TASKS", "REVISION", "ROLLOUT", "CHANGED", "STOPS",
                "REASON",
            ],
            vec![
                Constraint::Length(12),
                Constraint::Length(cluster_width),
                Constraint::Length(service_width),
                Constraint::Length(7),
                Constraint::Length(revision_width),
                Constraint::Length(11),
                Constraint::Length(7),
                Constraint::Length(15),
                Constraint::Fill(1),
            ],
        )
    } else {
        (
            vec![
                "HEALTH", "CLUSTER", "SERVICE", "TASKS", "REV", "AGE", "REASON",
            ],
            vec![
                Constraint::Length(11),
                Constraint::Length(cluster_width),
                Constraint::Length(service_width),
                Constraint::Length(6),
                Constraint::Length(4),
                Constraint::Length(4),
                Constraint::Fill(1),
            ],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(styles.table_header()))
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn row<'a>(
    r: &RankedService,
    state: &AppState,
    styles: &Styles,
    (wide, cluster_width, service_width): (bool, usize, usize),
    selected: bool,
) -> Row<'a> {
    let s = &r.service;
    let health = r.verdict.health;
    let health_text = format!("{} {}", health_symbol(health), short_health(health));
    let mut tasks = format!("{}/{}", s.running, s.desired);
    if s.pending > 0 {
        tasks.push_str(&format!("+{}", s.pending));
    }
    let revision = s.revision_label();
    let changed = since(state.now, s.last_changed());
    // A live restart loop: its own column when wide, in front of the reason when narrow.
    let stops = state.loop_of(&s.cluster, &s.name).map(|p| p.short());
    let reason = one_line(&r.verdict.reason);
    let cells: Vec<Cell> = if wide {
        vec![
            Cell::from(Span::styled(health_text, styles.health(health))),
            Cell::from(truncate(&s.cluster, cluster_width)),
            Cell::from(truncate(&s.name, service_width)),
            Cell::from(tasks),
            Cell::from(revision),
            Cell::from(rollout(r)),
            Cell::from(changed),
            Cell::from(Span::styled(stops.unwrap_or_default(), styles.critical())),
            Cell::from(Span::styled(reason, styles.health(health))),
        ]
    } else {
        let reason = match stops {
            Some(stops) => format!("{stops} · {reason}"),
            None => reason,
        };
        let rev = revision
            .rsplit_once(':')
            .map(|(_, n)| n.to_string())
            .unwrap_or_default();
        vec![
            Cell::from(Span::styled(health_text, styles.health(health))),
            Cell::from(truncate(&s.cluster, cluster_width)),
            Cell::from(truncate(&s.name, service_width)),
            Cell::from(tasks),
            Cell::from(rev),
            Cell::from(changed),
            Cell::from(Span::styled(reason, styles.health(health))),
        ]
    };
    let row = Row::new(cells);
    if selected {
        row.style(styles.selection())
    } else {
        row.style(styles.text())
    }
}

fn short_health(health: crate::domain::Health) -> &'static str {
    match health {
        crate::domain::Health::ScaledToZero => "scaled 0",
        other => other.as_str(),
    }
}

fn rollout(r: &RankedService) -> String {
    match r.service.primary().and_then(|p| p.rollout_state) {
        Some(RolloutState::InProgress) => "in progress".into(),
        Some(RolloutState::Completed) => "completed".into(),
        Some(RolloutState::Failed) => "FAILED".into(),
        None => "—".into(),
    }
}
