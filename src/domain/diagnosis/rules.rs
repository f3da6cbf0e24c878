//! The rules: one stopped task → one finding. Each rule is a small function
//! over the task's signals; the first that recognises them wins. Reason text
//! is checked before bare exit codes (137 with an OOM reason is `oom_killed`,
//! without one `sigkill`).

use super::cause::{Cause, Severity};
use crate::domain::sanitize::one_line;
use crate::domain::task::{Container, Task};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One field that led to the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub field: String,
    pub value: String,
}

/// A stopped task, decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub task_arn: String,
    pub task_id: String,
    pub cluster: String,
    pub service: Option<String>,
    pub task_definition: String,
    pub stopped_at: Option<DateTime<Utc>>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub container: Option<String>,
    pub exit_code: Option<i32>,
    pub container_reason: Option<String>,
    pub cause: Cause,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    pub next_checks: Vec<String>,
    pub runbook: Option<String>,
    /// Rebuilt from the incident journal: ECS no longer returns this task.
    #[serde(default)]
    pub from_journal: bool,
    /// The container's last log lines before it stopped, or why there are none.
    #[serde(default)]
    pub logs: LogTail,
    /// The watched pair its task was read from (set by the reader).
    #[serde(default, skip_serializing_if = "crate::domain::Pair::is_unnamed")]
    pub pair: crate::domain::Pair,
}

impl Finding {
    /// The service whose task this was, when a service started it.
    pub(crate) fn service_key(&self) -> Option<crate::domain::service::ServiceKey> {
        Some(crate::domain::service::ServiceKey {
            cluster: self.cluster.clone(),
            service: self.service.clone()?,
            pair: self.pair.clone(),
        })
    }
}

/// The findings about one service, newest stop first (ties by task ARN).
pub fn findings_of<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    key: &crate::domain::service::ServiceKey,
) -> Vec<&'a Finding> {
    let mut found: Vec<&Finding> = findings
        .into_iter()
        .filter(|f| f.service_key().as_ref() == Some(key))
        .collect();
    found.sort_by(|a, b| {
        b.stopped_at
            .cmp(&a.stopped_at)
            .then_with(|| a.task_arn.cmp(&b.task_arn))
    });
    found
}

/// The last lines a stopped container wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LogTail {
    /// Not looked at (benign stops, or beyond the newest ones read).
    #[default]
    NotRead,
    Lines {
        stream: String,
        lines: Vec<crate::domain::ports::LogLine>,
    },
    /// Why there are no lines: no awslogs configuration, stream missing, access denied…
    Missing { why: String },
}

/// What the rules look at, lower-cased once.
struct Signals<'a> {
    stop_code: &'a str,
    stopped_reason: String,
    container_reason: String,
    exit_code: Option<i32>,
    pulled: bool,
}

impl Signals<'_> {
    /// Either reason mentions `needle`.
    fn says(&self, needle: &str) -> bool {
        self.stopped_reason.contains(needle) || self.container_reason.contains(needle)
    }

    fn says_any(&self, needles: &[&str]) -> bool {
        needles.iter().any(|n| self.says(n))
    }
}

type Rule = fn(&Signals) -> Option<Cause>;

/// In order: the most specific evidence first.
const RULES: &[Rule] = &[
    spot,
    maintenance,
    image_pull,
    resource_initialization,
    disk_full,
    eni,
    out_of_memory,
    health_checks,
    replaced,
    runtime_errors,
    exec_format,
    user_stopped,
    infrastructure,
    exit_code,
];

fn spot(s: &Signals) -> Option<Cause> {
    (s.stop_code == "SpotInterruption" || s.says("spot interruption"))
        .then_some(Cause::SpotInterruption)
}

fn maintenance(s: &Signals) -> Option<Cause> {
    s.says("performing maintenance")
        .then_some(Cause::Maintenance)
}

