//! One place builds a run, for the command line and the console alike: its
//! id, the incident journal it writes to (redacted, with the run's secret
//! parameter values added to the redactor), the incident's artifacts folder
//! where shell steps run, and who runs it. Whether a stopped run may go on
//! is decided by `domain::runbook::resume`, also for both.

use super::driver::{Driver, Operator};
use super::journal::IncidentRunJournal;
use super::StepPorts;
use crate::domain::runbook::values::Params;
use crate::domain::runbook::Runbook;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::Actor;
use crate::domain::Clock;
use crate::store::IncidentStore;
use std::path::PathBuf;
use std::sync::Arc;

/// A run's place in an incident.
pub(crate) struct RunSession {
    pub run_id: String,
    pub journal: IncidentRunJournal,
    pub artifacts: PathBuf,
    pub actor: Actor,
}

/// `run-<ulid>`, lower case.
pub(crate) fn new_run_id(clock: &dyn Clock) -> String {
    format!(
        "run-{}",
        crate::store::journal::new_id(clock.now().timestamp_millis()).to_ascii_lowercase()
    )
}

impl RunSession {
    /// A new run (`run_id` None) or one going on, in `incident`, by `operator`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: &IncidentStore,
        incident: &str,
        redactor: &Redactor,
        runbook: &Runbook,
        params: &Params,
        clock: Arc<dyn Clock>,
        operator: &str,
        run_id: Option<String>,
    ) -> RunSession {
        let mut redactor = redactor.clone();
        for spec in runbook.secret_params() {
            if let Some(v) = params.get(&spec.name) {
                redactor.add_secret(&v.render());
            }
        }
        RunSession {
            run_id: run_id.unwrap_or_else(|| new_run_id(clock.as_ref())),
            journal: IncidentRunJournal {
                journal: store.journal(incident),
                redactor,
                clock,
            },
            artifacts: store.dir(incident).join("artifacts"),
            actor: Actor::Human {
                name: operator.to_string(),
            },
        }
    }

    /// The driver of this run, answering through `operator`.
    pub fn driver<'a>(
        &'a mut self,
        runbook: &'a Runbook,
        params: Params,
        ports: StepPorts,
        operator: &'a mut dyn Operator,
    ) -> Driver<'a> {
        Driver::new(
            runbook,
            params,
            ports,
            self.actor.clone(),
            self.artifacts.clone(),
            &mut self.journal,
            operator,
        )
    }
}
