//! The demo: a simulated AWS account behind the same ports as `aws/`, so the
//! whole console runs without credentials. Only reachable with `--demo`.

pub mod exec;
pub mod requests;
pub mod scenario;
pub mod security;
pub mod share;
pub mod sim;

use crate::domain::network::{EgressRule, NetworkPort, SecurityGroup};
use crate::domain::ports::{AccountIdentity, EcsPort, PortFuture, ServiceChange, TaskDefinition};
use crate::domain::secrets::{Generate, SecretInfo, SecretsPort};
use crate::domain::service::Service;
use crate::domain::task::{Task, TaskState};
use crate::domain::Clock;
use chrono::{DateTime, Utc};
use scenario::Scenario;
use serde_json::json;
use sim::trail::By;
use sim::Simulation;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A simulated account. Simulated time follows the given clock, sped up by the
/// scenario's `speed`.
pub struct DemoAccount {
    sim: Mutex<Simulation>,
    clock: Arc<dyn Clock>,
    started_real: DateTime<Utc>,
    started_sim: DateTime<Utc>,
    speed: f64,
    latency: Duration,
    pub scenario_name: String,
    /// Simulated calls, named as the AWS operation each port call stands for.
    calls: crate::domain::ports::CallCounter,
    /// When (simulated time) every read is refused as an expired session.
    expired: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl DemoAccount {
    pub fn new(scenario: &Scenario, clock: Arc<dyn Clock>) -> DemoAccount {
        let now = clock.now();
        DemoAccount {
            sim: Mutex::new(Simulation::new(scenario, now)),
            clock,
            started_real: now,
            started_sim: now,
            speed: scenario.speed,
            latency: Duration::from_millis(scenario.latency_ms),
            scenario_name: scenario.name.clone(),
            calls: Default::default(),
            expired: scenario.credentials_expire.as_ref().map(|e| {
                let from = now + chrono::Duration::minutes(e.after_minutes.into());
                (from, from + chrono::Duration::minutes(e.for_minutes.into()))
            }),
        }
    }

    /// No simulated network latency (benchmarks, tests).
    pub fn without_latency(mut self) -> Self {
        self.latency = Duration::ZERO;
        self
    }

    fn sim_now(&self) -> DateTime<Utc> {
        let real = self.clock.now() - self.started_real;
        let scaled = (real.num_milliseconds() as f64 * self.speed) as i64;
        self.started_sim + chrono::Duration::milliseconds(scaled)
    }

    /// [`Self::with_sim`] for a call that stands for AWS operation `operation`.
    pub(crate) fn call<'a, T: Send + 'a>(
        &'a self,
        operation: &str,
        f: impl FnOnce(&mut Simulation) -> T + Send + 'a,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>> {
        self.calls.count(operation);
        self.with_sim(f)
    }

    /// A read that stands for AWS operation `operation`: refused, as AWS
    /// refuses an expired session, while the scenario's credentials are out.
    fn read<'a, T: Send + 'a>(
        &'a self,
        operation: &str,
        f: impl FnOnce(&mut Simulation) -> crate::domain::ports::PortResult<T> + Send + 'a,
    ) -> PortFuture<'a, T> {
        let expired = self.expired;
        let profile = self.scenario_name.clone();
        Box::pin(self.call(operation, move |s| match expired {
            Some((from, to)) if s.now >= from && s.now < to => {
                Err(crate::domain::PortError::ExpiredCredentials {
                    profile: Some(profile),
                })
            }
            _ => f(s),
        }))
    }

    /// Run `f` on the simulation brought up to date, after the simulated latency.
    fn with_sim<'a, T: Send + 'a>(
        &'a self,
        f: impl FnOnce(&mut Simulation) -> T + Send + 'a,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>> {
        Box::pin(async move {
            if !self.latency.is_zero() {
                tokio::time::sleep(self.latency).await;
            }
            let now = self.sim_now();
            let mut sim = self.sim.lock().unwrap_or_else(|e| e.into_inner());
            sim.advance_to(now);
            f(&mut sim)
        })
    }
}

impl crate::domain::ports::LogsPort for DemoAccount {
    fn tail<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> PortFuture<'a, Vec<crate::domain::ports::LogLine>> {
        self.read("GetLogEvents", move |s| {
            s.log_tail(group, stream, before, limit)
        })
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
}

