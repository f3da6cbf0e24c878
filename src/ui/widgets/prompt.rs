//! A one-line question: note text, a milestone, a correction, a title.

use crate::app::state::Prompt;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, prompt: &Prompt, styles: &Styles) {
    let height = 3.min(area.height);
    let popup = Rect {
        x: area.x,
        y: area.y + area.height.saturating_sub(height + 1).min(area.height / 2),
        width: area.width,
        height,
    };
    let line = Line::from(vec![
        Span::styled(prompt.input.text.clone(), styles.text()),
        Span::styled("▏", styles.accent()),
    ]);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(line).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(styles.border())
                .title(Span::styled(
                    format!(" {} ", prompt.title()),
                    styles.muted(),
                )),
        ),
        popup,
    );
}
