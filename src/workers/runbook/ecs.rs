//! ECS steps: describe, stopped tasks, force a deployment, roll back, scale,
//! wait for steady state, stop a task.

use super::inputs::{list, number, optional_text, span, text};
use super::{unchanged, Executed, Plan, StepContext, StepError, StepPorts};
use crate::domain::ports::ServiceChange;
use crate::domain::runbook::kinds::StepKind;
use crate::domain::runbook::{PlanData, Step};
use crate::domain::service::{revision_label, DeploymentStatus, Service};
use crate::workers::diagnosis::{fetch_diagnosis, DiagnosisScope};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A plan that is not the kind's own (only a bug gets here).
fn mismatched(kind: &str) -> StepError {
    StepError::Failed(format!(
        "the plan does not belong to this `{kind}` step: plan it again"
    ))
}

fn outputs<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

pub(crate) fn plan_read(kind: StepKind, inputs: &Value) -> Result<Plan, StepError> {
    let cluster = text(inputs, "cluster")?;
    let services = list(inputs, "service")?.join(", ");
    let line = match kind {
        StepKind::EcsStoppedTasks => format!(
            "read the stopped tasks of {cluster}/{services} (last {}) and diagnose them",
            optional_text(inputs, "since").unwrap_or_else(|| "1h".into())
        ),
        StepKind::EcsWaitSteady => format!("poll {cluster}/{services} until it is steady"),
        _ => format!("describe {cluster}/{services}"),
    };
    Ok(Plan {
        lines: vec![line],
        ..Plan::default()
    })
}

fn primary(service: &Service) -> Option<&crate::domain::service::Deployment> {
    service
        .deployments
        .iter()
        .find(|d| d.status == DeploymentStatus::Primary)
}

pub async fn describe(ports: &StepPorts, inputs: &Value) -> Result<Executed, StepError> {
    let cluster = text(inputs, "cluster")?;
    let name = text(inputs, "service")?;
    let s = ports.ecs.service(&cluster, &name).await?;
    let rollout = primary(&s)
        .and_then(|d| d.rollout_state)
        .map(|r| format!("{r:?}").to_ascii_uppercase())
        .unwrap_or_default();
    let excerpt = format!(
        "{}/{}: {} running of {} desired, {} pending, {} ({} deployment(s))",
        s.cluster,
        s.name,
        s.running,
        s.desired,
        s.pending,
        s.revision_label(),
        s.deployments.len()
    );
    Ok(Executed {
        succeeded: true,
        outputs: outputs([
            ("status", s.status.clone()),
            ("running", s.running.to_string()),
            ("desired", s.desired.to_string()),
            ("pending", s.pending.to_string()),
            ("task_definition", s.revision_label()),
            ("deployments", s.deployments.len().to_string()),
            ("rollout_state", rollout),
        ]),
        excerpt: Some(excerpt),
        ..Executed::default()
    })
}

