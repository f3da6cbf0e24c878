//! The `?` overlay: the lines `app::help` gives (this screen's commands
//! first, then the others, the text-field keys and the mouse), scrolled to
//! where the reader is, with the keys that move it and the search.

use crate::app::help::{lines, HelpLine};
use crate::app::layout::help_rows;
use crate::app::state::{AppState, Overlay};
use crate::ui::format::truncate;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// The box is at most this wide.
const MAX_WIDTH: u16 = 110;
/// The keys column at its widest.
const KEYS: usize = 13;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let Overlay::Help(view) = &state.overlay else {
        return;
    };
    let all = lines(state);
    let rows = help_rows(area.height);
    let scroll = view.scroll.min(all.len().saturating_sub(rows));
    let width = area.width.saturating_sub(4).min(MAX_WIDTH) as usize;
    let text_width = width.saturating_sub(2);
    let top = match &view.search {
        Some(input) => Line::from(vec![
            Span::styled("/", styles.accent()),
            Span::styled(input.text.clone(), styles.text()),
            Span::styled("▏", styles.accent()),
            Span::styled("  Enter keeps · Esc clears", styles.muted()),
        ]),
        None => {
            let shown_to = (scroll + rows).min(all.len());
            let mut where_ = format!("{}–{} of {}", scroll + 1, shown_to, all.len());
            if !view.query.is_empty() {
                where_ = format!("“{}” · {where_} · Esc shows all", view.query);
            }
            Line::from(Span::styled(
                truncate(
                    &format!("Esc ? q close · j k PgUp PgDn g G scroll · / search · {where_}"),
                    text_width,
                ),
                styles.muted(),
            ))
        }
    };
    let visible: Vec<&HelpLine> = all.iter().skip(scroll).take(rows).collect();
    let keys_width = visible
        .iter()
        .filter_map(|l| match l {
            HelpLine::Entry { keys, .. } => Some(keys.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .clamp(4, KEYS);
    let mut shown = vec![top];
    for line in visible {
        shown.push(match line {
            HelpLine::Heading(text) => {
                Line::from(Span::styled(truncate(text, text_width), styles.heading()))
            }
            HelpLine::Blank => Line::from(""),
            HelpLine::Entry { keys, name, doc } => {
                let keys = format!("{:>w$}  ", truncate(keys, keys_width), w = keys_width);
                let rest = text_width.saturating_sub(keys_width + 2);
                let said = if name.is_empty() {
                    doc.clone()
                } else {
                    format!("{name}  {doc}")
                };
                let said = truncate(&said, rest);
                let (name_part, doc_part) = match said.strip_prefix(name.as_str()) {
                    Some(doc_part) if !name.is_empty() => (name.clone(), doc_part.to_string()),
                    _ => (String::new(), said),
                };
                Line::from(vec![
                    Span::styled(keys, styles.accent()),
                    Span::styled(name_part, styles.heading()),
                    Span::styled(doc_part, styles.text()),
                ])
            }
        });
    }
    let title = super::popup::title("Help", styles.heading());
    let placement = super::popup::Placement::Centred {
        max_width: MAX_WIDTH,
    };
    super::popup::draw(frame, area, placement, title, shown, styles);
}