impl crate::domain::ports::LogSearchPort for DemoAccount {
    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }

    fn account_time(&self) -> Option<DateTime<Utc>> {
        Some(self.sim_now())
    }

    fn create_log_group<'a>(&'a self, group: &'a str) -> PortFuture<'a, bool> {
        Box::pin(self.call("CreateLogGroup", move |s| Ok(s.create_log_group(group))))
    }

    fn delete_log_group<'a>(&'a self, group: &'a str) -> PortFuture<'a, ()> {
        Box::pin(self.call("DeleteLogGroup", move |s| {
            s.delete_log_group(group);
            Ok(())
        }))
    }

    fn insights<'a>(
        &'a self,
        groups: &'a [String],
        query: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> PortFuture<'a, crate::domain::ports::QueryRows> {
        self.read("StartQuery", move |s| {
            s.insights(groups, query, start, end, limit)
        })
    }

    fn filter_page<'a>(
        &'a self,
        group: &'a str,
        pattern: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        _token: Option<String>,
    ) -> PortFuture<'a, crate::domain::ports::FilterPage> {
        let term = pattern.trim_matches('"').replace("\\\"", "\"");
        self.read("FilterLogEvents", move |s| {
            Ok(crate::domain::ports::FilterPage {
                events: s.filter_logs(group, &term, start, end)?,
                next_token: None,
            })
        })
    }
}

impl EcsPort for DemoAccount {
    fn identity(&self) -> PortFuture<'_, AccountIdentity> {
        self.read("GetCallerIdentity", |s| Ok(s.identity()))
    }

    fn clusters(&self) -> PortFuture<'_, Vec<String>> {
        self.read("ListClusters", |s| Ok(s.cluster_names()))
    }

    fn services<'a>(&'a self, cluster: &'a str) -> PortFuture<'a, Vec<Service>> {
        self.read("DescribeServices", move |s| s.services(cluster))
    }

    fn describe_services<'a>(
        &'a self,
        cluster: &'a str,
        names: &'a [String],
    ) -> PortFuture<'a, Vec<Service>> {
        self.read("DescribeServices", move |s| {
            Ok(s.services(cluster)?
                .into_iter()
                .filter(|svc| names.iter().any(|n| n == &svc.name || n == &svc.arn))
                .collect())
        })
    }

    fn service<'a>(&'a self, cluster: &'a str, service: &'a str) -> PortFuture<'a, Service> {
        self.read("DescribeServices", move |s| s.service(cluster, service))
    }

    fn tasks<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
        state: TaskState,
    ) -> PortFuture<'a, Vec<Task>> {
        self.read("ListTasks", move |s| s.tasks(cluster, service, state))
    }

    fn task_arns<'a>(&'a self, cluster: &'a str, state: TaskState) -> PortFuture<'a, Vec<String>> {
        self.read("ListTasks", move |s| s.task_arns(cluster, state))
    }

    fn describe_tasks<'a>(
        &'a self,
        cluster: &'a str,
        tasks: &'a [String],
    ) -> PortFuture<'a, Vec<Task>> {
        self.read("DescribeTasks", move |s| s.describe_tasks(cluster, tasks))
    }

    fn task_definition<'a>(&'a self, arn: &'a str) -> PortFuture<'a, TaskDefinition> {
        self.read("DescribeTaskDefinition", move |s| s.task_definition(arn))
    }

    fn update_service<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
        change: ServiceChange,
    ) -> PortFuture<'a, Service> {
        Box::pin(self.with_sim(move |s| {
            let scale_only = change.task_definition.is_none() && !change.force_new_deployment;
            let desired = change.desired_count;
            let service = s.update_service(cluster, service, change)?;
            if let (true, Some(n)) = (scale_only, desired) {
                s.record(
                    By::Oncall,
                    "UpdateService",
                    "ecs",
                    json!({"cluster": cluster, "service": service.name, "desiredCount": n}),
                );
            }
            Ok(service)
        }))
    }

    fn stop_task<'a>(
        &'a self,
        cluster: &'a str,
        task: &'a str,
        reason: &'a str,
    ) -> PortFuture<'a, Task> {
        Box::pin(self.with_sim(move |s| {
            let stopped = s.stop_task(cluster, task, reason)?;
            let request = json!({"cluster": cluster, "task": task, "reason": reason});
            s.record(By::Oncall, "StopTask", "ecs", request);
            Ok(stopped)
        }))
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
}

