//! The simulated account's network: what each service's tasks send and
//! receive (Container Insights' `NetworkTxBytes`/`NetworkRxBytes`, the
//! service's total in bytes a second), and the scenario's compromised
//! service — its tasks, from the compromise on, run at full CPU and send the
//! exfiltration out on top of their usual traffic until a lockdown stops the
//! port, and stay busy until a deployment replaces them. Before the
//! simulated history begins every service ran steadily at its desired
//! count, so a day's baseline is there from the first minute.

use super::{SimService, SimTask, Simulation};
use crate::demo::security::stable;
use crate::domain::metrics::MetricKind;
use chrono::{DateTime, Utc};

/// Sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Out,
    In,
}

/// The direction of a network metric (None: not one).
pub(super) fn direction(kind: MetricKind) -> Option<Direction> {
    match kind {
        MetricKind::NetworkTxAverage
        | MetricKind::NetworkTxMaximum
        | MetricKind::NetworkTxBaseline => Some(Direction::Out),
        MetricKind::NetworkRxAverage
        | MetricKind::NetworkRxMaximum
        | MetricKind::NetworkRxBaseline => Some(Direction::In),
        _ => None,
    }
}

impl Simulation {
    /// A task is the intruder's at `at`.
    pub(super) fn compromised(&self, s: &SimService, t: &SimTask, at: DateTime<Utc>) -> bool {
        self.security.compromised(&s.name, t.created_at, at)
    }

    /// What one task usually sends (bytes a second): a few KB/s, the same
    /// for the same service.
    fn usual_out(&self, s: &SimService) -> f64 {
        8_000.0 + (s.seed % 5_000) as f64
    }

    /// One minute of a network metric: the service's total over the
    /// minute's samples, averaged or at its peak.
    pub(super) fn network_minute(
        &self,
        s: &SimService,
        direction: Direction,
        kind: MetricKind,
        samples: &[DateTime<Utc>],
        at: DateTime<Utc>,
    ) -> Option<f64> {
        let usual = self.usual_out(s)
            * match direction {
                Direction::Out => 1.0,
                Direction::In => 0.6,
            };
        if at <= self.history_start {
            // Before the history: steady at the desired count.
            let total =
                usual * f64::from(s.desired) * (1.0 + super::watch::wiggle(s.seed, at, 0.1));
            return (s.desired > 0).then_some(total);
        }
        let totals: Vec<f64> = samples
            .iter()
            .map(|&when| {
                let up: Vec<&SimTask> = s.tasks.iter().filter(|t| self.up_at(t, when)).collect();
                let mut total: f64 = up
                    .iter()
                    .map(|t| usual * (1.0 + super::watch::wiggle(t.seed, when, 0.1)))
                    .sum();
                let bad = up.iter().filter(|t| self.compromised(s, t, when)).count();
                if direction == Direction::Out && bad > 0 {
                    if let Some(e) = self.security.exfiltrating(&s.name, when) {
                        total +=
                            e.bytes_per_second * (1.0 + super::watch::wiggle(s.seed, when, 0.05));
                    }
                }
                total
            })
            .collect();
        if s.tasks
            .iter()
            .all(|t| !samples.iter().any(|&w| self.up_at(t, w)))
        {
            return None;
        }
        let peak = matches!(
            kind,
            MetricKind::NetworkTxMaximum | MetricKind::NetworkRxMaximum
        );
        Some(if peak {
            totals.iter().copied().fold(f64::MIN, f64::max)
        } else {
            totals.iter().sum::<f64>() / totals.len().max(1) as f64
        })
    }
}

impl Simulation {
    /// What GuardDuty says of the account: the compromised service's
    /// Runtime Monitoring finding, from a minute after the compromise
    /// (seen again every minute until the lockdown; never archived by itself).
    pub fn security_findings(&self) -> crate::domain::security::SecurityRead {
        let detector = format!(
            "{:016x}{:016x}",
            stable(&self.account),
            stable(&self.region)
        );
        let mut read = crate::domain::security::SecurityRead {
            detector: Some(detector.clone()),
            findings: Vec::new(),
        };
        let (Some(e), Some(compromised_at)) =
            (&self.security.exfiltration, self.security.compromised_at)
        else {
            return read;
        };
        let first = compromised_at + chrono::Duration::minutes(1);
        if self.now < first {
            return read;
        }
        let Some(s) = self.services.iter().find(|s| s.name == e.service) else {
            return read;
        };
        let task = s
            .tasks
            .iter()
            .filter(|t| t.created_at < compromised_at)
            .max_by_key(|t| t.created_at);
        let last = self.security.contained_at.unwrap_or(self.now).max(first);
        let id = format!("{:016x}{:016x}", stable(&e.service), stable(&e.destination));
        read.findings.push(crate::domain::security::SecurityFinding {
            arn: format!(
                "arn:aws:guardduty:{}:{}:detector/{detector}/finding/{id}",
                self.region, self.account
            ),
            id,
            kind: e.finding_type.clone(),
            title: format!(
                "A container in task of {} is communicating with a known command and control server.",
                s.name
            ),
            description: format!(
                "A process in a container of an ECS task of {} connected to {}:{}, an IP address associated with a known botnet command and control server.",
                s.name, e.destination, e.port
            ),
            severity: 8.0,
            first_seen: Some(first),
            last_seen: Some(last),
            count: (last - first).num_minutes().max(0) as u32 + 1,
            cluster: Some(format!(
                "arn:aws:ecs:{}:{}:cluster/{}",
                self.region, self.account, s.cluster
            )),
            task_arn: task.map(|t| self.task(s, t).arn),
            task_group: Some(format!("service:{}", s.name)),
            task_definition: task.map(|t| self.td_arn(s, t.revision)),
            remote: crate::domain::security::Remote {
                ip: Some(e.destination.clone()),
                port: u16::try_from(e.port).ok(),
                domain: None,
            },
            pair: Default::default(),
        });
        read
    }
}
