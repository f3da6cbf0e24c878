//! The incident a CLI run journals into: the one asked for, the one open,
//! or one the run opens itself — named after its service and runbook, its
//! severity suggested from the service's health, both asked at a terminal.

use crate::domain::runbook::Runbook;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::Actor;
use crate::domain::Clock;
use crate::store::{IncidentStore, StoreError};

/// The incident a run journals into: `--incident`, the one open, or a new
/// one named after its service and runbook (`prod-web/chatbot-api: ECS task
/// OOM restart loop`), its severity suggested from the service's health (a
/// security runbook's: SEV1). Said on stderr, with how to change both.
/// What a run that opens its own incident names it after; `ask`: a person
/// at a terminal who did not say `--yes` is asked (the offer on Enter).
pub(super) struct OpenedFor<'a> {
    pub rb: &'a Runbook,
    pub params: &'a crate::domain::runbook::values::Params,
    pub health: Option<crate::domain::Health>,
    pub ask: bool,
}

pub(super) fn incident_for(
    store: &IncidentStore,
    wanted: Option<&str>,
    OpenedFor {
        rb,
        params,
        health,
        ask,
    }: OpenedFor<'_>,
    me: &Actor,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<String, StoreError> {
    use crate::domain::timeline::naming::{severity_words, suggested_severity};
    match store.resolve(wanted) {
        Ok(id) => Ok(id),
        Err(StoreError::NoOpenIncident) if wanted.is_none() => {
            let text = |name: &str| params.get(name).map(|v| v.render());
            let title = match (text("cluster"), text("service")) {
                (Some(c), Some(s)) => format!("{c}/{s}: {}", rb.title),
                _ => format!("Runbook: {}", rb.title),
            };
            let security = rb.tags.iter().any(|t| t == "security");
            let mut severity = Some(suggested_severity(health, security));
            let title = if ask {
                crate::errln!("no incident is open: this run opens one");
                let title = crate::cli::asking::title(&title);
                severity = crate::cli::asking::severity(severity)?;
                title
            } else {
                title
            };
            let id = store.start(&title, severity, me.clone(), redactor, clock)?;
            let said = severity
                .map(|s| format!("{} ({})", s.as_str(), severity_words(s)))
                .unwrap_or_else(|| "severity to choose".into());
            crate::errln!(
                "opened incident {id}: \"{title}\", {said}; change them: triage incident set {id} --title \"…\" --severity SEVn"
            );
            Ok(id)
        }
        Err(e) => Err(e),
    }
}
