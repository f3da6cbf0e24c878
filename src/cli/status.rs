//! `triage status`: every watched service's health, worst first.

use super::exit;
use super::output::schema::Place;
use super::output::shapes::status::{MetricsJson, NetworkJson, ServiceStatus};
use super::output::shapes::AlarmJson;
use super::output::table;
use super::Format;
use crate::domain::alarms::{AlarmMapping, AlarmState};
use crate::domain::ranking::{rank_signals, RankedService, Signals};
use crate::domain::service::ServiceKey;
use crate::domain::suggestion::Suggestion;
use crate::workers::status::fetch_status;
use chrono::{DateTime, Utc};
use clap::Args;
use std::collections::BTreeMap;

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
    /// What the slow, idle services wait on (their usual p95, X-Ray).
    pub slow: BTreeMap<ServiceKey, crate::domain::waiting::SlowRead>,
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
    let slow = match (&watched, monitoring) {
        (Some(w), Some(port)) => {
            let waiting: Vec<crate::domain::Service> = ranked
                .iter()
                .filter(|r| {
                    w.metrics
                        .get(&r.service.key())
                        .is_some_and(|m| crate::domain::waiting::candidate(&m.summary(now)))
                })
                .map(|r| r.service.clone())
                .collect();
            let read = crate::workers::waiting::read_slow(
                port,
                account.traces.as_ref(),
                &waiting,
                &w.target_groups,
                now,
            )
            .await;
            for (key, r) in &read {
                for why in &r.unread {
                    crate::errln!("warning: {label}{key}: {why}");
                }
            }
            read
        }
        _ => BTreeMap::new(),
    };
    Ok(AccountRead {
        identity,
        ranked,
        watched,
        security,
        diagnosis,
        slow,
    })
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

/// One service of `status -o json`: its read, its suggestion, and what
/// else was read of it (alarms, metrics, network, secrets, findings).
pub(crate) fn service_status(
    read: &AccountRead,
    r: &RankedService,
    pair: &crate::domain::Pair,
    suggestion: &Suggestion,
    now: DateTime<Utc>,
) -> ServiceStatus {
    let key = r.service.key();
    let account = read.identity.account.as_deref();
    let mut json = ServiceStatus::of(r, Place::of(pair, account, &r.service.arn), suggestion);
    if let Some(watched) = &read.watched {
        json.alarms = Some(
            watched
                .alarms
                .iter()
                .filter(|a| a.services.contains(&key))
                .map(|a| AlarmJson::of(a, pair, account))
                .collect(),
        );
        json.metrics = watched
            .metrics
            .get(&key)
            .map(|m| MetricsJson::of(&m.summary(now), read.security.baselines.get(&key)));
    }
    if let Some(exposure) = read.security.exposure.get(&key) {
        json.network = NetworkJson::of(exposure);
        json.secrets = Some(exposure.secret_sources());
    }
    json.waiting = super::suggestion::waiting_of(read, &key, now)
        .as_ref()
        .map(super::output::shapes::status::WaitingJson::of);
    json.security_findings = read.security.findings.as_ref().map(|found| {
        crate::domain::security::of_service(found, &key)
            .into_iter()
            .map(|f| f.id.clone())
            .collect()
    });
    json
}

/// The table (REASON is each service's headline), with ACCOUNT and REGION
/// columns first when `pairs` names each row's pair (several pairs);
/// hidden for one.
pub(crate) fn to_text_with(
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
