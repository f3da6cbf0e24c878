//! The title and severity the console offers when it opens an incident:
//! named from what is wrong with the service in question (the run's, the
//! selected one, else the worst one), as `domain::timeline::naming` says;
//! and the changes a responder makes to them later (`:title`, `:severity`).

use super::effect::Effect;
use super::incident::me;
use super::navigation::flash;
use super::prompts::{ask, no_incident};
use super::screens::runbook::state::RunView;
use super::state::{AppState, PromptPurpose, Screen};
use crate::domain::ranking::RankedService;
use crate::domain::timeline::entry::IncidentChange;
use crate::domain::timeline::naming::{default_title, suggested_severity};
use crate::domain::timeline::{EntryDraft, EntryKind, Severity};

/// The runbook the console suggests for a compromised service.
const COMPROMISE_RUNBOOK: &str = "compromised-host";

/// The service an incident opened now would be about: the one selected on
/// the services screen, else the worst unhealthy one.
fn in_question(state: &AppState) -> Option<&RankedService> {
    let selected = (state.screen == Screen::Services)
        .then(|| state.selected_service())
        .flatten();
    selected.or_else(|| {
        state
            .status
            .data
            .iter()
            .flatten()
            .find(|r| r.verdict.health.is_unhealthy())
    })
}

/// The title and severity offered for `service` (`cluster/name`), or for
/// the service in question when None; `security`: the run is a security
/// runbook's.
pub(crate) fn offered(
    state: &AppState,
    service: Option<(&str, &str)>,
    security: bool,
) -> Option<(String, Severity)> {
    let row = match service {
        Some((cluster, name)) => state
            .status
            .data
            .iter()
            .flatten()
            .find(|r| r.service.cluster == cluster && r.service.name == name),
        None => in_question(state),
    }?;
    let suggestion = state.suggestion(row);
    let compromised = security
        || suggestion
            .runbook
            .as_ref()
            .is_some_and(|r| r.id == COMPROMISE_RUNBOOK);
    Some((
        default_title(
            &format!("{}/{}", row.service.cluster, row.service.name),
            &suggestion.short,
        ),
        suggested_severity(Some(row.verdict.health), compromised),
    ))
}

/// The run waiting for an incident to open, if one is.
fn pending_run(state: &AppState) -> Option<&RunView> {
    state
        .run
        .as_ref()
        .filter(|v| state.incident.is_none() && v.run_id.is_none() && v.ended.is_none())
}

/// The incident a run opens is named after what is wrong with its service,
/// as the services screen says it (`prod-web/chatbot-api: 16× OOM`), not
/// after the runbook; `cluster/service: runbook title` when the console has
/// not read that service, the runbook's title when the run names none. Its
/// severity is suggested the same way (a security runbook's: SEV1).
pub(crate) fn offered_for_run(state: &AppState, view: &RunView) -> (String, Severity) {
    let runbook = &view.file.runbook;
    let security = runbook.tags.iter().any(|t| t == "security");
    let text = |name: &str| view.params.0.get(name).map(|v| v.render());
    let (cluster, service) = (text("cluster"), text("service"));
    let named = match (&cluster, &service) {
        (Some(c), Some(s)) => Some((c.as_str(), s.as_str())),
        _ => None,
    };
    match named.and_then(|n| offered(state, Some(n), security)) {
        Some(offered) => offered,
        None => (
            match named {
                Some((c, s)) => format!("{c}/{s}: {}", runbook.title),
                None => format!("Runbook: {}", runbook.title),
            },
            suggested_severity(None, security),
        ),
    }
}

/// A new incident's title is asked: offered from the run waiting for it,
/// else from the service in question (empty when there is none).
pub(crate) fn ask_title(state: &mut AppState) {
    let title = pending_run(state)
        .map(|v| offered_for_run(state, v))
        .or_else(|| offered(state, None, false))
        .map(|(t, _)| t)
        .unwrap_or_default();
    ask(state, PromptPurpose::StartIncident, title);
}

/// The severity offered for a new incident titled `title`, as prompt text:
/// the waiting run's, else the service in question's.
pub(crate) fn ask_severity(state: &mut AppState, title: String) {
    let offered = pending_run(state)
        .map(|v| offered_for_run(state, v))
        .or_else(|| offered(state, None, false))
        .map(|(_, s)| s.as_str().to_string())
        .unwrap_or_default();
    ask(state, PromptPurpose::StartSeverity(title), offered);
}

/// The title or severity question was dismissed: a waiting run says it waits.
pub(crate) fn dismissed(state: &mut AppState, purpose: &PromptPurpose) {
    let starting = matches!(
        purpose,
        PromptPurpose::StartIncident | PromptPurpose::StartSeverity(_)
    );
    if starting && pending_run(state).is_some() {
        flash(
            state,
            "no incident opened: the run waits for one (:start opens it, and the run starts)",
            true,
        );
    }
}

/// `SEV2`, `2`, or empty (choose later).
pub(crate) fn parse_severity(state: &mut AppState, text: &str) -> Result<Option<Severity>, ()> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Severity::parse(text).map(Some).map_err(|err| {
        flash(state, &err.to_string(), true);
    })
}

/// Journal a change of the open incident's title or severity.
pub(crate) fn change(
    state: &mut AppState,
    title: Option<String>,
    severity: Option<Severity>,
) -> Vec<Effect> {
    if state.incident.is_none() {
        no_incident(state);
        return Vec::new();
    }
    let summary = match (&title, severity) {
        (Some(t), _) => format!("Title changed to: {t}"),
        (None, Some(s)) => format!("Severity set to {}", s.as_str()),
        (None, None) => return Vec::new(),
    };
    let mut draft = EntryDraft::new(EntryKind::Decision, me(state), summary);
    draft.incident = Some(IncidentChange {
        title,
        severity: severity.map(|s| s.as_str().to_string()),
        status: None,
    });
    vec![Effect::Journal(Box::new(draft))]
}

/// `:title [TEXT]`: rename the open incident (asked, prefilled, without TEXT).
pub(crate) fn title(state: &mut AppState, text: &str) -> Vec<Effect> {
    match (&state.incident, text.trim()) {
        (None, _) => {
            no_incident(state);
            Vec::new()
        }
        (Some(view), "") => {
            let current = view.incident.title.clone();
            ask(state, PromptPurpose::Title, current);
            Vec::new()
        }
        (Some(_), text) => change(state, Some(text.to_string()), None),
    }
}

/// `:severity [SEV]`: set the open incident's severity (asked without SEV).
pub(crate) fn severity(state: &mut AppState, text: &str) -> Vec<Effect> {
    match (&state.incident, text.trim()) {
        (None, _) => {
            no_incident(state);
            Vec::new()
        }
        (Some(view), "") => {
            let current = view
                .incident
                .severity
                .map(|s| s.as_str().to_string())
                .or_else(|| offered(state, None, false).map(|(_, s)| s.as_str().to_string()))
                .unwrap_or_default();
            ask(state, PromptPurpose::Severity, current);
            Vec::new()
        }
        (Some(_), text) => match parse_severity(state, text) {
            Ok(Some(s)) => change(state, None, Some(s)),
            _ => Vec::new(),
        },
    }
}
