//! The mouse: the wheel scrolls, a click selects, a second click opens.

use super::commands::{run::dispatch, Command};
use super::cursors::move_by;
use super::effect::Effect;
use super::input::MouseInput;
use super::keys::open_selected;
use super::layout::{list_rows, list_top};
use super::screens::hooks;
use super::state::{AppState, Overlay};

pub(super) fn on_mouse(state: &mut AppState, mouse: MouseInput) -> Vec<Effect> {
    if state.overlay != Overlay::None {
        return Vec::new();
    }
    match mouse {
        MouseInput::ScrollUp => dispatch(state, Command::Up, ""),
        MouseInput::ScrollDown => dispatch(state, Command::Down, ""),
        MouseInput::Click { row, .. } => {
            let top = list_top();
            if row < top || row as usize >= top as usize + list_rows(state.height) {
                return Vec::new();
            }
            let Some((cursor, len)) = hooks(&state.screen).clickable(state) else {
                return Vec::new();
            };
            let index = cursor.offset + (row - top) as usize;
            if index >= len {
                return Vec::new();
            }
            if index == cursor.selected {
                return open_selected(state);
            }
            let delta = index as i64 - cursor.selected as i64;
            move_by(state, delta);
            Vec::new()
        }
    }
}
