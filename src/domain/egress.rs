//! Egress: how much a service sends out, against what it usually sends. The
//! **baseline** is the median of its 5-minute average `NetworkTxBytes`
//! (Container Insights, bytes a second) over the 24 hours before the last
//! hour — the last hour is left out so an attack under way does not become
//! its own "usual". An **anomaly** is a peak of the last five minutes at or
//! above `ratio` × the baseline *and* above an absolute floor (a service
//! that usually sends 2 KB/s and now sends 20 KB/s is not a botnet). Without
//! enough history (an hour of points) there is no baseline, and so no
//! verdict: missing data is never read as zero.

use super::metrics::{MetricKind, MetricQuery, MetricSeries, MetricsSummary};
use super::service::ServiceKey;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The baseline covers this many hours…
pub(crate) const BASELINE_HOURS: i64 = 24;
/// …ending this many hours ago.
pub(crate) const BASELINE_GAP_HOURS: i64 = 1;
/// 5-minute points a baseline needs at least (an hour's worth).
pub(crate) const MIN_BASELINE_POINTS: usize = 12;
/// A baseline is read again after this long.
pub(crate) const BASELINE_REFRESH_MINUTES: i64 = 60;

/// How far above its usual a service's egress must go, and the floor below
/// which it is never an anomaly (`[security]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EgressLimits {
    pub ratio: f64,
    pub floor_bytes_per_second: f64,
}

impl Default for EgressLimits {
    fn default() -> Self {
        EgressLimits {
            ratio: 5.0,
            floor_bytes_per_second: 100_000.0,
        }
    }
}

/// A service's usual egress and ingress, bytes a second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub tx: Option<f64>,
    pub rx: Option<f64>,
    /// When it was computed (it is read again an hour later).
    pub computed_at: DateTime<Utc>,
}

/// A service sending far more than usual.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EgressAnomaly {
    /// The last five minutes' peak, bytes a second.
    pub max: f64,
    pub baseline: f64,
    /// `max / baseline`.
    pub ratio: f64,
}

impl EgressAnomaly {
    /// `egress 10.5× its usual: 420 KB/s, usually 40 KB/s`.
    pub fn words(&self) -> String {
        format!(
            "egress {}× its usual: {}, usually {}",
            times(self.ratio),
            rate(self.max),
            rate(self.baseline)
        )
    }
}

fn times(ratio: f64) -> String {
    if !ratio.is_finite() || ratio >= 1000.0 {
        "1000+".to_string()
    } else if ratio >= 100.0 {
        format!("{ratio:.0}")
    } else {
        format!("{ratio:.1}")
    }
}

/// Bytes a second in the units people read: `420 KB/s`, `3.1 MB/s`.
pub fn rate(bytes_per_second: f64) -> String {
    let b = bytes_per_second.max(0.0);
    match b {
        b if b >= 1e9 => format!("{:.1} GB/s", b / 1e9),
        b if b >= 1e7 => format!("{:.0} MB/s", b / 1e6),
        b if b >= 1e6 => format!("{:.1} MB/s", b / 1e6),
        b if b >= 1e3 => format!("{:.0} KB/s", b / 1e3),
        b => format!("{b:.0} B/s"),
    }
}

/// The same, in four characters for a table cell: `420K`, `3.1M`.
pub(crate) fn rate_short(bytes_per_second: f64) -> String {
    let b = bytes_per_second.max(0.0);
    match b {
        b if b >= 1e10 => format!("{:.0}G", b / 1e9),
        b if b >= 1e9 => format!("{:.1}G", b / 1e9),
        b if b >= 1e7 => format!("{:.0}M", b / 1e6),
        b if b >= 1e6 => format!("{:.1}M", b / 1e6),
        b if b >= 1e3 => format!("{:.0}K", b / 1e3),
        b => format!("{b:.0}"),
    }
}

/// Clusters whose services report CPU but not one network point:
/// Container Insights is off there, and egress cannot be measured.
pub(crate) fn insights_off(
    metrics: &BTreeMap<ServiceKey, super::metrics::ServiceMetrics>,
) -> Vec<String> {
    let mut measured: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for (key, m) in metrics {
        let entry = measured.entry(key.cluster.as_str()).or_default();
        entry.0 |= m.series.contains_key(&MetricKind::CpuAverage);
        entry.1 |= m.series.contains_key(&MetricKind::NetworkTxAverage);
    }
    measured
        .into_iter()
        .filter(|(_, (cpu, network))| *cpu && !*network)
        .map(|(cluster, _)| cluster.to_string())
        .collect()
}

