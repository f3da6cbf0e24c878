//! Why tasks stopped: the patterns across them on top (restart loops, with
//! count, period and what to do), then every stopped task decoded, worst
//! first, grouped by cause, newest first.

use crate::app::layout::list_rows;
use crate::app::layout::DIAGNOSIS_PATTERN_ROWS;
use crate::app::state::AppState;
use crate::domain::diagnosis::Severity;
use crate::domain::sanitize::one_line;
use crate::ui::format::{short_id, since};
use crate::ui::theme::Styles;
use crate::ui::widgets::status_note;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub(crate) fn severity_style(styles: &Styles, severity: Severity) -> Style {
    match severity {
        Severity::Critical => styles.critical(),
        Severity::Warning => styles.degraded(),
        Severity::Info => styles.muted(),
    }
}

pub fn crumb(_state: &AppState) -> String {
    "Services › Diagnosis".to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: the patterns above and the findings list share the layout and the cursor arithmetic.
    let Some(report) = &state.diagnosis.report.data else {
        status_note::draw_empty(
            frame,
            area,
            state,
            &state.diagnosis.report,
            "stopped tasks",
            styles,
        );
        return;
    };
    let [top, list] = Layout::vertical([
        Constraint::Length(DIAGNOSIS_PATTERN_ROWS),
        Constraint::Fill(1),
    ])
    .areas(area);

    let live: Vec<_> = report.patterns.iter().filter(|p| !p.ended).collect();
    let mut lines: Vec<Line> = live
        .iter()
        .take(DIAGNOSIS_PATTERN_ROWS as usize - 1)
        .map(|p| {
            Line::from(vec![
                Span::styled(
                    format!("⟳ {}/{} ", p.cluster, p.service),
                    severity_style(styles, p.cause.facts().severity),
                ),
                Span::styled(one_line(&p.suggestion), styles.text()),
            ])
        })
        .collect();
    let ended = report.patterns.len() - live.len();
    let mut summary = format!(
        "{} stopped task{} in the last hour",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" }
    );
    if ended > 0 {
        summary.push_str(&format!(
            " · {ended} earlier loop{} ended by a deployment",
            if ended == 1 { "" } else { "s" }
        ));
    }
    if live.len() > lines.len() {
        summary.push_str(&format!(" · {} more loops", live.len() - lines.len()));
    }
    if let Some(err) = &state.diagnosis.report.error {
        summary.push_str(&format!(" · ⚠ {}", err.short()));
    }
    lines.push(Line::from(Span::styled(summary, styles.muted())));
    frame.render_widget(Paragraph::new(lines), top);

    let findings = state.visible_findings();
    if findings.is_empty() {
        let text = if report.findings.is_empty() {
            "No stopped tasks: ECS keeps them for about an hour."
        } else {
            "No finding matches the filter (Esc clears it)."
        };
        frame.render_widget(Paragraph::new(Span::styled(text, styles.muted())), list);
        return;
    }
    let rows_fit = list_rows(state.height)
        .saturating_sub(DIAGNOSIS_PATTERN_ROWS as usize)
        .min(list.height.saturating_sub(1) as usize);
    let wide = area.width >= 120;
    let rows: Vec<Row> = findings
        .iter()
        .enumerate()
        .skip(state.diagnosis.cursor.offset)
        .take(rows_fit)
        .map(|(i, f)| {
            let style = if i == state.diagnosis.cursor.selected {
                styles.selection()
            } else {
                severity_style(styles, f.severity)
            };
            let service = if wide {
                format!("{}/{}", f.cluster, f.service.as_deref().unwrap_or("—"))
            } else {
                f.service.clone().unwrap_or_else(|| "—".into())
            };
            let service = crate::ui::format::with_pair(state, &f.pair, &service);
            Row::new(vec![
                Cell::from(since(state.now, f.stopped_at)),
                Cell::from(f.severity.as_str()),
                Cell::from(service),
                Cell::from(short_id(&f.task_id).to_string()),
                Cell::from(f.cause.code()),
                Cell::from(
                    f.exit_code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "—".into()),
                ),
                Cell::from(if f.from_journal {
                    format!("(from journal) {}", one_line(&f.title))
                } else {
                    one_line(&f.title)
                }),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(4),
        Constraint::Length(8),
        Constraint::Length(if wide { 26 } else { 14 }),
        Constraint::Length(8),
        Constraint::Length(20),
        Constraint::Length(4),
        Constraint::Fill(1),
    ];
    let header = Row::new(vec![
        "AGE",
        "SEVERITY",
        "SERVICE",
        "TASK",
        "CAUSE",
        "EXIT",
        "WHAT HAPPENED",
    ])
    .style(styles.table_header());
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        list,
    );
}
