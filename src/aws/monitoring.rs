//! CloudWatch alarms and metrics and ELBv2 target health over the real SDK:
//! DescribeAlarms (metric and composite, paged to the end), GetMetricData
//! (500 queries a call, paged), DescribeTargetGroups and
//! DescribeTargetHealth. CloudWatch has a budget of its own (at about half
//! its published rates), ELBv2 another; every call is counted.

use super::budget::{Budget, Calls};
use super::convert::time;
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::alarms::{Alarm, AlarmMetric, AlarmState, Dimension, TargetGroup};
use crate::domain::metrics::{batches, MetricQuery, MetricSeries, TargetHealth};
use crate::domain::ports::{CallCounts, MonitoringPort, PortFuture};
use aws_sdk_cloudwatch::types as cw;
use chrono::{DateTime, Utc};

/// DescribeAlarms is published at 9 calls a second per Region.
const DESCRIBE_ALARMS_PER_SECOND: f64 = 4.0;
/// GetMetricData is published at 50 calls a second per Region.
const METRIC_DATA_PER_SECOND: f64 = 25.0;
/// ELBv2 describe calls share about 10 a second.
const ELB_PER_SECOND: f64 = 5.0;
/// DescribeTargetGroups takes at most 20 ARNs a call.
const TARGET_GROUPS_PER_CALL: usize = 20;

pub struct AwsMonitoring {
    cloudwatch: aws_sdk_cloudwatch::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    ctx: ErrorContext,
    alarms_budget: Budget,
    metrics_budget: Budget,
    elb_budget: Budget,
    calls: Calls,
}

impl AwsMonitoring {
    pub fn new(config: &aws_config::SdkConfig, profile: Option<String>) -> AwsMonitoring {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsMonitoring {
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "monitoring", &region),
            },
            alarms_budget: Budget::new(DESCRIBE_ALARMS_PER_SECOND, 4),
            metrics_budget: Budget::new(METRIC_DATA_PER_SECOND, 25),
            elb_budget: Budget::new(ELB_PER_SECOND, 5),
            calls: Calls::default(),
        }
    }

    async fn admit(&self, budget: &Budget, operation: &str) {
        budget.acquire().await;
        self.calls.count(operation);
    }
}

fn state(value: Option<&cw::StateValue>) -> AlarmState {
    match value {
        Some(cw::StateValue::Alarm) => AlarmState::Alarm,
        Some(cw::StateValue::Ok) => AlarmState::Ok,
        _ => AlarmState::InsufficientData,
    }
}

fn metric_alarm(a: &cw::MetricAlarm) -> Alarm {
    // A metric-math alarm has no single metric: it is kept, tied through
    // its first metric with dimensions.
    let metric = match a.metric_name() {
        Some(name) => Some(AlarmMetric {
            namespace: a.namespace().unwrap_or_default().to_string(),
            name: name.to_string(),
            dimensions: dimensions(a.dimensions()),
            statistic: a
                .statistic()
                .map(|s| s.as_str().to_string())
                .or_else(|| a.extended_statistic().map(str::to_string)),
            period_seconds: a.period().map(|p| p.max(0) as u32),
            threshold: a.threshold(),
            comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
        }),
        None => a
            .metrics()
            .iter()
            .filter_map(|q| q.metric_stat())
            .find_map(|stat| {
                let m = stat.metric()?;
                Some(AlarmMetric {
                    namespace: m.namespace().unwrap_or_default().to_string(),
                    name: m.metric_name().unwrap_or_default().to_string(),
                    dimensions: dimensions(m.dimensions()),
                    statistic: stat.stat().map(str::to_string),
                    period_seconds: stat.period().map(|p| p.max(0) as u32),
                    threshold: a.threshold(),
                    comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
                })
            }),
    };
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        arn: a.alarm_arn().unwrap_or_default().to_string(),
        state: state(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        since: time(a.state_updated_timestamp()),
        composite: false,
        metric,
        pair: Default::default(),
    }
}

fn composite_alarm(a: &cw::CompositeAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        arn: a.alarm_arn().unwrap_or_default().to_string(),
        state: state(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        since: time(a.state_updated_timestamp()),
        composite: true,
        metric: None,
        pair: Default::default(),
    }
}

