//! The layout of the list screens (`:alarms`, `:security`, `:changes`): a
//! list as tall as its screen gives it, the selected item in full below;
//! or, with nothing to list, one muted line saying why.

use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// The list's rows, its area (with its header row) and the area below.
/// `list_height` is the screen's own rule for the whole terminal's height.
pub(crate) fn split(area: Rect, list_height: impl Fn(u16) -> usize) -> (usize, Rect, Rect) {
    let rows = list_height(
        area.height + crate::app::layout::HEADER_ROWS + crate::app::layout::FOOTER_ROWS,
    );
    let [list, below] = Layout::vertical([
        Constraint::Length((rows as u16 + 1).min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    (rows, list, below)
}

/// Why there is nothing to list, muted and wrapped.
pub(crate) fn draw_nothing(frame: &mut Frame, area: Rect, text: &str, styles: &Styles) {
    frame.render_widget(
        Paragraph::new(Span::styled(one_line(text), styles.muted())).wrap(Wrap { trim: false }),
        area,
    );
}
