//! `triage status`: every watched service's health, worst first.

use super::exit;
use super::output::{rfc3339, table};
use super::Format;
use crate::domain::alarms::{of_service, AlarmMapping, AlarmState};
use crate::domain::ports::{EcsPort, MonitoringPort};
use crate::domain::ranking::{rank_watched, RankedService};
use crate::domain::sanitize::strip_controls;
use crate::domain::Clock;
use crate::workers::status::fetch_status;
use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// Exit 1 when any service is down, failed or degraded
    #[arg(long)]
    pub fail_on_unhealthy: bool,

    /// Exit 1 when any alarm (of a service or of the account) is in ALARM
    #[arg(long)]
    pub fail_on_alarm: bool,
}

/// Run `triage status`; returns the exit code.
pub async fn run(
    args: &StatusArgs,
    ecs: &dyn EcsPort,
    monitoring: Option<&dyn MonitoringPort>,
    mappings: &[AlarmMapping],
    clusters: &[String],
    clock: &dyn Clock,
) -> Result<u8, super::exit::CliError> {
    let (identity, snapshot) = futures::join!(ecs.identity(), fetch_status(ecs, clusters));
    let snapshot = snapshot?;
    let identity = identity?;
    let now = clock.now();
    // A cluster asked for by name that does not exist is an input error.
    if let Some((_, err)) = snapshot.cluster_errors.iter().find(|(_, e)| {
        matches!(
            e,
            crate::domain::PortError::NotFound {
                what: crate::domain::Missing::Cluster,
                ..
            }
        )
    }) {
        return Err(err.clone().into());
    }
    for (cluster, err) in &snapshot.cluster_errors {
        eprintln!("warning: cluster {cluster} could not be read: {err}");
    }
    // Alarms and metrics, where the account has them; a failure to read
    // them is said, and the services are still shown.
    let watched = match monitoring {
        Some(port) => match super::watch::read(port, &snapshot.services, mappings, now).await {
            Ok(w) => Some(w),
            Err(err) => {
                eprintln!("warning: alarms and metrics could not be read: {err}");
                None
            }
        },
        None => None,
    };
    let alarms = watched.as_ref().map(|w| w.alarms.as_slice()).unwrap_or(&[]);
    let ranked = rank_watched(snapshot.services, now, alarms);
    match args.output {
        Format::Json => {
            let mut doc = to_json(&ranked, identity.account.as_deref(), &identity.region, now);
            if let Some(w) = &watched {
                add_watched(&mut doc, &ranked, w, now);
            }
            println!("{}", super::output::json_text(&doc));
        }
        Format::Text => print!("{}", to_text(&ranked, now)),
    }
    let unhealthy = ranked.iter().any(|r| r.verdict.health.is_unhealthy());
    let alarmed = alarms.iter().any(|a| a.alarm.state == AlarmState::Alarm);
    Ok(
        if (args.fail_on_unhealthy && unhealthy) || (args.fail_on_alarm && alarmed) {
            exit::PROBLEM_FOUND
        } else {
            exit::OK
        },
    )
}

/// Each service's `alarms` and `metrics`, and the account's alarms.
fn add_watched(
    doc: &mut serde_json::Value,
    ranked: &[RankedService],
    watched: &super::watch::Watched,
    now: DateTime<Utc>,
) {
    if let Some(services) = doc["services"].as_array_mut() {
        for (json, r) in services.iter_mut().zip(ranked) {
            let key = r.service.key();
            json["alarms"] = of_service(&watched.alarms, &key)
                .into_iter()
                .map(|a| {
                    super::watch::alarm_json(
                        &crate::domain::alarms::OwnedAlarm {
                            alarm: a.clone(),
                            services: vec![],
                        },
                        false,
                    )
                })
                .collect::<Vec<_>>()
                .into();
            if let Some(metrics) = watched.metrics.get(&key) {
                json["metrics"] = super::watch::metrics_json(&metrics.summary(now));
            }
        }
    }
    doc["account_alarms"] = watched
        .alarms
        .iter()
        .filter(|a| a.services.is_empty())
        .map(|a| super::watch::alarm_json(a, false))
        .collect::<Vec<_>>()
        .into();
}

/// The stable JSON document of `triage status -o json`.
pub fn to_json(
    ranked: &[RankedService],
    account: Option<&str>,
    region: &str,
    now: DateTime<Utc>,
) -> serde_json::Value {
    let services: Vec<serde_json::Value> = ranked
        .iter()
        .map(|r| {
            let s = &r.service;
            json!({
                "cluster": s.cluster,
                "service": s.name,
                "status": r.verdict.health.as_str(),
                "reason": strip_controls(&r.verdict.reason),
                "desired": s.desired,
                "running": s.running,
                "pending": s.pending,
                "task_definition": s.task_definition,
                "deployments": s.deployments.iter().map(|d| json!({
                    "id": d.id,
                    "status": d.status.as_str(),
                    "rollout_state": d.rollout_state.map(|r| r.as_str()),
                    "task_definition": d.task_definition,
                    "desired": d.desired,
                    "running": d.running,
                    "pending": d.pending,
                    "failed_tasks": d.failed_tasks,
                    "created_at": d.created_at.map(rfc3339),
                    "updated_at": d.updated_at.map(rfc3339),
                })).collect::<Vec<_>>(),
                "events": s.events.iter().map(|e| json!({
                    "at": rfc3339(e.at),
                    "message": strip_controls(&e.message),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "generated_at": rfc3339(now),
        "account": account,
        "region": region,
        "services": services,
    })
}

pub fn to_text(ranked: &[RankedService], now: DateTime<Utc>) -> String {
    if ranked.is_empty() {
        return "No services in the watched clusters.\n".into();
    }
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|r| {
            let s = &r.service;
            let mut tasks = format!("{}/{}", s.running, s.desired);
            if s.pending > 0 {
                tasks.push_str(&format!(" +{}", s.pending));
            }
            vec![
                r.verdict.health.as_str().to_string(),
                s.cluster.clone(),
                s.name.clone(),
                tasks,
                s.revision_label(),
                s.last_changed()
                    .map(|t| crate::ui::format::age(now - t))
                    .unwrap_or_else(|| "—".into()),
                r.verdict.reason.clone(),
            ]
        })
        .collect();
    table(
        &[
            "HEALTH", "CLUSTER", "SERVICE", "TASKS", "REVISION", "CHANGED", "REASON",
        ],
        &rows,
    )
}