fn image_pull(s: &Signals) -> Option<Cause> {
    if !s.says("cannotpullcontainererror")
        && !s.says("pull image manifest")
        && !s.says("failed to pull")
    {
        return None;
    }
    Some(if s.says("toomanyrequests") {
        Cause::ImagePullRateLimited
    } else if s.says("no space left on device") {
        Cause::DiskFull
    } else if s.says_any(&[
        "403",
        "accessdenied",
        "access denied",
        "not authorized",
        "unauthorized",
        "denied:",
    ]) {
        Cause::ImagePullAuth
    } else if s.says_any(&["not found", "manifest unknown", "404", "does not exist"]) {
        Cause::ImageNotFound
    } else {
        // i/o timeout, context canceled, request canceled, dial tcp… or unspecified.
        Cause::ImagePullNetwork
    })
}

fn resource_initialization(s: &Signals) -> Option<Cause> {
    if !s.says("resourceinitializationerror") {
        return None;
    }
    // AWS says "retried N time(s)" for permission errors too: permissions first.
    Some(if s.says_any(&["logger", "log driver", "awslogs"]) {
        Cause::LoggerInit
    } else if s.says_any(&[
        "accessdenied",
        "access denied",
        "not authorized",
        "resourcenotfound",
        "can't find",
        "does not exist",
        "invalidparameter",
        "kms",
    ]) {
        Cause::SecretsAccess
    } else if s.says_any(&[
        "i/o timeout",
        "dial tcp",
        "context deadline",
        "timeout",
        "retried",
    ]) {
        Cause::SecretsNetwork
    } else {
        Cause::SecretsAccess
    })
}

fn disk_full(s: &Signals) -> Option<Cause> {
    s.says("no space left on device").then_some(Cause::DiskFull)
}

fn eni(s: &Signals) -> Option<Cause> {
    s.says_any(&[
        "network interface provisioning",
        "eni ",
        "elastic network interface",
    ])
    .then_some(Cause::EniProvisioning)
}

fn out_of_memory(s: &Signals) -> Option<Cause> {
    s.says_any(&["outofmemoryerror", "out of memory", "oom-kill", "oomkilled"])
        .then_some(Cause::OomKilled)
}

fn health_checks(s: &Signals) -> Option<Cause> {
    if s.says("elb health check")
        || s.says("is unhealthy in (target-group")
        || s.says("target-group") && s.says("health check")
    {
        return Some(Cause::ElbHealthCheck);
    }
    s.says("container health check")
        .then_some(Cause::ContainerHealthCheck)
}

fn replaced(s: &Signals) -> Option<Cause> {
    s.says("scaling activity initiated by")
        .then_some(Cause::DeploymentReplaced)
}

fn runtime_errors(s: &Signals) -> Option<Cause> {
    if s.says("cannotstartcontainererror") {
        Some(Cause::CannotStartContainer)
    } else if s.says_any(&["containerruntimetimeouterror", "dockertimeouterror"]) {
        Some(Cause::RuntimeTimeout)
    } else if s.says_any(&[
        "cannotinspectcontainererror",
        "cannotstopcontainererror",
        "cannotcreatecontainererror",
        "containerruntimeerror",
    ]) {
        Some(Cause::HostRuntimeError)
    } else {
        None
    }
}

fn exec_format(s: &Signals) -> Option<Cause> {
    s.says("exec format error").then_some(Cause::ExecFormat)
}

fn user_stopped(s: &Signals) -> Option<Cause> {
    (s.stop_code == "UserInitiated").then_some(Cause::UserStopped)
}

fn exit_code(s: &Signals) -> Option<Cause> {
    Some(match s.exit_code? {
        0 => Cause::ExitedZero,
        1 => Cause::AppError,
        2 => Cause::UsageError,
        126 => Cause::NotExecutable,
        127 => Cause::CommandNotFound,
        134 => Cause::Abort,
        137 => Cause::Sigkill,
        139 => Cause::Segfault,
        143 => Cause::Sigterm,
        255 | -1 => Cause::ExecFormat,
        _ => return None,
    })
}

