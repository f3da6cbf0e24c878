//! Cursors: a list's selection moved and kept in view. Each screen moves its
//! own (its hooks' `move_by`); this module holds the arithmetic.

use super::layout::{list_rows, scroll_into_view};
use super::screens::hooks;
use super::state::{AppState, Cursor};

pub(super) fn move_by(state: &mut AppState, delta: i64) {
    hooks(&state.screen).move_by(state, delta)
}

pub(crate) fn moved(cursor: Cursor, delta: i64, len: usize, rows: usize) -> Cursor {
    if len == 0 {
        return Cursor::default();
    }
    let selected = (cursor.selected as i64)
        .saturating_add(delta)
        .clamp(0, len as i64 - 1) as usize;
    Cursor {
        selected,
        offset: scroll_into_view(selected, cursor.offset, rows),
    }
}

pub(super) fn clamp_cursors(state: &mut AppState) {
    let rows = list_rows(state.height);
    let home_len = state.visible_services().len();
    state.services.cursor = moved(state.services.cursor, 0, home_len, rows);
    let events_len = state.visible_events().len();
    state.events.cursor = moved(state.events.cursor, 0, events_len, rows);
}
