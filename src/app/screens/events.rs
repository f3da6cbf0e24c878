//! Service events merged by time, of one cluster or of all. Owns its cursor;
//! Enter opens the event's service.

use super::{Screen, ScreenHooks};
use crate::app::commands::Scope;
use crate::app::effect::Effect;
use crate::app::layout::list_rows;
use crate::app::navigation::go;
use crate::app::state::{AppState, Cursor, Filter};
use crate::domain::service::{ServiceEvent, ServiceKey};

/// The events screen's own state.
#[derive(Debug, Clone, Default)]
pub struct EventsScreen {
    pub cursor: Cursor,
}

/// One event on the merged events screen.
#[derive(Debug, Clone, Copy)]
pub struct ClusterEvent<'a> {
    pub pair: &'a crate::domain::Pair,
    pub cluster: &'a str,
    pub service: &'a str,
    pub event: &'a ServiceEvent,
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Lists, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the events screen"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        state.events.cursor = Cursor::default();
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let len = state.visible_events().len();
        let rows = list_rows(state.height);
        state.events.cursor = crate::app::cursors::moved(state.events.cursor, delta, len, rows);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        let key = state
            .visible_events()
            .get(state.events.cursor.selected)
            .map(|e| ServiceKey {
                cluster: e.cluster.to_string(),
                service: e.service.to_string(),
                pair: e.pair.clone(),
            });
        match key {
            Some(key) => go(state, Screen::Service(key)),
            None => Vec::new(),
        }
    }

    fn clickable(&self, state: &AppState) -> Option<(Cursor, usize)> {
        Some((state.events.cursor, state.visible_events().len()))
    }
}

impl AppState {
    /// Events of the events screen: every service of the cluster (or all
    /// clusters) merged newest first, after the filter.
    pub fn visible_events(&self) -> Vec<ClusterEvent<'_>> {
        let Screen::Events(cluster) = &self.screen else {
            return Vec::new();
        };
        let Some(ranked) = &self.status.data else {
            return Vec::new();
        };
        let filter = Filter::parse(&self.filter.text);
        let mut events: Vec<ClusterEvent<'_>> = ranked
            .iter()
            .filter(|r| cluster.as_ref().is_none_or(|c| &r.service.cluster == c))
            .flat_map(|r| {
                r.service.events.iter().map(move |event| ClusterEvent {
                    pair: &r.service.pair,
                    cluster: &r.service.cluster,
                    service: &r.service.name,
                    event,
                })
            })
            .filter(|e| filter.keeps(&[e.cluster, e.service, &e.event.message]))
            .collect();
        events.sort_by(|a, b| {
            b.event
                .at
                .cmp(&a.event.at)
                .then_with(|| a.service.cmp(b.service))
        });
        events
    }
}
