//! The search pipeline over a fake port: the known groups are searched
//! while discovery is still running (FilterLogEvents goes out before
//! discovery ends), a group discovered later joins, the output stays in
//! time order whatever joined late, a cached group that no longer exists is
//! dropped quietly, long windows are clipped to each group's retention, and
//! the call cap stops a search and says so.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use triage::domain::logsearch::{LogEvent, Matcher, SearchTarget};
use triage::domain::ports::{FilterPage, LogSearchPort, PortFuture, QueryRows};
use triage::domain::PortError;
use triage::workers::logsearch::GroupOutcome;
use triage::workers::pipeline::{pipeline_search, CallCap, SearchWindow};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_769_569_920 + secs, 0).unwrap()
}

fn ev(group: &str, secs: i64) -> LogEvent {
    LogEvent {
        group: group.into(),
        stream: format!("ecs/app/{}", group.trim_start_matches('/')),
        timestamp: t(secs),
        ingestion: Some(t(secs)),
        event_id: None,
        message: format!(r#"{{"correlationId":"corr-123","at":{secs}}}"#),
        pair: Default::default(),
    }
}

/// One page per group; missing groups are NotFound. Records what was
/// called, in order, and each group's window start.
#[derive(Default)]
struct FakeLogs {
    groups: HashMap<String, Vec<LogEvent>>,
    retention: HashMap<String, u32>,
    log: Mutex<Vec<String>>,
    starts: Mutex<HashMap<String, DateTime<Utc>>>,
    /// Told when the first FilterLogEvents goes out.
    first_call: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl FakeLogs {
    fn with(mut self, group: &str, events: Vec<LogEvent>) -> Self {
        self.groups.insert(group.into(), events);
        self
    }
}

impl LogSearchPort for FakeLogs {
    fn filter_page<'a>(
        &'a self,
        group: &'a str,
        _pattern: &'a str,
        start: DateTime<Utc>,
        _end: DateTime<Utc>,
        _token: Option<String>,
    ) -> PortFuture<'a, FilterPage> {
        self.log.lock().unwrap().push(format!("filter {group}"));
        self.starts.lock().unwrap().insert(group.into(), start);
        if let Some(tx) = self.first_call.lock().unwrap().take() {
            let _ = tx.send(());
        }
        let page = match self.groups.get(group) {
            Some(events) => Ok(FilterPage {
                events: events.clone(),
                next_token: None,
            }),
            None => Err(PortError::NotFound {
                what: triage::domain::Missing::LogGroup,
                message: format!("{group} does not exist"),
            }),
        };
        Box::pin(async move { page })
    }
    fn retention_days<'a>(&'a self, group: &'a str) -> PortFuture<'a, Option<u32>> {
        let days = self.retention.get(group).copied();
        Box::pin(async move { Ok(days) })
    }
    fn insights<'a>(
        &'a self,
        _groups: &'a [String],
        _query: &'a str,
        _start: DateTime<Utc>,
        _end: DateTime<Utc>,
        _limit: u32,
    ) -> PortFuture<'a, QueryRows> {
        Box::pin(async { Ok(QueryRows::default()) })
    }
}

/// A search of `known` (and what `discovery` adds) over `start..end`, hits dropped.
async fn search(
    port: &FakeLogs,
    known: Vec<SearchTarget>,
    confirmed: &[String],
    discovery: impl std::future::Future<Output = Result<Vec<SearchTarget>, PortError>>,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    cap: Option<u64>,
) -> triage::workers::pipeline::PipelineOutcome {
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let cap = CallCap::new(cap);
    pipeline_search(
        port,
        known,
        confirmed,
        discovery,
        SearchWindow {
            matcher: &matcher,
            start,
            end,
            now: end,
            cap: &cap,
        },
        |_, _| {},
    )
    .await
}

fn target(group: &str, service: Option<&str>) -> SearchTarget {
    SearchTarget {
        group: group.into(),
        service: service.map(str::to_string),
    }
}

