//! The ports: what triage needs from an account, implemented by `aws/` (the
//! real SDK) and `demo/` (the simulation). Futures are boxed so the ports can
//! be used as trait objects without an async runtime in the domain.

use super::error::PortError;
use super::service::Service;
use super::task::{Task, TaskState};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

pub(crate) type PortResult<T> = Result<T, PortError>;

/// Calls made so far, by operation (`DescribeTasks` …); answers given without
/// a call are counted as `cache:<what>`.
pub(crate) type CallCounts = std::collections::BTreeMap<String, u64>;

/// Counts calls by operation, for `--verbose`, coverage and the benchmarks.
#[derive(Debug, Default)]
pub struct CallCounter(std::sync::Mutex<CallCounts>);

impl CallCounter {
    pub fn count(&self, operation: &str) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(operation.to_string()).or_default() += 1;
    }

    pub fn snapshot(&self) -> CallCounts {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What was called between two snapshots.
pub(crate) fn calls_since(before: &CallCounts, after: &CallCounts) -> CallCounts {
    after
        .iter()
        .filter_map(|(op, n)| {
            let d = n.saturating_sub(before.get(op).copied().unwrap_or(0));
            (d > 0).then(|| (op.clone(), d))
        })
        .collect()
}
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = PortResult<T>> + Send + 'a>>;

/// The answer of every write in read-only mode.
pub(crate) fn refuse<'a, T: Send + 'a>(operation: String) -> PortFuture<'a, T> {
    Box::pin(async move { Err(PortError::ReadOnly { operation }) })
}

/// Who and where we are: shown in the header, journaled at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccountIdentity {
    pub account: Option<String>,
    pub region: String,
    pub profile: Option<String>,
    /// The caller's ARN (role or user), when known.
    pub principal: Option<String>,
    /// Set when talking to an emulator or a non-default endpoint.
    pub endpoint: Option<String>,
    /// True for the built-in simulation.
    pub demo: bool,
}

/// A change to a service: what `UpdateService` sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceChange {
    pub desired_count: Option<u32>,
    pub task_definition: Option<String>,
    pub force_new_deployment: bool,
}

/// The parts of a task definition triage shows and compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub containers: Vec<ContainerDefinition>,
    /// `awsvpc`, `bridge`, `host` or `none` (None: ECS's default for its launch type).
    #[serde(default)]
    pub network_mode: Option<String>,
    /// `taskRoleArn`: what the containers act as.
    #[serde(default)]
    pub task_role: Option<String>,
    /// `executionRoleArn`: what ECS pulls images and reads secrets as.
    #[serde(default)]
    pub execution_role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub memory: Option<u32>,
    pub memory_reservation: Option<u32>,
    pub command: Vec<String>,
    /// Environment variable names (values are not kept: they may be secrets).
    pub environment: Vec<String>,
    /// Secret names (`secrets[].name`), never values.
    pub secrets: Vec<String>,
    /// Where each of `secrets` comes from (`secrets[].valueFrom`: an ARN or
    /// a parameter name), in the same order; never values.
    #[serde(default)]
    pub secret_sources: Vec<String>,
    pub log_group: Option<String>,
    pub log_stream_prefix: Option<String>,
    pub health_check: Vec<String>,
}

/// Where one container of a task writes (awslogs): its group and stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogStream {
    pub group: String,
    pub stream: String,
    pub container: String,
}

impl TaskDefinition {
    /// The streams task `task_id`'s containers write to (`PREFIX/CONTAINER/
    /// TASK_ID` in each container's `awslogs-group`); a container without
    /// awslogs has none.
    pub fn log_streams(&self, task_id: &str) -> Vec<LogStream> {
        self.containers
            .iter()
            .filter_map(|c| {
                let (group, prefix) = (c.log_group.as_ref()?, c.log_stream_prefix.as_ref()?);
                Some(LogStream {
                    group: group.clone(),
                    stream: format!("{prefix}/{}/{task_id}", c.name),
                    container: c.name.clone(),
                })
            })
            .collect()
    }
}

/// Wraps a port and refuses every mutating call: read-only mode enforced at
/// the boundary, whatever the UI or a runbook asks for (every port declared
/// with `port!` has its `ReadOnly` forwarder).
pub struct ReadOnly<P>(pub P);