pub(crate) async fn stopped_tasks(
    ports: &StepPorts,
    inputs: &Value,
) -> Result<Executed, StepError> {
    let scope = DiagnosisScope {
        clusters: vec![text(inputs, "cluster")?],
        services: vec![text(inputs, "service")?],
        since: Some(span(inputs, "since")?.unwrap_or_else(|| chrono::Duration::hours(1))),
    };
    let report = fetch_diagnosis(ports.ecs.as_ref(), None, &scope, ports.clock.now()).await?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.severity != crate::domain::diagnosis::cause::Severity::Info)
    {
        *counts.entry(f.cause.code()).or_default() += 1;
    }
    let top = counts.iter().max_by_key(|(_, n)| **n);
    let critical = report
        .findings
        .iter()
        .filter(|f| f.severity == crate::domain::diagnosis::cause::Severity::Critical)
        .count();
    let rollback_to = report
        .patterns
        .iter()
        .find_map(|p| p.rollback_to.clone())
        .unwrap_or_default();
    let mut lines: Vec<String> = report
        .patterns
        .iter()
        .map(|p| format!("{}: {}", p.service, p.suggestion))
        .collect();
    lines.extend(report.findings.iter().take(5).map(|f| {
        format!(
            "{} {} {}",
            f.stopped_at
                .map(|t| t.format("%H:%M:%S").to_string())
                .unwrap_or_default(),
            f.cause.code(),
            f.title
        )
    }));
    Ok(Executed {
        succeeded: true,
        outputs: outputs([
            ("count", report.findings.len().to_string()),
            ("critical", critical.to_string()),
            (
                "top_cause",
                top.map(|(c, _)| c.to_string()).unwrap_or_default(),
            ),
            (
                "top_cause_count",
                top.map(|(_, n)| n.to_string())
                    .unwrap_or_else(|| "0".into()),
            ),
            ("rollback_to", rollback_to),
        ]),
        undo: json!({"findings": report.findings.iter().map(|f| &f.task_arn).collect::<Vec<_>>()}),
        excerpt: Some(if lines.is_empty() {
            "no stopped tasks in the window".into()
        } else {
            lines.join("\n")
        }),
        ..Executed::default()
    })
}

pub(crate) async fn plan_force(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let cluster = text(inputs, "cluster")?;
    let mut lines = Vec::new();
    for name in list(inputs, "service")? {
        let s = ports.ecs.service(&cluster, &name).await?;
        lines.push(format!(
            "{cluster}/{name}: replace all {} task(s) of {} with fresh ones ({} deployment(s) now)",
            s.running,
            s.revision_label(),
            s.deployments.len()
        ));
    }
    Ok(Plan {
        target: list(inputs, "service")?.first().cloned(),
        lines,
        ..Plan::default()
    })
}

pub async fn force(ports: &StepPorts, inputs: &Value) -> Result<Executed, StepError> {
    let cluster = text(inputs, "cluster")?;
    let mut ids = Vec::new();
    let mut revisions = Vec::new();
    for name in list(inputs, "service")? {
        let s = ports
            .ecs
            .update_service(
                &cluster,
                &name,
                ServiceChange {
                    force_new_deployment: true,
                    ..ServiceChange::default()
                },
            )
            .await?;
        ids.push(primary(&s).map(|d| d.id.clone()).unwrap_or_default());
        revisions.push(s.revision_label());
    }
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!("new deployment(s): {}", ids.join(", "))),
        outputs: outputs([
            ("deployment_id", ids.join(",")),
            ("task_definition", revisions.join(",")),
        ]),
        ..Executed::default()
    })
}