impl NetworkPort for DemoAccount {
    fn security_group<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecurityGroup> {
        self.read("DescribeSecurityGroups", move |s| s.security.group(id))
    }
    fn flow_logs<'a>(
        &'a self,
        resources: &'a [String],
    ) -> PortFuture<'a, Vec<crate::domain::flowlogs::FlowLog>> {
        self.read("DescribeFlowLogs", move |s| Ok(s.flow_logs(resources)))
    }
    fn create_flow_logs<'a>(
        &'a self,
        request: &'a crate::domain::flowlogs::FlowLogRequest,
    ) -> PortFuture<'a, Vec<crate::domain::flowlogs::FlowLog>> {
        Box::pin(self.call("CreateFlowLogs", move |s| {
            let made = s.create_flow_logs(request)?;
            let ids: Vec<&str> = made.iter().map(|f| f.resource.as_str()).collect();
            s.record(
                By::Oncall,
                "CreateFlowLogs",
                "ec2",
                json!({"resourceIds": ids, "trafficType": "ALL"}),
            );
            Ok(made)
        }))
    }
    fn delete_flow_logs<'a>(&'a self, ids: &'a [String]) -> PortFuture<'a, ()> {
        Box::pin(self.call("DeleteFlowLogs", move |s| s.delete_flow_logs(ids)))
    }
    fn security_groups<'a>(&'a self, ids: &'a [String]) -> PortFuture<'a, Vec<SecurityGroup>> {
        self.read("DescribeSecurityGroups", move |s| {
            Ok(ids
                .iter()
                .filter_map(|id| s.security.group(id).ok())
                .collect())
        })
    }
    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
    fn revoke_egress<'a>(&'a self, id: &'a str, rules: &'a [EgressRule]) -> PortFuture<'a, ()> {
        Box::pin(self.with_sim(move |s| {
            let now = s.now;
            s.security.change_egress(id, rules, false, now)?;
            let request = json!({"groupId": id, "ipPermissions": permissions(rules)});
            s.record(By::Oncall, "RevokeSecurityGroupEgress", "ec2", request);
            Ok(())
        }))
    }
    fn authorize_egress<'a>(&'a self, id: &'a str, rules: &'a [EgressRule]) -> PortFuture<'a, ()> {
        Box::pin(self.with_sim(move |s| {
            let now = s.now;
            s.security.change_egress(id, rules, true, now)?;
            let request = json!({"groupId": id, "ipPermissions": permissions(rules)});
            s.record(By::Oncall, "AuthorizeSecurityGroupEgress", "ec2", request);
            Ok(())
        }))
    }
}

impl crate::domain::changes::TrailPort for DemoAccount {
    fn write_events<'a>(
        &'a self,
        since: DateTime<Utc>,
    ) -> PortFuture<'a, crate::domain::changes::TrailRead> {
        self.read("LookupEvents", move |s| {
            let events = s.write_events(since);
            Ok(crate::domain::changes::TrailRead {
                // LookupEvents pages by 50.
                calls: events.len().div_ceil(50).max(1),
                from: Some(since),
                to: Some(s.now),
                events,
                kept: 0,
            })
        })
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
}

impl crate::domain::trace::reading::TracePort for DemoAccount {
    fn traces<'a>(
        &'a self,
        trace_ids: &'a [String],
    ) -> PortFuture<'a, Vec<crate::domain::trace::reading::TraceDocuments>> {
        // One BatchGetTraces per five ids, as X-Ray answers.
        let calls = trace_ids
            .len()
            .div_ceil(crate::domain::trace::reading::TRACES_PER_CALL)
            .max(1);
        for _ in 1..calls {
            self.calls.count("BatchGetTraces");
        }
        self.read("BatchGetTraces", move |s| Ok(s.trace_documents(trace_ids)))
    }

    fn slow_traces<'a>(
        &'a self,
        service: &'a str,
        since: DateTime<Utc>,
        slower_than_ms: i64,
        limit: usize,
    ) -> PortFuture<'a, Vec<crate::domain::trace::reading::TraceSummary>> {
        self.read("GetTraceSummaries", move |s| {
            Ok(s.slow_traces(service, since, slower_than_ms, limit))
        })
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
}

