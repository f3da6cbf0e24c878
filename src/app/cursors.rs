//! Cursors: moving the selection on each screen, keeping it in view, and
//! keeping the home selection on the same service across refreshes.

use super::layout::{list_rows, scroll_into_view};
use super::layout::{DIAGNOSIS_PATTERN_ROWS, TIMELINE_SUMMARY_ROWS};
use super::state::{AppState, Cursor, Screen};

pub(super) fn move_by(state: &mut AppState, delta: i64) {
    let rows = list_rows(state.height);
    match state.screen {
        Screen::Home => {
            let len = state.visible_services().len();
            state.home = moved(state.home, delta, len, rows);
            remember_home_selection(state);
        }
        Screen::Events(_) => {
            let len = state.visible_events().len();
            state.events = moved(state.events, delta, len, rows);
        }
        Screen::Diagnosis => {
            let rows = rows.saturating_sub(DIAGNOSIS_PATTERN_ROWS as usize);
            let len = state.visible_findings().len();
            state.diagnosis_cursor = moved(state.diagnosis_cursor, delta, len, rows);
        }
        Screen::Finding(_) => {
            // Scrolls the finding's text (a few screens at most); the view clamps at its end.
            let target = (state.detail_scroll as i64).saturating_add(delta);
            state.detail_scroll = target.clamp(0, 80) as usize;
        }
        Screen::TaskLogs(_) => super::logs::move_by(state, delta),
        Screen::Timeline => {
            let rows = rows.saturating_sub(TIMELINE_SUMMARY_ROWS as usize);
            if let Some(view) = &mut state.incident {
                let len = view.incident.entries.len();
                view.cursor = moved(view.cursor, delta, len, rows);
            }
        }
        Screen::Runbooks => {
            // One row goes to the banner above the list.
            let len = super::runbook::visible_runbooks(state).len();
            state.runbooks.cursor =
                moved(state.runbooks.cursor, delta, len, rows.saturating_sub(1));
        }
        Screen::Run => {
            if let Some(view) = &mut state.run {
                if delta.abs() == 1 {
                    // j/k: look at another step.
                    let len = view.file.runbook.steps.len() as i64;
                    let target = (view.selected as i64 + delta).clamp(0, (len - 1).max(0));
                    view.selected = target as usize;
                    view.follow = false;
                    view.scroll = 0;
                } else {
                    // Pages (and g/G) scroll the step's text; the view clamps at its end.
                    let target = (view.scroll as i64).saturating_add(delta.signum() * 10);
                    view.scroll = target.clamp(0, 10_000) as usize;
                }
            }
        }
        Screen::RunbookForm => {}
        Screen::Logs => super::logs::move_by(state, delta),
        Screen::Keys => {
            let target = (state.keymap_scroll as i64).saturating_add(delta);
            // Headings add lines; the screen stops at its last page.
            let most = 2 * state.keymap.bindings.len() as i64;
            state.keymap_scroll = target.clamp(0, most) as usize;
        }
        Screen::Service(_) => {
            let len = state
                .detail
                .data
                .as_ref()
                .map(|d| d.service.events.len())
                .unwrap_or(0);
            let target = (state.detail_scroll as i64).saturating_add(delta);
            state.detail_scroll = target.clamp(0, len.saturating_sub(1) as i64) as usize;
        }
    }
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

pub(super) fn remember_home_selection(state: &mut AppState) {
    state.home_selected_key = state
        .visible_services()
        .get(state.home.selected)
        .map(|r| r.service.key());
}

/// After a re-rank, keep the cursor on the same service.
pub(super) fn restore_home_selection(state: &mut AppState) {
    let rows = list_rows(state.height);
    let visible = state.visible_services();
    let index = state
        .home_selected_key
        .as_ref()
        .and_then(|key| visible.iter().position(|r| &r.service.key() == key));
    let len = visible.len();
    drop(visible);
    match index {
        Some(i) => {
            state.home.selected = i;
            state.home.offset = scroll_into_view(i, state.home.offset, rows);
        }
        None => {
            state.home = moved(state.home, 0, len, rows);
            remember_home_selection(state);
        }
    }
}

pub(super) fn clamp_cursors(state: &mut AppState) {
    let rows = list_rows(state.height);
    let home_len = state.visible_services().len();
    state.home = moved(state.home, 0, home_len, rows);
    let events_len = state.visible_events().len();
    state.events = moved(state.events, 0, events_len, rows);
}
