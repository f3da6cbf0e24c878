//! The ECS port over the real SDK: lists paged to the end, describes batched
//! (DescribeServices 10, DescribeTasks 100), task definitions cached, every
//! call budgeted and retried with jitter when throttled.

use super::budget::{backoff_delay, Budget, Calls};
use super::convert;
use super::errors::{map_sdk_error, ErrorContext};
use super::Connection;
use crate::domain::ports::{
    AccountIdentity, DefinitionStore, EcsPort, PortFuture, PortResult, ServiceChange,
    TaskDefinition, DEFINITION_CACHE_HITS,
};
use crate::domain::service::{arn_name, Service};
use crate::domain::task::{Task, TaskState};
use crate::domain::PortError;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecs::types::DesiredStatus;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// DescribeServices takes at most 10 services a call.
pub(crate) const DESCRIBE_SERVICES_BATCH: usize = 10;
/// DescribeTasks takes at most 100 tasks a call.
pub(crate) const DESCRIBE_TASKS_BATCH: usize = 100;

/// An AWS account reached through the SDK.
pub struct AwsAccount {
    pub(super) ecs: aws_sdk_ecs::Client,
    sts: aws_sdk_sts::Client,
    pub(super) region: String,
    pub(super) profile: Option<String>,
    endpoint: Option<String>,
    pub(super) ctx: ErrorContext,
    pub(super) reads: Budget,
    pub(super) writes: Budget,
    throttle_retries: u32,
    task_definitions: Mutex<HashMap<String, TaskDefinition>>,
    /// Revisions kept between runs (the disk cache), asked before AWS.
    definitions: Option<std::sync::Arc<dyn DefinitionStore>>,
    /// Revisions the store answered.
    definition_hits: AtomicU64,
    throttled: AtomicU64,
    calls: Calls,
}

impl AwsAccount {
    /// Build clients for the connection (no call is made yet).
    pub async fn connect(conn: &Connection) -> Result<AwsAccount, PortError> {
        let config = super::load_config(conn).await?;
        Ok(Self::with_config(&config, conn))
    }

    /// Build on an already resolved SDK config (the connection gives the
    /// profile for messages, the endpoint and the budgets).
    pub fn with_config(config: &aws_config::SdkConfig, conn: &Connection) -> AwsAccount {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let endpoint = conn.endpoint_url.clone();
        AwsAccount {
            ecs: aws_sdk_ecs::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            ctx: ErrorContext {
                profile: conn.profile.clone(),
                endpoint: endpoint
                    .clone()
                    .unwrap_or_else(|| format!("https://ecs.{region}.amazonaws.com")),
            },
            region,
            profile: conn.profile.clone(),
            endpoint,
            reads: Budget::new(conn.tuning.ecs_reads_per_second, conn.tuning.ecs_burst),
            // ECS write quotas are much lower than read quotas.
            writes: Budget::new(1.0, 5),
            throttle_retries: conn.tuning.throttle_retries,
            task_definitions: Mutex::new(HashMap::new()),
            definitions: None,
            definition_hits: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            calls: Calls::default(),
        }
    }

    /// Ask `store` for a revision before AWS, and keep there what AWS gives.
    pub(crate) fn with_definitions(
        mut self,
        store: std::sync::Arc<dyn DefinitionStore>,
    ) -> AwsAccount {
        self.definitions = Some(store);
        self
    }

    /// Keep a revision for this run, under the name it was asked by.
    fn remember(&self, asked: &str, td: &TaskDefinition) {
        self.task_definitions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(asked.to_string(), td.clone());
    }

    /// One budgeted call, retried with jittered back-off while AWS throttles it.
    pub(super) async fn call<T, E, R, F, Fut>(
        &self,
        budget: &Budget,
        operation: &str,
        send: F,
    ) -> PortResult<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let mut attempt = 0;
        loop {
            budget.acquire().await;
            self.calls.count(operation);
            match send().await {
                Ok(out) => return Ok(out),
                Err(err) => {
                    let err = map_sdk_error(operation, err, &self.ctx);
                    if matches!(err, PortError::Throttled { .. }) && attempt < self.throttle_retries
                    {
                        self.throttled.fetch_add(1, Ordering::Relaxed);
                        let delay = backoff_delay(
                            attempt,
                            Duration::from_millis(250),
                            Duration::from_secs(10),
                        );
                        tracing::warn!(operation, attempt, ?delay, "throttled; backing off");
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(err);
                }
            }
        }
    }

