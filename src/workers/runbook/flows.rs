//! `ec2.flow_logs`, `ec2.flow_logs_remove` and `logs.flow_top`: forensics
//! as steps. The first turns VPC flow logs on (a service's tasks' network
//! interfaces, or given interfaces, subnets or a VPC) into a CloudWatch Logs
//! group it makes if missing — what is on already is said and left alone;
//! the second removes exactly what the first made; the third reads the
//! group back as evidence: the destinations the most bytes went to (Logs
//! Insights, else FilterLogEvents read and added up here), waiting a while
//! for the first records, since flow logs deliver a minute or more late.

use super::inputs::{list, number, optional_text, span, text};
use super::{unchanged, Executed, Plan, StepContext, StepError, StepPorts};
use crate::domain::flowlogs::{
    bytes, from_rows, insights_query, top, Destination, FlowLog, FlowLogRequest, FlowLogsMade,
    FlowResource,
};
use crate::domain::runbook::PlanData;
use crate::domain::task::TaskState;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Pages of FilterLogEvents the fallback reads at most.
const FILTER_PAGES: usize = 100;

fn search(ports: &StepPorts) -> Result<&dyn crate::domain::ports::LogSearchPort, StepError> {
    ports
        .search
        .as_deref()
        .ok_or_else(|| StepError::Failed("CloudWatch Logs is not available in this session".into()))
}

/// What the step covers: the resources given, else the service's running
/// tasks' network interfaces.
async fn resources(
    ports: &StepPorts,
    inputs: &Value,
) -> Result<(FlowResource, Vec<String>, String), StepError> {
    let given = |key: &str| -> Result<Option<Vec<String>>, StepError> {
        match optional_text(inputs, key) {
            Some(_) => list(inputs, key).map(Some),
            None => Ok(None),
        }
    };
    if let Some(ids) = given("network_interfaces")? {
        return Ok((
            FlowResource::NetworkInterface,
            ids,
            "the interfaces given".into(),
        ));
    }
    if let Some(ids) = given("subnets")? {
        return Ok((FlowResource::Subnet, ids, "the subnets given".into()));
    }
    if let Some(vpc) = optional_text(inputs, "vpc") {
        return Ok((FlowResource::Vpc, vec![vpc], "the VPC given".into()));
    }
    let (Some(cluster), Some(service)) = (
        optional_text(inputs, "cluster"),
        optional_text(inputs, "service"),
    ) else {
        return Err(StepError::Input(
            "say what to log: `cluster` and `service` (its tasks' interfaces), or `network_interfaces`, `subnets` or `vpc`".into(),
        ));
    };
    let tasks = ports
        .ecs
        .tasks(&cluster, &service, TaskState::Running)
        .await?;
    let mut enis: Vec<String> = tasks
        .iter()
        .filter_map(|t| t.network_interface.clone())
        .collect();
    enis.sort();
    enis.dedup();
    if enis.is_empty() {
        return Err(StepError::Failed(format!(
            "{cluster}/{service} has no running task with a network interface of its own (bridge or host networking): give `subnets` or `vpc` instead"
        )));
    }
    Ok((
        FlowResource::NetworkInterface,
        enis,
        format!("the running tasks of {cluster}/{service}"),
    ))
}

pub(crate) async fn plan_flow_logs(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let log_group = text(inputs, "log_group")?;
    let role = text(inputs, "role")?;
    if !role.starts_with("arn:") {
        return Err(StepError::Input(format!(
            "input `role` must be the ARN of an IAM role vpc-flow-logs.amazonaws.com may assume, got `{role}`"
        )));
    }
    let (kind, resources, whose) = resources(ports, inputs).await?;
    let existing = ports.network.flow_logs(&resources).await?;
    let (already, to_create): (Vec<&String>, Vec<&String>) = resources.iter().partition(|r| {
        existing
            .iter()
            .any(|f| &f.resource == *r && f.log_group.as_deref() == Some(log_group.as_str()))
    });
    let already: Vec<FlowLog> = existing
        .into_iter()
        .filter(|f| already.contains(&&f.resource))
        .collect();
    let mut lines = vec![format!(
        "turn on VPC flow logs (all traffic, one-minute records) for {} {} of {whose}",
        to_create.len(),
        noun(kind, to_create.len())
    )];
    lines.extend(to_create.iter().map(|r| format!("  + {r}")));
    lines.push(format!(
        "into CloudWatch Logs group {log_group} (made if missing), delivered by {role}"
    ));
    lines.extend(
        already
            .iter()
            .map(|f| format!("  = {} already on ({})", f.resource, f.id)),
    );
    let no_change = to_create.is_empty();
    if no_change {
        lines.push("already on: nothing to do".into());
    }
    Ok(Plan {
        target: Some(log_group.clone()),
        lines,
        no_change,
        data: PlanData::FlowLogs {
            request: FlowLogRequest {
                kind,
                resources: to_create.into_iter().cloned().collect(),
                log_group,
                role,
            },
            already,
        },
    })
}

