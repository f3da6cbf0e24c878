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
        6_000.0 + (stable(&s.name) % 8_000) as f64
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
                usual * f64::from(s.desired) * (1.0 + super::watch::wiggle(&s.name, at, 0.1));
            return (s.desired > 0).then_some(total);
        }
        let totals: Vec<f64> = samples
            .iter()
            .map(|&when| {
                let up: Vec<&SimTask> = s.tasks.iter().filter(|t| self.up_at(t, when)).collect();
                let mut total: f64 = up
                    .iter()
                    .map(|t| usual * (1.0 + super::watch::wiggle(&t.id, when, 0.1)))
                    .sum();
                let bad = up.iter().filter(|t| self.compromised(s, t, when)).count();
                if direction == Direction::Out && bad > 0 {
                    if let Some(e) = self.security.exfiltrating(&s.name, when) {
                        total +=
                            e.bytes_per_second * (1.0 + super::watch::wiggle(&s.name, when, 0.05));
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