fn infrastructure(s: &Signals) -> Option<Cause> {
    matches!(s.stop_code, "TerminationNotice" | "InfrastructureHealth")
        .then_some(Cause::Infrastructure)
}

/// The container whose exit stopped the task. `essential` names the
/// essential containers (from the task definition) when known: a
/// non-essential container that exited first is not the culprit.
pub(crate) fn culprit<'a>(task: &'a Task, essential: Option<&[String]>) -> Option<&'a Container> {
    let eligible: Vec<&Container> = task
        .containers
        .iter()
        .filter(|c| essential.is_none_or(|names| names.iter().any(|n| n == &c.name)))
        .collect();
    let pool = if eligible.is_empty() {
        task.containers.iter().collect()
    } else {
        eligible
    };
    pool.iter()
        .find(|c| c.reason.is_some())
        .or_else(|| pool.iter().find(|c| c.exit_code.is_some_and(|e| e != 0)))
        .or_else(|| pool.iter().find(|c| c.exit_code.is_some()))
        .or_else(|| pool.first())
        .copied()
}

/// Decode one stopped task.
pub fn diagnose(task: &Task, essential: Option<&[String]>) -> Finding {
    let container = culprit(task, essential);
    let signals = Signals {
        stop_code: task.stop_code.as_deref().unwrap_or(""),
        stopped_reason: task.stopped_reason.as_deref().unwrap_or("").to_lowercase(),
        container_reason: container
            .and_then(|c| c.reason.as_deref())
            .unwrap_or("")
            .to_lowercase(),
        exit_code: container.and_then(|c| c.exit_code),
        pulled: task.started_at.is_some(),
    };
    let mut cause = RULES
        .iter()
        .find_map(|rule| rule(&signals))
        .unwrap_or(Cause::Unknown);
    // A service's own replacement stops are SIGTERM (143) with a scheduler stop code.
    if cause == Cause::Sigterm && signals.stop_code == "ServiceSchedulerInitiated" {
        cause = Cause::DeploymentReplaced;
    }
    let facts = cause.facts();

    let clean = |s: &Option<String>| s.as_deref().map(one_line);
    let mut evidence = Vec::new();
    let mut push = |field: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            evidence.push(Evidence {
                field: field.into(),
                value,
            });
        }
    };
    push("stopCode", task.stop_code.clone());
    push("stoppedReason", clean(&task.stopped_reason));
    push("container", container.map(|c| c.name.clone()));
    push(
        "exitCode",
        container.and_then(|c| c.exit_code).map(|c| c.to_string()),
    );
    push("reason", container.and_then(|c| clean(&c.reason)));
    if !signals.pulled
        && task.stopped_at.is_some()
        && !matches!(cause, Cause::UserStopped | Cause::DeploymentReplaced)
    {
        push(
            "startedAt",
            Some("never started (failed before or during the image pull)".into()),
        );
    }

    let mut title = facts.title.to_string();
    if cause == Cause::Unknown {
        if let Some(code) = signals.exit_code {
            title = format!("Stopped with exit code {code} for a reason triage does not recognise");
        }
    }
    Finding {
        task_arn: task.arn.clone(),
        task_id: task.id.clone(),
        cluster: task.cluster.clone(),
        service: task.service_name().map(str::to_string),
        task_definition: task.task_definition.clone(),
        stopped_at: task.stopped_at,
        stop_code: task.stop_code.clone(),
        stopped_reason: clean(&task.stopped_reason),
        container: container.map(|c| c.name.clone()),
        exit_code: container.and_then(|c| c.exit_code),
        container_reason: container.and_then(|c| clean(&c.reason)),
        cause,
        severity: facts.severity,
        title,
        explanation: facts.explanation.to_string(),
        evidence,
        next_checks: facts.next_checks.iter().map(|s| s.to_string()).collect(),
        runbook: facts.runbook.map(str::to_string),
        from_journal: false,
        logs: LogTail::NotRead,
        pair: Default::default(),
    }
}
