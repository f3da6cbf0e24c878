//! A pick-one list: what is typed, then the matching items, the selected one
//! highlighted.

use super::popup;
use crate::app::picker::Picker;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Items shown at most (typing narrows the rest).
const SHOWN: usize = 12;

pub fn draw(frame: &mut Frame, area: Rect, picker: &Picker, styles: &Styles) {
    let visible = picker.visible();
    let mut lines = vec![Line::from(vec![
        Span::styled("› ", styles.accent()),
        Span::styled(picker.input.text.clone(), styles.text()),
        Span::styled("▏", styles.accent()),
    ])];
    // Keep the cursor's row on screen.
    let first = picker.cursor.saturating_sub(SHOWN - 1);
    for (row, &index) in visible.iter().enumerate().skip(first).take(SHOWN) {
        let item = &picker.items[index];
        let style = if row == picker.cursor {
            styles.selection()
        } else {
            styles.text()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", item.label), style),
            Span::styled(format!("  {}", item.note), styles.muted()),
        ]));
    }
    if visible.is_empty() {
        lines.push(Line::from(Span::styled(
            "  nothing matches: Backspace, or Esc to cancel",
            styles.muted(),
        )));
    } else if visible.len() > SHOWN {
        lines.push(Line::from(Span::styled(
            format!("  … {} in all: type to narrow", visible.len()),
            styles.muted(),
        )));
    }
    let title = popup::title(&picker.title, styles.muted());
    popup::draw(frame, area, popup::Placement::Top, title, lines, styles);
}
