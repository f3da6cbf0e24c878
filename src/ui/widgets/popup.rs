//! A bordered, titled box drawn over the screen (the palette, the picker,
//! help), its lines clipped to the area.

use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// Where the box goes.
pub enum Placement {
    /// Full width, near the top (under the header).
    Top,
    /// Centred, at most this wide.
    Centred { max_width: u16 },
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    placement: Placement,
    title: Span<'_>,
    lines: Vec<Line<'_>>,
    styles: &Styles,
) {
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = match placement {
        Placement::Top => Rect {
            x: area.x,
            y: area.y + area.height.saturating_sub(height + 1).min(2),
            width: area.width,
            height,
        },
        Placement::Centred { max_width } => {
            let width = area.width.saturating_sub(4).min(max_width);
            Rect {
                x: area.x + (area.width.saturating_sub(width)) / 2,
                y: area.y + (area.height.saturating_sub(height)) / 2,
                width,
                height,
            }
        }
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(styles.border())
                .title(title),
        ),
        popup,
    );
}

/// A title in the given style, padded with a space each side.
pub fn title(text: &str, style: Style) -> Span<'static> {
    Span::styled(format!(" {text} "), style)
}