/// `previous`, `family:N`, `N` or a full ARN → the task definition to run.
async fn rollback_target(ports: &StepPorts, current: &str, to: &str) -> Result<String, StepError> {
    let label = revision_label(current);
    let (family, revision) = label
        .rsplit_once(':')
        .and_then(|(f, r)| Some((f.to_string(), r.parse::<u32>().ok()?)))
        .ok_or_else(|| StepError::Failed(format!("cannot read the revision of {current}")))?;
    if to != "previous" {
        let wanted = if to.chars().all(|c| c.is_ascii_digit()) {
            format!("{family}:{to}")
        } else {
            to.to_string()
        };
        let td = ports.ecs.task_definition(&wanted).await?;
        return Ok(td.arn);
    }
    let lowest = revision.saturating_sub(10).max(1);
    for candidate in (lowest..revision).rev() {
        match ports
            .ecs
            .task_definition(&format!("{family}:{candidate}"))
            .await
        {
            Ok(td) => return Ok(td.arn),
            Err(crate::domain::PortError::NotFound { .. }) => continue,
            Err(crate::domain::PortError::InvalidInput { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StepError::Failed(format!(
        "{family} has no revision before {revision} to roll back to; name one with `to: {family}:N`"
    )))
}

pub(crate) async fn plan_rollback(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let cluster = text(inputs, "cluster")?;
    let name = text(inputs, "service")?;
    let to = optional_text(inputs, "to").unwrap_or_else(|| "previous".into());
    let s = ports.ecs.service(&cluster, &name).await?;
    let target = rollback_target(ports, &s.task_definition, &to).await?;
    let no_change = revision_label(&target) == s.revision_label();
    Ok(Plan {
        lines: vec![format!(
            "{cluster}/{name}: task definition {} → {}{}",
            s.revision_label(),
            revision_label(&target),
            if no_change {
                " (already there: no change)"
            } else {
                ""
            }
        )],
        target: Some(name),
        no_change,
        data: PlanData::Rollback {
            from: s.task_definition.clone(),
            to: target.clone(),
        },
    })
}

pub async fn rollback(
    ports: &StepPorts,
    inputs: &Value,
    plan: &Plan,
) -> Result<Executed, StepError> {
    let cluster = text(inputs, "cluster")?;
    let name = text(inputs, "service")?;
    let PlanData::Rollback { from, to } = &plan.data else {
        return Err(mismatched("ecs.rollback"));
    };
    let (from, to) = (from.clone(), to.clone());
    let base = outputs([
        ("from_revision", revision_label(&from)),
        ("to_revision", revision_label(&to)),
    ]);
    // Re-read: someone may have rolled back since the plan was shown.
    let now = ports.ecs.service(&cluster, &name).await?;
    if revision_label(&now.task_definition) == revision_label(&to) {
        return Ok(unchanged(
            base,
            &format!("{name} already runs {}", revision_label(&to)),
        ));
    }
    let s = ports
        .ecs
        .update_service(
            &cluster,
            &name,
            ServiceChange {
                task_definition: Some(to.clone()),
                ..ServiceChange::default()
            },
        )
        .await?;
    let mut out = base;
    out.insert(
        "deployment_id".into(),
        primary(&s).map(|d| d.id.clone()).unwrap_or_default(),
    );
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!(
            "{name}: {} → {}",
            revision_label(&from),
            revision_label(&to)
        )),
        outputs: out,
        undo: json!({"task_definition": from}),
        ..Executed::default()
    })
}

pub(crate) async fn plan_scale(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let cluster = text(inputs, "cluster")?;
    let name = text(inputs, "service")?;
    let count = number(inputs, "count")?;
    let s = ports.ecs.service(&cluster, &name).await?;
    let no_change = s.desired == count;
    Ok(Plan {
        lines: vec![format!(
            "{cluster}/{name}: desired count {} → {count}{}",
            s.desired,
            if no_change { " (no change)" } else { "" }
        )],
        target: Some(name),
        no_change,
        data: PlanData::Scale { from: s.desired },
    })
}

pub async fn scale(ports: &StepPorts, inputs: &Value, plan: &Plan) -> Result<Executed, StepError> {
    let cluster = text(inputs, "cluster")?;
    let name = text(inputs, "service")?;
    let count = number(inputs, "count")?;
    let now = ports.ecs.service(&cluster, &name).await?;
    let previous = match plan.data {
        PlanData::Scale { from } => from,
        _ => now.desired,
    };
    let out = outputs([
        ("previous_count", previous.to_string()),
        ("count", count.to_string()),
    ]);
    if now.desired == count {
        return Ok(unchanged(
            out,
            &format!("{name} already wants {count} task(s)"),
        ));
    }
    ports
        .ecs
        .update_service(
            &cluster,
            &name,
            ServiceChange {
                desired_count: Some(count),
                ..ServiceChange::default()
            },
        )
        .await?;
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!("{name}: desired {previous} → {count}")),
        outputs: out,
        undo: json!({"desired_count": previous}),
        ..Executed::default()
    })
}