port! {
    /// Reading and changing ECS.
    pub trait EcsPort {
        fn identity(&self) -> PortFuture<'_, AccountIdentity>;
        /// Names of every cluster in the region (paged to the end).
        fn clusters(&self) -> PortFuture<'_, Vec<String>>;
        /// Every service of a cluster, described (paged and batched by the adapter).
        fn services<'a>(&'a self, cluster: &'a str) -> PortFuture<'a, Vec<Service>>;
        /// One service, described.
        fn service<'a>(&'a self, cluster: &'a str, service: &'a str) -> PortFuture<'a, Service>;
        /// Services by name or ARN (batched by the adapter); ones that do not
        /// exist are simply absent.
        fn describe_services<'a>(
            &'a self,
            cluster: &'a str,
            names: &'a [String],
        ) -> PortFuture<'a, Vec<Service>>;
        /// Tasks of one service in the given state, described.
        fn tasks<'a>(
            &'a self,
            cluster: &'a str,
            service: &'a str,
            state: TaskState,
        ) -> PortFuture<'a, Vec<Task>>;
        /// ARNs of every task of a cluster in the given state, whatever service
        /// (or none) started it: ListTasks paged to the end. ECS keeps stopped
        /// tasks about an hour.
        fn task_arns<'a>(&'a self, cluster: &'a str, state: TaskState) -> PortFuture<'a, Vec<String>>;
        fn task_definition<'a>(&'a self, arn: &'a str) -> PortFuture<'a, TaskDefinition>;
        /// Tasks by ARN or id (batched by the adapter); tasks ECS no longer
        /// returns are simply absent.
        fn describe_tasks<'a>(
            &'a self,
            cluster: &'a str,
            tasks: &'a [String],
        ) -> PortFuture<'a, Vec<Task>>;
        fn update_service<'a>(
            &'a self,
            cluster: &'a str,
            service: &'a str,
            change: ServiceChange,
        ) -> PortFuture<'a, Service>
            => format!("UpdateService {cluster}/{service}");
        /// StopTask with a reason; the task as ECS returns it.
        fn stop_task<'a>(
            &'a self,
            cluster: &'a str,
            task: &'a str,
            reason: &'a str,
        ) -> PortFuture<'a, Task>
            => format!("StopTask {cluster}/{task}");
        /// How many calls AWS has throttled so far (retried with back-off).
        fn throttled_calls(&self) -> u64 {
            0
        }
        /// Calls made so far, by operation.
        fn calls(&self) -> CallCounts {
            CallCounts::new()
        }
    }
}

/// Task definitions kept between runs: a revision never changes once
/// registered, so an adapter asks its store before asking AWS (the disk
/// cache of `store::definitions`).
pub(crate) trait DefinitionStore: Send + Sync {
    fn get(&self, arn: &str) -> Option<TaskDefinition>;
    fn put(&self, definition: &TaskDefinition);
}

/// The answers a [`DefinitionStore`] gave, counted as this in [`EcsPort::calls`].
pub(crate) const DEFINITION_CACHE_HITS: &str = "cache:DescribeTaskDefinition";

/// A log many consoles append incident entries to and read from, so several
/// responders see one timeline (CloudWatch Logs, or the demo's in-memory one).
pub trait SharePort: Send + Sync {
    /// Publish entries of an incident, as written locally (already redacted).
    fn publish<'a>(
        &'a self,
        incident: &'a str,
        entries: &'a [crate::domain::timeline::Entry],
    ) -> PortFuture<'a, ()>;
    /// Entries published after `cursor` (None = from the beginning), with the
    /// cursor to pass next time.
    fn fetch<'a>(&'a self, incident: &'a str, cursor: Option<String>) -> PortFuture<'a, SharePage>;
}

/// Entries fetched from the shared log, and where to continue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharePage {
    pub entries: Vec<crate::domain::timeline::Entry>,
    pub cursor: Option<String>,
    /// Lines in the shared log that were not entries (skipped).
    pub skipped: usize,
}

/// One line of a container's log. The message is untrusted text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub message: String,
}

