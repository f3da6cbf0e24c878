//! What a diagnosis costs, counted at the port: one listing of stopped tasks
//! per cluster whatever the number of services, describes only for tasks not
//! seen before, log tails read once, and task definitions from the disk
//! cache on a second run. The demo account stands behind a counting port.

use chrono::TimeZone;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::ports::{
    AccountIdentity, EcsPort, LogLine, LogsPort, PortFuture, ServiceChange, TaskDefinition,
};
use triage::domain::service::Service;
use triage::domain::task::{Task, TaskState};
use triage::workers::diagnosis::{diagnose_pass, fetch_diagnosis, DiagnosisScope, StoppedMemory};

/// Counts every call by port method, then passes it on.
struct Counting<P> {
    inner: P,
    calls: Mutex<BTreeMap<&'static str, u64>>,
}

impl<P> Counting<P> {
    fn new(inner: P) -> Self {
        Counting {
            inner,
            calls: Mutex::new(BTreeMap::new()),
        }
    }
    fn count(&self, what: &'static str) {
        *self.calls.lock().unwrap().entry(what).or_default() += 1;
    }
    fn of(&self, what: &str) -> u64 {
        self.calls.lock().unwrap().get(what).copied().unwrap_or(0)
    }
    fn reset(&self) {
        self.calls.lock().unwrap().clear();
    }
}

impl<P: EcsPort> EcsPort for Counting<P> {
    fn identity(&self) -> PortFuture<'_, AccountIdentity> {
        self.inner.identity()
    }
    fn clusters(&self) -> PortFuture<'_, Vec<String>> {
        self.count("clusters");
        self.inner.clusters()
    }
    fn services<'a>(&'a self, cluster: &'a str) -> PortFuture<'a, Vec<Service>> {
        self.count("services");
        self.inner.services(cluster)
    }
    fn service<'a>(&'a self, cluster: &'a str, service: &'a str) -> PortFuture<'a, Service> {
        self.inner.service(cluster, service)
    }
    fn describe_services<'a>(
        &'a self,
        cluster: &'a str,
        names: &'a [String],
    ) -> PortFuture<'a, Vec<Service>> {
        self.count("describe_services");
        self.inner.describe_services(cluster, names)
    }
    fn tasks<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
        state: TaskState,
    ) -> PortFuture<'a, Vec<Task>> {
        self.count("tasks of one service");
        self.inner.tasks(cluster, service, state)
    }
    fn task_arns<'a>(&'a self, cluster: &'a str, state: TaskState) -> PortFuture<'a, Vec<String>> {
        self.count("task_arns");
        self.inner.task_arns(cluster, state)
    }
    fn task_definition<'a>(&'a self, arn: &'a str) -> PortFuture<'a, TaskDefinition> {
        self.count("task_definition");
        self.inner.task_definition(arn)
    }
    fn describe_tasks<'a>(
        &'a self,
        cluster: &'a str,
        tasks: &'a [String],
    ) -> PortFuture<'a, Vec<Task>> {
        self.count("describe_tasks");
        *self
            .calls
            .lock()
            .unwrap()
            .entry("tasks described")
            .or_default() += tasks.len() as u64;
        self.inner.describe_tasks(cluster, tasks)
    }
    fn update_service<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
        change: ServiceChange,
    ) -> PortFuture<'a, Service> {
        self.inner.update_service(cluster, service, change)
    }
    fn stop_task<'a>(
        &'a self,
        cluster: &'a str,
        task: &'a str,
        reason: &'a str,
    ) -> PortFuture<'a, Task> {
        self.inner.stop_task(cluster, task, reason)
    }
}

impl<P: LogsPort> LogsPort for Counting<P> {
    fn tail<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> PortFuture<'a, Vec<LogLine>> {
        self.count("tail");
        self.inner.tail(group, stream, before, limit)
    }
}

