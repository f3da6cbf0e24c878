//! The incident's timeline: its entries, newest at the bottom, with the key
//! timestamps above. Entering it goes to the newest entry; `n`, `m`, `e`,
//! `i`, `x` add a note, a milestone, correct, mark important, export. Its
//! cursor is kept with the incident (`IncidentView`), which follows new
//! entries while it is at the end.

use super::ScreenHooks;
use crate::app::commands::{Command, Scope};
use crate::app::cursors::moved;
use crate::app::effect::Effect;
use crate::app::layout::{list_rows, scroll_into_view, TIMELINE_SUMMARY_ROWS};
use crate::app::state::{AppState, Cursor};

pub struct Hooks;

/// Rows of entries the timeline shows.
pub(crate) fn entry_rows(height: u16) -> usize {
    list_rows(height).saturating_sub(TIMELINE_SUMMARY_ROWS as usize)
}

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Timeline, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the timeline"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        let rows = entry_rows(state.height);
        if let Some(view) = &mut state.incident {
            let last = view.shown().len().saturating_sub(1);
            view.cursor = Cursor {
                selected: last,
                offset: scroll_into_view(last, 0, rows),
            };
        }
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let rows = entry_rows(state.height);
        if let Some(view) = &mut state.incident {
            let len = view.shown().len();
            view.cursor = moved(view.cursor, delta, len, rows);
        }
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        if command != Command::TimelineAll {
            return None;
        }
        let rows = entry_rows(state.height);
        if let Some(view) = &mut state.incident {
            view.all_entries = !view.all_entries;
            let last = view.shown().len().saturating_sub(1);
            view.cursor = Cursor {
                selected: last,
                offset: scroll_into_view(last, 0, rows),
            };
        }
        Some(Vec::new())
    }
}