/// Egress rules as CloudTrail records them (`ipPermissions.items`).
fn permissions(rules: &[EgressRule]) -> serde_json::Value {
    use crate::domain::network::Destination;
    let items: Vec<serde_json::Value> = rules
        .iter()
        .map(|r| {
            let mut item = json!({"ipProtocol": r.protocol});
            if let (Some(from), Some(to)) = (r.from_port, r.to_port) {
                item["fromPort"] = json!(from);
                item["toPort"] = json!(to);
            }
            match &r.destination {
                Destination::Ipv4(cidr) => item["ipRanges"] = json!({"items": [{"cidrIp": cidr}]}),
                Destination::Ipv6(cidr) => {
                    item["ipv6Ranges"] = json!({"items": [{"cidrIpv6": cidr}]})
                }
                Destination::PrefixList(id) => {
                    item["prefixListIds"] = json!({"items": [{"prefixListId": id}]})
                }
                Destination::Group(id) => item["groups"] = json!({"items": [{"groupId": id}]}),
            }
            item
        })
        .collect();
    json!({ "items": items })
}

impl SecretsPort for DemoAccount {
    fn describe_secret<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecretInfo> {
        self.read("DescribeSecret", move |s| s.security.describe_secret(id))
    }
    fn rotate_with_lambda<'a>(&'a self, id: &'a str) -> PortFuture<'a, String> {
        Box::pin(self.with_sim(move |s| {
            let now = s.now;
            let version = s.security.new_version(id, true, now)?;
            s.record(
                By::Oncall,
                "RotateSecret",
                "secretsmanager",
                json!({"secretId": id}),
            );
            Ok(version)
        }))
    }
    fn put_generated<'a>(&'a self, id: &'a str, _how: Generate) -> PortFuture<'a, String> {
        Box::pin(self.with_sim(move |s| {
            let now = s.now;
            let version = s.security.new_version(id, false, now)?;
            s.record(
                By::Oncall,
                "PutSecretValue",
                "secretsmanager",
                json!({"secretId": id, "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
            );
            Ok(version)
        }))
    }
}

impl crate::domain::ports::MonitoringPort for DemoAccount {
    fn alarms(&self) -> PortFuture<'_, Vec<crate::domain::alarms::Alarm>> {
        self.read("DescribeAlarms", |s| Ok(s.alarms()))
    }

    fn metric_data<'a>(
        &'a self,
        queries: &'a [crate::domain::metrics::MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> PortFuture<'a, Vec<crate::domain::metrics::MetricSeries>> {
        Box::pin(async move {
            // The simulation may run ahead of the wall clock (a scenario's
            // `speed`): the window asked for ends at the caller's now, which
            // is the simulation's now; its points come back on the caller's clock.
            let shift = self.sim_now() - self.clock.now();
            let mut series = Vec::new();
            for batch in crate::domain::metrics::batches(queries) {
                series.extend(
                    self.read("GetMetricData", move |s| {
                        Ok(s.metric_data(batch, start + shift, end + shift))
                    })
                    .await?,
                );
            }
            for one in &mut series {
                for point in &mut one.points {
                    point.0 -= shift;
                }
            }
            Ok(series)
        })
    }

    fn target_groups<'a>(
        &'a self,
        arns: &'a [String],
    ) -> PortFuture<'a, Vec<crate::domain::alarms::TargetGroup>> {
        self.read("DescribeTargetGroups", move |s| Ok(s.target_groups(arns)))
    }

    fn target_health<'a>(
        &'a self,
        target_group: &'a str,
    ) -> PortFuture<'a, Vec<crate::domain::metrics::TargetHealth>> {
        self.read("DescribeTargetHealth", move |s| {
            s.target_health(target_group)
                .ok_or_else(|| crate::domain::PortError::NotFound {
                    what: crate::domain::Missing::TargetGroup,
                    message: format!("no target group {target_group}"),
                })
        })
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
}

impl crate::domain::security::SecurityPort for DemoAccount {
    fn findings(&self) -> PortFuture<'_, crate::domain::security::SecurityRead> {
        Box::pin(async move {
            // ListDetectors, ListFindings and GetFindings, as GuardDuty answers them.
            self.calls.count("ListDetectors");
            self.calls.count("ListFindings");
            self.read("GetFindings", |s| Ok(s.security_findings()))
                .await
        })
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        self.calls.snapshot()
    }
}