fn noun(kind: FlowResource, n: usize) -> &'static str {
    match (kind, n == 1) {
        (FlowResource::NetworkInterface, true) => "network interface",
        (FlowResource::NetworkInterface, false) => "network interfaces",
        (FlowResource::Subnet, true) => "subnet",
        (FlowResource::Subnet, false) => "subnets",
        (FlowResource::Vpc, _) => "VPC",
    }
}

pub async fn flow_logs(ports: &StepPorts, plan: &Plan) -> Result<Executed, StepError> {
    let PlanData::FlowLogs { request, already } = &plan.data else {
        return Err(StepError::Failed(
            "the flow-logs plan is missing: plan the step again".into(),
        ));
    };
    let every: Vec<String> = already
        .iter()
        .map(|f| f.resource.clone())
        .chain(request.resources.iter().cloned())
        .collect();
    let mut outputs = BTreeMap::from([
        ("log_group".to_string(), request.log_group.clone()),
        ("network_interfaces".to_string(), every.join(",")),
        (
            "already_on".to_string(),
            already
                .iter()
                .map(|f| f.resource.clone())
                .collect::<Vec<_>>()
                .join(","),
        ),
    ]);
    if plan.no_change {
        outputs.insert("flow_logs".into(), String::new());
        outputs.insert(
            "created".into(),
            serde_json::to_string(&FlowLogsMade::default()).unwrap_or_default(),
        );
        return Ok(unchanged(outputs, "flow logs are already on"));
    }
    let group_created = search(ports)?.create_log_group(&request.log_group).await?;
    let made = match ports.network.create_flow_logs(request).await {
        Ok(made) => made,
        Err(err) => {
            // Leave nothing half made: the group this step made goes too.
            if group_created {
                let _ = search(ports)?.delete_log_group(&request.log_group).await;
            }
            return Err(err.into());
        }
    };
    let record = FlowLogsMade {
        flow_logs: made.iter().map(|f| f.id.clone()).collect(),
        resources: made.iter().map(|f| f.resource.clone()).collect(),
        log_group: request.log_group.clone(),
        log_group_created: group_created,
    };
    outputs.insert("flow_logs".into(), record.flow_logs.join(","));
    outputs.insert(
        "created".into(),
        serde_json::to_string(&record).unwrap_or_default(),
    );
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!(
            "flow logs on for {} into {}{} ({})",
            record.resources.join(", "),
            request.log_group,
            if group_created { " (group made)" } else { "" },
            record.flow_logs.join(", ")
        )),
        undo: json!({ "flow_logs": record }),
        outputs,
        ..Executed::default()
    })
}

fn made_of(inputs: &Value) -> Result<FlowLogsMade, StepError> {
    let raw = inputs.get("created").ok_or_else(|| {
        StepError::Input(
            "input `created` is missing (use ${steps.<flow logs step>.created})".into(),
        )
    })?;
    let value = match raw {
        Value::String(s) => serde_json::from_str(s).map_err(|e| {
            StepError::Input(format!(
                "input `created` is not what a flow-logs step made: {e}"
            ))
        })?,
        other => other.clone(),
    };
    serde_json::from_value(value).map_err(|e| {
        StepError::Input(format!(
            "input `created` is not what a flow-logs step made: {e}"
        ))
    })
}

pub(crate) async fn plan_remove(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let made = made_of(inputs)?;
    let present: Vec<String> = ports
        .network
        .flow_logs(&made.resources)
        .await?
        .into_iter()
        .filter(|f| made.flow_logs.contains(&f.id))
        .map(|f| f.id)
        .collect();
    let mut lines: Vec<String> = present
        .iter()
        .map(|id| format!("  - flow log {id}"))
        .collect();
    if made.log_group_created {
        lines.push(format!(
            "  - log group {} and every record in it (the step made it: export what you need first)",
            made.log_group
        ));
    }
    let no_change = present.is_empty() && !made.log_group_created;
    if no_change {
        lines.push("nothing the flow-logs step made is left".into());
    }
    Ok(Plan {
        target: Some(made.log_group.clone()),
        lines,
        no_change,
        data: PlanData::FlowLogsRemove { made, present },
    })
}

pub async fn remove(ports: &StepPorts, plan: &Plan) -> Result<Executed, StepError> {
    let PlanData::FlowLogsRemove { made, present } = &plan.data else {
        return Err(StepError::Failed(
            "the removal plan is missing: plan the step again".into(),
        ));
    };
    let mut outputs = BTreeMap::from([
        ("removed".to_string(), present.join(",")),
        (
            "log_group_deleted".to_string(),
            made.log_group_created.to_string(),
        ),
    ]);
    if plan.no_change {
        outputs.insert("log_group_deleted".into(), "false".into());
        return Ok(unchanged(outputs, "nothing left to remove"));
    }
    ports.network.delete_flow_logs(present).await?;
    if made.log_group_created {
        search(ports)?.delete_log_group(&made.log_group).await?;
    }
    Ok(Executed {
        succeeded: true,
        excerpt: Some(format!(
            "removed {}{}",
            if present.is_empty() {
                "no flow log".to_string()
            } else {
                present.join(", ")
            },
            if made.log_group_created {
                format!(" and log group {}", made.log_group)
            } else {
                String::new()
            }
        )),
        outputs,
        ..Executed::default()
    })
}

