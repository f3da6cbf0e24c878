//! What the console knows for a selection, by parameter name, each value
//! with the words that say where it came from: the selected service and
//! task, the service's security groups (its network configuration), the
//! secrets and log groups its task definition names, and the account's flow
//! logs delivery role. A runbook's form fills every parameter of these names,
//! so nothing the screen knows is typed.

use super::state::RunContext;
use crate::app::state::AppState;
use crate::domain::exposure::Exposure;
use crate::domain::pair::WatchedPair;
use crate::domain::service::ServiceKey;

/// Parameters filled from what the service's exposure read says.
pub const FROM_EXPOSURE: &[&str] = &["security_groups", "secret_ids", "log_group", "log_groups"];

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownValue {
    pub value: String,
    pub source: String,
}

/// The service a selection names, if it names one.
pub fn service_key(context: &RunContext) -> Option<ServiceKey> {
    Some(ServiceKey {
        cluster: context.cluster.clone()?,
        service: context.service.clone()?,
        pair: context.pair.clone().unwrap_or_default(),
    })
}

/// The value the selection, the service's exposure and the pair give a
/// parameter of this name.
pub fn value_for(
    param: &str,
    context: &RunContext,
    exposure: Option<&Exposure>,
    pair: &WatchedPair,
) -> Option<KnownValue> {
    let known = |value: String, source: String| {
        (!value.trim().is_empty()).then_some(KnownValue { value, source })
    };
    let definition = || {
        exposure
            .and_then(|e| e.task_definition.clone())
            .map(|td| format!("task definition {td}"))
            .unwrap_or_else(|| "the task definition".into())
    };
    match param {
        "cluster" => known(context.cluster.clone()?, "the selection".into()),
        "service" | "services" => known(context.service.clone()?, "the selection".into()),
        "task" | "task_arn" | "task_id" => known(context.task.clone()?, "the selection".into()),
        "security_groups" => {
            let e = exposure?;
            known(
                e.security_groups().join(","),
                "the service's network configuration (awsvpc)".into(),
            )
        }
        "secret_ids" => {
            let e = exposure?;
            let ids = e.secret_ids();
            let others = e.secret_sources().len() - ids.len();
            let mut source = format!("{}: the Secrets Manager secrets it reads", definition());
            if others > 0 {
                source.push_str(&format!(
                    " ({others} SSM parameter{} it reads too: rotate {} in SSM)",
                    if others == 1 { "" } else { "s" },
                    if others == 1 { "it" } else { "them" }
                ));
            }
            known(ids.join(","), source)
        }
        "log_group" => {
            let e = exposure?;
            known(
                e.log_groups.first()?.clone(),
                format!("{}: awslogs-group", definition()),
            )
        }
        "log_groups" => {
            let e = exposure?;
            known(
                e.log_groups.join(","),
                format!("{}: awslogs-group", definition()),
            )
        }
        "flow_logs_role" => known(
            pair.flow_logs_role.clone()?,
            "the account's flow_logs_role ([security] in the config)".into(),
        ),
        _ => None,
    }
}

/// The exposure a selection's service has on record.
pub fn exposure_for<'a>(state: &'a AppState, context: &RunContext) -> Option<&'a Exposure> {
    state.exposure_of(&service_key(context)?)
}