/// What to say when a cluster reports no network metrics.
pub(crate) fn insights_hint(cluster: &str) -> String {
    format!(
        "egress is not measured in {cluster}: Container Insights is off. Turn it on: aws ecs update-cluster-settings --cluster {cluster} --settings name=containerInsights,value=enhanced"
    )
}

/// The window a baseline is read over, ending `now`.
pub(crate) fn baseline_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = now - Duration::hours(BASELINE_GAP_HOURS);
    (end - Duration::hours(BASELINE_HOURS), end)
}

/// The median of the points inside the window; None with fewer than
/// [`MIN_BASELINE_POINTS`].
pub(crate) fn median_in(
    points: &[(DateTime<Utc>, f64)],
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Option<f64> {
    let mut values: Vec<f64> = points
        .iter()
        .filter(|(t, v)| *t >= window.0 && *t < window.1 && v.is_finite())
        .map(|(_, v)| *v)
        .collect();
    if values.len() < MIN_BASELINE_POINTS {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// Each service's baseline from the answers to [`super::metrics::baseline_queries`].
pub fn baselines(
    queries: &[MetricQuery],
    answers: &[MetricSeries],
    now: DateTime<Utc>,
) -> BTreeMap<ServiceKey, Baseline> {
    let window = baseline_window(now);
    let mut out: BTreeMap<ServiceKey, Baseline> = BTreeMap::new();
    for query in queries {
        let entry = out.entry(query.service.clone()).or_insert(Baseline {
            tx: None,
            rx: None,
            computed_at: now,
        });
        let median = answers
            .iter()
            .find(|a| a.id == query.id)
            .and_then(|a| median_in(&a.points, window));
        match query.kind {
            MetricKind::NetworkTxBaseline => entry.tx = median,
            MetricKind::NetworkRxBaseline => entry.rx = median,
            _ => {}
        }
    }
    out
}

/// The anomaly, if the last five minutes' egress peak is far above usual.
pub fn anomaly(
    summary: &MetricsSummary,
    baseline: Option<&Baseline>,
    limits: &EgressLimits,
) -> Option<EgressAnomaly> {
    let max = summary.network_tx?.max;
    let usual = baseline?.tx?;
    let above = max >= limits.floor_bytes_per_second && max >= limits.ratio * usual;
    above.then(|| EgressAnomaly {
        max,
        baseline: usual,
        ratio: if usual > 0.0 {
            max / usual
        } else {
            f64::INFINITY
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metrics::Spread;

    fn at(minutes_ago: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() - Duration::minutes(minutes_ago)
    }

    #[test]
    fn the_median_leaves_out_the_last_hour_and_needs_an_hours_points() {
        let now = at(0);
        let window = baseline_window(now);
        let mut points: Vec<_> = (70..200).step_by(5).map(|m| (at(m), 40_000.0)).collect();
        // The attack of the last hour does not count.
        points.extend((0..60).step_by(5).map(|m| (at(m), 900_000.0)));
        assert_eq!(median_in(&points, window), Some(40_000.0));
        let few: Vec<_> = (70..120).step_by(5).map(|m| (at(m), 1.0)).collect();
        assert_eq!(median_in(&few, window), None);
    }

    #[test]
    fn an_anomaly_is_far_above_usual_and_above_the_floor() {
        let limits = EgressLimits::default();
        let summary = |max: f64| MetricsSummary {
            network_tx: Some(Spread {
                avg: max,
                max,
                last: None,
            }),
            ..MetricsSummary::default()
        };
        let usual = |tx: f64| Baseline {
            tx: Some(tx),
            rx: None,
            computed_at: at(0),
        };
        let a = anomaly(&summary(420_000.0), Some(&usual(40_000.0)), &limits).unwrap();
        assert_eq!(
            a.words(),
            "egress 10.5× its usual: 420 KB/s, usually 40 KB/s"
        );
        // Steadily busy: high, but its usual.
        assert!(anomaly(&summary(900_000.0), Some(&usual(800_000.0)), &limits).is_none());
        // Ten times a trickle is still a trickle.
        assert!(anomaly(&summary(20_000.0), Some(&usual(2_000.0)), &limits).is_none());
        // No baseline, no verdict.
        assert!(anomaly(&summary(420_000.0), None, &limits).is_none());
    }
}
