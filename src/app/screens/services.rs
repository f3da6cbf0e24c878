//! The services screen (home): every watched service ranked worst first.
//! Owns its cursor and keeps it on the same service when the ranking changes.

use super::{RunContext, Screen, ScreenHooks};
use crate::app::commands::{Command, Scope};
use crate::app::effect::Effect;
use crate::app::layout::{list_rows, scroll_into_view};
use crate::app::navigation::go;
use crate::app::state::{AppState, Cursor, Filter};
use crate::domain::ranking::RankedService;
use crate::domain::service::ServiceKey;

/// The services screen's own state.
#[derive(Debug, Clone, Default)]
pub struct ServicesScreen {
    pub cursor: Cursor,
    /// The service the cursor is on, so it stays selected when the ranking changes.
    pub selected_key: Option<ServiceKey>,
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[
            Scope::Everywhere,
            Scope::Services,
            Scope::Lists,
            Scope::Suggests,
        ]
    }

    fn describe(&self) -> &'static str {
        "the services screen"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        restore_selection(state);
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let len = state.visible_services().len();
        let rows = list_rows(state.height);
        state.services.cursor = crate::app::cursors::moved(state.services.cursor, delta, len, rows);
        remember_selection(state);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        match state.selected_service().map(|r| r.service.key()) {
            Some(key) => go(state, Screen::Service(key)),
            None => Vec::new(),
        }
    }

    fn clickable(&self, state: &AppState) -> Option<(Cursor, usize)> {
        Some((state.services.cursor, state.visible_services().len()))
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        let key = state.selected_service().map(|r| r.service.key())?;
        (command == Command::OpenRunbook).then(|| open_suggested(state, &key))
    }

    fn selection(&self, state: &AppState, _screen: &Screen) -> RunContext {
        state
            .services
            .selected_key
            .as_ref()
            .map(RunContext::of_service)
            .unwrap_or_default()
    }
}

impl AppState {
    /// Services on the services screen, ranked, after the filter.
    pub fn visible_services(&self) -> Vec<&RankedService> {
        let Some(ranked) = &self.status.data else {
            return Vec::new();
        };
        let filter = Filter::parse(&self.filter.text);
        ranked
            .iter()
            .filter(|r| {
                filter.keeps(&[
                    &r.service.cluster,
                    &r.service.name,
                    r.verdict.health.as_str(),
                    &r.verdict.reason,
                    &r.service.pair.account,
                    &r.service.pair.region,
                ])
            })
            .collect()
    }

    /// The last five minutes of a service's metrics, when read.
    pub(crate) fn metrics_of(
        &self,
        key: &ServiceKey,
    ) -> Option<crate::domain::metrics::MetricsSummary> {
        let metrics = self.monitoring.service_metrics(key)?;
        Some(metrics.summary(self.now))
    }

    /// The alarms that watch a service.
    pub(crate) fn alarms_of(&self, key: &ServiceKey) -> Vec<&crate::domain::alarms::Alarm> {
        crate::domain::alarms::of_service(&self.monitoring.owned, key)
    }

    /// Why a service is as it is, best evidence first, with what `R` opens.
    pub fn headline(&self, r: &RankedService) -> String {
        self.suggestion(r).headline
    }

    /// What triage says of a service and the runbook `R` opens: the one
    /// [`crate::domain::suggestion::suggest`] the CLI's `status` asks too.
    pub fn suggestion(&self, r: &RankedService) -> crate::domain::suggestion::Suggestion {
        let key = r.service.key();
        let causes: Vec<crate::domain::diagnosis::Cause> = self
            .findings_of_service(&key)
            .iter()
            .map(|f| f.cause)
            .collect();
        self.suggestion_with(r, &causes)
    }

