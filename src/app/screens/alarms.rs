//! `:alarms`: every alarm in ALARM, then those without data, in the same
//! ranked order as the services (account alarms after), each with since
//! when, why, the service it belongs to, and its metric's graph with the
//! threshold drawn. Enter opens the alarm's service. Owns its cursor.

use super::{RunContext, Screen, ScreenHooks};
use crate::app::commands::Scope;
use crate::app::cursors::moved;
use crate::app::effect::Effect;
use crate::app::navigation::go;
use crate::app::state::{AppState, Cursor, Filter};
use crate::domain::alarms::{ordered, AlarmState, OwnedAlarm};

/// Rows the alarms screen spends on the selected alarm's graph and reason.
pub(crate) const GRAPH_ROWS: u16 = 10;

/// The alarms screen's own state.
#[derive(Debug, Clone, Default)]
pub struct AlarmsScreen {
    pub cursor: Cursor,
}

pub struct Hooks;

/// Rows of alarms the screen lists (the graph takes its share when tall enough).
pub(crate) fn list_height(height: u16) -> usize {
    crate::app::layout::list_rows_above(height, GRAPH_ROWS)
}

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[
            Scope::Everywhere,
            Scope::Lists,
            Scope::NotHome,
            Scope::Metrics,
        ]
    }

    fn describe(&self) -> &'static str {
        "the alarms"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        state.alarms_screen.cursor = Cursor::default();
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let len = state.visible_alarms().len();
        let rows = list_height(state.height);
        state.alarms_screen.cursor = moved(state.alarms_screen.cursor, delta, len, rows);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        let key = state
            .selected_alarm()
            .and_then(|a| a.services.first().cloned());
        match key {
            Some(key) => go(state, Screen::Service(key)),
            None => Vec::new(),
        }
    }

    fn clickable(&self, state: &AppState) -> Option<(Cursor, usize)> {
        Some((state.alarms_screen.cursor, state.visible_alarms().len()))
    }

    fn selection(&self, state: &AppState, _screen: &Screen) -> RunContext {
        state
            .selected_alarm()
            .and_then(|a| a.services.first())
            .map(RunContext::of_service)
            .unwrap_or_default()
    }
}

impl AppState {
    /// Alarms on the alarms screen: ALARM, then INSUFFICIENT_DATA, by the
    /// services' rank; after the filter.
    pub(crate) fn visible_alarms(&self) -> Vec<&OwnedAlarm> {
        let ranked = self.status.data.as_deref().unwrap_or_default();
        let rank = |key: &crate::domain::service::ServiceKey| {
            ranked.iter().position(|r| r.service.is(key))
        };
        let filter = Filter::parse(&self.filter.text);
        ordered(&self.monitoring.owned, rank)
            .into_iter()
            .filter(|a| a.alarm.state != AlarmState::Ok)
            .filter(|a| {
                let services: Vec<String> = a
                    .services
                    .iter()
                    .map(|k| format!("{}/{}", k.cluster, k.service))
                    .collect();
                filter.keeps(&[
                    &a.alarm.name,
                    a.alarm.state.as_str(),
                    &a.alarm.reason,
                    &services.join(" "),
                ])
            })
            .collect()
    }

    /// The alarm under the cursor.
    pub(crate) fn selected_alarm(&self) -> Option<&OwnedAlarm> {
        self.visible_alarms()
            .get(self.alarms_screen.cursor.selected)
            .copied()
    }
}
