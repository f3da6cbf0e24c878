//! `:changes`: every change of the last six hours in every pair watched —
//! CloudTrail's write events, ECS deployments, triage's own actions —
//! newest first, narrowed by `/`; the selected change's detail below.
//! Enter opens the service it touched. Owns its cursor.

use super::{RunContext, Screen, ScreenHooks};
use crate::app::commands::Scope;
use crate::app::cursors::moved;
use crate::app::effect::Effect;
use crate::app::navigation::go;
use crate::app::state::{AppState, Cursor, Filter};
use crate::domain::changes::Change;

/// Rows the changes screen spends on the selected change's detail.
pub(crate) const DETAIL_ROWS: u16 = 8;

/// The changes screen's own state.
#[derive(Debug, Clone, Default)]
pub struct ChangesScreen {
    pub cursor: Cursor,
}

pub struct Hooks;

/// Rows of changes the screen lists (the detail takes its share when tall enough).
pub(crate) fn list_height(height: u16) -> usize {
    crate::app::layout::list_rows_above(height, DETAIL_ROWS)
}

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Lists, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "what changed"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        state.changes_screen.cursor = Cursor::default();
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let len = state.visible_changes().len();
        let rows = list_height(state.height);
        state.changes_screen.cursor = moved(state.changes_screen.cursor, delta, len, rows);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        let key = state
            .selected_change()
            .and_then(|c| c.services.first().cloned());
        match key {
            Some(key) => go(state, Screen::Service(key)),
            None => Vec::new(),
        }
    }

    fn clickable(&self, state: &AppState) -> Option<(Cursor, usize)> {
        Some((state.changes_screen.cursor, state.visible_changes().len()))
    }

    fn selection(&self, state: &AppState, _screen: &Screen) -> RunContext {
        state
            .selected_change()
            .and_then(|c| c.services.first())
            .map(RunContext::of_service)
            .unwrap_or_default()
    }
}

impl AppState {
    /// Changes on the changes screen, newest first, after the filter.
    pub(crate) fn visible_changes(&self) -> Vec<&Change> {
        let filter = Filter::parse(&self.filter.text);
        self.all_changes()
            .into_iter()
            .filter(|c| {
                let services: Vec<String> = c
                    .services
                    .iter()
                    .map(|k| format!("{}/{}", k.cluster, k.service))
                    .collect();
                filter.keeps(&[
                    &c.action,
                    &c.actor,
                    &c.summary,
                    &services.join(" "),
                    &c.detail.join(" "),
                ])
            })
            .collect()
    }

    /// The change under the cursor.
    pub(crate) fn selected_change(&self) -> Option<&Change> {
        self.visible_changes()
            .get(self.changes_screen.cursor.selected)
            .copied()
    }
}
