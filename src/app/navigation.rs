//! Moving between screens (a stack: `go` pushes, `back` pops) and the
//! status-line message.

use super::effect::Effect;
use super::keys::entered;
use super::state::{AppState, Message, Screen};
use super::text_input::TextInput;
use chrono::Duration;

pub(crate) fn flash(state: &mut AppState, text: &str, error: bool) {
    state.message = Some(Message {
        text: text.to_string(),
        error,
        until: state.now + Duration::seconds(if error { 8 } else { 3 }),
    });
}

/// Navigate to a screen, remembering where we came from.
pub(crate) fn go(state: &mut AppState, screen: Screen) -> Vec<Effect> {
    if state.screen == screen {
        return Vec::new();
    }
    let previous = std::mem::replace(&mut state.screen, screen);
    state.back.push(previous);
    if state.back.len() > 50 {
        state.back.remove(0);
    }
    entered(state)
}

pub(crate) fn back(state: &mut AppState) -> Vec<Effect> {
    if !state.filter.text.is_empty() {
        state.filter = TextInput::default();
        return Vec::new();
    }
    let previous = state.back.pop().unwrap_or(Screen::Services);
    state.screen = previous;
    entered(state)
}
