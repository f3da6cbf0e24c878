//! Running runbook steps: every built-in kind planned (current state read,
//! target shown) and executed through the same ports as the rest of triage,
//! and the driver that walks a run through the state machine, journaling each
//! transition before the next action.

pub mod console;
pub mod driver;
mod ecs;
mod inputs;
pub mod journal;
mod logs;
mod network;
mod secrets;
mod shell;

use crate::domain::network::NetworkPort;
use crate::domain::ports::{EcsPort, LogSearchPort};
use crate::domain::runbook::Step;
use crate::domain::secrets::SecretsPort;
use crate::domain::Clock;
use crate::domain::PortError;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The account as steps see it.
#[derive(Clone)]
pub struct StepPorts {
    pub ecs: Arc<dyn EcsPort>,
    pub network: Arc<dyn NetworkPort>,
    pub secrets: Arc<dyn SecretsPort>,
    pub search: Option<Arc<dyn LogSearchPort>>,
    pub clock: Arc<dyn Clock>,
}

pub use crate::domain::runbook::Plan;

/// How a step ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Executed {
    pub succeeded: bool,
    pub outputs: BTreeMap<String, String>,
    /// What undoing it needs (previous revision, removed rules, versions).
    pub undo: serde_json::Value,
    pub exit_code: Option<i32>,
    /// A few lines for the journal and the screen (never secret values).
    pub excerpt: Option<String>,
}

/// Why a step could not be planned or executed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum StepError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Port(#[from] PortError),
    #[error("{0}")]
    Failed(String),
}

/// Where a step runs and what it may see.
pub struct StepContext {
    /// The incident's artifacts folder (shell steps run there).
    pub artifacts: PathBuf,
    /// `RB_*` variables for shell steps.
    pub env: Vec<(String, String)>,
    /// Values to mask in anything shown or kept (secret parameters).
    pub secret_values: Vec<String>,
    /// Live output lines.
    pub output: Box<dyn FnMut(String) + Send>,
}

/// Reads current state and says what `step` will do with `inputs`.
pub async fn plan(
    ports: &StepPorts,
    step: &Step,
    inputs: &serde_json::Value,
) -> Result<Plan, StepError> {
    match step.kind.as_str() {
        "ecs.service" | "ecs.stopped_tasks" | "ecs.wait_steady" => ecs::plan_read(step, inputs),
        "ecs.force_new_deployment" => ecs::plan_force(ports, inputs).await,
        "ecs.rollback" => ecs::plan_rollback(ports, inputs).await,
        "ecs.scale" => ecs::plan_scale(ports, inputs).await,
        "ecs.stop_task" => ecs::plan_stop_task(ports, inputs).await,
        "logs.search" => logs::plan_search(ports, inputs).await,
        "logs.query" => logs::plan_query(inputs),
        "secrets.rotate" => secrets::plan_rotate(ports, inputs).await,
        "ec2.egress_lockdown" => network::plan_lockdown(ports, inputs).await,
        "ec2.egress_restore" => network::plan_restore(ports, inputs).await,
        "shell" => Ok(shell::plan(step)),
        "approve" | "choice" | "manual" => {
            let options = inputs::list(inputs, "options").unwrap_or_default();
            Ok(Plan {
                lines: vec![inputs::text(inputs, "message").unwrap_or_else(|_| step.title.clone())]
                    .into_iter()
                    .chain(
                        (!options.is_empty()).then(|| format!("options: {}", options.join(", "))),
                    )
                    .collect(),
                // The console offers these to pick from.
                data: serde_json::json!({ "options": options }),
                ..Plan::default()
            })
        }
        other => Err(StepError::Input(format!("unknown step kind `{other}`"))),
    }
}

/// Does it. `plan` is the plan shown and confirmed.
pub async fn execute(
    ports: &StepPorts,
    step: &Step,
    inputs: &serde_json::Value,
    plan: &Plan,
    ctx: &mut StepContext,
) -> Result<Executed, StepError> {
    match step.kind.as_str() {
        "ecs.service" => ecs::describe(ports, inputs).await,
        "ecs.stopped_tasks" => ecs::stopped_tasks(ports, inputs).await,
        "ecs.force_new_deployment" => ecs::force(ports, inputs).await,
        "ecs.rollback" => ecs::rollback(ports, inputs, plan).await,
        "ecs.scale" => ecs::scale(ports, inputs, plan).await,
        "ecs.wait_steady" => ecs::wait_steady(ports, step, inputs, ctx).await,
        "ecs.stop_task" => ecs::stop_task(ports, inputs, plan).await,
        "logs.search" => logs::search(ports, inputs, plan).await,
        "logs.query" => logs::query(ports, inputs).await,
        "secrets.rotate" => secrets::rotate(ports, inputs, ctx).await,
        "ec2.egress_lockdown" => network::lockdown(ports, plan).await,
        "ec2.egress_restore" => network::restore(ports, plan).await,
        "shell" => shell::run(step, ctx).await,
        other => Err(StepError::Input(format!(
            "`{other}` steps are answered by a person, not executed"
        ))),
    }
}

/// The "no change" result of a built-in whose state is already the target.
fn unchanged(outputs: BTreeMap<String, String>, what: &str) -> Executed {
    Executed {
        succeeded: true,
        outputs,
        excerpt: Some(format!("no change: {what}")),
        ..Executed::default()
    }
}
