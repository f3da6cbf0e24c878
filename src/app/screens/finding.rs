//! One finding in depth: why the task stopped, its evidence, what changed
//! between the revisions when a deployment is to blame, its runbook. Owns the
//! revision diff read on entering and the text's scroll; `l` opens the task's
//! log, `y` copies its ARN, `R` opens its runbook prefilled.

use super::{finding_selection, RunContext, Screen, ScreenHooks};
use crate::app::commands::{Command, Scope};
use crate::app::effect::Effect;
use crate::app::navigation::{flash, go};
use crate::app::state::AppState;
use crate::domain::diagnosis::patterns::Change;
use crate::domain::PortError;

/// The finding screen's own state.
#[derive(Debug, Clone, Default)]
pub struct FindingScreen {
    pub revision_diff: Option<RevisionDiff>,
    /// How far its text is scrolled.
    pub scroll: usize,
}

/// What changed between the revision before a deployment and the one that broke.
#[derive(Debug, Clone)]
pub struct RevisionDiff {
    pub task_arn: String,
    pub before: String,
    pub after: String,
    /// None while loading.
    pub changes: Option<Result<Vec<Change>, PortError>>,
}

/// The finding's text is a few screens at most; the view clamps at its end.
const MOST_SCROLL: i64 = 80;

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[
            Scope::Everywhere,
            Scope::Finding,
            Scope::NotHome,
            Scope::Suggests,
        ]
    }

    fn describe(&self) -> &'static str {
        "a finding"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        let Screen::Finding(arn) = state.screen.clone() else {
            return Vec::new();
        };
        state.finding.scroll = 0;
        request_revision_diff(state, &arn)
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let target = (state.finding.scroll as i64).saturating_add(delta);
        state.finding.scroll = target.clamp(0, MOST_SCROLL) as usize;
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        let Screen::Finding(arn) = state.screen.clone() else {
            return None;
        };
        match command {
            Command::TaskLogs => Some(go(state, Screen::TaskLogs(arn))),
            Command::CopyArn => {
                flash(state, "task ARN copied (OSC 52)", false);
                Some(vec![Effect::Copy(arn)])
            }
            Command::OpenRunbook => Some(super::runbook::open_for_finding(state, &arn)),
            _ => None,
        }
    }

    fn selection(&self, state: &AppState, screen: &Screen) -> RunContext {
        match screen {
            Screen::Finding(arn) | Screen::TaskLogs(arn) => state
                .diagnosis
                .finding(arn)
                .map(finding_selection)
                .unwrap_or_default(),
            _ => RunContext::default(),
        }
    }
}

/// When a deployment is to blame for a finding's loop, ask what changed
/// between the revision before and the one that fails.
pub(crate) fn request_revision_diff(state: &mut AppState, task_arn: &str) -> Vec<Effect> {
    let Some(report) = &state.diagnosis.report.data else {
        return Vec::new();
    };
    let Some(finding) = report.findings.iter().find(|f| f.task_arn == task_arn) else {
        return Vec::new();
    };
    let Some(pattern) = report.patterns.iter().find(|p| {
        p.since_deployment
            && p.cause == finding.cause
            && Some(p.service_key()) == finding.service_key()
    }) else {
        return Vec::new();
    };
    let Some(before) = pattern.rollback_to.clone() else {
        return Vec::new();
    };
    let after = crate::domain::service::revision_label(&finding.task_definition);
    if state
        .finding
        .revision_diff
        .as_ref()
        .is_some_and(|d| d.before == before && d.after == after && d.changes.is_some())
    {
        return Vec::new();
    }
    state.finding.revision_diff = Some(RevisionDiff {
        task_arn: task_arn.to_string(),
        before: before.clone(),
        after: after.clone(),
        changes: None,
    });
    let pair = finding.pair.clone();
    vec![Effect::FetchRevisionDiff {
        pair,
        task_arn: task_arn.to_string(),
        before,
        after,
    }]
}

/// The revision diff arrived.
pub(crate) fn on_revision_diff(
    state: &mut AppState,
    task_arn: String,
    before: String,
    after: String,
    result: Result<Vec<Change>, PortError>,
) {
    if let Some(diff) = &mut state.finding.revision_diff {
        if diff.before == before && diff.after == after {
            diff.task_arn = task_arn;
            diff.changes = Some(result);
        }
    }
}
