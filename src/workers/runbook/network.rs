//! `ec2.egress_lockdown` and `ec2.egress_restore`: plans from the groups'
//! current rules; the lockdown's snapshot is what the restore puts back.

use super::inputs::{list, optional_text};
use super::{unchanged, Executed, Plan, StepError, StepPorts};
use crate::domain::runbook::egress::{
    default_allow_list, plan_lockdown as plan_group, plan_restore as plan_group_restore, Allowed,
    LockdownPlan, LockdownSnapshot, RestorePlan,
};
use crate::domain::runbook::PlanData;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn allow_list(inputs: &Value) -> Result<Vec<Allowed>, StepError> {
    if inputs.get("allow").is_none() {
        return Ok(default_allow_list());
    }
    list(inputs, "allow")?
        .iter()
        .map(|a| Allowed::parse(a).map_err(|e| StepError::Input(e.to_string())))
        .collect()
}

fn rule_lines(lines: &mut Vec<String>, label: &str, rules: &[crate::domain::network::EgressRule]) {
    for r in rules {
        lines.push(format!("  {label} {}", r.describe()));
    }
}

pub(crate) async fn plan_lockdown(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let allow = allow_list(inputs)?;
    let mut plans = Vec::new();
    let mut lines = Vec::new();
    for id in list(inputs, "security_groups")? {
        let group = ports.network.security_group(&id).await?;
        let plan = plan_group(&id, &group.egress, &allow);
        lines.push(format!(
            "{id} ({}): remove {}, keep {}, add {}{}",
            group.name,
            plan.remove.len(),
            plan.keep.len(),
            plan.add.len(),
            if plan.is_no_change() {
                " (already locked down)"
            } else {
                ""
            }
        ));
        rule_lines(&mut lines, "-", &plan.remove);
        rule_lines(&mut lines, "=", &plan.keep);
        rule_lines(&mut lines, "+", &plan.add);
        plans.push(plan);
    }
    lines.push(
        "Tracked connections already open keep flowing; use a network ACL to cut them at once."
            .into(),
    );
    let no_change = plans.iter().all(LockdownPlan::is_no_change);
    Ok(Plan {
        target: plans.first().map(|p| p.group.clone()),
        lines,
        no_change,
        data: PlanData::Lockdown(plans),
    })
}

pub async fn lockdown(ports: &StepPorts, plan: &Plan) -> Result<Executed, StepError> {
    let PlanData::Lockdown(plans) = &plan.data else {
        return Err(StepError::Failed(
            "the lockdown plan is missing: plan the step again".into(),
        ));
    };
    let snapshots: Vec<LockdownSnapshot> = plans.iter().map(LockdownPlan::snapshot).collect();
    let counts = |f: fn(&LockdownPlan) -> usize| plans.iter().map(f).sum::<usize>().to_string();
    let mut outputs = BTreeMap::from([
        ("removed".to_string(), counts(|p| p.remove.len())),
        ("added".to_string(), counts(|p| p.add.len())),
        ("kept".to_string(), counts(|p| p.keep.len())),
        (
            "snapshot".to_string(),
            serde_json::to_string(&snapshots).unwrap_or_default(),
        ),
    ]);
    if plan.no_change {
        return Ok(unchanged(
            outputs,
            "egress already limited to the allow-list",
        ));
    }
    let mut done = Vec::new();
    for p in plans {
        // Add the allowed rules first so DNS and HTTPS never drop out.
        ports.network.authorize_egress(&p.group, &p.add).await?;
        ports.network.revoke_egress(&p.group, &p.remove).await?;
        done.push(format!(
            "{}: removed {}, added {}",
            p.group,
            p.remove.len(),
            p.add.len()
        ));
    }
    outputs.insert("groups".into(), plans.len().to_string());
    Ok(Executed {
        succeeded: true,
        excerpt: Some(done.join("\n")),
        undo: json!({"snapshot": snapshots}),
        outputs,
        ..Executed::default()
    })
}

fn snapshots(inputs: &Value) -> Result<Vec<LockdownSnapshot>, StepError> {
    let raw = inputs.get("snapshot").ok_or_else(|| {
        StepError::Input("input `snapshot` is missing (use ${steps.<lockdown>.snapshot})".into())
    })?;
    let value = match raw {
        Value::String(s) => serde_json::from_str(s).map_err(|e| {
            StepError::Input(format!("input `snapshot` is not a lockdown snapshot: {e}"))
        })?,
        other => other.clone(),
    };
    let all: Vec<LockdownSnapshot> = serde_json::from_value(value).map_err(|e| {
        StepError::Input(format!("input `snapshot` is not a lockdown snapshot: {e}"))
    })?;
    let only = optional_text(inputs, "security_groups")
        .map(|_| list(inputs, "security_groups"))
        .transpose()?;
    Ok(all
        .into_iter()
        .filter(|s| only.as_ref().is_none_or(|o| o.contains(&s.group)))
        .collect())
}

pub(crate) async fn plan_restore(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let mut plans = Vec::new();
    let mut lines = Vec::new();
    for snapshot in snapshots(inputs)? {
        let group = ports.network.security_group(&snapshot.group).await?;
        let plan = plan_group_restore(&snapshot, &group.egress);
        lines.push(format!(
            "{} ({}): re-add {}, revoke {}{}",
            plan.group,
            group.name,
            plan.reauthorize.len(),
            plan.revoke.len(),
            if plan.is_no_change() {
                " (already restored)"
            } else {
                ""
            }
        ));
        rule_lines(&mut lines, "+", &plan.reauthorize);
        rule_lines(&mut lines, "-", &plan.revoke);
        plans.push(plan);
    }
    Ok(Plan {
        target: plans.first().map(|p| p.group.clone()),
        no_change: plans.iter().all(RestorePlan::is_no_change),
        lines,
        data: PlanData::Restore(plans),
    })
}

pub async fn restore(ports: &StepPorts, plan: &Plan) -> Result<Executed, StepError> {
    let PlanData::Restore(plans) = &plan.data else {
        return Err(StepError::Failed(
            "the restore plan is missing: plan the step again".into(),
        ));
    };
    let outputs = BTreeMap::from([
        (
            "restored".to_string(),
            plans
                .iter()
                .map(|p| p.reauthorize.len())
                .sum::<usize>()
                .to_string(),
        ),
        (
            "revoked".to_string(),
            plans
                .iter()
                .map(|p| p.revoke.len())
                .sum::<usize>()
                .to_string(),
        ),
    ]);
    if plan.no_change {
        return Ok(unchanged(
            outputs,
            "the snapshot's rules are already in place",
        ));
    }
    for p in plans {
        ports
            .network
            .authorize_egress(&p.group, &p.reauthorize)
            .await?;
        ports.network.revoke_egress(&p.group, &p.revoke).await?;
    }
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!("restored {} group(s)", plans.len())),
        outputs,
        ..Executed::default()
    })
}
