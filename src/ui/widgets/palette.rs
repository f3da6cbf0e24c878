//! The `:` command line: what is typed, what Enter could not run, and the
//! commands of this screen that answer to it (the highlighted one is what
//! Enter runs and Tab completes), each with its argument, what it does and
//! its keys.

use super::popup;
use crate::app::commands::palette::{listed, PaletteView};
use crate::app::layout::palette_rows;
use crate::app::state::AppState;
use crate::ui::format::truncate;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, view: &PaletteView, styles: &Styles) {
    let mut lines = vec![Line::from(vec![
        Span::styled(":", styles.accent()),
        Span::styled(view.input.text.clone(), styles.text()),
        Span::styled("▏", styles.accent()),
    ])];
    let width = area.width.saturating_sub(2) as usize;
    if let Some(problem) = &view.problem {
        lines.push(Line::from(Span::styled(
            truncate(problem, width),
            styles.critical(),
        )));
    }
    let found = listed(&state.screen, view);
    if found.is_empty() {
        lines.push(Line::from(Span::styled(
            "no command of this screen answers to that (Backspace; ? lists them all)",
            styles.muted(),
        )));
    }
    let rows = palette_rows(area.height);
    let name_width = found
        .iter()
        .map(|c| 1 + c.name.len() + 1 + c.arg.hint().len().min(20))
        .max()
        .unwrap_or(0)
        .min(24);
    for (i, spec) in found.iter().enumerate().skip(view.offset).take(rows) {
        let selected = i == view.selected;
        let mut said = format!(":{}", spec.name);
        let hint = spec.arg.hint();
        if !hint.is_empty() {
            said.push(' ');
            said.push_str(&hint);
        }
        let keys = state.keymap.label_of(spec.command);
        let keys = if keys.starts_with(':') {
            String::new()
        } else {
            format!("  {keys}")
        };
        let said = format!("{:<w$}", truncate(&said, name_width), w = name_width);
        let doc_width = width.saturating_sub(name_width + 4 + keys.chars().count());
        let marker = if selected { "▸ " } else { "  " };
        let style = if selected {
            styles.selection()
        } else {
            styles.accent()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{said}  "), style),
            Span::styled(truncate(spec.doc, doc_width), styles.muted()),
            Span::styled(keys, styles.accent()),
        ]));
    }
    let more = found.len().saturating_sub(view.offset + rows);
    let title = if more > 0 {
        format!(
            "command · ↑↓ PgUp PgDn pick ({more} more) · Tab completes · Enter runs · Esc closes"
        )
    } else {
        "command · ↑↓ pick · Tab completes · Enter runs · Esc closes".to_string()
    };
    popup::draw(
        frame,
        area,
        popup::Placement::Top,
        popup::title(&title, styles.muted()),
        lines,
        styles,
    );
}