pub(crate) fn plan_top(inputs: &Value) -> Result<Plan, StepError> {
    let group = text(inputs, "log_group")?;
    let interfaces = interfaces(inputs)?;
    let since = span(inputs, "since")?.unwrap_or_else(|| chrono::Duration::hours(1));
    Ok(Plan {
        lines: vec![format!(
            "the destinations the most bytes went to, in {group} over the last {} min{}",
            since.num_minutes(),
            if interfaces.is_empty() {
                String::new()
            } else {
                format!(" from {}", interfaces.join(", "))
            }
        )],
        ..Plan::default()
    })
}

fn interfaces(inputs: &Value) -> Result<Vec<String>, StepError> {
    match optional_text(inputs, "network_interfaces") {
        Some(_) => list(inputs, "network_interfaces"),
        None => Ok(Vec::new()),
    }
}

pub async fn flow_top(
    ports: &StepPorts,
    inputs: &Value,
    ctx: &mut StepContext,
) -> Result<Executed, StepError> {
    let group = text(inputs, "log_group")?;
    let interfaces = interfaces(inputs)?;
    let since = span(inputs, "since")?.unwrap_or_else(|| chrono::Duration::hours(1));
    let limit = if optional_text(inputs, "limit").is_some() {
        number(inputs, "limit")?.clamp(1, 100) as usize
    } else {
        10
    };
    let wait = span(inputs, "wait")?
        .unwrap_or_else(|| chrono::Duration::minutes(3))
        .to_std()
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let mut said = false;
    loop {
        let (found, records, source) = read_top(ports, &group, &interfaces, since, limit).await?;
        if !found.is_empty() || started.elapsed() >= wait {
            return Ok(report(&group, found, records, source));
        }
        if !said {
            (ctx.output)(format!(
                "no flow records in {group} yet: flow logs deliver a minute or more after they are turned on; waiting up to {} s",
                wait.as_secs()
            ));
            said = true;
        }
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    }
}

/// The destinations, how many records they came from, and how they were read.
async fn read_top(
    ports: &StepPorts,
    group: &str,
    interfaces: &[String],
    since: chrono::Duration,
    limit: usize,
) -> Result<(Vec<Destination>, u64, &'static str), StepError> {
    let port = search(ports)?;
    let end = super::account_now(ports);
    let start = end - since;
    let groups = [group.to_string()];
    let query = insights_query(interfaces, limit);
    if let Ok(rows) = port
        .insights(&groups, &query, start, end, limit as u32)
        .await
    {
        if let Some(found) = from_rows(&rows.rows).filter(|f| !f.is_empty()) {
            let records = found.iter().map(|d| d.records).sum();
            return Ok((found, records, "Logs Insights"));
        }
    }
    // Insights unavailable, or an answer without the sums: read the
    // records and add them up here.
    let mut lines: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..FILTER_PAGES {
        let page = port
            .filter_page(group, "", start, end, token.clone())
            .await?;
        lines.extend(page.events.into_iter().map(|e| e.message));
        match page.next_token {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => break,
        }
    }
    let (found, _) = top(lines.iter().map(String::as_str), interfaces, limit);
    let records = found.iter().map(|d| d.records).sum();
    Ok((found, records, "FilterLogEvents"))
}

fn report(group: &str, found: Vec<Destination>, records: u64, source: &str) -> Executed {
    let first = found.first();
    let outputs = BTreeMap::from([
        (
            "top_destination".to_string(),
            first.map(Destination::endpoint).unwrap_or_default(),
        ),
        (
            "top_bytes".to_string(),
            first.map(|d| d.bytes.to_string()).unwrap_or_default(),
        ),
        (
            "top_action".to_string(),
            first.map(|d| d.action.clone()).unwrap_or_default(),
        ),
        (
            "destinations".to_string(),
            serde_json::to_string(&found).unwrap_or_default(),
        ),
        ("records".to_string(), records.to_string()),
        ("source".to_string(), source.to_string()),
    ]);
    let excerpt = if found.is_empty() {
        format!("no flow records in {group} yet ({source}): run the step again in a few minutes")
    } else {
        let mut lines = vec![format!("top destinations in {group} ({source}):")];
        lines.extend(found.iter().map(|d| {
            format!(
                "  {:<22} {:<6} {:>9}  {} record{}",
                d.endpoint(),
                d.action,
                bytes(d.bytes),
                d.records,
                if d.records == 1 { "" } else { "s" }
            )
        }));
        lines.join("\n")
    };
    Executed {
        succeeded: true,
        excerpt: Some(crate::domain::sanitize::strip_controls(&excerpt)),
        outputs,
        ..Executed::default()
    }
}