#[tokio::test]
async fn known_groups_are_searched_before_discovery_ends_and_late_ones_join() {
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    let port = FakeLogs::default()
        .with("/ecs/web", vec![ev("/ecs/web", 10), ev("/ecs/web", 40)])
        .with("/ecs/api", vec![ev("/ecs/api", 20)])
        .with("/ecs/new", vec![ev("/ecs/new", 5), ev("/ecs/new", 30)]);
    *port.first_call.lock().unwrap() = Some(first_tx);
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let cap = CallCap::new(Some(100));
    // Discovery ends only after the first FilterLogEvents has gone out:
    // were the search to wait for it, this test would never finish.
    let discovery = async {
        first_rx.await.unwrap();
        port.log.lock().unwrap().push("discovery ends".into());
        Ok(vec![
            target("/ecs/web", Some("prod/web")),
            target("/ecs/api", Some("prod/api")),
            target("/ecs/new", Some("prod/new")),
        ])
    };
    let mut printed: Vec<(i64, String)> = Vec::new();
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        pipeline_search(
            &port,
            vec![
                target("/ecs/web", None),
                target("/ecs/api", None),
                target("/ecs/gone", None),
            ],
            &[],
            discovery,
            SearchWindow {
                matcher: &matcher,
                start: t(0),
                end: t(3600),
                now: t(3600),
                cap: &cap,
            },
            |hits, targets| {
                for h in hits {
                    let service = targets
                        .iter()
                        .find(|x| x.group == h.group)
                        .and_then(|x| x.service.clone())
                        .unwrap_or_default();
                    printed.push(((h.timestamp - t(0)).num_seconds(), service));
                }
            },
        ),
    )
    .await
    .expect("the search waited for discovery before its first call");
    let log = port.log.lock().unwrap().clone();
    let first_filter = log.iter().position(|l| l.starts_with("filter")).unwrap();
    let discovery_end = log.iter().position(|l| l == "discovery ends").unwrap();
    assert!(first_filter < discovery_end, "{log:?}");
    // The discovered group joined after discovery.
    let new = log.iter().position(|l| l == "filter /ecs/new").unwrap();
    assert!(new > discovery_end, "{log:?}");
    // Every hit once, in time order, each named by the service discovery gave.
    assert_eq!(
        printed,
        vec![
            (5, "prod/new".to_string()),
            (10, "prod/web".to_string()),
            (20, "prod/api".to_string()),
            (30, "prod/new".to_string()),
            (40, "prod/web".to_string()),
        ]
    );
    // The cached group that is gone is dropped, not reported missing.
    assert_eq!(outcome.gone, vec!["/ecs/gone".to_string()]);
    assert!(outcome.result.complete(), "{:?}", outcome.result.groups);
    assert_eq!(outcome.targets.len(), 3);
}

#[tokio::test]
async fn a_group_named_on_the_command_line_is_reported_missing() {
    let port = FakeLogs::default().with("/ecs/web", vec![ev("/ecs/web", 10)]);
    let outcome = search(
        &port,
        vec![target("/ecs/typo", None)],
        &["/ecs/typo".to_string()],
        async { Ok(vec![target("/ecs/web", Some("prod/web"))]) },
        (t(0), t(3600)),
        None,
    )
    .await;
    assert!(!outcome.result.complete());
    assert!(outcome
        .result
        .groups
        .iter()
        .any(|(g, o)| g == "/ecs/typo" && *o == GroupOutcome::Missing));
}

#[tokio::test]
async fn discovery_failing_still_searches_the_known_groups() {
    let port = FakeLogs::default().with("/ecs/web", vec![ev("/ecs/web", 10)]);
    let outcome = search(
        &port,
        vec![target("/ecs/web", Some("prod/web"))],
        &[],
        async {
            Err(PortError::Throttled {
                operation: "DescribeServices".into(),
            })
        },
        (t(0), t(3600)),
        None,
    )
    .await;
    assert!(outcome.discovered.is_err());
    assert_eq!(outcome.result.events.len(), 1);
}

#[tokio::test]
async fn a_long_window_is_clipped_to_each_groups_retention() {
    let mut port = FakeLogs::default()
        .with("/ecs/short", vec![])
        .with("/ecs/forever", vec![]);
    port.retention.insert("/ecs/short".into(), 3);
    let now = t(0) + Duration::days(30);
    let outcome = search(
        &port,
        vec![target("/ecs/short", None), target("/ecs/forever", None)],
        &[],
        async { Ok(vec![]) },
        (t(0), now),
        None,
    )
    .await;
    let starts = port.starts.lock().unwrap().clone();
    assert_eq!(starts["/ecs/short"], now - Duration::days(3));
    assert_eq!(starts["/ecs/forever"], t(0));
    assert_eq!(outcome.clipped.len(), 1);
    assert_eq!(outcome.clipped[0].days, 3);
}

#[tokio::test]
async fn the_call_cap_stops_the_search_and_says_so() {
    let mut port = FakeLogs::default();
    let mut known = Vec::new();
    for i in 0..10 {
        let g = format!("/ecs/g{i}");
        port = port.with(&g, vec![ev(&g, i)]);
        known.push(target(&g, None));
    }
    let outcome = search(
        &port,
        known,
        &[],
        async { Ok(vec![]) },
        (t(0), t(3600)),
        Some(4),
    )
    .await;
    assert_eq!(port.log.lock().unwrap().len(), 4, "no call past the cap");
    let capped = outcome
        .result
        .groups
        .iter()
        .filter(|(_, o)| *o == GroupOutcome::Capped(4))
        .count();
    assert_eq!(capped, 6);
    assert!(!outcome.result.complete());
}
