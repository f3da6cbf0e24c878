//! The `?` overlay: the keys valid on this screen, from the keymap, and the
//! palette's commands.

use crate::app::palette::COMMANDS;
use crate::app::state::AppState;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let mut lines = Vec::new();
    for binding in state.keymap.bindings_for(&state.screen) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>9}  ", binding.label), styles.accent()),
            Span::styled(binding.help, styles.text()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Commands (after :)",
        styles.heading(),
    )));
    for command in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>9}  ", format!(":{}", command.name)),
                styles.accent(),
            ),
            Span::styled(command.usage, styles.text()),
        ]));
        if !command.aliases.is_empty() {
            let aliases: Vec<String> = command.aliases.iter().map(|a| format!(":{a}")).collect();
            lines.push(Line::from(Span::styled(
                format!("{:>11}also {}", "", aliases.join(" ")),
                styles.muted(),
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "any key closes this help",
        styles.muted(),
    )));

    let title = super::popup::title("Keys", styles.heading());
    let placement = super::popup::Placement::Centred { max_width: 76 };
    super::popup::draw(frame, area, placement, title, lines, styles);
}