fn dimensions(dims: &[cw::Dimension]) -> Vec<Dimension> {
    dims.iter()
        .map(|d| Dimension {
            name: d.name().unwrap_or_default().to_string(),
            value: d.value().unwrap_or_default().to_string(),
        })
        .collect()
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

fn query(q: &MetricQuery) -> cw::MetricDataQuery {
    let metric = cw::Metric::builder()
        .namespace(&q.namespace)
        .metric_name(&q.name)
        .set_dimensions(Some(
            q.dimensions
                .iter()
                .map(|d| {
                    cw::Dimension::builder()
                        .name(&d.name)
                        .value(&d.value)
                        .build()
                })
                .collect(),
        ))
        .build();
    cw::MetricDataQuery::builder()
        .id(&q.id)
        .return_data(true)
        .metric_stat(
            cw::MetricStat::builder()
                .metric(metric)
                .period(q.period_seconds as i32)
                .stat(&q.statistic)
                .build(),
        )
        .build()
}

impl MonitoringPort for AwsMonitoring {
    fn alarms(&self) -> PortFuture<'_, Vec<Alarm>> {
        Box::pin(async move {
            let mut alarms = Vec::new();
            let mut token: Option<String> = None;
            let mut seen_tokens = std::collections::HashSet::new();
            loop {
                self.admit(&self.alarms_budget, "DescribeAlarms").await;
                let out = self
                    .cloudwatch
                    .describe_alarms()
                    .alarm_types(cw::AlarmType::MetricAlarm)
                    .alarm_types(cw::AlarmType::CompositeAlarm)
                    .max_records(100)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("DescribeAlarms", e, &self.ctx))?;
                alarms.extend(out.metric_alarms().iter().map(metric_alarm));
                alarms.extend(out.composite_alarms().iter().map(composite_alarm));
                token = out.next_token().map(str::to_string);
                // A token seen before would page forever.
                match &token {
                    Some(t) if seen_tokens.insert(t.clone()) => {}
                    _ => break,
                }
            }
            Ok(alarms)
        })
    }

    fn metric_data<'a>(
        &'a self,
        queries: &'a [MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> PortFuture<'a, Vec<MetricSeries>> {
        Box::pin(async move {
            let mut series: std::collections::BTreeMap<String, MetricSeries> = Default::default();
            for batch in batches(queries) {
                let mut token: Option<String> = None;
                loop {
                    self.admit(&self.metrics_budget, "GetMetricData").await;
                    let out = self
                        .cloudwatch
                        .get_metric_data()
                        .set_metric_data_queries(Some(batch.iter().map(query).collect()))
                        .start_time(smithy_time(start))
                        .end_time(smithy_time(end))
                        .scan_by(cw::ScanBy::TimestampAscending)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| map_sdk_error("GetMetricData", e, &self.ctx))?;
                    for result in out.metric_data_results() {
                        let id = result.id().unwrap_or_default().to_string();
                        let entry = series.entry(id.clone()).or_insert(MetricSeries {
                            id,
                            points: Vec::new(),
                        });
                        entry.points.extend(
                            result
                                .timestamps()
                                .iter()
                                .zip(result.values())
                                .filter_map(|(t, v)| Some((time(Some(t))?, *v))),
                        );
                    }
                    match out.next_token() {
                        Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
                        _ => break,
                    }
                }
            }
            Ok(series.into_values().collect())
        })
    }

    fn target_groups<'a>(&'a self, arns: &'a [String]) -> PortFuture<'a, Vec<TargetGroup>> {
        Box::pin(async move {
            let mut groups = Vec::new();
            for chunk in arns.chunks(TARGET_GROUPS_PER_CALL) {
                self.admit(&self.elb_budget, "DescribeTargetGroups").await;
                let out = self
                    .elb
                    .describe_target_groups()
                    .set_target_group_arns(Some(chunk.to_vec()))
                    .send()
                    .await;
                let out = match out {
                    Ok(out) => out,
                    // One gone target group fails the whole call: ask one by one.
                    Err(err) if chunk.len() > 1 && is_not_found(&err) => {
                        for arn in chunk {
                            self.admit(&self.elb_budget, "DescribeTargetGroups").await;
                            if let Ok(one) = self
                                .elb
                                .describe_target_groups()
                                .target_group_arns(arn)
                                .send()
                                .await
                            {
                                groups.extend(one.target_groups().iter().map(target_group));
                            }
                        }
                        continue;
                    }
                    Err(err) if is_not_found(&err) => continue,
                    Err(err) => return Err(map_sdk_error("DescribeTargetGroups", err, &self.ctx)),
                };
                groups.extend(out.target_groups().iter().map(target_group));
            }
            Ok(groups)
        })
    }

    fn target_health<'a>(&'a self, target_group: &'a str) -> PortFuture<'a, Vec<TargetHealth>> {
        Box::pin(async move {
            self.admit(&self.elb_budget, "DescribeTargetHealth").await;
            let out = self
                .elb
                .describe_target_health()
                .target_group_arn(target_group)
                .send()
                .await
                .map_err(|e| map_sdk_error("DescribeTargetHealth", e, &self.ctx))?;
            Ok(out
                .target_health_descriptions()
                .iter()
                .map(|d| {
                    let health = d.target_health();
                    TargetHealth {
                        target: d
                            .target()
                            .and_then(|t| t.id())
                            .unwrap_or_default()
                            .to_string(),
                        port: d.target().and_then(|t| t.port()).map(|p| p.max(0) as u16),
                        state: health
                            .and_then(|h| h.state())
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_else(|| "unknown".into()),
                        reason: health
                            .and_then(|h| h.reason())
                            .map(|r| r.as_str().to_string()),
                        description: health.and_then(|h| h.description()).map(str::to_string),
                    }
                })
                .collect())
        })
    }

    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }
}

fn target_group(g: &aws_sdk_elasticloadbalancingv2::types::TargetGroup) -> TargetGroup {
    TargetGroup {
        arn: g.target_group_arn().unwrap_or_default().to_string(),
        load_balancer_arns: g.load_balancer_arns().to_vec(),
    }
}

fn is_not_found<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "TargetGroupNotFound")
}
