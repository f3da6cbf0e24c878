//! Keys: overlays and text fields first (help, the palette, a prompt, a
//! picker, a screen's own field, the filter), then the command the keymap
//! binds the key to on this screen, carried out by the command table.

use super::commands::run::dispatch;
use super::effect::Effect;
use super::input::KeyPress;
use super::navigation::flash;
use super::prompts::answer;
use super::screens::hooks;
use super::screens::services::remember_selection;
use super::state::{AppState, Cursor, Overlay};
use super::text_input::{Edit, TextInput};

pub(super) fn on_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    match &mut state.overlay {
        Overlay::Help(_) => return super::help::on_key(state, key),
        Overlay::Palette(_) => return super::commands::palette::on_key(state, key),
        Overlay::Prompt(prompt) => {
            return match prompt.input.handle(key) {
                Edit::Submit => {
                    let prompt = prompt.clone();
                    state.overlay = Overlay::None;
                    answer(state, prompt)
                }
                Edit::Cancel => {
                    let purpose = prompt.purpose.clone();
                    state.overlay = Overlay::None;
                    super::naming::dismissed(state, &purpose);
                    Vec::new()
                }
                Edit::Changed | Edit::Ignored => Vec::new(),
            };
        }
        Overlay::Pick(_) => return super::picker::on_key(state, key),
        Overlay::None => {}
    }
    let screen = hooks(&state.screen);
    if screen.editing_text(state) {
        return screen.on_text_key(state, key);
    }
    if state.filtering {
        match state.filter.handle(key) {
            Edit::Submit => state.filtering = false,
            Edit::Cancel => {
                state.filtering = false;
                state.filter = TextInput::default();
            }
            Edit::Changed | Edit::Ignored => {}
        }
        state.services.cursor = Cursor::default();
        state.events.cursor = Cursor::default();
        remember_selection(state);
        return Vec::new();
    }
    let Some(command) = state.keymap.command_for(&state.screen, key) else {
        if key.label().chars().count() == 1 && !key.ctrl && !key.alt {
            let hint = format!(
                "{} does nothing here: ? lists this screen's keys, : its commands",
                key.label()
            );
            flash(state, &hint, false);
        }
        return Vec::new();
    };
    dispatch(state, command, "")
}

/// A screen was entered: the filter is cleared and the screen's hooks
/// reset its cursor and fetch what it needs.
pub(super) fn entered(state: &mut AppState) -> Vec<Effect> {
    state.filter = TextInput::default();
    state.filtering = false;
    hooks(&state.screen).entered(state)
}

pub(super) fn open_selected(state: &mut AppState) -> Vec<Effect> {
    hooks(&state.screen).open_selected(state)
}