    /// The suggestion when the service's stopped tasks stopped for `causes`
    /// (newest first): a finding's `R` puts its own cause first.
    pub(crate) fn suggestion_with(
        &self,
        r: &RankedService,
        causes: &[crate::domain::diagnosis::Cause],
    ) -> crate::domain::suggestion::Suggestion {
        let key = r.service.key();
        let alarms = self.alarms_of(&key);
        let metrics = self.metrics_of(&key);
        let egress = self.egress_of(&key);
        let security = self.current_findings_of(&key);
        let waiting = self.waiting_of(&key);
        let catalogue = self
            .runbooks
            .files
            .as_deref()
            .map(crate::domain::suggestion::suggestible)
            .unwrap_or_default();
        crate::domain::suggestion::suggest(
            &crate::domain::headline::Evidence {
                service: &r.service,
                verdict: &r.verdict,
                pattern: self.loop_of(&key),
                alarms: &alarms,
                metrics: metrics.as_ref(),
                egress: egress.as_ref(),
                security: &security,
                open_egress: self.exposure_of(&key).is_some_and(|e| e.open_egress()),
                causes,
                waiting: waiting.as_ref(),
            },
            &catalogue,
        )
    }

    /// A service as `R` judges it: as last ranked, else as the diagnosis
    /// read it (a finding's service before the first status read).
    pub(crate) fn suggestible_service(&self, key: &ServiceKey) -> Option<RankedService> {
        if let Some(r) = self
            .status
            .data
            .iter()
            .flatten()
            .find(|r| r.service.is(key))
        {
            return Some(r.clone());
        }
        let service = self
            .diagnosis
            .report
            .data
            .as_ref()?
            .services
            .iter()
            .find(|s| s.is(key))?
            .clone();
        Some(RankedService {
            verdict: crate::domain::health::classify(&service, self.now),
            service,
        })
    }

    /// The diagnosis' findings about a service, newest stop first.
    pub(crate) fn findings_of_service(
        &self,
        key: &ServiceKey,
    ) -> Vec<&crate::domain::diagnosis::Finding> {
        crate::domain::diagnosis::findings_of(
            self.diagnosis.report.data.iter().flat_map(|r| &r.findings),
            key,
        )
    }

    /// The service under the services screen's cursor.
    pub(crate) fn selected_service(&self) -> Option<&RankedService> {
        self.visible_services()
            .get(self.services.cursor.selected)
            .copied()
    }
}

pub(crate) fn remember_selection(state: &mut AppState) {
    state.services.selected_key = state.selected_service().map(|r| r.service.key());
}

/// After a re-rank, keep the cursor on the same service.
pub(crate) fn restore_selection(state: &mut AppState) {
    let rows = list_rows(state.height);
    let visible = state.visible_services();
    let index = state
        .services
        .selected_key
        .as_ref()
        .and_then(|key| visible.iter().position(|r| r.service.is(key)));
    let len = visible.len();
    drop(visible);
    match index {
        Some(i) => {
            let cursor = &mut state.services.cursor;
            cursor.selected = i;
            cursor.offset = scroll_into_view(i, cursor.offset, rows);
        }
        None => {
            state.services.cursor = crate::app::cursors::moved(state.services.cursor, 0, len, rows);
            remember_selection(state);
        }
    }
}

/// `R` on a service: the runbook its suggestion names, filled in with the
/// service (and the newest stopped task of the cause that chose it). When
/// no runbook's `when:` fits, it says why and opens the list.
pub(crate) fn open_suggested(state: &mut AppState, key: &ServiceKey) -> Vec<Effect> {
    if state.runbooks.files.is_none() {
        state.runbooks.pending = Some(super::runbook::state::PendingOpen::ForService(key.clone()));
        return vec![Effect::LoadRunbooks];
    }
    let Some(ranked) = state.suggestible_service(key) else {
        return Vec::new();
    };
    let suggestion = state.suggestion(&ranked);
    open_suggestion(state, key, suggestion)
}

/// Open what a suggestion names; when it names nothing, say why and open
/// the runbook list.
pub(crate) fn open_suggestion(
    state: &mut AppState,
    key: &ServiceKey,
    suggestion: crate::domain::suggestion::Suggestion,
) -> Vec<Effect> {
    let Some(runbook) = suggestion.runbook else {
        let why = suggestion.none_fits.unwrap_or_default();
        let effects = super::runbook::open_picker(state);
        crate::app::navigation::flash(state, &why, true);
        return effects;
    };
    let task = runbook.cause.and_then(|cause| {
        state
            .findings_of_service(key)
            .into_iter()
            .find(|f| f.cause == cause)
            .map(|f| f.task_arn.clone())
    });
    let context = RunContext {
        task,
        ..RunContext::of_service(key)
    };
    super::runbook::open_or_wait(state, &runbook.id, context)
}
