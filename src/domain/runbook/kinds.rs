//! The step kinds triage knows: [`StepKind`], and for each its inputs, its
//! fixed outputs and whether it changes the account. The executors live in
//! `workers/runbook` (one match over `StepKind`, so a kind without an
//! executor does not compile); this is the catalogue `check`, the plan and
//! the docs read.

/// A built-in step kind. Written in runbooks as its [`StepKind::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    EcsService,
    EcsStoppedTasks,
    EcsForceNewDeployment,
    EcsRollback,
    EcsScale,
    EcsWaitSteady,
    EcsStopTask,
    LogsSearch,
    LogsQuery,
    SecretsRotate,
    Ec2EgressLockdown,
    Ec2EgressRestore,
    Ec2FlowLogs,
    Ec2FlowLogsRemove,
    LogsFlowTop,
    Shell,
    Approve,
    Choice,
    Manual,
}

impl StepKind {
    /// Every kind, in the catalogue's order.
    pub const ALL: [StepKind; 19] = [
        StepKind::EcsService,
        StepKind::EcsStoppedTasks,
        StepKind::EcsForceNewDeployment,
        StepKind::EcsRollback,
        StepKind::EcsScale,
        StepKind::EcsWaitSteady,
        StepKind::EcsStopTask,
        StepKind::LogsSearch,
        StepKind::LogsQuery,
        StepKind::SecretsRotate,
        StepKind::Ec2EgressLockdown,
        StepKind::Ec2EgressRestore,
        StepKind::Ec2FlowLogs,
        StepKind::Ec2FlowLogsRemove,
        StepKind::LogsFlowTop,
        StepKind::Shell,
        StepKind::Approve,
        StepKind::Choice,
        StepKind::Manual,
    ];

    /// Its contract.
    pub fn spec(self) -> &'static KindSpec {
        &KINDS[self as usize]
    }

    /// As written in a runbook: `ecs.rollback`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn parse(name: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Answered by a person rather than executed.
    pub(crate) fn is_question(self) -> bool {
        matches!(
            self,
            StepKind::Approve | StepKind::Choice | StepKind::Manual
        )
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One kind's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    pub kind: StepKind,
    pub name: &'static str,
    /// Required inputs.
    pub required: &'static [&'static str],
    /// Optional inputs.
    pub optional: &'static [&'static str],
    /// The outputs it always sets (shell steps set their own as well).
    pub outputs: &'static [&'static str],
    /// Changes the account (refused by `--read-only`; should be `destructive`).
    pub writes: bool,
    pub does: &'static str,
}

