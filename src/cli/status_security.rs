//! What `status` reads of security beside the services: the egress
//! baseline (the cache's of the last hour, else one read), what each
//! service can reach (its security groups, subnets, the secrets its task
//! definition names; secrets are not described here), and GuardDuty's
//! findings — each failure said on stderr once, the rest shown. The JSON
//! pieces are typed: `network`, `secrets`, `security_findings` and the
//! network metrics.

use super::output::rfc3339;
use super::watch::Watched;
use crate::domain::egress::{anomaly, Baseline, EgressAnomaly, EgressLimits};
use crate::domain::exposure::Exposure;
use crate::domain::metrics::Spread;
use crate::domain::ranking::RankedService;
use crate::domain::sanitize::one_line;
use crate::domain::security::{tie, OwnedFinding};
use crate::domain::service::{Service, ServiceKey};
use crate::wiring::Account;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One account's security read.
#[derive(Debug, Clone, Default)]
pub struct SecurityView {
    pub baselines: BTreeMap<ServiceKey, Baseline>,
    pub exposure: BTreeMap<ServiceKey, Exposure>,
    /// None: GuardDuty is off here, or could not be read (said on stderr).
    pub findings: Option<Vec<OwnedFinding>>,
}

/// Read it; failures are warnings on stderr prefixed with `label`.
pub async fn read(
    account: &Account,
    services: &[Service],
    now: DateTime<Utc>,
    label: &str,
) -> SecurityView {
    let exposure_ports = crate::workers::exposure::ExposurePorts::new(
        account.network.clone(),
        account.secrets.clone(),
    );
    let baselines = async {
        match &account.monitoring {
            Some(port) => {
                crate::workers::watch::read_baseline(
                    port.as_ref(),
                    Some(&account.baselines),
                    services,
                    now,
                )
                .await
            }
            None => Ok(BTreeMap::new()),
        }
    };
    let (baselines, exposure, findings) = futures::join!(
        baselines,
        crate::workers::exposure::read_exposure(
            account.ecs.as_ref(),
            &exposure_ports,
            services,
            false,
            now
        ),
        account.security.findings(),
    );
    let baselines = baselines.unwrap_or_else(|err| {
        crate::errln!("warning: {label}the egress baseline could not be read: {err}");
        BTreeMap::new()
    });
    let exposure = exposure.unwrap_or_else(|err| {
        crate::errln!("warning: {label}security groups and secrets could not be read: {err}");
        BTreeMap::new()
    });
    let findings = match findings {
        Ok(read) if read.detector.is_none() => {
            crate::errln!("note: {label}GuardDuty is off in this account and Region (no detector): no findings to show");
            None
        }
        Ok(read) => Some(tie(read.findings, services)),
        Err(err) => {
            crate::errln!("warning: {label}GuardDuty findings could not be read: {err}");
            None
        }
    };
    SecurityView {
        baselines,
        exposure,
        findings,
    }
}

impl SecurityView {
    /// The services sending far more than usual.
    pub fn egress(
        &self,
        watched: Option<&Watched>,
        limits: &EgressLimits,
        now: DateTime<Utc>,
    ) -> Vec<(ServiceKey, EgressAnomaly)> {
        let Some(watched) = watched else {
            return Vec::new();
        };
        watched
            .metrics
            .iter()
            .filter_map(|(key, m)| {
                let found = anomaly(&m.summary(now), self.baselines.get(key), limits)?;
                Some((key.clone(), found))
            })
            .collect()
    }

    /// Findings that tie to no service.
    pub fn account_findings(&self) -> impl Iterator<Item = &OwnedFinding> {
        self.findings
            .iter()
            .flatten()
            .filter(|o| o.services.is_empty())
    }
}

/// `network` of a service in `status -o json`.
#[derive(Debug, Serialize)]
pub struct NetworkJson {
    pub security_groups: Vec<String>,
    pub open_egress: bool,
    pub subnets: Vec<String>,
    pub assign_public_ip: bool,
    /// Each group with its name and why it could not be read, if so.
    pub groups: Vec<GroupJson>,
}

#[derive(Debug, Serialize)]
pub struct GroupJson {
    pub id: String,
    pub name: Option<String>,
    pub open_egress: bool,
    /// Its egress rules, as `tcp 443 → 0.0.0.0/0`.
    pub egress: Vec<String>,
    pub problem: Option<String>,
}

