//! Running runbook steps: every built-in kind planned (current state read,
//! target shown) and executed through the same ports as the rest of triage,
//! and the driver that walks a run through the state machine, journaling each
//! transition before the next action.

pub mod driver;
mod ecs;
mod flows;
mod inputs;
pub mod journal;
mod logs;
mod network;
pub mod operator;
mod secrets;
pub mod session;
mod shell;

use crate::domain::network::NetworkPort;
use crate::domain::ports::{EcsPort, LogSearchPort};
use crate::domain::runbook::kinds::StepKind;
use crate::domain::runbook::{PlanData, Step};
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
    /// Where the run runs, as its start entry and plans name it.
    pub pair: Option<crate::domain::pair::WatchedPair>,
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

/// The kind of a step that passed `check` (a runbook with an unknown kind
/// never runs; this says so if one gets here anyway).
fn kind_of(step: &Step) -> Result<StepKind, StepError> {
    step.kind.ok_or_else(|| {
        StepError::Input(format!(
            "unknown step kind `{}`: run `triage runbook check`",
            step.kind_name()
        ))
    })
}

/// Reads current state and says what `step` will do with `inputs`. One arm
/// per kind: a new kind does not compile until it has one.
pub async fn plan(
    ports: &StepPorts,
    step: &Step,
    inputs: &serde_json::Value,
) -> Result<Plan, StepError> {
    match kind_of(step)? {
        kind @ (StepKind::EcsService | StepKind::EcsStoppedTasks | StepKind::EcsWaitSteady) => {
            ecs::plan_read(kind, inputs)
        }
        StepKind::EcsForceNewDeployment => ecs::plan_force(ports, inputs).await,
        StepKind::EcsRollback => ecs::plan_rollback(ports, inputs).await,
        StepKind::EcsScale => ecs::plan_scale(ports, inputs).await,
        StepKind::EcsStopTask => ecs::plan_stop_task(ports, inputs).await,
        StepKind::LogsSearch => logs::plan_search(ports, inputs).await,
        StepKind::LogsQuery => logs::plan_query(inputs),
        StepKind::SecretsRotate => secrets::plan_rotate(ports, inputs).await,
        StepKind::Ec2EgressLockdown => network::plan_lockdown(ports, inputs).await,
        StepKind::Ec2EgressRestore => network::plan_restore(ports, inputs).await,
        StepKind::Ec2FlowLogs => flows::plan_flow_logs(ports, inputs).await,
        StepKind::Ec2FlowLogsRemove => flows::plan_remove(ports, inputs).await,
        StepKind::LogsFlowTop => flows::plan_top(inputs),
        StepKind::Shell => Ok(shell::plan(step)),
        StepKind::Approve | StepKind::Choice | StepKind::Manual => {
            let options = inputs::list(inputs, "options").unwrap_or_default();
            Ok(Plan {
                lines: vec![inputs::text(inputs, "message").unwrap_or_else(|_| step.title.clone())]
                    .into_iter()
                    .chain(
                        (!options.is_empty()).then(|| format!("options: {}", options.join(", "))),
                    )
                    .collect(),
                // The console offers these to pick from.
                data: PlanData::Question { options },
                ..Plan::default()
            })
        }
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
    match kind_of(step)? {
        StepKind::EcsService => ecs::describe(ports, inputs).await,
        StepKind::EcsStoppedTasks => ecs::stopped_tasks(ports, inputs).await,
        StepKind::EcsForceNewDeployment => ecs::force(ports, inputs).await,
        StepKind::EcsRollback => ecs::rollback(ports, inputs, plan).await,
        StepKind::EcsScale => ecs::scale(ports, inputs, plan).await,
        StepKind::EcsWaitSteady => ecs::wait_steady(ports, step, inputs, ctx).await,
        StepKind::EcsStopTask => ecs::stop_task(ports, inputs, plan).await,
        StepKind::LogsSearch => logs::search(ports, inputs, plan).await,
        StepKind::LogsQuery => logs::query(ports, inputs).await,
        StepKind::SecretsRotate => secrets::rotate(ports, inputs, ctx).await,
        StepKind::Ec2EgressLockdown => network::lockdown(ports, plan).await,
        StepKind::Ec2EgressRestore => network::restore(ports, plan).await,
        StepKind::Ec2FlowLogs => flows::flow_logs(ports, plan).await,
        StepKind::Ec2FlowLogsRemove => flows::remove(ports, plan).await,
        StepKind::LogsFlowTop => flows::flow_top(ports, inputs, ctx).await,
        StepKind::Shell => shell::run(step, ctx).await,
        kind @ (StepKind::Approve | StepKind::Choice | StepKind::Manual) => Err(StepError::Input(
            format!("`{kind}` steps are answered by a person, not executed"),
        )),
    }
}

/// Now, in the account's time (a simulation's may run ahead of the wall
/// clock): where the windows of a step's reads end.
pub(crate) fn account_now(ports: &StepPorts) -> chrono::DateTime<chrono::Utc> {
    ports
        .search
        .as_ref()
        .and_then(|s| s.account_time())
        .unwrap_or_else(|| ports.clock.now())
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
