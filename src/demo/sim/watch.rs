//! What CloudWatch and the load balancer say of the simulated account, read
//! from the simulation itself so the numbers agree with its story: memory of
//! an OOM-looping service climbs to 100 % and falls at each kill; a service
//! whose next hop keeps dying answers 5XX and slowly; running-task counts
//! follow the tasks; the scenario's alarms are evaluated over those series
//! minute by minute, so each knows since when it is in its state and clears
//! once the cause is gone, on simulated time.

use super::{Phase, SimService, SimTask, Simulation};
use crate::demo::scenario::{AlarmSpec, Fault};
use crate::domain::alarms::{
    elb_dimension, Alarm, AlarmMetric, AlarmState, Dimension, TargetGroup,
};
use crate::domain::metrics::{MetricKind, MetricQuery, MetricSeries, TargetHealth};
use chrono::{DateTime, Duration, DurationRound, Utc};

/// Samples taken inside each simulated minute.
const SAMPLES_PER_MINUTE: i64 = 6;
/// A kill this recent makes the service, and whoever calls it, fail requests.
const FAILING_MINUTES: i64 = 3;

impl Simulation {
    /// The target group of a load-balanced service.
    pub(super) fn target_group_arn(&self, s: &SimService) -> Option<String> {
        s.load_balanced.then(|| {
            format!(
                "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{:016x}",
                self.region,
                self.account,
                s.name,
                stable(&s.name) & 0xffff_ffff_ffff
            )
        })
    }

