//! `:changes`: what changed in every pair watched, newest first — when,
//! who, the action, the services it touched and what it did — and below,
//! the selected change in full: its detail (the revision diff, the rule),
//! where it was seen (CloudTrail, ECS, triage) and the runbook that undoes
//! it. What CloudTrail could not give is said. Names from AWS are cleaned.

use crate::app::screens::changes::list_height;
use crate::app::state::AppState;
use crate::domain::changes::Change;
use crate::domain::sanitize::one_line;
use crate::ui::format::{clock, since, truncate};
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    format!(
        "Services › What changed ({} in {} h)",
        state.all_changes().len(),
        crate::app::changes::WINDOW_HOURS
    )
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = state.visible_changes();
    if visible.is_empty() {
        let read = state.changes.by_pair.values().any(|r| r.data.is_some());
        let error = state
            .changes
            .by_pair
            .values()
            .find_map(|r| r.error.as_ref());
        let text = match (read, error) {
            (_, Some(err)) => format!("What changed could not be read: {err}"),
            (false, None) => "reading what changed (CloudTrail, deployments)…".to_string(),
            (true, None) if !state.filter.text.is_empty() => {
                "No change matches the filter (Esc clears it).".to_string()
            }
            (true, None) => format!(
                "Nothing changed in the last {} hours.",
                crate::app::changes::WINDOW_HOURS
            ),
        };
        crate::ui::widgets::list_detail::draw_nothing(frame, area, &text, styles);
        return;
    }
    let (rows, list, below) = crate::ui::widgets::list_detail::split(area, list_height);
    draw_list(frame, list, state, &visible, styles, rows);
    if below.height >= 3 {
        if let Some(selected) = state.selected_change() {
            draw_detail(frame, below, state, selected, styles);
        }
    }
}

fn draw_list(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    visible: &[&Change],
    styles: &Styles,
    rows: usize,
) {
    let cursor = state.changes_screen.cursor;
    let wide = area.width >= 120;
    let table_rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(rows)
        .map(|(i, c)| {
            let services = match c.services.as_slice() {
                [] => "(account)".to_string(),
                [one] => format!("{}/{}", one.cluster, one.service),
                [one, rest @ ..] => format!("{}/{} +{}", one.cluster, one.service, rest.len()),
            };
            let services = crate::ui::format::with_pair(state, &c.pair, &services);
            let cells = vec![
                Cell::from(format!(
                    "{} {:>4}",
                    clock(c.at),
                    since(state.now, Some(c.at))
                )),
                Cell::from(truncate(&one_line(&c.actor), if wide { 24 } else { 12 })),
                Cell::from(truncate(&one_line(&c.action), if wide { 30 } else { 16 })),
                Cell::from(truncate(&one_line(&services), if wide { 28 } else { 18 })),
                Cell::from(one_line(&c.summary)),
            ];
            let row = Row::new(cells);
            if i == cursor.selected {
                row.style(styles.selection())
            } else if c.services.is_empty() {
                row.style(styles.muted())
            } else {
                row.style(styles.text())
            }
        })
        .collect();
    let widths = [
        Constraint::Length(if wide { 15 } else { 13 }),
        Constraint::Length(if wide { 24 } else { 12 }),
        Constraint::Length(if wide { 30 } else { 16 }),
        Constraint::Length(if wide { 28 } else { 18 }),
        Constraint::Fill(1),
    ];
    let table = Table::new(table_rows, widths)
        .header(Row::new(["WHEN", "WHO", "ACTION", "SERVICE", "WHAT"]).style(styles.table_header()))
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn draw_detail(frame: &mut Frame, area: Rect, state: &AppState, c: &Change, styles: &Styles) {
    let sources: Vec<String> = c
        .sources
        .iter()
        .map(|s| format!("{} {}", s.kind.as_str(), one_line(&s.id)))
        .collect();
    let mut lines = vec![Line::from(Span::styled(
        one_line(&c.summary),
        styles.text(),
    ))];
    lines.extend(
        c.detail
            .iter()
            .map(|d| Line::from(Span::styled(one_line(d), styles.text()))),
    );
    lines.push(Line::from(Span::styled(
        format!("seen by: {}", sources.join(" · ")),
        styles.muted(),
    )));
    if let Some(id) = c.undone_by() {
        lines.push(Line::from(Span::styled(
            format!("undone by the runbook {id} (:rb)"),
            styles.muted(),
        )));
    }
    let coverage: Vec<String> = state
        .changes
        .by_pair
        .values()
        .filter_map(|r| r.data.as_ref())
        .flat_map(|d| d.coverage.unread.iter().cloned())
        .collect();
    for u in coverage {
        lines.push(Line::from(Span::styled(
            format!("not read: {}", one_line(&u)),
            styles.degraded(),
        )));
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(styles.border())
        .title(Span::styled(
            format!(
                " {} by {} at {} ",
                one_line(&c.action),
                one_line(&c.actor),
                clock(c.at)
            ),
            styles.heading(),
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