/// Steady: one deployment, as many running as desired, none pending.
pub(crate) async fn wait_steady(
    ports: &StepPorts,
    step: &Step,
    inputs: &Value,
    ctx: &mut StepContext,
) -> Result<Executed, StepError> {
    let cluster = text(inputs, "cluster")?;
    let names = list(inputs, "service")?;
    let timeout = span(inputs, "timeout")?
        .map(|d| std::time::Duration::from_millis(d.num_milliseconds().max(0) as u64))
        .or(step.attrs.timeout)
        .unwrap_or(std::time::Duration::from_secs(600));
    let interval = span(inputs, "interval")?
        .map(|d| std::time::Duration::from_millis(d.num_milliseconds().max(100) as u64))
        .unwrap_or(std::time::Duration::from_secs(3));
    // How long it waited is said in the account's time (the demo's is
    // simulated); the real clock still bounds the wait.
    let started = std::time::Instant::now();
    let account_started = super::account_now(ports);
    let mut last = String::new();
    loop {
        let mut all = true;
        let mut running = Vec::new();
        let mut desired = Vec::new();
        let mut line = Vec::new();
        for name in &names {
            let s = ports.ecs.service(&cluster, name).await?;
            all &= s.is_steady();
            running.push(s.running.to_string());
            desired.push(s.desired.to_string());
            line.push(format!(
                "{name}: {}/{} running, {} pending, {} deployment(s)",
                s.running,
                s.desired,
                s.pending,
                s.deployments.len()
            ));
        }
        let line = line.join("; ");
        if line != last {
            (ctx.output)(line.clone());
            last = line.clone();
        }
        let waited = (super::account_now(ports) - account_started)
            .to_std()
            .unwrap_or_default();
        let seconds = waited.as_secs();
        if all || started.elapsed() >= timeout || waited >= timeout {
            let verdict = if all { "steady" } else { "not steady" };
            return Ok(Executed {
                succeeded: all,
                excerpt: Some(format!("{verdict} after {seconds}s: {line}")),
                outputs: outputs([
                    ("seconds", seconds.to_string()),
                    ("running", running.join(",")),
                    ("desired", desired.join(",")),
                ]),
                ..Executed::default()
            });
        }
        tokio::time::sleep(interval).await;
    }
}

pub(crate) async fn plan_stop_task(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let cluster = text(inputs, "cluster")?;
    let task = text(inputs, "task")?;
    let found = ports
        .ecs
        .describe_tasks(&cluster, std::slice::from_ref(&task))
        .await?;
    let t = found.first().ok_or_else(|| {
        StepError::Failed(format!(
            "task {task} is not in {cluster} (or ECS no longer returns it)"
        ))
    })?;
    let no_change = t.last_status == "STOPPED" || t.desired_status == "STOPPED";
    Ok(Plan {
        lines: vec![format!(
            "stop task {} ({}, {}){}",
            t.id,
            revision_label(&t.task_definition),
            t.last_status,
            if no_change {
                ": already stopping or stopped, no change"
            } else {
                ""
            }
        )],
        target: Some(t.id.clone()),
        no_change,
        data: PlanData::StopTask {
            arn: t.arn.clone(),
            status: t.last_status.clone(),
        },
    })
}

pub async fn stop_task(
    ports: &StepPorts,
    inputs: &Value,
    plan: &Plan,
) -> Result<Executed, StepError> {
    let cluster = text(inputs, "cluster")?;
    let task = text(inputs, "task")?;
    let reason =
        optional_text(inputs, "reason").unwrap_or_else(|| "Stopped by a triage runbook".into());
    if plan.no_change {
        let (arn, status) = match &plan.data {
            PlanData::StopTask { arn, status } => (arn.clone(), status.clone()),
            _ => (task.clone(), String::new()),
        };
        return Ok(unchanged(
            outputs([("task_arn", arn), ("last_status", status)]),
            "the task is already stopping",
        ));
    }
    let t = ports.ecs.stop_task(&cluster, &task, &reason).await?;
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!("stopping {} ({})", t.id, t.last_status)),
        outputs: outputs([
            ("task_arn", t.arn.clone()),
            ("last_status", t.last_status.clone()),
        ]),
        ..Executed::default()
    })
}