    async fn list_service_arns(&self, cluster: &str) -> PortResult<Vec<String>> {
        let mut arns = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .call(&self.reads, "ListServices", || {
                    self.ecs
                        .list_services()
                        .cluster(cluster)
                        .max_results(100)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            arns.extend(out.service_arns().iter().cloned());
            match next(out.next_token(), &token) {
                Some(t) => token = Some(t),
                None => return Ok(arns),
            }
        }
    }

    /// ListTasks paged to the end: one service's, or the whole cluster's.
    async fn list_task_arns(
        &self,
        cluster: &str,
        service: Option<&str>,
        state: TaskState,
    ) -> PortResult<Vec<String>> {
        let status = match state {
            TaskState::Running => DesiredStatus::Running,
            TaskState::Stopped => DesiredStatus::Stopped,
        };
        let mut arns = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .call(&self.reads, "ListTasks", || {
                    self.ecs
                        .list_tasks()
                        .cluster(cluster)
                        .set_service_name(service.map(str::to_string))
                        .desired_status(status.clone())
                        .max_results(100)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            arns.extend(out.task_arns().iter().cloned());
            match next(out.next_token(), &token) {
                Some(t) => token = Some(t),
                None => return Ok(arns),
            }
        }
    }

    /// DescribeTasks, 100 at a time.
    async fn describe_task_batches(&self, cluster: &str, arns: &[String]) -> PortResult<Vec<Task>> {
        let mut tasks = Vec::with_capacity(arns.len());
        for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
            let out = self
                .call(&self.reads, "DescribeTasks", || {
                    self.ecs
                        .describe_tasks()
                        .cluster(cluster)
                        .set_tasks(Some(batch.to_vec()))
                        .send()
                })
                .await?;
            tasks.extend(out.tasks().iter().map(convert::task));
        }
        Ok(tasks)
    }

    async fn describe_services(&self, cluster: &str, arns: &[String]) -> PortResult<Vec<Service>> {
        let mut services = Vec::with_capacity(arns.len());
        for batch in arns.chunks(DESCRIBE_SERVICES_BATCH) {
            let out = self
                .call(&self.reads, "DescribeServices", || {
                    self.ecs
                        .describe_services()
                        .cluster(cluster)
                        .set_services(Some(batch.to_vec()))
                        .send()
                })
                .await?;
            for failure in out.failures() {
                tracing::warn!(
                    arn = failure.arn().unwrap_or_default(),
                    reason = failure.reason().unwrap_or_default(),
                    "DescribeServices failure"
                );
            }
            services.extend(out.services().iter().map(convert::service).map(|mut s| {
                if s.cluster.is_empty() {
                    s.cluster = arn_name(cluster).to_string();
                }
                s
            }));
        }
        Ok(services)
    }
}

/// The next page token, or None at the end (absent, empty or repeated token).
fn next(token: Option<&str>, previous: &Option<String>) -> Option<String> {
    match token {
        Some(t) if !t.is_empty() && previous.as_deref() != Some(t) => Some(t.to_string()),
        _ => None,
    }
}

impl EcsPort for AwsAccount {
    fn identity(&self) -> PortFuture<'_, AccountIdentity> {
        Box::pin(async move {
            let out = self
                .call(&self.reads, "GetCallerIdentity", || {
                    self.sts.get_caller_identity().send()
                })
                .await?;
            Ok(AccountIdentity {
                account: out.account().map(str::to_string),
                region: self.region.clone(),
                profile: self.profile.clone(),
                principal: out.arn().map(str::to_string),
                endpoint: self.endpoint.clone(),
                demo: false,
            })
        })
    }

    fn clusters(&self) -> PortFuture<'_, Vec<String>> {
        Box::pin(async move {
            let mut names = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let out = self
                    .call(&self.reads, "ListClusters", || {
                        self.ecs
                            .list_clusters()
                            .max_results(100)
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                names.extend(out.cluster_arns().iter().map(|a| arn_name(a).to_string()));
                match next(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            names.sort();
            Ok(names)
        })
    }

    fn services<'a>(&'a self, cluster: &'a str) -> PortFuture<'a, Vec<Service>> {
        Box::pin(async move {
            let arns = self.list_service_arns(cluster).await?;
            self.describe_services(cluster, &arns).await
        })
    }

    fn describe_services<'a>(
        &'a self,
        cluster: &'a str,
        names: &'a [String],
    ) -> PortFuture<'a, Vec<Service>> {
        Box::pin(self.describe_services(cluster, names))
    }

