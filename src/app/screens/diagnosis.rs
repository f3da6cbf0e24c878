//! The diagnosis: stopped tasks across the watched services, decoded into
//! findings and patterns. Owns the report (read on entering, refreshed while
//! it shows and in the background while a service is unhealthy), its cursor,
//! and the findings the incident journal remembers after ECS forgets them.

use super::{finding_selection, RunContext, Screen, ScreenHooks};
use crate::app::commands::Scope;
use crate::app::cursors::moved;
use crate::app::effect::Effect;
use crate::app::layout::{list_rows, DIAGNOSIS_PATTERN_ROWS};
use crate::app::navigation::go;
use crate::app::refresh::{begin, is_due, settle};
use crate::app::state::{AppState, Cursor, Filter, Refreshing};
use crate::domain::diagnosis::report::DiagnosisReport;
use crate::domain::diagnosis::{Finding, Pattern};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;

/// The diagnosis screen's own state.
#[derive(Debug, Clone)]
pub struct DiagnosisScreen {
    pub report: Refreshing<DiagnosisReport>,
    pub cursor: Cursor,
    /// Stopped tasks already written to the incident journal (task ARNs).
    pub recorded_tasks: HashSet<String>,
    /// Findings kept in the journal, for tasks ECS may have forgotten.
    pub journal_findings: Vec<Finding>,
}

impl DiagnosisScreen {
    pub fn new(now: DateTime<Utc>) -> DiagnosisScreen {
        DiagnosisScreen {
            report: Refreshing::new(now),
            cursor: Cursor::default(),
            recorded_tasks: HashSet::new(),
            journal_findings: Vec::new(),
        }
    }

    /// A finding by its task ARN: from the report, or from the journal.
    pub fn finding(&self, task_arn: &str) -> Option<&Finding> {
        self.report
            .data
            .as_ref()
            .and_then(|r| r.findings.iter().find(|f| f.task_arn == task_arn))
            .or_else(|| {
                self.journal_findings
                    .iter()
                    .find(|f| f.task_arn == task_arn)
            })
    }
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Lists, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the diagnosis"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        state.diagnosis.cursor = Cursor::default();
        let report = &state.diagnosis.report;
        let fresh = report
            .updated_at
            .is_some_and(|t| state.now - t <= Duration::seconds(10));
        if report.in_flight.is_none() && !fresh {
            return request_diagnosis(state);
        }
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let rows = list_rows(state.height).saturating_sub(DIAGNOSIS_PATTERN_ROWS as usize);
        let len = state.visible_findings().len();
        state.diagnosis.cursor = moved(state.diagnosis.cursor, delta, len, rows);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        let arn = state
            .visible_findings()
            .get(state.diagnosis.cursor.selected)
            .map(|f| f.task_arn.clone());
        match arn {
            Some(arn) => go(state, Screen::Finding(arn)),
            None => Vec::new(),
        }
    }

    fn selection(&self, state: &AppState, _screen: &Screen) -> RunContext {
        state
            .visible_findings()
            .get(state.diagnosis.cursor.selected)
            .map(|f| finding_selection(f))
            .unwrap_or_default()
    }
}

impl AppState {
    /// Findings on the diagnosis screen: worst severity first, grouped by
    /// cause, newest first within a cause; after the filter.
    pub fn visible_findings(&self) -> Vec<&Finding> {
        let Some(report) = &self.diagnosis.report.data else {
            return Vec::new();
        };
        let filter = Filter::parse(&self.filter.text);
        let forgotten = self
            .diagnosis
            .journal_findings
            .iter()
            .filter(|j| !report.findings.iter().any(|f| f.task_arn == j.task_arn));
        let mut findings: Vec<_> = report
            .findings
            .iter()
            .chain(forgotten)
            .filter(|f| {
                filter.keeps(&[
                    &f.cluster,
                    f.service.as_deref().unwrap_or(""),
                    f.cause.code(),
                    &f.title,
                    f.severity.as_str(),
                ])
            })
            .collect();
        findings.sort_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then(a.cause.cmp(&b.cause))
                .then(b.stopped_at.cmp(&a.stopped_at))
        });
        findings
    }

    /// The live restart-loop pattern of a service, if any (for the services
    /// screen): a loop a later deployment ended is over at once, before the
    /// next diagnosis says so.
    pub(crate) fn loop_of(&self, key: &crate::domain::service::ServiceKey) -> Option<&Pattern> {
        let patterns = &self.diagnosis.report.data.as_ref()?.patterns;
        match self.ranked_service(key) {
            Some(service) => crate::domain::diagnosis::patterns::live_loop(patterns, service),
            None => patterns
                .iter()
                .find(|p| p.service_key() == *key && !p.ended),
        }
    }
}

/// Stopped tasks are read while the diagnosis is on screen, and in the
/// background (half as often) while some service is unhealthy, so the
/// services screen can show restart loops.
pub(crate) fn diagnosis_due(state: &AppState) -> bool {
    let on_screen = matches!(state.screen, Screen::Diagnosis | Screen::Finding(_));
    let unhealthy = state
        .status
        .data
        .as_ref()
        .is_some_and(|ranked| ranked.iter().any(|r| r.verdict.health.is_unhealthy()));
    if !on_screen && !unhealthy {
        return false;
    }
    let report = &state.diagnosis.report;
    if !is_due(report, state.now) {
        return false;
    }
    on_screen
        || report
            .updated_at
            .is_none_or(|t| state.now - t >= state.session.refresh_others * 2)
}

/// The diagnosis job reuses the services of the last status read (and
/// remembers the stopped tasks it has seen), so a background pass costs a
/// ListTasks per cluster page and only describes what is new.
pub(crate) fn request_diagnosis(state: &mut AppState) -> Vec<Effect> {
    let generation = begin(&mut state.diagnosis.report, state.now);
    let known = state
        .pairs
        .iter()
        .filter(|w| w.status.data.is_some())
        .map(|w| crate::effect::KnownPair {
            pair: w.pair().clone(),
            services: state.services_of(w.pair()).cloned().collect(),
            clusters: w.clusters_read.clone(),
        })
        .collect();
    vec![Effect::FetchDiagnosis {
        generation,
        clusters: state.session.clusters.clone(),
        known,
    }]
}

/// The diagnosis job answered.
pub(crate) fn on_report(
    state: &mut AppState,
    generation: u64,
    result: Result<Box<DiagnosisReport>, PortError>,
) -> Vec<Effect> {
    if generation != state.diagnosis.report.generation {
        return Vec::new();
    }
    let interval = state.session.refresh_others;
    settle(
        &mut state.diagnosis.report,
        state.now,
        interval,
        result.map(|r| *r),
    );
    let effects = crate::app::incident::record_stopped_tasks(state);
    // The list may have shrunk under the cursor.
    self::Hooks.move_by(state, 0);
    effects
}
