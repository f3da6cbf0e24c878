//! `:security`: every GuardDuty finding of every watched pair, most severe
//! first then newest, each with the service it is about (or the account's),
//! and under the list what it says in full. Enter opens the finding's
//! service; `R` there locks it down. Owns its cursor.

use super::{RunContext, Screen, ScreenHooks};
use crate::app::commands::{Command, Scope};
use crate::app::cursors::moved;
use crate::app::effect::Effect;
use crate::app::navigation::go;
use crate::app::state::{AppState, Cursor, Filter};
use crate::domain::security::OwnedFinding;

/// Rows the screen spends on the selected finding's description.
pub(crate) const DETAIL_ROWS: u16 = 6;

/// The security screen's own state.
#[derive(Debug, Clone, Default)]
pub struct SecurityScreen {
    pub cursor: Cursor,
}

pub struct Hooks;

/// Rows of findings the screen lists (the detail takes its share when tall enough).
pub(crate) fn list_height(height: u16) -> usize {
    crate::app::layout::list_rows_above(height, DETAIL_ROWS)
}

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[
            Scope::Everywhere,
            Scope::Lists,
            Scope::NotHome,
            Scope::Suggests,
        ]
    }

    fn describe(&self) -> &'static str {
        "the GuardDuty findings"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        state.security_screen.cursor = Cursor::default();
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let len = state.visible_security().len();
        let rows = list_height(state.height);
        state.security_screen.cursor = moved(state.security_screen.cursor, delta, len, rows);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        match selected_service(state) {
            Some(key) => go(state, Screen::Service(key)),
            None => Vec::new(),
        }
    }

    fn clickable(&self, state: &AppState) -> Option<(Cursor, usize)> {
        Some((state.security_screen.cursor, state.visible_security().len()))
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        let key = selected_service(state)?;
        (command == Command::OpenRunbook).then(|| super::services::open_suggested(state, &key))
    }

    fn selection(&self, state: &AppState, _screen: &Screen) -> RunContext {
        selected_service(state)
            .as_ref()
            .map(RunContext::of_service)
            .unwrap_or_default()
    }
}

fn selected_service(state: &AppState) -> Option<crate::domain::service::ServiceKey> {
    state
        .selected_security()
        .and_then(|f| f.services.first().cloned())
}

impl AppState {
    /// Findings on the security screen: most severe first, then the newest
    /// seen; after the filter.
    pub(crate) fn visible_security(&self) -> Vec<&OwnedFinding> {
        let filter = Filter::parse(&self.filter.text);
        let mut found: Vec<&OwnedFinding> = self
            .security
            .owned
            .iter()
            .filter(|o| {
                let services: Vec<String> = o.services.iter().map(|k| k.to_string()).collect();
                filter.keeps(&[
                    &o.finding.kind,
                    &o.finding.title,
                    o.finding.severity_band().as_str(),
                    &services.join(" "),
                    o.finding.remote.ip.as_deref().unwrap_or(""),
                ])
            })
            .collect();
        found.sort_by(|a, b| {
            b.finding
                .severity
                .total_cmp(&a.finding.severity)
                .then(b.finding.last_seen.cmp(&a.finding.last_seen))
        });
        found
    }

    /// The finding under the cursor.
    pub(crate) fn selected_security(&self) -> Option<&OwnedFinding> {
        self.visible_security()
            .get(self.security_screen.cursor.selected)
            .copied()
    }
}
