//! `:keys`: every command with its keys in use, grouped by where it works,
//! the ones `[keys]` in the config changed marked ◆; a command without a
//! key shows its `:` name.

use crate::app::commands::Scope;
use crate::app::keymap::scope_of;
use crate::app::state::AppState;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn crumb(_state: &AppState) -> String {
    "Keys".to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let yours = state.keymap.bindings.iter().filter(|b| b.yours).count();
    let mut lines = vec![Line::from(Span::styled(
        if yours == 0 {
            "The default keys ([keys] in the config changes them by command name; see the README)"
                .to_string()
        } else {
            format!("{yours} command(s) with keys from [keys] in your config, marked ◆")
        },
        styles.muted(),
    ))];
    let mut scopes: Vec<Scope> = Vec::new();
    for b in &state.keymap.bindings {
        if !scopes.contains(&scope_of(b)) {
            scopes.push(scope_of(b));
        }
    }
    for scope in scopes {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("On {}", scope.describe()),
            styles.heading(),
        )));
        for b in state
            .keymap
            .bindings
            .iter()
            .filter(|b| scope_of(b) == scope)
        {
            let keys = state.keymap.label_of(b.command);
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {:>14}  ", if b.yours { "◆" } else { " " }, keys),
                    styles.accent(),
                ),
                Span::styled(b.spec().doc, styles.text()),
                Span::styled(format!("  ({})", b.spec().name), styles.muted()),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "In text fields (never remapped; every other key types itself)",
        styles.heading(),
    )));
    for t in crate::app::text_input::TEXT_KEYS {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:>14}  ", crate::app::keymap::labels(t.keys)),
                styles.accent(),
            ),
            Span::styled(t.doc, styles.text()),
        ]));
    }
    // Scrolled no further than to show the last line at the bottom.
    let last_page = lines.len().saturating_sub(area.height as usize);
    let skip = state.keymap_screen.scroll.min(last_page);
    let visible: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(visible), area);
}