    fn load_balancer_arn(&self, cluster: &str) -> String {
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/app/{cluster}/{:016x}",
            self.region,
            self.account,
            stable(cluster) & 0xffff_ffff_ffff
        )
    }

    /// Target groups by ARN, each with its cluster's load balancer.
    pub fn target_groups(&self, arns: &[String]) -> Vec<TargetGroup> {
        self.services
            .iter()
            .filter_map(|s| {
                let arn = self.target_group_arn(s)?;
                arns.contains(&arn).then(|| TargetGroup {
                    arn,
                    load_balancer_arns: vec![self.load_balancer_arn(&s.cluster)],
                })
            })
            .collect()
    }

    /// The targets of a target group: its running tasks, and why a task
    /// failing the health checks is unhealthy.
    pub fn target_health(&self, target_group: &str) -> Option<Vec<TargetHealth>> {
        let s = self
            .services
            .iter()
            .find(|s| self.target_group_arn(s).as_deref() == Some(target_group))?;
        Some(
            s.tasks
                .iter()
                .filter(|t| t.phase == Phase::Running)
                .map(|t| {
                    let failing = s.revisions[t.revision].fault == Fault::ElbHealthCheck;
                    TargetHealth {
                        target: task_ip(&t.id),
                        port: Some(8080),
                        state: if failing { "unhealthy" } else { "healthy" }.into(),
                        reason: failing.then(|| "Target.FailedHealthChecks".to_string()),
                        description: failing
                            .then(|| "Health checks failed with these codes: [502]".to_string()),
                    }
                })
                .collect(),
        )
    }

    /// One series per query, a point per period from `start` to `end`.
    pub fn metric_data(
        &self,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Vec<MetricSeries> {
        // By name: 2,000 services ask 16,000 queries at once.
        let by_name: std::collections::HashMap<(&str, &str), &SimService> = self
            .services
            .iter()
            .map(|s| ((s.cluster.as_str(), s.name.as_str()), s))
            .collect();
        queries
            .iter()
            .map(|q| {
                let s = by_name
                    .get(&(q.service.cluster.as_str(), q.service.service.as_str()))
                    .copied();
                let period = Duration::seconds(i64::from(q.period_seconds.max(60)));
                let mut points = Vec::new();
                if let Some(s) = s {
                    let mut at =
                        start.duration_trunc(Duration::minutes(1)).unwrap_or(start) + period;
                    while at <= end.min(self.now) {
                        if let Some(v) = self.over(s, q.kind, at, period) {
                            points.push((at - period, v));
                        }
                        at += period;
                    }
                }
                MetricSeries {
                    id: q.id.clone(),
                    points,
                }
            })
            .collect()
    }

    /// A metric over the `period` ending at `at`, as CloudWatch would
    /// aggregate it; None when the service reported nothing.
    fn over(
        &self,
        s: &SimService,
        kind: MetricKind,
        at: DateTime<Utc>,
        period: Duration,
    ) -> Option<f64> {
        let minutes = (period.num_minutes()).max(1);
        let per_minute: Vec<f64> = (0..minutes)
            .rev()
            .filter_map(|m| self.minute(s, kind, at - Duration::minutes(m)))
            .collect();
        if per_minute.is_empty() {
            return None;
        }
        Some(match kind {
            MetricKind::CpuMaximum | MetricKind::MemoryMaximum | MetricKind::UnhealthyHosts => {
                per_minute.iter().copied().fold(f64::MIN, f64::max)
            }
            MetricKind::ResponseTimeP95 | MetricKind::ResponseTimeBaseline => {
                per_minute.iter().copied().fold(f64::MIN, f64::max)
            }
            MetricKind::HealthyHosts => per_minute.iter().copied().fold(f64::MAX, f64::min),
            MetricKind::Requests | MetricKind::Http5xx => per_minute.iter().sum(),
            MetricKind::CpuAverage
            | MetricKind::MemoryAverage
            | MetricKind::NetworkTxAverage
            | MetricKind::NetworkRxAverage
            | MetricKind::NetworkTxBaseline
            | MetricKind::NetworkRxBaseline => {
                per_minute.iter().sum::<f64>() / per_minute.len() as f64
            }
            MetricKind::NetworkTxMaximum | MetricKind::NetworkRxMaximum => {
                per_minute.iter().copied().fold(f64::MIN, f64::max)
            }
        })
    }

    /// One minute (ending at `at`) of one metric.
    fn minute(&self, s: &SimService, kind: MetricKind, at: DateTime<Utc>) -> Option<f64> {
        let samples: Vec<DateTime<Utc>> = (0..SAMPLES_PER_MINUTE)
            .map(|i| at - Duration::seconds(60 - i * (60 / SAMPLES_PER_MINUTE)))
            .collect();
        let per_task = |value: &dyn Fn(&SimTask, DateTime<Utc>) -> Option<f64>| -> Vec<f64> {
            samples
                .iter()
                .flat_map(|t| s.tasks.iter().filter_map(move |task| value(task, *t)))
                .collect()
        };
        let running = self.running_at(s, at);
        if let Some(direction) = super::network::direction(kind) {
            return self.network_minute(s, direction, kind, &samples, at);
        }
        match kind {
            MetricKind::MemoryAverage | MetricKind::MemoryMaximum => {
                let values = per_task(&|t, when| self.task_memory(s, t, when));
                let killed = s.tasks.iter().any(|t| {
                    self.oom_killed(s, t)
                        && t.dies_at
                            .is_some_and(|d| d > at - Duration::minutes(1) && d <= at)
                });
                summarize(
                    &values,
                    kind == MetricKind::MemoryMaximum,
                    killed.then_some(100.0),
                )
            }
            MetricKind::CpuAverage | MetricKind::CpuMaximum => {
                let values = per_task(&|t, when| {
                    self.task_memory(s, t, when).map(|m| {
                        let base = 12.0 + (s.seed % 25) as f64;
                        // An OOM-bound task collects garbage as its heap fills;
                        // a compromised one runs the intruder's work flat out.
                        let pressure = if self.compromised(s, t, when) {
                            100.0
                        } else if self.oom_killed(s, t) {
                            (m - 50.0).max(0.0)
                        } else {
                            0.0
                        };
                        (base + pressure + wiggle(t.seed, when, 6.0)).clamp(0.5, 100.0)
                    })
                });
                summarize(&values, kind == MetricKind::CpuMaximum, None)
            }
            _ if !s.load_balanced => None,
            MetricKind::Requests => Some(self.requests(s, at)),
            MetricKind::Http5xx => {
                Some((self.requests(s, at) * self.error_share(s, at) / 100.0).round())
            }
            MetricKind::ResponseTimeP95 | MetricKind::ResponseTimeBaseline => {
                let base = 0.12 + (s.seed % 9) as f64 / 100.0;
                let slow = if self.failing(s, at) || self.waits_on_provider(s, at) {
                    2.4
                } else {
                    0.0
                };
                Some(base + slow + wiggle(s.seed, at, 0.03))
            }
            MetricKind::HealthyHosts => Some(
                s.tasks
                    .iter()
                    .filter(|t| {
                        self.up_at(t, at) && s.revisions[t.revision].fault != Fault::ElbHealthCheck
                    })
                    .count() as f64,
            )
            .filter(|_| running > 0 || s.desired > 0),
            MetricKind::UnhealthyHosts => Some(
                s.tasks
                    .iter()
                    .filter(|t| {
                        self.up_at(t, at) && s.revisions[t.revision].fault == Fault::ElbHealthCheck
                    })
                    .count() as f64,
            ),
            // Answered by `network_minute` above.
            MetricKind::NetworkTxAverage
            | MetricKind::NetworkTxMaximum
            | MetricKind::NetworkRxAverage
            | MetricKind::NetworkRxMaximum
            | MetricKind::NetworkTxBaseline
            | MetricKind::NetworkRxBaseline => None,
        }
    }

    pub(super) fn up_at(&self, t: &SimTask, at: DateTime<Utc>) -> bool {
        let start = t.started_at.unwrap_or(t.running_at);
        let end = t
            .stopping_at
            .or(t.stopped_at)
            .or(t.dies_at.filter(|d| *d <= self.now));
        start <= at && end.is_none_or(|e| at < e) && at <= self.now
    }

    fn running_at(&self, s: &SimService, at: DateTime<Utc>) -> usize {
        s.tasks.iter().filter(|t| self.up_at(t, at)).count()
    }

    fn oom_killed(&self, s: &SimService, t: &SimTask) -> bool {
        s.revisions[t.revision].fault == Fault::Oom && t.dies_at.is_some()
    }

    /// A task's memory use in percent at `at`: steady, or climbing to the kill.
    fn task_memory(&self, s: &SimService, t: &SimTask, at: DateTime<Utc>) -> Option<f64> {
        if !self.up_at(t, at) {
            return None;
        }
        let base = 32.0 + (s.seed % 20) as f64 + wiggle(t.seed, at, 3.0);
        let start = t.started_at.unwrap_or(t.running_at);
        match t.dies_at.filter(|_| self.oom_killed(s, t)) {
            Some(dies) => {
                let life = (dies - start).num_seconds().max(1) as f64;
                let progress = ((at - start).num_seconds() as f64 / life).clamp(0.0, 1.0);
                Some((base + (100.0 - base) * progress).min(100.0))
            }
            None => Some(base.clamp(1.0, 100.0)),
        }
    }

    /// Requests a minute: the service's own rate, in proportion to its tasks up.
    fn requests(&self, s: &SimService, at: DateTime<Utc>) -> f64 {
        let rate = 300.0 + (s.seed % 900) as f64;
        let up = self.running_at(s, at) as f64 / f64::from(s.desired.max(1));
        (rate * up.clamp(0.25, 1.0) * (1.0 + wiggle(s.seed, at, 0.08))).round()
    }

    /// A service is failing requests when one of its tasks was killed in the
    /// last minutes, or when the next service on the requests' path is.
    fn failing(&self, s: &SimService, at: DateTime<Utc>) -> bool {
        let killed_lately = |s: &SimService| {
            s.tasks.iter().any(|t| {
                self.oom_killed(s, t)
                    && t.dies_at
                        .is_some_and(|d| d <= at && d > at - Duration::minutes(FAILING_MINUTES))
            })
        };
        if killed_lately(s) {
            return true;
        }
        let Some(path) = self.requests.as_ref().map(|r| &r.path) else {
            return false;
        };
        let next = path
            .iter()
            .position(|name| name == &s.name)
            .and_then(|i| path.get(i + 1));
        next.and_then(|name| self.services.iter().find(|o| &o.name == name))
            .is_some_and(killed_lately)
    }

    /// The last service of the requests' path is failing at `at`: what is
    /// left of it is overloaded, and every request waits on it.
    pub(super) fn far_end_slow(&self, at: DateTime<Utc>) -> bool {
        self.provider_slow(at)
            || self
                .requests
                .as_ref()
                .and_then(|r| r.path.last())
                .and_then(|name| self.services.iter().find(|s| &s.name == name))
                .is_some_and(|s| self.failing(s, at))
    }

    /// The scenario's model provider is slow at `at` (see
    /// `RequestSpec::far_end_slow_minutes_ago`).
    fn provider_slow(&self, at: DateTime<Utc>) -> bool {
        self.requests
            .as_ref()
            .and_then(|r| r.far_end_slow_minutes_ago)
            .is_some_and(|m| at >= self.opened_at - Duration::minutes(m))
    }

    /// Every request through `s` waits on the slow provider at `at`.
    fn waits_on_provider(&self, s: &SimService, at: DateTime<Utc>) -> bool {
        self.provider_slow(at)
            && self
                .requests
                .as_ref()
                .is_some_and(|r| r.path.contains(&s.name))
    }

    /// Percent of requests answered 5XX.
    fn error_share(&self, s: &SimService, at: DateTime<Utc>) -> f64 {
        if self.failing(s, at) {
            9.0 + wiggle(s.seed, at, 2.0)
        } else {
            0.2
        }
    }

    /// The scenario's alarms as CloudWatch would describe them now.
    pub fn alarms(&self) -> Vec<Alarm> {
        self.alarms.iter().map(|spec| self.alarm(spec)).collect()
    }

    fn alarm(&self, spec: &AlarmSpec) -> Alarm {
        let service = spec.service.as_deref().and_then(|key| {
            let (cluster, name) = key.split_once('/')?;
            self.services
                .iter()
                .find(|s| s.cluster == cluster && s.name == name)
        });
        let now = self
            .now
            .duration_trunc(Duration::minutes(1))
            .unwrap_or(self.now);
        let (state, value) = self.alarm_state(spec, service, now);
        let threshold = match service {
            Some(s) if spec.below_desired => f64::from(s.desired),
            _ => spec.threshold,
        };
        // Since when: walk back minute by minute to the last change.
        let history = (now - self.opened_at).num_minutes().max(0) + 180;
        let mut since = now;
        for m in 1..history {
            let at = now - Duration::minutes(m);
            if self.alarm_state(spec, service, at).0 != state {
                break;
            }
            since = at;
        }
        let comparison = if spec.comparison == "<" {
            "LessThanThreshold"
        } else {
            "GreaterThanThreshold"
        };
        let reason =
            match (state, value) {
                (AlarmState::InsufficientData, _) | (_, None) => {
                    "Insufficient Data: no datapoints were received for the period.".to_string()
                }
                (_, Some(v)) => {
                    format!(
                "Threshold Crossed: 1 datapoint [{v:.1} ({})] was {}{} the threshold ({:.1}).",
                now.format("%d/%m/%y %H:%M:%S"),
                if state == AlarmState::Alarm { "" } else { "not " },
                if spec.comparison == "<" { "less than" } else { "greater than" },
                spec.threshold
            )
                }
            };
        Alarm {
            name: spec.name.clone(),
            arn: format!(
                "arn:aws:cloudwatch:{}:{}:alarm:{}",
                self.region, self.account, spec.name
            ),
            state,
            reason,
            since: Some(since),
            composite: false,
            metric: Some(AlarmMetric {
                threshold: Some(threshold),
                ..self.alarm_metric(spec, service, comparison)
            }),
            pair: Default::default(),
        }
    }

    fn alarm_metric(
        &self,
        spec: &AlarmSpec,
        service: Option<&SimService>,
        comparison: &str,
    ) -> AlarmMetric {
        let dims = |pairs: Vec<(&str, String)>| {
            pairs
                .into_iter()
                .map(|(name, value)| Dimension {
                    name: name.into(),
                    value,
                })
                .collect::<Vec<_>>()
        };
        let ecs = |s: &SimService| {
            dims(vec![
                ("ClusterName", s.cluster.clone()),
                ("ServiceName", s.name.clone()),
            ])
        };
        let elb = |s: &SimService| {
            dims(vec![
                (
                    "TargetGroup",
                    self.target_group_arn(s)
                        .map(|a| elb_dimension(&a).to_string())
                        .unwrap_or_default(),
                ),
                (
                    "LoadBalancer",
                    elb_dimension(&self.load_balancer_arn(&s.cluster)).to_string(),
                ),
            ])
        };
        let (namespace, name, statistic, dimensions) = match (spec.metric.as_str(), service) {
            ("memory", Some(s)) => ("AWS/ECS", "MemoryUtilization", "Maximum", ecs(s)),
            ("cpu", Some(s)) => ("AWS/ECS", "CPUUtilization", "Average", ecs(s)),
            ("running_tasks", Some(s)) => (
                "ECS/ContainerInsights",
                "RunningTaskCount",
                "Minimum",
                ecs(s),
            ),
            ("http_5xx", Some(s)) => (
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                "Sum",
                elb(s),
            ),
            ("p95", Some(s)) => ("AWS/ApplicationELB", "TargetResponseTime", "p95", elb(s)),
            _ => (
                spec.namespace.as_deref().unwrap_or("Custom"),
                "Value",
                "Average",
                spec.dimension
                    .iter()
                    .map(|(n, v)| Dimension {
                        name: n.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            ),
        };
        AlarmMetric {
            namespace: namespace.into(),
            name: name.into(),
            dimensions,
            statistic: Some(statistic.into()),
            period_seconds: Some(spec.period_minutes.max(1) * 60),
            threshold: Some(spec.threshold),
            comparison: Some(comparison.into()),
        }
    }

    /// The alarm's state over the period ending at `at`, and the value it saw.
    fn alarm_state(
        &self,
        spec: &AlarmSpec,
        service: Option<&SimService>,
        at: DateTime<Utc>,
    ) -> (AlarmState, Option<f64>) {
        let period = Duration::minutes(i64::from(spec.period_minutes.max(1)));
        let value = match (spec.metric.as_str(), service) {
            ("memory", Some(s)) => self.over(s, MetricKind::MemoryMaximum, at, period),
            ("cpu", Some(s)) => self.over(s, MetricKind::CpuAverage, at, period),
            ("running_tasks", Some(s)) => (0..period.num_minutes().max(1))
                .map(|m| self.running_at(s, at - Duration::minutes(m)) as f64)
                .reduce(f64::min),
            ("http_5xx", Some(s)) => match (
                self.over(s, MetricKind::Requests, at, period),
                self.over(s, MetricKind::Http5xx, at, period),
            ) {
                (Some(requests), Some(errors)) if requests > 0.0 => Some(100.0 * errors / requests),
                _ => None,
            },
            // TargetResponseTime is in seconds, as its threshold.
            ("p95", Some(s)) => self.over(s, MetricKind::ResponseTimeP95, at, period),
            // Something the account does not run here: quiet, and well below.
            (_, _) => Some(spec.threshold * 0.4),
        };
        let Some(v) = value else {
            return (AlarmState::InsufficientData, None);
        };
        let threshold = match service {
            Some(s) if spec.below_desired => f64::from(s.desired),
            _ => spec.threshold,
        };
        let breached = if spec.comparison == "<" {
            v < threshold
        } else {
            v > threshold
        };
        (
            if breached {
                AlarmState::Alarm
            } else {
                AlarmState::Ok
            },
            Some(v),
        )
    }
}

fn summarize(values: &[f64], peak: bool, floor: Option<f64>) -> Option<f64> {
    if values.is_empty() {
        return floor;
    }
    let value = if peak {
        values.iter().copied().fold(f64::MIN, f64::max)
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    };
    Some(match floor {
        Some(f) if peak => value.max(f),
        _ => value,
    })
}

/// A small steady wobble, the same for the same seed (a name hashed with
/// `stable`) and minute.
pub(super) fn wiggle(seed: u64, at: DateTime<Utc>, amplitude: f64) -> f64 {
    let minute = at.timestamp().div_euclid(60) as u64;
    let h = seed.wrapping_add(minute.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let unit = ((h >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0;
    unit * amplitude
}

use crate::demo::security::stable;

/// A task's private IP (its target in the load balancer, its flow-log address).
pub(super) fn task_ip(task_id: &str) -> String {
    let h = stable(task_id);
    format!("10.0.{}.{}", (h >> 8) % 250 + 1, h % 250 + 2)
}
