//! The `?` overlay: the keys valid on this screen, from the keymap, and the
//! palette's commands.

use crate::app::palette::COMMANDS;
use crate::app::state::AppState;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
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

    let width = area.width.saturating_sub(4).min(76);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(styles.border())
                .title(Span::styled(" Keys ", styles.heading())),
        ),
        popup,
    );
}