/// A network metric: the last five minutes and the usual, bytes a second.
#[derive(Debug, Serialize)]
pub struct RateJson {
    pub avg: f64,
    pub max: f64,
    pub baseline: Option<f64>,
}

/// One GuardDuty finding in `status -o json`'s `security_findings`.
#[derive(Debug, Serialize)]
pub struct FindingJson {
    pub account: Option<String>,
    pub region: Option<String>,
    pub id: String,
    pub arn: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub severity: f64,
    pub severity_label: &'static str,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub count: u32,
    pub cluster: Option<String>,
    pub task_arn: Option<String>,
    pub services: Vec<String>,
    pub remote: crate::domain::security::Remote,
}

impl FindingJson {
    pub fn of(owned: &OwnedFinding) -> FindingJson {
        let f = &owned.finding;
        let (region, account) = crate::domain::service::arn_place(&f.arn).unzip();
        FindingJson {
            account: account.map(str::to_string),
            region: region.map(str::to_string),
            id: f.id.clone(),
            arn: f.arn.clone(),
            kind: f.kind.clone(),
            title: one_line(&f.title),
            severity: f.severity,
            severity_label: f.severity_band().as_str(),
            first_seen: f.first_seen.map(rfc3339),
            last_seen: f.last_seen.map(rfc3339),
            count: f.count,
            cluster: f.cluster.clone(),
            task_arn: f.task_arn.clone(),
            services: owned.services.iter().map(|k| k.to_string()).collect(),
            remote: f.remote.clone(),
        }
    }
}

fn to_value<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A service's `network`, `secrets`, `security_findings`, and its network
/// metrics (beside the others, when metrics were read).
pub fn add_service(
    json: &mut serde_json::Value,
    r: &RankedService,
    view: &SecurityView,
    watched: Option<&Watched>,
    now: DateTime<Utc>,
) {
    let key = r.service.key();
    if let Some(exposure) = view.exposure.get(&key) {
        json["network"] = match &exposure.network {
            Some(n) => to_value(&NetworkJson {
                security_groups: exposure.security_groups(),
                open_egress: exposure.open_egress(),
                subnets: n.subnets.clone(),
                assign_public_ip: n.assign_public_ip,
                groups: n
                    .groups
                    .iter()
                    .map(|g| GroupJson {
                        id: g.id.clone(),
                        name: g.name.clone(),
                        open_egress: g.open_egress,
                        egress: g.egress.iter().map(|r| r.describe()).collect(),
                        problem: g.problem.clone(),
                    })
                    .collect(),
            }),
            // Bridge or host networking: no groups of its own.
            None => serde_json::Value::Null,
        };
        json["secrets"] = to_value(&exposure.secret_sources());
    }
    if let Some(found) = &view.findings {
        let ids: Vec<&str> = crate::domain::security::of_service(found, &key)
            .into_iter()
            .map(|f| f.id.as_str())
            .collect();
        json["security_findings"] = to_value(&ids);
    }
    let Some(summary) = watched
        .and_then(|w| w.metrics.get(&key))
        .map(|m| m.summary(now))
    else {
        return;
    };
    let baseline = view.baselines.get(&key);
    let rate = |s: Option<Spread>, usual: Option<f64>| {
        s.map(|s| {
            to_value(&RateJson {
                avg: s.avg.round(),
                max: s.max.round(),
                baseline: usual.map(f64::round),
            })
        })
    };
    if let Some(metrics) = json.get_mut("metrics").and_then(|m| m.as_object_mut()) {
        if let Some(tx) = rate(summary.network_tx, baseline.and_then(|b| b.tx)) {
            metrics.insert("network_tx_bytes_per_second".into(), tx);
        }
        if let Some(rx) = rate(summary.network_rx, baseline.and_then(|b| b.rx)) {
            metrics.insert("network_rx_bytes_per_second".into(), rx);
        }
    }
}

/// Every finding, each with the services it is about.
pub fn findings_json(view: &SecurityView) -> Vec<FindingJson> {
    view.findings
        .iter()
        .flatten()
        .map(FindingJson::of)
        .collect()
}
