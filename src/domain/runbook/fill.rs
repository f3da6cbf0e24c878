//! Filling a runbook's parameters from what triage knows of a selection,
//! by parameter name, each value with the words that say where it came
//! from: the selected service and task, the service's security groups (its
//! network configuration), the secrets and log groups its task definition
//! names, and the account's flow logs delivery role. The console's form and
//! `triage runbook run --service` fill the same names the same way, so
//! nothing the screen knows is typed.

use crate::domain::exposure::Exposure;

/// Parameters filled from what the service's exposure read says.
pub const FROM_EXPOSURE: &[&str] = &["security_groups", "secret_ids", "log_group", "log_groups"];

/// What is known of the selection.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Selection<'a> {
    pub cluster: Option<&'a str>,
    pub service: Option<&'a str>,
    pub task: Option<&'a str>,
    /// What the service can reach and read, when read.
    pub exposure: Option<&'a Exposure>,
    /// The account's flow logs delivery role, when configured.
    pub flow_logs_role: Option<&'a str>,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub value: String,
    pub source: String,
}

/// The value the selection gives a parameter of this name.
pub(crate) fn value_for(param: &str, selection: &Selection<'_>) -> Option<Filled> {
    let known = |value: String, source: String| {
        (!value.trim().is_empty()).then_some(Filled { value, source })
    };
    let exposure = selection.exposure;
    let definition = || {
        exposure
            .and_then(|e| e.task_definition.clone())
            .map(|td| format!("task definition {td}"))
            .unwrap_or_else(|| "the task definition".into())
    };
    match param {
        "cluster" => known(selection.cluster?.to_string(), "the selection".into()),
        "service" | "services" => known(selection.service?.to_string(), "the selection".into()),
        "task" | "task_arn" | "task_id" => {
            known(selection.task?.to_string(), "the selection".into())
        }
        "security_groups" => known(
            exposure?.security_groups().join(","),
            "the service's network configuration (awsvpc)".into(),
        ),
        "secret_ids" => {
            let e = exposure?;
            let ids = e.secret_ids();
            let others = e.secret_sources().len().saturating_sub(ids.len());
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
        "log_group" => known(
            exposure?.log_groups.first()?.clone(),
            format!("{}: awslogs-group", definition()),
        ),
        "log_groups" => known(
            exposure?.log_groups.join(","),
            format!("{}: awslogs-group", definition()),
        ),
        "flow_logs_role" => known(
            selection.flow_logs_role?.to_string(),
            "the account's flow logs role (flow_logs_role in the config)".into(),
        ),
        _ => None,
    }
}