/// Indexed by `StepKind as usize` (the test below keeps the two in step).
pub(crate) const KINDS: &[KindSpec] = &[
    KindSpec {
        kind: StepKind::EcsService,
        name: "ecs.service",
        required: &["cluster", "service"],
        optional: &[],
        outputs: &["status", "running", "desired", "pending", "task_definition", "deployments", "rollout_state"],
        writes: false,
        does: "describe a service: counts, deployments, events",
    },
    KindSpec {
        kind: StepKind::EcsStoppedTasks,
        name: "ecs.stopped_tasks",
        required: &["cluster", "service"],
        optional: &["since"],
        outputs: &["count", "critical", "top_cause", "top_cause_count", "rollback_to"],
        writes: false,
        does: "stopped tasks of a service with their diagnosis",
    },
    KindSpec {
        kind: StepKind::EcsForceNewDeployment,
        name: "ecs.force_new_deployment",
        required: &["cluster", "service"],
        optional: &[],
        outputs: &["deployment_id", "task_definition"],
        writes: true,
        does: "UpdateService(forceNewDeployment): replace every task",
    },
    KindSpec {
        kind: StepKind::EcsRollback,
        name: "ecs.rollback",
        required: &["cluster", "service"],
        optional: &["to"],
        outputs: &["from_revision", "to_revision", "deployment_id"],
        writes: true,
        does: "UpdateService(taskDefinition = previous or given revision)",
    },
    KindSpec {
        kind: StepKind::EcsScale,
        name: "ecs.scale",
        required: &["cluster", "service", "count"],
        optional: &[],
        outputs: &["previous_count", "count"],
        writes: true,
        does: "UpdateService(desiredCount)",
    },
    KindSpec {
        kind: StepKind::EcsWaitSteady,
        name: "ecs.wait_steady",
        required: &["cluster", "service"],
        optional: &["timeout", "interval"],
        outputs: &["seconds", "running", "desired"],
        writes: false,
        does: "poll until the service is steady (or time out)",
    },
    KindSpec {
        kind: StepKind::EcsStopTask,
        name: "ecs.stop_task",
        required: &["cluster", "task"],
        optional: &["reason"],
        outputs: &["task_arn", "last_status"],
        writes: true,
        does: "StopTask with a reason",
    },
    KindSpec {
        kind: StepKind::LogsSearch,
        name: "logs.search",
        required: &["id"],
        optional: &["services", "log_groups", "since", "cluster"],
        outputs: &["hits", "first_at", "last_at", "groups", "services"],
        writes: false,
        does: "correlation-ID search across the services' log groups",
    },
    KindSpec {
        kind: StepKind::LogsQuery,
        name: "logs.query",
        required: &["query", "log_groups"],
        optional: &["since", "limit"],
        outputs: &["rows", "first_row"],
        writes: false,
        does: "a Logs Insights query",
    },
    KindSpec {
        kind: StepKind::SecretsRotate,
        name: "secrets.rotate",
        required: &["secret_ids"],
        optional: &["mode", "length", "exclude_punctuation"],
        outputs: &["rotated", "unchanged", "versions"],
        writes: true,
        does: "rotate secrets: mode lambda (RotateSecret) or generate (GetRandomPassword + PutSecretValue)",
    },
    KindSpec {
        kind: StepKind::Ec2EgressLockdown,
        name: "ec2.egress_lockdown",
        required: &["security_groups"],
        optional: &["allow"],
        outputs: &["removed", "added", "kept", "snapshot"],
        writes: true,
        does: "replace security groups' egress with an allow-list (default HTTPS, HTTP, DNS)",
    },
    KindSpec {
        kind: StepKind::Ec2EgressRestore,
        name: "ec2.egress_restore",
        required: &["snapshot"],
        optional: &["security_groups"],
        outputs: &["restored", "revoked"],
        writes: true,
        does: "restore egress rules from a lockdown snapshot",
    },
    KindSpec {
        kind: StepKind::Ec2FlowLogs,
        name: "ec2.flow_logs",
        required: &["log_group", "role"],
        optional: &["cluster", "service", "network_interfaces", "subnets", "vpc"],
        outputs: &["flow_logs", "network_interfaces", "log_group", "created", "already_on"],
        writes: true,
        does: "turn on VPC flow logs (all traffic) into a CloudWatch Logs group, made if missing: for a service's tasks' network interfaces, or given interfaces, subnets or a VPC",
    },
    KindSpec {
        kind: StepKind::Ec2FlowLogsRemove,
        name: "ec2.flow_logs_remove",
        required: &["created"],
        optional: &[],
        outputs: &["removed", "log_group_deleted"],
        writes: true,
        does: "remove exactly what an ec2.flow_logs step made (its flow logs, and its log group if it made one)",
    },
    KindSpec {
        kind: StepKind::LogsFlowTop,
        name: "logs.flow_top",
        required: &["log_group"],
        optional: &["network_interfaces", "since", "limit", "wait"],
        outputs: &["top_destination", "top_bytes", "top_action", "destinations", "records", "source"],
        writes: false,
        does: "the destinations the most bytes went to, from a flow-log group (Logs Insights, else FilterLogEvents), waiting for the first records",
    },
    KindSpec {
        kind: StepKind::Shell,
        name: "shell",
        required: &[],
        optional: &[],
        outputs: &["exit_code"],
        writes: false,
        does: "run the script with bash; outputs are key=value lines written to $RB_OUTPUT",
    },
    KindSpec {
        kind: StepKind::Approve,
        name: "approve",
        required: &[],
        optional: &["message"],
        outputs: &["approved_by", "approved_at"],
        writes: false,
        does: "a second person types their name to proceed",
    },
    KindSpec {
        kind: StepKind::Choice,
        name: "choice",
        required: &["options"],
        optional: &["message"],
        outputs: &["choice"],
        writes: false,
        does: "the operator picks an option; later steps use when=",
    },
    KindSpec {
        kind: StepKind::Manual,
        name: "manual",
        required: &[],
        optional: &["message"],
        outputs: &["done_by", "done_at"],
        writes: false,
        does: "a checklist item done by hand; the operator marks it done",
    },
];

pub fn spec(kind: &str) -> Option<&'static KindSpec> {
    StepKind::parse(kind).map(StepKind::spec)
}

pub fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_enums_order() {
        assert_eq!(KINDS.len(), StepKind::ALL.len());
        for kind in StepKind::ALL {
            assert_eq!(kind.spec().kind, kind);
            assert_eq!(StepKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(StepKind::parse("ecs.explode"), None);
    }
}
