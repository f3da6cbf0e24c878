//! One service in depth: its deployments, tasks and events, read on entering
//! and refreshed while it shows. Owns the detail read and its scroll.

use super::{RunContext, Screen, ScreenHooks};
use crate::app::commands::{Command, Scope};
use crate::app::effect::{Effect, ServiceDetail};
use crate::app::state::{AppState, Refreshing};
use crate::domain::metrics::TargetHealth;
use crate::domain::ranking::RankedService;
use crate::domain::service::ServiceKey;
use crate::domain::PortError;
use chrono::{DateTime, Utc};

/// The service screen's own state.
#[derive(Debug, Clone)]
pub struct ServiceScreen {
    pub detail: Refreshing<ServiceDetail>,
    /// The service the detail is of.
    pub key: Option<ServiceKey>,
    /// How far its events are scrolled.
    pub scroll: usize,
    /// Its load balancer's targets and why each is unhealthy (None until read).
    pub targets: Option<Result<Vec<TargetHealth>, PortError>>,
    /// The bottom pane: events, or the service's own recent log lines.
    pub pane: super::service_logs::Pane,
    pub logs: super::service_logs::ServiceLogs,
}

impl ServiceScreen {
    pub fn new(now: DateTime<Utc>) -> ServiceScreen {
        ServiceScreen {
            detail: Refreshing::new(now),
            key: None,
            scroll: 0,
            targets: None,
            pane: Default::default(),
            logs: Default::default(),
        }
    }
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[
            Scope::Everywhere,
            Scope::Service,
            Scope::NotHome,
            Scope::Suggests,
            Scope::Metrics,
        ]
    }

    fn describe(&self) -> &'static str {
        "a service's screen"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        let Screen::Service(key) = state.screen.clone() else {
            return Vec::new();
        };
        state.service.scroll = 0;
        if state.service.key.as_ref() != Some(&key) {
            state.service.detail = Refreshing::new(state.now);
            state.service.targets = None;
            state.service.key = Some(key);
            state.service.logs = Default::default();
        }
        request_detail(state)
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        if state.service.pane == super::service_logs::Pane::Logs {
            let rows = (state.height as usize).saturating_sub(18).max(3);
            super::service_logs::move_by(state, delta, rows);
            return;
        }
        let len = state
            .service
            .detail
            .data
            .as_ref()
            .map(|d| d.service.events.len())
            .unwrap_or(0);
        let target = (state.service.scroll as i64).saturating_add(delta);
        state.service.scroll = target.clamp(0, len.saturating_sub(1) as i64) as usize;
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        let Screen::Service(key) = state.screen.clone() else {
            return None;
        };
        match command {
            Command::OpenRunbook => Some(super::services::open_suggested(state, &key)),
            Command::ServicePane => Some(super::service_logs::toggle(state)),
            Command::ServiceLogsFilter => {
                super::service_logs::start_filter(state);
                Some(super::service_logs::due(state))
            }
            Command::ServiceLogsFollow => Some(super::service_logs::follow(state)),
            _ => None,
        }
    }

    fn editing_text(&self, state: &AppState) -> bool {
        state.service.logs.filter_input.is_some()
    }

    fn on_text_key(&self, state: &mut AppState, key: crate::app::input::KeyPress) -> Vec<Effect> {
        super::service_logs::on_filter_key(state, key);
        Vec::new()
    }

    fn selection(&self, _state: &AppState, screen: &Screen) -> RunContext {
        match screen {
            Screen::Service(key) => RunContext::of_service(key),
            _ => RunContext::default(),
        }
    }
}

impl AppState {
    /// The service shown on the service screen, from the status read (its
    /// detail arrives separately).
    pub(crate) fn selected_ranked(&self) -> Option<&RankedService> {
        let key = self.service.key.as_ref()?;
        self.status
            .data
            .as_ref()?
            .iter()
            .find(|r| r.service.is(key))
    }
}

/// The service's detail arrived.
pub(crate) fn on_detail(
    state: &mut AppState,
    generation: u64,
    key: ServiceKey,
    result: Result<Box<ServiceDetail>, crate::domain::PortError>,
) {
    let screen = &mut state.service;
    if generation != screen.detail.generation || screen.key.as_ref() != Some(&key) {
        return; // stale: another service is selected now
    }
    let interval = state.session.refresh_selected;
    crate::app::refresh::settle(&mut screen.detail, state.now, interval, result.map(|d| *d));
}

/// Read the service on screen again.
pub(crate) fn request_detail(state: &mut AppState) -> Vec<Effect> {
    let Screen::Service(key) = &state.screen else {
        return Vec::new();
    };
    let key = key.clone();
    let generation = crate::app::refresh::begin(&mut state.service.detail, state.now);
    let mut effects = vec![Effect::FetchServiceDetail {
        generation,
        key: key.clone(),
    }];
    // Its targets, read with it, when it is behind a load balancer.
    let target_group = state
        .selected_ranked()
        .and_then(|r| r.service.target_groups.first().cloned());
    if let (Some(target_group), true) = (target_group, state.monitoring.enabled) {
        effects.push(Effect::FetchTargetHealth { key, target_group });
    }
    effects
}

/// The service's targets arrived.
pub(crate) fn on_targets(
    state: &mut AppState,
    key: ServiceKey,
    result: Result<Vec<TargetHealth>, crate::domain::PortError>,
) {
    if state.service.key.as_ref() == Some(&key) {
        state.service.targets = Some(result);
    }
}
