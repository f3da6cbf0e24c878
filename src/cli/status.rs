//! `triage status`: every watched service's health, worst first.

use super::exit;
use super::output::{rfc3339, table};
use super::Format;
use crate::domain::alarms::{of_service, AlarmMapping, AlarmState};
use crate::domain::ranking::{rank_signals, RankedService, Signals};
use crate::domain::sanitize::strip_controls;
use crate::domain::suggestion::Suggestion;
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

/// One account's read: who it is, its services ranked with everything
/// known of them, its alarms and metrics when it has them, and security.
pub struct AccountRead {
    pub identity: crate::domain::ports::AccountIdentity,
    pub ranked: Vec<RankedService>,
    pub watched: Option<super::watch::Watched>,
    pub security: super::status_security::SecurityView,
    /// Why tasks stopped (read when some service is unhealthy, as the
    /// console does): the restart loops and causes the headlines name.
    pub diagnosis: Option<crate::domain::diagnosis::report::DiagnosisReport>,
}

/// What `status` looks at, besides the account.
#[derive(Debug, Clone, Copy)]
pub struct StatusScope<'a> {
    pub mappings: &'a [AlarmMapping],
    pub clusters: &'a [String],
    pub limits: crate::domain::egress::EgressLimits,
    /// The runbooks `R` may suggest from (their `when:`).
    pub runbooks: &'a [crate::domain::runbook::RunbookFile],
}

/// Read one account: identity, services, alarms and metrics, the egress
/// baseline, security groups and GuardDuty. A cluster asked for by name
/// that does not exist is an input error; other cluster, monitoring and
/// security failures are said on stderr (prefixed with `label`) and the
/// services still shown.
pub async fn read_account(
    account: &crate::wiring::Account,
    scope: &StatusScope<'_>,
    now: DateTime<Utc>,
    label: &str,
) -> Result<AccountRead, super::exit::CliError> {
    let ecs = account.ecs.as_ref();
    let monitoring = account.monitoring.as_deref();
    let (mappings, clusters) = (scope.mappings, scope.clusters);
    let (identity, snapshot) = futures::join!(ecs.identity(), fetch_status(ecs, clusters));
    let snapshot = snapshot?;
    let identity = identity?;
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
        crate::errln!("warning: {label}cluster {cluster} could not be read: {err}");
    }
    let watching = async {
        match monitoring {
            Some(port) => match super::watch::read(port, &snapshot.services, mappings, now).await {
                Ok(w) => Some(w),
                Err(err) => {
                    crate::errln!("warning: {label}alarms and metrics could not be read: {err}");
                    None
                }
            },
            None => None,
        }
    };
    let (watched, security) = futures::join!(
        watching,
        super::status_security::read(account, &snapshot.services, now, label)
    );
    if let Some(w) = &watched {
        for cluster in crate::domain::egress::insights_off(&w.metrics) {
            crate::errln!(
                "note: {label}{}",
                crate::domain::egress::insights_hint(&cluster)
            );
        }
    }
    let alarms = watched.as_ref().map(|w| w.alarms.as_slice()).unwrap_or(&[]);
    let egress = security.egress(watched.as_ref(), &scope.limits, now);
    let findings = security.findings.as_deref().unwrap_or(&[]);
    let services = snapshot.services.clone();
    let ranked = rank_signals(
        snapshot.services,
        now,
        &Signals {
            alarms,
            egress: &egress,
            findings,
        },
    );
    let diagnosis = if ranked.iter().any(|r| r.verdict.health.is_unhealthy()) {
        let scope = crate::workers::diagnosis::DiagnosisScope {
            clusters: clusters.to_vec(),
            ..Default::default()
        };
        let pass = crate::workers::diagnosis::diagnose_pass(
            ecs,
            Some(account.logs.as_ref()),
            &scope,
            Some((services, snapshot.clusters.clone())),
            &mut crate::workers::diagnosis::StoppedMemory::default(),
            now,
        )
        .await;
        match pass {
            Ok(report) => Some(report),
            Err(err) => {
                crate::errln!("warning: {label}stopped tasks could not be read: {err}");
                None
            }
        }
    } else {
        None
    };
    Ok(AccountRead {
        identity,
        ranked,
        watched,
        security,
        diagnosis,
    })
}

/// Run `triage status`; returns the exit code.
pub async fn run(
    args: &StatusArgs,
    account: &crate::wiring::Account,
    scope: &StatusScope<'_>,
    clock: &dyn Clock,
) -> Result<u8, super::exit::CliError> {
    let now = clock.now();
    let read = read_account(account, scope, now, "").await?;
    let AccountRead {
        identity,
        ranked,
        watched,
        security,
        ..
    } = &read;
    let suggestions: Vec<Suggestion> = ranked
        .iter()
        .map(|r| super::suggestion::suggestion_of(&read, r, scope, now))
        .collect();
    match args.output {
        Format::Json => {
            let mut doc = to_json(ranked, identity.account.as_deref(), &identity.region, now);
            if let Some(w) = watched {
                add_watched(&mut doc, ranked, w, now);
            }
            add_security(&mut doc, ranked, security, watched.as_ref(), now);
            if let Some(services) = doc["services"].as_array_mut() {
                for (json, suggestion) in services.iter_mut().zip(&suggestions) {
                    add_suggestion(json, suggestion);
                }
            }
            crate::outln!("{}", super::output::json_text(&doc));
        }
        Format::Text => crate::out!("{}", to_text_with(ranked, &suggestions, now, None)),
    }
    Ok(exit_code(args, [&read]))
}