    fn service<'a>(&'a self, cluster: &'a str, service: &'a str) -> PortFuture<'a, Service> {
        Box::pin(async move {
            let found = self
                .describe_services(cluster, &[service.to_string()])
                .await?;
            found.into_iter().next().ok_or_else(|| PortError::NotFound {
                what: crate::domain::Missing::Service,
                message: format!("service `{service}` is not in cluster `{cluster}`"),
            })
        })
    }

    fn tasks<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
        state: TaskState,
    ) -> PortFuture<'a, Vec<Task>> {
        Box::pin(async move {
            let arns = self.list_task_arns(cluster, Some(service), state).await?;
            let group = format!("service:{service}");
            let mut tasks = self.describe_task_batches(cluster, &arns).await?;
            // ListTasks' serviceName filter is not honoured everywhere: check the group.
            tasks.retain(|t| t.group.as_deref() == Some(group.as_str()));
            tasks.sort_by(|a, b| {
                b.stopped_at
                    .cmp(&a.stopped_at)
                    .then(b.created_at.cmp(&a.created_at))
            });
            Ok(tasks)
        })
    }

    fn task_arns<'a>(&'a self, cluster: &'a str, state: TaskState) -> PortFuture<'a, Vec<String>> {
        Box::pin(self.list_task_arns(cluster, None, state))
    }

    fn describe_tasks<'a>(
        &'a self,
        cluster: &'a str,
        tasks: &'a [String],
    ) -> PortFuture<'a, Vec<Task>> {
        Box::pin(self.describe_task_batches(cluster, tasks))
    }

    fn task_definition<'a>(&'a self, arn: &'a str) -> PortFuture<'a, TaskDefinition> {
        Box::pin(async move {
            if let Some(td) = self
                .task_definitions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(arn)
            {
                return Ok(td.clone());
            }
            if let Some(td) = self.definitions.as_ref().and_then(|d| d.get(arn)) {
                self.definition_hits.fetch_add(1, Ordering::Relaxed);
                self.remember(arn, &td);
                return Ok(td);
            }
            let out = self
                .call(&self.reads, "DescribeTaskDefinition", || {
                    self.ecs
                        .describe_task_definition()
                        .task_definition(arn)
                        .send()
                })
                .await?;
            let td = out
                .task_definition()
                .map(convert::task_definition)
                .ok_or_else(|| PortError::NotFound {
                    what: crate::domain::Missing::TaskDefinition,
                    message: arn.to_string(),
                })?;
            // A revision never changes, so the caches never go stale.
            self.remember(arn, &td);
            if let Some(store) = &self.definitions {
                store.put(&td);
            }
            Ok(td)
        })
    }

    fn update_service<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
        change: ServiceChange,
    ) -> PortFuture<'a, Service> {
        Box::pin(async move {
            let out = self
                .call(&self.writes, "UpdateService", || {
                    self.ecs
                        .update_service()
                        .cluster(cluster)
                        .service(service)
                        .set_desired_count(
                            change.desired_count.map(|c| c.min(i32::MAX as u32) as i32),
                        )
                        .set_task_definition(change.task_definition.clone())
                        .force_new_deployment(change.force_new_deployment)
                        .send()
                })
                .await?;
            out.service()
                .map(convert::service)
                .ok_or_else(|| PortError::Other {
                    operation: "UpdateService".into(),
                    message: "AWS returned no service".into(),
                })
        })
    }

    fn stop_task<'a>(
        &'a self,
        cluster: &'a str,
        task: &'a str,
        reason: &'a str,
    ) -> PortFuture<'a, Task> {
        Box::pin(async move {
            let out = self
                .call(&self.writes, "StopTask", || {
                    self.ecs
                        .stop_task()
                        .cluster(cluster)
                        .task(task)
                        .reason(reason)
                        .send()
                })
                .await?;
            out.task()
                .map(convert::task)
                .ok_or_else(|| PortError::Other {
                    operation: "StopTask".into(),
                    message: "AWS returned no task".into(),
                })
        })
    }

    fn throttled_calls(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    fn calls(&self) -> crate::domain::ports::CallCounts {
        let mut calls = self.calls.snapshot();
        let hits = self.definition_hits.load(Ordering::Relaxed);
        if hits > 0 {
            calls.insert(DEFINITION_CACHE_HITS.to_string(), hits);
        }
        calls
    }
}
