//! `:security`: GuardDuty's findings, most severe first — severity, type,
//! the service it is about (or the account's), where the traffic went,
//! since when — and the selected finding's title and description under
//! the list. Finding text is untrusted and sanitized.

use crate::app::screens::security::list_height;
use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::domain::security::{OwnedFinding, Severity};
use crate::ui::format::{since, truncate};
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    format!(
        "Services › Security ({} GuardDuty finding{})",
        state.security.owned.len(),
        if state.security.owned.len() == 1 {
            ""
        } else {
            "s"
        }
    )
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = state.visible_security();
    if visible.is_empty() {
        crate::ui::widgets::list_detail::draw_nothing(frame, area, &empty_text(state), styles);
        return;
    }
    let (rows, list, below) = crate::ui::widgets::list_detail::split(area, list_height);
    draw_list(frame, list, state, &visible, styles, rows);
    if below.height >= 2 {
        if let Some(selected) = state.selected_security() {
            let f = &selected.finding;
            let lines = vec![
                Line::from(Span::styled(one_line(&f.title), styles.heading())),
                Line::from(Span::styled(one_line(&f.description), styles.text())),
                Line::from(Span::styled(
                    format!(
                        "{} · task {}",
                        one_line(&f.arn),
                        f.task_arn
                            .as_deref()
                            .map(one_line)
                            .unwrap_or_else(|| "—".into())
                    ),
                    styles.muted(),
                )),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), below);
        }
    }
}

/// Why the list is empty: off, denied, not read yet, or nothing found.
fn empty_text(state: &AppState) -> String {
    let security = &state.security;
    if !security.enabled {
        return "GuardDuty is not read in this session.".into();
    }
    if let Some((pair, err)) = security.findings_error() {
        let whose = if state.several_pairs() {
            format!(" in {pair}")
        } else {
            String::new()
        };
        return format!("GuardDuty findings could not be read{whose}: {err}");
    }
    let off = security.off_in();
    if !off.is_empty() && off.len() == security.findings.len() {
        return "GuardDuty is off in this account and Region: no findings to show. Turn it on: aws guardduty create-detector --enable".into();
    }
    if security.findings.values().all(|r| r.data.is_none()) {
        return "reading GuardDuty's findings…".into();
    }
    if !state.filter.text.is_empty() {
        return "No finding matches the filter (Esc clears it).".into();
    }
    "GuardDuty has no current findings.".into()
}

fn draw_list(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    visible: &[&OwnedFinding],
    styles: &Styles,
    rows: usize,
) {
    let cursor = state.security_screen.cursor;
    let wide = area.width >= 120;
    let table_rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(rows)
        .map(|(i, owned)| {
            let f = &owned.finding;
            let band = f.severity_band();
            let style = if band >= Severity::High {
                styles.critical()
            } else if band == Severity::Medium {
                styles.degraded()
            } else {
                styles.muted()
            };
            let service = match owned.services.as_slice() {
                [] => "(account)".to_string(),
                [one] => one.to_string(),
                [one, rest @ ..] => format!("{one} +{}", rest.len()),
            };
            let service = crate::ui::format::with_pair(state, &f.pair, &service);
            let cells = vec![
                Cell::from(Span::styled(
                    format!("{} {:.0}", band.as_str().to_ascii_uppercase(), f.severity),
                    style,
                )),
                Cell::from(truncate(&one_line(&f.kind), if wide { 40 } else { 24 })),
                Cell::from(truncate(&one_line(&service), if wide { 28 } else { 18 })),
                Cell::from(since(state.now, f.last_seen)),
                Cell::from(Span::styled(
                    one_line(&f.remote.describe().unwrap_or_default()),
                    style,
                )),
            ];
            let row = Row::new(cells);
            if i == cursor.selected {
                row.style(styles.selection())
            } else {
                row.style(styles.text())
            }
        })
        .collect();
    let widths = [
        Constraint::Length(11),
        Constraint::Length(if wide { 40 } else { 24 }),
        Constraint::Length(if wide { 28 } else { 18 }),
        Constraint::Length(5),
        Constraint::Fill(1),
    ];
    let table = Table::new(table_rows, widths)
        .header(
            Row::new(["SEVERITY", "TYPE", "SERVICE", "SEEN", "REMOTE"])
                .style(styles.table_header()),
        )
        .column_spacing(1);
    frame.render_widget(table, area);
}