/// Reading container logs (CloudWatch Logs, or the demo's simulated ones).
pub trait LogsPort: Send + Sync {
    /// The last `limit` lines of a stream written before `before`, oldest first.
    fn tail<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> PortFuture<'a, Vec<LogLine>>;
    /// Calls made so far, by operation.
    fn calls(&self) -> CallCounts {
        CallCounts::new()
    }
}

/// One page of FilterLogEvents-style results for one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterPage {
    pub events: Vec<crate::domain::logsearch::LogEvent>,
    /// More may remain (even after an empty page) while this is present.
    pub next_token: Option<String>,
}

port! {
    /// Searching log groups with a server-side filter pattern, page by page.
    pub trait LogSearchPort {
        fn filter_page<'a>(
            &'a self,
            group: &'a str,
            pattern: &'a str,
            start: chrono::DateTime<chrono::Utc>,
            end: chrono::DateTime<chrono::Utc>,
            token: Option<String>,
        ) -> PortFuture<'a, FilterPage>;
        /// How many days the group keeps its events (None: forever, or unknown).
        /// Searches warn when their window starts before that.
        fn retention_days<'a>(&'a self, group: &'a str) -> PortFuture<'a, Option<u32>> {
            let _ = group;
            Box::pin(async { Ok(None) })
        }
        /// The account's own time, when it keeps one (a simulation running
        /// faster than the wall clock); None: the wall clock's. Windows of
        /// reads are taken in it.
        fn account_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
            None
        }
        /// Make a log group unless it exists; true when it was made.
        fn create_log_group<'a>(&'a self, group: &'a str) -> PortFuture<'a, bool> {
            Box::pin(async move { Err(cannot("CreateLogGroup", group)) })
        }
            => format!("CreateLogGroup {group}");
        /// Delete a log group (gone already is not an error).
        fn delete_log_group<'a>(&'a self, group: &'a str) -> PortFuture<'a, ()> {
            Box::pin(async move { Err(cannot("DeleteLogGroup", group)) })
        }
            => format!("DeleteLogGroup {group}");
        /// One Logs Insights query over `groups` (at most 50), run to completion.
        fn insights<'a>(
            &'a self,
            groups: &'a [String],
            query: &'a str,
            start: chrono::DateTime<chrono::Utc>,
            end: chrono::DateTime<chrono::Utc>,
            limit: u32,
        ) -> PortFuture<'a, QueryRows>;
        /// Calls made so far, by operation.
        fn calls(&self) -> CallCounts {
            CallCounts::new()
        }
    }
}

/// A port that does not offer this write.
fn cannot(operation: &str, what: &str) -> PortError {
    PortError::Other {
        operation: operation.into(),
        message: format!("{what}: this account cannot do that here"),
    }
}

/// What a Logs Insights query returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryRows {
    /// Each row: (field, value) pairs as returned. Values are untrusted text.
    pub rows: Vec<Vec<(String, String)>>,
    /// Records the query matched (may exceed the rows returned).
    pub matched: Option<u64>,
}

port! {
    /// The other half of live status: CloudWatch alarms and metrics, and the
    /// health of the services' load-balancer targets.
    pub trait MonitoringPort {
        /// Every metric and composite alarm of the Region (paged to the end).
        fn alarms(&self) -> PortFuture<'_, Vec<super::alarms::Alarm>>;
        /// The series of each query between `start` and `end` (batched by the
        /// adapter, at most 500 queries a call; paged to the end).
        fn metric_data<'a>(
            &'a self,
            queries: &'a [super::metrics::MetricQuery],
            start: chrono::DateTime<chrono::Utc>,
            end: chrono::DateTime<chrono::Utc>,
        ) -> PortFuture<'a, Vec<super::metrics::MetricSeries>>;
        /// Target groups by ARN, with their load balancers; unknown ones absent.
        fn target_groups<'a>(
            &'a self,
            arns: &'a [String],
        ) -> PortFuture<'a, Vec<super::alarms::TargetGroup>>;
        /// The targets of one target group and why each is unhealthy.
        fn target_health<'a>(
            &'a self,
            target_group: &'a str,
        ) -> PortFuture<'a, Vec<super::metrics::TargetHealth>>;
        /// Calls made so far, by operation.
        fn calls(&self) -> CallCounts {
            CallCounts::new()
        }
    }
}
