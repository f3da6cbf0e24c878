//! The `:rb` picker: every runbook found, with its tags, its steps and what
//! the linter says; a run in progress is named on top.

use crate::app::layout::list_rows;
use crate::app::screens::runbook::visible_runbooks;
use crate::app::state::AppState;
use crate::domain::runbook::{RunbookFile, Severity};
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// "ok", "2 errors", "ok · 1 warning".
pub(crate) fn lint_status(file: &RunbookFile) -> String {
    let count = |severity| {
        file.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "ok".into(),
        (0, w) => format!("ok · {}", plural(w, "warning")),
        (e, _) => plural(e, "error"),
    }
}

pub fn crumb(_state: &AppState) -> String {
    "Runbooks".to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: the banner and the list share the layout and cursor arithmetic.
    let [top, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let banner = match state.run.as_ref() {
        Some(view) if view.active() => Line::from(vec![
            Span::styled("▶ ", styles.accent()),
            Span::styled(
                format!(
                    "a run of “{}” is in progress: :run shows it",
                    view.file.runbook.title
                ),
                styles.text(),
            ),
        ]),
        _ => Line::from(Span::styled(
            "Enter opens a runbook's parameters; nothing runs before you start it.",
            styles.muted(),
        )),
    };
    frame.render_widget(Paragraph::new(banner), top);

    let Some(files) = &state.runbooks.files else {
        frame.render_widget(
            Paragraph::new(Span::styled("reading the runbook folders…", styles.muted())),
            list,
        );
        return;
    };
    let visible = visible_runbooks(state);
    if visible.is_empty() {
        let text = if files.is_empty() {
            "No runbooks found. triage reads ./runbooks, the config dir's runbooks/ and --runbooks DIR."
        } else {
            "No runbook matches the filter (Esc clears it)."
        };
        frame.render_widget(Paragraph::new(Span::styled(text, styles.muted())), list);
        return;
    }
    let cursor = state.runbooks.cursor;
    let rows_fit = list_rows(state.height)
        .saturating_sub(1)
        .min(list.height.saturating_sub(1) as usize);
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(rows_fit)
        .map(|(i, f)| {
            let check = lint_status(f);
            let style = if i == cursor.selected {
                styles.selection()
            } else if !f.ok() {
                styles.critical()
            } else {
                styles.text()
            };
            Row::new(vec![
                Cell::from(f.runbook.id.clone()),
                Cell::from(f.runbook.title.clone()),
                Cell::from(f.runbook.tags.join(", ")),
                Cell::from(f.runbook.steps.len().to_string()),
                Cell::from(check),
                Cell::from(f.origin()),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(18),
        Constraint::Fill(3),
        Constraint::Length(22),
        Constraint::Length(5),
        Constraint::Length(12),
        Constraint::Fill(1),
    ];
    let header = Row::new(vec!["ID", "TITLE", "TAGS", "STEPS", "CHECK", "SOURCE"])
        .style(styles.table_header());
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        list,
    );
}
