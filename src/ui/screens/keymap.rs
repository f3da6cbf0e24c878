//! `:keys`: every binding in use, grouped by where it applies, with the
//! ones `[keys]` in the config changed marked "yours".

use crate::app::keymap::Scope;
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
            "The default keys ([keys] in the config changes them; see the README)".to_string()
        } else {
            format!("{yours} binding(s) from [keys] in your config, marked ◆")
        },
        styles.muted(),
    ))];
    let mut scopes: Vec<Scope> = Vec::new();
    for b in &state.keymap.bindings {
        if !scopes.contains(&b.scope) {
            scopes.push(b.scope);
        }
    }
    for scope in scopes {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("In {}", scope.describe()),
            styles.heading(),
        )));
        for b in state.keymap.bindings.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {:>12}  ", if b.yours { "◆" } else { " " }, b.label),
                    styles.accent(),
                ),
                Span::styled(b.help, styles.text()),
                Span::styled(format!("  ({})", b.action.name()), styles.muted()),
            ]));
        }
    }
    // Scrolled no further than to show the last line at the bottom.
    let last_page = lines.len().saturating_sub(area.height as usize);
    let skip = state.keymap_screen.scroll.min(last_page);
    let visible: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(visible), area);
}
