//! `logs.search` (the correlation-ID search over the services' log groups)
//! and `logs.query` (one Logs Insights query).

use super::inputs::{list, optional_text, span, text};
use super::{Executed, Plan, StepError, StepPorts};
use crate::domain::logsearch::matcher::{Matcher, DEFAULT_FIELDS};
use crate::domain::runbook::PlanData;
use crate::domain::sanitize::one_line;
use crate::workers::logsearch::{discover_groups, filter_search_capped, GroupOutcome};
use crate::workers::pipeline::CallCap;
use serde_json::Value;
use std::collections::BTreeMap;

fn search_port(ports: &StepPorts) -> Result<&dyn crate::domain::ports::LogSearchPort, StepError> {
    ports
        .search
        .as_deref()
        .ok_or_else(|| StepError::Failed("log search is not available in this session".into()))
}

fn window(
    ports: &StepPorts,
    inputs: &Value,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), StepError> {
    let end = super::account_now(ports);
    let since = span(inputs, "since")?.unwrap_or_else(|| chrono::Duration::hours(1));
    Ok((end - since, end))
}

async fn groups(ports: &StepPorts, inputs: &Value) -> Result<Vec<String>, StepError> {
    if inputs.get("log_groups").is_some() {
        return list(inputs, "log_groups");
    }
    let clusters: Vec<String> = optional_text(inputs, "cluster").into_iter().collect();
    let services = if inputs.get("services").is_some() {
        list(inputs, "services")?
    } else {
        Vec::new()
    };
    let targets = discover_groups(ports.ecs.as_ref(), &clusters, &services).await?;
    if targets.is_empty() {
        return Err(StepError::Failed(
            "no log groups found: the services' task definitions name none; give `log_groups`"
                .into(),
        ));
    }
    Ok(targets.into_iter().map(|t| t.group).collect())
}

pub(crate) async fn plan_search(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let id = text(inputs, "id")?;
    let groups = groups(ports, inputs).await?;
    let (start, end) = window(ports, inputs)?;
    Ok(Plan {
        lines: vec![
            format!("search {} log group(s) for `{id}`", groups.len()),
            format!(
                "window {} → {}",
                start.format("%H:%M:%S"),
                end.format("%H:%M:%S UTC")
            ),
        ],
        data: PlanData::Search { groups },
        ..Plan::default()
    })
}

pub async fn search(ports: &StepPorts, inputs: &Value, plan: &Plan) -> Result<Executed, StepError> {
    let id = text(inputs, "id")?;
    let fields: Vec<String> = DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect();
    let matcher = Matcher::new(&id, &fields).map_err(|e| StepError::Input(e.to_string()))?;
    let PlanData::Search { groups } = &plan.data else {
        return Err(StepError::Failed(
            "the logs.search plan carries no groups: plan the step again".into(),
        ));
    };
    let (start, end) = window(ports, inputs)?;
    // A step's search is bounded like any other: past the cap it fails and says so.
    let cap = CallCap::new(Some(crate::settings::DEFAULT_MAX_SEARCH_CALLS));
    let result = filter_search_capped(
        search_port(ports)?,
        groups,
        &matcher,
        start,
        end,
        &cap,
        |_| {},
    )
    .await;
    if result
        .groups
        .iter()
        .any(|(_, o)| matches!(o, GroupOutcome::Capped(_)))
    {
        return Err(StepError::Failed(format!(
            "the search reached its cap of {} calls before the end of the window: give `since` a shorter span",
            crate::settings::DEFAULT_MAX_SEARCH_CALLS
        )));
    }
    let first = result.events.first().map(|e| e.timestamp.to_rfc3339());
    let last = result.events.last().map(|e| e.timestamp.to_rfc3339());
    let touched: std::collections::BTreeSet<&str> =
        result.events.iter().map(|e| e.group.as_str()).collect();
    let excerpt: Vec<String> = result
        .events
        .iter()
        .take(10)
        .map(|e| {
            format!(
                "{} {} {}",
                e.timestamp.format("%H:%M:%S%.3f"),
                e.group,
                one_line(&e.message)
            )
        })
        .collect();
    Ok(Executed {
        succeeded: true,
        outputs: BTreeMap::from([
            ("hits".to_string(), result.events.len().to_string()),
            ("first_at".to_string(), first.unwrap_or_default()),
            ("last_at".to_string(), last.unwrap_or_default()),
            ("groups".to_string(), groups.len().to_string()),
            ("services".to_string(), touched.len().to_string()),
        ]),
        excerpt: Some(if excerpt.is_empty() {
            format!("no line carries `{id}`")
        } else {
            excerpt.join("\n")
        }),
        ..Executed::default()
    })
}

pub(crate) fn plan_query(inputs: &Value) -> Result<Plan, StepError> {
    let query = text(inputs, "query")?;
    let groups = list(inputs, "log_groups")?;
    if groups.len() > 50 {
        return Err(StepError::Input(
            "a Logs Insights query takes at most 50 log groups".into(),
        ));
    }
    Ok(Plan {
        lines: vec![
            format!(
                "Logs Insights over {} group(s), last {}:",
                groups.len(),
                optional_text(inputs, "since").unwrap_or_else(|| "1h".into())
            ),
            format!("  {query}"),
        ],
        ..Plan::default()
    })
}

pub async fn query(ports: &StepPorts, inputs: &Value) -> Result<Executed, StepError> {
    let query = text(inputs, "query")?;
    let groups = list(inputs, "log_groups")?;
    let limit = optional_text(inputs, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100);
    let (start, end) = window(ports, inputs)?;
    let rows = search_port(ports)?
        .insights(&groups, &query, start, end, limit)
        .await?;
    let render = |row: &Vec<(String, String)>| {
        row.iter()
            .filter(|(f, _)| f != "@ptr")
            .map(|(f, v)| format!("{f}={}", one_line(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Ok(Executed {
        succeeded: true,
        outputs: BTreeMap::from([
            ("rows".to_string(), rows.rows.len().to_string()),
            (
                "first_row".to_string(),
                rows.rows.first().map(render).unwrap_or_default(),
            ),
        ]),
        excerpt: Some(
            rows.rows
                .iter()
                .take(10)
                .map(render)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ..Executed::default()
    })
}