/// The demo's saas account with `extra` quiet services added to each cluster.
fn account(extra: usize) -> DemoAccount {
    let mut text = include_str!("../../src/demo/scenarios/saas.toml").to_string();
    for cluster in ["prod-web", "prod-data"] {
        for i in 0..extra {
            text.push_str(&format!(
                "\n[[services]]\ncluster = \"{cluster}\"\nname = \"quiet-{cluster}-{i}\"\ndesired = 1\ncpu = \"256\"\nmemory = \"512\"\ncontainer = \"app\"\nimage = \"quiet\"\nrevisions = [ {{ tag = \"v1\", deployed_minutes_ago = 3000 }} ]\n"
            ));
        }
    }
    let scenario = Scenario::parse(&text, "test").unwrap();
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap(),
    ));
    DemoAccount::new(&scenario, clock).without_latency()
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

#[tokio::test]
async fn stopped_tasks_are_listed_once_per_cluster_whatever_the_number_of_services() {
    for extra in [0, 100] {
        let port = Counting::new(account(extra));
        let report = fetch_diagnosis(&port, Some(&port), &DiagnosisScope::default(), now())
            .await
            .unwrap();
        // Only the services that have stopped tasks are described, by name.
        assert_eq!(port.of("services"), 0, "the services are never all listed");
        assert!(port.of("describe_services") <= 2, "one batch per cluster");
        assert!(report.services.len() <= 9, "{}", report.services.len());
        assert!(report
            .patterns
            .iter()
            .any(|p| p.service == "chatbot-api" && p.cause.code() == "oom_killed"));
        assert_eq!(
            port.of("task_arns"),
            2,
            "{extra} extra services: one per cluster"
        );
        assert_eq!(port.of("tasks of one service"), 0, "never per service");
        assert_eq!(port.of("describe_tasks"), 2, "one batch per cluster");
        // Only the revisions whose log configuration the tails need (single-
        // container tasks need none to be decoded), once each.
        let tailed: std::collections::BTreeSet<&str> = report
            .findings
            .iter()
            .filter(|f| f.severity != triage::domain::diagnosis::Severity::Info)
            .take(triage::workers::diagnosis::LOG_TAILS)
            .map(|f| f.task_definition.as_str())
            .collect();
        assert_eq!(port.of("task_definition"), tailed.len() as u64);
    }
}

#[tokio::test]
async fn a_second_pass_describes_and_reads_only_what_is_new() {
    let port = Counting::new(account(50));
    let services = port
        .inner
        .services("prod-web")
        .await
        .unwrap()
        .into_iter()
        .chain(port.inner.services("prod-data").await.unwrap())
        .collect::<Vec<_>>();
    let clusters = vec!["prod-data".to_string(), "prod-web".to_string()];
    let mut memory = StoppedMemory::default();
    let scope = DiagnosisScope::default();
    port.reset();
    let first = diagnose_pass(
        &port,
        Some(&port),
        &scope,
        Some((services.clone(), clusters.clone())),
        &mut memory,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        port.of("services"),
        0,
        "the services came from the last status read"
    );
    let tails = port.of("tail");
    assert!(tails > 0);
    let described = port.of("tasks described");
    assert_eq!(described as usize, first.findings.len());
    port.reset();
    let second = diagnose_pass(
        &port,
        Some(&port),
        &scope,
        Some((services, clusters)),
        &mut memory,
        now(),
    )
    .await
    .unwrap();
    assert!(
        second.findings == first.findings,
        "the same answer, in the same order"
    );
    assert_eq!(port.of("task_arns"), 2);
    assert_eq!(port.of("describe_tasks"), 0, "nothing new stopped");
    assert_eq!(port.of("tail"), 0, "log tails remembered");
}

#[tokio::test]
async fn a_service_scope_counts_what_it_leaves_out() {
    let port = account(0);
    let report = fetch_diagnosis(
        &port,
        None,
        &DiagnosisScope {
            services: vec!["chatbot-api".into()],
            ..Default::default()
        },
        now(),
    )
    .await
    .unwrap();
    assert!(report
        .findings
        .iter()
        .all(|f| f.service.as_deref() == Some("chatbot-api")));
    assert!(report.left_out.other_services > 0, "{:?}", report.left_out);
}
