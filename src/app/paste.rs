//! Bracketed paste: text pasted into the terminal goes into the field being
//! edited, as if typed; anywhere else it is ignored, so pasted text never
//! runs commands.

use super::effect::Effect;
use super::input::KeyPress;
use super::screens::hooks;
use super::state::{AppState, Overlay};

/// Longest paste taken into a field (the fields hold 200 characters).
const PASTE_LIMIT: usize = 200;

/// A paste goes into the text field being edited, as if typed (controls
/// removed, line breaks as spaces); with no field open it does nothing, so
/// pasted text never runs commands.
pub(crate) fn on_paste(state: &mut AppState, text: &str) -> Vec<Effect> {
    if !editing_text(state) {
        return Vec::new();
    }
    let clean = crate::domain::sanitize::one_line(text);
    let mut effects = Vec::new();
    for c in clean.trim_end().chars().take(PASTE_LIMIT) {
        effects.extend(super::keys::on_key(
            state,
            KeyPress {
                key: super::input::Key::Char(c),
                ctrl: false,
                alt: false,
            },
        ));
    }
    effects
}

/// True while keys go into a text field (palette, prompt, filter, find,
/// a runbook form, a typed confirmation).
fn editing_text(state: &AppState) -> bool {
    match &state.overlay {
        Overlay::Palette(_) | Overlay::Prompt(_) | Overlay::Pick(_) => return true,
        Overlay::Help(view) => return view.search.is_some(),
        Overlay::None => {}
    }
    state.filtering || hooks(&state.screen).editing_text(state)
}
