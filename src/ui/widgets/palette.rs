//! The `:` command line, with the commands that match what is typed.

use super::popup;
use crate::app::palette::{complete, COMMANDS};
use crate::app::text_input::TextInput;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, input: &TextInput, styles: &Styles) {
    let word = input.text.split_whitespace().next().unwrap_or("");
    let matches = complete(word);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", styles.accent()),
        Span::styled(input.text.clone(), styles.text()),
        Span::styled("▏", styles.accent()),
    ])];
    for command in matches.iter().take(6) {
        let usage = COMMANDS
            .iter()
            .find(|c| c.name == *command)
            .map(|c| c.usage)
            .unwrap_or("");
        lines.push(Line::from(vec![
            Span::styled(format!("  :{command:<9}"), styles.accent()),
            Span::styled(usage, styles.muted()),
        ]));
    }
    let title = popup::title(
        "command · Tab completes · Enter runs · Esc closes",
        styles.muted(),
    );
    popup::draw(frame, area, popup::Placement::Top, title, lines, styles);
}