/// 1 when a flag asks to fail on what was found, else 0.
pub fn exit_code<'a>(args: &StatusArgs, reads: impl IntoIterator<Item = &'a AccountRead>) -> u8 {
    let mut unhealthy = false;
    let mut alarmed = false;
    for read in reads {
        unhealthy |= read.ranked.iter().any(|r| r.verdict.health.is_unhealthy());
        alarmed |= read
            .watched
            .as_ref()
            .is_some_and(|w| w.alarms.iter().any(|a| a.alarm.state == AlarmState::Alarm));
    }
    if (args.fail_on_unhealthy && unhealthy) || (args.fail_on_alarm && alarmed) {
        exit::PROBLEM_FOUND
    } else {
        exit::OK
    }
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
            add_service_watched(json, r, watched, now);
        }
    }
    doc["account_alarms"] = account_alarms_json(watched).into();
}

/// Each service's `network`, `secrets`, `security_findings` and network
/// metrics, and every GuardDuty finding.
fn add_security(
    doc: &mut serde_json::Value,
    ranked: &[RankedService],
    security: &super::status_security::SecurityView,
    watched: Option<&super::watch::Watched>,
    now: DateTime<Utc>,
) {
    if let Some(services) = doc["services"].as_array_mut() {
        for (json, r) in services.iter_mut().zip(ranked) {
            super::status_security::add_service(json, r, security, watched, now);
        }
    }
    doc["security_findings"] =
        serde_json::to_value(super::status_security::findings_json(security)).unwrap_or_default();
}

/// A service's `alarms` and `metrics`.
pub fn add_service_watched(
    json: &mut serde_json::Value,
    r: &RankedService,
    watched: &super::watch::Watched,
    now: DateTime<Utc>,
) {
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

/// The alarms tied to no service.
pub fn account_alarms_json(watched: &super::watch::Watched) -> Vec<serde_json::Value> {
    watched
        .alarms
        .iter()
        .filter(|a| a.services.is_empty())
        .map(|a| super::watch::alarm_json(a, false))
        .collect()
}

/// The stable JSON document of `triage status -o json`.
pub fn to_json(
    ranked: &[RankedService],
    account: Option<&str>,
    region: &str,
    now: DateTime<Utc>,
) -> serde_json::Value {
    let services: Vec<serde_json::Value> = ranked.iter().map(service_json).collect();
    json!({
        "generated_at": rfc3339(now),
        "account": account,
        "region": region,
        "services": services,
    })
}

/// One service of `triage status -o json`, with the account and Region its
/// ARN names.
pub fn service_json(r: &RankedService) -> serde_json::Value {
    let s = &r.service;
    let (arn_region, arn_account) = crate::domain::service::arn_place(&s.arn).unzip();
    json!({
        "account": arn_account,
        "region": arn_region,
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
}

/// A service's `headline` and `suggested_runbook` (null when none fits).
pub fn add_suggestion(json: &mut serde_json::Value, suggestion: &Suggestion) {
    json["headline"] = suggestion.headline.clone().into();
    json["suggested_runbook"] =
        serde_json::to_value(&suggestion.runbook).unwrap_or(serde_json::Value::Null);
}

/// The table (REASON is each service's headline), with ACCOUNT and REGION
/// columns first when `pairs` names each row's pair (several pairs);
/// hidden for one.
pub fn to_text_with(
    ranked: &[RankedService],
    suggestions: &[Suggestion],
    now: DateTime<Utc>,
    pairs: Option<&[(String, String)]>,
) -> String {
    if ranked.is_empty() {
        return "No services in the watched clusters.\n".into();
    }
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let s = &r.service;
            let mut tasks = format!("{}/{}", s.running, s.desired);
            if s.pending > 0 {
                tasks.push_str(&format!(" +{}", s.pending));
            }
            let pair = pairs.and_then(|p| p.get(i)).cloned();
            let mut row: Vec<String> = pair.map(|(a, r)| vec![a, r]).unwrap_or_default();
            row.extend([
                r.verdict.health.as_str().to_string(),
                s.cluster.clone(),
                s.name.clone(),
                tasks,
                s.revision_label(),
                s.last_changed()
                    .map(|t| crate::ui::format::age(now - t))
                    .unwrap_or_else(|| "—".into()),
                suggestions
                    .get(i)
                    .map(|s| s.headline.clone())
                    .unwrap_or_else(|| r.verdict.reason.clone()),
            ]);
            row
        })
        .collect();
    let mut header: Vec<&str> = if pairs.is_some() {
        vec!["ACCOUNT", "REGION"]
    } else {
        Vec::new()
    };
    header.extend([
        "HEALTH", "CLUSTER", "SERVICE", "TASKS", "REVISION", "CHANGED", "REASON",
    ]);
    table(&header, &rows)
}
