//! The step kinds triage knows: their inputs, their fixed outputs and whether
//! they change the account. The executors live in `workers/runbook`; this is
//! the catalogue `check`, the plan and the docs read.

/// One kind's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
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

pub const KINDS: &[KindSpec] = &[
    KindSpec {
        name: "ecs.service",
        required: &["cluster", "service"],
        optional: &[],
        outputs: &["status", "running", "desired", "pending", "task_definition", "deployments", "rollout_state"],
        writes: false,
        does: "describe a service: counts, deployments, events",
    },
    KindSpec {
        name: "ecs.stopped_tasks",
        required: &["cluster", "service"],
        optional: &["since"],
        outputs: &["count", "critical", "top_cause", "top_cause_count", "rollback_to"],
        writes: false,
        does: "stopped tasks of a service with their diagnosis",
    },
    KindSpec {
        name: "ecs.force_new_deployment",
        required: &["cluster", "service"],
        optional: &[],
        outputs: &["deployment_id", "task_definition"],
        writes: true,
        does: "UpdateService(forceNewDeployment): replace every task",
    },
    KindSpec {
        name: "ecs.rollback",
        required: &["cluster", "service"],
        optional: &["to"],
        outputs: &["from_revision", "to_revision", "deployment_id"],
        writes: true,
        does: "UpdateService(taskDefinition = previous or given revision)",
    },
    KindSpec {
        name: "ecs.scale",
        required: &["cluster", "service", "count"],
        optional: &[],
        outputs: &["previous_count", "count"],
        writes: true,
        does: "UpdateService(desiredCount)",
    },
    KindSpec {
        name: "ecs.wait_steady",
        required: &["cluster", "service"],
        optional: &["timeout", "interval"],
        outputs: &["seconds", "running", "desired"],
        writes: false,
        does: "poll until the service is steady (or time out)",
    },
    KindSpec {
        name: "ecs.stop_task",
        required: &["cluster", "task"],
        optional: &["reason"],
        outputs: &["task_arn", "last_status"],
        writes: true,
        does: "StopTask with a reason",
    },
    KindSpec {
        name: "logs.search",
        required: &["id"],
        optional: &["services", "log_groups", "since", "cluster"],
        outputs: &["hits", "first_at", "last_at", "groups", "services"],
        writes: false,
        does: "correlation-ID search across the services' log groups",
    },
    KindSpec {
        name: "logs.query",
        required: &["query", "log_groups"],
        optional: &["since", "limit"],
        outputs: &["rows", "first_row"],
        writes: false,
        does: "a Logs Insights query",
    },
    KindSpec {
        name: "secrets.rotate",
        required: &["secret_ids"],
        optional: &["mode", "length", "exclude_punctuation"],
        outputs: &["rotated", "unchanged", "versions"],
        writes: true,
        does: "rotate secrets: mode lambda (RotateSecret) or generate (GetRandomPassword + PutSecretValue)",
    },
    KindSpec {
        name: "ec2.egress_lockdown",
        required: &["security_groups"],
        optional: &["allow"],
        outputs: &["removed", "added", "kept", "snapshot"],
        writes: true,
        does: "replace security groups' egress with an allow-list (default HTTPS, HTTP, DNS)",
    },
    KindSpec {
        name: "ec2.egress_restore",
        required: &["snapshot"],
        optional: &["security_groups"],
        outputs: &["restored", "revoked"],
        writes: true,
        does: "restore egress rules from a lockdown snapshot",
    },
    KindSpec {
        name: "shell",
        required: &[],
        optional: &[],
        outputs: &["exit_code"],
        writes: false,
        does: "run the script with bash; outputs are key=value lines written to $RB_OUTPUT",
    },
    KindSpec {
        name: "approve",
        required: &[],
        optional: &["message"],
        outputs: &["approved_by", "approved_at"],
        writes: false,
        does: "a second person types their name to proceed",
    },
    KindSpec {
        name: "choice",
        required: &["options"],
        optional: &["message"],
        outputs: &["choice"],
        writes: false,
        does: "the operator picks an option; later steps use when=",
    },
    KindSpec {
        name: "manual",
        required: &[],
        optional: &["message"],
        outputs: &["done_by", "done_at"],
        writes: false,
        does: "a checklist item done by hand; the operator marks it done",
    },
];

pub fn spec(kind: &str) -> Option<&'static KindSpec> {
    KINDS.iter().find(|k| k.name == kind)
}

pub fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}
