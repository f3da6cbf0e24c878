//! What `status` reads of security beside the services: the egress
//! baseline (the cache's of the last hour, else one read), what each
//! service can reach (its security groups, subnets, the secrets its task
//! definition names; secrets are not described here), and GuardDuty's
//! findings — each failure said on stderr once, the rest shown.

use super::watch::Watched;
use crate::domain::egress::{anomaly, Baseline, EgressAnomaly, EgressLimits};
use crate::domain::exposure::Exposure;
use crate::domain::security::{tie, OwnedFinding};
use crate::domain::service::{Service, ServiceKey};
use crate::wiring::Account;
use chrono::{DateTime, Utc};
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
}
